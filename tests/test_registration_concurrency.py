"""A rush of sign-ups against a running server never exceeds the capacity."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from eventapp.extensions import db
from eventapp.models import Registration, Status
from tests import factories
from tests.conftest import bearer

SIGNUPS, SEATS = 200, 48


@pytest.mark.slow
def test_200_simultaneous_signups_for_48_seats(live_server, organiser_token):
    event = factories.event(capacity=SEATS)
    url = f"{live_server}/e/{event.slug}/register/guest"
    barrier = threading.Barrier(SIGNUPS, timeout=60)
    sessions = [requests.Session() for _ in range(SIGNUPS)]

    def sign_up(n: int) -> int:
        barrier.wait()
        response = sessions[n].post(url, data={
            "name": f"Rush {n}", "email": f"rush{n}@example.org", "language": "en",
            "country": "", "consent_privacy": "y"}, allow_redirects=False, timeout=120)
        return response.status_code

    with ThreadPoolExecutor(SIGNUPS) as pool:
        codes = list(pool.map(sign_up, range(SIGNUPS)))
    assert codes == [302] * SIGNUPS

    def statuses():
        db.session.rollback()
        return [s for (s,) in db.session.execute(
            db.select(Registration.status).where(Registration.event_id == event.id))]

    counted = statuses()
    assert counted.count(Status.CONFIRMED) == SEATS
    assert counted.count(Status.WAITLISTED) == SIGNUPS - SEATS

    first_waiting = db.session.execute(
        db.select(Registration).where(Registration.status == Status.WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id).limit(1)).scalar_one()
    seated = db.session.execute(
        db.select(Registration.id).where(Registration.status == Status.CONFIRMED).limit(1)
    ).scalar_one()
    response = requests.post(
        f"{live_server}/api/v1/events/{event.id}/registrations/{seated}/cancel",
        headers=bearer(organiser_token), timeout=30)
    assert response.status_code == 200
    after = statuses()
    assert after.count(Status.CONFIRMED) == SEATS
    assert after.count(Status.WAITLISTED) == SIGNUPS - SEATS - 1
    db.session.refresh(first_waiting)
    assert first_waiting.status == Status.CONFIRMED
