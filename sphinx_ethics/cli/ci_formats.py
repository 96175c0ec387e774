"""CI annotations from the one report: GitHub workflow commands, GitLab Code
Quality and SARIF 2.1.0.

``sphinx-ethics check --format FORMAT`` builds the report dict that
``check --json`` prints and turns each problem in it into a *finding*: one
problem with a repository-relative path, a line (>= 1) and a fingerprint.
The three formats are written from that one list, so they always agree with
the gate. Every ethics problem fails the gate, so every finding is an error;
a suppressed subtype is not in the report and so not here. No Sphinx here.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sphinx_ethics.problems import SUBTYPES
from sphinx_ethics.version import __version__

FORMATS = ("github", "gitlab", "sarif")

#: GitHub shows at most this many error annotations per step.
GITHUB_MAX_ERRORS = 10

#: Most important first: a review that reads as approved while it is not,
#: then slips that hide answers or questions, then what is unanswered, then
#: the rest. Subtypes not named here come after these, alphabetically.
IMPORTANCE = (
    "approved-unanswered",
    "referral",
    "signoff",
    "markup",
    "option",
    "answers-file",
    "unknown-checklist",
    "nested-review",
    "duplicate-answer",
    "duplicate-review",
    "unanswered",
    "not-applicable",
    "screening",
    "unknown-question",
    "orphan-answer",
    "overdue",
    "field",
    "status",
    "date",
    "checklist",
    "config",
)

_LINE_NUMBER = re.compile(r"\b(lines?) \d+")


@dataclass(frozen=True)
class Finding:
    """One problem as CI places it: where (repository-relative), what, and its identity."""

    subtype: str
    message: str
    path: str
    line: int
    review: str
    fingerprint: str

    @property
    def rule(self) -> str:
        return f"ethics.{self.subtype}"


def _rank(subtype: str) -> tuple[int, str]:
    order = IMPORTANCE.index(subtype) if subtype in IMPORTANCE else len(IMPORTANCE)
    return order, subtype


def _identity(problem: dict[str, Any], review: str, slots: set[str], path: str) -> str:
    """What tells this problem apart without its line: the slot id when the
    message starts with one, else the message with any line numbers removed
    (and, for a problem outside every review, its file)."""
    head = problem["message"].split(":", 1)[0].strip()
    detail = head if head in slots else _LINE_NUMBER.sub(r"\1 N", problem["message"])
    return "\x1f".join((review, detail if review else f"{path}\x1f{detail}", problem["subtype"]))


def findings(
    report: dict[str, Any], repo_path: Callable[[str], str], fallback_file: str
) -> list[Finding]:
    """Every problem of the report, most important first, with unique fingerprints.

    ``repo_path`` turns a report path (relative to the source folder) into a
    repository-relative one; ``fallback_file`` (conf.py) places a problem
    that has no file, such as a bad configuration value.
    """
    raw: list[tuple[dict[str, Any], str, str, int, str]] = []
    for review in report["reviews"]:
        slots = {slot["id"] for slot in review["slots"]}
        for problem in review["problems"]:
            file = problem["file"] or review["file"]
            line = problem["line"] or (review["line"] if file == review["file"] else 0)
            identity = _identity(problem, review["name"], slots, file)
            raw.append((problem, review["name"], file, line, identity))
    for problem in report["problems"]:
        file = problem["file"] or fallback_file
        raw.append((problem, "", file, problem["line"], _identity(problem, "", set(), file)))
    raw.sort(key=lambda item: (_rank(item[0]["subtype"]), item[2], item[3], item[0]["message"]))
    return [
        Finding(p["subtype"], p["message"], repo_path(file), max(line, 1), review, print_)
        for (p, review, file, line, _), print_ in zip(
            raw, unique_fingerprints(item[4] for item in raw), strict=True
        )
    ]


def unique_fingerprints(identities: Iterable[str]) -> list[str]:
    """A SHA-256 hex digest per identity; one that repeats is salted with a counter."""
    seen: Counter[str] = Counter()
    taken: set[str] = set()
    prints = []
    for identity in identities:
        salt = seen[identity]
        seen[identity] += 1
        while True:
            text = identity if not salt else f"{identity}\x1f{salt}"
            digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
            if digest not in taken:
                break
            salt += 1
        taken.add(digest)
        prints.append(digest)
    return prints


# --------------------------------------------------------------------------
# GitHub workflow commands
# --------------------------------------------------------------------------


def escape_data(text: str) -> str:
    """A command's message, escaped as GitHub's toolkit does (``escapeData``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A command's property value, escaped as GitHub's toolkit does (``escapeProperty``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(items: list[Finding]) -> str:
    """At most :data:`GITHUB_MAX_ERRORS` ``::error`` lines, then a notice of the rest."""
    lines = []
    for item in items[:GITHUB_MAX_ERRORS]:
        props = f"file={escape_property(item.path)},line={item.line}"
        props += f",title={escape_property(item.rule)}"
        lines.append(f"::error {props}::{escape_data(item.message)}")
    more = len(items) - GITHUB_MAX_ERRORS
    if more > 0:
        text = f"{more} more ethics problem{'' if more == 1 else 's'} not annotated here "
        text += "(GitHub shows 10 per step): see the job summary or the log"
        lines.append(f"::notice title=sphinx-ethics::{escape_data(text)}")
    return "".join(line + "\n" for line in lines)


_MARKDOWN_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def markdown_cell(text: str) -> str:
    """Text as one Markdown table cell: every ASCII punctuation character
    backslash-escaped (so ``|`` cannot end the cell and untrusted text makes
    no link, emphasis or HTML), line breaks as ``<br>``."""
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
    return "<br>".join(escaped.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def github_summary(items: list[Finding]) -> str:
    """The full list as Markdown, for ``$GITHUB_STEP_SUMMARY``."""
    count = len(items)
    head = f"### sphinx-ethics: {count} ethics problem{'' if count == 1 else 's'}\n\n"
    if not items:
        return head.replace("0 ethics problems", "no ethics problems")
    rows = ["| File | Line | Problem | Kind |", "| --- | --- | --- | --- |"]
    for item in items:
        cells = (item.path, str(item.line), item.message, item.rule)
        rows.append("| " + " | ".join(markdown_cell(cell) for cell in cells) + " |")
    return head + "\n".join(rows) + "\n\n"


# --------------------------------------------------------------------------
# GitLab Code Quality
# --------------------------------------------------------------------------


def gitlab(items: list[Finding]) -> str:
    """A Code Quality report: a JSON array, one issue per finding."""
    issues = [
        {
            "description": item.message,
            "check_name": item.rule,
            "fingerprint": item.fingerprint,
            "severity": "major",
            "location": {"path": item.path, "lines": {"begin": item.line}},
        }
        for item in items
    ]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------
# SARIF 2.1.0
# --------------------------------------------------------------------------

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LITERAL = re.compile(r"``(.+?)``")


def _plain(text: str) -> str:
    return _LITERAL.sub(r"\1", text)


def sarif_rules() -> list[dict[str, Any]]:
    """One rule per subtype, from the subtype table of :mod:`sphinx_ethics.problems`."""
    rules = []
    for subtype, description in SUBTYPES.items():
        plain = _plain(description)
        markdown = _LITERAL.sub(r"`\1`", description)
        short = plain.split(". ", 1)[0].rstrip(".") + "."
        how = (
            f"Fix the problem at the place shown. A team that accepts this kind of problem "
            f'can add "ethics.{subtype}" to suppress_warnings in conf.py.'
        )
        rules.append(
            {
                "id": f"ethics.{subtype}",
                "name": "".join(part.capitalize() for part in subtype.split("-")),
                "shortDescription": {"text": short},
                "fullDescription": {"text": plain},
                "help": {
                    "text": f"{plain} {how}",
                    "markdown": f"{markdown} {how}",
                },
                "defaultConfiguration": {"level": "error"},
            }
        )
    return rules


def _uri(path: str) -> dict[str, str]:
    if Path(path).is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"}


def sarif(items: list[Finding]) -> str:
    """A SARIF 2.1.0 log with one run: every subtype as a rule, every finding a result."""
    rules = sarif_rules()
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    results = []
    for item in items:
        result: dict[str, Any] = {"ruleId": item.rule}
        if item.rule in index:
            result["ruleIndex"] = index[item.rule]
        result |= {
            "level": "error",
            "message": {"text": item.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _uri(item.path),
                        "region": {"startLine": item.line},
                    }
                }
            ],
            "partialFingerprints": {"sphinxEthics/v1": item.fingerprint},
        }
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "sphinx-ethics",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


WRITERS: dict[str, Callable[[list[Finding]], str]] = {
    "github": github,
    "gitlab": gitlab,
    "sarif": sarif,
}
