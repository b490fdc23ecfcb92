"""An attendee's answers: which questions a registration is asked, checking given
answers, storing them (one row per chosen option) and reading them back.

Answers travel as the API writes them: an object from question code to text, an option
code, a list of option codes or a boolean. The public form, the manage link, the
organiser's page, the import and the API all go through `clean_answers`.
"""

from __future__ import annotations

from flask import g, has_app_context
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ..content import translated
from ..extensions import db
from ..i18n import join_list
from ..models import Answer, Category, Event, Question, QuestionType, Registration
from ..validation import text_problem

TEXT_LIMITS = {QuestionType.TEXT: 300, QuestionType.LONG_TEXT: 2000}
_CACHE = "_event_questions"


def event_questions(event_id: int) -> list[Question]:
    """The event's questions in order, options and categories loaded; read once per
    request (an import checks thousands of rows against them)."""
    cache = g.setdefault(_CACHE, {}) if has_app_context() else {}
    if event_id not in cache:
        # One statement, options and categories joined: a question's row comes back
        # once per option and category it has (the office's four usual questions make
        # twelve rows), which costs the ORM less than a statement each for the options
        # and the categories, which every sign-up paid.
        cache[event_id] = list(db.session.execute(
            db.select(Question).where(Question.event_id == event_id)
            .options(joinedload(Question.options), joinedload(Question.categories))
            .order_by(Question.position, Question.id)).unique().scalars())
    return cache[event_id]


def forget_questions(event_id: int) -> None:
    """After the editor changed them."""
    if has_app_context():
        g.setdefault(_CACHE, {}).pop(event_id, None)


def asks(question: Question, category: Category | None) -> bool:
    """Whether the question is put to people of this category (no categories: all)."""
    if not question.categories:
        return True
    return category is not None and any(c.id == category.id for c in question.categories)


def asked_of(event: Event, category: Category | None) -> list[Question]:
    """The questions the form shows this category, in order."""
    return [q for q in event_questions(event.id) if not q.retired and asks(q, category)]


def is_blank(value) -> bool:
    return value is None or value == "" or value == []


def answers_of(reg: Registration) -> dict:
    """The registration's answers as the API gives them: code -> value."""
    out: dict = {}
    for row in reg.answer_rows:
        question = row.question
        if question.type == QuestionType.MULTIPLE:
            out.setdefault(question.code, []).append(row.option.code)
        elif question.type == QuestionType.CHOICE:
            out[question.code] = row.option.code
        elif question.type == QuestionType.BOOLEAN:
            out[question.code] = row.flag
        else:
            out[question.code] = row.text or ""
    return out


def _option_codes(question: Question, current) -> set[str]:
    """Codes an answer may name: offered options, and a retired one the person chose
    before (changing another answer must not force a new choice)."""
    kept = set(current if isinstance(current, list) else [current]) if current else set()
    return {o.code for o in question.options if not o.retired or o.code in kept}


def _clean_value(question: Question, value, current):
    """The value in its stored form; raises ValueError with a message."""
    kind = question.type
    if kind in TEXT_LIMITS:
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ValueError(_("Must be text."))
        value = value.strip()
        if message := text_problem(value, TEXT_LIMITS[kind],
                                   one_line=kind == QuestionType.TEXT):
            raise ValueError(message)
        return value
    if kind == QuestionType.BOOLEAN:
        if value is None or value == "":
            return None
        if not isinstance(value, bool):
            raise ValueError(_("Must be true or false."))
        return value
    allowed = _option_codes(question, current)
    offered = join_list(o.code for o in question.options if o.code in allowed)
    if kind == QuestionType.CHOICE:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or value.strip() not in allowed:
            raise ValueError(_("Choose one of the options: %(codes)s.", codes=offered))
        return value.strip()
    values = [value] if isinstance(value, str) else value if value is not None else []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(_("Must be a list of option codes."))
    chosen = {v.strip() for v in values if v.strip()}
    if unknown := sorted(chosen - allowed):
        raise ValueError(_("Unknown option: %(codes)s. Choose among: %(offered)s.",
                           codes=join_list(unknown), offered=offered))
    return [o.code for o in question.options if o.code in chosen]


def clean_answers(event: Event, category: Category | None, given,
                  existing: Registration | None = None) -> tuple[dict, dict[str, str]]:
    """Checks `given` (code -> value; None: not given) for a registration of `category`.
    Returns ({question: clean value} to store, {"answers.<code>": message}). Questions
    left out keep what `existing` answered; a required question must have an answer
    after the change (a new registration has none yet)."""
    errors: dict[str, str] = {}
    if given is not None and not isinstance(given, dict):
        return {}, {"answers": _("Must be an object from question code to answer.")}
    given = given or {}
    asked = asked_of(event, category)
    by_code = {q.code: q for q in asked}
    moving = existing is not None and existing.category_id != getattr(category, "id", None)
    others = {q.code for q in event_questions(event.id) if not q.retired}
    for code, value in given.items():
        # A page's fields for the category a person is leaving say nothing about the new one.
        if code not in by_code and not (code in others and (moving or is_blank(value))):
            errors[f"answers.{str(code)[:60]}"] = _(
                "This question is not asked of this registration.")
    current = answers_of(existing) if existing is not None else {}
    clean: dict = {}
    for question in asked:
        key = f"answers.{question.code}"
        before = current.get(question.code)
        if question.code in given:
            try:
                value = _clean_value(question, given[question.code], before)
            except ValueError as e:
                errors[key] = str(e)
                continue
            clean[question] = value
        else:
            value = before
        if question.required and is_blank(value):
            errors[key] = _("Please answer this question.")
    return clean, errors


def answer_rows(registration_id: int, clean: dict) -> list[dict]:
    """The rows storing clean answers (blank answers store none)."""
    rows = []
    for question, value in clean.items():
        base = {"registration_id": registration_id, "question_id": question.id,
                "option_id": None, "text": None, "flag": None}
        if is_blank(value):
            continue
        if question.type in TEXT_LIMITS:
            rows.append(base | {"text": value})
        elif question.type == QuestionType.BOOLEAN:
            rows.append(base | {"flag": value})
        else:
            options = {o.code: o.id for o in question.options}
            for code in value if isinstance(value, list) else [value]:
                rows.append(base | {"option_id": options[code]})
    return rows


def store_answers(pairs: list[tuple[Registration, dict]], *, new: bool = False) -> None:
    """Replaces the answers to the questions in each clean dict (the caller's
    transaction). `new`: the registrations have no answers yet."""
    rows = []
    for reg, clean in pairs:
        if new and all(is_blank(v) for v in clean.values()):
            set_committed_value(reg, "answer_rows", [])  # known: none (no statement)
        if not clean:
            continue
        if not new:
            db.session.execute(db.delete(Answer).where(
                Answer.registration_id == reg.id,
                Answer.question_id.in_([q.id for q in clean])))
        rows += answer_rows(reg.id, clean)
        db.session.expire(reg, ["answer_rows"])
    if rows:
        db.session.execute(db.insert(Answer), rows)


def answer_lines(reg: Registration, language: str) -> list[tuple[str, str]]:
    """(question, answer) in words, in the form's order, for the attendee's page."""
    values = answers_of(reg)
    lines = []
    for q in event_questions(reg.event_id):
        value = values.get(q.code)
        if is_blank(value):
            continue
        if q.type == QuestionType.BOOLEAN:
            text = _("Yes") if value else _("No")
        elif q.type in QuestionType.WITH_OPTIONS:
            chosen = value if isinstance(value, list) else [value]
            text = join_list(translated(o, "label", language) for o in q.options
                             if o.code in chosen)
        else:
            text = value
        lines.append((translated(q, "label", language), text))
    return lines


def erase_answers(registration_ids, *, free_text_only: bool = False) -> None:
    """Personal data going (privacy/services.py): a person's answers, or when an event
    is anonymised its free-text answers (choices stay as figures, with no name)."""
    statement = db.delete(Answer).where(Answer.registration_id.in_(registration_ids))
    if free_text_only:
        statement = statement.where(Answer.text.is_not(None))
    db.session.execute(statement, execution_options={"synchronize_session": False})
