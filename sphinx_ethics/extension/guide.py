"""The guide's words around its checklists: ``ethics-introduction`` and ``ethics-resources``.

``ethics-introduction`` shows paragraphs of the source under their heading
(for the built-in data: the guide's case for improvement ethics, the
introduction to its practical questions and to its further reading);
``ethics-resources`` shows its further reading, each address as its own
link text so that text output and print show it.  Both are standard
docutils nodes with ``ethics-*`` classes, with the attribution under them,
as everything in :mod:`sphinx_ethics.nodes.rendering`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar, TypeVar

from docutils import nodes
from docutils.parsers.rst import directives

from sphinx_ethics.catalogue import Introduction, Resource, unknown_id
from sphinx_ethics.extension.directives import EthicsDirective, LenientOptions, split_ids
from sphinx_ethics.nodes.rendering import attributions, guide_text
from sphinx_ethics.problems import Subtype

if TYPE_CHECKING:
    from docutils.nodes import Node

Item = TypeVar("Item", Introduction, Resource)


def introductions_block(
    items: Sequence[Introduction], anchors: Mapping[str, str]
) -> nodes.container:
    """Paragraphs of the source under their headings, then their attribution."""
    box = nodes.container(classes=["ethics-introductions"])
    for item in items:
        part = nodes.container(classes=["ethics-introduction"])
        part += nodes.target("", "", ids=[anchors[item.id]])
        part += guide_text(nodes.rubric(text=item.title, classes=["ethics-introduction-title"]))
        part += [guide_text(nodes.paragraph(text=p)) for p in item.text]
        box += part
    box += attributions(i.attribution for i in items)
    return box


def resources_block(items: Sequence[Resource], anchors: Mapping[str, str]) -> nodes.container:
    """Publisher, authors, title and address of each item, then their attribution."""
    box = nodes.container(classes=["ethics-resources"])
    bullets = nodes.bullet_list(classes=["ethics-resource-list"])
    for item in items:
        para = guide_text(nodes.paragraph(classes=["ethics-resource"]))
        para += nodes.target("", "", ids=[anchors[item.id]])
        para += nodes.strong(text=item.publisher, classes=["ethics-resource-publisher"])
        para += nodes.Text(". " + (f"{item.authors}, " if item.authors else ""))
        para += nodes.emphasis(text=item.title, classes=["ethics-resource-title"])
        para += nodes.Text(". ")
        para += nodes.reference(item.url, item.url, refuri=item.url)
        bullets += nodes.list_item("", para)
    box += bullets
    box += attributions(i.attribution for i in items)
    return box


class _SelectionDirective(EthicsDirective):
    """All items of one kind, or the ids given, each unknown id reported."""

    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar = LenientOptions({"class": directives.class_option})
    kind: ClassVar[str]
    subtype: ClassVar[Subtype]

    def select(self, known: Mapping[str, Item]) -> list[Item]:
        wanted = split_ids(self.arguments[0]) if self.arguments else list(known)
        found = []
        for name in wanted:
            if name in known:
                found.append(known[name])
            else:
                self.problem(self.subtype, unknown_id(self.kind, name, known))
        return found

    def finish(self, box: nodes.container) -> list[Node]:
        box["classes"] += self.options.get("class", [])
        self.ids.register_targets(box)
        return [box]


class IntroductionDirective(_SelectionDirective):
    """The source's introductory paragraphs: all of them, or the ids given."""

    kind = "introduction"
    subtype = "unknown-introduction"

    def run(self) -> list[Node]:
        self.options_problems()
        items = self.select(self.catalog.introductions)
        if not items:
            return []
        # Ids, not classes: written so the class list in the docs does not take them for a family.
        anchors = {i.id: self.ids.reserve("ethics-introduction-" + i.id) for i in items}
        return self.finish(introductions_block(items, anchors))


class ResourcesDirective(_SelectionDirective):
    """The source's further reading: all of it, or the ids given."""

    kind = "resource"
    subtype = "unknown-resource"

    def run(self) -> list[Node]:
        self.options_problems()
        items = self.select(self.catalog.resources)
        if not items:
            return []
        anchors = {r.id: self.ids.reserve("ethics-resource-" + r.id) for r in items}
        return self.finish(resources_block(items, anchors))
