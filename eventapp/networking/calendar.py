"""The attendee's agenda as an iCalendar file.

The file changes only when a publication or a live change does: each meeting keeps its
UID across versions and carries its SEQUENCE, a meeting taken off the agenda stays in
as CANCELLED, and DTSTAMP is the time of the last publication, not of the download."""

from flask_babel import gettext as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from ..content import translated
from ..models import Meeting, Registration
from .services import slot_end, slot_start


def agenda_calendar(reg: Registration, meetings: list[Meeting], describe) -> bytes:
    """The event and one entry per meeting the person was told of (published ones, and
    those since taken off as CANCELLED). `describe(meeting)` gives (counterpart,
    reasons) in the attendee's language; call this inside that locale too."""
    event = reg.event
    title, venue = translated(event, "title"), translated(event, "venue")
    stamp = event.networking_published_at or event.created_at
    cal = Calendar()
    cal.add("prodid", "-//Event Office//Networking agenda//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", title)
    main = CalendarEvent()
    main.add("uid", f"event-{event.id}-reg-{reg.id}@eventapp")
    main.add("dtstamp", stamp)
    main.add("dtstart", event.starts_at)
    main.add("dtend", event.ends_at)
    main.add("summary", title)
    main.add("location", venue)
    cal.add_component(main)
    for meeting in meetings:
        counterpart, reasons = describe(meeting)
        table = _("Table %(num)s", num=meeting.table_number)
        item = CalendarEvent()
        item.add("uid", f"meeting-{meeting.id}@eventapp")
        item.add("dtstamp", stamp)
        item.add("sequence", meeting.sequence or 0)
        item.add("status", "CONFIRMED" if meeting.published else "CANCELLED")
        item.add("dtstart", slot_start(event, meeting.slot))
        item.add("dtend", slot_end(event, meeting.slot))
        item.add("summary", _("Meeting with %(person)s · %(table)s", person=counterpart,
                              table=table))
        item.add("location", f"{venue} · {table}" if venue else table)
        lines = [_("Meeting with %(person)s", person=counterpart), table]
        if reasons:
            lines.append(_("Why you meet: %(reasons)s", reasons=reasons))
        lines.append(title)
        item.add("description", "\n".join(lines))
        cal.add_component(item)
    return cal.to_ical()
