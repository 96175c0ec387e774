"""Writing one ``ethics-signoff`` into a review page, every other byte kept.

Plain Python, no Sphinx: ``sphinx-ethics signoff`` builds the project to
know the review's digest, then calls :func:`insert_signoff` with the page's
text.  The sign-off goes at the end of the review's body (after its last
line in reStructuredText, before its closing fence in MyST), indented or
fenced as the review's answers are, with the page's line endings.  Nothing
else of the page changes: a byte-order mark, CRLF endings, tabs and
trailing text stay exactly as they were.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sphinx_ethics.pages.new import RST_INDENT, Format
from sphinx_ethics.pages.scan import (
    ReviewBlock,
    _md_closer,
    _md_fence,
    _rst_block_end,
    _trim,
    scan_page,
    split_lines,
)


class SignoffPageError(ValueError):
    """The page cannot take the sign-off (review not found where the build said)."""


@dataclass(frozen=True)
class NewSignoff:
    """What ``sphinx-ethics signoff`` writes."""

    role: str
    by: str
    date: str
    decision: str
    digest: str
    comment: str = ""
    #: ``:slots:``: each required slot's digest (``plan-1=3fa2c1 …``), "" to leave out.
    slots: str = ""

    def options(self) -> list[tuple[str, str]]:
        found = [
            ("by", self.by),
            ("date", self.date),
            ("decision", self.decision),
            ("digest", self.digest),
        ]
        return found + ([("slots", self.slots)] if self.slots else [])


def find_review(text: str, fmt: Format, line: int, name: str) -> ReviewBlock:
    """The review whose directive is on ``line`` (1-based, as the report says),
    else the one whose ``:name:`` is ``name``."""
    reviews = scan_page(text, fmt)
    found = [r for r in reviews if r.line + 1 == line] or [
        r for r in reviews if r.options.get("name") == name
    ]
    if len(found) != 1:
        raise SignoffPageError(f"review {name!r} is not at line {line} of the page")
    return found[0]


def insert_signoff(text: str, fmt: Format, review: ReviewBlock, signoff: NewSignoff) -> str:
    """``text`` with ``signoff`` written at the end of ``review``'s body."""
    lines = split_lines(text)
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if fmt == "rst":
        end = _rst_block_end(lines, review.line, len(lines))
        at, block = _trim(lines, review.line, end), _rst_block(review, signoff)
    else:
        at, block = _md_insertion(lines, review), _md_block(review, signoff)
    before = "".join(lines[:at])
    if before and not before.endswith("\n"):
        before += newline  # the page's last line had no line ending
    body = "\n" + block
    if at < len(lines) and lines[at].strip():
        body += "\n"  # what follows is not blank: keep the directive apart from it
    return before + body.replace("\n", newline) + "".join(lines[at:])


def _rst_block(review: ReviewBlock, signoff: NewSignoff) -> str:
    indent = review.body_indent
    inner = indent + RST_INDENT
    out = [f"{indent}.. ethics-signoff:: {signoff.role}\n"]
    out += [f"{inner}:{key}: {value}\n" for key, value in signoff.options()]
    if signoff.comment:
        out.append("\n")
        out += [f"{inner}{line}\n" if line.strip() else "\n" for line in _lines(signoff.comment)]
    return "".join(out)


def _md_insertion(lines: list[str], review: ReviewBlock) -> int:
    """Where the sign-off goes: after the last line before the review's closing fence."""
    opener = _md_fence(lines[review.line])
    if opener is None:
        raise SignoffPageError("the review's fence could not be read")
    close = _md_closer(lines, review.line, len(lines), opener[1])
    if close >= len(lines):
        raise SignoffPageError("the review's fence is not closed; close it first")
    return _trim(lines, review.line, close)


#: A comment line MyST would read as a fence (closing the sign-off or the review).
_FENCE_LINE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})")


def _md_block(review: ReviewBlock, signoff: NewSignoff) -> str:
    fence = review.stub_fence
    for line in _lines(signoff.comment):
        if _FENCE_LINE.match(line):
            msg = f"the comment's line {line.strip()!r} would be read as a MyST fence; "
            raise SignoffPageError(msg + "write it without the fence characters")
    indent = review.body_indent
    out = [f"{indent}{fence}{{ethics-signoff}} {signoff.role}\n"]
    out += [f"{indent}:{key}: {_yaml_value(value)}\n" for key, value in signoff.options()]
    if signoff.comment:
        out.append("\n")
        out += [f"{indent}{line}\n" if line.strip() else "\n" for line in _lines(signoff.comment)]
    out.append(f"{indent}{fence}\n")
    return "".join(out)


#: A MyST option value that YAML reads back as the same plain string.
_PLAIN = re.compile(r"[A-Za-z0-9][\w .,'()/&-]*")


def _yaml_value(value: str) -> str:
    if _PLAIN.fullmatch(value) and not value.endswith(" "):
        return value
    return json.dumps(value, ensure_ascii=False)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
