"""``ethics-summary :group-by: directory``: one table per directory (issue 25)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import build_app, ethics_warnings, soup, write_project

CONF = 'extensions = ["sphinx_ethics"]\nethics_today = "2026-11-01"\n'


def review(name: str, answered: bool = True) -> str:
    answer = "We asked the ward." if answered else ""
    return (
        f".. ethics-review:: plan\n   :name: {name}\n   :title: Review {name}\n\n"
        f"   .. ethics-answer:: plan-1\n\n      {answer}\n\n"
    )


PAGES = {
    "index.rst": (
        "Programme\n=========\n\n.. toctree::\n\n   a/index\n   b/two\n   local\n\n"
        "Where we stand\n--------------\n\n.. ethics-summary::\n   :group-by: directory\n"
    ),
    "local.rst": "Local\n=====\n\n" + review("top"),
    "a/index.rst": "Ward A\n======\n\n.. toctree::\n\n   one\n\n" + review("a-index"),
    "a/one.rst": "One\n===\n\n" + review("a-one", answered=False),
    "b/two.rst": "Two\n===\n\n" + review("b-two"),
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("groups"), PAGES, CONF)


def test_one_table_per_directory_with_a_heading(project: Path, tmp_path: Path) -> None:
    app = build_app("html", project, tmp_path / "html")
    page = soup(Path(app.outdir) / "index.html")
    groups = page.select("div.ethics-summary-groups")
    assert len(groups) == 1
    # The summary is in a second-level section: its groups are h3 headings.
    headings = [" ".join(h.get_text().split()) for h in groups[0].select("h3.rubric")]
    assert headings == [
        "Top level · 1 review, 0 complete",  # plan has more required slots than plan-1
        "Ward A (a/) · 2 reviews, 0 complete",
        "b/ · 1 review, 0 complete",
    ]
    assert groups[0].select_one("h3.rubric a")["href"] == "a/index.html"
    tables = groups[0].select("table.ethics-summary")
    rows = [[tr.th.select_one("span.ethics-review-name").get_text() for tr in t.select("tbody tr")]
            for t in tables]  # fmt: skip
    assert rows == [[" (top)"], [" (a-index)", " (a-one)"], [" (b-two)"]]
    # Each scroll box says which directory it holds, for a screen reader.
    labels = [box["aria-label"] for box in groups[0].select("div.ethics-scroll")]
    assert labels == [
        "Summary of ethics reviews: top level",
        "Summary of ethics reviews: a",
        "Summary of ethics reviews: b",
    ]


def test_groups_in_latex_and_text(project: Path, tmp_path: Path) -> None:
    latex = build_app("latex", project, tmp_path / "latex")
    tex = next(Path(latex.outdir).glob("*.tex")).read_text("utf-8")
    assert r"\subsection*{Top level · 1 review, 0 complete}" in tex
    [ward] = [line for line in tex.splitlines() if "(a/) · 2 reviews, 0 complete}" in line]
    assert r"\subsection*{" in ward and "Ward A" in ward  # its index page's title, linked
    assert "unsupported rubric heading level" not in latex.warning.getvalue()
    text = build_app("text", project, tmp_path / "text")
    out = (Path(text.outdir) / "index.txt").read_text("utf-8")
    assert out.index("Top level") < out.index("Ward A (a/)") < out.index("b/ · 1 review")


def test_without_the_option_there_is_one_table(tmp_path: Path) -> None:
    pages = dict(PAGES)
    pages["index.rst"] = pages["index.rst"].replace("   :group-by: directory\n", "")
    src = write_project(tmp_path, pages, CONF)
    app = build_app("html", src, tmp_path / "html")
    page = soup(Path(app.outdir) / "index.html")
    assert not page.select("div.ethics-summary-groups")
    assert len(page.select("table.ethics-summary tbody tr")) == 4


def test_an_unknown_grouping_is_an_option_problem(tmp_path: Path) -> None:
    pages = dict(PAGES)
    pages["index.rst"] = pages["index.rst"].replace("directory", "folder")
    src = write_project(tmp_path, pages, CONF)
    app = build_app("html", src, tmp_path / "html")
    [warning] = ethics_warnings(app.warning.getvalue(), "option")
    assert "group-by" in warning.message and "directory" in warning.message
    # the table is still there, whole
    assert len(soup(Path(app.outdir) / "index.html").select("table.ethics-summary tbody tr")) == 4


def test_extra_columns_and_group_headings_are_text_in_the_compact_html(tmp_path: Path) -> None:
    # The HTML rows are written as markup by the extension (one raw node):
    # a field value, a sign-off role and a folder name from the team are text.
    hostile = '<img src=x onerror="alert(1)"> & co'
    page = "Status\n======\n\n.. ethics-summary::\n   :fields: ref\n   :group-by: directory\n"
    review_page = (
        "Review\n======\n\n.. ethics-review:: plan\n   :name: hostile\n"
        f"   :ref: {hostile}\n\n"
        f"   .. ethics-signoff:: {hostile}\n      :by: A\n      :date: 2026-10-01\n"
        "      :decision: approved\n"
    )
    conf = CONF + 'ethics_review_fields = {"ref": "Ref"}\n'
    src = write_project(tmp_path, {"index.rst": page, "<b>x/page.rst": review_page}, conf)
    app = build_app("html", src, tmp_path / "html")
    html = (Path(app.outdir) / "index.html").read_text("utf-8")
    body = html[html.index("ethics-summary-groups") :]
    body = body[: body.rindex("</table>")]
    assert "<img" not in body and "<b>" not in body
    # once in the field's column, once in "Signed off"
    assert body.count("&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; co") == 2
    assert "&lt;b&gt;x/" in body  # the folder's heading
