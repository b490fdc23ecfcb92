"""Sign-ups per second through the API and the public form (QR e-mail included),
against a bare Flask endpoint doing one INSERT on the same gunicorn setup."""

import re
import secrets
import time
import timeit
from pathlib import Path

import requests
from sqlalchemy import text

from bench.common import (
    ROOT,
    gunicorn,
    machine,
    make_instance,
    on_each_database,
    run_load,
    table,
)

SCANNERS = 8
SIGNUPS = 400


def prepare(database_url: str, instance: str) -> dict:
    from eventapp import create_app
    from eventapp.extensions import db
    from tests import factories

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url}, instance_path=instance)
    with app.app_context():
        db.create_all()
        db.session.execute(text("CREATE TABLE bare_signups (id SERIAL PRIMARY KEY, "
                                "name VARCHAR(200), email VARCHAR(254))"
                                if database_url.startswith("postgresql") else
                                "CREATE TABLE bare_signups (id INTEGER PRIMARY KEY, "
                                "name VARCHAR(200), email VARCHAR(254))"))
        db.session.commit()
        event = factories.event(title="Bench Seminar", capacity=1_000_000)
        organiser = factories.staff(f"bench-{secrets.token_hex(4)}@example.org", "organiser")
        info = {"event_id": event.id, "slug": event.slug, "token": factories.token(organiser)}
        db.session.remove()
        db.engine.dispose()
    return info


def person(n: int, prefix: str) -> dict:
    return {"name": f"Bench Person {n}", "email": f"{prefix}{n}@bench.example",
            "category": "guest", "language": "en", "country": "JP", "organisation": "Bench"}


def mailed_per_second(result: dict, outbox: Path, total: int) -> float:
    """Sign-ups per second counted until the last one's confirmation (composed with its
    QR, after the commit, by the send job the server's own job consumer runs) lies in
    the outbox: the e-mails still being written when the last answer left are part of
    the work measured."""
    deadline = time.monotonic() + 300
    while len(list(outbox.glob("*.eml"))) < total:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(list(outbox.glob('*.eml')))} of {total} e-mails")
        time.sleep(0.01)
    return result["requests"] / (time.perf_counter() - result["started"])


def measure(database_url: str, label: str) -> list[list]:
    instance = make_instance()
    outbox = Path(instance, "outbox")
    info = prepare(database_url, instance)
    env = {"DATABASE_URL": database_url, "EVENTAPP_INSTANCE_PATH": instance,
           "BARE_DATABASE_URL": database_url}
    rows = []
    with gunicorn("bench.bare_app:app", env) as bare:
        base = run_load(lambda i: requests.Session(),
                        lambda s, n: s.post(f"{bare}/bare/signup", json=person(n, "b"),
                                            timeout=30).status_code == 201 or "bare failed",
                        list(range(SIGNUPS)), SCANNERS)
    with gunicorn("wsgi:app", env) as app:
        headers = {"Authorization": f"Bearer {info['token']}"}
        url = f"{app}/api/v1/events/{info['event_id']}/registrations"

        def api_signup(s, n):
            r = s.post(url, json=person(n, "api"), headers=headers, timeout=30)
            return r.status_code == 201 or f"{r.status_code} {r.text[:200]}"

        api = run_load(lambda i: requests.Session(), api_signup, list(range(SIGNUPS)), SCANNERS)
        api["mailed"] = mailed_per_second(api, outbox, SIGNUPS)
        form_url = f"{app}/e/{info['slug']}/register/guest"

        def form_session(i):
            s = requests.Session()
            s.csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                               s.get(form_url, timeout=30).text).group(1)
            return s

        def form_signup(s, n):
            data = person(n, "form") | {"consent_privacy": "y", "csrf_token": s.csrf}
            r = s.post(form_url, data=data, allow_redirects=False, timeout=30)
            return r.status_code == 302 or f"{r.status_code}"

        form = run_load(form_session, form_signup, list(range(SIGNUPS)), SCANNERS)
        form["mailed"] = mailed_per_second(form, outbox, 2 * SIGNUPS)
    for name, result in (("bare Flask INSERT", base), ("API sign-up", api),
                         ("form sign-up", form)):
        mailed = result.get("mailed")
        rows.append([label, name, result["rps"], result["p50"], result["p99"],
                     f"{result['rps'] / base['rps']:.2f}",
                     mailed if mailed is not None else "–",
                     f"{mailed / base['rps']:.2f}" if mailed is not None else "–",
                     result["errors"]])
    return rows


def qr_times() -> list[list]:
    from eventapp.models import new_checkin_code
    from eventapp.registration.tickets import qr_png, qr_svg

    codes = [new_checkin_code() for _ in range(200)]
    rows = []
    for name, fn in (("PNG", qr_png.__wrapped__), ("SVG", qr_svg.__wrapped__)):
        seconds = min(timeit.repeat(lambda fn=fn: [fn(c) for c in codes], number=1, repeat=3))
        rows.append([name, seconds / len(codes) * 1000, len(fn(codes[0]))])
    return rows


def run() -> str:
    started = time.perf_counter()
    rows = on_each_database(measure)
    out = [
        "## Registration",
        "",
        f"{SIGNUPS} sign-ups from {SCANNERS} concurrent clients against gunicorn (2 sync "
        "workers) on " + machine() + ". Each API or form sign-up validates, locks the event, "
        "counts seats, inserts the registration and its queued confirmation and commits; "
        "after the commit a background job (huey, the default setup: a SQLite queue in the "
        "instance folder and a consumer thread in each server process) composes the "
        "e-mail with the ticket's QR PNG and writes it to the outbox. *req/s* counts "
        "answers; *with e-mail /s* "
        "counts until the last confirmation lies in the outbox, so the e-mails are part "
        "of the work measured. The baseline is a bare Flask endpoint doing one INSERT on "
        "the same server setup. Target: at least 100 sign-ups per second through the API, "
        "e-mail with QR included.",
        "",
        table(["database", "endpoint", "req/s", "p50 ms", "p99 ms", "ratio to bare",
               "with e-mail /s", "ratio to bare", "errors"], rows),
        "",
        "QR rendering per ticket (32-character code, error correction M):",
        "",
        table(["format", "ms per code", "bytes"], qr_times()),
        "",
        f"_Measured in {time.perf_counter() - started:.0f} s._",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    print(run())
