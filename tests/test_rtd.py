"""The Read the Docs how-to works as written (issue 26).

``docs/howto/read-the-docs.rst`` is read, not copied: its ``.readthedocs.yaml``,
``docs/requirements.txt`` and ``conf.py`` lines and its console commands are
taken from the page and run on a copy of ``examples/falls-prevention`` laid
out as the page assumes (``docs/conf.py``).  HTML, EPUB and PDF must build
with ``-W``; an unfinished review must fail the same command; and the
``READTHEDOCS`` switch must keep the reports off the site.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from helpers import EXAMPLE, REPO, ROOTS, no_crash

HOWTO = REPO / "docs" / "howto" / "read-the-docs.rst"


def code_blocks() -> dict[str, str]:
    """``{caption or language: text}`` of each code block on the page."""
    text = HOWTO.read_text("utf-8")
    blocks = {}
    pattern = r"^\.\. code-block:: (\w+)\n((?:   :[^\n]*\n)*)\n((?:   [^\n]*\n|\n)+)"
    for language, options, body in re.findall(pattern, text, flags=re.M):
        caption = re.search(r":caption: (.+)", options)
        lines = [line.removeprefix("   ") for line in body.splitlines()]
        blocks[caption.group(1) if caption else language] = "\n".join(lines).strip() + "\n"
    return blocks


def project(tmp_path: Path, source: Path = EXAMPLE) -> Path:
    """A repository as the page assumes it: the config at the top, docs/ below."""
    repo = tmp_path / "repo"
    shutil.copytree(source, repo / "docs", ignore=shutil.ignore_patterns("_build", "snapshots"))
    blocks = code_blocks()
    (repo / ".readthedocs.yaml").write_text(blocks[".readthedocs.yaml"], "utf-8")
    (repo / "docs" / "requirements.txt").write_text(blocks["docs/requirements.txt"], "utf-8")
    return repo


def commands(builders: tuple[str, ...] = ("html", "epub", "latex")) -> list[str]:
    """The page's console commands for ``builders`` (not pip: the suite has installed)."""
    lines = [line.removeprefix("$ ") for line in code_blocks()["console"].splitlines()]
    chosen = []
    for line in lines:
        if line.startswith("pip "):
            continue
        builder = re.search(r" -b (\w+) ", line)
        if builder and builder.group(1) not in builders:
            continue
        if "latexmk" in line and "latex" not in builders:
            continue
        chosen.append(re.sub(r"^python ", f"{sys.executable} ", line))
    return chosen


def run(repo: Path, lines: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    script = "set -e\n" + "\n".join(lines)
    environ = {**os.environ, "NO_COLOR": "1", **env}
    result = subprocess.run(
        ["bash", "-c", script],
        cwd=repo,
        capture_output=True,
        text=True,
        env=environ,
        timeout=900,
        check=False,
    )
    no_crash(result)
    return result


def test_the_config_says_what_the_page_says(tmp_path):
    repo = project(tmp_path)
    config = yaml.safe_load((repo / ".readthedocs.yaml").read_text("utf-8"))
    assert config["version"] == 2
    assert (repo / config["sphinx"]["configuration"]).is_file()
    assert config["sphinx"]["fail_on_warning"] is True
    assert set(config["formats"]) == {"pdf", "epub"}
    (requirements,) = config["python"]["install"]
    packages = (repo / requirements["requirements"]).read_text("utf-8").split()
    assert "sphinx-ethics" in packages
    for package in packages:  # installed here, so the commands below use them
        importlib.metadata.version(package)


def test_the_commands_build_html_epub_and_pdf(tmp_path, latexmk):
    repo = project(tmp_path)
    result = run(repo, commands())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = repo / "docs" / "_readthedocs"
    assert (out / "html" / "index.html").is_file()
    assert len(list((out / "epub").glob("*.epub"))) == 1
    assert len(list((out / "pdf").glob("*.pdf"))) == 1


def test_an_unfinished_review_fails_the_build(tmp_path):
    repo = project(tmp_path, ROOTS / "test-browser-incomplete")
    result = run(repo, commands(("html",)))
    assert result.returncode != 0
    assert "falls-draft" in result.stderr


def test_the_switch_keeps_the_reports_off_the_site(tmp_path):
    repo = project(tmp_path)
    conf = repo / "docs" / "conf.py"
    conf.write_text(conf.read_text("utf-8") + "\n" + code_blocks()["docs/conf.py"], "utf-8")
    html = repo / "docs" / "_readthedocs" / "html"
    reports = ("ethics-report.json", "ethics-calendar.ics", "ethics-junit.xml")

    result = run(repo, commands(("html",)))  # CI: no READTHEDOCS
    assert result.returncode == 0, result.stderr[-3000:]
    assert all((html / name).is_file() for name in reports)

    shutil.rmtree(repo / "docs" / "_readthedocs")
    shutil.rmtree(repo / "docs" / "_build")
    result = run(repo, commands(("html",)), READTHEDOCS="True")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (html / "index.html").is_file()
    assert not any((html / name).exists() for name in reports)
