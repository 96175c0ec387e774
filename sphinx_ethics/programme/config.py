"""The programme file: ``PROGRAMME.toml``, read with tomllib and checked whole.

Every problem is one line with ``file:line`` where it can be found (tomllib
gives the line of a syntax error; for a key, the line it is written on), and
an unknown key gets a did-you-mean.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_KEYS = ("key", "title", "owner", "report", "base_url", "max_age_days", "token_env")
REQUIRED_KEYS = ("key", "title", "report")
SETTINGS_KEYS = ("timeout", "retries", "tls_verify", "tls_cacerts", "workers")
TOP_KEYS = ("projects", "settings", "title")
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class ProgrammeError(Exception):
    """The programme file cannot be used; ``problems`` holds one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if problems else "invalid programme file")
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    timeout: float = 10.0
    retries: int = 1
    tls_verify: bool = True
    tls_cacerts: str = ""
    workers: int = 8


@dataclass(frozen=True)
class Project:
    key: str
    title: str
    report: tuple[str, ...]
    owner: str = ""
    base_url: str = ""
    max_age_days: int = 30
    token_env: str = ""


@dataclass(frozen=True)
class Programme:
    path: Path
    title: str = ""
    settings: Settings = field(default_factory=Settings)
    projects: tuple[Project, ...] = ()


class _Lines:
    """Where a key is written: the line after the n-th ``[[projects]]`` header."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.headers = [
            i for i, line in enumerate(self.lines) if re.match(r"\s*\[\[\s*projects\s*\]\]", line)
        ]
        self.settings = next(
            (i for i, line in enumerate(self.lines) if re.match(r"\s*\[\s*settings\s*\]", line)),
            None,
        )

    def where(self, key: str, index: int | None = None, table: str = "") -> str:
        if table == "settings":
            start = self.settings
        elif index is not None and index < len(self.headers):
            start = self.headers[index]
        else:
            start = 0
        line = (start or 0) + 1
        if start is not None:
            pattern = re.compile(rf"\s*\"?{re.escape(key)}\"?\s*=")
            for number in range(start + 1, len(self.lines)):
                text = self.lines[number]
                if re.match(r"\s*\[", text):
                    break
                if pattern.match(text):
                    line = number + 1
                    break
        return f"{self.path}:{line}"


def _unknown(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(known)})"
    return f"unknown key {key!r}{hint}"


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and "\n" not in value


def load_programme(path: Path) -> Programme:
    """Read and check ``path``; every problem found is in the :class:`ProgrammeError`."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ProgrammeError([f"{path}: {err.strerror or err}"]) from None
    try:
        text = raw.decode("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ProgrammeError([f"{path}: not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as err:
        found = re.search(r"line (\d+)", str(err))
        where = f"{path}:{found.group(1)}" if found else str(path)
        raise ProgrammeError([f"{where}: invalid TOML: {err}"]) from None
    lines = _Lines(path, text)
    problems: list[str] = []
    for key in data:
        if key not in TOP_KEYS:
            problems.append(f"{lines.where(key)}: {_unknown(key, TOP_KEYS)}")
    settings = _settings(data.get("settings", {}), lines, problems)
    projects = _projects(data.get("projects"), lines, problems)
    title = data.get("title", "")
    if not isinstance(title, str):
        problems.append(f"{lines.where('title')}: 'title' must be text")
        title = ""
    if problems:
        raise ProgrammeError(problems)
    return Programme(path=path, title=title, settings=settings, projects=tuple(projects))


def _settings(value: Any, lines: _Lines, problems: list[str]) -> Settings:
    if not isinstance(value, dict):
        problems.append(f"{lines.where('settings')}: [settings] must be a table")
        return Settings()
    for key in value:
        if key not in SETTINGS_KEYS:
            problems.append(f"{lines.where(key, table='settings')}: {_unknown(key, SETTINGS_KEYS)}")
    checks = {
        "timeout": (lambda v: isinstance(v, int | float) and not isinstance(v, bool) and v > 0,
                    "a number of seconds above 0"),
        "retries": (lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 10,
                    "a whole number from 0 to 10"),
        "workers": (lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 64,
                    "a whole number from 1 to 64"),
        "tls_verify": (lambda v: isinstance(v, bool), "true or false"),
        "tls_cacerts": (lambda v: isinstance(v, str), "a path to a CA bundle"),
    }  # fmt: skip
    good = {}
    for key, (ok, what) in checks.items():
        if key in value:
            if ok(value[key]):
                good[key] = value[key]
            else:
                where = lines.where(key, table="settings")
                problems.append(f"{where}: settings.{key} must be {what}, not {value[key]!r}")
    if good.get("tls_cacerts"):
        cacerts = Path(good["tls_cacerts"])
        good["tls_cacerts"] = str(cacerts if cacerts.is_absolute() else lines.path.parent / cacerts)
    return Settings(**good)


def _projects(value: Any, lines: _Lines, problems: list[str]) -> list[Project]:
    if not isinstance(value, list) or not value:
        problems.append(f"{lines.path}: no [[projects]]: add one table per project")
        return []
    found: list[Project] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            problems.append(f"{lines.path}: projects[{index}] must be a table")
            continue
        project = _project(item, index, lines, problems)
        if project is None:
            continue
        if project.key.lower() in seen:
            where = lines.where("key", index)
            problems.append(f"{where}: key {project.key!r} is used by an earlier project")
        seen.add(project.key.lower())
        found.append(project)
    return found


def _project(
    item: dict[str, Any], index: int, lines: _Lines, problems: list[str]
) -> Project | None:
    found = _project_problems(item)
    for key, message in found:
        problems.append(f"{lines.where(key, index)}: project {index + 1}: {message}")
    if found:
        return None
    report = item["report"]
    return Project(
        key=item["key"],
        title=item["title"].strip(),
        report=tuple(r.strip() for r in ([report] if isinstance(report, str) else report)),
        owner=item.get("owner", "").strip(),
        base_url=item.get("base_url", "").strip(),
        max_age_days=item.get("max_age_days", 30),
        token_env=item.get("token_env", "").strip(),
    )


def _project_problems(item: dict[str, Any]) -> list[tuple[str, str]]:
    """(key, message) for every problem of one ``[[projects]]`` table."""
    found = [(key, _unknown(key, PROJECT_KEYS)) for key in item if key not in PROJECT_KEYS]
    found += [(key, f"{key!r} is required") for key in REQUIRED_KEYS if key not in item]
    key = item.get("key", "")
    if "key" in item and not (isinstance(key, str) and KEY.fullmatch(key)):
        found.append(
            ("key", f"'key' must be letters, digits, '.', '_' or '-' (up to 64), not {key!r}")
        )
    found += [
        (name, f"{name!r} must be one line of text")
        for name in ("title", "owner", "base_url", "token_env")
        if name in item and not _text(item[name])
    ]
    base = item.get("base_url")
    if _text(base) and not base.lower().startswith(("https://", "http://")):
        found.append(("base_url", "'base_url' must be an http(s) URL"))
    if _text(item.get("token_env")) and not ENV_NAME.fullmatch(item["token_env"]):
        found.append(
            ("token_env", "'token_env' must name an environment variable (not hold a token)")
        )
    report = item.get("report")
    report = [report] if isinstance(report, str) else report
    if "report" in item and not (
        isinstance(report, list) and report and all(_text(r) for r in report)
    ):
        found.append(("report", "'report' must be a location or a list of locations"))
    age = item.get("max_age_days", 30)
    if not isinstance(age, int) or isinstance(age, bool) or age < 1:
        found.append(
            (
                "max_age_days",
                f"'max_age_days' must be a whole number of days (1 or more), not {age!r}",
            )
        )
    return found
