"""Paths as CI shows them: relative to the repository root, not to the docs folder.

CI services place an annotation on a pull request by a path relative to the
repository (``docs/ethics-review.rst``), while the report's paths are
relative to the Sphinx source folder (``ethics-review.rst``). The root comes
from ``git rev-parse --show-toplevel``, run in the source folder; when git is
missing or the folder is not in a work tree, a prefix given by the user
(``--path-prefix``, ``ethics_path_prefix``) is put before the source-relative
paths instead. Both the CLI and the build use this module, so the JUnit file
and the annotations name the same paths. No Sphinx here.
"""

from __future__ import annotations

import os
import posixpath
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: Seconds to wait for git; a hung git must not hang the build.
GIT_TIMEOUT = 10


def git_toplevel(folder: Path) -> Path | None:
    """The root of the git work tree ``folder`` is in, or None (no git, no work tree)."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=folder,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=GIT_TIMEOUT,
            check=False,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"},
        )
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    top = result.stdout.strip()
    if result.returncode != 0 or not top:
        return None
    return Path(top).resolve()


def clean_prefix(prefix: str) -> str:
    """``docs``, ``./docs/`` and ``docs\\`` all become ``docs/``; ``""`` and ``.`` stay empty."""
    parts = [p for p in prefix.replace("\\", "/").split("/") if p not in ("", ".")]
    return "/".join(parts) + "/" if parts else ""


@dataclass(frozen=True)
class RepoPaths:
    """Turns a report path (relative to the source folder) into the path CI wants.

    ``root`` is the repository root when it is known; otherwise ``prefix`` is
    put before relative paths. An absolute path outside the root stays as it is.
    """

    srcdir: Path
    root: Path | None = None
    prefix: str = ""

    @classmethod
    def find(cls, srcdir: Path, prefix: str | None = None) -> RepoPaths:
        """An explicit ``prefix`` wins; else the git root; else source-relative paths."""
        srcdir = Path(srcdir).resolve()
        if prefix is not None:
            return cls(srcdir, None, clean_prefix(prefix))
        return cls(srcdir, git_toplevel(srcdir), "")

    @property
    def how(self) -> str:
        """Where the paths are relative to, in words (for the human summary)."""
        if self.root is not None:
            return f"relative to the git work tree {self.root}"
        if self.prefix:
            return f"relative to the source folder, after the prefix {self.prefix!r}"
        return (
            f"relative to the source folder {self.srcdir} (no git work tree found; "
            "give --path-prefix to place them in the repository)"
        )

    def __call__(self, path: str) -> str:
        if not path:
            return ""
        given = Path(path)
        if self.root is not None:
            full = given if given.is_absolute() else self.srcdir / given
            try:
                return Path(os.path.normpath(full)).relative_to(self.root).as_posix()
            except ValueError:
                return given.as_posix()
        if given.is_absolute():
            return given.as_posix()
        return posixpath.normpath(self.prefix + given.as_posix())
