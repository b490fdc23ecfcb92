"""A message to 2,000 people, each personalised, handed to a local SMTP server, while
eight scanners check people in: how long the message takes, and whether check-in keeps
its ratio to the bare endpoint meanwhile.

gunicorn (2 sync workers, the jobs in the process beside them, as in production) serves
the app with a real SMTP server (aiosmtpd) on this machine. One API call writes the
message; its e-mails are queued in that request and composed and sent by the job
process. Check-in is measured as in bench_checkin, against the bare endpoint, in
alternating rounds for as long as the message is being sent. Run with
`python -m bench.bench_messages`.
"""

import asyncio
import threading
import time

import requests
from aiosmtpd.controller import Controller

from bench import bench_checkin as checkin
from bench import wrk
from bench.common import (
    ROOT,
    free_port,
    gunicorn,
    machine,
    make_instance,
    on_each_database,
    postgres_available,
    table,
)

PEOPLE = 2_000
ROUND_SECONDS = 2
# Check-in rounds per server while the message goes out (at most what bench_checkin
# prepares codes for: 8 rounds of 2 s after its warm-up)
MIN_ROUNDS, MAX_ROUNDS = 2, 8
TIMEOUT = 300  # seconds to wait for every e-mail


class Inbox:
    """Counts what the SMTP server accepts, and when the last one came."""

    def __init__(self):
        self.count, self.last, self.lock = 0, 0.0, threading.Lock()
        self.recipients: set[str] = set()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0)
        with self.lock:
            self.count += 1
            self.last = time.perf_counter()
            self.recipients.update(envelope.rcpt_tos)
        return "250 OK"


def add_recipients(database_url: str, instance: str, event_id: int) -> str:
    """PEOPLE confirmed attendees (half in Japanese) for the message, and an organiser
    token; the check-in codes of bench_checkin are in other people of the same event."""
    from eventapp import create_app
    from eventapp.auth.services import issue_token
    from eventapp.extensions import db
    from eventapp.models import Event, Registration, StaffUser, new_checkin_code, new_secret_token

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url}, instance_path=instance)
    with app.app_context():
        event = db.session.get(Event, event_id)
        embassy = next(c for c in event.categories if c.code == "embassy")
        db.session.execute(db.insert(Registration), [
            {"event_id": event_id, "category_id": embassy.id,
             "name": f"山田 太郎 {n}" if n % 2 else f"Amina Otieno {n}",
             "email": f"m{n}@message.example", "organisation": "message",
             "language": "ja" if n % 2 else "en", "country": "KE", "status": "confirmed",
             "checkin_code": new_checkin_code(), "manage_token": new_secret_token()}
            for n in range(PEOPLE)])
        user = StaffUser(email="organiser@message.example", role="organiser", name="Office")
        db.session.add(user)
        token = issue_token(user, "bench messages")[1]
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return token


def measure(database_url: str, label: str) -> list[list]:
    inbox = Inbox()
    smtp_port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    instance = make_instance(f"""
        RATELIMIT_ENABLED = True
        CHECKIN_RATE_LIMIT = "100000000 per minute"
        MAIL_SERVER = "127.0.0.1"
        MAIL_PORT = {smtp_port}
        MAIL_FROM = "Seminar Office <office@message.example>"
    """)
    try:
        info = checkin.prepare(database_url, instance)
        token = add_recipients(database_url, instance, info["event_id"])
        env = {"DATABASE_URL": database_url, "EVENTAPP_INSTANCE_PATH": instance,
               "BARE_DATABASE_URL": database_url, "SECRET_KEY": "bench"}
        with gunicorn("bench.bare_app:app", env) as bare_url, \
                gunicorn("wsgi:app", env) as app_url:
            bare = checkin.Scanners("bare Flask UPDATE", bare_url, "/bare/checkin",
                                    info["bare_codes"], [], instance)
            app = checkin.Scanners("check-in API, message sending",
                                   app_url, f"/api/v1/events/{info['event_id']}/checkins",
                                   info["app_codes"], info["tokens"], instance)
            bare.run(checkin.WARM_UP, timed=False)
            app.run(checkin.WARM_UP, timed=False)
            started = time.perf_counter()
            response = requests.post(
                f"{app_url}/api/v1/events/{info['event_id']}/messages",
                headers={"Authorization": f"Bearer {token}"}, timeout=120,
                json={"subject": {"en": "Your briefing, {name}", "ja": "{name}様：ご案内"},
                      "body": {"en": "Dear {name},\n\nYour ticket: {ticket_url}\n"
                                     "Your agenda: {agenda_url}",
                               "ja": "{name}様\n\nチケット：{ticket_url}\n予定：{agenda_url}"},
                      "to": {"category": ["embassy"], "checked_in": False}})
            answered = time.perf_counter() - started
            if response.status_code != 201 or response.json()["recipients"] != PEOPLE:
                raise RuntimeError(f"{label}: message not accepted: {response.text[:300]}")
            rounds = 0
            while rounds < MAX_ROUNDS and (rounds < MIN_ROUNDS or inbox.count < PEOPLE):
                for server in ([bare, app] if rounds % 2 == 0 else [app, bare]):
                    server.run(ROUND_SECONDS)
                rounds += 1
            deadline = time.perf_counter() + TIMEOUT
            while inbox.count < PEOPLE and time.perf_counter() < deadline:
                time.sleep(0.2)
            if inbox.count < PEOPLE:
                raise RuntimeError(f"{label}: {inbox.count} of {PEOPLE} e-mails arrived")
            if len(inbox.recipients) != PEOPLE:
                raise RuntimeError(f"{label}: {len(inbox.recipients)} distinct recipients")
            took = inbox.last - started
        message_row = [label, f"{PEOPLE:,}", answered * 1000, took, PEOPLE / took,
                       "yes" if took < 60 else "no", rounds]
        return [message_row, bare.row(label, bare), app.row(label, bare)]
    finally:
        controller.stop()


def run() -> str:
    wrk.require()
    started = time.perf_counter()
    rows = on_each_database(measure)
    messages = [r for r in rows if len(r) == 7]
    checkins = [r for r in rows if len(r) != 7]
    if not postgres_available():
        messages.append(["PostgreSQL", "not measured: server unreachable"] + [""] * 5)
    out = [
        "## A message to 2,000 people",
        "",
        f"One API call (`POST /api/v1/events/{{id}}/messages`) writes a message to {PEOPLE:,} "
        "embassy officials not checked in, half in English and half in Japanese, each with "
        "their name and their own ticket and agenda links; gunicorn with 2 sync workers "
        f"serves the app on {machine()}, and the job process beside them (at nice 10, below "
        "the workers: gunicorn.conf.py) composes each "
        "e-mail (text and HTML) and hands it to a real SMTP server (aiosmtpd) on the same "
        "machine. Meanwhile `wrk -t2 -c8` checks people in, on the app and on the bare "
        f"endpoint in alternating rounds of {ROUND_SECONDS} s (as in the check-in benchmark), "
        "until the last e-mail is accepted. Target: the whole message handed to the SMTP "
        "server in under 60 s, while check-in keeps at least 75% of the bare endpoint's "
        f"requests per second. Load average when measured: {wrk.load_average()} on 2 CPUs.",
        "",
        table(["database", "recipients", "API answer ms", "all sent s", "e-mails/s",
               "under 60 s", "check-in rounds"], messages),
        "",
        "Check-in while the message is being sent:",
        "",
        table(["database", "endpoint"] + wrk.HEADERS + ["server CPU ms/req"], checkins),
        "",
        f"_Measured in {time.perf_counter() - started:.0f} s._",
    ]
    return "\n".join(out)


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(ROOT))
    print(run())
