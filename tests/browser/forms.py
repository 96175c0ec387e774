"""The answer form in a browser: what ``test_form_browser`` and ``test_form_yaml`` share.

A headless Chromium (skipped without one, failing under CI, as every browser
test) and the form that ``sphinx-ethics form plan co-production`` writes.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from browser.cdp import Chromium
from helpers import missing

CHECKLISTS = ("plan", "co-production")


@contextlib.contextmanager
def chromium(tmp: Path) -> Iterator[Chromium]:
    """A fresh headless Chromium with its profile in ``tmp``."""
    executable = (
        os.environ.get("SPHINX_ETHICS_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not executable:
        missing("no Chromium: apt-get install chromium")
    with Chromium(executable, tmp / "profile") as browser:
        yield browser


def write_form(path: Path, title: str = "") -> Path:
    """The form for plan and co-production, as the command writes it."""
    args = [sys.executable, "-m", "sphinx_ethics", "form", *CHECKLISTS, "-o", str(path)]
    result = subprocess.run([*args, "--title", title] if title else args, capture_output=True)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    return path
