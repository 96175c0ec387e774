"""Every standard builder, on the example project and on test roots (SPEC section 2).

The example QI project (``examples/falls-prevention``) is fully answered, so
it must build with ``-W`` in every builder.  The LaTeX output is compiled to
PDF when ``latexmk`` is installed, and its text is read back with
``pdftotext`` (poppler-utils) when that is installed.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from helpers import EXAMPLE, REPO, ROOTS, latexpdf, no_crash, norm, pdf_text, sphinx_build

BUILDERS = [
    "html",
    "dirhtml",
    "singlehtml",
    "latex",
    "epub",
    "text",
    "man",
    "texinfo",
    "gettext",
    "dummy",
]

#: A sentence of the example's answer to plan-5 (marked not applicable).
NOT_APPLICABLE_ANSWER = "The project has no penalties for non-compliance"
#: A sentence of the example's answer to plan-1.
ANSWER = "We want inpatient care on Wards 7 and 8 to be safer"


def build(builder: str, src: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    # A doctree directory of its own: by default Sphinx puts it inside the
    # output directory, and packaging builders (epub) then see it.
    return sphinx_build("-W", "-b", builder, "-d", tmp / "doctrees", *extra, src, tmp / builder)


@pytest.mark.parametrize(
    "builder",
    BUILDERS,
)
def test_example_builds_with_W(tmp_path: Path, builder: str):
    result = build(builder, EXAMPLE, tmp_path)
    no_crash(result)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("builder", BUILDERS)
def test_every_directive_in_every_builder(tmp_path: Path, builder: str):
    """A complete review, a worksheet, tips and definitions: clean in every builder."""
    result = build(builder, ROOTS / "test-complete", tmp_path)
    no_crash(result)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def example_text(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("example-text")
    result = build("text", EXAMPLE, tmp)
    assert result.returncode == 0, result.stderr
    return tmp / "text"


def test_text_output_has_questions_and_answers(example_text: Path):
    text = norm((example_text / "ethics-review.txt").read_text("utf-8"))
    assert "Which aspects of healthcare are you trying to improve, and in what ways?" in text
    assert "What harms, problems, or gaps are you trying to address?" in text
    assert ANSWER in text
    assert NOT_APPLICABLE_ANSWER in text
    assert "Not applicable" in text
    assert "10.1017/9781009325233" in text
    coproduction = norm((example_text / "coproduction-review.txt").read_text("utf-8"))
    assert "How do we ensure that power imbalances don't undermine collaboration?" in coproduction
    assert "Are we genuinely listening to all voices?" in coproduction


@pytest.fixture(scope="module")
def example_latex(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("example-latex")
    result = build("latex", EXAMPLE, tmp)
    assert result.returncode == 0, result.stderr
    return tmp / "latex"


def test_latex_output_uses_sphinxethics(example_latex: Path):
    (tex_file,) = example_latex.glob("*.tex")
    tex = tex_file.read_text("utf-8")
    assert re.search(r"\\usepackage(\[[^]]*\])?\{sphinxethics\}", tex)
    assert (example_latex / "sphinxethics.sty").is_file()
    for number in ("1.", "2a.", "2d.", "3a.", "1d."):
        assert re.search(rf"\{{{re.escape(number)}\}}", tex), number
    flat = " ".join(tex.split())
    assert "What harms, problems, or gaps are you trying to address?" in flat
    assert "Not applicable" in flat
    assert "no penalties for non" in flat  # TeX may hyphenate "non-compliance"
    assert "10.1017/9781009325233" in flat


# --------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------

needs_latexmk = pytest.mark.usefixtures("latexmk")


@needs_latexmk
def test_example_compiles_to_pdf(tmp_path: Path):
    pdf = latexpdf(EXAMPLE, tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    text = pdf_text(pdf)
    assert "Not applicable" in text
    assert "The project has no penalties for non-compliance" in text
    assert "Which aspects of healthcare are you trying to improve" in text
    # Governance: the referral box at the top of the screening review, and
    # the sign-off (signature) table with each role, name and decision.
    assert "Refer to: Information governance, because screening-2 is unsure." in text
    assert "Outcome: approved-with-conditions by Priya Nair" in text
    assert "Sign-off Role Name Date Decision Comment or conditions" in text
    for words in ("Patient partner", "Margaret Ellis", "Approved with conditions", "2026-09-15"):
        assert words in text, words


@needs_latexmk
def test_placeholders_optional_slots_and_worksheets_compile_to_pdf(tmp_path: Path):
    pdf = latexpdf(ROOTS / "test-latex", tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Not yet answered" in text
    assert "Optional" in text
    assert "Not applicable" in text
    assert "Nothing about the care pathway changes" in text
    assert "A draft answer: bedside checks and a leaflet." in text
    assert "Partial review for print" in text
    assert "Ethical analysis" in text and "Examine assumptions" in text
    assert "10.1017/9781009325233" in text
    # Worksheet: a "Notes" label and ruled lines (drawn as rules or underscores).
    assert "Notes" in text


def test_latex_root_tex_has_placeholders_and_worksheet(tmp_path: Path):
    result = sphinx_build("-b", "latex", ROOTS / "test-latex", tmp_path / "latex")
    no_crash(result)
    assert result.returncode == 0, result.stderr
    tex = " ".join((tmp_path / "latex" / "ethics-latex.tex").read_text("utf-8").split())
    assert "Not yet answered" in tex
    assert "Optional" in tex
    assert "ethics-worksheet" in tex or "ethics-rule" in tex


# --------------------------------------------------------------------------
# The project's own documentation
# --------------------------------------------------------------------------


def test_docs_build_with_W(tmp_path: Path):
    docs = REPO / "docs"
    result = sphinx_build("-W", "-b", "html", "-d", tmp_path / "doctrees", docs, tmp_path / "html")
    no_crash(result)
    assert result.returncode == 0, result.stderr
