"""Judge every answer by what a reader sees (SPEC §11), once the page is read.

A review classifies its answers while its directive runs, when the answer's
nodes are still as parsed: ``|x|`` is a reference not yet replaced, a
substitution definition still looks like text.  So, once the page's
substitutions are applied (docutils' ``Substitutions`` transform, priority
220) and before smart quotes change the text, :class:`JudgeSeenAnswers`
turns each answer into blocks (:mod:`sphinx_ethics.answers.text`), takes its
seen text, and classifies the review's slots again from it.  That one text
is what the placeholder rules judge, what the report's ``answer`` says and
what ``ethics-answers.json`` (so ``sphinx-ethics review``) shows.

An answer holding ``.. only::`` or ``.. ifconfig::`` shows different text in
different builds: it is an ``ethics.markup`` problem and is not counted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sphinx.transforms import SphinxTransform

from sphinx_ethics.answers import text as answer_text
from sphinx_ethics.answers.governance import rejudge
from sphinx_ethics.answers.slots import GivenAnswer, ReviewRecord
from sphinx_ethics.extension.config import placeholders, project_catalog
from sphinx_ethics.extension.domain import EthicsDomain
from sphinx_ethics.extension.expand import GIVEN, SLOT, pending_review
from sphinx_ethics.problems import Problem, is_suppressed, log

if TYPE_CHECKING:
    from docutils import nodes


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
        log(found)
        if not is_suppressed("markup", self.config):
            EthicsDomain.get(self.env).add_problem(self.env.docname, found)
