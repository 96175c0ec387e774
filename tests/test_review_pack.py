"""A board pack: ``sphinx-ethics review SOURCEDIR NAME [NAME...]`` (SPEC §13, issue 23
item 5): several reviews in one document with a contents list, in every format;
§11's verdict first and exit 1 when any review is incomplete; the csv's ``review``
column tells the reviews apart.  One name writes exactly what it wrote before the
pack existed (stored snapshots, made by the earlier code).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import EXAMPLE, SNAPSHOTS, write_project
from test_cli import CONF, run
from test_review_export import needs_docx

from sphinx_ethics.catalogue import load_catalog
from sphinx_ethics.version import __version__

NAMES = ["safer-steps-screening", "safer-steps-ethics", "safer-steps-coproduction"]
EPOCH = {"SOURCE_DATE_EPOCH": "1790000000"}  # 2026-09-21


def review(*args: object) -> tuple[int, str, str]:
    old = dict(os.environ)
    os.environ.update(EPOCH)
    try:
        result = run("review", *args)
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json"])
def test_one_name_writes_what_it_wrote_before(fmt: str) -> None:
    code, out, _ = review(EXAMPLE, "safer-steps-screening", "--format", fmt)
    assert code == 0
    stored = (SNAPSHOTS / f"review-screening.{fmt}").read_text("utf-8")
    assert out.replace(f"sphinx-ethics {__version__}", "sphinx-ethics VERSION") == stored


@pytest.fixture(scope="module")
def pack_json() -> dict:
    code, out, err = review(EXAMPLE, *NAMES, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_json_pack_has_contents_and_every_review_in_order(pack_json: dict) -> None:
    assert pack_json["complete"] is True and pack_json["verdict"] == ""
    assert [c["name"] for c in pack_json["contents"]] == NAMES
    assert [c["anchor"] for c in pack_json["contents"]] == ["review-1", "review-2", "review-3"]
    assert [r["review"]["name"] for r in pack_json["reviews"]] == NAMES
    assert pack_json["made"] == "2026-09-21"
    _, alone, _ = review(EXAMPLE, "safer-steps-ethics", "--format", "json")
    assert pack_json["reviews"][1] == json.loads(alone)  # the same review as alone


def test_markdown_and_html_packs_list_the_contents_then_the_reviews() -> None:
    code, markdown, _ = review(EXAMPLE, *NAMES)
    assert code == 0
    lines = markdown.splitlines()
    assert lines[:4] == ["# Ethics reviews", "", "- **Made:** 2026-09-21", ""]
    contents = [line for line in lines if re.match(r"\d\. ", line)][:3]
    assert [c.split(" (")[-1].split(")")[0] for c in contents] == NAMES
    assert markdown.count("\n---\n") == 3
    code, text, _ = review(EXAMPLE, *NAMES, "--format", "html")
    page = BeautifulSoup(text, "html.parser")
    assert [h.get_text() for h in page.find_all("h1")] == ["Ethics reviews"]
    links = [a["href"] for a in page.select("nav ol a")]
    assert links == ["#review-1", "#review-2", "#review-3"]
    articles = page.select("main > article.review")
    assert [a["id"] for a in articles] == ["review-1", "review-2", "review-3"]
    assert [a.find("h2").get_text() for a in articles] == [
        c.find_parent("li").find("a").get_text() for c in page.select("nav ol a")
    ]


def test_csv_pack_has_every_review_in_the_review_column() -> None:
    code, text, _ = review(EXAMPLE, *NAMES, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(dict.fromkeys(r["review"] for r in rows)) == NAMES
    assert text.count("review,checklist,id,") == 1  # one header row


def test_docx_pack_has_contents_and_a_heading_per_review(tmp_path: Path) -> None:
    docx = needs_docx()
    out = tmp_path / "pack.docx"
    code, _, err = review(EXAMPLE, *NAMES, "-o", out)
    assert code == 0, err
    paper = docx.Document(str(out))
    headings = [(p.style.name, p.text) for p in paper.paragraphs if "Head" in p.style.name]
    assert headings[0] == ("Heading 1", "Contents")
    contents = [p.text for p in paper.paragraphs if p.style.name == "List Number"][:3]
    assert [c.split(" (")[-1].split(")")[0] for c in contents] == NAMES
    titles = [text for style, text in headings if style == "Heading 1"][1:]
    assert len(titles) >= 3 and paper.paragraphs[0].style.name == "Title"


# --------------------------------------------------------------------------
# An incomplete review in the pack: verdict first, exit 1
# --------------------------------------------------------------------------

SLOTS = [slot.id for slot in load_catalog().checklists["collaboration"].slots()]
DONE_RST = "Done\n====\n\n.. ethics-review:: collaboration\n   :name: done\n\n" + "".join(
    f"   .. ethics-answer:: {s}\n\n      We did {s}.\n\n" for s in SLOTS
)
OPEN_MYST = "# Open\n\n```{ethics-review} collaboration\n:name: open\n```\n"
PACK_CONF = CONF.replace('root_doc = "review"', 'root_doc = "done"')


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("mixed")
    pages = {"done.rst": DONE_RST + "\n.. toctree::\n\n   open\n", "open.md": OPEN_MYST}
    return write_project(tmp, pages, PACK_CONF)


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json"])
def test_any_incomplete_review_makes_the_pack_say_so_first(mixed: Path, fmt: str) -> None:
    code, out, err = review(mixed, "done", "open", "--format", fmt)
    assert code == 1
    assert "sphinx-ethics: review 'open': NOT COMPLETE: 1 problem (status 1" in err
    assert "'done'" not in err
    verdict = "NOT COMPLETE: 1 problem (1 of 2 reviews not complete)"
    if fmt == "json":
        pack = json.loads(out)
        assert (pack["complete"], pack["verdict"]) == (False, verdict)
        assert [p["review"] for p in pack["problems"]] == ["open"]
        assert [c["complete"] for c in pack["contents"]] == [True, False]
    elif fmt == "html":
        banner = BeautifulSoup(out, "html.parser").body.find()
        assert banner["class"] == ["not-complete"] and banner.p.get_text() == verdict
        assert banner.li.get_text().startswith("open: open.md:3: ")
    else:
        assert out.splitlines()[0] == verdict
    code, _, err = review(mixed, "done", "open", "--allow-incomplete", "--format", fmt)
    assert code == 0 and "note: review 'open': NOT COMPLETE" in err


def test_an_unknown_name_in_a_pack_suggests_the_closest(mixed: Path) -> None:
    code, out, err = review(mixed, "done", "opne")
    assert code == 2 and out == ""
    assert err.splitlines()[-1] == (
        "sphinx-ethics: error: unknown review 'opne' (did you mean \"open\"?); reviews: done, open"
    )
