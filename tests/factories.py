"""Small data factories: each makes a valid object and commits it."""

import itertools
from datetime import timedelta

from eventapp.auth.services import create_user, issue_token
from eventapp.database import utcnow
from eventapp.events.services import create_event
from eventapp.extensions import db
from eventapp.models import Registration, Status

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def staff(email: str, role: str, password: str = PASSWORD):
    user = create_user(email, role, password, name=email.split("@")[0].title())
    db.session.commit()
    return user


def token(user) -> str:
    _token, secret = issue_token(user, "test")
    db.session.commit()
    return secret


def event(title: str = "Test Seminar", capacity: int = 50, networking: bool = True,
          confirm_email: bool = False, **extra):
    """An event; public sign-ups get their ticket at once unless `confirm_email` (the
    app's own default for new events is on: tests about it say so)."""
    starts = utcnow() + timedelta(days=10)
    data = {"title": title, "description": "A test event.", "venue": "Room 1",
            "timezone": "Asia/Tokyo", "starts_at": starts, "ends_at": starts + timedelta(hours=4),
            "capacity": capacity, "listed": True, "registration_opens_at": None,
            "registration_closes_at": None,
            "networking": {"starts_at": starts + timedelta(hours=2), "slot_minutes": 15,
                           "slots": 4, "tables": 5, "max_meetings_per_person": 3}
            if networking else None, "confirm_email": confirm_email}
    data.update(extra)
    ev = create_event(data)
    db.session.commit()
    return ev


def registration(ev, category: str = "company", status: str = Status.CONFIRMED, **fields):
    n = next(_counter)
    cat = next(c for c in ev.categories if c.code == category)
    values = {"name": f"Person {n}", "email": f"person{n}@example.org",
              "organisation": f"Org {n}", "country": "JP", "language": "en",
              "consent_privacy_at": utcnow()}
    values.update(fields)
    reg = Registration(event=ev, category=cat, status=status, **values)
    if status == Status.WAITLISTED:
        reg.waitlisted_at = utcnow()
    db.session.add(reg)
    db.session.commit()
    return reg
