"""Sign-off, required review fields, screening and referral (SPEC §8).

``roots/test-governance`` breaks every rule twice, in ``review.rst`` and in
``review-md.md`` (the same reviews in MyST), and has one clean approved
review (``clean.rst``).  Each warning is checked at its exact file and line.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from helpers import (
    ROOTS,
    Built,
    cli,
    ethics_warnings,
    line_of,
    no_crash,
    norm,
    sphinx_build,
    write_project,
)

from sphinx_ethics.catalogue import validate_file

ROOT = ROOTS / "test-governance"
SCHEMA = Path(__file__).parent.parent / "sphinx_ethics" / "schemas" / "report.schema.json"
PAGES = {"rst": ("review.rst", "rst"), "md": ("review-md.md", "md")}


@pytest.fixture(scope="module")
def built(shared_build) -> Built:
    return shared_build("governance")


@pytest.fixture(scope="module")
def report(built: Built) -> dict:
    return json.loads((built.outdir / "ethics-report.json").read_text("utf-8"))


def review_of(report: dict, name: str) -> dict:
    return next(r for r in report["reviews"] if r["name"] == name)


def expected(page: str, prefix: str) -> set[tuple[str, int, str, str]]:
    """(file, line, subtype, words) of every warning the page must give."""
    path = ROOT / page
    review = line_of(path, "ethics-review", 1)
    late = line_of(path, "ethics-review", 2)
    partner = line_of(path, "ethics-signoff", 2)
    bad = line_of(path, "ethics-signoff", 3)
    late_signoff = line_of(path, "ethics-signoff", 4)
    loose = line_of(path, "ethics-signoff", 5)
    return {
        (page, bad, "signoff", "has no :by:"),
        (page, bad, "signoff", ":decision: 'done' is not one of"),
        (page, loose, "markup", "ethics-signoff:: Loose role is outside any ethics-review"),
        (page, line_of(path, "ethics-answer"), "screening", "not 'perhaps'"),
        ("answers.yaml", 1, "screening", "not 'maybe'"),
        (page, review, "signoff", "no approving sign-off from 'Patient partner'"),
        (page, partner, "signoff", "'Patient partner' requested changes"),
        (page, partner, "signoff", "dated 2026-12-20, in the future"),
        (page, review, "field", f"review '{prefix}-approved' has no :dpia: (DPIA reference)"),
        (page, review, "referral", "referral to 'Research and development office'"),
        (page, late_signoff, "signoff", "after the review's :review-by: 2026-09-30"),
        (page, late, "overdue", "was due for review"),
    }


@pytest.mark.parametrize("syntax", PAGES)
def test_every_rule_warns_at_its_line(built: Built, syntax: str) -> None:
    page, prefix = PAGES[syntax]
    found = [
        w
        for w in built.ethics_warnings()
        if w.file == page or (f"'{prefix}-" in w.message and w.file == "answers.yaml")
    ]
    for file, line, subtype, words in expected(page, prefix):
        hits = [w for w in found if (w.file, w.line, w.subtype) == (file, line, subtype)]
        assert any(words in w.message for w in hits), (file, line, subtype, words, found)
    governance = {"signoff", "field", "referral", "screening", "markup"}
    extra = [
        w
        for w in found
        if w.subtype in governance
        and not any(
            (w.file, w.line, w.subtype) == e[:3] and e[3] in w.message
            for e in expected(page, prefix)
        )
    ]
    assert extra == []


def test_review_fields_are_options_not_typos(built: Built) -> None:
    assert [w for w in built.ethics_warnings("option") if "registration" in w.message] == []
    assert [w.file for w in built.ethics_warnings() if w.file == "clean.rst"] == []


def test_summary_field_typo_suggests_the_field(built: Built) -> None:
    (warning,) = built.ethics_warnings("option")
    assert warning.where == f"status.rst:{line_of(ROOT / 'status.rst', 'ethics-summary')}"
    assert "unknown review field 'dpai' (did you mean \"dpia\"?)" in warning.message


def test_report_has_signoffs_fields_referrals_and_choices(report: dict) -> None:
    jsonschema.validate(report, json.loads(SCHEMA.read_text("utf-8")))
    clean = review_of(report, "clean")
    assert clean["complete"] is True and clean["problems"] == []
    assert clean["signoffs"][0] == {
        "role": "Information governance",
        "by": "P. Nair",
        "date": "2026-10-02",
        "decision": "approved",
        "comment": "No DPIA needed.",
        "file": "clean.rst",
        "line": line_of(ROOT / "clean.rst", "ethics-signoff:: Information governance"),
        "digest": "",  # not tied to a version of the answers (accepted by default)
        "stale": "",
        "slots": {},
    }
    assert [s["role"] for s in clean["signoffs"]] == [
        "Information governance",
        "Clinical lead",
        "Patient partner",
    ]
    assert clean["fields"] == {
        "registration": {"label": "QI registration number", "value": "QI-3"},
        "dpia": {"label": "DPIA reference", "value": "DPIA-9"},
    }
    (referral,) = clean["referrals"]
    assert referral["to"] == "Information governance" and referral["question"] == "screening-2"
    assert referral["answer"] == "unsure" and referral["open"] is False
    assert referral["outcome"] == "approved by P. Nair on 2026-10-02: No DPIA needed."
    assert [s["choice"] for s in clean["slots"]] == ["no", "unsure", "no"]
    approved = review_of(report, "rst-approved")
    # The sign-off without :by: and with a bad decision is not counted.
    assert [s["role"] for s in approved["signoffs"]] == ["Clinical lead", "Patient partner"]
    assert approved["fields"]["dpia"]["value"] == ""
    assert [(r["question"], r["answer"], r["open"]) for r in approved["referrals"]] == [
        ("screening-3", "yes", True)
    ]
    assert [s["choice"] for s in approved["slots"]] == ["", "", "yes"]
    assert [s["state"] for s in approved["slots"]] == ["unanswered", "unanswered", "answered"]


def test_junit_has_a_case_per_referral(built: Built) -> None:
    root = ET.parse(built.outdir / "ethics-junit.xml").getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    name = "referral to Research and development office (screening-3 is yes)"
    case = next(c for c in suites["rst-approved"].iter("testcase") if c.get("name") == name)
    assert case.find("failure") is not None
    clean = [c.get("name") for c in suites["clean"].iter("testcase")]
    assert "referral to Information governance (screening-2 is unsure)" in clean
    assert all(c.find("failure") is None for c in suites["clean"].iter("testcase"))


def test_html_shows_referral_at_the_top_and_the_signoff_table(built: Built) -> None:
    page = built.html("clean")
    review = page.select_one("div.ethics-review")
    first_block = review.find("div", recursive=False)
    assert "ethics-referrals" in first_block["class"]
    assert norm(first_block.get_text(" ")).startswith(
        "Refer to: Information governance, because screening-2 is unsure."
    )
    assert "Outcome: approved by P. Nair" in norm(first_block.get_text(" "))
    table = review.select_one("div.ethics-signoffs table")
    rows = [norm(r.get_text(" ")) for r in table.select("tbody tr")]
    assert rows[2].startswith("Patient partner J. Doe 2026-10-03 Approved with conditions")
    badges = [norm(b.get_text()) for b in review.select(".ethics-badge")]
    assert badges[1:4] == ["Answer: no", "Answer: unsure", "Answer: no"]
    fields = norm(review.select_one("dl.ethics-metadata").get_text(" "))
    assert "QI registration number : QI-3" in fields and "DPIA reference : DPIA-9" in fields
    # The approved review: a role that has not approved gets a row saying so.
    approved = built.html("review").select_one("div.ethics-signoffs")
    assert "Not counted: done" in norm(approved.get_text(" "))
    late = built.html("review").select("div.ethics-review")[1].select_one("div.ethics-signoffs")
    assert "Patient partner Not yet signed off" in norm(late.get_text(" "))


def test_loose_signoff_is_shown_not_dropped(built: Built) -> None:
    text = norm(built.html("review").get_text(" "))
    assert text.count("Loose role") == 1


def test_summary_has_signed_off_referral_and_field_columns(built: Built) -> None:
    table = built.html("status").select_one("table")
    headings = [norm(th.get_text()) for th in table.select("thead th")]
    assert headings[-3:] == ["QI registration number", "Signed off", "Referral"]
    rows = {
        norm(r.select_one("th[scope=row] p").get_text(" ")): r for r in table.select("tbody tr")
    }
    row = rows["A complete, approved screening review (clean)"]
    clean = [norm(td.get_text(" ")) for td in row.select("td")]
    assert clean[-3] == "QI-3"
    assert "Clinical lead: Approved 2026-10-03" in clean[-2]
    assert clean[-1] == "Information governance (screening-2: outcome recorded)"
    late = [norm(td.get_text(" ")) for td in rows["Review in rST (rst-late)"].select("td")]
    assert "Patient partner: Not yet signed off" in late[-2] and late[-1] == "none"


def test_parallel_build_equals_serial(tmp_path: Path) -> None:
    results = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}"
        result = sphinx_build("-b", "html", "-j", jobs, "-d", out / ".doctrees", ROOT, out)
        no_crash(result)
        warnings = sorted(
            (w.file, w.line, w.type, w.message) for w in ethics_warnings(result.stderr)
        )
        report = json.loads((out / "ethics-report.json").read_text("utf-8"))
        del report["generated_at"]  # the time it was written: the one field that differs
        results[jobs] = (warnings, report)
    assert results["1"][0] and results["1"] == results["2"]


def test_check_prints_signoffs_and_referrals(tmp_path: Path) -> None:
    src = tmp_path / "governance"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns("_build"))
    result = cli("check", src)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "  signed off: Information governance: approved by P. Nair on 2026-10-02" in out
    assert (
        "  refer to: Research and development office, because screening-3 is yes; "
        "OPEN (no outcome recorded)"
    ) in out


def test_worksheet_prints_a_row_per_role_to_sign_by_hand(tmp_path: Path) -> None:
    conf = 'extensions = ["sphinx_ethics"]\n'
    conf += 'ethics_signoff_roles = ["Clinical lead", "Patient partner"]\n'
    page = "Handbook\n========\n\n.. ethics-checklist:: collaboration\n   :worksheet:\n"
    src = write_project(tmp_path, {"index.rst": page}, conf)
    result = sphinx_build("-W", "-b", "latex", src, tmp_path / "latex")
    no_crash(result)
    assert result.returncode == 0, result.stderr
    tex = next((tmp_path / "latex").glob("*.tex")).read_text("utf-8")
    assert tex.count(r"\DUrole{ethics-signoff-by-hand}") == 2 * 5
    assert "Clinical lead" in tex and "Patient partner" in tex and "Sign" in tex
    assert "Not yet signed off" not in tex


def test_bad_governance_config_is_reported(tmp_path: Path) -> None:
    conf = (
        'extensions = ["sphinx_ethics"]\nethics_signoff_roles = "Clinical lead"\n'
        'ethics_review_fields = {"status": "Status again", "Bad Name": "x", "ok": 3}\n'
    )
    page = "T\n=\n\n.. ethics-review:: collaboration\n"
    src = write_project(tmp_path, {"index.rst": page}, conf)
    result = sphinx_build("-b", "html", src, tmp_path / "html")
    no_crash(result)
    messages = [w.message for w in ethics_warnings(result.stderr, "config")]
    assert any("ethics_signoff_roles must be a list of strings" in m for m in messages)
    assert any("'status' is already an ethics-review option" in m for m in messages)
    assert any("'Bad Name' is not an option name" in m for m in messages)
    assert any("'ok' has the label 3" in m for m in messages)


def test_answer_option_on_a_question_answered_in_words(tmp_path: Path) -> None:
    page = (
        "T\n=\n\n.. ethics-review:: collaboration\n\n   .. ethics-answer:: collaboration-1\n"
        "      :answer: yes\n\n      We listen to everyone.\n"
    )
    src = write_project(tmp_path, {"index.rst": page}, 'extensions = ["sphinx_ethics"]\n')
    result = sphinx_build("-b", "html", src, tmp_path / "html")
    (warning,) = ethics_warnings(result.stderr, "option")
    assert warning.where == "index.rst:6"
    assert ":answer: is for screening questions" in warning.message


def test_refer_outside_a_screening_checklist_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "schema_version: 1\nchecklists:\n  - id: ours\n    title: Ours\n    questions:\n"
        "      - number: 1\n        text: Q?\n        refer:\n          when: [yes, maybe]\n"
        "          to: Research ethics committee\n",
        "utf-8",
    )
    problems = [(p.line, p.message) for p in validate_file(path)]
    assert (9, "checklists[0].questions[0].refer.when[1]: 'maybe' is not one of "
            "['yes', 'no', 'unsure']") in problems  # fmt: skip
    assert any(line == 8 and "only a question of a 'kind: screening'" in m for line, m in problems)
    path.write_text(
        "schema_version: 1\nextends:\n  - checklist: plan\n    questions:\n"
        "      - number: 9\n        text: Extra?\n        refer: {when: [unsure], to: R&D}\n",
        "utf-8",
    )
    (problem,) = validate_file(path)
    assert problem.line == 5 and "'plan' is not a screening checklist" in problem.message


def test_screening_yes_no_words_are_not_yaml_booleans(tmp_path: Path) -> None:
    path = ROOT / "screening.yaml"
    assert validate_file(path) == []
    from sphinx_ethics.catalogue import load_catalog

    question = load_catalog([path]).questions["screening-1"]
    assert question.screening and question.refer is not None
    assert question.refer.when == ("yes", "unsure")


def test_review_fields_cannot_take_the_review_s_own_option_names() -> None:
    from sphinx_ethics.extension.config import REVIEW_OPTIONS
    from sphinx_ethics.extension.review import ReviewDirective

    assert tuple(ReviewDirective.option_spec) == REVIEW_OPTIONS


def test_misspelt_review_field_suggests_the_field_and_stays_missing(tmp_path: Path) -> None:
    # A typo in a field's option must not pass as the field: it is an option
    # problem that names the configured field, and the field is still missing.
    conf = (
        'extensions = ["sphinx_ethics"]\n'
        'ethics_review_fields = {"registration": "QI registration number"}\n'
    )
    page = "T\n=\n\n.. ethics-review:: collaboration\n   :registraton: QI-1\n"
    src = write_project(tmp_path, {"index.rst": page}, conf)
    result = sphinx_build("-b", "html", src, tmp_path / "html")
    no_crash(result)
    (typo,) = ethics_warnings(result.stderr, "option")
    assert typo.where == "index.rst:4"
    assert ':registraton: (did you mean "registration"?)' in typo.message
    assert ":registration:" in typo.message.split("options:")[1]
    (field,) = ethics_warnings(result.stderr, "field")
    assert "has no :registration:" in field.message


@pytest.mark.parametrize("syntax", PAGES)
def test_signoffs_are_built_from_the_record_not_patched(built: Built, syntax: str) -> None:
    """The record holds every sign-off, counted or not; the page read keeps only
    their comments (by line), and the table is built from the record, in the
    order written, when the page is written."""
    page, _kind = PAGES[syntax]
    docname = page.rsplit(".", 1)[0]
    domain = built.app.env.get_domain("ethics")
    record = next(r for r in domain.reviews[docname] if r.name == f"{syntax}-approved")
    assert [(s.role, s.decision) for s in record.uncounted] == [("Clinical lead", "done")]
    assert record.uncounted[0].line == line_of(ROOT / page, "decision: done") - 2
    assert [s.role for s in record.signoffs] == ["Clinical lead", "Patient partner"]
    # The doctree as read: sign-off comments carried like answers (keyed by line, no dicts).
    doctree = built.app.env.get_doctree(docname)
    kept = [n for n in doctree.findall() if "ethics_signoff" in getattr(n, "attributes", {})]
    assert {type(n["ethics_signoff"]) for n in kept} == {int}
    assert any("leaflet" in n.astext() for n in kept)
    # Written: one row per sign-off, in the order written, the uncounted one last.
    review = next(
        r
        for r in built.html(docname).select("div.ethics-review")
        if f"{syntax}-approved" in r["id"]
    )
    rows = [norm(r.get_text(" ")) for r in review.select("div.ethics-signoffs tbody tr")]
    assert rows[0].startswith("Clinical lead Dr A. Shah 2026-10-20 Approved")
    assert "leaflet" in rows[0]
    assert rows[1].startswith("Patient partner J. Doe 2026-12-20 Changes requested")
    assert rows[2].startswith("Clinical lead") and "Not counted: done" in rows[2]
