"""``check``: read and validate a docs tree with Sphinx, one line per review.

Sphinx is imported only inside the functions that build.  ``_build``,
``_report``, ``_print_report`` and ``WarningTee`` are kept apart so the
report can later come from the builder's own model.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from sphinx_ethics.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    CommandError,
    checklist_files,
    load,
)
from sphinx_ethics.cli.conf import ethics_checklists, read_conf

#: Below this many source files, starting worker processes costs more than it saves.
PARALLEL_MIN_DOCS = 100

TAG = re.compile(r"\[(ethics(?:\.[\w-]+)?)\]\s*$")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class WarningTee:
    """Sphinx's warning stream: passed on to stderr as is, and counted.

    Sphinx writes each log record with one ``write`` call, tagged
    ``[type.subtype]`` (``show_warning_types`` is forced on for this).
    """

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.encoding = getattr(stream, "encoding", None) or "utf-8"
        self.ethics: list[tuple[str, str]] = []  # (type.subtype, message)
        self.other = 0

    def write(self, text: str) -> int:
        plain = ANSI.sub("", text).strip()
        if plain:
            tag = TAG.search(plain)
            if tag:
                self.ethics.append((tag.group(1), plain))
            elif "WARNING" in plain or "ERROR" in plain or "CRITICAL" in plain:
                self.other += 1
        try:
            self.stream.write(text)
        except UnicodeEncodeError:
            self.stream.write(text.encode(self.encoding, "replace").decode(self.encoding))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False


def _count_documents(srcdir: Path, namespace: dict[str, Any]) -> int:
    suffixes = namespace.get("source_suffix") or {".rst": "restructuredtext"}
    if isinstance(suffixes, str):
        suffixes = [suffixes]
    wanted = tuple(s for s in suffixes if isinstance(s, str)) or (".rst",)
    count = 0
    for _root, dirs, files in os.walk(srcdir):
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        count += sum(1 for f in files if f.endswith(wanted))
    return count


def _jobs(value: str, documents: int) -> int:
    """Parallel readers: ``-j N``, or for ``auto`` only when it will pay off.

    Forking readers and merging their environments back costs about as
    much as reading a few dozen pages, so a small project reads faster in
    one process; a large one gains even on a busy machine (800 pages on 2
    loaded cores: 15.7 s with two readers, 33.4 s with one).
    """
    if value == "auto":
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:  # not on Linux
            cpus = os.cpu_count() or 1
        return min(cpus, 8) if documents >= PARALLEL_MIN_DOCS and cpus >= 2 else 0
    try:
        jobs = int(value)
    except ValueError:
        raise CommandError(f"--jobs must be a number or 'auto', not {value!r}") from None
    if jobs < 0:
        raise CommandError("--jobs must not be negative")
    return jobs


def cmd_check(args: argparse.Namespace) -> int:
    srcdir = Path(args.sourcedir)
    confdir = Path(args.conf_dir) if args.conf_dir else srcdir
    conf = _conf_file(srcdir, confdir, explicit=bool(args.conf_dir))
    namespace = read_conf(conf)
    if "sphinx_ethics" not in (namespace.get("extensions") or []):
        raise CommandError(f"{conf} does not load the extension: add 'sphinx_ethics' to extensions")
    files = checklist_files(args, ethics_checklists(namespace, confdir))
    for path in files:
        if not path.is_file():
            raise CommandError(f"checklist file not found: {path} (from ethics_checklists)")
    load(files)  # an invalid checklist file: exit 2 before building
    jobs = _jobs(args.jobs, _count_documents(srcdir, namespace))
    result = _build(srcdir, confdir, files, jobs, args.verbose)
    report = _report(srcdir, *result)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        _print_report(report)
    return int(report["exit_code"])


def _conf_file(srcdir: Path, confdir: Path, explicit: bool) -> Path:
    """``confdir/conf.py``, or an error that says what was given instead."""
    if srcdir.is_file() or (srcdir.exists() and not srcdir.is_dir()):
        raise CommandError(
            f"{srcdir} is a file, not a directory: give the Sphinx source directory "
            "(the one with conf.py)"
        )
    if not srcdir.is_dir():
        raise CommandError(f"source directory not found: {srcdir}")
    conf = confdir / "conf.py"
    if conf.is_file():
        return conf
    hint = "" if explicit else _did_you_mean_subdir(confdir)
    raise CommandError(f"no conf.py in {confdir}{hint or ' (is it a Sphinx source directory?)'}")


def _did_you_mean_subdir(directory: Path) -> str:
    """'; did you mean docs/?' when conf.py is one level down (a repository root)."""
    try:
        found = sorted(
            entry.name
            for entry in os.scandir(directory)
            if entry.is_dir()
            and not entry.name.startswith(".")
            and Path(entry.path, "conf.py").is_file()
        )
    except OSError:
        return ""
    if not found:
        return ""
    shown = " or ".join(
        str(directory / name) + "/" if str(directory) != "." else name + "/" for name in found[:3]
    )
    return f"; did you mean {shown}?"


def _build(
    srcdir: Path, confdir: Path, files: Sequence[Path], jobs: int, verbose: bool
) -> tuple[list[Any], WarningTee]:
    """Read and resolve every document with the dummy builder, in a fresh temp dir."""
    from sphinx.application import Sphinx
    from sphinx.errors import SphinxError
    from sphinx.util.console import nocolor
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    from sphinx_ethics.validation import iter_reviews

    if not sys.stderr.isatty():
        nocolor()
    tee = WarningTee(sys.stderr)
    overrides = {
        "ethics_checklists": [str(p.resolve()) for p in files],
        "ethics_fail_on_unanswered": False,
        "ethics_report": False,
        "show_warning_types": True,
        "smartquotes": False,  # typography only: a fifth of the reading time
    }
    # docutils_namespace: directives registered by this build are removed
    # afterwards, as sphinx-build does, so a later build in the same process
    # starts clean.
    with (
        tempfile.TemporaryDirectory(prefix="sphinx-ethics-check-") as temp,
        patch_docutils(confdir),
        docutils_namespace(),
    ):
        try:
            app = Sphinx(
                srcdir=srcdir,
                confdir=confdir,
                outdir=Path(temp, "out"),
                doctreedir=Path(temp, "doctrees"),
                buildername="ethics-check",
                confoverrides=overrides,
                status=sys.stderr if verbose else None,
                warning=tee,  # type: ignore[arg-type]
                freshenv=True,
                parallel=jobs,
            )
            app.build(force_all=True)
        except SphinxError as err:
            raise CommandError(f"Sphinx could not build {srcdir}: {err}") from None
        reviews = iter_reviews(app.env)
        paths = {r.docname: str(app.env.doc2path(r.docname, False)) for r in reviews}
    return [(r, paths[r.docname]) for r in reviews], tee


def _report(srcdir: Path, reviews: list[Any], tee: WarningTee) -> dict[str, Any]:
    items = []
    for review, path in reviews:
        missing = review.unanswered_slots()
        items.append(
            {
                "name": review.name,
                "document": review.docname,
                "path": str(srcdir / path),
                "line": review.line,
                "title": review.title,
                "checklists": list(review.checklists),
                "status": review.status,
                "owner": review.owner,
                "review_by": review.review_by,
                "required": review.required,
                "answered": review.answered,
                "unanswered": [s.id for s in missing],
                "slots": [
                    {"id": s.id, "required": s.required, "state": s.state} for s in review.slots
                ],
            }
        )
    required = sum(i["required"] for i in items)
    answered = sum(i["answered"] for i in items)
    ok = required == answered and not tee.ethics
    return {
        "schema_version": 1,
        "sourcedir": str(srcdir),
        "ok": ok,
        "exit_code": EXIT_OK if ok else EXIT_PROBLEMS,
        "reviews": items,
        "totals": {
            "reviews": len(items),
            "required": required,
            "answered": answered,
            "unanswered": required - answered,
            "ethics_warnings": len(tee.ethics),
            "other_warnings": tee.other,
        },
        "warnings": [{"type": kind, "message": text} for kind, text in tee.ethics],
    }


def _print_report(report: dict[str, Any]) -> None:
    for item in report["reviews"]:
        line = f"{item['path']}:{item['line']}: {item['name']}: "
        line += f"{item['answered']}/{item['required']} answered"
        if item["unanswered"]:
            line += f"; unanswered: {', '.join(item['unanswered'])}"
        print(line)
    totals = report["totals"]
    if not totals["reviews"]:
        print(f"No ethics reviews found in {report['sourcedir']}.")
    plural = "s" if totals["reviews"] != 1 else ""
    warnings = totals["ethics_warnings"]
    print(
        f"Total: {totals['reviews']} review{plural}, "
        f"{totals['answered']}/{totals['required']} required questions answered, "
        f"{totals['unanswered']} unanswered, "
        f"{warnings} ethics warning{'s' if warnings != 1 else ''}: "
        + ("OK" if report["ok"] else "problems found")
    )
