"""The answer model: review and slot records, slot states, dates.

Plain Python, no Sphinx: the directives build these records, the domain
stores them, and the checks, summary and reports read them.  The
classification of an answer is a pure function, testable on its own.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sphinx_ethics.catalogue.model import SCREENING_CHOICES

if TYPE_CHECKING:
    from sphinx_ethics.catalogue import Question

REVIEW_STATUSES = ("draft", "in-review", "approved")
ANSWER_STATUSES = ("answered", "not-applicable", "draft")

#: Slot states, as in the JSON report. Only the first two count as answered.
ANSWERED_STATES = ("answered", "not-applicable")
SLOT_STATES = ("answered", "not-applicable", "unanswered", "draft", "placeholder")


@dataclass(frozen=True)
class SlotRecord:
    """One answer slot of one review, and what the team wrote in it.

    The question's number and text are not kept here: the catalogue has
    them (one copy, not one per review in the saved environment).
    """

    id: str
    required: bool
    state: str
    anchor: str
    line: int = 0  # the answer's line, when there is an answer
    reason: str = ""  # why the slot is not answered, for the warning
    answer: str = ""  # the answer as plain text
    file: str = ""  # the answers file the answer came from (else it is in the page)
    choice: str = ""  # a screening question's yes / no / unsure ("" otherwise)
    #: Who gave the answer and when it was received (an answers file's ``by``,
    #: ``received``: SPEC §12), cleaned by :func:`who_answered`; "" when not said.
    by: str = ""
    received: str = ""


SIGNOFF_DECISIONS = ("approved", "approved-with-conditions", "changes-requested")
#: Decisions that approve (``ethics_signoff_roles`` needs one per role).
APPROVING = ("approved", "approved-with-conditions")


@dataclass(frozen=True)
class SignoffRecord:
    """One ``ethics-signoff``: who decided what, when, with what comment."""

    role: str
    by: str
    date: str
    decision: str
    comment: str = ""
    file: str = ""  # empty: the review's page
    line: int = 0
    #: ``:digest:``: the answers it approved (SPEC §12); "" when not tied to a version.
    digest: str = ""
    #: Why it no longer covers the answers ("" when it does, or has no digest).
    stale: str = ""
    #: ``:slots:``: each required slot's own digest when it was given, so a stale
    #: sign-off can name the slots that changed since (SPEC §12).
    slots: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ReferralRecord:
    """A screening rule that fired: refer the project to ``to``; open until recorded."""

    to: str
    because: str
    question: str
    answer: str
    outcome: str = ""
    #: Why a recorded outcome no longer counts (the screening answers changed since).
    reopened: str = ""

    @property
    def open(self) -> bool:
        return not self.outcome


@dataclass(frozen=True)
class ReviewRecord:
    name: str
    docname: str
    line: int
    anchor: str
    title: str
    checklists: tuple[str, ...]
    owner: str = ""
    reviewers: tuple[str, ...] = ()
    date: str = ""
    review_by: str = ""
    status: str = ""
    slots: tuple[SlotRecord, ...] = field(default_factory=tuple)
    signoffs: tuple[SignoffRecord, ...] = ()
    #: Sign-offs shown but not counted (no :by:, a bad :date: or :decision:, ...).
    uncounted: tuple[SignoffRecord, ...] = ()
    referrals: tuple[ReferralRecord, ...] = ()
    #: ``ethics_review_fields``: (name, label, value), value "" when missing.
    fields: tuple[tuple[str, str, str], ...] = ()
    #: The answers' digest (:mod:`sphinx_ethics.answers.digest`), and the screening slots'.
    digest: str = ""
    screening_digest: str = ""
    #: ``:answered-under:`` (SPEC §12): each checklist's version and each question's
    #: text digest the answers were given under (:mod:`sphinx_ethics.answers.drift`).
    answered_under: tuple[tuple[str, str], ...] = ()
    answered_questions: tuple[tuple[str, str], ...] = ()

    @property
    def required(self) -> int:
        return sum(1 for s in self.slots if s.required)

    @property
    def answered(self) -> int:
        return sum(1 for s in self.slots if s.required and s.state in ANSWERED_STATES)

    def unanswered_slots(self) -> list[SlotRecord]:
        return [s for s in self.slots if s.required and s.state not in ANSWERED_STATES]

    def metadata(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "reviewers": list(self.reviewers),
            "date": self.date,
            "review_by": self.review_by,
            "status": self.status,
        }


#: Placeholders that mean "not applicable": the reason tells how to say so.
NOT_APPLICABLE_WORDS = frozenset({"n/a", "na", "not applicable"})
#: "Not applicable" as a whole answer is never an answer, whatever the patterns.
ALWAYS_PLACEHOLDERS = ("Not applicable",)
NOT_APPLICABLE_HINT = (
    "; if the question does not apply, say why and mark the answer ':status: not-applicable'"
)

#: Characters that show nothing: zero-width spaces and joiners, soft hyphens,
#: byte-order marks (Unicode "format" characters), and blank fillers.
_BLANK_FILLERS = {"\u115f", "\u1160", "\u2800", "\u3164", "\uffa0"}


#: Any character outside ASCII: only these can be invisible (no ASCII
#: character is a "format" character or a blank filler).
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _shown_part(match: re.Match[str]) -> str:
    return "".join(
        c for c in match[0] if unicodedata.category(c) != "Cf" and c not in _BLANK_FILLERS
    )


def visible(text: str) -> str:
    """``text`` without characters a reader cannot see, white space made one space.

    Only runs of non-ASCII characters are looked at one by one: answers are
    mostly ASCII, and a build judges every answer several times (issue 25).
    """
    if not text.isascii():
        text = _NON_ASCII.sub(_shown_part, text)
    return " ".join(text.split())


def placeholder_key(text: str) -> str:
    """How placeholders are compared: case, spacing and trailing ``.!:…`` ignored."""
    return " ".join(text.split()).casefold().rstrip(".!:…").strip()


@functools.lru_cache(maxsize=64)
def _pattern_keys(placeholders: tuple[str, ...]) -> tuple[str, ...]:
    """The patterns' keys, worked out once: a build judges every answer with
    the same few patterns (issue 25)."""
    keys = (placeholder_key(p) for p in (*placeholders, *ALWAYS_PLACEHOLDERS))
    return tuple(k for k in keys if k)


#: What may follow a placeholder and still leave it a placeholder ("TBC - awaiting
#: finance", "TBD: ask the board", "TBC, see minutes", "TBA (next meeting)").
_AFTER_PLACEHOLDER = re.compile(r"\s+[-\u2013\u2014]\s+\S|\s*[:,(]\s*\S")


def placeholder_reason(text: str, placeholders: Iterable[str], what: str = "the answer") -> str:
    """Why ``text`` is only a placeholder ("" when it is not), for a warning.

    A placeholder is text with no letter or digit ("...", "?"), or the whole
    text equal to a pattern (ignoring case, spacing, trailing ``.!:…``), or
    a pattern followed by a spaced dash, a colon, a comma or an opening
    bracket and more text ("TBC - awaiting finance"): the words after it say
    why the answer is missing, not what it is.
    """
    shown = visible(text)
    if not shown:
        return ""
    if not any(char.isalnum() for char in shown):  # "...", "?", "-", "—"
        return f"{what} {shown!r} has no words"
    key = placeholder_key(shown)
    matched = ""
    for pkey in _pattern_keys(tuple(placeholders)):
        if key == pkey or (key.startswith(pkey) and _AFTER_PLACEHOLDER.match(key, len(pkey))):
            matched = pkey
            break
    if not matched:
        return ""
    reason = f"{what} is only the placeholder {shown!r}"
    return reason + NOT_APPLICABLE_HINT if matched in NOT_APPLICABLE_WORDS else reason


def classify_answer(text: str, status: str, placeholders: Iterable[str]) -> tuple[str, str]:
    """The slot state an answer gives, and why it is not answered (if it is not).

    ``text`` is the seen text (see :mod:`sphinx_ethics.answers.text`); a
    not-applicable reason obeys the same placeholder rules as an answer.
    """
    stripped = visible(text)
    patterns = list(placeholders)
    if status == "not-applicable":
        if not stripped:
            return "unanswered", "marked not-applicable but gives no reason"
        found = placeholder_reason(stripped, patterns, "its reason")
        if found:
            found = found.removesuffix(NOT_APPLICABLE_HINT)
            return "placeholder", f"marked not-applicable but {found}; say why it does not apply"
        return "not-applicable", ""
    if not stripped:
        return "unanswered", "the answer is empty"
    if status == "draft":
        return "draft", "the answer is still a draft"
    found = placeholder_reason(stripped, patterns)
    if found:
        return "placeholder", found
    return "answered", ""


@dataclass(frozen=True)
class GivenAnswer:
    """What the team wrote for one slot, as classification needs it."""

    text: str
    status: str = "answered"
    line: int = 0
    file: str = ""  # an answers file; empty when the answer is in the page
    markup: str = ""  # a markup slip that makes the answer unreliable (not counted)
    choice: str = ""  # a screening answer given as ``:answer:`` (or ``answer:`` in a file)
    #: The words a reader sees, without list marks or link addresses: what is
    #: judged (None: judge ``text``).  ``text`` is what the report shows.
    words: str | None = None
    by: str = ""  # who gave it (an answers file's ``by``), for the reader
    received: str = ""  # when it was received (``received``)

    @property
    def judged(self) -> str:
        return self.text if self.words is None else self.words


#: The start of the reason a screening slot is not answered; the project check
#: reports such slots as ``ethics.screening``, not ``ethics.unanswered``.
SCREENING_REASON = "a screening question is answered yes, no or unsure"


def screening_choice(answer: GivenAnswer) -> tuple[str, str]:
    """A screening answer's choice, and why it cannot be used ("" when it can).

    The choice is ``:answer:`` when given; else an answer whose whole text is
    one word is that word (``screening-1: yes`` in an answers file).
    """
    given = " ".join(answer.choice.split())
    if not given and len(answer.judged.split()) == 1:
        given = answer.judged.strip().rstrip(".!")
    choice = given.casefold()
    if choice in SCREENING_CHOICES:
        return choice, ""
    if not given:
        return (
            "",
            f"{SCREENING_REASON}, but this answer gives none (add ':answer: yes', no or unsure)",
        )
    return "", f"{SCREENING_REASON}, not {given!r}"


def classify_slots(
    slots: Sequence[Question],
    answers: Mapping[str, GivenAnswer],
    optional: AbstractSet[str],
    placeholders: Iterable[str],
    anchors: Mapping[str, str],
) -> list[SlotRecord]:
    """One record per answer slot, in order: required or not, and its state."""
    patterns = list(placeholders)
    records = []
    for question in slots:
        answer = answers.get(question.id)
        state, reason, choice = "unanswered", "", ""
        if answer is not None:
            state, reason = classify_answer(answer.judged, answer.status, patterns)
            if question.screening and answer.status == "not-applicable":
                state = "unanswered"
                reason = f"{SCREENING_REASON}; it cannot be marked not-applicable"
            elif question.screening and state != "draft":
                choice, why = screening_choice(answer)
                state, reason = ("answered", "") if choice else ("unanswered", why)
            if answer.markup:
                state, reason, choice = "unanswered", answer.markup, ""
        records.append(
            SlotRecord(
                id=question.id,
                required=question.id not in optional,
                state=state,
                anchor=anchors.get(question.id, ""),
                line=answer.line if answer else 0,
                reason=reason,
                answer=answer.text.strip() if answer else "",
                file=answer.file if answer else "",
                choice=choice,
                by=answer.by if answer else "",
                received=answer.received if answer and answer.by else "",
            )
        )
    return records


#: At most this many characters of who answered are shown (untrusted text, SPEC §10).
MAX_WHO = 100


def who_answered(by: str, received: str = "") -> tuple[str, str]:
    """``by`` and ``received`` as a reader may see them: plain text on one line,
    invisible characters dropped, at most :data:`MAX_WHO` characters (then "…").

    They come from a form or a merged download, so they are data: never
    markup, never a class or an attribute.  Without ``by`` nothing is
    claimed, so ``received`` is dropped too: an answer nobody signed for is
    never shown as the team's or anyone's.
    """
    name = visible(by)
    if not name:
        return "", ""
    if len(name) > MAX_WHO:
        name = name[: MAX_WHO - 1].rstrip() + "…"
    date = visible(received)
    return name, date[:40]


def answered_by_line(by: str, received: str = "") -> str:
    """'Answered by J. Okafor (family carer), received 2026-11-20' ("" without ``by``)."""
    if not by:
        return ""
    return f"Answered by {by}, received {received}" if received else f"Answered by {by}"


ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(value: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` date, or None (``20250101`` and week dates are not accepted)."""
    value = value.strip()
    if not ISO_DATE.fullmatch(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def today(config_value: str | None) -> dt.date:
    """``ethics_today`` if set (reproducible builds), else the real date."""
    if config_value:
        parsed = parse_date(str(config_value))
        if parsed:
            return parsed
    return dt.date.today()
