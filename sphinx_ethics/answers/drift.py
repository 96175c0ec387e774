"""Answers given under questions that changed since (SPEC §12, checklist drift).

Plain Python, no Sphinx.  A review records what its answers were given
under in ``:answered-under:``: each checklist's version (``plan@2``) and
each question's text digest (``plan-1=3fa2c1``: 6 hex of the SHA-256 of
the question's text, white space made single spaces).  ``sphinx-ethics
new`` writes it, ``sphinx-ethics signoff`` writes it afresh when no question
changed, ``sphinx-ethics migrate`` brings it to the current versions as it
moves answers.  Nothing else is needed: no git history, no earlier build.

A later build compares: an answer whose checklist moved on from the
recorded version is judged by the checklist's declared ``migrations:``
(:mod:`sphinx_ethics.catalogue.migrations`); an answer whose question's
text digest differs from the recorded one, with no migration declaring it,
is flagged too.  Each finding is a ``question-changed`` problem at the
answer's file and line (:func:`drift`).  A review without the option is
not judged (nothing says what it was answered under).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sphinx_ethics.catalogue import Checklist, Question
from sphinx_ethics.catalogue.migrations import (
    QUESTION_ID,
    base_version,
    chain,
    fate,
    question_digest,
)

_VERSION_TOKEN = re.compile(r"([a-z][a-z0-9]*(?:-[a-z0-9]+)*)@(\S+)")
_DIGEST_TOKEN = re.compile(r"([a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+[a-z]?)=([0-9a-f]{6})")


@dataclass(frozen=True)
class Record:
    """What a review's answers were given under: versions and question digests."""

    versions: tuple[tuple[str, str], ...] = ()
    questions: tuple[tuple[str, str], ...] = ()

    @functools.cached_property
    def _versions(self) -> dict[str, str]:
        return dict(self.versions)

    @functools.cached_property
    def _questions(self) -> dict[str, str]:
        return dict(self.questions)

    def version(self, checklist: str) -> str | None:
        return self._versions.get(checklist)

    def digest(self, question: str) -> str | None:
        return self._questions.get(question)


def parse_record(text: str) -> Record | None:
    """The record in an ``:answered-under:`` value; None when it is not well formed."""
    versions, questions = [], []
    for token in text.split():
        if match := _VERSION_TOKEN.fullmatch(token):
            versions.append((match.group(1), match.group(2)))
        elif match := _DIGEST_TOKEN.fullmatch(token):
            questions.append((match.group(1), match.group(2)))
        else:
            return None
    return Record(tuple(versions), tuple(questions))


def format_record(record: Record) -> str:
    """``plan@2 plan-1=3fa2c1 plan-2=…``: one line, as the commands write it."""
    tokens = [f"{c}@{v}" for c, v in record.versions]
    return " ".join(tokens + [f"{q}={d}" for q, d in record.questions])


def current_record(checklists: Iterable[Checklist]) -> Record:
    """The record of answers given now: current versions and question texts."""
    versions, questions = [], []
    for checklist in checklists:
        versions.append((checklist.id, "".join(checklist.version.split())))
        questions += [(q.id, question_digest(q.text)) for q in checklist.slots()]
    return Record(tuple(versions), tuple(questions))


@dataclass(frozen=True)
class Finding:
    """One answer given under a question that changed (``id`` "" : the review itself)."""

    id: str
    message: str
    kind: str  # reworded, moved, split, merged, retired, changed, no-path
    targets: tuple[str, ...] = ()
    #: The answer is to a question the current version no longer has.
    gone: bool = False


@dataclass
class _Context:
    checklist: Checklist
    recorded: str
    steps: list | None  # the migrations from ``recorded`` to now; None: no path
    known: dict[str, Question] = field(default_factory=dict)


def checklist_of(question_id: str, checklists: Sequence[Checklist]) -> Checklist | None:
    """The review's checklist an id belongs to (also an id it no longer has)."""
    match = QUESTION_ID.fullmatch(question_id)
    if match is None:
        return None
    return next((c for c in checklists if c.id == match.group(1)), None)


def drift(
    record: Record, checklists: Sequence[Checklist], answered: Iterable[str]
) -> list[Finding]:
    """What changed under the answers ``answered`` (ids with text), in order,
    and per checklist with no declared path from its recorded version."""
    contexts: dict[str, _Context] = {}
    findings: list[Finding] = []
    for checklist in checklists:
        recorded = record.version(checklist.id)
        now = "".join(checklist.version.split())
        steps = chain(checklist.migrations, recorded, now) if recorded is not None else []
        known = {q.id: q for q in checklist.iter_questions()}
        contexts[checklist.id] = _Context(checklist, recorded or now, steps, known)
        tracked = any(q in known for q, _ in record.questions)
        if steps is None and not tracked:  # nothing to compare question by question
            msg = f"checklist {checklist.id!r} is version {now}, but this review's answers "
            msg += f"were given under version {recorded} (:answered-under:) and no "
            msg += f"migrations: lead from {base_version(recorded or '')} to "
            msg += f"{base_version(now)}; declare them under the checklist, then run "
            msg += "'sphinx-ethics migrate'"
            findings.append(Finding("", msg, "no-path"))
    for question_id in answered:
        checklist = checklist_of(question_id, checklists)
        if checklist is not None:
            found = _judge(question_id, contexts[checklist.id], record)
            if found is not None:
                findings.append(found)
    return findings


def _judge(question_id: str, context: _Context, record: Record) -> Finding | None:
    checklist, then = context.checklist, context.recorded
    now = "".join(checklist.version.split())
    under = f"{question_id} was answered under checklist {checklist.id!r} version {then}"
    told = fate(context.steps, question_id) if context.steps else None
    gone = question_id not in context.known
    if told is not None and told.kinds != ("reworded",):
        targets = ", ".join(told.ids)
        if "retired" in told.kinds and not told.ids:
            msg = f"{under}; the question was retired by version {now}: delete the answer"
            return Finding(question_id, msg, "retired", gone=gone)
        if "split" in told.kinds:
            msg = f"{under}; by version {now} the question was split into {targets}: answer "
            msg += "each of them (migrate does not split an answer), then delete this one"
            return Finding(question_id, msg, "split", told.ids, gone)
        if "merged" in told.kinds:
            others = [i for i in told.merged_from if i != question_id]
            msg = f"{under}; by version {now} it was merged with {', '.join(others)} into "
            msg += f"{targets}: run 'sphinx-ethics migrate' (it moves a lone answer; "
            msg += "answers to both you combine yourself)"
            return Finding(question_id, msg, "merged", told.ids, gone)
        msg = f"{under}; in version {now} that question is {targets}: run "
        msg += "'sphinx-ethics migrate' to move the answer"
        return Finding(question_id, msg, "moved", told.ids, gone)
    if told is not None:
        msg = f"{under}; the question was reworded by version {now}: re-read the answer, "
        msg += "then run 'sphinx-ethics migrate' to record it under the new words"
        return Finding(question_id, msg, "reworded")
    recorded = record.digest(question_id)
    question = context.known.get(question_id)
    if recorded is None or question is None or question_digest(question.text) == recorded:
        return None
    msg = f"{question_id}: the question's text changed since this answer was given"
    if then == now:
        msg += f", but checklist {checklist.id!r} is still version {now}: give the file a "
        msg += "new version and declare the change"
    else:
        msg += f" (checklist {checklist.id!r} version {then}, now {now}) and no migration "
        msg += "declares it: declare it"
    msg += " under the checklist's migrations: (reworded, moved_to, ...), then run "
    msg += "'sphinx-ethics migrate'"
    return Finding(question_id, msg, "changed")
