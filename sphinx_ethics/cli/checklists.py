"""Catalogue commands: ``list``, ``export`` and ``validate`` (no Sphinx needed)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx_ethics.catalogue import attribution as wording
from sphinx_ethics.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    PROG,
    CommandError,
    checklist_files,
    load,
    pick,
    plural,
)

if TYPE_CHECKING:
    from sphinx_ethics.catalogue import Catalog, Checklist

# --------------------------------------------------------------------------
# list
# --------------------------------------------------------------------------


def _as_json(checklist: Checklist) -> dict[str, Any]:
    return {
        "id": checklist.id,
        "title": checklist.title,
        "version": checklist.version,
        "file": checklist.file,
        "slots": [q.id for q in checklist.slots()],
        "questions": [
            {
                "id": q.id,
                "number": q.number,
                "text": q.text,
                "prompts": list(q.prompts),
                "group": q.is_group,
                "parent": q.parent,
                "added_by": q.added_by,
                "source": wording.text(src)
                if (src := wording.question_source(checklist, q))
                else "",
            }
            for q in checklist.iter_questions()
        ],
        "sources": [wording.text(s) for s in wording.checklist_sources(checklist)],
    }


def cmd_list(args: argparse.Namespace) -> int:
    catalog = load(checklist_files(args))
    chosen = pick(catalog, args.checklist) if args.checklist else list(catalog.checklists.values())
    if args.json:
        data = [_as_json(c) for c in chosen]
        print(json.dumps({"checklists": data, "tips": list(catalog.tips)}, indent=2))
        return EXIT_OK
    if args.checklist:
        for index, checklist in enumerate(chosen):
            if index:
                print()
            _print_questions(checklist)
        return EXIT_OK
    width = max(len(c.id) for c in chosen)
    for checklist in chosen:
        slots = len(checklist.slots())
        mark = "s" if slots != 1 else " "
        print(f"{checklist.id:<{width}}  {slots:>2} slot{mark}  {checklist.title}")
    print(
        f"\n{len(catalog.tips)} top tips, {len(catalog.definitions)} definitions. "
        f"'{PROG} list CHECKLIST' shows a checklist's questions and ids."
    )
    sources: list[Any] = []
    for checklist in chosen:
        sources += [s for s in wording.checklist_sources(checklist) if s not in sources]
    for source in sources:
        print(f"\n{wording.text(source)}")
    return EXIT_OK


def _print_questions(checklist: Checklist) -> None:
    print(f"{checklist.id}: {checklist.title} ({len(checklist.slots())} answer slots)")
    width = max(len(q.id) for q in checklist.iter_questions())
    for question in checklist.iter_questions():
        pad = "    " if question.parent else "  "
        note = " [group: answer its lettered parts]" if question.is_group else ""
        print(f"  {question.id:<{width}}{pad}{question.number}. {question.text}{note}")
        for prompt in question.prompts:
            print(f"  {'':<{width}}{pad}   - {prompt}")
        if question.added_by:
            print(f"  {'':<{width}}{pad}   ({wording.added_mark(question)})")
    for source in wording.checklist_sources(checklist):
        print(f"\n{wording.text(source)}")


# --------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    from sphinx_ethics import files
    from sphinx_ethics.outputs import blank as export

    fmt = args.format
    if fmt is None:
        suffix = Path(args.output).suffix.lower() if args.output else ""
        fmt = export.SUFFIXES.get(suffix, "md")
    catalog = load(checklist_files(args))
    text = export.export(catalog, pick(catalog, args.checklist), fmt)
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return EXIT_OK
    target = Path(args.output)
    if target.is_dir():
        raise CommandError(f"{target} is a directory; give a file name with -o")
    # A FIFO or a device (/dev/stdout, /dev/null) is written in place, never replaced.
    files.write_atomic(target, text, refuse_read_only=True)
    print(f"Wrote {target} ({fmt}).", file=sys.stderr)
    return EXIT_OK


# --------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from sphinx_ethics.catalogue import validate_file

    extra = checklist_files(args)
    base = load(extra)
    status = EXIT_OK
    for name in args.file:
        path = Path(name)
        if not path.is_file():
            what = "is a directory" if path.is_dir() else "not found"
            raise CommandError(f"checklist file {what}: {path}")
        problems = validate_file(path, [str(p) for p in extra])
        if problems:
            status = EXIT_PROBLEMS
            for problem in problems:
                print(problem)
            print(f"{path}: invalid ({plural(len(problems), 'problem')})")
            continue
        print(f"{path}: valid; {_describe_additions(base, load([*extra, path]))}")
    return status


def _describe_additions(before: Catalog, after: Catalog) -> str:
    parts = []
    new = [c for c in after.checklists.values() if c.id not in before.checklists]
    if new:
        parts.append(
            "adds " + ", ".join(f"checklist {c.id!r} ({len(c.slots())} slots)" for c in new)
        )
    for checklist in after.checklists.values():
        if checklist.id in before.checklists:
            added = [q.id for q in checklist.iter_questions() if q.id not in before.questions]
            if added:
                parts.append(f"extends {checklist.id!r} with {', '.join(added)}")
    tips = len(after.tips) - len(before.tips)
    definitions = len(after.definitions) - len(before.definitions)
    if tips:
        parts.append(plural(tips, "tip"))
    if definitions:
        parts.append(plural(definitions, "definition"))
    return "; ".join(parts) or "adds nothing new"
