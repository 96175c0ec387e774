"""A whole review, built from its record and its answers' nodes.

Everything a reader sees of a review is built here, once, when its page is
written (:class:`sphinx_ethics.extension.expand.ExpandReviews`): title,
referral box, metadata and review fields, progress, each question with its
answer (a screening answer's badge says the choice), strays, the sign-off
table and the attribution.  Nothing edits the block after it is built: what
depends on the builder or on where the review sits (anchors as targets for
LaTeX and Texinfo, sign-offs as a list inside a table) is decided before,
and given as a :class:`~sphinx_ethics.nodes.rendering.Layout`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from docutils import nodes

from sphinx_ethics.answers.slots import ANSWERED_STATES, ReviewRecord, SlotRecord
from sphinx_ethics.catalogue import Checklist, Question
from sphinx_ethics.catalogue import attribution as wording
from sphinx_ethics.nodes.answered import answered_by
from sphinx_ethics.nodes.i18n import _
from sphinx_ethics.nodes.rendering import (
    Layout,
    added_questions_note,
    anchored,
    answer_body,
    attributions,
    badge,
    checklist_box,
    metadata_fields,
    overdue_note,
    problems_box,
    progress_line,
    question_block,
    state_labels,
)
from sphinx_ethics.nodes.signoffs import Signoff, choice_labels, referral_box, signoff_panel


def review_block(
    record: ReviewRecord,
    checklists: Sequence[Checklist],
    anchors: Mapping[str, str],
    answers: Mapping[str, Sequence[nodes.Node]],
    duplicates: Sequence[tuple[str, Sequence[nodes.Node]]],
    strays: Sequence[tuple[str, Sequence[nodes.Node]]],
    notes: Sequence[nodes.Node],
    problems: Sequence[str] = (),
    show_title: bool = True,
    comments: Sequence[tuple[int, Sequence[nodes.Node]]] = (),
    roles: Sequence[str] = (),
    overdue: bool = False,
    layout: Layout | None = None,
) -> nodes.container:
    """Title, referrals, metadata, progress, every question with its answer,
    sign-offs, attribution.

    ``show_title`` is false when the title is the heading of the section the
    review is in, which the reader has just read.  ``comments`` are the
    sign-offs' parsed comments, by line, in the order written; ``roles``
    the sign-off roles of ``ethics_signoff_roles`` (each gets a row);
    ``overdue`` whether its review-by date has passed (today, as written).
    ``layout`` what the builder and the review's place change (by default,
    an HTML page's review outside any table).
    """
    layout = layout or Layout()
    status = record.status if record.status in ("draft", "in-review", "approved") else ""
    box = nodes.container(classes=["ethics-review", f"ethics-review-{status or 'no-status'}"])
    anchored(box, record.anchor, layout.targets)
    box += _head(record, show_title)
    box += progress_line(record.answered, record.required, len(problems))
    if overdue and record.review_by:
        box += overdue_note(record.review_by)
    box += _notes(problems, notes)
    if not record.slots:
        box += nodes.paragraph(text=_("This review has no questions."), classes=["ethics-empty"])
    questions = _Questions(record, anchors, answers, duplicates, layout.targets)
    for checklist in checklists:
        section = checklist_box(checklist, anchors[checklist.id], targets=layout.targets)
        section += [questions.question(q) for q in checklist.questions]
        section += added_questions_note(checklist)
        box += section
    if strays:
        box += _stray_answers(strays)
    signoffs = written_signoffs(record, comments)
    if signoffs or roles:
        box += signoff_panel(signoffs, roles, nested=layout.nested)
    box += attributions(s for c in checklists for s in wording.checklist_sources(c))
    return box


def _head(record: ReviewRecord, show_title: bool) -> list[nodes.Node]:
    """The title, the referral box, then owner, dates, status and review fields."""
    head: list[nodes.Node] = []
    if show_title:
        head.append(nodes.rubric(text=record.title, classes=["ethics-review-title"]))
    if record.referrals:
        head.append(referral_box(record.referrals))
    fields = metadata_fields(
        [
            (_("Owner"), record.owner),
            (_("Reviewers"), "; ".join(record.reviewers)),
            (_("Date"), record.date),
            (_("Review by"), record.review_by),
            (_("Status"), record.status),
            *((label, value) for _name, label, value in record.fields),
        ]
    )
    if fields is not None:
        head.append(fields)
    return head


def _notes(problems: Sequence[str], notes: Sequence[nodes.Node]) -> list[nodes.Node]:
    """What the build found wrong, then the review's own content besides answers."""
    found: list[nodes.Node] = [problems_box(problems)] if problems else []
    if notes:
        found.append(nodes.container("", *notes, classes=["ethics-review-notes"]))
    return found


def written_signoffs(
    record: ReviewRecord, comments: Sequence[tuple[int, Sequence[nodes.Node]]]
) -> list[Signoff]:
    """Every sign-off of the review, as judged (stale or not), in the order written.

    Those that count are ``record.signoffs``, the others ``record.uncounted``;
    each takes the comment written on its line.
    """
    by_line: dict[int, list[Sequence[nodes.Node]]] = {}
    for line, content in comments:
        by_line.setdefault(line, []).append(content)
    shown = [(s, True) for s in record.signoffs] + [(s, False) for s in record.uncounted]
    shown.sort(key=lambda pair: pair[0].line)
    found = []
    for signoff, counts in shown:
        content = by_line.get(signoff.line) or [()]
        found.append(Signoff(signoff, list(content.pop(0)), counts))
    return found


class _Questions:
    """One review's questions, each with its answer or its state."""

    def __init__(
        self,
        record: ReviewRecord,
        anchors: Mapping[str, str],
        answers: Mapping[str, Sequence[nodes.Node]],
        duplicates: Sequence[tuple[str, Sequence[nodes.Node]]],
        targets: bool,
    ) -> None:
        self.targets = targets
        self.slots = {slot.id: slot for slot in record.slots}
        self.anchors = anchors
        self.answers = answers
        self.duplicates = duplicates
        self.labels = state_labels()
        self.choices = choice_labels()

    def question(self, question: Question) -> nodes.container:
        """A question with its answer (or placeholder); groups nest their subs."""
        anchor = self.anchors[question.id]
        content = self.answers.get(question.id)
        if question.is_group:
            body = answer_body(content, "answered", self.labels["answered"]) if content else []
            body += [self.question(sub) for sub in question.subquestions]
            return question_block(question, anchor, body, targets=self.targets)
        slot = self.slots[question.id]
        shown = self.shown_state(slot)
        label, choice = self.labels[shown], []
        if slot.choice:  # a screening answer's badge says it: "Answer: unsure"
            label = _("Answer: %s") % self.choices[slot.choice]
            choice = [f"ethics-choice-{slot.choice}"]
        if slot.answer:
            body = [*answer_body(content or [], shown, label, choice), *answered_by(slot)]
        else:
            body = [badge(shown, label, choice)]
        for question_id, extra in self.duplicates:
            if question_id == question.id:
                body += answer_body(
                    extra, "duplicate", _("Another answer to this question (duplicate)")
                )
        required = "ethics-required" if slot.required else "ethics-optional"
        classes = [f"ethics-slot-{shown}", required]
        return question_block(question, anchor, body, classes, self.targets)

    @staticmethod
    def shown_state(slot: SlotRecord) -> str:
        return slot.state if (slot.required or slot.state in ANSWERED_STATES) else "optional"


def _stray_answers(strays: Sequence[tuple[str, Sequence[nodes.Node]]]) -> nodes.container:
    box = nodes.container(classes=["ethics-stray-answers"])
    box += nodes.rubric(text=_("Answers to questions not in this review"))
    for question_id, content in strays:
        box += answer_body(content, "stray", question_id)
    return box
