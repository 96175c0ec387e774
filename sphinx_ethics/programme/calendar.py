"""``ethics-calendar.ics``: one all-day event per review-by date (RFC 5545).

Lines end in CRLF and are folded at 75 octets (never inside a UTF-8
character); text escapes backslash, comma, semicolon and newlines.  UIDs
are stable (a hash of project, review and date), so a subscribed calendar
updates an event instead of adding a second one; ``DTSTAMP`` is the build's
date, so two builds on one day write the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from sphinx_ethics.version import __version__


@dataclass(frozen=True)
class Event:
    key: str  # what makes the UID: project and review
    date: str  # YYYY-MM-DD
    summary: str
    description: str = ""
    url: str = ""


def escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into 75-octet pieces, each next one starting with a space."""
    data = line.encode("utf-8")
    pieces, start, limit = [], 0, 75
    while len(data) - start > limit:
        end = start + limit
        while end > start and (data[end] & 0xC0) == 0x80:  # inside a character
            end -= 1
        pieces.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # the leading space takes one octet
    pieces.append(data[start:].decode("utf-8"))
    return "\r\n ".join(pieces)


def uid(key: str, date: str) -> str:
    digest = hashlib.sha256(f"{key}\n{date}".encode()).hexdigest()[:32]
    return f"{digest}@sphinx-ethics"


def calendar(events: Iterable[Event], when: dt.date, name: str = "Ethics reviews") -> str:
    """The whole ``.ics`` text; ``when`` is the build's date (DTSTAMP)."""
    stamp = when.strftime("%Y%m%dT000000Z")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//sphinx-ethics//sphinx-ethics {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for event in sorted(events, key=lambda e: (e.date, e.key)):
        day = dt.date.fromisoformat(event.date)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid(event.key, event.date)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(day + dt.timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{escape(event.summary)}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape(event.description)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        lines += ["TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def review_event(
    key: str, title: str, date: str, when: dt.date, url: str = "", project: str = ""
) -> Event:
    """A review-by date; one already past is flagged OVERDUE in its summary."""
    overdue = date < when.isoformat()
    what = f"{project}: {title}" if project else title
    summary = f"{'OVERDUE: ' if overdue else ''}Ethics review due: {what}"
    description = f"Review {title!s} is due for review by {date}."
    return Event(key=key, date=date, summary=summary, description=description, url=url)
