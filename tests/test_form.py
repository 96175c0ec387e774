"""``sphinx-ethics form``: the offline answer form, as the command writes it.

What a browser does with the page (typing, keeping, downloading) is tested in
``test_form_browser.py``; here: the page's markup (labels, states, escaping,
no network), pre-filling from ``--answers`` (untrusted: every problem is one
line with file and line, and nothing is dropped), and where ``-o`` may write.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import ATTRIBUTION, REPO, cli

from sphinx_ethics import __version__
from sphinx_ethics.catalogue import load_catalog
from sphinx_ethics.outputs import form as answer_form

CATALOG = load_catalog()
SLOTS = {name: [q.id for q in c.slots()] for name, c in CATALOG.checklists.items()}
DISCHARGE = REPO / "docs" / "howto" / "files" / "discharge.yaml"


def run(
    *args: object, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    return cli(*args, cwd=cwd, timeout=timeout)


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    lines = result.stderr.strip().splitlines()
    assert lines and all(line.startswith("sphinx-ethics: error: ") for line in lines), lines
    return [line.removeprefix("sphinx-ethics: error: ") for line in lines]


def page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def config(soup: BeautifulSoup) -> dict:
    return json.loads(soup.find("script", id="form-config").string)


# --------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------


def test_every_slot_has_a_labelled_box_and_a_state(tmp_path: Path) -> None:
    result = run("form", "plan", "co-production", "-o", tmp_path / "form.html")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == (
        f"Wrote {tmp_path / 'form.html'}: a form for plan, co-production with 13 answer slots."
    )
    soup = page(tmp_path / "form.html")
    slots = SLOTS["plan"] + SLOTS["co-production"]
    assert [t["name"] for t in soup.find_all("textarea")] == slots
    for qid in slots:
        box = soup.find("textarea", id=f"a-{qid}")
        label = soup.find("label", attrs={"for": f"a-{qid}"})
        number = CATALOG.questions[qid].number
        assert label.get_text() == f"Your answer to {number}"
        described = box["aria-describedby"].split()
        assert described[0] == f"t-{qid}" and described[-1] == f"s-{qid}"
        assert soup.find(id=f"t-{qid}").get_text().startswith(f"{number}. ")
        fieldset = box.find_next_sibling("fieldset")
        assert fieldset.legend.get_text() == f"Status of your answer to {number}"
        radios = fieldset.find_all("input", type="radio")
        assert [(r["name"], r["value"]) for r in radios] == [
            (f"state-{qid}", state) for state in ("answered", "not-applicable", "draft")
        ]
        assert [r.has_attr("checked") for r in radios] == [True, False, False]
        assert all(r.parent.name == "label" for r in radios)
    # A group (plan-2) is a heading with its prompts, not a box.
    assert soup.find(id="t-plan-2") and not soup.find(id="a-plan-2")
    plan_prompts = [p for q in CATALOG.checklists["plan"].iter_questions() for p in q.prompts]
    text = soup.get_text()
    assert all(" ".join(p.split()) in " ".join(text.split()) for p in plan_prompts)
    assert ATTRIBUTION in " ".join(text.split())
    assert soup.find(id="progress").get_text() == "0 of 13 required questions answered"
    data = config(soup)
    assert data["slots"] == data["boxes"] == slots
    assert data["fileName"] == "plan-co-production-answers.yaml"
    assert "tbd" in data["placeholders"]


def test_the_page_loads_nothing_and_allows_only_its_own_script(tmp_path: Path) -> None:
    assert run("form", "plan", "-o", tmp_path / "form.html").returncode == 0
    text = (tmp_path / "form.html").read_text("utf-8")
    soup = BeautifulSoup(text, "html.parser")
    assert not soup.find_all(["link", "img", "iframe", "object", "embed"])
    assert not soup.find_all("script", src=True)
    assert {a["href"].split(":")[0] for a in soup.find_all("a")} == {"https"}  # attribution
    policy = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert policy.startswith("default-src 'none';")

    def digest(element: str) -> str:
        body = soup.find(element, attrs={"type": None}).string
        return base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()

    assert f"style-src 'sha256-{digest('style')}'" in policy
    assert f"script-src 'sha256-{digest('script')}'" in policy
    assert soup.find("meta", attrs={"name": "generator"})["content"] == (
        f"sphinx-ethics {__version__} form"
    )


def test_every_generated_form_has_its_own_storage_key(tmp_path: Path) -> None:
    """Two projects' forms with the same checklists and title never share stored answers."""
    keys = set()
    for project in ("a", "b"):
        out = tmp_path / f"{project}.html"
        assert run("form", "plan", "--title", "Panel", "-o", out).returncode == 0
        keys.add(config(page(out))["storageKey"])
    assert len(keys) == 2
    assert all(re.fullmatch(r"sphinx-ethics-form:[0-9a-f]{32}", key) for key in keys)
    plan = CATALOG.checklists["plan"]
    fixed = answer_form.render_form([plan], "Panel", form_id="0123")
    assert config(BeautifulSoup(fixed, "html.parser"))["storageKey"] == "sphinx-ethics-form:0123"


def test_script_json_cannot_end_its_script_block() -> None:
    text = answer_form.script_json({"a": "</script><!-- & \u2028"})
    assert not set("<>&") & set(text)
    assert json.loads(text) == {"a": "</script><!-- & \u2028"}


def test_title_is_escaped_and_must_be_one_line(tmp_path: Path) -> None:
    title = 'Panel <b>&</b> "Ward 7"'
    assert run("form", "plan", "--title", title, "-o", tmp_path / "f.html").returncode == 0
    soup = page(tmp_path / "f.html")
    assert soup.h1.get_text() == soup.title.get_text() == title
    assert not soup.find("b")
    result = run("form", "plan", "--title", "a\nb", "-o", tmp_path / "g.html")
    assert result.returncode == 2
    assert error_lines(result) == [
        "--title must be one line of text; it contains a line break ('\\n')"
    ]
    assert not (tmp_path / "g.html").exists()


def test_unknown_checklist_suggests_the_closest(tmp_path: Path) -> None:
    result = run("form", "plann", "-o", tmp_path / "f.html")
    assert result.returncode == 2
    assert error_lines(result)[0].startswith("unknown checklist 'plann' (did you mean \"plan\"?)")


def test_conf_dir_brings_the_project_s_checklists_and_placeholders(tmp_path: Path) -> None:
    shutil.copyfile(DISCHARGE, tmp_path / "discharge.yaml")
    (tmp_path / "conf.py").write_text(
        'ethics_checklists = ["discharge.yaml"]\nethics_placeholder_patterns = ["Pending"]\n'
    )
    assert run("form", "plan", "-o", tmp_path / "builtin.html").returncode == 0
    assert not page(tmp_path / "builtin.html").find(id="a-plan-9")
    result = run("form", "plan", "discharge", "-c", tmp_path, "-o", tmp_path / "f.html")
    assert result.returncode == 0, result.stderr
    soup = page(tmp_path / "f.html")
    assert soup.find(id="a-plan-9") and soup.find(id="a-discharge-2b")
    assert config(soup)["placeholders"] == ["pending"]
    assert "Northfield General Hospital QI team" in soup.get_text()
    result = run("form", "plan", "-c", tmp_path / "nowhere", "-o", tmp_path / "g.html")
    assert result.returncode == 2
    assert error_lines(result) == [f"no conf.py in {tmp_path / 'nowhere'}"]


# --------------------------------------------------------------------------
# --answers: untrusted text, every problem reported, nothing dropped
# --------------------------------------------------------------------------

HOSTILE = '</textarea><script>alert("x")</script> & {{ x }} =HYPERLINK("http://e.example")'


def test_answers_fill_the_form_as_text(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "plan-1: |\n"
        f"  {HOSTILE}\n"
        "  second line\n"
        "plan-2:\n"
        "  text: The group's own answer.\n"
        "plan-2c:\n"
        "  status: not-applicable\n"
        "  text: No side effects, nothing changes for patients.\n"
        "plan-3:\n"
        "  status: draft\n"
        '  text: "\\nStarts with a blank line"\n'
        'plan-4: ""\n',
        "utf-8",
    )
    result = run("form", "plan", "--answers", answers, "-o", tmp_path / "f.html")
    assert result.returncode == 0, result.stderr
    assert "5 answers filled in" in result.stderr
    soup = page(tmp_path / "f.html")
    assert soup.find(id="a-plan-1").string == f"\n{HOSTILE}\nsecond line\n"
    assert [s.get("id") for s in soup.find_all("script")] == ["form-config", None]
    assert "<script>alert" not in (tmp_path / "f.html").read_text("utf-8")
    # One newline after <textarea> is dropped by every HTML parser: the written
    # one, so an answer that starts with a blank line keeps it.
    assert soup.find(id="a-plan-3").string == "\n\nStarts with a blank line"

    def checked(qid: str) -> str:
        return soup.find("input", attrs={"name": f"state-{qid}", "checked": True})["value"]

    assert [checked(q) for q in ("plan-1", "plan-2c", "plan-3", "plan-4")] == [
        "answered",
        "not-applicable",
        "draft",
        "answered",
    ]
    # The group's answer gets a box of its own (optional), so it is not lost.
    label = soup.find("label", attrs={"for": "a-plan-2"}).get_text()
    assert label == "Your answer to 2 (optional)"
    assert config(soup)["boxes"][:2] == ["plan-1", "plan-2"]
    assert config(soup)["slots"] == SLOTS["plan"]


def test_answers_problems_are_one_line_each_and_nothing_is_written(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "plan-1: ok\n"
        "plan-22: typo\n"
        "healthcare-good-1: another checklist\n"
        "plan-3:\n"
        "  status: done\n"
        "  text: x\n"
        "plan-1: twice\n",
        "utf-8",
    )
    result = run("form", "plan", "--answers", answers, "-o", tmp_path / "f.html")
    assert result.returncode == 2
    shown = str(answers)
    assert error_lines(result) == [
        f"{shown}:2: unknown question 'plan-22' (did you mean \"plan-2\"?)",
        f"{shown}:3: 'healthcare-good-1' is a question of checklist 'healthcare-good', which "
        "is not in this form; add healthcare-good to the command",
        f"{shown}:4: plan-3: unknown answer status 'done'; use one of: answered, "
        "not-applicable, draft",
        f"{shown}:7: key 'plan-1' appears twice (first at line 1) in answers file {shown} "
        f"(4 problems in {shown}; the form was not written)",
    ]
    assert not (tmp_path / "f.html").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "answers file {f} not found"),
        ("plan-1: [unclosed\n", "{f}:2: "),
        ("- a list\n", "{f}:1: an answers file maps question ids to answers"),
        (b"plan-1: caf\xe9\n", "{f}"),
    ],
    ids=["missing", "invalid-yaml", "not-a-mapping", "not-utf8"],
)
def test_an_answers_file_that_cannot_be_read_exits_2(
    tmp_path: Path, content: str | bytes | None, expected: str
) -> None:
    answers = tmp_path / "answers.yaml"
    if isinstance(content, bytes):
        answers.write_bytes(content)
    elif content is not None:
        answers.write_text(content, "utf-8")
    result = run("form", "plan", "--answers", answers, "-o", tmp_path / "f.html")
    assert result.returncode == 2
    lines = error_lines(result)
    assert len(lines) == 1 and lines[0].startswith(expected.format(f=answers)), lines
    assert not (tmp_path / "f.html").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_as_answers_file_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "answers.yaml"
    os.mkfifo(fifo)
    result = run("form", "plan", "--answers", fifo, "-o", tmp_path / "f.html", timeout=20)
    assert result.returncode == 2
    assert "not a regular file" in error_lines(result)[0]


# --------------------------------------------------------------------------
# -o: never replaces anything but an earlier form
# --------------------------------------------------------------------------


def test_output_replaces_only_an_earlier_form(tmp_path: Path) -> None:
    form = tmp_path / "form.html"
    assert run("form", "plan", "-o", form).returncode == 0
    assert run("form", "plan", "co-production", "-o", form).returncode == 0
    assert page(form).find(id="a-co-production-1")

    notes = tmp_path / "notes.html"
    notes.write_text("<p>The panel's notes</p>\n", "utf-8")
    result = run("form", "plan", "-o", notes)
    assert result.returncode == 2
    assert error_lines(result) == [
        f"{notes} exists and is not a form written by sphinx-ethics; not replacing it "
        "(choose another name, or delete it first)"
    ]
    assert notes.read_text("utf-8") == "<p>The panel's notes</p>\n"

    answers = tmp_path / "answers.yaml"
    answers.write_text("plan-1: Our answer\n", "utf-8")
    result = run("form", "plan", "--answers", answers, "-o", answers)
    assert result.returncode == 2
    assert error_lines(result) == [f"{answers} is the --answers file; give the form another name"]
    assert answers.read_text("utf-8") == "plan-1: Our answer\n"


EARLIER_FORM_HEAD = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">\n'
    '<meta name="generator" content="sphinx-ethics 0.9.0 form">\n<title>Old</title>\n'
)


@pytest.mark.parametrize(
    "text",
    [
        '<p>Use <code>&lt;meta name="generator" content="sphinx-ethics </code></p>\n',
        '<!-- <meta name="generator" content="sphinx-ethics 1.0 form"> -->\n<p>Notes</p>\n',
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="generator" content="sphinx-ethics 1.0 form"><script>x()</script>\n',
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="generator" content="sphinx-ethics-notes form">\n<title>Mine</title>\n',
        '# How we made the form\n\nIt has <meta name="generator" content="sphinx-ethics \n',
    ],
    ids=["mentions-the-tag", "comment", "more-after-it", "other-generator", "markdown"],
)
def test_a_file_that_mentions_the_generator_is_not_replaced(tmp_path: Path, text: str) -> None:
    """Only a file that starts exactly as a form does is an earlier form."""
    notes = tmp_path / "notes.html"
    notes.write_text(text, "utf-8")
    result = run("form", "plan", "-o", notes)
    assert result.returncode == 2
    assert "is not a form written by sphinx-ethics" in error_lines(result)[0]
    assert notes.read_text("utf-8") == text


def test_a_form_of_an_earlier_version_is_replaced(tmp_path: Path) -> None:
    form = tmp_path / "form.html"
    form.write_text(EARLIER_FORM_HEAD + "<body>é" * 1000, "utf-8")
    assert run("form", "plan", "-o", form).returncode == 0
    head = form.read_text("utf-8").split("\n")[:5]
    assert head[4] == f'<meta name="generator" content="sphinx-ethics {__version__} form">'


def test_output_read_only_directory_stdout_and_devices(tmp_path: Path) -> None:
    form = tmp_path / "form.html"
    assert run("form", "plan", "-o", form).returncode == 0
    before = form.read_bytes()
    form.chmod(0o444)
    try:
        result = run("form", "plan", "--title", "New", "-o", form)
        assert result.returncode == 2
        assert "is read-only" in error_lines(result)[0]
        assert form.read_bytes() == before
    finally:
        form.chmod(0o644)
    result = run("form", "plan", "-o", tmp_path)
    assert result.returncode == 2 and "is a directory" in error_lines(result)[0]
    result = run("form", "plan", "-o", tmp_path / "no" / "f.html")
    assert result.returncode == 2 and "does not exist" in error_lines(result)[0]
    result = run("form", "plan", "-o", "-")
    assert result.returncode == 0 and result.stdout.startswith("<!DOCTYPE html>")
    # The same form but for its own storage key (a new random id each time).
    key = re.compile(r'"storageKey":"[^"]*"')
    assert key.sub("", result.stdout) == key.sub("", before.decode("utf-8"))
    assert run("form", "plan", "-o", os.devnull).returncode == 0
    assert Path(os.devnull).is_char_device()


# --------------------------------------------------------------------------
# Screening questions: yes / no / unsure
# --------------------------------------------------------------------------

SCREENING = REPO / "examples" / "falls-prevention" / "screening-checklist.yaml"


def test_screening_questions_get_a_choice_prefilled_from_answers(tmp_path: Path) -> None:
    """``form --answers`` keeps ``answer: yes`` (and a bare ``unsure``) as the choice."""
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "screening-1:\n  answer: yes\n  text: A trial of two leaflets.\n"
        "screening-2: unsure\n"
        "screening-3: {answer: 'no'}\n",
        "utf-8",
    )
    out = tmp_path / "f.html"
    result = run("form", "screening", "--checklists", SCREENING, "--answers", answers, "-o", out)
    assert result.returncode == 0, result.stderr
    soup = page(out)
    assert config(soup)["choices"] == ["screening-1", "screening-2", "screening-3"]
    for qid, choice in (("screening-1", "yes"), ("screening-2", "unsure"), ("screening-3", "no")):
        group = soup.find("fieldset", id=f"c-{qid}")
        assert group.legend.get_text().startswith("Yes, no or unsure: your choice for ")
        radios = group.find_all("input", type="radio")
        assert [(r["name"], r["value"]) for r in radios] == [
            (f"choice-{qid}", v) for v in ("yes", "no", "unsure")
        ]
        assert [r["value"] for r in radios if r.has_attr("checked")] == [choice]
        assert all(r.parent.name == "label" for r in radios)
    assert soup.find(id="a-screening-1").string == "\nA trial of two leaflets."
    assert soup.find(id="a-screening-2").string == "\n"  # the word is the choice, not the text
    # Checklists without screening questions have no choice.
    plain = tmp_path / "plain.html"
    assert run("form", "plan", "-o", plain).returncode == 0
    assert not page(plain).find("fieldset", class_="choice")
