"""One verdict, wherever it is read (SPEC §11).

The page, the summary, ``ethics-report.json``, JUnit, ``sphinx-ethics check``,
``sphinx-build -W`` and ``ethics_fail_on_unanswered`` judge a review by one
list.  ``test_every_gate_agrees`` is the test ``docs/gate.rst`` cites.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from helpers import (
    ROOTS,
    ethics_warnings,
    latexpdf,
    no_crash,
    norm,
    soup,
    sphinx_build,
    unwrap,
    write_project,
)

SCHEMA = Path(__file__).parent.parent / "sphinx_ethics" / "schemas" / "report.schema.json"

CONF = """\
extensions = ["sphinx_ethics", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["colon_fence"]
ethics_checklists = ["screening.yaml"]
ethics_today = "2026-11-01"
ethics_junit = "junit.xml"
"""

INDEX = """\
Deprescribing in care homes
===========================

.. toctree::

   review

.. ethics-summary::
"""

#: A screening review whose first answer, ``unsure``, refers the project to
#: the research ethics committee; ``{outcome}`` records (or not) that outcome.
REVIEW_RST = """\
Screening
=========

.. ethics-review:: screening
   :name: care-homes
   :date: 2026-10-01
   :status: {status}

   .. ethics-answer:: screening-1
      :answer: unsure

      We may compare two ways of reviewing medicines.

   .. ethics-answer:: screening-2
      :answer: no

   .. ethics-answer:: screening-3
      :answer: no
{outcome}"""

OUTCOME_RST = """
   .. ethics-signoff:: Research ethics committee
      :by: Dr R. Patel
      :date: 2026-10-20
      :decision: approved

      Not research: no REC review needed.
"""

REVIEW_MD = """\
# Screening

::::{{ethics-review}} screening
:name: care-homes
:date: 2026-10-01
:status: {status}

:::{{ethics-answer}} screening-1
:answer: unsure

We may compare two ways of reviewing medicines.
:::

:::{{ethics-answer}} screening-2
:answer: no
:::

:::{{ethics-answer}} screening-3
:answer: no
:::
{outcome}::::
"""

OUTCOME_MD = """
:::{ethics-signoff} Research ethics committee
:by: Dr R. Patel
:date: 2026-10-20
:decision: approved

Not research: no REC review needed.
:::
"""


def project(tmp_path: Path, syntax: str, status: str, recorded: bool) -> Path:
    if syntax == "rst":
        pages = {"review.rst": REVIEW_RST.format(status=status, outcome=OUTCOME_RST * recorded)}
    else:
        pages = {"review.md": REVIEW_MD.format(status=status, outcome=OUTCOME_MD * recorded)}
    src = write_project(tmp_path, {"index.rst": INDEX, **pages}, CONF)
    shutil.copy(ROOTS / "test-governance" / "screening.yaml", src / "screening.yaml")
    return src


def check(*args: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "sphinx_ethics", "check", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.mark.parametrize(
    ("syntax", "status", "recorded"),
    [
        ("rst", "draft", False),
        ("rst", "in-review", False),
        ("md", "approved", False),
        ("rst", "draft", True),
        ("md", "in-review", True),
    ],
)
def test_every_gate_agrees(tmp_path: Path, syntax: str, status: str, recorded: bool) -> None:
    """An open referral: incomplete for every status, in every gate; recorded: complete."""
    src = project(tmp_path, syntax, status, recorded)
    complete = recorded
    out = tmp_path / "html"
    build = sphinx_build("-b", "html", src, out)
    no_crash(build)
    referrals = ethics_warnings(build.stderr, "referral")
    assert bool(referrals) is not complete, build.stderr

    # The page: progress line and the problem listed under it.
    page = soup(out / "review.html")
    progress = page.select_one(".ethics-progress")
    assert progress is not None
    assert ("ethics-progress-complete" in progress["class"]) is complete
    problems = page.select_one(".ethics-problems")
    if complete:
        assert problems is None
        assert "Not complete" not in norm(progress.get_text())
    else:
        assert problems is not None
        assert "open referral to 'Research ethics committee'" in norm(problems.get_text())
        assert "Not complete" in norm(progress.get_text())

    # The summary's referral column.
    summary = norm(soup(out / "index.html").select_one("table").get_text())
    state = "outcome recorded" if complete else "open"
    assert f"Research ethics committee (screening-1: {state})" in summary

    # The JSON report, valid against its schema.
    report = json.loads((out / "ethics-report.json").read_text("utf-8"))
    jsonschema.validate(report, json.loads(SCHEMA.read_text("utf-8")))
    [review] = report["reviews"]
    assert (review["answered"], review["required"]) == (3, 3)
    assert review["complete"] is complete
    assert report["complete"] is complete
    assert [p["subtype"] for p in review["problems"]] == ([] if complete else ["referral"])

    # JUnit: the referral case fails exactly when the review is incomplete.
    root = ET.parse(out / "junit.xml").getroot()
    failures = [f.get("type") for f in root.iter("failure")]
    assert failures == ([] if complete else ["referral"])
    assert root.get("failures") == str(len(failures))

    # sphinx-ethics check.
    result = check(src)
    assert result.returncode == (0 if complete else 1), result.stdout + result.stderr
    assert result.stdout.rstrip().endswith("OK" if complete else "problems found")

    # sphinx-build -W, and ethics_fail_on_unanswered without -W.
    strict = sphinx_build("-q", "-W", "-b", "html", "-E", src, tmp_path / "w")
    assert strict.returncode == (0 if complete else 1), strict.stderr
    gate = sphinx_build(
        "-q", "-b", "html", "-E", "-D", "ethics_fail_on_unanswered=1", src, tmp_path / "g"
    )
    assert gate.returncode == (0 if complete else 1), gate.stderr


# --------------------------------------------------------------------------
# Reading problems are reported on every build until fixed
# --------------------------------------------------------------------------

ORPHAN_RST = """\
Notes
=====

.. ethics-answer:: plan-1

   An answer outside any review.
"""

ORPHAN_MD = """\
# Notes

:::{ethics-answer} plan-1
An answer outside any review.
:::
"""

ONLY_ANSWER = """\
Review
======

.. ethics-review:: collaboration
   :name: collab

   .. ethics-answer:: collaboration-1

      .. only:: html

         Shown in HTML only.
"""


@pytest.mark.parametrize(
    ("page", "text", "subtype"),
    [
        ("notes.rst", ORPHAN_RST, "orphan-answer"),
        ("notes.md", ORPHAN_MD, "orphan-answer"),
        ("review.rst", ONLY_ANSWER, "markup"),
    ],
    ids=["orphan-rst", "orphan-md", "only-in-answer-rst"],
)
def test_reading_problems_fail_every_build(
    tmp_path: Path, page: str, text: str, subtype: str
) -> None:
    """Build twice (the page is not read again): -W fails both times, JUnit says why."""
    conf = CONF.replace('ethics_checklists = ["screening.yaml"]\n', "")
    index = "Project\n=======\n\n.. toctree::\n\n   " + page.split(".")[0] + "\n"
    src = write_project(tmp_path, {"index.rst": index, page: text}, conf)
    out = tmp_path / "out"
    for run in (1, 2):
        result = sphinx_build("-W", "--keep-going", "-b", "html", src, out)
        no_crash(result)
        assert result.returncode == 1, (run, result.stderr)
        found = ethics_warnings(result.stderr, subtype)
        assert [w.file for w in found] == [page], (run, result.stderr)
        if run == 2:
            assert "0 changed" in result.stdout or "no targets are out of date" in result.stdout
    report = json.loads((out / "ethics-report.json").read_text("utf-8"))
    assert report["complete"] is False
    suite = next(s for s in ET.parse(out / "junit.xml").getroot() if s.get("name") == "(project)")
    [case] = suite.findall("testcase")
    if subtype == "orphan-answer":
        failure = case.find("failure")
        assert failure is not None and "[ethics.orphan-answer]" in (failure.text or "")
        assert suite.get("failures") == "1"


def test_project_suite_passes_without_problems(tmp_path: Path) -> None:
    src = project(tmp_path, "rst", "draft", recorded=True)
    result = sphinx_build("-q", "-b", "html", src, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    suite = next(
        s
        for s in ET.parse(tmp_path / "out" / "junit.xml").getroot()
        if s.get("name") == "(project)"
    )
    assert suite.get("failures") == "0" and suite.find("testcase/failure") is None


# --------------------------------------------------------------------------
# A review inside a table, with sign-off roles: never a crash
# --------------------------------------------------------------------------

IN_TABLE = """\
Reviews in a table
==================

.. list-table::

   * - Collaboration
     - .. ethics-review:: collaboration
          :name: in-table

          .. ethics-answer:: collaboration-1

             We listen to every voice.

          .. ethics-signoff:: Clinical lead
             :by: Dr A. Shah
             :date: 2026-10-03
             :decision: approved

             Fine as it is.
"""

TABLE_CONF = (
    'extensions = ["sphinx_ethics"]\nethics_signoff_roles = ["Clinical lead", "Patient partner"]\n'
)


@pytest.mark.parametrize("builder", ["text", "man", "latex", "html"])
def test_review_in_a_table_renders_in_every_builder(tmp_path: Path, builder: str) -> None:
    src = write_project(tmp_path, {"index.rst": IN_TABLE}, TABLE_CONF)
    result = sphinx_build("-W", "-b", builder, src, tmp_path / "out")
    no_crash(result)
    assert result.returncode == 0, result.stderr
    if builder == "text":
        text = unwrap((tmp_path / "out" / "index.txt").read_text("utf-8").replace("|", " "))
        assert "Clinical lead: Dr A. Shah, 2026-10-03, Approved" in text
        assert "Patient partner: Not yet signed off" in text
        assert "Fine as it is." in text


def test_review_in_a_table_makes_a_pdf(tmp_path: Path, latexmk: None) -> None:
    src = write_project(tmp_path, {"index.rst": IN_TABLE}, TABLE_CONF)
    pdf = latexpdf(src, tmp_path)
    assert pdf.stat().st_size > 0


# --------------------------------------------------------------------------
# check: never a traceback
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pages", "conf", "words"),
    [
        ({"other.rst": "Other\n=====\n"}, 'extensions = ["sphinx_ethics"]\n', "index.rst"),
        (
            {"index.rst": "Home\n====\n"},
            'extensions = ["sphinx_ethics", "no_such_extension"]\n',
            "no_such_extension",
        ),
    ],
    ids=["no-index", "missing-extension"],
)
def test_check_that_cannot_build_says_so_in_one_line(
    tmp_path: Path, pages: dict[str, str], conf: str, words: str
) -> None:
    src = write_project(tmp_path, pages, conf)
    result = check(src)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("sphinx-ethics: error: Sphinx could not build")
    assert words in lines[0]
    assert "Versions" not in result.stderr and "sphinx-err-" not in result.stderr


@pytest.mark.parametrize("recorded", [False, True], ids=["referral-open", "outcome-recorded"])
def test_summary_judges_by_the_same_list(tmp_path: Path, recorded: bool) -> None:
    """Every slot answered and a referral open: the summary does not read as complete,
    and ``:incomplete:`` lists the review, as the report and the gate do."""
    src = project(tmp_path, "rst", "draft", recorded)
    index = INDEX + "\nStill to do\n-----------\n\n.. ethics-summary::\n   :incomplete:\n"
    (src / "index.rst").write_text(index, "utf-8")
    out = tmp_path / "html"
    result = sphinx_build("-b", "html", src, out)
    no_crash(result)
    report = json.loads((out / "ethics-report.json").read_text("utf-8"))
    assert report["reviews"][0]["complete"] is recorded
    tables = soup(out / "index.html").select("table")
    everything = norm(tables[0].get_text())
    still_to_do = norm(tables[1].get_text()) if len(tables) > 1 else ""
    assert "3 / 3" in everything
    assert ("not complete" in everything) is not recorded
    assert ("care-homes" in still_to_do) is not recorded
