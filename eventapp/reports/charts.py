"""Bar charts drawn on the server as inline SVG: no script and no external asset, sharp
on screen and on paper, and they scale to the width of a phone.

Only presentation attributes are used (fill, font-size): the Content-Security-Policy
forbids inline style attributes. Labels are escaped; long ones are shortened, with the
full text kept in a <title> tooltip and in the table beside each chart.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

from .. import timefmt
from .figures import Arrivals, Report, Row

WIDTH = 360  # viewBox units; the SVG itself is as wide as its container (phone: ~1:1)
# Dark and light blue stay apart when printed in grey; the light bar gets an outline.
FILLS = ("#0b5cab", "#9cc8f2")
INK, MUTED, LINE = "#1d2430", "#5d6777", "#c9ced6"
LABEL_SIZE, VALUE_SIZE, BAR, BAR_GAP, ROW_GAP = 14, 12, 10, 3, 9
MAX_COUNTRY_ROWS = 12
MAX_PRINTED_ROWS = 12  # the printed report stays within two A4 pages


def _text_width(text: str, size: float) -> float:
    """Rough rendered width: CJK characters take a full em, Latin about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.56
               for ch in text) * size


def _shorten(text: str, width: float, size: float) -> str:
    if _text_width(text, size) <= width:
        return text
    while text and _text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _svg(chart_id: str, title: str, height: float, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="{WIDTH}" height="{height:.0f}" role="img" aria-labelledby="{chart_id}-title" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="inherit" fill="{INK}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>{"".join(body)}</svg>')


def _legend(series: Sequence[str], y: float) -> list[str]:
    parts, x = [], 0.0
    for index, name in enumerate(series):
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="10" height="10" fill="{FILLS[index]}" '
                     f'stroke="{FILLS[0]}" stroke-width="0.8"/>'
                     f'<text x="{x + 14:.1f}" y="{y + 9}" font-size="{VALUE_SIZE}">'
                     f'{escape(name)}</text>')
        x += 14 + _text_width(name, VALUE_SIZE) + 16
    return parts


def bar_chart(chart_id: str, title: str, rows: Sequence[tuple[str, Sequence[int]]],
              series: Sequence[str]) -> Markup | None:
    """Horizontal bars, one group per row, the label above its bars (room for long
    organisation names and Japanese text on a narrow screen)."""
    if not rows:
        return None
    top = max((v for _label, values in rows for v in values), default=0) or 1
    value_room = _text_width(str(top), VALUE_SIZE) + 8
    scale = (WIDTH - value_room) / top
    body = _legend(series, 0) if len(series) > 1 else []
    y = 20.0 if len(series) > 1 else 0.0
    for label, values in rows:
        short = _shorten(label, WIDTH, LABEL_SIZE)
        tooltip = f"<title>{escape(label)}</title>" if short != label else ""
        body.append(f'<text x="0" y="{y + LABEL_SIZE:.1f}" font-size="{LABEL_SIZE}">'
                    f'{tooltip}{escape(short)}</text>')
        bar_y = y + LABEL_SIZE + 5
        for index, value in enumerate(values):
            length = value * scale
            if length:
                body.append(f'<rect class="bar s{index}" x="0" y="{bar_y:.1f}" '
                            f'width="{length:.1f}" height="{BAR}" fill="{FILLS[index]}" '
                            f'stroke="{FILLS[0]}" stroke-width="0.6"/>')
            body.append(f'<text x="{length + 4:.1f}" y="{bar_y + BAR - 1:.1f}" '
                        f'font-size="{VALUE_SIZE}" fill="{MUTED}">{_number(value)}</text>')
            bar_y += BAR + BAR_GAP
        y = bar_y + ROW_GAP
    return _svg(chart_id, title, y - ROW_GAP + 2, body)


def column_chart(chart_id: str, title: str, bins: Sequence[tuple[str, int]]) -> Markup | None:
    """Vertical bars over time, a time label under every few bars; None for fewer
    than two bars with arrivals, which a sentence says better (narrative.arrivals_sentence)."""
    if sum(1 for _label, v in bins if v) < 2:
        return None
    plot_top, plot_height, label_room = 16.0, 130.0, 18.0
    top = max(v for _label, v in bins) or 1
    slot = WIDTH / len(bins)
    bar_width = max(slot * 0.78, 1.0)
    tick_every = max(1, math.ceil(len(bins) / 8))
    baseline = plot_top + plot_height
    body = [f'<line x1="0" y1="{plot_top}" x2="{WIDTH}" y2="{plot_top}" stroke="{LINE}" '
            f'stroke-dasharray="3 3"/>',
            f'<text x="{WIDTH}" y="{plot_top - 4}" font-size="{VALUE_SIZE}" fill="{MUTED}" '
            f'text-anchor="end">{top}</text>']
    for index, (label, value) in enumerate(bins):
        x = index * slot + (slot - bar_width) / 2
        height = value / top * plot_height
        if height:
            body.append(f'<rect class="bar s0" x="{x:.1f}" y="{baseline - height:.1f}" '
                        f'width="{bar_width:.1f}" height="{height:.1f}" fill="{FILLS[0]}">'
                        f'<title>{escape(label)}: {value}</title></rect>')
        if len(bins) <= 24 and value:
            body.append(f'<text x="{x + bar_width / 2:.1f}" y="{baseline - height - 3:.1f}" '
                        f'font-size="9" text-anchor="middle" fill="{MUTED}">{value}</text>')
        if index % tick_every == 0:
            body.append(f'<text x="{index * slot:.1f}" y="{baseline + 14:.1f}" '
                        f'font-size="{VALUE_SIZE}" fill="{MUTED}">{escape(label)}</text>')
    body.append(f'<line x1="0" y1="{baseline}" x2="{WIDTH}" y2="{baseline}" stroke="{INK}"/>')
    return _svg(chart_id, title, baseline + label_room, body)


def top_rows(rows: Sequence[Row], limit: int, other_label: str) -> list[tuple[str, list[int]]]:
    """The first `limit` rows, the rest summed into one "other" row."""
    if len(rows) <= limit + 1:
        return [(r.label, [r.registered, r.checked_in]) for r in rows]
    shown = [(r.label, [r.registered, r.checked_in]) for r in rows[:limit]]
    rest = rows[limit:]
    if rest:
        shown.append((other_label, [sum(r.registered for r in rest),
                                    sum(r.checked_in for r in rest)]))
    return shown


def arrival_labels(arrivals: Arrivals, tz: str) -> list[tuple[str, int]]:
    if arrivals.bin_minutes >= 24 * 60:
        return [(timefmt.day(start, tz), n) for start, n in arrivals.bins]
    return [(timefmt.clock(start, tz, zone=False), n) for start, n in arrivals.bins]


def report_charts(report: Report, printed: bool = False) -> dict[str, Markup | None]:
    """Every chart of the report; the printed one keeps the largest technology areas."""
    both = (_("Registered"), _("Checked in"))
    technologies = report.technologies
    if printed:
        technologies = sorted(technologies, key=lambda t: -(t.offered + t.needed))
        technologies = [t for t in technologies[:MAX_PRINTED_ROWS] if t.offered + t.needed]
    return {
        "categories": bar_chart(
            "chart-categories", _("Registered and checked in by category"),
            top_rows(report.categories, MAX_PRINTED_ROWS if printed else len(report.categories),
                     _("Other categories")), both),
        "countries": bar_chart(
            "chart-countries", _("Registered and checked in by country"),
            top_rows(report.countries, MAX_COUNTRY_ROWS, _("Other countries")), both),
        "organisations": bar_chart(
            "chart-organisations", _("Organisations with the most registrations"),
            [(r.label, [r.registered, r.checked_in]) for r in report.organisations], both),
        "technologies": bar_chart(
            "chart-technologies", _("Technology areas offered and needed"),
            [(t.label, [t.offered, t.needed]) for t in technologies],
            (_("Offered"), _("Needed"))),
        "arrivals": column_chart(
            "chart-arrivals", _("Check-ins over time"), arrival_labels(report.arrivals, report.event.timezone)),
    }
