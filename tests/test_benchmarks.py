"""Smoke test of the benchmark generator (benchmarks/generate.py): small and fast."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import sphinx_build

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
import generate  # noqa: E402  (benchmarks/, put on the path above)


def build(src: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return sphinx_build("-q", "-b", "html", *options, src, out)


@pytest.mark.parametrize("kind", generate.KINDS)
def test_generated_project_builds_with_W(tmp_path: Path, kind: str) -> None:
    # Every slot answered and nothing overdue: the project must build cleanly.
    src = generate.generate(3, tmp_path / "src", kind, unanswered=0.0, today="2026-01-01")
    result = build(src, tmp_path / "html", "-W")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "html" / f"{generate.SUMMARY_DOC}.html").is_file()


def test_benchmark_project_matches_its_model(tmp_path: Path) -> None:
    # With 10 % of slots blank the ethics build warns once per blank slot, and
    # its report agrees with the content model the plain baseline is written from.
    pages = list(generate.iter_pages(3, seed=1))
    src = generate.generate(3, tmp_path / "src", "ethics")
    result = build(src, tmp_path / "html")
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("[ethics.unanswered]") == sum(len(p.unanswered) for p in pages)
    report = json.loads((tmp_path / "html" / "ethics-report.json").read_text("utf-8"))
    assert [(r["required"], r["answered"]) for r in report["reviews"]] == [
        (p.required, p.answered) for p in pages
    ]


def test_generator_is_deterministic(tmp_path: Path) -> None:
    for kind in generate.KINDS:
        first = generate.generate(4, tmp_path / "a" / kind, kind)
        second = generate.generate(4, tmp_path / "b" / kind, kind)
        files = sorted(p.relative_to(first) for p in first.rglob("*.rst"))
        assert files == sorted(p.relative_to(second) for p in second.rglob("*.rst"))
        for name in files:
            assert (first / name).read_bytes() == (second / name).read_bytes()


def test_lean_and_handwritten_pages_carry_the_same_words(tmp_path: Path) -> None:
    # The handwritten baseline is fair only if it holds the same question
    # texts and answers as the lean review it is compared with.
    page = generate.make_page(1, 0, layout="lean")
    lean = generate.page_text(page, "lean")
    handwritten = generate.page_text(page, "handwritten")
    assert lean.count(".. ethics-review::") == 3
    assert ".. ethics-" not in handwritten
    squeeze = "".join  # line wrapping may break at hyphens: compare without spaces
    lean, handwritten = squeeze(lean.split()), squeeze(handwritten.split())
    for question in page.slots():
        assert squeeze(question.text.split()) in handwritten
        for paragraph in page.answers[question.id].paragraphs:
            assert squeeze(paragraph.split()) in lean
            assert squeeze(paragraph.split()) in handwritten


def test_benchmark_counts_doctree_nodes(tmp_path: Path) -> None:
    import run  # benchmarks/run.py

    src = generate.generate(2, tmp_path / "src", "lean", unanswered=0.0, today="2026-01-01")
    result = build(src, tmp_path / "html", "-d", tmp_path / "doctrees")
    assert result.returncode == 0, result.stderr
    assert 50 < run.nodes_per_page(tmp_path / "doctrees") < 1000


def test_breakdown_times_the_summary_report_and_warnings(tmp_path: Path, capsys) -> None:
    import breakdown  # benchmarks/breakdown.py

    src = generate.generate(2, tmp_path / "src", "lean")
    result = breakdown.measure(src, 2)
    assert result["summary_table"] > 0  # the table was built, and timed
    assert result["summary"] >= result["summary_table"]
    assert result["report"] > 0 and result["warnings"] > 0
    assert result["warning_count"] > 0
    assert result["per_page_ms"] > 0
    breakdown.print_breakdown(result, reviews=6)
    shown = capsys.readouterr().out
    for part in ("summary page", "warnings (project check)", "report (JSON", "per page"):
        assert part in shown
