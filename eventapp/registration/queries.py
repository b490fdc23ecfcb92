"""Finding registrations: search by name, kana reading, organisation or e-mail, and
the figures and lists the organiser's desk shows."""

from flask import abort
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy.orm import joinedload

from .. import search as name_search
from ..extensions import db
from ..models import Category, EmailStatus, Event, OutboundEmail, Registration, Status
from ..validation import unstorable


def sort_key():
    """Names in the order of their readings (gojūon), see search.sort_name."""
    return Registration.sort_name


def search(event_id: int, *, q: str = "", status: str | None = None,
           category: str | None = None, country: str | None = None,
           checked_in: bool | None = None, by_email: bool = False):
    """Registrations of an event, sorted by reading. `q` finds names, readings (kana or
    rōmaji) and organisations by the rules of search.py, and e-mail addresses only when
    `by_email` (organisers see addresses, door staff do not). Each with its category
    (the scanner shows it), read by the same statement."""
    query = (db.select(Registration).options(joinedload(Registration.category))
             .where(Registration.event_id == event_id))
    if unstorable(q):  # (NUL: PostgreSQL refuses it in a query; nothing stored holds it)
        return query.where(db.false())
    forms = name_search.query_forms(q)
    if forms:
        found = [Registration.search_key.like(name_search.like_pattern(f), escape="\\")
                 for f in forms]
        if by_email:
            address = q.strip().lower()
            found.append(Registration.email.like(name_search.like_pattern(address), escape="\\"))
        query = query.where(db.or_(*found))
    if status:
        query = query.where(Registration.status == status)
    if category:
        query = query.join(Category, Registration.category_id == Category.id).where(
            Category.code == category)
    if country:
        query = query.where(Registration.country == country.upper())
    if checked_in is not None:
        query = query.where(Registration.checked_in_at.is_not(None) if checked_in
                            else Registration.checked_in_at.is_(None))
    return query.order_by(sort_key(), Registration.id)


# -- what the organiser's desk shows ----------------------------------------------------

class _CountedPage(SelectPagination):
    """db.paginate's page, its total counted by the statement that reads the page
    (count(*) OVER ()): a name search reads every registration of the event, so the
    usual second count statement would read them all again."""

    def _query_items(self) -> list[Registration]:
        select = self._query_args["select"].add_columns(db.func.count().over())
        rows = self._query_args["session"].execute(
            select.limit(self.per_page).offset(self._query_offset)).all()
        self._counted = rows[0][-1] if rows else (0 if self._query_offset == 0 else None)
        return [row[0] for row in rows]

    def _query_count(self) -> int:
        return self._counted if self._counted is not None else super()._query_count()


def paginate(query, *, page: int, per_page: int) -> SelectPagination:
    """The page of a registrations query and the total, as db.paginate gives them
    (a page past the end is empty)."""
    return _CountedPage(select=query, session=db.session(), page=page, per_page=per_page,
                        error_out=False)


def status_counts(event_id: int) -> dict[str, int]:
    """Registrations per status, plus `checked_in`."""
    rows = db.session.execute(
        db.select(Registration.status, db.func.count(), db.func.count(Registration.checked_in_at))
        .where(Registration.event_id == event_id).group_by(Registration.status)).all()
    counts = {status.value: 0 for status in Status} | {s: n for s, n, _c in rows}
    counts["checked_in"] = sum(c for _s, _n, c in rows)
    return counts


def waitlist_ids(event_id: int) -> list[int]:
    """In the order promote_from_waitlist takes them."""
    return list(db.session.execute(
        db.select(Registration.id)
        .where(Registration.event_id == event_id, Registration.status == Status.WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id)).scalars())


def event_countries(event_id: int) -> list[str]:
    return list(db.session.execute(
        db.select(Registration.country).distinct()
        .where(Registration.event_id == event_id, Registration.country.is_not(None))
    ).scalars())


def registrations_by_id(event_id: int, ids: list[int]) -> list[Registration]:
    """The event's registrations among `ids`, in list order (others are ignored)."""
    return list(db.session.execute(
        db.select(Registration).where(Registration.event_id == event_id,
                                      Registration.id.in_(ids))
        .order_by(sort_key(), Registration.id)).scalars())


def emails_of(reg: Registration) -> list[OutboundEmail]:
    """Every message to this registration, newest first."""
    return list(db.session.execute(
        db.select(OutboundEmail).where(OutboundEmail.registration_id == reg.id)
        .order_by(OutboundEmail.created_at.desc(), OutboundEmail.id.desc())).scalars())


def _failed_emails_query(event_id: int):
    return (db.select(OutboundEmail)
            .where(OutboundEmail.event_id == event_id,
                   OutboundEmail.status == EmailStatus.FAILED)
            .order_by(OutboundEmail.created_at, OutboundEmail.id))


def failed_emails(event_id: int) -> list[OutboundEmail]:
    return list(db.session.execute(_failed_emails_query(event_id)).scalars())


def failed_email_count(event_id: int) -> int:
    return db.session.execute(
        db.select(db.func.count()).select_from(_failed_emails_query(event_id).subquery())
    ).scalar_one()


def names_of(registration_ids: set[int]) -> dict[int, str]:
    if not registration_ids:
        return {}
    return dict(db.session.execute(
        db.select(Registration.id, Registration.name)
        .where(Registration.id.in_(registration_ids))).all())


def event_email_or_404(event: Event, email_id: int) -> OutboundEmail:
    email = db.get_or_404(OutboundEmail, email_id)
    if email.event_id != event.id:
        abort(404)
    return email


def event_registration_or_404(event_id: int, registration_id: int) -> Registration:
    """A registration of this event (any other id is not found, whoever asks)."""
    reg = db.get_or_404(Registration, registration_id)
    if reg.event_id != event_id:
        abort(404)
    return reg
