"""``check``: read and validate a docs tree with Sphinx, one line per review.

It runs ``sphinx-build -b ethics-check`` (Sphinx's own ``build_main``, so
colour, parallel reading and error handling are Sphinx's) into a temporary
directory, then prints the ``ethics-report.json`` that build wrote: the very
document ``sphinx-build`` writes for the project, from the same code.
Sphinx is imported only when the build runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sphinx_ethics import files as safe_files
from sphinx_ethics.answers.slots import ANSWERED_STATES
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


@dataclass(frozen=True)
class ProjectBuild:
    """A project as ``check`` (and ``review``) build it: where, which checklists, how."""

    srcdir: Path
    confdir: Path
    files: list[Path]
    jobs: int
    verbose: bool

    def run(self, *outputs: str) -> list[Any]:
        """Build with ``-b ethics-check``; the JSON files it wrote, by name."""
        return _build(self.srcdir, self.confdir, self.files, self.jobs, self.verbose, outputs)


def project_build(args: argparse.Namespace) -> ProjectBuild:
    """Read conf.py and the checklist files; an invalid one stops here, before building."""
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
    return ProjectBuild(srcdir, confdir, files, jobs, args.verbose)


def cmd_check(args: argparse.Namespace) -> int:
    from sphinx_ethics.extension.reports import REPORT_NAME

    _check_options(args)
    project = project_build(args)
    srcdir = project.srcdir
    [report] = project.run(REPORT_NAME)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    elif args.format:
        _annotate(args, project, report)
    else:
        _print_report(srcdir, report)
    return EXIT_OK if report["complete"] else EXIT_PROBLEMS


def _check_options(args: argparse.Namespace) -> None:
    """Options that cannot go together stop the command before it builds."""
    if args.format and args.json:
        raise CommandError("give --json or --format, not both")
    for option, value in (("-o/--output", args.output), ("--path-prefix", args.path_prefix)):
        if value is not None and not args.format:
            raise CommandError(f"{option} needs --format github, gitlab or sarif")
    if args.output and Path(args.output).is_dir():
        raise CommandError(f"{args.output} is a directory; give a file name for -o")


def _annotate(args: argparse.Namespace, project: ProjectBuild, report: dict[str, Any]) -> None:
    """The report as CI annotations on stdout (or ``-o``); the summary on stderr."""
    from sphinx_ethics.cli import ci_formats
    from sphinx_ethics.repository import RepoPaths

    paths = RepoPaths.find(project.srcdir, args.path_prefix)
    conf = Path(os.path.relpath(project.confdir.resolve() / "conf.py", paths.srcdir))
    items = ci_formats.findings(report, paths, conf.as_posix())
    text = ci_formats.WRITERS[args.format](items)
    with contextlib.redirect_stdout(sys.stderr):
        _print_report(project.srcdir, report)
    print(f"{args.format}: {_count(len(items), 'problem')}, paths {paths.how}", file=sys.stderr)
    if args.output:
        safe_files.write_atomic(Path(args.output), text, refuse_read_only=True, make_parents=True)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if args.format == "github" and summary:
        try:
            with open(summary, "a", encoding="utf-8") as handle:
                handle.write(ci_formats.github_summary(items))
        except OSError as err:
            print(
                f"sphinx-ethics: warning: cannot append to GITHUB_STEP_SUMMARY ({summary}): "
                f"{err.strerror or err}",
                file=sys.stderr,
            )


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
    srcdir: Path,
    confdir: Path,
    files: Sequence[Path],
    jobs: int,
    verbose: bool,
    outputs: Sequence[str],
) -> list[Any]:
    """Run the ``ethics-check`` builder in a fresh temp dir; return the files it wrote."""
    from sphinx.cmd.build import build_main

    paths = [str(p.resolve()) for p in files]
    if any("," in p for p in paths):
        raise CommandError("a checklist file path contains a comma, which -D cannot pass")
    with tempfile.TemporaryDirectory(prefix="sphinx-ethics-check-") as temp:
        out = Path(temp, "out")
        argv = [
            "-b", "ethics-check", "-E", "-c", str(confdir), "-d", str(Path(temp, "doctrees")),
            *(["-D", f"ethics_checklists={','.join(paths)}"] if paths else []),
            "-D", "ethics_fail_on_unanswered=0",
            "-D", "ethics_report=1",
            "-D", "ethics_junit=",
            "-D", "show_warning_types=1",
            "-D", "smartquotes=0",  # typography only: a fifth of the reading time
            *(["-j", str(jobs)] if jobs else []),
            *([] if verbose else ["-q"]),
            str(srcdir), str(out),
        ]  # fmt: skip
        failure = _QuietFailures(verbose)
        # -v: progress on stderr, as documented
        with failure, contextlib.redirect_stdout(sys.stderr):
            status = build_main(argv)
        wanted = [out / name for name in outputs]
        if status == 2 or not all(path.is_file() for path in wanted):
            why = failure.message or "see the messages above"
            raise CommandError(f"Sphinx could not build {srcdir}: {why}")
        return [json.loads(path.read_text("utf-8")) for path in wanted]


class _QuietFailures:
    """While Sphinx builds, catch its crash report and keep one line of it.

    ``build_main`` prints a page of versions, messages and a traceback when
    the build stops (no ``index.rst``, an extension that fails); ``check``
    says what went wrong in one line instead (SPEC §4: never a traceback).
    With ``--verbose`` Sphinx's own report is shown as well.  Sphinx 8.1
    calls ``sphinx.cmd.build.handle_exception``, later ones
    ``sphinx._cli.util.errors.handle_exception``: both are replaced.
    """

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.message = ""
        self._saved: list[tuple[Any, Any]] = []

    def __enter__(self) -> _QuietFailures:
        import importlib

        for name in ("sphinx.cmd.build", "sphinx._cli.util.errors"):
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
            original = getattr(module, "handle_exception", None)
            if original is not None:
                self._saved.append((module, original))
                module.handle_exception = self._keeper(original)
        return self

    def _keeper(self, original: Any) -> Any:
        def keep(*args: Any, **kwargs: Any) -> None:
            error = next((a for a in args if isinstance(a, BaseException)), None)
            text = " ".join(str(error).split()) or type(error).__name__
            self.message = text if len(text) <= 300 else text[:297] + "..."
            if self.verbose:
                original(*args, **kwargs)

        return keep

    def __exit__(self, *exc: object) -> None:
        for module, original in self._saved:
            module.handle_exception = original
        self._saved = []


def _print_report(srcdir: Path, report: dict[str, Any]) -> None:
    for review in report["reviews"]:
        line = f"{srcdir / review['file']}:{review['line']}: {review['name']}: "
        line += f"{review['answered']}/{review['required']} answered"
        missing = [
            s["id"] for s in review["slots"] if s["required"] and s["state"] not in ANSWERED_STATES
        ]
        if missing:
            line += f"; unanswered: {', '.join(missing)}"
        if review["overdue"]:
            line += f"; OVERDUE (review by {review['metadata']['review_by']})"
        others = [p for p in review["problems"] if p["subtype"] not in ("unanswered", "overdue")]
        if others:
            line += f"; {_count(len(others), 'other problem')}"
        print(line)
        for text in _governance_lines(review):
            print(f"  {text}")
    reviews = report["reviews"]
    if not reviews:
        print(f"No ethics reviews found in {srcdir}.")
    required = sum(r["required"] for r in reviews)
    answered = sum(r["answered"] for r in reviews)
    problems = len(report["problems"]) + sum(len(r["problems"]) for r in reviews)
    print(
        f"Total: {_count(len(reviews), 'review')}, {answered}/{required} required questions "
        f"answered, {required - answered} unanswered, {_count(problems, 'ethics problem')}: "
        + ("OK" if report["complete"] else "problems found")
    )


def _governance_lines(review: dict[str, Any]) -> list[str]:
    """Sign-offs and referrals, one indented line each, under the review's line."""
    lines = []
    for s in review["signoffs"]:
        text = f"signed off: {s['role']}: {s['decision']} by {s['by']} on {s['date']}"
        if s.get("stale"):
            text += f"; STALE, not counted: {s['stale']}"
        elif not s.get("digest"):
            text += " (not tied to a version of the answers)"
        lines.append(text)
    for referral in review["referrals"]:
        text = f"refer to: {referral['to']}, because {referral['question']} is "
        text += f"{referral['answer']}; "
        state = "recorded" if not referral["open"] else "OPEN (no outcome recorded)"
        if referral.get("reopened"):
            state = "OPEN again (the screening answers changed since its sign-off)"
        lines.append(text + state)
    return lines


def _count(number: int, what: str) -> str:
    return f"{number} {what}{'' if number == 1 else 's'}"
