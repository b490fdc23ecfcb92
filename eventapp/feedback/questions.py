"""The organiser's own questions on an event's feedback form: adding and removing them,
the form fields they add, reading the answers, and their figures."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from wtforms import RadioField, TextAreaField
from wtforms.validators import Length, Optional

from ..content import translated
from ..extensions import db
from ..models import (
    FeedbackQuestion,
    FeedbackQuestionKind,
    FeedbackResponse,
    Registration,
    max_length,
)
from ..validation import ValidationErrors, text_problem
from .forms import TEXT_LIMIT, kind_choices  # noqa: F401  (kind_choices: the labels)

MAX_QUESTIONS = 10
SHOWN_TEXTS = 20  # text answers listed per question on the organiser's page


def questions_of(event_id: int) -> list[FeedbackQuestion]:
    return list(db.session.execute(
        db.select(FeedbackQuestion).where(FeedbackQuestion.event_id == event_id)
        .order_by(FeedbackQuestion.position, FeedbackQuestion.id)).scalars())


def add_question(event_id: int, label: str, label_ja: str, kind: str) -> FeedbackQuestion:
    """The caller commits."""
    label, label_ja = (label or "").strip(), (label_ja or "").strip()
    limit = max_length(FeedbackQuestion.label)
    problems = {name: message for name, value in (("label", label), ("label_ja", label_ja))
                if (message := text_problem(value, limit))}
    if not label and not label_ja:
        problems["label"] = _("Give the question in English, Japanese or both.")
    if kind not in set(FeedbackQuestionKind):
        problems["kind"] = _("Choose a kind of answer.")
    existing = questions_of(event_id)
    if len(existing) >= MAX_QUESTIONS:
        problems["label"] = _("At most %(num)d questions.", num=MAX_QUESTIONS)
    if problems:
        raise ValidationErrors(problems)
    question = FeedbackQuestion(event_id=event_id, label=label, label_ja=label_ja, kind=kind,
                                position=len(existing))
    db.session.add(question)
    return question


def remove_question(event_id: int, question_id: int) -> None:
    """Its answers stay in the stored responses but are no longer shown."""
    db.session.execute(db.delete(FeedbackQuestion).where(
        FeedbackQuestion.id == question_id, FeedbackQuestion.event_id == event_id))


def field_name(question: FeedbackQuestion) -> str:
    return f"q{question.id}"


def add_fields(form_class, questions: list[FeedbackQuestion], language: str):
    """A subclass of the form with a field per question (all optional)."""
    fields = {}
    for q in questions:
        label = translated(q, "label", language)
        if q.kind == FeedbackQuestionKind.SCALE:
            fields[field_name(q)] = RadioField(
                label, choices=[(str(n), str(n)) for n in range(5, 0, -1)],
                validators=[Optional()])
        elif q.kind == FeedbackQuestionKind.YES_NO:
            fields[field_name(q)] = RadioField(
                label, choices=[("yes", _("Yes")), ("no", _("No"))], validators=[Optional()])
        else:
            fields[field_name(q)] = TextAreaField(
                label, validators=[Optional(), Length(max=TEXT_LIMIT)])
    return type("FeedbackFormWithQuestions", (form_class,), fields)


def answers_from(form, questions: list[FeedbackQuestion]) -> dict:
    answers = {}
    for q in questions:
        value = getattr(form, field_name(q)).data
        if q.kind == FeedbackQuestionKind.SCALE and value:
            answers[str(q.id)] = int(value)
        elif q.kind == FeedbackQuestionKind.YES_NO and value in ("yes", "no"):
            answers[str(q.id)] = value == "yes"
        elif q.kind == FeedbackQuestionKind.TEXT and (value or "").strip():
            answers[str(q.id)] = value.strip()
    return answers


def form_data(answers: dict, questions: list[FeedbackQuestion]) -> dict:
    """Saved answers as the form's data, to show them again."""
    data = {}
    for q in questions:
        value = (answers or {}).get(str(q.id))
        if value is None:
            continue
        if q.kind == FeedbackQuestionKind.YES_NO:
            data[field_name(q)] = "yes" if value else "no"
        else:
            data[field_name(q)] = str(value)
    return data


@dataclass
class QuestionFigures:
    question: FeedbackQuestion
    label: str
    answered: int = 0
    mean: float | None = None  # scale
    yes: int = 0  # yes / no
    no: int = 0
    texts: list[str] = field(default_factory=list)


def question_figures(event_id: int, language: str) -> list[QuestionFigures]:
    questions = questions_of(event_id)
    if not questions:
        return []
    rows = db.session.execute(
        db.select(FeedbackResponse.answers)
        .join(Registration, Registration.id == FeedbackResponse.registration_id)
        .where(FeedbackResponse.event_id == event_id, Registration.erased_at.is_(None))
        .order_by(FeedbackResponse.id)).scalars().all()
    found = []
    for q in questions:
        values = [a[str(q.id)] for a in rows if isinstance(a, dict) and str(q.id) in a]
        figures = QuestionFigures(q, translated(q, "label", language), answered=len(values))
        if q.kind == FeedbackQuestionKind.SCALE:
            numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
            figures.mean = round(sum(numbers) / len(numbers), 2) if numbers else None
        elif q.kind == FeedbackQuestionKind.YES_NO:
            figures.yes = sum(1 for v in values if v is True)
            figures.no = sum(1 for v in values if v is False)
        else:
            figures.texts = [v for v in values if isinstance(v, str)][:SHOWN_TEXTS]
        found.append(figures)
    return found


def erase_text_answers(registration_ids) -> None:
    """What people wrote in answer to the organiser's text questions goes with their
    personal data; their ratings and yes/no answers stay."""
    text_ids = {str(i) for i in db.session.execute(
        db.select(FeedbackQuestion.id)
        .where(FeedbackQuestion.kind == FeedbackQuestionKind.TEXT)).scalars()}
    if not text_ids:
        return
    for response in db.session.execute(db.select(FeedbackResponse).where(
            FeedbackResponse.registration_id.in_(registration_ids))).scalars():
        kept = {k: v for k, v in (response.answers or {}).items() if k not in text_ids}
        if kept != response.answers:
            response.answers = kept
    db.session.flush()  # before the caller expires what it loaded
