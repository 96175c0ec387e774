"""The ``sphinx-ethics`` command: list, new, update, export, check, validate.

Every command reads the same catalogue as the Sphinx extension (the built-in
THIS Institute data plus ``--checklists`` files), so what the command line
writes and checks is what the build will render and validate.

Exit codes are a contract for CI scripts: 0 all is well, 1 the docs (or the
checklist file being validated) have problems, 2 the command could not run
(bad arguments, missing files, an invalid checklist file).  Errors are one
line on stderr; no traceback reaches a user and no half-written file is
left behind.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from sphinx_ethics import __version__, pages
from sphinx_ethics.catalog import (
    Catalog,
    Checklist,
    ChecklistFileError,
    did_you_mean,
    load_catalog,
    validate_file,
)

PROG = "sphinx-ethics"
#: Below this many source files, starting worker processes costs more than it saves.
PARALLEL_MIN_DOCS = 100
EXIT_OK, EXIT_PROBLEMS, EXIT_CANNOT_RUN, EXIT_INTERRUPTED = 0, 1, 2, 130


class CommandError(Exception):
    """The command cannot run; the message is the one line the user sees."""


# --------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code (never raises, never tracebacks)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "run", None):
            parser.error("give a command: list, new, update, export, check or validate")
        return int(args.run(args))
    except SystemExit as stop:  # --help, --version and argument errors
        if stop.code is None:
            return EXIT_OK
        return stop.code if isinstance(stop.code, int) else EXIT_CANNOT_RUN
    except CommandError as err:
        _error(str(err))
    except ChecklistFileError as err:
        _error(_checklist_problem(err))
    except pages.PageError as err:
        _error(str(err))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `sphinx-ethics export plan | head`
        _silence_stdout()
        return EXIT_OK
    except OSError as err:
        _error(_os_message(err))
    except Exception as err:  # a bug: still one line, never a traceback
        if os.environ.get("SPHINX_ETHICS_DEBUG", "").lower() not in {"", "0", "false", "no"}:
            traceback.print_exc()
        _error(
            f"unexpected {type(err).__name__}: {err} (this is a bug in sphinx-ethics; "
            "set SPHINX_ETHICS_DEBUG=1 to see the traceback)"
        )
    return EXIT_CANNOT_RUN


def _error(message: str) -> None:
    text = " ".join(message.split())
    print(f"{PROG}: error: {text}", file=sys.stderr)


def _os_message(err: OSError) -> str:
    if err.filename:
        return f"{err.filename}: {err.strerror or err}"
    return str(err)


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _checklist_problem(err: ChecklistFileError) -> str:
    if not err.problems:
        return "invalid checklist file"
    first, more = err.problems[0], len(err.problems) - 1
    extra = ""
    if more:
        extra = f" (and {more} more: run '{PROG} validate {first.file}' to see them all)"
    return f"invalid checklist file: {first}{extra}"


# --------------------------------------------------------------------------
# Arguments
# --------------------------------------------------------------------------


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors, as every other error of the command."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(EXIT_CANNOT_RUN)


def _checklists_option(parser: argparse.ArgumentParser, dest: str) -> None:
    parser.add_argument(
        "--checklists",
        metavar="FILE",
        action="append",
        dest=dest,
        default=[],
        help="a custom checklist YAML file to load after the built-in data "
        "(repeatable; same schema, see 'sphinx-ethics validate')",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description="Ethics checklists for healthcare improvement, for Sphinx docs: "
        "write fill-in review pages, keep them up to date, export blank checklists "
        "and check that every required question is answered.",
        epilog="Exit codes: 0 success, 1 the docs or file have problems, "
        "2 the command could not run. Run 'sphinx-ethics COMMAND --help' for details.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _checklists_option(parser, "global_checklists")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=Parser)

    def command(name: str, run: Callable[[argparse.Namespace], int], text: str) -> Parser:
        sub = commands.add_parser(name, help=text, description=text)
        _checklists_option(sub, "checklists")
        sub.set_defaults(run=run)
        return sub  # type: ignore[return-value]

    listing = command("list", cmd_list, "List the checklists, or one checklist's questions.")
    listing.add_argument("checklist", nargs="*", metavar="CHECKLIST", help="checklist ids")
    listing.add_argument("--json", action="store_true", help="print JSON for machines")

    new = command(
        "new",
        cmd_new,
        "Write a fill-in review page: one empty answer per slot, the question beside "
        "it as a comment. Never overwrites a file.",
    )
    new.add_argument("checklist", nargs="+", metavar="CHECKLIST", help="checklist ids")
    new.add_argument("-o", "--output", required=True, metavar="FILE", help="page to write")
    new.add_argument(
        "--format", choices=pages.FORMATS, help="rst or md (default: from the file extension)"
    )
    new.add_argument("--name", default="", help="the review's :name: (a label for :ref:)")
    new.add_argument("--title", default="", help="page and review title")
    new.add_argument("--owner", default="", help="who owns the review")
    new.add_argument("--reviewers", default="", help="reviewers, separated by ';'")
    new.add_argument("--date", default="", help="review date, YYYY-MM-DD")
    new.add_argument("--review-by", default="", help="date to review again by, YYYY-MM-DD")
    new.add_argument(
        "--status",
        default="draft",
        choices=("draft", "in-review", "approved", "none"),
        help="review status (default: draft; 'none' leaves it out)",
    )

    update = command(
        "update",
        cmd_update,
        "Add stubs for slots a review page lacks (after a checklist gained questions). "
        "Existing text is never changed.",
    )
    update.add_argument("file", nargs="+", metavar="FILE", help="review pages to update")
    update.add_argument("--format", choices=pages.FORMATS, help="rst or md (default: extension)")
    update.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if a page lacks stubs (for CI)",
    )

    export = command(
        "export",
        cmd_export,
        "Write blank checklists (with top tips and attribution) for workshops.",
    )
    export.add_argument("checklist", nargs="+", metavar="CHECKLIST", help="checklist ids")
    export.add_argument(
        "--format",
        choices=("md", "rst", "html", "csv", "json"),
        help="output format (default: from the -o extension, else md)",
    )
    export.add_argument("-o", "--output", metavar="FILE", help="file to write (default: stdout)")

    check = command(
        "check",
        cmd_check,
        "Read and validate a Sphinx docs tree (no HTML written): one line per review, "
        "exit 0 when every required question is answered and there is no ethics warning.",
    )
    check.add_argument("sourcedir", metavar="SOURCEDIR", help="the Sphinx source directory")
    check.add_argument(
        "-c", "--conf-dir", metavar="DIR", help="where conf.py is (default: SOURCEDIR)"
    )
    check.add_argument("--json", action="store_true", help="print a JSON report on stdout")
    check.add_argument(
        "-j",
        "--jobs",
        default="auto",
        metavar="N",
        help="parallel readers: a number, or 'auto' (parallel only for larger projects)",
    )
    check.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress")

    validate = command(
        "validate",
        cmd_validate,
        "Check custom checklist files against the schema, as they would load beside the "
        "built-in data (and any --checklists): every problem with file:line.",
    )
    validate.add_argument("file", nargs="+", metavar="FILE", help="checklist YAML files")
    return parser


# --------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------


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
    return load_catalog([str(p) for p in files])


def pick(catalog: Catalog, ids: Iterable[str]) -> list[Checklist]:
    """The checklists named, in the order given; an unknown id is an error."""
    found: list[Checklist] = []
    for name in ids:
        if name not in catalog.checklists:
            hint = did_you_mean(name, catalog.checklists)
            known = ", ".join(catalog.checklists)
            raise CommandError(f"unknown checklist {name!r}{hint}; known checklists: {known}")
        if catalog.checklists[name] not in found:
            found.append(catalog.checklists[name])
    return found


def project_dir(near: Path) -> Path | None:
    """The directory of the nearest ``conf.py`` at or above ``near``."""
    return next((d for d in [near, *near.parents] if (d / "conf.py").is_file()), None)


def project_checklists(near: Path) -> list[Path]:
    """``ethics_checklists`` of the Sphinx project a page sits in, if conf.py says.

    ``new`` and ``update`` look for the nearest ``conf.py`` above the page and
    read that one setting (a literal list, without running conf.py), so a page
    in a project with custom checklists works without repeating them.
    """
    directory = project_dir(near)
    if directory is None:
        return []
    return [
        directory / name for name in _literal_setting(directory / "conf.py", "ethics_checklists")
    ]


def _literal_setting(conf: Path, name: str) -> list[str]:
    try:
        tree = ast.parse(conf.read_bytes(), filename=str(conf))
    except (OSError, SyntaxError, ValueError):
        return []
    found: list[str] = []
    for node in tree.body:  # the last assignment wins, as when Python runs conf.py
        if isinstance(node, ast.Assign):
            targets, value_node = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value_node = [node.target], node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            try:
                value = ast.literal_eval(value_node)
            except ValueError:
                found = []
                continue
            ok = isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
            found = list(value) if ok else []
    return found


# --------------------------------------------------------------------------
# list
# --------------------------------------------------------------------------


def cmd_list(args: argparse.Namespace) -> int:
    catalog = load(checklist_files(args))
    chosen = pick(catalog, args.checklist) if args.checklist else list(catalog.checklists.values())
    if args.json:
        data = [
            {
                "id": c.id,
                "title": c.title,
                "version": c.version,
                "file": c.file,
                "slots": [q.id for q in c.slots()],
                "questions": [
                    {
                        "id": q.id,
                        "number": q.number,
                        "text": q.text,
                        "prompts": list(q.prompts),
                        "group": q.is_group,
                        "parent": q.parent,
                    }
                    for q in c.iter_questions()
                ],
            }
            for c in chosen
        ]
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
        plural = "s" if slots != 1 else " "
        print(f"{checklist.id:<{width}}  {slots:>2} slot{plural}  {checklist.title}")
    print(
        f"\n{len(catalog.tips)} top tips, {len(catalog.definitions)} definitions. "
        f"'{PROG} list CHECKLIST' shows a checklist's questions and ids."
    )
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


# --------------------------------------------------------------------------
# new
# --------------------------------------------------------------------------


def _date(value: str, option: str) -> str:
    from sphinx_ethics.slots import parse_date

    if value and parse_date(value) is None:
        raise CommandError(f"{option} {value!r} is not a date in the form YYYY-MM-DD")
    return value.strip()


def cmd_new(args: argparse.Namespace) -> int:
    to_stdout = args.output == "-"
    target = Path(args.output)
    fmt = pages.page_format(None if to_stdout else args.output, args.format)
    if not to_stdout and (target.exists() or target.is_symlink()):
        raise CommandError(f"{target} already exists; not overwriting it (use 'update' instead)")
    near = Path.cwd() if to_stdout else (target.parent if str(target.parent) else Path("."))
    catalog = load(checklist_files(args, project_checklists(near.resolve())))
    checklists = pick(catalog, args.checklist)
    meta = pages.ReviewMeta(
        name=args.name,
        title=args.title,
        owner=args.owner,
        reviewers=args.reviewers,
        date=_date(args.date, "--date"),
        review_by=_date(args.review_by, "--review-by"),
        status="" if args.status == "none" else args.status,
    )
    text = pages.render_page(checklists, fmt, meta)
    if to_stdout:
        sys.stdout.write(text)
        return EXIT_OK
    pages.write_new(target, text)
    slots = sum(len(c.slots()) for c in checklists)
    ids = ", ".join(c.id for c in checklists)
    plural = "slot" if slots == 1 else "slots"
    print(f"Wrote {target}: an ethics review of {ids} with {slots} answer {plural} to fill in.")
    return EXIT_OK


# --------------------------------------------------------------------------
# update
# --------------------------------------------------------------------------


def cmd_update(args: argparse.Namespace) -> int:
    outdated = False
    for name in args.file:
        path = Path(name)
        text = pages.read_page(path)
        fmt = pages.page_format(name, args.format)
        near = path.resolve().parent
        catalog = load(checklist_files(args, project_checklists(near)))
        plan = pages.plan_update(text, fmt, catalog, path, str(path), project_dir(near))
        for question_id, line in plan.strays:
            print(
                f"{path}:{line}: answer to {question_id!r}, which is not a question of "
                "this review's checklists (kept; move or delete it yourself)"
            )
        if not plan.changed:
            print(f"{path}: up to date")
            continue
        outdated = True
        count = len(plan.added)
        what = f"{count} stub{'s' if count != 1 else ''}: {', '.join(plan.added)}"
        if args.check:
            print(f"{path}: would add {what}")
            continue
        _replace_if_unchanged(path, text, pages.apply_insertions(text, plan.insertions))
        print(f"{path}: added {what}")
    return EXIT_PROBLEMS if outdated and args.check else EXIT_OK


def _replace_if_unchanged(path: Path, old: str, new: str) -> None:
    """Write ``new`` unless the file changed since it was read (an editor saved)."""
    if pages.read_page(path) != old:
        raise CommandError(f"{path} changed while it was being updated; run update again")
    pages.write_atomic(path, new)


# --------------------------------------------------------------------------
# export
# --------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    from sphinx_ethics import export

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
    pages.write_atomic(target, text)
    print(f"Wrote {target} ({fmt}).", file=sys.stderr)
    return EXIT_OK


# --------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
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
            count = len(problems)
            print(f"{path}: invalid ({count} problem{'s' if count != 1 else ''})")
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
        old = before.checklists.get(checklist.id)
        if old is not None:
            added = [q.id for q in checklist.iter_questions() if q.id not in before.questions]
            if added:
                parts.append(f"extends {checklist.id!r} with {', '.join(added)}")
    tips = len(after.tips) - len(before.tips)
    definitions = len(after.definitions) - len(before.definitions)
    if tips:
        parts.append(f"{tips} tip{'s' if tips != 1 else ''}")
    if definitions:
        parts.append(f"{definitions} definition{'s' if definitions != 1 else ''}")
    return "; ".join(parts) or "adds nothing new"


# --------------------------------------------------------------------------
# check
# --------------------------------------------------------------------------

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


def _conf_namespace(conf: Path) -> dict[str, Any]:
    from sphinx.errors import ConfigError
    from sphinx.util.tags import Tags

    try:
        from sphinx.config import eval_config_file

        return eval_config_file(conf.resolve(), Tags())
    except ConfigError as err:
        raise CommandError(f"{conf}: {_first_and_last(str(err))}") from None


def _first_and_last(message: str) -> str:
    """A Sphinx error that quotes a traceback, as its first and last lines."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if len(lines) > 2 and lines[1].startswith("Traceback"):
        return f"{lines[0]} {lines[-1]}"
    return " ".join(lines)


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
    if not srcdir.is_dir():
        raise CommandError(f"source directory not found: {srcdir}")
    confdir = Path(args.conf_dir) if args.conf_dir else srcdir
    conf = confdir / "conf.py"
    if not conf.is_file():
        raise CommandError(f"no conf.py in {confdir} (is it a Sphinx source directory?)")
    namespace = _conf_namespace(conf)
    if "sphinx_ethics" not in (namespace.get("extensions") or []):
        raise CommandError(f"{conf} does not load the extension: add 'sphinx_ethics' to extensions")
    own = namespace.get("ethics_checklists") or []
    own = (
        [confdir / name for name in own if isinstance(name, str)]
        if isinstance(own, list | tuple)
        else []
    )
    files = checklist_files(args, own)
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
