"""The ``sphinx-ethics`` command, run as a user runs it: in a subprocess.

Each test works in its own ``tmp_path`` and asserts on exit codes, stdout,
stderr and the files written.  No test may see a traceback: ``run`` fails
the test if one reaches stderr.
"""

from __future__ import annotations

import csv
import difflib
import html.parser
import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path

import docutils.core
import jsonschema
import pytest
from helpers import ATTRIBUTION, cli, sphinx_build, warning_lines
from markdown_it import MarkdownIt

from sphinx_ethics import __version__
from sphinx_ethics.catalogue import load_catalog
from sphinx_ethics.pages import new as pages

REPO = Path(__file__).resolve().parent.parent
CUSTOM_EXAMPLE = REPO / "examples" / "custom-checklists"
CATALOG = load_catalog()
SLOTS = {name: [q.id for q in c.slots()] for name, c in CATALOG.checklists.items()}
SCRIPT = shutil.which("sphinx-ethics", path=str(Path(sys.executable).parent)) or shutil.which(
    "sphinx-ethics"
)
COMMANDS = (
    "list",
    "new",
    "update",
    "export",
    "check",
    "validate",
    "form",
    "review",
    "merge",
    "signoff",
)


def run(
    *args: object, cwd: Path | None = None, script: bool = False, fresh_process: bool = False
) -> subprocess.CompletedProcess:
    """``python -m sphinx_ethics ARGS`` (or the console script), never a traceback.

    In this process unless ``fresh_process`` (see ``helpers.run_module``).
    """
    if not script:
        return cli(*args, cwd=cwd, fresh_process=fresh_process)
    assert SCRIPT, "the sphinx-ethics console script is not installed"
    command = [SCRIPT]
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    env.pop("SPHINX_ETHICS_DEBUG", None)
    result = subprocess.run(
        [*command, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=600,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def one_error_line(result: subprocess.CompletedProcess) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sphinx-ethics"), lines[0]
    assert "error:" in lines[0]
    return lines[0]


CONF = """\
extensions = ["sphinx_ethics", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["colon_fence"]
root_doc = "review"
exclude_patterns = ["_build"]
"""


def project(tmp_path: Path, conf: str = CONF) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text(conf, "utf-8")
    return docs


def fill(text: str, fmt: str) -> str:
    """Write an answer into every empty stub of a page that ``new`` wrote."""
    if fmt == "md":
        return re.sub(
            r"^(:::\{ethics-answer\} (\S+))\n:::$",
            r"\1\nOur answer to \2, with *emphasis*.\n:::",
            text,
            flags=re.M,
        )
    return re.sub(
        r"^(   \.\. ethics-answer:: (\S+))$",
        r"\1\n\n      Our answer to \2, with *emphasis*.",
        text,
        flags=re.M,
    )


# --------------------------------------------------------------------------
# The command itself
# --------------------------------------------------------------------------


@pytest.mark.parametrize("script", [False, True], ids=["python-m", "console-script"])
def test_version(script: bool) -> None:
    result = run("--version", script=script)
    assert result.returncode == 0
    assert result.stdout.strip() == f"sphinx-ethics {__version__}"


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_for_every_command(command: str | None) -> None:
    result = run(*([command] if command else []), "--help")
    assert result.returncode == 0
    assert "--checklists" in result.stdout
    assert result.stdout.startswith(f"usage: sphinx-ethics{' ' + command if command else ''}")


def test_no_command_is_a_usage_error() -> None:
    result = run()
    assert result.returncode == 2
    assert "give a command" in one_error_line(result)


def test_bad_arguments_exit_2_with_one_line() -> None:
    result = run("export", "plan", "--format", "pdf")
    assert result.returncode == 2
    assert "invalid choice" in one_error_line(result)


@pytest.mark.parametrize(
    "args",
    [
        ["list", "plna"],
        ["new", "plna", "-o", "review.rst"],
        ["export", "plna", "--format", "md"],
    ],
)
def test_unknown_checklist_exits_2_with_did_you_mean(tmp_path: Path, args: list[str]) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    line = one_error_line(result)
    assert "unknown checklist 'plna'" in line
    assert 'did you mean "plan"' in line
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a partial file


def test_list() -> None:
    result = run("list")
    assert result.returncode == 0
    for name in CATALOG.checklists:
        assert re.search(rf"^{name}\s+\d+ slots?\s", result.stdout, re.M)
    result = run("list", "plan")
    assert result.returncode == 0
    for question_id in SLOTS["plan"]:
        assert question_id in result.stdout
    assert "What harms, problems, or gaps are you trying to address?" in result.stdout
    data = json.loads(run("list", "healthcare-good", "--json").stdout)
    assert data["checklists"][0]["slots"] == SLOTS["healthcare-good"]


# --------------------------------------------------------------------------
# new
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rst", "md"])
def test_new_page_builds_with_one_unanswered_warning_per_slot(tmp_path: Path, fmt: str) -> None:
    docs = project(tmp_path)
    page = docs / f"review.{fmt}"
    result = run("new", "plan", "healthcare-good", "-o", page, "--owner", "Ward 7", script=True)
    assert result.returncode == 0, result.stderr
    assert str(page) in result.stdout

    build = sphinx_build("-E", "-q", "-b", "html", docs, tmp_path / "out")
    assert build.returncode == 0, build.stderr
    warnings = warning_lines(build.stderr)
    expected = SLOTS["plan"] + SLOTS["healthcare-good"]
    unanswered = [w for w in warnings if w.endswith("[ethics.unanswered]")]
    assert len(unanswered) == len(expected) == len(warnings), warnings
    assert [re.search(r"WARNING: (\S+): unanswered", w).group(1) for w in unanswered] == expected

    html_text = (tmp_path / "out" / "review.html").read_text("utf-8")
    assert "Which aspects of healthcare are you trying to improve" in html_text
    assert "Ward 7" in html_text


@pytest.mark.parametrize("fmt", ["rst", "md"])
def test_filled_in_page_passes_check(tmp_path: Path, fmt: str) -> None:
    docs = project(tmp_path)
    page = docs / f"review.{fmt}"
    assert run("new", "plan", "co-production", "-o", page).returncode == 0
    page.write_text(fill(page.read_text("utf-8"), fmt), "utf-8")

    result = run("check", docs, script=fmt == "md")
    assert result.returncode == 0, result.stdout + result.stderr
    slots = len(SLOTS["plan"]) + len(SLOTS["co-production"])
    assert re.search(rf"review\.{fmt}:\d+: \S+: {slots}/{slots} answered$", result.stdout, re.M)
    assert f"Total: 1 review, {slots}/{slots} required questions answered" in result.stdout
    assert warning_lines(result.stderr) == []

    build = sphinx_build("-E", "-q", "-b", "html", "-W", docs, tmp_path / "out")
    assert build.returncode == 0, build.stderr


def test_new_options_reach_the_review(tmp_path: Path) -> None:
    docs = project(tmp_path)
    page = docs / "review.md"
    title = 'Ethics review: falls #1 — "Ward 7"'
    result = run(
        "new", "collaboration", "-o", page, "--name", "falls-ethics", "--title", title,
        "--owner", "Ward 7: QI team", "--reviewers", "Panel; Ethics lead",
        "--date", "2026-10-01", "--review-by", "2027-04-01", "--status", "in-review",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    build = sphinx_build("-E", "-q", "-b", "html", docs, tmp_path / "out")
    assert [w for w in warning_lines(build.stderr) if "unanswered" not in w] == []
    html_text = (tmp_path / "out" / "review.html").read_text("utf-8")
    assert 'id="falls-ethics"' in html_text
    assert "Ethics review: falls #1" in html_text
    assert "Ward 7: QI team" in html_text and "2027-04-01" in html_text


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    page = tmp_path / "review.rst"
    page.write_bytes(b"My own page\r\n===========\r\n\xe2\x9c\x93 keep me\r\n")
    before = page.read_bytes()
    stamp = page.stat().st_mtime_ns
    result = run("new", "plan", "-o", page)
    assert result.returncode == 2
    assert "already exists" in one_error_line(result)
    assert page.read_bytes() == before
    assert page.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in tmp_path.iterdir()) == ["review.rst"]


def test_new_format_from_option_or_extension(tmp_path: Path) -> None:
    assert run("new", "plan", "-o", tmp_path / "a.md").returncode == 0
    assert "::::{ethics-review} plan" in (tmp_path / "a.md").read_text("utf-8")
    assert run("new", "plan", "-o", tmp_path / "b.txt", "--format", "md").returncode == 0
    assert "::::{ethics-review} plan" in (tmp_path / "b.txt").read_text("utf-8")
    result = run("new", "plan", "-o", tmp_path / "c.html")
    assert result.returncode == 2
    assert "--format" in one_error_line(result)
    assert not (tmp_path / "c.html").exists()
    result = run("new", "plan", "-o", "-", "--format", "rst")
    title = "Ethics review: Questions to help plan an improvement activity"
    assert result.stdout.startswith(f"{title}\n{'=' * len(title)}\n")


def test_new_into_a_missing_directory_fails_cleanly(tmp_path: Path) -> None:
    result = run("new", "plan", "-o", tmp_path / "nowhere" / "review.rst")
    assert result.returncode == 2
    assert "does not exist" in one_error_line(result)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# update
# --------------------------------------------------------------------------

TEAM = """\
schema_version: 1
source:
  title: "Team questions"
checklists:
  - id: team
    title: "Team questions"
    questions:
      - number: 1
        text: "Who is on the team?"
      - number: 2
        text: "Who else should be?"
"""
TEAM_3 = (
    TEAM
    + """\
      - number: 3
        text: "Who was left out, and why?"
"""
)
TEAM_PLAN_9 = (
    TEAM
    + """\
extends:
  - checklist: plan
    questions:
      - number: 9
        text: "How will you notice harm early?"
"""
)


def inserted_chunks(old: str, new: str) -> list[str]:
    """The text ``new`` adds to ``old``; fails if anything was changed or removed."""
    chunks = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, old, new, autojunk=False
    ).get_opcodes():
        assert tag in ("equal", "insert"), (tag, old[i1:i2], new[j1:j2])
        if tag == "insert":
            chunks.append(new[j1:j2])
    return chunks


@pytest.mark.parametrize("fmt", ["rst", "md"])
@pytest.mark.parametrize(
    ("gained", "new_id", "text"),
    [(TEAM_3, "team-3", "Who was left out"), (TEAM_PLAN_9, "plan-9", "notice harm early")],
    ids=["new-question", "extended-builtin"],
)
def test_update_adds_exactly_the_new_stub(
    tmp_path: Path, fmt: str, gained: str, new_id: str, text: str
) -> None:
    docs = project(tmp_path)
    custom = tmp_path / "team.yaml"
    custom.write_text(TEAM, "utf-8")
    page = docs / f"review.{fmt}"
    assert run("new", "plan", "team", "-o", page, "--checklists", custom).returncode == 0
    page.write_text(fill(page.read_text("utf-8"), fmt), "utf-8")
    before = page.read_text("utf-8")

    custom.write_text(gained, "utf-8")
    result = run("update", page, "--checklists", custom)
    assert result.returncode == 0, result.stderr
    assert f"added 1 stub: {new_id}" in result.stdout

    after = page.read_text("utf-8")
    [chunk] = inserted_chunks(before, after)
    assert chunk.count("ethics-answer") == 1
    assert re.search(rf"ethics-answer(::|\}}) {new_id}\n", chunk)
    assert text in chunk
    assert after.replace(chunk, "", 1) == before

    # The page still builds, and only the new slot is unanswered.
    (docs / "conf.py").write_text(CONF + f"ethics_checklists = [{str(custom)!r}]\n", "utf-8")
    check = run("check", docs, "--json")
    assert check.returncode == 1
    report = json.loads(check.stdout)
    assert unanswered(report["reviews"][0]) == [new_id]
    assert [p["subtype"] for p in all_problems(report)] == ["unanswered"]


def test_update_with_nothing_to_add_does_not_touch_the_file(tmp_path: Path) -> None:
    page = tmp_path / "review.rst"
    assert run("new", "plan", "-o", page).returncode == 0
    before, stamp = page.read_bytes(), page.stat().st_mtime_ns
    result = run("update", page)
    assert result.returncode == 0
    assert result.stdout.strip() == f"{page}: up to date"
    assert page.read_bytes() == before
    assert page.stat().st_mtime_ns == stamp


def test_update_reports_answers_to_removed_questions_and_keeps_them(tmp_path: Path) -> None:
    custom = tmp_path / "team.yaml"
    custom.write_text(TEAM_3, "utf-8")
    page = tmp_path / "review.md"
    assert run("new", "team", "-o", page, "--checklists", custom).returncode == 0
    page.write_text(fill(page.read_text("utf-8"), "md"), "utf-8")
    before = page.read_bytes()
    custom.write_text(TEAM, "utf-8")  # question 3 is gone
    result = run("update", page, "--checklists", custom)
    assert result.returncode == 0
    assert re.search(rf"^{re.escape(str(page))}:\d+: answer to 'team-3'.*kept", result.stdout, re.M)
    assert page.read_bytes() == before


def test_update_keeps_crlf_and_every_byte(tmp_path: Path) -> None:
    page = tmp_path / "review.rst"
    text = (
        "Review\r\n======\r\n\r\n.. ethics-review:: co-production\r\n   :owner: Ünïcode team\r\n"
        "\r\n   .. ethics-answer:: co-production-2\r\n\r\n      Tabs\tand trailing spaces   \r\n"
        "      and no newline at the end"
    )
    page.write_bytes(text.encode("utf-8"))
    result = run("update", page)
    assert result.returncode == 0
    after = page.read_bytes().decode("utf-8")
    inserted_chunks(text, after)  # only insertions
    assert "\r\n   .. ethics-answer:: co-production-1\r\n" in after
    assert "\n" not in after.replace("\r\n", "")
    assert after.index("co-production-1") < after.index("co-production-2")


def test_update_on_the_example_pages_changes_nothing(tmp_path: Path) -> None:
    example = tmp_path / "example"
    shutil.copytree(REPO / "examples" / "falls-prevention", example)
    for name in ("ethics-review.rst", "coproduction-review.md"):  # both MyST fence styles
        page = example / name
        before = page.read_bytes()
        result = run("update", page)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"{page}: up to date"
        assert page.read_bytes() == before


def test_update_counts_answers_in_the_answers_file(tmp_path: Path) -> None:
    (tmp_path / "answers.yaml").write_text("co-production-1: |\n  From the form.\n", "utf-8")
    page = tmp_path / "review.rst"
    page.write_text(".. ethics-review:: co-production\n   :answers: answers.yaml\n", "utf-8")
    before = page.read_bytes()
    result = run("update", page)
    assert result.returncode == 0, result.stderr
    assert "added 1 empty entry to" in result.stdout and "co-production-2" in result.stdout
    assert page.read_bytes() == before  # no stub in the page: it would be a second answer
    text = (tmp_path / "answers.yaml").read_text("utf-8")
    assert text.startswith("co-production-1: |\n  From the form.\n")
    assert 'co-production-2: ""' in text


def test_update_check_mode_changes_nothing(tmp_path: Path) -> None:
    page = tmp_path / "review.rst"
    page.write_text(".. ethics-review:: co-production\n", "utf-8")
    before = page.read_bytes()
    result = run("update", page, "--check")
    assert result.returncode == 1
    assert "would add 2 stubs: co-production-1, co-production-2" in result.stdout
    assert page.read_bytes() == before


def test_update_finds_checklists_in_conf_py(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text(TEAM, "utf-8")
    docs = project(tmp_path, CONF + 'ethics_checklists = ["../team.yaml"]\n')
    (docs / "sub").mkdir()
    page = docs / "sub" / "review.rst"
    assert run("new", "team", "-o", page).returncode == 0
    (tmp_path / "team.yaml").write_text(TEAM_3, "utf-8")
    result = run("update", page)
    assert result.returncode == 0, result.stderr
    assert "added 1 stub: team-3" in result.stdout


def test_update_leaves_no_temporary_file_and_keeps_permissions(tmp_path: Path) -> None:
    page = tmp_path / "review.rst"
    page.write_text(".. ethics-review:: collaboration\n", "utf-8")
    page.chmod(0o640)
    assert run("update", page).returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == ["review.rst"]
    assert page.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (".. ethics-review:: plna\n", 'did you mean "plan"'),
        ("Just a page.\n", "no ethics-review found"),
    ],
)
def test_update_errors(tmp_path: Path, content: str, message: str) -> None:
    page = tmp_path / "review.rst"
    page.write_text(content, "utf-8")
    result = run("update", page)
    assert result.returncode == 2
    assert message in one_error_line(result)
    assert page.read_text("utf-8") == content
    result = run("update", tmp_path / "missing.rst")
    assert result.returncode == 2
    assert "no such file" in one_error_line(result)


# --------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------


class StrictHTML(html.parser.HTMLParser):
    """Checks that every element that must be closed is closed, in order."""

    VOID = frozenset({"meta", "link", "br", "hr", "img", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag, tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def attribution_bits() -> list[str]:
    source = CATALOG.checklists["plan"].attribution
    assert source is not None
    assert source.original is not None
    return [
        source.title,
        source.url,
        source.original.doi,
        source.licence,
        source.licence_url,
        *source.original.authors,
    ]


@pytest.mark.parametrize("fmt", ["md", "rst", "html", "csv", "json"])
def test_export_parses_and_carries_attribution_and_tips(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"checklist.{fmt}"
    result = run("export", "plan", "healthcare-good", "--format", fmt, "-o", out)
    assert result.returncode == 0, result.stderr
    text = out.read_text("utf-8")
    assert run("export", "plan", "healthcare-good", "--format", fmt).stdout == text
    slots = SLOTS["plan"] + SLOTS["healthcare-good"]

    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:5] == ["checklist", "id", "number", "question", "prompts"]
        assert [row[1] for row in rows[1:]] == slots
        assert rows[1][:4] == ["plan", "plan-1", "1", CATALOG.questions["plan-1"].text]
        prompts = {r[1]: r[4] for r in rows[1:]}
        assert prompts["healthcare-good-5"].splitlines() == list(
            CATALOG.questions["healthcare-good-5"].prompts
        )
        visible = text
    elif fmt == "json":
        data = json.loads(text)
        assert [s for c in data["checklists"] for s in c["slots"]] == slots
        assert len(data["tips"]) == len(CATALOG.tips)
        attribution = data["checklists"][0]["attribution"]
        assert attribution["original"]["doi"] == "10.1017/9781009325233"
        assert attribution["url"] == "https://ths.im/explain-this"
        assert data["sources"] == [ATTRIBUTION]
        visible = text
    elif fmt == "html":
        parser = StrictHTML()
        parser.feed(text)
        parser.close()
        assert parser.stack == []
        assert "<style>" in text and "@media print" in text and 'class="rule"' in text
        visible = " ".join(" ".join(parser.text).split())
    elif fmt == "rst":
        doctree = docutils.core.publish_doctree(text, settings_overrides={"halt_level": 2})
        visible = " ".join(doctree.astext().split())
    else:
        visible = text

    for question_id in slots:
        assert question_id in visible
        assert " ".join(CATALOG.questions[question_id].text.split()) in visible
    for bit in attribution_bits():
        assert bit in visible
    if fmt != "csv":  # CSV is one row per slot: no room for tips
        for tip in CATALOG.tips.values():
            assert tip.title in visible


def test_export_rst_builds_with_sphinx_warnings_as_errors(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('project = "Workshop"\n', "utf-8")
    result = run("export", *CATALOG.checklists, "--format", "rst", "-o", src / "index.rst")
    assert result.returncode == 0
    build = sphinx_build("-E", "-q", "-b", "html", "-W", src, tmp_path / "out")
    assert build.returncode == 0, build.stderr


NASTY = """\
schema_version: 1
source:
  title: "A *source* with `markup` | pipes_ and <html> & ampersands"
  licence: "CC0"
checklists:
  - id: nasty
    title: "Title with *stars* and `ticks`"
    intro:
      - "- starts like a list item"
      - "1. starts like a numbered list"
      - ".. starts like a comment"
      - "ends like a literal block::"
    questions:
      - number: 1
        text: "Is a_b__ or |sub| or :role:`x` or [1]_ or <b>bold</b> shown as written?"
        prompts:
          - "* a prompt that starts with a star"
          - "#. an auto-numbered look"
tips:
  - id: tip-nasty
    title: "_underscore_ **tip**"
    text: "Text with \\\\ backslashes \\\\\\\\ and ``double ticks``."
"""


@pytest.mark.parametrize("fmt", ["rst", "html", "md", "csv", "json"])
def test_export_escapes_whatever_the_data_says(tmp_path: Path, fmt: str) -> None:
    custom = tmp_path / "nasty.yaml"
    custom.write_text(NASTY, "utf-8")
    result = run("export", "nasty", "--format", fmt, "--checklists", custom)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    nasty = load_catalog([str(custom)])
    words = [
        nasty.checklists["nasty"].title,
        *nasty.checklists["nasty"].intro,
        nasty.questions["nasty-1"].text,
        *nasty.questions["nasty-1"].prompts,
    ]
    if fmt == "rst":
        doctree = docutils.core.publish_doctree(text, settings_overrides={"halt_level": 2})
        shown = doctree.astext()
        words += [nasty.tips["tip-nasty"].title, nasty.tips["tip-nasty"].text]
    elif fmt == "html":
        parser = StrictHTML()
        parser.feed(text)
        assert parser.stack == [] and "<b>" not in text
        shown = "".join(parser.text)
    elif fmt == "json":
        shown = json.dumps(json.loads(text), ensure_ascii=False)
        words = [json.dumps(w, ensure_ascii=False)[1:-1] for w in words]
    elif fmt == "csv":
        [row] = list(csv.DictReader(io.StringIO(text)))
        shown = f"{row['question']}\n{row['prompts']}"
        words = words[-3:]
    else:  # Markdown, as CommonMark renders it
        parser = StrictHTML()
        parser.feed(MarkdownIt("commonmark").render(text))
        shown = "".join(parser.text)
        assert "<b>bold</b>" in shown  # shown as text, not made bold
    for word in words:
        assert word in shown, word


def test_export_to_a_directory_fails_cleanly(tmp_path: Path) -> None:
    result = run("export", "plan", "-o", tmp_path)
    assert result.returncode == 2
    assert "is a directory" in one_error_line(result)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# check
# --------------------------------------------------------------------------


def test_check_unanswered_exit_1_with_json(tmp_path: Path) -> None:
    docs = project(tmp_path)
    assert run("new", "collaboration", "co-production", "-o", docs / "review.rst").returncode == 0
    text = run("check", docs)
    assert text.returncode == 1
    assert re.search(
        r"review\.rst:\d+: \S+: 0/3 answered; unanswered: collaboration-1, co-production-1, "
        r"co-production-2$",
        text.stdout,
        re.M,
    )
    assert len([w for w in warning_lines(text.stderr) if "[ethics.unanswered]" in w]) == 3

    result = run("check", docs, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["schema_version"] == 3 and report["complete"] is False
    (review,) = report["reviews"]
    assert (review["required"], review["answered"], review["complete"]) == (3, 0, False)
    assert unanswered(review) == ["collaboration-1", "co-production-1", "co-production-2"]
    assert {p["subtype"] for p in all_problems(report)} == {"unanswered"}
    assert all(p["file"] == "review.rst" and p["line"] > 0 for p in review["problems"])


def test_check_json_is_the_build_report(tmp_path: Path, monkeypatch) -> None:
    """One report model: check --json prints what sphinx-build writes, key by key
    (the review's ``uri`` only where the builder has URIs)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790000000")
    docs = project(tmp_path)
    assert run("new", "collaboration", "co-production", "-o", docs / "review.rst").returncode == 0
    checked = json.loads(run("check", docs, "--json").stdout)
    out = tmp_path / "html"
    assert sphinx_build("-q", "-b", "html", docs, out).returncode == 0
    built = json.loads((out / "ethics-report.json").read_text("utf-8"))
    assert checked.keys() == built.keys()
    assert checked["generated_at"] == built["generated_at"] == "2026-09-21T14:13:20Z"
    schema = json.loads(
        resources.files("sphinx_ethics.schemas").joinpath("report.schema.json").read_text()
    )
    jsonschema.validate(checked, schema)
    jsonschema.validate(built, schema)
    assert [r["uri"] for r in checked["reviews"]] == [None]
    assert [r["uri"] for r in built["reviews"]] == [
        "review.html#review-collaboration-co-production-2"
    ]
    for review in checked["reviews"] + built["reviews"]:
        del review["uri"]
    for key in built:
        assert checked[key] == built[key], key


def unanswered(review: dict) -> list[str]:
    return [s["id"] for s in review["slots"] if s["required"] and s["state"] == "unanswered"]


def all_problems(report: dict) -> list[dict]:
    return report["problems"] + [p for r in report["reviews"] for p in r["problems"]]


def test_check_other_ethics_warnings_exit_1(tmp_path: Path) -> None:
    docs = project(tmp_path)
    page = docs / "review.rst"
    assert run("new", "collaboration", "-o", page).returncode == 0
    text = fill(page.read_text("utf-8"), "rst")
    page.write_text(text + "\n   .. ethics-answer:: collaboration-9\n\n      Stray.\n", "utf-8")
    result = run("check", docs, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert unanswered(report["reviews"][0]) == []
    assert [p["subtype"] for p in all_problems(report)] == ["unknown-question"]


def test_check_sphinx_warnings_are_shown_but_do_not_fail(tmp_path: Path) -> None:
    docs = project(tmp_path)
    page = docs / "review.rst"
    assert run("new", "collaboration", "-o", page).returncode == 0
    page.write_text(fill(page.read_text("utf-8"), "rst") + "\nA link to `nowhere`_.\n", "utf-8")
    (docs / "orphan.rst").write_text("Orphan\n======\n", "utf-8")
    result = run("check", docs)
    assert result.returncode == 0, result.stdout
    assert "toctree" in result.stderr and "nowhere" in result.stderr
    assert "0 ethics problems: OK" in result.stdout


def test_check_parallel_matches_serial(tmp_path: Path) -> None:
    docs = project(tmp_path, CONF.replace('root_doc = "review"', 'root_doc = "index"'))
    names = [f"r{i:02d}" for i in range(45)]
    (docs / "index.rst").write_text(
        "Index\n=====\n\n.. toctree::\n\n" + "".join(f"   {n}\n" for n in names), "utf-8"
    )
    checklist = [CATALOG.checklists["co-production"]]
    for index, name in enumerate(names):
        text = pages.render_page(checklist, "rst", pages.ReviewMeta(name=name))
        (docs / f"{name}.rst").write_text(fill(text, "rst") if index % 3 else text, "utf-8")
    reports = [json.loads(run("check", docs, "--json", "-j", jobs).stdout) for jobs in ("0", "2")]
    for report in reports:
        del report["generated_at"]  # the time it was written: the one field that differs
    assert reports[0] == reports[1]
    assert sum(len(unanswered(r)) for r in reports[0]["reviews"]) == 15 * 2
    assert [r["name"] for r in reports[1]["reviews"]] == names


def test_check_with_extra_checklists(tmp_path: Path) -> None:
    custom = tmp_path / "team.yaml"
    custom.write_text(TEAM, "utf-8")
    docs = project(tmp_path)
    page = docs / "review.md"
    assert run("new", "team", "-o", page, "--checklists", custom).returncode == 0
    page.write_text(fill(page.read_text("utf-8"), "md"), "utf-8")
    result = run("--checklists", custom, "check", docs)  # before the command works too
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2/2 answered" in result.stdout


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("missing-dir", "source directory not found"),
        ("no-conf", "no conf.py"),
        ("no-extension", "add 'sphinx_ethics' to extensions"),
        ("bad-conf", "ZeroDivisionError"),
        ("invalid-checklists", "invalid checklist file"),
        ("invalid-project-checklists", "invalid checklist file"),
        ("missing-checklists", "checklist file not found"),
        ("bad-jobs", "--jobs"),
    ],
)
def test_check_cannot_run_exits_2(tmp_path: Path, setup: str, message: str) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "review.rst").write_text(".. ethics-review:: collaboration\n", "utf-8")
    (tmp_path / "bad.yaml").write_text("schema_version: 1\nchecklists:\n  - id: Bad\n", "utf-8")
    extra: list[object] = []
    conf = CONF
    if setup == "missing-dir":
        docs = tmp_path / "nope"
    elif setup == "no-conf":
        conf = ""
    elif setup == "no-extension":
        conf = "extensions = []\n"
    elif setup == "bad-conf":
        conf = CONF + "x = 1 / 0\n"
    elif setup == "invalid-checklists":
        extra = ["--checklists", tmp_path / "bad.yaml"]
    elif setup == "invalid-project-checklists":
        conf = CONF + 'ethics_checklists = ["../bad.yaml"]\n'
    elif setup == "missing-checklists":
        extra = ["--checklists", tmp_path / "missing.yaml"]
    elif setup == "bad-jobs":
        extra = ["-j", "many"]
    if conf and docs.is_dir():
        (docs / "conf.py").write_text(conf, "utf-8")
    result = run("check", docs, *extra)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in one_error_line(result)
    assert result.stdout == ""


# --------------------------------------------------------------------------
# validate and the custom-checklists example
# --------------------------------------------------------------------------


def test_validate_the_example_file() -> None:
    result = run("validate", CUSTOM_EXAMPLE / "ward-checklists.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout
    assert "data-use" in result.stdout and "plan-9" in result.stdout


INVALID = """\
schema_version: 1
checklists:
  - id: plan
    title: "Clashes with the built-in plan checklist"
    questions:
      - number: 1
        text: "A question"
  - id: Team_Questions
    title: "Bad id"
    questions:
      - number: 1
        txet: "Misspelt key"
"""


def test_validate_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(INVALID, "utf-8")
    result = run("validate", path)
    assert result.returncode == 1
    problems = [line for line in result.stdout.splitlines() if line.startswith(f"{path}:")]
    assert any(re.match(rf"{re.escape(str(path))}:8: .*Team_Questions", p) for p in problems)
    assert any(re.match(rf"{re.escape(str(path))}:12: .*txet.*did you mean", p) for p in problems)
    assert result.stdout.strip().endswith("invalid (2 problems)") or "invalid" in result.stdout

    path.write_text(INVALID.split("  - id: Team_Questions")[0], "utf-8")
    result = run("validate", path)
    assert result.returncode == 1
    assert re.search(
        rf"^{re.escape(str(path))}:3: checklist 'plan' is already defined", result.stdout, re.M
    )


def test_validate_extends_and_other_checklists(tmp_path: Path) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(TEAM, "utf-8")
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "schema_version: 1\nextends:\n  - checklist: team\n    questions:\n"
        "      - number: 3\n        text: Added to the team checklist\n",
        "utf-8",
    )
    alone = run("validate", extra)
    assert alone.returncode == 1
    assert "extends unknown checklist 'team'" in alone.stdout
    beside = run("validate", extra, "--checklists", team)
    assert beside.returncode == 0, beside.stdout
    assert "extends 'team' with team-3" in beside.stdout


def test_validate_cannot_run(tmp_path: Path) -> None:
    result = run("validate", tmp_path / "missing.yaml")
    assert result.returncode == 2
    assert "not found" in one_error_line(result)
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 2\n", "utf-8")
    result = run("validate", CUSTOM_EXAMPLE / "ward-checklists.yaml", "--checklists", bad)
    assert result.returncode == 2
    assert "invalid checklist file" in one_error_line(result)


def test_custom_checklists_example_builds_and_passes_check(tmp_path: Path) -> None:
    example = tmp_path / "example"
    shutil.copytree(CUSTOM_EXAMPLE, example, ignore=shutil.ignore_patterns("_build"))
    result = run("check", example)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "15/15 required questions answered" in result.stdout
    build = sphinx_build("-E", "-q", "-b", "html", "-W", example, tmp_path / "out")
    assert build.returncode == 0, build.stderr
    page = run("new", "data-use", "plan", "-o", example / "new.rst", cwd=example)
    assert page.returncode == 0, page.stderr  # finds ethics_checklists in conf.py
    assert "plan-9" in (example / "new.rst").read_text("utf-8")


# --------------------------------------------------------------------------
# In-process: interrupts and bugs still give one line
# --------------------------------------------------------------------------


def test_interrupt_exits_130(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from sphinx_ethics import cli
    from sphinx_ethics.cli import checklists as catalogue

    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(catalogue, "cmd_list", interrupted)
    assert cli.main(["list"]) == 130
    assert capsys.readouterr().err == "sphinx-ethics: interrupted\n"


def test_unexpected_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    from sphinx_ethics import cli
    from sphinx_ethics.cli import checklists as catalogue

    def broken(args: object) -> int:
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(catalogue, "cmd_list", broken)
    monkeypatch.delenv("SPHINX_ETHICS_DEBUG", raising=False)
    assert cli.main(["list"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "RuntimeError: boom second line" in err


def test_main_returns_codes_without_exiting(capsys: pytest.CaptureFixture) -> None:
    from sphinx_ethics import cli

    assert cli.main(["--version"]) == 0
    assert cli.main(["list", "--bogus"]) == 2
    assert textwrap.dedent(capsys.readouterr().out).strip() == f"sphinx-ethics {__version__}"


def test_update_through_a_symlink_updates_the_real_page(tmp_path: Path) -> None:
    docs = project(tmp_path)
    real = docs / "real" / "review.rst"
    real.parent.mkdir()
    assert run("new", "collaboration", "co-production", "-o", real).returncode == 0
    text = real.read_text("utf-8")
    stub = "   .. ethics-answer:: co-production-2\n"
    assert stub in text
    real.write_text(text.replace(stub, ""), "utf-8")  # the checklist "gains" a slot
    link = docs / "link.rst"
    link.symlink_to(real)
    result = run("update", link)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink()
    assert ".. ethics-answer:: co-production-2" in real.read_text("utf-8")


def test_new_reads_the_last_ethics_checklists_assignment_in_conf_py(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text(TEAM, "utf-8")
    conf = CONF + 'ethics_checklists = ["nowhere.yaml"]\n'
    conf += 'ethics_checklists: list[str] = ["../team.yaml"]\n'
    docs = project(tmp_path, conf)
    result = run("new", "team", "-o", docs / "review.rst")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("value", "traceback"), [("0", False), ("1", True)])
def test_debug_variable_shows_a_traceback_only_when_on(
    tmp_path: Path, value: str, traceback: bool
) -> None:
    # A bug is provoked by a checklist file that is a directory, read by a
    # code path that does not expect it; whatever happens, the exit code is 2.
    env = {**os.environ, "SPHINX_ETHICS_DEBUG": value, "NO_COLOR": "1"}
    code = "import sphinx_ethics.cli as c; import sys; sys.exit(c.main(['list']))"
    sabotage = [sys.executable, "-c", code]
    ok = subprocess.run(sabotage, capture_output=True, text=True, env=env, check=False)
    assert ok.returncode == 0
    broken = "import sys, sphinx_ethics.cli as c, sphinx_ethics.cli.checklists as k; "
    broken += "k.load = lambda *a: 1 / 0; "
    broken += "sys.exit(c.main(['list']))"
    result = subprocess.run(
        [sys.executable, "-c", broken], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 2
    assert "unexpected ZeroDivisionError" in result.stderr
    assert ("Traceback" in result.stderr) is traceback
