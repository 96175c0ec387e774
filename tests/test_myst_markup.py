"""MyST fence slips: colon fences without ``colon_fence``, and equal-length fences.

Either makes a review vanish or fall apart with no word from MyST, so the
build warns (``ethics.markup``), the gate fails, ``check`` exits 1 and
``update`` refuses the page with the same advice.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import ROOTS, parse_warnings, sphinx_build
from test_cli import run

from sphinx_ethics.answers.fences import fence_problems, page_colon_fence

FENCES = ROOTS / "test-myst-fences"
ADVICE = 'myst_enable_extensions = ["colon_fence"]'

COLON_REVIEW = """\
# Review

::::{ethics-review} plan
:owner: Ward 7 QI team

:::{ethics-answer} plan-1
Reducing falls.
:::
::::
"""

EQUAL_COLONS = """\
# Review

:::{ethics-review} plan

:::{ethics-answer} plan-1
Reducing falls.
:::
:::
"""


# --------------------------------------------------------------------------
# The scanner (pure)
# --------------------------------------------------------------------------


def test_colon_fences_without_colon_fence_are_one_problem_with_the_advice() -> None:
    slips = fence_problems(COLON_REVIEW, colon_fence=False)
    assert [s.line for s in slips] == [3]
    assert "::::{ethics-review} is a colon fence" in slips[0].message
    assert ADVICE in slips[0].message and "backtick fences" in slips[0].message
    assert "1 more ethics fence" in slips[0].message
    assert fence_problems(COLON_REVIEW, colon_fence=True) == []


def test_equal_colon_fences_close_the_review_early() -> None:
    slips = fence_problems(EQUAL_COLONS, colon_fence=True)
    assert [s.line for s in slips] == [5]
    message = slips[0].message
    assert "{ethics-answer}" in message and "ethics-review at line 3" in message
    assert "more colons" in message and "::::{ethics-review}" in message
    # Without colon_fence the same page is the other slip, not this one.
    assert "colon_fence is not enabled" in fence_problems(EQUAL_COLONS, False)[0].message


@pytest.mark.parametrize(
    ("review", "answer", "problem"),
    [
        ("```", "```", True),
        ("```", "````", True),  # longer inside: still closes the review
        ("````", "```", False),
        ("~~~", "~~~", True),
        ("```", "~~~", False),  # another character never closes it
        ("::::", ":::", False),
        ("::::", "```", False),
        (":::", "```", False),
    ],
)
def test_fence_lengths(review: str, answer: str, problem: bool) -> None:
    text = f"{review}{{ethics-review}} plan\n\n{answer}{{ethics-answer}} plan-1\nYes.\n"
    text += f"{answer}\n{review}\n"
    slips = fence_problems(text, colon_fence=True)
    assert [s.line for s in slips] == ([3] if problem else [])


def test_one_problem_per_review_and_each_review_checked() -> None:
    one = "```{ethics-review} plan\n```{ethics-answer} plan-1\nA\n```\n"
    one += "```{ethics-answer} plan-2a\nB\n```\n```\n\n"
    good = "````{ethics-review} plan\n```{ethics-answer} plan-1\nA\n```\n````\n\n"
    slips = fence_problems(one + good + one, colon_fence=False)
    second = len((one + good).splitlines()) + 2
    assert [s.line for s in slips] == [2, second]


def test_fences_in_code_blocks_are_examples() -> None:
    text = (
        "````markdown\n:::{ethics-review} plan\n:::{ethics-answer} plan-1\n:::\n:::\n````\n\n"
        "```{code-block} md\n:::{ethics-review} plan\n```\n\n"
        "````{ethics-review} plan\n~~~\n```{ethics-answer} plan-1\n~~~\n````\n"
    )
    assert fence_problems(text, colon_fence=False) == []
    assert fence_problems(text, colon_fence=True) == []


def test_a_nested_directive_inside_a_review_is_looked_into() -> None:
    text = "````{note}\n:::{ethics-review} plan\n:::\n````\n"
    assert [s.line for s in fence_problems(text, colon_fence=False)] == [2]


def test_front_matter_can_enable_colon_fence_for_one_page() -> None:
    page = "---\nmyst:\n  enable_extensions: [colon_fence]\n---\n" + COLON_REVIEW
    assert page_colon_fence(page, default=False) is True
    assert page_colon_fence(COLON_REVIEW, default=False) is False
    other = "---\nmyst:\n  enable_extensions: [deflist]\n---\n"
    assert page_colon_fence(other, default=True) is False


# --------------------------------------------------------------------------
# The build: -W, the gate, check
# --------------------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="myst-fences", freshenv=True)
def test_the_build_warns_with_file_and_line(app) -> None:
    app.build()
    found = [w for w in parse_warnings(app.warning.getvalue()) if w.subtype == "markup"]
    assert sorted(w.where for w in found) == ["colon.md:3", "equal.md:6"]
    colon = next(w for w in found if w.file == "colon.md")
    assert ADVICE in colon.message
    equal = next(w for w in found if w.file == "equal.md")
    assert "more backticks" in equal.message
    # Recorded for the gate and the report, like every reading problem.
    from sphinx_ethics.extension.checks import all_problems

    recorded = [p for p in all_problems(app) if p.subtype == "markup"]
    assert sorted((p.docname, p.line) for p in recorded) == [("colon", 3), ("equal", 6)]


@pytest.mark.sphinx(
    "html",
    testroot="myst-fences",
    freshenv=True,
    confoverrides={"suppress_warnings": ["ethics.unanswered", "ethics.markup"]},
)
def test_a_suppressed_markup_problem_is_not_counted(app) -> None:
    app.build()
    assert "[ethics.markup]" not in app.warning.getvalue()
    from sphinx_ethics.extension.checks import all_problems

    assert not [p for p in all_problems(app) if p.subtype == "markup"]


@pytest.fixture
def colon_only(tmp_path: Path) -> Path:
    """A project whose only problem is a colon-fenced review without colon_fence."""
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copyfile(FENCES / "conf.py", docs / "conf.py")
    (docs / "index.md").write_text(COLON_REVIEW, "utf-8")
    return docs


def test_w_fails_the_build(colon_only: Path, tmp_path: Path) -> None:
    result = sphinx_build("-W", "-E", "-q", "-b", "html", colon_only, tmp_path / "out")
    assert result.returncode != 0
    assert "index.md:3: WARNING" in result.stderr and "[ethics.markup]" in result.stderr


def test_fail_on_unanswered_fails_the_build(colon_only: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = sphinx_build("-E", "-q", "-b", "html", colon_only, out)
    assert result.returncode == 0, result.stderr
    result = sphinx_build(
        "-E", "-q", "-b", "html", "-D", "ethics_fail_on_unanswered=1", colon_only, out
    )
    assert result.returncode == 1, result.stderr
    assert "[ethics.markup]" in result.stderr and "1 ethics problem(s)" in result.stderr


def test_check_exits_1(colon_only: Path) -> None:
    result = run("check", colon_only)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 ethics problem: problems found" in result.stdout
    assert ADVICE in result.stderr


def test_check_counts_equal_fences(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    shutil.copytree(FENCES, docs)
    (docs / "colon.md").unlink()
    (docs / "index.md").write_text("# Fences\n\n```{toctree}\nequal\nfine\n```\n", "utf-8")
    # One answer only: nothing else (no orphan answer) gives the slip away.
    equal = "```{ethics-review} plan\n:name: equal\n\n```{ethics-answer} plan-1\nYes.\n```\n```\n"
    (docs / "equal.md").write_text("# Equal\n\n" + equal, "utf-8")
    result = run("check", docs)
    assert result.returncode == 1
    assert "equal.md:6: WARNING" in result.stderr and "more backticks" in result.stderr


# --------------------------------------------------------------------------
# update: the page is not "up to date" when the build cannot read it
# --------------------------------------------------------------------------


def test_update_reports_colon_fences_without_colon_fence(colon_only: Path) -> None:
    page = colon_only / "index.md"
    for args in (["update", page], ["update", "--check", page]):
        result = run(*args)
        assert result.returncode == 1, result.stdout + result.stderr
        lines = result.stdout.splitlines()
        assert len(lines) == 1 and "up to date" not in result.stdout
        assert lines[0].startswith(f"{page}:3: ") and ADVICE in lines[0]
        assert lines[0].endswith("page not updated")
    assert page.read_text("utf-8") == COLON_REVIEW


def test_update_reports_equal_fences(colon_only: Path) -> None:
    (colon_only / "conf.py").write_text(
        'extensions = ["sphinx_ethics", "myst_parser"]\nmyst_enable_extensions = ["colon_fence"]\n',
        "utf-8",
    )
    page = colon_only / "index.md"
    page.write_text(EQUAL_COLONS, "utf-8")
    result = run("update", page)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{page}:5: ")
    assert "more colons" in lines[0]
    assert page.read_text("utf-8") == EQUAL_COLONS


def test_update_still_updates_a_page_with_colon_fence(colon_only: Path) -> None:
    (colon_only / "conf.py").write_text(
        'extensions = ["sphinx_ethics", "myst_parser"]\nmyst_enable_extensions = ["colon_fence"]\n',
        "utf-8",
    )
    result = run("update", colon_only / "index.md")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "added 10 stubs" in result.stdout
