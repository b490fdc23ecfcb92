"""The questions in an invitation list: a column per question, headed by its code or its
English or Japanese label; options by code or label in either language; yes/no as
offices write it (yes/no, はい/いいえ, true/false, 1/0, ○/×). Cells become the values
the API takes; the registration's checks then name what does not fit."""

from __future__ import annotations

from ..models import Event, QuestionType
from ..registration.columns import FALSE_WORDS, TRUE_WORDS, header_key, split_list
from ..search import normalise
from .answers import asks, event_questions

PREFIX = "answers."


def answer_headers(event: Event | None) -> dict[str, str]:
    """Header (as header_key writes it) -> "answers.<code>", for the event's questions
    still asked. Labels first, so a code always wins over another question's label."""
    if event is None:
        return {}
    table: dict[str, str] = {}
    questions = [q for q in event_questions(event.id) if not q.retired]
    for q in questions:
        for label in (q.label, q.label_ja):
            if label:
                table.setdefault(header_key(label), PREFIX + q.code)
    for q in questions:
        table[header_key(q.code)] = PREFIX + q.code
    return table


class AnswerReader:
    """Resolves a row's answer cells (code -> text) for one event."""

    def __init__(self, event: Event):
        self.questions = {q.code: q for q in event_questions(event.id)}
        self.options = {}
        for q in self.questions.values():
            table = {}
            for o in q.options:
                for name in (o.label, o.label_ja):
                    if name:
                        table.setdefault(normalise(name), o.code)
            for o in q.options:
                table[normalise(o.code)] = o.code
            self.options[q.code] = table

    def value(self, code: str, text: str):
        question = self.questions.get(code)
        if question is None or question.type in (QuestionType.TEXT, QuestionType.LONG_TEXT):
            return text
        if question.type == QuestionType.BOOLEAN:
            word = normalise(text)
            if not word:
                return None
            return True if word in TRUE_WORDS else False if word in FALSE_WORDS else text
        table = self.options[code]
        if question.type == QuestionType.CHOICE:
            return table.get(normalise(text), text) if text else None
        return [table.get(normalise(part), part) for part in split_list(text)]

    def resolve(self, data: dict) -> dict:
        answers = data.get("answers")
        if not isinstance(answers, dict):
            return data
        return data | {"answers": {code: self.value(code, str(text or ""))
                                   for code, text in answers.items()}}


def template_columns(event: Event, category=None) -> list[tuple[str, str]]:
    """(header, example for a person of `category`) per question asked, for the import
    template."""
    out = []
    for q in event_questions(event.id):
        if q.retired:
            continue
        if not asks(q, category):
            out.append((q.code, ""))
            continue
        offered = [o.code for o in q.options if not o.retired]
        example = {QuestionType.BOOLEAN: "yes", QuestionType.CHOICE: offered[0] if offered else "",
                   QuestionType.MULTIPLE: offered[0] if offered else ""}.get(q.type, "")
        out.append((q.code, example))
    return out
