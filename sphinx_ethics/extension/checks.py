"""Project-wide checks, run once per build after every document is read.

Problems inside one document (an unknown id, a duplicate answer) are found
and recorded while that document is read (see :mod:`sphinx_ethics.extension.review`).
Problems about the *state* of reviews (an unanswered slot, an approved
review with blanks, an overdue review, a name used twice) and links that
point nowhere are worked out here from the stored records, by pure
functions, so an incremental build that re-reads nothing still lists every
one, and the report counts exactly what was logged.

The gate: :func:`all_problems` is the one list that ``-W``-free builds with
``ethics_fail_on_unanswered``, the reports and ``sphinx-ethics check`` judge
by.  A suppressed subtype is left out everywhere.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Set
from typing import TYPE_CHECKING

from sphinx.util import logging

from sphinx_ethics.answers import governance
from sphinx_ethics.answers.slots import SCREENING_REASON, ReviewRecord, parse_date, today
from sphinx_ethics.catalogue import did_you_mean, unknown_id
from sphinx_ethics.extension.config import (
    config_problems,
    placeholders,
    project_catalog,
    signoff_digest_required,
    signoff_roles,
    today_setting,
)
from sphinx_ethics.extension.domain import EthicsDomain
from sphinx_ethics.problems import Problem, is_suppressed, log

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment

logger = logging.getLogger("sphinx_ethics")


# --------------------------------------------------------------------------
# What is wrong: pure functions of the stored records
# --------------------------------------------------------------------------


def review_problems(review: ReviewRecord, when: dt.date) -> list[Problem]:
    """Unanswered slots, an approved review with blanks, an overdue review."""
    problems = []
    for slot in review.unanswered_slots():
        where = {"docname": review.docname, "review": review.name}
        if slot.file:
            where["file"] = slot.file
        line = slot.line or review.line
        if slot.reason.startswith(SCREENING_REASON):
            msg = f"{slot.id}: {slot.reason} (review {review.name!r})"
            problems.append(Problem("screening", msg, line=line, **where))
            continue
        if slot.reason.startswith("marked not-applicable"):
            msg = f"{slot.id}: {slot.reason} (review {review.name!r})"
            problems.append(Problem("not-applicable", msg, line=line, **where))
            continue
        reason = slot.reason or "no answer"
        msg = f"{slot.id}: unanswered in review {review.name!r}: {reason}"
        problems.append(Problem("unanswered", msg, line=line, **where))
    where = {"docname": review.docname, "line": review.line, "review": review.name}
    unanswered = len(review.unanswered_slots())
    if unanswered and review.status == "approved":
        msg = f"review {review.name!r} is marked approved but {unanswered} required question(s) "
        problems.append(Problem("approved-unanswered", msg + "are unanswered", **where))
    if is_overdue(review, when):
        msg = f"review {review.name!r} was due for review by {review.review_by} (today is {when})"
        problems.append(Problem("overdue", msg, **where))
    return problems


def is_overdue(review: ReviewRecord, when: dt.date) -> bool:
    review_by = parse_date(review.review_by) if review.review_by else None
    return bool(review_by and review_by < when)


def duplicate_names(reviews: list[ReviewRecord]) -> list[Problem]:
    first_by_name: dict[str, ReviewRecord] = {}
    problems = []
    for review in reviews:
        other = first_by_name.setdefault(review.name, review)
        if other is not review:
            msg = f"review name {review.name!r} is also used by the review at "
            msg += f"{other.docname}:{other.line}"
            problems.append(
                Problem(
                    "duplicate-review",
                    msg,
                    docname=review.docname,
                    line=review.line,
                    review=review.name,
                )
            )
    return problems


def link_problems(app: Sphinx, domain: EthicsDomain) -> list[Problem]:
    """Every ``:ethics-question:`` link must point at a question shown somewhere."""
    catalog = project_catalog(app.config)
    problems = []
    names = {r.name for r in domain.all_reviews()}
    elsewhere = other_projects_questions(domain.env)
    for docname in sorted(domain.links):
        for target, line in domain.links[docname]:
            if target in elsewhere:  # intersphinx links it to another project
                continue
            review_name, _, question_id = target.rpartition(":")
            if review_name and review_name not in names:
                hint = did_you_mean(review_name, sorted(names))
                msg = f"link to {target!r}: there is no review named {review_name!r}{hint}"
            elif question_id not in catalog.questions:
                msg = "link to " + unknown_id("question", question_id, catalog.questions)
            elif review_name and domain.find_target(target) is None:
                msg = f"link to {target!r}: review {review_name!r} does not ask {question_id}"
            elif domain.find_question(question_id) is None:
                msg = f"{question_id} is not shown on any page (add an ethics-checklist or "
                msg += "ethics-review with it)"
            else:
                continue
            problems.append(Problem("unknown-question", msg, docname=docname, line=line))
    return problems


def other_projects_questions(env: BuildEnvironment) -> Set[str]:
    """Question ids other projects publish, from the inventories intersphinx loaded.

    Read in every builder (``ethics-check`` too), so a link that intersphinx
    resolves is never ``unknown-question``.
    """
    inventory = getattr(env, "intersphinx_inventory", None) or {}
    return inventory.get("ethics:question", {}).keys()


def project_problems(app: Sphinx, env: BuildEnvironment) -> list[Problem]:
    """What the project check finds (and logs), in a stable order."""
    domain = EthicsDomain.get(env)
    reviews = domain.all_reviews()
    when = today(today_setting(app.config))
    problems = duplicate_names(reviews)
    roles = signoff_roles(app.config)
    patterns = placeholders(app.config)
    for review in reviews:
        problems += review_problems(review, when)
        problems += governance.review_problems(
            review, when, roles, patterns, signoff_digest_required(app.config)
        )
    problems += link_problems(app, domain)
    return [p for p in problems if not is_suppressed(p.subtype, app.config)]


#: Shown on the page by other means: each slot's state, the overdue note.
SHOWN_ELSEWHERE = frozenset({"unanswered", "not-applicable", "screening", "overdue"})


def shown_on_page(config: Config, review: ReviewRecord) -> list[Problem]:
    """The review's own project problems its page lists (referrals, sign-offs, fields),
    so the page says "Not complete" whenever the report and the gate do."""
    when = today(today_setting(config))
    found = review_problems(review, when)
    found += governance.review_problems(
        review, when, signoff_roles(config), placeholders(config), signoff_digest_required(config)
    )
    return [
        p
        for p in found
        if p.subtype not in SHOWN_ELSEWHERE and not is_suppressed(p.subtype, config)
    ]


def all_problems(app: Sphinx) -> list[Problem]:
    """Configuration, reading and project problems: what the gate judges by."""
    found = config_problems(app.config)
    found = [p for p in found if not is_suppressed(p.subtype, app.config)]
    found += EthicsDomain.get(app.env).all_problems()
    return found + project_problems_once(app)


#: Each build's project problems, worked out once after reading (the log, the
#: summary pages, the report and the gate all use them; issue 25).  Dropped
#: when the next reading starts and when the build ends (:func:`forget_problems`).
_project: weakref.WeakKeyDictionary[Sphinx, list[Problem]] = weakref.WeakKeyDictionary()


def project_problems_once(app: Sphinx) -> list[Problem]:
    """:func:`project_problems` of this build, computed on first use only."""
    found = _project.get(app)
    if found is None:
        found = _project[app] = project_problems(app, app.env)
    return list(found)


def forget_problems(app: Sphinx, *args: object) -> None:
    """``env-before-read-docs`` and the end of ``build-finished``: records may change."""
    _project.pop(app, None)


# --------------------------------------------------------------------------
# When: event handlers
# --------------------------------------------------------------------------

#: Where the targets signature of the last build is kept (outside the
#: per-document data, so no document's purge or merge touches it).
SIGNATURE_KEY = "targets_signature"


OVERDUE_KEY = "overdue"


def pages_gone_overdue(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages to rewrite because a review became (or stopped being) overdue.

    "Overdue" is shown when a page is written; when today passes a review-by
    date and no page changed, the review's page and the summary pages are
    written again, so the mark is never stale.
    """
    domain = EthicsDomain.get(env)
    when = today(today_setting(app.config))
    overdue = sorted(r.anchor for r in domain.all_reviews() if is_overdue(r, when))
    before = domain.data.get(OVERDUE_KEY)
    domain.data[OVERDUE_KEY] = overdue
    if before is None or before == overdue:
        return []
    changed = set(before) ^ set(overdue)
    pages = {r.docname for r in domain.all_reviews() if r.anchor in changed}
    return sorted(pages | set(domain.summaries))


def relink_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Pages with ``:ethics-question:`` links are rewritten when any target moved.

    A link is resolved when its page is written; without this, a page whose
    link target changed elsewhere (a checklist added on another page) would
    keep its old link until a full rebuild.
    """
    domain = EthicsDomain.get(env)
    signature = domain.targets_signature()
    if domain.data.get(SIGNATURE_KEY) == signature:
        return []
    domain.data[SIGNATURE_KEY] = signature
    return sorted(docname for docname, links in domain.links.items() if links)


#: Builders whose project check already ran in this build.
_checked: weakref.WeakSet[Builder] = weakref.WeakSet()
#: The pages each build (its app) reads: their reading problems were just logged.
_read: weakref.WeakKeyDictionary[Sphinx, set[str]] = weakref.WeakKeyDictionary()


def note_pages_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """``env-before-read-docs``: remember which pages this build reads."""
    _read.setdefault(app, set()).update(docnames)
    forget_problems(app)


def check_project(app: Sphinx, builder: Builder) -> None:
    """Log every project problem at ``write-started``, beside the reading ones.

    A problem found while reading a page (an orphan answer, a markup slip)
    is logged when the page is read; for the pages this build did not read
    again, it is logged here from the domain, so every build lists it until
    it is fixed and ``-W`` fails on the second build as on the first.

    Sphinx < 9 skips writing (and that event) when nothing changed;
    :func:`check_if_skipped` then runs it at the end.
    """
    _checked.add(builder)
    read = _read.pop(app, set())
    domain = EthicsDomain.get(builder.env)
    for docname in sorted(domain.problems):
        if docname not in read:
            for problem in domain.problems[docname]:
                log(problem)
    for problem in project_problems_once(app):
        log(problem)


def check_if_skipped(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder not in _checked:
        check_project(app, app.builder)
    _checked.discard(app.builder)  # the next build (same process) checks afresh
    _read.pop(app, None)


def fail_on_problems(app: Sphinx, exception: Exception | None) -> None:
    """With ``ethics_fail_on_unanswered``, any ethics problem fails the build (no -W needed)."""
    if exception is not None or not app.config.ethics_fail_on_unanswered:
        return
    problems = all_problems(app)
    if problems:
        logger.error(
            "%d ethics problem(s), %d of them unanswered required question(s) "
            "(ethics_fail_on_unanswered is set)",
            len(problems),
            sum(1 for p in problems if p.subtype in ("unanswered", "not-applicable")),
            type="ethics",
            subtype="gate",
        )
        app.statuscode = 1
