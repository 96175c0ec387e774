"""``review``: one completed review as a board paper (md, html, docx, csv, json),
or several in one board pack with a contents list (``review SRC NAME NAME...``).

It reads the project the way ``check`` does (``-b ethics-check`` into a
temporary directory: fast, no HTML written), takes the review's record
from ``ethics-report.json`` and its answers' structure from
``ethics-answers.json``, joins them with the catalogue
(:mod:`sphinx_ethics.outputs.document`) and writes one format.

An incomplete review (a problem, or a required question unanswered, as the
build judged it) is still written, but "NOT COMPLETE: N problems" comes
first in every format, and the exit status is 1 unless
``--allow-incomplete``; a board pack is incomplete when any of its reviews
is, and says so first too (:mod:`sphinx_ethics.outputs.pack`).  The format
comes from ``--format`` or else from the ``-o`` suffix; a suffix that
names no format (``board.pdf``), or another format than ``--format``, is
refused before anything is built.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sphinx_ethics.cli.check import project_build
from sphinx_ethics.cli.common import EXIT_OK, EXIT_PROBLEMS, PROG, CommandError, load


def cmd_review(args: argparse.Namespace) -> int:
    from sphinx_ethics import files
    from sphinx_ethics.extension.builder import ANSWERS_NAME
    from sphinx_ethics.extension.reports import REPORT_NAME
    from sphinx_ethics.outputs import document as review_document

    fmt = _format(args)
    to_stdout = not args.output or args.output == "-"
    if fmt == "docx" and to_stdout and sys.stdout.isatty():
        raise CommandError("a .docx file is binary: give a file name with -o (e.g. -o review.docx)")
    target = None if to_stdout else Path(args.output)
    if target is not None and target.is_dir():
        raise CommandError(f"{target} is a directory; give a file name with -o")
    if fmt == "docx":
        _docx_available()
    project = project_build(args)
    if target is not None:
        protect_sources(target, [project.srcdir, project.confdir], project.files)
    report, answers = project.run(REPORT_NAME, ANSWERS_NAME)
    reviews = [find_review(report, name) for name in dict.fromkeys(args.names)]
    catalog, made = load(project.files), _made()
    documents = [
        review_document.review_document(review, _answers_of(answers, review), catalog, made)
        for review in reviews
    ]
    # Several names: one board pack with a contents list (SPEC §13).
    pack = len(documents) > 1
    document = review_document.pack_document(documents, made) if pack else documents[0]
    data = _rendered(document, fmt, pack)
    if target is None:
        _stdout(data)
    else:
        # A FIFO or a device (/dev/stdout, /dev/null) is written in place, never replaced.
        files.write_atomic(target, data, refuse_read_only=True)
        print(f"Wrote {target} ({fmt}).", file=sys.stderr)
    if document["complete"]:
        return EXIT_OK
    # The problems are listed in the output, under the verdict, and above as warnings.
    for review, each in zip(reviews, documents, strict=True):
        if not each["verdict"]:
            continue
        if args.allow_incomplete:
            print(f"{PROG}: note: review {review['name']!r}: {each['verdict']}", file=sys.stderr)
        else:
            print(
                f"{PROG}: review {review['name']!r}: {each['verdict']} (status 1; written all "
                "the same, the verdict first: --allow-incomplete makes the status 0)",
                file=sys.stderr,
            )
    return EXIT_OK if args.allow_incomplete else EXIT_PROBLEMS


def _rendered(document: dict[str, Any], fmt: str, pack: bool) -> bytes | str:
    """The review (or the board pack) in ``fmt``."""
    if fmt == "docx":
        from sphinx_ethics.outputs.docx import to_docx

        return to_docx(document)
    if pack:
        from sphinx_ethics.outputs import pack as review_pack

        return review_pack.render(document, fmt)
    from sphinx_ethics.outputs import writers as review_export

    return review_export.render(document, fmt)


def protect_sources(target: Path, folders: list[Path], sources: list[Path]) -> None:
    """Never replace a file of the project: an existing file in its source (or conf)
    folder, or one of its checklist files.  A new file there, or any file elsewhere
    (an earlier export), may be written."""
    from sphinx_ethics import files

    if not files.is_regular(target):
        return  # new, or a FIFO or device: written in place
    real = target.resolve()
    inside = [f for f in folders if real.is_relative_to(f.resolve())]
    if inside or real in {s.resolve() for s in sources}:
        where = f"inside the project's folder {inside[0]}" if inside else "a checklist file"
        raise CommandError(
            f"{target} exists and is {where}; not replacing it (write the review "
            "outside the project's sources, or delete that file first)"
        )


def _format(args: argparse.Namespace) -> str:
    """``--format``, else the format the ``-o`` suffix names; nothing else is guessed.

    Writing Markdown into ``board.pdf`` or Word into ``x.html`` makes a
    file that opens as garbage, so an unknown suffix needs ``--format``
    and a suffix naming another format than ``--format`` is refused.
    FIFOs and devices (``/dev/stdout``) have no suffix to judge: Markdown.
    """
    from sphinx_ethics.outputs.writers import FORMATS, SUFFIXES

    output = args.output if args.output and args.output != "-" else ""
    suffix = Path(output).suffix.lower()
    named = SUFFIXES.get(suffix)
    if args.format:
        if named is not None and named != args.format:
            raise CommandError(
                f"-o {output}: {suffix} is for --format {named}, not {args.format}; name it "
                f"{Path(output).with_suffix(_suffix_of(args.format)).name}, or leave out --format"
            )
        return str(args.format)
    if not output or named is not None or _special(output):
        return named or "md"
    if suffix == ".pdf":
        raise CommandError(
            f"-o {output}: review does not write PDF; write HTML "
            f"(-o {Path(output).with_suffix('.html').name}, or --format html) "
            "and print it to PDF from the browser"
        )
    what = f"{suffix} is not a format review writes" if suffix else "the name has no suffix"
    raise CommandError(
        f"-o {output}: {what}; name it .md, .html, .docx, .csv or .json, "
        f"or give --format ({', '.join(FORMATS)})"
    )


def _suffix_of(fmt: str) -> str:
    return {"md": ".md", "html": ".html", "docx": ".docx", "csv": ".csv", "json": ".json"}[fmt]


def _special(output: str) -> bool:
    """An existing FIFO or device, written in place (``/dev/stdout``)."""
    import stat

    try:
        mode = Path(output).stat().st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def _made() -> str:
    """Today, or the date of ``SOURCE_DATE_EPOCH`` for reproducible papers."""
    import datetime as dt
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    return dt.date.today().isoformat()


def _docx_available() -> None:
    """Stop before building when python-docx is missing (one line, exit 2)."""
    import importlib.util

    from sphinx_ethics.outputs.docx import INSTALL_HINT

    if importlib.util.find_spec("docx") is None:
        raise CommandError(INSTALL_HINT)


def find_review(report: dict[str, Any], name: str) -> dict[str, Any]:
    """The review called ``name``; an unknown name lists the names there are."""
    from sphinx_ethics.catalogue import did_you_mean

    reviews = report.get("reviews", [])
    for review in reviews:
        if review["name"] == name:
            return dict(review)
    names = [r["name"] for r in reviews]
    if not names:
        raise CommandError(f"unknown review {name!r}: the project has no ethics reviews")
    raise CommandError(
        f"unknown review {name!r}{did_you_mean(name, names)}; reviews: {', '.join(names)}"
    )


def _answers_of(answers: dict[str, Any], review: dict[str, Any]) -> dict[str, list[Any]]:
    for entry in answers.get("reviews", []):
        if entry.get("docname") == review["docname"] and entry.get("name") == review["name"]:
            return dict(entry.get("answers") or {})
    return {}


def _stdout(data: bytes | str) -> None:
    if isinstance(data, bytes):
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(data)
