"""The organiser's own questions on the registration form, and the attendees' answers.

An answer is one row per registration and question, except for choices: a choice
question's answer is the row naming the chosen option, a multiple-choice question's one
row per chosen option. So "everyone who chose halal" or "everyone needing
interpretation" is one indexed lookup, and the caterer's count a GROUP BY.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db
from .events import Category, Event
from .registrations import Registration


class QuestionType:
    TEXT = "text"            # one line
    LONG_TEXT = "long_text"  # a paragraph
    CHOICE = "choice"        # one option
    MULTIPLE = "multiple"    # any number of options
    BOOLEAN = "boolean"      # yes / no

    ALL = (TEXT, LONG_TEXT, CHOICE, MULTIPLE, BOOLEAN)
    WITH_OPTIONS = (CHOICE, MULTIPLE)


question_categories = Table(
    "question_categories", db.metadata,
    Column("question_id", ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True),
)


class Question(db.Model):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("event_id", "code", name="uq_questions_event_code"),
        CheckConstraint("type IN ('text', 'long_text', 'choice', 'multiple', 'boolean')",
                        name="type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          index=True)
    code: Mapped[str] = mapped_column(String(40))
    type: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(300))
    label_ja: Mapped[str] = mapped_column(String(300), default="")
    help: Mapped[str] = mapped_column(Text, default="")
    help_ja: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Kept, not deleted, once answered: hidden from the form, its answers still reported.
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    # Empty: the question is asked of every category.
    categories: Mapped[list[Category]] = relationship(secondary=question_categories)
    options: Mapped[list[QuestionOption]] = relationship(
        back_populates="question", order_by="QuestionOption.position",
        cascade="all, delete-orphan")


class QuestionOption(db.Model):
    __tablename__ = "question_options"
    __table_args__ = (UniqueConstraint("question_id", "code", name="uq_question_options_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    label_ja: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Retired once answered instead of deleted: no longer offered, old answers kept.
    retired: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[Question] = relationship(back_populates="options")


class Answer(db.Model):
    """One answer row: `text` for text questions, `flag` for yes/no, `option_id` for a
    choice (one row per chosen option of a multiple-choice question)."""

    __tablename__ = "answers"
    __table_args__ = (
        Index("ix_answers_registration_question", "registration_id", "question_id"),
        Index("ix_answers_question_option", "question_id", "option_id"),
        UniqueConstraint("registration_id", "question_id", "option_id",
                         name="uq_answers_registration_option"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("question_options.id", ondelete="CASCADE"))
    text: Mapped[str | None] = mapped_column(Text)
    flag: Mapped[bool | None] = mapped_column(Boolean)

    registration: Mapped[Registration] = relationship()
    question: Mapped[Question] = relationship()
    option: Mapped[QuestionOption | None] = relationship()


# Read-only: a registration's answer rows, so a list of registrations loads its answers
# in one more statement (selectinload) rather than one per person. Written by
# questions/answers.py only.
Registration.answer_rows = relationship(Answer, viewonly=True, order_by=Answer.id)
