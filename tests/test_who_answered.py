"""Who answered (SPEC §12, issue 20 item 5): "Answered by J. Okafor (family carer),
received 2026-11-20" under an answer whose answers-file entry says so, in the page,
the JSON report and ``sphinx-ethics review``; nothing for an entry without ``by``;
the name and role are untrusted text (SPEC §10): plain text, one line, at most
100 characters, never markup, never a class or an attribute.  ``merge`` writes
``received`` beside each entry it writes that has ``by``, and keeps every other byte.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from helpers import build_html, soup, write_project

from sphinx_ethics.answers import merge as answers_merge
from sphinx_ethics.answers.file import answers_in_text
from sphinx_ethics.answers.slots import MAX_WHO, answered_by_line, who_answered
from sphinx_ethics.catalogue import load_catalog

CONF = 'extensions = ["sphinx_ethics", "myst_parser"]\nethics_today = "2026-12-01"\n'
RST = "Falls\n=====\n\n.. ethics-review:: plan\n   :name: falls\n   :answers: answers.yaml\n"
MYST = "# Falls\n\n```{ethics-review} plan\n:name: falls\n:answers: answers.yaml\n```\n"
HOSTILE = "<img src=x onerror=alert(1)> *em* `code` :ref:`x` " + "long " * 40
ANSWERS = f"""\
plan-1:
  format: text
  by: J. Okafor (family carer)
  received: 2026-11-20
  text: Fewer falls at night.
plan-2a:
  format: text
  by: "  Sam\\tLee\\n(ward   nurse) "
  text: Falls hurt people.
plan-3:
  format: text
  by: '{HOSTILE}'
  received: 2026-11-21
  text: The panel chose the leaflet.
plan-4:
  received: 2026-11-22
  text: Written by the team, no one named.
plan-5: The team's answer.
"""
LINE = "Answered by J. Okafor (family carer), received 2026-11-20"
SHORT = " ".join(HOSTILE.split())[: MAX_WHO - 1].rstrip() + "…"


@pytest.fixture(scope="module", params=["rst", "myst"])
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp(f"who-{request.param}")
    page = {"index.rst": RST} if request.param == "rst" else {"index.md": MYST}
    src = write_project(tmp, {**page, "answers.yaml": ANSWERS}, CONF)
    build_html(src, tmp / "html")
    return tmp


def test_the_page_says_who_answered_and_when(site: Path) -> None:
    page = soup(site / "html" / "index.html")
    lines = {
        p.find_parent(class_="ethics-question")["id"]: p.get_text()
        for p in page.select("p.ethics-answered-by")
    }
    assert lines == {
        "falls-plan-1": LINE,
        "falls-plan-2a": "Answered by Sam Lee (ward nurse)",
        "falls-plan-3": f"Answered by {SHORT}, received 2026-11-21",
    }  # plan-4 has a date but no name, plan-5 neither: nothing is claimed
    html = (site / "html" / "index.html").read_text("utf-8")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert page.select("p.ethics-answered-by em, p.ethics-answered-by code") == []


def test_the_report_has_by_and_received_only_where_given(site: Path) -> None:
    report = json.loads((site / "html" / "ethics-report.json").read_text("utf-8"))
    slots = {s["id"]: s for s in report["reviews"][0]["slots"]}
    assert (slots["plan-1"]["by"], slots["plan-1"]["received"]) == (
        "J. Okafor (family carer)",
        "2026-11-20",
    )
    assert (slots["plan-2a"]["by"], slots["plan-2a"]["received"]) == ("Sam Lee (ward nurse)", "")
    assert slots["plan-3"]["by"] == SHORT and len(SHORT) == MAX_WHO
    for qid in ("plan-4", "plan-5", "plan-6"):
        assert "by" not in slots[qid] and "received" not in slots[qid]
    schema = Path(__file__).parent.parent / "sphinx_ethics" / "schemas" / "report.schema.json"
    jsonschema.validate(report, json.loads(schema.read_text("utf-8")))


def review(src: Path, fmt: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "sphinx_ethics", "review", str(src), "falls", "--format", fmt],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert result.returncode == 1, result.stderr  # plan-6 ... unanswered
    return result.stdout


def test_review_shows_who_answered_in_every_format(site: Path) -> None:
    src = site / "src"
    document = json.loads(review(src, "json"))
    found = {q["id"]: q for c in document["checklists"] for q in c["questions"]}
    assert found["plan-1"]["answered_by"] == LINE
    assert "answered_by" not in found["plan-4"] and "answered_by" not in found["plan-5"]
    markdown = review(src, "md")
    assert f"*{LINE}*" in markdown and "Answered by the team" not in markdown
    page = soup_of(review(src, "html"))
    assert [p.get_text() for p in page.select("p.by")][:2] == [
        LINE,
        "Answered by Sam Lee (ward nurse)",
    ]
    assert page.find("img") is None
    text = review(src, "csv")
    rows = list(csv.DictReader(io.StringIO(text[text.index("review,") :])))
    by_id = {row["id"]: row for row in rows}
    assert (by_id["plan-1"]["by"], by_id["plan-1"]["received"]) == (
        "J. Okafor (family carer)",
        "2026-11-20",
    )
    assert by_id["plan-4"]["by"] == by_id["plan-4"]["received"] == ""


def soup_of(text: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(text, "html.parser")


def test_who_answered_is_cleaned_and_limited() -> None:
    assert who_answered("  J.\u200b Okafor \n(carer) ", "2026-11-20") == (
        "J. Okafor (carer)",
        "2026-11-20",
    )
    assert who_answered("", "2026-11-20") == ("", "")  # no name: nothing claimed
    assert len(who_answered("x" * 500)[0]) == MAX_WHO
    assert answered_by_line("", "2026-11-20") == ""
    assert answered_by_line("Sam", "") == "Answered by Sam"


# --------------------------------------------------------------------------
# merge: by and received beside each entry it writes
# --------------------------------------------------------------------------

TEAM = 'plan-1: ""\r\nplan-2a:   Ours.  # a comment\r\nplan-3: ""\r\n'
INCOMING = """\
plan-1:
  format: text
  by: J. Okafor (family carer)
  text: Fewer falls.
plan-3:
  format: text
  text: No name given.
plan-4:
  by: Sam
  received: 2026-10-01
  text: Dated by the sender.
"""


def merged(team: str, incoming: str, received: str = "2026-11-20", side: str = "") -> str:
    ours, _ = answers_in_text(team, "team.yaml")
    theirs, _ = answers_in_text(incoming, "incoming.yaml")
    plan = answers_merge.plan(ours, theirs, side, received)
    text, _spans = answers_merge.apply(team, plan, load_catalog().questions, "team.yaml")
    return text


def test_merge_writes_received_beside_each_entry_with_by() -> None:
    text = merged(TEAM, INCOMING)
    assert text.startswith(
        "plan-1:\r\n  format: text\r\n  by: J. Okafor (family carer)\r\n"
        "  received: '2026-11-20'\r\n  text: Fewer falls.\r\n"
        "plan-2a:   Ours.  # a comment\r\n"
        "plan-3:\r\n  format: text\r\n  text: No name given.\r\n"
    )  # every other byte kept; an entry without 'by' gets no date and no name
    answers = {a.question_id: a for a in answers_in_text(text, "team.yaml")[0]}
    assert (answers["plan-4"].by, answers["plan-4"].received) == ("Sam", "2026-10-01")
    assert answers["plan-3"].by == answers["plan-3"].received == ""
    # Merged twice, the second time is nothing: the received date is no conflict.
    ours, _ = answers_in_text(text, "team.yaml")
    theirs, _ = answers_in_text(INCOMING, "incoming.yaml")
    again = answers_merge.plan(ours, theirs, "", "2026-12-24")
    assert again.changes == 0 and not again.conflicts


def test_merge_theirs_dates_the_replacement() -> None:
    team = "plan-1: Old words.\n"
    text = merged(team, INCOMING.split("plan-3")[0], side="theirs")
    assert text == (
        "plan-1:\n  format: text\n  by: J. Okafor (family carer)\n"
        "  received: '2026-11-20'\n  text: Fewer falls.\n"
    )


def test_merge_command_received_option(tmp_path: Path) -> None:
    (tmp_path / "conf.py").write_text(CONF, "utf-8")
    team, incoming = tmp_path / "team.yaml", tmp_path / "incoming.yaml"
    team.write_bytes(TEAM.encode("utf-8"))
    incoming.write_text(INCOMING, "utf-8")
    command = [sys.executable, "-m", "sphinx_ethics", "merge", str(incoming), "--into", str(team)]
    bad = subprocess.run([*command, "--received", "20/11/2026"], capture_output=True, text=True)
    assert bad.returncode == 2 and team.read_bytes() == TEAM.encode("utf-8")
    assert "--received '20/11/2026' is not a date YYYY-MM-DD" in bad.stderr
    done = subprocess.run([*command, "--received", "2026-11-20"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (
        "plan-1: fills the empty entry in "
        f"{team} (answered by J. Okafor (family carer), received 2026-11-20)"
    ) in done.stdout
    assert team.read_bytes().decode("utf-8") == merged(TEAM, INCOMING)


def test_a_changed_name_shows_after_an_incremental_build(tmp_path: Path) -> None:
    src = write_project(tmp_path, {"index.rst": RST, "answers.yaml": ANSWERS}, CONF)
    out = tmp_path / "html"
    build_html(src, out, "-d", tmp_path / "doctrees")
    (src / "answers.yaml").write_text(ANSWERS.replace("J. Okafor", "A. Patel"), "utf-8")
    build_html(src, out, "-d", tmp_path / "doctrees")
    lines = [p.get_text() for p in soup(out / "index.html").select("p.ethics-answered-by")]
    assert lines[0] == LINE.replace("J. Okafor", "A. Patel")
