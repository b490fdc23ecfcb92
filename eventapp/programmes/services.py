"""Creating and changing programmes. The caller commits."""

from __future__ import annotations

from flask_babel import gettext as _

from ..extensions import db
from ..models import Event, Programme, max_length
from ..validation import ValidationErrors, text_problem


def programme_or_404(programme_id: int) -> Programme:
    return db.get_or_404(Programme, programme_id)


def list_programmes() -> list[Programme]:
    return list(db.session.execute(
        db.select(Programme).order_by(Programme.created_at.desc(), Programme.id.desc())
    ).scalars())


def _problems(title: str, event_ids: list[int]) -> tuple[dict[str, str], list[Event]]:
    problems: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        problems["title"] = _("This field is required.")
    elif message := text_problem(title, max_length(Programme.title)):
        problems["title"] = message
    wanted = list(dict.fromkeys(event_ids))
    events = list(db.session.execute(
        db.select(Event).where(Event.id.in_(wanted))).scalars()) if wanted else []
    if not wanted:
        problems["event_ids"] = _("Choose at least one event.")
    elif len(events) != len(wanted):
        found = {e.id for e in events}
        missing = ", ".join(str(i) for i in wanted if i not in found)
        problems["event_ids"] = _("No event has the id %(ids)s.", ids=missing)
    return problems, events


def validate(title: str, event_ids: list[int]) -> None:
    problems, _events = _problems(title, event_ids)
    if problems:
        raise ValidationErrors(problems)


def save_programme(title: str, event_ids: list[int],
                   programme: Programme | None = None) -> Programme:
    problems, events = _problems(title, event_ids)
    if problems:
        raise ValidationErrors(problems)
    if programme is None:
        programme = Programme()
        db.session.add(programme)
    programme.title = title.strip()
    programme.events = events
    db.session.flush()
    return programme
