"""Turning checklists and answers into document nodes.

Everything here is built from standard docutils nodes (containers,
paragraphs, rubrics, field lists, bullet lists, targets) carrying
``ethics-*`` classes, as sphinx-design does.  Every builder can therefore
write them: HTML styles the classes with ``sphinx-ethics.css``, LaTeX maps
containers to ``sphinxuseclass`` environments and inlines to ``\\DUrole``
macros defined in ``sphinxethics.sty``, and text, man, texinfo, epub and
gettext need nothing special.

State is always told by words (and in HTML an icon), never by colour alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from sphinx_ethics.catalogue import (
    Attribution,
    Checklist,
    Definition,
    Question,
    Tip,
)
from sphinx_ethics.catalogue import attribution as wording
from sphinx_ethics.nodes.i18n import _, ngettext

WORKSHEET_LINES = 5
#: Sphinx's class for what the search index skips (Sphinx 8.2 and later):
#: state words and the attribution, the same on every page, are not worth
#: indexing.
NO_SEARCH = "no-search"
#: What a ruled worksheet line holds in builders that have no style for it.
RULE_TEXT = "_" * 60


#: Formats whose writers make an anchor only for a target node, not for a
#: block's own ids (HTML writes ``<div id>``).
TARGET_FORMATS = ("latex", "texinfo")


@dataclass(frozen=True)
class Layout:
    """What the builder and the place of a review change in its blocks.

    Known when the page is written (by
    :class:`sphinx_ethics.extension.expand.ExpandReviews`), so a review is
    built in its final shape and nothing edits it afterwards.  ``targets``:
    the builder writes anchors only for targets (:data:`TARGET_FORMATS`), so
    each anchored block starts with a target instead of carrying its id.
    ``nested``: the review sits in a table, and the text, man and LaTeX
    writers cannot write a table in a table, so the sign-offs are a list.
    """

    targets: bool = False
    nested: bool = False


def anchored(block: nodes.Element, anchor: str, targets: bool = False) -> nodes.Element:
    """Give ``block`` its anchor: its own id, or (``targets``) a target first inside it.

    The id on the block itself is one node fewer per question.
    """
    if targets:
        block.insert(0, nodes.target("", "", ids=[anchor]))
    else:
        block["ids"] = [anchor]
    return block


def state_labels() -> dict[str, str]:
    """The words shown for each slot state (translatable, so built when used)."""
    return {
        "answered": _("Answer"),
        "not-applicable": _("Not applicable"),
        "draft": _("Draft answer (not yet final)"),
        "placeholder": _("Not yet answered"),
        "unanswered": _("Not yet answered"),
        "optional": _("Optional (not answered)"),
    }


def attribution_paragraph(attribution: Attribution) -> nodes.paragraph:
    """The one wording (:func:`sphinx_ethics.catalogue.attribution.segments`) as nodes.

    Every link's text is its address, so the text builder and a printed PDF
    show it too.
    """
    # Not indexed for search: the same words are on every review's page.
    outer = nodes.paragraph(classes=["ethics-attribution", NO_SEARCH])
    # The classed inline carries the style to LaTeX (which ignores paragraph classes).
    para = nodes.inline(classes=["ethics-attribution"])
    outer += para
    para += segment_nodes(wording.segments(attribution))
    return outer


def segment_nodes(pieces: Iterable[wording.Segment]) -> list[nodes.Node]:
    """Text, emphasis and links (whose text is the address) as inline nodes."""
    out: list[nodes.Node] = []
    for piece in pieces:
        if piece.kind == "link":
            out.append(nodes.reference(piece.text, piece.text, refuri=piece.text))
        elif piece.kind == "emphasis":
            out.append(nodes.emphasis(text=piece.text))
        else:
            out.append(nodes.Text(piece.text))
    return out


def attributions(items: Iterable[Attribution | None]) -> list[nodes.paragraph]:
    """One attribution paragraph per distinct source, in first-seen order."""
    seen: list[Attribution] = []
    for item in items:
        if item is not None and item not in seen:
            seen.append(item)
    return [attribution_paragraph(a) for a in seen]


def added_questions_note(checklist: Checklist) -> list[nodes.paragraph]:
    """Say which questions a team added, so they are not taken for the source's."""
    notes = []
    for text in wording.added_notes(checklist, ngettext):
        para = nodes.paragraph(classes=["ethics-attribution", "ethics-added-note"])
        para += nodes.inline(text=text, classes=["ethics-attribution"])
        notes.append(para)
    return notes


def guide_text(node: nodes.Element) -> nodes.Element:
    """Mark ``node`` (words of a checklist file) as not for translation.

    Sphinx's gettext builder and its Locale transform skip an element whose
    ``translatable`` is false (``sphinx.util.nodes.is_translatable``); without
    it, titles, terms and headings (which Sphinx gives a source) would be
    offered for translation, and a translation of the guide is an adaptation,
    which its licence (CC BY-NC-ND 4.0) does not allow.
    """
    node["translatable"] = False
    return node


def question_text(question: Question) -> nodes.paragraph:
    para = guide_text(nodes.paragraph(classes=["ethics-question-text"]))
    para += nodes.strong(text=f"{question.number}.", classes=["ethics-number"])
    # Then the id, small, so the ids in warnings and reports can be found on
    # the page (one text node for the text and the space: nodes cost time).
    para += nodes.Text(f" {question.text} ")
    para += nodes.inline(text=f"[{question.id}]", classes=["ethics-question-id"])
    return para


def prompts_list(question: Question) -> nodes.bullet_list | None:
    if not question.prompts:
        return None
    bullets = nodes.bullet_list(classes=["ethics-prompts"])
    for prompt in question.prompts:
        bullets += nodes.list_item("", guide_text(nodes.paragraph(text=prompt)))
    return bullets


def badge(state: str, label: str, classes: Sequence[str] = ()) -> nodes.paragraph:
    """A state line: 'Not yet answered', 'Not applicable', ..."""
    para = nodes.paragraph(classes=["ethics-state", f"ethics-state-{state}", NO_SEARCH])
    para += nodes.inline(text=label, classes=["ethics-badge", f"ethics-badge-{state}", *classes])
    return para


def worksheet(lines: int = WORKSHEET_LINES) -> nodes.container:
    """Ruled space for notes on paper; underscores where no style applies."""
    box = nodes.container(classes=["ethics-worksheet"])
    box += nodes.paragraph("", "", nodes.inline(text=_("Notes"), classes=["ethics-notes-label"]))
    for _line in range(lines):
        box += nodes.paragraph("", "", nodes.inline(text=RULE_TEXT, classes=["ethics-rule"]))
    return box


def question_block(
    question: Question,
    anchor: str,
    body: Sequence[nodes.Node] = (),
    classes: Sequence[str] = (),
    targets: bool = False,
) -> nodes.container:
    """A question: number and text, prompts, then ``body``; anchored (:func:`anchored`)."""
    kind = "ethics-group" if question.is_group else "ethics-slot"
    added = ["ethics-added"] if question.added_by else []
    block = nodes.container(classes=["ethics-question", kind, *added, *classes])
    anchored(block, anchor, targets)
    block += question_text(question)
    prompts = prompts_list(question)
    if prompts is not None:
        block += prompts
    block.extend(body)
    return block


def checklist_box(
    checklist: Checklist, anchor: str, classes: Sequence[str] = (), targets: bool = False
) -> nodes.container:
    """A checklist's box (anchored, :func:`anchored`) with its title and introduction."""
    box = nodes.container(classes=["ethics-checklist", *classes])
    anchored(box, anchor, targets)
    box += guide_text(nodes.rubric(text=checklist.title, classes=["ethics-checklist-title"]))
    box += [guide_text(nodes.paragraph(text=p, classes=["ethics-intro"])) for p in checklist.intro]
    return box


def blank_checklist(
    checklist: Checklist,
    anchors: Mapping[str, str],
    with_worksheet: bool = False,
) -> nodes.container:
    """The checklist with no answers: for a handbook, or printed for a workshop."""
    classes = ["ethics-with-worksheet"] if with_worksheet else []
    box = checklist_box(checklist, anchors[checklist.id], classes)
    for question in checklist.questions:
        box += _blank_question(question, anchors, with_worksheet)
    box += attributions(wording.checklist_sources(checklist))
    box += added_questions_note(checklist)
    return box


def _blank_question(
    question: Question, anchors: Mapping[str, str], with_worksheet: bool
) -> nodes.container:
    body: list[nodes.Node] = []
    if with_worksheet and not question.is_group:
        body.append(worksheet())
    for sub in question.subquestions:
        body.append(_blank_question(sub, anchors, with_worksheet))
    return question_block(question, anchors[question.id], body)


def tips_block(tips: Sequence[Tip], anchors: Mapping[str, str]) -> nodes.container:
    box = nodes.container(classes=["ethics-tips"])
    for tip in tips:
        item = nodes.container(classes=["ethics-tip"])
        item += nodes.target("", "", ids=[anchors[tip.id]])
        title = nodes.paragraph("", "", nodes.strong(text=tip.title), classes=["ethics-tip-title"])
        item += guide_text(title)
        item += guide_text(nodes.paragraph(text=tip.text))
        box += item
    box += attributions(t.attribution for t in tips)
    return box


def definition_body(definition: Definition) -> nodes.definition:
    body = nodes.definition()
    body += [guide_text(nodes.paragraph(text=p)) for p in definition.text]
    if definition.items:
        bullets = nodes.bullet_list()
        for item in definition.items:
            bullets += nodes.list_item("", guide_text(nodes.paragraph(text=item)))
        body += bullets
    body += [guide_text(nodes.paragraph(text=p)) for p in definition.closing]
    return body


def progress_line(answered: int, required: int, problems: int = 0) -> nodes.paragraph:
    text = ngettext(
        "%(answered)d of %(required)d required question answered.",
        "%(answered)d of %(required)d required questions answered.",
        required,
    ) % {"answered": answered, "required": required}
    if problems:
        text += " " + ngettext(
            "Not complete: %(count)d problem to fix, listed below.",
            "Not complete: %(count)d problems to fix, listed below.",
            problems,
        ) % {"count": problems}
    complete = "complete" if answered == required and not problems else "incomplete"
    para = nodes.paragraph(classes=["ethics-progress", f"ethics-progress-{complete}", NO_SEARCH])
    para += nodes.inline(text=text, classes=["ethics-progress"])
    return para


def overdue_note(review_by: str) -> nodes.paragraph:
    """'Overdue: review was due 2027-01-01', a badge then the date."""
    para = nodes.paragraph(classes=["ethics-overdue"])
    # The classed inline carries the box to LaTeX (which ignores paragraph classes).
    line = nodes.inline(classes=["ethics-overdue"])
    para += line
    line += nodes.inline(text=_("Overdue"), classes=["ethics-badge", "ethics-badge-overdue"])
    # One string with the date in it, so a translation can place the date.
    before, _date, after = _(": review was due %(date)s").partition("%(date)s")
    line += nodes.Text(before)
    line += nodes.inline(text=review_by, classes=["ethics-date"])
    if after:
        line += nodes.Text(after)
    return para


def problems_box(problems: Sequence[str]) -> nodes.container:
    """What the build found wrong with a review, on the page (HTML, PDF, text)."""
    box = nodes.container(classes=["ethics-problems"])
    box += badge("problem", _("Problems to fix before this review can be complete"))
    items = nodes.bullet_list()
    for message in problems:
        items += nodes.list_item("", nodes.paragraph(text=message))
    box += items
    return box


class AnchorTargets(SphinxPostTransform):
    """LaTeX and Texinfo write an anchor only for a target node: give them one.

    For the blocks made while the page is read (``ethics-checklist``), which
    carry their ids themselves, since the builder is not known then (HTML
    writes ``<div id>``).  A review is built with its targets already
    (:class:`Layout`), so this finds nothing to do in what it built.
    """

    default_priority = 900  # after the reviews are built (ExpandReviews, 850)
    formats = TARGET_FORMATS

    def run(self, **kwargs: object) -> None:
        for block in list(self.document.findall(nodes.container)):
            if block["ids"] and any(c.startswith("ethics-") for c in block["classes"]):
                block.insert(0, nodes.target("", "", ids=block["ids"]))
                block["ids"] = []


class BlankWorksheetRules(SphinxPostTransform):
    """In HTML the stylesheet draws worksheet lines: drop the underscores,
    which only plain-text builders need and screen readers would read out."""

    default_priority = 200
    formats = ("html",)

    def run(self, **kwargs: object) -> None:
        for rule in self.document.findall(nodes.inline):
            if "ethics-rule" in rule["classes"]:
                rule.children = []


def metadata_fields(pairs: Sequence[tuple[str, str]]) -> nodes.field_list | None:
    """Owner, reviewers, dates and status, as a field list every builder knows."""
    fields = nodes.field_list(classes=["ethics-metadata"])
    for label, value in pairs:
        if value:
            fields += nodes.field(
                "",
                nodes.field_name(text=label),
                nodes.field_body("", nodes.paragraph(text=value)),
            )
    return fields if len(fields) else None


# --------------------------------------------------------------------------
# A review, from its record and its answers' nodes
# --------------------------------------------------------------------------


def loose_answer(question_id: str, content: Sequence[nodes.Node]) -> nodes.container:
    """An answer that belongs to no review: shown, so no words are lost."""
    box = nodes.container(classes=["ethics-answer", "ethics-loose-answer"])
    box += badge("loose", _("Answer to %s (not part of a review)") % question_id)
    box += content
    return box


def answer_body(
    content: Sequence[nodes.Node], state: str, label: str, classes: Sequence[str] = ()
) -> list[nodes.Node]:
    """The state line (its badge with ``classes``), then the team's own words."""
    return [badge(state, label, classes), nodes.container("", *content, classes=["ethics-answer"])]
