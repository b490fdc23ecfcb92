"""Text that shrinks to fit its box: widths measured with the embedded font's own
advances (Noto Sans CJK JP, read with fontTools), so a long name or organisation gets a
smaller size, or a second line at a floor size, and is never cut mid-glyph.
"""

from functools import lru_cache

from fontTools.ttLib import TTCollection

FONT_FILES = {
    False: "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    True: "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
}
FONT_FAMILY = "Noto Sans CJK JP"
JP_INDEX = 0  # Noto Sans CJK JP is the first font of Debian's collections
PT_PER_MM = 72 / 25.4
# What the renderer may add to a run of text (kerning off, rounding): measured widths
# are taken this much larger.
SAFETY = 1.04


@lru_cache(maxsize=2)
def _advances(bold: bool) -> tuple[dict[int, float], float]:
    """Advance widths in em per code point, and the em of a missing glyph."""
    font = TTCollection(FONT_FILES[bold], lazy=True).fonts[JP_INDEX]
    per_em = font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    widths = {code: metrics[glyph][0] / per_em for code, glyph in font.getBestCmap().items()}
    return widths, 1.0


def width_em(text: str, bold: bool = False) -> float:
    widths, missing = _advances(bold)
    return sum(widths.get(ord(c), missing) for c in text) * SAFETY


def fitted_size(text: str, box_mm: float, largest: float, smallest: float,
                bold: bool = False, lines: int = 1) -> tuple[float, int]:
    """(font size in pt, lines) for `text` in a box `box_mm` wide: the largest size up to
    `largest` on the fewest lines (up to `lines`) that keep it at `smallest` or more;
    text too long even then gets the size that fits `lines` lines. Never wider than the
    box: it wraps between words, or between glyphs, never inside one."""
    em = width_em(text, bold)
    if not em:
        return largest, 1
    box_pt = box_mm * PT_PER_MM
    size = box_pt / em
    for count in range(1, lines + 1):
        # A wrapped line ends where a word or glyph ends: allow a word's slack a line.
        size = box_pt / em if count == 1 else box_pt / (em / count * 1.15 + 1.0)
        if size >= smallest:
            return round(min(largest, size), 2), count
    return round(size, 2), lines
