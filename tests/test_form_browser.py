"""The offline answer form in a real, headless Chromium (``sphinx-ethics form``).

Driven over the DevTools pipe (``browser/cdp.py``), as a patient partner uses
it: type into three boxes, mark one question as not applying, reload (the
answers are kept), press "Download answers" (a real download, into a
folder given with ``Browser.setDownloadBehavior``), then build a project
whose review reads the downloaded file as ``:answers:`` and see those slots
answered in ``ethics-report.json``.  Hostile text goes the same way and must
arrive as text.  The YAML the script writes is checked against PyYAML and
the build's reader in ``test_form_yaml``.  axe-core at 360 and 1280 px,
keyboard order, print and no-JavaScript views.

Screenshots go to ``$SPHINX_ETHICS_ARTIFACTS`` (else ``build/screenshots/``);
``form-*.png`` are the ones the how-to shows (``docs/howto/files/``).
"""

from __future__ import annotations

import base64
import json
import os
import pickle
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml
from browser import forms
from browser.cdp import Chromium, Page
from bs4 import BeautifulSoup
from docutils import nodes
from helpers import TESTS, build_html, missing, pdftotext, write_project

from sphinx_ethics.answers.file import read_answers

ARTIFACTS = Path(
    os.environ.get("SPHINX_ETHICS_ARTIFACTS") or TESTS.parent / "build" / "screenshots"
)
AXE_JS = TESTS / "browser" / "node_modules" / "axe-core" / "axe.min.js"
PHONE, DESKTOP, HEIGHT = 360, 1280, 800
FILE_NAME = "plan-co-production-answers.yaml"
TITLE = "Falls prevention: questions for the patient panel"

CONF = 'extensions = ["sphinx_ethics"]\nethics_today = "2026-11-01"\n'
PAGE = """\
Patient panel
=============

.. ethics-review:: plan co-production
   :name: panel
   :answers: answers.yaml
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    with forms.chromium(tmp_path_factory.mktemp("form-chromium")) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def form(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return forms.write_form(tmp_path_factory.mktemp("form") / "form.html", TITLE)


@pytest.fixture
def tab(browser: Chromium, tmp_path: Path) -> Iterator[Page]:
    """A fresh tab; downloads go to ``tmp_path/downloads``; nothing kept from other tests."""
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.send(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    page = browser.new_page(DESKTOP, HEIGHT)
    page.downloads = downloads  # type: ignore[attr-defined]
    page.goto("about:blank")
    yield page
    close_tab(browser, page)


def close_tab(browser: Chromium, page: Page) -> None:
    """Close a tab without leaving anything behind: untick "keep" first, so the
    page's own save on pagehide (which the browser may commit late, during the
    next test) has nothing to write."""
    page.evaluate(
        "(() => { const keep = document.getElementById('keep');"
        " if (keep) keep.checked = false; try { localStorage.clear(); } catch (e) {} })()"
    )
    page.goto("about:blank")
    browser.send("Target.closeTarget", {"targetId": page.target})


def open_form(tab: Page, form: Path, *, fresh: bool = True) -> None:
    tab.goto(form.as_uri())
    if fresh:  # unticked first: leaving the page would save again
        tab.evaluate("document.getElementById('keep').checked = false; localStorage.clear()")
        tab.goto(form.as_uri())


def keep(tab: Page, on: bool = True) -> None:
    """Tick (or untick) "Keep my answers on this computer", as a person does."""
    if tab.evaluate("document.getElementById('keep').checked") != on:
        tab.evaluate("document.getElementById('keep').click()")


def stored(tab: Page) -> dict | None:
    """What this form keeps in the browser (None: nothing)."""
    text = tab.evaluate("localStorage.getItem(sphinxEthicsForm.storageKey)")
    return json.loads(text) if text else None


def wait_until_stored(tab: Page) -> None:
    """Until the browser holds exactly what the page shows.

    Saving is synchronous on every input, but only in this page's renderer:
    Chromium passes the write on to the browser process in the background,
    and a page loaded next (a reload may get a new renderer) reads from there.
    So wait until a second, script-free page of the same origin sees the same
    data too; then a reload cannot race the write."""
    shown = (
        "JSON.stringify(Object.fromEntries(sphinxEthicsForm.entries().map("
        "e => [e.id, {state: e.state, text: e.text, choice: e.choice}])))"
    )
    expected = json.loads(tab.evaluate(shown))
    deadline = time.monotonic() + 10
    while not ((data := stored(tab)) and data["answers"] == expected):
        assert time.monotonic() < deadline, "answers not stored within 10 s"
        time.sleep(0.05)
    key = json.dumps(tab.evaluate("sphinxEthicsForm.storageKey"))
    form_url = tab.evaluate("location.href")
    probe = Path(unquote(urlparse(form_url).path)).with_name("probe.html")
    probe.write_text("<!DOCTYPE html><title>probe</title>", "utf-8")
    other = tab.browser.new_page(DESKTOP, HEIGHT)
    try:
        other.goto(probe.as_uri())  # no form script: it neither restores nor saves
        while (text := other.evaluate(f"localStorage.getItem({key})")) is None or json.loads(text)[
            "answers"
        ] != expected:
            assert time.monotonic() < deadline, "answers not in the browser's storage in 10 s"
            time.sleep(0.05)
    finally:
        other.goto("about:blank")
        tab.browser.send("Target.closeTarget", {"targetId": other.target})


def type_into(tab: Page, qid: str, text: str) -> None:
    """Focus the box and type, as a keyboard does (input events included)."""
    tab.evaluate(f"document.getElementById('a-{qid}').focus()")
    tab.send("Input.insertText", {"text": text})


def choose(tab: Page, qid: str, state: str) -> None:
    tab.evaluate(f'document.querySelector(\'input[name="state-{qid}"][value="{state}"]\').click()')


def progress(tab: Page) -> str:
    return tab.evaluate("document.getElementById('progress').textContent")


def download(tab: Page, name: str = FILE_NAME) -> str:
    """Press "Download answers" and read the file the browser saved as ``name``."""
    target = tab.downloads / name  # type: ignore[attr-defined]
    target.unlink(missing_ok=True)
    tab.evaluate("document.getElementById('download').click()")
    deadline = time.monotonic() + 20
    size = -1
    # Done when the file is there, no partial download is left beside it, and
    # its size has settled (Chromium may write in place before it renames).
    while not (
        target.is_file()
        and not any(target.parent.glob("*.crdownload"))
        and size == (size := target.stat().st_size)
    ):
        assert time.monotonic() < deadline, "no download within 20 s"
        time.sleep(0.1)
    return target.read_text("utf-8")


def build_with(tmp_path: Path, answers: str) -> tuple[dict, Path]:
    """Build a project whose review reads ``answers``; its report and HTML folder."""
    src = write_project(tmp_path, {"index.rst": PAGE}, CONF)
    (src / "answers.yaml").write_text(answers, "utf-8")
    out = tmp_path / "html"
    build_html(src, out, "-d", tmp_path / "doctrees")
    report = json.loads((out / "ethics-report.json").read_text("utf-8"))
    return report, tmp_path / "doctrees"


# --------------------------------------------------------------------------
# Fill, reload, download, build
# --------------------------------------------------------------------------

ANSWERS = {
    "plan-1": "Fewer falls on wards 7 and 8.\n\n- at night\n- after moves between wards",
    "plan-2a": "Falls hurt people: 40 last year.",
    "co-production-1": "We met the panel in the library; large print papers.",
}
REASON = "Nothing here can harm anyone: the leaflet only changes its wording."


def test_fill_reload_download_and_build(tab: Page, form: Path, tmp_path: Path) -> None:
    open_form(tab, form)
    assert progress(tab) == "0 of 13 required questions answered"
    keep(tab)
    for qid, text in ANSWERS.items():
        type_into(tab, qid, text)
    choose(tab, "plan-2c", "not-applicable")
    label = tab.evaluate("document.querySelector('label[for=a-plan-2c]').textContent")
    assert label == "Why it does not apply to 2c"
    assert progress(tab) == "3 of 13 required questions answered"
    type_into(tab, "plan-2c", REASON)
    type_into(tab, "plan-3", "We will ask the panel")
    choose(tab, "plan-3", "draft")
    assert progress(tab) == "4 of 13 required questions answered"
    tab.evaluate(
        "document.activeElement.blur();"
        "document.getElementById('q-plan-2c').scrollIntoView({block: 'center'})"
    )
    tab.screenshot(ARTIFACTS / "form-filled-1280.png", full_page=False)

    wait_until_stored(tab)
    tab.goto(form.as_uri())  # a later visit: the answers are still there
    kept = tab.evaluate(
        "Object.fromEntries(sphinxEthicsForm.entries().filter(e => e.text).map("
        "e => [e.id, [e.state, e.text]]))"
    )
    assert kept == {
        **{qid: ["answered", text] for qid, text in ANSWERS.items()},
        "plan-2c": ["not-applicable", REASON],
        "plan-3": ["draft", "We will ask the panel"],
    }
    assert progress(tab) == "4 of 13 required questions answered"
    assert tab.evaluate("document.getElementById('saved').textContent").startswith(
        "Answers restored from this browser"
    )
    assert tab.evaluate("document.getElementById('keep').checked") is True

    text = download(tab)
    assert tab.evaluate("document.getElementById('result').textContent") == (
        f"Downloaded {FILE_NAME} with 5 answers. Send this file to the team."
    )
    stored = TESTS.parent / "docs" / "howto" / "files" / "panel-answers.yaml"
    shown = re.sub(r"(?m)^# Downloaded .*$", "# Downloaded 2026-11-20T14:05:09.000Z", text)
    if os.environ.get("SPHINX_ETHICS_UPDATE_SNAPSHOTS") == "1":
        stored.write_text(shown, "utf-8")
    version = re.compile(r"sphinx-ethics \S+ form")
    assert version.sub("", shown) == version.sub("", stored.read_text("utf-8")), (
        "the how-to's example download differs (SPHINX_ETHICS_UPDATE_SNAPSHOTS=1 rewrites it)"
    )
    assert yaml.safe_load(text) == {
        **{qid: {"format": "text", "text": answer} for qid, answer in ANSWERS.items()},
        "plan-2c": {"status": "not-applicable", "format": "text", "text": REASON},
        "plan-3": {"status": "draft", "format": "text", "text": "We will ask the panel"},
    }
    report, _ = build_with(tmp_path, text)
    (review,) = report["reviews"]
    states = {slot["id"]: slot["state"] for slot in review["slots"]}
    assert {qid: states[qid] for qid in [*ANSWERS, "plan-2c", "plan-3"]} == {
        **dict.fromkeys(ANSWERS, "answered"),
        "plan-2c": "not-applicable",
        "plan-3": "draft",
    }
    assert (review["required"], review["answered"]) == (13, 4)
    answers = {slot["id"]: slot["answer"] for slot in review["slots"]}
    assert answers["plan-2c"] == REASON
    assert answers["co-production-1"] == ANSWERS["co-production-1"]
    assert all(slot["file"].endswith("answers.yaml") for slot in review["slots"] if slot["answer"])


HOSTILE = {
    "plan-1": '<script>alert("form")</script><img src=x onerror=alert(1)>',
    "plan-2a": '.. raw:: html\n\n   <b id="raw-injected">raw</b>',
    "plan-2b": "{{ config.__class__ }} {% if x %}{% endif %} ${HOME}",
    "plan-2c": '=HYPERLINK("http://evil.example/","click me")',
    "plan-2d": '!!python/object/apply:os.system ["echo pwned"]\n--- !!python/name:os.system',
    "plan-3": ".. include:: /etc/passwd",
    "plan-4": "# not a comment\n---\n...\nkey: value\n- item\n\t tab and trailing space ",
    "plan-5": "word " * 40_000,  # one line of 200,000 characters
}


def test_hostile_text_arrives_as_text(tab: Page, form: Path, tmp_path: Path) -> None:
    open_form(tab, form)
    for qid, text in HOSTILE.items():
        tab.evaluate(
            f"(() => {{ const box = document.getElementById('a-{qid}');"
            f" box.value = {json.dumps(text)};"
            " box.dispatchEvent(new Event('input', {bubbles: true})); })()"
        )
    text = download(tab)
    assert yaml.safe_load(text) == {
        qid: {"format": "text", "text": hostile} for qid, hostile in HOSTILE.items()
    }
    report, doctrees = build_with(tmp_path, text)
    slots = {slot["id"]: slot for slot in report["reviews"][0]["slots"]}
    assert slots["plan-1"]["answer"] == HOSTILE["plan-1"]
    assert slots["plan-2c"]["answer"] == HOSTILE["plan-2c"]
    assert "!!python/object/apply:os.system" in slots["plan-2d"]["answer"]
    doctree = pickle.loads((doctrees / "index.doctree").read_bytes())
    assert not list(doctree.findall(nodes.raw))
    html = (tmp_path / "html" / "index.html").read_text("utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find(id="raw-injected") and not soup.find("img", src="x")
    assert not [s for s in soup.find_all("script") if "alert" in (s.string or "")]
    shown = soup.get_text()
    for needle in (
        "<script>alert(",
        "</script><img src=x",
        "{{ config.__class__ }}",
        "=HYPERLINK(",
    ):
        assert needle in shown
    assert "root:" not in shown  # /etc/passwd was not read


# --------------------------------------------------------------------------
# Accessibility: axe, keyboard, focus, phone width
# --------------------------------------------------------------------------

AXE_RUN_JS = """axe.run(document, {resultTypes: ["violations"]}).then((results) =>
  results.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ") + " " + n.html.slice(0, 200))})))"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE_JS.is_file():
        missing("no axe-core: npm ci --prefix tests/browser")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_axe_finds_nothing_and_nothing_scrolls_sideways(
    tab: Page, form: Path, axe_source: str, width: int
) -> None:
    tab.resize(width, HEIGHT)
    open_form(tab, form)
    type_into(tab, "plan-1", ANSWERS["plan-1"])
    choose(tab, "plan-2a", "not-applicable")
    tab.evaluate(axe_source)
    violations = tab.evaluate(AXE_RUN_JS)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-form-{width}.json").write_text(json.dumps(violations, indent=2), "utf-8")
    assert violations == []
    sizes = tab.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert sizes == [width, width]
    tab.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    tab.screenshot(ARTIFACTS / f"form-top-{width}.png", full_page=False)
    tab.evaluate("document.getElementById('t-plan-1').scrollIntoView()")
    tab.screenshot(ARTIFACTS / f"form-question-{width}.png", full_page=False)
    tab.screenshot(ARTIFACTS / f"form-page-{width}.png")


TAB_JS = """(() => {
  const el = document.activeElement, style = getComputedStyle(el);
  return {id: el.id || el.name || el.localName, tag: el.localName,
          outline: style.outlineStyle === "none" ? 0 : parseFloat(style.outlineWidth)};
})()"""

#: Every control, in document order: what Tab must reach (one stop per radio group).
CONTROLS_JS = """[...document.querySelectorAll(
  "textarea, input[type=checkbox], input[type=radio]:checked, input[type=text], a[href], "
  + "button")].filter(
  (el) => el.checkVisibility()).map((el) => el.id || el.name || el.localName)"""


def press_tab(tab: Page) -> None:
    key = {"key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9}
    tab.send("Input.dispatchKeyEvent", {"type": "keyDown", **key})
    tab.send("Input.dispatchKeyEvent", {"type": "keyUp", **key})


def test_tab_reaches_every_control_in_order_with_visible_focus(tab: Page, form: Path) -> None:
    open_form(tab, form)
    choose(tab, "plan-3", "draft")
    expected = tab.evaluate(CONTROLS_JS)
    assert expected[:4] == ["keep", "a-plan-1", "state-plan-1", "a-plan-2a"]
    assert expected[-5:] == ["who-name", "who-role", "download", "print", "forget"]
    tab.evaluate("document.activeElement.blur(); window.focus()")
    reached = []
    for _ in range(len(expected)):
        press_tab(tab)
        reached.append(tab.evaluate(TAB_JS))
    assert [r["id"] for r in reached] == expected
    no_outline = [r["id"] for r in reached if r["outline"] < 2]
    assert not no_outline, f"no visible focus on {no_outline}"
    # The radio group that Tab reaches is the chosen state; arrows change it.
    radio = next(r for r in reached if r["id"] == "state-plan-3")
    assert radio["tag"] == "input"
    assert tab.evaluate("document.querySelector('input[name=state-plan-3]:checked').value") == (
        "draft"
    )


def test_print_shows_answers_and_hides_buttons(tab: Page, form: Path, tmp_path: Path) -> None:
    open_form(tab, form)
    type_into(tab, "plan-1", "Printed answer, line one\nline two")
    choose(tab, "plan-2c", "not-applicable")
    type_into(tab, "plan-2c", REASON)
    data = tab.send("Page.printToPDF", {"printBackground": False})["data"]
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(base64.b64decode(data))
    text = " ".join(pdftotext(pdf).split())
    assert "Printed answer, line one line two" in text
    assert "Why it does not apply to 2c" in text and REASON in text
    assert "2 of 13 required questions answered" in text
    assert "Download answers" not in text and "Clear my answers" not in text
    assert "Keep my answers" not in text


def test_without_javascript_the_form_still_reads(browser: Chromium, form: Path) -> None:
    page = browser.new_page(PHONE, HEIGHT)
    try:
        page.send("Emulation.setScriptExecutionDisabled", {"value": True})
        page.goto(form.as_uri())
        seen = page.evaluate(
            """({boxes: document.querySelectorAll("textarea").length,
                 note: document.querySelector("noscript") !== null,
                 finish: document.querySelector(".finish").checkVisibility(),
                 wide: document.documentElement.scrollWidth})"""
        )
    finally:
        browser.send("Target.closeTarget", {"targetId": page.target})
    assert seen == {"boxes": 13, "note": True, "finish": False, "wide": PHONE}


# --------------------------------------------------------------------------
# Kept only when asked, under this form's own key; cleared on request
# --------------------------------------------------------------------------


def where_kept(tab: Page) -> str:
    return " ".join(tab.evaluate("document.getElementById('kept').textContent").split())


def test_answers_are_kept_only_when_the_person_ticks_the_box(tab: Page, form: Path) -> None:
    open_form(tab, form)
    assert tab.evaluate("document.getElementById('keep').checked") is False
    assert where_kept(tab).startswith("Your answers are only in this page")
    label = tab.evaluate("document.querySelector('label:has(#keep)').textContent")
    assert " ".join(label.split()) == "Keep my answers on this computer"
    type_into(tab, "plan-1", "Not to be kept")
    assert tab.evaluate("localStorage.length") == 0
    tab.goto(form.as_uri())  # leaving the page does not keep them either
    assert tab.evaluate("localStorage.length") == 0
    assert tab.evaluate("document.getElementById('a-plan-1').value") == ""

    type_into(tab, "plan-1", "Kept, as asked")
    keep(tab)
    assert where_kept(tab).startswith(
        "Your answers are kept in this browser on this computer (its local storage, for this "
        "form only)"
    )
    wait_until_stored(tab)
    assert stored(tab)["answers"]["plan-1"]["text"] == "Kept, as asked"
    assert tab.evaluate("Object.keys(localStorage)") == [
        tab.evaluate("sphinxEthicsForm.storageKey")
    ]
    keep(tab, on=False)  # changing one's mind removes them
    assert stored(tab) is None and tab.evaluate("localStorage.length") == 0
    assert where_kept(tab).startswith("Your answers are only in this page")


def test_the_last_word_before_leaving_is_kept(tab: Page, form: Path, browser: Chromium) -> None:
    """Saved on every input and again when the page is hidden or left: a value set
    without an input event (as some autofill and dictation tools do) is kept.

    The events are dispatched here rather than caused by a navigation: when a page
    is left, Chromium may commit (or, as the old renderer exits, sometimes drop) its
    last localStorage write after the next page has loaded, so a reload test would
    measure the browser's timing, not the form.  What the form controls is that it
    saves on these events; a new tab then shows the value restored."""
    open_form(tab, form)
    keep(tab)
    for event, value in [
        ("new PageTransitionEvent('pagehide')", "Set before pagehide"),
        ("new Event('visibilitychange')", "Set before the tab was hidden"),
    ]:
        tab.evaluate(f"document.getElementById('a-plan-2a').value = {json.dumps(value)}")
        if "visibility" in event:  # saved only when the page really is hidden
            tab.evaluate(
                "Object.defineProperty(document, 'visibilityState', "
                "{value: 'hidden', configurable: true})"
            )
        target = "document" if "visibility" in event else "window"
        tab.evaluate(f"{target}.dispatchEvent({event})")
        assert (stored(tab) or {})["answers"]["plan-2a"]["text"] == value
    # One new tab (an open tab saves again when another hides it, so a second
    # reader tab would race with the first).
    other = browser.new_page(DESKTOP, HEIGHT)
    other.goto(form.as_uri())
    assert other.evaluate("document.getElementById('a-plan-2a').value") == value
    close_tab(browser, other)


def test_two_generated_forms_never_share_answers(tab: Page, form: Path, tmp_path: Path) -> None:
    """Project B's form (same checklists, same title) never shows project A's answers."""
    (tmp_path / "project-b").mkdir()
    other = forms.write_form(tmp_path / "project-b" / "form.html", TITLE)
    open_form(tab, form)
    keep(tab)
    type_into(tab, "plan-1", "Project A's answer")
    wait_until_stored(tab)
    key_a = tab.evaluate("sphinxEthicsForm.storageKey")
    tab.goto(other.as_uri())
    assert tab.evaluate("sphinxEthicsForm.storageKey") != key_a
    assert tab.evaluate("document.getElementById('a-plan-1').value") == ""
    assert tab.evaluate("document.getElementById('keep').checked") is False
    assert stored(tab) is None


def test_clear_my_answers_removes_them_from_the_page_and_the_browser(tab: Page, form: Path) -> None:
    open_form(tab, form)
    keep(tab)
    type_into(tab, "plan-1", "To be cleared")
    choose(tab, "plan-2c", "not-applicable")
    wait_until_stored(tab)
    button = tab.evaluate("document.getElementById('forget').textContent")
    assert button == "Clear my answers"
    tab.evaluate("window.confirm = () => true; document.getElementById('forget').click()")
    assert stored(tab) is None
    assert tab.evaluate("document.getElementById('a-plan-1').value") == ""
    assert tab.evaluate("document.querySelector('input[name=state-plan-2c]:checked').value") == (
        "answered"
    )
    assert tab.evaluate("document.getElementById('keep').checked") is False
    tab.goto(form.as_uri())
    assert tab.evaluate("document.getElementById('a-plan-1').value") == ""
    assert stored(tab) is None


# --------------------------------------------------------------------------
# Screening: yes / no / unsure
# --------------------------------------------------------------------------

SCREENING = TESTS.parent / "examples" / "falls-prevention" / "screening-checklist.yaml"


def screening_form(path: Path, answers: str = "") -> Path:
    args = [sys.executable, "-m", "sphinx_ethics", "form", "screening"]
    args += ["--checklists", str(SCREENING), "-o", str(path)]
    if answers:
        (path.parent / "prefill.yaml").write_text(answers, "utf-8")
        args += ["--answers", str(path.parent / "prefill.yaml")]
    result = subprocess.run(args, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return path


def press(tab: Page, key: str, code: int) -> None:
    event = {"key": key, "code": key, "windowsVirtualKeyCode": code}
    tab.send("Input.dispatchKeyEvent", {"type": "keyDown", **event})
    tab.send("Input.dispatchKeyEvent", {"type": "keyUp", **event})


def test_screening_choice_by_keyboard_kept_and_downloaded(
    tab: Page, tmp_path: Path, axe_source: str
) -> None:
    form = screening_form(
        tmp_path / "screening.html", "screening-2:\n  answer: unsure\n  text: Maybe names.\n"
    )
    open_form(tab, form)
    assert progress(tab) == "1 of 3 required questions answered"
    group = tab.evaluate(
        "(() => { const g = document.getElementById('c-screening-1');"
        " return [g.localName, g.querySelector('legend').textContent,"
        " [...g.querySelectorAll('input')].map(i => i.labels[0].textContent.trim())]; })()"
    )
    assert group == ["fieldset", "Yes, no or unsure: your choice for 1", ["Yes", "No", "Unsure"]]
    # Keyboard: Tab reaches the group, arrows choose, as for any radio group.
    keep(tab)
    tab.evaluate("document.getElementById('keep').focus()")
    press(tab, "Tab", 9)
    focused = tab.evaluate("[document.activeElement.name, document.activeElement.value]")
    assert focused == ["choice-screening-1", "yes"]
    press(tab, "ArrowDown", 40)
    assert tab.evaluate("document.querySelector('[name=choice-screening-1]:checked').value") == (
        "no"
    )
    type_into(tab, "screening-3", "A university analyses the data.")
    tab.evaluate("document.querySelector('[name=choice-screening-3][value=yes]').click()")
    assert progress(tab) == "3 of 3 required questions answered"
    tab.evaluate(axe_source)
    assert tab.evaluate(AXE_RUN_JS) == []
    wait_until_stored(tab)
    tab.goto(form.as_uri())  # kept, with the choices
    checked = "[...document.querySelectorAll('.choice input:checked')].map(i => i.value)"
    assert tab.evaluate(checked) == ["no", "unsure", "yes"]
    text = download(tab, "screening-answers.yaml")
    target = tab.downloads / "screening-answers.yaml"  # type: ignore[attr-defined]
    assert "screening-1:\n  answer: no\n  format: text\n" in text
    assert yaml.safe_load(text) == {
        "screening-1": {"answer": False, "format": "text"},
        "screening-2": {"answer": "unsure", "format": "text", "text": "Maybe names."},
        "screening-3": {
            "answer": True,
            "format": "text",
            "text": "A university analyses the data.",
        },
    }
    answers, problems = read_answers(target, "screening-answers.yaml")
    assert problems == []
    assert [(a.question_id, a.choice) for a in answers] == [
        ("screening-1", "no"),
        ("screening-2", "unsure"),
        ("screening-3", "yes"),
    ]


# --------------------------------------------------------------------------
# Who answered (SPEC §12): typed in the form, in the download, kept by merge
# --------------------------------------------------------------------------

TEAM_FILE = """\
# The team's answers\r
plan-1: ""\r
plan-2a: Our own words.   # kept as it is\r
"""


def type_who(tab: Page, field: str, text: str) -> None:
    tab.evaluate(f"document.getElementById('{field}').focus()")
    tab.send("Input.insertText", {"text": text})


def test_name_and_role_reach_the_download_and_survive_merge(
    tab: Page, form: Path, tmp_path: Path
) -> None:
    open_form(tab, form)
    labels = tab.evaluate(
        "['who-name', 'who-role'].map(id => document.getElementById(id).labels[0].textContent)"
    )
    assert labels == ["Your name", "Your role, for example family carer or ward nurse"]
    legend = "document.querySelector('fieldset.who legend').textContent"
    assert tab.evaluate(legend) == "Who is answering (optional)"
    keep(tab)
    type_into(tab, "plan-1", "Fewer falls at night.")
    type_into(tab, "plan-3", "Ask the panel first.")
    type_who(tab, "who-name", "J.  Okafor")
    type_who(tab, "who-role", "family carer <b>x</b>")
    assert stored(tab)["who"] == {"who-name": "J. Okafor", "who-role": "family carer <b>x</b>"}
    tab.goto(form.as_uri())  # kept with the answers, as the person asked
    assert tab.evaluate("document.getElementById('who-name').value") == "J. Okafor"

    text = download(tab)
    by = "J. Okafor (family carer <b>x</b>)"
    assert yaml.safe_load(text) == {
        "plan-1": {"format": "text", "by": by, "text": "Fewer falls at night."},
        "plan-3": {"format": "text", "by": by, "text": "Ask the panel first."},
    }
    incoming = tmp_path / "incoming.yaml"
    incoming.write_text(text, "utf-8")
    team = tmp_path / "team.yaml"
    team.write_bytes(TEAM_FILE.encode("utf-8"))
    (tmp_path / "conf.py").write_text(CONF, "utf-8")
    merged = subprocess.run(
        [sys.executable, "-m", "sphinx_ethics", "merge", str(incoming), "--into", str(team),
         "--received", "2026-11-20"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert merged.returncode == 0, merged.stderr
    after = team.read_bytes().decode("utf-8")
    assert after.startswith("# The team's answers\r\nplan-1:\r\n")
    assert "plan-2a: Our own words.   # kept as it is\r\n" in after
    entries = yaml.safe_load(after)
    for qid in ("plan-1", "plan-3"):
        assert entries[qid]["by"] == by and entries[qid]["received"] == "2026-11-20"
    (tmp_path / "site").mkdir()
    report, _ = build_with(tmp_path / "site", after)
    slots = {s["id"]: s for s in report["reviews"][0]["slots"]}
    assert (slots["plan-1"]["by"], slots["plan-1"]["received"]) == (by, "2026-11-20")
    assert "by" not in slots["plan-2a"]  # the team's own answer: nothing claimed
    page = BeautifulSoup(
        (tmp_path / "site" / "html" / "index.html").read_text("utf-8"), "html.parser"
    )
    lines = [p.get_text() for p in page.select("p.ethics-answered-by")]
    assert lines == [f"Answered by {by}, received 2026-11-20"] * 2
    assert page.find("b", string="x") is None  # the role is text, never markup
    # Clear my answers clears the name and role too.
    tab.evaluate("window.confirm = () => true; document.getElementById('forget').click()")
    assert tab.evaluate("document.getElementById('who-name').value") == ""
    assert tab.evaluate("document.getElementById('who-role').value") == ""
    assert stored(tab) is None


def test_a_prefilled_answer_left_as_it_came_is_not_attributed(tab: Page, tmp_path: Path) -> None:
    (tmp_path / "prefill.yaml").write_text("plan-1: The team's own answer.\n", "utf-8")
    path = tmp_path / "plan.html"
    args = [sys.executable, "-m", "sphinx_ethics", "form", "plan", "-o", str(path)]
    result = subprocess.run([*args, "--answers", str(tmp_path / "prefill.yaml")], check=False)
    assert result.returncode == 0
    open_form(tab, path)
    type_into(tab, "plan-2a", "The carer's answer.")
    type_who(tab, "who-name", "J. Okafor")
    assert yaml.safe_load(download(tab, "plan-answers.yaml")) == {
        "plan-1": {"format": "text", "text": "The team's own answer."},
        "plan-2a": {"format": "text", "by": "J. Okafor", "text": "The carer's answer."},
    }
