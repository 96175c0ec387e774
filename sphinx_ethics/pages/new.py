"""Fill-in review pages: write a new one.

``sphinx-ethics new`` writes a page with one empty ``ethics-answer`` per slot
and the question beside it as a comment, so the page builds straight away and
the build lists every slot still to answer.  ``sphinx-ethics update``
(:mod:`sphinx_ethics.pages.update`) later adds stubs, built here, for slots a
page does not have yet; :mod:`sphinx_ethics.pages.scan` reads existing pages.
"""

from __future__ import annotations

import json
import re
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sphinx_ethics import files
from sphinx_ethics.answers import drift
from sphinx_ethics.catalogue import Checklist, Question
from sphinx_ethics.catalogue import attribution as wording

Format = Literal["rst", "md"]
FORMATS: tuple[Format, ...] = ("rst", "md")
SUFFIXES: dict[str, Format] = {".rst": "rst", ".rest": "rst", ".txt": "rst", ".md": "md"}
WIDTH = 79
RST_INDENT = "   "


class PageError(files.FileError):
    """A page cannot be written or updated; the message is one line for the user."""


@dataclass(frozen=True)
class ReviewMeta:
    """Options ``new`` writes on the ``ethics-review`` directive (empty = left out)."""

    name: str = ""
    title: str = ""
    owner: str = ""
    reviewers: str = ""
    date: str = ""
    review_by: str = ""
    status: str = ""

    def options(self) -> list[tuple[str, str]]:
        pairs = [
            ("name", self.name),
            ("owner", self.owner),
            ("reviewers", self.reviewers),
            ("date", self.date),
            ("review-by", self.review_by),
            ("status", self.status),
        ]
        return [(key, " ".join(value.split())) for key, value in pairs if value.strip()]


def page_format(path: str | None, explicit: str | None) -> Format:
    """``--format`` if given, else the file's extension (.rst or .md)."""
    if explicit:
        return "md" if explicit in ("md", "myst", "markdown") else "rst"
    suffix = Path(path).suffix.lower() if path and path != "-" else ""
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    what = f"the extension {suffix!r}" if suffix else "no file extension"
    raise PageError(f"cannot tell the page format from {what}: use --format rst or --format md")


# --------------------------------------------------------------------------
# Writing stubs and pages
# --------------------------------------------------------------------------


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    wrapper = textwrap.TextWrapper(
        width=max(width, 30),
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapper.wrap(" ".join(text.split())) or [first.rstrip()]


def question_note(question: Question, width: int) -> list[str]:
    """The comment text for a question: id and text, then its prompts."""
    lines = _wrap(f"{question.id}: {question.text}", width, "", "  ")
    for prompt in question.prompts:
        lines += _wrap(prompt, width, "  - ", "    ")
    if question.added_by:
        lines += _wrap(f"({wording.added_mark(question)}.)", width, "  ", "  ")
    if question.is_group:
        note = f"(Answer its lettered parts below; an answer to {question.id} is optional.)"
        lines += _wrap(note, width, "  ", "  ")
    return lines


def comment(lines: Sequence[str], fmt: Format, indent: str = "") -> list[str]:
    """A comment block that neither docutils nor MyST renders."""
    if fmt == "md":
        return [f"{indent}% {line}".rstrip() for line in lines]
    return [f"{indent}.."] + [f"{indent}{RST_INDENT}{line}".rstrip() for line in lines]


def answer_stub(question_id: str, fmt: Format, indent: str = "", fence: str = ":::") -> list[str]:
    """An empty answer: the build reports it as unanswered until it is filled in."""
    if fmt == "md":
        return [f"{indent}{fence}{{ethics-answer}} {question_id}", f"{indent}{fence}"]
    return [f"{indent}.. ethics-answer:: {question_id}"]


def stub_pieces(
    question: Question,
    fmt: Format,
    indent: str = "",
    fence: str = ":::",
    with_note: bool = True,
    with_answer: bool = True,
) -> list[list[str]]:
    """The blocks (separated by blank lines) that stand for one question."""
    width = WIDTH - len(indent) - (len(RST_INDENT) if fmt == "rst" else 2)
    pieces = []
    if with_note:
        pieces.append(comment(question_note(question, width), fmt, indent))
    if with_answer and not question.is_group:
        pieces.append(answer_stub(question.id, fmt, indent, fence))
    return pieces


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _rst_title(text: str) -> list[str]:
    escaped = re.sub(r"([\\*`_|])", r"\\\1", text)
    if not escaped[:1].isalnum() and not escaped.startswith("\\"):
        escaped = "\\" + escaped  # "- x", ".. x", "1. x" would not be a title
    return [escaped, "=" * max(_display_width(escaped), 3)]


def _md_title(text: str) -> str:
    """A Markdown heading; characters that could start inline markup are escaped."""
    return "# " + re.sub(r"([\\`*_\[\]<>{}!|~$&#])", r"\\\1", text)


def default_title(checklists: Sequence[Checklist]) -> str:
    """A page title from the checklists' own titles, so no two pages read alike."""
    titles = [c.title.strip() for c in checklists if c.title.strip()]
    if not titles:
        return "Ethics review"
    return "Ethics review: " + "; ".join(titles)


def _myst_value(value: str) -> str:
    """An option value MyST reads back unchanged (quoted when YAML would not)."""
    if re.fullmatch(r"[A-Za-z0-9][\w .,;/()@+'-]*", value) and not value.endswith(" "):
        return value
    return json.dumps(value, ensure_ascii=False)


HOW_TO = (
    "Written by 'sphinx-ethics new'. Write each answer under its "
    "'ethics-answer' line{where}. An empty answer is reported as unanswered "
    "when the docs are built. If a question does not apply, give the reason "
    "as the answer and add ':status: not-applicable'{status}. "
    "'sphinx-ethics update' adds questions a checklist gains later; "
    "'sphinx-ethics check' lists what is still unanswered."
)


def source_note(checklists: Sequence[Checklist], width: int) -> list[str]:
    """Whose words the comments below quote: each source's attribution and licence."""
    lines = ["The questions quoted in the comments below are from:"]
    sources = []
    for checklist in checklists:
        sources += [s for s in wording.checklist_sources(checklist) if s not in sources]
    for source in sources:
        lines += _wrap(wording.text(source), width, "  ", "  ")
    return lines


def render_page(
    checklists: Sequence[Checklist], fmt: Format, meta: ReviewMeta, colon_fence: bool = True
) -> str:
    """A complete fill-in review page for ``checklists``, ending with a newline.

    The title is the page's heading only (a ``:title:`` option as well would
    show it twice).  MyST pages use colon fences when the project enables
    ``colon_fence``, else backtick fences, which work without it.
    """
    title = meta.title or default_title(checklists)
    # What the answers will be given under: checklist versions, question digests (SPEC §12).
    under = drift.format_record(drift.current_record(checklists))
    ids = " ".join(c.id for c in checklists)
    out: list[str] = []
    if fmt == "md":
        how = HOW_TO.format(where=" (before its closing fence)", status=" as an option line")
        outer, fence = ("::::", ":::") if colon_fence else ("````", "```")
        out += [_md_title(title), "", *comment(_wrap(how, WIDTH - 2), "md"), ""]
        out += [*comment(source_note(checklists, WIDTH - 2), "md"), ""]
        out += [f"{outer}{{ethics-review}} {ids}"]
        out += [f":{key}: {_myst_value(value)}" for key, value in meta.options()]
        out += [f":answered-under: {_myst_value(under)}"]
        indent = ""
    else:
        how = HOW_TO.format(where=", indented, after a blank line", status=" under that line")
        out += [*_rst_title(title), "", *comment(_wrap(how, WIDTH - 3), "rst"), ""]
        out += [*comment(source_note(checklists, WIDTH - 3), "rst"), ""]
        out += [f".. ethics-review:: {ids}"]
        out += [f"{RST_INDENT}:{key}: {value}" for key, value in meta.options()]
        out += [f"{RST_INDENT}:answered-under: {under}"]
        indent, fence, outer = RST_INDENT, "", ""
    for checklist in checklists:
        for question in checklist.iter_questions():
            for piece in stub_pieces(question, fmt, indent, fence):
                out += ["", *piece]
    if fmt == "md":
        out += [outer]
    return "\n".join(out) + "\n"
