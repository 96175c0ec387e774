"""``sphinx-ethics form``: the offline answer form (:mod:`sphinx_ethics.outputs.form`).

The answers file given with ``--answers`` is untrusted input (it may have come
back from an earlier form): it is read by the build's own reader, every
problem is reported with its file and line, and the form is written only if
every entry can be shown in it, so no answer is silently dropped.  The
output never replaces a file that is not a form written by this command.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx_ethics.cli.common import (
    EXIT_OK,
    PROG,
    CommandError,
    checklist_files,
    load,
    one_line,
    pick,
    plural,
)

if TYPE_CHECKING:
    from sphinx_ethics.answers.file import FileAnswer
    from sphinx_ethics.catalogue import Catalog, Checklist, Question
    from sphinx_ethics.outputs.form import Prefill

#: A file the form may replace starts with exactly these lines, the fifth naming
#: the generator (``form/form.html``); forms of earlier versions named it on the
#: seventh line, after the viewport and the Content-Security-Policy.
FORM_HEAD = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">']
GENERATOR = re.compile(
    r'<meta name="generator" content="sphinx-ethics [0-9A-Za-z.+_-]{1,40} form">'
)
EARLIER = [
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"<>]*">'),
]


def is_generated_form(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a form written by this command:
    its first lines exactly as the form writes them, not a mention anywhere."""
    # The lines checked are ASCII: a character cut at the end of ``head`` cannot match.
    lines = head.decode("utf-8", errors="replace").split("\n")
    if lines[:4] != FORM_HEAD or len(lines) < 6:
        return False
    if GENERATOR.fullmatch(lines[4]):
        return True
    earlier = len(lines) > 7 and lines[4] == EARLIER[0] and EARLIER[1].fullmatch(lines[5])
    return bool(earlier and GENERATOR.fullmatch(lines[6]))


def cmd_form(args: argparse.Namespace) -> int:
    from sphinx_ethics import files
    from sphinx_ethics.outputs import form as answer_form
    from sphinx_ethics.outputs.blank import document_title

    title = " ".join(one_line(args.title, "title").split()) if args.title else ""
    conf = _conf(args.conf_dir)
    catalog = load(checklist_files(args, conf.get("checklists", [])))
    checklists = pick(catalog, args.checklist)
    target = None if args.output == "-" else Path(args.output)
    if target is not None:
        _check_target(target, args.answers)
    prefill = _prefill(Path(args.answers), catalog, checklists) if args.answers else {}
    text = answer_form.render_form(
        checklists,
        title or document_title(checklists),
        prefill,
        conf.get("placeholders", _default_placeholders()),
    )
    if target is None:
        sys.stdout.write(text)
        return EXIT_OK
    files.write_atomic(target, text, refuse_read_only=True)
    slots = sum(len(c.slots()) for c in checklists)
    filled = f", {plural(len(prefill), 'answer')} filled in" if prefill else ""
    ids = ", ".join(c.id for c in checklists)
    print(
        f"Wrote {target}: a form for {ids} with {plural(slots, 'answer slot')}{filled}.",
        file=sys.stderr,
    )
    return EXIT_OK


def _default_placeholders() -> list[str]:
    from sphinx_ethics.extension.config import DEFAULTS

    return list(DEFAULTS["ethics_placeholder_patterns"])


def _conf(conf_dir: str | None) -> dict[str, Any]:
    """``ethics_checklists`` and ``ethics_placeholder_patterns`` of ``-c DIR``'s conf.py."""
    if not conf_dir:
        return {}
    from sphinx_ethics.cli.conf import ethics_checklists, read_conf

    directory = Path(conf_dir)
    if not (directory / "conf.py").is_file():
        raise CommandError(f"no conf.py in {directory}")
    namespace = read_conf(directory / "conf.py")
    found: dict[str, Any] = {"checklists": ethics_checklists(namespace, directory)}
    patterns = namespace.get("ethics_placeholder_patterns")
    if isinstance(patterns, list | tuple) and all(isinstance(p, str) for p in patterns):
        found["placeholders"] = list(patterns)
    return found


def _check_target(target: Path, answers: str | None) -> None:
    """Stop before replacing anything but an earlier form (or a FIFO or device)."""
    from sphinx_ethics import files

    if target.is_dir():
        raise CommandError(f"{target} is a directory; give a file name with -o")
    if answers and target.exists() and target.resolve() == Path(answers).resolve():
        raise CommandError(f"{target} is the --answers file; give the form another name")
    if not files.is_regular(target):
        return  # new, or a FIFO or device: written in place
    with target.open("rb") as handle:
        head = handle.read(4096)
    if not is_generated_form(head):
        raise CommandError(
            f"{target} exists and is not a form written by {PROG}; not replacing it "
            "(choose another name, or delete it first)"
        )


def _prefill(path: Path, catalog: Catalog, checklists: Sequence[Checklist]) -> dict[str, Prefill]:
    """The answers of ``--answers``; every problem printed, then the command stops."""
    from sphinx_ethics.answers.file import read_answers

    display = str(path)
    answers, problems = read_answers(path, display)
    found = [(p.line, _located(p.location, p.message, display)) for p in problems]
    boxes = {q.id: q for c in checklists for q in c.iter_questions()}
    # A repeated id is among the problems already (read_answers reports it).
    for answer in answers:
        if answer.question_id not in boxes:
            why = _not_in_form(answer.question_id, catalog, boxes)
            found.append((answer.line, f"{answer.location}: {why}"))
    lines = [line for _, line in sorted(found, key=lambda item: item[0])]
    if lines:
        for line in lines[:-1]:
            print(f"{PROG}: error: {line}", file=sys.stderr)
        raise CommandError(
            f"{lines[-1]} ({plural(len(lines), 'problem')} in {display}; the form was not written)"
        )
    return {a.question_id: _prefilled(a, boxes[a.question_id]) for a in answers}


def _prefilled(answer: FileAnswer, question: Question) -> Prefill:
    """What the form starts with: a screening question's yes / no / unsure is its
    ``answer:``, or the whole text when that is one of the words (as the build reads it)."""
    from sphinx_ethics.catalogue.model import SCREENING_CHOICES
    from sphinx_ethics.outputs.form import Prefill

    text, choice = answer.text, answer.choice.strip().casefold()
    if question.screening and not choice:
        word = text.strip().rstrip(".!").casefold()
        if len(text.split()) == 1 and word in SCREENING_CHOICES:
            text, choice = "", word
    if choice and choice not in SCREENING_CHOICES:
        choice = ""  # the build reports it; the form starts without one
    return Prefill(text, answer.status, choice)


def _located(location: str, message: str, display: str) -> str:
    return message if location == display else f"{location}: {message}"


def _not_in_form(question_id: str, catalog: Catalog, boxes: dict[str, Any]) -> str:
    """Why an answer has no box: an unknown id (did you mean), or another checklist's."""
    from sphinx_ethics.catalogue import unknown_id

    owner = catalog.checklist_of(question_id)
    if owner is None:
        return unknown_id("question", question_id, list(boxes))
    return (
        f"{question_id!r} is a question of checklist {owner.id!r}, which is not in this "
        f"form; add {owner.id} to the command"
    )
