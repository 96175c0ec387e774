"""Our tables scroll in a focusable, labelled box in HTML, and only there (issue 26).

The sign-off table, the summary and the programme's tables are each put in
``div.ethics-scroll`` with ``tabindex="0"``, ``role="region"`` and an
``aria-label`` (axe's ``scrollable-region-focusable``: a box that scrolls
must be reachable by keyboard).  LaTeX and text get the table alone.  The
stylesheet makes that box the one that scrolls, in every theme
(``test_browser_themes.py`` checks it in a browser); it uses no selector an
EPUB reader (or EPUBCheck, ``test_epub.py``) does not know.
"""

from __future__ import annotations

import re

import pytest
from helpers import REPO, build_html, soup, write_project

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
    assert not html.select("div.ethics-scroll")


def test_the_box_is_a_container_for_builders_we_do_not_know():
    # A third-party builder without a visitor for it falls back to the
    # container's (Sphinx dispatches along the node's bases).
    from docutils import nodes

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
