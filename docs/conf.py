"""Sphinx configuration for the sphinx-ethics documentation.

Build the HTML site (warnings are errors, as in CI)::

    pip install -e ".[docs]"
    sphinx-build -W --keep-going -b html docs docs/_build/html

and the PDF (needs latexmk and TeX Live)::

    sphinx-build -M latexpdf docs docs/_build
"""

from __future__ import annotations

import sys
from pathlib import Path

import sphinx_ethics

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "sphinx-ethics"
author = "sphinx-ethics developers"
copyright = "2026, sphinx-ethics developers (code: MIT; checklist text: THIS Institute)"
release = version = sphinx_ethics.__version__

# sphinx_ethics: the extension these pages document, used on its own pages.
# myst_parser: some pages (and the how-to on MyST) are Markdown.
# ethics_reference (docs/_ext): reference sections generated from the code.
extensions = ["sphinx_ethics", "myst_parser", "ethics_reference"]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_enable_extensions = ["colon_fence"]

# Files that are shown (literalinclude) or built by the tests, not pages.
exclude_patterns = [
    "_build",
    "tutorial",
    "howto/files",
    "howto/share-form.rst",  # included in howto/share
    "Thumbs.db",
    ".DS_Store",
]

# Every cross-reference must resolve.
nitpicky = True

# These docs hold one small live review; it must stay complete.
ethics_fail_on_unanswered = True

# -- HTML --------------------------------------------------------------------

# Furo comes with the package's "docs" extra (pip install -e ".[docs]").
# Without it the docs still build, plainly, so the test suite can check them.
try:
    import furo  # noqa: F401
except ImportError:
    html_theme = "alabaster"
else:
    html_theme = "furo"
html_title = f"sphinx-ethics {release}"
html_static_path = ["_static"]
html_css_files = ["docs.css"]

# -- LaTeX / PDF ---------------------------------------------------------------

latex_engine = "pdflatex"
latex_documents = [
    (
        "index",
        "sphinx-ethics.tex",
        "sphinx-ethics documentation",
        "sphinx-ethics developers",
        "manual",
    ),
]
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "10pt",
    # Long lines in code blocks wrap (with a continuation mark), never overflow.
    "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true",
    # Number chapters only: several pages number their own steps. Call the
    # table of contents "Contents" (Sphinx would use the first toctree caption).
    "preamble": "\n".join(
        [
            r"\setcounter{secnumdepth}{0}",
            r"\addto\captionsenglish{\renewcommand{\contentsname}{Contents}}",
        ]
    ),
}
latex_show_urls = "no"
