"""Finding people by their answers, and counting answers.

`answered_condition(question, value)` is the one SQL condition "this registration gave
this answer", on Registration.id, for any statement over registrations: the desk's
filter uses it, and so may a message's group. A filter travels in a URL as
"<code>:<value>" (`parse_filter`, `filter_choices`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import ColumnElement

from ..content import translated
from ..extensions import db
from ..models import Answer, Event, Question, QuestionOption, QuestionType, Registration, Status
from .answers import event_questions

ANY = "*"  # any answer at all (for text: any non-empty text)
YES, NO = "yes", "no"


def answered_condition(question: Question, value=ANY) -> ColumnElement[bool]:
    """Registrations (by Registration.id) whose answer to `question` is `value`: an
    option (its code or the QuestionOption), True / False for a yes/no question, or ANY
    (answered at all). An option the question lacks matches nobody."""
    rows = db.select(Answer.id).where(Answer.registration_id == Registration.id,
                                      Answer.question_id == question.id)
    if value == ANY or value is None:
        if question.type in (QuestionType.TEXT, QuestionType.LONG_TEXT):
            rows = rows.where(Answer.text != "")
        return rows.exists()
    if question.type == QuestionType.BOOLEAN:
        if isinstance(value, str):
            value = {YES: True, NO: False}.get(value)
        if not isinstance(value, bool):
            return db.false()
        return rows.where(Answer.flag.is_(value)).exists()
    if question.type in QuestionType.WITH_OPTIONS:
        option = value if isinstance(value, QuestionOption) else next(
            (o for o in question.options if o.code == value), None)
        if option is None or option.question_id != question.id:
            return db.false()
        return rows.where(Answer.option_id == option.id).exists()
    return db.false()


def parse_filter(event: Event, text: str) -> tuple[Question, str] | None:
    """"diet:halal", "photo_consent:no", "accessibility:*" as (question, value); None
    when it names no question of the event or no value it has."""
    code, _sep, value = (text or "").partition(":")
    question = next((q for q in event_questions(event.id) if q.code == code), None)
    if question is None:
        return None
    if value == ANY:
        return question, value
    if question.type == QuestionType.BOOLEAN:
        return (question, value) if value in (YES, NO) else None
    if any(o.code == value for o in question.options):
        return question, value
    return None


def filter_choices(event: Event, language: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The desk's choices: per question, its answers as (filter text, label)."""
    groups = []
    for q in event_questions(event.id):
        label = translated(q, "label", language)
        if q.type == QuestionType.BOOLEAN:
            choices = [(f"{q.code}:{YES}", _("Yes")), (f"{q.code}:{NO}", _("No"))]
        elif q.type in QuestionType.WITH_OPTIONS:
            choices = [(f"{q.code}:{o.code}", translated(o, "label", language))
                       for o in q.options]
        else:
            choices = [(f"{q.code}:{ANY}", _("Answered"))]
        groups.append((label, choices))
    return groups


@dataclass
class QuestionSummary:
    question: Question
    label: str
    # (answer, people, the desk's filter for them)
    rows: list[tuple[str, int, str]] = field(default_factory=list)
    answered: int = 0  # people who answered at all
    asked: int = 0  # confirmed people


def summaries(event: Event, language: str) -> list[QuestionSummary]:
    """Per question, among confirmed registrations: people per option (yes and no for a
    yes/no question), and how many answered at all; the caterer's numbers."""
    questions = event_questions(event.id)
    if not questions:
        return []
    confirmed = (Registration.event_id == event.id, Registration.status == Status.CONFIRMED)
    asked = db.session.execute(db.select(db.func.count()).where(*confirmed)).scalar()
    base = (db.select(Answer.question_id, Answer.option_id, Answer.flag,
                      db.func.count(db.distinct(Answer.registration_id)))
            .join(Registration, Registration.id == Answer.registration_id)
            .join(Question, Question.id == Answer.question_id)
            .where(Question.event_id == event.id, *confirmed)
            .where(db.or_(Answer.text.is_(None), Answer.text != "")))
    counts = db.session.execute(base.group_by(Answer.question_id, Answer.option_id,
                                              Answer.flag)).all()
    people = dict(db.session.execute(
        db.select(Answer.question_id, db.func.count(db.distinct(Answer.registration_id)))
        .join(Registration, Registration.id == Answer.registration_id)
        .join(Question, Question.id == Answer.question_id)
        .where(Question.event_id == event.id, *confirmed)
        .group_by(Answer.question_id)).all())
    by_option = {(qid, oid, flag): n for qid, oid, flag, n in counts}
    out = []
    for q in questions:
        summary = QuestionSummary(q, translated(q, "label", language),
                                  answered=people.get(q.id, 0), asked=asked)
        if q.type == QuestionType.BOOLEAN:
            summary.rows = [(_("Yes"), by_option.get((q.id, None, True), 0), f"{q.code}:{YES}"),
                            (_("No"), by_option.get((q.id, None, False), 0), f"{q.code}:{NO}")]
        elif q.type in QuestionType.WITH_OPTIONS:
            summary.rows = [(translated(o, "label", language),
                             by_option.get((q.id, o.id, None), 0), f"{q.code}:{o.code}")
                            for o in q.options
                            if not o.retired or by_option.get((q.id, o.id, None))]
        if q.retired and not summary.answered:
            continue
        out.append(summary)
    return out
