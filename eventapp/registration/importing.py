"""Importing an invitation list: read a CSV or XLSX file, check every row, register.

The flow keeps the uploaded rows on the server (import_store.py): after the upload the
parsed rows are written to instance/imports/<random token>.json and the organiser's
browser only holds the token. Rows are checked again when the import runs, since registrations
may have arrived in between. The import itself is one transaction under the event
lock, so capacity is respected and no duplicate can slip in between check and write.
"""

from __future__ import annotations

import csv
import io
import re
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from flask_babel import gettext as _

from ..events.services import lock_event
from ..extensions import db
from ..i18n import join_list
from ..models import ACTIVE_STATUSES, Event, Registration, Status
from ..validation import ValidationErrors
from . import services

MAX_ROWS = 10_000
ALLOWED_EXTENSIONS = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
MAX_COLUMNS = 60
MAX_BLANK_RUN = 1000
# Refused before anything is kept (200 KB of XLSX can unpack to 200 MB): the unpacked size
# the zip declares (zipfile reads no further), a cell's length and all kept cells' text.
MAX_XLSX_UNPACKED = 20 * 1024 * 1024
MAX_CELL_CHARS, MAX_TEXT_CHARS = 1000, 5_000_000

TEXT_COLUMNS = ("name", "name_kana", "email", "category", "organisation", "country",
                "job_title", "phone", "language")
LIST_COLUMNS = ("technologies_offered", "technology_needs", "target_countries")
COLUMNS = TEXT_COLUMNS + ("networking_opt_in",) + LIST_COLUMNS
REQUIRED_COLUMNS = ("name", "email", "category")
# Spellings people use in spreadsheets, after normalising (lower case, underscores).
ALIASES = {"e_mail": "email", "mail": "email", "organization": "organisation",
           "kana": "name_kana", "networking": "networking_opt_in"}
TRUE_WORDS = {"yes", "y", "true", "1", "はい", "x"}
FALSE_WORDS = {"no", "n", "false", "0", "いいえ", ""}
LANGUAGE_WORDS = {"english": "en", "英語": "en", "japanese": "ja", "日本語": "ja"}
LIST_SEPARATORS = re.compile(r"[;,、；，]")


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says why, for the organiser."""


@dataclass
class ImportRow:
    number: int  # the row number as the spreadsheet shows it (the header is row 1)
    data: dict
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def name(self) -> str:
        return self.data.get("name", "")

    @property
    def email(self) -> str:
        return self.data.get("email", "")


@dataclass
class ParsedFile:
    rows: list[ImportRow]
    ignored_columns: list[str]


@dataclass
class ImportResult:
    confirmed: int = 0
    waitlisted: int = 0
    skipped: list[dict] = field(default_factory=list)  # {"row", "name", "email", "reasons"}
    seconds: float = 0.0


# -- reading the file -------------------------------------------------------------------

def normalise_header(text: str) -> str:
    key = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    key = re.sub(r"[\s\-.]+", "_", key).strip("_")
    return ALIASES.get(key, key)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number typed into Excel as a number
    if isinstance(value, datetime | date):
        return value.isoformat()
    return unicodedata.normalize("NFC", str(value)).strip()


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in LIST_SEPARATORS.split(text) if part.strip()]


def _row_data(values: dict[str, str]) -> tuple[dict, list[tuple[str, str]]]:
    """Spreadsheet text to the values services.validate expects, plus format errors."""
    errors = []
    data = {key: values.get(key, "") for key in TEXT_COLUMNS}
    data["email"] = data["email"].strip()
    data["category"] = data["category"].lower()
    data["country"] = data["country"].upper()
    language = data["language"].lower()
    data["language"] = LANGUAGE_WORDS.get(language, language) or "en"
    opt_in = values.get("networking_opt_in", "").lower()
    if opt_in in TRUE_WORDS:
        data["networking_opt_in"] = True
    elif opt_in in FALSE_WORDS:
        data["networking_opt_in"] = False
    else:
        data["networking_opt_in"] = False
        errors.append(("networking_opt_in", _("Write yes or no.")))
    for key in LIST_COLUMNS:
        items = _split_list(values.get(key, ""))
        data[key] = [c.upper() for c in items] if key == "target_countries" else \
            [c.lower() for c in items]
    return data, errors


def _text_length(number: int, cells) -> int:
    """The characters of (column, value) cells, each checked against MAX_CELL_CHARS."""
    lengths = [(column, len(v)) for column, v in cells if isinstance(v, str)]
    for column, length in lengths:
        if length > MAX_CELL_CHARS:
            raise ImportFileError(_(
                "Row %(row)d, column “%(column)s” has %(length)d characters; a cell may "
                "have at most %(num)d. Check the file.", row=number,
                column=str(column)[:60], length=length, num=MAX_CELL_CHARS))
    return sum(length for _column, length in lengths)


def _table_rows(header: list, records) -> ParsedFile:
    header = header[:MAX_COLUMNS]
    _text_length(1, zip(header, header, strict=True))
    keys = [normalise_header(h) for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in keys]
    if missing:
        found = join_list(str(h) for h in header if str(h or "").strip()) or "—"
        raise ImportFileError(_(
            "The first row must name the columns; missing: %(missing)s (found: %(found)s).",
            missing=join_list(missing), found=found[:300]))
    ignored = sorted({str(h) for h, k in zip(header, keys, strict=False)
                      if k not in COLUMNS and str(h or "").strip()})
    rows, blank_run, text_chars = [], 0, 0
    for number, record in enumerate(records, start=2):
        kept = [(h, v) for h, k, v in zip(header, keys, record, strict=False) if k in COLUMNS]
        text_chars += _text_length(number, kept)
        if text_chars > MAX_TEXT_CHARS:
            raise ImportFileError(_("The file holds more text than an invitation list can "
                                    "(over %(num)d characters); split the list.",
                                    num=MAX_TEXT_CHARS))
        cells = [_cell_text(v) for v in list(record)[:len(keys)]]
        if not any(cells):
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:  # a sheet formatted down to row 1,048,576
                break
            continue
        blank_run = 0
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(_("At most %(num)d rows per file; split the list.",
                                    num=MAX_ROWS))
        values = {}
        for key, text in zip(keys, cells, strict=False):
            if key in COLUMNS and not values.get(key):
                values[key] = text
        data, errors = _row_data(values)
        rows.append(ImportRow(number, data, errors))
    if not rows:
        raise ImportFileError(_("The file has a header row but no people in it."))
    return ParsedFile(rows, ignored)


def _read_csv(content: bytes) -> ParsedFile:
    if b"\x00" in content[:4096]:
        raise ImportFileError(_("This is not a CSV or XLSX file."))
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImportFileError(_(
            "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8”, or upload "
            "the .xlsx file itself.")) from e
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
    return _table_rows(records[0], records[1:])


def _read_xlsx(content: bytes) -> ParsedFile:
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
        return _table_rows(list(header), records)
    finally:
        workbook.close()


def parse_file(filename: str, content: bytes) -> ParsedFile:
    """Reads a CSV (UTF-8, with or without BOM; comma, semicolon or tab) or the first
    sheet of an XLSX file. Raises ImportFileError with a message for the organiser."""
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
        return _read_xlsx(content)
    if extension in (".xlsx", ".xlsm"):
        raise ImportFileError(damaged)
    return _read_csv(content)


# -- checking rows ----------------------------------------------------------------------

def active_emails(event_id: int) -> set[str]:
    return set(db.session.execute(
        db.select(Registration.email).where(Registration.event_id == event_id,
                                            Registration.status.in_(ACTIVE_STATUSES))
    ).scalars())


def check_rows(event: Event, rows: list[ImportRow]) -> list[ImportRow]:
    """Each row with its errors: format problems from the file, the domain rules of
    services.validate, and duplicates (already registered, or repeated in the file)."""
    registered = active_emails(event.id)
    first_seen: dict[str, int] = {}
    checked = []
    for row in rows:
        errors = list(row.errors)  # format problems found while reading the file
        email = row.data.get("email", "").strip().lower()
        try:
            clean = services.validate(event, row.data, public=False)
        except ValidationErrors as e:
            errors.extend(e.fields.items())
        else:
            email = clean["email"]
        if email in registered:
            errors.append(("email", "duplicate: already registered"))
        elif email and email in first_seen:
            errors.append(("email", f"duplicate: same e-mail as row {first_seen[email]}"))
        if email:
            first_seen.setdefault(email, row.number)
        checked.append(ImportRow(row.number, row.data, errors))
    return checked


# -- running the import -----------------------------------------------------------------

def run_import(event: Event, rows: list[ImportRow], *, notify: bool) -> ImportResult:
    """Registers every valid row in the caller's transaction (the caller commits once).

    The event is locked first, then the rows are checked again, so the duplicate check
    and the capacity count stay true until the commit."""
    started = time.perf_counter()
    event = lock_event(event.id)
    result = ImportResult()
    valid = []
    for row in check_rows(event, rows):
        if row.valid:
            valid.append(row)
        else:
            result.skipped.append({"row": row.number, "name": row.name, "email": row.email,
                                   "reasons": [f"{k}: {v}" for k, v in row.errors]})
    outcomes = services.register_many(event, [row.data for row in valid], source="import",
                                      notify=notify, hold_for_approval=False, public=False)
    for row, outcome in zip(valid, outcomes, strict=True):
        if not outcome.created:  # cannot happen under the lock; never count it twice
            result.skipped.append({"row": row.number, "name": row.name, "email": row.email,
                                   "reasons": ["email: duplicate: already registered"]})
        elif outcome.registration.status == Status.WAITLISTED:
            result.waitlisted += 1
        else:
            result.confirmed += 1
    result.seconds = time.perf_counter() - started
    return result
