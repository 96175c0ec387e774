"""Text from outside the team is data, never a document (SPEC §10, issue 18).

Answers files carry words typed by patient partners, carers and survey
respondents.  Each attack of issue 18 is tried here, in reStructuredText and
in MyST, on a real build: nothing runs, nothing is copied or loaded, the
page keeps its title and head, no review is injected, and each refusal is an
``ethics.untrusted`` warning at the answers file's line that fails the gate.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers import ethics_warnings, line_of, no_crash, norm, soup, sphinx_build, write_project
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

CONF = 'extensions = ["sphinx_ethics"]\nethics_today = "2026-11-01"\n'
MYST_CONF = 'extensions = ["sphinx_ethics", "myst_parser"]\nethics_today = "2026-11-01"\n'
RST_PAGE = "Review\n======\n\n.. ethics-review:: collaboration\n   :answers: answers.yaml\n"
MYST_PAGE = "# Review\n\n```{ethics-review} collaboration\n:answers: answers.yaml\n```\n"


def entry(text: str, fmt: str = "") -> str:
    """``collaboration-1`` answered with ``text`` (a block scalar), in an answers file."""
    body = "".join(f"    {line}\n" if line else "\n" for line in text.splitlines())
    head = f"collaboration-1:\n  format: {fmt}\n" if fmt else "collaboration-1:\n"
    return f"{head}  text: |\n{body}"


def make(tmp_path: Path, answers: str, *, myst: bool = False, conf: str = "") -> Path:
    (tmp_path / "secret.txt").write_text("top-secret-words\n", "utf-8")
    (tmp_path / "private-photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    page = {"index.md": MYST_PAGE} if myst else {"index.rst": RST_PAGE}
    base = MYST_CONF if myst else CONF
    return write_project(tmp_path, {**page, "answers.yaml": answers}, base + conf)


def build(src: Path, out: Path, builder: str = "html", *args: str) -> subprocess.CompletedProcess:
    result = sphinx_build("-b", builder, *args, src, out)
    no_crash(result)
    return result


def check_json(src: Path) -> tuple[int, dict]:
    result = subprocess.run(
        [sys.executable, "-m", "sphinx_ethics", "check", "--json", str(src)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return result.returncode, json.loads(result.stdout)


def untrusted(result: subprocess.CompletedProcess) -> list:
    return ethics_warnings(result.stderr, "untrusted")


# --------------------------------------------------------------------------
# Code never runs
# --------------------------------------------------------------------------


def test_myst_substitution_in_an_answer_never_runs_during_check(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    code = (
        "{{ env.__class__.__init__.__globals__['__builtins__']['__import__']('os')"
        f".system('touch {marker}') }}}}"
    )
    conf = 'myst_enable_extensions = ["substitution"]\n'
    src = make(tmp_path, entry(f"Words.\n\n{code}"), myst=True, conf=conf)
    code_rc, report = check_json(src)
    assert not marker.exists()
    build(src, tmp_path / "out")
    assert not marker.exists()
    text = norm(soup(tmp_path / "out" / "index.html").select_one(".ethics-answer").get_text())
    assert "{{ env." in text and ".system('touch" in text  # characters, never run
    assert code_rc == 0 and report["complete"]  # words, not markup: nothing refused


def test_rst_ifconfig_in_an_answer_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    attack = f".. ifconfig:: __import__('os').system('touch {marker}') == 0\n\n   Shown."
    answers = entry(f"Words.\n\n{attack}")
    src = make(tmp_path, answers, conf='extensions.append("sphinx.ext.ifconfig")\n')
    result = build(src, tmp_path / "out")
    assert not marker.exists()
    found = untrusted(result)
    assert [w.where for w in found] == [f"answers.yaml:{line_of(src / 'answers.yaml', 'ifconfig')}"]
    assert "the directive 'ifconfig' is not allowed" in found[0].message
    assert "move that answer into the page" in found[0].message
    html = soup(tmp_path / "out" / "index.html")
    assert "__import__" in html.select_one("pre").get_text()  # shown as text


def test_myst_eval_rst_and_directive_fences_are_refused(tmp_path: Path) -> None:
    marker = tmp_path / "PWNED"
    answers = entry(
        f"Words.\n\n```{{eval-rst}}\n.. ifconfig:: __import__('os').system('touch {marker}')\n"
        "\n   x\n```\n\n```{raw} html\n<script>alert(1)</script>\n```"
    )
    conf = 'extensions.append("sphinx.ext.ifconfig")\n'
    src = make(tmp_path, answers, myst=True, conf=conf)
    result = build(src, tmp_path / "out")
    assert not marker.exists()
    messages = [w.message for w in untrusted(result)]
    assert any("'eval-rst'" in m for m in messages) and any("'raw'" in m for m in messages)
    assert "<script>alert(1)</script>" not in (tmp_path / "out" / "index.html").read_text()


# --------------------------------------------------------------------------
# No file is published, nothing is loaded
# --------------------------------------------------------------------------

RST_FILES = (
    "See :download:`the notes <../../secret.txt>`.\n\n"
    ".. image:: /../private-photo.png\n\n"
    ".. figure:: https://tracker.example/pixel.png\n\n"
    ".. math::\n\n   x^2"
)
MYST_FILES = (
    "See {download}`the notes <../../secret.txt>` and [notes](../secret.txt).\n\n"
    "![photo](../private-photo.png)\n\n"
    "```{figure} https://tracker.example/pixel.png\n```\n\n"
    "```{math}\nx^2\n```\n\n$$x^2$$"
)


@pytest.mark.parametrize("myst", [False, True], ids=["rst", "myst"])
def test_no_private_file_is_published_and_nothing_is_loaded(tmp_path: Path, myst: bool) -> None:
    conf = 'myst_enable_extensions = ["dollarmath"]\n' if myst else ""
    src = make(tmp_path, entry(RST_FILES if not myst else MYST_FILES), myst=myst, conf=conf)
    out = tmp_path / "out"
    result = build(src, out)
    assert not (out / "_downloads").exists() or not any((out / "_downloads").rglob("*.*"))
    assert not (out / "_images").exists() or not any((out / "_images").iterdir())
    published = "".join(p.read_text("utf-8", "replace") for p in out.rglob("*.html"))
    assert "top-secret-words" not in published
    html = (out / "index.html").read_text("utf-8")
    assert '<img src="https://tracker.example' not in html
    assert not re.search(r"<script[^>]*mathjax", html, re.I)
    assert len(untrusted(result)) >= 3
    if myst:  # a local link stays a plain link, never a download
        assert 'href="../secret.txt"' in html


# --------------------------------------------------------------------------
# The page is not hijacked; no review is injected
# --------------------------------------------------------------------------


@pytest.mark.parametrize("myst", [False, True], ids=["rst", "myst"])
def test_meta_refresh_and_title_do_not_change_the_page(tmp_path: Path, myst: bool) -> None:
    if myst:
        attack = (
            "```{meta}\n:http-equiv=refresh: 0; url=https://evil.example/login\n```\n\n"
            "```{title} Hijacked\n```"
        )
    else:
        attack = (
            ".. meta::\n   :http-equiv=refresh: 0; url=https://evil.example/login\n\n"
            ".. title:: Hijacked"
        )
    src = make(tmp_path, entry(f"Words.\n\n{attack}"), myst=myst)
    result = build(src, tmp_path / "out")
    page = soup(tmp_path / "out" / "index.html")
    assert page.find("meta", attrs={"http-equiv": True}) is None
    assert "Hijacked" not in page.title.get_text()
    assert len(untrusted(result)) == 2


INJECTED_RST = """Words.

.. ethics-review:: co-production
   :name: injected
   :status: approved

   .. ethics-signoff:: Chair
      :by: Mallory
      :date: 2026-10-01
      :decision: approved"""
INJECTED_MYST = """Words.

```{ethics-review} co-production
:name: injected
:status: approved

```"""


@pytest.mark.parametrize("myst", [False, True], ids=["rst", "myst"])
def test_an_injected_signed_off_review_is_not_counted(tmp_path: Path, myst: bool) -> None:
    src = make(tmp_path, entry(INJECTED_MYST if myst else INJECTED_RST), myst=myst)
    code, report = check_json(src)
    assert [r["name"] for r in report["reviews"]] == ["index-collaboration"]
    assert all(not r["signoffs"] for r in report["reviews"])
    problems = [p for r in report["reviews"] for p in r["problems"]]
    assert any(p["subtype"] == "untrusted" for p in problems), problems
    assert code == 1 and not report["complete"]  # untrusted fails the gate


# --------------------------------------------------------------------------
# format: text is shown as typed; format: markup keeps the allow-list
# --------------------------------------------------------------------------

CARER = "Please:\n- keep *my* words\n- `as` typed |x| {{ y }} :ref:`z` .. image:: w\n\nSee https://nhs.uk/a."


@pytest.mark.parametrize("myst", [False, True], ids=["rst", "myst"])
def test_text_format_is_shown_as_typed(tmp_path: Path, myst: bool) -> None:
    src = make(tmp_path, entry(CARER, "text"), myst=myst)
    result = build(src, tmp_path / "out", "html", "-W")
    assert result.returncode == 0, result.stderr
    answer = soup(tmp_path / "out" / "index.html").select_one(".ethics-answer")
    assert answer.find("p").get_text() == "Please:"
    items = [norm(li.get_text()) for li in answer.select("ul > li")]
    assert items == ["keep *my* words", "`as` typed |x| {{ y }} :ref:`z` .. image:: w"]
    assert answer.find("em") is None and answer.find("code") is None
    link = answer.find("a")
    assert link["href"] == "https://nhs.uk/a" and link.get_text() == "https://nhs.uk/a"


MARKUP_RST = """Some **strong**, *em*, ``code`` and `a link <https://ok.example>`_.

- one
- two

See :ref:`genindex`.

=====  =====
Head   Cols
=====  =====
one    two
=====  ====="""
MARKUP_MYST = """Some **strong**, *em*, `code` and [a link](https://ok.example).

- one
- two

See {ref}`genindex`.

| Head | Cols |
|------|------|
| one  | two  |"""


@pytest.mark.parametrize("myst", [False, True], ids=["rst", "myst"])
def test_markup_format_keeps_the_allowed_markup(tmp_path: Path, myst: bool) -> None:
    src = make(tmp_path, entry(MARKUP_MYST if myst else MARKUP_RST, "markup"), myst=myst)
    result = build(src, tmp_path / "out", "html", "-W")
    assert result.returncode == 0, result.stderr
    answer = soup(tmp_path / "out" / "index.html").select_one(".ethics-answer")
    assert answer.find("strong").get_text() == "strong" and answer.find("em")
    assert answer.find("code").get_text() == "code"
    assert [a["href"] for a in answer.find_all("a")] == ["https://ok.example", "genindex.html"]
    assert len(answer.select("ul > li")) == 2
    assert [td.get_text().strip() for td in answer.select("table td")] == ["one", "two"]


def test_unknown_keys_and_formats_are_named_with_a_suggestion() -> None:
    text = "collaboration-1:\n  txt: x\n  format: texy\n  by: A carer\n  received: 2026-11-02\n"
    from sphinx_ethics.answers.file import answers_in_text

    answers, problems = answers_in_text(text, "a.yaml")
    assert [p.message for p in problems] == [
        "collaboration-1: unknown key 'txt' (did you mean \"text\"?); it is ignored "
        "(keys: text, status, answer, format, by, received)",
        "collaboration-1: unknown format 'texy' (did you mean \"text\"?); use 'text' "
        "(shown as typed) or 'markup'; the text is shown as typed",
    ]
    assert (answers[0].by, answers[0].received, answers[0].format) == (
        "A carer",
        "2026-11-02",
        "text",
    )


# --------------------------------------------------------------------------
# Control characters
# --------------------------------------------------------------------------


def test_control_characters_are_replaced_before_yaml_keeping_lines() -> None:
    text = "collaboration-1: |\n  One\x1b[31m.\n  Two\x08\x7f\x85.\nco-production-1: fine\n"
    from sphinx_ethics.answers.file import answers_in_text

    answers, problems = answers_in_text(text, "a.yaml")
    assert [(p.subtype, p.location) for p in problems] == [
        ("untrusted", "a.yaml:2"),
        ("untrusted", "a.yaml:3"),
    ]
    assert "U+0008, U+007F, U+0085" in problems[1].message
    assert answers[0].text == "One\ufffd[31m.\nTwo\ufffd\ufffd\ufffd.\n"
    assert answers[1].location == "a.yaml:4"


def test_escaped_control_characters_are_replaced_in_what_is_shown() -> None:
    from sphinx_ethics.answers.file import answers_in_text, shown_answers

    read, problems = answers_in_text('collaboration-1: "a\\x1bb"\n', "a.yaml")
    assert read[0].text == "a\x1bb" and not problems  # merge keeps it (as an escape)
    answers, problems = shown_answers(read)
    assert answers[0].text == "a\ufffdb" and problems[0].subtype == "untrusted"


@pytest.mark.parametrize("builder", ["epub", "xml", "latex"])
def test_no_output_receives_a_control_character(tmp_path: Path, builder: str) -> None:
    answers = "collaboration-1: |\n  Pasted \x1b[1mbold\x1b[0m, back\x08space, del\x7f.\n"
    src = make(tmp_path, answers)
    out = tmp_path / builder
    result = build(src, out, builder)
    assert [w.where for w in untrusted(result)] == ["answers.yaml:2"]
    control = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
    files = [p for p in out.rglob("*") if p.suffix in {".xhtml", ".xml", ".tex", ".opf"}]
    assert files
    for path in files:
        text = path.read_text("utf-8")
        assert not control.search(text), path
        if path.suffix in {".xhtml", ".xml"}:
            ET.fromstring(text.encode("utf-8"))  # well-formed


# --------------------------------------------------------------------------
# Locations, doctrees, parallel reading
# --------------------------------------------------------------------------


def test_docutils_errors_in_an_answer_point_at_the_answers_file(tmp_path: Path) -> None:
    answers = "collaboration-1: |\n  Fine.\n\n  Broken *emphasis here.\n"
    src = make(tmp_path, answers)
    result = build(src, tmp_path / "out")
    lines = [x for x in result.stderr.splitlines() if "emphasis" in x.lower() or "Inline" in x]
    assert lines and all("answers.yaml:4:" in x for x in lines), result.stderr


def test_warnings_of_a_review_in_an_included_file_carry_the_right_lines(tmp_path: Path) -> None:
    part = "Part\n----\n\n\n.. ethics-review:: collaboration\n   :reviewer: x\n"
    page = "Page\n====\n\nText.\n\n.. include:: part.rsti\n\nAfter.\n"
    src = write_project(tmp_path, {"index.rst": page, "part.rsti": part}, CONF)
    result = build(src, tmp_path / "out")
    option = ethics_warnings(result.stderr, "option")
    assert [w.where for w in option] == ["part.rsti:5"]
    unanswered = ethics_warnings(result.stderr, "unanswered")
    assert [w.where for w in unanswered] == ["index.rst:6"]  # the include, in the page


def test_ethics_check_then_html_with_one_doctree_dir_publishes_the_new_answer(
    tmp_path: Path,
) -> None:
    src = make(tmp_path, "collaboration-1: The old answer.\n")
    doctrees = tmp_path / "doctrees"
    build(src, tmp_path / "html", "html", "-d", str(doctrees))
    (src / "answers.yaml").write_text("collaboration-1: The new answer.\n", "utf-8")
    build(src, tmp_path / "check", "ethics-check", "-d", str(doctrees))
    build(src, tmp_path / "html", "html", "-d", str(doctrees))
    text = (tmp_path / "html" / "index.html").read_text("utf-8")
    assert "The new answer." in text and "The old answer." not in text


def test_parallel_reading_equals_serial_with_answers_files(tmp_path: Path) -> None:
    pages = {
        "index.rst": "Index\n=====\n\n.. toctree::\n\n" + "".join(f"   p{i}\n" for i in range(6))
    }
    for i in range(6):
        pages[f"p{i}.rst"] = RST_PAGE.replace("answers.yaml", f"a{i}.yaml")
        pages[f"a{i}.yaml"] = entry(f"Answer {i} with :ref:`genindex`.\n\n.. image:: x.png", "")
        if i % 2:
            pages[f"a{i}.yaml"] = entry(f"Answer {i}:\n- typed *as is*", "text")
    src = write_project(tmp_path, pages, CONF)
    reports = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        build(src, out, "ethics-check", "-E", "-j", jobs, "-d", str(tmp_path / f"d{jobs}"))
        report = json.loads((out / "ethics-report.json").read_text("utf-8"))
        report.pop("generated_at")  # the one field that says when
        reports.append(report)
    assert reports[0] == reports[1]


# --------------------------------------------------------------------------
# Property: any text, as the form writes it, is shown as the words typed
# --------------------------------------------------------------------------


def _printable(c: int) -> bool:
    """form.js ``printable``: what YAML may hold as written."""
    return (
        (0x20 <= c <= 0x7E)
        or (0xA0 <= c <= 0xD7FF and c not in (0x2028, 0x2029))
        or (0xE000 <= c <= 0xFFFD and c != 0xFEFF)
        or (0x10000 <= c <= 0x10FFFF)
    )


def _quoted(text: str) -> str:
    """form.js ``quoted``."""
    escapes = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out = ""
    for ch in text:
        c = ord(ch)
        if ch in escapes:
            out += escapes[ch]
        elif _printable(c):
            out += ch
        elif c <= 0xFF:
            out += f"\\x{c:02X}"
        elif c <= 0xFFFF:
            out += f"\\u{c:04X}"
        else:
            out += f"\\U{c:08X}"
    return f'"{out}"'


def form_scalar(text: str, indent: str) -> str:
    """form.js ``scalar``: a block scalar where it keeps the text exactly, else quoted."""
    safe = bool(re.match(r"^\S", text)) and not re.search(r" (\n|$)", text)
    safe = safe and all(ch == "\n" or _printable(ord(ch)) for ch in text)
    if not safe:
        return " " + _quoted(text)
    body = text.rstrip("\n")
    trailing = len(text) - len(body)
    chomp = "-" if trailing == 0 else "" if trailing == 1 else "+"
    lines = [indent + line if line else "" for line in body.split("\n")]
    lines += [""] * max(trailing - 1, 0)
    return f" |{chomp}\n" + "\n".join(lines)


MARKER = re.compile(r"^[ \t]*(?:[-*]|\d{1,9}[.)])[ \t]+(?=\S)", re.M)
WORDS = (
    st.lists(
        st.sampled_from(list("ab Z9 \n\n\t*_`|{}[]()<>#:.-+=!?/\\'\"~^$%&@;,"))
        | st.sampled_from(["http://x.org/a", ".. image:: /etc/passwd", ":ref:`x`", "{{ y }}"])
        | st.sampled_from(["\n- ", "\n1. ", "\n\n", "\n  ", "<b>", "&amp;"])
        | st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]),
        min_size=1,
        max_size=40,
    )
    .map("".join)
    .filter(lambda text: any(char.isalnum() for char in text))
)


@pytest.fixture(scope="module")
def typed_app(tmp_path_factory: pytest.TempPathFactory):
    from io import StringIO

    from sphinx.testing.util import SphinxTestApp

    src = write_project(tmp_path_factory.mktemp("typed"), {"index.rst": RST_PAGE}, CONF)
    (src / "answers.yaml").write_text("collaboration-1: x\n", "utf-8")
    app = SphinxTestApp(
        "html", srcdir=src, builddir=src.parent / "build", status=StringIO(), warning=StringIO()
    )
    yield app
    app.cleanup()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(WORDS)
@example("Please:\n- one *two*\n* three `x`\n1) four |y|\n\n.. raw:: html\n\n   <b>x</b>")
def test_any_typed_text_is_shown_as_the_words_typed(typed_app, text: str) -> None:
    from sphinx_ethics.untrusted.allowlist import ALLOWED
    from sphinx_ethics.untrusted.typed import typed_text

    answers = "collaboration-1:\n  format: text\n  text:" + form_scalar(text, "    ") + "\n"
    (typed_app.srcdir / "answers.yaml").write_text(answers, "utf-8")
    typed_app.build()
    page = soup(Path(typed_app.outdir) / "index.html")
    answer = page.select_one(".ethics-answer")
    shown = " ".join(answer.get_text().split())
    assert shown == " ".join(MARKER.sub("", text).split())
    tags = {tag.name for tag in answer.find_all(True)}
    assert tags <= {"p", "ul", "ol", "li", "a", "div"}, tags
    for link in answer.find_all("a"):
        assert link["href"] == link.get_text() and link["href"].startswith("http")
    for node in typed_text(text):
        assert all(isinstance(n, ALLOWED) for n in node.findall())


def test_a_section_title_is_text_and_the_section_keeps_its_allowed_content(
    tmp_path: Path,
) -> None:
    src = make(tmp_path, entry("Intro.\n\nTitle\n=====\n\n- a *b*\n- c\n\n.. comment"))
    result = build(src, tmp_path / "out")
    answer = soup(tmp_path / "out" / "index.html").select_one(".ethics-answer")
    assert answer.select_one("pre").get_text().startswith("Title\n")
    assert [norm(li.get_text()) for li in answer.select("ul > li")] == ["a b", "c"]
    assert answer.find("em").get_text() == "b" and not answer.find(["h1", "h2", "h3"])
    found = [w.message.split(" is not")[0] for w in untrusted(result)]
    assert found == ["collaboration-1: a section title", "collaboration-1: a comment"]
