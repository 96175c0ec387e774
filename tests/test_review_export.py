"""``sphinx-ethics review``: one completed review for readers who do not use Sphinx.

The falls example is written in every format by the command itself (in a
subprocess, as a user runs it); the parts the example does not have yet
(sign-offs, fields, referrals, screening choices) and hostile text are
rendered from a hand-made document with the same renderers.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from helpers import ATTRIBUTION, EXAMPLE, missing, write_project
from test_cli import CONF, one_error_line, run

from sphinx_ethics.answers.text import blocks, plain_text
from sphinx_ethics.catalogue import load_catalog
from sphinx_ethics.outputs import writers as review_export

CATALOG = load_catalog()
FALLS = "safer-steps-ethics"
FALLS_SLOTS = sum(
    len(CATALOG.checklists[c].slots()) for c in ("plan", "healthcare-good", "process-good")
)


@pytest.fixture(scope="module")
def falls_json(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("falls") / "review.json"
    result = run("review", EXAMPLE, FALLS, "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"Wrote {out} (json)."  # complete: no note
    return json.loads(out.read_text("utf-8"))


def needs_docx():
    """python-docx, from the ``test`` extra: skipped locally without it, a failure under CI."""
    try:
        import docx
    except ImportError:
        missing("python-docx is not installed (pip install -e '.[test]')")
    return docx


def questions(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["id"]: q for c in document["checklists"] for q in c["questions"]}


def governed(document: dict[str, Any]) -> dict[str, Any]:
    """The falls document with sign-offs, fields, referrals and a screening choice,
    in the report's v2 shapes (the report fills them once governance lands)."""
    document = copy.deepcopy(document)
    review = document["review"]
    review["signoffs"] = [
        {"role": "Clinical ethics lead", "by": "Dr A. Okafor", "date": "2026-09-10",
         "decision": "approved-with-conditions", "comment": "Re-audit bedrails in March.",
         "file": "ethics-review.rst", "line": 400},
        {"role": "Patient panel", "by": "Panel chair", "date": "2026-09-12",
         "decision": "approved", "comment": "", "file": "ethics-review.rst", "line": 410},
    ]  # fmt: skip
    review["fields"] = {
        "iras": {"label": "IRAS number", "value": "N/A (service evaluation)"},
        "sponsor": {"label": "Sponsor", "value": ""},
    }
    review["referrals"] = [
        {"to": "Caldicott Guardian", "because": "patient data leaves the ward",
         "question": "plan-4", "answer": "yes", "outcome": "", "open": True},
    ]  # fmt: skip
    questions(document)["plan-4"]["choice"] = "yes"
    return document


# --------------------------------------------------------------------------
# Every format, from the command, on the falls example
# --------------------------------------------------------------------------


def test_json_is_the_record_with_structured_answers(falls_json: dict[str, Any]) -> None:
    review = falls_json["review"]
    assert review["name"] == FALLS
    assert (review["answered"], review["required"], review["complete"]) == (27, 27, True)
    assert falls_json["progress"] == "27/27 required questions answered; complete"
    found = questions(falls_json)
    assert len([q for q in found.values() if not q["group"]]) == FALLS_SLOTS
    assert [c["id"] for c in falls_json["checklists"]] == review["checklists"]
    kinds = [b["type"] for b in found["plan-2a"]["blocks"]]
    assert kinds == ["paragraph", "list"]
    assert len(found["plan-2a"]["blocks"][1]["items"]) == 5
    assert found["plan-2a"]["answer"].splitlines()[2].startswith("- 147 falls")
    assert found["plan-5"]["state_words"] == "Not applicable"
    assert [b["type"] for b in found["plan-8"]["blocks"]].count("table") == 1
    link = {
        "text": "NICE guideline NG249 on falls",
        "url": "https://www.nice.org.uk/guidance/ng249",
    }
    assert link in found["plan-3"]["blocks"][0]["spans"]
    assert found["plan-2"]["group"] and found["plan-2"]["blocks"]  # the group's own note
    assert falls_json["sources"][0]["text"] == ATTRIBUTION


def test_markdown(tmp_path: Path) -> None:
    result = run("review", EXAMPLE, FALLS)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("# Ethics review — Safer Steps falls prevention\n")
    assert "### 1. Which aspects of healthcare are you trying to improve" in text
    assert "#### 2a. What harms, problems, or gaps are you trying to address? (plan-2a)" in text
    assert "\n- 147 falls, a median of 7.9" in text
    assert "NICE guideline NG249 on falls (https://www.nice.org.uk/guidance/ng249)" in text
    assert "**Not applicable**" in text
    assert "| Item | Cost | Funded by |" in text
    assert ATTRIBUTION in text
    assert "- **Progress:** 27/27 required questions answered; complete" in text


def test_csv_one_row_per_slot(tmp_path: Path) -> None:
    out = tmp_path / "review.csv"
    assert run("review", EXAMPLE, FALLS, "-o", out).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"))))
    assert len(rows) == FALLS_SLOTS
    by_id = {row["id"]: row for row in rows}
    assert by_id["plan-2a"]["question"].startswith("Why does the intended change amount")
    assert "\n- 147 falls" in by_id["plan-2a"]["answer"]
    assert by_id["plan-5"]["state"] == "Not applicable"
    assert "(https://www.nice.org.uk/guidance/ng249)" in by_id["plan-3"]["answer"]
    assert {row["source"] for row in rows} == {ATTRIBUTION}


def test_html_is_self_contained_and_printable(tmp_path: Path) -> None:
    out = tmp_path / "review.html"
    assert run("review", EXAMPLE, FALLS, "-o", out).returncode == 0
    text = out.read_text("utf-8")
    page = BeautifulSoup(text, "html.parser")
    assert "<script" not in text.lower()
    assert not page.find_all(["link", "img", "iframe", "object", "embed"])
    style = page.style.get_text()
    assert "@media print" in style and "url(" not in style and "@import" not in style
    assert all(a["href"].startswith("https://") for a in page.find_all("a"))
    assert page.h1.get_text() == "Ethics review — Safer Steps falls prevention"
    heading = page.find(lambda t: t.name == "h4" and t.get_text().startswith("2a. What harms"))
    answer = heading.find_parent("div").find("div", class_="answer")
    assert len(answer.find("ul").find_all("li")) == 5
    assert page.find("a", href="https://www.nice.org.uk/guidance/ng249")
    assert ATTRIBUTION in " ".join(page.find(class_="source").get_text().split())


def test_docx_read_back(tmp_path: Path) -> None:
    docx = needs_docx()
    out = tmp_path / "review.docx"
    result = run("review", EXAMPLE, FALLS, "-o", out)
    assert result.returncode == 0, result.stderr
    paper = docx.Document(str(out))
    styles = [(p.style.name, p.text) for p in paper.paragraphs]
    assert styles[0] == ("Title", "Ethics review — Safer Steps falls prevention")
    headings = [text for style, text in styles if style.startswith("Heading")]
    assert "Questions to help plan an improvement activity" in headings
    assert "2a. What harms, problems, or gaps are you trying to address?  [plan-2a]" in headings
    bullets = [text for style, text in styles if style == "List Bullet"]
    assert any(text.startswith("147 falls, a median of 7.9") for text in bullets)
    assert any(text.startswith(ATTRIBUTION[:40]) for _style, text in styles)
    first_cells = [t.rows[0].cells[0].text for t in paper.tables]
    assert "Review" in first_cells and "Item" in first_cells  # details, plan-8's costs
    assert "Role" in first_cells  # the example's sign-offs (ethics_signoff_roles)


def test_docx_of_a_governed_review_has_a_signoff_table(falls_json: dict[str, Any]) -> None:
    docx = needs_docx()
    from sphinx_ethics.outputs.docx import to_docx

    paper = docx.Document(io.BytesIO(to_docx(governed(falls_json))))
    tables = {t.rows[0].cells[0].text: t for t in paper.tables}
    signoffs = tables["Role"]
    assert [c.text for c in signoffs.rows[1].cells] == [
        "Clinical ethics lead", "Dr A. Okafor", "2026-09-10", "Approved with conditions",
        "Re-audit bedrails in March.",
    ]  # fmt: skip
    assert [c.text for c in tables["Referred to"].rows[1].cells][:4] == [
        "Caldicott Guardian", "patient data leaves the ward", "plan-4", "Yes",
    ]  # fmt: skip
    details = {row.cells[0].text: row.cells[1].text for row in tables["Review"].rows}
    assert details["IRAS number"] == "N/A (service evaluation)"
    assert "Sponsor" not in details  # an empty field is left out
    assert "Answered · Yes" in [p.text for p in paper.paragraphs]


def test_governed_review_in_every_text_format(falls_json: dict[str, Any]) -> None:
    document = governed(falls_json)
    md = review_export.render(document, "md")
    assert "## Sign-offs" in md and "| Clinical ethics lead | Dr A. Okafor |" in md
    assert "| Caldicott Guardian | patient data leaves the ward | plan-4 | Yes | Open |" in md
    assert "- **IRAS number:** N/A (service evaluation)" in md
    page = BeautifulSoup(review_export.render(document, "html"), "html.parser")
    assert page.find("th", string="Decision")
    assert page.find("td", string="Approved with conditions")
    rows = list(csv.DictReader(io.StringIO(review_export.render(document, "csv"))))
    plan4 = next(r for r in rows if r["id"] == "plan-4")
    assert (plan4["choice"], plan4["referrals"]) == (
        "Yes",
        "Caldicott Guardian: patient data leaves the ward (Open)",
    )
    assert json.loads(review_export.render(document, "json"))["review"]["signoffs"][0]["by"] == (
        "Dr A. Okafor"
    )


# --------------------------------------------------------------------------
# Hostile text
# --------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)> {{ 7*7 }} =cmd|' /C calc'!A0"


def hostile(document: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(document)
    document["review"]["title"] = "</title><script>alert(0)</script>"
    question = questions(document)["plan-1"]
    question["answer"] = '=HYPERLINK("http://evil")'
    question["blocks"] = [
        {"type": "paragraph", "spans": [{"text": HOSTILE + "\x07\x1b[31m"}]},
        {"type": "paragraph", "spans": [{"text": "click", "url": "javascript:alert(3)"}]},
        {"type": "list", "ordered": True, "items": [[{"type": "literal", "text": "</pre><b>x"}]]},
        {"type": "table", "rows": [["<th>", "=1+1"]], "header_rows": 0},
    ]
    document["review"]["signoffs"] = [
        {"role": "<b>", "by": "=SUM(A1)", "date": "", "decision": "approved", "comment": HOSTILE}
    ]
    return document


def test_html_escapes_hostile_text(falls_json: dict[str, Any]) -> None:
    text = review_export.render(hostile(falls_json), "html")
    page = BeautifulSoup(text, "html.parser")
    assert "<script" not in text and "<img" not in text and "<b>" not in text
    assert not page.find_all(["script", "img", "b"])
    assert "javascript:" not in str([a["href"] for a in page.find_all("a")])
    assert HOSTILE in page.get_text()
    assert "click (javascript:alert(3))" in page.get_text()


def test_csv_and_markdown_contain_hostile_text(falls_json: dict[str, Any]) -> None:
    document = hostile(falls_json)
    rows = list(csv.DictReader(io.StringIO(review_export.render(document, "csv"))))
    first = next(r for r in rows if r["id"] == "plan-1")
    assert first["answer"].startswith("'=HYPERLINK")
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    md = review_export.render(document, "md")
    assert "<script>" not in md and "\\<script\\>" in md


def test_docx_replaces_control_characters(falls_json: dict[str, Any]) -> None:
    docx = needs_docx()
    from sphinx_ethics.outputs.docx import to_docx

    paper = docx.Document(io.BytesIO(to_docx(hostile(falls_json))))
    text = "\n".join(p.text for p in paper.paragraphs)
    assert HOSTILE + "\ufffd\ufffd[31m" in text
    assert "click (javascript:alert(3))" in text


# --------------------------------------------------------------------------
# Answers' structure, from a real build (rST and an answers file)
# --------------------------------------------------------------------------

PAGE = """\
Review
======

.. ethics-review:: plan
   :name: small
   :answers: answers.yaml

   .. ethics-answer:: plan-1

      Steps:

      #. first, see `the guide <https://example.org/guide>`_
      #. second

         - nested *item*

      ::

         literal <b>text</b>

      .. list-table::
         :header-rows: 1

         * - Who
           - What
         * - Nurse
           - Checks

      Term
         Its definition.
"""

ANSWERS = """\
plan-3: |
  A `bad link <javascript:alert(1)>`_ and <script>alert(2)</script>.

  .. raw:: html

     <script>alert(3)</script>
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    tmp = tmp_path_factory.mktemp("small")
    src = write_project(tmp, {"review.rst": PAGE, "answers.yaml": ANSWERS}, CONF)
    return run("review", src, "small", "--format", "json")


def test_structure_of_lists_links_literals_tables(small: subprocess.CompletedProcess[str]) -> None:
    assert small.returncode == 1, small.stderr  # written, but not complete
    found = questions(json.loads(small.stdout))
    kinds = [b["type"] for b in found["plan-1"]["blocks"]]
    assert kinds == ["paragraph", "list", "literal", "table", "list"]
    ordered = found["plan-1"]["blocks"][1]
    assert ordered["ordered"] is True
    assert ordered["items"][0][0]["spans"] == [
        {"text": "first, see "},
        {"text": "the guide", "url": "https://example.org/guide"},
    ]
    nested = ordered["items"][1][1]
    assert nested["type"] == "list" and nested["items"][0][0]["spans"] == [{"text": "nested item"}]
    assert found["plan-1"]["blocks"][3]["rows"] == [["Who", "What"], ["Nurse", "Checks"]]
    assert found["plan-1"]["answer"].splitlines()[2:5] == [
        "1. first, see the guide (https://example.org/guide)",
        "2. second",
        "   - nested item",
    ]


def test_incomplete_review_still_exports_with_the_verdict(
    small: subprocess.CompletedProcess[str],
) -> None:
    document = json.loads(small.stdout)
    assert document["review"]["complete"] is document["complete"] is False
    assert document["verdict"] == "NOT COMPLETE: 11 problems"
    assert questions(document)["plan-2a"]["state_words"] == "Not answered"
    notes = [line for line in small.stderr.splitlines() if line.startswith("sphinx-ethics:")]
    assert notes == [
        "sphinx-ethics: review 'small': NOT COMPLETE: 11 problems (status 1; written all the "
        "same, the verdict first: --allow-incomplete makes the status 0)"
    ]
    assert document["progress"].startswith("2/11 required questions answered; not complete (")


def test_answers_file_text_stays_text_in_html(small: subprocess.CompletedProcess[str]) -> None:
    text = review_export.render(json.loads(small.stdout), "html")
    assert "<script" not in text
    assert "javascript:" not in "".join(
        a["href"] for a in BeautifulSoup(text, "html.parser").find_all("a")
    )
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in text
    # a directive in an answers file never runs: raw HTML is shown as its text
    assert "<script>alert(3)" not in text and "&lt;script&gt;alert(3)&lt;/script&gt;" in text


def test_blocks_of_plain_docutils() -> None:
    import docutils.core

    tree = docutils.core.publish_doctree("A *b*\nc.\n\n- x\n- y\n\nP\n\n   quoted\n")
    found = blocks(tree.children)
    assert [b["type"] for b in found] == ["paragraph", "list", "paragraph", "quote"]
    assert plain_text(found) == "A b c.\n\n- x\n- y\n\nP\n\nquoted"


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


def test_unknown_review_name_lists_the_names() -> None:
    result = run("review", EXAMPLE, "safer-steps-ethic")
    assert result.returncode == 2
    assert one_error_line(result).endswith(
        "unknown review 'safer-steps-ethic' (did you mean \"safer-steps-ethics\"?); "
        "reviews: safer-steps-coproduction, safer-steps-ethics, safer-steps-screening"
    )


def test_missing_python_docx_is_one_line_exit_2(tmp_path: Path) -> None:
    argv = ["review", str(EXAMPLE), FALLS, "-o", str(tmp_path / "r.docx")]
    code = (
        "import sys; sys.modules['docx'] = None\n"
        "from sphinx_ethics.cli import main\n"
        f"sys.exit(main({argv!r}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr == (
        'sphinx-ethics: error: Word output needs python-docx: pip install "sphinx-ethics[docx]"\n'
    )
    assert not (tmp_path / "r.docx").exists()


def test_read_only_output_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "paper.md"
    out.write_text("keep me\n")
    out.chmod(0o444)
    result = run("review", EXAMPLE, FALLS, "-o", out)
    assert result.returncode == 2
    assert "read-only" in one_error_line(result)
    assert out.read_text() == "keep me\n"


def test_parallel_reading_gives_the_same_document(falls_json: dict[str, Any]) -> None:
    """Answers are stored per document in the domain, so -j merges them back."""
    result = run("review", EXAMPLE, FALLS, "--format", "json", "-j", "2")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == falls_json


@pytest.mark.parametrize("name", ["index.rst", "conf.py", "screening-checklist.yaml"])
def test_a_source_of_the_project_is_never_replaced(tmp_path: Path, name: str) -> None:
    """``-o index.rst`` once replaced the review's own page with the export."""
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("_build"))
    before = (project / name).read_bytes()
    result = run("review", project, FALLS, "-o", project / name, "--format", "md")
    assert result.returncode == 2
    assert "inside the project's folder" in one_error_line(result)
    assert "not replacing it" in one_error_line(result)
    assert (project / name).read_bytes() == before


def test_a_new_file_in_the_project_and_an_earlier_export_are_written(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("_build"))
    (project / "_static").mkdir(exist_ok=True)
    assert run("review", project, FALLS, "-o", project / "_static" / "paper.md").returncode == 0
    earlier = tmp_path / "paper.md"
    earlier.write_text("an earlier export\n", "utf-8")
    assert run("review", project, FALLS, "-o", earlier).returncode == 0
    assert earlier.read_text("utf-8").startswith("# ")
