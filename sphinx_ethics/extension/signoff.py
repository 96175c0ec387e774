"""``ethics-signoff``, review fields, and governance in reviews and summaries.

Inside a review, ``ethics-signoff:: ROLE`` leaves its record and parsed
comment on the review's collector (as ``ethics-answer`` does); the review
calls :func:`take_fields` and :func:`complete_record` while it records
itself and :func:`add_to_review` when it renders, and that is all it knows
of governance.  The rules are in :mod:`sphinx_ethics.answers.governance`.

The nodes themselves are built in :mod:`sphinx_ethics.nodes.signoffs`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.locale import get_translation

from sphinx_ethics.answers import text as answer_text
from sphinx_ethics.answers.digest import is_digest, parse_slot_digests
from sphinx_ethics.answers.governance import (
    judge_signoffs,
    latest_by_role,
    role_key,
    signoff_faults,
)
from sphinx_ethics.answers.slots import ReviewRecord, SignoffRecord, visible
from sphinx_ethics.catalogue import unknown_id
from sphinx_ethics.extension.answer import STACK_KEY
from sphinx_ethics.extension.config import (
    placeholders,
    project_catalog,
    review_fields,
    signoff_roles,
)
from sphinx_ethics.extension.directives import BadOption, EthicsDirective, LenientOptions
from sphinx_ethics.nodes.rendering import badge
from sphinx_ethics.nodes.signoffs import (
    Signoff,
    choice_labels,
    decision_labels,
    referral_box,
    signoff_panel,
)

if TYPE_CHECKING:
    from docutils.nodes import Node
    from sphinx.config import Config

    from sphinx_ethics.catalogue import Question

_ = get_translation("sphinx_ethics")


class SignoffDirective(EthicsDirective):
    """Who decided what about a review, and when; only meaningful inside a review."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar = LenientOptions(
        {
            "by": directives.unchanged,
            "date": directives.unchanged,
            "decision": directives.unchanged,
            "digest": directives.unchanged,
            "slots": directives.unchanged,
        }
    )

    def run(self) -> list[Node]:
        stack = self.env.temp_data.get(STACK_KEY, [])
        review = stack[-1].review if stack else ""
        self.options_problems(review)
        role = " ".join(self.arguments[0].split()) if self.arguments else ""
        by, date = self.value("by"), self.value("date")
        decision = self.value("decision").lower()
        content = self.parse_content_to_nodes()
        blocks = answer_text.blocks(content)
        comment = answer_text.seen_text(blocks)
        words = answer_text.words(blocks)
        faults = signoff_faults(role, by, date, decision, words, placeholders(self.config))
        digest = self.value("digest")
        if digest and not is_digest(digest):
            msg = f"sign-off by {role or '?'!r}: :digest: {digest!r} is not 12 lowercase hex "
            msg += "characters (sphinx-ethics signoff writes it)"
            faults.append(msg)
        slots = parse_slot_digests(self.value("slots")) if self.value("slots") else ()
        if slots is None:
            msg = f"sign-off by {role or '?'!r}: :slots: is not a list of id=digest pairs "
            msg += "(sphinx-ethics signoff writes it)"
            faults.append(msg)
        for fault in faults:
            self.problem("signoff", fault, review=review)
        record = SignoffRecord(
            role, by, date, decision, comment, line=self.lineno, digest=digest, slots=slots or ()
        )
        signoff = Signoff(record, content, counts=not faults)
        if stack and not stack[-1].ignored:
            stack[-1].signoffs.append(signoff)
            return []
        if not stack:
            msg = f"ethics-signoff:: {role} is outside any ethics-review; it is shown but "
            msg += "not counted (indent it under the review's directive, or in MyST put it "
            msg += "inside the review's fence)"
            self.problem("markup", msg)
        return [signoff_panel([signoff], [])]

    def value(self, name: str) -> str:
        value = self.options.get(name, "")
        return visible(value) if isinstance(value, str) else ""


# --------------------------------------------------------------------------
# What the review calls
# --------------------------------------------------------------------------


def take_fields(options: dict[str, Any], config: Config) -> dict[str, str]:
    """Remove the ``ethics_review_fields`` options (not typos) and return their values."""
    values = {}
    for name in review_fields(config):
        value = options.pop(name, None)
        if isinstance(value, BadOption):
            value = value.value
        values[name] = visible(value) if isinstance(value, str) else ""
    return values


def complete_record(
    record: ReviewRecord,
    signoffs: Sequence[Signoff],
    field_values: Mapping[str, str],
    questions: Mapping[str, Question],
    config: Config,
) -> ReviewRecord:
    """The review's record with its sign-offs, fields and fired referrals."""
    counted = tuple(s.record for s in signoffs if s.counts)
    labels = review_fields(config)
    with_fields = dataclasses.replace(
        record,
        fields=tuple((name, label, field_values.get(name, "")) for name, label in labels.items()),
    )
    return judge_signoffs(with_fields, questions, counted)


#: Marks a sign-off's comment kept in a review until its page is written.
KEPT = "ethics_signoff"


def keep(pending: nodes.Element, signoffs: Sequence[Signoff]) -> None:
    """Keep each sign-off as written (with its comment) in the pending review."""
    for item in signoffs:
        record = dataclasses.asdict(item.record)
        pending += nodes.container(
            "",
            *item.content,
            classes=["ethics-signoff-comment"],
            **{KEPT: record},
            counts=item.counts,
        )


def take(pending: nodes.Element) -> list[Signoff]:
    """The sign-offs :func:`keep` left in a pending review, taken out of it."""
    found = []
    for child in list(pending.children):
        if isinstance(child, nodes.Element) and KEPT in child:
            record = SignoffRecord(**child[KEPT])
            found.append(Signoff(record, list(child.children), bool(child["counts"])))
            pending.remove(child)
    return found


def add_to_review(
    box: nodes.Element, record: ReviewRecord, signoffs: Sequence[Signoff], config: Config
) -> None:
    """Referral box at the top, fields in the details, sign-off panel at the end."""
    top = 0
    while top < len(box) and isinstance(box[top], (nodes.target, nodes.rubric)):
        top += 1
    if record.referrals:
        box.insert(top, referral_box(record.referrals))
    fields = [(label, value) for _name, label, value in record.fields if value]
    if fields:
        details = next(iter(box.findall(nodes.field_list)), None)
        if details is None:
            details = nodes.field_list(classes=["ethics-metadata"])
            box.insert(top + bool(record.referrals), details)
        for label, value in fields:
            body = nodes.field_body("", nodes.paragraph(text=value))
            details += nodes.field("", nodes.field_name(text=label), body)
    _show_choices(box, record)
    # The sign-offs as judged last (stale or not), in the order written.
    judged = {(s.role, s.line, s.date): s for s in record.signoffs}
    signoffs = [
        dataclasses.replace(
            s, record=judged.get((s.record.role, s.record.line, s.record.date), s.record)
        )
        for s in signoffs
    ]
    roles = signoff_roles(config)
    if signoffs or roles:
        attribution = len(box)
        while attribution and "ethics-attribution" in box[attribution - 1].get("classes", []):
            attribution -= 1
        box.insert(attribution, signoff_panel(signoffs, roles))


def _show_choices(box: nodes.Element, record: ReviewRecord) -> None:
    """A screening slot's badge says the answer: 'Answer: unsure'."""
    choices = {slot.anchor: slot.choice for slot in record.slots if slot.choice}
    if not choices:
        return
    labels = choice_labels()
    for block in list(box.findall(nodes.Element)):
        choice = next((choices[i] for i in block["ids"] if i in choices), "")
        if not choice:
            continue
        badge_node = next(
            (n for n in block.findall(nodes.inline) if "ethics-badge" in n["classes"]),
            None,
        )
        if choice and badge_node is not None:
            badge_node.clear()
            badge_node += nodes.Text(_("Answer: %s") % labels[choice])
            badge_node["classes"].append(f"ethics-choice-{choice}")


# --------------------------------------------------------------------------
# Summary columns
# --------------------------------------------------------------------------

Column = tuple[str, int, Callable[[ReviewRecord], nodes.Node]]


def summary_fields(directive: EthicsDirective, names: Sequence[str]) -> list[str]:
    """``ethics-summary :fields:``: the configured fields named (others are problems)."""
    known = review_fields(directive.config)
    for name in names:
        if name not in known:
            msg = "ethics-summary :fields: " + unknown_id("review field", name, known)
            directive.problem("option", msg + " (fields come from ethics_review_fields)")
    return [name for name in names if name in known]


def summary_columns(
    config: Config, reviews: Sequence[ReviewRecord], fields: Sequence[str]
) -> list[Column]:
    """Extra summary columns: fields asked for, "Signed off" and "Referral" when used."""
    labels = review_fields(config)
    columns: list[Column] = [
        (labels[name], 12, functools.partial(_field_cell, name)) for name in fields
    ]
    roles = signoff_roles(config)
    if roles or any(r.signoffs for r in reviews):
        columns.append((_("Signed off"), 16, functools.partial(_signed_off_cell, roles)))
    catalog = project_catalog(config)
    screening = {cid for cid, c in catalog.checklists.items() if c.kind == "screening"}
    if any(set(r.checklists) & screening for r in reviews):
        columns.append((_("Referral"), 16, _referral_cell))
    return columns


def _field_cell(name: str, review: ReviewRecord) -> nodes.paragraph:
    value = next((v for n, _label, v in review.fields if n == name), "")
    if value:
        return nodes.paragraph(text=value)
    return badge("missing-field", _("missing"))


def _signed_off_cell(roles: Sequence[str], review: ReviewRecord) -> nodes.paragraph:
    latest = latest_by_role(review.signoffs)
    labels = decision_labels()
    para = nodes.paragraph()
    parts = [
        (s.role, labels[s.decision], s.date)
        if not s.stale
        else (s.role, labels[""] + " (" + _("stale") + ")", "")
        for s in latest.values()
    ]
    parts += [(role, labels[""], "") for role in roles if role_key(role) not in latest]
    for index, (role, decision, date) in enumerate(parts):
        if index:
            para += nodes.Text("; ")
        para += nodes.Text(f"{role}: {decision}")
        if date:
            para += nodes.Text(" ")
            para += nodes.inline(text=date, classes=["ethics-date"])
    if not parts:
        para += nodes.Text(_("none"))
    return para


def _referral_cell(review: ReviewRecord) -> nodes.paragraph:
    para = nodes.paragraph()
    for index, referral in enumerate(review.referrals):
        if index:
            para += nodes.Text("; ")
        state = _("open") if referral.open else _("outcome recorded")
        para += nodes.Text(f"{referral.to} ({referral.question}: {state})")
    if not review.referrals:
        para += nodes.Text(_("none"))
    return para
