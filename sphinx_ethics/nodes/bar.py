"""A review's progress as a small inline SVG bar (``ethics-summary``, HTML only).

Like the programme chart (:mod:`sphinx_ethics.programme.chart`): no plotting
library, no script, deterministic bytes, ``role="img"`` with a ``<title>``
and a ``<desc>`` that say the numbers, and fill as well as colour (the
answered part is solid, the rest empty inside an outline; no ``id``, so a
table of 2,400 bars repeats none).  The table cell beside it always shows
the same numbers as text; LaTeX and the other builders show only that.

Only numbers and escaped strings make its text: the label is translated
text, escaped here, and never a review's own words.
"""

from __future__ import annotations

from html import escape

WIDTH, HEIGHT = 80, 10


def progress_bar(answered: int, required: int, complete: bool, label: str) -> str:
    """One ``<svg>`` element: the answered share filled, the rest empty.

    ``label`` (e.g. "9 of 11 required questions answered") is escaped;
    ``complete`` picks the fill (a complete review may still have problems
    of its own, so it is the table's judgement, not ``answered == required``).
    """
    answered, required = int(answered), int(required)
    filled = round(WIDTH * answered / required) if required else WIDTH
    filled = max(0, min(WIDTH, filled))
    state = "complete" if complete else "incomplete"
    text = escape(label)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ethics-progress-bar '
        f'ethics-progress-bar-{state}" role="img" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" aria-label="{text}" data-answered="{answered}" '
        f'data-required="{required}"><title>{text}</title>'
        f"<desc>{answered} / {required}</desc>"
        f'<rect class="ethics-progress-bar-done" width="{filled}" height="{HEIGHT}" '
        f'fill="{"#1a7f37" if complete else "#2f5f8f"}"/>'
        f'<rect x="0.5" y="0.5" width="{WIDTH - 1}" height="{HEIGHT - 1}" fill="none" '
        'stroke="#595959"/></svg>'
    )
