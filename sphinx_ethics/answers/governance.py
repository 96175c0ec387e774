"""Governance rules: sign-offs, required review fields, screening referrals.

Plain Python, no Sphinx: pure functions of the records in
:mod:`sphinx_ethics.answers.slots`.  The ``ethics-signoff`` directive and the nodes
that show sign-offs and referrals are in :mod:`sphinx_ethics.extension.signoff`; the
project check (:mod:`sphinx_ethics.extension.checks`) calls :func:`review_problems`
once per review, so rules that depend on today's date or on the
configuration are always judged afresh.

The rules, as SPEC §8 and the how-to "Record sign-off and decide on
referral" state them:

- a review marked ``approved`` needs, from each role of
  ``ethics_signoff_roles``, a latest sign-off that approves
  (``approved`` or ``approved-with-conditions``);
- a role's latest sign-off may not be ``changes-requested`` on an approved
  review; earlier ones are its history and stay;
- no sign-off is dated after today (``ethics_today``) or after the
  review's ``:review-by:``;
- every field of ``ethics_review_fields`` has a value;
- no sign-off is dated before the review's ``:date:``;
- ``:by:``, a sign-off's comment and a field's value are not placeholders
  (``TBD``, ``?``), judged as answers are;
- a fired referral is open until a sign-off whose role is the body referred
  to (any decision) records its outcome, and a review with an open referral
  is incomplete whatever its status (SPEC §11).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from sphinx_ethics.answers.digest import changed_slots, screening_digest
from sphinx_ethics.answers.digest import digest as answers_digest
from sphinx_ethics.answers.slots import (
    APPROVING,
    NOT_APPLICABLE_HINT,
    SIGNOFF_DECISIONS,
    GivenAnswer,
    ReferralRecord,
    ReviewRecord,
    SignoffRecord,
    SlotRecord,
    classify_slots,
    parse_date,
    placeholder_reason,
    visible,
)
from sphinx_ethics.problems import Problem

if TYPE_CHECKING:
    from sphinx_ethics.catalogue import Question


def role_key(role: str) -> str:
    """Roles match ignoring case and spacing: "Clinical lead" is "clinical  Lead"."""
    return " ".join(role.split()).casefold()


def signoff_faults(
    role: str,
    by: str,
    date: str,
    decision: str,
    comment: str = "",
    placeholders: Sequence[str] = (),
) -> list[str]:
    """What makes one sign-off unusable as written (read-time checks).

    ``:by:`` and the comment obey the answers' placeholder rules
    (:func:`~sphinx_ethics.answers.slots.placeholder_reason`): ``:by: TBD``
    names nobody, and a comment ``TBC`` states no conditions.
    """
    faults = []
    by, comment = visible(by), visible(comment)
    if not role:
        faults.append("ethics-signoff names no role (ethics-signoff:: Clinical lead)")
    if not by:
        faults.append(f"sign-off by {role or '?'!r} has no :by: (who signed)")
    elif why := placeholder_reason(by, placeholders, ":by:"):
        faults.append(f"sign-off by {role or '?'!r}: {why}, not the name of who signed")
    if comment and (why := placeholder_reason(comment, placeholders, "its comment")):
        faults.append(
            f"sign-off by {role or '?'!r}: {why}; write the comment or conditions, or leave "
            "the content out"
        )
    if not date:
        faults.append(f"sign-off by {role or '?'!r} has no :date: (YYYY-MM-DD)")
    elif parse_date(date) is None:
        faults.append(f"sign-off by {role or '?'!r}: :date: {date!r} is not a date YYYY-MM-DD")
    if decision not in SIGNOFF_DECISIONS:
        given = f":decision: {decision!r} is not" if decision else "has no :decision:; use"
        faults.append(f"sign-off by {role or '?'!r} {given} one of: {', '.join(SIGNOFF_DECISIONS)}")
    return faults


def latest_by_role(signoffs: Iterable[SignoffRecord]) -> dict[str, SignoffRecord]:
    """Each role's latest sign-off: by date, then page order."""
    latest: dict[str, SignoffRecord] = {}
    for signoff in signoffs:
        key = role_key(signoff.role)
        known = latest.get(key)
        if known is None or signoff.date >= known.date:
            latest[key] = signoff
    return latest


def outcome(signoff: SignoffRecord) -> str:
    """A referral's outcome as the body's sign-off records it."""
    text = f"{signoff.decision} by {signoff.by} on {signoff.date}"
    return f"{text}: {signoff.comment}" if signoff.comment else text


def referrals(
    slots: Sequence[SlotRecord],
    questions: Mapping[str, Question],
    signoffs: Sequence[SignoffRecord],
) -> tuple[ReferralRecord, ...]:
    """One referral per screening slot whose answer is one its rule fires on.

    The body's latest sign-off records the outcome, unless it is stale (its
    ``:digest:`` no longer matches the screening answers): then the referral
    is open again, with the reason in ``reopened``.
    """
    latest = latest_by_role(signoffs)
    found = []
    for slot in slots:
        question = questions.get(slot.id)
        rule = question.refer if question is not None else None
        if rule is None or not slot.choice or slot.choice not in rule.when:
            continue
        recorded = latest.get(role_key(rule.to))
        reopened = ""
        if recorded is not None and recorded.stale:
            reopened = f"the sign-off of {recorded.date} by {recorded.by}: {recorded.stale}"
            recorded = None
        found.append(
            ReferralRecord(
                to=rule.to,
                because=rule.because,
                question=slot.id,
                answer=slot.choice,
                outcome=outcome(recorded) if recorded else "",
                reopened=reopened,
            )
        )
    return tuple(found)


STALE = "the answers changed since this sign-off"
STALE_SCREENING = "the screening answers changed since this sign-off"


def judge_signoffs(
    review: ReviewRecord, questions: Mapping[str, Question], signoffs: Sequence[SignoffRecord]
) -> ReviewRecord:
    """The review with its digests, each sign-off marked stale or not, and its referrals.

    Called wherever the slots' states are final (the directive, then
    :func:`rejudge` from the seen text), so the page, the report, the check
    and the gate judge one set of sign-offs.  A sign-off whose role is a
    screening question's referral body may carry the screening slots'
    digest instead of the whole review's.
    """
    screening = [s.id for s in review.slots if (q := questions.get(s.id)) and q.screening]
    whole = answers_digest(review.slots)
    partial = screening_digest(review.slots, screening)
    bodies = {role_key(q.refer.to) for sid in screening if (q := questions[sid]).refer is not None}
    judged = []
    for signoff in signoffs:
        stale = ""
        if signoff.digest and signoff.digest != whole:
            body = role_key(signoff.role) in bodies
            if not (body and signoff.digest == partial):
                stale = _stale_reason(signoff, review.slots, set(screening) if body else None)
        judged.append(dataclasses.replace(signoff, stale=stale))
    found = tuple(judged)
    return dataclasses.replace(
        review,
        signoffs=found,
        referrals=referrals(review.slots, questions, found),
        digest=whole,
        screening_digest=partial,
    )


def _stale_reason(
    signoff: SignoffRecord, slots: Sequence[SlotRecord], screening: set[str] | None
) -> str:
    """Why a sign-off is stale: the slots that changed when its ``:slots:`` tells,
    else the general sentence.  A referral body's sign-off (``screening``: the
    screening slots' ids) is judged on the screening slots only."""
    changed = changed_slots(signoff.slots, slots, screening) if signoff.slots else []
    if not changed and signoff.slots:  # a body that signed the whole review
        changed = changed_slots(signoff.slots, slots)
    if changed:
        return f"the answers of {', '.join(changed)} changed since this sign-off"
    return STALE if screening is None else STALE_SCREENING


def review_problems(
    review: ReviewRecord,
    when: dt.date,
    roles: Sequence[str],
    placeholders: Sequence[str] = (),
    require_digest: bool = False,
) -> list[Problem]:
    """Sign-off, field and referral problems of one review, judged today."""
    return (
        _missing_roles(review, roles)
        + _stale_signoffs(review, require_digest)
        + _signoff_dates(review, when)
        + _missing_fields(review, placeholders)
        + _open_referrals(review)
    )


def signed(signoff: SignoffRecord, review: ReviewRecord) -> bool:
    """Whether a role's sign-off approves the answers as they stand.

    A stale one does not, nor one tied to the screening answers only
    (a role of ``ethics_signoff_roles`` approves the whole review).
    """
    if signoff.decision not in APPROVING or signoff.stale:
        return False
    return not signoff.digest or not review.digest or signoff.digest == review.digest


def _stale_signoffs(review: ReviewRecord, require_digest: bool) -> list[Problem]:
    """Each role's latest sign-off that no longer covers the answers (a referral
    body's is told by the re-opened referral instead); with
    ``ethics_signoff_digest = "required"``, each sign-off without a digest."""
    problems = []
    reopened = {role_key(r.to) for r in review.referrals if r.reopened}
    for signoff in latest_by_role(review.signoffs).values():
        if signoff.stale and role_key(signoff.role) not in reopened:
            msg = f"sign-off by {signoff.role!r} ({signoff.by}, {signoff.date}) of review "
            msg += f"{review.name!r} is stale: {signoff.stale} (its :digest: is "
            msg += f"{signoff.digest}, the answers' is now {review.digest}); the role counts "
            msg += "as not signed until it signs again (sphinx-ethics signoff)"
            problems.append(_problem(review, "signoff-stale", msg, signoff.line))
    if require_digest:
        for signoff in review.signoffs:
            if not signoff.digest:
                msg = f"sign-off by {signoff.role!r} has no :digest:, so it is not tied to a "
                msg += "version of the answers (ethics_signoff_digest = 'required'); record it "
                msg += "with 'sphinx-ethics signoff'"
                problems.append(_problem(review, "signoff", msg, signoff.line))
    return problems


def _problem(review: ReviewRecord, subtype: str, message: str, line: int = 0) -> Problem:
    return Problem(
        subtype,  # type: ignore[arg-type]
        message,
        line=line or review.line,
        docname=review.docname,
        review=review.name,
    )


def _missing_roles(review: ReviewRecord, roles: Sequence[str]) -> list[Problem]:
    if review.status != "approved":
        return []
    latest = latest_by_role(review.signoffs)
    problems = []
    for role in roles:
        signoff = latest.get(role_key(role))
        if signoff is None or not signed(signoff, review):
            msg = f"review {review.name!r} is marked approved but has no approving sign-off "
            msg += f"from {role!r} (ethics_signoff_roles)"
            if signoff is not None and signoff.decision in APPROVING:
                msg += f" that covers the answers as they stand (its :digest: {signoff.digest}"
                msg += f" is not the answers' {review.digest})"
            problems.append(_problem(review, "signoff", msg))
    for signoff in latest.values():
        if signoff.decision == "changes-requested":
            msg = f"{signoff.role!r} requested changes ({signoff.date}) but review "
            msg += f"{review.name!r} is marked approved"
            problems.append(_problem(review, "signoff", msg, signoff.line))
    return problems


def _signoff_dates(review: ReviewRecord, when: dt.date) -> list[Problem]:
    review_by = parse_date(review.review_by) if review.review_by else None
    started = parse_date(review.date) if review.date else None
    problems = []
    for signoff in review.signoffs:
        date = parse_date(signoff.date)
        if date is None:
            continue
        if started is not None and date < started:
            msg = f"sign-off by {signoff.role!r} is dated {signoff.date}, before the review's "
            msg += f":date: {review.date}: a decision cannot come before the review"
            problems.append(_problem(review, "signoff", msg, signoff.line))
        elif date > when:
            msg = f"sign-off by {signoff.role!r} is dated {signoff.date}, in the future "
            msg += f"(today is {when})"
            problems.append(_problem(review, "signoff", msg, signoff.line))
        elif review_by is not None and date > review_by:
            msg = f"sign-off by {signoff.role!r} is dated {signoff.date}, after the review's "
            msg += f":review-by: {review.review_by}"
            problems.append(_problem(review, "signoff", msg, signoff.line))
    return problems


def _missing_fields(review: ReviewRecord, placeholders: Sequence[str]) -> list[Problem]:
    problems = []
    for name, label, value in review.fields:
        shown = visible(value)
        if not shown:
            msg = f"review {review.name!r} has no :{name}: ({label}), which "
            msg += "ethics_review_fields requires"
            problems.append(_problem(review, "field", msg))
            continue
        why = placeholder_reason(shown, placeholders, f":{name}:")
        if why:
            msg = f"review {review.name!r}: {why.removesuffix(NOT_APPLICABLE_HINT)}, not a "
            msg += f"{label} (ethics_review_fields requires one)"
            problems.append(_problem(review, "field", msg))
    return problems


def _open_referrals(review: ReviewRecord) -> list[Problem]:
    """An open referral leaves the review incomplete, whatever its status (SPEC §11)."""
    problems = []
    for referral in review.referrals:
        if referral.open:
            marked = f"is marked {review.status} but " if review.status else ""
            msg = f"review {review.name!r} {marked}has an open referral to "
            msg += f"{referral.to!r} ({referral.question} is {referral.answer}): record its "
            msg += f"outcome with 'ethics-signoff:: {referral.to}'"
            if referral.reopened:
                msg += f"; re-opened: {referral.reopened}"
            problems.append(_problem(review, "referral", msg))
    return problems


def rejudge(
    review: ReviewRecord,
    questions: Sequence[Question],
    given: Mapping[str, GivenAnswer],
    placeholders: Sequence[str],
) -> ReviewRecord:
    """The review's slots classified again from ``given`` (the answers' seen text),
    and the referrals those slots fire; everything else as recorded."""
    slots = classify_slots(
        questions,
        given,
        {s.id for s in review.slots if not s.required},
        placeholders,
        {s.id: s.anchor for s in review.slots},
    )
    by_id = {q.id: q for q in questions}
    return judge_signoffs(dataclasses.replace(review, slots=tuple(slots)), by_id, review.signoffs)
