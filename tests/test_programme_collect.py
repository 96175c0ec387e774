"""``sphinx-ethics programme collect``: the programme file, fetching, snapshots, states."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import cli
from programme_server import report, serve

from sphinx_ethics.programme.config import ProgrammeError, load_programme
from sphinx_ethics.programme.store import INDEX, LAST_GOOD, collect

TOKEN = "s3cr3t-t0ken-never-shown"


def write_programme(tmp_path: Path, projects: list[dict[str, object]], settings: str = "") -> Path:
    lines = [settings or "[settings]\ntimeout = 0.5\nretries = 0\n"]
    for project in projects:
        lines.append("[[projects]]")
        for key, value in project.items():
            lines.append(f"{key} = {json.dumps(value)}")
    path = tmp_path / "programme.toml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def run_collect(path: Path, out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return cli("programme", "collect", path, "-o", out, env=dict(env), timeout=120)


def states(out: Path) -> dict[str, str]:
    index = json.loads((out / INDEX).read_text("utf-8"))
    return {p["key"]: p["state"] for p in index["projects"]}


def test_every_kind_of_source_gives_its_state(tmp_path: Path) -> None:
    """v2, v3, a future v4, invalid JSON, 404, a server that never answers, file:// and a path."""
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "local.json").write_text(json.dumps(report(3)), "utf-8")
    routes = {
        "/v2.json": report(2),
        "/v3.json": report(3),
        "/v4.json": report(4, extra=True),
        "/bad.json": b"{not json",
        "/slow.json": report(3),
    }
    with serve(routes, slow={"/slow.json"}) as (url, _handler):
        path = write_programme(
            tmp_path,
            [
                {"key": "v2", "title": "Two", "report": [f"{url}/v2.json"]},
                {"key": "v3", "title": "Three", "report": f"{url}/v3.json"},
                {"key": "v4", "title": "Four", "report": [f"{url}/v4.json"]},
                {"key": "bad", "title": "Bad", "report": [f"{url}/bad.json"]},
                {"key": "gone", "title": "Gone", "report": [f"{url}/404.json"]},
                {"key": "slow", "title": "Slow", "report": [f"{url}/slow.json"]},
                {
                    "key": "fallback",
                    "title": "Falls back",
                    "report": [f"{url}/404.json", "reports/local.json"],
                },
                {
                    "key": "fileurl",
                    "title": "File URL",
                    "report": [(tmp_path / "reports" / "local.json").as_uri()],
                },
            ],
        )
        result = run_collect(path, tmp_path / "snap")
    assert result.returncode == 1, result.stderr
    assert states(tmp_path / "snap") == {
        "v2": "fresh",
        "v3": "fresh",
        "v4": "fresh",
        "bad": "invalid",
        "gone": "missing",
        "slow": "missing",
        "fallback": "fresh",
        "fileurl": "fresh",
    }
    assert "8 projects collected" in result.stdout
    assert "gone: " in result.stderr and "HTTP 404" in result.stderr
    assert "slow: " in result.stderr and "no answer" in result.stderr
    assert "bad: " in result.stderr and "not JSON" in result.stderr
    assert "schema_version 4 is newer" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_failed_fetch_keeps_the_last_good_copy_and_history_accumulates(tmp_path: Path) -> None:
    with serve({"/r.json": report(3)}) as (url, _):
        path = write_programme(tmp_path, [{"key": "p", "title": "P", "report": f"{url}/r.json"}])
        assert run_collect(path, tmp_path / "snap", SOURCE_DATE_EPOCH="1796000000").returncode == 0
    good = (tmp_path / "snap" / "p" / LAST_GOOD).read_bytes()
    # The server is gone: the copy stays, the state says cached.
    result = run_collect(path, tmp_path / "snap", SOURCE_DATE_EPOCH="1796100000")
    assert result.returncode == 1
    assert states(tmp_path / "snap") == {"p": "cached"}
    assert (tmp_path / "snap" / "p" / LAST_GOOD).read_bytes() == good
    with serve({"/r.json": report(3)}) as (url2, _):
        path = write_programme(tmp_path, [{"key": "p", "title": "P", "report": f"{url2}/r.json"}])
        assert run_collect(path, tmp_path / "snap", SOURCE_DATE_EPOCH="1796200000").returncode == 0
    dated = sorted(p.name for p in (tmp_path / "snap" / "p").glob("20*.json"))
    assert dated == ["2026-11-30.json", "2026-12-02.json"]


def test_a_token_is_sent_only_as_bearer_and_never_written_or_shown(tmp_path: Path) -> None:
    with serve({"/r.json": report(3), "/bad.json": (500, b"oops " + TOKEN.encode())}) as (url, h):
        path = write_programme(
            tmp_path,
            [
                {"key": "p", "title": "P", "report": f"{url}/r.json", "token_env": "P_TOKEN"},
                {"key": "q", "title": "Q", "report": f"{url}/bad.json", "token_env": "P_TOKEN"},
            ],
        )
        result = run_collect(path, tmp_path / "snap", P_TOKEN=TOKEN)
        seen = list(h.seen)
    assert [s.get("Authorization") for s in seen if s["path"] == "/r.json"] == [f"Bearer {TOKEN}"]
    assert TOKEN not in result.stdout + result.stderr
    for file in (tmp_path / "snap").rglob("*"):
        if file.is_file():
            assert TOKEN.encode() not in file.read_bytes(), file


def test_no_token_over_plain_http_to_another_host() -> None:
    from sphinx_ethics.programme.fetch import may_send_token, shown

    assert may_send_token("https://qi.example.org/r.json")
    assert may_send_token("http://127.0.0.1:8000/r.json")
    assert may_send_token("http://[::1]:8000/r.json")
    assert not may_send_token("http://qi.example.org/r.json")
    assert shown("https://user:pw@qi.example.org/r.json?key=abc") == (
        "https://qi.example.org/r.json?…"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[projects]]\nkey = 'a'\ntitle = 'A'\n", ":1: project 1: 'report' is required"),
        (
            "[[projects]]\nkey = 'a'\ntitle = 'A'\nreport = 'r.json'\nbase_ulr = 'x'\n",
            ":5: project 1: unknown key 'base_ulr'; did you mean 'base_url'?",
        ),
        ("[settings]\ntimeuot = 3\n", ":2: unknown key 'timeuot'; did you mean 'timeout'?"),
        ("[[projects]]\nkey = 'a'\ntitle = \n", ":3: invalid TOML"),
        (
            "[[projects]]\nkey = 'a b'\ntitle = 'A'\nreport = 'r'\n",
            ":2: project 1: 'key' must be letters",
        ),
        (
            "[[projects]]\nkey='a'\ntitle='A'\nreport='r'\n[[projects]]\nkey='a'\ntitle='B'\n"
            "report='r'\n",
            ":6: key 'a' is used by an earlier project",
        ),
    ],
)
def test_the_programme_file_is_checked_with_file_and_line(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "p.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(ProgrammeError) as caught:
        load_programme(path)
    assert any(p.startswith(str(path)) and expected in p for p in caught.value.problems), (
        caught.value.problems
    )


def test_a_bad_programme_file_is_exit_2_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[[projects]]\nkey = 'a'\n", "utf-8")
    result = run_collect(path, tmp_path / "snap")
    assert result.returncode == 2
    *more, last = result.stderr.splitlines()
    assert last.startswith(f"sphinx-ethics: error: {path}:1: project 1: ")
    assert last.endswith("(and 1 more above)") and len(more) == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "snap").exists()


def test_collect_in_process_relative_paths_and_settings(tmp_path: Path) -> None:
    (tmp_path / "r.json").write_text(json.dumps(report(2)), "utf-8")
    path = write_programme(
        tmp_path,
        [{"key": "p", "title": "P", "report": "r.json", "max_age_days": 7}],
        "[settings]\ntimeout = 2\nretries = 2\nworkers = 3\ntls_verify = false\n",
    )
    programme = load_programme(path)
    assert programme.settings.retries == 2 and programme.settings.workers == 3
    assert programme.projects[0].max_age_days == 7
    [outcome] = collect(programme, tmp_path / "snap")
    assert outcome.state == "fresh" and outcome.source == "r.json"
