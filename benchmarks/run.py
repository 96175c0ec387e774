"""Benchmark sphinx-ethics against the same content as plain reStructuredText.

Generates both projects (see ``generate.py``), then, ``--repeat`` times and
alternating which kind goes first, runs each measurement in a fresh
``python -m sphinx`` subprocess:

* full HTML build (fresh output and doctree directories), with its peak RSS;
* 1-page incremental rebuild: one answer of one page edited, rebuilt
  without ``-E``, with the number of documents Sphinx re-read;
* ``-j 2`` full build (fresh directories);
* ``python -m sphinx_ethics check SOURCEDIR`` (ethics project only, when the
  command exists).

It prints one table of medians with the ratio of sphinx-ethics to the plain
baseline measured in the same run, then whether the ``-j 2`` build gave the
same warnings and the same ``ethics-report.json`` as the serial one.

Only the standard library is used: ``time.perf_counter`` around each child,
``os.wait4`` for the child's own peak RSS.

Usage::

    python benchmarks/run.py --pages 200
    python benchmarks/run.py --pages 800 --repeat 3
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import pickle
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import docutils
import sphinx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import breakdown
import generate

HERE = Path(__file__).resolve().parent
#: Baselines, each a pair of kinds (baseline, extension) built from the same
#: content model: "full" is the original comparison (the extension against
#: every label, progress line, metadata list and a summary table written by
#: hand); "handwritten" is what a team would write instead of the extension
#: (three one-checklist reviews per page; issue #11).
PAIRS = {"full": ("plain", "ethics"), "handwritten": ("handwritten", "lean")}
EXTENSION_KINDS = ("ethics", "lean")
JOBS = 2
REPORT = "ethics-report.json"

# Targets from issue #6, as (ratio limit, what the ratio is of).
TARGET_FULL = 1.10
TARGET_MEMORY = 1.15
TARGET_INCREMENTAL = 1.2
TARGET_PARALLEL = 1.0  # -j 2 time / serial time, for the ethics project
TARGET_CHECK = 0.5  # check time / full HTML build of the same tree


@dataclass
class Child:
    """One finished subprocess."""

    returncode: int
    seconds: float  # wall time
    cpu: float  # user + system time of the child and the workers it waited for
    max_rss_mb: float
    stdout: str
    stderr: str

    @property
    def warnings(self) -> list[str]:
        return sorted(line for line in self.stderr.splitlines() if "WARNING" in line)


@dataclass
class Samples:
    full: list[float] = field(default_factory=list)
    full_cpu: list[float] = field(default_factory=list)
    memory: list[float] = field(default_factory=list)
    incremental: list[float] = field(default_factory=list)
    incremental_cpu: list[float] = field(default_factory=list)
    reread: list[list[str]] = field(default_factory=list)
    parallel: list[float] = field(default_factory=list)
    check: list[float] = field(default_factory=list)
    env_mb: float = 0.0
    warnings: int = 0
    nodes_per_page: float = 0.0  # doctree nodes of a project page, as read and cached


def run_child(cmd: Sequence[str], cwd: Path | None = None) -> Child:
    """Run ``cmd``; wall time around it, its CPU time and peak RSS via ``os.wait4``."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), stdout=out, stderr=err, cwd=cwd, env=env, start_new_session=True
        )
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)  # the child and any -j workers
            proc.wait()
            raise
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    cpu = usage.ru_utime + usage.ru_stime
    return Child(proc.returncode, seconds, cpu, usage.ru_maxrss / scale, stdout, stderr)


def sphinx_build(src: Path, out: Path, doctrees: Path, jobs: int = 1) -> Child:
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-d", str(doctrees)]
    if jobs > 1:
        cmd += ["-j", str(jobs)]
    child = run_child([*cmd, str(src), str(out)])
    if child.returncode not in (0, 1) or "Traceback" in child.stderr:
        sys.exit(f"sphinx-build failed ({child.returncode}):\n{child.stderr[-3000:]}")
    return child


def check_command() -> list[str] | None:
    """``python -m sphinx_ethics check`` if it exists, else ``None``."""
    if importlib.util.find_spec("sphinx_ethics.cli") is None:
        return None
    if importlib.util.find_spec("sphinx_ethics.__main__") is not None:
        return [sys.executable, "-m", "sphinx_ethics", "check"]
    code = "import sys; from sphinx_ethics.cli import main; sys.exit(main())"
    return [sys.executable, "-c", code, "check"]


def reread_docs(child: Child) -> list[str]:
    """The documents Sphinx says it re-read (needs output without ``-q``)."""
    names = re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", child.stdout)
    counts = re.search(r"(\d+) added, (\d+) changed, (\d+) removed", child.stdout)
    if counts and int(counts[1]) + int(counts[2]) != len(names):
        # Fall back to Sphinx's own count if the progress lines changed shape.
        return [f"<{int(counts[1]) + int(counts[2])} documents>"]
    return names


def unstamped(report: Path) -> bytes | None:
    """The report's bytes but for the moment it was written (schema 3's generated_at)."""
    if not report.exists():
        return None
    return re.sub(rb'"generated_at": ?"[^"]*"', b"", report.read_bytes())


def fresh(*dirs: Path) -> None:
    for directory in dirs:
        shutil.rmtree(directory, ignore_errors=True)


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)"


# --------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------


@dataclass
class Run:
    args: argparse.Namespace
    root: Path
    sources: dict[str, Path]
    edit_index: int
    check_cmd: list[str] | None
    samples: dict[str, Samples] = field(default_factory=dict)
    serial_warnings: dict[str, list[str]] = field(default_factory=dict)
    parallel_warnings: dict[str, list[str]] = field(default_factory=dict)
    serial_report: bytes | None = None
    breakdown: dict[str, object] | None = None
    baseline: str = "full"
    same_warnings: bool = True
    same_report: bool = True

    def serial(self, kind: str, repeat: int) -> None:
        """Full build, then the 1-page incremental rebuild on top of it."""
        s, src, base = self.samples[kind], self.sources[kind], self.root / kind
        html, doctrees = base / "html", base / "doctrees"
        fresh(html, doctrees)
        full = sphinx_build(src, html, doctrees)
        s.full.append(full.seconds)
        s.full_cpu.append(full.cpu)
        s.memory.append(full.max_rss_mb)
        s.warnings = len(full.warnings)
        s.env_mb = (doctrees / "environment.pickle").stat().st_size / 1e6
        self.serial_warnings[kind] = full.warnings
        s.nodes_per_page = nodes_per_page(doctrees)
        if kind in EXTENSION_KINDS:
            self.serial_report = unstamped(html / REPORT)

        token = f"We revisited this answer in benchmark run {repeat + 1}."
        generate.edit_page(src, kind, self.args.seed, self.edit_index, token)
        try:
            incremental = sphinx_build(src, html, doctrees)
        finally:
            generate.edit_page(src, kind, self.args.seed, self.edit_index, "")
        s.incremental.append(incremental.seconds)
        s.incremental_cpu.append(incremental.cpu)
        s.reread.append(reread_docs(incremental))

    def parallel(self, kind: str) -> None:
        """A full ``-j 2`` build; compared with the serial build of this run."""
        s, src, base = self.samples[kind], self.sources[kind], self.root / kind
        html_j, doctrees_j = base / "html-j", base / "doctrees-j"
        fresh(html_j, doctrees_j)
        parallel = sphinx_build(src, html_j, doctrees_j, jobs=JOBS)
        s.parallel.append(parallel.seconds)
        self.parallel_warnings[kind] = parallel.warnings
        if parallel.warnings != self.serial_warnings[kind]:
            self.same_warnings = False
        if kind in EXTENSION_KINDS:
            report = unstamped(html_j / REPORT)
            if self.serial_report is None or report != self.serial_report:
                self.same_report = False

    def check(self, kind: str) -> None:
        if self.check_cmd is None:
            return
        check = run_child([*self.check_cmd, str(self.sources[kind])])
        if check.returncode not in (0, 1):
            sys.exit(f"sphinx-ethics check failed ({check.returncode}):\n{check.stderr}")
        self.samples[kind].check.append(check.seconds)


def measure(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    state, load_before = package_state(), load()
    baselines = list(PAIRS) if args.baseline == "both" else [args.baseline]
    runs = [measure_pair(args, baseline, started) for baseline in baselines]
    print()
    print(f"sphinx-ethics {state}")
    print(
        f"Python {platform.python_version()}, Sphinx {sphinx.__version__}, "
        f"docutils {docutils.__version__}, {os.cpu_count()} CPU cores, "
        f"{platform.system()} {platform.machine()}; median of {args.repeat} runs"
    )
    print(f"machine: {load_before} before, {load()} after")
    for run in runs:
        report_pair(args, run)
    print(f"total benchmark time: {time.perf_counter() - started:.0f} s")


def measure_pair(args: argparse.Namespace, baseline: str, started: float) -> Run:
    """Every measurement of one baseline and its extension project."""
    kinds = PAIRS[baseline]
    root = Path(args.out or HERE / "out" / f"pages-{args.pages}").resolve() / baseline
    sources = {}
    for kind in kinds:
        sources[kind] = generate.generate(args.pages, root / kind / "src", kind, args.seed)
    run = Run(args, root, sources, args.pages // 2, check_command(), baseline=baseline)
    run.samples = {kind: Samples() for kind in kinds}
    # Measurements are interleaved (plain, ethics, plain, ...; which goes first
    # alternates per run) so that a busy spell on the machine hits both kinds.
    for repeat in range(args.repeat):
        order = kinds if repeat % 2 == 0 else tuple(reversed(kinds))
        for kind in order:
            run.serial(kind, repeat)
        for kind in order:
            run.parallel(kind)
        run.check(kinds[1])
        print(
            f"  {baseline}: run {repeat + 1}/{args.repeat} done "
            f"({time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
    if args.breakdown:
        run.breakdown = measure_breakdown(sources[kinds[1]], args.pages)
    return run


def measure_breakdown(src: Path, pages: int) -> dict[str, object]:
    """One more full build of the extension project, in a child process, with
    the extension's parts timed (``breakdown.py``): where its time goes."""
    script = HERE / "breakdown.py"
    child = run_child(
        [sys.executable, str(script), "--src", str(src), "--pages", str(pages), "--json"]
    )
    if child.returncode != 0:
        sys.exit(f"breakdown.py failed ({child.returncode}):\n{child.stderr[-3000:]}")
    return json.loads(child.stdout)


def print_breakdown(args: argparse.Namespace, run: Run, reviews: int) -> None:
    """The breakdown, and the per-page cost beside the baseline's (CPU time)."""
    if run.breakdown is None:
        return
    base, _ext = PAIRS[run.baseline]
    print()
    breakdown.print_breakdown(run.breakdown, reviews)
    plain = median(run.samples[base].full_cpu)
    print(
        f"  {base} full build, CPU per page (ms) {1000 * plain / args.pages:8.2f}  "
        "(median of the runs above; the extension's per-page figure is from this one build)"
    )


def report_pair(args: argparse.Namespace, run: Run) -> None:
    base, ext = PAIRS[run.baseline]
    layout = generate.LAYOUT[ext]
    pages = list(generate.iter_pages(args.pages, args.seed, layout=layout))
    slots = sum(p.required for p in pages)
    blank = sum(len(p.unanswered) for p in pages)
    print()
    print(
        f"== baseline {run.baseline!r}: {base} (no extension) against {ext} (sphinx-ethics); "
        f"{args.pages} project pages + 1 summary page, "
        f"{slots} answer slots ({blank} unanswered, {blank / slots:.0%})"
    )
    print()
    print_table(args, run, generate.docname_for(run.edit_index), slots)
    ext_serial = run.serial_warnings[ext]
    print(
        f"-j {JOBS} warnings identical to serial (sorted, every run): {yesno(run.same_warnings)}"
        f" ({len(ext_serial)} serial, {len(run.parallel_warnings[ext])} with -j {JOBS};"
        f" {base}: {len(run.serial_warnings[base])})"
    )
    print(f"-j {JOBS} ethics-report.json identical to serial (every run): {yesno(run.same_report)}")
    reviews = sum(len(p.checklists) for p in pages) if layout == "lean" else len(pages)
    print_breakdown(args, run, reviews)
    if not run.same_warnings:
        for kind in (base, ext):
            serial, parallel = set(run.serial_warnings[kind]), set(run.parallel_warnings[kind])
            for line in sorted(serial - parallel)[:5]:
                print(f"  only serial ({kind}): {line}")
            for line in sorted(parallel - serial)[:5]:
                print(f"  only -j ({kind}): {line}")


def nodes_per_page(doctrees: Path) -> float:
    """Mean node count of the project pages' cached doctrees (what every
    read transform walked, and what is pickled and loaded again to write)."""
    counts = []
    for path in sorted(doctrees.glob("division-*/project-*.doctree")):
        with path.open("rb") as file:
            tree = pickle.load(file)  # our own build's cache
        counts.append(sum(1 for _ in tree.findall()))
    return statistics.mean(counts) if counts else float("nan")


def package_state() -> str:
    """The package version, and its git commit (``+changes`` if edited) when known."""
    import sphinx_ethics

    state = sphinx_ethics.__version__
    package = Path(sphinx_ethics.__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=package,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "."],
            cwd=package,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return state
    return f"{state} (git {commit}{', with uncommitted changes' if dirty else ''})"


def yesno(flag: bool) -> str:
    return "yes" if flag else "NO"


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base and value == value else "n/a"


def met(value: float, base: float, limit: float) -> str:
    if not base or value != value:
        return "n/a"
    return "yes" if value / base <= limit else "NO"


def print_table(args: argparse.Namespace, run: Run, edited_doc: str, slots: int) -> None:
    base, ext = PAIRS[run.baseline]
    plain, ethics = run.samples[base], run.samples[ext]
    header = f"{'measurement':<34}{base:>11}{'sphinx-ethics':>15}{'ratio':>9}  target"
    print(header)
    print("-" * (len(header) + 30))

    def row(label: str, p: str, e: str, r: str, target: str = "") -> None:
        print(f"{label:<34}{p:>11}{e:>15}{r:>9}  {target}".rstrip())

    def timed(label: str, p: float, e: float, limit: float | None = None) -> None:
        target = f"<= {limit:.2f}x  {met(e, p, limit)}" if limit else ""
        row(label, f"{p:.2f}", f"{e:.2f}", ratio(e, p), target)

    full_p, full_e = median(plain.full), median(ethics.full)
    timed("full HTML build (s)", full_p, full_e, TARGET_FULL)
    timed("  CPU time (s)", median(plain.full_cpu), median(ethics.full_cpu), TARGET_FULL)
    row(
        "  wall time per page (ms)",
        f"{1000 * full_p / args.pages:.1f}",
        f"{1000 * full_e / args.pages:.1f}",
        "",
    )
    inc_p, inc_e = median(plain.incremental), median(ethics.incremental)
    timed("1-page incremental rebuild (s)", inc_p, inc_e, TARGET_INCREMENTAL)
    timed(
        "  CPU time (s)",
        median(plain.incremental_cpu),
        median(ethics.incremental_cpu),
        TARGET_INCREMENTAL,
    )
    expected = {edited_doc, generate.SUMMARY_DOC}
    only = all(set(r) <= expected for r in ethics.reread)
    row(
        "  documents re-read",
        str(max((len(r) for r in plain.reread), default=0)),
        str(max((len(r) for r in ethics.reread), default=0)),
        "",
        f"edited page + summary only: {yesno(only)}",
    )
    par_p, par_e = median(plain.parallel), median(ethics.parallel)
    timed(f"-j {JOBS} full HTML build (s)", par_p, par_e)
    row(
        f"  -j {JOBS} / serial",
        ratio(par_p, full_p),
        ratio(par_e, full_e),
        "",
        f"<= {TARGET_PARALLEL:.2f}x  {met(par_e, full_e, TARGET_PARALLEL)}",
    )
    if run.check_cmd is not None:
        chk = median(ethics.check)
        row(
            "sphinx-ethics check (s)",
            "-",
            f"{chk:.2f}",
            ratio(chk, full_e),
            f"<= {TARGET_CHECK:.2f}x of ethics full build  {met(chk, full_e, TARGET_CHECK)}",
        )
    else:
        row("sphinx-ethics check (s)", "-", "n/a", "n/a", "command not available")
    mem_p, mem_e = median(plain.memory), median(ethics.memory)
    row(
        "peak memory, full build (MB)",
        f"{mem_p:.0f}",
        f"{mem_e:.0f}",
        ratio(mem_e, mem_p),
        f"<= {TARGET_MEMORY:.2f}x  {met(mem_e, mem_p, TARGET_MEMORY)}",
    )
    row(
        "environment.pickle (MB)",
        f"{plain.env_mb:.1f}",
        f"{ethics.env_mb:.1f}",
        ratio(ethics.env_mb, plain.env_mb),
    )
    row("warnings, full build", str(plain.warnings), str(ethics.warnings), "")
    row(
        "doctree nodes per page (as read)",
        f"{plain.nodes_per_page:.0f}",
        f"{ethics.nodes_per_page:.0f}",
        ratio(ethics.nodes_per_page, plain.nodes_per_page),
    )
    per_slot = args.pages / slots
    row(
        "  per answer slot",
        f"{plain.nodes_per_page * per_slot:.1f}",
        f"{ethics.nodes_per_page * per_slot:.1f}",
        "",
    )
    print()
    print(f"incremental edit: {edited_doc}; re-read (ethics, run 1): {', '.join(ethics.reread[0])}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200, help="project pages (default 200)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (default 3)")
    parser.add_argument("--seed", type=int, default=1, help="content seed (default 1)")
    parser.add_argument(
        "--baseline",
        choices=[*PAIRS, "both"],
        default="both",
        help="handwritten: three one-checklist reviews a page against the same words written "
        "by hand; full: today's comparison against every label written by hand (default both)",
    )
    parser.add_argument(
        "--out", help="working directory (default benchmarks/out/pages-N; emptied first)"
    )
    parser.add_argument(
        "--no-breakdown",
        dest="breakdown",
        action="store_false",
        help="skip the one extra build that times the summary, report and warnings",
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # kill the running child too
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if args.pages < 1 or args.repeat < 1:
        parser.error("--pages and --repeat must be at least 1")
    measure(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
