"""``sphinx-ethics check --format github|gitlab|sarif``: CI annotations (SPEC §14).

The falls example, copied into a git repository under ``docs/`` and given
problems of each kind that matters for placing them: an unanswered slot on
a page, a placeholder at a line of an answers file, an answer outside any
review (no review) and a bad configuration value (no review, no file).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import EXAMPLE, assert_snapshot, cli, missing, sphinx_build
from hypothesis import given
from hypothesis import strategies as st

from sphinx_ethics.cli import ci_formats
from sphinx_ethics.cli.ci_formats import Finding
from sphinx_ethics.extension.reports import junit_tree
from sphinx_ethics.problems import SUBTYPES
from sphinx_ethics.repository import RepoPaths, clean_prefix, git_toplevel

SARIF_SCHEMA = Path(__file__).parent / "schemas" / "sarif-2.1.0-rtm.5.json"
GIT = shutil.which("git")

EXTRA_PAGE = """\
Extra review
============

.. ethics-review:: collaboration
   :name: extra-review
   :registration: QI-2026-999
   :answers: answers, 100%.yaml

.. ethics-answer:: plan-1

   An answer outside every review.
"""
ANSWERS = """\
# Answers from the ward survey
collaboration-1: TBD
"100%, a:b": stray
"""


def run(*args: object, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return cli(*args, cwd=cwd, env=dict(env or {}))


def make_project(root: Path, *, git: bool, blank_lines: int = 0) -> Path:
    """The falls example with problems under ``root/docs``; ``blank_lines`` moves every one down."""
    docs = root / "docs"
    shutil.copytree(EXAMPLE, docs)
    review = docs / "ethics-review.rst"
    text = review.read_text("utf-8")
    start = text.index("   .. ethics-answer:: plan-1\n")
    end = text.index("   .. ethics-answer:: plan-2\n")
    review.write_text(text[:start] + text[end:], "utf-8")
    (docs / "extra.rst").write_text(EXTRA_PAGE, "utf-8")
    (docs / "answers, 100%.yaml").write_text(ANSWERS, "utf-8")
    index = docs / "index.rst"
    index.write_text(
        index.read_text("utf-8").replace("   ethics-review\n", "   ethics-review\n   extra\n"),
        "utf-8",
    )
    with (docs / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(
            '\nethics_placeholder_patterns = "TBD"  # not a list: a problem without a file\n'
        )
    if blank_lines:
        for page in (review, docs / "extra.rst"):
            lines = page.read_text("utf-8").splitlines(keepends=True)
            page.write_text("".join(lines[:3] + ["\n"] * blank_lines + lines[3:]), "utf-8")
        answers = docs / "answers, 100%.yaml"
        answers.write_text("#\n" * blank_lines + answers.read_text("utf-8"), "utf-8")
    if git:
        subprocess.run([GIT, "init", "-q", str(root)], check=True)
    return docs


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not GIT:
        missing("git is not installed")
    root = tmp_path_factory.mktemp("repo")
    make_project(root, git=True)
    return root


@pytest.fixture(scope="module")
def outputs(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Each format once, run from the repository root as CI does."""
    found: dict[str, Any] = {}
    summary = tmp_path_factory.mktemp("summary") / "step-summary.md"
    summary.write_text("Earlier step\n", "utf-8")
    for name in ci_formats.FORMATS:
        env = {"GITHUB_STEP_SUMMARY": str(summary)} if name == "github" else None
        found[name] = run("check", "docs", "--format", name, cwd=repo, env=env)
    found["summary"] = summary.read_text("utf-8")
    return found


# --------------------------------------------------------------------------
# The three formats on a real project
# --------------------------------------------------------------------------


def test_github_format(outputs: dict[str, Any]) -> None:
    result = outputs["github"]
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert all(line.startswith("::error file=docs/") for line in lines), result.stdout
    assert_snapshot(result.stdout, "ci-github.txt")
    # An unanswered slot on the page, at the review's line:
    assert "::error file=docs/ethics-review.rst,line=13,title=ethics.unanswered::plan-1: " in (
        result.stdout
    )
    # A placeholder at its line in the answers file; the file name escaped:
    assert (
        "::error file=docs/answers%2C 100%25.yaml,line=2,title=ethics.unanswered::collaboration-1"
        in result.stdout
    )
    # No review: an orphan answer at its line; a configuration value at conf.py.
    assert "::error file=docs/extra.rst,line=9,title=ethics.orphan-answer::plan-1: " in (
        result.stdout
    )
    assert "::error file=docs/conf.py,line=1,title=ethics.config::ethics_placeholder_patterns" in (
        result.stdout
    )
    # The message of the unknown question keeps its comma and colon; its % is escaped.
    assert "unknown question '100%25, a:b'" in result.stdout
    # The human summary went to stderr, with where the paths are relative to.
    assert "Total: 4 reviews" in result.stderr
    assert "paths relative to the git work tree" in result.stderr


def test_github_step_summary_lists_every_problem(outputs: dict[str, Any]) -> None:
    summary = outputs["summary"]
    assert summary.startswith("Earlier step\n### sphinx-ethics: 6 ethics problems\n")
    rows = [line for line in summary.splitlines() if line.startswith("| docs")]
    assert len(rows) == len(outputs["github"].stdout.splitlines()) == 6
    assert r"| docs\/answers\, 100\%\.yaml | 2 |" in summary


def test_gitlab_format(outputs: dict[str, Any]) -> None:
    result = outputs["gitlab"]
    assert result.returncode == 1, result.stderr
    assert not result.stdout.startswith("\ufeff")
    assert_snapshot(result.stdout, "ci-gitlab.json")
    issues = json.loads(result.stdout)
    assert len(issues) == 6
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["check_name"].removeprefix("ethics.") in SUBTYPES
        assert issue["location"]["path"].startswith("docs/")
        assert issue["location"]["lines"]["begin"] >= 1
        assert len(issue["fingerprint"]) == 64 and int(issue["fingerprint"], 16) >= 0
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    placed = {(i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues}
    assert ("docs/answers, 100%.yaml", 2) in placed


def test_sarif_format_is_valid_sarif_2_1_0(outputs: dict[str, Any]) -> None:
    result = outputs["sarif"]
    assert result.returncode == 1, result.stderr
    assert_snapshot(result.stdout, "ci-sarif.json")
    log = json.loads(result.stdout)
    validator = jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text("utf-8")))
    assert list(validator.iter_errors(log)) == []
    [sarif_run] = log["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [f"ethics.{s}" for s in SUBTYPES]
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and "``" not in rule["help"]["text"]
    results = sarif_run["results"]
    assert len(results) == 6
    for item in results:
        assert item["level"] == "error"
        assert rules[item["ruleIndex"]]["id"] == item["ruleId"]
        location = item["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].startswith("docs/")
        assert location["region"]["startLine"] >= 1
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "docs/answers%2C%20100%25.yaml" in uris
    # The schema is live: a result at line 0 is rejected.
    results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(validator.iter_errors(log))


def test_output_file_and_stdout_alone(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "reports" / "ethics.sarif"
    result = run("check", "docs", "--format", "sarif", "-o", target, "-v", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""  # Sphinx's progress (-v) went to stderr too
    assert "Running Sphinx" in result.stderr
    assert json.loads(target.read_text("utf-8"))["version"] == "2.1.0"
    assert "Total: 4 reviews" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "github", "--json"], "give --json or --format, not both"),
        (["-o", "x.json"], "-o/--output needs --format"),
        (["--path-prefix", "docs"], "--path-prefix needs --format"),
        (["--format", "xml"], "invalid choice"),
    ],
)
def test_option_mistakes_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "conf.py").write_text('extensions = ["sphinx_ethics"]\n', "utf-8")
    result = run("check", ".", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_clean_project_exits_0_with_no_annotation(tmp_path: Path) -> None:
    (tmp_path / "conf.py").write_text('extensions = ["sphinx_ethics"]\n', "utf-8")
    (tmp_path / "index.rst").write_text("Home\n====\n", "utf-8")
    for name, empty in (("github", ""), ("gitlab", "[]\n")):
        result = run("check", ".", "--format", name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout == empty


def test_suppressed_subtype_is_left_out(tmp_path: Path) -> None:
    docs = make_project(tmp_path, git=False)
    with (docs / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('suppress_warnings = ["ethics.unanswered"]\n')
    result = run("check", docs, "--format", "gitlab", cwd=tmp_path)
    kinds = {issue["check_name"] for issue in json.loads(result.stdout)}
    assert "ethics.unanswered" not in kinds and "ethics.orphan-answer" in kinds


# --------------------------------------------------------------------------
# Fingerprints
# --------------------------------------------------------------------------


def test_fingerprints_stay_when_lines_move(outputs: dict[str, Any], tmp_path: Path) -> None:
    make_project(tmp_path, git=True, blank_lines=7)
    moved = json.loads(run("check", "docs", "--format", "gitlab", cwd=tmp_path).stdout)
    before = json.loads(outputs["gitlab"].stdout)

    def by_print(issues: list[dict[str, Any]]) -> dict[str, tuple[str, int]]:
        return {
            i["fingerprint"]: (i["location"]["path"], i["location"]["lines"]["begin"])
            for i in issues
        }

    old, new = by_print(before), by_print(moved)
    assert set(old) == set(new)
    moved_down = [p for p in old if new[p][1] == old[p][1] + 7]
    assert len(moved_down) >= 3  # the page's, the answers file's and the orphan's


def test_fingerprints_are_salted_only_when_they_repeat() -> None:
    prints = ci_formats.unique_fingerprints(["a", "b", "a", "a"])
    assert len(set(prints)) == 4
    assert prints[0] == hashlib.sha256(b"a").hexdigest()
    assert prints[1] == hashlib.sha256(b"b").hexdigest()


def test_two_reviews_sharing_a_name_get_distinct_fingerprints() -> None:
    review = {
        "name": "same",
        "file": "a.rst",
        "line": 3,
        "slots": [{"id": "plan-1"}],
        "problems": [{"subtype": "unanswered", "message": "plan-1: no", "file": "", "line": 0}],
    }
    report = {"reviews": [review, {**review, "file": "b.rst"}], "problems": []}
    items = ci_formats.findings(report, str, "conf.py")
    assert len({item.fingerprint for item in items}) == 2
    assert {item.path for item in items} == {"a.rst", "b.rst"}


# --------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------


def unescape(text: str) -> str:
    """What the runner does with an escaped value (the toolkit's escapes, reversed)."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


@given(st.text())
def test_github_escaping_round_trips_any_text(text: str) -> None:
    data, prop = ci_formats.escape_data(text), ci_formats.escape_property(text)
    assert unescape(data) == text and unescape(prop) == text
    assert "\n" not in data and "\r" not in data
    assert not {":", ",", "\n", "\r"} & set(prop)


def test_github_escaping_examples() -> None:
    item = Finding("unanswered", "50% done, see: x\r\nnext::line", "d/a,b:c.rst", 4, "r", "f")
    assert ci_formats.github([item]) == (
        "::error file=d/a%2Cb%3Ac.rst,line=4,title=ethics.unanswered::"
        "50%25 done, see: x%0D%0Anext::line\n"
    )


def test_github_shows_ten_errors_and_a_notice_for_the_rest() -> None:
    items = [Finding("unanswered", f"q{n}", "a.rst", n + 1, "r", str(n)) for n in range(13)]
    lines = ci_formats.github(items).splitlines()
    assert len(lines) == 11
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert lines[-1].startswith("::notice title=sphinx-ethics::3 more ethics problems")
    assert "line=11," not in "".join(lines)  # the 11th is in the summary, not annotated


def test_most_important_first() -> None:
    report = {
        "reviews": [
            {
                "name": "r",
                "file": "r.rst",
                "line": 1,
                "slots": [],
                "problems": [
                    {"subtype": "overdue", "message": "late", "file": "", "line": 0},
                    {"subtype": "unanswered", "message": "x", "file": "", "line": 9},
                    {"subtype": "approved-unanswered", "message": "y", "file": "", "line": 0},
                ],
            }
        ],
        "problems": [],
    }
    kinds = [item.subtype for item in ci_formats.findings(report, str, "conf.py")]
    assert kinds == ["approved-unanswered", "unanswered", "overdue"]


def test_step_summary_of_a_clean_project() -> None:
    assert ci_formats.github_summary([]) == "### sphinx-ethics: no ethics problems\n\n"


def test_markdown_cells_cannot_break_the_table_or_link() -> None:
    cell = ci_formats.markdown_cell("a | b\nc [x](http://e) <b>")
    assert "|" not in cell.replace(r"\|", "")
    assert cell == r"a \| b<br>c \[x\]\(http\:\/\/e\) \<b\>"


# --------------------------------------------------------------------------
# Paths: git root, --path-prefix, JUnit
# --------------------------------------------------------------------------


def test_git_root_is_found_from_the_source_folder(tmp_path: Path) -> None:
    if not GIT:
        missing("git is not installed")
    (tmp_path / "repo" / "docs" / "sub").mkdir(parents=True)
    subprocess.run([GIT, "init", "-q", str(tmp_path / "repo")], check=True)
    assert git_toplevel(tmp_path / "repo" / "docs" / "sub") == (tmp_path / "repo").resolve()
    paths = RepoPaths.find(tmp_path / "repo" / "docs")
    assert paths("review.rst") == "docs/review.rst"
    assert paths("../conf.py") == "conf.py"
    assert paths("/elsewhere/x.yaml") == "/elsewhere/x.yaml"
    assert git_toplevel(tmp_path) is None  # not in a work tree


def test_no_git_on_the_path_is_no_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert git_toplevel(tmp_path) is None
    assert RepoPaths.find(tmp_path)("a.rst") == "a.rst"


def test_path_prefix_without_git(tmp_path: Path) -> None:
    docs = make_project(tmp_path, git=False)
    result = run("check", docs, "--format", "github", "--path-prefix", "./site/docs/", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert all(line.startswith("::error file=site/docs/") for line in result.stdout.splitlines())
    plain = run("check", docs, "--format", "gitlab", cwd=tmp_path)
    paths = {issue["location"]["path"] for issue in json.loads(plain.stdout)}
    assert "ethics-review.rst" in paths and "conf.py" in paths
    assert "no git work tree found; give --path-prefix" in plain.stderr


def test_clean_prefix() -> None:
    assert [clean_prefix(p) for p in ("", ".", "docs", "./docs/", "a\\b")] == [
        "",
        "",
        "docs/",
        "docs/",
        "a/b/",
    ]


def test_junit_paths_are_relative_to_the_repository(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = sphinx_build(
        "-b", "ethics-check", "-D", "ethics_junit=junit.xml", "docs", out, cwd=repo
    )
    assert result.returncode == 1, result.stderr  # the example sets ethics_fail_on_unanswered
    root = ET.parse(out / "junit.xml").getroot()
    files = {case.get("file") for case in root.iter("testcase")}
    assert "docs/ethics-review.rst" in files and "docs/extra.rst" in files
    failure = next(f for f in root.iter("failure") if "plan-1" in (f.text or ""))
    assert failure.text.startswith("docs/ethics-review.rst:")


def test_junit_path_prefix_config_value(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ("-D", "ethics_junit=junit.xml", "-D", "ethics_path_prefix=site/")
    result = sphinx_build("-b", "ethics-check", *args, "docs", out, cwd=repo)
    assert result.returncode == 1, result.stderr  # the example sets ethics_fail_on_unanswered
    files = {case.get("file") for case in ET.parse(out / "junit.xml").getroot().iter("testcase")}
    assert "site/ethics-review.rst" in files


def test_junit_tree_keeps_source_paths_by_default() -> None:
    report = {
        "checklists": [],
        "problems": [],
        "reviews": [
            {
                "name": "r",
                "checklists": [],
                "docname": "r",
                "file": "r.rst",
                "line": 1,
                "metadata": {"status": "draft", "review_by": ""},
                "slots": [],
                "referrals": [],
                "problems": [],
            }
        ],
    }
    cases = junit_tree(report).getroot().iter("testcase")
    assert {c.get("file") for c in cases if c.get("classname") != "ethics.project"} == {"r.rst"}
    prefixed = junit_tree(report, RepoPaths(Path("/x"), None, "docs/")).getroot()
    cases = prefixed.iter("testcase")
    assert {c.get("file") for c in cases if c.get("classname") != "ethics.project"} == {
        "docs/r.rst"
    }


# --------------------------------------------------------------------------
# The CI how-to's recipes, run as CI runs them
# --------------------------------------------------------------------------

DOCS_FILES = Path(__file__).parent.parent / "docs" / "howto" / "files"


def recipe_commands() -> list[str]:
    """Every ``sphinx-ethics`` command of the how-to's GitHub and GitLab files."""
    import yaml

    commands = []
    for name in ("github-docs.yml", "github-sarif.yml"):
        for job in yaml.safe_load((DOCS_FILES / name).read_text("utf-8"))["jobs"].values():
            commands += [s["run"] for s in job["steps"] if "sphinx-ethics" in s.get("run", "")]
    gitlab = yaml.safe_load((DOCS_FILES / "gitlab-ci.yml").read_text("utf-8"))
    commands += [line for line in gitlab["ethics"]["script"] if line.startswith("sphinx-ethics")]
    return commands


def test_ci_recipes_run(repo: Path, tmp_path: Path) -> None:
    commands = recipe_commands()
    assert [c.split("--format ")[1].split()[0] for c in commands] == ["github", "sarif", "gitlab"]
    work = tmp_path / "work"
    shutil.copytree(repo, work, symlinks=True)
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "sphinx-ethics").exists():
        missing("the sphinx-ethics console script is not installed beside this Python")
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("GITHUB_STEP_SUMMARY", None)
    results = [
        subprocess.run(
            command, shell=True, cwd=work, env=env, capture_output=True, text=True, check=False
        )
        for command in commands
    ]
    assert [r.returncode for r in results] == [1, 1, 1], [r.stderr[-500:] for r in results]
    assert results[0].stdout.startswith("::error file=docs/")
    sarif_log = json.loads((work / "ethics.sarif").read_text("utf-8"))
    validator = jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text("utf-8")))
    assert list(validator.iter_errors(sarif_log)) == []
    quality = json.loads((work / "gl-code-quality-report.json").read_text("utf-8"))
    assert quality and all(i["location"]["path"].startswith("docs/") for i in quality)
