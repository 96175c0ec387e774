"""Answers-file text, parsed as data: the allow-list, enforced while parsing.

Answers files carry words from outside the team (the offline form, a
survey, a merged download), so their text must never run code, read a
file, load anything, change the page around it or add a review (SPEC §10).
Each entry is parsed on its own, into a document of its own (its lines are
the answers file's lines, so parser messages point there):

- ``format: text`` is never parsed (:func:`sphinx_ethics.untrusted.typed.typed_text`);
- reStructuredText is parsed with docutils' directive and role lookup
  replaced (:class:`Restricted`, over Sphinx's own replacement): every
  directive, and every role but :data:`ROLES`, is refused *at lookup*, so
  its code never runs; what was written is shown as literal text;
- MyST is parsed by markdown-it with no extensions and HTML off (tables on,
  and ``{role}`` syntax for :data:`ROLES`), by a renderer that refuses
  ``{name}`` fences (``{eval-rst}`` too), headings, rules and images, and
  keeps every link a plain link (MyST would make a local file a download);
- the parsed tree is then held to :data:`ALLOWED` (:func:`keep_allowed`):
  what is left outside it (a target, a footnote, a comment, a substitution,
  a section) becomes literal text.

Everything refused is an ``untrusted`` problem at the answers file's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import Directive, Parser, states
from docutils.statemachine import StringList, string2lines
from sphinx import addnodes
from sphinx.util.docutils import CustomReSTDispatcher

if TYPE_CHECKING:
    from types import ModuleType

    from docutils.utils import Reporter

#: The roles an answers file may use (markup entries only).
ROLES = frozenset({"ref", "doc", "term", "ethics-question"})

#: Every node an answers-file entry may bring into the page.
ALLOWED: tuple[type[nodes.Node], ...] = (
    nodes.Text,
    nodes.paragraph,
    nodes.bullet_list,
    nodes.enumerated_list,
    nodes.list_item,
    nodes.definition_list,
    nodes.definition_list_item,
    nodes.term,
    nodes.classifier,
    nodes.definition,
    nodes.emphasis,
    nodes.strong,
    nodes.literal,
    nodes.reference,
    nodes.literal_block,
    nodes.block_quote,
    nodes.attribution,
    nodes.line_block,
    nodes.line,
    nodes.table,
    nodes.tgroup,
    nodes.colspec,
    nodes.thead,
    nodes.tbody,
    nodes.row,
    nodes.entry,
    addnodes.pending_xref,  # from ROLES only
    nodes.inline,  # the text of a pending_xref
)

#: Link schemes kept as links; a link with no scheme (a relative path) stays
#: a plain link too (never a download).
SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")

UNTRUSTED_CLASS = "ethics-untrusted"


@dataclass
class Refusals:
    """What one entry's parse refused: ``(line, message)`` pairs, in order."""

    default_line: int
    found: list[tuple[int, str]] = field(default_factory=list)

    def add(self, what: str, line: int | None) -> None:
        msg = f"{what} is not allowed in an answers file, where text is data and never "
        msg += "runs; it is shown as text (if the team wrote it, move that answer into "
        msg += "the page)"
        self.found.append((line or self.default_line, msg))


# --------------------------------------------------------------------------
# Lookup: every directive and all but a few roles refused before they run
# --------------------------------------------------------------------------


class _RefusedDirective(Directive):
    """Stands in for any directive: shows the block as written, runs nothing."""

    refusals: ClassVar[Refusals]
    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar = None

    def run(self) -> list[nodes.Node]:
        self.refusals.add(f"the directive {self.name!r}", self.lineno)
        return [shown_block(self.block_text)]


class Restricted(CustomReSTDispatcher):
    """docutils' directive and role lookup, with everything off the list refused."""

    def __init__(self, refusals: Refusals) -> None:
        super().__init__()
        self.refusals = refusals

    def directive(
        self, directive_name: str, language_module: ModuleType, document: nodes.document
    ) -> tuple[type[Directive], list[nodes.system_message]]:
        refused = type("RefusedDirective", (_RefusedDirective,), {"refusals": self.refusals})
        return refused, []

    def role(
        self, role_name: str, language_module: ModuleType, lineno: int, reporter: Reporter
    ) -> tuple[Any, list[nodes.system_message]]:
        if role_name.lower() in ROLES:
            return super().role(role_name, language_module, lineno, reporter)
        refusals = self.refusals
        what = f"the role ':{role_name}:'" if role_name else "text in single backquotes"

        def refused(
            name: str, rawtext: str, text: str, line: int, inliner: Any, *args: Any, **kw: Any
        ) -> tuple[list[nodes.Node], list[nodes.system_message]]:
            refusals.add(what, line)
            return [shown_inline(rawtext)], []

        return refused, []


def shown_block(text: str) -> nodes.literal_block:
    return nodes.literal_block(text, text, language="text", classes=[UNTRUSTED_CLASS])


def shown_inline(text: str) -> nodes.literal:
    return nodes.literal(text, text, classes=[UNTRUSTED_CLASS])


def parse_rst(text: str, document: nodes.document, first_line: int) -> None:
    """reStructuredText, its lines numbered from ``first_line`` of the answers file."""
    parser = Parser()
    parser.setup_parse(text, document)
    machine = states.RSTStateMachine(
        state_classes=parser.state_classes, initial_state=parser.initial_state
    )
    source = document["source"]
    lines = string2lines(text, tab_width=8, convert_whitespace=True)
    offset = max(first_line - 1, 0)
    items = [(source, offset + i) for i in range(len(lines))]
    machine.run(StringList(lines, source, items), document, input_offset=offset)
    parser.finish_parse()


# --------------------------------------------------------------------------
# After parsing: the tree held to the allow-list
# --------------------------------------------------------------------------


def keep_allowed(content: list[nodes.Node], refusals: Refusals) -> list[nodes.Node]:
    """``content`` with every node outside :data:`ALLOWED` made literal text."""
    holder = nodes.container()
    holder.extend(content)
    _clean(holder, refusals)
    result = list(holder.children)
    holder.children = []
    for node in result:
        node.parent = None
    return result


def _clean(parent: nodes.Element, refusals: Refusals) -> None:
    for index, child in reversed(list(enumerate(parent.children))):
        replacement = _replacement(parent, index, child, refusals)
        if replacement is None:
            if isinstance(child, nodes.Element):
                for key in ("ids", "names", "dupnames", "backrefs"):
                    child[key] = []
                _clean(child, refusals)
        else:
            parent[index : index + 1] = replacement


def _replacement(
    parent: nodes.Element, index: int, child: nodes.Node, refusals: Refusals
) -> list[nodes.Node] | None:
    """None to keep ``child`` (and look inside), [] to drop it, or [its stand-in]."""
    if isinstance(child, nodes.system_message):
        return []  # logged already, at the answers file's line
    if isinstance(child, nodes.problematic):
        return [nodes.Text(child.astext())]
    if isinstance(child, nodes.target) and _embedded(parent, index, child):
        return []  # the target docutils adds after `text <https://...>`_
    if isinstance(child, nodes.reference):
        uri = child.get("refuri", "")
        if "refuri" in child and _safe_link(uri):
            return None
        what = f"the link {uri!r}" if uri else "a link to a target"
        refusals.add(what, child.line or _line_of(parent))
        return [shown_inline(child.rawsource or child.astext())]
    if isinstance(child, ALLOWED):
        return None
    if isinstance(child, nodes.section) and child.children:
        return _unsectioned(child, refusals)
    refusals.add(_describe(child), getattr(child, "line", None) or _line_of(parent))
    text = child.rawsource if isinstance(child, nodes.Element) and child.rawsource else ""
    text = text or child.astext()
    if isinstance(parent, nodes.TextElement):
        return [shown_inline(text)]
    return [shown_block(text)]


def _unsectioned(section: nodes.section, refusals: Refusals) -> list[nodes.Node]:
    """A section title as literal text, then the section's content (held to the list)."""
    title, *rest = section.children
    refusals.add("a section title", title.line or section.line)
    text = title.astext()
    holder = nodes.container()
    holder += [shown_block(f"{text}\n{'-' * len(text)}")]
    holder.extend(rest if isinstance(title, nodes.title) else section.children)
    _clean(holder, refusals)
    found = list(holder.children)
    holder.children = []
    for node in found:
        node.parent = None
    return found


def _embedded(parent: nodes.Element, index: int, target: nodes.target) -> bool:
    before = parent[index - 1] if index else None
    return (
        isinstance(parent, nodes.TextElement)
        and isinstance(before, nodes.reference)
        and before.get("refuri") == target.get("refuri")
        and "refuri" in target
    )


def _safe_link(uri: str) -> bool:
    match = _SCHEME.match(uri)
    if match:
        return match.group(1).lower() in SCHEMES
    return not uri.startswith("//") and "\\" not in uri


def _line_of(node: nodes.Node | None) -> int | None:
    while node is not None:
        if getattr(node, "line", None):
            return node.line
        node = node.parent
    return None


_NAMES = {
    "substitution_definition": "a substitution definition",
    "substitution_reference": "a substitution",
    "target": "a link target",
    "footnote": "a footnote",
    "footnote_reference": "a footnote reference",
    "citation": "a citation",
    "citation_reference": "a citation reference",
    "comment": "a comment",
    "section": "a section title",
    "title": "a title",
    "transition": "a transition line",
    "field_list": "a field list",
    "option_list": "an option list",
    "doctest_block": "a doctest block",
    "title_reference": "text in single backquotes",
}


def _describe(node: nodes.Node) -> str:
    name = type(node).__name__
    return _NAMES.get(name, f"markup that makes a {name.replace('_', ' ')}")
