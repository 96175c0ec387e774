"""Overdue on the review itself, the problems box, and the PDF (SPEC sections 2, 6).

``roots/test-overdue``: with ``ethics_today = 2027-02-01``, one review whose
review-by date (2027-01-01) has passed, one that is not yet due, one with a
problem (an answer to an unknown question), and a summary page.  The overdue
review's answer holds symbols pdflatex has no definition for (≥ ≤ µ) and an
emoji.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import pytest
from helpers import (
    ROOTS,
    block_with,
    latexpdf,
    missing,
    no_crash,
    norm,
    pdf_text,
    pdftotext,
    soup,
    sphinx_build,
)
from test_builders import needs_latexmk

ROOT = ROOTS / "test-overdue"
OVERDUE = "Overdue: review was due 2027-01-01"
PROBLEMS = "Problems to fix before this review can be complete"


def review_box(page: Path, name: str):
    target = soup(page).find(id=name)
    assert target is not None, name
    return block_with(target, "ethics-review")


# --------------------------------------------------------------------------
# Overdue on the review: HTML, text, incremental builds
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("overdue-html")
    result = sphinx_build("-b", "html", "-d", tmp / "doctrees", ROOT, tmp / "html")
    no_crash(result)
    assert result.returncode == 0, result.stderr
    return tmp / "html"


def test_overdue_review_says_so_after_its_progress_line(html: Path):
    box = review_box(html / "overdue.html", "falls-late")
    line = box.find("p", class_="ethics-overdue")
    assert line is not None
    assert norm(line.get_text()) == OVERDUE
    badge = line.find("span", class_="ethics-badge-overdue")
    assert badge is not None and "ethics-badge" in badge["class"]
    assert norm(badge.get_text()) == "Overdue"
    # Near the top: right after the progress line, before the questions.
    previous = line.find_previous_sibling()
    assert previous is not None and "ethics-progress" in previous["class"]
    assert line.find_next_sibling("div", class_="ethics-checklist") is not None


def test_a_review_not_yet_due_says_nothing_of_it(html: Path):
    box = review_box(html / "current.html", "falls-current")
    assert box.find(class_="ethics-overdue") is None
    assert "Overdue" not in box.get_text()


def test_overdue_in_the_text_builder(tmp_path: Path):
    result = sphinx_build("-b", "text", ROOT, tmp_path / "text")
    no_crash(result)
    text = (tmp_path / "text" / "overdue.txt").read_text("utf-8")
    lines = [line.strip() for line in text.splitlines()]
    assert OVERDUE in lines
    # after "1 of 11 required questions answered." and before the questions
    assert lines.index("1 of 11 required questions answered.") < lines.index(OVERDUE)
    assert lines.index(OVERDUE) < next(i for i, x in enumerate(lines) if x.startswith("**1.**"))
    assert "Overdue" not in (tmp_path / "text" / "current.txt").read_text("utf-8")


def test_overdue_follows_a_changed_today_without_rereading_the_page(tmp_path: Path):
    """``ethics_today`` rewrites the pages but reads none again: the line must
    be decided when the page is written."""

    def build(when: str) -> subprocess.CompletedProcess[str]:
        args = ["-b", "html", "-d", tmp_path / "doctrees", "-D", f"ethics_today={when}"]
        result = sphinx_build(*args, ROOT, tmp_path / "html")
        no_crash(result)
        assert result.returncode == 0, result.stderr
        return result

    def overdue_line() -> str | None:
        line = review_box(tmp_path / "html" / "overdue.html", "falls-late").find(
            "p", class_="ethics-overdue"
        )
        return None if line is None else norm(line.get_text())

    build("2026-12-01")
    assert overdue_line() is None
    second = build("2027-02-01")
    assert "overdue.rst" not in second.stdout  # not read again...
    assert "writing output... [" in second.stdout  # ...but written again
    assert overdue_line() == OVERDUE
    build("2026-12-31")
    assert overdue_line() is None


# --------------------------------------------------------------------------
# The problems box
# --------------------------------------------------------------------------


def test_problems_box_is_shown_on_the_review(html: Path):
    box = review_box(html / "problems.html", "falls-problem")
    problems = box.find("div", class_="ethics-problems")
    assert problems is not None
    assert norm(problems.find("span", class_="ethics-badge-problem").get_text()) == PROBLEMS
    assert "plan-99" in problems.find("ul").get_text()


# --------------------------------------------------------------------------
# LaTeX and PDF
# --------------------------------------------------------------------------


def test_latex_has_the_overdue_line_and_styles_for_it(tmp_path: Path):
    result = sphinx_build("-b", "latex", ROOT, tmp_path / "latex")
    no_crash(result)
    assert result.returncode == 0, result.stderr
    tex = (tmp_path / "latex" / "ethics-overdue.tex").read_text("utf-8")
    assert re.search(
        r"\\DUrole\{ethics-overdue\}\{\\DUrole\{ethics-badge\}\{\\DUrole\{ethics-badge-overdue\}"
        r"\{Overdue\}\}: review was due \\DUrole\{ethics-date\}\{2027",
        tex,
    )
    assert tex.count("DUrole{ethics-overdue}") == 1  # only the overdue review
    assert r"\begin{sphinxuseclass}{ethics-problems}" in tex
    assert r"\begin{sphinxuseclass}{ethics-summary-table}" in tex
    sty = (tmp_path / "latex" / "sphinxethics.sty").read_text("utf-8")
    for macro in (
        "role{ethics-overdue}",
        "role{ethics-badge-overdue}",
        "DUroleethics-badge-problem",
        "role{ethics-date}",
        "{sphinxclassethics-problems}",
        "{sphinxclassethics-summary-table}",
    ):
        assert macro in sty, macro


@pytest.fixture(scope="module")
def overdue_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    """The root's PDF as text (one line), and its words as laid out.

    The words come from ``pdftotext -bbox``, which keeps a word broken at a
    line end in its two pieces ("Over-", "due"); plain ``pdftotext`` joins
    them again and would hide the break.
    """
    if shutil.which("latexmk") is None:
        missing("latexmk (TeX Live) is not installed")
    tmp = tmp_path_factory.mktemp("overdue-pdf")
    pdf = latexpdf(ROOT, tmp)
    joined = pdf_text(pdf)
    xhtml = pdftotext(pdf, "-bbox")
    words = [unescape(w) for w in re.findall(r"<word [^>]*>([^<]*)</word>", xhtml)]
    return joined, words


def test_pdf_shows_overdue_on_the_review(overdue_pdf):
    joined, _words = overdue_pdf
    assert OVERDUE in joined
    assert joined.count("review was due") == 1


def test_pdf_shows_the_problems_box(overdue_pdf):
    joined, _words = overdue_pdf
    assert PROBLEMS in joined
    assert "plan-99" in joined
    assert "[plan-1]" in joined  # the question's id after its text


def test_pdf_summary_does_not_hyphenate_dates_or_headings(overdue_pdf):
    _joined, words = overdue_pdf
    # The summary is the last chapter: from its (upper-case) title on.
    start = max(i for i, w in enumerate(words[:-1]) if (w, words[i + 1]) == ("REVIEW", "STATUS"))
    summary = words[start:]
    for word in ("Answered", "Unanswered:", "2027-01-01", "2027-11-20", "2027-06-01"):
        assert word in summary, (word, summary)
    assert summary.count("Overdue") == 2  # in the Status and the Review by columns
    assert summary.count("in-review") == 1
    broken = [w for w in summary if w.endswith("-")]
    assert not broken, f"words broken at a line end in the PDF summary: {broken}"


def test_pdf_prints_symbols_and_an_emoji_in_answers(overdue_pdf):
    """pdflatex stops at ≥ without a definition; sphinxethics.sty gives one
    for common symbols and prints any other character as its code point."""
    joined, _words = overdue_pdf
    assert "Falls ≥ 3 per month" in joined
    assert "stays ≤ 5 days" in joined
    assert "25 µg daily" in joined
    assert "plan → do → study → act" in joined
    assert "U+1F44D" in joined  # the emoji, as its code point in a box


# --------------------------------------------------------------------------
# A draft PDF of an incomplete review (docs/gate.rst)
# --------------------------------------------------------------------------


@needs_latexmk
def test_gate_blocks_the_pdf_and_a_draft_pdf_can_still_be_made(tmp_path: Path):
    gated = sphinx_build(
        "-M", "latexpdf", ROOT, tmp_path / "gated", "-q", "-D", "ethics_fail_on_unanswered=1"
    )
    no_crash(gated)
    assert gated.returncode != 0
    assert not list((tmp_path / "gated" / "latex").glob("*.pdf"))

    draft = sphinx_build(
        "-M",
        "latexpdf",
        ROOT,
        tmp_path / "draft",
        "-q",
        "-D",
        "ethics_fail_on_unanswered=0",
        timeout=900,
    )
    no_crash(draft)
    assert draft.returncode == 0, draft.stdout[-3000:] + draft.stderr[-3000:]
    (pdf,) = (tmp_path / "draft" / "latex").glob("*.pdf")
    text = pdf_text(pdf)
    assert "Not yet answered" in text
    assert "unanswered" in draft.stderr  # the open questions are still listed
