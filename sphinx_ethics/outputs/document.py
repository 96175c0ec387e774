"""One completed review as a plain document, for readers who do not use Sphinx.

``sphinx-ethics review`` joins three things here: the review's record from
``ethics-report.json`` (states, metadata, sign-offs, fields, referrals,
problems), its answers as structured blocks (``ethics-answers.json``, see
:mod:`sphinx_ethics.answers.text`) and the catalogue (question prompts, the
group questions lettered parts belong to, attribution).  Every format of
:mod:`sphinx_ethics.outputs.writers` and :mod:`sphinx_ethics.outputs.docx`
renders the one dictionary built here, and ``--format json`` writes it as
it is.  Plain Python, no Sphinx.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sphinx_ethics.answers.slots import answered_by_line, who_answered
from sphinx_ethics.answers.text import plain_text
from sphinx_ethics.catalogue import attribution as wording
from sphinx_ethics.version import __version__

if TYPE_CHECKING:
    from sphinx_ethics.catalogue import Catalog, Checklist, Question

SCHEMA_VERSION = 2

#: A slot's state in words; anything not listed reads as not answered.
STATE_WORDS = {
    "answered": "Answered",
    "not-applicable": "Not applicable",
    "unanswered": "Not answered",
    "draft": "Draft (not counted as answered)",
    "placeholder": "Placeholder only (not answered)",
}
DECISION_WORDS = {
    "approved": "Approved",
    "approved-with-conditions": "Approved with conditions",
    "changes-requested": "Changes requested",
}
CHOICE_WORDS = {"yes": "Yes", "no": "No", "unsure": "Unsure"}
STATUS_WORDS = {"draft": "Draft", "in-review": "In review", "approved": "Approved"}


def state_words(slot: dict[str, Any]) -> str:
    """'Answered', 'Not answered (optional)', ...: fail closed on an unknown state."""
    words = STATE_WORDS.get(str(slot.get("state", "")), "Not answered")
    return words if slot.get("required", True) else f"{words} (optional)"


def review_document(
    review: dict[str, Any], answers: dict[str, list[Any]], catalog: Catalog, made: str = ""
) -> dict[str, Any]:
    """The review with every question in order, its answer as blocks, and attribution.

    First come the verdict (``complete``, the "NOT COMPLETE: N problems"
    line, the problems) and ``made``, the date the paper was made
    (``YYYY-MM-DD``, today unless given).
    """
    slots = {slot["id"]: slot for slot in review.get("slots", [])}
    record = {key: value for key, value in review.items() if key != "slots"}
    checklists = [catalog.checklists[c] for c in review["checklists"] if c in catalog.checklists]
    sources = []
    for checklist in checklists:
        sources += [s for s in wording.checklist_sources(checklist) if s not in sources]
    complete, problems = verdict(review)
    return {
        "complete": complete,
        "verdict": verdict_line(complete, problems),
        "problems": problems,
        "schema_version": SCHEMA_VERSION,
        "generator": f"sphinx-ethics {__version__}",
        "made": made or dt.date.today().isoformat(),
        "review": record,
        "progress": progress(review),
        "checklists": [_checklist(c, slots, answers) for c in checklists],
        "sources": [
            {
                "text": wording.text(source),
                "segments": [
                    {"text": piece.text, "kind": piece.kind} for piece in wording.segments(source)
                ],
            }
            for source in sources
        ],
    }


def pack_document(documents: list[dict[str, Any]], made: str = "") -> dict[str, Any]:
    """Several reviews as one board pack: a contents list, then each review's
    document as :func:`review_document` made it (SPEC §13).

    The pack is complete only when every review is; its verdict ("NOT
    COMPLETE: N problems") comes first and its problems name their review.
    """
    problems = [
        {"review": str(d["review"].get("name", "")), **p} for d in documents for p in d["problems"]
    ]
    complete = all(d["complete"] for d in documents)
    line = verdict_line(complete, problems)
    if line:
        late = sum(1 for d in documents if not d["complete"])
        line += f" ({late} of {len(documents)} reviews not complete)"
    return {
        "complete": complete,
        "verdict": line,
        "problems": problems,
        "schema_version": SCHEMA_VERSION,
        "generator": f"sphinx-ethics {__version__}",
        "made": made or dt.date.today().isoformat(),
        "title": "Ethics reviews",
        "contents": [
            {
                "anchor": f"review-{number}",
                "name": str(d["review"].get("name", "")),
                "title": title(d),
                "complete": d["complete"],
                "progress": d["progress"],
            }
            for number, d in enumerate(documents, 1)
        ],
        "reviews": documents,
    }


def verdict(review: dict[str, Any]) -> tuple[bool, list[dict[str, Any]]]:
    """Whether the review is complete, and what keeps it from being so.

    Judged as the build judged it (the report's ``complete`` and
    ``problems``), failing closed: a required question left unanswered
    counts even when its warning was suppressed, and a review the report
    calls incomplete is never complete here, problems listed or not.
    """
    problems = [
        {key: p.get(key, "") for key in ("subtype", "message", "file", "line")}
        for p in review.get("problems") or []
    ]
    answered, required = int(review.get("answered", 0)), int(review.get("required", 0))
    where = {"file": review.get("file", ""), "line": review.get("line", 0)}
    if answered < required and not any(p["subtype"] == "unanswered" for p in problems):
        missing = required - answered
        text = f"{missing} required question{'' if missing == 1 else 's'} not answered"
        problems.append({"subtype": "unanswered", "message": text, **where})
    complete = review.get("complete") is True and not problems
    if not complete and not problems:
        text = "the build reported this review as not complete"
        problems.append({"subtype": "incomplete", "message": text, **where})
    return complete, problems


def verdict_line(complete: bool, problems: list[dict[str, Any]]) -> str:
    """'NOT COMPLETE: 3 problems', the first line of every format; '' when complete."""
    if complete:
        return ""
    count = len(problems)
    return f"NOT COMPLETE: {count} problem{'' if count == 1 else 's'}"


def progress(review: dict[str, Any]) -> str:
    """'26/28 required questions answered; not complete (2 problems)'."""
    text = f"{review['answered']}/{review['required']} required questions answered"
    problems = len(review.get("problems", []))
    if review.get("complete"):
        text += "; complete"
    else:
        text += "; not complete"
        if problems:
            text += f" ({problems} problem{'' if problems == 1 else 's'})"
    if review.get("overdue"):
        text += f"; overdue for review (was due by {review['metadata'].get('review_by', '')})"
    return text


def _checklist(
    checklist: Checklist, slots: dict[str, dict[str, Any]], answers: dict[str, list[Any]]
) -> dict[str, Any]:
    return {
        "id": checklist.id,
        "title": checklist.title,
        "version": checklist.version,
        "questions": [
            _question(checklist, q, slots, answers)
            for q in checklist.iter_questions()
            if _shown(q, slots)
        ],
    }


def _shown(question: Question, slots: dict[str, dict[str, Any]]) -> bool:
    """A slot the review has, or a group with at least one such part."""
    if question.is_group:
        return any(sub.id in slots for sub in question.subquestions)
    return question.id in slots


def _question(
    checklist: Checklist,
    question: Question,
    slots: dict[str, dict[str, Any]],
    answers: dict[str, list[Any]],
) -> dict[str, Any]:
    blocks = answers.get(question.id, [])
    source = wording.question_source(checklist, question)
    item: dict[str, Any] = {
        "id": question.id,
        "number": question.number,
        "text": question.text,
        "prompts": list(question.prompts),
        "group": question.is_group,
        "parent": question.parent or "",
        "blocks": blocks,
        "answer": plain_text(blocks),
        # A team's question (extends) is marked as theirs, with its own source.
        "added_by": question.added_by,
        "added": wording.added_mark(question),
        "source": wording.text(source) if source else "",
    }
    slot = slots.get(question.id)
    if slot is None:  # a group: its own note, if the team wrote one
        return item
    item.update(
        required=bool(slot.get("required", True)),
        state=str(slot.get("state", "unanswered")),
        state_words=state_words(slot),
        choice=str(slot.get("choice", "")),
        file=str(slot.get("file", "")),
        line=int(slot.get("line", 0) or 0),
    )
    by, received = who_answered(str(slot.get("by", "")), str(slot.get("received", "")))
    if by:  # who gave it, when the answers file says so (SPEC §12); else nothing is claimed
        item.update(by=by, received=received, answered_by=answered_by_line(by, received))
    if not blocks and slot.get("answer"):  # no structure stored: keep the text
        item["blocks"] = [
            {"type": "paragraph", "spans": [{"text": part}]}
            for part in str(slot["answer"]).split("\n")
            if part.strip()
        ]
        item["answer"] = str(slot["answer"])
    return item


# --------------------------------------------------------------------------
# What every format shows the same way
# --------------------------------------------------------------------------


def metadata_rows(document: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) for the review's details and configured fields, empty ones left out."""
    review = document["review"]
    meta = review.get("metadata", {})
    rows = [
        ("Review", str(review.get("name", ""))),
        ("Checklists", ", ".join(c["title"] for c in document["checklists"])),
        ("Owner", str(meta.get("owner", ""))),
        ("Reviewers", "; ".join(meta.get("reviewers", []))),
        ("Status", status_words(document)),
        ("Date", str(meta.get("date", ""))),
        ("Review by", str(meta.get("review_by", ""))),
    ]
    fields = review.get("fields") or {}
    rows += [(str(f.get("label") or name), str(f.get("value", ""))) for name, f in fields.items()]
    rows.append(("Progress", document["progress"]))
    rows.append(("Made", str(document.get("made", ""))))
    return [(label, value) for label, value in rows if value]


def status_words(document: dict[str, Any]) -> str:
    """The review's status; never a bare "Approved" for an incomplete review."""
    status = str(document["review"].get("metadata", {}).get("status", ""))
    words = STATUS_WORDS.get(status, status)
    if document.get("complete") is True:
        return words
    return f"{words} (NOT COMPLETE)" if words else "NOT COMPLETE"


SIGNOFF_COLUMNS = ("Role", "By", "Date", "Decision", "Comment")
REFERRAL_COLUMNS = ("Referred to", "Because", "Question", "Answer", "Outcome")


def signoff_rows(document: dict[str, Any]) -> list[list[str]]:
    return [
        [
            str(s.get("role", "")),
            str(s.get("by", "")),
            str(s.get("date", "")),
            _decision_words(s),
            str(s.get("comment", "")),
        ]
        for s in document["review"].get("signoffs") or []
    ]


def _decision_words(signoff: dict[str, Any]) -> str:
    """The decision in words; a stale one says it does not count (SPEC §12)."""
    decision = str(signoff.get("decision", ""))
    words = DECISION_WORDS.get(decision, decision)
    if signoff.get("stale"):
        return f"{words} (STALE, not counted: {signoff['stale']})"
    return words


def referral_rows(document: dict[str, Any]) -> list[list[str]]:
    return [
        [
            str(r.get("to", "")),
            str(r.get("because", "")),
            str(r.get("question", "")),
            CHOICE_WORDS.get(str(r.get("answer", "")), str(r.get("answer", ""))),
            str(r.get("outcome", ""))
            or ("Open again" if r.get("reopened") else "Open" if r.get("open", True) else ""),
        ]
        for r in document["review"].get("referrals") or []
    ]


def problem_lines(document: dict[str, Any]) -> list[str]:
    """What keeps the review from being complete, one line each."""
    return [
        f"{p['review'] + ': ' if p.get('review') else ''}"
        f"{p.get('file', '')}:{p.get('line', '')}: {p.get('message', '')}"
        for p in document.get("problems") or []
    ]


def contents_lines(pack: dict[str, Any]) -> list[str]:
    """'Title (name): 26/28 required questions answered; complete', one per review."""
    return [f"{c['title']} ({c['name']}): {c['progress']}" for c in pack["contents"]]


def title(document: dict[str, Any]) -> str:
    return str(document["review"].get("title") or "Ethics review")


def generator_line(document: dict[str, Any]) -> str:
    made = f" on {document['made']}" if document.get("made") else ""
    return f"Exported by {document.get('generator') or 'sphinx-ethics'}{made}."
