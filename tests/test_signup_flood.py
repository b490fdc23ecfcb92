"""The sign-up flood of issue 16, against a real server: the limit holds across processes.

100 form sign-ups from one address in about a second took the last seats and filled the
waitlist: the limit counted per gunicorn worker, in memory, so each worker granted the
whole budget again. Here gunicorn serves with 2 workers and no Redis (the laptop at the
venue, a small deployment): at most SIGNUP_RATE_LIMIT sign-ups get through in total, the
rest are answered 429 with a page that says to wait, and the database holds no more.
"""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from tests import factories
from tests.servers import Gunicorn, csrf_session, engine, prepare, serving

FLOOD, LIMIT = 100, 10


def test_a_sign_up_flood_from_one_address_gets_the_limit_across_workers(database):
    instance, info = prepare(database, lambda: {
        "slug": factories.event(title="Flood", capacity=FLOOD, networking=False).slug},
        config=f"RATELIMIT_ENABLED = True\nSIGNUP_RATE_LIMIT = '{LIMIT} per minute'\n")
    server = Gunicorn(database, instance, workers=2)
    with serving(server):
        form_url = f"{server.url}/e/{info['slug']}/register/guest"
        sessions = [csrf_session(form_url) for _ in range(8)]

        def sign_up(n):
            session = sessions[n % len(sessions)]
            return session.post(form_url, allow_redirects=False, timeout=60, data={
                "csrf_token": session.csrf, "name": f"Flood {n}",
                "email": f"flood{n}@probe.example", "language": "en",
                "consent_privacy": "y"})

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(sign_up, range(FLOOD)))
    accepted = [a for a in answers if a.status_code == 302]
    refused = [a for a in answers if a.status_code == 429]
    assert len(accepted) == LIMIT, [a.status_code for a in answers]
    assert len(refused) == FLOOD - LIMIT
    assert "Too many requests" in refused[0].text
    assert int(refused[0].headers["Retry-After"]) > 0
    with engine(database) as eng, eng.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM registrations")).scalar_one()
    assert stored == LIMIT
