"""Attendee list, scan log and meetings as CSV (streamed) and XLSX (openpyxl write-only).

Rows are read in batches (`yield_per`) and written as they come, so memory stays flat
whether an event has 30 attendees or 10,000. CSV is UTF-8 with a byte order mark, which
Excel needs to read Japanese names; one header row.

No cell can run as a formula: text beginning with = + - @ tab or carriage return gets
an apostrophe in front in CSV, and is written as an explicit string cell in XLSX (never
a formula there, so it keeps its exact text, e.g. "+81 3 1234 5678").
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import IO, Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import String, cast

from ..content import localized
from ..extensions import db
from ..i18n import country_name
from ..labels import scan_result_labels, status_labels
from ..models import Event, Registration, ScanLog, ScanResult, StaffUser
from ..questions.exports import Column, export_columns, with_answers
from . import narrative, services

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_CHARS = frozenset(FORMULA_TRIGGERS)
BATCH_ROWS = 500
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"



# -- cells ----------------------------------------------------------------------------

def csv_text(value: Any) -> str:
    if value.__class__ is str:  # the common case first: this runs for every cell
        return "'" + value if value[:1] in _TRIGGER_CHARS else value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    return str(value)


def xlsx_value(sheet, value: Any):
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters XML cannot hold
    if value[:1] not in _TRIGGER_CHARS:
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # text, never a formula
    return cell


# -- what every export knows about its event -------------------------------------------

@dataclass(frozen=True)
class Context:
    """Plain values read before streaming starts, so the generator needs no ORM object,
    and every label translated once rather than once per row."""

    event_id: int
    slug: str
    tz: ZoneInfo
    language: str
    categories: dict[int, str]
    areas: dict[str, str]
    networking_starts_at: datetime | None
    slot_minutes: int
    yes_no: tuple[str, str]
    countries: dict[str | None, str] = field(default_factory=dict)  # filled as met
    questions: tuple[Column, ...] = ()  # a column each in the attendee list

    @classmethod
    def of(cls, event: Event, language: str) -> Context:
        return cls(event.id, event.slug, ZoneInfo(event.timezone), language,
                   {c.id: localized(c, language) for c in event.categories},
                   {a.code: localized(a, language) for a in event.technology_areas},
                   event.networking_starts_at, event.networking_slot_minutes,
                   (_("No"), _("Yes")), questions=export_columns(event, language))

    @property
    def timezone(self) -> str:
        return self.tz.key

    def local(self, value: datetime | None) -> datetime | None:
        """Wall-clock time at the event, without offset (what a spreadsheet shows)."""
        return value.astimezone(self.tz).replace(tzinfo=None) if value else None

    def yes(self, value) -> str:
        return self.yes_no[bool(value)]

    def country(self, code: str | None) -> str:
        name = self.countries.get(code)
        if name is None:
            name = self.countries[code] = country_name(code, self.language)
        return name

    def areas_text(self, codes, separator: str = "; ") -> str:
        return separator.join(self.areas.get(c, c) for c in _codes(codes))

    def countries_text(self, codes, separator: str = "; ") -> str:
        return separator.join(self.country(c) for c in _codes(codes))

    def list_formatter(self, format_codes):
        """`format_codes` for a JSON list read as text. Many people share a list (the
        two representatives of a company), so results are remembered, a bounded few."""
        @lru_cache(maxsize=512)
        def format_json(raw: str | None) -> str:
            try:
                return format_codes(json.loads(raw)) if raw else ""
            except ValueError:
                return ""
        return format_json


def _codes(codes) -> list[str]:
    return [c for c in codes if isinstance(c, str)] if isinstance(codes, list) else []


def _json_text(column):
    """A JSON column as its text (the database's own CAST, so PostgreSQL's driver does
    not decode it either), decoded by the caller only when not seen before."""
    return cast(column, String)


def _streamed(query):
    return db.session.execute(query.execution_options(yield_per=BATCH_ROWS))


def _person(name: str | None, email: str | None) -> str:
    return name or email or ""


# -- attendees ------------------------------------------------------------------------

def attendee_header(ctx: Context) -> list[str]:
    zone = ctx.timezone
    return [_("ID"), _("Name"), _("Name reading (kana)"), _("Organisation"), _("E-mail"),
            _("Phone"), _("Category"), _("Country code"), _("Country"), _("Job title"),
            _("Language"), _("Status"), _("Registered at (%(zone)s)", zone=zone),
            _("Checked in at (%(zone)s)", zone=zone), _("Checked in by"),
            _("Networking opt-in"), _("Technologies offered"), _("Technology needs"),
            _("Target countries"), _("Meetings")] + [q.header for q in ctx.questions]


def attendee_rows(ctx: Context) -> Iterator[list]:
    rows = _attendee_rows(ctx)
    return with_answers(ctx.questions, rows, ctx.yes_no) if ctx.questions else rows


def _attendee_rows(ctx: Context) -> Iterator[list]:
    people = services.meeting_people(ctx.event_id)
    meetings = (db.select(people.c.registration_id, db.func.count().label("n"))
                .group_by(people.c.registration_id).subquery())
    query = (
        db.select(Registration.id, Registration.name, Registration.name_kana,
                  Registration.organisation, Registration.email, Registration.phone,
                  Registration.category_id, Registration.country, Registration.job_title,
                  Registration.language, Registration.status, Registration.created_at,
                  Registration.checked_in_at, StaffUser.name, StaffUser.email,
                  Registration.networking_opt_in, _json_text(Registration.technologies_offered),
                  _json_text(Registration.technology_needs),
                  _json_text(Registration.target_countries), db.func.coalesce(meetings.c.n, 0))
        .outerjoin(StaffUser, StaffUser.id == Registration.checked_in_by_id)
        .outerjoin(meetings, meetings.c.registration_id == Registration.id)
        .where(Registration.event_id == ctx.event_id)
        .order_by(Registration.id))
    statuses = status_labels()
    areas, countries = ctx.list_formatter(ctx.areas_text), ctx.list_formatter(ctx.countries_text)
    for (rid, name, kana, organisation, email, phone, category_id, country, job_title,
         language, status, created_at, checked_in_at, staff_name, staff_email, opt_in,
         offered, needs, targets, meeting_count) in _streamed(query):
        yield [rid, name, kana, organisation, email, phone, ctx.categories.get(category_id, ""),
               country or "", ctx.country(country), job_title, language,
               statuses.get(status, status), ctx.local(created_at), ctx.local(checked_in_at),
               _person(staff_name, staff_email) if checked_in_at else "", ctx.yes(opt_in),
               areas(offered), areas(needs), countries(targets), meeting_count]


# -- scan log (meetings: meeting_export) ------------------------------------------------------------

def scan_header(ctx: Context) -> list[str]:
    return [_("Time (%(zone)s)", zone=ctx.timezone), _("Result"), _("Reason"), _("Method"),
            _("Registration ID"), _("Name"), _("Organisation"), _("Staff"), _("Device"),
            _("Code read")]


def scan_rows(ctx: Context) -> Iterator[list]:
    query = (db.select(ScanLog.created_at, ScanLog.result, ScanLog.reason, ScanLog.method,
                       ScanLog.registration_id, Registration.name, Registration.organisation,
                       StaffUser.name, StaffUser.email, ScanLog.device, ScanLog.code)
             .outerjoin(Registration, Registration.id == ScanLog.registration_id)
             .outerjoin(StaffUser, StaffUser.id == ScanLog.staff_user_id)
             .where(ScanLog.event_id == ctx.event_id)
             .order_by(ScanLog.created_at, ScanLog.id))
    results = scan_result_labels()
    for (created_at, result, reason, method, rid, name, organisation, staff_name, staff_email,
         device, code) in _streamed(query):
        # A recognised code is a ticket's secret: only unrecognised text is shown.
        shown_code = code if result == ScanResult.UNKNOWN_CODE else ""
        yield [ctx.local(created_at), results.get(result, result), reason, method, rid,
               name or "", organisation or "", _person(staff_name, staff_email), device,
               shown_code]


# -- writers --------------------------------------------------------------------------

def csv_chunks(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """CSV text a batch of rows at a time, the header first (before any query runs)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([csv_text(h) for h in header])
    yield buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    triggers = _TRIGGER_CHARS
    for count, row in enumerate(rows, 1):
        # csv_text, with its common case (text) inlined: this runs for every cell.
        writer.writerow([("'" + v if v[:1] in triggers else v) if v.__class__ is str
                         else csv_text(v) for v in row])
        if count % BATCH_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[int] = ()


def write_xlsx(sheets: Iterable[Sheet], target: IO[bytes]) -> None:
    """One workbook, sheets in the order given; rows go to disk as they are written."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = workbook.create_sheet(title=sheet.title[:31])
        for index, width in enumerate(sheet.widths, 1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        header = []
        for title in sheet.header:
            cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", title))
            cell.data_type = "s"
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for row in sheet.rows:
            ws.append([xlsx_value(ws, v) for v in row])
    workbook.save(target)


ATTENDEE_WIDTHS = (7, 24, 22, 30, 30, 16, 20, 8, 18, 22, 6, 12, 20, 20, 18, 8, 30, 30, 30, 8)


def attendee_sheet(ctx: Context) -> Sheet:
    return Sheet(_("Attendees"), attendee_header(ctx), attendee_rows(ctx), ATTENDEE_WIDTHS)


def summary_sheets(event: Event, language: str) -> list[Sheet]:
    """The report's figures, one sheet per breakdown, after the attendee list."""
    report = services.build_report(event, language, organisation_limit=None,
                                   no_show_limit=0)
    c = report.counts
    figures = [
        (_("Registered (confirmed, waitlisted, pending)"), c.registered),
        (_("Confirmed"), c.confirmed), (_("Waitlisted"), c.waitlisted),
        (_("Pending approval"), c.pending), (_("Cancelled"), c.cancelled),
        (_("Rejected"), c.rejected), (_("Checked in"), c.checked_in),
        (_("Attendance rate (checked in / confirmed)"), narrative.percent(c.attendance_rate)),
        (_("No-shows (confirmed, not checked in)"),
         c.no_shows if c.no_shows is not None else "—"),
        (_("Organisations checked in"), report.attendance.organisations),
        (_("Countries checked in"), report.attendance.countries),
        (_("Meetings scheduled"), report.networking.meetings),
        (_("Meetings published"), report.networking.published),
        (_("Summary"), narrative.paragraph(report)),
    ]
    both = [_("Registered"), _("Checked in")]
    tz = event.timezone
    return [
        Sheet(_("Summary"), [_("Figure"), _("Value")], figures, (44, 90)),
        Sheet(_("By category"), [_("Code"), _("Category")] + both,
              [(r.key, r.label, r.registered, r.checked_in) for r in report.categories],
              (14, 28, 12, 12)),
        Sheet(_("By country"), [_("Country code"), _("Country")] + both,
              [(r.key, r.label, r.registered, r.checked_in) for r in report.countries],
              (12, 28, 12, 12)),
        Sheet(_("By organisation"), [_("Organisation")] + both,
              [(r.label, r.registered, r.checked_in) for r in report.organisations],
              (44, 12, 12)),
        Sheet(_("Technology areas"),
              [_("Code"), _("Technology area"), _("Offered by"), _("Needed by"),
               _("Offered by, checked in"), _("Needed by, checked in")],
              [(t.key, t.label, t.offered, t.needed, t.offered_checked_in, t.needed_checked_in)
               for t in report.technologies], (14, 34, 12, 12, 20, 20)),
        Sheet(_("Arrivals"),
              [_("From (%(zone)s)", zone=tz), _("Check-ins")],
              [(start.replace(tzinfo=None), n) for start, n in report.arrivals.bins],
              (20, 12)),
    ]
