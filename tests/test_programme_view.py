"""``.. ethics-programme::``: the page, its files, its chart and calendar, from snapshots."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import build_html, sphinx_build, warning_lines
from hypothesis import given, settings
from hypothesis import strategies as st
from programme_server import report, serve

from sphinx_ethics.programme import view
from sphinx_ethics.programme.config import load_programme
from sphinx_ethics.programme.store import collect

CONF = 'extensions = ["sphinx_ethics"]\nethics_today = "2026-12-07"\nproject = "Board"\n'
PAGE = "Programme\n=========\n\n.. ethics-programme:: snapshots/\n"


def snapshots(tmp_path: Path, epoch: str = "1796300000") -> Path:
    """Five projects in five states, collected from a loopback server."""
    routes = {
        "/done.json": report(3, generated_at="2026-12-01T09:00:00Z"),
        "/late.json": report(3, review_by="2026-11-01", referral=True),
        "/draft.json": report(3, complete=False, missing_role=True),
        "/old.json": report(3, generated_at="2026-09-01T09:00:00Z"),
        "/evil.json": report(2, name="=cmd|' /C calc'!A0"),
    }
    src = tmp_path / "src"
    src.mkdir(parents=True, exist_ok=True)
    projects = [
        ("done", "Falls prevention", "/done.json", "https://qi.example.org/falls/"),
        ("late", "Sepsis", "/late.json", "https://qi.example.org/sepsis/"),
        ("draft", "Discharge <b>letters</b>", "/draft.json", "javascript:alert(1)"),
        ("old", "Nutrition", "/old.json", ""),
        ("evil", '=HYPERLINK("http://x")', "/evil.json", ""),
        ("gone", "Pressure ulcers", "/404.json", ""),
    ]
    with serve(routes) as (url, _):
        lines = ["[settings]\ntimeout = 1\nretries = 0\n"]
        for key, title, path, base in projects:
            lines.append(f"[[projects]]\nkey = {key!r}\ntitle = {json.dumps(title)}\n")
            lines.append(f"report = ['{url}{path}']\nmax_age_days = 30\n")
            if base.startswith("http"):
                lines.append(f"base_url = {base!r}\n")
        (tmp_path / "programme.toml").write_text("".join(lines), "utf-8")
        import os

        os.environ["SOURCE_DATE_EPOCH"] = epoch
        try:
            collect(load_programme(tmp_path / "programme.toml"), src / "snapshots")
        finally:
            del os.environ["SOURCE_DATE_EPOCH"]
    (src / "conf.py").write_text(CONF, "utf-8")
    (src / "index.rst").write_text(PAGE, "utf-8")
    return src


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    base = tmp_path_factory.mktemp("programme-view")
    src = snapshots(base)
    result = build_html(src, base / "html")
    assert result.returncode == 0, result.stderr
    return src, base / "html", result.stderr


def test_headline_rows_and_states(built) -> None:
    _src, out, _ = built
    page = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    headline = page.select_one(".ethics-programme-headline").get_text()
    assert headline == (
        "3 of 6 projects complete and in date; 1 overdue; 1 referral open; "
        "1 report stale; 1 report missing or invalid."
    )
    rows = page.select("table.ethics-programme-table tbody tr")
    cells = {r.find("td").get_text(" ", strip=True).split(" ")[0]: r for r in rows}
    assert len(rows) == 6
    states = [r.find_all("td")[-1].get_text(strip=True) for r in rows]
    assert states == ["fresh", "fresh", "fresh", "stale", "fresh", "missing"]
    late = cells["Sepsis"].find_all("td")
    assert late[2].get_text(strip=True) == "overdue"
    assert late[4].get_text(strip=True) == "R&D office"
    draft = rows[2].find_all("td")
    assert draft[5].get_text(strip=True) == "Clinical lead"
    # untrusted text stays text; only http(s) links are made
    assert "<b>letters</b>" in rows[2].find("td").get_text()
    assert not page.select('a[href^="javascript"]')
    links = [a["href"] for a in rows[1].select("a")]
    assert links == [
        "https://qi.example.org/sepsis/",
        "https://qi.example.org/sepsis/ethics.html#main",
    ]


def test_warnings_for_sources_and_stale_reports(built) -> None:
    _src, _out, stderr = built
    warnings = warning_lines(stderr)
    assert all("[ethics.programme-" in w for w in warnings), warnings  # nothing else
    assert any(
        "gone: report missing" in w and w.endswith("[ethics.programme-source]") for w in warnings
    ), warnings
    assert any(
        "old: report is 97 days old, more than its max_age_days (30)" in w
        and w.endswith("[ethics.programme-stale]")
        for w in warnings
    ), warnings


def test_csv_and_json_beside_the_page_say_the_same(built) -> None:
    _src, out, _ = built
    rows = list(csv.DictReader(io.StringIO((out / "ethics-programme.csv").read_text("utf-8"))))
    data = json.loads((out / "ethics-programme.json").read_text("utf-8"))
    assert [r["key"] for r in rows] == [p["key"] for p in data["projects"]]
    assert data["totals"]["projects"] == 6 and data["totals"]["overdue"] == 1
    evil = next(r for r in rows if r["key"] == "evil")
    assert evil["title"].startswith("'=")  # no spreadsheet formula
    for row in rows:
        assert all(not v or v[0] not in "=+-@" for v in row.values()), row


def test_chart_numbers_equal_its_table(built) -> None:
    _src, out, _ = built
    page = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    svg = page.select_one("svg.ethics-programme-chart")
    assert svg["role"] == "img" and svg.find("title") and svg.find("desc")
    points = [
        (g["data-date"], g["data-projects"], g["data-complete"], g["data-overdue"])
        for g in svg.select("g.ethics-chart-point")
    ]
    table = [
        tuple(td.get_text(strip=True) for td in tr.find_all("td"))
        for tr in page.select("table.ethics-programme-history tbody tr")
    ]
    assert points == table and points == [("2026-12-03", "5", "3", "1")]


def test_calendar_is_valid_icalendar(built) -> None:
    icalendar = pytest.importorskip("icalendar")
    _src, out, _ = built
    raw = (out / "ethics-calendar.ics").read_bytes()
    assert b"\r\n" in raw and all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 5
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert summaries[0].startswith("Ethics review due: ")
    assert [s for s in summaries if s.startswith("OVERDUE")] == [
        "OVERDUE: Ethics review due: Sepsis: Ethics review main"
    ]
    assert all(isinstance(e.decoded("DTSTART"), dt.date) for e in events)
    assert len({str(e["UID"]) for e in events}) == 5


def test_two_builds_give_identical_bytes(built, tmp_path: Path) -> None:
    src, out, _ = built
    again = tmp_path / "again"
    assert build_html(src, again, "-E").returncode == 0
    for name in (
        "index.html",
        "ethics-programme.csv",
        "ethics-programme.json",
        "ethics-calendar.ics",
    ):
        assert (again / name).read_bytes() == (out / name).read_bytes(), name


def test_a_changed_snapshot_rereads_the_page(tmp_path: Path) -> None:
    src = snapshots(tmp_path)
    out = tmp_path / "html"
    assert build_html(src, out).returncode == 0
    index = src / "snapshots" / "programme.json"
    data = json.loads(index.read_text("utf-8"))
    data["projects"] = data["projects"][:1]
    index.write_text(json.dumps(data), "utf-8")
    assert build_html(src, out).returncode == 0
    text = (out / "index.html").read_text("utf-8")
    assert "1 of 1 project complete and in date" in re.sub(r"\s+", " ", text)


def test_missing_folder_is_a_warning_and_latex_shows_the_table(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF, "utf-8")
    (src / "index.rst").write_text(PAGE.replace("snapshots/", "/nowhere/"), "utf-8")
    result = sphinx_build("-b", "latex", src, tmp_path / "latex")
    assert result.returncode == 0, result.stderr
    assert any(
        "no snapshots in" in w and "[ethics.programme-source]" in w
        for w in warning_lines(result.stderr)
    )
    src2 = snapshots(tmp_path / "two")
    result = sphinx_build("-b", "latex", src2, tmp_path / "latex2")
    assert result.returncode == 0, result.stderr
    tex = next((tmp_path / "latex2").glob("*.tex")).read_text("utf-8")
    assert "Falls prevention" in tex and "<svg" not in tex


@st.composite
def project(draw):
    reviews = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.text(min_size=1, max_size=5),
                    "title": st.text(max_size=5),
                    "required": st.integers(0, 20),
                    "answered": st.integers(0, 20),
                    "complete": st.booleans(),
                    "status": st.sampled_from(["draft", "approved", ""]),
                    "review_by": st.sampled_from(["", "2026-01-01", "2027-01-01"]),
                    "uri": st.just(""),
                    "open_referrals": st.lists(st.sampled_from(["R&D", "Caldicott"]), max_size=2),
                    "missing_signoffs": st.lists(st.sampled_from(["Lead"]), max_size=1),
                }
            ),
            max_size=3,
        )
    )
    summary = {"complete": draw(st.booleans()), "reviews": reviews, "project": {}}
    return {
        "key": "k",
        "title": "T",
        "owner": "",
        "base_url": "",
        "max_age_days": draw(st.integers(1, 60)),
        "state": draw(st.sampled_from(["fresh", "cached", "missing", "invalid"])),
        "fetched_at": "2026-11-01T00:00:00Z",
        "generated_at": draw(st.sampled_from(["", "2026-10-01T00:00:00Z"])),
        "summary": draw(st.one_of(st.none(), st.just(summary))),
    }


@settings(max_examples=60, deadline=None)
@given(st.lists(project(), max_size=8))
def test_programme_totals_are_the_sum_of_the_projects(projects) -> None:
    when = dt.date(2026, 12, 7)
    table = view.rows({"projects": projects, "history": []}, when)
    total = view.totals(table)
    assert total["projects"] == len(projects)
    assert total["required"] == sum(
        r["required"] for p in projects if p["summary"] for r in p["summary"]["reviews"]
    )
    assert total["answered"] == sum(r["answered"] for r in table)
    assert total["referrals_open"] == sum(
        len(r["open_referrals"]) for p in projects if p["summary"] for r in p["summary"]["reviews"]
    )
    assert total["complete_in_date"] + total["overdue"] <= total["projects"]
    assert view.headline(total).startswith(f"{total['complete_in_date']} of {total['projects']} ")


def test_overdue_and_stale_are_judged_on_the_builds_date(built, tmp_path: Path) -> None:
    src, _out, _ = built
    out = tmp_path / "earlier"
    result = build_html(src, out, "-D", "ethics_today=2026-09-20")
    assert result.returncode == 0, result.stderr
    page = BeautifulSoup((out / "index.html").read_text("utf-8"), "html.parser")
    headline = page.select_one(".ethics-programme-headline").get_text()
    assert "; 0 overdue;" in headline and "0 reports stale" in headline
    assert not [w for w in warning_lines(result.stderr) if "programme-stale" in w]


def test_myst_page(tmp_path: Path) -> None:
    src = snapshots(tmp_path)
    (src / "conf.py").write_text(
        CONF.replace('["sphinx_ethics"]', '["myst_parser", "sphinx_ethics"]')
    )
    (src / "index.rst").unlink()
    (src / "index.md").write_text(
        "# Programme\n\n```{ethics-programme} /snapshots\n:status: overdue\n```\n"
    )
    result = build_html(src, tmp_path / "html")
    assert result.returncode == 0, result.stderr
    page = BeautifulSoup((tmp_path / "html" / "index.html").read_text("utf-8"), "html.parser")
    rows = page.select("table.ethics-programme-table tbody tr")
    assert [r.find("td").get_text(" ", strip=True).split(" ")[0] for r in rows] == ["Sepsis"]
    assert page.select_one(".ethics-programme-headline").get_text().startswith("0 of 1 project ")
