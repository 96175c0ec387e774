"""Approvals that stay true (SPEC §12, issue 20): the digest, ``:digest:`` on
``ethics-signoff``, stale sign-offs, re-opened referrals, and the
``sphinx-ethics signoff`` command, in reStructuredText and MyST.

The project: the example screening checklist (question 1 refers to the
research ethics committee) and a two-question team checklist; the clinical
lead must approve (``ethics_signoff_roles``).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from helpers import (
    ROOTS,
    cli,
    ethics_warnings,
    line_of,
    no_crash,
    plain_words,
    soup,
    sphinx_build,
    write_project,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sphinx_ethics.answers.digest import digest, is_digest, screening_digest, serialise
from sphinx_ethics.answers.slots import SlotRecord
from sphinx_ethics.pages.signoff import NewSignoff, find_review, insert_signoff

SCREENING = (ROOTS / "test-governance" / "screening.yaml").read_text("utf-8")
CHECKLISTS = (
    SCREENING
    + """  - id: team
    title: Team questions
    questions:
      - number: 1
        text: Who is affected?
      - number: 2
        text: How will you tell them?
"""
)
CONF = """
project = "Sign"
extensions = ["sphinx_ethics", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["colon_fence"]
ethics_today = "2026-11-01"
ethics_checklists = ["checklists.yaml"]
ethics_signoff_roles = ["Clinical lead"]
exclude_patterns = ["_build"]
"""
INDEX = """Index
=====

.. toctree::

   review

.. ethics-summary::
"""
RST = """Review
======

.. ethics-review:: screening team
   :name: falls
   :status: approved

   .. ethics-answer:: screening-1
      :answer: yes

      We may compare two leaflets at random.

   .. ethics-answer:: screening-2

      no

   .. ethics-answer:: screening-3

      no

   .. ethics-answer:: team-1

      Patients on wards 7 and 8.

   .. ethics-answer:: team-2

      A leaflet.

After the review.
"""
MD = """# Review

:::{ethics-review} screening team
:name: falls
:status: approved

```{ethics-answer} screening-1
:answer: yes

We may compare two leaflets at random.
```

```{ethics-answer} screening-2
no
```

```{ethics-answer} screening-3
no
```

```{ethics-answer} team-1
Patients on wards 7 and 8.
```

```{ethics-answer} team-2
A leaflet.
```
:::

After the review.
"""
PAGES = {"rst": ("review.rst", RST), "md": ("review.md", MD)}
REC = "Research ethics committee"


def run(*args: object) -> subprocess.CompletedProcess:
    return cli(*args)


def project(tmp_path: Path, syntax: str, conf: str = CONF) -> tuple[Path, Path]:
    name, text = PAGES[syntax]
    src = write_project(tmp_path, {"index.rst": INDEX, name: text}, conf)
    (src / "checklists.yaml").write_text(CHECKLISTS, "utf-8")
    return src, src / name


def sign(
    src: Path, role: str, decision: str = "approved", *more: str
) -> subprocess.CompletedProcess:
    return run(
        "signoff", src, "falls", "--role", role, "--by", "A. Person", "--decision", decision, *more
    )


def report_of(src: Path) -> tuple[int, dict]:
    result = run("check", src, "--json")
    return result.returncode, json.loads(result.stdout)["reviews"][0]


def edit(page: Path, old: str, new: str) -> None:
    text = page.read_text("utf-8")
    assert old in text
    page.write_text(text.replace(old, new, 1), "utf-8")


# -- the digest -------------------------------------------------------------


def slot(id_: str, answer: str, state: str = "answered", choice: str = "", required: bool = True):
    return SlotRecord(id_, required, state, id_, answer=answer, choice=choice)


def test_digest_is_sha256_of_the_documented_json() -> None:
    slots = [slot("screening-1", "We may compare.", choice="yes"), slot("team-1", "Wards 7 and 8")]
    data = (
        '[["screening-1","answered","We may compare.","yes"],'
        '["team-1","answered","Wards 7 and 8",""]]'
    )
    assert serialise(slots) == data.encode("utf-8")
    assert digest(slots) == hashlib.sha256(data.encode("utf-8")).hexdigest()[:12]
    assert is_digest(digest(slots)) and not is_digest("ABCDEF123456") and not is_digest("abc")
    # White space and invisible characters are not the answer; optional slots are not counted.
    rewrapped = [
        slot("screening-1", "We  may\n compare.\u200b", choice="yes"),
        slot("team-1", "Wards 7 and 8"),
    ]
    assert digest(rewrapped) == digest(slots)
    assert digest([*slots, slot("team-9", "extra", required=False)]) == digest(slots)
    # The text, the state and the choice are.
    assert digest([slots[0], slot("team-1", "Wards 7, 8")]) != digest(slots)
    assert digest([slots[0], slot("team-1", "Wards 7 and 8", "draft")]) != digest(slots)
    assert digest([slot("screening-1", "We may compare.", choice="no"), slots[1]]) != digest(slots)
    # A referral's digest: the screening slots only.
    assert screening_digest(slots, ["screening-1"]) == digest(slots[:1])


# -- the command and the build ------------------------------------------------


@pytest.mark.parametrize("syntax", PAGES)
def test_signoff_records_and_check_passes(tmp_path: Path, syntax: str) -> None:
    src, page = project(tmp_path, syntax)
    code, review = report_of(src)
    assert code == 1
    # Approving with the referral to the committee open is refused, page untouched.
    before = page.read_bytes()
    refused = sign(src, "Clinical lead")
    assert (
        refused.returncode == 1 and "open referral to 'Research ethics committee'" in refused.stdout
    )
    assert page.read_bytes() == before
    done = sign(src, REC, "approved", "--comment", "Not research: a service evaluation.")
    assert done.returncode == 0, done.stdout + done.stderr
    assert sign(src, "Clinical lead").returncode == 0
    text = page.read_text("utf-8")
    assert f":digest: {review['screening_digest']}" in text  # the committee: screening only
    assert f":digest: {review['digest']}" in text  # the clinical lead: every answer
    assert text.endswith("\nAfter the review.\n") and ":date: 2026-11-01" in text
    # The sign-off records what the answers were given under (SPEC §12, drift).
    assert ":answered-under: " in text and "screening@" in text and "team-2=" in text
    code, review = report_of(src)
    assert code == 0, review["problems"]
    assert [s["stale"] for s in review["signoffs"]] == ["", ""]
    assert review["signoffs"][0]["comment"] == "Not research: a service evaluation."


@pytest.mark.parametrize("syntax", PAGES)
def test_edited_answer_makes_the_signoff_stale(tmp_path: Path, syntax: str) -> None:
    src, page = project(tmp_path, syntax)
    assert sign(src, REC).returncode == 0
    assert sign(src, "Clinical lead", "approved", "--date", "2026-10-30").returncode == 0
    edit(page, "A leaflet.", "A leaflet and a poster.")
    code, review = report_of(src)
    assert code == 1  # the gate fails
    stale = [p for p in review["problems"] if p["subtype"] == "signoff-stale"]
    # :slots: (written by the command) names exactly the slot that changed.
    assert len(stale) == 1
    assert "stale: the answers of team-2 changed since this sign-off" in stale[0]["message"]
    assert stale[0]["line"] == line_of(page, "ethics-signoff", 2)
    recorded, now = review["signoffs"][1]["slots"], {s["id"]: s["digest"] for s in review["slots"]}
    assert list(recorded) == list(now)
    assert [sid for sid in now if recorded[sid] != now[sid]] == ["team-2"]
    # The committee's decision covers the screening answers only: still recorded.
    assert [r["open"] for r in review["referrals"]] == [False]
    paper = run("review", src, "falls", "--format", "md")
    assert paper.returncode == 1 and "(STALE, not counted: the answers of team-2" in paper.stdout
    # The page, the summary and the warnings agree: the role is not signed.
    out = tmp_path / "html"
    result = sphinx_build("-b", "html", src, out)
    no_crash(result)
    assert any(w.subtype == "signoff-stale" for w in ethics_warnings(result.stderr))
    summary = soup(out / "index.html").get_text(" ")
    assert "Clinical lead: Not yet signed off (stale)" in " ".join(summary.split())
    html = " ".join(soup(out / "review.html").get_text(" ").split())
    assert "Stale: Approved, but the answers of team-2 changed since this sign-off" in html


@pytest.mark.parametrize("syntax", PAGES)
def test_changed_screening_answer_reopens_the_referral(tmp_path: Path, syntax: str) -> None:
    src, page = project(tmp_path, syntax)
    assert sign(src, REC).returncode == 0
    code, review = report_of(src)
    assert [r["open"] for r in review["referrals"]] == [False]
    edit(page, "no\n", "yes\n")  # screening-2: information governance now too
    text = page.read_text("utf-8")
    page.write_text(text.replace("no\n", "yes\n", 1), "utf-8")  # screening-3
    code, review = report_of(src)
    assert code == 1
    rec = review["referrals"][0]
    assert rec["to"] == REC and rec["open"]
    assert "the answers of screening-2, screening-3 changed since" in rec["reopened"]
    messages = [p["message"] for p in review["problems"] if p["subtype"] == "referral"]
    assert any(
        "open referral to 'Research ethics committee'" in m and "re-opened" in m for m in messages
    )


HANDWRITTEN = """
   .. ethics-signoff:: Research ethics committee
      :by: R. Chair
      :date: 2026-10-02
      :decision: approved

   .. ethics-signoff:: Clinical lead
      :by: Dr A. Shah
      :date: 2026-10-03
      :decision: approved
"""


def test_signoff_without_digest_passes_by_default_and_fails_when_required(tmp_path: Path) -> None:
    src, page = project(tmp_path, "rst")
    edit(page, "      A leaflet.\n", "      A leaflet.\n" + HANDWRITTEN)
    code, review = report_of(src)
    assert code == 0, review["problems"]
    assert [s["digest"] for s in review["signoffs"]] == ["", ""]
    out = run("check", src).stdout
    assert "(not tied to a version of the answers)" in out
    build = sphinx_build("-b", "html", src, tmp_path / "html")
    html = " ".join(soup(tmp_path / "html" / "review.html").get_text(" ").split())
    assert html.count("Not tied to a version of the answers (no :digest:).") == 2, build.stderr
    (src / "conf.py").write_text(CONF + 'ethics_signoff_digest = "required"\n', "utf-8")
    code, review = report_of(src)
    assert code == 1
    found = [p for p in review["problems"] if p["subtype"] == "signoff"]
    assert [p["line"] for p in found if "has no :digest:" in p["message"]] == [
        line_of(page, "ethics-signoff", 1),
        line_of(page, "ethics-signoff", 2),
    ]


def test_malformed_digest_is_a_signoff_problem(tmp_path: Path) -> None:
    src, page = project(tmp_path, "rst")
    edit(
        page,
        "      A leaflet.\n",
        "      A leaflet.\n"
        + HANDWRITTEN.replace(
            ":decision: approved\n", ":decision: approved\n      :digest: ABC\n", 1
        ),
    )
    code, _review = report_of(src)
    assert code == 1
    result = sphinx_build("-b", "html", src, tmp_path / "out")
    found = ethics_warnings(result.stderr, "signoff")
    assert any(":digest: 'ABC' is not 12 lowercase hex characters" in w.message for w in found)


def test_stale_signoff_without_slots_says_the_answers_changed(tmp_path: Path) -> None:
    """A hand-written sign-off with a :digest: but no :slots: cannot tell which
    slots changed: it says so in general; a malformed :slots: is a problem."""
    src, page = project(tmp_path, "rst")
    written = HANDWRITTEN.replace(
        ":decision: approved\n", ":decision: approved\n      :digest: 0123456789ab\n"
    )
    edit(page, "      A leaflet.\n", "      A leaflet.\n" + written)
    code, review = report_of(src)
    stale = [p["message"] for p in review["problems"] if p["subtype"] == "signoff-stale"]
    assert code == 1 and len(stale) == 1
    assert "stale: the answers changed since this sign-off" in stale[0]
    assert "the screening answers changed since" in review["referrals"][0]["reopened"]
    edit(page, ":digest: 0123456789ab\n", ":digest: 0123456789ab\n      :slots: team-1=XYZ\n")
    code, review = report_of(src)
    assert any(
        ":slots: is not a list of id=digest pairs" in p["message"]
        for p in review["problems"]
        if p["subtype"] == "signoff"
    )


def test_signoff_cannot_run_or_refuses_with_one_line(tmp_path: Path) -> None:
    src, page = project(tmp_path, "rst")
    before = page.read_bytes()
    bad_date = sign(src, REC, "approved", "--date", "2026-13-01")
    assert bad_date.returncode == 2 and "is not a date" in bad_date.stderr
    unknown = run("signoff", src, "flals", "--role", REC, "--by", "X", "--decision", "approved")
    assert unknown.returncode == 2 and "unknown review 'flals'" in unknown.stderr
    edit(page, "      A leaflet.\n", "      TBD\n")
    refused = sign(src, REC)
    assert refused.returncode == 1 and "team-2 is placeholder" in refused.stdout
    # Requesting changes is always recorded.
    (tmp_path / "md").mkdir()
    md_src, md_page = project(tmp_path / "md", "md")
    fence = sign(md_src, REC, "changes-requested", "--comment", "See:\n:::\nno")
    assert fence.returncode == 2 and "would be read as a MyST fence" in fence.stderr
    assert md_page.read_text("utf-8") == MD
    page.write_bytes(before.replace(b"A leaflet.", b"TBD"))
    assert sign(src, "Clinical lead", "changes-requested").returncode == 0


# -- every other byte kept ---------------------------------------------------

SIGNOFF = NewSignoff(
    "Clinical lead",
    "Dr A. Shah",
    "2026-11-01",
    "approved",
    "0123456789ab",
    "Fine.",
    "team-1=0123ab team-2=abcdef",
)


@st.composite
def pages(draw: st.DrawFn) -> tuple[str, str]:
    fmt = draw(st.sampled_from(["rst", "md"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    indent = draw(st.sampled_from(["   ", "\t", "    "]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    words = plain_words()
    answers = draw(st.lists(words, min_size=1, max_size=3))
    before = draw(words)
    after = draw(st.lists(words, max_size=2))
    end = draw(st.sampled_from(["", newline]))
    if fmt == "rst":
        lines = [bom + before, "", ".. ethics-review:: team", f"{indent}:name: falls", ""]
        for number, text in enumerate(answers, 1):
            lines += [
                f"{indent}.. ethics-answer:: team-{number}",
                "",
                f"{indent}{indent}{text}",
                "",
            ]
    else:
        lines = [bom + before, "", ":::{ethics-review} team", ":name: falls", ""]
        for number, text in enumerate(answers, 1):
            lines += [f"```{{ethics-answer}} team-{number}", text, "```", ""]
        lines.append(":::")
    lines += ["", *after] if after else []
    return fmt, newline.join(lines) + (end if after or fmt == "md" else "")


def common(a: str, b: str) -> int:
    """The length of the common prefix of ``a`` and ``b``."""
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_signoff_keeps_every_other_byte(page: tuple[str, str]) -> None:
    fmt, text = page
    review = find_review(text, fmt, 3, "falls")
    new = insert_signoff(text, fmt, review, SIGNOFF)
    prefix, suffix = common(text, new), common(text[::-1], new[::-1])
    # Only an insertion: new == text[:k] + added + text[k:].
    assert prefix + suffix >= len(text), (text, new)
    k = len(text) - suffix
    added = new[k : len(new) - suffix]
    if "\r\n" in text:
        assert "\n" not in added.replace("\r\n", "")
    assert "ethics-signoff" in new and ":digest: 0123456789ab" in new
    assert ":slots: team-1=0123ab team-2=abcdef" in new.replace('"', "")
    assert new.startswith("\ufeff") == text.startswith("\ufeff")


def test_unknown_signoff_digest_setting_is_a_config_problem_and_fails_closed(
    tmp_path: Path,
) -> None:
    src, page = project(tmp_path, "rst", CONF + 'ethics_signoff_digest = "sometimes"\n')
    edit(page, "      A leaflet.\n", "      A leaflet.\n" + HANDWRITTEN)
    result = run("check", src, "--json")
    report = json.loads(result.stdout)
    assert result.returncode == 1
    assert any("ethics_signoff_digest must be" in p["message"] for p in report["problems"])
    problems = report["reviews"][0]["problems"]
    assert sum("has no :digest:" in p["message"] for p in problems) == 2


def test_answers_file_edit_after_approval_is_stale_in_an_incremental_build(
    tmp_path: Path,
) -> None:
    """The issue's first case: the lead merges a changed answer into the answers file."""
    page = """Review
======

.. ethics-review:: screening team
   :name: falls
   :status: approved
   :answers: answers.yaml
"""
    src = write_project(tmp_path, {"index.rst": INDEX, "review.rst": page}, CONF)
    (src / "checklists.yaml").write_text(CHECKLISTS, "utf-8")
    answers = "screening-1: no\nscreening-2: no\nscreening-3: no\n"
    answers += "team-1: Wards 7, 8.\nteam-2: A leaflet.\n"
    (src / "answers.yaml").write_text(answers, "utf-8")
    assert sign(src, "Clinical lead").returncode == 0
    assert ":digest:" in (src / "review.rst").read_text("utf-8")
    out = tmp_path / "html"
    first = sphinx_build("-b", "html", src, out)
    assert not ethics_warnings(first.stderr), first.stderr
    (src / "answers.yaml").write_text(answers.replace("A leaflet.", "A poster."), "utf-8")
    again = sphinx_build("-b", "html", src, out)  # incremental: no -E
    stale = ethics_warnings(again.stderr, "signoff-stale")
    assert len(stale) == 1 and stale[0].line == line_of(src / "review.rst", "ethics-signoff")
