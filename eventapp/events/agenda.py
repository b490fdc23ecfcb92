"""An event's agenda, edited as lines of text, one list per language:
“10:00-10:15 | Opening remarks | Head of office” and “10:00-10:15 | 開会挨拶 | 所長”.
The two lists are joined by start time (the n-th item starting at 10:00 in one is the
n-th starting at 10:00 in the other); an item may have either language or both."""

import re
from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from ..content import column
from ..i18n import sentences
from ..models import AgendaItem, Event
from ..validation import ValidationErrors

AGENDA_LINE = re.compile(
    r"^(?P<start>\d{1,2}:\d{2})\s*(?:[-–~〜]\s*(?P<end>\d{1,2}:\d{2}))?\s*\|\s*(?P<title>[^|]+?)"
    r"\s*(?:\|\s*(?P<speaker>.*?))?\s*$")


def agenda_lines(event: Event, language: str = "en") -> str:
    tz = ZoneInfo(event.timezone)
    lines = []
    for item in event.agenda_items:
        title = getattr(item, column("title", language))
        if not title:
            continue
        span = item.starts_at.astimezone(tz).strftime("%H:%M")
        if item.ends_at:
            span += "-" + item.ends_at.astimezone(tz).strftime("%H:%M")
        lines.append(" | ".join(filter(None, (span, title,
                                              getattr(item, column("speaker", language))))))
    return "\n".join(lines)


def parse_agenda_lines(event: Event, text: str, field: str = "agenda") -> list[dict]:
    """Lines like “10:00-10:15 | Opening remarks | Head of office” on the event's first
    day; a bad line is reported at `field`."""
    tz = ZoneInfo(event.timezone)
    day = event.starts_at.astimezone(tz).date()
    items, errors = [], []

    def at(hhmm: str) -> datetime:
        hours, minutes = (int(x) for x in hhmm.split(":"))
        if hours > 23 or minutes > 59:
            raise ValueError
        return datetime.combine(day, time(hours, minutes), tz)

    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = AGENDA_LINE.match(line.strip())
        try:
            if not match:
                raise ValueError
            starts = at(match["start"])
            ends = at(match["end"]) if match["end"] else None
            if ends and ends < starts:
                ends += timedelta(days=1)
        except ValueError:
            errors.append(_("Line %(num)d: write “10:00-10:15 | Title | Speaker”.", num=number))
            continue
        items.append({"starts_at": starts, "ends_at": ends, "title": match["title"].strip(),
                      "speaker": (match["speaker"] or "").strip()})
    if errors:
        raise ValidationErrors({field: sentences(*errors)})
    return items


def bilingual_agenda(english: list[dict], japanese: list[dict]) -> list[dict]:
    """One list of items with English and Japanese texts, joined by start time."""
    items: list[dict] = []
    by_start: dict[datetime, list[dict]] = defaultdict(list)
    for entry in english:
        item = entry | {"title_ja": "", "speaker_ja": ""}
        items.append(item)
        by_start[entry["starts_at"]].append(item)
    for entry in japanese:
        waiting = by_start[entry["starts_at"]]
        if waiting:
            item = waiting.pop(0)
            item["ends_at"] = item["ends_at"] or entry["ends_at"]
        else:
            item = {"starts_at": entry["starts_at"], "ends_at": entry["ends_at"],
                    "title": "", "speaker": ""}
            items.append(item)
        item["title_ja"], item["speaker_ja"] = entry["title"], entry["speaker"]
    return sorted(items, key=lambda item: item["starts_at"])


def set_agenda(event: Event, items: list[dict]) -> None:
    event.agenda_items[:] = [AgendaItem(position=i, **item) for i, item in enumerate(items)]
