"""``format: text``: an answer shown exactly as it was typed, built without a parser.

What the offline form and ``merge`` write is a person's words, not markup
(SPEC §10).  The nodes are built here directly, so nothing in the text can
ever be read as markup: ``*``, backticks, ``|``, ``{{``, ``..`` and
``:role:`` stay characters.  Only what a person typing in a text box means
is kept:

- paragraphs at blank lines, and each line break (a paragraph of several
  lines is a line block, one line per line typed);
- lines starting ``- ``, ``* ``, ``1. `` or ``1) `` as list items (an
  indented line after an item continues it);
- bare ``http://`` and ``https://`` addresses as links.
"""

from __future__ import annotations

import re

from docutils import nodes

#: A list item: its marker (``-``, ``*``, ``12.``, ``3)``) and its text.
ITEM = re.compile(r"^[ \t]*(?P<marker>[-*]|(?P<number>\d{1,9})[.)])[ \t]+(?P<text>\S.*)$")
#: A bare web address; punctuation that usually ends a sentence is left out.
ADDRESS = re.compile(r"https?://[^\s<>\"'`]+")
TRAILING = ".,;:!?)]}'\""


def typed_text(text: str) -> list[nodes.Node]:
    """The block nodes of ``text`` as typed (see the module's docstring)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[nodes.Node] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            run.append(line)
        elif run:
            blocks += _blocks(run)
            run = []
    for block in blocks:
        block["support_smartquotes"] = False  # quotes and dashes as typed
        block["classes"].append("ethics-typed")
    return blocks


def _blocks(lines: list[str]) -> list[nodes.Node]:
    """One run of lines without a blank line: paragraphs and lists, in order."""
    out: list[nodes.Node] = []
    plain: list[str] = []
    items: list[list[str]] = []
    kind = ""
    for line in lines:
        match = ITEM.match(line)
        if match:
            marker = "number" if match["number"] else match["marker"]
            if plain:
                out.append(_lines(plain))
                plain = []
            if items and marker != kind:
                out.append(_list(items, kind))
                items = []
            kind = marker
            items.append([match["number"] or "", match["text"]])
        elif items and line[:1] in " \t":
            items[-1].append(line.strip())  # continues the item above
        else:
            if items:
                out.append(_list(items, kind))
                items = []
            plain.append(line)
    if items:
        out.append(_list(items, kind))
    if plain:
        out.append(_lines(plain))
    return out


def _list(items: list[list[str]], kind: str) -> nodes.Element:
    """A bullet list, or an enumerated list starting at the first number typed."""
    start = items[0][0]
    body = [nodes.list_item("", _lines(item[1:])) for item in items]
    if kind != "number":
        return nodes.bullet_list("", *body, bullet=kind)
    found = nodes.enumerated_list("", *body, enumtype="arabic", prefix="", suffix=".")
    if start and int(start) != 1:
        found["start"] = int(start)
    return found


def _lines(lines: list[str]) -> nodes.Element:
    """One line as a paragraph; several as a line block (the line breaks kept)."""
    if len(lines) == 1:
        return nodes.paragraph(lines[0], "", *inline(lines[0].strip()))
    block = nodes.line_block()
    for line in lines:
        block += nodes.line(line, "", *inline(line.strip()))
    return block


def inline(text: str) -> list[nodes.Node]:
    """Text with its bare web addresses as links; nothing else is markup."""
    found: list[nodes.Node] = []
    at = 0
    for match in ADDRESS.finditer(text):
        address = match.group().rstrip(TRAILING)
        if len(address) <= len("https://"):
            continue
        start = match.start()
        if start > at:
            found.append(nodes.Text(text[at:start]))
        found.append(nodes.reference(address, address, refuri=address))
        at = start + len(address)
    if at < len(text):
        found.append(nodes.Text(text[at:]))
    return found
