"""A summary table's rows as HTML text, for HTML builders (issue 25).

A summary of 2,400 reviews written as docutils nodes is some 70,000 nodes
that the HTML writer and the search indexer visit one by one.  For HTML
builders the table's body is one ``raw`` node instead, whose text is the
very markup those nodes gave through Sphinx's HTML writer (same rows,
cells, elements, classes, links and words, so the style sheet, a phone's
stacked cells and the tests see no difference).  The table, its column
widths and its header stay docutils nodes, so a theme still wraps and
styles the table; every other builder (LaTeX, text) gets the node version.

Every string that is not a number is escaped here: titles, names, owners,
statuses and dates come from the team's pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from docutils import nodes

from sphinx_ethics.answers.slots import ReviewRecord
from sphinx_ethics.nodes.i18n import _

#: A page's address from the page being written (None: no address).
PageUri = Callable[[str], "str | None"]


@dataclass(frozen=True)
class Words:
    """The translated words a row uses, looked up once per table."""

    owner: str  # "Owner: %s"
    not_complete: str  # "(not complete: see its problems)"
    unanswered: str  # "Unanswered:"
    overdue: str  # "Overdue"
    not_set: str  # "not set"
    none: str  # "none"


class HtmlCells:
    """Builds the rows, and the four standard cells of each, for the page ``here``."""

    def __init__(self, here: str, uri: PageUri, titles: Callable[[str], str], words: Words):
        self.here = here
        self.uri = uri
        self.titles = titles
        self.words = words
        self.badge = (
            f' <span class="ethics-badge ethics-badge-overdue">{escape(words.overdue)}</span>'
        )

    def link(self, text: str, docname: str, anchor: str | None) -> str:
        """What the writer makes of the node version's reference."""
        shown = escape(text)
        if docname == self.here and anchor:
            href = "#" + anchor
        else:
            uri = self.uri(docname)
            if uri is None:
                return f"<span>{shown}</span>"
            href = f"{uri}#{anchor}" if anchor else uri
        return f'<a class="reference internal" href="{escape(href)}" title="{shown}">{shown}</a>'

    @staticmethod
    def row(index: int, cells: Sequence[str], labels: Sequence[str]) -> str:
        """What Sphinx writes for a body row: the header row is the table's first
        (``row-odd``), so body rows start ``row-even``; the first cell is the
        row header (``th scope="row"``), the others carry their column's name."""
        parity = "row-odd" if index % 2 else "row-even"
        out = [f'<tr class="{parity}"><th scope="row" class="stub">{cells[0]}</th>\n']
        for label, cell in zip(labels[1:], cells[1:], strict=True):
            out.append(f'<td data-label="{escape(label)}">{cell}</td>\n')
        out.append("</tr>\n")
        return "".join(out)

    def cells(
        self, review: ReviewRecord, complete: bool, overdue: bool, bar: str = ""
    ) -> list[str]:
        """Review, status, answered, review by: each cell's inner HTML."""
        return [
            self.review(review),
            self.status(review, overdue),
            self.answered(review, complete, bar),
            self.review_by(review, overdue),
        ]

    def review(self, review: ReviewRecord) -> str:
        title = self.link(review.title, review.docname, review.anchor)
        name = escape(f" ({review.name})")
        where = self.link(self.titles(review.docname), review.docname, None)
        if review.owner:
            where += escape(" · " + self.words.owner % review.owner)
        return (
            '<div class="docutils container">\n'
            f'<p>{title}<span class="ethics-review-name">{name}</span></p>\n'
            f'<p class="ethics-summary-where">{where}</p>\n</div>\n'
        )

    def status(self, review: ReviewRecord, overdue: bool) -> str:
        text = escape(review.status or self.words.not_set)
        return f"<p>{text}{self.badge if overdue else ''}</p>"

    def answered(self, review: ReviewRecord, complete: bool, bar: str) -> str:
        counted = review.answered == review.required
        state = "ethics-complete" if complete else "ethics-incomplete"
        out = [
            f'<p class="{state}"><span class="ethics-summary-count">'
            f"{int(review.answered)} / {int(review.required)}</span>{bar}"
        ]
        if counted and not complete:
            out.append(" " + escape(self.words.not_complete))
        missing = review.unanswered_slots()
        if missing:
            out.append(
                f' <span class="ethics-summary-unanswered">{escape(self.words.unanswered)}</span>'
            )
        for index, slot in enumerate(missing):
            out.append(", " if index else " ")
            out.append(self.link(slot.id, review.docname, slot.anchor))
        out.append("</p>")
        return "".join(out)

    def review_by(self, review: ReviewRecord, overdue: bool) -> str:
        if review.review_by:
            date = f'<span class="ethics-date">{escape(review.review_by)}</span>'
        else:
            date = escape(self.words.none)
        return f"<p>{date}{self.badge if overdue else ''}</p>"


#: The elements an extra column's cell is made of (review fields, sign-offs,
#: referrals: a paragraph of text and classed inlines).
_TAGS: dict[type[nodes.Element], str] = {nodes.paragraph: "p", nodes.inline: "span"}


def cell_html(node: nodes.Node) -> str:
    """The markup Sphinx's writer gives an extra column's cell; its words escaped."""
    if isinstance(node, nodes.Text):
        return escape(node.astext())
    assert isinstance(node, nodes.Element)
    tag = _TAGS[type(node)]  # a KeyError here: a new kind of node needs its tag
    classes = f' class="{escape(" ".join(node["classes"]))}"' if node["classes"] else ""
    inner = "".join(cell_html(child) for child in node.children)
    return f"<{tag}{classes}>{inner}</{tag}>"


class summary_cell(nodes.entry):
    """A cell of a review's row, for the node version of the table; in HTML
    it carries its column's name (what :meth:`HtmlCells.row` writes).

    The first is the row header (``th scope="row"``); the others get
    ``data-label``, which ``sphinx-ethics.css`` shows before the content
    when a phone stacks the cells.  Every other builder writes the
    ``entry`` it is (Sphinx's translators fall back along the bases).
    """

    tagname = "entry"


def visit_summary_cell(self: Any, node: summary_cell) -> None:
    self.visit_entry(node)
    if self.body[-1].startswith("<th "):
        self.body[-1] = self.body[-1].replace("<th ", '<th scope="row" ', 1)
    else:
        label = self.attval(node["label"])
        self.body[-1] = self.body[-1].replace("<td", f'<td data-label="{label}"', 1)


def depart_summary_cell(self: Any, node: summary_cell) -> None:
    self.depart_entry(node)


def html_words() -> Words:
    """The row's translated words, for :class:`HtmlCells`."""
    return Words(
        owner=_("Owner: %s"),
        not_complete=_("(not complete: see its problems)"),
        unanswered=_("Unanswered:"),
        overdue=_("Overdue"),
        not_set=_("not set"),
        none=_("none"),
    )


def overdue_badge() -> nodes.inline:
    return nodes.inline(text=_("Overdue"), classes=["ethics-badge", "ethics-badge-overdue"])
