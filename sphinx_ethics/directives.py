"""The directives and the role: ``ethics-review`` and friends.

``ethics-review`` parses its content with its own answer collector on a
stack in ``env.temp_data``; each ``ethics-answer`` inside puts its parsed
content there instead of into the page.  The review then lays out every
question of its checklists in source order, each followed by its answer or
a "Not yet answered" placeholder, records the result in the ``ethics``
domain, and checks what only the document can tell (unknown ids, duplicate
answers).  Project-wide checks run later, in :mod:`sphinx_ethics.validation`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.domains.std import make_glossary_term
from sphinx.locale import get_translation
from sphinx.roles import XRefRole
from sphinx.util.docutils import SphinxDirective

from sphinx_ethics import answers_file, rendering
from sphinx_ethics.catalog import Catalog, Checklist, Question, did_you_mean
from sphinx_ethics.config import checklist_files, project_catalog
from sphinx_ethics.domain import EthicsDomain, QuestionTarget, ReviewRecord, SlotRecord
from sphinx_ethics.slots import (
    ANSWER_STATUSES,
    ANSWERED_STATES,
    REVIEW_STATUSES,
    classify_answer,
    parse_date,
)
from sphinx_ethics.validation import warn

if TYPE_CHECKING:
    from docutils.nodes import Node

_ = get_translation("sphinx_ethics")
__ = get_translation("sphinx_ethics", "console")

STACK_KEY = "sphinx_ethics_review_stack"


def split_ids(text: str) -> list[str]:
    """Ids given as ``plan healthcare-good`` or ``plan-8, healthcare-good-6``."""
    return [part for part in re.split(r"[\s,]+", text.strip()) if part]


def unique_id(document: nodes.document, base: str) -> str:
    """``base`` as an HTML id, suffixed if the page already uses it."""
    anchor = nodes.make_id(base) or "ethics"
    candidate, count = anchor, 1
    while candidate in document.ids:
        count += 1
        candidate = f"{anchor}-{count}"
    return candidate


@dataclass
class Answer:
    question_id: str
    status: str
    line: int
    content: list[Node]
    file_location: str = ""  # "path:line" for answers read from an :answers: file

    @functools.cached_property
    def text(self) -> str:
        """What a reader sees: parser messages (e.g. about a lone '?') left out."""
        return "".join(_visible_text(node) for node in self.content)


def _visible_text(node: Node) -> str:
    if isinstance(node, (nodes.system_message, nodes.comment)):
        return ""
    if isinstance(node, nodes.Text):
        return node.astext()
    return "".join(_visible_text(child) for child in node.children)


@dataclass
class AnswerCollector:
    """Where ``ethics-answer`` directives inside a review leave their content."""

    line: int
    ignored: bool = False  # a nested review: answers are shown, not counted
    answers: list[Answer] = field(default_factory=list)


class EthicsDirective(SphinxDirective):
    """Shared access to the catalogue and to the current document."""

    @functools.cached_property
    def catalog(self) -> Catalog:
        for path in checklist_files(self.config):
            self.env.note_dependency(str(path))
        return project_catalog(self.config)

    @property
    def location(self) -> tuple[str, int]:
        return (self.env.docname, self.lineno)

    @property
    def domain(self) -> EthicsDomain:
        return self.env.domains["ethics"]  # type: ignore[return-value]

    def new_anchor(self, base: str, node: nodes.Element) -> str:
        anchor = unique_id(self.state.document, base)
        self.state.document.ids[anchor] = node
        return anchor

    def known_checklists(self, names: list[str], catalog: Catalog) -> list[Checklist]:
        found = []
        for name in names:
            if name in catalog.checklists:
                found.append(catalog.checklists[name])
            else:
                hint = did_you_mean(name, catalog.checklists)
                known = ", ".join(catalog.checklists)
                msg = __("unknown checklist %r%s; known checklists: %s") % (name, hint, known)
                warn("unknown-checklist", msg, self.location)
        if not names:
            msg = __("%s names no checklist; give one or more of: %s")
            warn(
                "unknown-checklist", msg % (self.name, ", ".join(catalog.checklists)), self.location
            )
        return found


# --------------------------------------------------------------------------
# ethics-answer
# --------------------------------------------------------------------------


class AnswerDirective(EthicsDirective):
    """The team's answer to one question; only meaningful inside a review."""

    required_arguments = 1
    has_content = True
    option_spec: ClassVar = {"status": directives.unchanged}

    def run(self) -> list[Node]:
        question_id = self.arguments[0].strip()
        status = self.options.get("status", "answered").strip().lower() or "answered"
        if status not in ANSWER_STATUSES:
            msg = __("%s: unknown answer status %r; use one of: %s")
            warn("status", msg % (question_id, status, ", ".join(ANSWER_STATUSES)), self.location)
            status = "answered"
        answer = Answer(question_id, status, self.lineno, self.parse_content_to_nodes())
        stack: list[AnswerCollector] = self.env.temp_data.get(STACK_KEY, [])
        if stack and not stack[-1].ignored:
            stack[-1].answers.append(answer)
            return []
        if not stack:
            msg = __(
                "%s: ethics-answer outside any ethics-review; its text is shown but not counted"
            )
            warn("orphan-answer", msg % question_id, self.location)
        return [self.loose_answer(answer)]

    def loose_answer(self, answer: Answer) -> nodes.container:
        """An answer that belongs to no review: shown, so no words are lost."""
        box = nodes.container(classes=["ethics-answer", "ethics-loose-answer"])
        box += rendering.badge(
            "loose", _("Answer to %s (not part of a review)") % answer.question_id
        )
        box += answer.content
        return box


# --------------------------------------------------------------------------
# ethics-review
# --------------------------------------------------------------------------


@dataclass
class ReviewLayout:
    """Lays out one review's questions and records each slot's state."""

    directive: ReviewDirective
    review: str
    by_id: dict[str, Answer]
    duplicates: list[Answer]
    optional: set[str]
    placeholders: list[str]
    labels: dict[str, str] = field(default_factory=rendering.state_labels)
    slots: list[SlotRecord] = field(default_factory=list)
    anchors: dict[str, str] = field(default_factory=dict)  # every question, groups too

    def question(self, question: Question) -> nodes.container:
        """One question with its answer (or placeholder); groups nest their subs."""
        answer = self.by_id.get(question.id)
        anchor = self.directive.new_anchor(f"{self.review}-{question.id}", nodes.target())
        self.anchors[question.id] = anchor
        if question.is_group:
            body = answer_body(answer, "answered", self.labels["answered"]) if answer else []
            body += [self.question(sub) for sub in question.subquestions]
            return rendering.question_block(question, anchor, body)

        required = question.id not in self.optional
        state, reason = ("unanswered", "")
        if answer is not None:
            state, reason = classify_answer(answer.text, answer.status, self.placeholders)
        shown = state if (required or state in ANSWERED_STATES) else "optional"
        if answer is not None and answer.text.strip():
            body = answer_body(answer, shown, self.labels[shown])
        else:
            body = [rendering.badge(shown, self.labels[shown])]
        for extra in self.duplicates:
            if extra.question_id == question.id:
                label = _("Another answer to this question (duplicate)")
                body += answer_body(extra, "duplicate", label)
        self.slots.append(
            SlotRecord(
                id=question.id,
                number=question.number,
                text=question.text,
                required=required,
                state=state,
                anchor=anchor,
                line=answer.line if answer else 0,
                reason=reason,
            )
        )
        classes = [f"ethics-slot-{shown}", "ethics-required" if required else "ethics-optional"]
        return rendering.question_block(question, anchor, body, classes)


def answer_body(answer: Answer, state: str, label: str) -> list[Node]:
    """The state line, then the team's own words."""
    box = nodes.container("", *answer.content, classes=["ethics-answer"])
    return [rendering.badge(state, label), box]


class ReviewDirective(EthicsDirective):
    """Questions of one or more checklists, with the team's answers."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar = {
        "name": directives.unchanged_required,
        "title": directives.unchanged,
        "owner": directives.unchanged,
        "reviewers": directives.unchanged,
        "date": directives.unchanged,
        "review-by": directives.unchanged,
        "status": directives.unchanged,
        "optional": directives.unchanged,
        "answers": directives.path,
        "class": directives.class_option,
    }

    def run(self) -> list[Node]:
        stack: list[AnswerCollector] = self.env.temp_data.setdefault(STACK_KEY, [])
        if stack:
            msg = __("ethics-review inside another ethics-review (line %d) is not supported")
            warn("nested-review", msg % stack[-1].line, self.location)
            return self.parse_ignored(stack)
        catalog = self.catalog
        checklists = self.known_checklists(
            split_ids(self.arguments[0] if self.arguments else ""), catalog
        )
        collector = AnswerCollector(self.lineno)
        stack.append(collector)
        try:
            notes = self.parse_content_to_nodes()
        finally:
            stack.pop()
        answers = collector.answers + self.file_answers()
        return [self.build(catalog, checklists, answers, notes)]

    def file_answers(self) -> list[Answer]:
        """Answers from the ``:answers:`` YAML file, parsed in the page's markup."""
        name = self.options.get("answers")
        if not name:
            return []
        document_dir = Path(self.env.doc2path(self.env.docname)).parent
        path = answers_file.resolve(self.env.srcdir, document_dir, name)
        if path is None:
            msg = __(":answers: file %r is outside the source directory") % name
            warn("answers-file", msg, self.location)
            return []
        self.env.note_dependency(str(path))
        if not path.is_file():
            warn("answers-file", __(":answers: file %r not found") % name, self.location)
            return []
        items, problems = answers_file.read_answers(path, str(path))
        for problem in problems:
            warn(problem.subtype, problem.message, problem.location)
        return [
            Answer(
                item.question_id,
                item.status,
                self.lineno,
                self.parse_text_to_nodes(item.text),
                item.location,
            )
            for item in items
        ]

    def parse_ignored(self, stack: list[AnswerCollector]) -> list[Node]:
        stack.append(AnswerCollector(self.lineno, ignored=True))
        try:
            content = self.parse_content_to_nodes()
        finally:
            stack.pop()
        return [nodes.container("", *content, classes=["ethics-nested-review"])]

    # -- options ----------------------------------------------------------

    def option(self, name: str) -> str:
        return " ".join(self.options.get(name, "").split())

    def review_status(self) -> str:
        status = self.option("status").lower()
        if status and status not in REVIEW_STATUSES:
            msg = __("unknown review status %r; use one of: %s")
            warn("status", msg % (status, ", ".join(REVIEW_STATUSES)), self.location)
        return status

    def review_date(self, name: str) -> str:
        value = self.option(name)
        if value and parse_date(value) is None:
            msg = __(":%s: %r is not a date in the form YYYY-MM-DD")
            warn("date", msg % (name, value), self.location)
        return value

    def review_name(self, checklists: list[Checklist]) -> tuple[str, str]:
        """The review's name (for :ref: and reports) and its anchor on the page."""
        name = self.option("name")
        if not name:
            base = "-".join([self.env.docname.replace("/", "-")] + [c.id for c in checklists])
            name = unique_id(self.state.document, base)
        return name, unique_id(self.state.document, name)

    def register_label(self, name: str, anchor: str, title: str) -> None:
        """Make ``:ref:`name``` point at the review, titled with its title.

        Registered straight in the standard domain (as autosectionlabel
        does) rather than as a docutils name: a name used twice is our own
        ``ethics.duplicate-review`` warning, which ``suppress_warnings`` can
        silence, instead of an untyped "duplicate label" one.
        """
        std = self.env.domains["std"]
        label = nodes.fully_normalize_name(name)
        std.anonlabels.setdefault(label, (self.env.docname, anchor))  # type: ignore[attr-defined]
        std.labels.setdefault(label, (self.env.docname, anchor, title))  # type: ignore[attr-defined]

    def optional_ids(self, known: dict[str, Question]) -> set[str]:
        ids = set()
        for question_id in split_ids(self.options.get("optional", "")):
            if question_id in known:
                ids.add(question_id)
            else:
                hint = did_you_mean(question_id, known)
                msg = __(":optional: names %r, which is not a question of this review%s")
                warn("unknown-question", msg % (question_id, hint), self.location)
        return ids

    # -- answers ----------------------------------------------------------

    def sort_answers(
        self, answers: list[Answer], known: dict[str, Question], catalog: Catalog
    ) -> tuple[dict[str, Answer], list[Answer], list[Answer]]:
        """Answers by question, duplicates, and answers to unknown questions."""
        by_id: dict[str, Answer] = {}
        duplicates: list[Answer] = []
        strays: list[Answer] = []
        for answer in answers:
            location = answer.file_location or (self.env.docname, answer.line)
            if answer.question_id not in known:
                strays.append(answer)
                other = catalog.checklist_of(answer.question_id)
                if other is not None:
                    msg = __("%s is a question of checklist %r, which this review does not include")
                    warn("unknown-question", msg % (answer.question_id, other.id), location)
                else:
                    hint = did_you_mean(answer.question_id, known)
                    msg = __("answer to unknown question %r%s")
                    warn("unknown-question", msg % (answer.question_id, hint), location)
            elif answer.question_id in by_id:
                duplicates.append(answer)
                first = by_id[answer.question_id]
                msg = __("%s is answered twice in this review (first answer at line %d)")
                warn("duplicate-answer", msg % (answer.question_id, first.line), location)
            else:
                by_id[answer.question_id] = answer
        return by_id, duplicates, strays

    # -- building ---------------------------------------------------------

    def build(
        self,
        catalog: Catalog,
        checklists: list[Checklist],
        answers: list[Answer],
        notes: list[Node],
    ) -> nodes.container:
        known = {q.id: q for c in checklists for q in c.iter_questions()}
        by_id, duplicates, strays = self.sort_answers(answers, known, catalog)
        optional = self.optional_ids(known)
        name, anchor = self.review_name(checklists)
        status = self.review_status()
        layout = ReviewLayout(
            self, name, by_id, duplicates, optional, self.config.ethics_placeholder_patterns
        )
        sections: list[Node] = []
        for checklist in checklists:
            section = nodes.container(classes=["ethics-checklist"])
            section += rendering.checklist_heading(
                checklist, self.new_anchor(f"{name}-{checklist.id}", section)
            )
            section += [layout.question(q) for q in checklist.questions]
            section += rendering.added_questions_note(checklist)
            sections.append(section)
        slots = layout.slots

        record = ReviewRecord(
            name=name,
            docname=self.env.docname,
            line=self.lineno,
            anchor=anchor,
            title=self.option("title") or str(_("Ethics review")),
            checklists=tuple(c.id for c in checklists),
            owner=self.option("owner"),
            reviewers=tuple(
                r.strip() for r in self.options.get("reviewers", "").split(";") if r.strip()
            ),
            date=self.review_date("date"),
            review_by=self.review_date("review-by"),
            status=status,
            slots=tuple(slots),
        )
        self.domain.add_review(record)
        for question_id, question_anchor in layout.anchors.items():
            target = QuestionTarget(question_id, self.env.docname, question_anchor, False)
            self.domain.add_target(target)

        box = nodes.container(
            classes=[
                "ethics-review",
                f"ethics-review-{status or 'no-status'}",
                *self.options.get("class", []),
            ]
        )
        # A target (not the rubric) carries the anchor, so every builder
        # writes it (LaTeX writes no label for a rubric).
        target = nodes.target("", "", ids=[anchor])
        self.state.document.ids[anchor] = target  # taken: a second review gets another
        box += target
        box += nodes.rubric(text=record.title, classes=["ethics-review-title"])
        self.register_label(name, anchor, record.title)
        fields = rendering.metadata_fields(
            [
                (_("Owner"), record.owner),
                (_("Reviewers"), "; ".join(record.reviewers)),
                (_("Date"), record.date),
                (_("Review by"), record.review_by),
                (_("Status"), status),
                (_("Checklists"), ", ".join(record.checklists)),
            ]
        )
        if fields is not None:
            box += fields
        box += rendering.progress_line(record.answered, record.required)
        if notes:
            box += nodes.container("", *notes, classes=["ethics-review-notes"])
        if not checklists or not slots:
            box += nodes.paragraph(
                text=_("This review has no questions."), classes=["ethics-empty"]
            )
        box += sections
        if strays:
            box += self.stray_answers(strays)
        box += rendering.attributions(c.attribution for c in checklists)
        return box

    def stray_answers(self, strays: list[Answer]) -> nodes.container:
        box = nodes.container(classes=["ethics-stray-answers"])
        box += nodes.rubric(text=_("Answers to questions not in this review"))
        for answer in strays:
            box += answer_body(answer, "stray", answer.question_id)
        return box


# --------------------------------------------------------------------------
# ethics-checklist, ethics-tips, ethics-definitions
# --------------------------------------------------------------------------


class ChecklistDirective(EthicsDirective):
    """A blank checklist for a handbook; ``:worksheet:`` adds ruled note space."""

    required_arguments = 0
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar = {"worksheet": directives.flag, "class": directives.class_option}

    def run(self) -> list[Node]:
        catalog = self.catalog
        result: list[Node] = []
        for checklist in self.known_checklists(
            split_ids(self.arguments[0] if self.arguments else ""), catalog
        ):
            box = rendering.blank_checklist(checklist, self.anchor_for, "worksheet" in self.options)
            box["classes"] += self.options.get("class", [])
            result.append(box)
        return result

    def anchor_for(self, item_id: str) -> str:
        holder = nodes.target()
        anchor = self.new_anchor(f"ethics-{item_id}", holder)
        if item_id in self.catalog.questions:
            self.domain.add_target(QuestionTarget(item_id, self.env.docname, anchor, True))
        return anchor


class TipsDirective(EthicsDirective):
    """The top tips: all of them, or the ids given."""

    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar = {"class": directives.class_option}

    def run(self) -> list[Node]:
        catalog = self.catalog
        wanted = split_ids(self.arguments[0]) if self.arguments else list(catalog.tips)
        tips = []
        for tip_id in wanted:
            if tip_id in catalog.tips:
                tips.append(catalog.tips[tip_id])
            else:
                hint = did_you_mean(tip_id, catalog.tips)
                warn("unknown-tip", __("unknown tip %r%s") % (tip_id, hint), self.location)
        if not tips:
            return []
        box = rendering.tips_block(tips)
        for target in box.findall(nodes.target):
            target["ids"] = [self.new_anchor(target["ids"][0], target)]
        box["classes"] += self.options.get("class", [])
        return [box]


class DefinitionsDirective(EthicsDirective):
    """The definitions, as a glossary whose terms ``:term:`` can reference.

    ``:no-index:`` shows them without registering the terms again, for a
    second copy in the same project (Sphinx warns on duplicate terms).
    """

    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar = {"no-index": directives.flag, "class": directives.class_option}

    def run(self) -> list[Node]:
        catalog = self.catalog
        wanted = split_ids(self.arguments[0]) if self.arguments else list(catalog.definitions)
        items = []
        for definition_id in wanted:
            if definition_id in catalog.definitions:
                items.append(catalog.definitions[definition_id])
            else:
                hint = did_you_mean(definition_id, catalog.definitions)
                msg = __("unknown definition %r%s") % (definition_id, hint)
                warn("unknown-definition", msg, self.location)
        if not items:
            return []
        glossary = addnodes.glossary()
        glossary["sorted"] = False
        dlist = nodes.definition_list(classes=["glossary", "ethics-definitions"])
        source, line = self.get_source_info()
        for definition in items:
            if "no-index" in self.options:
                term = nodes.term("", definition.term)
            else:
                term = make_glossary_term(
                    self.env,
                    [nodes.Text(definition.term)],
                    None,
                    source,
                    line,
                    None,
                    self.state.document,
                )
            dlist += nodes.definition_list_item("", term, rendering.definition_body(definition))
        glossary += dlist
        box = nodes.container(
            "", glossary, classes=["ethics-glossary", *self.options.get("class", [])]
        )
        box += rendering.attributions(d.attribution for d in items)
        return [box]


class QuestionRole(XRefRole):
    """``:ethics-question:`plan-2a``` links to where that question is shown."""

    def __init__(self) -> None:
        super().__init__(innernodeclass=nodes.inline)

    def run(self) -> tuple[list[Node], list[nodes.system_message]]:
        self.refdomain, self.reftype = "ethics", "question"
        self.classes = ["xref", "ethics", "ethics-question-ref"]
        result = self.create_xref_node()
        # Recorded, so the project check (every build) can tell a link that
        # points nowhere, without waiting for the page to be written.
        domain: EthicsDomain = self.env.domains["ethics"]  # type: ignore[assignment]
        domain.add_link(self.env.docname, self.target, self.lineno)
        return result


def unresolved_question(
    app: object, env: object, node: addnodes.pending_xref, contnode: nodes.Element
) -> nodes.Element | None:
    """Show a link that points nowhere as its text; the project check warns."""
    return contnode if node.get("refdomain") == "ethics" else None
