"""Reading an uploaded invitation list into a header and rows of cells: a CSV in the
encodings offices save (UTF-8 with or without BOM, UTF-16, Japanese Excel's CP932) or
the first sheet of an XLSX file. What the cells mean is columns.py's business.

The encoding is detected, not asked for: a byte order mark first, then the NUL bytes
that UTF-16 text without a BOM is full of, then strict UTF-8 (which random bytes almost
never pass), then CP932. Python's own codecs do it; a guessing library would add
nothing for these four and guess worse on short files.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ALLOWED_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
MAX_COLUMNS = 60
# Refused before anything is kept (200 KB of XLSX can unpack to 200 MB): the unpacked size
# the zip declares (zipfile reads no further).
MAX_XLSX_UNPACKED = 20 * 1024 * 1024

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))
# CP932 decodes a few bytes no Japanese text has to private-use or C1 control
# characters: a file read that way is in some other encoding.
_NOT_JAPANESE_TEXT = re.compile("[\x80-\x9f\ue000-\uf8ff]")

ENCODING_NAMES = {
    "utf-8": _l("UTF-8"),
    "utf-8-sig": _l("UTF-8 with BOM"),
    "utf-16": _l("UTF-16"),
    "utf-16-le": _l("UTF-16 (little-endian, without BOM)"),
    "utf-16-be": _l("UTF-16 (big-endian, without BOM)"),
    "cp932": _l("Shift_JIS (CP932, Japanese Excel's CSV)"),
    "xlsx": _l("Excel workbook (.xlsx)"),
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why, for the organiser."""


@dataclass
class Table:
    header: list
    records: Iterable  # rows of cell values, the header left out
    encoding: str  # a key of ENCODING_NAMES


def encoding_name(code: str | None) -> str:
    return str(ENCODING_NAMES.get(code or "", code or ""))


def _utf16_without_bom(content: bytes) -> str | None:
    """UTF-16 without a BOM: mostly ASCII text, so every other byte is NUL."""
    sample = content[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd > half * 0.3 and even < half * 0.05:
        return "utf-16-le"
    if even > half * 0.3 and odd < half * 0.05:
        return "utf-16-be"
    return None


def decode_text(content: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read in."""
    encoding = next((name for bom, name in BOMS if content.startswith(bom)), None)
    if encoding is None and b"\x00" in content[:4096]:
        encoding = _utf16_without_bom(content)
        if encoding is None:
            raise ImportFileError(_("This is not a CSV or XLSX file."))
    candidates = [encoding] if encoding else ["utf-8", "cp932"]
    for candidate in candidates:
        try:
            text = content.decode(candidate)
        except UnicodeDecodeError:
            continue
        if candidate == "cp932" and _NOT_JAPANESE_TEXT.search(text):
            continue
        if "\x00" in text:  # a NUL inside text: binary, or the wrong UTF-16 guess
            break
        return text, candidate
    raise ImportFileError(_(
        "The file's text could not be read: it is neither UTF-8, UTF-16 nor Shift_JIS "
        "(CP932). In Excel, save it as “CSV UTF-8” or “CSV (comma delimited)”, or upload "
        "the .xlsx file itself."))


def _csv_table(content: bytes) -> Table:
    text, encoding = decode_text(content)
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as e:
        raise ImportFileError(_("The CSV file could not be read: %(error)s.",
                                error=str(e))) from e
    if not records:
        raise ImportFileError(_("The file is empty."))
    return Table(records[0], records[1:], encoding)


@contextmanager
def _xlsx_table(content: bytes) -> Iterator[Table]:
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED:
            raise ImportFileError(_("The XLSX file unpacks to more than %(mb)d MB; check it, "
                                    "or save the list as CSV and upload that.",
                                    mb=MAX_XLSX_UNPACKED // (1024 * 1024)))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("The XLSX file could not be read; is it damaged?")) from e
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The XLSX file has no sheet."))
        records = workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header = next(records, None)
        if header is None:
            raise ImportFileError(_("The first sheet of the XLSX file is empty."))
        yield Table(list(header), records, "xlsx")
    finally:
        workbook.close()


@contextmanager
def open_table(filename: str, content: bytes) -> Iterator[Table]:
    """The file's header and rows (an XLSX's are read while the context is open).
    Raises ImportFileError with a message for the organiser."""
    extension = Path(filename or "").suffix.lower()
    if extension and extension not in ALLOWED_EXTENSIONS:
        raise ImportFileError(_("Upload a CSV (.csv) or Excel (.xlsx) file. Other "
                                "spreadsheets can be saved as one of these."))
    if not content.strip():
        raise ImportFileError(_("The file is empty."))
    damaged = _("The XLSX file could not be read; is it damaged?")
    if content[:4] == b"PK\x03\x04":
        if not zipfile.is_zipfile(io.BytesIO(content)):
            raise ImportFileError(damaged)
        with _xlsx_table(content) as table:
            yield table
        return
    if extension in (".xlsx", ".xlsm"):
        raise ImportFileError(damaged)
    yield _csv_table(content)
