"""Generate N-page QI documentation projects for the sphinx-ethics benchmark.

Two kinds of project are written from the same deterministic content model:

``ethics``
    Every project page holds one ``ethics-review`` of the built-in
    checklists (``plan`` and ``healthcare-good``, plus ``process-good``,
    ``collaboration`` and ``co-production`` on some pages: 21 to 30 answer
    slots) with ``ethics-answer`` directives of one to three paragraphs.
    About 10 % of the slots are left unanswered, so the build warns and is
    run without ``-W``.  One page holds ``.. ethics-summary::``.

``plain``
    The same words as plain reStructuredText, the baseline: a section per
    checklist and per question (number and text as the title, prompts as a
    bullet list, the answer as paragraphs, "Not yet answered" for the empty
    slots), the metadata as a field list, the progress line and attribution
    as paragraphs, and a summary page with a hand-written ``list-table`` of
    the same rows and links.

Both projects share ``conf.py`` except for ``extensions`` and the one
``ethics_today`` setting.  Pages are grouped 50 to a division page, as a
large programme would organise them.

Usage::

    python benchmarks/generate.py --pages 200 --out /tmp/qi --kind ethics
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_ethics.catalogue import Attribution, Question, load_catalog
from sphinx_ethics.catalogue import attribution as wording

KINDS = ("ethics", "plain", "lean", "handwritten")
#: What each kind's pages hold: "full" (one review of 2-5 checklists, as
#: today's benchmark) or "lean" (three one-checklist reviews per page).
LAYOUT = {"ethics": "full", "plain": "full", "lean": "lean", "handwritten": "lean"}
LEAN_CHECKLISTS = ("plan", "healthcare-good", "process-good")
PAGES_PER_DIVISION = 50
UNANSWERED_SHARE = 0.10
NOT_APPLICABLE_SHARE = 0.03
TODAY = "2026-11-01"
SUMMARY_DOC = "review-status"

# --------------------------------------------------------------------------
# Word bank: answers read like a QI team's notes, varied from page to page
# --------------------------------------------------------------------------

SETTINGS = [
    "Ward 7",
    "Ward 12",
    "the acute medical unit",
    "the emergency department",
    "the stroke unit",
    "the renal dialysis unit",
    "the children's ward",
    "the maternity unit",
    "the community nursing teams",
    "the outpatient clinics",
    "the orthopaedic wards",
    "the intensive care unit",
    "the mental health wards",
    "three GP practices",
    "the discharge lounge",
    "the day surgery unit",
]
TOPICS = [
    "inpatient falls",
    "pressure ulcers",
    "sepsis recognition",
    "delayed discharges",
    "medication errors",
    "missed observations",
    "catheter-associated infections",
    "hospital-acquired delirium",
    "waiting times for first appointments",
    "hand hygiene",
    "venous thromboembolism assessment",
    "nutrition and hydration",
    "handover quality",
    "end-of-life care planning",
    "antibiotic prescribing",
    "missed insulin doses",
]
ACTIONS = ["Safer care", "Better care", "Getting it right", "Closing the gap", "Every patient"]
TEAMS = [
    "QI team",
    "nursing team",
    "multidisciplinary team",
    "improvement group",
    "clinical governance group",
]
PEOPLE = [
    "Patient partner panel",
    "Trust clinical ethics lead",
    "Divisional director of nursing",
    "QI coach",
    "Consultant geriatrician",
    "Lead pharmacist",
    "Head of patient experience",
    "Carers' forum",
]
SUBJECTS = [
    "The ward team",
    "Our patient partners",
    "The QI coach",
    "Night staff",
    "Families and carers",
    "The steering group",
    "The data analyst",
    "Healthcare assistants",
    "The pharmacist",
    "Junior doctors",
    "The matron",
    "Physiotherapists",
    "The Trust ethics lead",
    "Bank and agency staff",
    "Patients who took part",
]
VERBS = [
    "discussed",
    "questioned",
    "measured",
    "agreed",
    "tested",
    "raised concerns about",
    "asked us to rethink",
    "helped redesign",
    "reviewed",
    "welcomed",
    "challenged",
    "described",
    "kept a record of",
    "reported on",
]
OBJECTS = [
    "the baseline data",
    "the new admission checklist",
    "the balancing measures",
    "the patient leaflet",
    "how the bundle affects night shifts",
    "the cost of extra staff time",
    "the risk of restricting movement",
    "who is left out of the audit",
    "the run charts",
    "the interpreter service",
    "the huddle format",
    "the outcome measure",
    "the workload on healthcare assistants",
    "the way incidents are reported",
    "what matters most to patients",
    "the training plan",
    "the discharge conversation",
]
TAILS = [
    "during the first PDSA cycle",
    "at the monthly steering group",
    "before we spread the change to a second ward",
    "with the Trust clinical ethics lead",
    "in two co-design workshops",
    "after the notes audit",
    "when the data showed no change",
    "at a night-time drop-in session",
    "using the THIS Institute questions",
    "in the quarterly report to the patient safety committee",
    "with staff-side representatives",
    "over six weeks of observation on the ward",
    "",
    "",
]
REFLECTIONS = [
    "We recorded the decision and the reasons for it in the minutes.",
    "This changed the way we framed the aim of the project.",
    "We have not yet resolved this, and it is on the project risk register.",
    "Patients told us this mattered more than the headline measure.",
    "The change is small, but staff say it makes the shift safer.",
    "We will look at this again at the end of the next cycle.",
    "The evidence here is weaker than we would like, and we say so.",
    "Some staff disagreed, and their view is recorded alongside ours.",
    "We split the data by age, sex, ethnicity and deprivation to check this.",
    "It cost more staff time than we planned, which we now track.",
    "The people most affected were not in the room, so we went to them.",
    "We agreed to stop the change on any shift where it takes care from others.",
]
NA_REASONS = [
    "The project does not change anyone's duties: it reorganises existing work "
    "within the same roles, and the ward manager confirmed this with the team.",
    "No penalties or rewards are attached to the change; staff take part "
    "voluntarily and the project is not linked to any appraisal target.",
    "This project is run by a single team on one ward, so there is no "
    "collaboration across organisations to consider at this stage.",
]


def sentence(rng: random.Random) -> str:
    if rng.random() < 0.25:
        return rng.choice(REFLECTIONS)
    tail = rng.choice(TAILS)
    words = [rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(OBJECTS)]
    if tail:
        words.append(tail)
    return " ".join(words) + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, width=79, initial_indent=indent, subsequent_indent=indent)


# --------------------------------------------------------------------------
# The content model, shared by both kinds
# --------------------------------------------------------------------------


@dataclass
class Answer:
    status: str  # "answered", "not-applicable" or "unanswered"
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class Page:
    index: int
    docname: str
    title: str
    intro: str
    name: str  # review name
    owner: str
    reviewers: list[str]
    date: str
    review_by: str
    status: str
    checklists: list[str]
    answers: dict[str, Answer]  # by question id, groups included when answered

    def slots(self) -> list[Question]:
        catalog = load_catalog()
        return [q for c in self.checklists for q in catalog.checklists[c].slots()]

    @property
    def required(self) -> int:
        return len(self.slots())

    @property
    def answered(self) -> int:
        return sum(1 for q in self.slots() if self.answers[q.id].status != "unanswered")

    @property
    def unanswered(self) -> list[str]:
        return [q.id for q in self.slots() if self.answers[q.id].status == "unanswered"]

    def overdue(self, today: str = TODAY) -> bool:
        return self.review_by < today


def docname_for(index: int) -> str:
    division = index // PAGES_PER_DIVISION + 1
    return f"division-{division:02d}/project-{index + 1:04d}"


def choose_checklists(rng: random.Random, layout: str) -> list[str]:
    roll = rng.random()  # drawn in both layouts, so the answers' words match
    if layout == "lean":
        return list(LEAN_CHECKLISTS)
    checklists = ["plan", "healthcare-good"]
    if roll < 0.15:
        checklists += ["process-good", "collaboration", "co-production"]
    elif roll < 0.35:
        checklists.append("process-good")
    elif roll < 0.45:
        checklists.append("co-production")
    return checklists


def make_page(
    seed: int, index: int, unanswered: float = UNANSWERED_SHARE, layout: str = "full"
) -> Page:
    """One project page's content; depends only on its arguments."""
    rng = random.Random(f"sphinx-ethics-bench-{seed}-{index}")
    catalog = load_catalog()
    checklists = choose_checklists(rng, layout)
    slots = [q for c in checklists for q in catalog.checklists[c].slots()]
    blanks = set(rng.sample([q.id for q in slots], round(unanswered * len(slots))))
    answers: dict[str, Answer] = {}
    for c in checklists:
        for question in catalog.checklists[c].iter_questions():
            if question.is_group:
                if rng.random() < 0.3:  # some teams answer the group question too
                    answers[question.id] = Answer("answered", [paragraph(rng)])
                continue
            if question.id in blanks:
                answers[question.id] = Answer("unanswered")
            elif rng.random() < NOT_APPLICABLE_SHARE:
                answers[question.id] = Answer("not-applicable", [rng.choice(NA_REASONS)])
            else:
                count = rng.choices([1, 2, 3], weights=[3, 4, 2])[0]
                answers[question.id] = Answer("answered", [paragraph(rng) for _ in range(count)])
    setting = rng.choice(SETTINGS)
    topic = rng.choice(TOPICS)
    start = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300))
    review_by = start + dt.timedelta(days=rng.choice([90, 180, 270, 365]))
    return Page(
        index=index,
        docname=docname_for(index),
        title=f"{rng.choice(ACTIONS)}: {topic} in {setting} (QI-{index + 1:04d})",
        intro=(
            f"This project aims to improve care around {topic} in {setting}. "
            + " ".join(sentence(rng) for _ in range(3))
        ),
        name=f"qi-{index + 1:04d}-ethics",
        owner=f"{upper_first(setting.removeprefix('the '))} {rng.choice(TEAMS)}",
        reviewers=rng.sample(PEOPLE, rng.randint(1, 3)),
        date=start.isoformat(),
        review_by=review_by.isoformat(),
        status=rng.choices(["draft", "in-review", "approved"], weights=[3, 3, 4])[0],
        checklists=checklists,
        answers=answers,
    )


def iter_pages(
    pages: int, seed: int, unanswered: float = UNANSWERED_SHARE, layout: str = "full"
) -> Iterator[Page]:
    for index in range(pages):
        yield make_page(seed, index, unanswered, layout)


# --------------------------------------------------------------------------
# Writing: ethics kind
# --------------------------------------------------------------------------


def heading(text: str, char: str, overline: bool = False) -> list[str]:
    line = char * len(text)
    return [line, text, line, ""] if overline else [text, line, ""]


def ethics_page(page: Page, extra: str = "") -> str:
    """The page as a sphinx-ethics user writes it; ``extra`` edits one answer."""
    catalog = load_catalog()
    out = heading(page.title, "=")
    out += [*wrap(page.intro), ""]
    out += [
        f".. ethics-review:: {' '.join(page.checklists)}",
        f"   :name: {page.name}",
        f"   :title: Ethics review — {page.title}",
        f"   :owner: {page.owner}",
        f"   :reviewers: {'; '.join(page.reviewers)}",
        f"   :date: {page.date}",
        f"   :review-by: {page.review_by}",
        f"   :status: {page.status}",
        "",
    ]
    first = True
    for c in page.checklists:
        for question in catalog.checklists[c].iter_questions():
            answer = page.answers.get(question.id)
            if answer is None or answer.status == "unanswered":
                continue
            out.append(f"   .. ethics-answer:: {question.id}")
            if answer.status != "answered":
                out.append(f"      :status: {answer.status}")
            out.append("")
            for number, text in enumerate(answer.paragraphs):
                if first and number == 0 and extra:
                    text = f"{text} {extra}"
                out += [*wrap(text, "      "), ""]
            first = False
    return "\n".join(out)


def ethics_summary_page() -> str:
    out = heading("Where our ethics reviews stand", "=")
    out += [
        *wrap(
            "Every ethics review in the programme: owner, status, answered "
            "questions, the questions still unanswered, and the review-by date."
        ),
        "",
        ".. ethics-summary::",
        "",
    ]
    return "\n".join(out)


# --------------------------------------------------------------------------
# Writing: plain kind (the baseline)
# --------------------------------------------------------------------------

PLAIN_SECTION_CHARS = ["-", "~", "^"]


def plain_attribution(attribution: Attribution) -> str:
    """The extension's own wording, in reST (addresses as their own link text)."""
    return wording.write(
        attribution, lambda t: t, lambda t: f"*{t}*", lambda url: f"`{url} <{url}>`__"
    )


def plain_question(
    page: Page, question: Question, depth: int, extra: list[str], labelled: bool = True
) -> list[str]:
    """The question as a section, prompts, then the answer.

    ``labelled`` (the ``plain`` kind) also writes what the extension shows
    besides the words: a label on each unanswered question (for the summary
    table's links) and "Answer" before each answer.  The ``handwritten``
    kind leaves both out, as a team writing by hand would.
    """
    out: list[str] = []
    answer = page.answers.get(question.id)
    unanswered = answer is None or answer.status == "unanswered"
    if labelled and not question.is_group and unanswered:
        out += [f".. _{page.name}-{question.id}:", ""]
    out += heading(f"{question.number}. {question.text}", PLAIN_SECTION_CHARS[depth])
    for prompt in question.prompts:
        out += textwrap.wrap(prompt, width=79, initial_indent="- ", subsequent_indent="  ")
    if question.prompts:
        out.append("")
    if unanswered:
        if not question.is_group:
            out += ["*Not yet answered*", ""]
    else:
        assert answer is not None
        out += plain_answer(answer, extra, labelled)
    for sub in question.subquestions:
        out += plain_question(page, sub, depth + 1, extra, labelled)
    return out


def plain_answer(answer: Answer, extra: list[str], labelled: bool) -> list[str]:
    """A not-applicable mark or (``labelled``) "Answer", then the paragraphs."""
    out: list[str] = []
    if answer.status == "not-applicable":
        out += ["**Not applicable**", ""]
    elif labelled:
        out += ["**Answer**", ""]
    for number, text in enumerate(answer.paragraphs):
        if extra and number == 0:
            text = f"{text} {extra.pop()}"
        out += [*wrap(text), ""]
    return out


def plain_page(page: Page, extra: str = "") -> str:
    """The same words as plain reStructuredText: a section per question."""
    catalog = load_catalog()
    pending = [extra] if extra else []
    out = [f".. _{page.name}:", "", *heading(page.title, "=")]
    out += [*wrap(page.intro), ""]
    out += [f"**Ethics review — {page.title}**", ""]
    out += [
        f":Owner: {page.owner}",
        f":Reviewers: {'; '.join(page.reviewers)}",
        f":Date: {page.date}",
        f":Review by: {page.review_by}",
        f":Status: {page.status}",
        f":Checklists: {', '.join(page.checklists)}",
        "",
        f"{page.answered} of {page.required} required questions answered.",
        "",
    ]
    for c in page.checklists:
        checklist = catalog.checklists[c]
        out += heading(checklist.title, PLAIN_SECTION_CHARS[0])
        for intro in checklist.intro:
            out += [*wrap(intro), ""]
        for question in checklist.questions:
            out += plain_question(page, question, 1, pending)
    attribution = catalog.checklists["plan"].attribution
    assert attribution is not None
    out += [*wrap(plain_attribution(attribution)), ""]
    return "\n".join(out)


def plain_summary_page(pages: list[Page], today: str = TODAY) -> str:
    out = heading("Where our ethics reviews stand", "=")
    out += [
        *wrap(
            "Every ethics review in the programme: owner, status, answered "
            "questions, the questions still unanswered, and the review-by date."
        ),
        "",
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 22 14 14 10 9 19 12",
        "",
        "   * - Review",
        "     - Document",
        "     - Owner",
        "     - Status",
        "     - Answered",
        "     - Unanswered",
        "     - Review by",
    ]
    for page in pages:
        missing = ", ".join(f":ref:`{q} <{page.name}-{q}>`" for q in page.unanswered)
        review_by = page.review_by + (" *Overdue*" if page.overdue(today) else "")
        out += [
            f"   * - :ref:`Ethics review — {page.title} <{page.name}>` (``{page.name}``)",
            f"     - :doc:`/{page.docname}`",
            f"     - {page.owner}",
            f"     - {page.status}",
            f"     - {page.answered} / {page.required}",
            f"     - {missing or 'none'}",
            f"     - {review_by}",
        ]
    out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------
# Writing: lean kind and its handwritten baseline (issue #11)
# --------------------------------------------------------------------------

LEAN_HEADINGS = {
    "plan": "Planning the project",
    "healthcare-good": "Is it good healthcare?",
    "process-good": "Is the process good?",
}


def lean_page(page: Page, extra: str = "") -> str:
    """Three one-checklist reviews under their own sections, three options each."""
    catalog = load_catalog()
    pending = [extra] if extra else []
    out = heading(page.title, "=")
    out += [*wrap(page.intro), ""]
    for c in page.checklists:
        out += heading(LEAN_HEADINGS[c], "-")
        out += [
            f".. ethics-review:: {c}",
            f"   :name: {page.name.removesuffix('-ethics')}-{c}",
            f"   :owner: {page.owner}",
            f"   :review-by: {page.review_by}",
            f"   :status: {page.status}",
            "",
        ]
        for question in catalog.checklists[c].iter_questions():
            answer = page.answers.get(question.id)
            if answer is None or answer.status == "unanswered":
                continue
            out.append(f"   .. ethics-answer:: {question.id}")
            if answer.status != "answered":
                out.append(f"      :status: {answer.status}")
            out.append("")
            for number, text in enumerate(answer.paragraphs):
                if pending and number == 0:
                    text = f"{text} {pending.pop()}"
                out += [*wrap(text, "      "), ""]
    return "\n".join(out)


def handwritten_page(page: Page, extra: str = "") -> str:
    """The lean page's words as a team would write them without the extension."""
    catalog = load_catalog()
    pending = [extra] if extra else []
    out = heading(page.title, "=")
    out += [*wrap(page.intro), ""]
    for c in page.checklists:
        out += heading(LEAN_HEADINGS[c], "-")
        out += [
            f":Owner: {page.owner}",
            f":Review by: {page.review_by}",
            f":Status: {page.status}",
            "",
        ]
        for question in catalog.checklists[c].questions:
            out += plain_question(page, question, 1, pending, labelled=False)
    attribution = catalog.checklists["plan"].attribution
    assert attribution is not None
    out += [*wrap(plain_attribution(attribution)), ""]
    return "\n".join(out)


def handwritten_summary_page() -> str:
    """No hand-written table: a team without the extension keeps none."""
    out = heading("Where our ethics reviews stand", "=")
    out += [*wrap("Each project page records its own ethics questions and answers."), ""]
    return "\n".join(out)


# --------------------------------------------------------------------------
# The project
# --------------------------------------------------------------------------

LOCAL_SIDEBARS = 'html_sidebars = {"**": ["localtoc.html", "relations.html", "searchbox.html"]}\n'

CONF = """\
# Generated by benchmarks/generate.py ({kind} kind). Paired kinds (ethics and
# plain; lean and handwritten) differ only in the sphinx-ethics settings.
project = "QI programme benchmark"
author = "Benchmark"
copyright = "2026, Benchmark"
extensions = {extensions!r}
exclude_patterns = ["_build"]
{extra}"""


def write_conf(out: Path, kind: str, today: str = TODAY) -> None:
    uses_extension = kind in ("ethics", "lean")
    extensions = ["sphinx_ethics"] if uses_extension else []
    extra = f'ethics_today = "{today}"\n' if uses_extension else ""
    if kind == "lean":
        extra += "ethics_report = True\n"
    if LAYOUT[kind] == "lean":
        extra += LOCAL_SIDEBARS
    (out / "conf.py").write_text(
        CONF.format(kind=kind, extensions=extensions, extra=extra), "utf-8"
    )


def page_text(page: Page, kind: str, extra: str = "") -> str:
    writers = {
        "ethics": ethics_page,
        "plain": plain_page,
        "lean": lean_page,
        "handwritten": handwritten_page,
    }
    return writers[kind](page, extra)


def page_path(out: Path, docname: str) -> Path:
    return out / f"{docname}.rst"


def write_page(out: Path, kind: str, page: Page, extra: str = "") -> Path:
    path = page_path(out, page.docname)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page_text(page, kind, extra), "utf-8")
    return path


def edit_page(
    out: Path,
    kind: str,
    seed: int,
    index: int,
    extra: str,
    unanswered: float = UNANSWERED_SHARE,
) -> Path:
    """Rewrite one page with ``extra`` appended to its first answer ("" restores it)."""
    return write_page(out, kind, make_page(seed, index, unanswered, LAYOUT[kind]), extra)


def generate(
    pages: int,
    out: str | Path,
    kind: str,
    seed: int = 1,
    *,
    unanswered: float = UNANSWERED_SHARE,
    today: str = TODAY,
) -> Path:
    """Write an N-page project of ``kind`` into ``out`` (emptied first).

    ``unanswered`` is the share of answer slots left empty (0.10 in the
    benchmark; 0 gives a project that builds with ``-W`` as long as no
    review is overdue on ``today``, the ``ethics_today`` written to conf.py).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    write_conf(out, kind, today)
    models = list(iter_pages(pages, seed, unanswered, LAYOUT[kind]))
    divisions: dict[str, list[Page]] = {}
    for page in models:
        write_page(out, kind, page)
        divisions.setdefault(page.docname.split("/")[0], []).append(page)
    for division, members in divisions.items():
        number = int(division.split("-")[1])
        text = heading(f"Division {number}", "=")
        text += [
            f"Quality improvement projects {members[0].index + 1} to {members[-1].index + 1}.",
            "",
            ".. toctree::",
            "   :maxdepth: 1",
            "",
            *(f"   {p.docname.split('/')[1]}" for p in members),
            "",
        ]
        (out / division / "index.rst").write_text("\n".join(text), "utf-8")
    summaries = {
        "ethics": ethics_summary_page,
        "lean": ethics_summary_page,
        "plain": lambda: plain_summary_page(models, today),
        "handwritten": handwritten_summary_page,
    }
    summary = summaries[kind]()
    (out / f"{SUMMARY_DOC}.rst").write_text(summary, "utf-8")
    index = heading("QI programme", "=")
    index += [
        *wrap(
            f"The programme's {pages} quality improvement projects, each with its "
            "ethics review, and one page that summarises where every review stands."
        ),
        "",
        ".. toctree::",
        "   :maxdepth: 1",
        "",
        f"   {SUMMARY_DOC}",
        *(f"   {d}/index" for d in divisions),
        "",
    ]
    (out / "index.rst").write_text("\n".join(index), "utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200, help="project pages (default 200)")
    parser.add_argument("--out", required=True, help="directory to write (emptied first)")
    parser.add_argument("--kind", choices=KINDS, default="ethics")
    parser.add_argument("--seed", type=int, default=1, help="content seed (default 1)")
    parser.add_argument(
        "--unanswered",
        type=float,
        default=UNANSWERED_SHARE,
        help=f"share of slots left unanswered (default {UNANSWERED_SHARE})",
    )
    parser.add_argument(
        "--today", default=TODAY, help=f"ethics_today for conf.py and 'Overdue' (default {TODAY})"
    )
    args = parser.parse_args(argv)
    out = generate(
        args.pages, args.out, args.kind, args.seed, unanswered=args.unanswered, today=args.today
    )
    print(f"wrote {args.pages}-page {args.kind} project to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
