"""The ``sphinx-ethics`` command: list, new, update, export, check, validate, form,
review, merge, programme.

Every command reads the same catalogue as the Sphinx extension (the built-in
THIS Institute data plus ``--checklists`` files), so what the command line
writes and checks is what the build will render and validate.

Exit codes are a contract for CI scripts: 0 all is well, 1 the docs (or the
checklist file being validated) have problems, 2 the command could not run
(bad arguments, missing files, an invalid checklist file), 130 interrupted.
Errors are one line on stderr (and, with ``--json``, a JSON object on
stdout); no traceback reaches a user and no half-written file is left
behind.

Importing this package, asking for ``--help`` and the catalogue commands
never import Sphinx: only ``check`` and reading a project's conf.py do.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence

from sphinx_ethics.cli.arguments import COMMANDS, build_parser
from sphinx_ethics.cli.common import (
    EXIT_CANNOT_RUN,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PROBLEMS,
    PROG,
    CommandError,
)

__all__ = [
    "EXIT_CANNOT_RUN",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "PROG",
    "CommandError",
    "build_parser",
    "command_function",
    "main",
]


def command_function(name: str) -> Callable[[argparse.Namespace], int]:
    """The function that runs command ``name``, imported only now."""
    module, function = COMMANDS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code (never raises, never tracebacks)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    wants_json = "--json" in argv
    try:
        args = parser.parse_args(argv)
        wants_json = bool(getattr(args, "json", False))
        if not getattr(args, "command", None):
            parser.error(
                "give a command: list, new, update, export, check, validate, form, review, merge "
                "or programme"
            )
        return int(command_function(args.command)(args))
    except SystemExit as stop:  # --help, --version and argument errors
        if stop.code is None:
            return EXIT_OK
        code = stop.code if isinstance(stop.code, int) else EXIT_CANNOT_RUN
        if code and wants_json:
            _json_error(getattr(stop, "usage_error", "invalid arguments"), code)
        return code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `sphinx-ethics export plan | head`
        _silence_stdout()
        return EXIT_OK
    except Exception as err:
        _error(_message(err), wants_json)
    return EXIT_CANNOT_RUN


def _message(err: Exception) -> str:
    """The one line for an error that stops the command."""
    from sphinx_ethics.catalogue import ChecklistFileError
    from sphinx_ethics.files import FileError

    if isinstance(err, CommandError | FileError):
        return str(err)
    if isinstance(err, ChecklistFileError):
        return _checklist_problem(err)
    if isinstance(err, OSError):
        return f"{err.filename}: {err.strerror or err}" if err.filename else str(err)
    # A bug: still one line, never a traceback unless asked for.
    if os.environ.get("SPHINX_ETHICS_DEBUG", "").lower() not in {"", "0", "false", "no"}:
        traceback.print_exception(err)
    return (
        f"unexpected {type(err).__name__}: {err} (this is a bug in sphinx-ethics; "
        "set SPHINX_ETHICS_DEBUG=1 to see the traceback)"
    )


def _error(message: str, as_json: bool = False) -> None:
    text = " ".join(message.split())
    print(f"{PROG}: error: {text}", file=sys.stderr)
    if as_json:
        _json_error(text, EXIT_CANNOT_RUN)


def _json_error(text: str, code: int) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(json.dumps({"error": text, "exit_code": code}, ensure_ascii=False))


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _checklist_problem(err: Exception) -> str:
    problems = getattr(err, "problems", None)
    if not problems:
        return "invalid checklist file"
    first, more = problems[0], len(problems) - 1
    extra = ""
    if more:
        extra = f" (and {more} more: run '{PROG} validate {first.file}' to see them all)"
    return f"invalid checklist file: {first}{extra}"
