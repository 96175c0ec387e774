"""The package builds, and every file says under which licence it is.

- ``reuse lint`` passes: every file has its copyright and licence
  (``REUSE.toml``), and every licence used has its full text in ``LICENSES/``;
- every file that quotes THIS Institute's guide is marked CC-BY-NC-ND-4.0;
- the CC BY-NC-ND 4.0 text is the whole legal code, not a summary;
- ``python -m build`` makes an sdist and a wheel that pass ``twine check``,
  and the wheel holds the data, schemas, stylesheet, LaTeX package and
  licence files.

The tools (``reuse``, ``build``, ``twine``) come with the ``test`` extra;
without them these tests skip, except under CI, where they fail.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import REPO, missing

GUIDE = REPO / "tests" / "source" / "values-and-ethics.md"
CC = "CC-BY-NC-ND-4.0"
#: A quotation is recognised by the first characters of one of the guide's sentences.
PREFIX = 35


def need(module: str, hint: str) -> None:
    if importlib.util.find_spec(module) is None:
        missing(f"{module} is not installed: {hint}")


def need_checkout() -> list[str]:
    """The tracked files; skips outside a Git checkout (e.g. an unpacked sdist)."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a Git checkout: REUSE checks need the repository")
    listed = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    )
    return listed.stdout.splitlines()


def run(*args: str | Path, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False
    )


def shown(result: subprocess.CompletedProcess[str]) -> str:
    return f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"


def flat(text: str) -> str:
    """Text with markup, typographic quotes and line breaks evened out."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[*`]", "", text)
    return re.sub(r"\s+", " ", text)


def guide_sentences() -> list[str]:
    """The guide's own sentences: from "About this resource" up to the
    further reading (the series blurb and the reading list are not quoted)."""
    text = GUIDE.read_text("utf-8")
    body = text.split("## About this resource", 1)[1].split("## Useful resources", 1)[0]
    sentences = []
    for line in body.splitlines():
        line = flat(line.strip().lstrip("#-").strip())
        for sentence in re.split(r"(?<=[.?!])\s+", line):
            if len(sentence) >= PREFIX and "http" not in sentence:
                sentences.append(sentence[:PREFIX])
    return sentences


# --------------------------------------------------------------------------
# Licences
# --------------------------------------------------------------------------


def test_reuse_lint() -> None:
    need_checkout()
    need("reuse", 'pip install -e ".[test]"')
    result = run(sys.executable, "-m", "reuse", "lint")
    assert result.returncode == 0, shown(result)


def test_files_quoting_the_guide_are_marked_cc_by_nc_nd() -> None:
    tracked = need_checkout()
    need("reuse", 'pip install -e ".[test]"')
    result = run(sys.executable, "-m", "reuse", "lint", "--json")
    licences = {
        entry["path"]: " ".join(e["value"] for e in entry["spdx_expressions"])
        for entry in json.loads(result.stdout)["files"]
    }
    sentences = guide_sentences()
    assert len(sentences) > 50
    unmarked = []
    for name in tracked:
        if name not in licences:  # LICENSE and LICENSES/: not annotated
            continue
        try:
            text = flat((REPO / name).read_text("utf-8"))
        except (UnicodeDecodeError, FileNotFoundError):
            continue
        quoted = [s for s in sentences if s in text]
        if quoted and CC not in licences[name]:
            unmarked.append(f"{name} ({licences[name]}) quotes {quoted[0]!r}...")
    assert not unmarked, "mark these CC-BY-NC-ND-4.0 in REUSE.toml:\n" + "\n".join(unmarked)


def test_cc_licence_text_is_the_whole_legal_code() -> None:
    text = (REPO / "LICENSES" / f"{CC}.txt").read_text("utf-8")
    assert text.startswith(
        "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International"
    )
    headings = re.findall(r"^Section (\d) – ", text, re.M)
    assert headings == [str(n) for n in range(1, 9)]
    assert "Sections 1, 5, 6, 7, and 8 survive termination" in text
    assert text.rstrip().endswith("Creative Commons may be contacted at creativecommons.org.")


def test_mit_text_is_in_licence_files() -> None:
    mit = (REPO / "LICENSES" / "MIT.txt").read_text("utf-8")
    assert mit.startswith("MIT License")
    filled = mit.replace("<year> <copyright holders>", "2026 sphinx-ethics developers")
    assert filled in (REPO / "LICENSE").read_text("utf-8")


# --------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------

PACKAGE_DATA = (
    "sphinx_ethics/checklists/this-values-and-ethics.yaml",
    "sphinx_ethics/checklists/checklist.schema.json",
    "sphinx_ethics/schemas/report.schema.json",
    "sphinx_ethics/static/sphinx-ethics.css",
    "sphinx_ethics/texinputs/sphinxethics.sty",
    "sphinx_ethics/form/form.html",
    "sphinx_ethics/form/form.css",
    "sphinx_ethics/form/form.js",
    "sphinx_ethics/locale/sphinx_ethics.pot",
)
LICENCE_FILES = ("LICENSE", f"LICENSES/{CC}.txt", "LICENSES/MIT.txt")


def test_sdist_and_wheel_build_and_pass_twine_check(tmp_path: Path) -> None:
    need("build", 'pip install -e ".[test]"')
    need("twine", 'pip install -e ".[test]"')
    # Build from a copy, so the checkout gets no build/ or egg-info.
    source = tmp_path / "src"
    ignore = shutil.ignore_patterns(
        ".git", ".venv*", "build", "dist", "_build", "*.egg-info", "node_modules", "__pycache__"
    )
    shutil.copytree(REPO, source, ignore=ignore)
    dist = tmp_path / "dist"
    built = run(sys.executable, "-m", "build", "--outdir", dist, source, cwd=tmp_path)
    assert built.returncode == 0, shown(built)
    wheels = sorted(dist.glob("*.whl"))
    sdists = sorted(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, sorted(p.name for p in dist.iterdir())

    checked = run(sys.executable, "-m", "twine", "check", "--strict", *wheels, *sdists)
    assert checked.returncode == 0, shown(checked)

    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        meta = wheel.read(metadata).decode("utf-8")
    for data in PACKAGE_DATA:
        assert data in names, f"{data} is not in the wheel"
    info = metadata.rsplit("/", 1)[0]
    for licence in LICENCE_FILES:
        assert f"{info}/licenses/{licence}" in names, f"{licence} is not in the wheel"
        assert f"License-File: {licence}" in meta
    assert f"License-Expression: MIT AND {CC}" in meta


def test_release_workflow_builds_checks_and_publishes_with_trusted_publishing() -> None:
    import yaml

    workflow = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text("utf-8"))
    assert workflow[True] == {"release": {"types": ["published"]}}  # YAML's "on:"
    build = " ".join(str(step.get("run", "")) for step in workflow["jobs"]["build"]["steps"])
    for command in ("reuse lint", "python -m build", "twine check --strict dist/*"):
        assert command in build
    publish = workflow["jobs"]["publish"]
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}
    uses = [str(step.get("uses", "")) for step in publish["steps"]]
    assert "pypa/gh-action-pypi-publish@release/v1" in uses
    assert not any("password" in step.get("with", {}) for step in publish["steps"])
