"""The licence holds in every output (SPEC §15).

One project (``examples/custom-checklists``: the built-in ``plan`` checklist,
which the team's file ``extends`` with question 9, and a checklist of the
team's own) is written in every output that carries the guide's words:
HTML, text, PDF, the JSON report, JUnit, every ``export`` format, every
``review`` format, the form, ``list`` and ``new``.  Each must carry THIS
Institute's attribution (title, authors, DOI, licence and its address) and
the team's own source, and mark question 9 as the team's: a team's words are
never shown under THIS Institute's attribution alone.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import ATTRIBUTION, REPO, cli, latexpdf, no_crash, pdftotext, sphinx_build, unwrap

EXAMPLE = REPO / "examples" / "custom-checklists"
TEAM = "Northfield General Hospital QI ethics additions"
TEAM_SOURCE = (
    f"Source: {TEAM} (Northfield General Hospital, Quality Improvement Team, "
    "https://example.org/northfield-qi/ethics), by Northfield QI team. Licensed under MIT."
)
#: What THIS Institute's attribution must name, in every output.
BUILT_IN = (
    "THIS Institute",
    "https://ths.im/explain-this",
    "Alan Cribb, Vikki Entwistle and Polly Mitchell",
    "https://doi.org/10.1017/9781009325233",
    "Licensed under CC BY-NC-ND 4.0",
    "https://creativecommons.org/licenses/by-nc-nd/4.0/",
)
#: The team's source, in every output that shows its words.
OWN = (TEAM, "https://example.org/northfield-qi/ethics", "Licensed under MIT")
#: How question 9 is marked as the team's: "Added by ...", "... was added by ..."
#: or, in JSON, its ``added_by``.
MARKS = (f"added by {TEAM}", f'"added_by": "{TEAM}"')


def flat(text: str) -> str:
    """Text with no spaces, lower case: lines wrapped anywhere still match."""
    return "".join(unwrap(text).split()).lower()


def html_text(text: str) -> str:
    return BeautifulSoup(text, "html.parser").get_text(" ")


def run_cli(project: Path, *args: str) -> str:
    result = cli(*args, cwd=project)
    assert result.returncode == 0, result.stderr
    return result.stdout


class Outputs:
    """Every output of the project, each made once, when first asked for."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.project = tmp / "project"
        shutil.copytree(EXAMPLE, self.project, ignore=shutil.ignore_patterns("_build"))
        self.cache: dict[str, str] = {}

    def get(self, name: str) -> str:
        if name not in self.cache:
            self.cache[name] = getattr(self, "make_" + name.replace("-", "_"))()
        return self.cache[name]

    def built(self, builder: str) -> Path:
        out = self.tmp / builder
        if not out.is_dir():
            result = sphinx_build("-b", builder, "-D", "ethics_junit=junit.xml", self.project, out)
            no_crash(result)
        return out

    def written(self, *args: str, suffix: str = "") -> Path:
        target = self.tmp / "written" / ("-".join(args).replace("/", "_") + suffix)
        target.parent.mkdir(exist_ok=True)
        run_cli(self.project, *args, "-o", str(target))
        return target

    def make_html(self) -> str:
        return html_text((self.built("html") / "review.html").read_text("utf-8"))

    def make_text(self) -> str:
        return (self.built("text") / "review.txt").read_text("utf-8")

    def make_pdf(self) -> str:
        return pdftotext(latexpdf(self.project, self.tmp / "pdf"))

    def make_report_json(self) -> str:
        return (self.built("html") / "ethics-report.json").read_text("utf-8")

    def make_junit(self) -> str:
        return (self.built("html") / "junit.xml").read_text("utf-8")

    def export(self, fmt: str) -> str:
        files = ("--checklists", "ward-checklists.yaml")
        out = self.written("export", "plan", *files, "--format", fmt)
        return out.read_text("utf-8")

    def review(self, fmt: str) -> str:
        out = self.written("review", ".", "ward-plan-review", "--format", fmt)
        if fmt == "docx":
            with zipfile.ZipFile(out) as paper:
                xml = paper.read("word/document.xml").decode("utf-8")
                return re.sub(r"<[^>]+>", " ", xml)
        return out.read_text("utf-8")

    def make_form(self) -> str:
        out = self.written("form", "plan", "--checklists", "ward-checklists.yaml")
        return html_text(out.read_text("utf-8"))

    def make_list(self) -> str:
        return run_cli(self.project, "list", "--checklists", "ward-checklists.yaml")

    def make_list_plan(self) -> str:
        return run_cli(self.project, "list", "plan", "--checklists", "ward-checklists.yaml")

    def make_list_json(self) -> str:
        return run_cli(
            self.project, "list", "plan", "--checklists", "ward-checklists.yaml", "--json"
        )

    def make_new(self) -> str:
        out = self.written("new", "plan", "--checklists", "ward-checklists.yaml", suffix=".rst")
        return out.read_text("utf-8")


for fmt in ("md", "rst", "html", "csv", "json"):
    setattr(Outputs, f"make_export_{fmt}", lambda self, fmt=fmt: self.export(fmt))
for fmt in ("md", "html", "csv", "json", "docx"):
    setattr(Outputs, f"make_review_{fmt}", lambda self, fmt=fmt: self.review(fmt))


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    return Outputs(tmp_path_factory.mktemp("licence"))


#: Every output, and whether it shows question 9 (the overview list does not).
EVERY_OUTPUT = {
    "html": True,
    "text": True,
    "pdf": True,
    "report-json": True,
    "junit": True,
    "export-md": True,
    "export-rst": True,
    "export-html": True,
    "export-csv": False,  # its row's source column: test_csv_rows_carry_their_own_source
    "export-json": True,
    "review-md": True,
    "review-html": True,
    "review-csv": False,  # likewise
    "review-json": True,
    "review-docx": True,
    "form": True,
    "list": False,
    "list-plan": True,
    "list-json": True,
    "new": True,
}


@pytest.mark.parametrize("name", list(EVERY_OUTPUT))
def test_every_output_attributes_the_guide_and_the_team(
    outputs: Outputs, name: str, request: pytest.FixtureRequest
) -> None:
    if name == "pdf":
        request.getfixturevalue("latexmk")
    text = flat(outputs.get(name))
    for words in [*BUILT_IN, *OWN]:
        assert flat(words) in text, f"{name}: {words!r} missing"
    if EVERY_OUTPUT[name]:
        marked = any(flat(mark) in text for mark in MARKS)
        assert marked, f"{name}: question 9 is not marked as the team's"


def rows(text: str) -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text))}


@pytest.mark.parametrize("name", ["export-csv", "review-csv"])
def test_csv_rows_carry_their_own_source(outputs: Outputs, name: str) -> None:
    """A row is a question on its own in a spreadsheet: its source is its own."""
    by_id = rows(outputs.get(name))
    assert by_id["plan-1"]["source"] == ATTRIBUTION
    assert by_id["plan-9"]["source"] == TEAM_SOURCE


def test_json_outputs_say_whose_question_it_is(outputs: Outputs) -> None:
    exported = json.loads(outputs.get("export-json"))
    questions = {q["id"]: q for q in exported["checklists"][0]["questions"]}
    assert questions["plan-9"]["added_by"] == TEAM
    assert questions["plan-9"]["source"] == TEAM_SOURCE
    assert questions["plan-1"]["added_by"] == "" and questions["plan-1"]["source"] == ""
    review = json.loads(outputs.get("review-json"))
    shown = {q["id"]: q for c in review["checklists"] for q in c["questions"]}
    assert (shown["plan-9"]["added_by"], shown["plan-9"]["source"]) == (TEAM, TEAM_SOURCE)
    assert shown["plan-1"]["source"] == ATTRIBUTION
    report = json.loads(outputs.get("report-json"))
    plan = next(c for c in report["checklists"] if c["id"] == "plan")
    assert plan["sources"] == [ATTRIBUTION, TEAM_SOURCE]
    assert plan["added_questions"] == [{"id": "plan-9", "added_by": TEAM, "source": TEAM_SOURCE}]
    listed = json.loads(outputs.get("list-json"))["checklists"][0]
    assert next(q for q in listed["questions"] if q["id"] == "plan-9")["source"] == TEAM_SOURCE


def test_junit_carries_the_attribution_after_its_test_cases(outputs: Outputs) -> None:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(outputs.get("junit"))
    suite = next(s for s in root.iter("testsuite") if s.get("name") == "ward-plan-review")
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["attribution"] == f"{ATTRIBUTION} {TEAM_SOURCE}"
    children = [child.tag for child in suite]
    assert children[-1] == "system-out" and children[0] == "properties"
    lines = (suite.find("system-out").text or "").splitlines()
    assert lines == [
        ATTRIBUTION,
        TEAM_SOURCE,
        f"plan-9: Added by {TEAM}; not part of the checklist's source",
    ]


def test_the_page_new_writes_still_builds(outputs: Outputs, tmp_path: Path) -> None:
    """The attribution is a comment: the page shows nothing more and builds with -W."""
    page = outputs.get("new")
    assert page.count("Source: ") == 2
    project = outputs.project
    (project / "new-review.rst").write_text(page, "utf-8")
    check: Callable[..., subprocess.CompletedProcess[str]] = sphinx_build
    result = check("-b", "text", "-q", project, tmp_path / "text")
    no_crash(result)
    text = (tmp_path / "text" / "new-review.txt").read_text("utf-8")
    assert "The questions quoted in the comments below" not in text


# --------------------------------------------------------------------------
# The guide's words as written, in the exports
# --------------------------------------------------------------------------


def test_exports_add_no_full_stop_to_tip_titles() -> None:
    from sphinx_ethics.catalogue import load_catalog
    from sphinx_ethics.outputs import blank

    catalog = load_catalog()
    plan = [catalog.checklists["plan"]]
    markdown = blank.export(catalog, plan, "md")
    page = blank.export(catalog, plan, "html")
    for tip in catalog.tips.values():
        assert f"- **{blank.md_escape(tip.title)}**\n" in markdown
        assert f"<strong>{blank._h(tip.title)}</strong><br>" in page


def test_review_markdown_puts_nothing_between_a_colon_and_its_list() -> None:
    """'... For example, between:' is finished by its prompts: no label between."""
    from sphinx_ethics.catalogue import load_catalog
    from sphinx_ethics.outputs import document, writers

    catalog = load_catalog()
    checklist = catalog.checklists["healthcare-good"]
    slots = [*checklist.slots(), *catalog.checklists["collaboration"].slots()]
    review = {
        "name": "r",
        "checklists": ["healthcare-good", "collaboration"],
        "answered": 0,
        "required": 1,
        "slots": [{"id": q.id, "state": "unanswered"} for q in slots],
    }
    text = writers.to_markdown(document.review_document(review, {}, catalog))
    question = next(q for q in checklist.slots() if q.text.endswith(":"))
    after = text.split(blank_md(question.text), 1)[1]
    assert after.split("\n- ", 1)[0].count("To consider") == 0
    assert "*To consider:*" in text  # still there for a question that does not end so


def blank_md(text: str) -> str:
    from sphinx_ethics.outputs.writers import md_escape

    return md_escape(text)
