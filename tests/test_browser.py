"""What a reader sees: the built pages in a real, headless Chromium (issue #5).

The example project and an unfinished review (``roots/test-browser-incomplete``:
unanswered questions, a "TBD" placeholder, a draft, a not-applicable and an
optional question, and a summary page) are built with ``python -m sphinx`` in
the alabaster and furo themes, opened in Debian's ``chromium`` (driven over the
DevTools pipe by ``browser/cdp.py``, standard library only) and checked:

* every question of a review is shown (a box on screen, inside the viewport
  width, not hidden), at phone and desktop width;
* each answer slot carries the right visible marker: "Not yet answered" on
  the unfinished review, "Answer" on the answered ones;
* no page scrolls sideways at phone width (tables may scroll inside their own
  container; the page may not), and list bullets in answers are not cut off;
* axe-core finds no "serious" or "critical" accessibility violation, also in
  furo's dark mode.

Screenshots (full page, per page, theme and width) and the axe results go to
``$SPHINX_ETHICS_ARTIFACTS``, else ``build/screenshots/``, for CI to keep.

Needs ``chromium`` (apt) and axe-core (``npm ci --prefix tests/browser``).
Without them the tests skip, except under CI (``CI`` set), where they fail:
there, a missing install step must not pass as green.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser.cdp import Chromium, Page
from browser.forms import chromium
from helpers import EXAMPLE, REPO, ROOTS, TESTS, missing

from sphinx_ethics.catalogue import load_catalog

INCOMPLETE = ROOTS / "test-browser-incomplete"
AXE_JS = TESTS / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("SPHINX_ETHICS_ARTIFACTS") or REPO / "build" / "screenshots")

# Widths in CSS pixels, emulated without mobile mode: with it, Chromium zooms a
# too-wide page out to fit, and innerWidth grows with the page it should catch.
PHONE = 360  # the narrowest common phone
DESKTOP = 1280
HEIGHT = 800
THEMES = ("alabaster", "furo")

#: page -> (review name, checklists), for the pages that show one review.
REVIEWS = {
    "example/ethics-review": ("safer-steps-ethics", ("plan", "healthcare-good", "process-good")),
    "example/coproduction-review": ("safer-steps-coproduction", ("collaboration", "co-production")),
    "example/screening": ("safer-steps-screening", ("screening",)),
    "incomplete/review": ("falls-draft", ("plan", "co-production")),
}
SUMMARIES = ("example/review-status", "incomplete/status")

NOT_YET = "Not yet answered"
#: The unfinished review, slot by slot: the words on its badge.
INCOMPLETE_BADGES = {
    "plan-1": "Answer",
    "plan-2a": NOT_YET,  # "TBD" is a placeholder, not an answer
    "plan-2b": "Draft answer (not yet final)",
    "plan-2c": "Not applicable",
    "plan-2d": NOT_YET,
    "plan-3": NOT_YET,
    "plan-4": "Answer",
    "plan-5": NOT_YET,
    "plan-6": NOT_YET,
    "plan-7": NOT_YET,
    "plan-8": "Optional (not answered)",
    "co-production-1": "Answer",
    "co-production-2": NOT_YET,
}

#: Serious axe findings in a theme's own chrome, not in anything we render:
#: theme -> {(rule id, CSS selector of the theme element that holds them): why}.
THEME_ISSUES = {
    "alabaster": {
        ("color-contrast", "div.footer"): "alabaster 1.0's footer is #888 on #fff (3.54:1)",
    },
}


# --------------------------------------------------------------------------
# Builds, browser, page snapshots
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{"example-furo": outdir, ...}``: both projects in both themes, built at once."""
    out = tmp_path_factory.mktemp("browser-sites")
    env = {**os.environ, "NO_COLOR": "1"}
    builds = {}
    for project, src in (("example", EXAMPLE), ("incomplete", INCOMPLETE)):
        for theme in THEMES:
            outdir = out / f"{project}-{theme}"
            args = [sys.executable, "-m", "sphinx", "-q", "-b", "html"]
            args += ["-D", f"html_theme={theme}", "-d", str(outdir / ".doctrees"), src, outdir]
            process = subprocess.Popen(
                args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
            )
            builds[f"{project}-{theme}"] = (outdir, process)
    for outdir, process in builds.values():
        output, _ = process.communicate(timeout=240)
        assert process.returncode == 0, f"{outdir.name} failed to build:\n{output}"
    return {key: outdir for key, (outdir, _) in builds.items()}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    with chromium(tmp_path_factory.mktemp("chromium")) as started:  # a fresh profile
        yield started


@pytest.fixture(scope="module")
def tab(browser: Chromium) -> Page:
    return browser.new_page(DESKTOP, HEIGHT)


#: Everything the tests look at, read in one go after the page has loaded.
SNAPSHOT_JS = """(() => {
  const box = (el) => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    return {left: r.left, right: r.right, width: r.width, height: r.height,
            visibility: s.visibility, opacity: Number(s.opacity),
            shown: el.checkVisibility({opacityProperty: true, visibilityProperty: true}),
            text: el.innerText.trim()};
  };
  const questions = {};
  for (const text of document.querySelectorAll("div.ethics-question > p.ethics-question-text")) {
    const block = text.parentElement;
    const badge = block.querySelector(":scope > p.ethics-state > span.ethics-badge");
    questions[block.id] = {slot: block.classList.contains("ethics-slot"),
                          text: box(text), badge: badge && box(badge)};
  }
  const width = window.innerWidth, wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 0.5 && wide.length < 5)
      wide.push(`${el.localName}.${el.className} ${Math.round(r.left)}-${Math.round(r.right)}px`);
  }
  const bullets = [];  // room left of each list item's text, inside its answer box
  for (const li of document.querySelectorAll("div.ethics-answer li")) {
    const answer = li.closest("div.ethics-answer"), r = answer.getBoundingClientRect();
    bullets.push({item: li.innerText.slice(0, 40), em: parseFloat(getComputedStyle(li).fontSize),
                  room: li.getBoundingClientRect().left - (r.left + answer.clientLeft)});
  }
  return {innerWidth: width, scrollWidth: document.documentElement.scrollWidth,
          wide, questions, bullets, body: document.body.innerText};
})()"""

_snapshots: dict[tuple[str, str, int], dict[str, Any]] = {}


def snapshot(tab: Page, sites: dict[str, Path], page: str, theme: str, width: int) -> dict:
    """Load ``project/page`` in ``theme`` at ``width``, save a screenshot, read the page."""
    key = (page, theme, width)
    if key not in _snapshots:
        project, name = page.split("/")
        tab.resize(width, HEIGHT)
        tab.goto((sites[f"{project}-{theme}"] / f"{name}.html").as_uri())
        data = tab.evaluate(SNAPSHOT_JS)
        tab.screenshot(ARTIFACTS / f"{project}-{name}-{theme}-{width}.png")
        _snapshots[key] = data
    return _snapshots[key]


def on_screen(box: dict, width: int) -> list[str]:
    """What keeps an element from being seen whole (empty when it is seen)."""
    problems = []
    if not (box["width"] > 0 and box["height"] > 0):
        problems.append(f"no size ({box['width']}x{box['height']})")
    if box["left"] < -0.5 or box["right"] > width + 0.5:
        problems.append(f"outside the {width}px viewport ({box['left']:.0f}-{box['right']:.0f})")
    if box["visibility"] != "visible" or box["opacity"] == 0 or not box["shown"]:
        problems.append(f"hidden (visibility {box['visibility']}, opacity {box['opacity']})")
    if not box["text"]:
        problems.append("no text")
    return problems


# --------------------------------------------------------------------------
# Questions and answer markers
# --------------------------------------------------------------------------


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("page", list(REVIEWS))
def test_every_question_is_visible(tab, sites, page, theme, width):
    review, checklists = REVIEWS[page]
    catalog = load_catalog([EXAMPLE / "screening-checklist.yaml"])
    expected = [
        f"{review}-{question.id}"
        for checklist in checklists
        for question in catalog.checklists[checklist].iter_questions()
    ]
    seen = snapshot(tab, sites, page, theme, width)
    assert sorted(seen["questions"]) == sorted(expected)
    hidden = {
        anchor: problems
        for anchor, question in seen["questions"].items()
        if (problems := on_screen(question["text"], seen["innerWidth"]))
    }
    assert not hidden, f"questions a reader cannot see on {page} ({theme}, {width}px): {hidden}"


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("theme", THEMES)
def test_unfinished_review_says_not_yet_answered(tab, sites, theme, width):
    seen = snapshot(tab, sites, "incomplete/review", theme, width)
    badges = {}
    for anchor, question in seen["questions"].items():
        if question["slot"]:
            badge = question["badge"]
            assert badge, f"{anchor} has no answer marker"
            assert not on_screen(badge, seen["innerWidth"]), (anchor, on_screen(badge, width))
            badges[anchor.removeprefix("falls-draft-")] = badge["text"]
    assert badges == INCOMPLETE_BADGES
    assert "4 of 12 required questions answered" in seen["body"]


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("page", ["example/ethics-review", "example/coproduction-review"])
def test_finished_reviews_show_answers(tab, sites, page, theme, width):
    seen = snapshot(tab, sites, page, theme, width)
    slots = {a: q["badge"] for a, q in seen["questions"].items() if q["slot"]}
    assert slots
    for anchor, badge in slots.items():
        assert badge, f"{anchor} has no answer marker"
        assert badge["text"] in ("Answer", "Not applicable"), (anchor, badge["text"])
        assert not on_screen(badge, seen["innerWidth"]), (anchor, on_screen(badge, width))
    assert "Answer" in {badge["text"] for badge in slots.values()}
    assert NOT_YET not in seen["body"]


@pytest.mark.parametrize(
    ("theme", "width"),
    [
        ("alabaster", PHONE),
        ("alabaster", DESKTOP),
        ("furo", PHONE),
        ("furo", DESKTOP),
    ],
)
def test_list_bullets_in_answers_are_not_cut_off(tab, sites, theme, width):
    # An outside list marker takes about 1em left of the item's text; the answer
    # box scrolls (for wide tables) and so clips whatever its padding cannot hold.
    seen = snapshot(tab, sites, "example/ethics-review", theme, width)
    assert seen["bullets"], "the example's answers have lists"
    cut = [b for b in seen["bullets"] if b["room"] < b["em"]]
    assert not cut, f"bullets cut off at the answer's left edge: {cut}"


# --------------------------------------------------------------------------
# Phones: nothing scrolls sideways
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "theme"),
    [
        *[(page, theme) for page in REVIEWS for theme in THEMES],
        *[(page, theme) for page in SUMMARIES for theme in THEMES],
    ],
)
def test_no_sideways_scrolling_on_a_phone(tab, sites, page, theme):
    seen = snapshot(tab, sites, page, theme, PHONE)
    assert seen["innerWidth"] == PHONE
    assert seen["scrollWidth"] <= seen["innerWidth"], (
        f"{page} ({theme}) is {seen['scrollWidth']}px wide on a {PHONE}px phone; "
        f"too wide: {seen['wide']}"
    )


# --------------------------------------------------------------------------
# Accessibility: axe-core
# --------------------------------------------------------------------------

AXE_RUN_JS = """axe.run(document, {resultTypes: ["violations"], elementRef: true}).then(
  (results) => results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({
      target: n.target.join(" "), html: n.html.slice(0, 300), summary: n.failureSummary,
      within: %s.filter((sel) => n.element && n.element.closest(sel) !== null),
    })),
  })))"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_JS.is_file():
        missing("no axe-core: npm ci --prefix tests/browser")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return AXE_JS.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("theme", "scheme"), [("alabaster", "light"), ("furo", "light"), ("furo", "dark")]
)
@pytest.mark.parametrize("page", [*REVIEWS, *SUMMARIES])
def test_axe_finds_no_serious_violations(tab, sites, axe_source, page, theme, scheme):
    project, name = page.split("/")
    known = THEME_ISSUES.get(theme, {})
    tab.resize(DESKTOP, HEIGHT)
    tab.send(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )
    try:
        tab.goto((sites[f"{project}-{theme}"] / f"{name}.html").as_uri())
        tab.evaluate(axe_source)
        selectors = json.dumps(sorted({selector for _, selector in known}))
        violations = tab.evaluate(AXE_RUN_JS % selectors)
        mode = "-dark" if scheme == "dark" else ""
        tab.screenshot(ARTIFACTS / f"{project}-{name}-{theme}{mode}-{DESKTOP}.png")
    finally:
        tab.send("Emulation.setEmulatedMedia", {"features": []})
    report = ARTIFACTS / f"axe-{project}-{name}-{theme}-{scheme}.json"
    report.write_text(json.dumps(violations, indent=2), encoding="utf-8")

    serious = []
    for violation in violations:
        if violation["impact"] not in ("serious", "critical"):
            continue
        nodes = [
            node
            for node in violation["nodes"]
            if not any((violation["id"], selector) in known for selector in node["within"])
        ]
        serious += [
            f"{violation['impact']} {violation['id']} ({violation['help']}): "
            f"{node['target']}\n    {node['html']}\n    {node['summary']}"
            for node in nodes
        ]
    assert not serious, f"axe on {page} ({theme}, {scheme}):\n" + "\n".join(serious)


@pytest.mark.parametrize("width", [390, DESKTOP])
@pytest.mark.parametrize("theme", THEMES)
def test_axe_on_the_programme_page(tab, sites, axe_source, theme, width):
    """The programme page (headline, SVG chart, tables) at phone and desktop width."""
    tab.resize(width, HEIGHT)
    try:
        tab.goto((sites[f"incomplete-{theme}"] / "programme.html").as_uri())
        assert tab.evaluate("document.querySelectorAll('svg[role=img] title').length") >= 1
        tab.evaluate(axe_source)
        known = THEME_ISSUES.get(theme, {})
        selectors = json.dumps(sorted({selector for _, selector in known}))
        violations = tab.evaluate(AXE_RUN_JS % selectors)
        tab.screenshot(ARTIFACTS / f"incomplete-programme-{theme}-{width}.png")
    finally:
        tab.resize(DESKTOP, HEIGHT)
    serious = [
        f"{v['id']}: {node['target']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
        for node in v["nodes"]
        if not any((v["id"], selector) in known for selector in node["within"])
    ]
    assert not serious, f"axe on the programme page ({theme}, {width}px):\n" + "\n".join(serious)


# --------------------------------------------------------------------------
# Theming: a team's own stylesheet can recolour every state
# --------------------------------------------------------------------------

BADGE_COLOUR_JS = """
(() => {
  const badge = document.querySelector('#falls-draft-plan-3')
    .closest('.ethics-question').querySelector('.ethics-badge-unanswered');
  return getComputedStyle(badge).color;
})()
"""


@pytest.mark.parametrize("theme", THEMES)
def test_a_plain_override_on_the_review_recolours_nested_badges(tab, sites, tmp_path, theme):
    # The how-to "Customise the look" promises that a plain rule on
    # .ethics-review wins over the defaults, also for questions nested in a
    # checklist block inside the review.
    page = sites[f"incomplete-{theme}"] / "review.html"
    themed = page.with_name("review-themed.html")
    rule = "<style>.ethics-review { --ethics-missing-fg: rgb(1, 2, 3); }</style></head>"
    themed.write_text(page.read_text("utf-8").replace("</head>", rule, 1), "utf-8")
    tab.resize(DESKTOP, HEIGHT)
    tab.goto(page.as_uri())
    default = tab.evaluate(BADGE_COLOUR_JS)
    tab.goto(themed.as_uri())
    assert tab.evaluate(BADGE_COLOUR_JS) == "rgb(1, 2, 3)" != default


# --------------------------------------------------------------------------
# The summary: "Overdue" is seen without scrolling sideways (SPEC section 6)
# --------------------------------------------------------------------------

#: Each overdue badge in a summary table: its box, and the part of the window
#: that the boxes around it (a table that scrolls, the page) leave visible.
OVERDUE_BADGES_JS = """(() => {
  const found = [];
  for (const badge of document.querySelectorAll(
      "table.ethics-summary tbody span.ethics-badge-overdue")) {
    const r = badge.getBoundingClientRect();
    let left = 0, right = window.innerWidth;
    for (let el = badge.parentElement; el; el = el.parentElement) {
      const s = getComputedStyle(el);
      if (s.overflowX !== "visible" && el !== document.documentElement
          && el !== document.body) {
        const c = el.getBoundingClientRect();
        left = Math.max(left, c.left + el.clientLeft);
        right = Math.min(right, c.left + el.clientLeft + el.clientWidth);
      }
    }
    const table = badge.closest("table");
    found.push({table: [...document.querySelectorAll("table.ethics-summary")].indexOf(table),
                row: badge.closest("tr").rowIndex,
                column: table.querySelectorAll("thead th")[badge.closest("td").cellIndex]
                  .innerText.trim(),
                left: r.left, right: r.right, width: r.width, height: r.height,
                visibleLeft: left, visibleRight: right, text: badge.innerText.trim()});
  }
  return found;
})()"""


@pytest.mark.parametrize("theme", THEMES)
def test_overdue_is_seen_in_the_summary_without_scrolling(tab, sites, theme):
    # incomplete/status has two summaries; the one review in them is overdue.
    snapshot(tab, sites, "incomplete/status", theme, DESKTOP)  # loads it, saves a screenshot
    badges = tab.evaluate(OVERDUE_BADGES_JS)
    assert {b["text"] for b in badges} == {"Overdue"}
    rows = {(b["table"], b["row"]) for b in badges}
    assert rows == {(0, 1), (1, 1)}, badges
    # Both badges of a row ("Status" and "Review by") are seen whole.
    assert {(b["table"], b["row"], b["column"]) for b in badges} == {
        (*row, column) for row in rows for column in ("Status", "Review by")
    }
    hidden = [
        b
        for b in badges
        if not (
            b["width"] > 0
            and b["height"] > 0
            and b["left"] >= b["visibleLeft"] - 0.5
            and b["right"] <= b["visibleRight"] + 0.5
        )
    ]
    assert not hidden, f"overdue badges cut off or scrolled away at {DESKTOP}px: {hidden}"


# --------------------------------------------------------------------------
# The summary: governance columns seen at 1280 px, stacked rows on a phone (SPEC 11)
# --------------------------------------------------------------------------

#: Each summary table: its box and its container's, what scrolls, and each column.
SUMMARY_LAYOUT_JS = """(() => [...document.querySelectorAll("table.ethics-summary")].map((t) => {
  const table = t;
  const box = table.parentElement, r = table.getBoundingClientRect();
  const heads = [...table.querySelectorAll("thead th")].map((th) => th.innerText.trim());
  const rows = [...table.querySelectorAll("tbody tr")].map((tr) =>
    [...tr.children].map((cell) => {
      const c = cell.getBoundingClientRect(), s = getComputedStyle(cell);
      return {tag: cell.localName, scope: cell.getAttribute("scope"),
              label: cell.dataset.label ?? null, display: s.display,
              before: getComputedStyle(cell, "::before").content,
              left: c.left, right: c.right, top: c.top, bottom: c.bottom};
    }));
  const columns = [...table.querySelectorAll("thead th")].map((th) => {
    const c = th.getBoundingClientRect();
    return {name: th.innerText.trim(), left: c.left, right: c.right, shown: c.width > 0};
  });
  const b = box.getBoundingClientRect();
  return {heads, rows, columns, left: r.left, right: r.right,
          scrollWidth: table.scrollWidth, clientWidth: table.clientWidth,
          boxScrollWidth: box.scrollWidth, boxClientWidth: box.clientWidth,
          boxLeft: b.left + box.clientLeft, boxRight: b.left + box.clientLeft + box.clientWidth,
          innerWidth: window.innerWidth, pageWidth: document.documentElement.scrollWidth};
}))()"""

GOVERNANCE = ("Status", "QI registration number", "Signed off", "Referral")


def summary_layout(tab: Page, sites: dict[str, Path], page: str, theme: str, width: int) -> list:
    project, name = page.split("/")
    tab.resize(width, HEIGHT)
    tab.goto((sites[f"{project}-{theme}"] / f"{name}.html").as_uri())
    tab.screenshot(ARTIFACTS / f"summary-{project}-{name}-{theme}-{width}.png")
    return tab.evaluate(SUMMARY_LAYOUT_JS)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("page", SUMMARIES)
def test_summary_columns_fit_a_desktop_column(tab, sites, page, theme):
    tables = summary_layout(tab, sites, page, theme, DESKTOP)
    assert tables
    if page == "example/review-status":
        assert set(GOVERNANCE) <= set(tables[0]["heads"]), tables[0]["heads"]
    for table in tables:
        assert table["pageWidth"] <= table["innerWidth"]
        # Nothing to scroll sideways: not the table, not the box around it.
        assert table["scrollWidth"] <= table["clientWidth"], table
        assert table["boxScrollWidth"] <= table["boxClientWidth"], table
        for column in table["columns"]:
            assert column["shown"], column
            assert column["right"] <= min(table["boxRight"], table["innerWidth"]) + 0.5, (
                f"{column['name']} ends at {column['right']:.0f}px, past the text column "
                f"({table['boxRight']:.0f}px) in {theme}"
            )
        # The review names its row (a row header) and each cell its column.
        for row in table["rows"]:
            assert (row[0]["tag"], row[0]["scope"]) == ("th", "row")
            assert [cell["label"] for cell in row[1:]] == table["heads"][1:]
            assert {cell["display"] for cell in row} == {"table-cell"}


@pytest.mark.parametrize("width", [PHONE, 390])
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("page", SUMMARIES)
def test_summary_rows_stack_on_a_phone(tab, sites, page, theme, width):
    tables = summary_layout(tab, sites, page, theme, width)
    for table in tables:
        assert table["pageWidth"] <= width
        assert table["scrollWidth"] <= table["clientWidth"], table
        assert table["boxScrollWidth"] <= table["boxClientWidth"], table
        for row in table["rows"]:
            # One cell under another, each as wide as the table, each labelled.
            tops = [cell["top"] for cell in row]
            assert tops == sorted(tops) and len(set(tops)) == len(tops), row
            assert all(cell["right"] <= table["boxRight"] + 0.5 for cell in row), row
            assert {cell["display"] for cell in row} == {"block"}
            labels = [cell["before"] for cell in row[1:]]
            assert labels == [f'"{head}: "' for head in table["heads"][1:]], labels
