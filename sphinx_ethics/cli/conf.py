"""The one way the command line reads a project's ``conf.py``: as Sphinx does.

``new``, ``update`` and ``check`` run the project's conf.py with Sphinx's
own ``eval_config_file`` (imported here, only when a conf.py is read), so
they see the settings the build will see, however conf.py computes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx_ethics.cli.common import CommandError


def project_dir(near: Path) -> Path | None:
    """The directory of the nearest ``conf.py`` at or above ``near``."""
    return next((d for d in [near, *near.parents] if (d / "conf.py").is_file()), None)


def read_conf(conf: Path) -> dict[str, Any]:
    """The names conf.py defines, by running it the way ``sphinx-build`` does."""
    from sphinx import version_info
    from sphinx.config import eval_config_file
    from sphinx.errors import ConfigError
    from sphinx.util.tags import Tags

    path = conf.resolve()
    try:
        # Sphinx 9 takes a Path; Sphinx 8 a str.
        return eval_config_file(path if version_info >= (9,) else str(path), Tags())  # type: ignore[arg-type]
    except ConfigError as err:
        raise CommandError(f"{conf}: {_first_and_last(str(err))}") from None


def _first_and_last(message: str) -> str:
    """A Sphinx error that quotes a traceback, as its first and last lines."""
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if len(lines) > 2 and lines[1].startswith("Traceback"):
        return f"{lines[0]} {lines[-1]}"
    return " ".join(lines)


def ethics_checklists(namespace: dict[str, Any], confdir: Path) -> list[Path]:
    """``ethics_checklists`` from conf.py, relative to its directory."""
    own = namespace.get("ethics_checklists") or []
    if not isinstance(own, list | tuple):
        return []
    return [confdir / name for name in own if isinstance(name, str)]


@dataclass(frozen=True)
class Project:
    """What ``new`` and ``update`` need from the project a page sits in."""

    srcdir: Path | None = None  # None: no conf.py at or above the page
    checklists: list[Path] = field(default_factory=list)
    colon_fence: bool = True  # MyST colon fences enabled (assumed without a conf.py)


def find_project(near: Path) -> Project:
    """The nearest conf.py at or above ``near``, read by :func:`read_conf`."""
    directory = project_dir(near)
    if directory is None:
        return Project()
    namespace = read_conf(directory / "conf.py")
    extensions = namespace.get("myst_enable_extensions") or []
    colon = isinstance(extensions, list | tuple | set) and "colon_fence" in extensions
    return Project(directory, ethics_checklists(namespace, directory), colon)
