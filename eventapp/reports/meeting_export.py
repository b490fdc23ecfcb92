"""The meetings export (CSV, and a sheet of the report workbook): every meeting of the
schedule, draft or published, with what happened at it and what each person said."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _

from ..extensions import db
from ..models import Meeting, MeetingOutcome, Registration
from ..networking.outcomes import held_meetings
from .exports import Context, Sheet, _streamed

WIDTHS = (7, 6, 18, 6, 8, 22, 26, 8, 22, 26, 7, 36, 8, 10, 22, 8, 8, 10, 10, 8,
          8, 10, 10, 30, 8, 10, 10, 30)


def meeting_header(ctx: Context) -> list[str]:
    side = [_("Rating %(side)s", side="A"), _("Follow-up %(side)s", side="A"),
            _("Applicable in country %(side)s", side="A"), _("Note %(side)s", side="A"),
            _("Rating %(side)s", side="B"), _("Follow-up %(side)s", side="B"),
            _("Applicable in country %(side)s", side="B"), _("Note %(side)s", side="B")]
    return [_("ID"), _("Slot"), _("Starts at (%(zone)s)", zone=ctx.timezone), _("Table"),
            _("Person A ID"), _("Person A"), _("Organisation A"), _("Person B ID"),
            _("Person B"), _("Organisation B"), _("Score"), _("Reasons"), _("Locked"),
            _("Published"), _("State"), _("Arrived A"), _("Arrived B"), _("Absent ID"),
            _("Replaces meeting"), _("Held"), *side]


def reasons_text(ctx: Context, reasons: Any) -> str:
    """Reasons in words, "Kenya · Water purification, Diagnostics"."""
    if not isinstance(reasons, dict):
        return ""
    parts = []
    if reasons.get("countries"):
        parts.append(ctx.countries_text(reasons["countries"], ", "))
    if reasons.get("technologies"):
        parts.append(ctx.areas_text(reasons["technologies"], ", "))
    if reasons.get("requested"):
        parts.append(_("meeting requested"))
    return " · ".join(parts)


def _state(sheet: str | None, absent_id: int | None) -> str:
    if sheet == "draft":
        return _("draft")
    if sheet == "published":
        return _("published")
    return _("replaced after a no-show") if absent_id else _("cancelled")


def meeting_rows(ctx: Context) -> Iterator[list]:
    a, b = db.aliased(Registration), db.aliased(Registration)
    oa, ob = db.aliased(MeetingOutcome), db.aliased(MeetingOutcome)
    held = set(db.session.execute(held_meetings([ctx.event_id])).scalars())
    query = (db.select(Meeting.id, Meeting.slot, Meeting.table_number, Meeting.a_id, a.name,
                       a.organisation, Meeting.b_id, b.name, b.organisation, Meeting.score,
                       Meeting.reasons, Meeting.locked, Meeting.published, Meeting.sheet,
                       Meeting.a_arrived_at, Meeting.b_arrived_at, Meeting.absent_id,
                       Meeting.replaces_id, oa.rating, oa.follow_up, oa.applicable, oa.note,
                       ob.rating, ob.follow_up, ob.applicable, ob.note)
             .join(a, a.id == Meeting.a_id).join(b, b.id == Meeting.b_id)
             .outerjoin(oa, (oa.meeting_id == Meeting.id) & (oa.registration_id == Meeting.a_id))
             .outerjoin(ob, (ob.meeting_id == Meeting.id) & (ob.registration_id == Meeting.b_id))
             .where(Meeting.event_id == ctx.event_id)
             .order_by(Meeting.slot, Meeting.table_number, Meeting.id))

    def maybe(value) -> str:
        return "" if value is None else ctx.yes(value)

    for (mid, slot, table, a_id, a_name, a_org, b_id, b_name, b_org, score, reasons, locked,
         published, sheet, a_at, b_at, absent_id, replaces_id, *said) in _streamed(query):
        # Slots are stored from 0, as the scheduler numbers them; people count from 1.
        starts = (ctx.networking_starts_at + timedelta(minutes=slot * ctx.slot_minutes)
                  if ctx.networking_starts_at else None)
        a_said, b_said = said[:4], said[4:]
        yield [mid, slot + 1, ctx.local(starts), table, a_id, a_name, a_org, b_id, b_name,
               b_org, round(score or 0.0, 2), reasons_text(ctx, reasons), ctx.yes(locked),
               ctx.yes(published), _state(sheet, absent_id), ctx.local(a_at), ctx.local(b_at),
               absent_id or "", replaces_id or "", ctx.yes(mid in held),
               *[x for rating, follow, applies, note in (a_said, b_said)
                 for x in (rating or "", maybe(follow), maybe(applies), note or "")]]


def meeting_sheet(ctx: Context) -> Sheet:
    return Sheet(_("Meetings"), meeting_header(ctx), meeting_rows(ctx), WIDTHS)
