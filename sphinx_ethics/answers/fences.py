"""MyST fence slips that hide a review from the build, found in a page's text.

MyST reads a directive only from a fence it knows, and a fence ends at the
first bare fence line of the same character that is at least as long.  Two
slips therefore make reviews vanish or fall apart without a word from
MyST:

- a colon fence (``:::{ethics-review}``) when ``colon_fence`` is not in
  ``myst_enable_extensions``: the page shows the text raw;
- an answer (or any fence) inside a review with the same fence character
  and at least as many of them: the answer's closing fence ends the review.

:func:`fence_problems` finds both in the source text (pure: text in,
:class:`Slip` out).  The build reports them as ``ethics.markup``
(:func:`sphinx_ethics.extension.page_checks.check_markdown_source`), and
``sphinx-ethics update`` refuses such a page with the same advice.  Fences
inside code blocks are only examples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

COLON_ETHICS = re.compile(r"^\s*:{3,}\{ethics-")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}|:{3,})(.*)$")
DIRECTIVE = re.compile(r"^\{([\w:.+-]+)\}")
#: Directives whose content MyST does not parse as Markdown.
OPAQUE = {"code-block", "code", "sourcecode", "literalinclude", "eval-rst", "raw", "math"}
COLON_FENCE_ADVICE = (
    'add myst_enable_extensions = ["colon_fence"] to conf.py, or use backtick fences '
    "(```{ethics-review} ... ```)"
)


@dataclass(frozen=True)
class Slip:
    """One fence problem: ``line`` is 1-based."""

    line: int
    message: str


@dataclass
class _Open:
    """A directive fence that is open, as its author meant the nesting."""

    marker: str
    name: str
    line: int  # 1-based
    reported: bool = False


def _fence(line: str, colon_fence: bool) -> tuple[str, str] | None:
    """(marker, info) when ``line`` opens or closes a fence MyST knows."""
    match = FENCE.match(line.rstrip("\r\n"))
    if not match:
        return None
    marker, info = match.group(1), match.group(2).strip()
    if marker[0] == ":" and not colon_fence:
        return None
    if marker[0] == "`" and "`" in info:
        return None  # inline code, not a fence
    return marker, info


def _closes(marker: str, closer: str) -> bool:
    return closer[0] == marker[0] and len(closer) >= len(marker)


def _code_end(lines: list[str], start: int, marker: str, colon_fence: bool) -> int:
    """The line that closes the code fence opened at ``start`` (the last line if none)."""
    for index in range(start + 1, len(lines)):
        fence = _fence(lines[index], colon_fence)
        if fence and not fence[1] and _closes(marker, fence[0]):
            return index
    return len(lines)


def _early_close(stack: list[_Open], marker: str, info: str, line: int) -> Iterable[Slip]:
    """A fence opened inside an ethics directive whose closer would end that directive."""
    for outer in stack:
        if outer.reported or not outer.name.startswith("ethics-"):
            continue
        if not _closes(outer.marker, marker):
            continue
        outer.reported = True
        directive = DIRECTIVE.match(info)
        what = f"{{{directive.group(1)}}}" if directive else "this fence"
        more = {":": "colons", "`": "backticks"}.get(marker[0], "tildes")
        longer = outer.marker[0] * (len(marker) + 1)
        yield Slip(
            line,
            f"{what} opens with {marker!r}, as long as the {outer.marker!r} of the "
            f"{outer.name} at line {outer.line}: its closing {marker!r} ends the "
            f"{outer.name} early, and what follows is not part of it; give the "
            f"{outer.name} more {more} than the fences inside it ({longer}{{{outer.name}}})",
        )


def fence_problems(text: str, colon_fence: bool) -> list[Slip]:
    """The fence slips in a MyST page's text (``colon_fence``: is it enabled)."""
    lines = text.splitlines()
    slips: list[Slip] = []
    unread: list[int] = []  # colon-fenced ethics directives MyST will show as text
    stack: list[_Open] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not colon_fence and COLON_ETHICS.match(line):
            unread.append(index + 1)
        fence = _fence(line, colon_fence)
        if fence is None:
            index += 1
            continue
        marker, info = fence
        closed = [i for i, o in enumerate(stack) if not info and _closes(o.marker, marker)]
        if closed:
            del stack[closed[-1] :]
            index += 1
            continue
        slips += _early_close(stack, marker, info, index + 1)
        directive = DIRECTIVE.match(info)
        if directive is None or directive.group(1) in OPAQUE:
            index = _code_end(lines, index, marker, colon_fence) + 1
            continue
        stack.append(_Open(marker, directive.group(1), index + 1))
        index += 1
    if unread:
        slips.append(_colon_slip(unread[0], lines[unread[0] - 1], len(unread)))
    return sorted(slips, key=lambda s: s.line)


def _colon_slip(number: int, line: str, count: int) -> Slip:
    opener = line.strip().split("}")[0] + "}"
    more = count - 1
    others = f" (and {more} more ethics fence{'s' * (more > 1)} on this page)" if more else ""
    return Slip(
        number,
        f"{opener} is a colon fence, but colon_fence is not enabled: MyST shows it{others} "
        f"as plain text, so the build does not read or check it; {COLON_FENCE_ADVICE}",
    )


def page_colon_fence(text: str, default: bool) -> bool:
    """Whether a page has colon fences: its front matter's ``myst.enable_extensions``
    (which replaces the project's), else ``default``."""
    match = re.match(r"---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", text, re.S)
    if not match:
        return default
    import yaml

    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return default
    myst = data.get("myst") if isinstance(data, dict) else None
    extensions = myst.get("enable_extensions") if isinstance(myst, dict) else None
    if not isinstance(extensions, list | tuple | set):
        return default
    return "colon_fence" in extensions


def colon_fence_enabled(extensions: Any) -> bool:
    """Whether a ``myst_enable_extensions`` value holds ``colon_fence``."""
    return isinstance(extensions, list | tuple | set | frozenset) and "colon_fence" in extensions
