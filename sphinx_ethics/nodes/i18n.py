"""The extension's interface strings, in the reader's language.

Sphinx looks the strings up in the ``sphinx_ethics`` message catalog:
``sphinx_ethics/locale/<language>/LC_MESSAGES/sphinx_ethics.mo`` in the
package (its template is ``sphinx_ethics/locale/sphinx_ethics.pot``), then
any catalog a project adds with ``app.add_message_catalog("sphinx_ethics",
path)``.  Only the interface is translated: the guide's words are shown as
written (CC BY-NC-ND 4.0 allows no adaptation; see :mod:`sphinx_ethics.nodes.rendering`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docutils import nodes
from sphinx.locale import get_translation, get_translator, is_translator_registered
from sphinx.transforms.post_transforms import SphinxPostTransform

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: The catalog's name (the ``.pot``, ``.po`` and ``.mo`` files are called this).
CATALOG = "sphinx_ethics"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

#: Words written into the output.
_ = get_translation(CATALOG)
#: Words in console messages.
__ = get_translation(CATALOG, "console")


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a sentence with a count that fits ``count`` in the reader's language."""
    if not is_translator_registered(CATALOG):
        return singular if count == 1 else plural
    return get_translator(CATALOG).ngettext(singular, plural, count)


def add_catalog(app: Sphinx) -> None:
    """Load the package's catalogs for the project's ``language``."""
    app.add_message_catalog(CATALOG, str(LOCALE_DIR))


class GuideLanguage(SphinxPostTransform):
    """In HTML, mark the guide's words ``lang="en"`` on a page in another language.

    They are never translated, so a screen reader or a browser's translation
    should know they are English.  docutils writes a ``language-xx`` class
    as ``lang="xx"``.
    """

    default_priority = 950  # after the reviews are built (ExpandReviews)
    formats = ("html",)

    def run(self, **kwargs: object) -> None:
        if guide_needs_marking(self.config.language):
            mark_guide_words(self.document)


def guide_needs_marking(language: str | None) -> bool:
    """Whether a page in ``language`` must mark the guide's words as English."""
    language = language or "en"
    return not (language == "en" or language.startswith(("en_", "en-")))


def mark_guide_words(tree: nodes.Element) -> None:
    """``language-en`` on every element of ``tree`` holding the guide's words.

    Reviews are built marked (``ExpandReviews`` calls this on each review it
    builds); :class:`GuideLanguage` marks what pages held when read (blank
    checklists, tips, definitions) and finds the reviews already done.
    """
    for node in tree.findall(nodes.Element):
        if node.get("translatable") is False and "language-en" not in node["classes"]:
            node["classes"].append("language-en")
