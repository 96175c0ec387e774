"""``ethics-summary``: one table over every review in the project.

The directive leaves a placeholder; the table is built when the page is
written (by :class:`~sphinx_ethics.extension.expand.ExpandReviews`, in the
same walk that builds the reviews), after every document has been read,
from the records in the ``ethics`` domain (as ``sphinx.ext.todo`` does for
``todolist``), in one pass over the records.
Links are made for the page being written and fall back to plain text on
builders without URIs.  ``env-get-outdated`` re-reads the summary pages
whenever any document was added, changed or removed, so the table is never
stale after an incremental build (Sphinx issue 9706 bit ``todolist``).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import NoUri
from sphinx.locale import get_translation

from sphinx_ethics.answers.slots import REVIEW_STATUSES, today
from sphinx_ethics.extension import signoff
from sphinx_ethics.extension.checks import all_problems, is_overdue
from sphinx_ethics.extension.config import today_setting
from sphinx_ethics.extension.directives import (
    EthicsDirective,
    LenientOptions,
    split_ids,
    takes_inline_svg,
)
from sphinx_ethics.extension.domain import EthicsDomain
from sphinx_ethics.nodes.bar import progress_bar
from sphinx_ethics.nodes.i18n import ngettext
from sphinx_ethics.nodes.summary_cells import (
    HtmlCells,
    cell_html,
    depart_summary_cell,
    html_words,
    overdue_badge,
    summary_cell,
    visit_summary_cell,
)
from sphinx_ethics.nodes.tables import ancestors, scrollable

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

    from sphinx_ethics.answers.slots import ReviewRecord

_ = get_translation("sphinx_ethics")

SORT_KEYS: dict[str, Callable[[ReviewRecord], object]] = {
    "document": lambda r: (r.docname, r.line),
    "name": lambda r: r.name,
    "status": lambda r: REVIEW_STATUSES.index(r.status) if r.status in REVIEW_STATUSES else -1,
    "review-by": lambda r: (r.review_by or "9999", r.docname),
    "progress": lambda r: (r.answered / r.required if r.required else 1.0, r.docname),
}


#: ``:group-by:``: one table for the whole summary, or one per directory.
GROUPS = ("none", "directory")


class summary_placeholder(nodes.General, nodes.Element):
    """Replaced by the summary table when the page is written (``ExpandReviews``)."""


class SummaryDirective(EthicsDirective):
    """Where every review stands: counts, unanswered ids, review-by dates."""

    option_spec: ClassVar = LenientOptions(
        {
            "status": directives.unchanged,
            "checklist": directives.unchanged,
            "incomplete": directives.flag,
            "sort": lambda arg: directives.choice(arg, list(SORT_KEYS)),
            "fields": directives.unchanged,
            "group-by": lambda arg: directives.choice(arg, list(GROUPS)),
            "class": directives.class_option,
        }
    )

    def run(self) -> list[nodes.Node]:
        self.options_problems()
        statuses = split_ids(self.options.get("status", ""))
        for status in statuses:
            if status not in REVIEW_STATUSES:
                msg = f"ethics-summary :status: {status!r} is not one of: "
                self.problem("status", msg + ", ".join(REVIEW_STATUSES))
        fields = signoff.summary_fields(self, split_ids(self.options.get("fields", "")))
        EthicsDomain.get(self.env).summaries[self.env.docname] = True
        node = summary_placeholder(
            statuses=statuses,
            checklists=split_ids(self.options.get("checklist", "")),
            incomplete="incomplete" in self.options,
            sort=self.options.get("sort", "document"),
            fields=fields,
            group_by=self.options.get("group-by", "none"),
            classes=["ethics-summary", *self.options.get("class", [])],
        )
        self.set_source_info(node)
        return [node]


def select(
    reviews: Sequence[ReviewRecord],
    node: summary_placeholder,
    with_problems: set[tuple[str | None, str | None]],
) -> list[ReviewRecord]:
    """The reviews a summary shows, filtered and sorted by its options.

    ``:incomplete:`` keeps every review the report calls incomplete: a blank
    slot, or any problem of its own (an open referral, a missing sign-off).
    """
    chosen = [
        r
        for r in reviews
        if (not node["statuses"] or r.status in node["statuses"])
        and (not node["checklists"] or set(node["checklists"]) & set(r.checklists))
        and (
            not node["incomplete"]
            or r.answered < r.required
            or (r.docname, r.name) in with_problems
        )
    ]
    return sorted(chosen, key=SORT_KEYS[node["sort"]])


# --------------------------------------------------------------------------
# Building the table, late
# --------------------------------------------------------------------------


class TableBuilder:
    """Builds one summary table for the page ``fromdocname``."""

    def __init__(self, app: Sphinx, fromdocname: str) -> None:
        self.builder: Builder = app.builder
        self.env = app.env
        self.fromdocname = fromdocname
        self.today = today(today_setting(app.config))
        self.config = app.config
        self.uris: dict[str, str | None] = {}
        #: Reviews with a problem of their own: judged by the gate's one list
        #: (worked out once per build, see :func:`checks.all_problems`).
        self.with_problems = {(p.docname, p.review) for p in all_problems(app) if p.review}
        self.labels: dict[tuple[int, int], str] = {}
        #: HTML builders get each standard cell as one raw node (the markup the
        #: nodes give, and a progress bar); other formats get the nodes.
        html = self.builder.format == "html"
        self.html = HtmlCells(fromdocname, self.uri, self.title, html_words()) if html else None
        self.bars = takes_inline_svg(self.builder)
        self.titles: dict[str, str] = {}

    def title(self, docname: str) -> str:
        """A page's title as text, worked out once per page."""
        if docname not in self.titles:
            doc_title = self.env.titles.get(docname)
            self.titles[docname] = doc_title.astext() if doc_title else docname
        return self.titles[docname]

    def summary(self, node: summary_placeholder) -> nodes.Node:
        """The table for one ``ethics-summary``: its reviews, in one pass."""
        chosen = select(EthicsDomain.get(self.env).all_reviews(), node, self.with_problems)
        if node.get("group_by") != "directory" or not chosen:
            return self.table(chosen, node["classes"], node.get("fields", []))
        groups = nodes.container(classes=["ethics-summary-groups"])
        # the level after the section the summary is in (LaTeX has no level below 5)
        level = max(2, min(5, 1 + sum(isinstance(a, nodes.section) for a in ancestors(node))))
        for directory, reviews in by_directory(chosen):
            groups += self.group_heading(directory, reviews, level)
            label = f"{_('Summary of ethics reviews')}: {directory or _('top level')}"
            groups += self.table(reviews, node["classes"], node.get("fields", []), label)
        return groups

    def group_heading(
        self, directory: str, reviews: Sequence[ReviewRecord], level: int
    ) -> nodes.rubric:
        """A directory's heading: its index page's title (linked) or its path, then counts."""
        heading = nodes.rubric(classes=["ethics-summary-group"], **{"heading-level": level})
        index = posixpath.join(directory, "index") if directory else ""
        if index and index in self.env.all_docs:
            heading += self.link(self.title(index), index, None)
            heading += nodes.Text(f" ({directory}/)")
        else:
            heading += nodes.Text(f"{directory}/" if directory else _("Top level"))
        complete = sum(self.complete(r) for r in reviews)
        heading += nodes.Text(" · ")
        heading += nodes.Text(
            ngettext(
                "%(count)d review, %(complete)d complete",
                "%(count)d reviews, %(complete)d complete",
                len(reviews),
            )
            % {"count": len(reviews), "complete": complete}
        )
        return heading

    def link(self, text: str, docname: str, anchor: str | None) -> nodes.Node:
        """What ``make_refnode`` makes, with each page's URI worked out once
        (a table of 2,400 reviews has some 7,000 links to a few hundred pages)."""
        if docname == self.fromdocname and anchor:
            node = nodes.reference("", "", internal=True, refid=anchor, reftitle=text)
        else:
            uri = self.uri(docname)
            if uri is None:
                return nodes.inline(text=text)
            target = f"{uri}#{anchor}" if anchor else uri
            node = nodes.reference("", "", internal=True, refuri=target, reftitle=text)
        node += nodes.Text(text)  # no inline around it: fewer nodes a row (issue 25)
        return node

    def uri(self, docname: str) -> str | None:
        if docname not in self.uris:
            try:
                self.uris[docname] = self.builder.get_relative_uri(self.fromdocname, docname)
            except NoUri:
                self.uris[docname] = None
        return self.uris[docname]

    def table(
        self,
        reviews: Sequence[ReviewRecord],
        classes: list[str],
        fields: Sequence[str] = (),
        label: str = "",
    ) -> nodes.Node:
        """Few, dense columns, so the governance ones fit a desktop column.

        The review is the row header (its document and owner under its
        title); the answered count and the unanswered ids share a cell.  In
        HTML each other cell carries its column's name, shown only when a
        phone stacks the row's cells (see ``sphinx-ethics.css``).
        """
        if not reviews:
            return nodes.paragraph(text=_("No ethics reviews match."), classes=classes)
        headings = [_("Review"), _("Status"), _("Answered"), _("Review by")]
        widths = [24, 15, 13, 15]
        extra = signoff.summary_columns(self.config, reviews, fields)  # governance
        headings += [heading for heading, _width, _cell in extra]
        widths += [width for _heading, width, _cell in extra]
        # Given widths keep LaTeX from squeezing the columns (p{} columns).
        table = nodes.table(classes=[*classes, "colwidths-given"])
        group = nodes.tgroup(cols=len(headings))
        table += group
        group += [nodes.colspec(colwidth=w) for w in widths]
        group[0]["stub"] = 1  # the review names its row (a th in HTML)
        head = nodes.thead()
        head += self.row([nodes.paragraph(text=h) for h in headings])
        group += head
        if self.html is not None:  # one raw node for every row (issue 25)
            group += nodes.raw("", self.html_body(reviews, headings, extra), format="html")
        else:
            body = nodes.tbody()
            for review in reviews:
                cells = self.cells(review) + [cell(review) for _h, _w, cell in extra]
                body += self.row(cells, headings)
            group += body
        # LaTeX ignores a table's own classes; a container reaches the
        # ``sphinxethics.sty`` environment that stops words hyphenating.
        box = scrollable(table, label or _("Summary of ethics reviews"))
        return nodes.container("", box, classes=["ethics-summary-table"])

    @staticmethod
    def row(cells: Sequence[nodes.Node], labels: Sequence[str] | None = None) -> nodes.row:
        """The header row, or a review's row (``labels``: the column names)."""
        row = nodes.row()
        for index, cell in enumerate(cells):
            entry = nodes.entry() if labels is None else summary_cell(label=str(labels[index]))
            if isinstance(cell, nodes.Element) and not isinstance(cell, nodes.Inline):
                entry += cell
            else:
                entry += nodes.paragraph("", "", cell)
            row += entry
        return row

    def html_body(
        self,
        reviews: Sequence[ReviewRecord],
        headings: Sequence[str],
        extra: Sequence[signoff.Column],
    ) -> str:
        """The ``<tbody>`` that the node version gives through Sphinx's HTML writer."""
        assert self.html is not None
        rows = []
        for index, review in enumerate(reviews):
            complete = self.complete(review)
            bar = ""
            if self.bars:
                bar = " " + progress_bar(
                    review.answered, review.required, complete, self.label(review)
                )
            cells = self.html.cells(review, complete, is_overdue(review, self.today), bar)
            cells += [cell_html(cell(review)) for _h, _w, cell in extra]
            rows.append(self.html.row(index, cells, [str(h) for h in headings]))
        return "<tbody>\n" + "".join(rows) + "</tbody>\n"

    def cells(self, review: ReviewRecord) -> list[nodes.Node]:
        overdue = is_overdue(review, self.today)
        return [self.review(review), self.status(review, overdue), self.answered(review),
                self.review_by(review, overdue)]  # fmt: skip

    def review(self, review: ReviewRecord) -> nodes.Node:
        """Title (name), then the page it is on and its owner."""
        title = nodes.paragraph("", "", self.link(review.title, review.docname, review.anchor))
        # plain text, not a literal, so a long name can break at its hyphens
        title += nodes.inline(text=f" ({review.name})", classes=["ethics-review-name"])
        where = nodes.paragraph("", "", self.link(self.title(review.docname), review.docname, None))
        where["classes"].append("ethics-summary-where")
        if review.owner:
            where += nodes.Text(" · " + _("Owner: %s") % review.owner)
        return nodes.container("", title, where)

    def answered(self, review: ReviewRecord) -> nodes.paragraph:
        """'9 / 11', then the unanswered ids, each linked to its question."""
        counted = review.answered == review.required
        complete = self.complete(review)
        para = nodes.paragraph(classes=["ethics-complete" if complete else "ethics-incomplete"])
        para += nodes.inline(text=f"{review.answered} / {review.required}",
                             classes=["ethics-summary-count"])  # fmt: skip
        if counted and not complete:  # every slot answered, yet the report says incomplete
            para += nodes.Text(" " + _("(not complete: see its problems)"))
        missing = review.unanswered_slots()
        if missing:
            para += nodes.Text(" ")
            para += nodes.inline(text=_("Unanswered:"), classes=["ethics-summary-unanswered"])
        for index, slot in enumerate(missing):
            para += nodes.Text(", " if index else " ")
            para += self.link(slot.id, review.docname, slot.anchor)
        return para

    def complete(self, review: ReviewRecord) -> bool:
        """Every slot answered and no problem of its own (what the report says)."""
        counted = review.answered == review.required
        return counted and (review.docname, review.name) not in self.with_problems

    def label(self, review: ReviewRecord) -> str:
        """The bar's text: the review page's own progress sentence (translated)."""
        key = (review.answered, review.required)
        if key not in self.labels:
            self.labels[key] = ngettext(
                "%(answered)d of %(required)d required question answered.",
                "%(answered)d of %(required)d required questions answered.",
                review.required,
            ) % {"answered": review.answered, "required": review.required}
        return self.labels[key]

    def status(self, review: ReviewRecord, overdue: bool) -> nodes.paragraph:
        """The status, and "Overdue" in this column too: the review-by column
        is further right, which a narrow window may have to scroll to."""
        para = nodes.paragraph(text=review.status or _("not set"))
        if overdue:
            para += nodes.Text(" ")
            para += overdue_badge()
        return para

    def review_by(self, review: ReviewRecord, overdue: bool) -> nodes.paragraph:
        para = nodes.paragraph()
        if review.review_by:
            # classed, so LaTeX keeps the date whole (\mbox)
            para += nodes.inline(text=review.review_by, classes=["ethics-date"])
        else:
            para += nodes.Text(_("none"))
        if overdue:
            para += nodes.Text(" ")
            para += overdue_badge()
        return para


def by_directory(reviews: Sequence[ReviewRecord]) -> list[tuple[str, list[ReviewRecord]]]:
    """The reviews by their document's directory (top level first, then by
    path), each group in the summary's own order."""
    groups: dict[str, list[ReviewRecord]] = {}
    for review in reviews:
        groups.setdefault(posixpath.dirname(review.docname), []).append(review)
    return sorted(groups.items())


def app_of(env: BuildEnvironment) -> Sphinx:
    """The application (``env._app`` from Sphinx 8.2, ``env.app`` before)."""
    return getattr(env, "_app", None) or env.app  # type: ignore[attr-defined]


def outdated_summaries(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Pages with a summary must be re-read (and rewritten) when any page changed."""
    if not (added or changed or removed):
        return []
    domain = EthicsDomain.get(env)
    return [d for d in domain.summaries if d not in removed and d not in changed]


def setup_summary(app: Sphinx) -> None:
    app.add_node(summary_placeholder)
    app.add_node(summary_cell, html=(visit_summary_cell, depart_summary_cell))
    app.add_directive("ethics-summary", SummaryDirective)
    app.connect("env-get-outdated", outdated_summaries)
