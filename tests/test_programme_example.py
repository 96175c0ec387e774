"""The example programme in ``examples/programme``: collect, then build, as its comment says."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from helpers import REPO, build_html, cli, warning_lines


def test_example_programme(tmp_path: Path) -> None:
    example = tmp_path / "programme"
    shutil.copytree(REPO / "examples" / "programme", example)
    collect = cli("programme", "collect", "programme.toml", "-o", "docs/snapshots/", cwd=example)
    assert collect.returncode == 1, collect.stderr  # one project is unreachable
    assert "4 projects collected into docs/snapshots: 3 fresh, 1 missing" in collect.stdout
    result = build_html(example / "docs", tmp_path / "html")
    assert result.returncode == 0, result.stderr
    warnings = warning_lines(result.stderr)
    assert [w.split("WARNING: ")[1] for w in warnings] == [
        "nutrition: report missing: http://127.0.0.1:9/ethics-report.json: Connection refused "
        "[ethics.programme-source]"
    ]
    data = json.loads((tmp_path / "html" / "ethics-programme.json").read_text("utf-8"))
    assert data["headline"] == (
        "1 of 4 projects complete and in date; 1 overdue; 1 referral open; 0 reports stale; "
        "1 report missing or invalid."
    )
    assert [p["status"] for p in data["projects"]] == [
        "complete",
        "overdue",
        "incomplete",
        "no data",
    ]
