"""A review's questions and states, built when its page is written.

While a page is read, an ``ethics-review`` leaves only a small
:class:`pending_review` in the document: its ids, and the team's answers
(parsed, as Sphinx must parse them anyway).  Everything else a reader sees
(title, metadata, progress, each question's number, text, prompts and
state, the attribution) is generated from the review's record and the
catalogue, so it is built here, by :class:`ExpandReviews`, when the page is
written.  It is built in its final shape: the builder's format and the
review's place in the page are known here (:func:`layout_of`), and no later
transform edits it.

Why: every node in a document read from source passes through some thirty
docutils and Sphinx transforms, is pickled into the doctree cache and held
in memory, and most of them walk every node.  Built late, the questions
cost the read phase nothing, and ``sphinx-ethics check`` (which writes no
pages) never builds them at all.  This is ``sphinx.ext.todo``'s
``todolist``, resolved late, applied to the review itself.

Smart quotes: Sphinx educates quotes while reading, so the generated text
gets the same treatment here (:func:`educate_quotes`), under the same
settings (``smartquotes``, ``smartquotes_action``, ``smartquotes_excludes``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from docutils import nodes
from docutils.utils import smartquotes
from sphinx.transforms import SphinxSmartQuotes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from sphinx_ethics.answers.slots import ReviewRecord, today
from sphinx_ethics.extension.checks import is_overdue, shown_on_page
from sphinx_ethics.extension.config import project_catalog, signoff_roles, today_setting
from sphinx_ethics.extension.domain import EthicsDomain
from sphinx_ethics.extension.programme.directive import programme_placeholder, resolve_programmes
from sphinx_ethics.extension.summary import TableBuilder, app_of, summary_placeholder
from sphinx_ethics.nodes.i18n import guide_needs_marking, mark_guide_words
from sphinx_ethics.nodes.rendering import TARGET_FORMATS, Layout, anchored
from sphinx_ethics.nodes.review import review_block
from sphinx_ethics.nodes.signoffs import in_table

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger(__name__)

#: Attributes marking what an answer container holds inside a pending review.
SLOT, DUPLICATE, STRAY, NOTES = "ethics_slot", "ethics_duplicate", "ethics_stray", "ethics_notes"
#: Marks a sign-off's comment; its value is the sign-off's line (its record is in the domain).
SIGNOFF = "ethics_signoff"
#: On an answer's container: how it was given (status, line, file, markup,
#: choice), for :class:`sphinx_ethics.extension.page_checks.JudgeSeenAnswers`.
GIVEN = "ethics_given"


class pending_review(nodes.container):
    """A review as read: its ids and the team's answers, built out later.

    A container, so that a builder that somehow skips post-transforms
    still writes the answers (Sphinx's translators fall back to
    ``visit_container``).  Attributes: ``docname`` and ``anchor`` find the
    record; ``anchors`` (question or checklist id, then anchor, flattened)
    and ``show_title`` say how to lay it out.
    """


def pending(
    record: ReviewRecord,
    anchors: dict[str, str],
    answers: dict[str, Sequence[nodes.Node]],
    duplicates: Sequence[tuple[str, Sequence[nodes.Node]]],
    strays: Sequence[tuple[str, Sequence[nodes.Node]]],
    notes: Sequence[nodes.Node],
    show_title: bool,
    given: Mapping[str, Mapping[str, object]] | None = None,
    comments: Sequence[tuple[int, Sequence[nodes.Node]]] = (),
) -> pending_review:
    """What the page keeps of a review until it is written."""
    node = pending_review(
        classes=["ethics-review"],
        ids=list(anchors.values()),
        docname=record.docname,
        anchor=record.anchor,
        anchors=[part for pair in anchors.items() for part in pair],
        show_title=show_title,
    )
    for question_id, content in answers.items():
        kept = dict((given or {}).get(question_id, {}))
        node += nodes.container(
            "", *content, classes=["ethics-answer"], **{SLOT: question_id, GIVEN: kept}
        )
    for question_id, content in duplicates:
        node += nodes.container("", *content, classes=["ethics-answer"], **{DUPLICATE: question_id})
    for question_id, content in strays:
        node += nodes.container("", *content, classes=["ethics-answer"], **{STRAY: question_id})
    for line, content in comments:
        node += nodes.container("", *content, classes=["ethics-signoff-comment"], **{SIGNOFF: line})
    if notes:
        node += nodes.container("", *notes, classes=["ethics-review-notes"], **{NOTES: True})
    return node


class ExpandReviews(SphinxPostTransform):
    """Build each pending review out into the full review block, each
    ``ethics-summary`` table (:mod:`sphinx_ethics.extension.summary`) and
    each ``ethics-programme`` view (:mod:`sphinx_ethics.extension.programme`).

    Runs late (after references are resolved), so that the other
    post-transforms walk only the answers, not the generated questions.  A
    post-transform runs for every builder, on each page as it is written
    or once on the joined document of LaTeX, singlehtml, texinfo and man
    pages, with no list of builder names.  "Overdue" is decided here too,
    so a changed ``ethics_today`` (which rewrites pages without reading
    them again) is always shown.
    """

    default_priority = 850

    def run(self, **kwargs: object) -> None:
        # One walk finds all three: a 2,400-review project's pages hold some
        # 500,000 nodes once written, and each walk over them costs (issue 25).
        found = list(self.document.findall(_is_late))
        if not found:
            return
        app = app_of(self.env)
        quotes = QuoteEducator(self.document)
        english = app.builder.format == "html" and guide_needs_marking(self.config.language)
        self.today = today(today_setting(self.config))
        programmes = [n for n in found if isinstance(n, programme_placeholder)]
        if programmes:
            resolve_programmes(app, self.document, self.env.docname, programmes)
        tables: TableBuilder | None = None
        for node in found:
            if isinstance(node, summary_placeholder):
                tables = tables or TableBuilder(app, self.env.docname)
                node.replace_self(tables.summary(node))
            if not isinstance(node, pending_review):
                continue
            block = self.expand(node)
            quotes.educate(block)
            if english:  # the guide's words, on a page in another language
                mark_guide_words(block)
            # replace_self() would copy the pending node's ids onto the block:
            # they belong to the questions now.
            node["ids"] = []
            node.replace_self(block)

    def expand(self, node: pending_review) -> nodes.Element:
        record = self.find_record(node)
        layout = layout_of(self.env, node)
        flat = node["anchors"]
        anchors = dict(zip(flat[::2], flat[1::2], strict=True))
        catalog = project_catalog(self.config)
        ids = record.checklists if record is not None else ()
        checklists = [catalog.checklists[c] for c in ids if c in catalog.checklists]
        wanted = {q.id for c in checklists for q in c.iter_questions()} | set(ids)
        slots = {s.id for s in record.slots} if record is not None else {""}
        if record is None or not wanted <= set(anchors) or not slots <= wanted:
            # The catalogue changed since the page was read: show the answers
            # as they are rather than guess (a full rebuild lays them out).
            shown = nodes.container("", *node.children, classes=["ethics-review"])
            return anchored(shown, node["ids"][0], layout.targets) if node["ids"] else shown
        assert record is not None
        answers, duplicates, strays, notes, comments = sort_children(node)
        domain = EthicsDomain.get(self.env)
        box = review_block(
            record,
            checklists,
            anchors,
            answers,
            duplicates,
            strays,
            notes,
            problems=[
                p.message
                for p in domain.problems.get(record.docname, [])
                if p.review == record.name
            ]
            + [p.message for p in shown_on_page(self.config, record)],
            show_title=node["show_title"],
            comments=comments,
            roles=signoff_roles(self.config),
            # decided now, not when read: "today" can change while no page is read again
            overdue=is_overdue(record, self.today),
            layout=layout,
        )
        box["classes"] = [*box["classes"], *(c for c in node["classes"] if c != "ethics-review")]
        return box

    def find_record(self, node: pending_review) -> ReviewRecord | None:
        reviews = EthicsDomain.get(self.env).reviews.get(node["docname"], [])
        return next((r for r in reviews if r.anchor == node["anchor"]), None)


def _is_late(node: nodes.Node) -> bool:
    return isinstance(node, (pending_review, summary_placeholder, programme_placeholder))


def layout_of(env: BuildEnvironment, node: nodes.Element) -> Layout:
    """What the builder and the review's place change in it (:class:`Layout`)."""
    return Layout(targets=app_of(env).builder.format in TARGET_FORMATS, nested=in_table(node))


def sort_children(
    node: pending_review,
) -> tuple[
    dict[str, list[nodes.Node]],
    list[tuple[str, list[nodes.Node]]],
    list[tuple[str, list[nodes.Node]]],
    list[nodes.Node],
    list[tuple[int, list[nodes.Node]]],
]:
    """The answers, duplicates, strays, other content and sign-off comments of a pending review."""
    answers: dict[str, list[nodes.Node]] = {}
    duplicates: list[tuple[str, list[nodes.Node]]] = []
    strays: list[tuple[str, list[nodes.Node]]] = []
    notes: list[nodes.Node] = []
    comments: list[tuple[int, list[nodes.Node]]] = []
    for child in node.children:
        assert isinstance(child, nodes.Element)
        content = list(child.children)
        if SLOT in child:
            answers[child[SLOT]] = content
        elif DUPLICATE in child:
            duplicates.append((child[DUPLICATE], content))
        elif STRAY in child:
            strays.append((child[STRAY], content))
        elif SIGNOFF in child:
            comments.append((child[SIGNOFF], content))
        else:
            notes += content
    return answers, duplicates, strays, notes, comments


class QuoteEducator:
    """Sphinx's smart quotes, for text generated after the page was read."""

    def __init__(self, document: nodes.document) -> None:
        self.transform = SphinxSmartQuotes(document, None)
        self.enabled = self.transform.is_available()
        self.action = self.transform.config.smartquotes_action
        self.language = document.settings.language_code or "en"

    def educate(self, block: nodes.Element) -> None:
        """Educate the generated paragraphs; the answers were educated when read."""
        if not self.enabled:
            return
        for element in elements_with_quotes(block):
            texts = list(element.findall(nodes.Text))
            tokens = self.transform.get_tokens(texts)
            educated = smartquotes.educate_tokens(tokens, attr=self.action, language=self.language)
            for text, new in zip(texts, educated, strict=True):
                if new != str(text):
                    text.parent.replace(text, nodes.Text(new))


def elements_with_quotes(block: nodes.Element) -> list[nodes.TextElement]:
    """Outermost text elements of ``block`` with a straight quote, not in an answer.

    One walk over the text nodes: few generated texts have a quote at all.
    """
    found: list[nodes.TextElement] = []
    for text in block.findall(nodes.Text):
        if "'" not in text and '"' not in text:
            continue
        element, outermost = text.parent, None
        while element is not None and element is not block:
            if "ethics-answer" in element["classes"] or "ethics-review-notes" in element["classes"]:
                break
            if isinstance(element, nodes.TextElement):
                outermost = element
            element = element.parent
        else:
            if outermost is not None and outermost not in found:
                found.append(outermost)
    return found
