"""The answers in the attendee exports: a column per question, headed by its label in
the export's language, options by their labels. Rows come from the caller's stream;
their answers are read a batch of rows at a time, so memory stays flat."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..content import translated
from ..extensions import db
from ..models import Answer, Event, QuestionType
from .answers import event_questions

BATCH_ROWS = 500


@dataclass(frozen=True)
class Column:
    question_id: int
    type: str
    header: str
    options: dict  # option id -> label


def export_columns(event: Event, language: str) -> tuple[Column, ...]:
    """Every question, retired ones too (their answers are kept), in the form's order."""
    return tuple(Column(q.id, q.type, translated(q, "label", language),
                        {o.id: translated(o, "label", language) for o in q.options})
                 for q in event_questions(event.id))


def _cell(column: Column, rows: list, yes_no: tuple[str, str]):
    if not rows:
        return ""
    if column.type in QuestionType.WITH_OPTIONS:
        return "; ".join(column.options.get(option_id, "") for option_id, _t, _f in rows)
    if column.type == QuestionType.BOOLEAN:
        return yes_no[bool(rows[0][2])]
    return rows[0][1] or ""


def _completed(columns: tuple[Column, ...], rows: list[list], yes_no) -> Iterator[list]:
    found: dict = defaultdict(lambda: defaultdict(list))
    statement = (db.select(Answer.registration_id, Answer.question_id, Answer.option_id,
                           Answer.text, Answer.flag)
                 .where(Answer.registration_id.in_([row[0] for row in rows]),
                        Answer.question_id.in_([c.question_id for c in columns]))
                 .order_by(Answer.id))
    for rid, qid, option_id, text, flag in db.session.execute(statement):
        found[rid][qid].append((option_id, text, flag))
    for row in rows:
        answers = found.get(row[0], {})
        yield row + [_cell(c, answers.get(c.question_id, []), yes_no) for c in columns]


def with_answers(columns: tuple[Column, ...], rows: Iterable[list],
                 yes_no: tuple[str, str]) -> Iterator[list]:
    """Each row (its first cell the registration id) with its answers appended."""
    batch: list[list] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            yield from _completed(columns, batch, yes_no)
            batch = []
    if batch:
        yield from _completed(columns, batch, yes_no)
