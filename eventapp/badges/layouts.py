"""Badge stock: A4 sheets of common badge sizes, and the single badge of a door printer.

Plain data: the organiser picks a sheet per event (events.badge_layout); the renderer
places badges by these millimetres.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Sheet:
    key: str
    label: object
    page_width: float  # mm
    page_height: float
    columns: int
    rows: int
    badge_width: float
    badge_height: float

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def left(self) -> float:
        """Margins centre the grid on the page, as label stock is cut."""
        return (self.page_width - self.columns * self.badge_width) / 2

    @property
    def top(self) -> float:
        return (self.page_height - self.rows * self.badge_height) / 2

    def position(self, index: int) -> tuple[float, float]:
        """(left, top) in mm of the badge at `index` on its page."""
        row, column = divmod(index % self.per_page, self.columns)
        return self.left + column * self.badge_width, self.top + row * self.badge_height


SHEETS = {
    sheet.key: sheet for sheet in (
        Sheet("a4-2x4", _l("A4, 2 × 4 badges of 90 × 54 mm (name badge holders)"),
              210, 297, 2, 4, 90, 54),
        Sheet("a4-2x5", _l("A4, 2 × 5 labels of 91 × 55 mm (business card stock)"),
              210, 297, 2, 5, 91, 55),
    )
}
DEFAULT_SHEET = "a4-2x4"
# One badge a page, for the door's label or card printer.
SINGLE = Sheet("single", _l("One badge of 90 × 54 mm"), 90, 54, 1, 1, 90, 54)


def sheet_for(key: str | None) -> Sheet:
    return SHEETS.get(key or "", SHEETS[DEFAULT_SHEET])


def sheet_choices() -> list[tuple[str, str]]:
    return [(sheet.key, str(sheet.label)) for sheet in SHEETS.values()]
