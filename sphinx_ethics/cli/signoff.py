"""``signoff``: record a decision on a review, tied to the answers it approves.

It builds the project the way ``check`` does, so the digest it writes is the
digest the build computes from the answers' seen text (SPEC §12), and the
problems it weighs are the ones the gate counts.  ``--decision approved``
(or ``approved-with-conditions``) is refused while a required question is
unanswered or another problem stands, except what this sign-off records:
every role's missing or stale sign-off (each role signs for itself), this
role's own changes-requested, and an open referral to it.
The directive is written at the end of the review's body in its page,
every other byte kept (:mod:`sphinx_ethics.pages.signoff`).
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import re
from pathlib import Path
from typing import Any

from sphinx_ethics import files
from sphinx_ethics.answers.drift import Record, format_record
from sphinx_ethics.answers.governance import role_key
from sphinx_ethics.answers.slots import ANSWERED_STATES, APPROVING, parse_date
from sphinx_ethics.cli.check import project_build
from sphinx_ethics.cli.common import EXIT_OK, EXIT_PROBLEMS, PROG, CommandError, one_line
from sphinx_ethics.cli.conf import read_conf
from sphinx_ethics.cli.review import find_review
from sphinx_ethics.pages import migrate as page_migrate
from sphinx_ethics.pages import signoff as page_signoff
from sphinx_ethics.pages.new import PageError, page_format

#: The role a problem's message is about, as the governance rules quote it.
_ROLE_IN = re.compile(
    r"(?:sign-off from|sign-off by|open referral to|^)\s*"
    r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")"
)


def cmd_signoff(args: argparse.Namespace) -> int:
    from sphinx_ethics.extension.reports import REPORT_NAME

    role = " ".join(one_line(args.role, "role").split())
    by = " ".join(one_line(args.by, "by").split())
    if not role or not by:
        raise CommandError("--role and --by must not be empty")
    comment = args.comment or ""
    if args.date and parse_date(args.date) is None:
        raise CommandError(f"--date {args.date!r} is not a date YYYY-MM-DD")
    project = project_build(args)
    namespace = read_conf(project.confdir / "conf.py")
    [report] = project.run(REPORT_NAME)
    review = find_review(report, args.name)
    if args.decision in APPROVING:
        blocking = _blocking(review, role)
        if blocking:
            print(f"{PROG}: not signing off review {review['name']!r} as {args.decision}:")
            for line in blocking:
                print(f"  {line}")
            print("Fix these first (or record --decision changes-requested).")
            return EXIT_PROBLEMS
    signoff = page_signoff.NewSignoff(
        role=role,
        by=by,
        date=args.date or _today(namespace),
        decision=args.decision,
        digest=_digest_for(review, role, namespace),
        comment=comment.strip(),
        slots=" ".join(f"{s['id']}={s['digest']}" for s in review["slots"] if s["digest"]),
    )
    path = project.srcdir / review["file"]
    _write(path, review, signoff)
    print(
        f"{path}: recorded {signoff.decision} by {signoff.by} ({signoff.role}) on "
        f"{signoff.date} for review {review['name']!r}, digest {signoff.digest}"
    )
    return EXIT_OK


def _write(path: Path, review: dict[str, Any], signoff: page_signoff.NewSignoff) -> None:
    text = files.read_text(path, "page")
    try:
        fmt = page_format(str(path), None)
        block = page_signoff.find_review(text, fmt, review["line"], review["name"])
        new = page_signoff.insert_signoff(text, fmt, block, signoff)
        under = answered_under(review)
        if under and under != block.options.get(page_migrate.OPTION, "").strip():
            new = page_migrate.set_review_option(new, fmt, block.line, page_migrate.OPTION, under)
    except (PageError, page_signoff.SignoffPageError) as err:
        raise CommandError(f"{path}: {err}") from None
    files.write_atomic(path, new)


def answered_under(review: dict[str, Any]) -> str:
    """The review's ``:answered-under:`` as the sign-off finds it: the current
    checklist versions and question digests; "" (left as it is) while a
    question-changed problem stands, which only ``migrate`` or the team settles."""
    if any(p["subtype"] == "question-changed" for p in review["problems"]):
        return ""
    versions = [(c, "".join(v.split())) for c, v in review["checklist_versions"].items()]
    questions = [(s["id"], s["question_digest"]) for s in review["slots"]]
    return format_record(Record(tuple(versions), tuple(questions)))


def _today(namespace: dict[str, Any]) -> str:
    """``ethics_today`` when conf.py sets a valid one, else today."""
    value = namespace.get("ethics_today")
    if isinstance(value, str) and parse_date(value) is not None:
        return value
    return dt.date.today().isoformat()


def _digest_for(review: dict[str, Any], role: str, namespace: dict[str, Any]) -> str:
    """The whole review's digest; a referral body's that is not a sign-off role
    signs the screening answers only (its decision is about them)."""
    roles = namespace.get("ethics_signoff_roles") or []
    required = {role_key(r) for r in roles if isinstance(r, str)}
    bodies = {role_key(r["to"]) for r in review["referrals"]}
    key = role_key(role)
    if key in bodies and key not in required:
        return review["screening_digest"]
    return review["digest"]


def _blocking(review: dict[str, Any], role: str) -> list[str]:
    """What stands in the way of approving: every problem but this role's own."""
    key = role_key(role)
    found = [
        f"{review['file']}:{slot['line'] or review['line']}: {slot['id']} is {slot['state']}"
        for slot in review["slots"]
        if slot["required"] and slot["state"] not in ANSWERED_STATES
    ]
    for problem in review["problems"]:
        if _settled_by(problem, key):
            continue
        if problem["subtype"] in ("unanswered", "screening"):
            continue  # listed per slot above
        where = f"{problem['file'] or review['file']}:{problem['line']}"
        found.append(f"{where}: {problem['message']} [{problem['subtype']}]")
    return found


def _settled_by(problem: dict[str, Any], key: str) -> bool:
    """Whether a problem does not stand in the way of this role's approval.

    Each role signs for itself: another role's missing or stale sign-off is
    that role's to record (else two roles could each wait for the other).
    This role's own changes-requested, and an open referral to it, are what
    this sign-off settles.  An open referral to another body stands.
    """
    subtype, message = problem["subtype"], problem["message"]
    if subtype == "signoff-stale" or (
        subtype == "signoff" and "has no approving sign-off from" in message
    ):
        return True
    about = _role_of(message)
    if about is None or role_key(about) != key:
        return False
    return subtype == "referral" or (subtype == "signoff" and "requested changes" in message)


def _role_of(message: str) -> str | None:
    match = _ROLE_IN.search(message)
    if match is None:
        return None
    try:
        value = ast.literal_eval(match.group(1))
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) else None
