"""An answer is judged by what a reader sees (SPEC §11), and placeholders are
found wherever the team could write one: answers, not-applicable reasons,
review fields, sign-offs.  rST and MyST."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import ROOTS, ethics_warnings, no_crash, norm, soup, sphinx_build, write_project

from sphinx_ethics.answers.slots import classify_answer, placeholder_reason
from sphinx_ethics.answers.text import plain_text
from sphinx_ethics.extension.config import DEFAULTS

PATTERNS = DEFAULTS["ethics_placeholder_patterns"]
ZWSP, NBSP = "\u200b", "\u00a0"

# --------------------------------------------------------------------------
# The rules, as pure functions
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "TBC",
        "TBA",
        "To be confirmed",
        "To be decided",
        "To do",
        "NA",
        "n/a",
        "None yet",
        "...",
        "…",
        "See above",
        "as above.",
        "See below",
        "xx",
        "XXX",
        "?",
        "-",
        "TBC - awaiting finance",
        "TBD: ask the board",
        "TBC, see the minutes",
        "TBA (next meeting)",
        "To be confirmed \u2013 after the pilot",
        "Not applicable",
        "not applicable - we have no inpatients",
        f"TBD{ZWSP}",
        f"{NBSP}TBC{NBSP}",
    ],
)
def test_default_placeholders_are_not_answers(text: str) -> None:
    state, reason = classify_answer(text, "answered", PATTERNS)
    assert state == "placeholder", (text, reason)


@pytest.mark.parametrize(
    "text",
    [
        "To do this we will ask every resident's family.",
        "None yet identified, but we ask at every meeting.",
        "See above the bed: the falls sign.",
        "NA staff (nursing assistants) lead the rounds.",
        "As above, and the pharmacist joins the review",
    ],
)
def test_answers_that_start_with_a_placeholder_word_are_answers(text: str) -> None:
    # "As above, and ..." is a placeholder by the rule (placeholder + ","):
    # the team must say what "above" is.
    expected = "placeholder" if text.startswith("As above,") else "answered"
    assert classify_answer(text, "answered", PATTERNS)[0] == expected


def test_not_applicable_as_text_says_to_use_the_status() -> None:
    state, reason = classify_answer("Not applicable.", "answered", ["TBD"])
    assert state == "placeholder"
    assert "':status: not-applicable'" in reason


@pytest.mark.parametrize("reason", ["TBC", "TBD", "?", "...", "n/a", f"{ZWSP}"])
def test_not_applicable_reason_obeys_the_placeholder_rules(reason: str) -> None:
    state, why = classify_answer(reason, "not-applicable", PATTERNS)
    assert state in ("placeholder", "unanswered"), reason
    assert why.startswith("marked not-applicable")
    assert classify_answer("We have no inpatients.", "not-applicable", PATTERNS) == (
        "not-applicable",
        "",
    )


def test_configured_patterns_follow_the_same_rules() -> None:
    assert placeholder_reason("Pending - see board", ["Pending"])
    assert placeholder_reason("pending:", ["Pending"])
    assert not placeholder_reason("Pending approval was given in May", ["Pending"])
    assert not placeholder_reason("TBC - awaiting finance", ["Pending"])  # not configured
    assert placeholder_reason("Not applicable", ["Pending"])  # always


# --------------------------------------------------------------------------
# The seen text, in a build
# --------------------------------------------------------------------------

CONF = f"""\
extensions = ["sphinx_ethics", "myst_parser", "sphinx.ext.ifconfig"]
source_suffix = {{".rst": "restructuredtext", ".md": "markdown"}}
myst_enable_extensions = ["colon_fence", "substitution"]
myst_substitutions = {{"later": "TBD", "blank": "{NBSP}"}}
ethics_today = "2026-11-20"
"""

SEEN_RST = f"""\
Seen
====

.. |x| replace:: TBD
.. |b| unicode:: U+000A0
.. |who| replace:: and their carers

.. ethics-review:: plan
   :name: seen

   .. ethics-answer:: plan-1

      .. |only-a-definition| replace:: Something

   .. ethics-answer:: plan-2a

      |x|

   .. ethics-answer:: plan-2b

      |b|

   .. ethics-answer:: plan-2c

      .. only:: never

         Hidden in every build we make.

   .. ethics-answer:: plan-2d

      {ZWSP}

   .. ethics-answer:: plan-3
      :status: not-applicable

      TBC

   .. ethics-answer:: plan-4

      TBC - awaiting finance

   .. ethics-answer:: plan-5

      Not applicable

   .. ethics-answer:: plan-6

      To do this we will ask residents (|who|).

   .. ethics-answer:: plan-7

      - TBD

   .. ethics-answer:: plan-8

      .. ifconfig:: ethics_today

         Shown when configured.
"""

SEEN_MD = f"""\
# Seen

::::{{ethics-review}} plan
:name: seen

:::{{ethics-answer}} plan-1
{ZWSP}
:::

:::{{ethics-answer}} plan-2a
{{{{ later }}}}
:::

:::{{ethics-answer}} plan-2b
{{{{ blank }}}}
:::

:::{{ethics-answer}} plan-2c
```{{only}} never
Hidden in every build we make.
```
:::

:::{{ethics-answer}} plan-2d
See above
:::

:::{{ethics-answer}} plan-3
:status: not-applicable

?
:::

:::{{ethics-answer}} plan-4
TBC - awaiting finance
:::

:::{{ethics-answer}} plan-5
Not applicable
:::

:::{{ethics-answer}} plan-6
To do this we will ask residents (and their carers).
:::

:::{{ethics-answer}} plan-7
- TBD
:::

:::{{ethics-answer}} plan-8
xx
:::
::::
"""

#: slot -> (state, report answer, subtype of its warning)
EXPECTED = {
    "rst": {
        "plan-1": ("unanswered", "", "unanswered"),
        "plan-2a": ("placeholder", "TBD", "unanswered"),
        "plan-2b": ("unanswered", "", "unanswered"),
        "plan-2c": ("unanswered", "", "markup"),
        "plan-2d": ("unanswered", "", "unanswered"),
        "plan-3": ("placeholder", "TBC", "not-applicable"),
        "plan-4": ("placeholder", "TBC - awaiting finance", "unanswered"),
        "plan-5": ("placeholder", "Not applicable", "unanswered"),
        "plan-6": ("answered", "To do this we will ask residents (and their carers).", ""),
        "plan-7": ("placeholder", "- TBD", "unanswered"),
        "plan-8": ("unanswered", "", "markup"),
    },
    "md": {
        "plan-1": ("unanswered", "", "unanswered"),
        "plan-2a": ("placeholder", "TBD", "unanswered"),
        "plan-2b": ("unanswered", "", "unanswered"),
        "plan-2c": ("unanswered", "", "markup"),
        "plan-2d": ("placeholder", "See above", "unanswered"),
        "plan-3": ("placeholder", "?", "not-applicable"),
        "plan-4": ("placeholder", "TBC - awaiting finance", "unanswered"),
        "plan-5": ("placeholder", "Not applicable", "unanswered"),
        "plan-6": ("answered", "To do this we will ask residents (and their carers).", ""),
        "plan-7": ("placeholder", "- TBD", "unanswered"),
        "plan-8": ("placeholder", "xx", "unanswered"),
    },
}


@pytest.fixture(scope="module", params=["rst", "md"])
def seen(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    syntax = request.param
    tmp = tmp_path_factory.mktemp(f"seen-{syntax}")
    page = "seen.rst" if syntax == "rst" else "seen.md"
    text = SEEN_RST if syntax == "rst" else SEEN_MD
    index = "Project\n=======\n\n.. toctree::\n\n   seen\n"
    src = write_project(tmp, {"index.rst": index, page: text}, CONF)
    html = sphinx_build("-b", "html", src, tmp / "html")
    no_crash(html)
    check = sphinx_build("-b", "ethics-check", src, tmp / "check")
    no_crash(check)
    return {
        "syntax": syntax,
        "page": page,
        "warnings": html.stderr,
        "html": tmp / "html",
        "report": json.loads((tmp / "html" / "ethics-report.json").read_text("utf-8")),
        "check": json.loads((tmp / "check" / "ethics-report.json").read_text("utf-8")),
        "answers": json.loads((tmp / "check" / "ethics-answers.json").read_text("utf-8")),
    }


def test_answers_are_judged_by_their_seen_text(seen: dict) -> None:
    [review] = seen["report"]["reviews"]
    slots = {s["id"]: s for s in review["slots"] if s["id"] in EXPECTED[seen["syntax"]]}
    got = {sid: (s["state"], s["answer"]) for sid, s in slots.items()}
    want = {sid: e[:2] for sid, e in EXPECTED[seen["syntax"]].items()}
    assert got == want
    assert review["answered"] == 1


def test_each_hidden_answer_is_warned_about_at_its_line(seen: dict) -> None:
    warnings = ethics_warnings(seen["warnings"])
    for slot, (_state, _answer, subtype) in EXPECTED[seen["syntax"]].items():
        if not subtype:
            continue
        hits = [w for w in warnings if w.subtype == subtype and w.message.startswith(slot + ":")]
        assert hits and all(w.file == seen["page"] for w in hits), (slot, subtype, warnings)
    if seen["syntax"] == "rst":
        [only] = [w for w in warnings if w.subtype == "markup" and "only::" in w.message]
        [ifconfig] = [w for w in warnings if w.subtype == "markup" and "ifconfig::" in w.message]
        assert "plan-2c" in only.message and "plan-8" in ifconfig.message
    hint = [w for w in warnings if w.message.startswith("plan-5:")]
    assert "':status: not-applicable'" in hint[0].message


def test_report_and_exports_show_the_same_seen_text(seen: dict) -> None:
    """The html build's report, check's report and ethics-answers.json (what
    ``sphinx-ethics review`` shows) hold the same answer text."""
    html, check = seen["report"], seen["check"]
    assert [r["slots"] for r in html["reviews"]] == [r["slots"] for r in check["reviews"]]
    [stored] = seen["answers"]["reviews"]
    for slot in check["reviews"][0]["slots"]:
        assert plain_text(stored["answers"].get(slot["id"], [])) == slot["answer"], slot["id"]


def test_page_shows_the_placeholder_as_not_answered(seen: dict) -> None:
    page = soup(seen["html"] / "seen.html")
    block = page.find(id="seen-plan-2a")
    assert block is not None
    assert "ethics-slot-placeholder" in block["class"]
    assert norm(block.select_one(".ethics-badge").get_text()) == "Not yet answered"
    assert norm(block.select_one(".ethics-answer").get_text()) == "TBD"  # the seen text
    for empty in ("seen-plan-1", "seen-plan-2b"):  # a zero-width space, a no-break space
        assert "ethics-slot-unanswered" in page.find(id=empty)["class"]
    progress = norm(page.select_one(".ethics-progress").get_text())
    assert progress.startswith("1 of 11 required questions answered")


# --------------------------------------------------------------------------
# Fields, sign-offs and screening
# --------------------------------------------------------------------------

GOVERNANCE_CONF = """\
extensions = ["sphinx_ethics", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["colon_fence"]
ethics_checklists = ["screening.yaml"]
ethics_today = "2026-11-20"
ethics_signoff_roles = ["Clinical lead"]
ethics_review_fields = {"registration": "QI registration number", "dpia": "DPIA reference"}
"""

GOVERNANCE_RST = f"""\
Governance
==========

.. ethics-review:: screening
   :name: gov
   :date: 2026-11-02
   :registration: TBD
   :dpia: {ZWSP}

   .. ethics-answer:: screening-1
      :status: not-applicable

      We do not test anything new.

   .. ethics-answer:: screening-2
      :answer: no

   .. ethics-answer:: screening-3
      :answer: no

   .. ethics-signoff:: Clinical lead
      :by: TBD
      :date: 2026-11-10
      :decision: approved

   .. ethics-signoff:: Patient partner
      :by: ?
      :date: 2026-11-10
      :decision: approved

   .. ethics-signoff:: Pharmacist
      :by: P. Nair
      :date: 2026-11-10
      :decision: approved-with-conditions

      TBC

   .. ethics-signoff:: Matron
      :by: J. Doe
      :date: 2025-01-01
      :decision: approved

   .. ethics-signoff:: Manager
      :by: K. Roe
      :date: 0001-01-01
      :decision: approved
"""

GOVERNANCE_MD = f"""\
# Governance

::::{{ethics-review}} screening
:name: gov
:date: 2026-11-02
:registration: TBD
:dpia: {ZWSP}

:::{{ethics-answer}} screening-1
:status: not-applicable

We do not test anything new.
:::

:::{{ethics-answer}} screening-2
:answer: no
:::

:::{{ethics-answer}} screening-3
:answer: no
:::

:::{{ethics-signoff}} Clinical lead
:by: TBD
:date: 2026-11-10
:decision: approved
:::

:::{{ethics-signoff}} Patient partner
:by: ?
:date: 2026-11-10
:decision: approved
:::

:::{{ethics-signoff}} Pharmacist
:by: P. Nair
:date: 2026-11-10
:decision: approved-with-conditions

TBC
:::

:::{{ethics-signoff}} Matron
:by: J. Doe
:date: 2025-01-01
:decision: approved
:::

:::{{ethics-signoff}} Manager
:by: K. Roe
:date: 0001-01-01
:decision: approved
:::
::::
"""


@pytest.mark.parametrize("syntax", ["rst", "md"])
def test_placeholders_in_fields_and_signoffs_and_early_dates(tmp_path: Path, syntax: str) -> None:
    page = f"gov.{syntax}"
    text = GOVERNANCE_RST if syntax == "rst" else GOVERNANCE_MD
    index = "Project\n=======\n\n.. toctree::\n\n   gov\n"
    src = write_project(tmp_path, {"index.rst": index, page: text}, GOVERNANCE_CONF)
    shutil.copy(ROOTS / "test-governance" / "screening.yaml", src / "screening.yaml")
    result = sphinx_build("-b", "html", src, tmp_path / "out")
    no_crash(result)
    found = {(w.subtype, w.message) for w in ethics_warnings(result.stderr) if w.file == page}

    def has(subtype: str, *words: str) -> bool:
        return any(s == subtype and all(x in m for x in words) for s, m in found)

    assert has("field", ":registration: is only the placeholder 'TBD'")
    assert has("field", "has no :dpia:")
    assert has("signoff", "'Clinical lead'", ":by: is only the placeholder 'TBD'")
    assert has("signoff", "'Patient partner'", ":by: '?' has no words")
    assert has("signoff", "'Pharmacist'", "its comment is only the placeholder 'TBC'")
    assert has("signoff", "'Matron'", "dated 2025-01-01, before the review's :date: 2026-11-02")
    assert has("signoff", "'Manager'", "dated 0001-01-01, before the review's :date:")
    assert has("screening", "screening-1", "cannot be marked not-applicable")
    report = json.loads((tmp_path / "out" / "ethics-report.json").read_text("utf-8"))
    [review] = report["reviews"]
    assert review["complete"] is False
    assert review["fields"]["dpia"]["value"] == ""
    slot = next(s for s in review["slots"] if s["id"] == "screening-1")
    assert slot["state"] == "unanswered"
    # The placeholder sign-offs are not counted: the role still lacks one.
    assert [s["role"] for s in review["signoffs"]] == ["Matron", "Manager"]
