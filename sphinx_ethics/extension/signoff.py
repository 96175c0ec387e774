"""Governance records: ``ethics-signoff``, review fields, the summary's columns.

One concern: turning what a page and ``conf.py`` say about governance into
records.  Inside a review, ``ethics-signoff:: ROLE`` leaves its record and
parsed comment on the review's collector (as ``ethics-answer`` does); the
review calls :func:`take_fields` and :func:`complete_record` while it
records itself, and that is all it knows of governance.  The rules are in
:mod:`sphinx_ethics.answers.governance`; every node (sign-off table,
referral box, fields, a screening answer's badge, summary cells) is built
from the record in :mod:`sphinx_ethics.nodes.review` and
:mod:`sphinx_ethics.nodes.signoffs`, when the page is written.
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
from sphinx_ethics.nodes.signoffs import (
    Signoff,
    field_cell,
    referral_cell,
    signed_off_cell,
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
    """The review's record with its sign-offs (counted and not), fields and referrals."""
    counted = tuple(s.record for s in signoffs if s.counts)
    labels = review_fields(config)
    with_fields = dataclasses.replace(
        record,
        fields=tuple((name, label, field_values.get(name, "")) for name, label in labels.items()),
    )
    uncounted = tuple(s.record for s in signoffs if not s.counts)
    judged = judge_signoffs(with_fields, questions, counted)
    return dataclasses.replace(judged, uncounted=uncounted)


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
        (labels[name], 12, functools.partial(field_cell, name)) for name in fields
    ]
    roles = signoff_roles(config)
    if roles or any(r.signoffs for r in reviews):
        columns.append((_("Signed off"), 16, functools.partial(signed_off_cell, roles)))
    catalog = project_catalog(config)
    screening = {cid for cid, c in catalog.checklists.items() if c.kind == "screening"}
    if any(set(r.checklists) & screening for r in reviews):
        columns.append((_("Referral"), 16, referral_cell))
    return columns
