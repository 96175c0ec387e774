"""The domain's own role and intersphinx: links to another project's questions.

``:ethics:question:`` is the domain's role (so intersphinx's
``:external+name:ethics:question:`` finds it), and a question that another
project's inventory holds is linked there and never ``unknown-question``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import ROOTS, build_html, cli, write_project

PAGE = """\
Links
=====

Theirs, named: :external+yourdocs:ethics:question:`plan-2a`.
Theirs, by the domain role: :ethics:question:`plan-2b`.
Theirs, by the short role: :ethics-question:`plan-3`.
"""


@pytest.fixture(scope="module")
def inventory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``objects.inv`` of a handbook that shows the ``plan`` checklist."""
    out = tmp_path_factory.mktemp("handbook") / "html"
    result = build_html(ROOTS / "test-complete", out, "-W")
    assert result.returncode == 0, result.stderr
    return out / "objects.inv"


def project(tmp_path: Path, inventory: Path, extensions: list[str], page: str = PAGE) -> Path:
    mapping = {"yourdocs": ("https://handbook.example.org/", str(inventory))}
    conf = f"extensions = {extensions!r}\nintersphinx_mapping = {mapping!r}\n"
    conf += "ethics_today = '2026-11-01'\n"
    return write_project(tmp_path, {"index.rst": page}, conf)


@pytest.mark.parametrize(
    "extensions",
    [["sphinx.ext.intersphinx", "sphinx_ethics"], ["sphinx_ethics", "sphinx.ext.intersphinx"]],
    ids=["intersphinx-first", "ethics-first"],
)
def test_links_to_another_projects_questions_resolve_without_warning(
    tmp_path: Path, inventory: Path, extensions: list[str]
) -> None:
    src = project(tmp_path, inventory, extensions)
    result = build_html(src, tmp_path / "html", "-W")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "html" / "index.html").read_text("utf-8")
    links = re.findall(r'href="(https://handbook\.example\.org/[^"]*)"', html)
    assert len(links) == 3, html
    assert all("plan-2" in link or "plan-3" in link for link in links), links
    check = cli("check", src)
    assert "unknown-question" not in check.stdout + check.stderr
    assert "Traceback" not in check.stderr


def test_the_domain_role_still_checks_local_links(tmp_path: Path, inventory: Path) -> None:
    page = "Links\n=====\n\nNowhere: :ethics:question:`plan-99`.\n"
    src = project(tmp_path, inventory, ["sphinx_ethics", "sphinx.ext.intersphinx"], page)
    result = build_html(src, tmp_path / "html")
    assert "ethics.unknown-question" in result.stderr
    assert "plan-99" in result.stderr
