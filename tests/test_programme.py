"""A QI programme of many reviews: summary table, role, reports, incremental builds."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from bs4 import BeautifulSoup
from helpers import block_with, build_html, warning_lines, write_project

ROOT = Path(__file__).parent / "roots" / "test-programme"
CONF = 'extensions = ["sphinx_ethics"]\n'
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    """One serial build of a copy of the programme root."""
    base = tmp_path_factory.mktemp("programme")
    src = base / "src"
    shutil.copytree(ROOT, src)
    out = base / "html"
    result = build_html(src, out, "-E")
    assert result.returncode == 0, result.stderr
    return src, out, result.stderr


def summary_tables(out: Path) -> list[list[dict[str, object]]]:
    """Each summary table on the status page, as rows of {column: cell}."""
    tables = []
    for table in soup(out / "status.html").select("table.ethics-summary"):
        heads = [th.get_text(strip=True) for th in table.select("thead th")]
        rows = []
        for tr in table.select("tbody tr"):
            cells = tr.find_all(["th", "td"])
            rows.append({h: c for h, c in zip(heads, cells, strict=True)})
        tables.append(rows)
    return tables


def review_names(rows: list[dict[str, object]]) -> list[str]:
    return [
        row["Review"].find(class_="ethics-review-name").get_text(strip=True).strip("()")  # type: ignore[attr-defined]
        for row in rows
    ]


def test_summary_lists_every_review_with_counts_and_status(built):
    _src, out, _ = built
    everything = summary_tables(out)[0]
    assert review_names(everything) == [
        "coproduction",
        "discharge",
        "falls",
        "wards-nutrition-collaboration",
        "pressure",
        "sepsis",
    ]
    by_name = dict(zip(review_names(everything), everything, strict=True))
    for row in everything:  # the progress bar's text says the count again
        for svg in row["Answered"].find_all("svg"):  # type: ignore[attr-defined]
            svg.decompose()
    cell = {
        name: {k: v.get_text(" ", strip=True) for k, v in row.items()}  # type: ignore[attr-defined]
        for name, row in by_name.items()
    }
    assert cell["falls"]["Answered"] == "11 / 11"
    assert cell["falls"]["Status"] == "approved"
    assert cell["falls"]["Review"].endswith("· Owner: Ward 7 team")
    assert cell["sepsis"]["Answered"] == "9 / 11 Unanswered: plan-2d , plan-8"
    assert cell["sepsis"]["Review by"] == "2026-06-30 Overdue"
    assert cell["falls"]["Review by"] == "2027-03-01"
    assert cell["pressure"]["Answered"] == "9 / 10 Unanswered: healthcare-good-8"
    assert cell["discharge"]["Answered"] == "6 / 6"  # answers file + nested answer
    assert cell["wards-nutrition-collaboration"]["Status"] == "not set"
    where = by_name["coproduction"]["Review"].select_one("p.ethics-summary-where")
    assert where.a.get_text() == "Co-production"  # the page the review is on, linked


def test_summary_links_resolve_to_the_right_anchors(built):
    _src, out, _ = built
    rows = summary_tables(out)[0]
    checked = 0
    for row in rows:
        for column in ("Review", "Answered"):
            for link in row[column].find_all("a"):  # type: ignore[attr-defined]
                page, _, anchor = link["href"].partition("#")
                target = out / page
                assert target.is_file(), link["href"]
                if anchor:
                    element = soup(target).find(id=anchor)
                    assert element is not None, link["href"]
                    if column == "Answered":
                        # the anchor is on the question, next to its placeholder
                        question = block_with(element, "ethics-question")
                        assert question.select_one(
                            ".ethics-badge-unanswered, .ethics-badge-placeholder"
                        )
                        assert link.get_text() in element["id"]
                checked += 1
    assert checked >= 15


def test_summary_filters_and_sorting(built):
    _src, out, _ = built
    _all, incomplete, approved, coproduction = summary_tables(out)
    # incomplete, sorted by review-by date (no date last)
    assert review_names(incomplete) == ["sepsis", "pressure", "wards-nutrition-collaboration"]
    assert review_names(approved) == ["discharge", "falls"]
    assert review_names(coproduction) == ["coproduction"]


def test_question_role_links_to_checklist_first_then_review(built):
    _src, out, _ = built
    links = soup(out / "status.html").select("a.reference.internal .ethics-question-ref")
    hrefs = {a.get_text(): a.find_parent("a")["href"] for a in links}
    assert hrefs["plan-2b"] == "handbook.html#ethics-plan-2b"  # the blank checklist wins
    assert hrefs["healthcare-good-5"] == "wards/pressure.html#pressure-healthcare-good-5"
    assert hrefs["co-production-1"] == "wards/coproduction.html#coproduction-co-production-1"
    # a group heading is a link target too
    assert hrefs["healthcare-good-3"] == "wards/pressure.html#pressure-healthcare-good-3"


def test_duplicate_review_names_warn_once_and_can_be_suppressed(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["sphinx_ethics"]\nexclude_patterns = ["out*"]\n')
    (src / "index.rst").write_text("T\n=\n\n.. toctree::\n\n   a\n   b\n\nSee :ref:`same`.\n")
    for page in ("a", "b"):
        (src / f"{page}.rst").write_text(
            f"{page.upper()}\n=\n\n.. ethics-review:: collaboration\n   :name: same\n\n"
            "   .. ethics-answer:: collaboration-1\n\n      Listening to every voice.\n"
        )
    result = build_html(src, tmp_path / "out", "-W")
    warnings = warning_lines(result.stderr)
    assert len(warnings) == 1, warnings
    assert "b.rst:4" in warnings[0] and "[ethics.duplicate-review]" in warnings[0]
    quiet = build_html(
        src, tmp_path / "out2", "-W", "-D", "suppress_warnings=ethics.duplicate-review"
    )
    assert quiet.returncode == 0, quiet.stderr
    page = soup(tmp_path / "out2" / "index.html")
    link = next(a for a in page.select("a.reference.internal") if "std-ref" in str(a))
    assert link["href"] == "a.html#same" and link.get_text() == "A"  # the section's title


def test_review_name_that_is_already_a_label_warns(tmp_path):
    """A `.. _same:` label read before a review named `same`: said, not silently lost."""
    pages = {
        "index.rst": "T\n=\n\n.. toctree::\n\n   a\n   b\n\nSee :ref:`same`.\n",
        "a.rst": ".. _same:\n\nA\n=\n\nText.\n",
        "b.rst": "B\n=\n\n.. ethics-review:: collaboration\n   :name: same\n\n"
        "   .. ethics-answer:: collaboration-1\n\n      Listening to every voice.\n",
    }
    result = build_html(write_project(tmp_path, pages, CONF), tmp_path / "out")
    warnings = warning_lines(result.stderr)
    assert len(warnings) == 1, warnings
    assert "b.rst:4" in warnings[0] and "already a label" in warnings[0]
    assert "[ethics.duplicate-review]" in warnings[0]
    link = soup(tmp_path / "out" / "index.html").select_one("a.reference.internal[href^='a.html']")
    assert link is not None  # the first label keeps its target


def test_questions_are_objects_for_intersphinx_and_any(tmp_path):
    page = "T\n=\n\n.. ethics-checklist:: collaboration\n\nSee :any:`collaboration-1`.\n"
    result = build_html(write_project(tmp_path, {"index.rst": page}, CONF), tmp_path / "out", "-W")
    assert result.returncode == 0, result.stderr
    link = soup(tmp_path / "out" / "index.html").select_one("a[href='#ethics-collaboration-1']")
    assert link is not None
    from sphinx.util.inventory import InventoryFile

    with open(tmp_path / "out" / "objects.inv", "rb") as stream:
        inventory = InventoryFile.load(stream, "https://example.org", lambda base, uri: uri)
    entries = inventory.data if hasattr(inventory, "data") else inventory
    entry = entries["ethics:question"]["collaboration-1"]
    uri = entry.uri if hasattr(entry, "uri") else entry[2]
    assert uri.endswith("index.html#ethics-collaboration-1")


def test_question_links_follow_a_target_added_elsewhere_incrementally(tmp_path):
    """A link must not keep its old target until -E (it changed on another page)."""
    pages = {
        "index.rst": "T\n=\n\n.. toctree::\n\n   review\n   handbook\n   links\n",
        # (not in index.rst: Sphinx rewrites a page whose toctree holds a changed page)
        "links.rst": "L\n=\n\nSee :ethics-question:`plan-1`.\n",
        "review.rst": "R\n=\n\n.. ethics-review:: plan\n   :name: falls\n\n"
        "   .. ethics-answer:: plan-1\n\n      Fewer falls.\n",
        "handbook.rst": "H\n=\n\nNothing yet.\n",
    }
    src = write_project(tmp_path, pages, CONF)
    out = tmp_path / "out"
    build_html(src, out)
    link = soup(out / "links.html").select_one("a:has(.ethics-question-ref)")
    assert link is not None and link["href"] == "review.html#falls-plan-1"
    (src / "handbook.rst").write_text("H\n=\n\n.. ethics-checklist:: plan\n")
    build_html(src, out)  # incremental: only handbook.rst changed
    link = soup(out / "links.html").select_one("a:has(.ethics-question-ref)")
    assert link["href"] == "handbook.html#ethics-plan-1"  # a blank checklist is preferred


def test_question_role_links_to_one_reviews_answer(tmp_path):
    page = (
        "T\n=\n\n.. ethics-checklist:: collaboration\n\n"
        ".. ethics-review:: collaboration\n   :name: ward7\n\n"
        "   .. ethics-answer:: collaboration-1\n\n      Yes.\n\n"
        "See :ethics-question:`ward7:collaboration-1`, :ethics-question:`ward8:collaboration-1`"
        " and :ethics-question:`ward7:plan-1`.\n"
    )
    result = build_html(write_project(tmp_path, {"index.rst": page}, CONF), tmp_path / "out")
    page = soup(tmp_path / "out" / "index.html")
    assert page.select_one("a[href='#ward7-collaboration-1']") is not None
    warnings = warning_lines(result.stderr)
    assert any("no review named 'ward8'" in w and 'did you mean "ward7"' in w for w in warnings)
    assert any("review 'ward7' does not ask plan-1" in w for w in warnings)


def test_question_role_to_unknown_id_warns_with_suggestion(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('extensions = ["sphinx_ethics"]\n')
    (src / "index.rst").write_text(
        "T\n=\n\nSee :ethics-question:`plan-2x` and :ethics-question:`plan-3`.\n"
    )
    result = build_html(src, tmp_path / "out")
    warnings = warning_lines(result.stderr)
    assert any(
        "index.rst:4" in w
        and "plan-2x" in w
        and 'did you mean "plan-2' in w
        and "[ethics.unknown-question]" in w
        for w in warnings
    ), warnings
    assert any("plan-3 is not shown on any page" in w for w in warnings), warnings


def test_json_report_matches_schema_and_counts(built):
    _src, out, _ = built
    report = json.loads((out / "ethics-report.json").read_text("utf-8"))
    schema_text = (
        resources.files("sphinx_ethics.schemas").joinpath("report.schema.json").read_text()
    )
    jsonschema.validate(report, json.loads(schema_text))
    assert report["schema_version"] == 3
    assert report["complete"] is False
    assert [c["id"] for c in report["checklists"]] == [
        "plan",
        "healthcare-good",
        "process-good",
        "collaboration",
        "co-production",
    ]
    plan = report["checklists"][0]
    assert plan["attribution"]["original"]["doi"] == "10.1017/9781009325233"
    assert plan["attribution"]["changes"].startswith("Excerpted and reformatted")
    assert plan["version"]
    reviews = {r["name"]: r for r in report["reviews"]}
    sepsis = reviews["sepsis"]
    assert (sepsis["required"], sepsis["answered"]) == (11, 9)
    assert sepsis["docname"] == "wards/sepsis"
    assert sepsis["line"] == 4
    assert sepsis["metadata"] == {
        "owner": "Sepsis team",
        "reviewers": [],
        "date": "",
        "review_by": "2026-06-30",
        "status": "in-review",
    }
    states = {s["id"]: s["state"] for s in sepsis["slots"]}
    assert states["plan-2d"] == states["plan-8"] == "unanswered"
    assert reviews["pressure"]["slots"][-1]["state"] == "placeholder"
    discharge = {s["id"]: s["state"] for s in reviews["discharge"]["slots"]}
    assert discharge["process-good-2"] == "not-applicable"
    assert reviews["discharge"]["answered"] == 6
    # version 2: complete, overdue, the review's problems, answers with their place
    assert sepsis["complete"] is False and sepsis["overdue"] is True
    subtypes = sorted(p["subtype"] for p in sepsis["problems"])
    assert subtypes == ["overdue", "unanswered", "unanswered"]
    assert all(p["file"] == "wards/sepsis.rst" and p["line"] > 0 for p in sepsis["problems"])
    first = sepsis["slots"][0]
    assert first["answer"] and (first["file"], first["line"] > 4) == ("wards/sepsis.rst", True)
    assert {s["answer"] for s in sepsis["slots"] if s["state"] == "unanswered"} == {""}


def test_junit_report_one_suite_per_review_failures_counted(built):
    _src, out, _ = built
    root = ET.parse(out / "reports" / "ethics-junit.xml").getroot()
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert len(suites) == 7  # six reviews, and the problems outside any review
    assert suites["(project)"].get("failures") == "0"
    sepsis = suites["sepsis"]
    # 11 required slots, the review-by date, and "no other problems"
    assert (sepsis.get("tests"), sepsis.get("failures")) == ("13", "3")
    failed = [
        c.get("name").split(":")[0]
        for c in sepsis.findall("testcase")
        if c.find("failure") is not None
    ]
    assert failed == ["plan-2d", "plan-8", "review by 2026-06-30"]
    assert sepsis.find("testcase").get("file") == "wards/sepsis.rst"
    total_failures = sum(int(s.get("failures")) for s in suites.values())
    assert root.get("failures") == str(total_failures)


def test_answers_file_combines_with_nested_answers(built):
    _src, out, _ = built
    page = soup(out / "wards" / "discharge.html")
    answer = block_with(page.find(id="discharge-process-good-1a"), "ethics-question")
    assert answer.select_one(".ethics-answer strong").get_text() == "everyone"


def test_answers_file_problems_warn_with_file_and_line(tmp_path):
    src = tmp_path / "src"
    (src / "answers").mkdir(parents=True)
    (src / "conf.py").write_text('extensions = ["sphinx_ethics"]\n')
    (src / "answers" / "bad.yaml").write_text("plan-1: fine\nplan-3:\n  text: [unclosed\n")
    (src / "answers" / "dup.yaml").write_text("plan-1: From the file.\nplan-1x: typo\n")
    (src / "index.rst").write_text(
        "T\n=\n\n"
        ".. ethics-review:: plan\n   :answers: answers/bad.yaml\n\n"
        ".. ethics-review:: plan\n   :answers: answers/dup.yaml\n\n"
        "   .. ethics-answer:: plan-1\n\n      Nested.\n\n"
        ".. ethics-review:: plan\n   :answers: ../outside.yaml\n\n"
        ".. ethics-review:: plan\n   :answers: nowhere.yaml\n"
    )
    warnings = warning_lines(build_html(src, tmp_path / "out").stderr)
    bad = str(src / "answers" / "bad.yaml")
    dup = str(src / "answers" / "dup.yaml")
    expected = [
        (f"{bad}:4", "invalid YAML", "[ethics.answers-file]"),
        (f"{dup}:1", "plan-1 is answered twice", "[ethics.duplicate-answer]"),
        (f"{dup}:2", 'did you mean "plan-1"', "[ethics.unknown-question]"),
        ("index.rst:14", "outside the source directory", "[ethics.answers-file]"),
        ("index.rst:17", "not found", "[ethics.answers-file]"),
    ]
    for where, what, tag in expected:
        assert any(where in w and what in w and tag in w for w in warnings), (where, warnings)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def reread_docs(stdout: str) -> set[str]:
    """Documents Sphinx says it read, from its status output."""
    return set(re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", ANSI.sub("", stdout)))


def states_everywhere(out: Path, review: str, slot: str) -> tuple[str, bool, str, bool]:
    """(JSON state, in summary's unanswered cell, JUnit has failure, on review page)."""
    report = json.loads((out / "ethics-report.json").read_text("utf-8"))
    record = next(r for r in report["reviews"] if r["name"] == review)
    json_state = next(s["state"] for s in record["slots"] if s["id"] == slot)
    row = dict(zip(review_names(summary_tables(out)[0]), summary_tables(out)[0], strict=True))[
        review
    ]
    in_summary = slot in row["Answered"].get_text()  # type: ignore[attr-defined]
    junit = ET.parse(out / "reports" / "ethics-junit.xml").getroot()
    suite = next(s for s in junit.findall("testsuite") if s.get("name") == review)
    case = next(c for c in suite.findall("testcase") if c.get("name").startswith(f"{slot}:"))
    counts = row["Answered"].select_one(".ethics-summary-count").get_text()  # type: ignore[attr-defined]
    return json_state, in_summary, case.find("failure") is not None, counts


def test_incremental_build_reflects_a_removed_and_restored_answer(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src)
    out = tmp_path / "html"
    first = build_html(src, out)
    assert first.returncode == 0
    assert states_everywhere(out, "falls", "plan-4") == ("answered", False, False, "11 / 11")

    # Remove one answer's text: only that page and the summary page are re-read.
    page = src / "wards" / "falls.rst"
    original = page.read_text("utf-8")
    edit(page, "      Falls answer to plan-4.\n", "")
    second = build_html(src, out)
    assert reread_docs(second.stdout) == {"wards/falls", "status"}
    assert states_everywhere(out, "falls", "plan-4") == ("unanswered", True, True, "10 / 11")
    assert any("falls.rst" in w and "plan-4: unanswered" in w for w in warning_lines(second.stderr))

    # A rebuild with no change re-reads nothing and still lists the warning.
    third = build_html(src, out)
    assert reread_docs(third.stdout) == set()
    assert any("plan-4: unanswered" in w for w in warning_lines(third.stderr))

    # Restore it: gone everywhere.
    page.write_text(original, "utf-8")
    fourth = build_html(src, out)
    assert reread_docs(fourth.stdout) == {"wards/falls", "status"}
    assert states_everywhere(out, "falls", "plan-4") == ("answered", False, False, "11 / 11")
    assert not any("plan-4" in w for w in warning_lines(fourth.stderr))


def test_parallel_build_gives_same_warnings_and_reports(built, tmp_path):
    src, out, serial_stderr = built
    parallel_out = tmp_path / "html-j2"
    result = build_html(src, parallel_out, "-E", "-j", "2")
    assert result.returncode == 0
    assert warning_lines(result.stderr) == warning_lines(serial_stderr)
    for name in ("ethics-report.json", "reports/ethics-junit.xml"):
        # the same but for the time each was written (schema 3's generated_at)
        stamp = re.compile(r'"generated_at": ?"[^"]*"')
        parallel, serial = ((d / name).read_text() for d in (parallel_out, out))
        assert stamp.sub("", parallel) == stamp.sub("", serial)
    assert len(warning_lines(serial_stderr)) == 5


def test_summary_in_latex(tmp_path):
    cmd = [sys.executable, "-m", "sphinx", "-W", "-b", "latex", str(ROOT), str(tmp_path)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    # -W fails on the unanswered slots, but the LaTeX is still written in full
    assert "Traceback" not in result.stderr
    tex = next(tmp_path.glob("*.tex")).read_text("utf-8")
    headers = re.findall(r"\\sphinxstyletheadfamily\s*\\sphinxAtStartPar\s*Review by", tex)
    assert len(headers) == 4  # one table per ethics-summary
    assert "wards/sepsis:sepsis-plan-2d" in tex  # hyperref to the placeholder
    assert "Overdue" in tex


def test_ethics_check_builder_warns_like_html_and_writes_no_pages(built, tmp_path):
    src, _out, html_stderr = built
    out = tmp_path / "check"
    cmd = [sys.executable, "-m", "sphinx", "-E", "-b", "ethics-check", str(src), str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert warning_lines(result.stderr) == warning_lines(html_stderr)
    assert not list(out.rglob("*.html"))
    report = json.loads((out / "ethics-report.json").read_text("utf-8"))
    assert len(report["reviews"]) == 6


def test_reports_are_readable_like_the_other_output_files(built):
    _src, out, _ = built
    page_mode = (out / "index.html").stat().st_mode & 0o777
    for name in ("ethics-report.json", "reports/ethics-junit.xml"):
        assert (out / name).stat().st_mode & 0o777 == page_mode, name
