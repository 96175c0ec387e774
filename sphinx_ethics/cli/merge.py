"""``merge``: bring an answers file that came back into the team's ``:answers:`` file.

The incoming file is untrusted (a form download, an e-mail attachment): it
is read with the same safe reader as the build (no tags, no alias bombs, no
FIFOs), every problem in it stops the command (exit 2), and every question
id must be one the project knows: the built-in checklists, the project's
``ethics_checklists`` (its conf.py is the nearest one at or above the
team's file, or ``--conf-dir``), ``--checklists`` files, and ids already in
the team's file.

The team's file is read, planned and replaced under an exclusive lock on
``FILE.lock`` beside it (a second merge waits, at most
:data:`LOCK_TIMEOUT` seconds), and read again just before it is replaced:
if it changed on disk meanwhile (an editor saved it), nothing is written.

Exit codes: 0 merged (or nothing to do); 1 conflicts left unresolved, in
which case **nothing is written** (choose ``--theirs`` or ``--ours``, or
edit by hand); 2 bad input, a file that changed while merging, or a lock
still held.  ``--dry-run`` reports the same and writes
nothing.  The editing itself is :mod:`sphinx_ethics.answers.merge`.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sphinx_ethics.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    CommandError,
    checklist_files,
    load,
    plural,
)

if TYPE_CHECKING:
    from sphinx_ethics.answers.file import FileAnswer
    from sphinx_ethics.answers.merge import MergePlan
    from sphinx_ethics.catalogue import Catalog
    from sphinx_ethics.catalogue.yaml_reading import Document


def cmd_merge(args: argparse.Namespace) -> int:
    incoming, target = Path(args.incoming), Path(args.into)
    theirs = _read(incoming, _compose(_read_text(incoming), incoming), incoming=True)
    if args.dry_run:
        return _merge(args, incoming, target, theirs)
    if not target.exists() and not target.is_symlink():
        _read_text(target)  # the reader's own message for a missing file, before any lock
    with exclusive_lock(target):
        return _merge(args, incoming, target, theirs)


def _merge(args: argparse.Namespace, incoming: Path, target: Path, theirs: list[FileAnswer]) -> int:
    """Plan, report and (unless a dry run) write; the caller holds the lock."""
    from sphinx_ethics import files
    from sphinx_ethics.answers import merge as answers_merge

    text = _read_text(target)
    ours = _read(target, _compose(text, target))
    catalog = load(checklist_files(args, _project_checklists(args, target)))
    _refuse_unknown(theirs, ours, catalog)
    side = "theirs" if args.theirs else "ours" if args.ours else ""
    merge = answers_merge.plan(ours, theirs, side, _received(args))
    _report(merge, incoming, target)
    if merge.conflicts:
        print(
            f"Not merged: {plural(len(merge.conflicts), 'conflict')}; {target} is unchanged. "
            "Rerun with --theirs (take the incoming answers) or --ours (keep yours), "
            "or edit the file by hand."
        )
        return EXIT_PROBLEMS
    if not merge.changes:
        print(f"Nothing to merge: {target} already has every answer in {incoming}.")
        return EXIT_OK
    new, _spans = answers_merge.apply(text, merge, catalog.questions, str(target))
    if args.dry_run:
        print(f"Dry run: {target} would get {_summary(merge)}; nothing written.")
        return EXIT_OK
    if _read_text(target) != text:  # compare before replace: an editor saved meanwhile
        raise CommandError(
            f"{target} changed on disk while merge was reading it; nothing written "
            "(save your edits, then merge again)"
        )
    files.write_atomic(target, new, refuse_read_only=True)
    print(f"Merged {incoming} into {target}: {_summary(merge)}.")
    return EXIT_OK


def _received(args: argparse.Namespace) -> str:
    """``--received``, else today: the date written beside each merged entry with ``by``."""
    import datetime as dt

    from sphinx_ethics.answers.slots import parse_date

    if not args.received:
        return dt.date.today().isoformat()
    if parse_date(args.received) is None:
        raise CommandError(f"--received {args.received!r} is not a date YYYY-MM-DD")
    return str(args.received)


def _read_text(path: Path) -> str:
    from sphinx_ethics.catalogue import yaml_reading

    try:
        return yaml_reading.read_text(path)
    except yaml_reading.YamlReadError as err:
        raise CommandError(f"{path} {err.message}") from None


def _read(path: Path, document: Document, *, incoming: bool = False) -> list[FileAnswer]:
    """Every entry with every field; an incoming ``format`` must be text or markup."""
    from sphinx_ethics.answers import merge as answers_merge

    answers = _usable(*answers_merge.read_entries(document, str(path)))
    for answer in answers if incoming else []:
        if answer.format and answer.format not in answers_merge.FORMATS:
            raise CommandError(
                f"{answer.location}: {answer.question_id}: format {answer.format!r} is not "
                f"one of: {', '.join(answers_merge.FORMATS)}; nothing merged"
            )
    return answers


#: How long ``merge`` waits for another merge into the same file, in seconds.
LOCK_TIMEOUT = 10.0


@contextmanager
def exclusive_lock(target: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold ``TARGET.lock`` (beside the real file) exclusively, waiting at most ``timeout``.

    The lock file is removed on release; a merge that locked a file another
    one had just removed (its inode is no longer at the path) takes it again.
    Without ``fcntl`` (Windows) only the compare-before-replace protects.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield
        return
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    real = target.resolve()
    lock = real.with_name(real.name + ".lock")
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as err:
            raise CommandError(f"cannot create the lock file {lock}: {err.strerror}") from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise CommandError(
                            f"another merge into {target} is still running ({lock} is "
                            f"locked after {timeout:g} s); nothing written, try again"
                        ) from None
                    time.sleep(0.02)
            try:
                same = os.fstat(fd).st_ino == os.stat(lock).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # removed by the merge that held it: lock the new one
    try:
        yield
    finally:
        Path(lock).unlink(missing_ok=True)
        os.close(fd)


def _compose(text: str, target: Path) -> Document:
    from sphinx_ethics.catalogue import yaml_reading

    try:
        return yaml_reading.compose(text)
    except yaml_reading.YamlReadError as err:
        raise CommandError(f"{target}:{err.line}: {err.message}") from None


def _usable(answers: list[FileAnswer], problems: list[object]) -> list[FileAnswer]:
    """The answers, or the file's first problem as the error (fail closed)."""
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        location = getattr(first, "location", "")
        raise CommandError(f"{location}: {getattr(first, 'message', first)}{more}")
    return answers


def _project_checklists(args: argparse.Namespace, target: Path) -> list[Path]:
    """The project's own checklist files, from its conf.py (none without one)."""
    from sphinx_ethics.cli.conf import ethics_checklists, find_project, read_conf

    if args.conf_dir:
        conf = Path(args.conf_dir) / "conf.py"
        if not conf.is_file():
            raise CommandError(f"no conf.py in {args.conf_dir}")
        return ethics_checklists(read_conf(conf), Path(args.conf_dir))
    return find_project(target.resolve().parent).checklists


def _refuse_unknown(theirs: list[FileAnswer], ours: list[FileAnswer], catalog: Catalog) -> None:
    from sphinx_ethics.catalogue import unknown_id

    known = set(catalog.questions) | {a.question_id for a in ours}
    for answer in theirs:
        if answer.question_id not in known:
            slots = [q.id for c in catalog.checklists.values() for q in c.slots()]
            raise CommandError(
                f"{answer.location}: {unknown_id('question', answer.question_id, slots)}; "
                "nothing merged"
            )


# --------------------------------------------------------------------------
# Telling the user
# --------------------------------------------------------------------------

#: Control characters (but tab and newline) are shown escaped: never sent to the terminal.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown(text: str) -> str:
    return CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _quote(answer: FileAnswer) -> list[str]:
    status = "" if answer.status == "answered" else f" [{answer.status}]"
    lines = answer.text.strip("\n").splitlines() or [""]
    return [f"    {answer.location}{status}:", *(f"    | {shown(line)}" for line in lines)]


def _report(merge: MergePlan, incoming: Path, target: Path) -> None:
    for answer in merge.added:
        print(f"{answer.location}: {answer.question_id}: added{_who(answer)}")
    for answer in merge.filled:
        print(
            f"{answer.location}: {answer.question_id}: fills the empty entry in {target}"
            + _who(answer)
        )
    for answer in merge.empty:
        print(f"{answer.location}: {answer.question_id}: empty; skipped")
    for kind, conflicts in (
        ("conflict", merge.conflicts),
        ("conflict, taking theirs", merge.replaced),
        ("conflict, keeping ours", merge.kept),
    ):
        for conflict in conflicts:
            print(f"{conflict.theirs.location}: {conflict.theirs.question_id}: {kind}")
            print("  ours:")
            print("\n".join(_quote(conflict.ours)))
            print("  theirs:")
            print("\n".join(_quote(conflict.theirs)))
    if merge.same:
        print(f"{plural(len(merge.same), 'answer')} in {incoming} already in {target}.")
    sys.stdout.flush()


def _who(answer: FileAnswer) -> str:
    """' (answered by J. Okafor (family carer), received 2026-11-20)', or ''."""
    from sphinx_ethics.answers.slots import answered_by_line, who_answered

    line = answered_by_line(*who_answered(answer.by, answer.received))
    return f" ({shown(line[0].lower() + line[1:])})" if line else ""


def _summary(merge: MergePlan) -> str:
    parts = [
        f"{len(merge.added)} added",
        f"{len(merge.filled)} filled",
        f"{len(merge.replaced)} replaced (--theirs)" if merge.replaced else "",
        f"{len(merge.kept)} kept (--ours)" if merge.kept else "",
    ]
    return ", ".join(p for p in parts if p)
