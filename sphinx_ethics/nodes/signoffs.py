"""The nodes that show governance: the sign-off table and the referral box.

Built from standard nodes with ``ethics-*`` classes: the sign-off panel is a
table inside a container (``ethics-signoffs``), the referral box a container
of paragraphs (``ethics-referrals``), so every builder writes them, HTML
styles them with ``sphinx-ethics.css`` and LaTeX with ``sphinxethics.sty``.
Decisions and referral states are told by words, never by colour alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.locale import get_translation
from sphinx.transforms.post_transforms import SphinxPostTransform

from sphinx_ethics.answers.governance import latest_by_role, role_key
from sphinx_ethics.answers.slots import ReferralRecord, ReviewRecord, SignoffRecord
from sphinx_ethics.nodes.rendering import badge
from sphinx_ethics.nodes.tables import ancestors, scroll_region, scrollable

if TYPE_CHECKING:
    from docutils.nodes import Node

_ = get_translation("sphinx_ethics")


def decision_labels() -> dict[str, str]:
    """The words shown for each decision (translatable, so built when used)."""
    return {
        "approved": _("Approved"),
        "approved-with-conditions": _("Approved with conditions"),
        "changes-requested": _("Changes requested"),
        "": _("Not yet signed off"),
    }


@dataclasses.dataclass
class Signoff:
    """One sign-off as written: its record, its parsed comment, and whether it counts."""

    record: SignoffRecord
    content: list[Node]
    counts: bool = True


def choice_labels() -> dict[str, str]:
    return {"yes": _("yes"), "no": _("no"), "unsure": _("unsure")}


# --------------------------------------------------------------------------
# Nodes
# --------------------------------------------------------------------------

COLUMN_WIDTHS = (18, 18, 13, 17, 34)


def signoff_panel(
    signoffs: Sequence[Signoff], roles: Sequence[str], by_hand: bool = False, nested: bool = False
) -> nodes.container:
    """A table: one row per sign-off, and an empty row per required role not signed.

    ``by_hand`` (a printed worksheet) leaves the decision blank instead of
    saying "Not yet signed off".  ``nested`` (the panel sits in a table,
    which the text, man and LaTeX writers cannot nest) lists the same rows
    instead (:func:`signoff_item`).
    """
    box = nodes.container(classes=["ethics-signoffs"])
    box += nodes.rubric(text=_("Sign-off"), classes=["ethics-signoffs-title"])
    labels = decision_labels()
    signed = {role_key(s.record.role) for s in signoffs if s.counts}
    unsigned = [role for role in roles if role_key(role) not in signed]
    unsigned_decision = "" if by_hand else labels[""]
    if nested:
        listing = nodes.bullet_list(classes=["ethics-signoff-list"])
        listing += [_signed_item(signoff, labels) for signoff in signoffs]
        listing += [signoff_item([role, "", "", unsigned_decision], []) for role in unsigned]
        box += listing
        return box
    headings = [_("Role"), _("Name"), _("Date"), _("Decision"), _("Comment or conditions")]
    table = nodes.table(classes=["ethics-signoff-table", "colwidths-given"])
    group = nodes.tgroup(cols=len(headings))
    table += group
    group += [nodes.colspec(colwidth=w) for w in COLUMN_WIDTHS]
    head = nodes.thead()
    head += _row([nodes.paragraph(text=h) for h in headings])
    group += head
    body = nodes.tbody()
    for signoff in signoffs:
        body += _row(_signed_cells(signoff, labels))
    for role in unsigned:
        cells = [role, "", "", unsigned_decision, ""]
        state = "by-hand" if by_hand else "unsigned"
        body += _row([_cell(text, state) for text in cells])
    group += body
    box += scrollable(table, _("Sign-off"))
    return box


def _decision(signoff: Signoff, labels: Mapping[str, str]) -> tuple[str, str]:
    """A sign-off's state (its style) and the words saying its decision."""
    record = signoff.record
    state = record.decision if record.decision in labels and signoff.counts else "invalid"
    decision = labels.get(record.decision, record.decision) if signoff.counts else ""
    if not signoff.counts:
        decision = _("Not counted: %s") % (record.decision or _("no decision"))
    elif record.stale:
        state = "invalid"  # styled as a sign-off that does not count
        decision = _("Stale: %(decision)s, but %(why)s") % {
            "decision": decision,
            "why": record.stale,
        }
    return state, decision


def _comment(signoff: Signoff) -> nodes.container:
    """The sign-off's comment, and a note if it is tied to no version of the answers."""
    comment = nodes.container("", *signoff.content, classes=["ethics-signoff-comment"])
    if signoff.counts and not signoff.record.digest:
        note = _("Not tied to a version of the answers (no :digest:).")
        comment += nodes.paragraph("", "", nodes.emphasis(text=note), classes=["ethics-untied"])
    return comment


def _signed_cells(signoff: Signoff, labels: Mapping[str, str]) -> list[nodes.Node]:
    record = signoff.record
    state, decision = _decision(signoff, labels)
    date = nodes.paragraph("", "", nodes.inline(text=record.date, classes=["ethics-date"]))
    return [
        _cell(record.role, state),
        _cell(record.by, state),
        date,
        badge(state, decision),
        _comment(signoff),
    ]


def _signed_item(signoff: Signoff, labels: Mapping[str, str]) -> nodes.list_item:
    record = signoff.record
    comment = _comment(signoff)
    texts = [record.role, record.by, record.date, _decision(signoff, labels)[1]]
    return signoff_item(texts, [comment] if comment.astext().strip() else [])


def _cell(text: str, state: str) -> nodes.paragraph:
    # The classed inline carries the style to LaTeX (which ignores paragraph classes).
    inline = nodes.inline(text=text, classes=[f"ethics-signoff-{state}"])
    return nodes.paragraph("", "", inline)


def _row(cells: Sequence[nodes.Node]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        row += nodes.entry("", cell)
    return row


def signoff_item(texts: Sequence[str], comment: Sequence[Node]) -> nodes.list_item:
    """One sign-off as a list item: "**Role**: name, date, decision", then the comment."""
    role, *details = (" ".join(text.split()) for text in texts)
    para = nodes.paragraph()
    para += nodes.strong(text=role)
    shown = ", ".join(text for text in details if text)
    if shown:
        para += nodes.Text(f": {shown}")
    return nodes.list_item("", para, *comment)


def referral_box(items: Sequence[ReferralRecord]) -> nodes.container:
    """'Refer to: Research ethics committee, because screening-3 is yes', and the outcome."""
    box = nodes.container(classes=["ethics-referrals"])
    for referral in items:
        state = "open" if referral.open else "recorded"
        item = nodes.container(classes=["ethics-referral", f"ethics-referral-{state}"])
        para = nodes.paragraph()
        # One whole sentence to translate; the words before the body referred
        # to are shown in bold ("Refer to:").
        sentence = _("Refer to: %(to)s, because %(question)s is %(answer)s.")
        label, _to, rest = sentence.partition("%(to)s")
        values = {"to": referral.to, "question": referral.question, "answer": referral.answer}
        if label.strip():
            para += nodes.strong(text=label.strip())
            para += nodes.Text(" ")
        para += nodes.Text((_to + rest) % values)
        if referral.because:
            para += nodes.Text(" " + referral.because)
        item += para
        if referral.open:
            item += badge("referral-open", _("Outcome not yet recorded"))
        else:
            item += badge("referral-recorded", _("Outcome: %s") % referral.outcome)
        box += item
    return box


# --------------------------------------------------------------------------
# Summary cells
# --------------------------------------------------------------------------


def field_cell(name: str, review: ReviewRecord) -> nodes.paragraph:
    """A summary cell: the review's value of field ``name``, or "missing"."""
    value = next((v for n, _label, v in review.fields if n == name), "")
    if value:
        return nodes.paragraph(text=value)
    return badge("missing-field", _("missing"))


def signed_off_cell(roles: Sequence[str], review: ReviewRecord) -> nodes.paragraph:
    """A summary cell: each role's latest decision and date ("Role: Approved 2026-01-02")."""
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


def referral_cell(review: ReviewRecord) -> nodes.paragraph:
    """A summary cell: each referral and whether its outcome is recorded."""
    para = nodes.paragraph()
    for index, referral in enumerate(review.referrals):
        if index:
            para += nodes.Text("; ")
        state = _("open") if referral.open else _("outcome recorded")
        para += nodes.Text(f"{referral.to} ({referral.question}: {state})")
    if not review.referrals:
        para += nodes.Text(_("none"))
    return para


def blank_signoffs(roles: Sequence[str]) -> list[nodes.Node]:
    """For a printed worksheet: the configured roles, to sign by hand."""
    return [signoff_panel([], roles, by_hand=True)] if roles else []


class NestedSignoffTables(SphinxPostTransform):
    """A worksheet's sign-off table inside another table becomes a list.

    A worksheet (``ethics-checklist`` with ``:worksheet:``) is made while
    the page is read, before docutils has built the table it may sit in (a
    ``list-table`` parses its cells first), so this is decided as the page is
    written; the text, man and LaTeX writers cannot write a table inside a
    table (text raises "Nested tables are not supported").  A review is
    built with its list already (:class:`~sphinx_ethics.nodes.rendering.Layout`),
    so this finds nothing to do in what it built.
    """

    default_priority = 860  # after the reviews are built (ExpandReviews, 850)

    def run(self, **kwargs: object) -> None:
        for table in list(self.document.findall(nodes.table)):
            if "ethics-signoff-table" not in table["classes"]:
                continue
            if in_table(table):
                box = table.parent if isinstance(table.parent, scroll_region) else table
                # Not replace_self(), which would give the list the box's class.
                box.parent.replace(box, signoff_list(table))


def in_table(node: nodes.Node) -> bool:
    """Whether ``node`` is inside a table."""
    return any(isinstance(a, nodes.table) for a in ancestors(node))


def signoff_list(table: nodes.table) -> nodes.bullet_list:
    """The rows of a worksheet's sign-off table as list items (:func:`signoff_item`)."""
    listing = nodes.bullet_list(classes=["ethics-signoff-list"])
    for body in table.findall(nodes.tbody):
        for row in body.children:
            cells = [entry.children for entry in row.children]
            texts = [nodes.Element("", *c).astext() for c in cells[:4]]
            comment = [n.deepcopy() for c in cells[4:] for n in c if n.astext().strip()]
            listing += signoff_item(texts, comment)
    return listing
