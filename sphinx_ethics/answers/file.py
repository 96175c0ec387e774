"""Answers kept in a YAML file beside the page (``ethics-review :answers:``).

Answers gathered in a form or a spreadsheet can feed a review without being
pasted into the page.  The file maps question ids to answer text, written
in the page's own markup (reStructuredText or MyST)::

    plan-1: |
      Reducing inpatient falls on wards 7 and 8 ...
    plan-2c:
      status: not-applicable
      text: No penalties or rewards are involved.
    screening-1: unsure
    screening-2:
      answer: yes
      text: We will interview six patients about their stay.

A screening question (``kind: screening``) takes ``yes``, ``no`` or
``unsure``: as the whole value, or as ``answer:`` beside an explanation.

Reading is plain Python (no Sphinx), shared by the extension and the
command line: every entry that cannot be used comes back as a problem with
the file and line, and the answers that can be read are still used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from sphinx_ethics.answers.slots import ANSWER_STATUSES
from sphinx_ethics.catalogue import yaml_reading


@dataclass(frozen=True)
class FileAnswer:
    question_id: str
    status: str
    text: str
    location: str  # "path:line", for warnings
    choice: str = ""  # ``answer:`` of a screening question (yes / no / unsure)
    format: str = ""
    by: str = ""
    received: str = ""


@dataclass(frozen=True)
class FileProblem:
    subtype: str  # "answers-file" or "status"
    message: str
    location: str  # "path:line"


def resolve(srcdir: str | Path, document_dir: str | Path, name: str) -> Path | None:
    """The file's path if it lies inside the source directory, else None.

    A name starting with ``/`` is relative to the source directory, as for
    Sphinx's own file options; any other is relative to the document.
    """
    root = Path(srcdir).resolve()
    base = root if name.startswith("/") else Path(document_dir)
    path = (base / name.lstrip("/")).resolve()
    return path if path.is_relative_to(root) else None


def read_answers(path: Path, display: str) -> tuple[list[FileAnswer], list[FileProblem]]:
    """The answers in ``path``, and a problem (with line) for each entry it cannot use."""
    try:
        document = yaml_reading.read_yaml(path)
    except yaml_reading.MissingFile:
        return [], [FileProblem("answers-file", f"answers file {display} not found", display)]
    except yaml_reading.YamlReadError as err:
        message = f"answers file {display} {err.message}" if err.about_file else err.message
        return [], [FileProblem("answers-file", message, f"{display}:{err.line}")]
    return answers_of(document, display)


def answers_of(
    document: yaml_reading.Document, display: str
) -> tuple[list[FileAnswer], list[FileProblem]]:
    """The answers in a composed answers file (``merge`` reads its own text back)."""
    root = document.root
    if root is None:
        return [], []
    if not isinstance(root, yaml.MappingNode):
        msg = "an answers file maps question ids to answers, e.g. 'plan-1: text'"
        return [], [FileProblem("answers-file", msg, f"{display}:{root.start_mark.line + 1}")]
    answers: list[FileAnswer] = []
    problems = [_duplicate(d, display) for d in document.duplicates]
    for key, value in root.value:
        answer = _answer(key, value, display, problems)
        if answer is not None:
            answers.append(answer)
    return answers, problems


def _duplicate(duplicate: yaml_reading.DuplicateKey, display: str) -> FileProblem:
    """A key given twice; for a question id, both answers are still read."""
    message = f"{duplicate.message} in answers file {display}"
    return FileProblem("answers-file", message, f"{display}:{duplicate.line}")


def _answer(
    key: yaml.Node, value: yaml.Node, display: str, problems: list[FileProblem]
) -> FileAnswer | None:
    location = f"{display}:{key.start_mark.line + 1}"
    question_id = str(key.value)
    if isinstance(value, yaml.ScalarNode):
        return FileAnswer(question_id, "answered", scalar_text(value), location)
    if not isinstance(value, yaml.MappingNode):
        msg = f"{question_id}: expected answer text or a mapping with 'text' and 'status'"
        problems.append(FileProblem("answers-file", msg, location))
        return None
    fields = {str(k.value): v for k, v in value.value}
    unknown = sorted(set(fields) - {"text", "status", "answer", "format", "by", "received"})
    if unknown:
        msg = f"{question_id}: unknown key(s) {', '.join(unknown)}; use 'text' and 'status' "
        msg += "(and 'answer' for a screening question)"
        problems.append(FileProblem("answers-file", msg, location))
    status_node, text_node = fields.get("status"), fields.get("text")
    status = str(status_node.value) if isinstance(status_node, yaml.ScalarNode) else "answered"
    if status not in ANSWER_STATUSES:
        msg = f"{question_id}: unknown answer status {status!r}; use one of: "
        problems.append(FileProblem("status", msg + ", ".join(ANSWER_STATUSES), location))
        status = "answered"
    text = scalar_text(text_node) if isinstance(text_node, yaml.ScalarNode) else ""
    choice_node = fields.get("answer")
    choice = str(choice_node.value) if isinstance(choice_node, yaml.ScalarNode) else ""
    return FileAnswer(question_id, status, text, location, choice)


#: Plain YAML scalars that are not answers: ``null``, ``~``, an empty value,
#: ``true``/``false`` (form exports write them for an untouched box).
NOT_ANSWERS = {"", "~", "null", "false", "true"}


def scalar_text(node: yaml.ScalarNode) -> str:
    """The answer text of a scalar; empty for one that is not an answer.

    Only *plain* (unquoted) scalars can be ``null`` or ``false``; a quoted
    ``'false'`` is the word.  ``no``/``yes`` stay words: they may be the
    answer.
    """
    text = str(node.value or "")
    if node.style in (None, "") and text.strip().casefold() in NOT_ANSWERS:
        return ""
    return text
