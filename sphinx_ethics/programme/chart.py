"""An inline SVG chart of a programme over time: no plotting library, no script.

The share of projects complete and in date, and the share overdue, at each
snapshot date.  The bytes depend only on the points (deterministic); the
chart has ``role="img"``, a ``<title>`` and a ``<desc>`` that says every
number, two line styles and marker shapes (not colour alone) and a text
legend.  The table of the same points is always shown beside it.
"""

from __future__ import annotations

from html import escape
from typing import Any

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 150, 16, 40


def _percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def _describe(point: dict[str, Any]) -> str:
    return (
        f"{point['date']}: {point['complete']} of {point['projects']} complete and in date, "
        f"{point['overdue']} overdue"
    )


def svg(points: list[dict[str, Any]], title: str = "Projects over time") -> str:
    """The chart as one ``<svg>`` element (UTF-8 text, no XML declaration)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(i: int) -> str:
        return f"{LEFT + (i * step if len(points) > 1 else plot_w / 2):.1f}"

    def y(share: float) -> str:
        return f"{TOP + plot_h * (1 - share / 100):.1f}"

    desc = "; ".join(_describe(p) for p in points) or "No snapshots yet."
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ethics-programme-chart" '
        f'role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'aria-labelledby="ethics-chart-title ethics-chart-desc">',
        f'<title id="ethics-chart-title">{escape(title)}</title>',
        f'<desc id="ethics-chart-desc">{escape(desc)}</desc>',
    ]
    for share in (0, 50, 100):
        out.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(share)}" y2="{y(share)}" '
            f'stroke="#999" stroke-width="0.5"/>'
            f'<text x="{LEFT - 6}" y="{y(share)}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="11">{share}%</text>'
        )
    series = (
        ("complete", "Complete and in date", "#1a7f37", ""),
        ("overdue", "Overdue", "#b3261e", ' stroke-dasharray="6 4"'),
    )
    for field, _label, colour, dash in series:
        coords = " ".join(
            f"{x(i)},{y(_percent(p[field], p['projects']))}" for i, p in enumerate(points)
        )
        out.append(
            f'<polyline class="ethics-chart-{field}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{dash} points="{coords}"/>'
        )
    for i, point in enumerate(points):
        complete = y(_percent(point["complete"], point["projects"]))
        overdue = y(_percent(point["overdue"], point["projects"]))
        out.append(
            f'<g class="ethics-chart-point" data-date="{escape(point["date"])}" '
            f'data-projects="{point["projects"]}" data-complete="{point["complete"]}" '
            f'data-overdue="{point["overdue"]}"><title>{escape(_describe(point))}</title>'
            f'<circle cx="{x(i)}" cy="{complete}" r="4" fill="#1a7f37"/>'
            f'<rect x="{float(x(i)) - 4:.1f}" y="{float(overdue) - 4:.1f}" width="8" '
            f'height="8" fill="#b3261e"/></g>'
        )
    if points:
        for i in sorted({0, len(points) - 1}):
            out.append(
                f'<text x="{x(i)}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'font-size="11">{escape(points[i]["date"])}</text>'
            )
        last = points[-1]
        for row, (field, label, colour, dash) in enumerate(series):
            value = f"{_percent(last[field], last['projects']):.0f}%"
            legend_y = TOP + 20 + row * 40
            out.append(
                f'<line x1="{WIDTH - RIGHT + 12}" x2="{WIDTH - RIGHT + 36}" y1="{legend_y}" '
                f'y2="{legend_y}" stroke="{colour}" stroke-width="2"{dash}/>'
                f'<text x="{WIDTH - RIGHT + 42}" y="{legend_y}" dominant-baseline="middle" '
                f'font-size="11">{escape(label)}</text>'
                f'<text x="{WIDTH - RIGHT + 42}" y="{legend_y + 15}" dominant-baseline="middle" '
                f'font-size="11">latest {value}</text>'
            )
    out.append("</svg>")
    return "\n".join(out)
