"""An answer's parsed content as small structured data, for exports outside Sphinx.

The report's ``answer`` is plain text, which loses the team's lists and
links.  ``sphinx-ethics review`` writes answers for a board paper or a
spreadsheet, so each answer's docutils nodes are turned here into plain,
JSON-ready blocks when the review is read (no nodes are kept)::

    {"type": "paragraph", "spans": [{"text": "See "}, {"text": "NICE", "url": "https://..."}]}
    {"type": "list", "ordered": false, "items": [[block, ...], ...]}
    {"type": "literal", "text": "..."}
    {"type": "table", "rows": [["cell", ...], ...], "header_rows": 1}
    {"type": "quote", "blocks": [block, ...]}

Anything else (admonitions, definition lists, containers) becomes one of
these.  The text is only ever text: renderers escape it for their format.
Plain docutils, no Sphinx.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from docutils import nodes

from sphinx_ethics.answers.slots import visible

Block = dict[str, Any]
Span = dict[str, str]

#: Nodes that are not part of what the reader sees.
INVISIBLE = (
    nodes.system_message,
    nodes.comment,
    nodes.target,
    nodes.substitution_definition,
    nodes.raw,
    nodes.pending,
)

#: Nodes whose content depends on the builder or the configuration
#: (``.. only::``, ``.. ifconfig::``): an answer that holds one is a markup slip.
#: Known by name, so this layer needs no Sphinx.
BUILDER_DEPENDENT = frozenset({"only", "ifconfig"})


def blocks(content: Iterable[nodes.Node]) -> list[Block]:
    """The blocks of an answer's content, in order."""
    out: list[Block] = []
    for node in content:
        out += _block(node)
    return out


def _block(node: nodes.Node) -> list[Block]:  # noqa: C901 - one branch per node kind
    if isinstance(node, INVISIBLE) or type(node).__name__ in BUILDER_DEPENDENT:
        return []  # not seen, or seen in some builds only (a markup problem)
    if isinstance(node, nodes.paragraph | nodes.rubric | nodes.title):
        return _paragraph(spans(node))
    if isinstance(node, nodes.Text):
        return _paragraph([{"text": node.astext()}])
    if isinstance(node, nodes.bullet_list | nodes.enumerated_list):
        items = [blocks(item.children) for item in node.children]
        ordered = isinstance(node, nodes.enumerated_list)
        return [{"type": "list", "ordered": ordered, "items": items}]
    if isinstance(node, nodes.definition_list | nodes.field_list):
        return [{"type": "list", "ordered": False, "items": _term_items(node)}]
    if isinstance(node, nodes.literal_block | nodes.doctest_block):
        return [{"type": "literal", "text": node.astext()}]
    if isinstance(node, nodes.line_block):
        lines = [line for line in node.findall(nodes.line)]
        return [b for line in lines for b in _paragraph(spans(line))]
    if isinstance(node, nodes.table):
        return _table(node)
    if isinstance(node, nodes.block_quote | nodes.Admonition | nodes.sidebar | nodes.topic):
        inner = blocks(node.children)
        return [{"type": "quote", "blocks": inner}] if inner else []
    if isinstance(node, nodes.Element) and any(
        isinstance(child, nodes.Body | nodes.Structural) for child in node.children
    ):
        return blocks(node.children)  # containers, sections, compound paragraphs
    return _paragraph([{"text": node.astext()}])


def _paragraph(found: list[Span]) -> list[Block]:
    return [{"type": "paragraph", "spans": found}] if found else []


def _term_items(node: nodes.Element) -> list[list[Block]]:
    """A definition or field list as a list: 'term: definition' per item."""
    items = []
    for item in node.children:
        if not isinstance(item, nodes.Element):
            continue
        term = next(
            (c for c in item.children if isinstance(c, nodes.term | nodes.field_name)), None
        )
        body = [c for c in item.children if isinstance(c, nodes.definition | nodes.field_body)]
        inner = [b for part in body for b in blocks(part.children)]
        if term is not None:
            head = [*spans(term), {"text": ":"}]
            if inner and inner[0]["type"] == "paragraph":
                inner[0] = {"type": "paragraph", "spans": _join(head, inner[0]["spans"])}
            else:
                inner.insert(0, {"type": "paragraph", "spans": head})
        items.append(inner)
    return items


def _join(head: list[Span], tail: list[Span]) -> list[Span]:
    return _merge([*head, {"text": " "}, *tail])


def _table(node: nodes.table) -> list[Block]:
    rows: list[list[str]] = []
    header = 0
    for group in node.findall(nodes.tgroup):
        for part in group.children:
            if not isinstance(part, nodes.thead | nodes.tbody):
                continue
            for row in part.findall(nodes.row):
                rows.append([plain_cell(entry) for entry in row.findall(nodes.entry)])
                header += isinstance(part, nodes.thead)
    return [{"type": "table", "rows": rows, "header_rows": header}] if rows else []


def plain_cell(entry: nodes.Element) -> str:
    """A table cell as one line of text; links as 'text (url)'."""
    parts = []
    for block in blocks(entry.children):
        parts.append(block_text(block, " "))
    return " ".join(p for p in parts if p)


# --------------------------------------------------------------------------
# Inline text
# --------------------------------------------------------------------------


def spans(node: nodes.Element) -> list[Span]:
    """The inline text of a paragraph: plain text, and links with their address."""
    found: list[Span] = []
    _collect(node, found)
    merged = _merge(found)
    if merged:
        merged[0]["text"] = merged[0]["text"].lstrip()
        merged[-1]["text"] = merged[-1]["text"].rstrip()
    return [s for s in merged if s["text"] or s.get("url")]


def _collect(node: nodes.Node, found: list[Span]) -> None:
    if isinstance(node, INVISIBLE):
        return
    if isinstance(node, nodes.Text):
        found.append({"text": node.astext()})
        return
    if isinstance(node, nodes.reference) and node.get("refuri"):
        found.append({"text": _space(node.astext()), "url": str(node["refuri"])})
        return
    if isinstance(node, nodes.image):
        found.append({"text": str(node.get("alt", ""))})
        return
    if isinstance(node, nodes.footnote_reference | nodes.citation_reference):
        found.append({"text": f"[{node.astext()}]"})
        return
    for child in node.children if isinstance(node, nodes.Element) else ():
        _collect(child, found)


SPACES = re.compile(r"\s+")


def _space(text: str) -> str:
    return SPACES.sub(" ", text)


def _merge(found: list[Span]) -> list[Span]:
    """Adjacent plain spans as one, runs of white space as one space."""
    out: list[Span] = []
    run: list[str] = []  # plain text not yet added
    for span in found:
        if "url" not in span:
            run.append(span["text"])
            continue
        if run:
            out.append({"text": _space("".join(run))})
            run = []
        out.append({**span, "text": _space(span["text"])})
    if run:
        out.append({"text": _space("".join(run))})
    return out


# --------------------------------------------------------------------------
# As plain text (CSV cells, the JSON "answer", table cells)
# --------------------------------------------------------------------------


def span_text(span: Span) -> str:
    """A link as 'text (url)', or just the url when that is its text."""
    url = span.get("url", "")
    if not url or span["text"] == url:
        return span["text"] or url
    return f"{span['text']} ({url})"


def block_text(block: Block, joiner: str = "\n") -> str:
    """A block as plain text: list items on their own lines, marked '-' or '1.'."""
    kind = block.get("type")
    if kind == "paragraph":
        return "".join(span_text(s) for s in block["spans"])
    if kind == "literal":
        return str(block["text"])
    if kind == "table":
        return joiner.join(" | ".join(row) for row in block["rows"])
    if kind == "quote":
        return joiner.join(block_text(b, joiner) for b in block["blocks"])
    if kind == "list":
        lines = []
        for number, item in enumerate(block["items"], 1):
            mark = f"{number}." if block["ordered"] else "-"
            text = joiner.join(block_text(b, joiner) for b in item)
            lines.append(f"{mark} {text}" if joiner == " " else _hang(mark, text))
        return joiner.join(lines)
    return ""


def _hang(mark: str, text: str) -> str:
    pad = " " * (len(mark) + 1)
    first, *rest = text.split("\n") or [""]
    return "\n".join([f"{mark} {first}", *(pad + line if line else "" for line in rest)])


def plain_text(answer: list[Block]) -> str:
    """A whole answer as plain text, blocks separated by a blank line."""
    return "\n\n".join(t for t in (block_text(b) for b in answer) if t)


# --------------------------------------------------------------------------
# The seen text: what an answer is judged by (SPEC §11)
# --------------------------------------------------------------------------


def builder_dependent(content: Iterable[nodes.Node]) -> str:
    """The directive (``only`` or ``ifconfig``) inside ``content`` whose output varies."""
    for node in content:
        if not isinstance(node, nodes.Element):
            continue
        for inner in node.findall(nodes.Element):
            if type(inner).__name__ in BUILDER_DEPENDENT:
                return type(inner).__name__
    return ""


def words(answer: list[Block]) -> str:
    """Every word a reader sees, on one line: no list marks, no link addresses.

    What the placeholder rules judge: a list whose one item is ``TBD`` is
    still only ``TBD``.
    """
    found: list[str] = []
    _words(answer, found)
    return visible(" ".join(found))


def _words(items: Iterable[Any], found: list[str]) -> None:
    for block in items:
        kind = block.get("type")
        if kind == "paragraph":
            found += [span["text"] for span in block["spans"]]
        elif kind == "literal":
            found.append(str(block["text"]))
        elif kind == "table":
            found += [cell for row in block["rows"] for cell in row]
        elif kind == "quote":
            _words(block["blocks"], found)
        elif kind == "list":
            for item in block["items"]:
                _words(item, found)


def seen_text(answer: list[Block]) -> str:
    """The answer as plain text (:func:`plain_text`), with what cannot be seen removed.

    Empty when the answer shows no word at all (a bare substitution
    definition, a no-break space, a zero-width space).
    """
    if not words(answer):
        return ""
    lines = [_invisible_removed(line) for line in plain_text(answer).split("\n")]
    return "\n".join(lines).strip()


def _invisible_removed(line: str) -> str:
    shown = visible(line)
    return " " * (len(line) - len(line.lstrip(" "))) + shown if shown else ""
