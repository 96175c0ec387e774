"""``update`` only ever inserts: a property-based proof over generated pages.

Pages are generated the way teams edit them: some questions answered (with
any text, blank lines and stray markup inside), some stubs left empty, some
removed, comments kept or deleted, answers to ids that no longer exist,
notes between answers, both MyST fence styles, CRLF line endings.  For
every such page, updating it must keep the old text as an exact
subsequence of the new one, leave every answer block byte-identical, give
every slot an answer stub, and be idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import docutils.core
import pytest
from docutils import nodes
from docutils.parsers.rst import Directive, directives
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from myst_parser.parsers.docutils_ import Parser as MystParser

from sphinx_ethics.catalogue import load_catalog
from sphinx_ethics.pages import new as pages
from sphinx_ethics.pages import scan as page_scan
from sphinx_ethics.pages import update as page_update

CATALOG = load_catalog()


class _AnyOption(dict[str, Any]):
    """Accepts every option, as the real directives accept theirs."""

    def __bool__(self) -> bool:
        return True

    def __missing__(self, key: str) -> Any:
        return directives.unchanged

    def __contains__(self, key: object) -> bool:
        return True


CHECKLISTS = list(CATALOG.checklists)


def is_insert_only(old: str, new: str) -> bool:
    """True if ``new`` is ``old`` with text inserted, and nothing changed or dropped."""
    position = 0
    for char in old:
        position = new.find(char, position)
        if position < 0:
            return False
        position += 1
    return True


def answer_texts(text: str, fmt: pages.Format) -> list[tuple[str, str]]:
    lines = page_scan.split_lines(text)
    # The last line of a file may gain the line ending it lacked (a stub goes
    # after it); that is an insertion too, so compare without it.
    return [
        (block.id, "".join(lines[block.start : block.end]).rstrip("\r\n"))
        for review in page_scan.scan_page(text, fmt)
        for block in review.answers
    ]


# --------------------------------------------------------------------------
# Generating pages
# --------------------------------------------------------------------------

MD_FENCES = [":::", "::::", ":::::", "```", "````", "~~~", "~~~~"]
FENCE_LINE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})")
text_line = st.one_of(
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
        max_size=40,
    ),
    st.sampled_from(
        [
            "",
            "   ",
            ".. ethics-answer:: plan-1",
            ".. note::",
            "- a list item",
            "1. numbered",
            "% plan-3: a comment-looking line",
            "::",
            "Literal::",
            "**bold** and `code` and :ref:`x`",
            "plan-2a: looks like a note",
            "trailing spaces   ",
        ]
    ),
)


@dataclass
class Page:
    fmt: pages.Format
    text: str
    checklists: list[str]


@st.composite
def answer_body(draw: st.DrawFn, fmt: pages.Format) -> list[str]:
    lines = draw(st.lists(text_line, max_size=6))
    if fmt == "md":
        lines = [line for line in lines if not FENCE_LINE.match(line)]
    while lines and not lines[0].strip():
        lines.pop(0)
    return lines


def answer_block(
    draw: st.DrawFn, fmt: pages.Format, indent: str, fences: list[str], question_id: str
) -> list[str]:
    """One ``ethics-answer`` with random content, in either syntax."""
    body = draw(answer_body(fmt))
    status = draw(st.sampled_from([[], ["status: draft"], ["status: not-applicable"]]))
    if fmt == "md":
        fence = draw(st.sampled_from(fences))
        return [f"{fence}{{ethics-answer}} {question_id}", *[f":{s}" for s in status], *body, fence]
    deeper = indent + draw(st.sampled_from(["   ", "    "]))
    head = [f"{indent}.. ethics-answer:: {question_id}", *[f"{deeper}:{s}" for s in status]]
    return [*head, "", *[f"{deeper}{line}".rstrip() for line in body]] if body else head


def review_head(
    draw: st.DrawFn, fmt: pages.Format, names: list[str], fence: str, indent: str
) -> list[str]:
    out = [draw(st.sampled_from(["Review", "# Review" if fmt == "md" else "Review\n======"])), ""]
    if fmt == "md":
        out.append(f"{fence}{{ethics-review}} {' '.join(names)}")
    else:
        out.append(f".. ethics-review:: {' '.join(names)}")
    for option in draw(st.lists(st.sampled_from(["owner: Team", "status: draft"]), unique=True)):
        out.append(f"{indent}:{option}")
    return out


def question_blocks(
    draw: st.DrawFn, fmt: pages.Format, indent: str, fences: list[str], question: Any
) -> list[str]:
    """What a page may hold for one question: its comment, an answer, noise, a stray."""
    out: list[str] = []
    if draw(st.booleans()):
        out += ["", *pages.comment(pages.question_note(question, 70), fmt, indent)]
    if not question.is_group and draw(st.integers(0, 3)):
        out += ["", *answer_block(draw, fmt, indent, fences, question.id)]
    if draw(st.integers(0, 5)) == 0:
        line = draw(text_line)
        if fmt == "rst" or not FENCE_LINE.match(line):
            out += ["", f"{indent}{line}".rstrip()]
    if draw(st.integers(0, 8)) == 0:
        stray = draw(st.sampled_from(["plan-99", "old-question-1"]))
        out += ["", *answer_block(draw, fmt, indent, fences, stray)]
    return out


@st.composite
def review_pages(draw: st.DrawFn) -> Page:
    fmt: pages.Format = draw(st.sampled_from(["rst", "md"]))
    names = draw(st.lists(st.sampled_from(CHECKLISTS), min_size=1, max_size=3, unique=True))
    questions = [q for name in names for q in CATALOG.checklists[name].iter_questions()]
    review_fence = draw(st.sampled_from(MD_FENCES)) if fmt == "md" else ""
    # Answer fences that do not close the review's: shorter, or another character.
    inner = [f for f in MD_FENCES if f[0] != review_fence[:1] or len(f) < len(review_fence)]
    indent = draw(st.sampled_from(["   ", "    ", "  "])) if fmt == "rst" else ""
    out = review_head(draw, fmt, names, review_fence, indent)
    for question in questions:
        out += question_blocks(draw, fmt, indent, inner, question)
    if fmt == "md":
        out += ["", review_fence]
    out += ["", draw(st.sampled_from(["After the review.", "", "Closing words"]))]
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(out)
    if draw(st.booleans()):
        text += newline
    return Page(fmt, text, names)


# --------------------------------------------------------------------------
# The property
# --------------------------------------------------------------------------


def check_update(page: Page) -> str:
    plan = page_update.plan_update(page.text, page.fmt, CATALOG)
    new = page_update.apply_insertions(page.text, plan.insertions)

    # 1. Only insertions: the old page is an exact subsequence of the new one,
    #    and equals the new one with the inserted chunks taken out again.
    assert is_insert_only(page.text, new)
    assert len(new) == len(page.text) + sum(len(i.text) for i in plan.insertions)

    # 2. Every answer block is byte-identical and in the same order.
    old_answers = answer_texts(page.text, page.fmt)
    new_answers = answer_texts(new, page.fmt)
    kept = [a for a in new_answers if a in old_answers]
    assert kept == old_answers

    # 3. Every slot has an answer now; the stubs added are exactly the slots
    #    that had none, and stray answers are reported, never removed.
    slots = [q.id for name in page.checklists for q in CATALOG.checklists[name].slots()]
    before = {question_id for question_id, _ in old_answers}
    after = {question_id for question_id, _ in new_answers}
    assert set(slots) <= after
    assert sorted(plan.added) == sorted(set(slots) - before)
    assert {s for s, _ in plan.strays} == before - {
        q.id for name in page.checklists for q in CATALOG.checklists[name].iter_questions()
    }

    # 4. What is inserted is stubs and question comments, nothing else.
    for insertion in plan.insertions:
        for line in insertion.text.splitlines():
            assert STUB_LINE.match(line), line

    # 5. Idempotent.
    assert not page_update.plan_update(new, page.fmt, CATALOG).changed
    return new


STUB_LINE = re.compile(
    r"^\s*$|^\s*\.\.$|^\s*% |^\s*\.\. ethics-answer:: "
    r"|^\s*(`{3,}|~{3,}|:{3,})(\{ethics-answer\} .*)?$"
    r"|^\s{3,}\S"  # the indented text of an reST comment
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(review_pages())
def test_update_only_inserts(page: Page) -> None:
    check_update(page)


EDGE_CASES = [
    # answers out of source order
    Page(
        "rst",
        "T\n=\n\n.. ethics-review:: plan\n\n   .. ethics-answer:: plan-3\n\n      "
        "Three.\n\n   .. ethics-answer:: plan-1\n\n      One.",
        ["plan"],
    ),
    # empty reviews, no newline at the end of the file
    Page("md", "::::{ethics-review} collaboration\n::::", ["collaboration"]),
    Page("md", "```{ethics-review} collaboration\n```", ["collaboration"]),
    Page("md", ":::{ethics-review} collaboration\n:::", ["collaboration"]),
    Page("rst", ".. ethics-review:: co-production", ["co-production"]),
    # options followed directly by content, CRLF
    Page(
        "md",
        "::::{ethics-review} co-production\r\n:owner: x\r\n:::{ethics-answer} co-production-2"
        "\r\nTwo\r\n:::\r\n::::\r\n",
        ["co-production"],
    ),
    # an answer that runs into the next line without a blank line
    Page(
        "rst",
        ".. ethics-review:: co-production\n\n   .. ethics-answer:: co-production-1\n\n"
        "      One.\n   Not part of it.\n",
        ["co-production"],
    ),
]


@pytest.mark.parametrize("page", EDGE_CASES)
def test_update_edge_cases(page: Page) -> None:
    check_update(page)


class _Recorder(Directive):
    """Stands in for the extension's directives: records answer ids docutils sees."""

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = _AnyOption()
    seen: ClassVar[list[str]] = []

    def run(self) -> list[nodes.Node]:
        if self.name == "ethics-answer":
            self.seen.append(self.arguments[0] if self.arguments else "")
        box = nodes.container()
        self.state.nested_parse(self.content, self.content_offset, box)
        return [box]


@contextmanager
def recording_answers() -> Iterator[list[str]]:
    """The recorder registered for this parse only, so no other test sees it."""
    saved = dict(directives._directives)  # type: ignore[attr-defined]
    directives.register_directive("ethics-review", _Recorder)
    directives.register_directive("ethics-answer", _Recorder)
    _Recorder.seen = []
    try:
        yield _Recorder.seen
    finally:
        directives._directives.clear()  # type: ignore[attr-defined]
        directives._directives.update(saved)  # type: ignore[attr-defined]


def parsed_answer_ids(text: str, fmt: pages.Format) -> list[str]:
    """The answer ids docutils (with MyST for Markdown) finds in a page."""
    settings: dict[str, Any] = {"report_level": 5, "halt_level": 5, "file_insertion_enabled": False}
    parser = None
    if fmt == "md":
        parser = MystParser()
        settings["myst_enable_extensions"] = ["colon_fence"]
    with recording_answers() as seen:
        docutils.core.publish_doctree(
            text.replace("\r\n", "\n"), parser=parser, settings_overrides=settings
        )
    return seen


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(review_pages())
def test_parsers_see_every_stub(page: Page) -> None:
    """After ``update``, docutils or MyST itself finds an answer for every slot."""
    new = check_update(page)
    slots = {q.id for name in page.checklists for q in CATALOG.checklists[name].slots()}
    assert slots <= set(parsed_answer_ids(new, page.fmt))


#: Pieces of review markup that random text is mixed with, so the scanner
#: meets reviews, answers and fences in every broken combination.
MARKUP_PIECES = [
    ".. ethics-review:: plan",
    ".. ethics-review:: co-production collaboration",
    "   .. ethics-answer:: plan-1",
    "   .. ethics-answer:: co-production-2",
    "      An answer.",
    "   :status: not-applicable",
    "   :answers: answers.yaml",
    "   .. plan-3: a comment",
    "::",
    "::::{ethics-review} plan",
    "````{ethics-review} co-production",
    ":::{ethics-answer} plan-1",
    "```{ethics-answer} co-production-1",
    ":::",
    "::::",
    "```",
    "````",
    "% plan-4: a comment",
    ":owner: Team",
    "---",
    "",
]


@st.composite
def mixed_texts(draw: st.DrawFn) -> tuple[str, pages.Format]:
    """A page: a review opener of its format first, then markup and random lines."""
    fmt: pages.Format = draw(st.sampled_from(["rst", "md"]))
    opener = draw(st.sampled_from(MARKUP_PIECES[:2] if fmt == "rst" else MARKUP_PIECES[9:11]))
    lines = draw(
        st.lists(st.one_of(st.sampled_from(MARKUP_PIECES), text_line, st.text(max_size=20)))
    )
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return newline.join([opener, *lines]), fmt


REACHED: list[bool] = []


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        mixed_texts(),
        mixed_texts(),
        mixed_texts(),
        st.tuples(st.text(max_size=300), st.sampled_from(["rst", "md"])),
    )
)
def test_update_never_crashes_on_any_text(page: tuple[str, pages.Format]) -> None:
    """Whatever the text, update plans only insertions or refuses with a PageError."""
    text, fmt = page
    try:
        plan = page_update.plan_update(text, fmt, CATALOG)
    except pages.PageError:
        REACHED.append(False)
        event("refused")
        return
    REACHED.append(True)
    event(f"planned ({fmt})")
    assert is_insert_only(text, page_update.apply_insertions(text, plan.insertions))


def test_update_never_crashes_reaches_its_assertion() -> None:
    """The property above is not vacuous: most generated texts hold a review it updates."""
    REACHED.clear()
    test_update_never_crashes_on_any_text()
    assert len(REACHED) >= 100
    assert sum(REACHED) / len(REACHED) >= 0.6, f"{sum(REACHED)} of {len(REACHED)} reached"


# --------------------------------------------------------------------------
# Examples
# --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["rst", "md"])
def test_new_page_is_up_to_date(fmt: pages.Format) -> None:
    checklists = [CATALOG.checklists[name] for name in CHECKLISTS]
    text = pages.render_page(checklists, fmt, pages.ReviewMeta(owner="Team"))
    plan = page_update.plan_update(text, fmt, CATALOG)
    assert not plan.changed and not plan.strays
    found = [a.id for r in page_scan.scan_page(text, fmt) for a in r.answers]
    assert found == [q.id for c in checklists for q in c.slots()]


def test_stub_goes_after_the_previous_slot() -> None:
    text = pages.render_page([CATALOG.checklists["plan"]], "rst", pages.ReviewMeta())
    without = re.sub(
        r"\n   \.\.\n      plan-2c:.*?\n\n   \.\. ethics-answer:: plan-2c\n", "", text, flags=re.S
    )
    assert "plan-2c:" not in without and "ethics-answer:: plan-2c" not in without
    plan = page_update.plan_update(without, "rst", CATALOG)
    assert plan.added == ["plan-2c"]
    new = page_update.apply_insertions(without, plan.insertions)
    assert new.index("ethics-answer:: plan-2b") < new.index("ethics-answer:: plan-2c")
    assert new.index("ethics-answer:: plan-2c") < new.index("ethics-answer:: plan-2d")
    assert new == text


def test_literal_and_code_blocks_are_not_reviews() -> None:
    rst = (
        "Example::\n\n   .. ethics-review:: plan\n\n"
        ".. code-block:: rst\n\n   .. ethics-review:: plan\n"
    )
    with pytest.raises(pages.PageError, match="no ethics-review"):
        page_update.plan_update(rst, "rst", CATALOG)
    md = "```md\n::::{ethics-review} plan\n::::\n```\n"
    with pytest.raises(pages.PageError, match="no ethics-review"):
        page_update.plan_update(md, "md", CATALOG)


def test_review_nested_in_a_directive_is_found() -> None:
    md = ":::::{note}\n::::{ethics-review} collaboration\n::::\n:::::\n"
    plan = page_update.plan_update(md, "md", CATALOG)
    assert plan.added == ["collaboration-1"]
    rst = ".. only:: html\n\n   .. ethics-review:: collaboration\n\n   After.\n"
    new = page_update.apply_insertions(rst, page_update.plan_update(rst, "rst", CATALOG).insertions)
    assert "\n      .. ethics-answer:: collaboration-1\n" in new


def test_unknown_checklist_in_page_suggests_a_name() -> None:
    with pytest.raises(pages.PageError, match='did you mean "plan"'):
        page_update.plan_update(".. ethics-review:: plna\n", "rst", CATALOG)


def test_md_option_values_are_quoted_only_when_needed() -> None:
    meta = pages.ReviewMeta(name="Review: falls #1", owner="Ward 7 QI team", date="2026-10-01")
    text = pages.render_page([CATALOG.checklists["collaboration"]], "md", meta)
    assert ':name: "Review: falls #1"' in text
    assert ":owner: Ward 7 QI team" in text
    assert ":date: 2026-10-01" in text
    review = page_scan.scan_page(text, "md")[0]
    assert review.options["name"] == "Review: falls #1"


def test_page_format() -> None:
    assert pages.page_format("a/b.md", None) == "md"
    assert pages.page_format("a/b.rst", None) == "rst"
    assert pages.page_format("a/b.rst", "md") == "md"
    with pytest.raises(pages.PageError, match="--format"):
        pages.page_format("a/b.html", None)
