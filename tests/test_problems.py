"""Every problem is logged one way: typed ``ethics.<subtype>``, so it can be silenced.

An AST scan finds every warning or error call in the package; a build shows
that ``suppress_warnings`` silences the report-writing and gate lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import sphinx_build, warning_lines, write_project

from sphinx_ethics.problems import SUBTYPES

PACKAGE = Path(__file__).parent.parent / "sphinx_ethics"
LEVELS = {"warning", "error", "critical"}
CONF = 'extensions = ["sphinx_ethics"]\nethics_today = "2026-11-01"\n'
PAGE = "Review\n======\n\n.. ethics-review:: collaboration\n"


def is_logger(node: ast.expr) -> bool:
    """``logger``, ``LOGGER``, ``_logger()`` or ``logging.getLogger(...)`` (not argparse's)."""
    if isinstance(node, ast.Call):
        node = node.func
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
        return name in {"_logger", "getLogger"}
    return isinstance(node, ast.Name) and node.id.lower() in {"logger", "_logger", "log"}


def untyped_calls(source: str, name: str) -> list[str]:
    """Logging calls at warning level or above without ``type="ethics"`` and a known subtype.

    A subtype passed on from a parameter (``problems.warn``) is allowed; a
    literal one must be in :data:`SUBTYPES`.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in LEVELS
            and is_logger(node.func.value)
        ):
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        kind, subtype = keywords.get("type"), keywords.get("subtype")
        typed = isinstance(kind, ast.Constant) and kind.value == "ethics"
        if isinstance(subtype, ast.Constant):
            known = subtype.value in SUBTYPES
        else:
            known = isinstance(subtype, ast.Name)
        if not (typed and known):
            found.append(f"{name}:{node.lineno}: {ast.unparse(node.func)}(...)")
    return found


def literal_subtypes(source: str) -> list[tuple[int, str]]:
    """The literal subtypes given to ``warn(...)``, ``Problem(...)`` and ``.problem(...)``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        first = node.args[0]
        literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
        if called in {"warn", "Problem", "problem"} and literal:
            found.append((node.lineno, first.value))
    return found


def test_every_warning_and_error_in_the_package_is_typed() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += untyped_calls(path.read_text("utf-8"), str(path.relative_to(PACKAGE)))
    assert found == []


def test_every_literal_subtype_is_a_known_one() -> None:
    unknown = [
        (str(path.relative_to(PACKAGE)), line, subtype)
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.parent.name != "catalogue"  # a ChecklistProblem starts with a file name
        for line, subtype in literal_subtypes(path.read_text("utf-8"))
        if subtype not in SUBTYPES
    ]
    assert unknown == []


def test_the_scan_finds_an_untyped_call() -> None:
    """Not a tautology: untyped, half-typed and unknown subtypes are all caught."""
    source = (
        'logger.warning("x")\n'
        'logger.warning("x", type="ethics")\n'
        'logger.error("x", type="other", subtype="gate")\n'
        'LOGGER.warning("x", type="ethics", subtype="no-such-subtype")\n'
        'logger.warning("x", type="ethics", subtype="report")\n'
        'logging.getLogger("x").warning("x")\n'
        'parser.error("not a logger")\n'
    )
    lines = [line.split(":")[1] for line in untyped_calls(source, "m")]
    assert lines == ["1", "2", "3", "4", "6"]


def report_blocked(tmp_path: Path, suppress: str) -> tuple[Path, str]:
    """A project whose ``ethics-report.json`` is a folder: the report cannot be written."""
    conf = CONF + f"suppress_warnings = {suppress}\n"
    src = write_project(tmp_path, {"index.rst": PAGE}, conf)
    out = tmp_path / "out"
    (out / "ethics-report.json").mkdir(parents=True)
    return out, src


def test_a_report_that_cannot_be_written_is_ethics_report(tmp_path: Path) -> None:
    out, src = report_blocked(tmp_path, "[]")
    lines = warning_lines(sphinx_build("-b", "html", src, out).stderr)
    assert [w for w in lines if "not writing" in w and w.endswith("[ethics.report]")]


def test_suppress_warnings_silences_the_report_warning(tmp_path: Path) -> None:
    out, src = report_blocked(tmp_path, '["ethics.report"]')
    result = sphinx_build("-b", "html", "-W", src, out)
    assert not [w for w in warning_lines(result.stderr) if "not writing" in w]
    assert [w for w in warning_lines(result.stderr) if "[ethics.unanswered]" in w]


@pytest.mark.parametrize("suppress", ["[]", '["ethics.gate"]'])
def test_the_gate_line_is_typed_and_silencing_it_keeps_the_failure(
    tmp_path: Path, suppress: str
) -> None:
    conf = CONF + f"ethics_fail_on_unanswered = True\nsuppress_warnings = {suppress}\n"
    src = write_project(tmp_path, {"index.rst": PAGE}, conf)
    result = sphinx_build("-b", "html", src, tmp_path / "out")
    gate = [w for w in warning_lines(result.stderr) if "ethics_fail_on_unanswered is set" in w]
    assert result.returncode == 1
    assert gate == ([] if "gate" in suppress else gate[:1])
    if "gate" not in suppress:
        assert gate[0].endswith("[ethics.gate]")


def test_answers_file_problems_are_problems_with_file_and_line(tmp_path: Path) -> None:
    from sphinx_ethics.answers.file import read_answers
    from sphinx_ethics.problems import Problem

    path = tmp_path / "a.yaml"
    path.write_text("plan-1: We asked.\nplan-2:\n  text: x\n  colour: red\n", "utf-8")
    answers, problems = read_answers(path, "a.yaml")
    assert [(a.question_id, a.file, a.line, a.location) for a in answers] == [
        ("plan-1", "a.yaml", 1, "a.yaml:1"),
        ("plan-2", "a.yaml", 2, "a.yaml:2"),
    ]
    assert [type(p) for p in problems] == [Problem]
    assert (problems[0].subtype, problems[0].file, problems[0].line) == (
        "answers-file",
        "a.yaml",
        2,
    )
    assert problems[0].location == "a.yaml:2"


def test_an_unknown_ethics_directive_is_not_taken_for_a_dropped_one(tmp_path: Path) -> None:
    """The dropped-directive check reads the message's structure: a misspelt name
    is docutils' own error, not "could not be read"; a duplicate option is."""
    page = PAGE + "   :status: draft\n   :status: approved\n\n.. ethics-reveiw:: collaboration\n"
    src = write_project(tmp_path, {"index.rst": page}, CONF)
    lines = warning_lines(sphinx_build("-b", "html", src, tmp_path / "out").stderr)
    dropped = [w for w in lines if "could not be read" in w]
    assert len(dropped) == 1 and "ethics-review could not be read" in dropped[0]
    assert "duplicate option" in dropped[0] and dropped[0].endswith("[ethics.option]")
