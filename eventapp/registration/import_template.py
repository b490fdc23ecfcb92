"""The import template an organiser downloads: every column the import reads, with
English headers, and one example row that is valid for the event (it imports as one
person). Written by the export writers, so it opens in Excel with Japanese intact."""

from __future__ import annotations

from ..models import Event, NetworkingSide
from ..questions.imports import template_columns
from ..reports import exports
from .columns import COLUMNS

WIDTHS = (18, 18, 28, 12, 24, 8, 16, 16, 8, 10, 24, 24, 18)


def example_row(event: Event) -> list[str]:
    """A company representative where the event has such a category (it shows the most
    columns filled in), else its first category; lists only where the category has them."""
    categories = list(event.categories)
    category = next((c for c in categories if c.networking_side == NetworkingSide.OFFER),
                    categories[0] if categories else None)
    fields = set(category.fields) if category else set()
    area = event.technology_areas[0].code if event.technology_areas else ""
    values = {
        "name": "山田 太郎", "name_kana": "やまだ たろう", "email": "taro.yamada@example.com",
        "category": category.code if category else "", "organisation": "サンプル技研株式会社",
        "country": "JP", "job_title": "営業部長", "phone": "03-1234-5678", "language": "ja",
        "networking_opt_in": "yes" if category and category.networking_side != NetworkingSide.NONE else "no",
        "technologies_offered": area if "technologies_offered" in fields else "",
        "technology_needs": area if "technology_needs" in fields else "",
        "target_countries": "KE; TZ" if "target_countries" in fields else "",
    }
    return [values[column] for column in COLUMNS] + [v for _c, v in template_columns(event, category)]


def header(event: Event) -> list[str]:
    """The columns, then one per question (headed by its code)."""
    return list(COLUMNS) + [code for code, _v in template_columns(event)]


def template_csv(event: Event) -> str:
    """UTF-8 with a byte order mark, which Excel needs to read Japanese."""
    return "".join(exports.csv_chunks(header(event), [example_row(event)]))


def template_sheet(event: Event) -> exports.Sheet:
    return exports.Sheet("registrations", header(event), [example_row(event)], WIDTHS)
