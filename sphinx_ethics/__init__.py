"""sphinx-ethics: ethics checklists for healthcare improvement, in Sphinx.

``extensions = ["sphinx_ethics"]`` in ``conf.py`` wires in everything below.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx_ethics import config, directives, validation
from sphinx_ethics.domain import EthicsDomain

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__version__ = "0.1.0"

STATIC_DIR = Path(__file__).parent / "static"
LATEX_PACKAGE = Path(__file__).parent / "texinputs" / "sphinxethics.sty"

#: Bump when the shape of what is stored in the environment changes.
ENV_VERSION = 1


def add_builder_assets(app: Sphinx) -> None:
    """Stylesheet for HTML-like builders, LaTeX package for LaTeX."""
    if app.builder.format == "html":
        app.config.html_static_path.append(str(STATIC_DIR))
        app.add_css_file("sphinx-ethics.css")
    elif app.builder.format == "latex":
        app.config.latex_additional_files = [*app.config.latex_additional_files, str(LATEX_PACKAGE)]


def setup(app: Sphinx) -> dict[str, Any]:
    config.add_config_values(app)
    app.add_domain(EthicsDomain)
    app.add_directive("ethics-review", directives.ReviewDirective)
    app.add_directive("ethics-answer", directives.AnswerDirective)
    app.add_directive("ethics-checklist", directives.ChecklistDirective)
    app.add_directive("ethics-tips", directives.TipsDirective)
    app.add_directive("ethics-definitions", directives.DefinitionsDirective)
    app.add_role("ethics-question", directives.QuestionRole())
    app.add_latex_package("sphinxethics")

    app.connect("config-inited", config.check_config)
    app.connect("builder-inited", add_builder_assets)
    app.connect("env-check-consistency", validation.check_project)
    app.connect("missing-reference", directives.missing_question)
    app.connect("build-finished", validation.fail_on_unanswered)
    return {
        "version": __version__,
        "env_version": ENV_VERSION,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
    }
