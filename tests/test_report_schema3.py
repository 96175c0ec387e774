"""Report schema 3: provenance, checklist versions, review addresses; the calendar
beside the report; readers of versions 2, 3 and newer."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from helpers import build_html, sphinx_build, write_project

from sphinx_ethics.programme import provenance
from sphinx_ethics.programme.reading import ReportError, parse, summarise

PAGE = """\
Falls
=====

.. ethics-review:: collaboration
   :name: falls
   :review-by: 2026-10-01

   .. ethics-answer:: collaboration-1

      We met the ward team, the patient panel; and pharmacy.

Sepsis
------

.. ethics-review:: co-production
   :name: sepsis
   :title: Sepsis, screening; ED
   :review-by: 2027-03-01
"""
CONF = """\
extensions = ["sphinx_ethics"]
project = "Ward QI"
ethics_today = "2026-12-07"
ethics_source_url = "https://qi.example.org/ward/"
ethics_signoff_roles = ["Clinical lead"]
"""


def schema() -> dict:
    text = resources.files("sphinx_ethics.schemas").joinpath("report.schema.json").read_text()
    return json.loads(text)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("schema3")
    src = write_project(
        tmp,
        {"wards/falls.rst": PAGE, "index.rst": "Home\n====\n\n.. toctree::\n\n   wards/falls\n"},
        CONF,
    )
    import os

    os.environ.update({"SOURCE_DATE_EPOCH": "1796000000", "GITHUB_SHA": "A" * 40})
    try:
        result = build_html(src, tmp / "html")
    finally:
        del os.environ["SOURCE_DATE_EPOCH"], os.environ["GITHUB_SHA"]
    assert result.returncode == 0, result.stderr
    return tmp / "html"


def test_schema_3_fields(built: Path) -> None:
    report = json.loads((built / "ethics-report.json").read_text("utf-8"))
    jsonschema.validate(report, schema())
    assert report["schema_version"] == 3
    assert report["generated_at"] == "2026-11-30T00:53:20Z"
    assert report["today"] == "2026-12-07"
    assert report["generator"]["name"] == "sphinx-ethics" and report["generator"]["version"]
    assert report["project"] == {
        "name": "Ward QI",
        "source_url": "https://qi.example.org/ward/",
        "commit": "a" * 40,
    }
    assert report["signoff_roles"] == ["Clinical lead"]
    falls, sepsis = report["reviews"]
    assert falls["uri"] == "wards/falls.html#falls-2"
    html = (built / "wards" / "falls.html").read_text("utf-8")
    assert 'id="falls-2"' in html and 'id="sepsis-2"' in html
    assert set(falls["checklist_versions"]) == {"collaboration"}
    assert all(falls["checklist_versions"].values())
    assert sepsis["uri"].startswith("wards/falls.html#")


def test_uri_is_null_without_urls_and_follows_dirhtml(tmp_path: Path) -> None:
    src = write_project(tmp_path, {"index.rst": PAGE}, CONF)
    assert sphinx_build("-q", "-b", "latex", src, tmp_path / "latex").returncode == 0
    report = json.loads((tmp_path / "latex" / "ethics-report.json").read_text("utf-8"))
    assert [r["uri"] for r in report["reviews"]] == [None, None]
    assert sphinx_build("-q", "-b", "dirhtml", src, tmp_path / "dir").returncode == 0
    report = json.loads((tmp_path / "dir" / "ethics-report.json").read_text("utf-8"))
    assert all(r["uri"].startswith("#") for r in report["reviews"])


def test_generated_at_and_commit_sources(tmp_path: Path) -> None:
    assert provenance.generated_at({"SOURCE_DATE_EPOCH": "0"}) == "1970-01-01T00:00:00Z"
    assert provenance.generated_at({"SOURCE_DATE_EPOCH": "soon"}).endswith("Z")
    for name in ("GITHUB_SHA", "CI_COMMIT_SHA", "BUILD_SOURCEVERSION"):
        assert provenance.commit(tmp_path, {name: "ABCDEF1234567"}) == "abcdef1234567"
    assert provenance.commit(tmp_path, {"GITHUB_SHA": "not a sha; rm -rf"}) is None


def test_calendar_beside_the_report(built: Path) -> None:
    icalendar = pytest.importorskip("icalendar")
    raw = (built / "ethics-calendar.ics").read_bytes()
    events = list(icalendar.Calendar.from_ical(raw).walk("VEVENT"))
    assert sorted(str(e["SUMMARY"]) for e in events) == [
        "Ethics review due: Sepsis, screening; ED",
        "OVERDUE: Ethics review due: Falls",
    ]
    sepsis = next(e for e in events if "Sepsis" in str(e["SUMMARY"]))
    assert str(sepsis["SUMMARY"]) == "Ethics review due: Sepsis, screening; ED"
    assert b"SUMMARY:Ethics review due: Sepsis\\, screening\\; ED" in raw
    assert sepsis.decoded("DTSTART").isoformat() == "2027-03-01"
    assert str(sepsis["URL"]).startswith("https://qi.example.org/ward/wards/falls.html#")
    assert sum(1 for e in events if str(e["SUMMARY"]).startswith("OVERDUE: ")) == 1


def test_long_titles_fold_at_75_octets_without_splitting_characters() -> None:
    import datetime as dt

    from sphinx_ethics.programme.calendar import Event, calendar

    title = "Évaluation éthique — " * 10
    text = calendar([Event("k", "2027-01-01", title)], dt.date(2026, 12, 7))
    lines = text.encode("utf-8").split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert all(line.decode("utf-8") is not None for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert f"SUMMARY:{title}" in unfolded


def test_readers_accept_2_and_3_and_the_core_of_a_newer_one() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from programme_server import report

    for version in (2, 3):
        summary, warnings = summarise(report(version))
        assert warnings == [] and summary["schema_version"] == version
    summary, warnings = summarise(report(4, extra=True))
    assert summary["reviews"][0]["required"] == 10
    assert "schema_version 4 is newer" in warnings[0]
    for bad in (
        b"{",
        b"[]",
        b'{"schema_version": 1, "reviews": [], "complete": true}',
        b'{"schema_version": 3, "reviews": [{"complete": true}], "complete": true}',
    ):
        with pytest.raises(ReportError):
            parse(bad)


def test_untrusted_report_text_and_addresses() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from programme_server import report

    data = report(3)
    data["project"]["source_url"] = "javascript:alert(1)"
    data["reviews"][0]["uri"] = "//evil.example/x"
    data["reviews"][0]["title"] = "line\nbreak\x00 and\u2028more"
    summary, _ = summarise(data)
    assert summary["project"]["source_url"] == ""
    assert summary["reviews"][0]["uri"] == ""
    assert summary["reviews"][0]["title"] == "line break and more"
