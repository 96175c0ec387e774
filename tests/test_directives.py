"""What the directives and roles render (SPEC section 2), checked on built HTML.

Most tests read one shared build of ``roots/test-review``:

* ``review.rst``: ``ethics-review:: plan`` named ``falls-plan`` with metadata,
  9 of the 11 required slots answered (``plan-2c`` not applicable, with a
  reason), ``plan-3`` and ``plan-6`` unanswered;
* ``optional.rst``: ``healthcare-good`` with ``:optional:`` slots, one answered,
  one not; every required slot answered;
* ``rich.rst``: an answer with a bullet list, an external link and a list-table;
* ``unicode.rst``: Welsh, Polish, emoji and CJK answers;
* ``checklist.rst``, ``tips.rst``, ``definitions.rst``, ``refs.rst``.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag
from docutils import nodes
from helpers import (
    ATTRIBUTION,
    assert_snapshot,
    block_with,
    ethics_warnings,
    norm,
    parse_warnings,
    soup,
    strip_ansi,
)

from sphinx_ethics.catalogue import load_catalog

CATALOG = load_catalog()
DOI = "10.1017/9781009325233"


@pytest.fixture(scope="module")
def review_build(shared_build):
    return shared_build("review")


def review_box(page: BeautifulSoup, anchor: str) -> Tag:
    """The ``ethics-review`` container whose title carries ``anchor``."""
    title = page.find(id=anchor)
    assert title is not None, f"no element with id {anchor!r}"
    box = block_with(title, "ethics-review")
    assert box is not None
    return box


def question_block(box: Tag, anchor: str) -> Tag:
    text = box.find(id=anchor)
    assert text is not None, f"no question anchor {anchor!r}"
    block = block_with(text, "ethics-question")
    assert block is not None
    return block


def own_states(block: Tag) -> list[str]:
    """State badges of this question itself (not of its sub-questions)."""
    return [norm(p.get_text()) for p in block.find_all("p", class_="ethics-state", recursive=False)]


def slot_states(box: Tag) -> dict[str, str]:
    """Question anchor -> state class (``answered``, ``unanswered``, ...) of each slot."""
    states = {}
    for block in box.select("div.ethics-slot"):
        anchor = block["id"]
        (state,) = [
            c.removeprefix("ethics-slot-")
            for c in block["class"]
            if c.startswith("ethics-slot-") and c != "ethics-slot"
        ]
        states[anchor] = state
    return states


def answer_texts(box: Tag) -> dict[str, str]:
    texts = {}
    for block in box.select("div.ethics-slot"):
        anchor = block["id"]
        answer = block.find("div", class_="ethics-answer")
        if answer is not None:
            texts[anchor] = norm(answer.get_text(" "))
    return texts


def assert_attribution(container: Tag) -> None:
    paras = container.find_all("p", class_="ethics-attribution")
    assert paras, "no attribution shown"
    # The adaptation, the original (authors, series, DOI) and the licence, each
    # address as visible text, not only in a link target.
    assert norm(paras[0].get_text()) == ATTRIBUTION
    assert DOI in ATTRIBUTION


# --------------------------------------------------------------------------
# ethics-review
# --------------------------------------------------------------------------


def test_review_shows_every_question_in_source_order(review_build):
    box = review_box(review_build.html("review"), "falls-plan")
    shown = [
        (p.parent["id"], norm(p.get_text()))
        for p in box.find_all("p", class_="ethics-question-text")
    ]
    expected = [
        (f"falls-plan-{q.id}", norm(f"{q.number}. {q.text} [{q.id}]"))
        for q in CATALOG.checklists["plan"].iter_questions()
    ]
    assert shown == expected
    assert len(shown) == 12  # plan-2 as a group heading plus 11 slots
    assert norm(box.find("p", class_="ethics-checklist-title").get_text()) == (
        "Questions to help plan an improvement activity"
    )


def test_question_anchor_contains_question_id(review_build):
    html = (review_build.outdir / "review.html").read_text("utf-8")
    assert 'id="falls-plan-plan-2b"' in html
    page = soup(review_build.outdir / "review.html")
    for question in CATALOG.checklists["plan"].iter_questions():
        # The anchor is on the question's own block: the one showing its text.
        element = page.find(id=f"falls-plan-{question.id}")
        assert element is not None, question.id
        assert "ethics-question" in element["class"]
        words = " ".join(question.text.split()[:6])
        assert words in " ".join(element.get_text().split()), question.id


def test_progress_line(review_build):
    box = review_box(review_build.html("review"), "falls-plan")
    progress = norm(box.find("p", class_="ethics-progress").get_text())
    assert "9 of 11 required questions answered" in progress


def test_unanswered_required_slots_say_not_yet_answered(review_build):
    box = review_box(review_build.html("review"), "falls-plan")
    states = slot_states(box)
    unanswered = {a for a, s in states.items() if s == "unanswered"}
    assert unanswered == {"falls-plan-plan-3", "falls-plan-plan-6"}
    for anchor in unanswered:
        assert own_states(question_block(box, anchor)) == ["Not yet answered"]
    for anchor in set(states) - unanswered:
        assert "Not yet answered" not in question_block(box, anchor).get_text()


def test_group_heading_has_no_placeholder(review_build):
    box = review_box(review_build.html("review"), "falls-plan")
    group = question_block(box, "falls-plan-plan-2")
    assert "ethics-group" in group["class"]
    assert own_states(group) == []
    assert group.find("div", class_="ethics-answer", recursive=False) is None
    subs = group.find_all("div", class_="ethics-slot", recursive=False)
    assert [s["id"] for s in subs] == [
        "falls-plan-plan-2a",
        "falls-plan-plan-2b",
        "falls-plan-plan-2c",
        "falls-plan-plan-2d",
    ]


def test_not_applicable_with_reason_counts_and_stays_required(review_build):
    box = review_box(review_build.html("review"), "falls-plan")
    block = question_block(box, "falls-plan-plan-2c")
    assert "ethics-required" in block["class"]
    assert slot_states(box)["falls-plan-plan-2c"] == "not-applicable"
    assert own_states(block) == ["Not applicable"]
    assert "nothing about care changes" in norm(block.get_text())
    required = box.select("div.ethics-slot.ethics-required")
    assert len(required) == 11


def test_answers_are_shown_under_their_questions(review_build):
    box = review_box(review_build.html("review"), "falls-plan")
    texts = answer_texts(box)
    assert texts["falls-plan-plan-1"] == "Reducing inpatient falls on wards 7 and 8."
    assert texts["falls-plan-plan-8"] == "The costs are two hours of pharmacist time a week."
    assert "falls-plan-plan-3" not in texts


def test_review_metadata(review_build):
    box = review_box(review_build.html("review"), "falls-plan")
    assert box["id"] == "falls-plan"
    title = box.find("p", class_="ethics-review-title")
    assert norm(title.get_text()) == "Ethics review — falls prevention"
    fields = box.find("dl", class_="ethics-metadata")
    assert fields is not None
    text = norm(fields.get_text(" "))
    for value in (
        "Ward 7 QI team",
        "Patient partner panel",
        "Trust ethics lead",
        "2026-10-01",
        "2027-04-01",
        "draft",
    ):
        assert value in text
    labels = [norm(dt.get_text()).rstrip(":").strip() for dt in fields.find_all("dt")]
    assert {"Owner", "Reviewers", "Date", "Review by", "Status"} <= set(labels)


def test_review_shows_attribution(review_build):
    assert_attribution(review_box(review_build.html("review"), "falls-plan"))


def test_optional_slots(review_build):
    box = review_box(review_build.html("optional"), "hg-review")
    block = question_block(box, "hg-review-healthcare-good-6")
    assert "ethics-optional" in block["class"]
    (state,) = own_states(block)
    assert "Optional" in state
    assert "Not yet answered" not in block.get_text()
    answered_optional = question_block(box, "hg-review-healthcare-good-8")
    assert "Optional answer about sharing learning." in answered_optional.get_text()
    assert "Not yet answered" not in box.get_text()
    progress = norm(box.find("p", class_="ethics-progress").get_text())
    assert "8 of 8 required questions answered" in progress


def test_prompts_are_guidance_not_slots(review_build):
    box = review_box(review_build.html("optional"), "hg-review")
    block = question_block(box, "hg-review-healthcare-good-5")
    prompts = block.find("ul", class_="ethics-prompts")
    assert prompts is not None
    assert [norm(li.get_text()) for li in prompts.find_all("li")] == list(
        CATALOG.questions["healthcare-good-5"].prompts
    )
    # No slot, anchor or state of its own for a prompt: 10 slots, one state each.
    assert len(box.select("div.ethics-slot")) == 10
    assert len(block.find_all("p", class_="ethics-state")) == 1
    assert block.find("div", class_="ethics-slot") is None


def test_rich_answer_content(review_build):
    box = review_box(review_build.html("rich"), "rich")
    answer = question_block(box, "rich-process-good-1a").find("div", class_="ethics-answer")
    assert answer is not None
    items = [norm(li.get_text()) for li in answer.find("ul").find_all("li")]
    assert items == ["respect for patients", "fairness between wards", "inclusion of carers"]
    link = answer.find("a", class_="external")
    assert link["href"] == "https://www.nice.org.uk/guidance/ng249"
    assert norm(link.get_text()) == "NICE falls guideline"
    table = answer.find("table")
    assert table is not None
    assert [norm(td.get_text()) for td in table.find_all(["th", "td"])] == [
        "Group",
        "Invited",
        "Carers",
        "Twelve",
    ]


UNICODE_ANSWERS = (
    "Mae'r ŵyl yn agored i bawb.",
    "Zażółć gęślą jaźń.",
    "🎉",
    "患者と家族の声を聞きます。",
    "✅",
)


def test_non_ascii_answers_in_html(review_build):
    box = review_box(review_build.html("unicode"), "unicode-review")
    text = norm(box.get_text())
    for fragment in UNICODE_ANSWERS:
        assert fragment in text
    assert slot_states(box) == {
        "unicode-review-co-production-1": "answered",
        "unicode-review-co-production-2": "answered",
    }


def test_non_ascii_answers_in_text_builder(shared_build):
    built = shared_build("review", "text")
    text = norm((built.outdir / "unicode.txt").read_text("utf-8"))
    for fragment in UNICODE_ANSWERS:
        assert fragment in text
    assert "Traceback" not in built.warnings


def test_text_builder_shows_questions_answers_and_placeholders(shared_build):
    text = norm((shared_build("review", "text").outdir / "review.txt").read_text("utf-8"))
    assert "What harms, problems, or gaps are you trying to address?" in text
    assert "Falls injure frail older patients." in text
    assert "Not yet answered" in text and "Not applicable" in text
    assert "9 of 11 required questions answered" in text
    assert DOI in text


def test_embedding_checklists_again_never_warns(review_build):
    """plan is in a review and a blank checklist; only unanswered slots warn."""
    warnings = parse_warnings(review_build.warnings)
    assert {w.type for w in warnings} == {"ethics.unanswered"}, warnings
    assert {w.message.split(":")[0] for w in warnings} == {
        "plan-3",
        "plan-6",
        "process-good-1b",
        "process-good-1c",
        "process-good-1d",
        "process-good-2",
        "process-good-3",
    }


# --------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------


def test_ref_to_review_name_uses_title(review_build):
    page = review_build.html("refs")
    link = page.find("a", href="review.html#falls-plan")
    assert link is not None
    assert norm(link.get_text()) == "Ethics review — falls prevention"


def test_question_role_prefers_blank_checklist(review_build):
    page = review_build.html("refs")
    link = page.find("a", href="checklist.html#ethics-plan-2a")
    assert link is not None
    assert "plan-2a" in norm(link.get_text())
    target = review_build.html("checklist").find(id="ethics-plan-2a")
    assert target is not None


def test_question_role_falls_back_to_review(review_build):
    link = review_build.html("refs").find("a", href="rich.html#rich-process-good-1a")
    assert link is not None
    assert "process-good-1a" in norm(link.get_text())


# --------------------------------------------------------------------------
# ethics-checklist, ethics-tips, ethics-definitions
# --------------------------------------------------------------------------


def blank_checklists(review_build) -> list[Tag]:
    page = review_build.html("checklist")
    return page.select("div.ethics-checklist")


def test_blank_checklist_has_questions_and_no_placeholders(review_build):
    plan, healthcare = blank_checklists(review_build)
    shown = [norm(p.get_text()) for p in plan.find_all("p", class_="ethics-question-text")]
    assert shown == [
        norm(f"{q.number}. {q.text} [{q.id}]") for q in CATALOG.checklists["plan"].iter_questions()
    ]
    for box in (plan, healthcare):
        text = box.get_text()
        assert "Not yet answered" not in text
        assert "Optional" not in text
        assert not box.select("p.ethics-state, div.ethics-answer, p.ethics-progress")
    assert not plan.select("span.ethics-rule")
    anchors = [p.parent["id"] for p in plan.find_all("p", class_="ethics-question-text")]
    for anchor, question in zip(anchors, CATALOG.checklists["plan"].iter_questions(), strict=True):
        assert question.id in anchor
    assert_attribution(plan)
    assert_attribution(healthcare)


def test_worksheet_adds_ruled_lines_to_every_slot(review_build):
    _, healthcare = blank_checklists(review_build)
    assert "ethics-with-worksheet" in healthcare["class"]
    slots = healthcare.select("div.ethics-slot")
    assert len(slots) == 10
    for slot in slots:
        assert slot.select("span.ethics-rule"), slot["class"]
    group = healthcare.select_one("div.ethics-group")
    assert group.find("div", class_="ethics-worksheet", recursive=False) is None


def test_tips_all_six(review_build):
    all_tips, _ = review_build.html("tips").select("div.ethics-tips")
    tips = all_tips.select("div.ethics-tip")
    assert [norm(t.find("p", class_="ethics-tip-title").get_text()) for t in tips] == [
        t.title for t in CATALOG.tips.values()
    ]
    for tip, data in zip(tips, CATALOG.tips.values(), strict=True):
        assert norm(data.text) in norm(tip.get_text())
        assert tip.find(id=lambda i, d=data: bool(i) and d.id in i) is not None
    assert_attribution(all_tips)


def test_tips_subset_by_id(review_build):
    _, some = review_build.html("tips").select("div.ethics-tips")
    titles = [norm(t.get_text()) for t in some.select("p.ethics-tip-title")]
    assert titles == ["Examine assumptions", "Strike a balance"]
    assert_attribution(some)


def test_definitions_glossary_and_term_role(review_build):
    page = review_build.html("definitions")
    glossary = page.find("dl", class_="glossary")
    terms = [norm(dt.get_text()).rstrip("¶").strip() for dt in glossary.find_all("dt")]
    assert terms == ["Ethics", "Improvement ethics", "Implicit normativity", "Ethical analysis"]
    items = [norm(li.get_text()) for li in glossary.find_all("li")]
    assert items == [norm(i) for i in CATALOG.definitions["ethical-analysis"].items]
    link = page.find("a", class_="internal", string=None, href=lambda h: h and "#term-" in h)
    assert link is not None and norm(link.get_text()) == "implicit normativity"
    anchor = link["href"].split("#", 1)[1]
    target = page.find(id=anchor)
    assert target is not None and target.name == "dt"
    assert norm(target.get_text()).startswith("Implicit normativity")
    assert_attribution(page.find("div", class_="ethics-glossary"))


# --------------------------------------------------------------------------
# MyST: both fence styles, same result as reStructuredText
# --------------------------------------------------------------------------


def review_container(app, docname: str) -> nodes.container:
    """The review as written: the page's doctree with the review built out."""
    doctree = app.env.get_and_resolve_doctree(docname, app.builder)
    return next(n for n in doctree.findall(nodes.container) if "ethics-review" in n["classes"])


EXPECTED_MYST_STATES = {
    "myst-review-plan-1": "answered",
    "myst-review-plan-2a": "answered",
    "myst-review-plan-2b": "unanswered",
    "myst-review-plan-2c": "not-applicable",
    "myst-review-plan-2d": "unanswered",
    "myst-review-plan-3": "draft",
    "myst-review-plan-4": "placeholder",
    "myst-review-plan-5": "unanswered",
    "myst-review-plan-6": "unanswered",
    "myst-review-plan-7": "unanswered",
    "myst-review-plan-8": "optional",
    "myst-review-co-production-1": "answered",
    "myst-review-co-production-2": "unanswered",
}


@pytest.mark.parametrize("root", ["myst", "myst-rst"])
def test_myst_and_rst_slot_states(shared_build, root):
    built = shared_build(root)
    box = review_box(built.html("review"), "myst-review")
    assert slot_states(box) == EXPECTED_MYST_STATES
    texts = answer_texts(box)
    assert texts["myst-review-plan-1"] == "Reducing inpatient falls on wards 7 and 8."
    assert texts["myst-review-plan-2a"] == (
        "Falls injure frail older patients: hip fractures loss of confidence"
    )
    assert norm(texts["myst-review-co-production-1"]) == "Mae'r ŵyl yn agored i bawb."
    progress = norm(box.find("p", class_="ethics-progress").get_text())
    assert "4 of 12 required questions answered" in progress


def pformat(node: nodes.Node) -> str:
    """The doctree as text; a false attribute as docutils 0.22 prints it (older: "False")."""
    return node.pformat().replace('="False"', '="0"')


def test_myst_gives_the_same_doctree_as_rst(shared_build):
    myst = shared_build("myst")
    rst = shared_build("myst-rst")
    assert not [w for w in parse_warnings(myst.warnings) if w.subtype != "unanswered"]
    myst_box = review_container(myst.app, "review")
    rst_box = review_container(rst.app, "review")
    # Both against one stored snapshot, not only against each other (a change
    # that broke both alike would otherwise pass).
    assert_snapshot(pformat(rst_box), "myst-review.doctree.txt")
    assert_snapshot(pformat(myst_box), "myst-review.doctree.txt")
    myst_html = review_box(myst.html("review"), "myst-review")
    rst_html = review_box(rst.html("review"), "myst-review")
    assert answer_texts(myst_html) == answer_texts(rst_html)
    assert {(w.message, w.subtype) for w in ethics_warnings(myst.warnings)} == {
        (w.message, w.subtype) for w in ethics_warnings(rst.warnings)
    }


@pytest.mark.sphinx("html", testroot="myst", freshenv=True)
def test_myst_fence_styles_render_answers(app):
    app.build()
    page = soup(app.outdir / "review.html")
    box = review_box(page, "myst-review")
    # ":::" colon fence
    assert "Reducing inpatient falls" in question_block(box, "myst-review-plan-1").get_text()
    # "```" backtick fence, with a Markdown list inside
    items = question_block(box, "myst-review-plan-2a").select("div.ethics-answer li")
    assert [norm(li.get_text()) for li in items] == ["hip fractures", "loss of confidence"]
    assert "Traceback" not in strip_ansi(app.warning.getvalue())


# --------------------------------------------------------------------------
# A team's own checklist file (ethics_checklists)
# --------------------------------------------------------------------------


@pytest.mark.sphinx("html", testroot="custom", freshenv=True)
def test_custom_checklist_renders_and_validates(app):
    app.build()
    warnings = parse_warnings(app.warning.getvalue())
    assert [(w.subtype, w.message.split(":", 1)[0]) for w in warnings] == [
        ("unanswered", "team-2b")
    ]
    page = soup(app.outdir / "index.html")
    box = review_box(page, "team-review")
    assert slot_states(box) == {
        "team-review-team-1": "answered",
        "team-review-team-2a": "answered",
        "team-review-team-2b": "unanswered",
    }
    assert "2 of 3 required questions answered" in norm(box.get_text())
    attribution = norm(box.find("p", class_="ethics-attribution").get_text())
    assert "Ward 7 team questions" in attribution and "CC BY 4.0" in attribution
    blank = page.find(id="ethics-team-2b")
    assert blank is not None
    assert "How are disagreements settled?" in blank.get_text()
