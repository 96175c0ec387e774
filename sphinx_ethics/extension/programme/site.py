"""What a programme needs from each project's build: report schema 3's header,
each review's site address, and ``ethics-calendar.ics`` beside the report.

The header's ``generated_at`` follows ``SOURCE_DATE_EPOCH`` (reproducible
reports); the commit comes from the CI's environment, else git.  The
calendar has one all-day event per review with a ``:review-by:`` (overdue
ones flagged), so a team can subscribe to the published file;
:func:`sphinx_ethics.extension.reports.write_reports` writes it beside the
report (``ethics_report``), with the same safe writer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.errors import NoUri

from sphinx_ethics.answers.slots import parse_date, today
from sphinx_ethics.extension.config import today_setting
from sphinx_ethics.extension.domain import EthicsDomain
from sphinx_ethics.programme.calendar import calendar, review_event
from sphinx_ethics.programme.provenance import commit, generated_at, source_url
from sphinx_ethics.programme.view import link
from sphinx_ethics.version import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder


CALENDAR_NAME = "ethics-calendar.ics"


def header(app: Sphinx, when: dt.date) -> dict[str, Any]:
    """The schema-3 fields that describe the build rather than the reviews."""
    project = app.config.project
    return {
        "generated_at": generated_at(),
        "today": when.isoformat(),
        "generator": {"name": "sphinx-ethics", "version": __version__},
        "project": {
            "name": project if isinstance(project, str) else "",
            "source_url": source_url(app.config),
            "commit": commit(Path(app.srcdir)),
        },
    }


#: Builders whose pages are files under one site root, addressed by URI.
SITE_BUILDERS = frozenset({"html", "dirhtml", "epub"})


def review_uri(builder: Builder, docname: str, anchor: str) -> str | None:
    """The review's address relative to the site root, or None (no URIs: latex, check)."""
    if builder.name not in SITE_BUILDERS:
        return None
    try:
        uri = builder.get_target_uri(docname)
    except NoUri:
        return None
    return f"{uri}#{anchor}" if anchor else uri


def calendar_text(app: Sphinx) -> str | None:
    """The calendar, or None when no review has a review-by date."""
    when = today(today_setting(app.config))
    site = source_url(app.config) or ""
    project = app.config.project if isinstance(app.config.project, str) else ""
    events = [
        review_event(
            review.name,
            review.title,
            review.review_by,
            when,
            link(site, review_uri(app.builder, review.docname, review.anchor) or ""),
        )
        for review in EthicsDomain.get(app.env).all_reviews()
        if parse_date(review.review_by)
    ]
    if not events:
        return None
    return calendar(events, when, f"{project}: ethics reviews" if project else "Ethics reviews")
