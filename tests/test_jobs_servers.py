"""Background jobs in real processes: e-mail goes out with no request to wait for.

gunicorn serves the app as in production, with a real SMTP server (aiosmtpd) beside
it. In the default setup the jobs wait in a SQLite file in the instance folder and a
process beside gunicorn's workers runs them; with Redis, `flask jobs worker`
processes run them. Runs on SQLite and PostgreSQL.
"""

import os
import threading
import time
import uuid

import requests
from sqlalchemy import text

from bench.common import free_port
from tests import factories
from tests.mailbox import SmtpServer
from tests.servers import Gunicorn, JobsWorker, engine, prepare, serving


def build() -> dict:
    event = factories.event(title="Jobs Seminar", capacity=500, networking=False)
    organiser = factories.staff("org@jobs.example", "organiser")
    return {"event_id": event.id, "token": factories.token(organiser)}


def mail_config(smtp_port: int, **extra) -> str:
    settings = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port,
                "MAIL_FROM": "Jobs Office <office@jobs.example>"} | extra
    return "".join(f"{name} = {value!r}\n" for name, value in settings.items())


def sign_up(server: Gunicorn, info: dict, address: str) -> None:
    response = requests.post(
        f"{server.url}/api/v1/events/{info['event_id']}/registrations",
        headers={"Authorization": f"Bearer {info['token']}"},
        json={"name": "Jobs Guest", "email": address, "category": "guest"}, timeout=60)
    assert response.status_code == 201, response.text


def outbox(database_url: str, address: str | None = None) -> list[tuple]:
    """(recipient, status, attempts) of the stored messages, read from the database."""
    with engine(database_url) as eng, eng.connect() as conn:
        rows = conn.execute(text(
            "SELECT recipient, status, attempts FROM outbound_emails ORDER BY id")).all()
    return [tuple(row) for row in rows if address in (None, row[0])]


def wait_for(condition, timeout: float, what: str, *logs) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n" +
                                 "\n".join(log.log_tail() for log in logs))
        time.sleep(0.1)


def test_mail_that_failed_at_sign_up_arrives_when_smtp_is_back_without_a_request(
        database, tmp_path):
    smtp = SmtpServer(free_port())  # not started: the mail server is down
    instance, info = prepare(database, build, mail_config(smtp.port, MAIL_RETRY_SECONDS=1))
    with serving(Gunicorn(database, instance)) as (server,):
        sign_up(server, info, "early@jobs.example")
        # gunicorn logs a request after answering it: wait for the sign-up's line.
        wait_for(lambda: b"POST /api/v1/" in open(server.access_log, "rb").read(), 10,
                 "the sign-up in the access log", server)
        answered = server.requests_served()
        try:
            # Failed at least once (a slow poll may see the second failure first).
            wait_for(lambda: [row[:2] for row in outbox(database)]
                     == [("early@jobs.example", "failed")], 60, "the first attempt to fail",
                     server)
            smtp.start()
            wait_for(lambda: smtp.to("early@jobs.example"), 60, "the retry", server)
            [message] = smtp.to("early@jobs.example")
            assert "Jobs Seminar" in message["Subject"]
            wait_for(lambda: outbox(database)[0][1] == "sent", 10, "the record", server)
            time.sleep(3)  # later retries or sweeps must not send it again
            assert len(smtp.to("early@jobs.example")) == 1
            [(_address, status, attempts)] = outbox(database)
            assert status == "sent" and attempts >= 2
            # Nothing but the server's own jobs got it there: no request after the sign-up.
            assert server.requests_served() == answered
        finally:
            smtp.stop()


def test_a_message_cut_off_by_sigkill_while_sending_is_sent_exactly_once_after_restart(
        database, tmp_path):
    smtp = SmtpServer(free_port()).start()
    smtp.hold.add("cut@jobs.example")
    config = mail_config(smtp.port, MAIL_RETRY_SECONDS=1, MAIL_SENDING_TIMEOUT=4)
    instance, info = prepare(database, build, config)
    try:
        # One worker: no other consumer of this server takes the held message over.
        with serving(Gunicorn(database, instance, workers=1)) as (first,):
            sign_up(first, info, "before@jobs.example")
            wait_for(lambda: outbox(database) == [("before@jobs.example", "sent", 1)],
                     60, "the first message", first)
            sign_up(first, info, "cut@jobs.example")
            assert smtp.holding.wait(60), first.log_tail()
            assert outbox(database, "cut@jobs.example") == [("cut@jobs.example", "sending", 1)]
            first.kill()
        smtp.release()  # the killed sender's connection is gone: nothing was delivered
        assert outbox(database, "cut@jobs.example") == [("cut@jobs.example", "sending", 1)]
        assert smtp.to("cut@jobs.example") == []

        # The restarted server's consumer starts with its worker (gunicorn.conf.py) and
        # sends the message once MAIL_SENDING_TIMEOUT has passed.
        with serving(Gunicorn(database, instance, workers=1)) as (second,):
            wait_for(lambda: smtp.to("cut@jobs.example"), 60, "the resend", second)
            wait_for(lambda: outbox(database, "cut@jobs.example")[0][1] == "sent", 10,
                     "the record", second)
            time.sleep(5)  # another timeout's worth: no second copy
        assert len(smtp.to("cut@jobs.example")) == 1
        assert len(smtp.to("before@jobs.example")) == 1
        assert outbox(database) == [("before@jobs.example", "sent", 1),
                                    ("cut@jobs.example", "sent", 2)]
    finally:
        smtp.stop()


SIGNUPS, EXTRA_RUNS = 40, 12


def test_two_job_workers_on_redis_never_send_one_message_twice(database, redis_url, tmp_path):
    """The production setup: app servers with JOBS_EMBEDDED off and two `flask jobs
    worker` processes on Redis. The sign-ups' commits queue one run between them; a
    dozen more runs are put in the queue by hand so that both workers' threads send at
    the same time. Each message is claimed by one of them and sent once."""
    from eventapp import create_app

    smtp = SmtpServer(free_port(), delay=0.02).start()
    name = f"test-{uuid.uuid4().hex[:10]}"
    config = mail_config(smtp.port, JOBS_URL=redis_url, JOBS_EMBEDDED=False, JOBS_NAME=name)
    instance, info = prepare(database, build, config)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database}, instance_path=instance)
    jobs = app.extensions["jobs"]
    assert type(jobs.huey.storage).__name__ == "RedisStorage"
    workers = []
    try:
        with serving(Gunicorn(database, instance)) as (server,):
            addresses = [f"guest{n}@jobs.example" for n in range(SIGNUPS)]
            threads = [threading.Thread(target=lambda share=addresses[i::4]: [
                sign_up(server, info, a) for a in share]) for i in range(4)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert {row[1] for row in outbox(database)} == {"queued"}
            assert jobs.huey.pending_count() == 1  # one run for all 40 commits
            for _ in range(EXTRA_RUNS):
                jobs.send_mail()
            workers = [JobsWorker(database, instance).start() for _ in range(2)]
            wait_for(lambda: len(smtp.messages) >= SIGNUPS, 120, "every message", *workers)
            wait_for(lambda: jobs.huey.pending_count() == 0, 60, "the queue to empty",
                     *workers)
            time.sleep(2)  # runs still going would have found nothing left
        received = sorted(a for rcpts, _message in smtp.messages for a in rcpts)
        assert received == sorted(addresses)
        assert {(status, attempts) for _a, status, attempts in outbox(database)} == {
            ("sent", 1)}
        logs = "".join(worker.log_tail() for worker in workers)
        assert "send_mail" in logs
    finally:
        for worker in workers:
            worker.stop()
        smtp.stop()
        jobs.huey.flush()
        jobs.huey.storage.conn.close()


def test_a_started_server_sends_what_waits_in_the_outbox_before_any_request(database):
    """What a stopped server left queued goes out when it starts again, with no visitor:
    gunicorn's master starts the job process (gunicorn.conf.py), which looks at once."""
    smtp = SmtpServer(free_port())
    smtp.start()

    def build_with_waiting_mail() -> dict:
        from eventapp.extensions import db
        from eventapp.models import OutboundEmail

        info = build()
        db.session.add(OutboundEmail(
            kind="note", composer="registration", recipient="waiting@jobs.example",
            subject="Waiting", status="queued",
            mime="Subject: Waiting\nTo: waiting@jobs.example\n\nIt waited.\n"))
        db.session.commit()
        return info

    try:
        instance, _info = prepare(database, build_with_waiting_mail, mail_config(smtp.port))
        server = Gunicorn(database, instance, workers=1).start()
        try:
            server.wait_listening()
            wait_for(lambda: smtp.to("waiting@jobs.example"), 30, "the waiting message",
                     server)
            wait_for(lambda: outbox(database)[0][1] == "sent", 10, "the record", server)
            assert server.requests_served() == 0
        finally:
            server.stop()
        assert outbox(database) == [("waiting@jobs.example", "sent", 1)]
    finally:
        smtp.stop()


def test_under_gunicorn_the_jobs_run_in_one_process_beside_the_workers(database):
    """Composing e-mails (templates, the QR) takes no worker's time from requests: the
    master starts one job process next to its workers, which run no consumer."""
    smtp = SmtpServer(free_port())
    smtp.start()
    try:
        instance, info = prepare(database, build, mail_config(smtp.port))
        server = Gunicorn(database, instance, workers=2).start()
        try:
            server.wait_ready()
            sign_up(server, info, "beside@jobs.example")
            wait_for(lambda: smtp.to("beside@jobs.example"), 30, "the ticket", server)
            children = {pid: _cmdline(pid) for pid in _child_pids(server.proc.pid)}
            jobs = [c for c in children.values() if "jobs worker" in c]
            assert len(jobs) == 1 and "--beside" in jobs[0], children
            assert len(children) == 3, children  # the two workers and the job process
            for pid, cmdline in children.items():
                if "jobs worker" not in cmdline:
                    assert _thread_count(pid) == 1, cmdline  # no consumer in a worker
        finally:
            server.stop()
    finally:
        smtp.stop()


def _child_pids(pid: int) -> list[int]:
    pids = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    pids.append(int(entry))
        except (OSError, ValueError):
            continue
    return pids


def _cmdline(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().replace(b"\0", b" ").decode()


def _thread_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))
