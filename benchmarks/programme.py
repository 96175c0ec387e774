"""Issue 23: how long ``programme collect`` of N projects takes, and what the
programme page adds to a build.

Serves N reports from a loopback HTTP server (stdlib, in a thread, each
answer delayed by ``--delay`` seconds to stand in for a real network), runs
``sphinx-ethics programme collect`` on them, then builds a page with
``ethics-programme`` over the snapshots and the same project without it.

    python benchmarks/programme.py --projects 100
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from programme_server import Handler, report, serve


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True)
    took = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{argv[:4]} failed:\n{result.stderr}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds per answer")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    routes = {
        f"/p{i}.json": report(3, complete=i % 3 != 0, referral=i % 7 == 0, name=f"r{i}")
        for i in range(args.projects)
    }
    original = Handler.do_GET

    def slow(self: Handler) -> None:
        time.sleep(args.delay)
        original(self)

    with tempfile.TemporaryDirectory() as temp, serve(routes) as (url, handler):
        handler.do_GET = slow  # type: ignore[method-assign]
        tmp = Path(temp)
        lines = ["[settings]\ntimeout = 10\nretries = 0\n"]
        for i in range(args.projects):
            lines.append(f'[[projects]]\nkey = "p{i}"\ntitle = "Project {i}"\n')
            lines.append(
                f'report = ["{url}/p{i}.json"]\nbase_url = "https://qi.example.org/{i}/"\n'
            )
        (tmp / "programme.toml").write_text("".join(lines), "utf-8")
        src = tmp / "src"
        src.mkdir()
        (src / "conf.py").write_text(
            'extensions = ["sphinx_ethics"]\nethics_today = "2026-12-07"\n'
        )
        collect = [sys.executable, "-m", "sphinx_ethics", "programme", "collect",
                   str(tmp / "programme.toml"), "-o", str(src / "snapshots")]  # fmt: skip
        collects = [timed(collect) for _ in range(args.repeat)]
        state = json.loads((src / "snapshots" / "programme.json").read_text("utf-8"))
        fresh = sum(1 for p in state["projects"] if p["state"] == "fresh")

        def build(page: str) -> float:
            (src / "index.rst").write_text(f"Programme\n=========\n\n{page}", "utf-8")
            build = [sys.executable, "-m", "sphinx", "-q", "-E", "-b", "html", str(src),
                     str(tmp / "html")]  # fmt: skip
            return min(timed(build) for _ in range(args.repeat))

        empty = build("Nothing here.\n")
        full = build(".. ethics-programme:: snapshots/\n")
    serial = args.projects * args.delay
    print(
        f"collect of {args.projects} projects ({fresh} fresh), "
        f"{args.delay * 1000:.0f} ms per answer:"
    )
    print(f"  best {min(collects):.2f} s, median {sorted(collects)[len(collects) // 2]:.2f} s "
          f"(one at a time would take at least {serial:.1f} s)")  # fmt: skip
    print(f"build: empty page {empty:.2f} s, programme page {full:.2f} s "
          f"(+{full - empty:.2f} s for {args.projects} projects)")  # fmt: skip


if __name__ == "__main__":
    main()
