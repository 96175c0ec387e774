"""Integrity: a review that is not complete is never reported complete.

One test per way a review was found to *look* complete when it was not
(SPEC §6), each on a small project built the way a user builds it.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import ROOTS, build_html, cli, soup, sphinx_build, warning_lines, write_project

from sphinx_ethics.answers.slots import classify_answer, parse_date
from sphinx_ethics.extension.config import DEFAULTS

CONF = 'extensions = ["sphinx_ethics"]\nethics_today = "2026-11-01"\n'


def project(tmp_path: Path, pages: dict[str, str], conf: str = CONF) -> Path:
    return write_project(tmp_path, pages, conf)


def review_page(options: str = "", answers: str = "", checklists: str = "collaboration") -> str:
    body = "".join(f"   {line}\n" for line in options.splitlines())
    return f"Review\n======\n\n.. ethics-review:: {checklists}\n{body}\n{answers}"


ANSWERED = "   .. ethics-answer:: collaboration-1\n\n      We listen to every voice.\n"


def report(out: Path) -> dict:
    return json.loads((out / "ethics-report.json").read_text("utf-8"))


def check(src: Path) -> tuple[int, dict]:
    result = cli("check", "--json", src)
    return result.returncode, json.loads(result.stdout)


# --------------------------------------------------------------------------
# Silent passes
# --------------------------------------------------------------------------


def test_option_typo_keeps_the_review_and_fails_every_gate(tmp_path):
    src = project(tmp_path, {"index.rst": review_page(":reviewer: Dr X", ANSWERED)})
    code, data = check(src)
    assert code == 1 and data["complete"] is False
    (review,) = data["reviews"]  # the review did not vanish
    assert [p["subtype"] for p in review["problems"]] == ["option"]
    assert 'did you mean "reviewers"' in review["problems"][0]["message"]
    gate = sphinx_build(
        "-b", "html", "-D", "ethics_fail_on_unanswered=1", src, tmp_path / "out"
    )  # fmt: skip
    assert gate.returncode == 1, gate.stderr


def test_duplicate_option_that_docutils_drops_still_fails_the_gate(tmp_path):
    page = review_page(":status: draft\n:status: approved", ANSWERED)
    code, data = check(project(tmp_path, {"index.rst": page}))
    assert code == 1 and data["complete"] is False
    assert [p["subtype"] for p in data["problems"]] == ["option"]
    assert "could not be read" in data["problems"][0]["message"]


def test_misspelt_checklist_fails_without_W_and_shows_on_the_page(tmp_path):
    page = review_page("", ANSWERED, checklists="collaboration co-prodution")
    src = project(tmp_path, {"index.rst": page}, CONF + "ethics_fail_on_unanswered = True\n")
    result = build_html(src, tmp_path / "out")
    assert result.returncode == 1, result.stderr
    box = soup(tmp_path / "out" / "index.html").select_one("div.ethics-review")
    progress = box.select_one("p.ethics-progress")
    assert "ethics-progress-incomplete" in progress["class"]
    assert "Not complete" in progress.get_text()
    problems = box.select_one("div.ethics-problems").get_text()
    assert "co-prodution" in problems and "did you mean" in problems
    (review,) = report(tmp_path / "out")["reviews"]
    assert review["complete"] is False and review["answered"] == review["required"] == 1


def test_a_checklist_named_twice_counts_once_with_a_warning(tmp_path):
    src = project(tmp_path, {"index.rst": review_page("", ANSWERED, "collaboration collaboration")})
    result = build_html(src, tmp_path / "out")
    (review,) = report(tmp_path / "out")["reviews"]
    assert (review["required"], review["answered"]) == (1, 1)
    assert any("named 2 times" in w for w in warning_lines(result.stderr))
    assert review["complete"] is False


@pytest.mark.parametrize(
    "answer",
    [
        # an option after a blank line: it is answer text, not an option
        "   .. ethics-answer:: collaboration-1\n\n      :status: not-applicable\n\n"
        "      Not relevant.\n",
        # a draft status after the text would count the draft as final
        "   .. ethics-answer:: collaboration-1\n\n      Our text.\n\n      :status: draft\n",
        # text not indented under the answer: it is not part of it
        "   .. ethics-answer:: collaboration-1\n\n   We listen to every voice.\n",
    ],
    ids=["option-after-blank", "status-after-text", "unindented-text"],
)
def test_markup_slips_keep_the_slot_open(tmp_path, answer):
    result = build_html(project(tmp_path, {"index.rst": review_page("", answer)}), tmp_path / "o")
    assert any("[ethics.markup]" in w for w in warning_lines(result.stderr)), result.stderr
    (review,) = report(tmp_path / "o")["reviews"]
    assert review["slots"][0]["state"] == "unanswered" and review["answered"] == 0


@pytest.mark.parametrize(
    "text", ["TBD.", "tbc", "To be confirmed", "...", "…", "To do!", "None yet", "n/a", "—"]
)
def test_placeholders_are_not_answers(text):
    state, _reason = classify_answer(text, "answered", DEFAULTS["ethics_placeholder_patterns"])
    assert state == "placeholder"


def test_suggestions_for_an_unknown_answer_id_name_a_slot_not_a_group(tmp_path):
    page = review_page("", "   .. ethics-answer:: plan-2e\n\n      Words.\n", "plan")
    result = build_html(project(tmp_path, {"index.rst": page}), tmp_path / "out")
    (warning,) = [w for w in warning_lines(result.stderr) if "plan-2e" in w]
    assert 'did you mean "plan-2d"' in warning


def test_not_applicable_placeholder_says_how_to_mark_it():
    _state, reason = classify_answer("N/A", "answered", DEFAULTS["ethics_placeholder_patterns"])
    assert ":status: not-applicable" in reason


@pytest.mark.parametrize("value", ["~", "null", "false", "''", ""])
def test_yaml_null_and_false_are_not_answers(tmp_path, value):
    page = review_page(":answers: answers.yaml")
    src = project(tmp_path, {"index.rst": page, "answers.yaml": f"collaboration-1: {value}\n"})
    result = build_html(src, tmp_path / "out")
    (review,) = report(tmp_path / "out")["reviews"]
    assert review["answered"] == 0 and review["slots"][0]["answer"] == ""
    # the warning points at the answers file's line, not at the page
    (warning,) = [w for w in warning_lines(result.stderr) if "[ethics.unanswered]" in w]
    assert "answers.yaml:1" in warning


def test_an_empty_page_answer_does_not_hide_the_answers_file(tmp_path):
    page = review_page(":answers: answers.yaml", "   .. ethics-answer:: collaboration-1\n")
    src = project(tmp_path, {"index.rst": page, "answers.yaml": "collaboration-1: We listen.\n"})
    result = build_html(src, tmp_path / "out")
    (review,) = report(tmp_path / "out")["reviews"]
    assert review["answered"] == 1 and review["slots"][0]["answer"] == "We listen."
    duplicates = [w for w in warning_lines(result.stderr) if "duplicate-answer" in w]
    assert duplicates, result.stderr


def test_overdue_is_in_the_report_check_and_junit(tmp_path):
    conf = CONF + 'ethics_junit = "junit.xml"\n'
    src = project(tmp_path, {"index.rst": review_page(":review-by: 2026-10-01", ANSWERED)}, conf)
    build_html(src, tmp_path / "out")
    (review,) = report(tmp_path / "out")["reviews"]
    assert review["overdue"] is True and review["complete"] is False
    suite = ET.parse(tmp_path / "out" / "junit.xml").getroot().find("testsuite")
    failures = [c.get("name") for c in suite if c.find("failure") is not None]
    assert failures == ["review by 2026-10-01"]
    code, data = check(src)
    assert code == 1 and data["reviews"][0]["overdue"] is True


def test_a_review_inside_only_is_counted_and_flagged(tmp_path):
    page = "T\n=\n\n.. only:: latex\n\n" + "".join(
        f"   {line}\n" if line else "\n" for line in review_page().splitlines()[3:]
    )
    result = build_html(project(tmp_path, {"index.rst": page}), tmp_path / "out")
    (review,) = report(tmp_path / "out")["reviews"]
    assert review["required"] == 1 and review["complete"] is False
    assert any("inside '.. only:: latex'" in w for w in warning_lines(result.stderr))


# --------------------------------------------------------------------------
# Containment
# --------------------------------------------------------------------------


def test_answers_file_text_cannot_insert_raw_html_or_files(tmp_path):
    answers = (
        "collaboration-1: |\n  Real words.\n\n  .. raw:: html\n\n"
        "     <script>alert(1)</script>\n\n  .. include:: /etc/hostname\n"
    )
    page = review_page(":answers: answers.yaml")
    src = project(tmp_path, {"index.rst": page, "answers.yaml": answers})
    build_html(src, tmp_path / "out")
    html = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in html
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").is_file() else ""
    if hostname:
        assert f">{hostname}<" not in html and f"<p>{hostname}</p>" not in html


def test_markdown_raw_html_in_an_answers_file_is_shown_as_text(tmp_path):
    conf = 'extensions = ["sphinx_ethics", "myst_parser"]\n'
    page = "# Review\n\n```{ethics-review} collaboration\n:answers: answers.yaml\n```\n"
    answers = "collaboration-1: |\n  Words.\n\n  <script>alert(1)</script>\n"
    src = project(tmp_path, {"index.md": page, "answers.yaml": answers}, conf)
    build_html(src, tmp_path / "out")
    html = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("status", ["x}\\input{/etc/hostname}", "50% done", "in review two"])
def test_review_status_never_becomes_a_class_or_latex(tmp_path, status):
    src = project(tmp_path, {"index.rst": review_page(f":status: {status}", ANSWERED)})
    build_html(src, tmp_path / "html")
    box = soup(tmp_path / "html" / "index.html").select_one("div.ethics-review")
    assert "ethics-review-no-status" in box["class"]
    assert not [c for c in box["class"] if "%" in c or "input" in c]
    result = sphinx_build("-b", "latex", src, tmp_path / "latex")
    tex = next((tmp_path / "latex").glob("*.tex")).read_text("utf-8")
    assert "\\input{/etc/hostname}" not in tex.replace("\\textbackslash{}", "")
    assert result.returncode == 0


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("ethics_checklists = None", "ethics_checklists must be a list of strings"),
        ("ethics_placeholder_patterns = 5", "ethics_placeholder_patterns must be a list"),
        ("ethics_junit = 5", "ethics_junit must be a file name"),
        ('ethics_junit = "."', "ethics_junit must name a file ending in .xml"),
        ('ethics_junit = "index.html"', "ethics_junit must name a file ending in .xml"),
        ('ethics_junit = "../../x.xml"', "is outside the output directory"),
    ],
)
def test_bad_settings_are_problems_not_tracebacks(tmp_path, setting, message):
    src = project(tmp_path, {"index.rst": review_page("", ANSWERED)}, CONF + setting + "\n")
    result = build_html(src, tmp_path / "out")
    assert any(message in w and "[ethics.config]" in w for w in warning_lines(result.stderr))
    assert (tmp_path / "out" / "index.html").read_text("utf-8").startswith("<!DOCTYPE html>")
    assert not (tmp_path / "x.xml").exists()


def test_junit_is_well_formed_with_control_characters(tmp_path):
    conf = CONF + 'ethics_junit = "junit.xml"\n'
    page = review_page(":name: ward\x07seven", "   .. ethics-answer:: collaboration-1\n")
    build_html(project(tmp_path, {"index.rst": page}, conf), tmp_path / "out")
    root = ET.parse(tmp_path / "out" / "junit.xml").getroot()  # raises if not well formed
    assert root.get("failures") != "0"


@pytest.mark.parametrize("value", ["20250101", "2025-W01-1", "2025-1-1", "2025-02-30"])
def test_only_calendar_dates_in_full_are_dates(value):
    assert parse_date(value) is None


def test_roots_exist():
    assert (ROOTS / "test-programme").is_dir()


def test_overdue_follows_the_real_date_without_any_change(tmp_path, monkeypatch):
    """No page changed and no setting either: only the calendar moved past the
    review-by date. The review's page and the summary must still say so."""
    import datetime as dt
    from io import StringIO

    from sphinx.testing.util import SphinxTestApp

    from sphinx_ethics.answers import slots

    pages = {
        "index.rst": "T\n=\n\n.. toctree::\n\n   review\n\n.. ethics-summary::\n",
        "review.rst": review_page(":review-by: 2027-01-10", ANSWERED),
    }
    src = project(tmp_path, pages, 'extensions = ["sphinx_ethics"]\n')

    def build_on(day: dt.date) -> Path:
        class Day(dt.date):
            @classmethod
            def today(cls) -> dt.date:
                return day

        monkeypatch.setattr(slots.dt, "date", Day)
        app = SphinxTestApp("html", srcdir=src, builddir=tmp_path / "build",
                            status=StringIO(), warning=StringIO())  # fmt: skip
        try:
            app.build()
        finally:
            app.cleanup()
        return Path(app.outdir)

    out = build_on(dt.date(2027, 1, 1))
    assert soup(out / "review.html").select_one("p.ethics-overdue") is None
    out = build_on(dt.date(2027, 2, 1))  # incremental: nothing to read
    assert soup(out / "review.html").select_one("p.ethics-overdue") is not None
    assert "Overdue" in soup(out / "index.html").select_one("table").get_text()


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            "T\n=\n\n.. ethics-summary::\n   :sort: date\n",
            'choose from "document", "name", "status", "review-by", or "progress"',
        ),
        (
            review_page(
                "", "   .. ethics-answer:: collaboration-1\n      :statue: draft\n\n      Words.\n"
            ),
            'unknown option :statue: (did you mean "status"?)',
        ),
        (
            "T\n=\n\n.. ethics-answer:: plan-1\n\n   Words.\n",
            "indent it under the review's directive",
        ),
    ],
    ids=["sort-values", "option-suggestion", "orphan-how-to-fix"],
)
def test_messages_say_what_to_do(tmp_path, page, expected):
    result = build_html(project(tmp_path, {"index.rst": page}), tmp_path / "out")
    assert any(expected in w for w in warning_lines(result.stderr)), result.stderr
