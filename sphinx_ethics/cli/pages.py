"""Page commands: ``new`` writes a fill-in review page, ``update`` adds what it lacks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sphinx_ethics import files
from sphinx_ethics.answers import fences as markup
from sphinx_ethics.answers.entries import append_entries
from sphinx_ethics.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    CommandError,
    checklist_files,
    load,
    one_line,
    pick,
    plural,
)
from sphinx_ethics.cli.conf import find_project
from sphinx_ethics.pages import new as pages
from sphinx_ethics.pages import update as page_update

#: Options of ``new`` whose values are written into the page.
TEXT_OPTIONS = ("name", "title", "owner", "reviewers", "date", "review_by")

# --------------------------------------------------------------------------
# new
# --------------------------------------------------------------------------


def _date(value: str, option: str) -> str:
    from sphinx_ethics.answers.slots import parse_date

    if value and parse_date(value) is None:
        raise CommandError(f"{option} {value!r} is not a date in the form YYYY-MM-DD")
    return value.strip()


def _meta(args: argparse.Namespace) -> pages.ReviewMeta:
    for option in TEXT_OPTIONS:
        one_line(getattr(args, option), option)
    return pages.ReviewMeta(
        name=args.name,
        title=args.title,
        owner=args.owner,
        reviewers=args.reviewers,
        date=_date(args.date, "--date"),
        review_by=_date(args.review_by, "--review-by"),
        status="" if args.status == "none" else args.status,
    )


def cmd_new(args: argparse.Namespace) -> int:
    to_stdout = args.output == "-"
    target = Path(args.output)
    fmt = pages.page_format(None if to_stdout else args.output, args.format)
    meta = _meta(args)
    if not to_stdout and (target.exists() or target.is_symlink()):
        raise CommandError(f"{target} already exists; not overwriting it (use 'update' instead)")
    near = Path.cwd() if to_stdout else (target.parent if str(target.parent) else Path("."))
    project = find_project(near.resolve())
    catalog = load(checklist_files(args, project.checklists))
    checklists = pick(catalog, args.checklist)
    text = pages.render_page(checklists, fmt, meta, colon_fence=project.colon_fence)
    if to_stdout:
        sys.stdout.write(text)
        return EXIT_OK
    files.write_new(target, text)
    slots = sum(len(c.slots()) for c in checklists)
    ids = ", ".join(c.id for c in checklists)
    print(
        f"Wrote {target}: an ethics review of {ids} with {plural(slots, 'answer slot')} to fill in."
    )
    return EXIT_OK


# --------------------------------------------------------------------------
# update
# --------------------------------------------------------------------------


def cmd_update(args: argparse.Namespace) -> int:
    """Exit 1 on a page ``update`` cannot read as the build will, or with
    ``--check`` on a page that is out of date."""
    return max([_update_one(Path(name), args) for name in args.file] or [EXIT_OK])


def _fence_slips(path: Path, text: str, colon_fence: bool) -> bool:
    """Print each MyST fence slip of the page (as the build warns); True if any."""
    colon_fence = markup.page_colon_fence(text, colon_fence)
    slips = markup.fence_problems(text, colon_fence)
    for slip in slips:
        print(f"{path}:{slip.line}: {slip.message}; page not updated")
    return bool(slips)


def _update_one(path: Path, args: argparse.Namespace) -> int:
    """Update (or with ``--check`` only report) one page; its exit code."""
    text = files.read_text(path, "page")
    fmt = pages.page_format(str(path), args.format)
    project = find_project(path.resolve().parent)
    if fmt == "md" and _fence_slips(path, text, project.colon_fence):
        return EXIT_PROBLEMS
    catalog = load(checklist_files(args, project.checklists))
    plan = page_update.plan_update(text, fmt, catalog, path, str(path), project.srcdir)
    for problem in plan.problems:
        print(problem)
    for question_id, line in plan.strays:
        print(
            f"{path}:{line}: answer to {question_id!r}, which is not a question of "
            "this review's checklists (kept; move or delete it yourself)"
        )
    if not plan.changed:
        print(f"{path}: up to date")
        return EXIT_OK
    verb = "would add" if args.check else "added"
    writes = _planned_writes(path, text, plan)
    if not args.check:
        for target, _old, _new in writes:
            files.ensure_writable(target)
        for target, old, new in writes:
            _replace_if_unchanged(target, old, new)
    if plan.added:
        print(f"{path}: {verb} {plural(len(plan.added), 'stub')}: {', '.join(plan.added)}")
    for entries in plan.file_entries:
        count = len(entries.ids)
        count = f"{count} empty {'entry' if count == 1 else 'entries'}"
        print(f"{path}: {verb} {count} to {entries.display}: {', '.join(entries.ids)}")
    return EXIT_PROBLEMS if args.check else EXIT_OK


def _planned_writes(
    path: Path, text: str, plan: page_update.UpdatePlan
) -> list[tuple[Path, str, str]]:
    """(file, old text, new text) for the page and each answers file to change."""
    writes = []
    if plan.insertions:
        writes.append((path, text, page_update.apply_insertions(text, plan.insertions)))
    for entries in plan.file_entries:
        old = files.read_text(entries.path, "answers file")
        writes.append((entries.path, old, append_entries(old, entries.questions, entries.display)))
    return writes


def _replace_if_unchanged(path: Path, old: str, new: str) -> None:
    """Write ``new`` unless the file changed since it was read (an editor saved)."""
    if files.read_text(path) != old:
        raise CommandError(f"{path} changed while it was being updated; run update again")
    files.write_atomic(path, new)
