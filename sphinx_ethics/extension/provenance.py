"""Where and when a report was made (report schema 3): the header fields.

``generated_at`` follows ``SOURCE_DATE_EPOCH`` when it is set, so a
reproducible build writes a byte-identical report; the commit comes from the
CI's environment, else from ``git rev-parse HEAD``, else it is ``null``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sphinx.errors import NoUri

from sphinx_ethics.version import __version__

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

#: CI variables that hold the commit being built: GitHub, GitLab, Azure Pipelines.
COMMIT_VARIABLES = ("GITHUB_SHA", "CI_COMMIT_SHA", "BUILD_SOURCEVERSION")
COMMIT = re.compile(r"[0-9a-fA-F]{7,64}")


def generated_at(environ: dict[str, str] | None = None) -> str:
    """UTC time as ``YYYY-MM-DDTHH:MM:SSZ``: ``SOURCE_DATE_EPOCH`` if set, else now."""
    environ = os.environ if environ is None else environ  # type: ignore[assignment]
    epoch = (environ or {}).get("SOURCE_DATE_EPOCH", "").strip()
    when = None
    if epoch.isdigit():
        try:
            when = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (OverflowError, OSError, ValueError):
            when = None
    when = when or dt.datetime.now(dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def commit(directory: Path, environ: dict[str, str] | None = None) -> str | None:
    """The commit built: a CI variable, else git's HEAD in ``directory``, else None."""
    environ = os.environ if environ is None else environ  # type: ignore[assignment]
    for name in COMMIT_VARIABLES:
        value = (environ or {}).get(name, "").strip()
        if COMMIT.fullmatch(value):
            return value.lower()
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=directory,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = result.stdout.strip()
    return value.lower() if result.returncode == 0 and COMMIT.fullmatch(value) else None


def source_url(config: Any) -> str | None:
    """``ethics_source_url``, else ``html_baseurl``, when it is an http(s) URL."""
    for name in ("ethics_source_url", "html_baseurl"):
        value = getattr(config, name, None)
        if isinstance(value, str) and value.strip().lower().startswith(("https://", "http://")):
            return value.strip()
    return None


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
