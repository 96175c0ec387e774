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

A mapping may also say how its text is written (``format: text``, shown
as typed, or ``format: markup``, the page's markup held to an allow-list:
SPEC §10) and who gave it and when (``by``, ``received``, kept as given).
The text is not trusted: control characters are replaced by U+FFFD before
the YAML is parsed, each with an ``untrusted`` problem.

Reading is plain Python (no Sphinx), shared by the extension and the
command line: every entry that cannot be used comes back as a problem with
the file and line, and the answers that can be read are still used.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from sphinx_ethics.answers.slots import ANSWER_STATUSES
from sphinx_ethics.catalogue import did_you_mean, yaml_reading
from sphinx_ethics.problems import Problem

#: The keys of an entry written as a mapping (SPEC §10, §12).
ENTRY_KEYS = ("text", "status", "answer", "format", "by", "received")
#: How an entry's text is written: shown as typed, or parsed (allow-listed).
FORMATS = ("text", "markup")


@dataclass(frozen=True)
class FileAnswer:
    question_id: str
    status: str
    text: str
    file: str  # the file as named in messages
    line: int  # the entry's line (1-based)
    choice: str = ""  # ``answer:`` of a screening question (yes / no / unsure)
    format: str = ""  # "text", "markup", or "" (not given: read as markup)
    by: str = ""  # who gave the answer (kept as given)
    received: str = ""  # when it was received (kept as given)
    text_line: int = 0  # the file's line of the text's first line (0: unknown)

    @property
    def location(self) -> str:
        """``path:line``, as messages print it."""
        return f"{self.file}:{self.line}"

    @property
    def is_text(self) -> bool:
        """Shown as typed (``format: text``), never parsed as markup."""
        return self.format == "text"


def resolve(srcdir: str | Path, document_dir: str | Path, name: str) -> Path | None:
    """The file's path if it lies inside the source directory, else None.

    A name starting with ``/`` is relative to the source directory, as for
    Sphinx's own file options; any other is relative to the document.
    """
    root = Path(srcdir).resolve()
    base = root if name.startswith("/") else Path(document_dir)
    path = (base / name.lstrip("/")).resolve()
    return path if path.is_relative_to(root) else None


def read_answers(path: Path, display: str) -> tuple[list[FileAnswer], list[Problem]]:
    """The answers in ``path``, and a problem (with line) for each entry it cannot use."""
    try:
        text = yaml_reading.read_text(path)
    except yaml_reading.MissingFile:
        return [], [Problem("answers-file", f"answers file {display} not found", file=display)]
    except yaml_reading.YamlReadError as err:
        message = f"answers file {display} {err.message}" if err.about_file else err.message
        return [], [Problem("answers-file", message, file=display, line=err.line)]
    return answers_in_text(text, display)


def answers_in_text(text: str, display: str) -> tuple[list[FileAnswer], list[Problem]]:
    """The answers in an answers file's decoded text (control characters replaced)."""
    text, controls = without_controls(text, display)
    try:
        document = yaml_reading.compose(text)
    except yaml_reading.YamlReadError as err:
        return [], [*controls, Problem("answers-file", err.message, file=display, line=err.line)]
    answers, problems = answers_of(document, display)
    return answers, controls + problems


def shown_answers(
    answers: list[FileAnswer],
) -> tuple[list[FileAnswer], list[Problem]]:
    """The answers as a page may show them: control characters that YAML escapes
    wrote (``"\\x1b"``) replaced by U+FFFD, with a problem for each answer.

    Kept apart from :func:`answers_of`, which ``merge`` uses to keep every
    character of an entry as it was (it writes them back as escapes).
    """
    shown, problems = [], []
    for answer in answers:
        fields = ("text", "choice", "by", "received")
        found = sorted({c for name in fields for c in CONTROLS.findall(getattr(answer, name))})
        if not found:
            shown.append(answer)
            continue
        names = ", ".join(f"U+{ord(c):04X}" for c in found)
        msg = f"{answer.question_id}: control character(s) {names} (written as escapes) "
        msg += "replaced by U+FFFD; no output can show them: retype that text"
        problems.append(Problem("untrusted", msg, file=answer.file, line=answer.line))
        clean = {name: CONTROLS.sub("\ufffd", getattr(answer, name)) for name in fields}
        shown.append(dataclasses.replace(answer, **clean))
    return shown, problems


#: C0 controls but tab, LF and CR; DEL; C1 controls.  No output format
#: takes them (XML and EPUB are ill-formed, pdflatex stops).
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def without_controls(text: str, display: str) -> tuple[str, list[Problem]]:
    """``text`` with each control character replaced by U+FFFD, and a problem per line.

    Done before the YAML is parsed (which would refuse the whole file); a
    replacement never adds or removes a line, so line numbers stay right.
    """
    if not CONTROLS.search(text):
        return text, []
    problems = []
    for number, line in enumerate(text.split("\n"), start=1):
        found = sorted(set(CONTROLS.findall(line)))
        if found:
            names = ", ".join(f"U+{ord(c):04X}" for c in found)
            msg = f"control character(s) {names} in answers file {display} replaced by "
            msg += "U+FFFD; no output can show them: retype that text"
            problems.append(Problem("untrusted", msg, file=display, line=number))
    return CONTROLS.sub("\ufffd", text), problems


def answers_of(
    document: yaml_reading.Document, display: str
) -> tuple[list[FileAnswer], list[Problem]]:
    """The answers in a composed answers file (``merge`` reads its own text back)."""
    root = document.root
    if root is None:
        return [], []
    if not isinstance(root, yaml.MappingNode):
        msg = "an answers file maps question ids to answers, e.g. 'plan-1: text'"
        return [], [Problem("answers-file", msg, file=display, line=root.start_mark.line + 1)]
    answers: list[FileAnswer] = []
    problems = [_duplicate(d, display) for d in document.duplicates]
    for key, value in root.value:
        answer = _answer(key, value, display, problems)
        if answer is not None:
            answers.append(answer)
    return answers, problems


def _duplicate(duplicate: yaml_reading.DuplicateKey, display: str) -> Problem:
    """A key given twice; for a question id, both answers are still read."""
    message = f"{duplicate.message} in answers file {display}"
    return Problem("answers-file", message, file=display, line=duplicate.line)


def _answer(
    key: yaml.Node, value: yaml.Node, display: str, problems: list[Problem]
) -> FileAnswer | None:
    line = key.start_mark.line + 1
    question_id = str(key.value)
    if isinstance(value, yaml.ScalarNode):
        text = scalar_text(value)
        return FileAnswer(
            question_id, "answered", text, file=display, line=line, text_line=text_start(value)
        )
    if not isinstance(value, yaml.MappingNode):
        msg = f"{question_id}: expected answer text or a mapping with 'text' and 'status'"
        problems.append(Problem("answers-file", msg, file=display, line=line))
        return None
    fields = {str(k.value): v for k, v in value.value}
    for key in (k for k in fields if k not in ENTRY_KEYS):
        msg = f"{question_id}: unknown key {key!r}{did_you_mean(key, ENTRY_KEYS)}; it is "
        msg += f"ignored (keys: {', '.join(ENTRY_KEYS)})"
        problems.append(Problem("answers-file", msg, file=display, line=line))
    status_node, text_node = fields.get("status"), fields.get("text")
    status = str(status_node.value) if isinstance(status_node, yaml.ScalarNode) else "answered"
    if status not in ANSWER_STATUSES:
        msg = f"{question_id}: unknown answer status {status!r}; use one of: "
        problems.append(
            Problem("status", msg + ", ".join(ANSWER_STATUSES), file=display, line=line)
        )
        status = "answered"
    text = scalar_text(text_node) if isinstance(text_node, yaml.ScalarNode) else ""
    choice_node = fields.get("answer")
    choice = str(choice_node.value) if isinstance(choice_node, yaml.ScalarNode) else ""
    return FileAnswer(
        question_id,
        status,
        text,
        file=display,
        line=line,
        choice=choice,
        format=_format(question_id, fields.get("format"), display, line, problems),
        by=_kept(fields.get("by")),
        received=_kept(fields.get("received")),
        text_line=text_start(text_node) if isinstance(text_node, yaml.ScalarNode) else 0,
    )


def _format(
    question_id: str,
    node: yaml.Node | None,
    display: str,
    line: int,
    problems: list[Problem],
) -> str:
    """``text`` or ``markup``; an unknown format is a problem and shown as typed (text)."""
    if node is None:
        return ""
    value = str(node.value).strip().lower() if isinstance(node, yaml.ScalarNode) else ""
    if value in FORMATS:
        return value
    shown = node.value if isinstance(node, yaml.ScalarNode) else "a list or mapping"
    msg = f"{question_id}: unknown format {shown!r}{did_you_mean(value, FORMATS)}; use "
    msg += "'text' (shown as typed) or 'markup'; the text is shown as typed"
    problems.append(Problem("answers-file", msg, file=display, line=line))
    return "text"


def _kept(node: yaml.Node | None) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) and node.value else ""


def text_start(node: yaml.ScalarNode) -> int:
    """The 1-based line of a scalar's first line of text (a block scalar starts below ``|``)."""
    line = node.start_mark.line + 1
    return line + 1 if node.style in ("|", ">") else line


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
