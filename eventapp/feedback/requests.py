"""Who is asked for feedback, when, and once only.

The feedback request goes to each attendee who came (a check-in time), a set time after
the event ends (by default 09:00 the next morning in the event's time zone) or when an
organiser sends it; the follow-up, a set time later (by default 90 days), to those who
answered that they would follow up with someone they met. Nobody who opted out of
messages, and nobody whose data was erased, is asked.

"Once per person" is a row per registration and stage in `feedback_requests` (unique),
written under the event's lock in the transaction that queues the e-mail: two
processes (two job consumers, an organiser's click during the periodic run) take turns,
and the second finds everybody already asked.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select

from .. import mail
from ..database import utcnow
from ..events.services import lock_event
from ..extensions import db
from ..models import (
    Event,
    FeedbackRequest,
    FeedbackResponse,
    FeedbackSettings,
    FeedbackStage,
    Registration,
)

MORNING = time(9, 0)
DEFAULT_FOLLOW_UP_DAYS = 90
# The periodic job does not go back further than this: an event that ended long before
# the app learned to ask for feedback is not asked about now.
FEEDBACK_WINDOW = timedelta(days=14)
FOLLOW_UP_WINDOW = timedelta(days=30)


def settings_of(event_id: int) -> FeedbackSettings:
    """The event's settings (the defaults when none were saved; not added to the session)."""
    found = db.session.get(FeedbackSettings, event_id)
    return found or FeedbackSettings(event_id=event_id, delay_hours=None,
                                     follow_up_days=DEFAULT_FOLLOW_UP_DAYS, automatic=True)


def feedback_due_at(event: Event, settings: FeedbackSettings) -> datetime:
    if settings.delay_hours is not None:
        return event.ends_at + timedelta(hours=settings.delay_hours)
    tz = ZoneInfo(event.timezone)
    next_day = event.ends_at.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(next_day, MORNING, tzinfo=tz).astimezone(event.ends_at.tzinfo)


def follow_up_due_at(event: Event, settings: FeedbackSettings) -> datetime:
    return feedback_due_at(event, settings) + timedelta(days=settings.follow_up_days)


def _reachable():
    """Registrations that may receive a non-essential message."""
    return (Registration.erased_at.is_(None), Registration.messages_opt_out_at.is_(None))


def _not_asked(stage: FeedbackStage):
    return ~exists().where(FeedbackRequest.registration_id == Registration.id,
                           FeedbackRequest.stage == stage)


def _feedback_candidates(event_id: int):
    return (select(Registration.id, Registration.email, Registration.language)
            .where(Registration.event_id == event_id, Registration.checked_in_at.is_not(None),
                   *_reachable(), _not_asked(FeedbackStage.FEEDBACK)))


def _follow_up_candidates(event_id: int):
    return (select(Registration.id, Registration.email, Registration.language)
            .join(FeedbackResponse, FeedbackResponse.registration_id == Registration.id)
            .where(Registration.event_id == event_id, FeedbackResponse.follow_up.is_(True),
                   *_reachable(), _not_asked(FeedbackStage.FOLLOW_UP)))


def _ask(event_id: int, stage: FeedbackStage, candidates) -> int:
    """Records and queues the requests of one stage; the caller commits."""
    lock_event(event_id)
    people = db.session.execute(candidates).all()
    if not people:
        return 0
    db.session.execute(db.insert(FeedbackRequest), [
        {"event_id": event_id, "registration_id": rid, "stage": stage}
        for rid, _email, _language in people])
    for rid, email, language in people:
        mail.queue_email(str(stage), email, "feedback", language=language,
                         event_id=event_id, registration_id=rid)
    return len(people)


def send_feedback_requests(event_id: int) -> int:
    """E-mails the feedback request to every attendee who came and was not asked yet;
    returns how many. The caller commits."""
    return _ask(event_id, FeedbackStage.FEEDBACK, _feedback_candidates(event_id))


def send_follow_up_requests(event_id: int) -> int:
    """E-mails the follow-up to everyone who said they would follow up and was not
    asked yet. The caller commits."""
    return _ask(event_id, FeedbackStage.FOLLOW_UP, _follow_up_candidates(event_id))


def requested_count(event_ids: list[int], stage: FeedbackStage = FeedbackStage.FEEDBACK) -> int:
    return db.session.scalar(
        select(func.count()).select_from(FeedbackRequest)
        .where(FeedbackRequest.event_id.in_(event_ids), FeedbackRequest.stage == stage)) or 0


# -- the periodic job -----------------------------------------------------------------

def _events_waiting(now: datetime, stage: FeedbackStage) -> list[Event]:
    """Events with somebody still to ask at this stage (a cheap look without locks)."""
    if stage == FeedbackStage.FEEDBACK:
        who = (select(Registration.event_id)
               .where(Registration.checked_in_at.is_not(None), *_reachable(),
                      _not_asked(stage)))
        ended_after = now - FEEDBACK_WINDOW - timedelta(days=91)  # the longest delay
    else:
        who = (select(Registration.event_id)
               .join(FeedbackResponse, FeedbackResponse.registration_id == Registration.id)
               .where(FeedbackResponse.follow_up.is_(True), *_reachable(), _not_asked(stage)))
        ended_after = now - FOLLOW_UP_WINDOW - timedelta(days=731)
    return list(db.session.execute(
        select(Event).where(Event.id.in_(who.distinct()), Event.ends_at <= now,
                            Event.ends_at >= ended_after)).scalars())


def send_due_requests(now: datetime | None = None) -> int:
    """The periodic job: requests whose time has come, event by event, each in its own
    transaction. Returns how many e-mails were queued."""
    now = now or utcnow()
    queued = 0
    for stage, due_at, window, send in (
            (FeedbackStage.FEEDBACK, feedback_due_at, FEEDBACK_WINDOW, send_feedback_requests),
            (FeedbackStage.FOLLOW_UP, follow_up_due_at, FOLLOW_UP_WINDOW,
             send_follow_up_requests)):
        events = _events_waiting(now, stage)
        due = []
        for event in events:
            settings = settings_of(event.id)
            when = due_at(event, settings)
            if settings.automatic and now - window <= when <= now:
                due.append(event.id)
        db.session.commit()
        for event_id in due:
            queued += send(event_id)
            db.session.commit()
    return queued
