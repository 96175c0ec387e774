"""Where a full HTML build of an extension project spends the extension's time.

Builds once, in this process, with every ``sphinx_ethics`` event handler
and post-transform timed (wall and CPU), and the summary page's writing
timed on its own, then prints JSON (``--json``) or a short table:

* ``summary``: the summary page's tables built (``TableBuilder.summary``) plus
  the page written and indexed for search;
* ``warnings``: the project check that logs every problem (``check_project``);
* ``report``: the JSON report, JUnit and calendar (``write_reports``);
* ``per page``: the rest of the build divided by the pages.

Times are CPU time of this process (``time.process_time``), which other
load on a shared machine distorts far less than wall time; wall times are
kept in the JSON.

Used by ``run.py`` (one run, beside its table of medians); also on its own::

    python benchmarks/breakdown.py --src benchmarks/out/pages-200/handwritten/lean/src
"""

from __future__ import annotations

import argparse
import functools
import json
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.util.docutils import docutils_namespace

SUMMARY_DOC = "review-status"


class Clock:
    """Wall and CPU seconds per name."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)

    def wrap(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def timed(*args: Any, **kwargs: Any) -> Any:
            wall, cpu = time.perf_counter(), time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                self.wall[name] += time.perf_counter() - wall
                self.cpu[name] += time.process_time() - cpu

        return timed


def instrument(app: Sphinx, clock: Clock, patched: list[tuple[object, str, object]]) -> None:
    """Time the extension's handlers and post-transforms, and the summary page."""
    for event, listeners in app.events.listeners.items():
        for index, listener in enumerate(listeners):
            module = getattr(listener.handler, "__module__", "") or ""
            if module.startswith("sphinx_ethics"):
                name = f"{event}:{listener.handler.__qualname__}"
                listeners[index] = listener._replace(handler=clock.wrap(name, listener.handler))
    for transform in app.registry.get_post_transforms():
        if transform.__module__.startswith("sphinx_ethics"):
            patched.append((transform, "run", transform.run))
            transform.run = clock.wrap(f"post:{transform.__name__}", transform.run)
    from sphinx_ethics.extension import summary

    if hasattr(summary, "TableBuilder") and hasattr(summary.TableBuilder, "summary"):
        patched.append((summary.TableBuilder, "summary", summary.TableBuilder.summary))
        summary.TableBuilder.summary = clock.wrap("summary table", summary.TableBuilder.summary)
    time_summary_page(app.builder, clock)


def time_summary_page(builder: object, clock: Clock) -> None:
    """Time the summary page's writing (and search indexing) on its own."""
    if isinstance(builder, StandaloneHTMLBuilder):
        for method in ("write_doc", "write_doc_serialized"):
            original = getattr(builder, method)

            def only_summary(docname: str, *args: Any, _original: Any = original) -> Any:
                if docname == SUMMARY_DOC:
                    return clock.wrap("summary page written", _original)(docname, *args)
                return _original(docname, *args)

            setattr(builder, method, only_summary)


def measure(src: Path, pages: int) -> dict[str, Any]:
    """One full serial HTML build of ``src``; the breakdown in seconds."""
    work = Path(tempfile.mkdtemp(prefix="sphinx-ethics-breakdown-"))
    clock = Clock()
    # As sphinx-build does: docutils' registries are restored afterwards,
    # and so are the timed classes, so a later build in this process (a
    # test) starts clean.
    namespace = docutils_namespace()
    namespace.__enter__()
    patched: list[tuple[object, str, object]] = []
    try:
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        app = Sphinx(
            str(src),
            str(src),
            str(work / "html"),
            str(work / "doctrees"),
            "html",
            status=None,
            warning=open(work / "warnings.txt", "w"),  # noqa: SIM115 - closed with the dir
            freshenv=True,
        )
        instrument(app, clock, patched)
        app.build()
        total_wall = time.perf_counter() - started_wall
        total_cpu = time.process_time() - started_cpu
        warnings = (work / "warnings.txt").read_text().count("WARNING")
    finally:
        for owner, name, original in patched:
            setattr(owner, name, original)
        namespace.__exit__(None, None, None)
        shutil.rmtree(work, ignore_errors=True)

    def part(clocks: dict[str, float]) -> dict[str, float]:
        # (before issue 25 the table was built at doctree-resolved)
        table = clocks["summary table"] + clocks["doctree-resolved:resolve_summaries"]
        return {
            "summary_table": table,
            "summary": table + clocks["summary page written"],
            "warnings": clocks["write-started:check_project"],
            "report": clocks["build-finished:write_reports"],
        }

    wall, cpu = part(clock.wall), part(clock.cpu)
    rest = total_cpu - cpu["summary"] - cpu["warnings"] - cpu["report"]
    return {
        "pages": pages,
        "total": total_wall,
        "total_cpu": total_cpu,
        "wall": wall,
        **cpu,
        "warning_count": warnings,
        "per_page_ms": 1000 * rest / pages,
        "handlers": dict(sorted(clock.cpu.items(), key=lambda item: -item[1])),
    }


def print_breakdown(result: dict[str, Any], reviews: int | None = None) -> None:
    """The breakdown as a few lines of text."""
    per_row = f", {1000 * result['summary'] / reviews:.3f} ms a row" if reviews else ""
    print(
        f"breakdown of one full HTML build ({result['pages']} pages), CPU seconds "
        "of the build process (wall time swings with the machine's other load):"
    )
    print(f"  total                      {result['total_cpu']:8.2f}  (wall {result['total']:.2f})")
    print(
        f"  summary page               {result['summary']:8.2f}  "
        f"(table {result['summary_table']:.2f}, the rest writing it{per_row})"
    )
    print(
        f"  warnings (project check)   {result['warnings']:8.2f}  "
        f"({result['warning_count']} warnings)"
    )
    print(f"  report (JSON, JUnit, ics)  {result['report']:8.2f}")
    print(f"  per page, the rest (ms)    {result['per_page_ms']:8.2f}")
    print("  slowest sphinx_ethics handlers and post-transforms:")
    for name, seconds in list(result["handlers"].items())[:6]:
        print(f"    {seconds:7.2f}  {name}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src", required=True, help="a generated extension project")
    parser.add_argument("--pages", type=int, default=0, help="its project pages (for per page)")
    parser.add_argument("--json", action="store_true", help="print JSON, not text")
    args = parser.parse_args(argv)
    src = Path(args.src).resolve()
    pages = args.pages or len(list(src.glob("division-*/project-*.rst")))
    result = measure(src, max(pages, 1))
    if args.json:
        json.dump(result, sys.stdout)
    else:
        print_breakdown(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
