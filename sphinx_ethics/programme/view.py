"""What a programme page shows, from the snapshots alone: rows, totals, headline, files.

:func:`load` reads the snapshot folder (at read time: the files it read are
the page's dependencies); :func:`rows` judges every project on the build's
date (at write time, so "overdue" and "stale" are always today's); the
totals are sums of the rows, and the headline, CSV and JSON say the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from sphinx_ethics.programme.reading import ReportError, parse, web_url
from sphinx_ethics.programme.store import LAST_GOOD, dated_snapshots, read_index

#: Dated snapshots read per project for the chart (the newest).
HISTORY = 12
#: Links to a project's unfinished reviews shown in its row.
REVIEW_LINKS = 5


def load(store: Path) -> tuple[dict[str, Any], list[tuple[str, str]], list[Path]]:
    """(data, problems as (subtype, message), files read); never raises on bad data."""
    problems: list[tuple[str, str]] = []
    read: list[Path] = [store / "programme.json"]
    try:
        index, entries = read_index(store)
    except FileNotFoundError:
        message = f"no snapshots in {store} (run 'sphinx-ethics programme collect' first)"
        return {"projects": [], "history": []}, [("programme-source", message)], read
    except (OSError, ValueError) as err:
        message = f"cannot read the programme index in {store}: {err}"
        return {"projects": [], "history": []}, [("programme-source", message)], read
    projects, history = [], []
    for entry in entries:
        project = {
            "key": entry.key,
            "title": entry.title,
            "owner": entry.owner,
            "base_url": web_url(entry.base_url),
            "max_age_days": entry.max_age_days,
            "state": entry.state,
            "fetched_at": entry.fetched_at,
            "generated_at": entry.generated_at,
            "summary": None,
        }
        path = store / entry.key / LAST_GOOD
        if path.is_file():
            read.append(path)
            try:
                project["summary"], warnings = parse(path.read_bytes())
                problems += [("programme-source", f"{entry.key}: {w}") for w in warnings]
            except (OSError, ReportError) as err:
                problems.append(("programme-source", f"{entry.key}: {path.name}: {err}"))
        if entry.state != "fresh":
            why = f": {entry.error}" if entry.error else ""
            problems.append(("programme-source", f"{entry.key}: report {entry.state}{why}"))
        for date, dated in dated_snapshots(store, entry.key, HISTORY):
            read.append(dated)
            try:
                summary, _warnings = parse(dated.read_bytes())
            except (OSError, ReportError):
                continue
            history.append({"key": entry.key, "date": date, **_core(summary)})
        projects.append(project)
    data = {"title": str(index.get("title") or ""), "projects": projects, "history": history}
    return data, problems, read


def _core(summary: dict[str, Any]) -> dict[str, Any]:
    return {
        "complete": bool(summary["complete"]),
        "review_by": [r["review_by"] for r in summary["reviews"] if r["review_by"]],
    }


def _age(project: dict[str, Any], when: dt.date) -> int | None:
    stamp = project["generated_at"] or project["fetched_at"]
    try:
        return (when - dt.date.fromisoformat(stamp[:10])).days if stamp else None
    except ValueError:
        return None


def site(project: dict[str, Any]) -> str:
    """Where the project's site is: ``base_url``, else the report's ``source_url``."""
    summary = project["summary"] or {}
    return project["base_url"] or web_url((summary.get("project") or {}).get("source_url"))


def link(base: str, uri: str) -> str:
    """``base`` + ``uri``, only if the result is still an http(s) URL."""
    if not base:
        return ""
    return web_url(urljoin(base if base.endswith("/") else base + "/", uri)) if uri else base


def row(project: dict[str, Any], when: dt.date) -> dict[str, Any]:
    """One project, judged on ``when``."""
    summary = project["summary"]
    reviews = summary["reviews"] if summary else []
    today = when.isoformat()
    dates = sorted(r["review_by"] for r in reviews if r["review_by"])
    overdue = any(d < today for d in dates)
    age = _age(project, when)
    stale = age is not None and age > project["max_age_days"]
    if summary is None:
        status = "no data"
    else:
        status = "overdue" if overdue else "complete" if summary["complete"] else "incomplete"
    base = site(project)
    return {
        "key": project["key"],
        "title": project["title"],
        "owner": project["owner"],
        "url": base,
        "reviews": len(reviews),
        "reviews_complete": sum(1 for r in reviews if r["complete"]),
        "answered": sum(r["answered"] for r in reviews),
        "required": sum(r["required"] for r in reviews),
        "status": status,
        "complete_in_date": status == "complete",
        "overdue": overdue,
        "next_review_by": dates[0] if dates else "",
        "open_referrals": [to for r in reviews for to in r["open_referrals"]],
        "missing_signoffs": sorted({role for r in reviews for role in r["missing_signoffs"]}),
        "report_age_days": age,
        "max_age_days": project["max_age_days"],
        "stale": stale,
        "data_state": "stale" if stale and project["state"] == "fresh" else project["state"],
        "review_links": [
            (r["title"], link(base, r["uri"]))
            for r in reviews
            if not r["complete"] or (r["review_by"] and r["review_by"] < today)
        ][:REVIEW_LINKS],
    }


def rows(data: dict[str, Any], when: dt.date) -> list[dict[str, Any]]:
    return [row(project, when) for project in data["projects"]]


def totals(table: list[dict[str, Any]]) -> dict[str, int]:
    """Sums of the rows: the headline's numbers."""
    return {
        "projects": len(table),
        "complete_in_date": sum(1 for r in table if r["complete_in_date"]),
        "overdue": sum(1 for r in table if r["overdue"]),
        "referrals_open": sum(len(r["open_referrals"]) for r in table),
        "stale": sum(1 for r in table if r["stale"]),
        "unreadable": sum(1 for r in table if r["data_state"] in ("missing", "invalid")),
        "answered": sum(r["answered"] for r in table),
        "required": sum(r["required"] for r in table),
    }


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def headline(total: dict[str, int]) -> str:
    """ "41 of 63 projects complete and in date; 7 overdue; 3 referrals open; 5 reports stale"."""
    text = (
        f"{total['complete_in_date']} of {_n(total['projects'], 'project', 'projects')} "
        f"complete and in date; {total['overdue']} overdue; "
        f"{_n(total['referrals_open'], 'referral', 'referrals')} open; "
        f"{_n(total['stale'], 'report', 'reports')} stale"
    )
    if total["unreadable"]:
        text += f"; {_n(total['unreadable'], 'report', 'reports')} missing or invalid"
    return text + "."


CSV_COLUMNS = (
    "key", "title", "owner", "status", "answered", "required", "reviews", "reviews_complete",
    "next_review_by", "overdue", "open_referrals", "missing_signoffs", "report_age_days",
    "data_state", "url",
)  # fmt: skip


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet shows as text: never a formula (= + - @, tab, CR first)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_text(table: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in table:
        cells = []
        for column in CSV_COLUMNS:
            value = item[column]
            if isinstance(value, list):
                value = "; ".join(value)
            elif isinstance(value, bool):
                value = "yes" if value else "no"
            elif value is None:
                value = ""
            cells.append(spreadsheet_safe(str(value)))
        writer.writerow(cells)
    return out.getvalue()


def json_text(table: list[dict[str, Any]], when: dt.date) -> str:
    total = totals(table)
    body = {
        "today": when.isoformat(),
        "headline": headline(total),
        "totals": total,
        "projects": [{k: v for k, v in r.items() if k != "review_links"} for r in table],
    }
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def chart_points(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Per snapshot date: projects with data, complete and in date, overdue (on that date)."""
    dates = sorted({h["date"] for h in data["history"]})[-HISTORY:]
    by_key: dict[str, list[dict[str, Any]]] = {}
    for entry in sorted(data["history"], key=lambda h: h["date"]):
        by_key.setdefault(entry["key"], []).append(entry)
    points = []
    for date in dates:
        known = [
            [e for e in entries if e["date"] <= date][-1]
            for entries in by_key.values()
            if entries[0]["date"] <= date
        ]
        overdue = [e for e in known if any(d < date for d in e["review_by"])]
        points.append(
            {
                "date": date,
                "projects": len(known),
                "complete": sum(1 for e in known if e["complete"] and e not in overdue),
                "overdue": len(overdue),
            }
        )
    return points
