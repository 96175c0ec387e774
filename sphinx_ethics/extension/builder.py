"""``-b ethics-check``: read and validate every page, write no pages.

What ``sphinx-ethics check`` runs: every ethics warning of a full build and
the same ``ethics-report.json`` (written at ``build-finished`` like any
other builder's), without resolving and writing pages.  It also writes
``ethics-answers.json``: every review's answers as structured blocks
(:mod:`sphinx_ethics.answers.text`), which ``sphinx-ethics review`` reads.
"""

from __future__ import annotations

import json
from collections.abc import Set
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.dummy import DummyBuilder
from sphinx.environment import BuildEnvironment

from sphinx_ethics.extension.domain import EthicsDomain
from sphinx_ethics.extension.reports import write_report_file

ANSWERS_NAME = "ethics-answers.json"


class CheckBuilder(DummyBuilder):
    name = "ethics-check"
    epilog = "Ethics check finished."

    def write_doctree(self, docname: str, doctree: Any, **options: Any) -> None:
        """Keep no doctree, on disk or in memory: no page is ever written.

        (Sphinx would pickle each one and hold it for the writing phase; on
        800 pages that is most of this builder's memory.)  A doctree another
        builder left in the same ``-d`` folder is now out of date: it is
        removed, so that builder reads the page again instead of publishing
        the old one (Sphinx re-reads a page whose doctree file is missing).
        """
        Path(self.doctreedir, f"{docname}.doctree").unlink(missing_ok=True)

    def write_documents(self, docnames: Set[str]) -> None:
        pass  # the report is all this builder produces

    def finish(self) -> None:
        write_report_file(Path(self.outdir) / ANSWERS_NAME, answers_json(self.env))


def keep_answer_blocks(app: Sphinx) -> None:
    """Only this builder needs the answers' blocks (``ethics-answers.json``)."""
    EthicsDomain.get(app.env).keep_answer_blocks = app.builder.name == CheckBuilder.name


def pages_without_blocks(
    app: Sphinx, env: BuildEnvironment, added: Set[str], changed: Set[str], removed: Set[str]
) -> list[str]:
    """Pages read by another builder kept no blocks: read them again for this one."""
    domain = EthicsDomain.get(env)
    if not domain.keep_answer_blocks:
        return []
    fresh = added | changed | removed
    return [d for d in domain.reviews if d not in domain.answers and d not in fresh]


def answers_json(env: Any) -> str:
    """``{"reviews": [{"docname", "name", "answers": {slot id: blocks}}]}``, by page."""
    stored = EthicsDomain.get(env).answers
    reviews = [
        {"docname": docname, "name": name, "answers": answers}
        for docname in sorted(stored)
        for name, answers in stored[docname].items()
    ]
    # No indent: Python's fast encoder (indented, this took 1.5 s on 200 pages).
    return json.dumps({"reviews": reviews}, ensure_ascii=False) + "\n"
