"""Reading an ``ethics-report.json`` of any schema version into a project summary.

Versions 2 and 3 are read whole; a newer one's core fields are read, with a
warning, so a project that upgrades sphinx-ethics first never breaks the
programme page.  Everything is untrusted: text is cleaned of control
characters and cut to a length, dates must be ISO dates, numbers must be
numbers.  A summary is plain JSON (it is kept in a doctree node).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

READ_VERSIONS = (2, 3)
APPROVING = ("approved", "approved-with-conditions")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ReportError(Exception):
    """Not a report this version can read (``invalid``)."""


def text(value: Any, limit: int = 200) -> str:
    """One line of plain text from untrusted data."""
    if not isinstance(value, str):
        return ""
    cleaned = " ".join(CONTROL.sub(" ", value).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def iso_date(value: Any) -> str:
    """``YYYY-MM-DD`` if ``value`` starts with a real date, else ""."""
    if not isinstance(value, str) or not DATE.match(value):
        return ""
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return ""


def _count(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ReportError(f"{what} is not a count")
    return value


def parse(data: bytes) -> tuple[dict[str, Any], list[str]]:
    """Bytes of a report -> (summary, warnings); :class:`ReportError` if unreadable."""
    try:
        report = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ReportError(f"not JSON: {err}") from None
    return summarise(report)


def summarise(report: Any) -> tuple[dict[str, Any], list[str]]:
    """The fields a programme shows, from a report dict of any version."""
    if not isinstance(report, dict):
        raise ReportError("not a JSON object")
    version = report.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < min(READ_VERSIONS):
        raise ReportError(f"schema_version {version!r} is not one this version reads (2, 3)")
    warnings = []
    if version > max(READ_VERSIONS):
        warnings.append(
            f"report schema_version {version} is newer than this sphinx-ethics reads "
            f"({max(READ_VERSIONS)}); its core fields are read (upgrade sphinx-ethics)"
        )
    reviews = report.get("reviews")
    if not isinstance(reviews, list) or not isinstance(report.get("complete"), bool):
        raise ReportError("no 'reviews' list or 'complete' verdict")
    roles = [text(r) for r in report.get("signoff_roles", []) or [] if text(r)]
    project = report.get("project") if isinstance(report.get("project"), dict) else {}
    problems = report.get("problems")
    return {
        "schema_version": version,
        "generated_at": _timestamp(report.get("generated_at")),
        "complete": report["complete"],
        "project": {
            "name": text(project.get("name")),
            "source_url": web_url(project.get("source_url")),
            "commit": text(project.get("commit"), 64),
        },
        "problems": len(problems) if isinstance(problems, list) else 0,
        "reviews": [_review(r, index, roles) for index, r in enumerate(reviews)],
    }, warnings


def _timestamp(value: Any) -> str:
    if not iso_date(value):
        return ""
    return text(value, 40)


def _review(review: Any, index: int, roles: list[str]) -> dict[str, Any]:
    if not isinstance(review, dict):
        raise ReportError(f"reviews[{index}] is not an object")
    metadata = review.get("metadata") if isinstance(review.get("metadata"), dict) else {}
    if not isinstance(review.get("complete"), bool):
        raise ReportError(f"reviews[{index}] has no 'complete' verdict")
    required = _count(review.get("required"), f"reviews[{index}].required")
    answered = _count(review.get("answered"), f"reviews[{index}].answered")
    referrals = review.get("referrals") if isinstance(review.get("referrals"), list) else []
    signoffs = review.get("signoffs") if isinstance(review.get("signoffs"), list) else []
    uri = review.get("uri")
    return {
        "name": text(review.get("name"), 100),
        "title": text(review.get("title")) or text(review.get("name"), 100),
        "required": required,
        "answered": min(answered, required),
        "complete": review["complete"] and answered >= required,
        "status": text(metadata.get("status"), 40),
        "review_by": iso_date(metadata.get("review_by")),
        "uri": text(uri, 500) if isinstance(uri, str) and _relative(uri) else "",
        "open_referrals": [
            text(r.get("to"), 100) for r in referrals if isinstance(r, dict) and r.get("open")
        ],
        "missing_signoffs": _missing(signoffs, roles),
    }


def _missing(signoffs: list[Any], roles: list[str]) -> list[str]:
    """Roles whose latest sign-off (in page order) does not approve."""
    latest: dict[str, str] = {}
    for signoff in signoffs:
        if isinstance(signoff, dict) and isinstance(signoff.get("role"), str):
            latest[" ".join(signoff["role"].split()).casefold()] = str(signoff.get("decision"))
    return [r for r in roles if latest.get(" ".join(r.split()).casefold()) not in APPROVING]


def _relative(uri: str) -> bool:
    """A site-relative address: no scheme, no host, no backslash tricks."""
    return (
        bool(uri)
        and ":" not in uri.split("#", 1)[0].split("/", 1)[0]
        and not uri.startswith(("/", "\\"))
    )


def web_url(value: Any) -> str:
    """``value`` if it is an http(s) URL with a host (the only links made), else ""."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if CONTROL.search(value) or " " in value:
        return ""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    return value if parts.scheme.lower() in ("http", "https") and parts.hostname else ""
