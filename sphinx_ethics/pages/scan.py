"""Reading fill-in review pages: a line scanner for reStructuredText and MyST.

Pages are read with a small line scanner rather than docutils or MyST: a
parser would hand back a tree, not the bytes, and the file must be edited
in place.  The scanner knows just enough of each syntax (indentation and
comments for reStructuredText; fences and ``%`` comments for MyST) to find
each review, its answers and the comments ``new`` wrote, and to skip
literal and code blocks that merely show such text.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field

import yaml

from sphinx_ethics.pages.new import RST_INDENT, Format


@dataclass(frozen=True)
class Block:
    """Lines ``start`` to ``end`` (exclusive, trailing blank lines left out)."""

    id: str
    start: int
    end: int
    indent: str
    fence: str = ""  # MyST answers: the fence they use (":::", "```", ...)


@dataclass
class ReviewBlock:
    line: int  # 0-based line of the directive
    checklists: list[str]
    options: dict[str, str]
    body_start: int  # where stubs go when no earlier question is on the page
    body_indent: str
    stub_fence: str = ""
    answers: list[Block] = field(default_factory=list)
    notes: list[Block] = field(default_factory=list)  # comments that start "<id>:"


NOTE_ID = re.compile(r"^\s*([a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+[a-z]?)\s*:")


def split_lines(text: str) -> list[str]:
    """Lines with their endings; only ``\\n`` ends a line (``\\r\\n`` stays whole)."""
    return re.findall(r"[^\n]*\n|[^\n]+\Z", text)


def _blank(line: str) -> bool:
    return not line.strip()


def _indent(line: str) -> int:
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip())


def _leading(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _trim(lines: Sequence[str], start: int, end: int) -> int:
    """``end`` moved back over blank lines (but not before ``start + 1``)."""
    while end > start + 1 and _blank(lines[end - 1]):
        end -= 1
    return end


def _split_ids(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,]+", text.strip()) if part]


def scan_page(text: str, fmt: Format) -> list[ReviewBlock]:
    """Every ``ethics-review`` on a page, with its answers and question comments."""
    lines = split_lines(text)
    return _scan_rst(lines) if fmt == "rst" else _scan_md(lines, 0, len(lines))


# -- reStructuredText -------------------------------------------------------

RST_REVIEW = re.compile(r"^([ \t]*)\.\.[ \t]+ethics-review[ \t]*::(.*)$")
RST_ANSWER = re.compile(r"^([ \t]*)\.\.[ \t]+ethics-answer[ \t]*::[ \t]*(\S*)")
RST_DIRECTIVE = re.compile(r"^[ \t]*\.\.[ \t]+([\w:.+-]+)[ \t]*::")
RST_EXPLICIT = re.compile(r"^([ \t]*)\.\.(?:[ \t]|$)")
RST_OPAQUE = {"code-block", "code", "sourcecode", "literalinclude", "parsed-literal", "raw", "math"}
QUOTE_CHARS = frozenset(string.punctuation)
RST_OPTION = re.compile(r"^[ \t]*:([\w-]+):(?:[ \t]+(.*))?$")


def _rst_block_end(lines: Sequence[str], start: int, limit: int) -> int:
    """End of the block opened at ``start``: the next line indented no deeper."""
    indent = _indent(lines[start])
    end = start + 1
    while end < limit and (_blank(lines[end]) or _indent(lines[end]) > indent):
        end += 1
    return end


def _rst_comment(line: str) -> bool:
    line = line.rstrip("\r\n")
    match = RST_EXPLICIT.match(line)
    if not match:
        return False
    rest = line[match.end() :].strip()
    return not (RST_DIRECTIVE.match(line) or rest[:1] in ("_", "[", "|"))


def _rst_opaque_end(lines: Sequence[str], index: int, limit: int) -> int | None:
    """Where a comment, literal or code block that starts at ``index`` ends."""
    line = lines[index].rstrip("\r\n")
    directive = RST_DIRECTIVE.match(line)
    if _rst_comment(line) or (directive and directive.group(1) in RST_OPAQUE):
        return _rst_block_end(lines, index, limit)
    stripped = line.rstrip()
    if stripped.endswith("::") and not RST_EXPLICIT.match(line):
        after = index + 1
        while after < limit and _blank(lines[after]):
            after += 1
        if after >= limit or after == index + 1:
            return None
        if _indent(lines[after]) > _indent(line):
            end = after
            while end < limit and (_blank(lines[end]) or _indent(lines[end]) > _indent(line)):
                end += 1
            return end
        quote = lines[after].strip()[:1]
        if _indent(lines[after]) == _indent(line) and quote in QUOTE_CHARS:
            # A "quoted" literal block: unindented lines that all start with
            # the same punctuation character (even ".. ethics-answer::").
            end = after
            while end < limit and lines[end].strip()[:1] == quote:
                end += 1
            return end
    return None


def _scan_rst(lines: list[str]) -> list[ReviewBlock]:
    reviews = []
    index = 0
    while index < len(lines):
        match = RST_REVIEW.match(lines[index].rstrip("\r\n"))
        if match:
            end = _rst_block_end(lines, index, len(lines))
            reviews.append(_rst_review(lines, index, end, match.group(2)))
            index = end
            continue
        opaque = _rst_opaque_end(lines, index, len(lines))
        index = opaque if opaque is not None else index + 1
    return reviews


def _rst_review(lines: list[str], start: int, end: int, args: str) -> ReviewBlock:
    options: dict[str, str] = {}
    index = start + 1
    last = ""
    while index < end and not _blank(lines[index]):
        option = RST_OPTION.match(lines[index].rstrip("\r\n"))
        if option:
            last = option.group(1)
            options[last] = (option.group(2) or "").strip()
        elif last:
            options[last] = f"{options[last]} {lines[index].strip()}".strip()
        else:
            args += " " + lines[index].strip()
        index += 1
    review_indent = _leading(lines[start])
    first = next((i for i in range(index, end) if not _blank(lines[i])), None)
    body_indent = _leading(lines[first]) if first is not None else review_indent + RST_INDENT
    review = ReviewBlock(start, _split_ids(args), options, index, body_indent)
    _rst_body(lines, index, end, _indent(lines[start]), review)
    return review


def _rst_body(lines: list[str], index: int, end: int, floor: int, review: ReviewBlock) -> None:
    while index < end:
        line = lines[index]
        if _blank(line) or _indent(line) <= floor:
            index += 1
            continue
        answer = RST_ANSWER.match(line)
        if answer:
            block_end = _rst_block_end(lines, index, end)
            stop = _trim(lines, index, block_end)
            review.answers.append(Block(answer.group(2), index, stop, answer.group(1)))
            index = block_end
            continue
        opaque = _rst_opaque_end(lines, index, end)
        if opaque is None:
            index += 1
            continue
        if _rst_comment(line):
            content = line.rstrip("\r\n")
            text = content[RST_EXPLICIT.match(content).end() :]  # type: ignore[union-attr]
            if not text.strip():
                text = next(
                    (lines[i] for i in range(index + 1, opaque) if not _blank(lines[i])), ""
                )
            note = NOTE_ID.match(text)
            if note:
                stop = _trim(lines, index, opaque)
                review.notes.append(Block(note.group(1), index, stop, _leading(line)))
        index = opaque


# -- MyST Markdown ----------------------------------------------------------

MD_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,}|:{3,})(.*)$")
MD_DIRECTIVE = re.compile(r"^\{([\w:.+-]+)\}\s*(.*)$")
MD_OPAQUE = {"code-block", "code", "sourcecode", "literalinclude", "eval-rst", "eval-md", "raw"}
MD_OPTION = re.compile(r"^\s*:([\w-]+):\s*(.*)$")
MD_COMMENT = re.compile(r"^ {0,3}%")


def _md_closer(lines: Sequence[str], start: int, limit: int, fence: str) -> int:
    """The closing fence of the fence opened at ``start`` (``limit`` if none)."""
    pattern = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    for index in range(start + 1, limit):
        if pattern.match(lines[index].rstrip("\r\n")):
            return index
    return limit


@dataclass(frozen=True)
class Fence:
    """A fenced block: opener at ``start``, closer at ``close`` (``limit`` if none)."""

    start: int
    close: int
    indent: str
    marker: str  # ":::", "```", "~~~~", ...
    name: str  # the directive's name, "" if the fence opens no directive
    args: str


def _md_fence(line: str) -> tuple[str, str, str] | None:
    """(indent, fence, info) of a fence opener, if ``line`` is one."""
    match = MD_FENCE.match(line.rstrip("\r\n"))
    if not match or (match.group(2)[0] == "`" and "`" in match.group(3)):
        return None
    return match.group(1), match.group(2), match.group(3).strip()


def _next_fence(lines: Sequence[str], index: int, limit: int) -> Fence | None:
    """The first fenced block that opens at or after ``index`` (before ``limit``)."""
    for start in range(index, limit):
        opener = _md_fence(lines[start])
        if opener is None:
            continue
        indent, marker, info = opener
        close = _md_closer(lines, start, limit, marker)
        directive = MD_DIRECTIVE.match(info)
        name, args = directive.groups() if directive else ("", "")
        return Fence(start, close, indent, marker, name, args)
    return None


def _scan_md(lines: list[str], start: int, limit: int) -> list[ReviewBlock]:
    reviews: list[ReviewBlock] = []
    while fence := _next_fence(lines, start, limit):
        if fence.name == "ethics-review":
            reviews.append(_md_review(lines, fence))
        elif fence.name and fence.name not in MD_OPAQUE:
            reviews += _scan_md(lines, fence.start + 1, fence.close)
        start = fence.close + 1
    return reviews


def _md_review(lines: list[str], review_fence: Fence) -> ReviewBlock:
    start, close, fence = review_fence.start, review_fence.close, review_fence.marker
    options: dict[str, str] = {}
    index = start + 1
    if index < close and lines[index].strip() == "---":
        end = next((i for i in range(index + 1, close) if lines[i].strip() == "---"), None)
        if end is not None:
            try:
                data = yaml.safe_load("".join(lines[index + 1 : end]))
            except yaml.YAMLError:
                data = None
            if isinstance(data, dict):
                options = {str(k): str(v) for k, v in data.items()}
            index = end + 1
    while index < close and (option := MD_OPTION.match(lines[index].rstrip("\r\n"))):
        options[option.group(1)] = _unquote(option.group(2).strip())
        index += 1
    # A stub's fence must not close the review's: shorter, or another character.
    other = "~~~" if fence[0] == "`" else "```"
    stub_fence = fence[:-1] if len(fence) > 3 else other
    ids = _split_ids(review_fence.args)
    review = ReviewBlock(start, ids, options, index, review_fence.indent, stub_fence)
    _md_body(lines, index, close, review)
    if review.answers:
        review.stub_fence = review.answers[0].fence
    return review


def _unquote(value: str) -> str:
    if value[:1] in ('"', "'"):
        try:
            loaded = yaml.safe_load(value)
        except yaml.YAMLError:
            return value
        return str(loaded)
    return value


def _md_body(lines: list[str], index: int, limit: int, review: ReviewBlock) -> None:
    while fence := _next_fence(lines, index, limit):
        _md_notes(lines, index, fence.start, review)
        if fence.name == "ethics-answer":
            question_id = fence.args.split()[0] if fence.args.split() else ""
            end = min(fence.close + 1, limit)
            review.answers.append(Block(question_id, fence.start, end, fence.indent, fence.marker))
        elif fence.name and fence.name not in MD_OPAQUE | {"ethics-review"}:
            _md_body(lines, fence.start + 1, fence.close, review)
        index = fence.close + 1
    _md_notes(lines, index, limit, review)


def _md_notes(lines: list[str], index: int, limit: int, review: ReviewBlock) -> None:
    """The question comments (runs of ``%`` lines) between ``index`` and ``limit``."""
    while index < limit:
        if not MD_COMMENT.match(lines[index]):
            index += 1
            continue
        end = index
        while end < limit and MD_COMMENT.match(lines[end]):
            end += 1
        note = NOTE_ID.match(lines[index].lstrip()[1:])
        if note:
            review.notes.append(Block(note.group(1), index, end, _leading(lines[index])))
        index = end
