"""``ethics-programme``: many projects' reviews on one page, from local snapshots.

At read time the directive reads the snapshot folder that ``sphinx-ethics
programme collect`` wrote (never the network) and keeps a plain summary in a
placeholder; every file it read is a dependency, so a new collection
re-reads the page.  When the page is written (by the post-transform
:class:`~sphinx_ethics.extension.expand.ExpandReviews`) the rows are judged on the
build's date (``ethics_today``), so "overdue" and "stale" are always today's,
and the headline, table, chart, CSV, JSON and calendar are made from them.
Everything from a snapshot is text, never markup; links are http(s) only.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.errors import NoUri

from sphinx_ethics import files
from sphinx_ethics.answers.slots import today
from sphinx_ethics.extension.config import today_setting
from sphinx_ethics.extension.directives import (
    EthicsDirective,
    LenientOptions,
    split_ids,
    takes_inline_svg,
)
from sphinx_ethics.extension.programme.site import SITE_BUILDERS
from sphinx_ethics.nodes.tables import scrollable
from sphinx_ethics.problems import warn
from sphinx_ethics.programme import calendar, chart, view

if TYPE_CHECKING:
    import datetime as dt

    from sphinx.application import Sphinx

STATUSES = ("complete", "incomplete", "overdue", "no data")
SORTS = ("programme", "title", "status", "review-by", "age")
CSV_NAME, JSON_NAME, ICS_NAME = (
    "ethics-programme.csv",
    "ethics-programme.json",
    "ethics-calendar.ics",
)


class programme_placeholder(nodes.General, nodes.Element):
    """Replaced by the programme view when the page is written (``ExpandReviews``)."""


class ProgrammeDirective(EthicsDirective):
    """Where every project of a programme stands, one row each."""

    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar = LenientOptions(
        {
            "status": directives.unchanged,
            "sort": lambda arg: directives.choice(arg, list(SORTS)),
            "class": directives.class_option,
        }
    )

    def run(self) -> list[nodes.Node]:
        self.options_problems()
        folder = self.folder(self.arguments[0].strip())
        data, problems, read = view.load(folder)
        for path in read:
            self.env.note_dependency(str(path))
        for subtype, message in problems:
            warn(subtype, message, (self.env.docname, self.lineno))  # type: ignore[arg-type]
        statuses = split_ids(self.options.get("status", ""))
        for status in statuses:
            if status not in STATUSES:
                msg = f"ethics-programme :status: {status!r} is not one of: {', '.join(STATUSES)}"
                self.problem("option", msg)
        node = programme_placeholder(
            data=data,
            statuses=[s for s in statuses if s in STATUSES],
            sort=self.options.get("sort", "programme"),
            classes=["ethics-programme", *self.options.get("class", [])],
        )
        self.set_source_info(node)
        return [node]

    def folder(self, argument: str) -> Path:
        """Relative to the page's folder, or to the source folder when it starts with /."""
        if argument.startswith("/"):
            return Path(self.env.srcdir, argument.lstrip("/"))
        return Path(self.env.doc2path(self.env.docname)).parent / argument


def select(table: list[dict[str, Any]], node: programme_placeholder) -> list[dict[str, Any]]:
    chosen = [r for r in table if not node["statuses"] or r["status"] in node["statuses"]]
    keys = {
        "programme": None,
        "title": lambda r: r["title"].casefold(),
        "status": lambda r: STATUSES.index(r["status"]),
        "review-by": lambda r: r["next_review_by"] or "9999",
        "age": lambda r: -(r["report_age_days"] or 0),
    }
    key = keys[node["sort"]]
    return sorted(chosen, key=key) if key else chosen


HEADINGS = (
    ("Project", 20), ("Progress", 10), ("Status", 10), ("Next review by", 11),
    ("Open referrals", 13), ("Missing sign-offs", 13), ("Report age", 9), ("Data", 9),
)  # fmt: skip


def _text(value: str, classes: list[str] | None = None) -> nodes.paragraph:
    return nodes.paragraph(text=value, classes=classes or [])


def _link(text: str, url: str) -> nodes.Node:
    if not url:
        return nodes.Text(text)
    return nodes.reference("", text, refuri=url, classes=["ethics-programme-link"])


def project_cells(row: dict[str, Any]) -> list[nodes.Node]:
    title = nodes.paragraph("", "", _link(row["title"], row["url"]))
    if row["owner"]:
        title += nodes.inline(text=f" ({row['owner']})", classes=["ethics-programme-owner"])
    reviews = nodes.paragraph(classes=["ethics-programme-reviews"])
    for index, (name, url) in enumerate(row["review_links"]):
        if index:
            reviews += nodes.Text(", ")
        reviews += _link(name, url)
    cell = nodes.container("", title, *([reviews] if len(reviews) else []))
    if row["status"] == "no data":
        progress = "no data"
    else:
        progress = f"{row['answered']} / {row['required']}; "
        progress += f"{row['reviews_complete']} of {row['reviews']} reviews complete"
    age = row["report_age_days"]
    return [
        cell,
        _text(progress),
        _text(row["status"], [f"ethics-programme-{row['status'].replace(' ', '-')}"]),
        _text(row["next_review_by"] + (" (overdue)" if row["overdue"] else "")),
        _text(", ".join(row["open_referrals"]) or "none"),
        _text(", ".join(row["missing_signoffs"]) or "none"),
        _text("unknown" if age is None else f"{age} days"),
        _text(row["data_state"], [f"ethics-data-{row['data_state']}"]),
    ]


def table(
    headings: list[tuple[str, int]],
    body: list[list[nodes.Node]],
    classes: list[str],
    title: str = "",
) -> nodes.table:
    """A standard docutils table (every builder, LaTeX included), with a caption."""
    node = nodes.table(classes=[*classes, "colwidths-given"])
    if title:
        node += nodes.title(text=title)
    group = nodes.tgroup(cols=len(headings))
    node += group
    group += [nodes.colspec(colwidth=width) for _heading, width in headings]
    head = nodes.thead()
    group += head
    body_node = nodes.tbody()
    group += body_node
    for target, cells in ((head, [[_text(h) for h, _w in headings]]), (body_node, body)):
        for cells_of_row in cells:
            row = nodes.row()
            for cell in cells_of_row:
                entry = nodes.entry()
                entry += cell if isinstance(cell, nodes.Element) else nodes.paragraph("", "", cell)
                row += entry
            target += row
    return node


def history(points: list[dict[str, Any]], svg: bool) -> list[nodes.Node]:
    """The chart (HTML pages, see :func:`takes_inline_svg`) and the table of its
    numbers (always)."""
    if not points:
        return []
    out: list[nodes.Node] = []
    if svg:
        raw = nodes.raw("", chart.svg(points), format="html")
        out.append(nodes.container("", raw, classes=["ethics-programme-chart"]))
    rows = [
        [
            _text(p["date"]),
            _text(str(p["projects"])),
            _text(str(p["complete"])),
            _text(str(p["overdue"])),
        ]
        for p in points
    ]
    headings = [
        ("Snapshot date", 12),
        ("Projects", 8),
        ("Complete and in date", 12),
        ("Overdue", 8),
    ]
    history_table = table(headings, rows, ["ethics-programme-history"], "Projects over time")
    out.append(scrollable(history_table, "Projects over time"))
    return out


def resolve_programmes(
    app: Sphinx, doctree: nodes.document, docname: str, placeholders: list[programme_placeholder]
) -> None:
    """Build the ``placeholders`` of the page being written (found by
    :class:`~sphinx_ethics.extension.expand.ExpandReviews`' one walk)."""
    when = today(today_setting(app.config))
    for node in placeholders:
        data = node["data"]
        shown = select(view.rows(data, when), node)
        for row in shown:
            if row["stale"]:
                msg = (
                    f"{row['key']}: report is {row['report_age_days']} days old, more than "
                    f"its max_age_days ({row['max_age_days']}): collect again, or ask the "
                    "project to publish its report"
                )
                warn("programme-stale", msg, node)
        output = nodes.container(classes=node["classes"])
        output += _text(view.headline(view.totals(shown)), ["ethics-programme-headline"])
        output += history(view.chart_points(data), takes_inline_svg(app.builder))
        if shown:
            cells = [project_cells(r) for r in shown]
            projects = table(list(HEADINGS), cells, ["ethics-programme-table"], "Projects")
            output += scrollable(projects, "Projects")
        else:
            output += _text("No projects match.")
        downloads = write_files(app, docname, shown, data, when)
        if downloads is not None:
            output += downloads
        name_tables(output, doctree)
        node.replace_self(output)


def name_tables(output: nodes.Element, doctree: nodes.document) -> None:
    """A captioned table needs an id (Sphinx numbers it, and warns without one)."""
    for found in list(output.findall(nodes.table)):
        base = "ethics-programme-" + (
            "history" if "ethics-programme-history" in found["classes"] else "projects"
        )
        ident, number = base, 1
        while ident in doctree.ids:
            number += 1
            ident = f"{base}-{number}"
        found["ids"].append(ident)
        doctree.ids[ident] = found


def _folder(app: Sphinx, docname: str) -> tuple[Path, bool]:
    """Where the page's own output is, and whether the builder makes links to it."""
    if app.builder.name in SITE_BUILDERS:
        try:
            uri = app.builder.get_target_uri(docname)
            return Path(app.outdir, posixpath.dirname(uri)), True
        except NoUri:
            pass
    return Path(app.outdir, posixpath.dirname(docname)), False


def write_files(
    app: Sphinx, docname: str, shown: list[dict[str, Any]], data: dict[str, Any], when: dt.date
) -> nodes.paragraph | None:
    folder, linked = _folder(app, docname)
    events = [
        calendar.review_event(
            f"{project['key']}/{review['name']}",
            review["title"],
            review["review_by"],
            when,
            view.link(view.site(project), review["uri"]),
            project["title"],
        )
        for project in data["projects"]
        for review in (project["summary"] or {}).get("reviews", [])
        if review["review_by"]
    ]
    outputs = {
        CSV_NAME: view.csv_text(shown),
        JSON_NAME: view.json_text(shown, when),
        ICS_NAME: calendar.calendar(events, when, data.get("title") or "Ethics reviews"),
    }
    for name, text in outputs.items():
        try:
            files.write_atomic(folder / name, text, refuse_read_only=False, make_parents=True)
        except (OSError, files.FileError) as err:
            warn("programme-source", f"cannot write {folder / name}: {err}", (docname, 0))  # type: ignore[arg-type]
    if not linked:
        return None
    para = nodes.paragraph(text="Download: ", classes=["ethics-programme-downloads"])
    for index, (name, label) in enumerate(
        ((CSV_NAME, "CSV"), (JSON_NAME, "JSON"), (ICS_NAME, "calendar (iCalendar)"))
    ):
        if index:
            para += nodes.Text(", ")
        para += nodes.reference("", label, refuri=name)
    return para


def setup_programme(app: Sphinx) -> None:
    app.add_node(programme_placeholder)
    app.add_directive("ethics-programme", ProgrammeDirective)
