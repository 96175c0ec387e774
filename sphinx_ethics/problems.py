"""Every ethics problem: its subtype, its record, and the one way it is logged.

A problem is logged as a Sphinx warning with ``type="ethics"`` and a
subtype, so ``suppress_warnings = ["ethics.<subtype>"]`` silences it and
``-W`` fails on it.  A problem found while reading is logged and *recorded*
in one call, :func:`sphinx_ethics.extension.domain.record_problem`; project
problems are found again each build (:mod:`sphinx_ethics.extension.checks`),
so the gate and the reports count problems from one list instead of
reading warning text back.  Every warning the package logs is typed
(``tests/test_problems.py`` scans for untyped ones).

One name for one kind: :class:`Problem` is a problem of the build (with a
subtype); :class:`sphinx_ethics.catalogue.ChecklistProblem` is what is wrong
in a checklist file (also for ``sphinx-ethics validate``), which
the build turns into an ``ethics.checklist`` :class:`Problem`.

To add a subtype: add it to :data:`Subtype` and :data:`SUBTYPES` (the
reference docs are generated from the table), then call :func:`warn` or a
directive's ``problem()`` with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

if TYPE_CHECKING:
    from sphinx.config import Config

Subtype = Literal[
    "unanswered",
    "not-applicable",
    "unknown-question",
    "unknown-checklist",
    "unknown-tip",
    "unknown-definition",
    "unknown-introduction",
    "unknown-resource",
    "duplicate-answer",
    "orphan-answer",
    "nested-review",
    "duplicate-review",
    "status",
    "date",
    "approved-unanswered",
    "overdue",
    "checklist",
    "answers-file",
    "config",
    "option",
    "markup",
    "signoff",
    "signoff-stale",
    "question-changed",
    "field",
    "screening",
    "referral",
    "untrusted",
    "programme-source",
    "programme-stale",
    "report",
    "gate",
]

#: Every warning subtype, with what it means. ``suppress_warnings =
#: ["ethics.<subtype>"]`` silences one; the reference docs list this table.
SUBTYPES: dict[Subtype, str] = {
    "unanswered": "A required slot has no answer, an empty one, a draft, or only a "
    "placeholder (see ``ethics_placeholder_patterns``), judged by the text a reader sees: "
    "after substitutions, without invisible characters.",
    "not-applicable": "An answer is marked ``:status: not-applicable`` but gives no reason, "
    "or only a placeholder (``TBC``, ``?``, ``...``).",
    "unknown-question": "An answer or ``:optional:`` names an id that is not in the "
    "review's checklists.",
    "unknown-checklist": "A review or checklist directive names an unknown checklist, "
    "or names none.",
    "unknown-tip": "``ethics-tips`` names an unknown tip.",
    "unknown-definition": "``ethics-definitions`` names an unknown definition.",
    "unknown-introduction": "``ethics-introduction`` names an unknown introduction.",
    "unknown-resource": "``ethics-resources`` names an unknown resource.",
    "duplicate-answer": "Two answers for one slot in one review.",
    "orphan-answer": "``ethics-answer`` outside any ``ethics-review``.",
    "nested-review": "``ethics-review`` inside another ``ethics-review``.",
    "duplicate-review": "Two reviews share one ``:name:``, or a review's ``:name:`` is "
    "already a label elsewhere.",
    "status": "An unknown review ``:status:`` or answer ``:status:``.",
    "date": "A ``:date:`` or ``:review-by:`` value that is not an ISO date (YYYY-MM-DD).",
    "approved-unanswered": "A review marked ``approved`` still has unanswered required slots.",
    "overdue": "A review's ``:review-by:`` date has passed.",
    "checklist": "A checklist file is invalid: file, line and what is wrong.",
    "answers-file": "An ``:answers:`` file is missing, invalid, or outside the source dir.",
    "config": "A configuration value has the wrong type or form.",
    "option": "An ethics directive has an unknown option or an option value it cannot use "
    "(the directive still counts), or could not be read at all.",
    "markup": "A markup slip that could hide an answer or a question: an option line "
    "inside an answer's text, answer text not indented under its directive, MyST "
    "fences that close a review early, colon fences without ``colon_fence``, or "
    "``only`` / ``ifconfig`` inside an answer (what it shows depends on the builder). The "
    "slot is not counted as answered until it is fixed.",
    "signoff": "An ``ethics-signoff`` without ``:by:``, a valid ``:date:`` or ``:decision:`` "
    "(it is not counted); an ``approved`` review without an approving sign-off from each "
    "role of ``ethics_signoff_roles``, or whose role's latest sign-off requests changes; "
    "a sign-off dated in the future, before the review's ``:date:`` or after its "
    "``:review-by:``; a ``:by:`` or comment that is only a placeholder (``TBD``, ``?``); a "
    "``:digest:`` that is not 12 lowercase hex characters; with ``ethics_signoff_digest = "
    '"required"``, a sign-off without ``:digest:``.',
    "signoff-stale": "A role's latest sign-off no longer covers the answers: its "
    "``:digest:`` is not the digest of the review's answers as they stand (an answer, its "
    "state or a screening choice changed since). The role counts as not signed until it "
    "signs again (``sphinx-ethics signoff``). Its ``:slots:`` (written by the command) "
    "lets the warning name the slots that changed.",
    "question-changed": "An answer was given under a question that has changed since: the "
    "review's ``:answered-under:`` records the checklist versions and each question's text "
    "digest, and the checklist's ``migrations:`` (or the text itself) says the question was "
    "reworded, moved to another id, split, merged or retired. Reported at the answer; "
    "``sphinx-ethics migrate`` applies the declared mappings.",
    "field": "A review lacks a field of ``ethics_review_fields``, leaves it empty (or "
    "invisible), or gives only a placeholder (``:registration: TBD``).",
    "screening": "A screening question's answer is not ``yes``, ``no`` or ``unsure`` "
    "(or gives none), or it is marked not-applicable (screening questions always "
    "apply): the slot is not answered.",
    "referral": "A screening referral has no recorded outcome (an ``ethics-signoff`` by "
    "the body referred to), or the body's sign-off is stale (the screening answers "
    "changed since its ``:digest:``, so the referral is open again): the review is "
    "incomplete, whatever its ``:status:``.",
    "untrusted": "Text in an answers file that is not allowed there (see "
    ":doc:`/security`): a directive, a role or markup outside the allow-list, or a "
    "control character. It is shown as literal text (control characters as U+FFFD) "
    "and never runs; the build fails until it is removed, or the answer is moved "
    "into the page.",
    "programme-source": "``ethics-programme`` cannot use a project's report: the snapshot "
    "folder or its index is missing, a project's last fetch failed (the data is ``cached``, "
    "``missing`` or ``invalid``, with the fetch's error), or a report has a newer "
    "``schema_version`` than this version reads (its core fields are shown).",
    "programme-stale": "A project's report in ``ethics-programme`` is older than its "
    "``max_age_days`` on the build's date (``ethics_today``): the row may no longer be true.",
    "report": "``ethics-report.json``, the JUnit report or the calendar could not be written "
    "(the path is a folder or a special file, or writing failed); the build's pages are "
    "written as usual.",
    "gate": "An error, not a warning: ``ethics_fail_on_unanswered`` is set and the project "
    "has problems, so the build fails (the line counts them). Silencing it hides the line, "
    "not the failure; the problems themselves are listed above it.",
}
assert set(SUBTYPES) == set(get_args(Subtype)), "SUBTYPES and Subtype must agree"


@dataclass(frozen=True)
class Problem:
    """One problem, as logged and as reported (``problems`` in the JSON report).

    ``docname`` is the page the problem was found in (or belongs to);
    ``file`` is set only when the problem lies in another file (an answers
    file, a checklist file).  ``review`` names the review the problem
    belongs to, if any.
    """

    subtype: Subtype
    message: str
    file: str = ""
    line: int = 0
    docname: str = ""
    review: str = ""

    @property
    def location(self) -> tuple[str, int] | str | None:
        """Where the log says it is: another file (answers, checklist) or the page."""
        if self.file:
            return f"{self.file}:{self.line}" if self.line else self.file
        if self.docname:
            return (self.docname, self.line)
        return None


def _logger() -> Any:
    from sphinx.util import logging

    return logging.getLogger("sphinx_ethics")


def warn(subtype: Subtype, message: str, location: Any) -> None:
    """Log one ethics warning; ``location`` is a node, ``(docname, line)`` or ``"file:line"``."""
    _logger().warning(message, type="ethics", subtype=subtype, location=location)


def log(problem: Problem) -> None:
    warn(problem.subtype, problem.message, problem.location)


def is_suppressed(subtype: str, config: Config) -> bool:
    """True when ``suppress_warnings`` silences ``ethics.<subtype>`` (or all ``ethics``)."""
    from sphinx.util.logging import is_suppressed_warning

    return is_suppressed_warning("ethics", subtype, config.suppress_warnings)
