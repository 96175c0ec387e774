"""What every command shares: exit codes, the one-line error, the catalogue."""

from __future__ import annotations

import argparse
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx_ethics.catalogue import Catalog, Checklist

PROG = "sphinx-ethics"
EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN, EXIT_INTERRUPTED = 0, 1, 2, 130


class CommandError(Exception):
    """The command cannot run; the message is the one line the user sees."""


def _unique(paths: Iterable[Path]) -> list[Path]:
    seen: set[Path] = set()
    out = []
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out


def checklist_files(args: argparse.Namespace, extra: Iterable[Path] = ()) -> list[Path]:
    """``--checklists`` files (before and after the command), each checked to exist."""
    named = [Path(p) for p in [*args.global_checklists, *args.checklists]]
    for path in named:
        if not path.is_file():
            what = "is a directory" if path.is_dir() else "not found"
            raise CommandError(f"checklist file {what}: {path}")
    return _unique([*extra, *named])


def load(files: Sequence[Path]) -> Catalog:
    from sphinx_ethics.catalogue import load_catalog

    return load_catalog([str(p) for p in files])


def pick(catalog: Catalog, ids: Iterable[str]) -> list[Checklist]:
    """The checklists named, in the order given; an unknown id is an error."""
    from sphinx_ethics.catalogue import unknown_id

    found: list[Checklist] = []
    for name in ids:
        if name not in catalog.checklists:
            raise CommandError(unknown_id("checklist", name, catalog.checklists, list_known=True))
        if catalog.checklists[name] not in found:
            found.append(catalog.checklists[name])
    return found


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def one_line(value: str, option: str) -> str:
    """``value`` if it is one line of printable text; else the command stops
    (a line break in an option must never reach a page's or a form's markup)."""
    for char in value:
        if char in "\u2028\u2029" or unicodedata.category(char) == "Cc":
            what = "a line break" if char in "\n\r\u2028\u2029\x85\v\f" else "a control character"
            raise CommandError(
                f"--{option.replace('_', '-')} must be one line of text; "
                f"it contains {what} ({char!r})"
            )
    return value
