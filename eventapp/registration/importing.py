"""Importing an invitation list: read a CSV or XLSX file, check every row, register.
The import page and the import API (registration/api.py) both go through here.

Reading the bytes and their encoding is reading.py's part, what headers and cells mean
columns.py's; here the rows are built, limited, checked and registered. The page keeps
the parsed rows on the server between upload and confirmation (import_store.py); the
organiser's browser only holds a token. Rows are checked again when the import runs,
since registrations may have arrived in between. The import itself is one transaction
under the event lock, so capacity is respected and no duplicate can slip in between
check and write.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..events.services import lock_event
from ..extensions import db
from ..i18n import join_list
from ..models import ACTIVE_STATUSES, Event, Registration, Status
from ..questions.imports import AnswerReader, answer_headers
from ..validation import ValidationErrors
from . import columns, services
from .columns import COLUMNS, REQUIRED_COLUMNS
from .reading import MAX_COLUMNS, ImportFileError, open_table

__all__ = ["COLUMNS", "ImportFileError", "ImportResult", "ImportRow", "ParsedFile",
           "check_rows", "parse_file", "run_import"]

MAX_ROWS = 10_000
MAX_BLANK_RUN = 1000
# A cell's length and all kept cells' text, checked while reading (a small file can
# expand to a great deal of text).
MAX_CELL_CHARS, MAX_TEXT_CHARS = 1000, 5_000_000


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

    def fields(self) -> dict[str, str]:
        """One message per field, as the API's `errors` and the pages show them."""
        out: dict[str, str] = {}
        for key, message in self.errors:
            out[key] = f"{out[key]} {message}" if key in out else message
        return out


@dataclass
class ParsedFile:
    rows: list[ImportRow]
    ignored_columns: list[str]
    encoding: str = ""  # how the file was read (reading.ENCODING_NAMES)


@dataclass
class ImportResult:
    rows: int = 0
    confirmed: int = 0
    waitlisted: int = 0
    skipped: list[dict] = field(default_factory=list)  # {"row", "name", "email", "fields"}
    seconds: float = 0.0

    @property
    def imported(self) -> int:
        return self.confirmed + self.waitlisted


# -- reading the file -------------------------------------------------------------------

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


def _table_rows(header: list, records, questions: dict[str, str]) -> ParsedFile:
    header = header[:MAX_COLUMNS]
    _text_length(1, zip(header, header, strict=True))
    keys = [columns.column_for(h) or questions.get(columns.header_key(h)) for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns.columns_present(keys)]
    if missing:
        found = join_list(str(h) for h in header if str(h or "").strip()) or "—"
        raise ImportFileError(_(
            "The first row must name the columns; missing: %(missing)s (found: %(found)s).",
            missing=join_list(missing), found=found[:300]))
    ignored = sorted({str(h) for h, k in zip(header, keys, strict=False)
                      if k is None and str(h or "").strip()})
    rows, blank_run, text_chars = [], 0, 0
    for number, record in enumerate(records, start=2):
        kept = [(h, v) for h, k, v in zip(header, keys, record, strict=False) if k]
        text_chars += _text_length(number, kept)
        if text_chars > MAX_TEXT_CHARS:
            raise ImportFileError(_("The file holds more text than an invitation list can "
                                    "(over %(num)d characters); split the list.",
                                    num=MAX_TEXT_CHARS))
        cells = [columns.cell_text(v) for v in list(record)[:len(keys)]]
        if not any(cells):
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:  # a sheet formatted down to row 1,048,576
                break
            continue
        blank_run = 0
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(_("At most %(num)d rows per file; split the list.",
                                    num=MAX_ROWS))
        data, errors = columns.row_data(columns.cell_values(keys, cells))
        rows.append(ImportRow(number, data, errors))
    if not rows:
        raise ImportFileError(_("The file has a header row but no people in it."))
    return ParsedFile(rows, ignored)


def parse_file(filename: str, content: bytes, event: Event | None = None) -> ParsedFile:
    """Reads a CSV (UTF-8 with or without BOM, UTF-16 or CP932; comma, semicolon or
    tab) or the first sheet of an XLSX file; with the event, its questions' columns too.
    Raises ImportFileError with a message for the organiser."""
    with open_table(filename, content) as table:
        parsed = _table_rows(table.header, table.records, answer_headers(event))
    parsed.encoding = table.encoding
    return parsed


# -- checking rows ----------------------------------------------------------------------

def active_emails(event_id: int) -> set[str]:
    return set(db.session.execute(
        db.select(Registration.email).where(Registration.event_id == event_id,
                                            Registration.status.in_(ACTIVE_STATUSES))
    ).scalars())


def check_rows(event: Event, rows: list[ImportRow]) -> list[ImportRow]:
    """Each row with its errors: format problems from the file, the domain rules of
    services.validate, and duplicates (already registered, or repeated in the file).
    Categories and technology areas given by name come back as their codes."""
    registered = active_emails(event.id)
    names, answers = columns.Names(event), AnswerReader(event)
    first_seen: dict[str, int] = {}
    checked = []
    for row in rows:
        errors = list(row.errors)  # format problems found while reading the file
        data = answers.resolve(names.resolve(row.data))
        email = data.get("email", "").strip().lower()
        try:
            clean = services.validate(event, data, public=False)
        except ValidationErrors as e:
            errors.extend(e.fields.items())
        else:
            email = clean["email"]
        if email in registered:
            errors.append(("email", _("duplicate: already registered")))
        elif email and email in first_seen:
            errors.append(("email", _("duplicate: same e-mail as row %(row)d",
                                      row=first_seen[email])))
        if email:
            first_seen.setdefault(email, row.number)
        checked.append(ImportRow(row.number, data, errors))
    return checked


# -- running the import -----------------------------------------------------------------

def _skipped(row: ImportRow) -> dict:
    return {"row": row.number, "name": row.name, "email": row.email, "fields": row.fields()}


def run_import(event: Event, rows: list[ImportRow], *, notify: bool,
               valid_only: bool = True) -> ImportResult:
    """Registers the valid rows in the caller's transaction (the caller commits once);
    unless `valid_only`, nothing at all when a row has a problem.

    The event is locked first, then the rows are checked again, so the duplicate check
    and the capacity count stay true until the commit."""
    started = time.perf_counter()
    event = lock_event(event.id)
    result = ImportResult(rows=len(rows))
    checked = check_rows(event, rows)
    valid = [row for row in checked if row.valid]
    result.skipped = [_skipped(row) for row in checked if not row.valid]
    if result.skipped and not valid_only:
        valid = []
    outcomes = services.register_many(event, [row.data for row in valid], source="import",
                                      notify=notify, hold_for_approval=False, public=False)
    for row, outcome in zip(valid, outcomes, strict=True):
        if not outcome.created:  # cannot happen under the lock; never count it twice
            row.errors.append(("email", _("duplicate: already registered")))
            result.skipped.append(_skipped(row))
        elif outcome.registration.status == Status.WAITLISTED:
            result.waitlisted += 1
        else:
            result.confirmed += 1
    result.seconds = time.perf_counter() - started
    return result
