"""``ethics-review``: the team's answers to one or more checklists, checked and shown.

A review is built in four steps, each in its own place:

1. **collect** the answers: ``ethics-answer`` directives inside the review
   (:mod:`sphinx_ethics.extension.answer`) put their parsed content on a stack in
   ``env.temp_data`` instead of into the page; an ``:answers:`` file adds
   more (:meth:`ReviewDirective.collect`);
2. **classify** every slot with the pure :func:`sphinx_ethics.answers.slots.classify_slots`;
3. **record** the review in the ``ethics`` domain (with the problems only
   this document can tell: unknown ids, duplicate answers);
4. **render** it: the page keeps only the answers and the ids
   (:func:`sphinx_ethics.extension.expand.pending`); the questions, states and
   the rest are built from the record when the page is written
   (:class:`sphinx_ethics.extension.expand.ExpandReviews`, with
   :func:`sphinx_ethics.nodes.review.review_block`).

Project-wide checks (unanswered slots and the rest) run later, in
:mod:`sphinx_ethics.extension.checks`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from sphinx_ethics.answers import drift
from sphinx_ethics.answers import file as answers_file
from sphinx_ethics.answers.slots import (
    REVIEW_STATUSES,
    ReviewRecord,
    classify_slots,
    parse_date,
    who_answered,
)
from sphinx_ethics.catalogue import Checklist, Question, did_you_mean, unknown_id
from sphinx_ethics.extension import expand, signoff
from sphinx_ethics.extension.answer import (
    STACK_KEY,
    Answer,
    AnswerCollector,
    option_lines,
    top_level,
    unindented_answer_text,
)
from sphinx_ethics.extension.config import placeholders, review_fields
from sphinx_ethics.extension.directives import EthicsDirective, LenientOptions, split_ids
from sphinx_ethics.extension.domain import EthicsDomain, QuestionTarget
from sphinx_ethics.untrusted import parse as entry_parse
from sphinx_ethics.untrusted.typed import typed_text

if TYPE_CHECKING:
    from docutils.nodes import Node

# --------------------------------------------------------------------------
# ethics-review
# --------------------------------------------------------------------------


@dataclass
class SortedAnswers:
    """A review's answers: the one that counts per slot, and the rest (still shown)."""

    by_id: dict[str, Answer] = field(default_factory=dict)
    duplicates: list[Answer] = field(default_factory=list)
    strays: list[Answer] = field(default_factory=list)


class ReviewDirective(EthicsDirective):
    """Questions of one or more checklists, with the team's answers."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar = LenientOptions(
        {
            "name": directives.unchanged_required,
            "title": directives.unchanged,
            "owner": directives.unchanged,
            "reviewers": directives.unchanged,
            "date": directives.unchanged,
            "review-by": directives.unchanged,
            "status": directives.unchanged,
            "optional": directives.unchanged,
            "answers": directives.path,
            "answered-under": directives.unchanged,
            "class": directives.class_option,
        }
    )

    def run(self) -> list[Node]:
        stack: list[AnswerCollector] = self.env.temp_data.setdefault(STACK_KEY, [])
        if stack:
            msg = f"ethics-review inside another ethics-review (line {stack[-1].line}) "
            self.problem("nested-review", msg + "is not supported")
            return self.parse_ignored(stack)
        checklists, unknown = self.lookup_checklists(
            split_ids(self.arguments[0] if self.arguments else "")
        )
        name = self.review_name(checklists)
        self.field_values = signoff.take_fields(self.options, self.config)  # governance
        self.options_problems(name, more=list(review_fields(self.config)))
        self.report_unknown_checklists(unknown, name)
        answers, notes = self.collect(name)
        self.gone = self.check_drift(name, checklists, answers)
        record, sorted_answers = self.record(name, checklists, answers)
        return [self.render(record, checklists, sorted_answers, notes)]

    # -- 1. collect ---------------------------------------------------------

    def collect(self, review: str) -> tuple[list[Answer], list[Node]]:
        """The answers in the page and in the ``:answers:`` file, and the other content."""
        stack: list[AnswerCollector] = self.env.temp_data[STACK_KEY]
        collector = AnswerCollector(self.lineno, review=review)
        stack.append(collector)
        try:
            notes = self.parse_content_to_nodes()
        finally:
            stack.pop()
        self.signoffs = collector.signoffs  # governance
        self.markup_slips(collector.answers, review)
        return collector.answers + self.file_answers(review), notes

    def markup_slips(self, answers: list[Answer], review: str) -> None:
        """Option lines and answer text the review's own content holds by mistake."""
        for offset, line in option_lines(top_level(self.content), self.option_spec):
            msg = f"the option line {line.strip()!r} is in the review's content, where it is "
            msg += "text; options go directly under the directive line, before the blank line"
            self.problem("markup", msg, line=self.content_offset + offset + 1, review=review)
        for question_id, offset in unindented_answer_text(self.content):
            msg = f"the text after 'ethics-answer:: {question_id}' is not indented under it, "
            msg += "so it is not part of the answer (indent it to the answer's level)"
            self.problem(
                "markup",
                f"{question_id}: {msg}",
                line=self.content_offset + offset + 1,
                review=review,
            )
            for answer in answers:
                if answer.question_id == question_id and not answer.text.strip():
                    answer.markup = msg

    def file_answers(self, review: str) -> list[Answer]:
        """Answers from the ``:answers:`` YAML file: data, shown as typed or as
        allow-listed markup (:meth:`entry_nodes`), never parsed as the page is."""
        name = self.options.get("answers")
        if not name:
            return []
        document_dir = Path(self.env.doc2path(self.env.docname)).parent
        path = answers_file.resolve(self.env.srcdir, document_dir, name)
        if path is None:
            msg = f":answers: file {name!r} is outside the source directory"
            self.problem("answers-file", msg, review=review)
            return []
        self.env.note_dependency(str(path))
        if not path.is_file():
            self.problem("answers-file", f":answers: file {name!r} not found", review=review)
            return []
        items, problems = answers_file.read_answers(path, str(path))
        items, hidden = answers_file.shown_answers(items)
        problems += hidden
        for problem in problems:
            self.problem(
                problem.subtype,
                problem.message,
                line=problem.line,
                file=problem.file,
                review=review,
            )
        return [
            Answer(
                item.question_id,
                item.status,
                item.line,
                self.entry_nodes(item, str(path), review),
                str(path),
                choice=item.choice,
                by=who_answered(item.by, item.received)[0],
                received=who_answered(item.by, item.received)[1],
            )
            for item in items
        ]

    def entry_nodes(self, item: answers_file.FileAnswer, path: str, review: str) -> list[Node]:
        """An entry's text as nodes: as typed, or parsed under the allow-list (SPEC §10)."""
        if item.is_text:
            return typed_text(item.text)
        line = item.text_line or item.line
        myst = type(self.state).__module__.startswith("myst_parser")
        content, refusals = entry_parse.parse_entry(
            item.text, self.state.document, path, line, myst=myst
        )
        for where, message in refusals.found:
            msg = f"{item.question_id}: {message}"
            self.problem("untrusted", msg, line=where, file=path, review=review)
        return content

    def check_drift(
        self, review: str, checklists: list[Checklist], answers: list[Answer]
    ) -> set[str]:
        """``question-changed`` at each answer given under a question that changed
        since (:mod:`sphinx_ethics.answers.drift`); the ids the checklist no longer
        has but a migration explains (not also ``unknown-question``)."""
        self.under = drift.Record()
        text = self.options.get("answered-under", "")
        if not isinstance(text, str) or not text.strip():
            return set()
        record = drift.parse_record(text)
        if record is None:
            msg = ":answered-under: is not a list of checklist@version and id=digest "
            msg += "(the sphinx-ethics commands write it)"
            self.problem("option", msg, review=review)
            return set()
        self.under = record
        first: dict[str, Answer] = {}
        for answer in answers:
            if answer.text.strip() or answer.choice:
                first.setdefault(answer.question_id, answer)
        findings = drift.drift(record, checklists, first)
        for found in findings:
            where = first.get(found.id)
            line, file = (where.line, where.file) if where else (0, "")
            self.problem("question-changed", found.message, line=line, file=file, review=review)
        return {f.id for f in findings if f.gone}

    def parse_ignored(self, stack: list[AnswerCollector]) -> list[Node]:
        stack.append(AnswerCollector(self.lineno, ignored=True))
        try:
            content = self.parse_content_to_nodes()
        finally:
            stack.pop()
        return [nodes.container("", *content, classes=["ethics-nested-review"])]

    # -- 2. and 3. classify and record --------------------------------------

    def record(
        self, name: str, checklists: list[Checklist], answers: list[Answer]
    ) -> tuple[ReviewRecord, SortedAnswers]:
        known = {q.id: q for c in checklists for q in c.iter_questions()}
        sorted_answers = self.sort_answers(answers, known, name)
        self.anchors = self.reserve_anchors(name, checklists)
        slots = classify_slots(
            [q for c in checklists for q in c.slots()],
            {qid: answer.given() for qid, answer in sorted_answers.by_id.items()},
            self.optional_ids(known, name),
            placeholders(self.config),
            self.anchors,
        )
        record = ReviewRecord(
            name=name,
            docname=self.env.docname,
            line=self.page_line(self.lineno),
            anchor=self.anchors[""],
            title=self.option("title") or self.section_title or "Ethics review",
            checklists=tuple(c.id for c in checklists),
            owner=self.option("owner"),
            reviewers=tuple(
                r.strip() for r in self.options.get("reviewers", "").split(";") if r.strip()
            ),
            date=self.review_date("date", name),
            review_by=self.review_date("review-by", name),
            status=self.review_status(name),
            slots=tuple(slots),
            answered_under=self.under.versions,
            answered_questions=self.under.questions,
        )
        record = signoff.complete_record(  # governance: sign-offs, fields, referrals
            record, self.signoffs, self.field_values, known, self.config
        )
        domain = EthicsDomain.get(self.env)
        domain.add_review(record)  # judged again by its seen text: extension.page_checks
        for question_id in known:
            target = QuestionTarget(question_id, self.env.docname, self.anchors[question_id], False)
            domain.add_target(target)
        return record, sorted_answers

    def sort_answers(
        self, answers: list[Answer], known: dict[str, Question], review: str
    ) -> SortedAnswers:
        """The answer that counts for each slot, duplicates, and answers to unknown questions.

        An empty answer never hides a non-empty one for the same slot.
        """
        result = SortedAnswers()
        for answer in answers:
            where = {"line": answer.line, "file": answer.file, "review": review}
            if answer.question_id not in known:
                result.strays.append(answer)
                if answer.question_id in self.gone:  # question-changed says what became of it
                    continue
                self.problem(
                    "unknown-question", self.unknown_answer_message(answer, known), **where
                )
                continue
            first = result.by_id.get(answer.question_id)
            if first is None:
                result.by_id[answer.question_id] = answer
                continue
            msg = f"{answer.question_id} is answered twice in this review (first answer at "
            msg += f"{Path(first.file).name + ':' if first.file else 'line '}{first.line})"
            self.problem("duplicate-answer", msg, **where)
            if not first.text.strip() and answer.text.strip():
                result.by_id[answer.question_id] = answer  # the empty one is shown as the duplicate
                answer = first
            result.duplicates.append(answer)
        return result

    def unknown_answer_message(self, answer: Answer, known: dict[str, Question]) -> str:
        other = self.catalog.checklist_of(answer.question_id)
        if other is not None:
            return (
                f"{answer.question_id} is a question of checklist {other.id!r}, "
                "which this review does not include"
            )
        return "answer to " + unknown_id("question", answer.question_id, answerable(known))

    def optional_ids(self, known: dict[str, Question], review: str) -> set[str]:
        ids = set()
        for question_id in split_ids(self.options.get("optional", "")):
            if question_id in known:
                ids.add(question_id)
            else:
                hint = did_you_mean(question_id, answerable(known))
                msg = f":optional: names {question_id!r}, which is not a question of this review"
                msg += hint
                self.problem("unknown-question", msg, review=review)
        return ids

    # -- options ------------------------------------------------------------

    def option(self, name: str) -> str:
        value = self.options.get(name, "")
        return " ".join(value.split()) if isinstance(value, str) else ""

    def review_status(self, review: str) -> str:
        status = self.option("status").lower()
        if status and status not in REVIEW_STATUSES:
            msg = f"unknown review status {status!r}; use one of: {', '.join(REVIEW_STATUSES)}"
            self.problem("status", msg, review=review)
        return status

    def review_date(self, name: str, review: str) -> str:
        value = self.option(name)
        if value and parse_date(value) is None:
            msg = f":{name}: {value!r} is not a date in the form YYYY-MM-DD"
            self.problem("date", msg, review=review)
        return value

    @functools.cached_property
    def section_title(self) -> str:
        """The title of the section the review is in: its default title.

        Pages are parsed in order, so the last section opened so far is the
        one the review is in (found this way for MyST too, whose directives
        have no ``state.parent``).
        """
        section = None
        for section in self.state.document.findall(nodes.section):  # noqa: B007
            pass
        if section is not None and section.children and isinstance(section[0], nodes.title):
            return section[0].astext()
        return ""

    def review_name(self, checklists: list[Checklist]) -> str:
        """The review's name, for :ref: and reports: ``:name:``, else derived."""
        name = self.option("name")
        if name:
            return name
        base = "-".join([self.env.docname.replace("/", "-")] + [c.id for c in checklists])
        return self.ids.reserve(base)

    def reserve_anchors(self, name: str, checklists: list[Checklist]) -> dict[str, str]:
        """Page anchors: ``""`` for the review, then each checklist and question."""
        anchors = {"": self.ids.reserve(name)}
        for checklist in checklists:
            anchors[checklist.id] = self.ids.reserve(f"{name}-{checklist.id}")
            for question in checklist.iter_questions():
                anchors[question.id] = self.ids.reserve(f"{name}-{question.id}")
        return anchors

    # -- 4. render ----------------------------------------------------------

    def render(
        self,
        record: ReviewRecord,
        checklists: list[Checklist],
        answers: SortedAnswers,
        notes: list[Node],
    ) -> nodes.Element:
        """Keep the answers and ids; the rest is built when the page is written."""
        box = expand.pending(
            record,
            self.anchors,
            {qid: answer.content for qid, answer in answers.by_id.items()},
            [(a.question_id, a.content) for a in answers.duplicates],
            [(a.question_id, a.content) for a in answers.strays],
            notes,
            show_title=bool(self.option("title")) or not self.section_title,
            given={qid: answer.kept() for qid, answer in answers.by_id.items()},
            comments=[(s.record.line, s.content) for s in self.signoffs],
        )
        box["classes"] += self.options.get("class", [])
        self.ids.register_targets(box)
        self.register_label(record)
        return box

    def register_label(self, record: ReviewRecord) -> None:
        """Make ``:ref:`name``` point at the review, titled with its title.

        A name that is already a label elsewhere is an
        ``ethics.duplicate-review`` problem (suppressible), and the other
        label is left as it is.
        """
        std = self.env.get_domain("std")
        label = nodes.fully_normalize_name(record.name)
        here = (self.env.docname, record.anchor)
        existing = std.anonlabels.get(label)  # type: ignore[attr-defined]
        if existing is not None and tuple(existing[:2]) != here:
            # Keep the first label.  Another review of that name is the
            # project check's duplicate-review; anything else is said here.
            reviews = EthicsDomain.get(self.env).all_reviews()
            if not any(r.name == record.name and r is not record for r in reviews):
                msg = f"review name {record.name!r} is already a label in {existing[0]!r}; "
                self.problem("duplicate-review", msg + "give the review another :name:")
            return
        std.note_hyperlink_target(label, self.env.docname, record.anchor, record.title)  # type: ignore[attr-defined]


def answerable(known: Mapping[str, Question]) -> list[str]:
    """Slot ids (groups left out): what a suggestion for an answer should name."""
    return [qid for qid, question in known.items() if not question.is_group]
