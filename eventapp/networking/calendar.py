"""The attendee's agenda as an iCalendar file."""

from datetime import timedelta

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from ..database import utcnow
from ..models import Meeting, Registration
from .services import slot_start


def agenda_calendar(reg: Registration, meetings: list[Meeting], describe) -> bytes:
    """`describe(meeting)` gives (counterpart, reasons) in the attendee's language."""
    event = reg.event
    cal = Calendar()
    cal.add("prodid", "-//Event Office//Networking agenda//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", event.title)
    main = CalendarEvent()
    main.add("uid", f"event-{event.id}-reg-{reg.id}@eventapp")
    main.add("dtstamp", utcnow())
    main.add("dtstart", event.starts_at)
    main.add("dtend", event.ends_at)
    main.add("summary", event.title)
    main.add("location", event.venue)
    cal.add_component(main)
    for meeting in meetings:
        counterpart, reasons = describe(meeting)
        starts = slot_start(event, meeting.slot)
        item = CalendarEvent()
        item.add("uid", f"meeting-{meeting.id}@eventapp")
        item.add("dtstamp", utcnow())
        item.add("dtstart", starts)
        item.add("dtend", starts + timedelta(minutes=event.networking_slot_minutes))
        item.add("summary", f"{counterpart} · Table {meeting.table_number}")
        item.add("location", f"{event.venue} · Table {meeting.table_number}")
        item.add("description", reasons)
        cal.add_component(item)
    return cal.to_ical()
