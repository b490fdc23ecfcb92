"""The organiser's question editor: add (also from a preset), change, reorder, retire and
delete questions. A question nobody has answered may change freely; once answered its
code and type stay, and an option taken away is retired (hidden from the form, its
answers kept and still counted) rather than deleted.

Callers commit. Every bad field raises ValidationErrors keyed by the editor's fields
(`code`, `label`, `label_ja`, `help`, `help_ja`, `type`, `options`, `categories`).
"""

from __future__ import annotations

import re

from flask_babel import gettext as _

from ..events.services import move_in_order
from ..extensions import db
from ..i18n import join_list
from ..models import Answer, Event, Question, QuestionOption, QuestionType, max_length
from ..validation import ValidationErrors, text_problem
from .answers import event_questions, forget_questions
from .presets import PRESETS

CODE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_OPTIONS = 50


def has_answers(question: Question) -> bool:
    return db.session.execute(db.select(Answer.id).where(
        Answer.question_id == question.id).limit(1)).first() is not None


def answered_option_ids(question: Question) -> set[int]:
    return set(db.session.execute(db.select(Answer.option_id).where(
        Answer.question_id == question.id, Answer.option_id.is_not(None)).distinct()).scalars())


def _code_problem(code: str, limit: int) -> str | None:
    if not code:
        return _("Give a short code, e.g. diet.")
    if len(code) > limit or not CODE.match(code):
        return _("Lower-case letters, digits and _ only, starting with a letter; at most "
                 "%(num)d characters.", num=limit)
    return None


def _clean_options(raw, errors: dict) -> list[dict]:
    if not isinstance(raw, list):
        errors["options"] = _("Give the options as a list.")
        return []
    options, seen = [], set()
    limit = max_length(QuestionOption.code)
    for item in raw[:MAX_OPTIONS + 1]:
        if not isinstance(item, dict):
            errors["options"] = _("Each option needs a code and a label.")
            return []
        code = str(item.get("code") or "").strip().lower()
        label = str(item.get("label") or "").strip()
        label_ja = str(item.get("label_ja") or "").strip()
        problem = (_code_problem(code, limit) or
                   (None if label or label_ja else _("Each option needs a label.")) or
                   text_problem(label, max_length(QuestionOption.label)) or
                   text_problem(label_ja, max_length(QuestionOption.label_ja)))
        if problem is None and code in seen:
            problem = _("Two options have the code %(code)s.", code=code)
        if problem:
            errors["options"] = f"{code or '—'}: {problem}"
            return []
        seen.add(code)
        options.append({"code": code, "label": label or label_ja, "label_ja": label_ja})
    if len(options) > MAX_OPTIONS:
        errors["options"] = _("At most %(num)d options.", num=MAX_OPTIONS)
    return options


def check(event: Event, data: dict, question: Question | None = None) -> dict:
    """The editor's values made clean, or ValidationErrors."""
    errors: dict[str, str] = {}
    clean: dict = {}
    code = str(data.get("code") or "").strip().lower()
    if problem := _code_problem(code, max_length(Question.code)):
        errors["code"] = problem
    elif any(q.code == code and q is not question for q in event_questions(event.id)):
        errors["code"] = _("Another question of this event has this code.")
    clean["code"] = code
    for key, one_line in (("label", True), ("label_ja", True), ("help", False),
                          ("help_ja", False)):
        value = str(data.get(key) or "").strip()
        limit = max_length(getattr(Question, key)) if one_line else 1000
        if problem := text_problem(value, limit, one_line=one_line):
            errors[key] = problem
        clean[key] = value
    if not clean["label"] and not clean["label_ja"] and "label" not in errors:
        errors["label"] = _("Write the question in English or Japanese.")
    clean["label"] = clean["label"] or clean["label_ja"]
    kind = data.get("type")
    if kind not in QuestionType.ALL:
        errors["type"] = _("Choose a type of answer.")
    clean["type"] = kind
    clean["options"] = _clean_options(data.get("options") or [], errors)
    if kind in QuestionType.WITH_OPTIONS and not clean["options"] and "options" not in errors:
        errors["options"] = _("Give at least one option.")
    if kind not in QuestionType.WITH_OPTIONS:
        clean["options"] = []
    codes = [str(c) for c in data.get("categories") or []]
    known = {c.code: c for c in event.categories}
    if unknown := [c for c in codes if c not in known]:
        errors["categories"] = _("Unknown category: %(codes)s.", codes=join_list(unknown))
    clean["categories"] = [known[c] for c in dict.fromkeys(codes) if c in known]
    clean["required"] = bool(data.get("required"))
    if question is not None and has_answers(question):
        if clean["type"] != question.type:
            errors["type"] = _("People have answered this question: its type can no "
                               "longer change.")
        if clean["code"] != question.code:
            errors["code"] = _("People have answered this question: its code can no "
                               "longer change.")
    if errors:
        raise ValidationErrors(errors)
    return clean


def _apply(question: Question, clean: dict) -> None:
    for key in ("code", "label", "label_ja", "help", "help_ja", "type", "required",
                "categories"):
        setattr(question, key, clean[key])
    current = {o.code: o for o in question.options}
    answered = answered_option_ids(question) if question.id else set()
    wanted = [o["code"] for o in clean["options"]]
    for position, values in enumerate(clean["options"]):
        option = current.get(values["code"])
        if option is None:
            option = QuestionOption(code=values["code"])
            question.options.append(option)
        option.label, option.label_ja = values["label"], values["label_ja"]
        option.position, option.retired = position, False
    for code, option in current.items():
        if code in wanted:
            continue
        if option.id in answered:
            option.retired = True  # answers keep pointing at it
            option.position = len(wanted) + option.position
        else:
            question.options.remove(option)


def add_question(event: Event, data: dict) -> Question:
    clean = check(event, data)
    positions = [q.position for q in event_questions(event.id)]
    question = Question(event_id=event.id, position=max(positions, default=-1) + 1,
                        options=[])
    _apply(question, clean)
    db.session.add(question)
    db.session.flush()
    forget_questions(event.id)
    return question


def add_preset(event: Event, key: str) -> Question:
    if key not in PRESETS:
        raise ValidationErrors({"preset": _("Unknown preset.")})
    preset = PRESETS[key]
    if any(q.code == preset["code"] for q in event_questions(event.id)):
        raise ValidationErrors({"preset": _("This event already has this question.")})
    return add_question(event, preset)


def change_question(question: Question, data: dict) -> Question:
    clean = check(question.event, data, question)
    _apply(question, clean)
    db.session.flush()
    forget_questions(question.event_id)
    return question


def move(question: Question, step: int) -> None:
    """Up (-1) or down (+1) one place among the event's questions."""
    move_in_order(list(event_questions(question.event_id)), question, step)
    forget_questions(question.event_id)


def set_retired(question: Question, retired: bool) -> None:
    question.retired = retired
    forget_questions(question.event_id)


def delete(question: Question) -> bool:
    """Deletes a question nobody answered; one with answers is retired instead.
    True when deleted."""
    event_id = question.event_id
    forget_questions(event_id)
    if has_answers(question):
        question.retired = True
        return False
    db.session.delete(question)
    return True


def question_of(event: Event, question_id: int) -> Question | None:
    return next((q for q in event_questions(event.id) if q.id == question_id), None)
