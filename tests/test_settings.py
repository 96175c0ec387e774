"""The ``ethics_*`` values are read once, at ``config-inited``, into frozen settings.

One warning per wrong value (ours, ``ethics.config``, not Sphinx's as well);
the settings hold through parallel reads and incremental builds.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from helpers import build_app, sphinx_build, warning_lines, write_project

from sphinx_ethics.extension import config as ethics_config

CONF = 'extensions = ["sphinx_ethics"]\nethics_today = "2026-11-01"\n'
PAGE = """Review {n}
========

.. ethics-review:: collaboration
   :name: review-{n}

   .. ethics-answer:: collaboration-1

      Pending
"""


def unanswered_pending(out: Path) -> list[str]:
    report = json.loads((out / "ethics-report.json").read_text("utf-8"))
    return sorted(
        review["name"]
        for review in report["reviews"]
        for slot in review["slots"]
        if slot["id"] == "collaboration-1" and slot["state"] != "answered"
    )


@pytest.mark.parametrize(
    ("setting", "name"),
    [
        ('ethics_checklists = "x.yaml"', "ethics_checklists"),
        ('ethics_placeholder_patterns = "TBD"', "ethics_placeholder_patterns"),
        ('ethics_signoff_roles = "Clinical lead"', "ethics_signoff_roles"),
        ("ethics_review_fields = ['registration']", "ethics_review_fields"),
        ("ethics_today = 5", "ethics_today"),
        ("ethics_junit = 5", "ethics_junit"),
        ("ethics_path_prefix = 5", "ethics_path_prefix"),
        ("ethics_signoff_digest = True", "ethics_signoff_digest"),
    ],
)
def test_a_wrong_type_gives_exactly_one_warning(tmp_path: Path, setting: str, name: str) -> None:
    src = write_project(tmp_path, {"index.rst": PAGE.format(n=1)}, CONF + setting + "\n")
    result = sphinx_build("-b", "html", src, tmp_path / "out")
    about = [w for w in warning_lines(result.stderr) if name in w]
    assert len(about) == 1, about
    assert "[ethics.config]" in about[0]


def test_settings_are_read_once_frozen_and_used(tmp_path: Path, monkeypatch) -> None:
    calls = []
    read = ethics_config.read_settings

    def counting(*args: object) -> ethics_config.Settings:
        calls.append(args)
        return read(*args)

    monkeypatch.setattr(ethics_config, "read_settings", counting)
    conf = CONF + 'ethics_placeholder_patterns = ["Pending"]\nethics_signoff_roles = ["Lead"]\n'
    src = write_project(tmp_path, {"index.rst": PAGE.format(n=1)}, conf)
    app = build_app("html", src, tmp_path / "build")
    assert len(calls) == 1
    found = ethics_config.settings(app.config)
    assert found is ethics_config.settings(app.env.config)
    assert found.placeholders == ("Pending",) and found.signoff_roles == ("Lead",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.placeholders = ()  # type: ignore[misc]
    assert unanswered_pending(Path(app.outdir)) == ["review-1"]


def test_settings_hold_in_parallel_reads(tmp_path: Path) -> None:
    pages = {f"page{n}.rst": PAGE.format(n=n) for n in range(6)}
    pages["index.rst"] = "Index\n=====\n\n.. toctree::\n\n" + "".join(
        f"   page{n}\n" for n in range(6)
    )
    conf = CONF + 'ethics_placeholder_patterns = ["Pending"]\nethics_today = "soon"\n'
    src = write_project(tmp_path, pages, conf)
    result = sphinx_build("-j", "2", "-b", "html", src, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert unanswered_pending(tmp_path / "out") == [f"review-{n}" for n in range(6)]
    assert len([w for w in warning_lines(result.stderr) if "ethics_today" in w]) == 1


def test_a_changed_setting_rebuilds_as_before(tmp_path: Path) -> None:
    src = write_project(tmp_path, {"index.rst": PAGE.format(n=1)}, CONF)
    out = tmp_path / "out"
    sphinx_build("-b", "html", src, out)
    assert unanswered_pending(out) == []
    (src / "conf.py").write_text(CONF + 'ethics_placeholder_patterns = ["Pending"]\n', "utf-8")
    result = sphinx_build("-b", "html", src, out)
    assert unanswered_pending(out) == ["review-1"]
    assert "Not yet answered" in (out / "index.html").read_text("utf-8")
    assert "[ethics.unanswered]" in result.stderr


def test_every_value_checked_here_is_tested_and_documented() -> None:
    """Sphinx does not check these types: each needs our one warning (tested above)
    and the configuration reference must say so."""
    tested = {
        "ethics_checklists",
        "ethics_placeholder_patterns",
        "ethics_signoff_roles",
        "ethics_review_fields",
        "ethics_today",
        "ethics_junit",
        "ethics_path_prefix",
        "ethics_signoff_digest",
    }
    assert set(ethics_config.CHECKED_HERE) == tested
    page = Path(__file__).parent.parent / "docs" / "reference" / "configuration.rst"
    text = " ".join(page.read_text("utf-8").split())
    assert all(f"``{name}``" in text for name in tested)
