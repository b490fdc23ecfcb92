"""The feedback figures of one event or of several (a programme), counted by the
database: requests, answers, ratings, who will follow up, what the follow-ups led to,
and the quotes people agreed to. A quote without consent is never read here."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..extensions import db
from ..models import (
    FeedbackRequest,
    FeedbackResponse,
    FeedbackStage,
    FollowUpResponse,
    FollowUpResult,
    QuoteAttribution,
    Registration,
)

MAX_QUOTES = 12


@dataclass(frozen=True)
class Quote:
    text: str
    source: str  # the organisation; empty: anonymous ("a participant", said by the reader)
    language: str  # the attendee's


@dataclass(frozen=True)
class FollowUpAnswer:
    result: str  # FollowUpResult
    with_whom: str
    organisation: str  # of the person who answered


@dataclass(frozen=True)
class FeedbackFigures:
    requested: int = 0
    responses: int = 0
    responses_when_asked: int = 0  # answers from people who were sent the request
    mean_rating: float | None = None
    ratings: dict[int, int] = field(default_factory=dict)  # 1-5 -> answers
    will_follow_up: int = 0  # answered that they will follow up with someone they met
    follow_up_requested: int = 0
    follow_up_responses: int = 0
    follow_up_results: dict[str, int] = field(default_factory=dict)  # FollowUpResult -> n
    quotes: list[Quote] = field(default_factory=list)
    partners: list[FollowUpAnswer] = field(default_factory=list)  # those naming with whom

    @property
    def response_rate(self) -> float | None:
        return self.responses_when_asked / self.requested if self.requested else None


def _requests(event_ids: list[int]) -> dict[str, int]:
    return dict(db.session.execute(
        select(FeedbackRequest.stage, func.count())
        .where(FeedbackRequest.event_id.in_(event_ids))
        .group_by(FeedbackRequest.stage)).all())


def quotes(event_ids: list[int], limit: int = MAX_QUOTES) -> list[Quote]:
    """What people agreed to have quoted: what they found most useful (or, failing
    that, their comments), with their organisation or anonymously as they chose."""
    rows = db.session.execute(
        select(FeedbackResponse.useful, FeedbackResponse.comments,
               FeedbackResponse.attribution, Registration.organisation,
               Registration.language)
        .join(Registration, Registration.id == FeedbackResponse.registration_id)
        .where(FeedbackResponse.event_id.in_(event_ids),
               FeedbackResponse.quote_consent.is_(True), Registration.erased_at.is_(None))
        .order_by(FeedbackResponse.rating.desc(), FeedbackResponse.id)).all()
    found: dict[tuple[str, str], Quote] = {}  # the same words from the same source once
    for useful, comments, attribution, organisation, their_language in rows:
        text = (useful or comments or "").strip()
        if not text:
            continue
        named = attribution == QuoteAttribution.ORGANISATION and organisation.strip()
        quote = Quote(text, organisation.strip() if named else "", their_language)
        found.setdefault((quote.text, quote.source), quote)
    return list(found.values())[:limit]


def follow_up_partners(event_ids: list[int]) -> list[FollowUpAnswer]:
    """The follow-up answers that say with whom, for the organisers."""
    rows = db.session.execute(
        select(FollowUpResponse.result, FollowUpResponse.with_whom, Registration.organisation)
        .join(Registration, Registration.id == FollowUpResponse.registration_id)
        .where(FollowUpResponse.event_id.in_(event_ids), FollowUpResponse.with_whom != "",
               Registration.erased_at.is_(None))
        .order_by(FollowUpResponse.result, FollowUpResponse.id)).all()
    return [FollowUpAnswer(*row) for row in rows]


def feedback_figures(event_ids: list[int], with_quotes: bool = True) -> FeedbackFigures:
    if not event_ids:
        return FeedbackFigures()
    asked = _requests(event_ids)
    ratings = dict(db.session.execute(
        select(FeedbackResponse.rating, func.count())
        .where(FeedbackResponse.event_id.in_(event_ids))
        .group_by(FeedbackResponse.rating)).all())
    responses = sum(ratings.values())
    will_follow_up = db.session.scalar(
        select(func.count()).select_from(FeedbackResponse)
        .where(FeedbackResponse.event_id.in_(event_ids),
               FeedbackResponse.follow_up.is_(True))) or 0
    when_asked = db.session.scalar(
        select(func.count()).select_from(FeedbackResponse)
        .where(FeedbackResponse.event_id.in_(event_ids),
               FeedbackResponse.registration_id.in_(
                   select(FeedbackRequest.registration_id)
                   .where(FeedbackRequest.stage == FeedbackStage.FEEDBACK)))) or 0
    results = dict(db.session.execute(
        select(FollowUpResponse.result, func.count())
        .where(FollowUpResponse.event_id.in_(event_ids))
        .group_by(FollowUpResponse.result)).all())
    mean = (sum(r * n for r, n in ratings.items()) / responses) if responses else None
    return FeedbackFigures(
        requested=asked.get(FeedbackStage.FEEDBACK, 0), responses=responses,
        responses_when_asked=when_asked,
        mean_rating=round(mean, 2) if mean is not None else None,
        ratings={r: ratings.get(r, 0) for r in range(1, 6)}, will_follow_up=will_follow_up,
        follow_up_requested=asked.get(FeedbackStage.FOLLOW_UP, 0),
        follow_up_responses=sum(results.values()),
        follow_up_results={r.value: results.get(r.value, 0) for r in FollowUpResult},
        quotes=quotes(event_ids) if with_quotes else [],
        partners=follow_up_partners(event_ids) if with_quotes else [])


def api_feedback(event_id: int) -> dict:
    """The `feedback` object of the event report in the API."""
    figures = feedback_figures([event_id], with_quotes=False)
    return {"requested": figures.requested, "responses": figures.responses,
            "mean_rating": figures.mean_rating}
