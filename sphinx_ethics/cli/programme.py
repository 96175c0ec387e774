"""``programme collect``: fetch every project's report into a snapshot folder.

The only command that uses the network.  Exit 0 when every project is
``fresh``, 1 when any is ``cached``, ``missing`` or ``invalid`` (the
snapshots are still written), 2 when the programme file cannot be used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from sphinx_ethics.cli.common import EXIT_OK, EXIT_PROBLEMS, CommandError, plural
from sphinx_ethics.programme.config import Programme, ProgrammeError, load_programme
from sphinx_ethics.programme.store import STATES, Outcome, collect


def cmd_programme(args: argparse.Namespace) -> int:
    if args.programme_command != "collect":
        raise CommandError("give a programme command: collect")
    programme = _load(Path(args.programme))
    store = Path(args.output)
    if store.exists() and not store.is_dir():
        raise CommandError(f"{store} exists and is not a folder")
    terminal = sys.stderr.isatty() and not args.quiet
    today = dt.datetime.now(dt.UTC).date()

    def progress(done: int, total: int, outcome: Outcome) -> None:
        if terminal:
            print(f"[{done}/{total}] {line(outcome, today)}", file=sys.stderr, flush=True)

    outcomes = collect(programme, store, progress)
    for outcome in outcomes:
        for text in [outcome.error if outcome.state != "fresh" else "", *outcome.warnings]:
            if text:
                print(f"{programme.path}: {outcome.key}: {text}", file=sys.stderr)
    counts = {s: sum(1 for o in outcomes if o.state == s) for s in STATES}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    print(f"{plural(len(outcomes), 'project')} collected into {store}: {summary}")
    return EXIT_OK if counts["fresh"] == len(outcomes) else EXIT_PROBLEMS


def _load(path: Path) -> Programme:
    """The programme, or every problem (the first as the command's error line)."""
    try:
        return load_programme(path)
    except ProgrammeError as err:
        for problem in err.problems[1:]:
            print(f"  {problem}", file=sys.stderr)
        more = f" (and {len(err.problems) - 1} more above)" if len(err.problems) > 1 else ""
        raise CommandError(f"{err.problems[0]}{more}") from None


def line(outcome: Outcome, today: dt.date) -> str:
    age = outcome.age_days(today)
    aged = f", report {plural(age, 'day')} old" if age is not None else ""
    return f"{outcome.key}: {outcome.state}{aged}"
