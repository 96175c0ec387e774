"""Helpers shared by the sphinx-ethics tests; the fixtures are in ``conftest.py``.

Warning parsing (``parse_warnings``, ``ethics_warnings``), exact source lines
(``line_of``), HTML parsing (``soup``, ``norm``) and whole-process builds
(``sphinx_build``: ``python -m sphinx`` in a subprocess).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import strategies as st
from sphinx.testing.util import SphinxTestApp

TESTS = Path(__file__).parent
ROOTS = TESTS / "roots"
REPO = TESTS.parent
EXAMPLE = REPO / "examples" / "falls-prevention"

#: The built-in data's attribution, as every format shows it (titles unmarked).
ATTRIBUTION = (
    "Source: the Explain THIS resource Values and Ethics by THIS Institute "
    "(https://ths.im/explain-this), adapted from Values and Ethics by Alan Cribb, "
    "Vikki Entwistle and Polly Mitchell, in the series Elements of Improving Quality "
    "and Safety in Healthcare (https://doi.org/10.1017/9781009325233). Excerpted and "
    "reformatted; question ids added, and the collaboration and co-production "
    "questions numbered by sphinx-ethics. Licensed under CC BY-NC-ND 4.0 "
    "(https://creativecommons.org/licenses/by-nc-nd/4.0/)."
)
#: The addresses every format must show as text.
ADDRESSES = (
    "https://ths.im/explain-this",
    "https://doi.org/10.1017/9781009325233",
    "https://creativecommons.org/licenses/by-nc-nd/4.0/",
)

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_LOCATED = re.compile(
    r"^(?P<path>\S+?):(?P<line>\d*): (?P<level>WARNING|ERROR|CRITICAL): (?P<message>.*)$"
)
_UNLOCATED = re.compile(r"^(?P<level>WARNING|ERROR|CRITICAL): (?P<message>.*)$")
_TYPE = re.compile(r"^(?P<message>.*) \[(?P<type>[\w.-]+)\]$")


# --------------------------------------------------------------------------
# Warnings
# --------------------------------------------------------------------------


def guide_words() -> set[str]:
    """Every piece of text in the built-in data that a page can show."""
    from sphinx_ethics.catalogue import load_catalog

    catalog = load_catalog()
    words: set[str] = set()
    for checklist in catalog.checklists.values():
        words |= {checklist.title, *checklist.intro}
        for question in checklist.iter_questions():
            words |= {question.text, *question.prompts}
    for tip in catalog.tips.values():
        words |= {tip.title, tip.text}
    for definition in catalog.definitions.values():
        words |= {definition.term, *definition.text, *definition.items, *definition.closing}
    for item in catalog.introductions.values():
        words |= {item.title, *item.text}
    for resource in catalog.resources.values():
        words |= {resource.title}
    return {w for w in words if w.strip()}


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


@dataclass(frozen=True)
class Warn:
    """One warning line as Sphinx prints it: ``path:line: WARNING: msg [type]``."""

    file: str | None  # the file's name only, e.g. "review.rst"
    line: int | None
    level: str
    message: str
    type: str | None  # e.g. "ethics.unanswered"

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def subtype(self) -> str | None:
        if self.type and self.type.startswith("ethics."):
            return self.type.removeprefix("ethics.")
        return None


def warning_lines(stderr: str) -> list[str]:
    """The warning and error lines of a build's stderr, colour codes removed."""
    return [
        line
        for line in strip_ansi(stderr).splitlines()
        if re.search(r"\b(WARNING|ERROR|CRITICAL)\b", line)
    ]


def parse_warnings(text: str) -> list[Warn]:
    """Every warning or error line in Sphinx's output (continuation lines skipped)."""
    found = []
    for raw in strip_ansi(text).splitlines():
        line = raw.rstrip()
        match = _LOCATED.match(line)
        path: str | None = None
        lineno: int | None = None
        if match:
            path = Path(match["path"]).name
            lineno = int(match["line"]) if match["line"] else None
        else:
            match = _UNLOCATED.match(line)
            if not match:
                continue
        message, kind = match["message"], None
        typed = _TYPE.match(message)
        if typed:
            message, kind = typed["message"], typed["type"]
        found.append(Warn(path, lineno, match["level"], message, kind))
    return found


def ethics_warnings(text: str, subtype: str | None = None) -> list[Warn]:
    """The ``[ethics.*]`` warnings, optionally of one subtype only."""
    return [
        w
        for w in parse_warnings(text)
        if w.subtype is not None and (subtype is None or w.subtype == subtype)
    ]


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """The 1-based number of the ``occurrence``-th line of ``path`` containing ``needle``."""
    hits = [
        number
        for number, text in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if needle in text
    ]
    assert len(hits) >= occurrence, f"{needle!r} occurs {len(hits)} time(s) in {path}"
    return hits[occurrence - 1]


# --------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------


def norm(text: str) -> str:
    """Whitespace collapsed and typographic quotes made plain (smartquotes)."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())


def unwrap(text: str) -> str:
    """Text-builder or pdftotext output as running text: lines joined, words
    broken at a hyphen (``guide-to-\\n  managing``) mended, emphasis marks and
    ligatures gone."""
    text = text.replace("\ufb01", "fi").replace("\ufb02", "fl").replace("**", "")
    text = re.sub(r"-\n\s*", "-", text)
    return norm(re.sub(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", "", text))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


# --------------------------------------------------------------------------
# Builds
# --------------------------------------------------------------------------


@dataclass
class Built:
    """A finished in-process build: the app, its output and its warnings."""

    app: SphinxTestApp
    srcdir: Path
    outdir: Path
    warnings: str

    def html(self, docname: str) -> BeautifulSoup:
        return soup(self.outdir / f"{docname}.html")

    def ethics_warnings(self, subtype: str | None = None) -> list[Warn]:
        return ethics_warnings(self.warnings, subtype)


def block_with(element: Tag, cls: str) -> Tag:
    """The block of class ``cls`` an anchor belongs to: the element itself
    (reviews, checklists and questions carry their own ids) or its parent."""
    if cls in (element.get("class") or []):
        return element
    parent = element.find_parent(class_=cls)
    assert parent is not None, f"no {cls!r} block around {element.name} {element.get('id')!r}"
    return parent


#: ``SPHINX_ETHICS_TEST_SUBPROCESS=1`` runs every ``python -m sphinx`` and
#: ``python -m sphinx_ethics`` of the suite in a fresh process, as a user's
#: shell does; by default they run in the test's own process (the same
#: ``main`` with the same arguments, working directory, environment and
#: streams), which saves the interpreter's start and Sphinx's imports, some
#: 0.4 s a command, over 700 commands (issue 21).
SUBPROCESS = os.environ.get("SPHINX_ETHICS_TEST_SUBPROCESS") == "1"


def run_module(
    module: str,
    *args: object,
    cwd: Path | None = None,
    env: dict[str, str | None] | None = None,
    timeout: float = 600,
    fresh_process: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``python -m MODULE ARGS``: its exit code and what it printed.

    ``env`` sets (or, with None, removes) environment variables for the
    command.  ``fresh_process`` (or :data:`SUBPROCESS`) runs it in a new
    interpreter: for what only a process shows (its real exit, ``-j``'s
    workers started from scratch, the console's encoding).
    """
    argv = [str(a) for a in args]
    # ``-j N`` forks workers: from a fresh interpreter, not from a pytest worker's threads
    fresh_process = fresh_process or any(a in ("-j", "--jobs") or a.startswith("-j") for a in argv)
    changes = {"NO_COLOR": "1", "PYTHONIOENCODING": "utf-8", "FORCE_COLOR": None, **(env or {})}
    if fresh_process or SUBPROCESS:
        environ = {**os.environ, **changes}
        return subprocess.run(
            [sys.executable, "-m", module, *argv],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={k: v for k, v in environ.items() if v is not None},
            cwd=cwd,
            timeout=timeout,
            check=False,
        )
    return _in_this_process(module, argv, cwd, changes)


@contextlib.contextmanager
def environment(changes: dict[str, str | None]) -> Iterator[None]:
    """``os.environ`` with ``changes`` (None removes a variable), then as it was."""
    saved = {name: os.environ.get(name) for name in changes}

    def apply(values: dict[str, str | None]) -> None:
        for name, value in values.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    apply(changes)
    try:
        yield
    finally:
        apply(saved)


def _in_this_process(
    module: str, argv: list[str], cwd: Path | None, changes: dict[str, str | None]
) -> subprocess.CompletedProcess[str]:
    if module == "sphinx":
        from sphinx.cmd.build import main
    elif module == "sphinx_ethics":
        from sphinx_ethics.cli import main
    else:
        raise ValueError(f"no in-process main for {module}")
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=True)
    with (
        environment(changes),
        contextlib.chdir(cwd or os.getcwd()),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            code = main(argv)
        except SystemExit as stop:
            if isinstance(stop.code, str):
                print(stop.code, file=sys.stderr)
            code = stop.code if isinstance(stop.code, int) else int(stop.code is not None)
        except BaseException:  # what a process would print before dying
            traceback.print_exc()
            code = 1
    texts = [stream.buffer.getvalue().decode("utf-8") for stream in (out, err)]  # type: ignore[attr-defined]
    return subprocess.CompletedProcess(["python", "-m", module, *argv], code, *texts)


def sphinx_build(
    *args: str | Path, cwd: Path | None = None, timeout: float = 300, fresh_process: bool = False
) -> subprocess.CompletedProcess[str]:
    """``python -m sphinx ARGS``, as a user or CI runs it (see :func:`run_module`)."""
    return run_module("sphinx", *args, cwd=cwd, timeout=timeout, fresh_process=fresh_process)


def cli(
    *args: object,
    cwd: Path | None = None,
    env: dict[str, str | None] | None = None,
    timeout: float = 600,
    fresh_process: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``sphinx-ethics ARGS`` (``python -m sphinx_ethics``), which never prints a traceback."""
    quiet = {"SPHINX_ETHICS_DEBUG": None, "GITHUB_STEP_SUMMARY": None, **(env or {})}
    result = run_module(
        "sphinx_ethics",
        *map(str, args),
        cwd=cwd,
        env=quiet,
        timeout=timeout,
        fresh_process=fresh_process,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def build_html(src: Path, out: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """``sphinx-build -b html ARGS SRC OUT``, checked not to have crashed."""
    result = sphinx_build("-b", "html", *args, src, out)
    no_crash(result)
    return result


def plain_words() -> st.SearchStrategy[str]:
    """Words a page can hold as plain text: any character but controls, and no
    leading character that rST or MyST would read as markup (for the tests that
    edit pages and must keep every other byte)."""
    return st.text(
        st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=20,
    ).filter(
        lambda t: (
            t.strip()
            and not t.lstrip().startswith(
                (":", ".", "`", "~", "%", "#", "-", "*", "+", "|", ">", "=", "_")
            )
            and t == t.strip()
        )
    )


def write_project(tmp_path: Path, pages: dict[str, str], conf: str) -> Path:
    """A small Sphinx project in ``tmp_path/src``: ``conf.py`` and the pages given."""
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "conf.py").write_text(conf, "utf-8")
    for name, text in pages.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text, "utf-8")
    return src


def copy_root(name: str, dest: Path) -> Path:
    """A private, editable copy of ``roots/test-<name>`` (without build output)."""
    target = dest / name
    shutil.copytree(ROOTS / f"test-{name}", target, ignore=shutil.ignore_patterns("_build"))
    return target


def no_crash(result: subprocess.CompletedProcess[str]) -> None:
    """The build reported problems as messages, never as a Python traceback."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert "Exception occurred" not in output, output
    assert "Extension error" not in output, output


SNAPSHOTS = Path(__file__).parent / "snapshots"


def assert_snapshot(text: str, name: str) -> None:
    """``text`` must equal the stored snapshot ``tests/snapshots/NAME``.

    ``SPHINX_ETHICS_UPDATE_SNAPSHOTS=1 pytest ...`` rewrites the snapshot
    instead (then review the diff in git), as pytest-regressions'
    ``--force-regen`` does.
    """
    path = SNAPSHOTS / name
    if os.environ.get("SPHINX_ETHICS_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, "utf-8")
    assert path.is_file(), f"no snapshot {path}; run with SPHINX_ETHICS_UPDATE_SNAPSHOTS=1"
    stored = path.read_text("utf-8")
    assert text == stored, f"differs from {path} (SPHINX_ETHICS_UPDATE_SNAPSHOTS=1 rewrites it)"


def missing(reason: str) -> None:
    """Skip a test whose tool is not installed, but fail under CI (``CI`` set),
    where ``.ci/run`` installs every tool: nothing skips silently there."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: this test must run there)")
    pytest.skip(reason)


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------


def latexpdf(src: Path, tmp: Path, *args: str | Path) -> Path:
    """``sphinx-build -M latexpdf``: the one PDF it makes, with no LaTeX error."""
    result = sphinx_build("-M", "latexpdf", src, tmp / "build", "-q", *args, timeout=900)
    no_crash(result)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    latex = tmp / "build" / "latex"
    pdfs = list(latex.glob("*.pdf"))
    assert len(pdfs) == 1, pdfs
    for log in latex.glob("*.log"):
        errors = [x for x in log.read_text("utf-8", "replace").splitlines() if x.startswith("! ")]
        assert errors == [], errors
    return pdfs[0]


def pdftotext(pdf: Path, *options: str) -> str:
    """pdftotext's output as printed (skipped without poppler-utils, failed under CI)."""
    if shutil.which("pdftotext") is None:
        missing("pdftotext (poppler-utils) not installed; PDF built but text not checked")
    return subprocess.run(
        ["pdftotext", *options, "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    ).stdout


def pdf_text(pdf: Path) -> str:
    """The PDF's text on one line, curly apostrophes made straight."""
    return " ".join(pdftotext(pdf).replace("\u2019", "'").split())


def build_app(
    buildername: str, srcdir: Path, builddir: Path, confoverrides: dict[str, Any] | None = None
) -> SphinxTestApp:
    """Build a project in this process, fresh, with its output kept in the app."""
    app = SphinxTestApp(
        buildername,
        srcdir=srcdir,
        builddir=builddir,
        freshenv=True,
        confoverrides=confoverrides or {},
        status=StringIO(),
        warning=StringIO(),
    )
    try:
        app.build()
    finally:
        app.cleanup()
    return app
