"""The command line's file rules, lazy imports, ``new``'s options and ``check``'s hints."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from helpers import sphinx_build, warning_lines
from test_cli import CONF, SLOTS, one_error_line, project, run

import sphinx_ethics

NO_SPHINX = "assert not [m for m in sys.modules if m == 'sphinx' or m.startswith('sphinx.')]"


# --------------------------------------------------------------------------
# Lazy imports
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [None, ["list"], ["export", "plan"], ["new", "--help"], ["--help"], ["validate", "--help"]],
    ids=lambda a: " ".join(a) if a else "import",
)
def test_commands_that_need_no_sphinx_do_not_import_it(argv: list[str] | None) -> None:
    code = "import sys; import sphinx_ethics.cli as c; "
    if argv is not None:
        code += f"code = c.main({argv!r}); assert code == 0, code; "
    code += NO_SPHINX
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_sphinx_free_layers_stay_so() -> None:
    """Every module of the plain layers and the CLI imports without Sphinx."""
    package = Path(sphinx_ethics.__file__).parent
    modules = ["sphinx_ethics.files", "sphinx_ethics.problems", "sphinx_ethics.version"]
    modules.append("sphinx_ethics.repository")
    for layer in ("catalogue", "answers", "pages", "outputs", "programme", "cli"):
        for path in sorted((package / layer).glob("*.py")):
            name = "" if path.stem == "__init__" else f".{path.stem}"
            modules.append(f"sphinx_ethics.{layer}{name}")
    assert len(modules) > 30
    code = "import sys, importlib; "
    code += "".join(f"importlib.import_module('{m}'); " for m in modules)
    result = subprocess.run([sys.executable, "-c", code + NO_SPHINX], capture_output=True)
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------
# export -o: devices and FIFOs are written in place
# --------------------------------------------------------------------------


def test_export_to_a_fifo_writes_into_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    result = run("export", "plan", "--format", "csv", "-o", fifo)
    thread.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # not replaced by a regular file
    assert received and received[0].decode("utf-8").startswith("checklist,id,number,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_export_to_dev_null_leaves_the_device() -> None:
    before = os.stat("/dev/null")
    assert stat.S_ISCHR(before.st_mode)
    result = run("export", "plan", "-o", "/dev/null")
    assert result.returncode == 0, result.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino
    assert after.st_mode == before.st_mode


def test_export_to_dev_stdout_into_a_pipe() -> None:
    # a process of its own: its /dev/stdout is the pipe the test reads
    result = run("export", "plan", "--format", "csv", "-o", "/dev/stdout", fresh_process=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("checklist,id,number,")
    assert "Wrote /dev/stdout" in result.stderr


# --------------------------------------------------------------------------
# update: read-only files, hard links, FIFOs
# --------------------------------------------------------------------------

PAGE = ".. ethics-review:: co-production\n\n   .. ethics-answer:: co-production-1\n"


def test_update_refuses_a_read_only_page(tmp_path: Path) -> None:
    page = tmp_path / "review.rst"
    page.write_text(PAGE, "utf-8")
    page.chmod(0o444)
    result = run("update", page)
    assert result.returncode == 2
    assert "read-only" in one_error_line(result)
    assert page.read_text("utf-8") == PAGE
    assert page.stat().st_mode & 0o777 == 0o444
    # --check only reads, so it still works.
    assert run("update", "--check", page).returncode == 1


def test_update_keeps_hard_links(tmp_path: Path) -> None:
    page = tmp_path / "review.rst"
    page.write_text(PAGE, "utf-8")
    other = tmp_path / "same.rst"
    os.link(page, other)
    inode = page.stat().st_ino
    result = run("update", page)
    assert result.returncode == 0, result.stderr
    assert page.stat().st_ino == inode and page.stat().st_nlink == 2
    assert ".. ethics-answer:: co-production-2" in other.read_text("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review.rst", "same.rst"]


def test_update_refuses_a_fifo_page_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "review.rst"
    os.mkfifo(fifo)
    result = run("update", fifo)  # would hang if it opened the FIFO
    assert result.returncode == 2
    assert "not a regular file" in one_error_line(result)


def test_update_refuses_a_fifo_as_answers_file_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "answers.yaml")
    page = tmp_path / "review.rst"
    page.write_text(".. ethics-review:: co-production\n   :answers: answers.yaml\n", "utf-8")
    result = run("update", page)
    assert result.returncode == 2
    assert "'answers.yaml' is not a regular file" in one_error_line(result)


def test_update_reports_an_answers_file_outside_the_source_dir(tmp_path: Path) -> None:
    docs = project(tmp_path)
    (tmp_path / "answers.yaml").write_text("co-production-1: From outside.\n", "utf-8")
    page = docs / "review.rst"
    text = ".. ethics-review:: co-production\n   :answers: ../answers.yaml\n"
    page.write_text(text, "utf-8")
    result = run("update", page)
    assert result.returncode == 2
    line = one_error_line(result)
    assert f"{page}:1: :answers: file '../answers.yaml' is outside the source directory" in line
    assert page.read_text("utf-8") == text
    # The build says the same about it.
    build = sphinx_build("-E", "-q", "-b", "html", docs, tmp_path / "out")
    assert any("is outside the source directory" in w for w in warning_lines(build.stderr))


# --------------------------------------------------------------------------
# update: missing slots of an :answers: review go into the answers file
# --------------------------------------------------------------------------

ANSWERS = "# Answers from the form\r\nco-production-1: |\r\n  From the form.\r\n  Kept."


def test_update_adds_entries_to_the_answers_file_keeping_every_byte(tmp_path: Path) -> None:
    docs = project(tmp_path)
    answers = docs / "answers.yaml"
    answers.write_bytes(ANSWERS.encode("utf-8"))
    page = docs / "review.rst"
    page.write_text("Review\n======\n\n.. ethics-review:: plan co-production\n"
                    "   :answers: answers.yaml\n", "utf-8")  # fmt: skip
    before = page.read_bytes()

    check = run("update", "--check", page)
    assert check.returncode == 1
    expected = [s for s in SLOTS["plan"] + SLOTS["co-production"] if s != "co-production-1"]
    assert f"would add {len(expected)} empty entries to {answers}" in check.stdout
    assert answers.read_bytes() == ANSWERS.encode("utf-8")

    result = run("update", page)
    assert result.returncode == 0, result.stderr
    assert page.read_bytes() == before  # no stubs in the page
    text = answers.read_bytes().decode("utf-8")
    assert text.startswith(ANSWERS + "\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "\r\n# 3. " in text and '\r\nplan-3: ""\r\n' in text
    for slot in expected:
        assert f'\r\n{slot}: ""\r\n' in text
    assert run("update", "--check", page).returncode == 0  # up to date now

    # The build reads the file: every new entry is an unanswered slot there.
    build = sphinx_build("-E", "-q", "-b", "html", docs, tmp_path / "out")
    unanswered = [w for w in warning_lines(build.stderr) if "[ethics.unanswered]" in w]
    assert len(unanswered) == len(expected), build.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("co-production-1: [unclosed\n", "invalid YAML"),
        ("- a list\n- of things\n", "not a block mapping"),
        ("{co-production-1: flow}\n", "not a block mapping"),
        ("co-production-1: x\n...\n", "cannot append entries"),
    ],
    ids=["invalid", "list", "flow", "document-end"],
)
def test_update_refuses_an_answers_file_it_cannot_extend(
    tmp_path: Path, content: str, message: str
) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(content, "utf-8")
    page = tmp_path / "review.rst"
    page.write_text(".. ethics-review:: co-production\n   :answers: answers.yaml\n", "utf-8")
    for args in (["update", page], ["update", "--check", page]):
        result = run(*args)
        assert result.returncode == 2, result.stdout
        assert message in one_error_line(result)
    assert answers.read_text("utf-8") == content


# --------------------------------------------------------------------------
# new
# --------------------------------------------------------------------------


@pytest.mark.parametrize("option", ["--title", "--owner", "--name", "--reviewers"])
@pytest.mark.parametrize("value", ["two\nlines", "a\rb", "tab\there", "bell\x07", "ls\u2028x"])
def test_new_refuses_values_with_line_breaks_or_control_characters(
    tmp_path: Path, option: str, value: str
) -> None:
    page = tmp_path / "review.rst"
    result = run("new", "plan", "-o", page, option, value)
    assert result.returncode == 2
    assert f"{option} must be one line of text" in one_error_line(result)
    assert not page.exists()


@pytest.mark.parametrize("fmt", ["rst", "md"])
def test_new_title_appears_once(tmp_path: Path, fmt: str) -> None:
    docs = project(tmp_path)
    title = "Falls on wards 7 and 8"
    assert run("new", "plan", "-o", docs / f"review.{fmt}", "--title", title).returncode == 0
    assert (docs / f"review.{fmt}").read_text("utf-8").count(title) == 1
    build = sphinx_build("-E", "-q", "-b", "html", docs, tmp_path / "out")
    assert build.returncode == 0, build.stderr
    body = (tmp_path / "out" / "review.html").read_text("utf-8").split('role="main"', 1)[-1]
    assert body.count(title) == 1
    assert f"<h1>{title}" in body


def test_new_without_title_derives_one_from_the_checklists(tmp_path: Path) -> None:
    docs = project(tmp_path)
    for name in ("plan", "co-production"):
        assert run("new", name, "-o", docs / f"{name}.rst").returncode == 0
    titles = {
        (docs / f"{n}.rst").read_text("utf-8").splitlines()[0] for n in ("plan", "co-production")
    }
    assert len(titles) == 2 and all(t.startswith("Ethics review: ") for t in titles)
    from sphinx_ethics.catalogue import load_catalog

    catalog = load_catalog()
    assert f"Ethics review: {catalog.checklists['plan'].title}" in titles


NO_COLON = """\
extensions = ["sphinx_ethics", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "review"
"""


def test_new_md_without_colon_fence_uses_backticks_that_build(tmp_path: Path) -> None:
    docs = project(tmp_path, NO_COLON)
    page = docs / "review.md"
    assert run("new", "co-production", "plan", "-o", page).returncode == 0
    text = page.read_text("utf-8")
    assert "````{ethics-review} co-production plan\n" in text
    assert "```{ethics-answer} plan-1\n```\n" in text
    assert ":::" not in text
    build = sphinx_build("-E", "-q", "-b", "html", docs, tmp_path / "out")
    assert build.returncode == 0, build.stderr
    warnings = warning_lines(build.stderr)
    expected = SLOTS["co-production"] + SLOTS["plan"]
    assert len(warnings) == len(expected), warnings
    assert all(w.endswith("[ethics.unanswered]") for w in warnings)

    # update handles the backtick page: a removed stub comes back as a backtick one.
    stub = "```{ethics-answer} plan-3\n```\n"
    assert stub in text
    page.write_text(text.replace(stub, ""), "utf-8")
    result = run("update", page)
    assert result.returncode == 0, result.stderr
    assert "added 1 stub: plan-3" in result.stdout
    assert stub in page.read_text("utf-8")
    build = sphinx_build("-E", "-q", "-b", "html", docs, tmp_path / "out2")
    assert len(warning_lines(build.stderr)) == len(expected), build.stderr


def test_new_md_with_colon_fence_keeps_colons(tmp_path: Path) -> None:
    docs = project(tmp_path, CONF)
    assert run("new", "plan", "-o", docs / "review.md").returncode == 0
    assert "::::{ethics-review} plan" in (docs / "review.md").read_text("utf-8")


# --------------------------------------------------------------------------
# check: hints and --json errors
# --------------------------------------------------------------------------


def test_check_at_a_repository_root_suggests_the_docs_dir(tmp_path: Path) -> None:
    project(tmp_path)
    result = run("check", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert one_error_line(result).endswith("no conf.py in .; did you mean docs/?")


def test_check_on_a_file_says_so(tmp_path: Path) -> None:
    docs = project(tmp_path)
    result = run("check", docs / "conf.py")
    assert result.returncode == 2
    assert "is a file, not a directory" in one_error_line(result)


def test_check_json_errors_are_json_on_stdout(tmp_path: Path) -> None:
    result = run("check", tmp_path / "missing", "--json")
    assert result.returncode == 2
    line = one_error_line(result)
    data = json.loads(result.stdout)
    assert data == {"error": line.split("error: ", 1)[1], "exit_code": 2}
    result = run("check", "--json", "--jobs", "x", tmp_path)
    assert result.returncode == 2
    assert json.loads(result.stdout)["exit_code"] == 2
    result = run("check", "--json")  # an argument error
    assert result.returncode == 2
    assert "SOURCEDIR" in json.loads(result.stdout)["error"]
