"""sphinx-ethics: ethics checklists for healthcare improvement, in Sphinx.

``extensions = ["sphinx_ethics"]`` in ``conf.py`` wires in everything below.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx_ethics.version import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

__all__ = ["__version__", "setup"]

STATIC_DIR = Path(__file__).parent / "static"
LATEX_PACKAGE = Path(__file__).parent / "texinputs" / "sphinxethics.sty"


def add_assets(app: Sphinx, config: Config) -> None:
    """Stylesheet for HTML-like builders, LaTeX package for LaTeX.

    Done at ``config-inited``, before Sphinx compares the configuration with
    the saved one, so the additions never look like a configuration change.
    """
    if str(STATIC_DIR) not in config.html_static_path:
        config.html_static_path = [*config.html_static_path, str(STATIC_DIR)]
    if str(LATEX_PACKAGE) not in config.latex_additional_files:
        config.latex_additional_files = [*config.latex_additional_files, str(LATEX_PACKAGE)]
    app.add_css_file("sphinx-ethics.css")


def setup(app: Sphinx) -> dict[str, Any]:
    # Imported here, not at the top: the command line imports this package
    # and must not pay for (or need) Sphinx when it does not build.
    from sphinx_ethics.extension import (
        answer,
        builder,
        checks,
        config,
        directives,
        guide,
        page_checks,
        reports,
        review,
        signoff,
        summary,
    )
    from sphinx_ethics.extension.builder import CheckBuilder
    from sphinx_ethics.extension.domain import EthicsDomain, QuestionRole, unresolved_question
    from sphinx_ethics.extension.expand import ExpandReviews, pending_review
    from sphinx_ethics.extension.page_checks import JudgeSeenAnswers
    from sphinx_ethics.extension.programme import directive as programme
    from sphinx_ethics.nodes.i18n import GuideLanguage, add_catalog
    from sphinx_ethics.nodes.rendering import AnchorTargets, BlankWorksheetRules
    from sphinx_ethics.nodes.signoffs import NestedSignoffTables
    from sphinx_ethics.nodes.tables import setup_tables

    add_catalog(app)
    config.add_config_values(app)
    app.add_domain(EthicsDomain)
    app.add_builder(CheckBuilder)
    app.add_directive("ethics-review", review.ReviewDirective)
    app.add_directive("ethics-answer", answer.AnswerDirective)
    app.add_directive("ethics-signoff", signoff.SignoffDirective)
    app.add_directive("ethics-checklist", directives.ChecklistDirective)
    app.add_directive("ethics-tips", directives.TipsDirective)
    app.add_directive("ethics-definitions", directives.DefinitionsDirective)
    app.add_directive("ethics-introduction", guide.IntroductionDirective)
    app.add_directive("ethics-resources", guide.ResourcesDirective)
    app.add_role("ethics-question", QuestionRole())
    app.add_latex_package("sphinxethics")
    app.add_node(pending_review)
    app.add_transform(JudgeSeenAnswers)
    app.add_post_transform(ExpandReviews)
    app.add_post_transform(NestedSignoffTables)
    app.add_post_transform(AnchorTargets)
    app.add_post_transform(BlankWorksheetRules)
    app.add_post_transform(GuideLanguage)
    setup_tables(app)
    summary.setup_summary(app)
    programme.setup_programme(app)

    app.connect("config-inited", config.resolve_checklists)
    app.connect("config-inited", config.check_config)
    app.connect("config-inited", add_assets)
    app.connect("source-read", page_checks.check_markdown_source)
    app.connect("doctree-read", page_checks.check_doctree)
    app.connect("builder-inited", builder.keep_answer_blocks)
    app.connect("env-get-outdated", builder.pages_without_blocks)
    app.connect("env-get-updated", checks.relink_pages)
    app.connect("env-get-updated", checks.pages_gone_overdue)
    app.connect("env-before-read-docs", checks.note_pages_read)
    app.connect("write-started", checks.check_project)
    app.connect("missing-reference", unresolved_question, priority=900)
    app.connect("build-finished", checks.check_if_skipped)
    app.connect("build-finished", reports.write_reports)
    app.connect("build-finished", checks.fail_on_problems)
    app.connect("build-finished", checks.forget_problems, priority=900)
    return {
        "version": __version__,
        "env_version": EthicsDomain.data_version,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
