"""Fixtures for the sphinx-ethics test suite.

Test projects live in ``tests/roots/test-<name>/`` and are used through
``sphinx.testing``: ``@pytest.mark.sphinx("html", testroot="<name>")``.
Builds that many tests read are made once per session (``shared_build``), and
whole-process behaviour (exit codes, ``-W``, ``-j 2``, incremental builds) is
checked by running ``python -m sphinx`` in a subprocess (``helpers.sphinx_build``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOTS, Built, build_app, missing

pytest_plugins = ("sphinx.testing.fixtures",)


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOTS


@pytest.fixture(scope="session")
def shared_build(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., Built]]:
    """Build a test root once per session and share the result between tests.

    ``shared_build("review")`` builds ``roots/test-review`` with the HTML
    builder; ``shared_build("review", "text", ethics_today="2026-01-01")``
    uses another builder and configuration overrides.
    """
    cache: dict[str, Built] = {}

    def build(testroot: str, buildername: str = "html", **confoverrides: Any) -> Built:
        key = repr((testroot, buildername, sorted(confoverrides.items())))
        if key not in cache:
            builddir = tmp_path_factory.mktemp(f"{testroot}-{buildername}")
            srcdir = ROOTS / f"test-{testroot}"
            app = build_app(buildername, srcdir, builddir, confoverrides)
            cache[key] = Built(app, srcdir, Path(app.outdir), app.warning.getvalue())
        return cache[key]

    yield build


@pytest.fixture
def latexmk() -> None:
    """LaTeX for the PDF tests: skipped without it, except under CI (it fails there)."""
    if shutil.which("latexmk") is None:
        missing("latexmk (TeX Live) is not installed")
