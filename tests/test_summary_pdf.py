"""The summary in the PDF: every governance column on the page, no cell cut (SPEC 11).

``roots/test-governance`` has the widest summary of the test roots: a field
column (``:fields: registration``), *Signed off* and *Referral*, and two
overdue reviews.  Its PDF is read back with ``pdftotext -bbox`` (as
``test_overdue_pdf`` does): each word's box must stay inside its column
and inside the text block, and every date and badge must be whole.
"""

from __future__ import annotations

import re
import shutil
from html import unescape

import pytest
from helpers import ROOTS, latexpdf, missing, pdftotext

ROOT = ROOTS / "test-governance"
#: The header words that start each column, left to right.
COLUMNS = ("Review", "Status", "Answered", "Review", "QI", "Signed", "Referral")
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


@pytest.fixture(scope="module")
def summary_page(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[float, float, float, str]]:
    """The words of the page with the summary: (xMin, yMin, xMax, text)."""
    if shutil.which("latexmk") is None:
        missing("latexmk (TeX Live) is not installed")
    pdf = latexpdf(ROOT, tmp_path_factory.mktemp("summary-pdf"))
    pages = pdftotext(pdf, "-bbox").split("<page ")[1:]
    found = []
    for page in pages:
        words = [
            (float(x0), float(y0), float(x1), unescape(text))
            for x0, y0, x1, _y1, text in WORD.findall(page)
        ]
        if "Referral" in [w[3] for w in words] and "STATUS" in [w[3] for w in words]:
            found.append(words)
    assert len(found) == 1, "one page holds the summary"
    return found[0]


def test_every_cell_stays_in_its_column_and_on_the_page(summary_page):
    words = summary_page
    # The header row: the first "Review" after the chapter title, and the words level with it.
    top = next(y for _x, y, _x1, text in words if text == "Review")
    header = [w for w in words if abs(w[1] - top) < 1 and w[3] in COLUMNS]  # not "by", "off"
    assert tuple(w[3] for w in sorted(header)) == COLUMNS
    starts = [w[0] for w in sorted(header)]
    right = max(x1 for _x, _y, x1, text in words if text in ("CHAPTER", "FOUR", "STATUS"))
    body = [w for w in words if w[1] > top + 1 and w[3] != "11"]  # not the page number
    assert body
    outside, crossing = [], []
    for x0, _y, x1, text in body:
        if x1 > right + 0.5:
            outside.append((text, x1))
        column = max(i for i, start in enumerate(starts) if start <= x0 + 0.5)
        if column + 1 < len(starts) and x1 > starts[column + 1] - 2:
            crossing.append((text, COLUMNS[column], round(x1), round(starts[column + 1])))
    assert not outside, f"words past the right margin ({right:.0f}pt): {outside}"
    assert not crossing, f"words running into the next column: {crossing}"


def test_dates_badges_and_ids_are_whole(summary_page):
    texts = [w[3] for w in summary_page]
    assert texts.count("Overdue") == 4  # two overdue reviews: Status and Review by
    dates = [t for t in texts if re.match(r"\d{4}-", t)]
    assert dates and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}[;,]?", t) for t in dates), dates
    assert {"QI-1", "QI-2", "QI-3"} <= set(texts)
    broken = [t for t in texts if t.endswith("-")]
    assert not broken, f"words broken at a line end: {broken}"
