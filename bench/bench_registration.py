"""Sign-ups per second through the API and the public form (QR e-mail included),
against a bare Flask endpoint doing one INSERT on the same gunicorn setup, driven by
wrk; and a rush of sign-ups for fewer seats than people."""

import re
import secrets
import time
import timeit
from pathlib import Path

import requests
from sqlalchemy import text

from bench import wrk
from bench.common import (
    ROOT,
    cpu_seconds,
    gunicorn,
    machine,
    make_instance,
    on_each_database,
    run_load,
    table,
)

CONNECTIONS = 8  # wrk -t2 -c8
WARM_UP = 2  # seconds per endpoint before the clock starts
ROUNDS = 2  # timed runs per endpoint, the endpoints taking turns
ROUND_SECONDS = 4
RUSH_SIGNUPS, RUSH_SEATS, RUSH_CONNECTIONS = 2_000, 1_500, 50


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
        event = factories.event(title="Bench Seminar", capacity=1_000_000, confirm_email=True)
        rush = factories.event(title="Bench Rush", capacity=RUSH_SEATS)
        organiser = factories.staff(f"bench-{secrets.token_hex(4)}@example.org", "organiser")
        info = {"event_id": event.id, "slug": event.slug, "rush_id": rush.id,
                "token": factories.token(organiser)}
        db.session.remove()
        db.engine.dispose()
    return info


def counts(database_url: str, instance: str, event_id: int) -> dict:
    """Registrations of the event by status."""
    from eventapp import create_app
    from eventapp.extensions import db
    from eventapp.models import Registration

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url}, instance_path=instance)
    with app.app_context():
        rows = db.session.execute(
            db.select(Registration.status, db.func.count(Registration.id))
            .where(Registration.event_id == event_id).group_by(Registration.status)).all()
        db.session.remove()
        db.engine.dispose()
    return {str(status): n for status, n in rows}


class Endpoint:
    """wrk runs of signup.lua against one endpoint; for the app's endpoints, each run
    also waits until every sign-up's e-mail lies in the outbox (the job consumer in each
    server process composes them, with the QR, after the commit), so *with e-mail /s*
    counts the e-mails as part of the work."""

    def __init__(self, name: str, url: str, mode: str, auth: str = "", csrf: str = "",
                 outbox: Path | None = None, registered=None):
        self.series, self.url, self.mode = wrk.Series(name), url, mode
        self.auth, self.csrf, self.outbox, self.registered = auth, csrf, outbox, registered
        self.runs = 0
        self.mail_seconds = 0.0
        self.cpu = {"web": 0.0, "jobs": 0.0, "database": 0.0}

    def run(self, seconds: float, timed: bool = True) -> None:
        self.runs += 1
        scheme, _, host, rest = self.url.split("/", 3)
        base, path = f"{scheme}//{host}", "/" + rest
        before = self.registered() if self.registered else 0
        cpu_before = cpu_seconds(base)
        result = wrk.run(self.url, "signup.lua",
                         [path, self.mode, f"{self.mode}{self.runs}", self.auth, self.csrf, 0],
                         seconds=seconds, connections=CONNECTIONS)
        if result.errors:
            raise RuntimeError(f"{self.series.name}: {result.first_error}")
        if self.registered:
            # Every answer a new registration (a form answered with its errors is a 200
            # too); wrk drops the answers in flight when its time is up.
            added = self.registered() - before
            if not result.requests <= added <= result.requests + CONNECTIONS:
                raise RuntimeError(f"{self.series.name}: {added} registrations for "
                                   f"{result.requests} answers")
        waited = self.wait_for_mail() if self.outbox is not None else 0.0
        if timed:
            self.series.runs.append(result)
            self.mail_seconds += result.seconds + waited
            # Until the run's last e-mail is written: each answered sign-up's whole cost.
            for part, used in cpu_seconds(base).items():
                self.cpu[part] += used - cpu_before[part]

    def wait_for_mail(self) -> float:
        started = time.perf_counter()
        expected = self.registered()
        while len(list(self.outbox.glob("*.eml"))) < expected:
            if time.perf_counter() - started > 300:
                raise RuntimeError(f"{self.series.name}: e-mails missing in the outbox")
            time.sleep(0.01)
        return time.perf_counter() - started

    def row(self, label: str, baseline: "Endpoint") -> list:
        mailed = self.series.requests / self.mail_seconds if self.outbox else None
        per_request = {part: used / self.series.requests * 1000
                       for part, used in self.cpu.items()}
        parts = ["web"] + (["jobs"] if self.outbox else []) \
            + (["database"] if label == "PostgreSQL" else [])
        return ([label, self.series.name] + self.series.row(baseline.series)
                + [mailed if mailed is not None else "–",
                   f"{mailed / baseline.series.rps:.0%}" if mailed is not None else "–",
                   " + ".join(f"{per_request[part]:.1f}" for part in parts)])


def measure(database_url: str, label: str) -> list[list]:
    instance = make_instance()
    outbox = Path(instance, "outbox")
    info = prepare(database_url, instance)
    env = {"DATABASE_URL": database_url, "EVENTAPP_INSTANCE_PATH": instance,
           "BARE_DATABASE_URL": database_url}

    def registered() -> int:
        return sum(counts(database_url, instance, info["event_id"]).values())

    with gunicorn("bench.bare_app:app", env) as bare_url, gunicorn("wsgi:app", env) as app_url:
        form_url = f"{app_url}/e/{info['slug']}/register/guest"
        page = requests.get(form_url, timeout=30)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        cookie = "; ".join(f"{k}={v}" for k, v in page.cookies.items())
        bare = Endpoint("bare Flask INSERT", f"{bare_url}/bare/signup", "bare")
        api = Endpoint("API sign-up", f"{app_url}/api/v1/events/{info['event_id']}/registrations",
                       "api", info["token"], outbox=outbox, registered=registered)
        form = Endpoint("form sign-up", form_url, "form", cookie, csrf, outbox=outbox,
                        registered=registered)
        endpoints = [bare, api, form]
        for endpoint in endpoints:
            endpoint.run(WARM_UP, timed=False)
        for n in range(ROUNDS):
            for endpoint in (endpoints if n % 2 == 0 else endpoints[::-1]):
                endpoint.run(ROUND_SECONDS)
        rush = rush_run(app_url, info, lambda: counts(database_url, instance, info["rush_id"]))
    rows = [e.row(label, bare) for e in endpoints]
    return rows, [[label] + rush]


def rush_run(app_url: str, info: dict, rush_counts) -> list:
    """RUSH_SIGNUPS API sign-ups for RUSH_SEATS seats from RUSH_CONNECTIONS connections,
    each sent once: exactly RUSH_SEATS confirmed, the rest waitlisted, none lost.

    Sent by threads (bench.common.run_load), not wrk: wrk cannot send an exact number of
    requests to a server that closes every connection, as gunicorn's sync workers do.
    Its threads reconnect at once after each answer, and a connection that then waits
    (its share sent) holds a sync worker until the worker timeout. At the rush's rate the
    threads' client time (about 1 ms per request) does not limit the server."""
    url = f"{app_url}/api/v1/events/{info['rush_id']}/registrations"
    headers = {"Authorization": f"Bearer {info['token']}"}

    def signup(session, n):
        r = session.post(url, json=person(n, "rush"), headers=headers, timeout=120)
        return r.status_code == 201 or f"{r.status_code} {r.text[:200]}"

    result = run_load(lambda i: requests.Session(), signup, list(range(RUSH_SIGNUPS)),
                      RUSH_CONNECTIONS)
    by_status = rush_counts()
    confirmed, waitlisted = by_status.get("confirmed", 0), by_status.get("waitlisted", 0)
    if (result["requests"], result["errors"]) != (RUSH_SIGNUPS, 0) \
            or (confirmed, waitlisted) != (RUSH_SEATS, RUSH_SIGNUPS - RUSH_SEATS) \
            or sum(by_status.values()) != RUSH_SIGNUPS:
        raise RuntimeError(f"rush: {result} {by_status}")
    return [f"{result['requests']:,}", f"{confirmed:,}", f"{waitlisted:,}", result["errors"],
            result["rps"], result["p50"], result["p90"], result["p99"], result["max"]]


def person(n: int, prefix: str) -> dict:
    return {"name": f"Bench Person {n}", "email": f"{prefix}{n}@bench.example",
            "category": "guest", "language": "en", "country": "JP", "organisation": "Bench"}


def qr_times() -> list[list]:
    from eventapp.models import new_checkin_code
    from eventapp.registration.tickets import qr_png, qr_svg

    codes = [new_checkin_code() for _ in range(200)]
    rows = []
    for name, fn in (("PNG", qr_png.__wrapped__), ("SVG", qr_svg.__wrapped__)):
        seconds = min(timeit.repeat(lambda fn=fn: [fn(c) for c in codes], number=1, repeat=3))
        rows.append([name, seconds / len(codes) * 1000, len(fn(codes[0]))])
    return rows


# Not rerun by `make bench`: what the profiles showed (py-spy sampling the server under
# this load, cProfile of calls in process) and what the changes measured.
PROFILE = """\
**Where a sign-up's time goes, and what the target would take** (2026-12-07). The
server is CPU-bound: the web workers, the job process and PostgreSQL together use both
cores, and *CPU ms per sign-up* above is what each sign-up costs them; the rate follows
from it (on PostgreSQL about 10 ms here, so two cores give 165-200 a second; on a slower
machine earlier the same day, 16-20 ms and 95-125 a second). A web worker is mostly the
ORM and the round trips to the database, one per statement: the token check; BEGIN; the
event with its categories; the event's questions with their options and categories;
the event lock with the seats taken; the e-mail already registered?; the INSERT; the
queued e-mail; COMMIT. Measured in process on PostgreSQL, one ORM statement costs a
sign-up about 0.5 ms of web CPU, whatever it returns. The job process (sampled with
py-spy under load) spends 59% of its time composing e-mails (the QR symbol 22%, its
PNG a third of that; the three templates 15%; writing the MIME text 5%) and a quarter
claiming, prefetching and recording them. What issue 21 changed, measured on the same
machine and day: (1) the seats taken live on the event, kept by database triggers on
registrations and read in the statement that takes the lock; counting the confirmed
rows under the lock took longer with every sign-up (API sign-ups on PostgreSQL, one 8 s
run on a fresh event: 87-90 -> 109-115 a second, CPU per sign-up web 12.3-12.7 -> 10.0-10.4
ms, PostgreSQL 2.8-3.0 -> 2.2 ms); (2) e-mails compose a quarter faster (one template
context for the three templates; MIME boundaries that need no search through the parts:
5.9-7.4 -> 4.4-4.6 ms each, 400 composed in process), and headers that need no folding
are written as they are (1.15-1.30 -> 1.04-1.15 ms to write a confirmation); (3) the
event's categories come in the event's statement; the public form reads the technology
areas only for a category that offers them (in process: 7.3-7.6 -> 6.6-6.8 ms of web
CPU per guest sign-up) and its country list is made once per language; (4) an event's
questions come with their options and categories in one statement instead of three (in
process, an event with the office's four usual questions: API sign-up 5.7-6.0 -> 4.8-5.0
ms of web CPU; this benchmark's event has none). This benchmark before and after the
headers of (2), the form of (3) and (4), two alternating runs each on this machine, 07:30 UTC:
API 245/245 -> 255/247 a second on SQLite, 187/179 -> 188/188 on PostgreSQL; form
237/241 -> 248/254 and 163/154 -> 180/171. The first `make bench` of the day, before
(1)-(3) on a slower machine: API 110 and 87 a second on SQLite and PostgreSQL, form 102
and 76. 30% of the bare endpoint (about 500 a second on PostgreSQL, over 1,000 on SQLite
here) would need a whole sign-up, e-mail included, in about 3.5 ms (PostgreSQL) or under
2 ms (SQLite) of CPU: the sign-up written as a few statements without the ORM (on
PostgreSQL one statement with data-modifying CTEs for the check and the inserts after
the lock), the confirmation without per-person templates and MIME building, and the QR
symbol from a compiled library. That is a second way to register beside the one that
imports, the desk and the API share, which we chose not to build."""


def run() -> str:
    wrk.require()
    started = time.perf_counter()
    rows, rush = [], []
    for steady, rushed in on_each_database(lambda url, label: [measure(url, label)]):
        rows += steady
        rush += rushed
    out = [
        "## Registration",
        "",
        f"`wrk -t2 -c{CONNECTIONS}` against gunicorn (2 sync workers) on " + machine() + ", "
        "every request a sign-up with an e-mail address not used before. An API or form "
        "sign-up validates, locks the event, counts seats, inserts the registration and "
        "its queued confirmation and commits; after the commit a background job (huey, "
        "the default setup: a SQLite queue in the instance folder and one job process "
        "beside gunicorn's workers) composes the e-mail with the ticket's QR PNG and "
        "writes it to the outbox. *req/s* counts answers; *with e-mail /s* counts until the last "
        "confirmation of a run lies in the outbox, so the e-mails are part of the work "
        "measured. The baseline is a bare Flask endpoint doing one INSERT on the same "
        f"server setup. After {WARM_UP} s of warm-up each, the three endpoints take turns "
        f"for {ROUNDS} runs of {ROUND_SECONDS} s each; percentiles are the median of the "
        "runs' (max: the largest). Targets: at least 30% of the bare endpoint's requests "
        "per second, through the API and the form, e-mail included, and never fewer than "
        f"100 per second. Load average when measured: {wrk.load_average()} on 2 CPUs.",
        "",
        table(["database", "endpoint"] + wrk.HEADERS + ["with e-mail /s",
                                                         "with e-mail vs bare",
                                                         "CPU ms per sign-up"], rows),
        "",
        "*CPU ms per sign-up*: the server's CPU time per answered sign-up, from the start "
        "of a run until its last e-mail is written, as web workers + job process "
        "(composing the e-mail) + PostgreSQL's server (on SQLite the database works "
        "inside the web workers). Together they are what the two cores must supply for "
        "each sign-up.",
        "",
        f"The rush: {RUSH_SIGNUPS:,} API sign-ups, each sent once, for an event with "
        f"{RUSH_SEATS:,} seats, from {RUSH_CONNECTIONS} concurrent clients (Python "
        "threads: see rush_run in bench/bench_registration.py for why not wrk). Target: exactly "
        f"{RUSH_SEATS:,} confirmed, the rest waitlisted, none lost.",
        "",
        table(["database", "sign-ups answered", "confirmed", "waitlisted", "errors",
               "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms"], rush),
        "",
        PROFILE,
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
