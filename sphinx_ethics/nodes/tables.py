"""Our wide tables scroll inside their own box, which a keyboard can reach.

A table of ours (sign-offs, the summary, the programme) is put in a
``scroll_region``: a container with the class ``ethics-scroll``.  In HTML
(and EPUB) it is a ``<div tabindex="0" role="region" aria-label="...">``, so
a reader on a phone scrolls the table, not the page, and a keyboard user can
focus the box to scroll it (axe's ``scrollable-region-focusable``).  The
stylesheet makes this box the one that scrolls, whatever wrapper a theme adds
inside it.  Every other builder writes the table as if the box were not
there: LaTeX gets exactly what it got before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes

if TYPE_CHECKING:
    from sphinx.application import Sphinx


class scroll_region(nodes.container):
    """A box around one table; ``label`` names it for screen readers."""


def scrollable(table: nodes.Element, label: str) -> scroll_region:
    """``table`` in a focusable, labelled box that scrolls sideways in HTML."""
    return scroll_region("", table, classes=["ethics-scroll"], label=str(label))


def ancestors(node: nodes.Node) -> list[nodes.Element]:
    """``node``'s parent, its parent's parent, and so on up to the document."""
    found = []
    while node.parent is not None:
        node = node.parent
        found.append(node)
    return found


def visit_scroll_html(self: Any, node: scroll_region) -> None:
    attributes = {"tabindex": "0", "role": "region", "aria-label": node["label"]}
    self.body.append(self.starttag(node, "div", "", **attributes))


def depart_scroll_html(self: Any, node: scroll_region) -> None:
    self.body.append("</div>\n")


def skip(self: Any, node: scroll_region) -> None:
    """Builders without HTML write the table alone (no class environment)."""


def setup_tables(app: Sphinx) -> None:
    app.add_node(
        scroll_region,
        html=(visit_scroll_html, depart_scroll_html),
        latex=(skip, skip),
        text=(skip, skip),
        man=(skip, skip),
        texinfo=(skip, skip),
    )
