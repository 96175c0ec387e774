"""Our tables scroll in a focusable, labelled box in HTML, and only there (issue 26).

The sign-off table, the summary and the programme's tables are each put in
``div.ethics-scroll`` with ``tabindex="0"``, ``role="region"`` and an
``aria-label`` (axe's ``scrollable-region-focusable``: a box that scrolls
must be reachable by keyboard).  LaTeX and text get the table alone.  The
stylesheet makes that box the one that scrolls, in every theme
(``test_browser_themes.py`` checks it in a browser); it uses no selector an
EPUB reader (or EPUBCheck, ``test_epub.py``) does not know.

Inside another table the sign-offs are a list (the text, man and LaTeX
writers cannot nest tables): a review is built so by ``ExpandReviews``,
and no later post-transform edits it (``roots/test-nested-tables``).
"""

from __future__ import annotations

import re

import pytest
from docutils import nodes
from helpers import REPO, build_html, soup, write_project

from sphinx_ethics.extension.expand import ExpandReviews, pending_review
from sphinx_ethics.nodes.i18n import GuideLanguage
from sphinx_ethics.nodes.rendering import AnchorTargets
from sphinx_ethics.nodes.signoffs import NestedSignoffTables
from sphinx_ethics.nodes.tables import scroll_region

CSS = REPO / "sphinx_ethics" / "static" / "sphinx-ethics.css"


def scroll_box(table) -> dict[str, str]:
    box = table.find_parent("div", class_="ethics-scroll")
    assert box is not None, f"{table.get('class')} is not in a scrolling box"
    return {key: box.get(key) for key in ("tabindex", "role", "aria-label")}


def test_signoff_and_summary_tables_scroll_in_a_focusable_labelled_box(shared_build):
    built = shared_build("governance")
    review = built.html("review")
    tables = review.select("table.ethics-signoff-table")
    assert tables
    for table in tables:
        assert scroll_box(table) == {"tabindex": "0", "role": "region", "aria-label": "Sign-off"}
        # The box is the table's own: the sign-off panel holds title and box.
        assert table.find_parent("div", class_="ethics-scroll").parent["class"][0] == (
            "ethics-signoffs"
        )
    summary = built.html("status").select("table.ethics-summary")
    assert summary
    for table in summary:
        assert scroll_box(table) == {
            "tabindex": "0",
            "role": "region",
            "aria-label": "Summary of ethics reviews",
        }
        assert (
            "ethics-summary-table"
            in table.find_parent("div", class_="ethics-scroll").parent["class"]
        )


def test_programme_tables_scroll_in_a_focusable_labelled_box(shared_build):
    page = shared_build("browser-incomplete").html("programme")
    labels = {
        scroll_box(table)["aria-label"]
        for table in page.select("table.ethics-programme-table, table.ethics-programme-history")
    }
    assert labels == {"Projects", "Projects over time"}


def test_latex_and_text_get_the_table_alone(shared_build):
    tex = next(shared_build("governance", "latex").outdir.glob("*.tex")).read_text("utf-8")
    assert "ethics-scroll" not in tex
    assert r"\begin{sphinxuseclass}{ethics-signoffs}" in tex
    assert r"\begin{sphinxuseclass}{ethics-summary-table}" in tex
    text = (shared_build("governance", "text").outdir / "review.txt").read_text("utf-8")
    assert "Sign-off" in text and "Clinical lead" in text


def test_a_signoff_table_in_a_table_cell_becomes_a_list_without_its_box(tmp_path):
    # Text writers cannot nest tables: the sign-offs become a list there, and
    # the scrolling box around the table goes with it (no empty region).
    conf = 'extensions = ["sphinx_ethics"]\nethics_signoff_roles = ["Clinical lead"]\n'
    page = """Page
====

.. list-table::

   * - .. ethics-review:: Nested
          :checklists: plan
          :owner: Team
          :status: draft
"""
    src = write_project(tmp_path, {"index.rst": page}, conf)

    result = build_html(src, tmp_path / "out", "-q")
    assert result.returncode == 0, result.stderr
    html = soup(tmp_path / "out" / "index.html")
    assert html.select("ul.ethics-signoff-list")
    assert not html.select("table.ethics-signoff-table")
    assert not html.select(".ethics-scroll")


def expanded(built, docname: str) -> nodes.document:
    """The page as read, then with its reviews built (``ExpandReviews``) and nothing else."""
    doctree = built.app.env.get_doctree(docname)
    assert list(doctree.findall(pending_review))
    ExpandReviews(doctree).apply()
    return doctree


def reviews(doctree: nodes.document) -> dict[str, nodes.Element]:
    found = doctree.findall(nodes.container)
    return {r["ids"][0] if r["ids"] else r[0]["ids"][0]: r for r in found if is_review(r)}


def signoff_lists(tree: nodes.Element) -> list[nodes.bullet_list]:
    return [b for b in tree.findall(nodes.bullet_list) if "ethics-signoff-list" in b["classes"]]


def signoff_tables(tree: nodes.Element) -> list[nodes.table]:
    return [t for t in tree.findall(nodes.table) if "ethics-signoff-table" in t["classes"]]


def is_review(node: nodes.Element) -> bool:
    return "ethics-review" in node["classes"]


def test_a_review_is_built_with_its_latex_anchors_as_targets(shared_build):
    # LaTeX and Texinfo write an anchor only for a target: ExpandReviews
    # gives every anchored block of a review its target, nothing adds it later.
    doctree = expanded(shared_build("nested-tables", "latex"), "index")
    built = reviews(doctree)
    assert set(built) == {"in-a-cell", "on-its-own"}
    for name, review in built.items():
        blocks = list(review.findall(nodes.container))  # the review's own first
        anchored = [
            b
            for b in blocks
            if {"ethics-review", "ethics-checklist", "ethics-question"} & set(b["classes"])
        ]
        assert len(anchored) == 1 + 1 + 12  # the review, its checklist, plan's questions
        for block in anchored:
            assert block["ids"] == []
            assert isinstance(block[0], nodes.target) and block[0]["ids"]
        assert review[0]["ids"] == [name]
    question = next(
        t.parent for t in doctree.findall(nodes.target) if t["ids"] == ["in-a-cell-plan-1"]
    )
    assert "ethics-question" in question["classes"]


def test_a_review_in_html_keeps_its_anchors_on_its_blocks(shared_build):
    doctree = expanded(shared_build("nested-tables"), "index")
    for review in reviews(doctree).values():
        assert not list(review.findall(nodes.target))
        assert review["ids"]


def test_a_review_in_a_table_is_built_with_its_signoffs_listed(shared_build):
    # Built from the sign-off records, with the order and words of the table
    # it replaces: role, then name, date and decision, then the comment.
    built = reviews(expanded(shared_build("nested-tables", "text"), "index"))
    in_cell, alone = built["in-a-cell"], built["on-its-own"]
    assert not list(in_cell.findall(nodes.table))
    (listing,) = signoff_lists(in_cell)
    assert listing["classes"] == ["ethics-signoff-list"]
    assert listing.parent["classes"] == ["ethics-signoffs"]
    items = [item[0].astext() for item in listing.children]
    assert items == [
        "Clinical lead: Dr A. O'Shah, 2026-10-20, Approved with conditions",
        "Ward manager: B. Lee, 2026-10-21, Not counted: done",
        "Patient partner: Not yet signed off",
    ]
    assert [len(item) for item in listing.children] == [2, 1, 1]  # one comment
    comment = listing[0][1]
    assert comment["classes"] == ["ethics-signoff-comment"]
    assert 'On condition that the "leaflet" is reviewed.' in comment.astext()
    assert "Not tied to a version of the answers" in comment.astext()
    # Outside a table: the table, in its scrolling box.
    (table,) = alone.findall(nodes.table)
    assert isinstance(table.parent, scroll_region)
    assert not signoff_lists(alone)


@pytest.mark.parametrize("builder", ["latex", "texinfo", "text", "html"])
def test_no_later_post_transform_edits_a_built_review(shared_build, builder):
    # Everything of a review is built by ExpandReviews: the post-transforms
    # left for blocks made while the page is read find nothing to do in it.
    doctree = expanded(shared_build("nested-tables", builder), "index")
    built = doctree.pformat()
    for transform in (NestedSignoffTables, AnchorTargets):
        transform(doctree).apply()
    assert doctree.pformat() == built


def test_a_review_on_a_page_in_another_language_is_built_marked_english(shared_build):
    # The guide's words are never translated: a French page's review is built
    # with them marked lang="en", so GuideLanguage finds nothing to do in it.
    doctree = expanded(shared_build("nested-tables", "html", language="fr"), "index")
    texts = [p for p in doctree.findall(nodes.paragraph) if "ethics-question-text" in p["classes"]]
    assert texts and all("language-en" in p["classes"] for p in texts)
    built = doctree.pformat()
    GuideLanguage(doctree).apply()
    assert doctree.pformat() == built


@pytest.mark.parametrize("builder", ["latex", "text"])
def test_worksheets_made_when_read_are_still_placed_when_written(shared_build, builder):
    # A worksheet in a table, and a blank checklist in an answer, are made
    # while the page is read: the post-transforms still list the one's
    # sign-offs and give the other's blocks targets in LaTeX.
    built = shared_build("nested-tables", builder)
    doctree = expanded(built, "worksheet")
    outer = next(doctree.findall(nodes.table))  # the grid table the worksheet is in
    (review,) = reviews(doctree).values()
    assert len(signoff_tables(outer)) == 1
    NestedSignoffTables(doctree).apply()
    AnchorTargets(doctree).apply()
    assert not signoff_tables(outer)
    (listing,) = signoff_lists(outer)
    assert [item.astext() for item in listing.children] == ["Clinical lead", "Patient partner"]
    assert len(signoff_tables(review)) == 1  # the review's own, in no table
    blank = next(
        c
        for c in review.findall(nodes.container)
        if "ethics-checklist" in c["classes"] and "ethics-answer" in c.parent["classes"]
    )
    if builder == "latex":
        assert blank["ids"] == [] and blank[0]["ids"] == ["ethics-co-production"]
        tex = next(built.outdir.glob("*.tex")).read_text("utf-8")
        assert r"\label{\detokenize{worksheet:ethics-co-production-1}}" in tex
        assert r"\label{\detokenize{index:in-a-cell-plan-1}}" in tex
    else:
        assert blank["ids"] == ["ethics-co-production"]
        text = (built.outdir / "worksheet.txt").read_text("utf-8")
        assert "**Clinical lead**" in text and "**Patient partner**" in text


def test_the_box_is_a_container_for_builders_we_do_not_know():
    # A third-party builder without a visitor for it falls back to the
    # container's (Sphinx dispatches along the node's bases).
    assert issubclass(scroll_region, nodes.container)


@pytest.mark.parametrize("selector", [":is(", ":where(", ":has(", ":not(:"])
def test_stylesheet_uses_no_selector_epub_readers_reject(selector):
    # EPUBCheck (CSS-008) rejects :is() and :where(), and :not() of anything
    # but one simple selector.
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text("utf-8"), flags=re.S)
    assert selector not in css


def test_stylesheet_wins_without_important():
    css = re.sub(r"/\*.*?\*/", "", CSS.read_text("utf-8"), flags=re.S)
    assert "!important" not in css
