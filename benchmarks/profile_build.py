"""Profile one full HTML build of a generated project with cProfile.

Generates the project (unless ``--src`` names an existing one), runs Sphinx
in this process under ``cProfile`` and prints the ``sphinx_ethics``
functions sorted by cumulative time, then the overall top entries.  The
timer is CPU time of this process (``time.process_time``), so other load on
the machine inflates the numbers less than wall-clock profiling would.

Usage::

    python benchmarks/profile_build.py --pages 800
    python benchmarks/profile_build.py --src /tmp/qi-ethics --out /tmp/ethics.prof
    python -m pstats /tmp/ethics.prof        # explore the saved profile
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sphinx.cmd.build import build_main

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=800, help="project pages (default 800)")
    parser.add_argument("--kind", choices=generate.KINDS, default="ethics")
    parser.add_argument("--src", help="an existing source directory to build instead")
    parser.add_argument("--out", default="ethics.prof", help="where to save the profile")
    parser.add_argument("--top", type=int, default=40, help="rows to print (default 40)")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="sphinx-ethics-profile-"))
    try:
        src = Path(args.src) if args.src else generate.generate(args.pages, work / "src", args.kind)
        profiler = cProfile.Profile(time.process_time)
        started = time.perf_counter()
        profiler.enable()
        status = build_main(
            ["-q", "-b", "html", "-d", str(work / "doctrees"), str(src), str(work / "html")]
        )
        profiler.disable()
        wall = time.perf_counter() - started
    finally:
        shutil.rmtree(work, ignore_errors=True)
    profiler.dump_stats(args.out)
    print(f"\nbuild exit status {status}, {wall:.1f} s wall; profile saved to {args.out}")
    stats = pstats.Stats(args.out)
    stats.sort_stats("cumulative")
    print("\n=== sphinx_ethics functions, by cumulative CPU time ===")
    stats.print_stats(r"sphinx_ethics", args.top)
    print("\n=== everything, by cumulative CPU time ===")
    stats.print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
