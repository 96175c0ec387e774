"""The answer model: review and slot records, slot states, dates.

Plain Python, no Sphinx: the directives build these records, the domain
stores them, and the checks, summary and reports read them.  The
classification of an answer is a pure function, testable on its own.
"""

from __future__ import annotations

import datetime as dt
import re
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


@dataclass(frozen=True)
class ReferralRecord:
    """A screening rule that fired: refer the project to ``to``; open until recorded."""

    to: str
    because: str
    question: str
    answer: str
    outcome: str = ""

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
    referrals: tuple[ReferralRecord, ...] = ()
    #: ``ethics_review_fields``: (name, label, value), value "" when missing.
    fields: tuple[tuple[str, str, str], ...] = ()

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


def placeholder_key(text: str) -> str:
    """How placeholders are compared: case, spacing and trailing ``.!:…`` ignored."""
    return " ".join(text.split()).casefold().rstrip(".!:…").strip()


def classify_answer(text: str, status: str, placeholders: Iterable[str]) -> tuple[str, str]:
    """The slot state an answer gives, and why it is not answered (if it is not)."""
    stripped = " ".join(text.split())
    if status == "not-applicable":
        if stripped:
            return "not-applicable", ""
        return "unanswered", "marked not-applicable but gives no reason"
    if not stripped:
        return "unanswered", "the answer is empty"
    if status == "draft":
        return "draft", "the answer is still a draft"
    if not any(char.isalnum() for char in stripped):  # "...", "?", "-", "—"
        return "placeholder", f"the answer {stripped!r} has no words"
    key = placeholder_key(stripped)
    if key in {placeholder_key(p) for p in placeholders}:
        reason = f"the answer is only the placeholder {stripped!r}"
        if key in NOT_APPLICABLE_WORDS:
            reason += (
                "; if the question does not apply, say why and mark the answer "
                "':status: not-applicable'"
            )
        return "placeholder", reason
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


#: The start of the reason a screening slot is not answered; the project check
#: reports such slots as ``ethics.screening``, not ``ethics.unanswered``.
SCREENING_REASON = "a screening question is answered yes, no or unsure"


def screening_choice(answer: GivenAnswer) -> tuple[str, str]:
    """A screening answer's choice, and why it cannot be used ("" when it can).

    The choice is ``:answer:`` when given; else an answer whose whole text is
    one word is that word (``screening-1: yes`` in an answers file).
    """
    given = " ".join(answer.choice.split())
    if not given and len(answer.text.split()) == 1:
        given = answer.text.strip().rstrip(".!")
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
            state, reason = classify_answer(answer.text, answer.status, patterns)
            if question.screening and answer.status != "not-applicable" and state != "draft":
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
            )
        )
    return records


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
