"""Saving an attendee's answers, and the organiser's settings. The caller commits."""

from __future__ import annotations

from ..extensions import db
from ..models import (
    FeedbackResponse,
    FeedbackSettings,
    FollowUpResponse,
    QuoteAttribution,
    Registration,
)
from .questions import erase_text_answers


def may_answer(reg: Registration) -> bool:
    """The survey is for people who came."""
    return reg.checked_in_at is not None


def response_of(reg: Registration) -> FeedbackResponse | None:
    return db.session.execute(db.select(FeedbackResponse).where(
        FeedbackResponse.registration_id == reg.id)).scalar_one_or_none()


def follow_up_of(reg: Registration) -> FollowUpResponse | None:
    return db.session.execute(db.select(FollowUpResponse).where(
        FollowUpResponse.registration_id == reg.id)).scalar_one_or_none()


def _row_for_update(model, reg: Registration):
    """The person's row, locked, or a new one: sending the form again replaces the
    answers (a double click makes no second row: the registration is unique)."""
    found = db.session.execute(db.select(model).where(model.registration_id == reg.id)
                               .with_for_update()).scalar_one_or_none()
    if found is None:
        found = model(event_id=reg.event_id, registration_id=reg.id)
        db.session.add(found)
    return found


def save_feedback(reg: Registration, *, rating: int, useful: str, follow_up: bool,
                  comments: str, quote_consent: bool, attribution: str,
                  answers: dict | None = None) -> FeedbackResponse:
    response = _row_for_update(FeedbackResponse, reg)
    response.rating, response.follow_up = rating, follow_up
    response.useful, response.comments = useful.strip(), comments.strip()
    response.quote_consent = quote_consent
    response.attribution = (attribution if attribution in set(QuoteAttribution)
                            else QuoteAttribution.ANONYMOUS)
    response.answers = dict(answers or {})
    return response


def save_follow_up(reg: Registration, *, result: str, with_whom: str) -> FollowUpResponse:
    answer = _row_for_update(FollowUpResponse, reg)
    answer.result, answer.with_whom = result, with_whom.strip()
    return answer


def save_settings(event_id: int, *, automatic: bool, delay_hours: int | None,
                  follow_up_days: int) -> FeedbackSettings:
    settings = db.session.get(FeedbackSettings, event_id)
    if settings is None:
        settings = FeedbackSettings(event_id=event_id)
        db.session.add(settings)
    settings.automatic, settings.delay_hours = automatic, delay_hours
    settings.follow_up_days = follow_up_days
    return settings


def erase_free_text(registration_ids) -> None:
    """What people wrote goes with their personal data (delete my data, anonymising an
    event); the ratings and yes/no answers stay for the figures. `registration_ids`: a
    select of ids or a list."""
    db.session.execute(
        db.update(FeedbackResponse).where(FeedbackResponse.registration_id.in_(registration_ids))
        .values(useful="", comments="", quote_consent=False),
        execution_options={"synchronize_session": False})
    db.session.execute(
        db.update(FollowUpResponse).where(FollowUpResponse.registration_id.in_(registration_ids))
        .values(with_whom=""), execution_options={"synchronize_session": False})
    erase_text_answers(registration_ids)
