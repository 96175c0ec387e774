"""Empty entries for an ``:answers:`` file, appended by ``sphinx-ethics update``.

A review that keeps its answers in a YAML file gets its missing slots
there, not as stubs in the page (a stub would be a second answer)::

    # 3. How will you involve patients?
    plan-3: ""

Only text is appended: every byte already in the file stays.  The file must
be a block mapping (or empty); the result is parsed again and must still
hold every old key plus the new ones, else nothing is written.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import yaml

from sphinx_ethics.catalogue import Question
from sphinx_ethics.files import FileError

WIDTH = 79


class AnswersFileError(FileError):
    """The answers file cannot take new entries; one line for the user."""


def _compose(text: str, display: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else 1
        what = " ".join(filter(None, [err.context, err.problem]))
        raise AnswersFileError(
            f"{display}:{line}: invalid YAML ({what}); fix it so update can add entries"
        ) from None
    except yaml.YAMLError as err:
        raise AnswersFileError(f"{display}: invalid YAML ({err})") from None


def _keys(root: yaml.Node | None, display: str) -> list[str]:
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode) or root.flow_style:
        line = root.start_mark.line + 1
        raise AnswersFileError(
            f"{display}:{line}: not a block mapping of question ids to answers "
            "('plan-1: text' lines), so update cannot add entries to it"
        )
    return [str(key.value) for key, _value in root.value]


def entries(questions: Sequence[Question]) -> list[str]:
    """Lines for each question: its number and text as a comment, then an empty entry."""
    lines: list[str] = []
    for question in questions:
        comment = textwrap.wrap(
            f"{question.number}. {' '.join(question.text.split())}",
            width=WIDTH,
            initial_indent="# ",
            subsequent_indent="#   ",
            break_long_words=False,
        )
        lines += ["", *comment, f'{question.id}: ""']
    return lines


def append_entries(text: str, questions: Sequence[Question], display: str) -> str:
    """``text`` with an empty entry per question appended; nothing else changes."""
    old = _keys(_compose(text, display), display)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = entries(questions)
    if not text.strip():
        lines = lines[1:]  # no blank line at the top of an empty file
    separator = newline if text and not text.endswith("\n") else ""
    new = text + separator + newline.join(lines) + newline
    try:
        after = _keys(_compose(new, display), display)
    except AnswersFileError:
        after = []
    wanted = [*old, *(q.id for q in questions)]
    if after != wanted:
        raise AnswersFileError(
            f"{display}: cannot append entries without changing what the file means "
            "(does it end with '...' or another document?); add them by hand: "
            + ", ".join(q.id for q in questions)
        )
    return new
