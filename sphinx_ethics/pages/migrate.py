"""Moving a page's answers to a checklist's new version: ``sphinx-ethics migrate``.

Plain Python, no Sphinx.  For each review whose ``:answered-under:`` records
an older version of one of its checklists, the checklist's declared
``migrations:`` (:mod:`sphinx_ethics.catalogue.migrations`) say what became
of each question.  :func:`plan_migration` works out, without touching the
text, what follows from them:

- ``moved_to`` and a lone answer of ``merged``: the answer's id is changed
  (on its directive line in the page, or its key in the ``:answers:``
  file), all at once, so a checklist whose questions all shifted by one
  moves as a whole;
- ``reworded``: the answer stays; the record takes the new words;
- ``split``, ``retired``, two answers ``merged``: nothing is guessed.  The
  answer stays where it is and the user is told what to do; while such an
  answer sits on an id the new version gives another question, or a move
  would land on an id that still holds an answer, nothing of that
  checklist is changed (a half-applied migration could not be told from a
  whole one).

Then the record is brought to the current version, so running it again
changes nothing.  Only the id on a directive line or key line, and the
``:answered-under:`` option line, are rewritten: every other byte (BOM,
CRLF, tabs) stays.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_ethics.answers import drift
from sphinx_ethics.answers import file as answers_file
from sphinx_ethics.catalogue import Catalog, Checklist
from sphinx_ethics.catalogue.migrations import (
    Migration,
    base_version,
    chain,
    fate,
    question_digest,
)
from sphinx_ethics.pages.new import RST_INDENT, Format
from sphinx_ethics.pages.scan import RST_OPTION, Block, ReviewBlock, scan_page, split_lines
from sphinx_ethics.pages.update import answers_file_path, review_checklists

OPTION = "answered-under"


@dataclass(frozen=True)
class Rename:
    """Change answer ``old`` to ``new`` at ``line`` (0-based) of ``path`` (None: the page)."""

    path: Path | None
    line: int
    old: str
    new: str


@dataclass
class MigrationPlan:
    renames: list[Rename] = field(default_factory=list)
    #: (review line, new ``:answered-under:`` value) for each review to record.
    records: list[tuple[int, str]] = field(default_factory=list)
    done: list[str] = field(default_factory=list)  # what it did, one line each
    todo: list[str] = field(default_factory=list)  # what the user must do, one line each
    unrecorded: int = 0  # reviews without ``:answered-under:`` (not compared)

    @property
    def changed(self) -> bool:
        return bool(self.renames or self.records)


@dataclass
class _Answer:
    id: str
    line: int  # 0-based
    path: Path | None
    has_text: bool
    where: str  # "page.rst:12", for messages


def plan_migration(
    text: str,
    fmt: Format,
    catalog: Catalog,
    page: Path | None = None,
    where: str = "page",
    srcdir: Path | None = None,
) -> MigrationPlan:
    """What ``migrate`` would change in ``text`` (and its answers files)."""
    lines = split_lines(text)
    plan = MigrationPlan()
    for review in scan_page(text, fmt):
        value = review.options.get(OPTION, "")
        name = review.options.get("name") or f"at line {review.line + 1}"
        if not value.strip():
            plan.unrecorded += 1
            continue
        record = drift.parse_record(value)
        if record is None:
            plan.todo.append(f"{where}:{review.line + 1}: :{OPTION}: is not well formed")
            continue
        checklists = review_checklists(review, catalog, where)
        answers = _answers(lines, review, fmt, page, srcdir, where)
        new_record = _migrate_review(record, checklists, answers, plan, f"review {name}")
        if new_record != record:
            plan.records.append((review.line, drift.format_record(new_record)))
    return plan


def _answers(
    lines: list[str],
    review: ReviewBlock,
    fmt: Format,
    page: Path | None,
    srcdir: Path | None,
    where: str,
) -> list[_Answer]:
    found = [
        _Answer(b.id, b.start, None, _has_text(lines, b, fmt), f"{where}:{b.start + 1}")
        for b in review.answers
    ]
    path = answers_file_path(review, page, srcdir, where)
    if path is not None:
        items, _problems = answers_file.read_answers(path, str(path))
        for item in items:
            line = int(item.location.rsplit(":", 1)[1]) - 1
            has_text = bool(item.text.strip() or item.choice)
            found.append(_Answer(item.question_id, line, path, has_text, item.location))
    return found


def _has_text(lines: list[str], block: Block, fmt: Format) -> bool:
    """Whether an answer block holds more than its directive, options and fence."""
    body = lines[block.start + 1 : block.end]
    if fmt == "md" and body and body[-1].strip().startswith(block.fence):
        body = body[:-1]
    return any(line.strip() and not RST_OPTION.match(line.rstrip("\r\n")) for line in body)


def _migrate_review(
    record: drift.Record,
    checklists: Sequence[Checklist],
    answers: list[_Answer],
    plan: MigrationPlan,
    label: str,
) -> drift.Record:
    versions = dict(record.versions)
    digests = dict(record.questions)
    for checklist in checklists:
        then = versions.get(checklist.id)
        now = "".join(checklist.version.split())
        if then is None or then == now:
            continue
        steps = chain(checklist.migrations, then, now)
        if steps is None and _changed_under(checklist, answers, digests):
            msg = f"{label}: checklist {checklist.id!r} declares no migrations from version "
            msg += f"{then} to {now}, and answered questions changed: nothing done (declare "
            msg += "them, then run migrate again)"
            plan.todo.append(msg)
            continue
        if steps is None:  # only questions added: nothing to move
            steps = [Migration(base_version(then), base_version(now))]
        own = [a for a in answers if drift.checklist_of(a.id, [checklist]) is not None]
        result = _migrate_checklist(checklist, steps, own, digests, label)
        plan.todo += result.todo
        if result.blocked:
            continue
        plan.renames += result.renames
        plan.done += result.done
        versions[checklist.id] = now
        digests = {k: v for k, v in digests.items() if drift.checklist_of(k, [checklist]) is None}
        digests.update(result.digests)
    return drift.Record(tuple(versions.items()), tuple(digests.items()))


def _changed_under(checklist: Checklist, answers: list[_Answer], recorded: dict[str, str]) -> bool:
    """Whether an answered question's text differs from the recorded one (or
    nothing is recorded to tell), when no migration says what happened."""
    texts = {q.id: q.text for q in checklist.slots()}
    mine = [a for a in answers if drift.checklist_of(a.id, [checklist]) is not None]
    if not any(drift.checklist_of(q, [checklist]) for q in recorded):
        return bool(mine)
    return any(
        a.id in recorded and a.id in texts and question_digest(texts[a.id]) != recorded[a.id]
        for a in mine
    )


@dataclass
class _Result:
    renames: list[Rename] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)
    blocked: bool = False


def _migrate_checklist(
    checklist: Checklist,
    steps: list,
    answers: list[_Answer],
    recorded: dict[str, str],
    label: str,
) -> _Result:
    result = _Result()
    asked = {q.id for q in checklist.iter_questions()}
    versions = f"{checklist.id!r} {steps[0].from_version} -> {steps[-1].to_version}"
    fates = {a.id: fate(steps, a.id) for a in answers}
    moving: dict[str, str] = {}  # old id -> new id
    held: dict[str, _Answer] = {}  # the answers that stay where they are
    for answer in answers:
        told = fates[answer.id]
        if told is None or told.kinds == ("reworded",):
            held[answer.id] = answer
            if told is not None:
                msg = f"{answer.where}: {answer.id} was reworded ({versions}): "
                result.done.append(msg + "answer kept under the new words; re-read it")
        elif "retired" in told.kinds or "split" in told.kinds or _merge_conflict(told, answers):
            result.todo.append(_advice(answer, told, versions))
            held[answer.id] = answer
            # Blocked while the new version asks another question under this id.
            result.blocked |= answer.id in asked
        else:
            moving[answer.id] = told.ids[0]
    for old, new in moving.items():
        if new in held:
            msg = f"{held[new].where}: {old} cannot move to {new}: {new} still holds an "
            result.todo.append(msg + "answer (move or delete it first)")
            result.blocked = True
    if result.blocked:
        msg = f"{label}: checklist {versions}: nothing changed until the above is done"
        result.todo.append(msg)
        return result
    for answer in answers:
        if answer.id in moving:
            new = moving[answer.id]
            result.renames.append(Rename(answer.path, answer.line, answer.id, new))
            result.done.append(f"{answer.where}: {answer.id} -> {new} ({versions})")
    result.digests = _new_digests(checklist, steps, moving, recorded)
    return result


def _new_digests(
    checklist: Checklist, steps: list, moving: dict[str, str], recorded: dict[str, str]
) -> dict[str, str]:
    """Each question's digest after the migration: the new text's, except where
    its text changed and no migration declares it (then the old one: still flagged)."""
    now = {q.id: q for q in checklist.slots()}
    came_from = {new: old for old, new in moving.items()}
    digests = {}
    for question_id, question in now.items():
        current = question_digest(question.text)
        old = came_from.get(question_id, question_id)
        told = fate(steps, old)
        then = recorded.get(old)
        reworded = told is not None and "reworded" in told.kinds
        unchanged = told is None and old in now
        moved_here = old != question_id
        stale = then is not None and then != current and not reworded
        digests[question_id] = then if stale and (moved_here or unchanged) and then else current
    return digests


def _merge_conflict(told: object, answers: list[_Answer]) -> bool:
    """Two or more of the questions merged into one have answers with text."""
    sources = getattr(told, "merged_from", ())
    return len([a for a in answers if a.id in sources and a.has_text]) > 1


def _advice(answer: _Answer, told: object, versions: str) -> str:
    ids = ", ".join(getattr(told, "ids", ()))
    kinds = getattr(told, "kinds", ())
    if "split" in kinds:
        return (
            f"{answer.where}: {answer.id} was split into {ids} ({versions}): answer "
            "each of them, then delete this answer (migrate does not split text)"
        )
    if "retired" in kinds:
        return f"{answer.where}: {answer.id} was retired ({versions}): delete its answer"
    return (
        f"{answer.where}: {answer.id} was merged into {ids} ({versions}) with another "
        "answered question: combine the answers yourself, then delete the other"
    )


# --------------------------------------------------------------------------
# Applying: ids on directive lines, keys in answers files, the record line
# --------------------------------------------------------------------------


def rename_line(line: str, old: str, new: str, in_file: bool) -> str | None:
    """``line`` with answer id ``old`` made ``new``; None when it is not where expected."""
    if in_file:
        pattern = rf"^(\s*)(['\"]?){re.escape(old)}\2(\s*:)"
    else:
        pattern = rf"^(.*?ethics-answer\}}?\s*(?:::)?[ \t]*){re.escape(old)}(?=\s|$)"
    match = re.match(pattern, line)
    if match is None:
        return None
    if in_file:
        quote = match.group(2)
        return f"{match.group(1)}{quote}{new}{quote}{match.group(3)}{line[match.end() :]}"
    return f"{match.group(1)}{new}{line[match.end() :]}"


def apply_renames(text: str, renames: Sequence[Rename], in_file: bool) -> str:
    """``text`` with each rename made on its line; nothing else changes."""
    lines = split_lines(text)
    for rename in renames:
        changed = rename_line(lines[rename.line], rename.old, rename.new, in_file)
        if changed is None:
            raise ValueError(f"line {rename.line + 1}: {rename.old!r} not found where expected")
        lines[rename.line] = changed
    return "".join(lines)


def set_review_option(text: str, fmt: Format, line: int, name: str, value: str) -> str:
    """``text`` with the review at ``line`` (0-based) given option ``name`` = ``value``:
    its option line replaced (with any continuation lines), else a line added
    after the review's last option.  Every other byte stays."""
    lines = split_lines(text)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    start, end, yaml_block, indent = _option_block(lines, fmt, line)
    shown = _md_value(value) if fmt == "md" else value
    for index in range(start, end):
        bare = lines[index].rstrip("\r\n")
        key = re.match(rf"^(\s*)(:?){re.escape(name)}:", bare) if yaml_block else None
        key = key or re.match(rf"^(\s*):{re.escape(name)}:", bare)
        if key is None:
            continue
        stop = index + 1
        deeper = len(key.group(1))
        while (
            stop < end
            and len(lines[stop]) - len(lines[stop].lstrip()) > deeper
            and not (RST_OPTION.match(lines[stop].rstrip("\r\n")))
        ):
            stop += 1
        ending = lines[stop - 1][len(lines[stop - 1].rstrip("\r\n")) :] or newline
        colon = ":" if not yaml_block else key.group(2)
        lines[index:stop] = [f"{key.group(1)}{colon}{name}: {shown}{ending}"]
        return "".join(lines)
    prefix = f"{indent}{name}: " if yaml_block else f"{indent}:{name}: "
    if end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += newline
    lines.insert(end, f"{prefix}{shown}{newline}")
    return "".join(lines)


def _option_block(lines: list[str], fmt: Format, line: int) -> tuple[int, int, bool, str]:
    """(first, end) of a review's option lines, whether they are a ``---`` YAML
    block, and the indent a new option line takes."""
    index = line + 1
    if fmt == "rst":
        indent = RST_INDENT
        head = lines[line]
        base = head[: len(head) - len(head.lstrip(" \t"))]
        # The argument may run on (several checklists); options follow.
        while (
            index < len(lines)
            and lines[index].strip()
            and not RST_OPTION.match(lines[index].rstrip("\r\n"))
        ):
            index += 1
        start = index
        while index < len(lines) and lines[index].strip():
            index += 1
        if start < index:
            first = lines[start]
            indent = first[: len(first) - len(first.lstrip(" \t"))]
        else:
            indent = base + RST_INDENT
        return start, index, False, indent
    head = lines[line]
    indent = head[: len(head) - len(head.lstrip(" "))]
    if index < len(lines) and lines[index].strip() == "---":
        close = next((i for i in range(index + 1, len(lines)) if lines[i].strip() == "---"), None)
        if close is not None:
            return index + 1, close, True, indent
    start = index
    while index < len(lines) and re.match(r"^\s*:[\w-]+:", lines[index]):
        index += 1
    return start, index, False, indent


def _md_value(value: str) -> str:
    """A MyST option value YAML reads back unchanged."""
    return json.dumps(value, ensure_ascii=False)
