"""Write the message catalog template of the extension's interface strings.

    python scripts/update_pot.py          # rewrite sphinx_ethics/locale/sphinx_ethics.pot
    python scripts/update_pot.py --check  # exit 1 if it is out of date

The strings are the ``_()``, ``__()`` and ``ngettext()`` calls in the package
(Babel's extractor, which Sphinx already depends on).  The guide's own words
are never in it: they live in the checklist data, not in ``_()`` calls, and
are not for translation (CC BY-NC-ND 4.0).  Line numbers are left out, so
the template changes only when a string does.
"""

from __future__ import annotations

import io
import sys
from datetime import datetime, timezone
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sphinx_ethics"
POT = PACKAGE / "locale" / "sphinx_ethics.pot"
KEYWORDS = {"_": None, "__": None, "ngettext": (1, 2)}
#: Fixed, so the file is the same on every run (Babel would write "now").
STAMP = datetime(2026, 1, 1, tzinfo=timezone.utc)


def pot_text() -> str:
    """The template, as written to ``sphinx_ethics/locale/sphinx_ethics.pot``."""
    catalog = Catalog(
        project="sphinx-ethics",
        copyright_holder="sphinx-ethics developers",
        msgid_bugs_address="",
        creation_date=STAMP,
        revision_date=STAMP,
        fuzzy=False,
    )
    found = extract_from_dir(
        str(PACKAGE),
        method_map=[("**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=("Translators:",),
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(
            message,
            None,
            [(f"sphinx_ethics/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    out = io.BytesIO()
    write_po(out, catalog, width=79, sort_output=True, include_lineno=False)
    # Not the Babel version: the template should not change with the tool.
    lines = out.getvalue().decode("utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith('"Generated-By:'))


def main(argv: list[str]) -> int:
    text = pot_text()
    if "--check" in argv:
        current = POT.read_text("utf-8") if POT.is_file() else ""
        if current != text:
            print(f"{POT} is out of date: run python scripts/update_pot.py", file=sys.stderr)
            return 1
        return 0
    POT.parent.mkdir(exist_ok=True)
    POT.write_text(text, "utf-8")
    print(f"Wrote {POT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
