"""``-b ethics-check``: read and validate every page, write no pages.

What ``sphinx-ethics check`` runs: every ethics warning of a full build and
the same ``ethics-report.json`` (written at ``build-finished`` like any
other builder's), without resolving and writing pages.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from sphinx.builders.dummy import DummyBuilder


class CheckBuilder(DummyBuilder):
    name = "ethics-check"
    epilog = "Ethics check finished."

    def write_doctree(self, docname: str, doctree: Any, **options: Any) -> None:
        """Keep no doctree, on disk or in memory: no page is ever written.

        (Sphinx would pickle each one and hold it for the writing phase; on
        800 pages that is most of this builder's memory.)
        """

    def write_documents(self, docnames: Set[str]) -> None:
        pass  # the report is all this builder produces
