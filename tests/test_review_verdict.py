"""``sphinx-ethics review`` says the verdict first, refuses a misleading file name,
and writes a Word paper fit for a UK board (SPEC sections 9 and 11, issue 19).

An approved review whose last answer is "TBC" is the issue's example: the
board paper used to say "Status: Approved" and exit 0.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import EXAMPLE, write_project
from test_cli import CONF, one_error_line, run
from test_review_export import FALLS, needs_docx

from sphinx_ethics.catalogue import load_catalog

SLOTS = [slot.id for slot in load_catalog().checklists["plan"].slots()]
#: plan-8 "TBC" is unanswered, and an approved review with one unanswered is a problem.
VERDICT = "NOT COMPLETE: 2 problems"


def approved_page(last: str, status: str = "approved") -> str:
    """An approved plan review; every answer real but the last, which is ``last``."""
    answers = "".join(
        f"   .. ethics-answer:: {slot}\n\n      Our answer to {slot}, see "
        f"`the audit <https://example.org/audit>`_.\n\n"
        for slot in SLOTS[:-1]
    )
    answers += f"   .. ethics-answer:: {SLOTS[-1]}\n\n      {last}\n"
    return (
        "Board review\n============\n\n.. ethics-review:: plan\n   :name: board\n"
        f"   :status: {status}\n   :owner: Ward 7\n\n" + answers
    )


@pytest.fixture(scope="module")
def tbc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("tbc")
    return write_project(tmp, {"review.rst": approved_page("TBC")}, CONF)


@pytest.fixture(scope="module")
def done(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("done")
    return write_project(tmp, {"review.rst": approved_page("We did.")}, CONF)


def written(src: Path, out: Path, *args: str) -> tuple[int, str]:
    result = run("review", src, "board", "-o", out, *args)
    assert "Traceback" not in result.stderr
    assert out.exists(), result.stderr
    return result.returncode, result.stderr


# --------------------------------------------------------------------------
# The verdict, first in every format; exit 1 unless --allow-incomplete
# --------------------------------------------------------------------------


def test_markdown_starts_with_the_verdict_and_lists_the_problem(tbc: Path, tmp_path: Path):
    code, stderr = written(tbc, tmp_path / "board.md")
    assert code == 1, stderr
    assert f"{VERDICT} (status 1" in stderr
    lines = (tmp_path / "board.md").read_text("utf-8").splitlines()
    assert lines[0] == VERDICT
    assert lines[2].startswith("- review.rst:") and f"{SLOTS[-1]}:" in lines[2]
    assert "TBC" in lines[2]  # says why: a placeholder
    assert "marked approved but 1 required question" in lines[3]
    status = next(line for line in lines if line.startswith("- **Status:**"))
    assert status == "- **Status:** Approved (NOT COMPLETE)"


def test_html_has_a_banner_at_the_top(tbc: Path, tmp_path: Path):
    code, _ = written(tbc, tmp_path / "board.html")
    assert code == 1
    page = BeautifulSoup((tmp_path / "board.html").read_text("utf-8"), "html.parser")
    first = page.body.find(True)
    assert first.name == "div" and first["role"] == "alert"
    assert first.p.get_text() == VERDICT
    assert len(first.find_all("li")) == 2 and SLOTS[-1] in first.li.get_text()
    assert page.body.get_text("\n", strip=True).splitlines()[0] == VERDICT
    status = page.find("dt", string="Status").find_next_sibling("dd").get_text()
    assert status == "Approved (NOT COMPLETE)"


def test_csv_first_row_is_the_verdict(tbc: Path, tmp_path: Path):
    code, _ = written(tbc, tmp_path / "board.csv")
    assert code == 1
    rows = list(csv.reader(io.StringIO((tmp_path / "board.csv").read_text("utf-8"))))
    assert rows[0] == [VERDICT]
    assert SLOTS[-1] in rows[1][0] and "approved" in rows[2][0] and rows[3] == []
    assert rows[4][:3] == ["review", "checklist", "id"]  # then the slots, as before
    assert len(rows) == 5 + len(SLOTS)


def test_json_says_complete_false_with_the_problems(tbc: Path, tmp_path: Path):
    code, _ = written(tbc, tmp_path / "board.json")
    assert code == 1
    document = json.loads((tmp_path / "board.json").read_text("utf-8"))
    assert list(document)[:3] == ["complete", "verdict", "problems"]
    assert (document["complete"], document["verdict"]) == (False, VERDICT)
    assert [p["subtype"] for p in document["problems"]] == ["unanswered", "approved-unanswered"]
    assert document["problems"][0]["file"] == "review.rst"


def test_docx_has_a_banner_first(tbc: Path, tmp_path: Path):
    docx = needs_docx()
    code, _ = written(tbc, tmp_path / "board.docx")
    assert code == 1
    paper = docx.Document(str(tmp_path / "board.docx"))
    first, problem, _approved, title = paper.paragraphs[:4]
    assert first.text == VERDICT and first.runs[0].bold
    assert problem.style.name == "List Bullet" and SLOTS[-1] in problem.text
    assert title.style.name == "Title"
    details = {row.cells[0].text: row.cells[1].text for row in paper.tables[0].rows}
    assert details["Status"] == "Approved (NOT COMPLETE)"


def test_allow_incomplete_exits_0_and_still_shows_the_banner(tbc: Path, tmp_path: Path):
    code, stderr = written(tbc, tmp_path / "board.md", "--allow-incomplete")
    assert code == 0, stderr
    assert f"note: review 'board': {VERDICT}" in stderr
    assert (tmp_path / "board.md").read_text("utf-8").startswith(VERDICT + "\n")


def test_a_complete_review_has_no_banner_and_exits_0(done: Path, tmp_path: Path):
    for suffix in ("md", "html", "csv", "json"):
        code, stderr = written(done, tmp_path / f"board.{suffix}")
        assert code == 0, stderr
        text = (tmp_path / f"board.{suffix}").read_text("utf-8")
        assert "NOT COMPLETE" not in text
    assert (tmp_path / "board.md").read_text("utf-8").startswith("# Board review\n")
    assert "- **Status:** Approved\n" in (tmp_path / "board.md").read_text("utf-8")
    assert (tmp_path / "board.csv").read_text("utf-8").startswith("review,checklist,id,")
    document = json.loads((tmp_path / "board.json").read_text("utf-8"))
    assert (document["complete"], document["verdict"], document["problems"]) == (True, "", [])


def test_a_suppressed_unanswered_warning_still_makes_it_incomplete(tmp_path: Path):
    """Fail closed: the report may list no problem for a slot left open."""
    conf = CONF + 'suppress_warnings = ["ethics.unanswered"]\n'
    src = write_project(tmp_path, {"review.rst": approved_page("TBC", "draft")}, conf)
    result = run("review", src, "board", "--format", "md")
    assert result.returncode == 1, result.stderr
    first, _, problem = result.stdout.splitlines()[:3]
    assert first == "NOT COMPLETE: 1 problem"
    assert problem.endswith("1 required question not answered")


# --------------------------------------------------------------------------
# File names: the suffix says the format, or --format does
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-o", "board.pdf"], "review does not write PDF; write HTML (-o board.html, or "
         "--format html) and print it to PDF from the browser"),
        (["-o", "board.txt"], ".txt is not a format review writes; name it .md, .html, .docx, "
         ".csv or .json, or give --format (md, html, docx, csv, json)"),
        (["-o", "board"], "the name has no suffix"),
        (["--format", "docx", "-o", "x.html"], "-o x.html: .html is for --format html, "
         "not docx; name it x.docx, or leave out --format"),
        (["--format", "md", "-o", "x.JSON"], ".json is for --format json, not md"),
    ],
    ids=["pdf", "txt", "no-suffix", "docx-as-html", "md-as-json"],
)  # fmt: skip
def test_a_misleading_file_name_is_refused(tmp_path: Path, args: list[str], expected: str):
    result = run("review", EXAMPLE, FALLS, *args, cwd=tmp_path)
    assert result.returncode == 2
    assert expected in one_error_line(result)
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing built


def test_format_names_the_format_of_any_other_suffix(tmp_path: Path):
    result = run("review", EXAMPLE, FALLS, "--format", "md", "-o", tmp_path / "board.txt")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "board.txt").read_text("utf-8").startswith("# Ethics review")


# --------------------------------------------------------------------------
# Word: A4, real links, page numbers, the date it was made
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def falls_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    needs_docx()
    out = tmp_path_factory.mktemp("falls-docx") / "board.docx"
    result = run("review", EXAMPLE, FALLS, "-o", out)
    assert result.returncode == 0, result.stderr
    return out


def part(docx_file: Path, name: str) -> str:
    with zipfile.ZipFile(docx_file) as package:
        return package.read(name).decode("utf-8")


def test_docx_is_a4_with_2cm_margins(falls_docx: Path):
    body = part(falls_docx, "word/document.xml")
    (size,) = re.findall(r"<w:pgSz [^>]*/>", body)
    assert 'w:w="11906"' in size and 'w:h="16838"' in size  # A4 in twips
    (margins,) = re.findall(r"<w:pgMar [^>]*/>", body)
    for side in ("top", "bottom", "left", "right"):
        assert f'w:{side}="1134"' in margins  # 20 mm


def test_docx_links_are_real_hyperlinks(falls_docx: Path):
    rels = part(falls_docx, "word/_rels/document.xml.rels")
    targets = set(re.findall(r'Target="([^"]+)"[^>]*TargetMode="External"', rels))
    targets |= set(re.findall(r'TargetMode="External"[^>]*Target="([^"]+)"', rels))
    assert "https://www.nice.org.uk/guidance/ng249" in targets  # an answer's link
    assert "https://ths.im/explain-this" in targets  # the attribution's
    body = part(falls_docx, "word/document.xml")
    links = re.findall(r"<w:hyperlink [^>]*r:id=\"(rId\d+)\"[^>]*>(.*?)</w:hyperlink>", body)
    texts = {"".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", inner)) for _rid, inner in links}
    assert "NICE guideline NG249 on falls" in texts
    docx = needs_docx()
    paper = docx.Document(str(falls_docx))
    assert all(
        paper.part.rels[rid].target_ref.startswith(("https://", "http://", "mailto:"))
        for rid, _inner in links
    )


def test_docx_footer_numbers_pages_and_dates_the_paper(falls_docx: Path):
    docx = needs_docx()
    paper = docx.Document(str(falls_docx))
    footer = paper.sections[0].footer._element.xml
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", footer)
    assert re.search(r"<w:instrText[^>]*> NUMPAGES </w:instrText>", footer)
    made = re.search(r"Made (\d{4}-\d{2}-\d{2})", paper.sections[0].footer.paragraphs[0].text)
    assert made, paper.sections[0].footer.paragraphs[0].text
    details = {row.cells[0].text: row.cells[1].text for row in paper.tables[0].rows}
    assert details["Made"] == made.group(1)
    assert paper.paragraphs[-1].text.endswith(f" on {made.group(1)}.")


def test_source_date_epoch_fixes_the_date_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01
    result = run("review", EXAMPLE, FALLS, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["made"] == "2027-01-01"
