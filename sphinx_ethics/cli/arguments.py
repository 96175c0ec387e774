"""The argument parser of ``sphinx-ethics`` (no command code is imported here;
the format lists come from the writers that make them)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from sphinx_ethics.answers.slots import SIGNOFF_DECISIONS
from sphinx_ethics.cli.ci_formats import FORMATS as ANNOTATION_FORMATS
from sphinx_ethics.cli.common import EXIT_CANNOT_RUN, PROG
from sphinx_ethics.outputs.blank import EXPORT_FORMATS
from sphinx_ethics.outputs.writers import FORMATS as REVIEW_FORMATS
from sphinx_ethics.pages.new import FORMATS as PAGE_FORMATS
from sphinx_ethics.version import __version__

#: Where each command's code lives: module in this package, function.
COMMANDS = {
    "list": ("checklists", "cmd_list"),
    "new": ("pages", "cmd_new"),
    "update": ("pages", "cmd_update"),
    "export": ("checklists", "cmd_export"),
    "check": ("check", "cmd_check"),
    "validate": ("checklists", "cmd_validate"),
    "form": ("form", "cmd_form"),
    "review": ("review", "cmd_review"),
    "merge": ("merge", "cmd_merge"),
    "programme": ("programme", "cmd_programme"),
    "signoff": ("signoff", "cmd_signoff"),
    "migrate": ("migrate", "cmd_migrate"),
}


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors, as every other error of the command."""

    def error(self, message: str) -> NoReturn:
        line = f"{message} (see '{self.prog} --help')"
        print(f"{self.prog}: error: {line}", file=sys.stderr)
        stop = SystemExit(EXIT_CANNOT_RUN)
        stop.usage_error = line  # type: ignore[attr-defined]  # for --json
        raise stop


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

    def command(name: str, text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=text, description=text)
        _checklists_option(sub, "checklists")
        sub.set_defaults(command=name)
        return sub

    listing = command("list", "List the checklists, or one checklist's questions.")
    listing.add_argument("checklist", nargs="*", metavar="CHECKLIST", help="checklist ids")
    listing.add_argument("--json", action="store_true", help="print JSON for machines")
    _new_arguments(
        command(
            "new",
            "Write a fill-in review page: one empty answer per slot, the question beside "
            "it as a comment. Never overwrites a file.",
        )
    )
    _update_arguments(
        command(
            "update",
            "Add stubs for slots a review page lacks (after a checklist gained questions); "
            "for a review with an :answers: file, add empty entries to that file instead. "
            "Existing text is never changed.",
        )
    )
    export = command(
        "export", "Write blank checklists (with top tips and attribution) for workshops."
    )
    export.add_argument("checklist", nargs="+", metavar="CHECKLIST", help="checklist ids")
    export.add_argument(
        "--format",
        choices=EXPORT_FORMATS,
        help="output format (default: from the -o extension, else md)",
    )
    export.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="file to write (default: stdout); a FIFO or device is written in place",
    )
    _check_arguments(
        command(
            "check",
            "Read and validate a Sphinx docs tree (no HTML written): one line per review, "
            "exit 0 when every required question is answered and there is no ethics warning.",
        )
    )
    validate = command(
        "validate",
        "Check custom checklist files against the schema, as they would load beside the "
        "built-in data (and any --checklists): every problem with file:line.",
    )
    validate.add_argument("file", nargs="+", metavar="FILE", help="checklist YAML files")
    _form_arguments(
        command(
            "form",
            "Write an offline HTML form for people who do not use the docs (a patient "
            "panel): a box and a state per question, answers kept in their browser, and a "
            "button that downloads an answers file for an ethics-review's :answers: option.",
        )
    )
    _review_arguments(
        command(
            "review",
            "Write one completed review for people who do not use Sphinx (a board paper, an "
            "R&D office): every question, the team's answers, states, sign-offs, referrals "
            "and attribution. Reads the project like 'check' (no HTML written).",
        )
    )
    _merge_arguments(
        command(
            "merge",
            "Merge an answers file that came back (from a form, a colleague) into the team's "
            ":answers: file: add new answers, fill empty entries, report every conflict with "
            "both texts. Nothing is overwritten without --theirs; every other byte is kept.",
        )
    )
    _programme_arguments(
        command(
            "programme",
            "Work with a programme of many projects: 'collect' fetches each project's "
            "ethics-report.json into dated snapshots for the ethics-programme directive.",
        )
    )
    _signoff_arguments(
        command(
            "signoff",
            "Record a sign-off in a review's page, tied to the answers it approves (their "
            "digest, computed by the same build as 'check'). Approving is refused while a "
            "required question is unanswered or another problem stands, except this role's "
            "own missing sign-off and an open referral to it. Every other byte is kept.",
        )
    )
    _migrate_arguments(
        command(
            "migrate",
            "Move a project's answers to its checklists' current versions, as the "
            "checklists' migrations: declare (moved, merged, reworded), and record the "
            "versions in each review's :answered-under:. Split and retired questions are "
            "left for you, with what to do; nothing is guessed. Every other byte is kept.",
        )
    )
    return parser


def _migrate_arguments(migrate: argparse.ArgumentParser) -> None:
    migrate.add_argument("sourcedir", metavar="SOURCEDIR", help="the Sphinx source directory")
    migrate.add_argument(
        "--check",
        "--dry-run",
        action="store_true",
        help="only say what it would do; exit 1 if it would change a file",
    )
    migrate.add_argument(
        "-c", "--conf-dir", metavar="DIR", help="where conf.py is (default: SOURCEDIR)"
    )


def _signoff_arguments(signoff: argparse.ArgumentParser) -> None:
    signoff.add_argument("sourcedir", metavar="SOURCEDIR", help="the Sphinx source directory")
    signoff.add_argument("name", metavar="REVIEW", help="the review's :name: (see 'check')")
    signoff.add_argument(
        "--role",
        required=True,
        help="the role signing (as in ethics_signoff_roles, or a referral's body)",
    )
    signoff.add_argument("--by", required=True, metavar="NAME", help="who signs")
    signoff.add_argument(
        "--decision", required=True, choices=SIGNOFF_DECISIONS, help="the decision"
    )
    signoff.add_argument(
        "--date", default="", metavar="YYYY-MM-DD", help="default: ethics_today, else today"
    )
    signoff.add_argument(
        "--comment",
        default="",
        metavar="TEXT",
        help="comment or conditions (the directive's content)",
    )
    _project_options(signoff)


def _new_arguments(new: argparse.ArgumentParser) -> None:
    new.add_argument("checklist", nargs="+", metavar="CHECKLIST", help="checklist ids")
    new.add_argument("-o", "--output", required=True, metavar="FILE", help="page to write")
    new.add_argument(
        "--format",
        choices=PAGE_FORMATS,
        help="rst or md (default: from the file extension); md uses colon fences if "
        "conf.py enables MyST's colon_fence, else backtick fences",
    )
    new.add_argument("--name", default="", help="the review's :name: (a label for :ref:)")
    new.add_argument(
        "--title",
        default="",
        help="page title (default: 'Ethics review: ' and the checklists' titles)",
    )
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


def _update_arguments(update: argparse.ArgumentParser) -> None:
    update.add_argument("file", nargs="+", metavar="FILE", help="review pages to update")
    update.add_argument("--format", choices=PAGE_FORMATS, help="rst or md (default: extension)")
    update.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 if a page (or its answers file) lacks stubs (for CI)",
    )


def _check_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument("sourcedir", metavar="SOURCEDIR", help="the Sphinx source directory")
    check.add_argument(
        "-c", "--conf-dir", metavar="DIR", help="where conf.py is (default: SOURCEDIR)"
    )
    check.add_argument(
        "--json",
        action="store_true",
        help="print a JSON report on stdout (and an error that stops the command as "
        '{"error": ..., "exit_code": 2})',
    )
    check.add_argument(
        "--format",
        choices=ANNOTATION_FORMATS,
        help="print the problems for CI instead: GitHub workflow commands, a GitLab Code "
        "Quality report or SARIF 2.1.0 (the summary then goes to stderr)",
    )
    check.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="with --format: write it to FILE instead of stdout",
    )
    check.add_argument(
        "--path-prefix",
        metavar="P",
        help="with --format: put P before paths relative to SOURCEDIR (default: paths "
        "relative to the git work tree SOURCEDIR is in)",
    )
    check.add_argument(
        "-j",
        "--jobs",
        default="auto",
        metavar="N",
        help="parallel readers: a number, or 'auto' (parallel only for larger projects)",
    )
    check.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress")


def _form_arguments(form: argparse.ArgumentParser) -> None:
    form.add_argument("checklist", nargs="+", metavar="CHECKLIST", help="checklist ids")
    form.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the HTML file to write ('-' for stdout); an existing file is replaced only "
        "if it is a form written by this command",
    )
    form.add_argument(
        "--answers",
        metavar="FILE",
        help="an answers YAML file to fill the form with (read as the build reads "
        ":answers:; any problem in it stops the command)",
    )
    form.add_argument(
        "--title", default="", help="the form's heading (default: from the checklists)"
    )
    form.add_argument(
        "-c",
        "--conf-dir",
        metavar="DIR",
        help="a project's conf.py folder: use its ethics_checklists and "
        "ethics_placeholder_patterns",
    )


def _project_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-c", "--conf-dir", metavar="DIR", help="where conf.py is (default: SOURCEDIR)"
    )
    parser.add_argument(
        "-j",
        "--jobs",
        default="auto",
        metavar="N",
        help="parallel readers: a number, or 'auto' (parallel only for larger projects)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="show Sphinx's progress")


def _review_arguments(review: argparse.ArgumentParser) -> None:
    review.add_argument("sourcedir", metavar="SOURCEDIR", help="the Sphinx source directory")
    review.add_argument(
        "names",
        nargs="+",
        metavar="NAME",
        help="the review's :name: (see 'check'); several names make one board pack, "
        "with a contents list",
    )
    review.add_argument(
        "--format",
        choices=REVIEW_FORMATS,
        help="output format (default: from the -o suffix, md on stdout; a suffix that "
        "names no format needs --format); docx needs "
        'python-docx (pip install "sphinx-ethics[docx]")',
    )
    review.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="exit 0 for an incomplete review too (it still says NOT COMPLETE first)",
    )
    review.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="file to write (default: stdout); a FIFO or device is written in place, "
        "a read-only file is refused",
    )
    _project_options(review)


def _merge_arguments(merge: argparse.ArgumentParser) -> None:
    merge.add_argument("incoming", metavar="INCOMING", help="the answers file that came back")
    merge.add_argument(
        "--into",
        required=True,
        metavar="ANSWERS",
        help="the team's answers file, changed in place (it must exist; an empty file is fine)",
    )
    side = merge.add_mutually_exclusive_group()
    side.add_argument(
        "--theirs", action="store_true", help="on a conflict, take the incoming answer"
    )
    side.add_argument("--ours", action="store_true", help="on a conflict, keep the team's answer")
    merge.add_argument(
        "--dry-run", action="store_true", help="say what would change; write nothing"
    )
    merge.add_argument(
        "--received",
        metavar="YYYY-MM-DD",
        default="",
        help="the date the answers were received, written as 'received' beside each entry "
        "merged that says who gave it ('by') and not when (default: today)",
    )
    merge.add_argument(
        "-c",
        "--conf-dir",
        metavar="DIR",
        help="the project's conf.py directory, for its custom checklists' question ids "
        "(default: the nearest conf.py at or above ANSWERS)",
    )


def _programme_arguments(programme: argparse.ArgumentParser) -> None:
    steps = programme.add_subparsers(
        title="programme commands", metavar="STEP", dest="programme_command", parser_class=Parser
    )
    steps.required = True
    collect = steps.add_parser(
        "collect",
        help="fetch every project's report (the only step that uses the network)",
        description="Fetch every project's report, in the order of its locations, into "
        "dated snapshots; a failed fetch keeps the last good copy. Exit 0 when every "
        "project is fresh, 1 when any is cached, missing or invalid, 2 on a bad file.",
    )
    collect.add_argument("programme", metavar="PROGRAMME.toml", help="the programme file")
    collect.add_argument(
        "-o", "--output", required=True, metavar="SNAPSHOTS", help="the snapshot folder"
    )
    collect.add_argument("-q", "--quiet", action="store_true", help="no progress line per project")
