"""Eight scanners read the same code at the same moment: exactly one admits.

A real threaded HTTP server (live_server) and eight `requests` sessions, each with its
own door token, released together by a barrier. Runs on SQLite and PostgreSQL.
"""

import threading

import pytest
import requests

from eventapp.auth.services import issue_token
from eventapp.extensions import db
from eventapp.models import Registration, ScanLog, StaffUser
from tests import factories

SCANNERS = 8
ROUNDS = 3  # three codes, each raced by all eight scanners


@pytest.fixture
def door_sessions(app):
    """Eight door staff, each with a token and a warmed-up keep-alive session."""
    users = [StaffUser(email=f"door{n}@test.example", role="door", name=f"Door {n}")
             for n in range(SCANNERS)]
    db.session.add_all(users)
    secrets = [issue_token(user, "scanner")[1] for user in users]
    db.session.commit()
    names = [user.display_name for user in users]
    sessions = []
    for secret in secrets:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {secret}"
        sessions.append(session)
    yield list(zip(sessions, names, strict=True))
    for session in sessions:
        session.close()


def race(url: str, code: str, sessions) -> list[tuple[int, dict]]:
    barrier = threading.Barrier(len(sessions))
    answers: list = [None] * len(sessions)
    errors: list = []

    def scanner(index, session):
        try:
            barrier.wait(timeout=30)
            response = session.post(url, json={"code": code}, timeout=60,
                                    headers={"X-Scanner-Device": f"scanner-{index}"})
            answers[index] = (response.status_code, response.json())
        except Exception as exc:  # reported below with the index
            errors.append((index, repr(exc)))

    threads = [threading.Thread(target=scanner, args=(n, s)) for n, (s, _) in
               enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert not errors, errors
    return answers


def test_simultaneous_scans_admit_exactly_once(app, live_server, door_sessions):
    event = factories.event(capacity=100)
    registrations = [factories.registration(event) for _ in range(ROUNDS)]
    codes = [(reg.id, reg.checkin_code) for reg in registrations]
    db.session.rollback()  # hold no SQLite snapshot while the server writes
    url = f"{live_server}/api/v1/events/{event.id}/checkins"
    names = {name for _, name in door_sessions}
    for session, _ in door_sessions:  # open every connection before the race
        assert session.get(f"{live_server}/api/v1/events", timeout=30).status_code == 200

    for registration_id, code in codes:
        answers = race(url, code, door_sessions)
        statuses = sorted(status for status, _ in answers)
        assert statuses == [200] * (SCANNERS - 1) + [201], answers
        results = [body["result"] for _, body in answers]
        assert results.count("checked_in") == 1
        assert results.count("already_checked_in") == SCANNERS - 1
        winner = next(body for _, body in answers if body["result"] == "checked_in")
        assert winner["checked_in_by"] in names
        for _, body in answers:
            # Every scanner tells the same story: when, and by whom.
            assert body["checked_in_at"] == winner["checked_in_at"]
            assert body["checked_in_by"] == winner["checked_in_by"]
            assert body["registration"]["id"] == registration_id

        db.session.rollback()
        db.session.expire_all()  # the test's session keeps objects it loaded earlier
        reg = db.session.get(Registration, registration_id)
        assert reg.checked_in_at is not None
        scans = list(db.session.execute(
            db.select(ScanLog).where(ScanLog.registration_id == registration_id)).scalars())
        assert len(scans) == SCANNERS
        assert sorted(s.result for s in scans) == (
            ["already_checked_in"] * (SCANNERS - 1) + ["checked_in"])
        assert {s.device for s in scans} == {f"scanner-{n}" for n in range(SCANNERS)}
        assert len({s.staff_user_id for s in scans}) == SCANNERS
        db.session.rollback()
