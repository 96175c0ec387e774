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
from typing import Any

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
