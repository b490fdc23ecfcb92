"""The questions on the registration forms (sign-up, manage link, the organiser's page):
one field per question asked of the category, named `answers.<code>` so the domain's
messages (`answers.<code>`, as the API names them) land at their field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField

from ..content import translated
from ..events.forms import MultiCheckboxField
from ..models import Category, Event, QuestionType, Registration
from .answers import TEXT_LIMITS, answers_of, asked_of

PREFIX = "answers."
YES, NO = "yes", "no"


def yes_no_choices():
    return [(YES, _l("Yes")), (NO, _l("No"))]


class Marked:
    """Marks a required question's field (the asterisk); the domain checks the answer."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


def _field(question, language: str):
    label = translated(question, "label", language)
    help_text = translated(question, "help", language)
    options = [(o.code, translated(o, "label", language))
               for o in question.options if not o.retired]
    common = {"label": label, "description": help_text,
              "validators": [Marked()] if question.required else []}
    kind = question.type
    if kind == QuestionType.TEXT:
        return StringField(render_kw={"maxlength": TEXT_LIMITS[kind]}, **common)
    if kind == QuestionType.LONG_TEXT:
        return TextAreaField(render_kw={"maxlength": TEXT_LIMITS[kind], "rows": 3}, **common)
    if kind == QuestionType.BOOLEAN:
        return RadioField(choices=yes_no_choices(), validate_choice=False, **common)
    if kind == QuestionType.CHOICE:
        return RadioField(choices=options, validate_choice=False, **common)
    return MultiCheckboxField(choices=options, validate_choice=False, **common)


def with_questions(form_class, event: Event, category: Category, language: str):
    """`form_class` with a field per question asked of `category` (itself if none)."""
    questions = asked_of(event, category)
    if not questions:
        return form_class
    fields = {PREFIX + q.code: _field(q, language) for q in questions}
    subclass = type(form_class.__name__, (form_class,), fields)
    subclass.question_list = questions
    return subclass


def question_fields(form) -> list:
    """(question, field) pairs in the order of the questions, for the template."""
    return [(q, form[PREFIX + q.code]) for q in getattr(form, "question_list", ())
            if PREFIX + q.code in form._fields]


def fill(form, reg: Registration) -> None:
    """The registration's stored answers into the fields (a page opened to edit)."""
    values = answers_of(reg)
    for question, field in question_fields(form):
        value = values.get(question.code)
        if question.type == QuestionType.BOOLEAN:
            value = None if value is None else (YES if value else NO)
        field.data = value if value is not None else (
            [] if question.type == QuestionType.MULTIPLE else None)


def fold_answers(form, data: dict) -> dict:
    """The form's values with the answer fields gathered into `answers`, as the API
    gives them (yes/no as booleans). Without questions, no `answers` key."""
    pairs = question_fields(form)
    if not pairs:
        return data
    answers = {}
    for question, field in pairs:
        data.pop(field.name, None)
        value = field.data
        if question.type == QuestionType.BOOLEAN:
            value = {YES: True, NO: False}.get(value)
        answers[question.code] = value
    return data | {"answers": answers}
