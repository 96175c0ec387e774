"""The snapshot store that ``programme collect`` writes and the directive reads.

::

    SNAPSHOTS/
      programme.json            the index: every project, its state and dates
      <key>/last-good.json      the newest report that could be read
      <key>/YYYY-MM-DD.json     one per collection day with a good fetch (history)

A failed fetch never removes a good copy: the project is ``cached`` while
``last-good.json`` is there, else ``missing``; a report that arrives but
cannot be read is ``invalid`` (and the good copy stays).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sphinx_ethics import files
from sphinx_ethics.programme.config import KEY, Programme, Project
from sphinx_ethics.programme.fetch import FetchError, fetch, shown
from sphinx_ethics.programme.reading import ReportError, parse

INDEX = "programme.json"
LAST_GOOD = "last-good.json"
STORE_VERSION = 1
DATED = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.json")
STATES = ("fresh", "cached", "missing", "invalid")


@dataclass
class Outcome:
    """What one project's collection found (one entry of ``programme.json``)."""

    key: str
    title: str
    owner: str
    base_url: str
    max_age_days: int
    state: str
    source: str = ""
    error: str = ""
    fetched_at: str = ""
    generated_at: str = ""
    warnings: tuple[str, ...] = ()

    def age_days(self, when: dt.date) -> int | None:
        """Days since the report was made (``generated_at``, else the fetch)."""
        stamp = self.generated_at or self.fetched_at
        try:
            return (when - dt.date.fromisoformat(stamp[:10])).days if stamp else None
        except ValueError:
            return None


def now_utc() -> dt.datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set (reproducible snapshots in tests and CI)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now(dt.UTC)


def stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def previous(store: Path) -> dict[str, dict[str, Any]]:
    """The last index's entries by key (for ``fetched_at`` of a cached copy)."""
    try:
        data = json.loads((store / INDEX).read_text("utf-8"))
        return {p["key"]: p for p in data.get("projects", []) if isinstance(p, dict)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def collect_one(
    project: Project, programme: Programme, store: Path, when: dt.datetime, before: dict[str, Any]
) -> Outcome:
    """Try each location in order; keep the first that reads as a report."""
    outcome = Outcome(
        project.key, project.title, project.owner, project.base_url, project.max_age_days, ""
    )
    token = os.environ.get(project.token_env, "") if project.token_env else ""
    errors: list[str] = []
    invalid = False
    for location in project.report:
        try:
            data = fetch(location, programme.path.parent, programme.settings, token)
            summary, warnings = parse(data)
        except FetchError as err:
            errors.append(_safe(str(err), token))
            continue
        except ReportError as err:
            errors.append(_safe(f"{shown(location)}: {err}", token))
            invalid = True
            continue
        folder = store / project.key
        files.write_atomic(folder / LAST_GOOD, data, refuse_read_only=False, make_parents=True)
        files.write_atomic(folder / f"{when.date().isoformat()}.json", data, refuse_read_only=False)
        outcome.state, outcome.source = "fresh", _safe(shown(location), token)
        outcome.fetched_at, outcome.generated_at = stamp(when), summary["generated_at"]
        outcome.warnings = tuple(_safe(w, token) for w in warnings)
        outcome.error = "; ".join(errors)
        return outcome
    outcome.error = "; ".join(errors)
    if invalid:
        outcome.state = "invalid"
    else:
        outcome.state = "cached" if (store / project.key / LAST_GOOD).is_file() else "missing"
    if (store / project.key / LAST_GOOD).is_file():
        outcome.fetched_at = str(before.get("fetched_at", ""))
        outcome.generated_at = str(before.get("generated_at", ""))
        outcome.source = str(before.get("source", ""))
    return outcome


def _safe(message: str, token: str) -> str:
    """Belt and braces: a token never reaches a message, whatever the error said."""
    return message.replace(token, "[token]") if token else message


def collect(
    programme: Programme,
    store: Path,
    progress: Callable[[int, int, Outcome], None] | None = None,
) -> list[Outcome]:
    """Fetch every project (``settings.workers`` at a time), write snapshots and the index."""
    when = now_utc()
    before = previous(store)
    store.mkdir(parents=True, exist_ok=True)
    outcomes: dict[str, Outcome] = {}
    lock = threading.Lock()
    total = len(programme.projects)
    workers = min(programme.settings.workers, max(total, 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ethics-collect") as pool:
        futures = {
            pool.submit(collect_one, p, programme, store, when, before.get(p.key, {})): p
            for p in programme.projects
        }
        for future in as_completed(futures):
            outcome = future.result()
            with lock:
                outcomes[outcome.key] = outcome
                if progress is not None:
                    progress(len(outcomes), total, outcome)
    ordered = [outcomes[p.key] for p in programme.projects]
    index = {
        "store_version": STORE_VERSION,
        "title": programme.title,
        "collected_at": stamp(when),
        "projects": [asdict(o) for o in ordered],
    }
    text = json.dumps(index, indent=2, ensure_ascii=False) + "\n"
    files.write_atomic(store / INDEX, text, refuse_read_only=False)
    return ordered


def read_index(store: Path) -> tuple[dict[str, Any], list[Outcome]]:
    """``programme.json`` and its entries (untrusted: keys checked before any path is made)."""
    data = json.loads((store / INDEX).read_text("utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("projects"), list):
        raise ValueError(f"{store / INDEX} is not a programme index (no 'projects' list)")
    found = []
    for entry in data["projects"]:
        if not isinstance(entry, dict) or not KEY.fullmatch(str(entry.get("key", ""))):
            continue
        age = entry.get("max_age_days", 30)
        found.append(
            Outcome(
                key=str(entry["key"]),
                title=str(entry.get("title") or entry["key"]),
                owner=str(entry.get("owner") or ""),
                base_url=str(entry.get("base_url") or ""),
                max_age_days=age if isinstance(age, int) and age > 0 else 30,
                state=entry.get("state") if entry.get("state") in STATES else "invalid",
                source=str(entry.get("source") or ""),
                error=str(entry.get("error") or ""),
                fetched_at=str(entry.get("fetched_at") or ""),
                generated_at=str(entry.get("generated_at") or ""),
                warnings=tuple(str(w) for w in entry.get("warnings") or () if isinstance(w, str)),
            )
        )
    return data, found


def dated_snapshots(store: Path, key: str, limit: int) -> list[tuple[str, Path]]:
    """The newest ``limit`` dated snapshots of a project, oldest first."""
    try:
        names = [
            (m.group(1), store / key / n)
            for n in os.listdir(store / key)
            if (m := DATED.fullmatch(n))
        ]
    except OSError:
        return []
    return sorted(names)[-limit:]
