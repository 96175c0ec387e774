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
    """One referral per screening slot whose answer is one its rule fires on."""
    latest = latest_by_role(signoffs)
    found = []
    for slot in slots:
        question = questions.get(slot.id)
        rule = question.refer if question is not None else None
        if rule is None or not slot.choice or slot.choice not in rule.when:
            continue
        recorded = latest.get(role_key(rule.to))
        found.append(
            ReferralRecord(
                to=rule.to,
                because=rule.because,
                question=slot.id,
                answer=slot.choice,
                outcome=outcome(recorded) if recorded else "",
            )
        )
    return tuple(found)


def review_problems(
    review: ReviewRecord,
    when: dt.date,
    roles: Sequence[str],
    placeholders: Sequence[str] = (),
) -> list[Problem]:
    """Sign-off, field and referral problems of one review, judged today."""
    return (
        _missing_roles(review, roles)
        + _signoff_dates(review, when)
        + _missing_fields(review, placeholders)
        + _open_referrals(review)
    )


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
        if signoff is None or signoff.decision not in APPROVING:
            msg = f"review {review.name!r} is marked approved but has no approving sign-off "
            msg += f"from {role!r} (ethics_signoff_roles)"
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
    return dataclasses.replace(
        review, slots=tuple(slots), referrals=referrals(slots, by_id, review.signoffs)
    )
