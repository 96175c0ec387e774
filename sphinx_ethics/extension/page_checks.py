"""Checks of a whole page: as text (``source-read``), once read (a transform and
``doctree-read``).

A Markdown page's fence slips (:mod:`sphinx_ethics.answers.fences`) are
``ethics.markup`` problems before MyST reads it. Then two things no
directive can see for itself:

- an ``ethics-*`` directive docutils could not read at all (a duplicate
  option, say) never runs, so its review would vanish from the gate without
  a word but docutils' own error: it is an ``ethics.option`` problem here;
- a review inside ``.. only::`` is shown in some outputs and not others,
  but it is counted in every build (a review that exists is never left out
  of the gate): it is an ``ethics.markup`` problem, so the team moves it out
  and what is counted is what is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from docutils.parsers.rst.states import Body
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util.docutils import is_directive_registered

from sphinx_ethics.answers import text as answer_text
from sphinx_ethics.answers.fences import colon_fence_enabled, fence_problems, page_colon_fence
from sphinx_ethics.answers.governance import rejudge
from sphinx_ethics.answers.slots import GivenAnswer, ReviewRecord
from sphinx_ethics.extension.config import placeholders, project_catalog
from sphinx_ethics.extension.domain import EthicsDomain, record_problem
from sphinx_ethics.extension.expand import GIVEN, SLOT, pending_review
from sphinx_ethics.problems import Problem, Subtype

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: docutils' own pattern for a directive's first line (``.. name::``).
DIRECTIVE_START = next(p for m, p in Body.explicit.constructs if m.__name__ == "directive")


def check_doctree(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    domain = EthicsDomain.get(app.env)
    found = dropped_directives(doctree, docname) + reviews_in_only(doctree, docname, domain)
    for problem in found:
        record_problem(app.env, problem)


def dropped_directives(doctree: nodes.document, docname: str) -> list[Problem]:
    problems = []
    for message in doctree.findall(nodes.system_message):
        name = dropped_directive(message)
        if not name:
            continue
        head, _, rest = message[0].astext().partition("\n")
        why = " ".join((rest if rest and head.endswith("directive:") else head).split())
        text = f"{name} could not be read ({why}), so it is not counted; fix it"
        if name == "ethics-review":
            text += " (until then this project's reviews are incomplete)"
        problems.append(problem("option", text, docname, message.get("line") or 0))
    return problems


def dropped_directive(message: nodes.system_message) -> str:
    """The ethics directive an error message replaced ("" if none).

    Told by the message's structure, not its wording: an error (level 3 or
    more) that docutils put in place of a directive carries the directive's
    source as its literal block, whose first line names it.
    """
    if message["level"] < 3 or len(message) < 2:
        return ""
    block = message[-1]
    if not isinstance(block, nodes.literal_block) or not isinstance(message[0], nodes.paragraph):
        return ""
    match = DIRECTIVE_START.match(block.astext())
    name = match.group(1) if match else ""
    return name if name.startswith("ethics-") and is_directive_registered(name) else ""


def reviews_in_only(doctree: nodes.document, docname: str, domain: EthicsDomain) -> list[Problem]:
    by_anchor = {r.anchor: r for r in domain.reviews.get(docname, [])}
    problems = []
    for only in doctree.findall(addnodes.only):
        for element in only.findall(nodes.Element):
            review = next((by_anchor[i] for i in element["ids"] if i in by_anchor), None)
            if review is None:
                continue
            text = (
                f"review {review.name!r} is inside '.. only:: {only['expr']}': it is counted "
                "in every build but shown only in some; move it out of the only block"
            )
            problems.append(problem("markup", text, docname, review.line, review.name))
    return problems


def problem(subtype: Subtype, text: str, docname: str, line: int, review: str = "") -> Problem:
    return Problem(subtype, text, line=line, docname=docname, review=review)


def is_markdown(app: Sphinx, docname: str) -> bool:
    """Whether the document's source file is read as Markdown."""
    path = str(app.env.doc2path(docname))
    suffixes = app.config.source_suffix
    if isinstance(suffixes, dict):
        for suffix, filetype in suffixes.items():
            if path.endswith(suffix):
                return filetype == "markdown"
    return path.endswith(".md")


def check_markdown_source(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: log and record each fence slip of a Markdown page (``ethics.markup``)."""
    if not is_markdown(app, docname):
        return
    default = colon_fence_enabled(getattr(app.config, "myst_enable_extensions", None))
    text = source[0]
    for slip in fence_problems(text, page_colon_fence(text, default)):
        record_problem(app.env, Problem("markup", slip.message, line=slip.line, docname=docname))


# --------------------------------------------------------------------------
# Judge every answer by what a reader sees (SPEC §11), once the page is read.
#
# A review classifies its answers while its directive runs, when the answer's
# nodes are still as parsed: ``|x|`` is a reference not yet replaced, a
# substitution definition still looks like text.  So, once the page's
# substitutions are applied (docutils' ``Substitutions`` transform, priority
# 220) and before smart quotes change the text, :class:`JudgeSeenAnswers`
# turns each answer into blocks (:mod:`sphinx_ethics.answers.text`), takes its
# seen text, and classifies the review's slots again from it.  That one text
# is what the placeholder rules judge, what the report's ``answer`` says and
# what ``ethics-answers.json`` (so ``sphinx-ethics review``) shows.
#
# An answer holding ``.. only::`` or ``.. ifconfig::`` shows different text in
# different builds: it is an ``ethics.markup`` problem and is not counted.
# --------------------------------------------------------------------------


class JudgeSeenAnswers(SphinxTransform):
    """Classify each review's slots from its answers' seen text."""

    #: After docutils' Substitutions (220) and Sphinx's defaults (210); before
    #: smart quotes (750), so the text is the same in every builder.
    default_priority = 230

    def apply(self, **kwargs: Any) -> None:
        found = list(self.document.findall(pending_review))
        if not found:
            return
        docname = self.env.docname
        domain = EthicsDomain.get(self.env)
        reviews = domain.reviews.get(docname, [])
        for node in found:
            index = next((i for i, r in enumerate(reviews) if r.anchor == node["anchor"]), None)
            if index is None:
                continue
            given, blocks = self.seen_answers(node, reviews[index])
            reviews[index] = self.judged(reviews[index], given)
            if domain.keep_answer_blocks:
                # The answers' structure (lists, links), for exports outside Sphinx.
                domain.add_answers(docname, reviews[index].name, blocks)

    def seen_answers(
        self, node: pending_review, review: ReviewRecord
    ) -> tuple[dict[str, GivenAnswer], dict[str, list[Any]]]:
        given: dict[str, GivenAnswer] = {}
        blocks: dict[str, list[Any]] = {}
        for child in node.children:
            if SLOT not in child:
                continue
            question_id, kept = child[SLOT], dict(child.get(GIVEN) or {})
            content: list[nodes.Node] = list(child.children)
            found = answer_text.blocks(content)
            words = answer_text.words(found)
            # Nothing to see (a zero-width space): nothing to export either.
            found = blocks[question_id] = found if words else []
            markup = kept.get("markup", "")
            directive = answer_text.builder_dependent(content)
            if directive and not markup:
                markup = (
                    f"the answer holds '.. {directive}::', so what it shows depends on the "
                    f"builder or the configuration; move the {directive} block out of the "
                    "answer (the answer is not counted until then)"
                )
                self.problem(f"{question_id}: {markup}", kept, review)
            given[question_id] = GivenAnswer(
                answer_text.seen_text(found),
                kept.get("status", "answered"),
                kept.get("line", 0),
                kept.get("file", ""),
                markup,
                kept.get("choice", ""),
                words=words,
                by=kept.get("by", ""),
                received=kept.get("received", ""),
            )
        return given, blocks

    def judged(self, review: ReviewRecord, given: dict[str, GivenAnswer]) -> ReviewRecord:
        catalog = project_catalog(self.config)
        questions = [
            question
            for checklist_id in review.checklists
            if checklist_id in catalog.checklists
            for question in catalog.checklists[checklist_id].slots()
        ]
        return rejudge(review, questions, given, placeholders(self.config))

    def problem(self, message: str, kept: dict[str, Any], review: ReviewRecord) -> None:
        found = Problem(
            "markup",
            message,
            file=kept.get("file", ""),
            line=kept.get("line", 0) or review.line,
            docname=self.env.docname,
            review=review.name,
        )
        record_problem(self.env, found)
