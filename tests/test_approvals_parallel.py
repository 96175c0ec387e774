"""Approvals' new data under ``-j 2`` (issue 20): stale sign-offs that name their
slots, ``:answered-under:`` with ``question-changed``, and "answered by" give the
same warnings and the same report read in parallel as read one by one."""

from __future__ import annotations

import json
from pathlib import Path

from helpers import copy_root, ethics_warnings, no_crash, sphinx_build, write_project
from test_drift import ANSWERS as DRIFT_ANSWERS
from test_drift import CONF as DRIFT_CONF
from test_drift import V2, page, record_v1
from test_who_answered import ANSWERS as WHO_ANSWERS
from test_who_answered import MYST as WHO_MYST
from test_who_answered import RST as WHO_RST


def built(src: Path, out: Path, jobs: str) -> tuple[list, dict]:
    result = sphinx_build("-b", "html", "-j", jobs, "-d", out / ".doctrees", src, out)
    no_crash(result)
    warnings = sorted((w.file, w.line, w.type, w.message) for w in ethics_warnings(result.stderr))
    report = json.loads((out / "ethics-report.json").read_text("utf-8"))
    del report["generated_at"]  # the time it was written: the one field that differs
    return warnings, report


def same_in_parallel(src: Path, tmp_path: Path) -> tuple[list, dict]:
    serial = built(src, tmp_path / "j1", "1")
    assert serial == built(src, tmp_path / "j2", "2")
    return serial


def test_stale_signoffs_and_changed_questions_read_the_same_in_parallel(tmp_path: Path) -> None:
    under = record_v1(tmp_path)
    who = WHO_RST.replace(":name: falls", ":name: who-rst")
    who_md = WHO_MYST.replace(":name: falls", ":name: who-md")
    pages = {
        "index.rst": "Index\n=====\n\n.. toctree::\n\n   drift\n   drift-md\n   who\n   who-md\n",
        "checklists.yaml": V2,
        "drift.rst": page("rst", under, DRIFT_ANSWERS),
        "drift-md.md": page("myst", under, DRIFT_ANSWERS).replace(
            ":name: falls", ":name: falls-md"
        ),
        "who.rst": who,
        "who-md.md": who_md,
        "answers.yaml": WHO_ANSWERS,
    }
    src = write_project(tmp_path, pages, DRIFT_CONF)
    warnings, report = same_in_parallel(src, tmp_path)
    assert {w[3] for w in warnings if "question-changed" in w[2]}, warnings
    slots = {s["id"]: s for r in report["reviews"] for s in r["slots"] if r["name"] == "who-md"}
    assert slots["plan-1"]["by"] == "J. Okafor (family carer)"


def test_the_governance_warnings_root_reads_the_same_in_parallel(tmp_path: Path) -> None:
    src = copy_root("docs-warnings-governance", tmp_path / "governance")
    warnings, _report = same_in_parallel(src, tmp_path)
    assert any("signoff" in w[2] for w in warnings), warnings
