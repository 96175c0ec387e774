"""The example in the five popular themes, at phone and desktop width, light and dark (issue 26).

``examples/falls-prevention`` is built once per theme (alabaster, furo,
sphinx_rtd_theme, pydata-sphinx-theme, sphinx-book-theme; the ``test``
extra installs them) and each page is opened in headless Chromium at 390 and
1280 px, in light mode and, where the theme has one, dark mode.  On each:

* axe-core finds no serious or critical violation in our markup (anything
  inside an ``ethics-*`` block), save the theme's own, listed with why in
  ``THEME_ISSUES``;
* no element of ours is wider than the theme's content column, except
  inside a box that scrolls (a table's ``div.ethics-scroll``), and every box
  of ours that scrolls can be focused (``tabindex="0"``);
* dark mode really is dark (the page's background), so the check means
  something.

And at 1280 px the summary's governance columns are seen whole, with no
scrolling, in every theme.  Screenshots go to ``$SPHINX_ETHICS_ARTIFACTS/themes``
(else ``build/screenshots/themes``).  Needs Chromium and axe-core, as
``test_browser.py``: skipped without them, failing under CI.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser.cdp import Page
from browser.forms import chromium
from helpers import EXAMPLE, REPO, ROOTS, TESTS, missing

pytestmark = pytest.mark.xdist_group("browser-themes")  # one worker: one build per theme

AXE_JS = TESTS / "browser" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("SPHINX_ETHICS_ARTIFACTS") or REPO / "build" / "screenshots")
SHOTS = ARTIFACTS / "themes"
PHONE, DESKTOP, HEIGHT = 390, 1280, 800

#: theme -> (Python package, the element that holds the page's text).
THEMES = {
    "alabaster": ("alabaster", "div.body"),
    "furo": ("furo", "article[role=main]"),
    "sphinx_rtd_theme": ("sphinx_rtd_theme", "div[itemprop=articleBody]"),
    "pydata_sphinx_theme": ("pydata_sphinx_theme", "article.bd-article"),
    "sphinx_book_theme": ("sphinx_book_theme", "article.bd-article"),
}
#: Themes with a dark mode that follows the system's (prefers-color-scheme).
DARK = ("furo", "pydata_sphinx_theme", "sphinx_book_theme")
#: A review with answers (tables and lists in them) and sign-offs; the
#: screening review (referrals, three sign-offs); the summary table.
PAGES = ("ethics-review", "screening", "review-status")
GOVERNANCE = ("Status", "QI registration number", "Signed off", "Referral")

#: Serious axe findings inside our blocks that come from the theme's own
#: styles, not ours: theme -> {(rule, CSS selector of the element): why}.
THEME_ISSUES = {
    "sphinx_rtd_theme": {
        ("color-contrast", "a.reference"): "rtd 3.1 colours links #2980b9: 4.2:1 on white",
        ("link-in-text-block", "a.reference"): "rtd 3.1 does not underline links in text",
    },
}

MATRIX = [
    (theme, width, mode)
    for theme in THEMES
    for width in (PHONE, DESKTOP)
    for mode in (("light", "dark") if theme in DARK else ("light",))
]


# --------------------------------------------------------------------------
# One build per theme, one browser
# --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """``{theme: outdir}``: the example in every theme, built side by side."""
    absent = [p for p, _ in THEMES.values() if importlib.util.find_spec(p) is None]
    if absent:
        missing(f"themes not installed: {', '.join(absent)} (pip install -e '.[test]')")
    out = tmp_path_factory.mktemp("theme-sites")
    env = {**os.environ, "NO_COLOR": "1"}
    builds = {}
    for theme in THEMES:
        outdir = out / theme
        args = [sys.executable, "-m", "sphinx", "-q", "-b", "html", "-D", f"html_theme={theme}"]
        args += ["-d", str(out / f"{theme}.doctrees"), str(EXAMPLE), str(outdir)]
        process = subprocess.Popen(
            args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
        )
        builds[theme] = (outdir, process)
    for theme, (_outdir, process) in builds.items():
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, f"the example failed to build in {theme}:\n{output}"
    return {theme: outdir for theme, (outdir, _) in builds.items()}


@pytest.fixture(scope="module")
def tab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    with chromium(tmp_path_factory.mktemp("chromium-themes")) as browser:
        yield browser.new_page(DESKTOP, HEIGHT)


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_JS.is_file():
        missing("no axe-core: npm ci --prefix tests/browser")
    SHOTS.mkdir(parents=True, exist_ok=True)
    return AXE_JS.read_text(encoding="utf-8")


def open_page(tab: Page, browser_site: Path, page: str, width: int, mode: str) -> None:
    tab.resize(width, HEIGHT)
    scheme = {"name": "prefers-color-scheme", "value": mode}
    tab.send("Emulation.setEmulatedMedia", {"features": [scheme]})
    tab.goto((browser_site / f"{page}.html").as_uri())


# --------------------------------------------------------------------------
# What is read from each page
# --------------------------------------------------------------------------

#: Our elements wider than the text column (outside a box that scrolls), the
#: boxes of ours that scroll and whether they take focus, and how dark it is.
LAYOUT_JS = """((columnSelector) => {
  const column = document.querySelector(columnSelector);
  const c = column.getBoundingClientRect(), cs = getComputedStyle(column);
  const left = c.left + column.clientLeft + parseFloat(cs.paddingLeft);
  const right = c.left + column.clientLeft + column.clientWidth - parseFloat(cs.paddingRight);
  const scrolls = (el) => getComputedStyle(el).overflowX !== "visible";
  const inScroller = (el) => {
    for (let a = el.parentElement; a && a !== column; a = a.parentElement) {
      if (scrolls(a)) return true;
    }
    return false;
  };
  const describe = (el) => `${el.localName}.${[...el.classList].join(".")}`;
  const ours = column.querySelectorAll('[class*="ethics-"], [class*="ethics-"] *');
  const wide = [], scrollers = [];
  for (const el of ours) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || el.clientWidth === 1 || inScroller(el)) continue;  // 1px: hidden head
    if (r.left < left - 1 || r.right > right + 1) {
      wide.push(`${describe(el)} ${Math.round(r.left)}-${Math.round(r.right)}`);
    }
  }
  for (const el of ours) {
    if (el.clientWidth > 1 && el.scrollWidth > el.clientWidth + 1 && scrolls(el)) {
      scrollers.push({el: describe(el), focusable: el.tabIndex >= 0,
                      label: el.getAttribute("aria-label")});
    }
  }
  const bg = getComputedStyle(document.body).backgroundColor.match(/[0-9.]+/g).map(Number);
  return {column: [Math.round(left), Math.round(right)], wide: wide.slice(0, 10), scrollers,
          brightness: (bg[0] * 299 + bg[1] * 587 + bg[2] * 114) / 1000,
          ours: document.querySelectorAll(".ethics-review, .ethics-summary").length};
})(%s)"""

AXE_RUN_JS = """axe.run(document, {resultTypes: ["violations"], elementRef: true}).then(
  (results) => results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .flatMap((v) => v.nodes
      .filter((n) => n.element && n.element.closest('[class*="ethics-"]'))
      .map((n) => ({id: v.id, target: n.target.join(" "), html: n.html.slice(0, 200),
                    within: %s.filter((sel) => n.element.closest(sel) !== null)}))))"""


@pytest.mark.parametrize(("theme", "width", "mode"), MATRIX)
def test_our_markup_in_the_theme(tab, sites, axe_source, theme, width, mode):
    _package, column = THEMES[theme]
    known = THEME_ISSUES.get(theme, {})
    selectors = json.dumps(sorted({selector for _rule, selector in known}))
    problems = []
    try:
        for page in PAGES:
            open_page(tab, sites[theme], page, width, mode)
            layout = tab.evaluate(LAYOUT_JS % json.dumps(column))
            tab.evaluate(axe_source)
            violations = tab.evaluate(AXE_RUN_JS % selectors)
            tab.screenshot(SHOTS / f"{theme}-{page}-{width}-{mode}.png")
            assert layout["ours"], f"{page}: nothing of ours found in {theme}"
            if mode == "dark":
                assert layout["brightness"] < 80, f"{theme} did not turn dark: {layout}"
            problems += [
                f"{page}: wider than the column {layout['column']}: {w}" for w in layout["wide"]
            ]
            problems += [
                f"{page}: {s['el']} scrolls but cannot be focused"
                for s in layout["scrollers"]
                if not s["focusable"]
            ]
            problems += [
                f"{page}: axe {v['id']}: {v['target']}\n    {v['html']}"
                for v in violations
                if not any((v["id"], selector) in known for selector in v["within"])
            ]
    finally:
        tab.send("Emulation.setEmulatedMedia", {"features": []})
    assert not problems, f"{theme} at {width}px, {mode}:\n" + "\n".join(problems)


#: Each governance column's heading: its box, and the part of the window the
#: boxes around it (a table that scrolls, the page) leave visible.
HEADINGS_JS = """(() => [...document.querySelectorAll("table.ethics-summary")].map((table) => {
  const box = table.closest("div.ethics-scroll");
  return {scrolls: box.scrollWidth > box.clientWidth + 1,
          heads: [...table.querySelectorAll("thead th")].map((th) => {
    const r = th.getBoundingClientRect();
    let left = 0, right = window.innerWidth;
    for (let el = th.parentElement; el; el = el.parentElement) {
      if (getComputedStyle(el).overflowX !== "visible" && el !== document.documentElement
          && el !== document.body) {
        const c = el.getBoundingClientRect();
        left = Math.max(left, c.left + el.clientLeft);
        right = Math.min(right, c.left + el.clientLeft + el.clientWidth);
      }
    }
    return {name: th.innerText.trim(), seen: r.width > 0 && r.left >= left - 0.5
            && r.right <= right + 0.5};
  })};
}))()"""


@pytest.mark.parametrize("theme", THEMES)
def test_summary_governance_columns_are_seen_at_desktop_width(tab, sites, theme):
    open_page(tab, sites[theme], "review-status", DESKTOP, "light")
    tables = tab.evaluate(HEADINGS_JS)
    tab.send("Emulation.setEmulatedMedia", {"features": []})
    assert tables
    first = {head["name"]: head["seen"] for head in tables[0]["heads"]}
    assert set(GOVERNANCE) <= set(first), first
    for table in tables:
        assert not table["scrolls"], f"the summary scrolls sideways in {theme}: {table}"
        hidden = [head["name"] for head in table["heads"] if not head["seen"]]
        assert not hidden, f"columns not seen at {DESKTOP}px in {theme}: {hidden}"


# --------------------------------------------------------------------------
# A question in an unselected sphinx-design tab (issue 26)
# --------------------------------------------------------------------------

TABS = ROOTS / "test-design-tabs"
QUESTION = "tabbed-plan-3"
SHOWN_JS = f"document.getElementById({QUESTION!r}).checkVisibility()"


@pytest.fixture(scope="module")
def tabs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``roots/test-design-tabs``: a review in the second tab of a tab set."""
    if importlib.util.find_spec("sphinx_design") is None:
        missing("sphinx-design is not installed (pip install -e '.[test]')")
    out = tmp_path_factory.mktemp("tabs-site")
    args = [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(TABS), str(out)]
    result = subprocess.run(args, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return out


def test_a_link_from_another_page_opens_the_tab_holding_the_question(tab, tabs_site):
    # The summary's link to an unanswered question, and :ethics-question:,
    # both point at index.html#tabbed-plan-3: sphinx-design (0.8+) selects
    # the tab whose panel holds the #fragment's target.
    tab.resize(DESKTOP, HEIGHT)
    tab.goto((tabs_site / "status.html").as_uri())
    links = tab.evaluate(
        f"[...document.querySelectorAll('a[href$=\"#{QUESTION}\"]')].map(a => a.href)"
    )
    assert len(links) == 2  # the summary's and the role's
    assert {link.rsplit("/", 1)[1] for link in links} == {f"index.html#{QUESTION}"}
    tab.goto(links[0])
    assert tab.evaluate(SHOWN_JS), "the question is still in a hidden tab"
    tab.screenshot(SHOTS / "design-tabs-opened.png", full_page=False)


def test_a_link_on_the_same_page_opens_the_tab(tab, tabs_site):
    tab.resize(DESKTOP, HEIGHT)
    tab.goto((tabs_site / "status.html").as_uri())  # a new document, not a hash change
    tab.goto((tabs_site / "index.html").as_uri())
    assert not tab.evaluate(SHOWN_JS), "the tab should start unselected"
    tab.evaluate(f"document.querySelector('a[href=\"#{QUESTION}\"]').click()")
    tab.evaluate("new Promise((done) => setTimeout(done, 100))")  # hashchange runs
    assert tab.evaluate(SHOWN_JS), "the question is still in a hidden tab"
