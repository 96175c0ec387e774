"""The interface can be translated; the guide's words cannot (SPEC §15).

- ``-b gettext`` of a project with every directive offers none of the
  built-in data's words for translation (checklist titles, questions,
  prompts, tips, definition terms, introduction titles, further reading),
  and the falls example's and the project docs' extraction hold none either;
- with ``language = "fr"``, a team's ``.po`` for its pages (even one that
  "translates" the guide) and a catalog for the extension's interface, the
  interface is in French and the guide's words stay as written;
- ``sphinx_ethics/locale/sphinx_ethics.pot`` is what the code's ``_()``,
  ``__()`` and ``ngettext()`` calls give today (``scripts/update_pot.py``).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog as PoCatalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from helpers import EXAMPLE, REPO, ROOTS, build_app, guide_words
from sphinx.testing.util import SphinxTestApp

from sphinx_ethics.catalogue import load_catalog

#: A sentence shorter than this is compared whole ("Ethics" is a defined term,
#: and also a word of many of the team's own sentences); a longer one anywhere.
WHOLE = 25


def quoted(message: str, words: set[str]) -> list[str]:
    return [w for w in words if w == message or (len(w) >= WHOLE and w in message)]


def extracted(outdir: Path) -> dict[str, list[str]]:
    """Every message of every .pot under ``outdir``, by file."""
    found = {}
    for pot in sorted(outdir.rglob("*.pot")):
        with pot.open("rb") as handle:
            found[pot.name] = [m.id for m in read_po(handle) if m.id and isinstance(m.id, str)]
    return found


def guide_in(outdir: Path) -> list[tuple[str, str]]:
    words = guide_words()
    return [
        (name, message)
        for name, messages in extracted(outdir).items()
        for message in messages
        if quoted(message, words)
    ]


def build(srcdir: Path, outdir: Path, builder: str, **conf: object) -> SphinxTestApp:
    return build_app(builder, srcdir, outdir, conf)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    srcdir = tmp_path / "src"
    shutil.copytree(ROOTS / "test-i18n", srcdir)
    return srcdir


def test_gettext_extracts_none_of_the_guide(project: Path, tmp_path: Path) -> None:
    app = build(project, tmp_path / "out", "gettext")
    found = extracted(Path(app.outdir))
    assert "This sentence is the team's own." in found["index.pot"]  # the team's words are
    assert "Fewer falls on our wards." in found["index.pot"]
    assert guide_in(Path(app.outdir)) == []
    assert "Traceback" not in app.warning.getvalue()


def test_gettext_of_the_falls_example_extracts_none_of_the_guide(tmp_path: Path) -> None:
    app = build(EXAMPLE, tmp_path / "out", "gettext")
    assert extracted(Path(app.outdir))["handbook.pot"]  # the team's words are offered
    assert guide_in(Path(app.outdir)) == []


def write_catalog(path: Path, messages: dict[object, object], locale: str = "fr") -> None:
    """A .po and its compiled .mo at ``path`` (without suffix)."""
    catalog = PoCatalog(locale=locale)
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_suffix(".po").open("wb") as handle:
        write_po(handle, catalog)
    with path.with_suffix(".mo").open("wb") as handle:
        write_mo(handle, catalog)


PROGRESS = (
    "%(answered)d of %(required)d required question answered.",
    "%(answered)d of %(required)d required questions answered.",
)


def test_french_interface_english_guide(project: Path, tmp_path: Path) -> None:
    catalog = load_catalog()
    plan = catalog.checklists["plan"]
    # The team's catalog of the extension's interface, with a plural.
    write_catalog(
        project / "team-locale" / "fr" / "LC_MESSAGES" / "sphinx_ethics",
        {
            "Notes": "Remarques",
            PROGRESS: (
                "Réponse à %(answered)d de la %(required)d question obligatoire.",
                "Réponses à %(answered)d des %(required)d questions obligatoires.",
                # Babel's French has a third form (for millions: "de questions").
                "Réponses à %(answered)d des %(required)d questions obligatoires.",
            ),
        },
    )
    # The team's translation of its pages, which also "translates" the guide:
    # the team's sentence is used, the guide's words are not.
    guide = {
        plan.title: "Questions pour planifier une activité d'amélioration",
        plan.questions[0].text: "Quels aspects des soins essayez-vous d'améliorer ?",
        catalog.definitions[next(iter(catalog.definitions))].term: "Terme traduit",
        next(iter(catalog.introductions.values())).title: "Titre traduit",
        next(iter(catalog.tips.values())).title: "Conseil traduit",
    }
    write_catalog(
        project / "locales" / "fr" / "LC_MESSAGES" / "index",
        {"This sentence is the team's own.": "Cette phrase est celle des soignants.", **guide},
    )
    app = build(project, tmp_path / "out", "html", language="fr")
    page = (Path(app.outdir) / "index.html").read_text("utf-8")
    assert "Cette phrase est celle des soignants." in page  # the Locale transform ran
    assert "Remarques" in page  # the interface, from the team's catalog
    assert "Réponses à 1 des 11 questions obligatoires." in page  # plural
    assert "Réponse à 0 de la 1 question obligatoire." in page  # singular
    assert "required question" not in page
    for english, french in guide.items():
        assert french not in page
        assert english in page
    # The guide's words are marked as English on the French page; the rest is not.
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page, "html.parser")
    title = soup.find(class_="ethics-checklist-title")
    assert title is not None and title.get("lang") == "en"
    assert all(q.get("lang") == "en" for q in soup.find_all(class_="ethics-question-text"))
    own = soup.find("p", string="Cette phrase est celle des soignants.")
    assert own is not None and own.get("lang") is None
    assert "Traceback" not in app.warning.getvalue()


def test_interface_plurals_in_english(tmp_path: Path, project: Path) -> None:
    app = build(project, tmp_path / "out", "text")
    text = (Path(app.outdir) / "index.txt").read_text("utf-8")
    assert "1 of 11 required questions answered." in text
    assert "0 of 1 required question answered." in text
    html = build(project, tmp_path / "html", "html")
    page = (Path(html.outdir) / "index.html").read_text("utf-8")
    assert 'lang="en"' not in page.split("<body", 1)[1]  # an English page needs no mark


def test_pot_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("update_pot", REPO / "scripts/update_pot.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pot = REPO / "sphinx_ethics" / "locale" / "sphinx_ethics.pot"
    assert pot.read_text("utf-8") == module.pot_text(), "run python scripts/update_pot.py"
    # Only the interface: none of the guide's words, and plurals are real plurals.
    with pot.open("rb") as handle:
        messages = [m for m in read_po(handle) if m.id]
    words = guide_words()
    assert not [m.id for m in messages if isinstance(m.id, str) and quoted(m.id, words)]
    assert PROGRESS in [m.id for m in messages]
    assert not [m.id for m in messages if "(s)" in str(m.id)]
