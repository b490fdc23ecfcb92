"""Badges, table cards and the paper check-in list as PDF, by WeasyPrint.

WeasyPrint lays out HTML and CSS with pango and harfbuzz, and embeds the fonts it uses
as subsets: Noto Sans CJK JP (OpenType/CFF, which ReportLab's TrueType embedding cannot
take). Sizes that shrink to fit are measured beforehand (fit.py), as CSS has no
"fit this text to its box". QR symbols are the ticket's (registration/tickets.py), drawn
one pixel a module and scaled without smoothing, so they stay sharp at any print size.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from flask import Response, render_template
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration

from ..registration.tickets import qr_png
from .fit import FONT_FAMILY, fitted_size
from .layouts import SINGLE, Sheet
from .services import BadgeData

PDF_MIMETYPE = "application/pdf"

# A badge's inner layout in mm, for a 90 × 54 mm badge (others are close to it).
PADDING = 3.0
BAND = 8.0
QR_SIZE = 22.0
GAP = 2.0


@dataclass(frozen=True)
class PlacedBadge:
    """A badge with its place on the page and its fitted type sizes (pt)."""

    badge: BadgeData
    left: float
    top: float
    qr: str
    name_size: float
    name_lines: int
    reading_size: float
    romanised_size: float
    organisation_size: float
    organisation_lines: int
    country_size: float
    category_size: float


def pdf_response(body: bytes, filename: str) -> Response:
    # Inline: the browser's viewer opens it, ready for its print dialog.
    return Response(body, mimetype=PDF_MIMETYPE, headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"})


def qr_data_uri(text: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(text, 1)).decode("ascii")


def text_width(sheet: Sheet) -> float:
    return sheet.badge_width - 2 * PADDING - QR_SIZE - GAP


def place(badge: BadgeData, sheet: Sheet, index: int) -> PlacedBadge:
    left, top = sheet.position(index)
    width = text_width(sheet)
    name_size, name_lines = fitted_size(badge.name.name, width, 20, 11, bold=True, lines=2)
    organisation_size, organisation_lines = fitted_size(badge.organisation, width, 10, 6.5,
                                                        lines=3)
    return PlacedBadge(
        badge, left, top, qr_data_uri(badge.code), name_size, name_lines,
        fitted_size(badge.name.reading, width, 8, 5)[0],
        fitted_size(badge.name.romanised, width, 9, 5)[0],
        organisation_size, organisation_lines,
        fitted_size(badge.country, width, 8, 5)[0],
        fitted_size(badge.category, sheet.badge_width - 2 * PADDING, 10, 5, bold=True)[0])


def pages_of(badges: Sequence[BadgeData], sheet: Sheet) -> list[list[PlacedBadge]]:
    return [[place(badge, sheet, i) for i, badge in enumerate(badges[start:start + sheet.per_page])]
            for start in range(0, len(badges), sheet.per_page)]


@lru_cache(maxsize=1)
def _font_config() -> FontConfiguration:
    return FontConfiguration()


def write_pdf(html: str) -> bytes:
    return HTML(string=html).write_pdf(font_config=_font_config())


def badges_pdf(badges: Sequence[BadgeData], sheet: Sheet, title: str, language: str) -> bytes:
    html = render_template("badges/badges.html", pages=pages_of(badges, sheet), sheet=sheet,
                           layout=_layout(sheet), font=FONT_FAMILY, title=title,
                           language=language)
    return write_pdf(html)


def single_badge_pdf(badge: BadgeData, title: str, language: str) -> bytes:
    return badges_pdf([badge], SINGLE, title, language)


def _layout(sheet: Sheet) -> dict[str, float]:
    return {"padding": PADDING, "band": BAND, "qr": QR_SIZE, "text": text_width(sheet)}


@dataclass(frozen=True)
class TableCard:
    number: int
    url: str
    qr: str


def table_cards_pdf(event_title: str, session_name: str, cards: Sequence[tuple[int, str]],
                    title: str, language: str) -> bytes:
    placed = [TableCard(number, url, qr_data_uri(url)) for number, url in cards]
    return write_pdf(render_template(
        "badges/table_cards.html", cards=placed, event_title=event_title,
        session_name=session_name, session_size=fitted_size(session_name, 170, 22, 10,
                                                            lines=2)[0],
        font=FONT_FAMILY, title=title, language=language))


def checkin_list_pdf(rows: Sequence[BadgeData], event_title: str, printed_at: str,
                     timezone: str, title: str, language: str) -> bytes:
    return write_pdf(render_template(
        "badges/checkin_list.html", rows=rows, event_title=event_title,
        printed_at=printed_at, timezone=timezone, font=FONT_FAMILY, title=title,
        language=language))
