"""The YAML that the form's script writes, for any text (``sphinx-ethics form``).

"Download answers" must give a file that PyYAML and the build's reader
(``answers_file.read_answers``) read back as exactly the text typed, with
``format: text`` on every entry and a screening choice as ``answer:``:
trailing spaces, tabs, lines starting with ``#``, ``---`` or ``...``,
Unicode line separators, control characters, CRLF, emoji and words YAML
would read as ``null`` or ``false``.  The script's own function
(``sphinxEthicsForm.toYaml``) runs in headless Chromium on a list of tricky
texts and on Hypothesis's; the real download is in ``test_form_browser``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from browser import forms
from browser.cdp import Chromium, Page
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sphinx_ethics.answers.file import read_answers
from sphinx_ethics.answers.merge import read_entries
from sphinx_ethics.catalogue import yaml_reading


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    with forms.chromium(tmp_path_factory.mktemp("yaml-chromium")) as chromium:
        yield chromium


@pytest.fixture(scope="module")
def tab(browser: Chromium, tmp_path_factory: pytest.TempPathFactory) -> Page:
    """One tab with the form, for every example (a new tab each would be slow)."""
    form = forms.write_form(tmp_path_factory.mktemp("yaml-form") / "form.html")
    page = browser.new_page(800, 600)
    page.goto(form.as_uri())
    return page


TRICKY = [
    "trailing spaces   ",
    "\ttab first",
    "# a comment?",
    "---",
    "...",
    "line one\r\nline two\r\n",
    "carriage\rreturn",
    "\u2028line\u2029separators\x85nel",
    "null",
    "false",
    "~",
    "|",
    "  leading spaces\n  kept",
    "ends with newlines\n\n\n",
    "\ufeffbom",
    "caf\u00e9 \u2014 \u0645\u0631\u062d\u0628\u0627 \U0001f600 \u4e2d\u6587",
    "\x00\x07\x1b[31m control \x7f\x9f",
    '"quoted" \\ back\\slash',
    "key: value\n- item\n? question",
    "lone \ud800 surrogate",
    "\n\nstarts with blank lines",
    "x",
]
STATES = st.sampled_from(["answered", "not-applicable", "draft"])
TEXTS = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"])
    | st.sampled_from(list("\n\r\t #-:|>'\"")),
    min_size=1,
    max_size=60,
).filter(lambda text: any(char.isalnum() for char in text))


CHOICES = st.sampled_from(["", "yes", "no", "unsure"])
#: How PyYAML reads the choices back (YAML 1.1 booleans); the build takes the words.
LOADED = {"yes": True, "no": False, "unsure": "unsure"}


def expected(state: str, text: str, choice: str = "") -> object:
    value: dict[str, object] = {} if state == "answered" else {"status": state}
    if choice:
        value["answer"] = LOADED[choice]
    value["format"] = "text"
    if text or not choice:
        value["text"] = text
    return value


def round_trip(tab: Page, entries: list[tuple], tmp_path: Path) -> str:
    entries = [(*entry, "")[:3] for entry in entries]  # (state, text, choice)
    items = [
        {"id": f"plan-{i + 1}", "state": s, "text": t, "choice": c}
        for i, (s, t, c) in enumerate(entries)
    ]
    source = json.dumps(items)  # lone surrogates become \\ud800, as a browser's text may hold
    written = tab.evaluate(f"sphinxEthicsForm.toYaml({source}, ['a header'])")
    fixed = [
        (s, t.encode("utf-16", "surrogatepass").decode("utf-16", "replace"), c)
        for s, t, c in entries
    ]
    want = {f"plan-{i + 1}": expected(s, t, c) for i, (s, t, c) in enumerate(fixed)}
    assert yaml.safe_load(written) == want, written
    path = tmp_path / "answers.yaml"
    path.write_text(written, "utf-8")
    answers, problems = read_answers(path, "answers.yaml")
    assert not problems
    assert [(a.question_id, a.status, a.text, a.choice) for a in answers] == [
        (f"plan-{i + 1}", s, t, c) for i, (s, t, c) in enumerate(fixed)
    ]
    got, _ = read_entries(yaml_reading.compose(written), "answers.yaml")
    assert {a.format for a in got} == {"text"}
    return written


def test_tricky_texts_round_trip(tab: Page, tmp_path: Path) -> None:
    entries = [(state, text) for text in TRICKY for state in ("answered", "not-applicable")]
    written = round_trip(tab, entries, tmp_path)
    # Both ways of writing text are used: block scalars where they keep the
    # text exactly, double-quoted strings for the rest.
    assert "plan-5:\n  format: text\n  text: |-\n    # a comment?\n" in written
    assert 'plan-1:\n  format: text\n  text: "trailing spaces   "\n' in written
    assert (
        "plan-28:\n  status: not-applicable\n  format: text\n  text: |+\n"
        "    ends with newlines\n\n\n"
    ) in written


def test_choices_round_trip_with_and_without_text(tab: Page, tmp_path: Path) -> None:
    entries = [
        ("answered", "", "yes"),
        ("answered", "We may keep names.", "unsure"),
        ("draft", "", "no"),
        ("not-applicable", "Not a screening matter.", ""),
        ("answered", "no", ""),
    ]
    written = round_trip(tab, entries, tmp_path)
    assert written.split("\n")[1:4] == ["plan-1:", "  answer: yes", "  format: text"]
    # No text and no choice: left out; an unknown choice is never written.
    nothing = tab.evaluate(
        "sphinxEthicsForm.toYaml([{id: 'plan-1', state: 'answered', text: ' ', choice: ''},"
        " {id: 'plan-2', state: 'answered', text: 'x', choice: 'maybe'}], [])"
    )
    assert nothing == "plan-2:\n  format: text\n  text: |-\n    x\n"


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(STATES, TEXTS, CHOICES), min_size=1, max_size=5))
@example([("answered", "a\n \n")])
def test_any_text_round_trips(tab: Page, tmp_path_factory, entries) -> None:
    round_trip(tab, entries, tmp_path_factory.mktemp("yaml"))
