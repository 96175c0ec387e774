"""``migrate``: move a project's answers to its checklists' current versions.

Sphinx-free apart from reading conf.py: every review page under SOURCEDIR
is read with the page scanner, and :mod:`sphinx_ethics.pages.migrate`
plans what the checklists' declared ``migrations:`` imply.  Nothing is
written until every page and answers file has been planned and checked to
apply; each file is written only if it did not change meanwhile.  It says
what it did, and what it left for the user (split and retired questions,
answers to combine).  Exit 0 when nothing is left to do, 1 otherwise (with
``--check``: also when it would change a file).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx_ethics import files
from sphinx_ethics.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    CommandError,
    checklist_files,
    load,
    plural,
)
from sphinx_ethics.cli.conf import find_project
from sphinx_ethics.pages import migrate as page_migrate
from sphinx_ethics.pages.new import SUFFIXES, PageError

if TYPE_CHECKING:
    from sphinx_ethics.catalogue import Catalog

#: Folders never searched for pages (build output, tools' own folders).
SKIPPED = {"_build", "node_modules", "__pycache__"}


def review_pages(srcdir: Path) -> list[Path]:
    """The pages under ``srcdir`` that hold an ``ethics-review``."""
    found = []
    for path in sorted(srcdir.rglob("*")):
        parts = path.relative_to(srcdir).parts
        if any(p in SKIPPED or p.startswith(".") for p in parts[:-1]):
            continue
        if path.suffix.lower() not in SUFFIXES or not files.is_regular(path):
            continue
        if "ethics-review" in files.read_text(path, "page"):
            found.append(path)
    return found


def cmd_migrate(args: argparse.Namespace) -> int:
    srcdir = Path(args.sourcedir)
    if not (Path(args.conf_dir or srcdir) / "conf.py").is_file():
        raise CommandError(f"no conf.py in {args.conf_dir or srcdir}")
    project = find_project(Path(args.conf_dir or srcdir).resolve())
    catalog = load(checklist_files(args, project.checklists))
    writes: dict[Path, tuple[str, str]] = {}
    todo, moved, recorded, unrecorded = 0, 0, 0, 0
    for page in review_pages(srcdir):
        plan = _plan_page(page, srcdir, catalog, writes)
        unrecorded += plan.unrecorded
        todo += len(plan.todo)
        moved += len(plan.renames)
        recorded += len(plan.records)
    verb = "would change" if args.check else "changed"
    if writes and not args.check:
        _write_all(writes)
    if writes:
        what = f"{plural(moved, 'answer')} moved, {plural(recorded, 'review')} recorded"
        print(f"{srcdir}: {verb} {plural(len(writes), 'file')}: {what}")
    elif not todo:
        print(f"{srcdir}: up to date (every recorded :answered-under: is current)")
    if unrecorded:
        print(
            f"{plural(unrecorded, 'review')} without :answered-under: left alone (nothing says "
            "what they were answered under; 'sphinx-ethics signoff' records it)"
        )
    if todo:
        print(f"{plural(todo, 'thing')} left to do by hand (migrate never guesses)")
    return EXIT_PROBLEMS if todo or (args.check and writes) else EXIT_OK


def _plan_page(
    page: Path, srcdir: Path, catalog: Catalog, writes: dict[Path, tuple[str, str]]
) -> page_migrate.MigrationPlan:
    """Plan one page (printing what it does and leaves), adding its writes."""
    text = files.read_text(page, "page")
    fmt = SUFFIXES[page.suffix.lower()]
    try:
        plan = page_migrate.plan_migration(text, fmt, catalog, page, str(page), srcdir)
    except PageError as err:
        raise CommandError(str(err)) from None
    for line in plan.done:
        print(line)
    for line in plan.todo:
        print(f"{line} [to do]")
    if plan.changed:
        _plan_writes(page, text, fmt, plan, writes)
    return plan


def _write_all(writes: dict[Path, tuple[str, str]]) -> None:
    """Write every planned file, each only if it did not change since it was read."""
    for target in writes:
        files.ensure_writable(target)
    for target, (old, new) in writes.items():
        if files.read_text(target) != old:
            raise CommandError(f"{target} changed while it was being migrated; run again")
        files.write_atomic(target, new)


def _plan_writes(
    page: Path,
    text: str,
    fmt: page_migrate.Format,
    plan: page_migrate.MigrationPlan,
    writes: dict[Path, tuple[str, str]],
) -> None:
    """Add the page's and its answers files' new text to ``writes``."""
    by_file: dict[Path | None, list[page_migrate.Rename]] = {}
    for rename in plan.renames:
        by_file.setdefault(rename.path, []).append(rename)
    try:
        new = page_migrate.apply_renames(text, by_file.pop(None, []), in_file=False)
        for line, value in sorted(plan.records, reverse=True):
            new = page_migrate.set_review_option(new, fmt, line, page_migrate.OPTION, value)
        writes[page] = (text, new)
        for path, renames in by_file.items():
            assert path is not None
            old = writes[path][0] if path in writes else files.read_text(path, "answers file")
            current = writes[path][1] if path in writes else old
            writes[path] = (old, page_migrate.apply_renames(current, renames, in_file=True))
    except ValueError as err:
        raise CommandError(f"{page}: {err}; nothing written") from None
