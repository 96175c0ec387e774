"""Checklist drift (SPEC §12, issue 20 item 4): ``:answered-under:``, the
checklist's ``migrations:``, ``question-changed`` and ``sphinx-ethics migrate``,
in reStructuredText and MyST.

The project's own checklist ``team`` goes from version 1 to 2: question 2 is
reworded, a new question 3 is inserted (so 3 and 4 move to 4 and 5), 5 is
split into 6a and 6b, and 6 is retired (6 is now the group of 6a and 6b).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import cli, line_of, plain_words, write_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sphinx_ethics.answers import drift
from sphinx_ethics.catalogue import load_catalog, validate_file
from sphinx_ethics.catalogue.migrations import Migration, chain, fate
from sphinx_ethics.pages.migrate import Rename, apply_renames, set_review_option
from sphinx_ethics.pages.scan import scan_page

V1 = """schema_version: 1
version: "1"
source:
  title: Team questions
checklists:
  - id: team
    title: Team questions
    questions:
      - number: 1
        text: Who is affected?
      - number: 2
        text: How will you tell them?
      - number: 3
        text: What data will you keep?
      - number: 4
        text: Who may see it?
      - number: 5
        text: What could go wrong?
      - number: 6
        text: Is there anything else?
"""
V2 = """schema_version: 1
version: "2"
source:
  title: Team questions
checklists:
  - id: team
    title: Team questions
    questions:
      - number: 1
        text: Who is affected?
      - number: 2
        text: How and when will you tell them?
      - number: 3
        text: Who paid for the project?
      - number: 4
        text: What data will you keep?
      - number: 5
        text: Who may see it?
      - number: 6
        text: What could go wrong?
        subquestions:
          - letter: a
            text: For patients?
          - letter: b
            text: For staff?
    migrations:
      - from: "1"
        to: "2"
        reworded: [team-2]
        moved_to: {team-3: team-4, team-4: team-5}
        split: {team-5: [team-6a, team-6b]}
        retired: [team-6]
"""
CONF = """
project = "Drift"
extensions = ["sphinx_ethics", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["colon_fence"]
ethics_today = "2026-11-01"
ethics_checklists = ["checklists.yaml"]
exclude_patterns = ["_build"]
"""
INDEX = "Index\n=====\n\n.. toctree::\n\n   review\n"
ANSWERS = {
    "team-1": "Patients on wards 7 and 8.",
    "team-2": "A leaflet.",
    "team-3": "Falls counts, no names.",
    "team-4": "The ward manager.",
    "team-5": "A patient may feel watched.",
    "team-6": "Nothing more.",
}


def record_v1(tmp_path: Path) -> str:
    path = tmp_path / "v1.yaml"
    path.write_text(V1, "utf-8")
    return drift.format_record(drift.current_record([load_catalog([path]).checklists["team"]]))


def page(syntax: str, under: str, answers: dict[str, str]) -> str:
    if syntax == "rst":
        out = [
            "Review\n======\n\n.. ethics-review:: team\n   :name: falls\n",
            f"   :answered-under: {under}\n",
        ]
        for qid, text in answers.items():
            out.append(f"\n   .. ethics-answer:: {qid}\n\n      {text}\n")
        return "".join(out) + "\nAfter.\n"
    out = ["# Review\n\n:::{ethics-review} team\n:name: falls\n", f':answered-under: "{under}"\n']
    for qid, text in answers.items():
        out.append(f"\n```{{ethics-answer}} {qid}\n{text}\n```\n")
    return "".join(out) + ":::\n\nAfter.\n"


def run(*args: object) -> subprocess.CompletedProcess:
    return cli(*args)


def problems(src: Path, subtype: str) -> list[dict]:
    report = json.loads(run("check", src, "--json").stdout)
    return [p for p in report["reviews"][0]["problems"] if p["subtype"] == subtype]


# -- the model ----------------------------------------------------------------


def test_fate_follows_a_chain_of_migrations() -> None:
    steps = [
        Migration("1", "2", reworded=("a-1",), moved_to=(("a-2", "a-3"),)),
        Migration("2", "3", merged=(("a-4", ("a-3", "a-5")),), retired=("a-9",)),
    ]
    assert chain(steps, "1", "3") == steps and chain(steps, "2", "3") == steps[1:]
    assert chain(steps, "3", "3") == [] and chain(steps, "3", "1") is None
    assert fate(steps, "a-1").kinds == ("reworded",)
    moved = fate(steps, "a-2")
    assert moved.kinds == ("moved", "merged") and moved.ids == ("a-4",)
    assert moved.merged_from == ("a-3", "a-5")
    assert fate(steps, "a-9").kinds == ("retired",) and fate(steps, "a-9").ids == ()
    assert fate(steps, "a-7") is None


def test_record_reads_back_and_refuses_what_is_not_one() -> None:
    record = drift.Record((("team", "2"),), (("team-1", "0a1b2c"), ("team-2b", "ffffff")))
    assert drift.parse_record(drift.format_record(record)) == record
    assert drift.parse_record("team@2 team-1=XYZ") is None
    assert drift.parse_record("team") is None


def test_bad_migrations_are_reported_with_file_and_line(tmp_path: Path) -> None:
    bad = V2.replace("moved_to: {team-3: team-4, team-4: team-5}", "moved_to: {team-3: team-9}")
    bad = bad.replace("retired: [team-6]", "retired: [plan-6]")
    bad += '      - from: "2"\n        to: "2"\n        moved_to: [team-1]\n'
    path = tmp_path / "bad.yaml"
    path.write_text(bad, "utf-8")
    found = {(p.line, p.message) for p in validate_file(path)}
    lines = bad.splitlines()

    def at(text: str) -> int:
        return next(i for i, line in enumerate(lines, 1) if text in line)

    assert any(
        line == at("team-3: team-9") and "'team-9' is not a question of this version" in m
        for line, m in found
    ), found
    assert any(
        line == at("retired: [plan-6]") and "'plan-6' is not a question id of checklist" in m
        for line, m in found
    ), found
    assert any(line == at("moved_to: [team-1]") and "moved_to" in m for line, m in found), found
    last_to = max(i for i, line in enumerate(lines, 1) if 'to: "2"' in line)
    assert any(line == last_to and "'to' is 'from'" in m for line, m in found), found


# -- the build and the command -------------------------------------------------

PAGES = {"rst": "review.rst", "md": "review.md"}


@pytest.mark.parametrize("syntax", PAGES)
def test_changed_checklist_flags_answers_and_migrate_maps_them(tmp_path: Path, syntax: str) -> None:
    under = record_v1(tmp_path)
    name = PAGES[syntax]
    src = write_project(tmp_path, {"index.rst": INDEX, name: page(syntax, under, ANSWERS)}, CONF)
    (src / "checklists.yaml").write_text(V1, "utf-8")
    review = src / name
    assert problems(src, "question-changed") == []  # answered under the current version
    (src / "checklists.yaml").write_text(V2, "utf-8")

    # Each answer given under a question that changed, at the answer's line.
    found = {p["line"]: p["message"] for p in problems(src, "question-changed")}
    expected = {
        "team-2": "reworded",
        "team-3": "that question is team-4",
        "team-4": "that question is team-5",
        "team-5": "split into team-6a, team-6b",
        "team-6": "retired",
    }
    assert len(found) == len(expected), found
    for qid, words in expected.items():
        line = line_of(review, ANSWERS[qid])
        message = found.get(line - (2 if syntax == "rst" else 1), "")
        assert message.startswith(f"{qid} was answered under checklist 'team' version 1"), found
        assert words in message, message
    assert problems(src, "unknown-question") == []

    # migrate never guesses: split and retired answers sit on ids version 2 uses.
    before = review.read_bytes()
    first = run("migrate", src)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "team-5 was split into team-6a, team-6b" in first.stdout
    assert "team-6 was retired" in first.stdout and "nothing changed" in first.stdout
    assert review.read_bytes() == before

    # The team answers the split question's parts and deletes the two old answers.
    fixed = dict(ANSWERS)
    del fixed["team-5"], fixed["team-6"]
    fixed |= {"team-6a": "Falls while walking.", "team-6b": "Extra checks."}
    review.write_text(page(syntax, under, fixed), "utf-8")
    assert len(problems(src, "question-changed")) == 3
    dry = run("migrate", src, "--check")
    assert dry.returncode == 1 and "would change 1 file" in dry.stdout
    done = run("migrate", src)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "team-3 -> team-4" in done.stdout and "team-4 -> team-5" in done.stdout
    assert "team-2 was reworded" in done.stdout
    assert "2 answers moved, 1 review recorded" in done.stdout
    migrated = review.read_bytes()
    text = migrated.decode("utf-8")
    assert "team@2 " in text and "team@1" not in text
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "Falls counts, no names." in line)
    assert lines[at - (2 if syntax == "rst" else 1)].endswith(
        "ethics-answer:: team-4".replace(
            "ethics-answer:: ", "ethics-answer} " if syntax == "md" else "ethics-answer:: "
        )
    )

    # Twice = once.
    again = run("migrate", src)
    assert again.returncode == 0 and "up to date" in again.stdout
    assert review.read_bytes() == migrated
    assert problems(src, "question-changed") == []
    assert [p["message"].split(":")[0] for p in problems(src, "unanswered")] == ["team-3"]

    # A later change the checklist does not declare is still caught.
    (src / "checklists.yaml").write_text(V2.replace("Who is affected?", "Who gains?"), "utf-8")
    [changed] = problems(src, "question-changed")
    assert changed["message"].startswith("team-1: the question's text changed")
    assert changed["line"] == line_of(review, ANSWERS["team-1"]) - (2 if syntax == "rst" else 1)


def test_migrate_renames_keys_in_an_answers_file(tmp_path: Path) -> None:
    under = record_v1(tmp_path)
    text = page("rst", under, {}).replace(
        "   :name: falls\n", "   :name: falls\n   :answers: a.yaml\n"
    )
    src = write_project(tmp_path, {"index.rst": INDEX, "review.rst": text}, CONF)
    (src / "checklists.yaml").write_text(V2, "utf-8")
    answers = "team-1: Wards.\r\nteam-3: Counts.\r\n'team-4': |\r\n  The manager.\r\n"
    (src / "a.yaml").write_bytes(answers.encode("utf-8"))
    flagged = problems(src, "question-changed")
    assert [p["file"] for p in flagged] == ["a.yaml", "a.yaml"]
    assert [p["line"] for p in flagged] == [2, 3]
    assert run("migrate", src).returncode == 0
    assert (src / "a.yaml").read_bytes() == answers.replace("team-4", "team-5").replace(
        "team-3", "team-4"
    ).encode("utf-8")
    assert problems(src, "question-changed") == []


# -- every other byte kept -------------------------------------------------------


@st.composite
def pages(draw: st.DrawFn) -> tuple[str, str]:
    fmt = draw(st.sampled_from(["rst", "md"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    indent = draw(st.sampled_from(["   ", "\t", "    "]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    words = plain_words()
    answers = draw(st.lists(words, min_size=1, max_size=3))
    recorded = draw(st.booleans())
    before = draw(words)
    if fmt == "rst":
        lines = [bom + before, "", ".. ethics-review:: team", f"{indent}:name: falls"]
        lines += [f"{indent}:answered-under: team@1"] if recorded else []
        lines.append("")
        for number, text in enumerate(answers, 1):
            lines += [f"{indent}.. ethics-answer:: team-{number}", "", f"{indent * 2}{text}", ""]
    else:
        lines = [bom + before, "", ":::{ethics-review} team", ":name: falls"]
        lines += [':answered-under: "team@1"'] if recorded else []
        lines.append("")
        for number, text in enumerate(answers, 1):
            lines += [f"```{{ethics-answer}} team-{number}", text, "```", ""]
        lines.append(":::")
    return fmt, newline.join(lines) + draw(st.sampled_from(["", newline]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_migrate_edits_keep_every_other_byte(case: tuple[str, str]) -> None:
    fmt, text = case
    [review] = scan_page(text, fmt)
    first = review.answers[0]
    renamed = apply_renames(text, [Rename(None, first.start, "team-1", "team-9")], in_file=False)
    assert renamed == text.replace("team-1", "team-9", 1)
    new = set_review_option(renamed, fmt, review.line, "answered-under", "team@2 team-9=0a1b2c")
    [again] = scan_page(new, fmt)
    assert again.options["answered-under"] == "team@2 team-9=0a1b2c"
    assert again.answers[0].id == "team-9"
    assert new.startswith("\ufeff") == text.startswith("\ufeff")
    newline = "\r\n" if "\r\n" in text else "\n"
    kept = [line for line in renamed.split(newline) if "answered-under" not in line]
    assert [line for line in new.split(newline) if "answered-under" not in line] == kept
    if newline == "\r\n":
        assert "\n" not in new.replace("\r\n", "")
    # Twice = once.
    assert set_review_option(new, fmt, review.line, "answered-under", "team@2 team-9=0a1b2c") == new


def test_a_checklist_that_only_gained_questions_needs_no_migration(tmp_path: Path) -> None:
    under = record_v1(tmp_path)
    src = write_project(
        tmp_path, {"index.rst": INDEX, "review.rst": page("rst", under, ANSWERS)}, CONF
    )
    grown = V1.replace('version: "1"', 'version: "1.1"') + (
        "      - number: 7\n        text: Who will check the results?\n"
    )
    (src / "checklists.yaml").write_text(grown, "utf-8")
    assert problems(src, "question-changed") == []
    done = run("migrate", src)
    assert done.returncode == 0 and "0 answers moved, 1 review recorded" in done.stdout
    text = (src / "review.rst").read_text("utf-8")
    assert "team@1.1 " in text and "team-7=" in text
    assert "up to date" in run("migrate", src).stdout
    # A reworded question with no migration declared: flagged, and migrate does nothing.
    (src / "checklists.yaml").write_text(
        grown.replace('version: "1.1"', 'version: "1.2"').replace("Who may see", "Who can see"),
        "utf-8",
    )
    [flagged] = problems(src, "question-changed")
    assert flagged["message"].startswith("team-4: the question's text changed")
    assert "version 1.1, now 1.2" in flagged["message"]
    refused = run("migrate", src)
    assert refused.returncode == 1 and "declares no migrations from version 1.1" in refused.stdout
    assert (src / "review.rst").read_text("utf-8") == text
