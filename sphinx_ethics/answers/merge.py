"""Merging an answers file that came back into the team's, by editing its text.

A patient panel's form or a colleague's copy comes back as an answers file
(:mod:`sphinx_ethics.answers.file`).  ``sphinx-ethics merge`` plans what
each incoming answer does, then edits the team's file *as text*:

- a question the team's file lacks: a new entry appended at the end (with
  the question as a comment, as ``update`` writes them);
- an entry the team left empty (``plan-3: ""``): its value is filled in;
- the same answer (status and text, trailing spaces aside): nothing;
- an empty incoming answer: nothing;
- a different answer: a **conflict**.  Without a side chosen nothing is
  written; ``--ours`` keeps the team's, ``--theirs`` replaces exactly the
  value of that entry (its key, comments and every other byte stay).

New values are written by PyYAML (block scalars where they can hold the
text, quoted otherwise), so any text, however hostile, is data.  The result
is read back before it is used: the same keys in the same order, every
untouched answer unchanged, every merged one equal to the incoming one;
otherwise nothing is written.  Plain Python, no Sphinx.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import yaml

from sphinx_ethics.answers import entries as answers_stubs
from sphinx_ethics.answers import file as answers_file
from sphinx_ethics.answers.file import FileAnswer
from sphinx_ethics.catalogue import Question, yaml_reading
from sphinx_ethics.files import FileError


class MergeError(FileError):
    """The team's file cannot be merged into as text; one line for the user."""


@dataclass(frozen=True)
class Conflict:
    ours: FileAnswer
    theirs: FileAnswer


@dataclass
class MergePlan:
    """What each incoming answer does to the team's file."""

    added: list[FileAnswer] = field(default_factory=list)  # new entries, appended
    filled: list[FileAnswer] = field(default_factory=list)  # empty entries filled in
    same: list[FileAnswer] = field(default_factory=list)
    empty: list[FileAnswer] = field(default_factory=list)  # incoming with no text: skipped
    conflicts: list[Conflict] = field(default_factory=list)  # unresolved: nothing written
    replaced: list[Conflict] = field(default_factory=list)  # --theirs
    kept: list[Conflict] = field(default_factory=list)  # --ours

    @property
    def changes(self) -> int:
        return len(self.added) + len(self.filled) + len(self.replaced)


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def plan(ours: Sequence[FileAnswer], theirs: Sequence[FileAnswer], side: str = "") -> MergePlan:
    """Sort each incoming answer (``side``: "", "ours" or "theirs")."""
    result = MergePlan()
    mine = {}
    for answer in ours:
        mine.setdefault(answer.question_id, answer)
    for answer in theirs:
        current = mine.get(answer.question_id)
        if not answer.text.strip():
            result.empty.append(answer)
        elif current is None:
            result.added.append(answer)
            mine[answer.question_id] = answer  # a later duplicate compares with this
        elif not current.text.strip():
            result.filled.append(answer)
        elif current.status == answer.status and _norm(current.text) == _norm(answer.text):
            result.same.append(answer)
        else:
            conflict = Conflict(current, answer)
            {"ours": result.kept, "theirs": result.replaced}.get(side, result.conflicts).append(
                conflict
            )
    return result


# --------------------------------------------------------------------------
# Writing values
# --------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Multi-line text as a block scalar when YAML can hold it that way."""


def _represent_text(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # A block scalar, or (when YAML cannot hold the text that way) a
    # double-quoted one: with no line width, that is always one line.
    # Carriage returns and YAML's other line breaks would be read back as
    # "\n" or a space: only double quotes (escaped) keep them.
    style = '"' if RAW_BREAKS.intersection(data) else "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


RAW_BREAKS = frozenset("\r\x85\u2028\u2029\ufeff")


_Dumper.add_representer(str, _represent_text)


def value_text(answer: FileAnswer) -> str:
    """What follows the key: ``: text`` or ``:\\n  status: ...\\n  text: ...``."""
    value: object = answer.text
    if answer.status != "answered":
        value = {"status": answer.status, "text": answer.text}
    dumped = yaml.dump(
        {"k": value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=float("inf")
    )
    return dumped[1:].rstrip("\n")


def _entry(answer: FileAnswer, question: Question | None) -> list[str]:
    lines = answers_stubs.entries([question])[:-1] if question else [""]
    return [*lines, answer.question_id + value_text(answer)]


# --------------------------------------------------------------------------
# Editing the text
# --------------------------------------------------------------------------


def apply(
    text: str,
    merge: MergePlan,
    questions: Mapping[str, Question],
    display: str,
) -> tuple[str, list[tuple[int, int]]]:
    """``text`` with the plan applied, and the spans of ``text`` it replaced."""
    document = _compose(text, display)
    pairs = _pairs(document.root, display)
    newline = "\r\n" if "\r\n" in text else "\n"
    edits = []
    for answer in [*merge.filled, *(c.theirs for c in merge.replaced)]:
        key, value = pairs[answer.question_id]
        start, end = _value_span(text, key, value, display)
        indent = " " * key.start_mark.column
        first, *rest = value_text(answer).split("\n")
        line_end = min(i for i in (text.find("\r", end), text.find("\n", end), len(text)) if i >= 0)
        if rest and text[end:line_end].strip():  # a comment after the old value
            first, end = first + text[end:line_end], line_end  # ends the new first line
        new = first + "".join(newline + (indent + line if line else "") for line in rest)
        if rest and end == len(text):  # a block scalar's last line needs its line break
            new += newline
        edits.append((start, end, new))
    out = text
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new + out[end:]
    added = [line for a in merge.added for line in _entry(a, questions.get(a.question_id))]
    if added and not out.endswith(("\n", "\r")) and _ends_in_block_scalar(document.root):
        raise MergeError(
            f"{display}: the file ends in a block scalar ('|' or '>') with no line break "
            "after it, so an entry added after it would change its text; add a line break "
            "at the end of the file and merge again"
        )
    if added:
        if not out.strip():
            added = added[1:]  # no blank line at the top of an empty file
        separator = newline if out and not out.endswith(("\n", "\r")) else ""
        out += separator + newline.join(added).replace("\n", newline) + newline
    _check(text, out, merge, display)
    return out, sorted((start, end) for start, end, _new in edits)


def _ends_in_block_scalar(node: yaml.Node | None) -> bool:
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")


def _compose(text: str, display: str) -> yaml_reading.Document:
    try:
        return yaml_reading.compose(text)
    except yaml_reading.YamlReadError as err:
        raise MergeError(f"{display}:{err.line}: {err.message}") from None


def _pairs(root: yaml.Node | None, display: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    if root is None:
        return {}
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise MergeError(
            f"{display}:{root.start_mark.line + 1}: not a block mapping of question ids to "
            "answers ('plan-1: text' lines), so merge cannot edit it"
        )
    pairs: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key, value in root.value:
        pairs.setdefault(str(key.value), (key, value))
    return pairs


def _value_span(text: str, key: yaml.Node, value: yaml.Node, display: str) -> tuple[int, int]:
    """Where the entry's value is in ``text``: from the end of its key to its last character.

    libyaml counts a byte-order mark out of its indexes, hence the shift;
    the key's text must be where the marks say, else the entry is left to
    the user.
    """
    shift = 1 if text.startswith("\ufeff") else 0
    start = key.end_mark.index + shift
    line = key.start_mark.line + 1
    source = text[key.start_mark.index + shift : start]
    if str(key.value) not in source or value.start_mark.index + shift < start:
        raise MergeError(
            f"{display}:{line}: cannot find the entry {key.value!r} in the text "
            "(an alias or an unusual key?); merge it by hand"
        )
    return start, _value_end(text, value, shift)


def _value_end(text: str, node: yaml.Node, shift: int) -> int:
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _value_end(text, node.value[-1][1], shift)
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _value_end(text, node.value[-1], shift)
    end = node.end_mark.index + shift
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        # A block scalar's end takes in the blank lines after it: keep those.
        region = text[node.start_mark.index + shift : end]
        last = len(region.rstrip(" \t\r\n")) + node.start_mark.index + shift
        breaks = [i for i in (text.find(c, last) for c in "\r\n") if i >= 0]
        return min([*breaks, end])
    return end


def _check(old: str, new: str, merge: MergePlan, display: str) -> None:
    """The new text means exactly the old answers plus the merged ones."""
    before, _ = answers_file.answers_of(_compose(old, display), display)
    try:
        after, problems = answers_file.answers_of(yaml_reading.compose(new), display)
    except yaml_reading.YamlReadError:
        after, problems = [], [None]
    wanted = {a.question_id: (a.status, a.text) for a in before}
    wanted.update({a.question_id: (a.status, a.text) for a in merge.filled})
    wanted.update({c.theirs.question_id: (c.theirs.status, c.theirs.text) for c in merge.replaced})
    order = [a.question_id for a in before] + [a.question_id for a in merge.added]
    wanted.update({a.question_id: (a.status, a.text) for a in merge.added})
    got = [(a.question_id, (a.status, a.text)) for a in after]
    if problems or got != [(qid, wanted[qid]) for qid in order]:
        raise MergeError(
            f"{display}: cannot merge without changing what the file means (does it end "
            "with '...' or another document, or use anchors?); merge these by hand: "
            + ", ".join(a.question_id for a in [*merge.added, *merge.filled])
            + "".join(f", {c.theirs.question_id}" for c in merge.replaced)
        )
