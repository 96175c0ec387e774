"""Issue 25: performance at scale, without changing what is judged or shown."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from helpers import build_app, copy_root, soup, write_project
from hypothesis import example, given
from hypothesis import strategies as st

from sphinx_ethics.answers.slots import _BLANK_FILLERS, visible
from sphinx_ethics.extension import checks, summary
from sphinx_ethics.extension.expand import ExpandReviews
from sphinx_ethics.nodes import bar as bar_module


def visible_one_by_one(text: str) -> str:
    """The old ``visible``: every character looked at."""
    shown = "".join(c for c in text if unicodedata.category(c) != "Cf" and c not in _BLANK_FILLERS)
    return " ".join(shown.split())


@given(
    st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\u200b\u00ad\ufeff\u3164 a"))
)
@example("plan \u200bTBD\u00ad \u3164 café")
def test_visible_skips_ascii_but_removes_the_same_characters(text: str) -> None:
    assert visible(text) == visible_one_by_one(text)


# --------------------------------------------------------------------------
# The summary: built by a post-transform, with a progress bar per row (HTML)
# --------------------------------------------------------------------------

ROOT = Path(__file__).parent / "roots" / "test-programme"


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The programme root built to HTML in this process, problems counted."""
    base = tmp_path_factory.mktemp("perf-programme")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("_build"))
    return src, base / "out"


def rows(page: Path) -> list[Tag]:
    table = soup(page).select_one("table.ethics-summary")
    assert table is not None
    return table.select("tbody > tr")


def test_each_row_has_a_bar_whose_numbers_are_the_rows(programme, monkeypatch) -> None:
    src, out = programme
    calls = []
    original = checks.project_problems

    def counted(*args: object) -> list:
        calls.append(args)
        return original(*args)

    monkeypatch.setattr(checks, "project_problems", counted)
    app = build_app("html", src, out, {"ethics_fail_on_unanswered": True, "ethics_junit": "j.xml"})
    # The log, the two summary tables, the report, JUnit and the gate: one computation.
    assert len(calls) == 1
    page = Path(app.outdir) / "status.html"
    found = rows(page)
    assert len(found) >= 6
    for row in found:
        count = row.select_one("span.ethics-summary-count").get_text()
        answered, required = (int(n) for n in count.split(" / "))
        [svg] = row.find_all("svg")
        bar = ET.fromstring(str(svg))
        assert bar.get("role") == "img"
        assert int(bar.get("data-answered")) == answered
        assert int(bar.get("data-required")) == required
        ns = "{http://www.w3.org/2000/svg}"
        title = bar.find(f"{ns}title")
        desc = bar.find(f"{ns}desc")
        assert title is not None and desc is not None
        assert desc.text == f"{answered} / {required}"
        assert title.text.startswith(f"{answered} of {required} required question")
        done = next(r for r in bar.iter(f"{ns}rect") if "done" in (r.get("class") or ""))
        assert int(done.get("width")) == round(bar_module.WIDTH * answered / required)


def test_the_bar_is_deterministic_and_escapes_its_text() -> None:
    first = bar_module.progress_bar(3, 7, False, 'a <b> & "c"')
    assert first == bar_module.progress_bar(3, 7, False, 'a <b> & "c"')
    assert "<b>" not in first
    assert "a &lt;b&gt; &amp; &quot;c&quot;" in first
    ET.fromstring(first)  # well-formed
    assert 'width="80"' in bar_module.progress_bar(0, 0, True, "none required")


def test_latex_keeps_the_numbers_and_has_no_bar(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("_build"))
    app = build_app("latex", src, tmp_path / "out")
    tex = next(Path(app.outdir).glob("*.tex")).read_text("utf-8")
    assert "svg" not in tex
    assert "9 / 11" in tex


def test_the_report_is_compact_unless_asked_to_be_pretty(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("_build"))
    compact = build_app("html", src, tmp_path / "a")
    text = (Path(compact.outdir) / "ethics-report.json").read_text("utf-8")
    assert "\n" not in text.rstrip("\n")
    pretty = build_app("html", src, tmp_path / "b", {"ethics_report_pretty": True})
    indented = (Path(pretty.outdir) / "ethics-report.json").read_text("utf-8")
    assert indented.startswith('{\n  "schema_version"')
    assert json.loads(text) | {"generated_at": ""} == json.loads(indented) | {"generated_at": ""}


def test_summary_overdue_and_programme_are_built_in_one_post_transform(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("_build"))
    app = build_app("singlehtml", src, tmp_path / "out")
    assert ExpandReviews in app.registry.get_post_transforms()
    assert not hasattr(summary, "PAGE_BY_PAGE")
    handlers = [
        listener.handler.__module__ for listener in app.events.listeners["doctree-resolved"]
    ]
    assert not [h for h in handlers if h.startswith("sphinx_ethics")]
    page = soup(Path(app.outdir) / "index.html")
    assert page.select("table.ethics-summary tbody tr")
    assert page.select("p.ethics-overdue")  # sepsis is overdue
    assert not page.find(string=lambda t: "placeholder" in t)


def test_html_cells_escape_the_teams_words(tmp_path: Path) -> None:
    hostile = '<img src=x onerror="alert(1)"> & co'
    page = (
        "Page <b>\n=========\n\n"
        ".. ethics-review:: plan\n"
        "   :name: hostile\n"
        f"   :title: {hostile}\n"
        f"   :owner: {hostile}\n\n"
        "Status\n======\n\n.. ethics-summary::\n"
    )
    src = write_project(tmp_path, {"index.rst": page}, 'extensions = ["sphinx_ethics"]\n')
    app = build_app("html", src, tmp_path / "out")
    html = (Path(app.outdir) / "index.html").read_text("utf-8")
    table = html[html.index("<tbody>") :]
    table = table[: table.index("</table>")]
    assert "<img" not in table and "<b>" not in table
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; co" in table
    [row] = soup(Path(app.outdir) / "index.html").select("table.ethics-summary tbody tr")
    assert row.th.get_text().count(hostile) == 2  # title, and "Owner: ..."


@pytest.mark.parametrize("root", ["governance", "programme"])
def test_html_cells_are_the_markup_the_nodes_give(
    root: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The compact HTML rows are a second rendering of the same cells: they must
    not drift from what the node version gives through Sphinx's HTML writer
    (same elements, classes, links and words), apart from the progress bar."""

    def tables(build: str) -> list[str]:
        src = copy_root(root, tmp_path / build / "src")
        app = build_app("html", src, tmp_path / build / "out")
        html = (Path(app.outdir) / "status.html").read_text("utf-8")
        found = []
        for table in BeautifulSoup(html, "html.parser").select("table.ethics-summary"):
            for bar in table.select("svg.ethics-progress-bar"):
                bar.decompose()
            found.append(re.sub(r"\s+", " ", re.sub(r">\s+<", "><", str(table))))
        return found

    compact = tables("compact")
    monkeypatch.setattr(summary, "HtmlCells", lambda *args, **kwargs: None)
    with_nodes = tables("nodes")
    assert compact and compact == with_nodes
