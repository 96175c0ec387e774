"""Reviews are built when the page is written (issue #11): what the page keeps
when read, and that what is written is the same for every builder."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from docutils import nodes
from helpers import build_html, soup, sphinx_build, write_project

PAGE = """\
Ward 7's falls review
=====================

.. ethics-review:: healthcare-good
   :name: quotes
   :owner: The "falls" group's lead

   .. ethics-answer:: healthcare-good-1

      We said "no" to bed rails, and it's recorded.
"""


def project(tmp_path: Path, conf: str = "") -> Path:
    return write_project(
        tmp_path,
        {"index.rst": PAGE},
        'extensions = ["sphinx_ethics"]\nethics_today = "2026-01-01"\n' + conf,
    )


def test_read_doctree_keeps_answers_and_ids_only(tmp_path: Path) -> None:
    src = project(tmp_path)
    build_html(src, tmp_path / "html", "-d", tmp_path / "doctrees")
    tree = pickle.loads((tmp_path / "doctrees" / "index.doctree").read_bytes())
    text = tree.astext()
    # The team's words are there (Sphinx parsed them); the questions are not yet.
    assert "bed rails" in text
    assert "Which" not in text and "Not yet answered" not in text
    (pending,) = [n for n in tree.findall(nodes.container) if "ethics-review" in n["classes"]]
    assert "quotes" in pending["ids"] and "quotes-healthcare-good-2" in pending["ids"]


def test_written_review_has_every_question_and_its_anchor(tmp_path: Path) -> None:
    src = project(tmp_path)
    build_html(src, tmp_path / "html")
    page = soup(tmp_path / "html" / "index.html")
    review = page.find(id="quotes")
    assert "ethics-review" in review["class"]
    slots = review.select("div.ethics-slot")
    assert [s["id"] for s in slots][:2] == ["quotes-healthcare-good-1", "quotes-healthcare-good-2"]
    # No id is written twice (the pending node's ids went to the questions).
    ids = [t["id"] for t in page.find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_generated_text_gets_smart_quotes_like_the_rest(tmp_path: Path) -> None:
    src = project(tmp_path)
    build_html(src, tmp_path / "html")
    review = soup(tmp_path / "html" / "index.html").find(id="quotes")
    text = review.get_text()
    assert "The “falls” group’s lead" in text  # an option value, generated late
    assert "people’s lived experiences" in text  # built-in question text
    assert "it’s recorded" in text  # the answer, educated when read


def test_smartquotes_off_leaves_generated_text_alone(tmp_path: Path) -> None:
    src = project(tmp_path, "smartquotes = False\n")
    build_html(src, tmp_path / "html")
    text = soup(tmp_path / "html" / "index.html").find(id="quotes").get_text()
    assert 'The "falls" group\'s lead' in text
    assert "people's lived experiences" in text


@pytest.mark.parametrize("builder", ["latex", "texinfo"])
def test_anchors_reach_builders_that_need_targets(tmp_path: Path, builder: str) -> None:
    src = project(tmp_path)
    result = sphinx_build("-b", builder, src, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    (out,) = [p for p in (tmp_path / "out").iterdir() if p.suffix in (".tex", ".texi")]
    written = out.read_text("utf-8")
    for anchor in ("quotes", "quotes-healthcare-good", "quotes-healthcare-good-6"):
        label = rf"\label{{\detokenize{{index:{anchor}}}}}" if builder == "latex" else ""
        assert (label or f"@anchor{{index {anchor}}}") in written, anchor


def test_html_builds_keep_no_answer_blocks_and_check_reads_pages_again(tmp_path: Path) -> None:
    # Answer blocks are for `sphinx-ethics review` (the ethics-check builder):
    # an HTML build does not keep them; a check build on the same doctrees
    # reads the pages again rather than write an ethics-answers.json without them.
    src = project(tmp_path)
    doctrees = tmp_path / "doctrees"
    build_html(src, tmp_path / "html", "-d", doctrees)
    env = pickle.loads((doctrees / "environment.pickle").read_bytes())
    assert env.domaindata["ethics"]["answers"] == {}
    result = sphinx_build("-b", "ethics-check", "-d", doctrees, src, tmp_path / "check")
    assert result.returncode == 0, result.stderr
    answers = json.loads((tmp_path / "check" / "ethics-answers.json").read_text("utf-8"))
    (review,) = answers["reviews"]
    assert review["name"] == "quotes"
    assert "bed rails" in json.dumps(review["answers"]["healthcare-good-1"])
