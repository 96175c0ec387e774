"""Checklist drift: ``migrations:`` between checklist versions (SPEC §12).

A checklist that changes declares, under the checklist, what became of its
questions between two versions of the file::

    migrations:
      - from: "1"
        to: "2"
        reworded: [plan-2]              # same id, new words
        moved_to: {plan-3: plan-4}      # the question now has another id
        split: {plan-5: [plan-6a, plan-6b]}
        merged: {plan-7: [plan-7, plan-8]}
        retired: [plan-9]

Plain Python, no Sphinx.  This module reads and checks that list (every
problem with the file's line), follows a chain of migrations from the
version a review was answered under to the current one, and says what
became of one old question id (:func:`fate`).  The review side (what was
recorded, what to warn about) is :mod:`sphinx_ethics.answers.drift`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: What a mapping can say about an old question, in the order it is told.
KINDS = ("reworded", "moved", "split", "merged", "retired")
#: A question id: checklist id, number, optional letter (``plan-3``, ``plan-2c``).
QUESTION_ID = re.compile(r"([a-z][a-z0-9]*(?:-[a-z0-9]+)*)-(\d+[a-z]?)")
#: Hex characters of a question's text digest in ``:answered-under:``.
QUESTION_DIGEST_LENGTH = 6


@dataclass(frozen=True)
class Migration:
    """One declared step between two versions of a checklist."""

    from_version: str
    to_version: str
    reworded: tuple[str, ...] = ()
    moved_to: tuple[tuple[str, str], ...] = ()
    split: tuple[tuple[str, tuple[str, ...]], ...] = ()
    merged: tuple[tuple[str, tuple[str, ...]], ...] = ()
    retired: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fate:
    """What became of an old question id along a chain of migrations."""

    kinds: tuple[str, ...]  # e.g. ("moved",) or ("reworded", "moved")
    ids: tuple[str, ...]  # the question's id(s) now; empty when retired
    #: For ``merged``: every old id merged into the same new question.
    merged_from: tuple[str, ...] = ()


def base_version(version: str) -> str:
    """The version migrations speak of: a checklist extended by another file
    has the version ``"2+team-extra"``; its migrations are the base file's."""
    return "".join(str(version).split()).split("+", 1)[0]


def question_digest(text: str) -> str:
    """6 hex of the SHA-256 of a question's text, white space made single spaces."""
    normal = " ".join(text.split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:QUESTION_DIGEST_LENGTH]


def migrations_from(data: Sequence[Mapping[str, Any]]) -> tuple[Migration, ...]:
    """The model of a checklist's checked ``migrations:`` list."""
    return tuple(
        Migration(
            from_version=base_version(str(item["from"])),
            to_version=base_version(str(item["to"])),
            reworded=tuple(item.get("reworded", ())),
            moved_to=tuple(item.get("moved_to", {}).items()),
            split=tuple((k, tuple(v)) for k, v in item.get("split", {}).items()),
            merged=tuple((k, tuple(v)) for k, v in item.get("merged", {}).items()),
            retired=tuple(item.get("retired", ())),
        )
        for item in data
    )


def chain(migrations: Sequence[Migration], start: str, end: str) -> list[Migration] | None:
    """The migrations from version ``start`` to ``end``, in order; ``[]`` when
    they are the same version, None when no declared path leads there."""
    start, end = base_version(start), base_version(end)
    steps: list[Migration] = []
    seen = {start}
    while start != end:
        step = next((m for m in migrations if m.from_version == start), None)
        if step is None or step.to_version in seen:
            return None
        steps.append(step)
        start = step.to_version
        seen.add(start)
    return steps


def fate(steps: Sequence[Migration], old_id: str) -> Fate | None:
    """What the steps did to question ``old_id``; None when they left it alone."""
    kinds: list[str] = []
    ids = [old_id]
    merged_from: list[str] = []
    for step in steps:
        moved, split = dict(step.moved_to), dict(step.split)
        into = {old: new for new, olds in step.merged for old in olds}
        now: list[str] = []
        for current in ids:
            if current in step.retired:
                kinds.append("retired")
            elif current in split:
                kinds.append("split")
                now += split[current]
            elif current in into:
                kinds.append("merged")
                now.append(into[current])
                merged_from = list(dict(step.merged)[into[current]])
            elif current in moved:
                kinds.append("moved")
                now.append(moved[current])
            else:
                if current in step.reworded:
                    kinds.append("reworded")
                now.append(current)
        ids = now
    if not kinds:
        return None
    return Fate(tuple(dict.fromkeys(kinds)), tuple(dict.fromkeys(ids)), tuple(merged_from))


# --------------------------------------------------------------------------
# Checking a file's migrations (what the schema cannot see)
# --------------------------------------------------------------------------


def _own_ids(checklist: Mapping[str, Any]) -> set[str]:
    """The question ids this file defines for a checklist."""
    base = checklist.get("id")
    found = set()
    questions = checklist.get("questions")
    for question in questions if isinstance(questions, list) else ():
        if not isinstance(question, dict):
            continue
        number = f"{base}-{question.get('number')}"
        found.add(number)
        subs = question.get("subquestions")
        for sub in subs if isinstance(subs, list) else ():
            if isinstance(sub, dict):
                found.add(f"{number}{sub.get('letter')}")
    return found


def _mentions(item: Mapping[str, Any]) -> list[tuple[list[Any], str, str]]:
    """(path within the migration, id, "old" or "new") for every id it names."""
    found: list[tuple[list[Any], str, str]] = []
    for key, role in (("reworded", "both"), ("retired", "old")):
        values = item.get(key)
        for index, value in enumerate(values if isinstance(values, list) else ()):
            found.append(([key, index], value, role))
    for key in ("moved_to", "split", "merged"):
        mapping = item.get(key) or {}
        if not isinstance(mapping, dict):
            continue
        for name, value in mapping.items():
            found.append(([key, name], name, "new" if key == "merged" else "old"))
            values = value if isinstance(value, list) else [value]
            for index, other in enumerate(values):
                path = [key, name, index] if isinstance(value, list) else [key, name]
                found.append((path, other, "old" if key == "merged" else "new"))
    return found


def migration_problems(
    data: Mapping[str, Any], line_of: Callable[[list[Any]], int]
) -> list[tuple[int, str]]:
    """(line, message) for each migration that cannot be followed: ids of another
    checklist, new ids the file does not define, an old id mapped twice, a step
    that goes nowhere, two steps from one version.  ``line_of`` gives a path's
    line in the file."""
    problems: list[tuple[int, str]] = []
    checklists = data.get("checklists")
    for ci, checklist in enumerate(checklists if isinstance(checklists, list) else ()):
        if not isinstance(checklist, dict) or not isinstance(checklist.get("migrations"), list):
            continue
        froms: set[str] = set()
        for mi, item in enumerate(checklist["migrations"]):
            if not isinstance(item, dict):
                continue
            where: list[Any] = ["checklists", ci, "migrations", mi]
            label = f"checklists[{ci}].migrations[{mi}]"
            start, end = base_version(str(item.get("from"))), base_version(str(item.get("to")))
            if start == end:
                problems.append((line_of([*where, "to"]), f"{label}: 'to' is 'from'"))
            elif start in froms:
                msg = f"{label}: a second migration from version {start!r} (one path only)"
                problems.append((line_of([*where, "from"]), msg))
            froms.add(start)
            found = _id_problems(checklist, item, label)
            problems += [(line_of([*where, *path]), msg) for path, msg in found]
    return problems


def _id_problems(
    checklist: Mapping[str, Any], item: Mapping[str, Any], label: str
) -> list[tuple[list[Any], str]]:
    """(path, message) for each id of one migration that cannot be right."""
    own, prefix = _own_ids(checklist), f"{checklist.get('id')}-"
    problems: list[tuple[list[Any], str]] = []
    olds: set[str] = set()
    for path, value, role in _mentions(item):
        if not isinstance(value, str):
            continue
        if not value.startswith(prefix) or not QUESTION_ID.fullmatch(value):
            msg = f"{label}: {value!r} is not a question id of checklist "
            msg += f"{checklist.get('id')!r} (such as {prefix}3 or {prefix}2c)"
            problems.append((path, msg))
            continue
        if role in ("new", "both") and value not in own:
            msg = f"{label}: {value!r} is not a question of this version of the "
            msg += f"checklist {checklist.get('id')!r}"
            problems.append((path, msg))
        if role == "old":
            if value in olds:
                problems.append((path, f"{label}: {value!r} is mapped twice"))
            olds.add(value)
    return problems
