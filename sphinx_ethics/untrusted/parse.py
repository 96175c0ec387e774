"""One answers-file entry of ``format: markup``, parsed in a document of its own.

The entry's lines keep the answers file's line numbers (parser messages
point there); the page's settings are copied with raw output and file
insertion off, and the parse runs under the restricted lookup of
:mod:`sphinx_ethics.untrusted.allowlist` (reStructuredText) or
:mod:`sphinx_ethics.untrusted.myst` (MyST).
"""

from __future__ import annotations

import copy

from docutils import nodes
from docutils.utils import new_document
from sphinx.util.docutils import LoggingReporter

from sphinx_ethics.untrusted import allowlist


def entry_document(page: nodes.document, source: str) -> nodes.document:
    """An empty document for one entry: the page's settings, raw and include off."""
    settings = copy.copy(page.settings)
    settings.raw_enabled = False
    settings.file_insertion_enabled = False
    document = new_document(source, settings)
    document.reporter = LoggingReporter.from_reporter(document.reporter)
    return document


def parse_entry(
    text: str, page: nodes.document, source: str, first_line: int, *, myst: bool
) -> tuple[list[nodes.Node], allowlist.Refusals]:
    """The nodes of one markup entry, held to :data:`ALLOWED`, and what was refused."""
    refusals = allowlist.Refusals(first_line)
    document = entry_document(page, source)
    with allowlist.Restricted(refusals):
        if myst:  # a MyST page: myst-parser is installed
            from sphinx_ethics.untrusted.myst import parse_myst

            parse_myst(text, document, first_line, refusals)
        else:
            allowlist.parse_rst(text, document, first_line)
    content = list(document.children)
    document.children = []
    content = allowlist.keep_allowed(content, refusals)
    refusals.found.sort(key=lambda found: found[0])
    return content, refusals
