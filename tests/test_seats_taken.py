"""events.seats_taken: the database keeps each event's confirmed registrations counted,
whatever writes them (sign-ups, the waitlist, corrections, bulk statements, deletions),
and the sign-up reads the free seats from it under the event lock."""

from flask_migrate import downgrade, upgrade

from eventapp import create_app
from eventapp.extensions import db
from eventapp.models import Event, Registration, Status
from eventapp.registration import services
from tests import factories
from tests.conftest import make_test_config


def counted(event_id: int) -> tuple[int, int]:
    """(the event's counter, its confirmed rows counted), as committed."""
    db.session.rollback()
    seats = db.session.execute(
        db.select(Event.seats_taken).where(Event.id == event_id)).scalar_one()
    rows = db.session.execute(
        db.select(db.func.count(Registration.id)).where(
            Registration.event_id == event_id, Registration.status == Status.CONFIRMED)
    ).scalar_one()
    return seats, rows


def person(n: int) -> dict:
    return {"name": f"Seat {n}", "email": f"seat{n}@example.org", "category": "guest",
            "language": "en", "country": "JP"}


def test_the_counter_follows_every_write_of_registrations(app):
    event = factories.event(capacity=2)
    other = factories.event(title="Other Seminar", capacity=10)
    outcomes = [services.register(event, person(n), public=False) for n in range(4)]
    db.session.commit()
    assert [o.registration.status for o in outcomes] == [
        Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED, Status.WAITLISTED]
    assert counted(event.id) == (2, 2)

    # A cancellation frees a seat, which the first on the waitlist takes.
    moved = services.transition(outcomes[0].registration, "cancel")
    db.session.commit()
    assert [r.id for r in moved.promoted] == [outcomes[2].registration.id]
    assert counted(event.id) == (2, 2)

    # Rows written outside the services: a factory's, a bulk UPDATE, a DELETE, a row
    # moved to another event.
    factories.registration(event, category="guest")
    assert counted(event.id) == (3, 3)
    guest = next(c for c in other.categories if c.code == "guest")
    db.session.execute(db.insert(Registration), [  # many rows in one go
        {"event_id": other.id, "category_id": guest.id, "name": f"Bulk {n}",
         "email": f"bulk{n}@example.org", "status": status, "checkin_code": f"BULK{n}",
         "manage_token": f"bulk-token-{n}"}
        for n, status in enumerate([Status.CONFIRMED] * 3 + [Status.WAITLISTED])])
    db.session.commit()
    assert counted(other.id) == (3, 3)
    db.session.execute(db.update(Registration).where(
        Registration.event_id == event.id, Registration.status == Status.WAITLISTED)
        .values(status=Status.CONFIRMED))
    db.session.commit()
    assert counted(event.id) == (4, 4)
    db.session.execute(db.delete(Registration).where(
        Registration.id == outcomes[1].registration.id))
    db.session.commit()
    assert counted(event.id) == (3, 3)
    db.session.execute(db.update(Registration).where(
        Registration.id == outcomes[2].registration.id).values(event_id=other.id))
    db.session.commit()
    assert counted(event.id) == (2, 2)
    assert counted(other.id) == (4, 4)
    # An edit that leaves the status alone moves no seat.
    db.session.execute(db.update(Registration).where(
        Registration.event_id == event.id, Registration.status == Status.CONFIRMED)
        .values(status=Status.CONFIRMED, organisation="Same"))
    db.session.commit()
    assert counted(event.id) == (2, 2)


def test_a_full_event_waitlists_by_the_counter(app):
    """The sign-up decides from the counter read under the lock: with two seats taken
    by rows the services never saw, the next sign-up waits."""
    event = factories.event(capacity=2)
    for _ in range(2):
        factories.registration(event, category="guest")
    outcome = services.register(event, person(99), public=False)
    db.session.commit()
    assert outcome.registration.status == Status.WAITLISTED
    assert counted(event.id) == (2, 2)


def test_the_migration_counts_the_registrations_already_there(empty_database_url, tmp_path):
    app = create_app(make_test_config(empty_database_url, tmp_path),
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        upgrade()
        event = factories.event(capacity=5)
        for status in (Status.CONFIRMED, Status.CONFIRMED, Status.WAITLISTED):
            factories.registration(event, category="guest", status=status)
        event_id = event.id
        db.session.remove()
        downgrade(revision="0012")
        upgrade()
        assert counted(event_id) == (2, 2)
        # And the triggers the migration made keep counting.
        factories.registration(db.session.get(Event, event_id), category="guest")
        assert counted(event_id) == (3, 3)
        db.session.remove()
        db.engine.dispose()
