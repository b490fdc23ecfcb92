"""Check-ins per second and latency with eight concurrent scanners, against a bare Flask
endpoint doing the same single conditional UPDATE on the same gunicorn setup.

Every request is a real first check-in (a distinct code per request), so the app does
its whole hot path each time: token check, the conditional UPDATE, the scan-log INSERT
and the COMMIT. Run with `python -m bench.bench_checkin`.
"""

import os
import secrets
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import quantiles

import requests

from bench.common import (
    ROOT,
    gunicorn,
    machine,
    make_instance,
    on_each_database,
    postgres_available,
    table,
)

SCANNERS = 8
CHECKINS = 1_600
WARM_UP = 4 * SCANNERS  # requests per server before the clock starts (imports, pools)
ROUNDS = 4  # the timed requests, in rounds alternating between the two servers


def prepare(database_url: str, instance: str) -> dict:
    """Schema, one event, 2 x (CHECKINS + WARM_UP) confirmed registrations and one door
    token per scanner, made with the app's own code before any server starts."""
    from eventapp import create_app
    from eventapp.auth.services import issue_token
    from eventapp.events.services import create_event
    from eventapp.extensions import db
    from eventapp.models import Registration, StaffUser, new_checkin_code, new_secret_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url}, instance_path=instance)
    with app.app_context():
        db.create_all()
        starts = datetime.now(UTC) + timedelta(days=1)
        event = create_event({
            "title": "Bench Brokerage Day", "timezone": "Asia/Tokyo", "starts_at": starts,
            "ends_at": starts + timedelta(hours=8), "capacity": 1_000_000, "networking": None})
        db.session.flush()
        category_id = event.categories[0].id
        per_server = CHECKINS + WARM_UP
        codes = [new_checkin_code() for _ in range(2 * per_server)]
        db.session.execute(db.insert(Registration), [
            {"event_id": event.id, "category_id": category_id, "name": f"Bench Person {n}",
             "email": f"p{n}@bench.example", "organisation": f"Bench Org {n % 40}",
             "country": "JP", "status": "confirmed", "checkin_code": code,
             "manage_token": new_secret_token()}
            for n, code in enumerate(codes)])
        tokens = []
        for n in range(SCANNERS):
            user = StaffUser(email=f"door{n}-{secrets.token_hex(3)}@bench.example", role="door",
                             name=f"Door {n}")
            db.session.add(user)
            tokens.append(issue_token(user, "bench scanner")[1])
        db.session.commit()
        info = {"event_id": event.id, "tokens": tokens,
                "app_codes": codes[:per_server], "bare_codes": codes[per_server:]}
        db.session.remove()
        db.engine.dispose()
    return info


def checked_in_count(database_url: str, instance: str, codes: list[str]) -> int:
    from eventapp import create_app
    from eventapp.extensions import db
    from eventapp.models import Registration

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url}, instance_path=instance)
    with app.app_context():
        count = db.session.execute(
            db.select(db.func.count(Registration.id)).where(
                Registration.checkin_code.in_(codes), Registration.checked_in_at.is_not(None))
        ).scalar_one()
        db.session.remove()
        db.engine.dispose()
    return count


def server_cpu_seconds(base_url: str) -> float:
    """CPU time used so far by the gunicorn master and workers serving `base_url`."""
    bind = base_url.removeprefix("http://").encode()
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if bind not in (proc / "cmdline").read_bytes():
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


class Scanners:
    """SCANNERS threads, each with its own requests.Session (and door token), posting
    codes to one URL; a barrier starts them together. Keeps raw latencies so rounds can
    be pooled, and the CPU time the server and the load generator spent."""

    def __init__(self, base_url: str, path: str, headers_for, expected_status: int):
        self.base_url, self.url, self.expected = base_url, base_url + path, expected_status
        self.server_cpu = self.client_cpu = 0.0
        self.sessions = []
        for i in range(SCANNERS):
            session = requests.Session()
            session.headers.update(headers_for(i))
            self.sessions.append(session)
        self.latencies: list[float] = []
        self.seconds = 0.0
        self.errors: list[str] = []

    def round(self, codes: list[str], timed: bool = True) -> None:
        chunks = [codes[i::SCANNERS] for i in range(SCANNERS)]
        barrier = threading.Barrier(SCANNERS + 1)
        lock = threading.Lock()

        def scanner(i):
            mine, failed = [], []
            barrier.wait()
            for code in chunks[i]:
                start = time.perf_counter()
                try:
                    r = self.sessions[i].post(self.url, json={"code": code}, timeout=60)
                    if r.status_code != self.expected:
                        failed.append(f"{r.status_code} {r.text[:200]}")
                except requests.RequestException as exc:
                    failed.append(repr(exc))
                mine.append(time.perf_counter() - start)
            with lock:
                if timed:
                    self.latencies.extend(mine)
                self.errors.extend(failed)

        threads = [threading.Thread(target=scanner, args=(i,)) for i in range(SCANNERS)]
        for thread in threads:
            thread.start()
        server_before, client_before = server_cpu_seconds(self.base_url), time.process_time()
        barrier.wait()
        started = time.perf_counter()
        for thread in threads:
            thread.join()
        if timed:
            self.seconds += time.perf_counter() - started
            self.server_cpu += server_cpu_seconds(self.base_url) - server_before
            self.client_cpu += time.process_time() - client_before

    def summary(self) -> dict:
        cuts = quantiles(self.latencies, n=100)
        n = len(self.latencies)
        return {"rps": n / self.seconds, "p50": cuts[49] * 1000, "p99": cuts[98] * 1000,
                "server_cpu": self.server_cpu / n * 1000, "client_cpu": self.client_cpu / n * 1000,
                "errors": len(self.errors),
                "first_error": self.errors[0] if self.errors else ""}


def measure(database_url: str, label: str) -> list[list]:
    # The abuse limits stay on, as in production, but high enough never to answer 429.
    instance = make_instance("""
        RATELIMIT_ENABLED = True
        CHECKIN_RATE_LIMIT = "1000000 per minute"
    """)
    info = prepare(database_url, instance)
    env = {"DATABASE_URL": database_url, "EVENTAPP_INSTANCE_PATH": instance,
           "BARE_DATABASE_URL": database_url, "SECRET_KEY": "bench"}
    tokens = info["tokens"]
    with gunicorn("bench.bare_app:app", env) as bare_url, gunicorn("wsgi:app", env) as app_url:
        bare = Scanners(bare_url, "/bare/checkin", lambda i: {}, 201)
        app = Scanners(app_url, f"/api/v1/events/{info['event_id']}/checkins",
                       lambda i: {"Authorization": f"Bearer {tokens[i]}",
                                  "X-Scanner-Device": f"bench-{i}"}, 201)
        bare_codes, app_codes = info["bare_codes"], info["app_codes"]
        bare.round(bare_codes[:WARM_UP], timed=False)
        app.round(app_codes[:WARM_UP], timed=False)
        # Alternating rounds, so a change in the machine's other load hits both alike.
        step = CHECKINS // ROUNDS
        for n in range(ROUNDS):
            chunk = slice(WARM_UP + n * step, WARM_UP + (n + 1) * step)
            pair = [(bare, bare_codes[chunk]), (app, app_codes[chunk])]
            for server, codes in (pair if n % 2 == 0 else pair[::-1]):
                server.round(codes)
    admitted = checked_in_count(database_url, instance, app_codes)
    if admitted != len(app_codes) or app.errors or bare.errors:
        raise RuntimeError(f"{label}: {admitted} of {len(app_codes)} checked in; "
                           f"errors: {(app.errors + bare.errors)[:3]}")
    base, ours = bare.summary(), app.summary()
    rows = []
    for name, result in (("bare Flask UPDATE", base), ("check-in API", ours)):
        rows.append([label, name, result["rps"], result["p50"], result["p99"],
                     f"{result['rps'] / base['rps']:.0%}", f"{result['p99'] / base['p99']:.2f}×",
                     result["server_cpu"], result["client_cpu"]])
    return rows


def run() -> str:
    started = time.perf_counter()
    rows = on_each_database(measure)
    if not postgres_available():
        rows.append(["PostgreSQL", "not measured: server unreachable", "", "", "", "", "",
                     "", ""])
    out = [
        "## Check-in",
        "",
        f"{CHECKINS:,} check-ins per server, each a distinct code checked in for the first "
        f"time, from {SCANNERS} concurrent scanners (threads, each with its own "
        "requests.Session and door token) against gunicorn with 2 sync workers on "
        f"{machine()}; the load generator runs on the same machine. The check-in API "
        "checks the token, admits the code with one conditional UPDATE that returns "
        "what the answer shows, writes the scan log and commits: on SQLite three "
        "statements inside BEGIN IMMEDIATE ... COMMIT, on PostgreSQL two statements in "
        "autocommit (the token check, then the UPDATE and the log INSERT as data-modifying "
        "CTEs). "
        "The baseline is "
        "a bare Flask endpoint doing only `UPDATE registrations SET checked_in_at = ... "
        "WHERE checkin_code = ? AND checked_in_at IS NULL` with the same connection "
        "settings (SQLite: WAL, busy timeout, BEGIN IMMEDIATE), served the same way. "
        f"Both servers run side by side and are measured in {ROUNDS} alternating rounds, "
        "so other load on the machine affects both alike. Targets: at least 60% of the "
        "bare endpoint's requests per second, and a p99 at most twice its.",
        "",
        table(["database", "endpoint", "req/s", "p50 ms", "p99 ms", "rps vs bare",
               "p99 vs bare", "server CPU ms/req", "client CPU ms/req"], rows),
        "",
        "Server CPU is the time gunicorn's processes spent per request, client CPU the load "
        "generator's; both depend far less on other load on the machine than requests per "
        "second do.",
        "",
        f"_Measured in {time.perf_counter() - started:.0f} s._",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    print(run())
