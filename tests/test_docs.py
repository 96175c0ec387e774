"""The documentation builds without a warning, is complete, and tells the truth.

- ``docs/`` builds with ``-W --keep-going`` (HTML and LaTeX, and a PDF when
  ``latexmk`` is installed, with no overfull lines that cut text);
- every configuration value, warning subtype, directive option and command
  of the code appears in the built reference;
- the warning examples in the reference are the real messages of a broken
  project (``tests/roots/test-docs-warnings*``);
- every command of the tutorial runs, in order, on a fresh project, with the
  exit codes, files and output the tutorial shows.

After a deliberate change to a message or to ``sphinx-ethics new``, refresh
the stored outputs with ``python tests/test_docs.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from helpers import sphinx_build

#: One worker builds the docs once and runs every test that reads them.
pytestmark = pytest.mark.xdist_group("docs")

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TUTORIAL = DOCS / "tutorial"
ROOTS = Path(__file__).resolve().parent / "roots"
WARNING_EXAMPLES = DOCS / "reference" / "warning-examples.txt"
WARNING_ROOTS = (
    "test-docs-warnings",
    "test-docs-warnings-config",
    "test-docs-warnings-myst",
    "test-docs-warnings-governance",
    "test-docs-warnings-programme",
)
TIMEOUT = 900
REFRESH = "if the change is deliberate, run 'python tests/test_docs.py' and review the diff"


def run(
    args: list[str], cwd: Path, merged: bool = False, timeout: int = TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run a command; ``merged`` puts stderr into stdout, in the order printed."""
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "NO_COLOR": "1",
        "COLUMNS": "80",
    }
    return subprocess.run(
        args,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merged else subprocess.PIPE,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def shown(result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr or ''}"
    )


# --------------------------------------------------------------------------
# Stored outputs: the warning examples
# --------------------------------------------------------------------------


def warning_log(tmp: Path) -> str:
    """The ethics warnings of the broken example projects, paths shortened."""
    lines: list[str] = []
    for name in WARNING_ROOTS:
        srcdir = ROOTS / name
        result = sphinx_build("-q", "-E", "-b", "html", srcdir, tmp / name)
        assert result.returncode == 0, shown(result)
        for line in result.stderr.splitlines():
            if "[ethics." in line:
                lines.append(line.replace(f"{srcdir}{os.sep}", ""))
    # The build's own lines: the report cannot be written, and the gate fails.
    srcdir, out = ROOTS / "test-docs-warnings-gate", tmp / "test-docs-warnings-gate"
    (out / "ethics-report.json").mkdir(parents=True)
    result = sphinx_build("-q", "-E", "-b", "html", srcdir, out)
    assert result.returncode == 1, shown(result)
    for line in result.stderr.splitlines():
        if line.endswith(("[ethics.report]", "[ethics.gate]")):
            lines.append(line.replace(f"{out}{os.sep}", "_build/html/"))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# The tutorial, step by step
# --------------------------------------------------------------------------

#: Each step of the tutorial: a command as the tutorial shows it, with the
#: exit code it must give and the stored output it must print; or a file
#: the reader writes (copied from docs/tutorial/).  Files of the project
#: the reader starts with are copied first.
START_FILES = {"conf.py": "conf.py", "index.rst": "index.rst"}
STEPS: list[dict[str, object]] = [
    {"command": "pip install ./sphinx-ethics"},
    {"command": "mkdir ward-doses"},
    {"command": "cd ward-doses"},
    {"write": START_FILES},
    {"command": "sphinx-ethics new plan -o ethics.rst", "exit": 0, "creates": "ethics-new.rst"},
    {"command": "sphinx-build -W -b html . _build/html", "exit": 1, "output": "build-1.txt"},
    {"write": {"ethics.rst": "ethics-draft.rst"}},
    {"command": "sphinx-build -W -b html . _build/html", "exit": 1, "output": "build-2.txt"},
    {"command": "sphinx-ethics check .", "exit": 1, "output": "check-2.txt"},
    {"write": {"ethics.rst": "ethics-done.rst"}},
    {"command": "sphinx-build -W -b html . _build/html", "exit": 0, "output": "build-3.txt"},
    {"command": "sphinx-ethics check .", "exit": 0, "output": "check-3.txt"},
]


def console_blocks(page: Path) -> list[tuple[str, list[str]]]:
    """Each ``$ command`` of the page's console blocks, with the lines shown under it."""
    found: list[tuple[str, list[str]]] = []
    lines = page.read_text("utf-8").splitlines()
    for index, line in enumerate(lines):
        if line.strip() != ".. code-block:: console":
            continue
        block_indent = len(line) - len(line.lstrip())
        for body in lines[index + 1 :]:
            if body.strip() and len(body) - len(body.lstrip()) <= block_indent:
                break
            text = body.strip()
            if text.startswith("$ "):
                found.append((text[2:], []))
            elif text and found:
                found[-1][1].append(text)
    # A command continued with a backslash is one command.
    joined: list[tuple[str, list[str]]] = []
    for command, shown_lines in found:
        while command.endswith("\\") and shown_lines:
            command = command[:-1].rstrip() + " " + shown_lines.pop(0)
        joined.append((command, shown_lines))
    return joined


def tutorial_commands() -> list[str]:
    return [command for command, _lines in console_blocks(DOCS / "tutorial.rst")]


def executable(command: str) -> list[str]:
    """The command as run here: with this interpreter, not whatever is on PATH."""
    args = shlex.split(command)
    if args[0] == "sphinx-build":
        return [sys.executable, "-m", "sphinx", *args[1:]]
    if args[0] == "sphinx-ethics":
        return [sys.executable, "-m", "sphinx_ethics", *args[1:]]
    raise AssertionError(f"the test does not know how to run {command!r}")


def normalise(text: str, project: Path) -> str:
    """Output as the tutorial shows it: the project's path left out."""
    return text.replace(f"{project}{os.sep}", "").replace(str(project), ".")


#: What the reader adds to the review's options: in step 5, then in step 6.
DRAFT_OPTIONS = [
    ":name: ward5-ethics",
    ":owner: Ward 5 QI team",
    ":reviewers: Patient partner panel; Ward 5 pharmacist",
    ":status: draft",
]
DONE_OPTIONS = [
    *DRAFT_OPTIONS[:3],
    ":date: 2026-11-20",
    ":review-by: 2027-06-30",
    ":status: in-review",
]


def answered_page(new_page: str, leave_out: tuple[str, ...] = ()) -> str:
    """The page ``new`` wrote, with the answers of ``answers.yaml`` filled in."""
    import yaml

    answers = yaml.safe_load((TUTORIAL / "answers.yaml").read_text("utf-8"))
    page = new_page
    for question_id, answer in answers.items():
        if question_id in leave_out:
            continue
        options = []
        if isinstance(answer, dict):
            options = [f"      :status: {answer['status']}"]
            answer = answer["text"]
        body = [f"      {line}" if line else "" for line in answer.strip("\n").splitlines()]
        stub = f"   .. ethics-answer:: {question_id}\n"
        assert stub in page, f"'sphinx-ethics new' wrote no stub for {question_id}"
        page = page.replace(stub, "\n".join([stub.rstrip("\n"), *options, "", *body]) + "\n")
    return page


def with_options(page: str, options: list[str]) -> str:
    head = "\n.. ethics-review:: plan\n"
    start = page.index(head) + len(head)
    end = page.index("\n\n", start - 1)
    return page[:start] + "\n".join(f"   {o}" for o in options) + page[end:]


def tutorial_pages() -> dict[str, str]:
    """ethics-draft.rst and ethics-done.rst, from ethics-new.rst and answers.yaml."""
    new_page = (TUTORIAL / "ethics-new.rst").read_text("utf-8")
    return {
        "ethics-draft.rst": with_options(answered_page(new_page, ("plan-8",)), DRAFT_OPTIONS),
        "ethics-done.rst": with_options(answered_page(new_page), DONE_OPTIONS),
    }


def run_tutorial(tmp: Path, update: bool = False) -> list[str]:
    """Run the tutorial's steps; returns the problems found (or stores outputs)."""
    problems: list[str] = []
    shown_under: dict[str, list[str]] = {}
    for command, lines in console_blocks(DOCS / "tutorial.rst"):
        shown_under.setdefault(command, []).extend(lines)
    cwd = tmp
    for step in STEPS:
        moved_to = local_step(step, cwd)
        if moved_to is not None:
            cwd = moved_to
            continue
        command = str(step["command"])
        result = run(executable(command), cwd, merged=True)
        if result.returncode != step["exit"]:
            problems.append(f"{command}: expected exit {step['exit']}, got\n{shown(result)}")
            continue
        output = normalise(result.stdout, cwd)
        problems += shown_lines_problems(command, output, shown_under.get(command, []))
        if "creates" in step:
            problems += created_file_problems(step, command, cwd, update)
        if "output" in step:
            problems += stored_output_problems(step, command, output, update)
    return problems


def local_step(step: dict[str, object], cwd: Path) -> Path | None:
    """Do a step that runs no command (write, install, mkdir, cd).

    Returns the working directory after it, or None for a command to run.
    """
    if "write" in step:
        for target, source in step["write"].items():  # type: ignore[attr-defined]
            shutil.copyfile(TUTORIAL / source, cwd / target)
        return cwd
    command = str(step["command"])
    if command.startswith("pip install"):
        import sphinx_ethics  # the package the tutorial installs is installed

        assert sphinx_ethics.__version__
        return cwd
    if command.startswith("mkdir "):
        (cwd / command.split()[1]).mkdir()
        return cwd
    if command.startswith("cd "):
        return cwd / command.split()[1]
    return None


def shown_lines_problems(command: str, output: str, expected_lines: list[str]) -> list[str]:
    """The lines the tutorial shows under ``command`` that it did not print."""
    output_lines = output.splitlines()
    return [
        f"{command}: the tutorial shows {expected!r}; it printed\n" + "\n".join(output_lines)
        for expected in expected_lines
        if expected not in output_lines
    ]


def created_file_problems(
    step: dict[str, object], command: str, cwd: Path, update: bool
) -> list[str]:
    """Whether the file the command wrote is the stored one (or store it)."""
    made = (cwd / command.split("-o ")[1].split()[0]).read_text("utf-8")
    stored = TUTORIAL / str(step["creates"])
    if update:
        stored.write_text(made, "utf-8")
        for name, text in tutorial_pages().items():
            (TUTORIAL / name).write_text(text, "utf-8")
        return []
    if made != stored.read_text("utf-8"):
        return [f"{command}: not docs/tutorial/{stored.name}; {REFRESH}"]
    return []


def stored_output_problems(
    step: dict[str, object], command: str, output: str, update: bool
) -> list[str]:
    """The stored output's lines that the command did not print (or store it)."""
    stored = TUTORIAL / str(step["output"])
    if update:
        stored.write_text(select_output(command, output), "utf-8")
        return []
    return [
        f"{command}: no line {line!r} in its output:\n{output}"
        for line in stored.read_text("utf-8").splitlines()
        if line.strip() and line not in output.splitlines()
    ]


def select_output(command: str, output: str) -> str:
    """The lines of a command's output that the tutorial shows."""
    if not command.startswith("sphinx-build"):
        return output
    keep = [
        line
        for line in output.splitlines()
        if re.search(r"WARNING|ERROR|^build |^The HTML pages", line)
    ]
    return "\n".join(keep) + "\n"


# --------------------------------------------------------------------------
# The HTML build
# --------------------------------------------------------------------------

PAGES = [
    "index",
    "tutorial",
    "explanation",
    "licence",
    "howto/myst",
    "howto/ci",
    "howto/pdf",
    "howto/custom-checklists",
    "howto/keep-reviews-current",
    "howto/answers-file",
    "howto/status-page",
    "howto/customise-look",
    "howto/share",
    "reference/directives",
    "reference/configuration",
    "reference/warnings",
    "reference/cli",
    "reference/checklist-format",
    "reference/reports",
    "reference/builtin",
    "handbook/index",
    *[f"handbook/{c}" for c in ("plan", "healthcare-good", "process-good")],
    *[f"handbook/{c}" for c in ("collaboration", "co-production")],
]


@pytest.fixture(scope="module")
def doctrees(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One doctree folder for every build of the docs here: they are read once."""
    return tmp_path_factory.mktemp("docs-doctrees")


@pytest.fixture(scope="module")
def html(tmp_path_factory: pytest.TempPathFactory, doctrees: Path) -> Path:
    """The docs, built fresh with warnings as errors (this build reads them)."""
    out = tmp_path_factory.mktemp("docs-html")
    result = sphinx_build("-W", "--keep-going", "-E", "-b", "html", "-d", doctrees, DOCS, out)
    assert result.returncode == 0, shown(result)
    assert "WARNING" not in result.stderr, result.stderr
    return out


def page_text(html: Path, page: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup((html / f"{page}.html").read_text("utf-8"), "html.parser")
    main = soup.find("article") or soup
    return main.get_text(" ", strip=True)


def page_ids(html: Path, page: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', (html / f"{page}.html").read_text("utf-8")))


def test_docs_build_and_every_page_exists(html: Path) -> None:
    for page in PAGES:
        assert (html / f"{page}.html").is_file(), page
    report = json.loads((html / "ethics-report.json").read_text("utf-8"))
    names = {review["name"] for review in report["reviews"]}
    assert names == {"myst-example", "yaml-example"}
    assert all(r["answered"] == r["required"] > 0 for r in report["reviews"])


def test_attribution_is_on_the_index_and_its_own_page(html: Path) -> None:
    for page in ("index", "licence"):
        text = page_text(html, page)
        for needed in (
            "THIS Institute",
            "Values and Ethics",
            "Alan Cribb",
            "Vikki Entwistle",
            "Polly Mitchell",
            "Elements of Improving Quality and Safety in Healthcare",
            "https://ths.im/explain-this",
            "10.1017/9781009325233",
            "CC BY-NC-ND 4.0",
            "MIT",
        ):
            assert needed in text, (page, needed)


def test_every_page_that_quotes_the_guide_carries_the_notice(html: Path) -> None:
    """A page that shows a sentence of the guide, or a picture of the form,
    shows the attribution too (a directive's, or ``ethics-guide-notice``)."""
    from bs4 import BeautifulSoup
    from helpers import guide_words, norm

    sentences = [norm(w) for w in guide_words() if len(w) >= 25]
    quoting, unattributed = [], []
    for page in sorted(html.rglob("*.html")):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        main = soup.find("article") or soup
        text = norm(main.get_text(" "))
        pictures = [img for img in main.find_all("img") if "form-" in img.get("src", "")]
        if pictures or any(s in text for s in sentences):
            quoting.append(page.relative_to(html).as_posix())
            if not all(n in text for n in ("THIS Institute", "10.1017/9781009325233")) or (
                "Licensed under CC BY-NC-ND 4.0" not in text
            ):
                unattributed.append(quoting[-1])
    assert {"tutorial.html", "howto/share.html", "reference/cli.html"} <= set(quoting)
    assert unattributed == []


def test_gettext_of_the_docs_extracts_none_of_the_guide(tmp_path: Path) -> None:
    """The docs' own words are offered for translation; the guide's are not
    (the titles of the works the docs cite, from its further reading, aside)."""
    from babel.messages.pofile import read_po
    from helpers import guide_words

    from sphinx_ethics.catalogue import load_catalog

    result = sphinx_build("-q", "-E", "-b", "gettext", DOCS, tmp_path)
    assert result.returncode == 0, shown(result)
    cited = {r.title for r in load_catalog().resources.values()}
    words = guide_words() - cited
    found = []
    for pot in tmp_path.rglob("*.pot"):
        with pot.open("rb") as handle:
            messages = [m.id for m in read_po(handle) if isinstance(m.id, str) and m.id]
        found += [
            (pot.name, m) for m in messages for w in words if m == w or (len(w) >= 25 and w in m)
        ]
    assert len(list(tmp_path.rglob("*.pot"))) > 5
    assert found == []


def test_handbook_shows_the_guide_s_case_and_further_reading(html: Path) -> None:
    text = page_text(html, "handbook/index")
    from sphinx_ethics.catalogue import load_catalog

    catalog = load_catalog()
    for intro in catalog.introductions.values():
        assert intro.title in text
        for paragraph in intro.text:
            assert " ".join(paragraph.split()) in text, intro.id
    for resource in catalog.resources.values():
        assert resource.title in text and resource.url in text, resource.id


def registered_directives() -> dict[str, type]:
    import sphinx_ethics

    app = mock.MagicMock()
    sphinx_ethics.setup(app)
    return {call.args[0]: call.args[1] for call in app.add_directive.call_args_list}


def registered_roles() -> list[str]:
    import sphinx_ethics

    app = mock.MagicMock()
    sphinx_ethics.setup(app)
    return [call.args[0] for call in app.add_role.call_args_list]


def test_every_directive_option_and_role_is_documented(html: Path) -> None:
    ids = page_ids(html, "reference/directives")
    directives = registered_directives()
    assert {"ethics-review", "ethics-answer", "ethics-summary"} <= set(directives)
    missing = []
    for name, cls in directives.items():
        if f"directive-{name}" not in ids:
            missing.append(name)
        for option in getattr(cls, "option_spec", None) or {}:
            if f"directive-option-{name}-{option}" not in ids:
                missing.append(f"{name} :{option}:")
    missing += [role for role in registered_roles() if f"role-{role}" not in ids]
    assert not missing, f"undocumented in reference/directives: {missing}"


def test_every_config_value_is_documented(html: Path) -> None:
    from sphinx_ethics.extension.config import CONFIG_VALUES

    ids = page_ids(html, "reference/configuration")
    text = page_text(html, "reference/configuration")
    for value in CONFIG_VALUES:
        assert f"confval-{value.name}" in ids, value.name
        description = value.description.replace("``", "")
        assert re.sub(r"\s+", "", description) in re.sub(r"\s+", "", text), value.name


def test_every_warning_subtype_is_documented_with_a_real_example(html: Path) -> None:
    from bs4 import BeautifulSoup

    from sphinx_ethics.problems import SUBTYPES

    ids = page_ids(html, "reference/warnings")
    soup = BeautifulSoup((html / "reference/warnings.html").read_text("utf-8"), "html.parser")
    examples = "\n".join(pre.get_text() for pre in soup.find_all("pre"))
    stored = WARNING_EXAMPLES.read_text("utf-8").splitlines()
    for subtype in SUBTYPES:
        assert f"warning-subtype-ethics.{subtype}" in ids, subtype
        tag = f"[ethics.{subtype}]"
        assert tag in examples, f"no example message for {subtype}"
        assert any(line.endswith(tag) for line in stored), subtype


def test_every_command_is_documented(html: Path) -> None:
    from sphinx_ethics.cli import build_parser

    text = (html / "reference/cli.html").read_text("utf-8")
    commands = next(
        a.choices
        for a in build_parser()._actions
        if hasattr(a, "choices") and isinstance(a.choices, dict)
    )
    assert {"list", "new", "update", "export", "check", "validate"} <= set(commands)
    for command in commands:
        assert f"usage: sphinx-ethics {command}" in text, command
        assert f'id="sphinx-ethics-{command}"' in text, command


def test_schemas_are_shown_in_full(html: Path) -> None:
    checklist = page_text(html, "reference/checklist-format")
    report = page_text(html, "reference/reports")
    assert "sphinx-ethics checklist file" in checklist
    assert '"subquestions"' in checklist and '"extends"' in checklist
    assert "sphinx-ethics report (ethics-report.json)" in report
    assert "testsuite" in report


# --------------------------------------------------------------------------
# Stored outputs are current
# --------------------------------------------------------------------------


def test_warning_examples_are_the_real_messages(tmp_path: Path) -> None:
    """``docs/reference/warning-examples.txt`` is the broken projects' build log.

    If a message changed on purpose, run ``python tests/test_docs.py``.
    """
    assert warning_log(tmp_path) == WARNING_EXAMPLES.read_text("utf-8"), REFRESH


def test_every_tutorial_command_is_run_by_this_test() -> None:
    commands = [str(step["command"]) for step in STEPS if "command" in step]
    assert tutorial_commands() == commands


def test_readme_example_shows_the_progress_of_its_own_snippet(tmp_path: Path) -> None:
    """The README's progress line is what its conf.py and review snippet show."""
    readme = (ROOT / "README.md").read_text("utf-8")
    conf = re.search(r"```python\n# conf.py\n(.*?)```", readme, re.S)
    review = re.search(r"```rst\n(\.\. ethics-review::.*?)```", readme, re.S)
    claimed = re.search(r'"(\d+ of \d+\s+required questions answered)"', readme)
    assert conf and review and claimed, "the README's example has changed shape"
    (tmp_path / "conf.py").write_text(conf.group(1), "utf-8")
    (tmp_path / "index.rst").write_text(f"README\n======\n\n{review.group(1)}", "utf-8")
    result = sphinx_build("-b", "html", ".", "_build", cwd=tmp_path)
    html = (tmp_path / "_build" / "index.html").read_text("utf-8")
    progress = re.sub(r"\s+", " ", claimed.group(1))
    assert progress in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)), shown(result)


def test_tutorial_pages_are_the_new_page_answered() -> None:
    """The pages the reader writes are what ``new`` wrote, plus the answers."""
    for name, text in tutorial_pages().items():
        assert (TUTORIAL / name).read_text("utf-8") == text, f"{name}: {REFRESH}"


def test_tutorial(tmp_path: Path) -> None:
    """Every command of the tutorial, in order, with the results it shows."""
    problems = run_tutorial(tmp_path)
    assert not problems, "\n\n".join(problems)


# --------------------------------------------------------------------------
# How-to guides: the files and outputs they show
# --------------------------------------------------------------------------


def shown_output(page: str | Path, command: str) -> list[str]:
    for found, lines in console_blocks(DOCS / page):
        if found == command:
            return lines
    raise AssertionError(f"{page} shows no command {command!r}")


def test_custom_checklist_example_is_valid(tmp_path: Path) -> None:
    (tmp_path / "checklists").mkdir()
    shutil.copyfile(DOCS / "howto/files/discharge.yaml", tmp_path / "checklists/discharge.yaml")
    command = "sphinx-ethics validate checklists/discharge.yaml"
    result = run(executable(command), tmp_path, merged=True)
    assert result.returncode == 0, shown(result)
    expected = shown_output("howto/custom-checklists.rst", command)
    assert result.stdout.splitlines() == expected


VALIDATE_ERRORS = DOCS / "howto" / "files" / "validate-errors.txt"


def validate_errors() -> str:
    """What ``sphinx-ethics validate`` prints for the broken example checklist."""
    path = ROOTS / "test-docs-warnings-config" / "our-checklist.yaml"
    result = run(executable(f"sphinx-ethics validate {path.name}"), path.parent, merged=True)
    assert result.returncode == 1, shown(result)
    return result.stdout


def test_custom_checklist_error_example_is_real() -> None:
    assert validate_errors() == VALIDATE_ERRORS.read_text("utf-8"), REFRESH


#: Outputs shown in the command-line reference, and the commands that print them.
CLI_OUTPUTS = {
    DOCS / "reference" / "cli-list.txt": "sphinx-ethics list",
    DOCS / "reference" / "cli-list-plan.txt": "sphinx-ethics list plan",
}


def cli_output(command: str) -> str:
    result = run(executable(command), ROOT, merged=True)
    assert result.returncode == 0, shown(result)
    return result.stdout


@pytest.mark.parametrize("stored", list(CLI_OUTPUTS), ids=lambda p: p.name)
def test_cli_reference_outputs_are_real(stored: Path) -> None:
    assert cli_output(CLI_OUTPUTS[stored]) == stored.read_text("utf-8"), REFRESH


CLI_REFERENCE = DOCS / "reference" / "cli.rst"
CHECK_JSON = DOCS / "reference" / "cli-check.json"
CHECK_JSON_PROBLEMS = DOCS / "reference" / "cli-check-problems.json"
EXPORT_CSV = DOCS / "reference" / "cli-export.csv"
UPDATE_BEFORE = DOCS / "reference" / "cli-update-before.txt"
UPDATE_DIFF = DOCS / "reference" / "cli-update.diff"
#: Slots shown per review in the trimmed ``check --json`` example.
SLOTS_SHOWN = 2


EXAMPLE_COMMIT = "4f1c2e9a7b3d5c8e0f6a1b2c3d4e5f60718293a4"


def check_json() -> str:
    """``check --json`` on the example project, long slot lists cut to ``...``."""
    command = "sphinx-ethics check --json examples/falls-prevention"
    # As a CI job builds it: a commit from the CI and a reproducible time.
    fixed = {"SOURCE_DATE_EPOCH": "1796000000", "GITHUB_SHA": EXAMPLE_COMMIT}
    saved = {name: os.environ.get(name) for name in fixed}
    os.environ.update(fixed)
    try:
        result = run(executable(command), ROOT)
    finally:
        for name, value in saved.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value
    assert result.returncode == 0, shown(result)
    data = json.loads(result.stdout)
    cut = "\x00cut\x00"
    for review in data["reviews"]:
        if len(review["slots"]) > SLOTS_SHOWN + 1:
            review["slots"] = [*review["slots"][:SLOTS_SHOWN], cut]
    text = json.dumps(data, indent=2, ensure_ascii=False)
    return text.replace(json.dumps(cut), "...") + "\n"


def check_json_problems(tmp: Path) -> str:
    """``check --json`` on the tutorial's project with one question open: the verdict."""
    for target, source in {**START_FILES, "ethics.rst": "ethics-draft.rst"}.items():
        shutil.copyfile(TUTORIAL / source, tmp / target)
    result = run(executable("sphinx-ethics check --json ."), tmp)
    assert result.returncode == 1, shown(result)
    data = json.loads(result.stdout)
    verdict = {"complete": data["complete"], "problems": data["reviews"][0]["problems"]}
    return normalise(json.dumps(verdict, indent=2, ensure_ascii=False), tmp) + "\n"


def export_csv() -> str:
    """The header and first two rows of ``sphinx-ethics export plan --format csv``."""
    import csv
    import io

    text = cli_output("sphinx-ethics export plan --format csv")
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows[:3])
    return out.getvalue()


def update_example(tmp: Path) -> tuple[str, list[str]]:
    """What ``update`` changes on the reference's example page (a diff), and prints."""
    import difflib

    page = tmp / "leaflet.rst"
    shutil.copyfile(UPDATE_BEFORE, page)
    result = run(executable("sphinx-ethics update leaflet.rst"), tmp, merged=True)
    assert result.returncode == 0, shown(result)
    before = UPDATE_BEFORE.read_text("utf-8").splitlines(keepends=True)
    after = page.read_text("utf-8").splitlines(keepends=True)
    diff = difflib.unified_diff(before, after, "a/leaflet.rst", "b/leaflet.rst")
    return "".join(diff), result.stdout.splitlines()


def test_check_json_examples_are_real(tmp_path: Path) -> None:
    assert check_json() == CHECK_JSON.read_text("utf-8"), REFRESH
    assert check_json_problems(tmp_path) == CHECK_JSON_PROBLEMS.read_text("utf-8"), REFRESH


def test_export_csv_example_is_real() -> None:
    from sphinx_ethics.outputs.blank import CSV_COLUMNS

    stored = EXPORT_CSV.read_text("utf-8")
    assert export_csv() == stored, REFRESH
    header = ",".join(CSV_COLUMNS)
    assert stored.splitlines()[0] == header
    assert header.startswith("checklist,id,number,question,prompts,")  # the contract's five
    assert f"   {header}\n" in CLI_REFERENCE.read_text("utf-8")


def test_update_example_is_real(tmp_path: Path) -> None:
    diff, printed = update_example(tmp_path)
    assert diff == UPDATE_DIFF.read_text("utf-8"), REFRESH
    assert not any(line.startswith("-") for line in diff.splitlines()[2:]), "update deleted"
    assert printed == shown_output(CLI_REFERENCE, "sphinx-ethics update leaflet.rst")
    # Nothing to add: the page is left alone, byte for byte and unwritten.
    before = (tmp_path / "leaflet.rst").stat()
    result = run(executable("sphinx-ethics update leaflet.rst"), tmp_path, merged=True)
    assert result.returncode == 0 and "leaflet.rst: up to date" in result.stdout
    after = (tmp_path / "leaflet.rst").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_behaviour_messages_are_real() -> None:
    """Warning lines quoted in the directives reference are real messages."""
    stored = WARNING_EXAMPLES.read_text("utf-8").splitlines()
    page = (DOCS / "reference" / "directives.rst").read_text("utf-8")
    quoted = [line.strip() for line in page.splitlines() if line.strip().endswith("]")]
    quoted = [line for line in quoted if re.search(r"WARNING: .*\[ethics\.[\w-]+\]$", line)]
    assert len(quoted) >= 4
    for line in quoted:
        assert line in stored, f"not a message of the broken example project: {line}"
    # The note under a checklist that a custom file extends, as quoted.
    from sphinx_ethics.catalogue import load_catalog
    from sphinx_ethics.nodes.rendering import added_questions_note

    catalog = load_catalog([str(DOCS / "howto" / "files" / "discharge.yaml")])
    note = " ".join(n.astext() for n in added_questions_note(catalog.checklists["plan"]))
    assert note and " ".join(note.split()) in " ".join(page.split())


# --------------------------------------------------------------------------
# Customise the look: the names the how-to lists are the real ones
# --------------------------------------------------------------------------

LOOK = DOCS / "howto" / "customise-look.rst"
PACKAGE = ROOT / "sphinx_ethics"


def test_look_lists_every_css_property() -> None:
    css = (PACKAGE / "static" / "sphinx-ethics.css").read_text("utf-8")
    page = LOOK.read_text("utf-8")
    in_css = set(re.findall(r"--ethics-[a-z-]+(?=\s*:)", css))
    in_page = set(re.findall(r"--ethics-[a-z]+(?:-[a-z]+)*", page))
    assert in_css and in_css == in_page


def test_look_lists_every_html_class() -> None:
    """Every class the code gives its nodes; families (``ethics-state-<state>``) once."""
    page = LOOK.read_text("utf-8")
    extension = ("directives.py", "summary.py", "guide.py", "signoff.py")
    sources = sorted((PACKAGE / "nodes").glob("*.py"))
    sources += [PACKAGE / "extension" / name for name in extension]
    code = "\n".join(path.read_text("utf-8") for path in sources)
    names = set(re.findall(r"[\"'](ethics-[a-z-]*[a-z])[\"']", code))
    families = set(re.findall(r"f[\"'](ethics-[a-z-]+-)\{", code))
    assert {"ethics-review", "ethics-badge"} <= names and "ethics-state-" in families
    missing = [n for n in names if f"``{n}``" not in page]
    missing += [f"{f}<...>" for f in families if f"``{f}<" not in page]
    assert not missing, f"classes not listed in {LOOK.name}: {sorted(missing)}"


def test_look_lists_every_latex_setting() -> None:
    sty = (PACKAGE / "texinputs" / "sphinxethics.sty").read_text("utf-8")
    page = LOOK.read_text("utf-8")
    colours = set(re.findall(r"\\definecolor\{(sphinxethics[a-z]+)\}", sty))
    public = set(re.findall(r"\\(?:newlength|newcommand)\\(sphinxethics[a-z]+)\b", sty))
    assert "sphinxethicsunanswered" in colours and "sphinxethicsindent" in public
    missing = [c for c in colours if f"``{c}``" not in page]
    missing += [m for m in public if f"``\\{m}``" not in page]
    assert not missing, f"LaTeX names not listed in {LOOK.name}: {sorted(missing)}"


def test_keeping_reviews_current_outputs(tmp_path: Path) -> None:
    page = DOCS / "howto/keep-reviews-current.rst"
    shutil.copyfile(TUTORIAL / "conf.py", tmp_path / "conf.py")
    shutil.copyfile(TUTORIAL / "index.rst", tmp_path / "index.rst")
    done = (TUTORIAL / "ethics-done.rst").read_text("utf-8")
    with_more = done.replace(".. ethics-review:: plan\n", ".. ethics-review:: plan co-production\n")
    (tmp_path / "ethics.rst").write_text(with_more, "utf-8")
    # The page's update commands, in the order a reader would run them.
    update = "sphinx-ethics update ethics.rst"
    updates = [lines for command, lines in console_blocks(page) if command == update]
    assert len(updates) == 2, "the page runs update twice: adding stubs, then up to date"
    check = "sphinx-ethics update --check ethics.rst"
    steps = [
        (check, 1, shown_output(page, check)),
        (update, 0, updates[0]),
        (update, 0, updates[1]),
    ]
    for command, code, expected in steps:
        result = run(executable(command), tmp_path, merged=True)
        assert result.returncode == code, shown(result)
        assert result.stdout.splitlines() == expected, command

    # The overdue warning shown on the page is the real one.
    (tmp_path / "ethics.rst").write_text(done, "utf-8")
    result = sphinx_build(
        "-q", "-b", "html", "-D", "ethics_today=2027-07-01", ".", "_build", cwd=tmp_path
    )
    text = page.read_text("utf-8")
    overdue = [
        normalise(line, tmp_path)
        for line in result.stderr.splitlines()
        if "[ethics.overdue]" in line
    ]
    assert overdue, shown(result)
    for line in overdue:
        assert f"   {line}\n" in text, line


def test_answers_file_example_is_used_by_the_live_review(html: Path) -> None:
    text = page_text(html, "howto/answers-file")
    assert "6 of 6 required questions answered" in text
    assert "We set the aims in two open meetings" in text


def test_myst_examples_build(tmp_path: Path) -> None:
    """Every Markdown example of the MyST how-to is read as the page says."""
    text = (DOCS / "howto/myst.md").read_text("utf-8")
    blocks = re.findall(r"^(`{4,})md\n(.*?)^\1$", text, re.M | re.S)
    assert len(blocks) >= 4
    (tmp_path / "conf.py").write_text(
        'extensions = ["sphinx_ethics", "myst_parser"]\n'
        'myst_enable_extensions = ["colon_fence"]\n'
        'suppress_warnings = ["ethics.unanswered", "ethics.orphan-answer"]\n',
        "utf-8",
    )
    names = []
    for index, (_fence, body) in enumerate(blocks):
        names.append(f"example{index}")
        (tmp_path / f"example{index}.md").write_text(f"# Example {index}\n\n{body}", "utf-8")
    toctree = "\n".join(names)
    (tmp_path / "index.md").write_text(f"# Examples\n\n```{{toctree}}\n{toctree}\n```\n", "utf-8")
    result = sphinx_build("-W", "--keep-going", "-b", "html", ".", "_build", cwd=tmp_path)
    assert result.returncode == 0, shown(result)
    report = json.loads((tmp_path / "_build/ethics-report.json").read_text("utf-8"))
    answered = {
        s["id"] for r in report["reviews"] for s in r["slots"] if s["state"] != "unanswered"
    }
    assert {"collaboration-1"} <= answered
    assert len(report["reviews"]) == 3  # the answer-only example is not a review


def test_ci_workflows() -> None:
    import yaml

    github = yaml.safe_load((DOCS / "howto/files/github-docs.yml").read_text("utf-8"))
    steps = github["jobs"]["docs"]["steps"]
    runs = " ".join(str(step.get("run", "")) for step in steps)
    assert "sphinx-build -W --keep-going -b html docs docs/_build/html" in runs
    junit = [s for s in steps if "action-junit-report" in str(s.get("uses", ""))]
    assert junit and junit[0]["with"]["report_paths"] == "docs/_build/html/ethics-junit.xml"

    gitlab = yaml.safe_load((DOCS / "howto/files/gitlab-ci.yml").read_text("utf-8"))
    job = gitlab["docs"]
    assert "sphinx-build -W --keep-going -b html docs public" in job["script"]
    assert job["artifacts"]["reports"]["junit"] == "public/ethics-junit.xml"
    assert job["artifacts"]["when"] == "always"
    page = (DOCS / "howto/ci.rst").read_text("utf-8")
    assert 'ethics_junit = "ethics-junit.xml"' in page


# --------------------------------------------------------------------------
# LaTeX and PDF
# --------------------------------------------------------------------------


def test_latex_builds_without_warnings(tmp_path: Path, html: Path, doctrees: Path) -> None:
    result = sphinx_build("-W", "--keep-going", "-b", "latex", "-d", doctrees, DOCS, tmp_path)
    assert result.returncode == 0, shown(result)
    assert "0 added, 0 changed, 0 removed" in result.stdout  # the html build read them
    tex = (tmp_path / "sphinx-ethics.tex").read_text("utf-8")
    assert r"\sphinxtableofcontents" in tex
    assert r"\chapter{Tutorial" in tex


OVERFULL = re.compile(r"^Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\) (.*)$", re.M)
#: Overfull boxes up to this width are invisible in print; wider ones cut text.
OVERFULL_LIMIT_PT = 5.0


@pytest.mark.usefixtures("latexmk")
def test_pdf_has_no_text_cut_off(tmp_path: Path, html: Path, doctrees: Path) -> None:
    args = [sys.executable, "-m", "sphinx", "-M", "latexpdf", str(DOCS), str(tmp_path)]
    result = run([*args, "-W", "--keep-going", "-d", str(doctrees)], ROOT)
    assert result.returncode == 0, shown(result)
    latex = tmp_path / "latex"
    pdf = latex / "sphinx-ethics.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 100_000
    log = (latex / "sphinx-ethics.log").read_text("utf-8", errors="replace")
    wide = [m.group(0) for m in OVERFULL.finditer(log) if float(m.group(1)) > OVERFULL_LIMIT_PT]
    assert not wide, "lines wider than the page in the PDF:\n" + "\n".join(wide)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        WARNING_EXAMPLES.write_text(warning_log(Path(tmp) / "warnings"), "utf-8")
        print(f"wrote {WARNING_EXAMPLES.relative_to(ROOT)}")
    VALIDATE_ERRORS.write_text(validate_errors(), "utf-8")
    for stored, command in CLI_OUTPUTS.items():
        stored.write_text(cli_output(command), "utf-8")
    print(f"wrote {VALIDATE_ERRORS.relative_to(ROOT)}")
    CHECK_JSON.write_text(check_json(), "utf-8")
    EXPORT_CSV.write_text(export_csv(), "utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        CHECK_JSON_PROBLEMS.write_text(check_json_problems(Path(tmp)), "utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        UPDATE_DIFF.write_text(update_example(Path(tmp))[0], "utf-8")
    print("wrote the command-line reference's examples in docs/reference/")
    with tempfile.TemporaryDirectory() as tmp:
        assert not run_tutorial(Path(tmp), update=True)
        print("wrote the tutorial's stored outputs in docs/tutorial/")
