"""Merging an answers file that came back into the team's, by editing its text.

A patient panel's form or a colleague's copy comes back as an answers file
(:mod:`sphinx_ethics.answers.file`).  ``sphinx-ethics merge`` plans what
each incoming answer does, then edits the team's file *as text*:

- a question the team's file lacks: a new entry appended at the end (with
  the question as a comment, as ``update`` writes them);
- an entry the team left empty (``plan-3: ""``; no text and no screening
  choice, so ``scr-1: {answer: yes}`` is not empty): its value is filled in;
- the same answer (status, text but for trailing spaces, choice, and the
  ``format``, ``by`` and ``received`` that both give): nothing;
- an empty incoming answer (no text, no choice): nothing;
- a different answer: a **conflict**.  Without a side chosen nothing is
  written; ``--ours`` keeps the team's, ``--theirs`` replaces exactly the
  value of that entry (its key, comments and every other byte stay).

New values are written by PyYAML (block scalars where they can hold the
text, quoted otherwise), so any text, however hostile, is data; every field
of the incoming entry is kept, with ``format: text`` unless it says
otherwise (SPEC §10).  The result is read back before it is used: the same
keys in the same order, every field of every untouched answer unchanged,
every merged one equal to the incoming one; otherwise nothing is written,
and the message names the cause.  Plain Python, no Sphinx.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import yaml

from sphinx_ethics.answers import entries as answers_stubs
from sphinx_ethics.answers import file as answers_file
from sphinx_ethics.answers.file import FileAnswer
from sphinx_ethics.catalogue import Question, yaml_reading
from sphinx_ethics.catalogue.model import SCREENING_CHOICES
from sphinx_ethics.files import FileError
from sphinx_ethics.problems import Problem


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


#: The fields of an entry beside its text and status (SPEC §10).
EXTRA = ("format", "by", "received")
#: How a merged entry is written when the incoming one does not say.
DEFAULT_FORMAT = "text"
FORMATS = ("text", "markup")


def is_empty(answer: FileAnswer) -> bool:
    """No text and no screening choice: nothing to keep (``scr-1: {answer: yes}`` is kept)."""
    return not answer.text.strip() and not answer.choice.strip()


def _meaning(answer: FileAnswer) -> tuple[str, str, str]:
    """Status, text and choice as the build reads them: a whole answer that is
    ``yes``, ``no`` or ``unsure`` is that choice (``screening-2: unsure`` and
    ``{answer: unsure}`` are the same answer, as the form writes it back)."""
    text, choice = _norm(answer.text), answer.choice.strip().casefold()
    word = text.rstrip(".!").casefold()
    if not choice and len(text.split()) == 1 and word in SCREENING_CHOICES:
        text, choice = "", word
    return answer.status, text, choice


def _same(ours: FileAnswer, theirs: FileAnswer) -> bool:
    """The same answer: status, text (trailing spaces aside) and choice, and every
    other field that both entries state (an entry without ``format`` says nothing
    about it, so it does not differ from one that does)."""
    if _meaning(ours) != _meaning(theirs):
        return False
    mine, incoming = (tuple(getattr(a, name) for name in EXTRA) for a in (ours, theirs))
    return all(not a or not b or a == b for a, b in zip(mine, incoming, strict=True))


def as_written(answer: FileAnswer) -> FileAnswer:
    """The entry as ``merge`` writes it: ``format: text`` unless it says otherwise."""
    return replace(answer, format=answer.format or DEFAULT_FORMAT)


def stamped(answer: FileAnswer, received: str) -> FileAnswer:
    """The entry with the date it was received, when it says who gave it and not
    when (SPEC §12); an entry without ``by`` is left as it came: nothing claimed."""
    if received and answer.by.strip() and not answer.received.strip():
        return replace(answer, received=received)
    return answer


def plan(
    ours: Sequence[FileAnswer], theirs: Sequence[FileAnswer], side: str = "", received: str = ""
) -> MergePlan:
    """Sort each incoming answer (``side``: "", "ours" or "theirs").

    An entry that is written (added, filled, or replaced with ``--theirs``)
    and says who gave it (``by``) gets ``received`` (``YYYY-MM-DD``) unless it
    has its own; the comparison with the team's entry is made without it.
    """
    result = MergePlan()
    mine = {}
    for answer in ours:
        mine.setdefault(answer.question_id, answer)
    for answer in theirs:
        current = mine.get(answer.question_id)
        if is_empty(answer):
            result.empty.append(answer)
        elif current is None:
            result.added.append(stamped(answer, received))
            mine[answer.question_id] = as_written(answer)  # a later duplicate compares with this
        elif is_empty(current):
            result.filled.append(stamped(answer, received))
        elif _same(current, answer):
            result.same.append(answer)
        elif side == "theirs":
            result.replaced.append(Conflict(current, stamped(answer, received)))
        else:
            ({"ours": result.kept}.get(side, result.conflicts)).append(Conflict(current, answer))
    return result


def read_entries(
    document: yaml_reading.Document, display: str
) -> tuple[list[FileAnswer], list[Problem]]:
    """The answers of a composed file with every field, ``format``, ``by`` and
    ``received`` included (read here from the nodes, whatever the reader fills in)."""
    answers, problems = answers_file.answers_of(document, display)
    root = document.root
    values: dict[int, yaml.Node] = {}
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            values[key.start_mark.line + 1] = value
    found = []
    for answer in answers:
        value = values.get(answer.line)
        fields = {}
        if isinstance(value, yaml.MappingNode):
            fields = {
                str(k.value): str(v.value or "")
                for k, v in value.value
                if str(k.value) in EXTRA and isinstance(v, yaml.ScalarNode)
            }
        found.append(replace(answer, **{n: getattr(answer, n) or fields.get(n, "") for n in EXTRA}))
    return found, problems


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
    """What follows the key: ``:\n  format: text\n  text: ...`` (every field it has)."""
    fields: dict[str, str] = {}
    if answer.status != "answered":
        fields["status"] = answer.status
    if answer.choice:
        fields["answer"] = answer.choice
    for name in EXTRA:
        if getattr(answer, name):
            fields[name] = getattr(answer, name)
    if answer.text or not answer.choice:
        fields["text"] = answer.text
    value: object = fields if set(fields) != {"text"} else answer.text
    dumped = yaml.dump(
        {"k": value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=float("inf")
    )
    # PyYAML quotes yes/no (booleans in YAML 1.1); the reader takes them as words anyway.
    dumped = re.sub(r"(?m)^(  answer: )'(yes|no)'$", r"\1\2", dumped)
    return dumped[1:].rstrip("\n")


def _entry(answer: FileAnswer, question: Question | None) -> list[str]:
    lines = answers_stubs.entries([question])[:-1] if question else [""]
    return [*lines, answer.question_id + value_text(as_written(answer))]


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
        first, *rest = value_text(as_written(answer)).split("\n")
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
        out += separator + "\n".join(added).replace("\n", newline) + newline
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


def _fields(answer: FileAnswer) -> tuple[str, ...]:
    return (answer.status, answer.text, answer.choice, *(getattr(answer, n) for n in EXTRA))


def _check(old: str, new: str, merge: MergePlan, display: str) -> None:
    """The new text means exactly the old answers plus the merged ones, field by field."""
    before, _ = read_entries(_compose(old, display), display)
    try:
        after, problems = read_entries(yaml_reading.compose(new), display)
    except yaml_reading.YamlReadError:
        after, problems = [], [None]
    wanted = {a.question_id: _fields(a) for a in before}
    written = [*merge.filled, *(c.theirs for c in merge.replaced), *merge.added]
    wanted.update({a.question_id: _fields(as_written(a)) for a in written})
    order = [a.question_id for a in before] + [a.question_id for a in merge.added]
    got = [(a.question_id, _fields(a)) for a in after]
    if problems or got != [(qid, wanted[qid]) for qid in order]:
        wrong = [a for a in after if wanted.get(a.question_id) != _fields(a)]
        raise MergeError(
            f"{display}: {_why(old, new, wrong, before)}; nothing written (to merge: "
            + ", ".join(a.question_id for a in written)
            + ")"
        )


def _why(old: str, new: str, wrong: Sequence[FileAnswer], before: Sequence[FileAnswer]) -> str:
    """What in the team's file stops the merge, as precisely as can be told."""
    lines, old_lines = new.splitlines(), [line.rstrip() for line in old.splitlines()]
    for answer in wrong:
        line = answer.line
        text = [part.strip() for part in answer.text.splitlines()]
        for number in range(line, len(lines)):
            comment = lines[number].strip()
            if comment.startswith("#") and comment in text and lines[number] in old_lines:
                return (
                    f"the comment under {answer.question_id} at line "
                    f"{old_lines.index(lines[number]) + 1} would "
                    "become part of its new text; move that comment above the entry or "
                    "delete it, and merge again"
                )
    tokens = _tokens(old)
    if any(isinstance(t, yaml.AnchorToken | yaml.AliasToken) for t in tokens):
        return "the file uses anchors or aliases ('&' or '*'), which merge cannot edit"
    if any(isinstance(t, yaml.DocumentEndToken | yaml.DocumentStartToken) for t in tokens):
        return "the file has '---' or '...' (more than one YAML document), which merge cannot edit"
    first = wrong[0].question_id if wrong else (before[0].question_id if before else "")
    where = f" ({first} would read back differently)" if first else ""
    return f"cannot merge without changing what the file means{where}"


def _tokens(text: str) -> list[yaml.Token]:
    try:
        return list(yaml.scan(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        return []
