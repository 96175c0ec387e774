"""``ethics-answer``: one answer, and the markup slips that could hide it.

Inside a review, an answer does not go into the page where it is written:
it leaves its parsed content on the review's collector (a stack in
``env.temp_data``), and the review lays it out under its question.  An
answer outside any review is shown where it is, and reported.

The scanners at the end find what docutils would silently take as answer
text or review notes: option lines in the wrong place, answer text that is
not indented under its directive.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives

from sphinx_ethics.answers.slots import ANSWER_STATUSES, GivenAnswer
from sphinx_ethics.extension.directives import EthicsDirective, LenientOptions
from sphinx_ethics.nodes import rendering

if TYPE_CHECKING:
    from docutils.nodes import Node

STACK_KEY = "sphinx_ethics_review_stack"


@dataclass
class Answer:
    """One answer as written: where it is, and its parsed content."""

    question_id: str
    status: str
    line: int
    content: list[Node]
    file: str = ""  # an :answers: file (the line is then that file's)
    markup: str = ""  # why the answer cannot be trusted as written (see markup_slips)
    choice: str = ""  # a screening question's :answer: (yes / no / unsure)
    by: str = ""  # an answers file's ``by`` and ``received``, cleaned (SPEC §12)
    received: str = ""

    @functools.cached_property
    def text(self) -> str:
        """What a reader sees, block by block: parser messages left out."""
        return "\n".join(filter(None, (_visible_text(node) for node in self.content)))

    def given(self) -> GivenAnswer:
        return GivenAnswer(
            self.text,
            self.status,
            self.line,
            self.file,
            self.markup,
            self.choice,
            by=self.by,
            received=self.received,
        )

    def kept(self) -> dict[str, str | int]:
        """How it was given, kept on the page for the seen-text judgement (page_checks)."""
        return {
            "status": self.status,
            "line": self.line,
            "file": self.file,
            "markup": self.markup,
            "choice": self.choice,
            "by": self.by,
            "received": self.received,
        }


def _visible_text(node: Node) -> str:
    if isinstance(node, (nodes.system_message, nodes.comment)):
        return ""
    if isinstance(node, nodes.Text):
        return node.astext()
    joiner = "\n" if isinstance(node, (nodes.Sequential, nodes.list_item)) else ""
    parts = (_visible_text(child) for child in node.children)
    return joiner.join(filter(None, parts)) if joiner else "".join(parts)


@dataclass
class AnswerCollector:
    """Where ``ethics-answer`` directives inside a review leave their content."""

    line: int
    ignored: bool = False  # a nested review: answers are shown, not counted
    review: str = ""  # the review's name, which the answers' problems belong to
    answers: list[Answer] = field(default_factory=list)
    signoffs: list[Any] = field(default_factory=list)  # sphinx_ethics.extension.signoff.Signoff


# --------------------------------------------------------------------------
# ethics-answer
# --------------------------------------------------------------------------


class AnswerDirective(EthicsDirective):
    """The team's answer to one question; only meaningful inside a review."""

    # The id is checked in run(): docutils would drop an answer without one.
    optional_arguments = 1
    has_content = True
    option_spec: ClassVar = LenientOptions(
        {"status": directives.unchanged, "answer": directives.unchanged}
    )

    def run(self) -> list[Node]:
        stack: list[AnswerCollector] = self.env.temp_data.get(STACK_KEY, [])
        review = stack[-1].review if stack else ""
        self.options_problems(review)
        question_id = self.arguments[0].strip() if self.arguments else ""
        if not question_id:
            self.problem("option", "ethics-answer names no question id", review=review)
        status = self.options.get("status", "answered").strip().lower() or "answered"
        if status not in ANSWER_STATUSES:
            msg = f"{question_id}: unknown answer status {status!r}; use one of: "
            self.problem("status", msg + ", ".join(ANSWER_STATUSES), review=review)
            status = "answered"
        line = self.page_line(self.lineno)
        answer = Answer(question_id, status, line, self.parse_content_to_nodes())
        answer.choice = self.options.get("answer", "")
        question = self.catalog.questions.get(question_id)
        if answer.choice and question is not None and not question.screening:
            msg = f"{question_id}: :answer: is for screening questions (yes, no or unsure); "
            msg += f"{question_id} is answered in words, so :answer: is ignored"
            self.problem("option", msg, review=review)
        for offset, line in option_lines(self.content, self.option_spec):
            answer.markup = (
                f"the answer contains the option line {line.strip()!r}, which only works "
                "directly under the directive line (before the blank line); as written it "
                "is answer text, so the answer is not counted"
            )
            where = self.content_offset + offset + 1
            self.problem("markup", f"{question_id}: {answer.markup}", line=where, review=review)
        if stack and not stack[-1].ignored:
            stack[-1].answers.append(answer)
            return []
        if not stack:
            msg = f"{question_id}: ethics-answer outside any ethics-review; its text is shown "
            msg += "but not counted (indent it under the review's directive, or in MyST put "
            msg += "it inside the review's fence, whose colons must outnumber the answer's)"
            self.problem("orphan-answer", msg)
        return [rendering.loose_answer(question_id, answer.content)]


# --------------------------------------------------------------------------
# Markup slips
# --------------------------------------------------------------------------


OPTION_LINE = re.compile(r"\s*:([A-Za-z][\w-]*):(\s|$)")


def option_lines(
    content: Sequence[str], spec: Mapping[str, object] | None
) -> list[tuple[int, str]]:
    """Lines of a directive's content that look like its own options (misplaced)."""
    names = set(spec or {})
    found = []
    for offset, line in enumerate(content):
        match = OPTION_LINE.match(line)
        if match and match.group(1) in names:
            found.append((offset, line))
    return found


FENCE_OPEN = re.compile(r"(`{3,}|:{3,})\{")


def top_level(content: Sequence[str]) -> list[str]:
    """The content's own lines: lines of nested directives blanked out.

    Nested rST directives are indented; nested MyST directives are fenced
    (their option lines sit at column 0, right under the fence).
    """
    lines: list[str] = []
    fences: list[str] = []
    for line in content:
        opening = FENCE_OPEN.match(line)
        if opening:
            fences.append(opening.group(1))
        elif fences and line.strip() and set(line.strip()) == {fences[-1][0]}:
            if len(line.strip()) >= len(fences[-1]):
                fences.pop()
            lines.append("")
            continue
        nested = bool(fences) or line[:1].isspace()
        lines.append("" if nested else line)
    return lines


ANSWER_LINE = re.compile(r"\.\.\s+ethics-answer::\s*(\S*)")


def unindented_answer_text(content: Sequence[str]) -> list[tuple[str, int]]:
    """``ethics-answer`` lines (rST) followed by text at their own indentation."""
    found = []
    for offset, line in enumerate(content):
        match = ANSWER_LINE.match(line)
        if not match:
            continue
        indent = len(line) - len(line.lstrip())
        for later in range(offset + 1, len(content)):
            text = content[later]
            if not text.strip():
                continue
            depth = len(text) - len(text.lstrip())
            if depth > indent:
                break  # options or content, indented as they should be
            if depth == indent and not text.lstrip().startswith(".."):
                found.append((match.group(1), later))
            break
    return found
