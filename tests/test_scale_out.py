"""Two app servers, one database: the rules hold across processes.

Two separate gunicorn servers (2 workers each, different ports) serve the same database,
as when several app machines share PostgreSQL. Nothing is shared but the database: no
process memory, no rate-limit storage. Eight door scanners, split across the two servers,
read the same code at the same moment: exactly one is admitted, seven are told "already
checked in" by the same staff member at the same time, and the scan log has all eight.
Then 100 people sign up at the same moment for 20 seats, split across both servers and
across the API and the public form: exactly 20 confirmed, 80 waitlisted, and each was
told what the database holds. PostgreSQL is the deployment this is for; two servers on
one SQLite file (WAL, BEGIN IMMEDIATE, a busy timeout) must hold the same rules.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import text

from tests import factories
from tests.servers import Gunicorn, csrf_session, engine, prepare, serving

SCANNERS, ROUNDS = 8, 3
SIGNUPS, SEATS = 100, 20


def build() -> dict:
    door_event = factories.event(title="Door Day", capacity=100, networking=False)
    codes = [(r.id, r.checkin_code) for r in
             (factories.registration(door_event, "guest") for _ in range(ROUNDS))]
    seats = factories.event(title="Twenty Seats", capacity=SEATS, networking=False)
    scanners = [factories.staff(f"door{n}@scale.example", "door") for n in range(SCANNERS)]
    return {"door_event": door_event.id, "codes": codes, "event": seats.id,
            "slug": seats.slug, "names": {u.display_name for u in scanners},
            "door_tokens": [factories.token(u) for u in scanners],
            "organiser": factories.token(factories.staff("org@scale.example", "organiser"))}


def race(calls: list) -> list:
    """Runs every call at the same moment, one thread each; returns their results."""
    barrier = threading.Barrier(len(calls), timeout=60)

    def run(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def scan_race(servers, info) -> list[tuple[int, dict]]:
    sessions = []
    for n, token in enumerate(info["door_tokens"]):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        session.headers["X-Scanner-Device"] = f"scanner-{n}"
        session.base = servers[n % 2]  # scanners 0, 2, 4, 6 on one server, 1, 3, 5, 7 on the other
        assert session.get(f"{session.base}/api/v1/events", timeout=60).status_code == 200
        sessions.append(session)
    rounds = []
    for _, code in info["codes"]:
        calls = [lambda s=s, code=code: s.post(
            f"{s.base}/api/v1/events/{info['door_event']}/checkins", json={"code": code},
            timeout=60) for s in sessions]
        rounds.append([(r.status_code, r.json()) for r in race(calls)])
    return rounds


def signup_race(servers, info) -> list[tuple[str, str, str]]:
    """(email, how, status told) for each of SIGNUPS simultaneous sign-ups: even ones
    through the API, odd ones through the form, alternating between the servers."""
    calls = []
    for n in range(SIGNUPS):
        base, email = servers[(n // 2) % 2], f"rush{n}@scale.example"
        if n % 2 == 0:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {info['organiser']}"

            def call(session=session, base=base, email=email):
                r = session.post(f"{base}/api/v1/events/{info['event']}/registrations",
                                 json={"name": f"Rush {email}", "email": email,
                                       "category": "guest"}, timeout=120)
                assert r.status_code == 201, r.text
                return email, "api", r.json()["status"]
        else:
            form_url = f"{base}/e/{info['slug']}/register/guest"
            session = csrf_session(form_url)  # the form is loaded before the rush

            def call(session=session, form_url=form_url, email=email):
                r = session.post(form_url, data={
                    "name": f"Rush {email}", "email": email, "language": "en", "country": "",
                    "consent_privacy": "y", "csrf_token": session.csrf},
                    allow_redirects=False, timeout=120)
                assert r.status_code == 302 and "/registered?" in r.headers["Location"], \
                    r.status_code
                return email, "form", parse_qs(urlsplit(r.headers["Location"]).query)["status"][0]
        calls.append(call)
    return race(calls)


def test_two_servers_share_one_database(database):
    instance, info = prepare(database, build)
    with serving(Gunicorn(database, instance), Gunicorn(database, instance)) as servers:
        urls = [server.url for server in servers]
        rounds = scan_race(urls, info)
        told = signup_race(urls, info)

    for (registration_id, _), answers in zip(info["codes"], rounds, strict=True):
        assert sorted(status for status, _ in answers) == [200] * (SCANNERS - 1) + [201]
        results = [body["result"] for _, body in answers]
        assert results.count("checked_in") == 1
        assert results.count("already_checked_in") == SCANNERS - 1
        winner = next(body for _, body in answers if body["result"] == "checked_in")
        assert winner["checked_in_by"] in info["names"]
        for _, body in answers:
            assert body["registration"]["id"] == registration_id
            assert (body["checked_in_at"], body["checked_in_by"]) == (
                winner["checked_in_at"], winner["checked_in_by"])

    assert [status for _, _, status in told].count("confirmed") == SEATS
    assert [status for _, _, status in told].count("waitlisted") == SIGNUPS - SEATS

    with engine(database) as eng, eng.connect() as conn:
        for registration_id, _ in info["codes"]:
            scans = conn.execute(text(
                "SELECT result, device, staff_user_id FROM scan_logs WHERE registration_id = :r"
            ), {"r": registration_id}).all()
            assert len(scans) == SCANNERS
            assert sorted(s.result for s in scans) == (
                ["already_checked_in"] * (SCANNERS - 1) + ["checked_in"])
            assert {s.device for s in scans} == {f"scanner-{n}" for n in range(SCANNERS)}
            assert len({s.staff_user_id for s in scans}) == SCANNERS
            assert conn.execute(text("SELECT checked_in_at IS NOT NULL FROM registrations "
                                     "WHERE id = :r"), {"r": registration_id}).scalar_one()
        stored = dict(conn.execute(text(
            "SELECT email, status FROM registrations WHERE event_id = :e"),
            {"e": info["event"]}).all())
    assert len(stored) == SIGNUPS
    assert list(stored.values()).count("confirmed") == SEATS
    assert list(stored.values()).count("waitlisted") == SIGNUPS - SEATS
    for email, _, status in told:
        assert stored[email] == status
