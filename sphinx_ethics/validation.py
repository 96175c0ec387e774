"""Build-time validation: the warning subtypes, answer states, project checks.

Problems inside one document (an unknown id, a duplicate answer) are reported
while that document is read.  Problems about the *state* of reviews (an
unanswered slot, an approved review with blanks, an overdue review) are
reported once per build for the whole project, from the stored review
records (at ``write-started``), so an incremental build that re-reads
nothing still lists every unanswered slot, and ``-W`` and
``ethics_fail_on_unanswered`` always see the truth.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Set
from typing import TYPE_CHECKING, Any

from sphinx.builders.dummy import DummyBuilder
from sphinx.locale import get_translation
from sphinx.util import logging

from sphinx_ethics.catalog import did_you_mean
from sphinx_ethics.slots import ANSWERED_STATES, parse_date, today

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment

    from sphinx_ethics.domain import ReviewRecord

__ = get_translation("sphinx_ethics", "console")
logger = logging.getLogger("sphinx_ethics")

#: Every warning subtype, with what it means. ``suppress_warnings =
#: ["ethics.<subtype>"]`` silences one; the reference docs list this table.
SUBTYPES: dict[str, str] = {
    "unanswered": "A required slot has no answer, an empty one, a draft, or only a "
    "placeholder (see ``ethics_placeholder_patterns``).",
    "not-applicable": "An answer is marked ``:status: not-applicable`` but gives no reason.",
    "unknown-question": "An answer or ``:optional:`` names an id that is not in the "
    "review's checklists.",
    "unknown-checklist": "A review or checklist directive names an unknown checklist, "
    "or names none.",
    "unknown-tip": "``ethics-tips`` names an unknown tip.",
    "unknown-definition": "``ethics-definitions`` names an unknown definition.",
    "duplicate-answer": "Two answers for one slot in one review.",
    "orphan-answer": "``ethics-answer`` outside any ``ethics-review``.",
    "nested-review": "``ethics-review`` inside another ``ethics-review``.",
    "duplicate-review": "Two reviews share one ``:name:``.",
    "status": "An unknown review ``:status:`` or answer ``:status:``.",
    "date": "A ``:date:`` or ``:review-by:`` value that is not an ISO date (YYYY-MM-DD).",
    "approved-unanswered": "A review marked ``approved`` still has unanswered required slots.",
    "overdue": "A review's ``:review-by:`` date has passed.",
    "checklist": "A checklist file is invalid: file, line and what is wrong.",
    "answers-file": "An ``:answers:`` file is missing, invalid, or outside the source dir.",
    "config": "A configuration value has the wrong type or form.",
}


def warn(subtype: str, message: str, location: Any) -> None:
    """Log one ethics warning; ``location`` is a node or ``(docname, line)``."""
    assert subtype in SUBTYPES, subtype
    logger.warning(message, type="ethics", subtype=subtype, location=location)


# --------------------------------------------------------------------------
# Project-wide checks, run once per build after all documents are read
# --------------------------------------------------------------------------


def iter_reviews(env: BuildEnvironment) -> list[ReviewRecord]:
    """All reviews in the project, in document then line order."""
    from sphinx_ethics.domain import EthicsDomain

    domain: EthicsDomain = env.domains["ethics"]  # type: ignore[assignment]
    return domain.all_reviews()


#: Builders whose project check already ran in this build.
_checked: weakref.WeakSet[Builder] = weakref.WeakSet()


def check_project(app: Sphinx, builder: Builder) -> None:
    """Warn on every unanswered slot, duplicate name, approved blank and overdue review.

    Runs at ``write-started``, before pages are written, so the warnings sit
    with the reading ones.  Sphinx < 9 skips writing (and that event) when
    nothing changed; :func:`check_if_skipped` then runs it at the end.
    """
    _checked.add(builder)
    reviews = iter_reviews(builder.env)
    first_by_name: dict[str, ReviewRecord] = {}
    for review in reviews:
        other = first_by_name.setdefault(review.name, review)
        if other is not review:
            warn(
                "duplicate-review",
                __("review name %r is also used by the review at %s:%s")
                % (review.name, other.docname, other.line),
                (review.docname, review.line),
            )
    when = today(app.config.ethics_today)
    for review in reviews:
        check_review(review, when)
    check_links(app, builder.env)


def check_links(app: Sphinx, env: BuildEnvironment) -> None:
    """Every ``:ethics-question:`` link must point at a question shown somewhere."""
    from sphinx_ethics.config import project_catalog
    from sphinx_ethics.domain import EthicsDomain

    domain: EthicsDomain = env.domains["ethics"]  # type: ignore[assignment]
    catalog = project_catalog(app.config)
    for docname in sorted(domain.links):
        for question_id, line in domain.links[docname]:
            if question_id not in catalog.questions:
                hint = did_you_mean(question_id, catalog.questions)
                msg = __("link to unknown question %r%s") % (question_id, hint)
            elif domain.find_question(question_id) is None:
                msg = __("%s is not shown on any page (add an ethics-checklist or ")
                msg = (msg + "ethics-review with it)") % question_id
            else:
                continue
            warn("unknown-question", msg, (docname, line))


class CheckBuilder(DummyBuilder):
    """``-b ethics-check``: read and validate every page, write nothing.

    What ``sphinx-ethics check`` runs: all the ethics warnings of a full
    build, without resolving and writing pages.
    """

    name = "ethics-check"
    epilog = __("Ethics check finished.")

    def write_doctree(self, docname: str, doctree: Any, *, _cache: bool = True) -> None:
        pass  # nothing is written later, so no doctree cache is needed

    def write_documents(self, docnames: Set[str]) -> None:
        pass


def check_if_skipped(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder not in _checked:
        check_project(app, app.builder)
    _checked.discard(app.builder)  # the next build (same process) checks afresh


def check_review(review: ReviewRecord, when: dt.date) -> None:
    unanswered = 0
    for slot in review.slots:
        if not slot.required or slot.state in ANSWERED_STATES:
            continue
        unanswered += 1
        location = (review.docname, slot.line or review.line)
        if slot.reason.startswith("marked not-applicable"):
            msg = __("%s: marked not-applicable but gives no reason (review %r)")
            warn("not-applicable", msg % (slot.id, review.name), location)
            continue
        reason = slot.reason or __("no answer")
        msg = __("%s: unanswered in review %r: %s")
        warn("unanswered", msg % (slot.id, review.name, reason), location)
    if unanswered and review.status == "approved":
        msg = __("review %r is marked approved but %d required question(s) are unanswered")
        warn("approved-unanswered", msg % (review.name, unanswered), (review.docname, review.line))
    review_by = parse_date(review.review_by) if review.review_by else None
    if review_by and review_by < when:
        msg = __("review %r was due for review by %s (today is %s)")
        warn(
            "overdue",
            msg % (review.name, review_by.isoformat(), when.isoformat()),
            (review.docname, review.line),
        )


def fail_on_unanswered(app: Sphinx, exception: Exception | None) -> None:
    """Make ``sphinx-build`` exit non-zero, without ``-W``, when slots are blank."""
    if exception is not None or not app.config.ethics_fail_on_unanswered:
        return
    reviews = iter_reviews(app.env)
    missing = sum(r.required - r.answered for r in reviews)
    if missing:
        logger.error(
            __("%d required ethics question(s) unanswered in %d review(s) (%s is set)"),
            missing,
            sum(1 for r in reviews if r.required > r.answered),
            "ethics_fail_on_unanswered",
        )
        app.statuscode = 1
