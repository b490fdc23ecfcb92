"""Finding registrations: search by name, kana reading, organisation or e-mail."""

from ..extensions import db
from ..models import Category, Registration


def sort_key():
    """Kana readings sort Japanese names the way people expect."""
    return db.func.lower(db.func.coalesce(db.func.nullif(Registration.name_kana, ""),
                                          Registration.name))


def search(event_id: int, *, q: str = "", status: str | None = None,
           category: str | None = None, country: str | None = None,
           checked_in: bool | None = None):
    query = db.select(Registration).where(Registration.event_id == event_id)
    if q:
        like = f"%{q.strip().lower()}%"
        query = query.where(db.or_(
            db.func.lower(Registration.name).like(like),
            db.func.lower(Registration.name_kana).like(like),
            db.func.lower(Registration.organisation).like(like),
            Registration.email.like(like)))
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
