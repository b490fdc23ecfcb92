"""Who a message is for: the group an organiser chose, as one WHERE clause per
condition (status, category, checked in or not, hand-picked, an answer to a question),
and the checks that say which condition does not fit the event."""

from flask_babel import gettext as _
from flask_babel import ngettext

from ..content import localized
from ..extensions import db
from ..i18n import join_list
from ..labels import status_labels
from ..models import (
    ACTIVE_STATUSES,
    Category,
    Event,
    Question,
    Registration,
    Status,
)
from ..questions.queries import ANY, answered_condition
from ..validation import ValidationErrors

MAX_PICKED = 5000


def answer_clause(event_id: int, question_code: str, option_code: str | None = None,
                  flag: bool | None = None):
    """Registrations whose answer to the question is that option (or that yes/no), or,
    with neither, who answered it at all: the questions part's one condition."""
    question = db.session.execute(db.select(Question).where(
        Question.event_id == event_id, Question.code == question_code)).scalar()
    if question is None:
        return db.false()
    value = option_code if option_code is not None else flag
    return answered_condition(question, ANY if value is None else value)


def conditions(event_id: int, audience: dict, *, optional: bool = True) -> list:
    """The WHERE clauses of `audience` (see Message.audience). `optional`: a message one
    may opt out of, which skips those who did."""
    clauses = [Registration.event_id == event_id, Registration.erased_at.is_(None)]
    clauses.append(Registration.status.in_(audience.get("status") or list(ACTIVE_STATUSES)))
    if audience.get("category"):
        clauses.append(Registration.category_id.in_(
            db.select(Category.id).where(Category.event_id == event_id,
                                         Category.code.in_(audience["category"]))))
    checked_in = audience.get("checked_in")
    if checked_in is True:
        clauses.append(Registration.checked_in_at.is_not(None))
    elif checked_in is False:
        clauses.append(Registration.checked_in_at.is_(None))
    if audience.get("registration_ids"):
        clauses.append(Registration.id.in_(audience["registration_ids"]))
    answer = audience.get("answer")
    if answer:
        clauses.append(answer_clause(event_id, answer["question"], answer.get("option"),
                                     answer.get("value")))
    if optional:
        clauses.append(Registration.messages_opt_out_at.is_(None))
    return clauses


def recipients(event_id: int, audience: dict, *, limit: int | None = None) -> list:
    """(id, e-mail, language) of each person the message goes to, in id order."""
    query = (db.select(Registration.id, Registration.email, Registration.language)
             .where(*conditions(event_id, audience)).order_by(Registration.id))
    return list(db.session.execute(query.limit(limit)).all())


def count(event_id: int, audience: dict) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(Registration)
                              .where(*conditions(event_id, audience))).scalar_one()


def people(event_id: int, audience: dict, limit: int = 200) -> list[Registration]:
    """The first recipients by reading, for choosing whom to preview."""
    return list(db.session.execute(
        db.select(Registration).where(*conditions(event_id, audience))
        .order_by(Registration.sort_name, Registration.id).limit(limit)).scalars())


def check(event: Event, audience: dict) -> dict:
    """`audience` cleaned, or ValidationErrors naming the condition that does not fit
    this event (`to.status`, `to.category`, `to.answer`, `to.registration_ids`)."""
    errors, clean = {}, {}
    statuses = list(dict.fromkeys(audience.get("status") or []))
    unknown = [s for s in statuses if s not in set(Status)]
    if unknown:
        errors["to.status"] = _("Unknown status: %(codes)s.", codes=", ".join(unknown))
    clean["status"] = statuses
    codes = list(dict.fromkeys(audience.get("category") or []))
    unknown = [c for c in codes if c not in {cat.code for cat in event.categories}]
    if unknown:
        errors["to.category"] = _("Unknown category: %(codes)s.", codes=", ".join(unknown))
    clean["category"] = codes
    if audience.get("checked_in") is not None:
        clean["checked_in"] = bool(audience["checked_in"])
    picked = list(dict.fromkeys(audience.get("registration_ids") or []))
    if len(picked) > MAX_PICKED:
        errors["to.registration_ids"] = _("At most %(limit)d items.", limit=MAX_PICKED)
    elif picked:
        clean["registration_ids"] = picked
    answer = audience.get("answer")
    if answer:
        problem = _answer_problem(event, answer)
        if problem:
            errors["to.answer"] = problem
        clean["answer"] = {k: answer[k] for k in ("question", "option", "value")
                           if answer.get(k) is not None}
    if errors:
        raise ValidationErrors(errors)
    return clean


def _answer_problem(event: Event, answer: dict) -> str | None:
    question = db.session.execute(db.select(Question).where(
        Question.event_id == event.id, Question.code == answer.get("question"))).scalar()
    if question is None:
        return _("Unknown question: %(code)s.", code=answer.get("question") or "")
    option = answer.get("option")
    if option is not None and option not in {o.code for o in question.options}:
        return _("Unknown option: %(code)s.", code=option)
    return None


def describe(event: Event, audience: dict) -> list[str]:
    """The group in words, for the history: one phrase per condition."""
    labels = status_labels()
    words = [join_list([labels[s] for s in audience["status"] if s in labels])
             if audience.get("status") else _("Pending, confirmed or waitlisted")]
    names = {c.code: localized(c) for c in event.categories}
    codes = audience.get("category") or []
    words.append(join_list([names.get(c, c) for c in codes]) if codes
                 else _("Every category"))
    if audience.get("checked_in") is not None:
        words.append(_("Checked in") if audience["checked_in"] else _("Not checked in"))
    answer = audience.get("answer")
    if answer:
        words.append(_("Answered %(question)s: %(answer)s", question=answer["question"],
                       answer=answer.get("option") or (
                           _("Yes") if answer.get("value") else _("No"))))
    if audience.get("registration_ids"):
        words.append(ngettext("%(num)d hand-picked person", "%(num)d hand-picked people",
                              len(audience["registration_ids"])))
    return words
