"""What the extension remembers between documents: the ``ethics`` domain.

Like ``sphinx.ext.todo``, the data lives in a Domain, keyed by document:
``clear_doc`` drops one document's entries and ``merge_domaindata`` copies a
parallel reader's documents back *by replacing* their entries, so the saved
environment never grows across incremental or ``-j`` builds.

Records are small frozen dataclasses of plain values (no nodes), cheap to
pickle and safe to share with the report writer and the summary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Set
from dataclasses import dataclass
from typing import Any, ClassVar

from docutils import nodes
from docutils.nodes import Node
from sphinx.addnodes import pending_xref
from sphinx.builders import Builder
from sphinx.domains import Domain, ObjType
from sphinx.environment import BuildEnvironment
from sphinx.roles import XRefRole
from sphinx.util.nodes import make_refnode

from sphinx_ethics.answers.slots import ReviewRecord, SlotRecord
from sphinx_ethics.problems import Problem, is_suppressed, log

__all__ = ["EthicsDomain", "QuestionTarget", "ReviewRecord", "SlotRecord", "record_problem"]


@dataclass(frozen=True)
class QuestionTarget:
    """A place a question is rendered, for ``:ethics-question:`` links."""

    question_id: str
    docname: str
    anchor: str
    in_checklist: bool  # a blank ethics-checklist (preferred) or a review


class QuestionRole(XRefRole):
    """``:ethics-question:`plan-2a``` links to where that question is shown."""

    def __init__(self) -> None:
        super().__init__(innernodeclass=nodes.inline)

    def run(self) -> tuple[list[Node], list[nodes.system_message]]:
        self.refdomain, self.reftype = "ethics", "question"
        self.classes = ["xref", "ethics", "ethics-question-ref"]
        result = self.create_xref_node()
        # Recorded, so the project check (every build) can tell a link that
        # points nowhere, without waiting for the page to be written.
        EthicsDomain.get(self.env).add_link(self.env.docname, self.target, self.lineno)
        return result


class EthicsDomain(Domain):
    """Reviews and question targets, per document."""

    name = "ethics"
    label = "Ethics review"
    #: Questions are objects: they reach ``objects.inv`` (intersphinx) and ``:any:``.
    object_types: ClassVar[dict[str, ObjType]] = {"question": ObjType("question", "question")}
    #: ``:ethics:question:`plan-2a``` (and so intersphinx's
    #: ``:external+other:ethics:question:``); ``:ethics-question:`` is the same role.
    roles: ClassVar[dict[str, XRefRole]] = {"question": QuestionRole()}
    #: Per-document entries: reviews, question targets, pages with a summary,
    #: question links, the problems found while reading the document, and
    #: the reviews' answers as structured blocks.
    initial_data: ClassVar[dict[str, Any]] = {
        "reviews": {},
        "targets": {},
        "summaries": {},
        "links": {},
        "problems": {},
        "answers": {},
    }
    #: Bump when the shape of what is stored changes; it is also the
    #: extension's ``env_version``, so a changed shape means a fresh read.
    data_version = 11

    @classmethod
    def get(cls, env: BuildEnvironment) -> EthicsDomain:
        """The project's ethics domain (typed, unlike ``env.domains[...]``)."""
        domain = env.domains["ethics"]
        assert isinstance(domain, cls)
        return domain

    @property
    def reviews(self) -> dict[str, list[ReviewRecord]]:
        return self.data.setdefault("reviews", {})

    @property
    def targets(self) -> dict[str, list[QuestionTarget]]:
        return self.data.setdefault("targets", {})

    @property
    def summaries(self) -> dict[str, bool]:
        return self.data.setdefault("summaries", {})

    @property
    def links(self) -> dict[str, list[tuple[str, int]]]:
        """``:ethics-question:`` links per document: (question id, line)."""
        return self.data.setdefault("links", {})

    @property
    def problems(self) -> dict[str, list[Problem]]:
        """Problems found while reading each document (unsuppressed ones only)."""
        return self.data.setdefault("problems", {})

    @property
    def answers(self) -> dict[str, dict[str, dict[str, list[Any]]]]:
        """Each review's answers as blocks (:mod:`sphinx_ethics.answers.text`):
        document -> review name -> slot id -> blocks, for ``sphinx-ethics review``."""
        return self.data.setdefault("answers", {})

    #: Whether reviews keep their answers as blocks: only for ``-b ethics-check``
    #: (what ``sphinx-ethics review`` runs); an HTML or PDF build has no use for
    #: them, and they would double the saved environment.  Set per build.
    keep_answer_blocks = False

    def add_answers(self, docname: str, review: str, blocks: dict[str, list[Any]]) -> None:
        self.answers.setdefault(docname, {})[review] = blocks

    def add_problem(self, docname: str, problem: Problem) -> None:
        self.problems.setdefault(docname, []).append(problem)

    def all_problems(self) -> list[Problem]:
        return [p for docname in sorted(self.problems) for p in self.problems[docname]]

    def add_link(self, docname: str, question_id: str, line: int) -> None:
        self.links.setdefault(docname, []).append((question_id, line))

    def add_review(self, review: ReviewRecord) -> None:
        self.reviews.setdefault(review.docname, []).append(review)

    def add_target(self, target: QuestionTarget) -> None:
        self.targets.setdefault(target.docname, []).append(target)
        self._index = None

    def all_reviews(self) -> list[ReviewRecord]:
        return [r for docname in sorted(self.reviews) for r in self.reviews[docname]]

    def clear_doc(self, docname: str) -> None:
        for key in self.initial_data:
            self.data.setdefault(key, {}).pop(docname, None)
        self._index = None

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        # Replace each document's entries; never append (the saved
        # environment must not grow across -j builds).
        self._index = None
        for key in self.initial_data:
            mine, theirs = self.data.setdefault(key, {}), otherdata.get(key, {})
            for docname in docnames:
                if docname in theirs:
                    mine[docname] = theirs[docname]
                else:
                    mine.pop(docname, None)

    #: question id -> where links go; rebuilt lazily after any change, so a
    #: build with many links costs one pass over the targets, not one per link.
    _index: dict[str, QuestionTarget] | None = None

    def find_question(self, question_id: str) -> QuestionTarget | None:
        """First blank checklist embedding the question, else first review."""
        if self._index is None:
            index: dict[str, QuestionTarget] = {}
            for docname in sorted(self.targets):
                for target in self.targets[docname]:
                    known = index.get(target.question_id)
                    if known is None or (target.in_checklist and not known.in_checklist):
                        index[target.question_id] = target
            self._index = index
        return self._index.get(question_id)

    def find_target(self, target: str) -> QuestionTarget | None:
        """Where a link goes: ``plan-2a`` (a question), or ``falls-plan:plan-2a``
        (that review's answer to it)."""
        review_name, _, question_id = target.rpartition(":")
        if not review_name:
            return self.find_question(target)
        for review in self.all_reviews():
            if review.name == review_name:
                slot = next((s for s in review.slots if s.id == question_id), None)
                if slot is None:
                    return None
                return QuestionTarget(question_id, review.docname, slot.anchor, False)
        return None

    def targets_signature(self) -> str:
        """Changes whenever any link could go somewhere else (see checks.relink_pages)."""
        self.find_question("")
        places = sorted((qid, t.docname, t.anchor) for qid, t in (self._index or {}).items())
        places += sorted(
            (r.name, r.docname, s.id, s.anchor) for r in self.all_reviews() for s in r.slots
        )  # type: ignore[arg-type]
        return hashlib.sha256(repr(places).encode()).hexdigest()

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> nodes.reference | None:
        found = self.find_target(target) if typ == "question" else None
        if found is None:
            return None
        return make_refnode(builder, fromdocname, found.docname, found.anchor, contnode, target)

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        found = self.resolve_xref(env, fromdocname, builder, "question", target, node, contnode)
        return [("ethics:question", found)] if found is not None else []

    def get_objects(self) -> Iterable[tuple[str, str, str, str, str, int]]:
        """One entry per question shown somewhere, at the place links go."""
        self.find_question("")  # builds the index
        for question_id, target in sorted((self._index or {}).items()):
            yield (question_id, question_id, "question", target.docname, target.anchor, 1)


def unresolved_question(
    app: object, env: object, node: pending_xref, contnode: nodes.Element
) -> nodes.Element | None:
    """Show a link that points nowhere as its text; the project check warns.

    Connected after intersphinx (priority 900), so a question that another
    project's inventory holds is linked there first.
    """
    return contnode if node.get("refdomain") == "ethics" else None


def record_problem(env: BuildEnvironment, problem: Problem) -> None:
    """The one way a problem found while reading is reported: logged (Sphinx
    drops it if ``suppress_warnings`` says so), then kept in the domain for the
    gate and the report, unless suppressed.  ``problem.docname`` is the page
    it belongs to (the page being read when empty)."""
    log(problem)
    if not is_suppressed(problem.subtype, env.config):
        EthicsDomain.get(env).add_problem(problem.docname or env.docname, problem)
