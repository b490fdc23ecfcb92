"""Background jobs on huey: sending the outbox now, at the next retry, and on a schedule.

The `outbound_emails` table stays the record of what must be sent; a job only says
"look at the outbox". So a lost job loses nothing: the periodic sweep finds the
message, and a message half sent by a process that died is sent again once it counts
as interrupted (see mail.send_due).

Where the jobs wait (JOBS_URL): by default a SQLite file in the instance folder,
shared by every process of the machine; in production the Redis that already holds
the abuse limits. Who runs them: by default (JOBS_EMBEDDED) the server itself, so
`make run` needs nothing more: under gunicorn one job process beside the workers,
started by the master (gunicorn.conf.py), so composing e-mails takes no worker's time
from requests; under another server (waitress in `make run`, `flask run`) a consumer
thread in the serving process, started with the first request. In production
`flask --app wsgi jobs worker` processes, with JOBS_EMBEDDED off in the app servers. Tests run jobs as soon as they are enqueued
(JOBS_IMMEDIATE), or against a real queue where the queue is the point.

Views never kick a sender: mail.queue_email() notes on the session that the outbox
changed, and the after-commit hook below enqueues one run. A run already waiting in
the queue will see this commit's rows, so a rush of sign-ups queues a handful of runs,
not one per sign-up.
"""

import logging
import os
import threading
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer, Worker
from huey.storage import SqliteStorage
from sqlalchemy import event
from sqlalchemy.orm import Session

from . import limitstore, mail, outbox_files
from .database import utcnow
from .extensions import db
from .feedback.requests import send_due_requests
from .files import create_private
from .messages import services as messages
from .registration.confirmation import expire_unconfirmed
from .registration.import_store import remove_import_copies

log = logging.getLogger(__name__)

# Set by gunicorn's master (gunicorn.conf.py) when it runs the jobs in a process beside
# its workers.
JOBS_BESIDE = "EVENTAPP_JOBS_BESIDE"
# Keys in the queue's storage, shared by every process that uses it.
RUN_PENDING = "mail.run-pending"  # a send run is in the queue and has not started
WAKE_AT = "mail.wake-at"  # epoch seconds of the earliest send run scheduled ahead


class _QueueStorage(SqliteStorage):
    """huey's SQLite storage in WAL mode with synchronous=NORMAL, like the app's
    database: no fsync per queue write (each costs ~0.6 ms here, and every send run
    makes a few). A power cut may lose the last jobs, never the file, and a lost job
    loses no e-mail: the outbox table is the record."""

    def _create_connection(self):
        create_private(self.filename)  # jobs name attendees' messages: owner only
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


def make_huey(config, instance_path: str):
    """The queue named by the config: memory (immediate), SQLite file or Redis."""
    name = config["JOBS_NAME"]
    url = config["JOBS_URL"] or f"sqlite:///{Path(instance_path) / 'jobs.db'}"
    if config["JOBS_IMMEDIATE"]:
        return MemoryHuey(name, immediate=True, results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, results=False)
    if url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=url.removeprefix("sqlite:///"), results=False,
                          storage_class=_QueueStorage)
    raise ValueError(f"JOBS_URL must be a redis:// or sqlite:/// URL, not {url!r}")


class _WakeableWorker(Worker):
    """huey's worker, woken at once when this process enqueues a job instead of
    waiting for its next poll of the queue."""

    wake: threading.Event

    def sleep(self):
        if self.delay > self.max_delay:
            self.delay = self.max_delay
        if self.wake.wait(self.delay):
            self.wake.clear()
            self.delay = self.default_delay
        else:
            self.delay *= self.backoff


class _EmbeddedConsumer(Consumer):
    """huey's consumer as threads of an app server's process: the signals are the
    server's, so it installs no handlers of its own."""

    worker_class = _WakeableWorker

    def __init__(self, huey, wake: threading.Event, **options):
        self.wake = wake
        super().__init__(huey, **options)

    def _create_worker(self):
        worker = super()._create_worker()
        worker.wake = self.wake
        return worker

    def _set_signal_handlers(self):
        pass


class Jobs:
    """An app's queue, its tasks and, in the embedded setup, its consumer."""

    def __init__(self, app: Flask):
        self.app = app
        self.huey = make_huey(app.config, app.instance_path)
        self.send_mail = self.huey.task(name="send_mail")(self._send_mail)
        every = int(app.config["JOBS_SWEEP_MINUTES"])
        self.sweep = self.huey.periodic_task(crontab(minute=f"*/{every}"),
                                             name="sweep_outbox")(self._send_mail)
        # Hourly, so a laptop that is off at night still tidies up the same day.
        self.tidy = self.huey.periodic_task(crontab(minute="7"),
                                            name="remove_old_copies")(self._remove_old_copies)
        # Unconfirmed sign-ups past their deadline are cancelled (registration/confirmation.py).
        self.expire = self.huey.periodic_task(crontab(minute="*/5"),
                                              name="expire_unconfirmed")(self._expire_unconfirmed)
        # Scheduled and automatic messages (messages/services.py): every minute, and at
        # a scheduled message's own time (after the commit that scheduled it).
        self.messages = self.huey.periodic_task(crontab(minute="*"),
                                                name="queue_due_messages")(self._queue_messages)
        # Feedback requests (and follow-ups) whose time has come (feedback/requests.py).
        self.ask_feedback = self.huey.periodic_task(
            crontab(minute="*/15"), name="ask_feedback")(self._ask_feedback)
        self.wake = threading.Event()
        self.consumer: Consumer | None = None
        self.consumer_pid: int | None = None
        self._lock = threading.Lock()

    # -- the task ---------------------------------------------------------------------

    def _send_mail(self) -> None:
        # Taken before looking at the outbox: a commit after this point enqueues a
        # run of its own, one before it is seen by this run.
        self.huey.get(RUN_PENDING)
        next_due = mail.send_due(self.app)
        if next_due is not None:
            self._wake_at(next_due.timestamp())

    def _remove_old_copies(self) -> None:
        """Retention: outbox .eml files older than OUTBOX_RETENTION_DAYS, import uploads
        past their day and expired abuse-limit counters go."""
        outbox_files.remove_outbox_files(self.app.config, older_than_days=float(
            self.app.config["OUTBOX_RETENTION_DAYS"]))
        remove_import_copies(self.app.instance_path)
        limitstore.remove_expired(self.app)  # abuse-limit windows that have ended

    def _expire_unconfirmed(self) -> None:
        with self.app.app_context():
            try:
                count = expire_unconfirmed()
            finally:
                db.session.remove()
        if count:
            log.info("Cancelled %d sign-ups whose e-mail address was not confirmed", count)

    def _queue_messages(self) -> None:
        with self.app.app_context():
            try:
                count = messages.queue_due_messages()
            finally:
                db.session.remove()
        if count:
            log.info("Queued the e-mails of %d scheduled or automatic messages", count)

    def messages_scheduled(self, when: float) -> None:
        """A message was scheduled for `when` (epoch seconds): the job runs then."""
        try:
            self.messages.schedule(delay=max(0.0, when - time.time()))
            self.wake.set()
        except Exception:  # the queue is down: the periodic run finds it a minute later
            log.exception("Could not schedule the messages job; the periodic run sends it")
    def _ask_feedback(self) -> None:
        with self.app.app_context():
            try:
                count = send_due_requests()
            finally:
                db.session.remove()
        if count:
            log.info("Queued %d feedback requests", count)

    def _wake_at(self, when: float) -> None:
        """Schedules a run for when the next retry (or scheduled message) falls due,
        unless one is already scheduled for then or earlier."""
        now = time.time()
        planned = self.huey.get(WAKE_AT, peek=True)
        if planned is not None and now <= planned <= when:
            return
        self.huey.put(WAKE_AT, when)
        self.send_mail.schedule(delay=max(0.0, when - now))

    # -- after a commit ---------------------------------------------------------------

    def outbox_changed(self) -> None:
        """Enqueues a send run unless one is already waiting to start."""
        try:
            if (self.huey.get(RUN_PENDING, peek=True) is None
                    and self.huey.put_if_empty(RUN_PENDING, utcnow().timestamp())):
                self.send_mail()
                self.wake.set()
        except Exception:  # e.g. Redis is down: the periodic sweep sends the message
            log.exception("Could not enqueue the e-mail job; the periodic sweep sends it")

    # -- the embedded consumer ----------------------------------------------------------

    def start_consumer(self) -> None:
        """Runs the jobs in this process (once per process: a forked server worker
        starts its own)."""
        with self._lock:
            if self.consumer_pid == os.getpid():
                return
            self.consumer_pid = os.getpid()
            self.consumer = _EmbeddedConsumer(
                self.huey, self.wake, workers=1, periodic=True, scheduler_interval=1,
                max_delay=float(self.app.config["JOBS_POLL_SECONDS"]),
                check_worker_health=False)
            self.consumer.start()
        self.outbox_changed()  # a new process looks at once at what waits (e.g. after a crash)

    @property
    def embedded(self) -> bool:
        """Whether this process runs the app's jobs in threads of its own: the default
        setup, except in gunicorn's workers, whose master runs them in a process beside
        them (gunicorn.conf.py)."""
        return bool(self.app.config["JOBS_EMBEDDED"] and not self.app.config["JOBS_IMMEDIATE"]
                    and not os.environ.get(JOBS_BESIDE))

    def start_embedded(self) -> None:
        """Starts this process's consumer in the embedded setup (a server's start hook)."""
        if self.embedded:
            self.start_consumer()

    def stop_consumer(self) -> None:
        if self.consumer is not None and self.consumer_pid == os.getpid():
            self.consumer.stop_flag.set()
            self.wake.set()
            for _worker, thread in self.consumer.worker_threads:
                thread.join(30)
            self.consumer.scheduler.join(30)
        self.consumer = self.consumer_pid = None


class _StartsConsumer:
    """WSGI middleware: the first request a process serves starts its consumer, in any
    server but gunicorn (see Jobs.embedded); a request costs one pid comparison."""

    def __init__(self, wsgi_app, jobs: Jobs):
        self.wsgi_app, self.jobs = wsgi_app, jobs

    def __call__(self, environ, start_response):
        if self.jobs.consumer_pid != os.getpid():
            self.jobs.start_embedded()
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    jobs = app.extensions["jobs"] = Jobs(app)
    if jobs.embedded:
        # gunicorn starts it with each worker (gunicorn.conf.py); any other server
        # (`flask run`) with the first request it serves.
        app.wsgi_app = _StartsConsumer(app.wsgi_app, jobs)
    app.cli.add_command(jobs_cli)


# Registered once, for every session: a commit that changed the outbox enqueues a run,
# once the transaction has ended and its connection is back in the pool (a job run at
# once, as in the tests, takes a connection of its own).
_COMMITTED = "eventapp.outbox_committed"


_MESSAGES_COMMITTED = "eventapp.messages_committed"


@event.listens_for(Session, "after_commit")
def _note_commit(session) -> None:
    if session.info.pop(mail.OUTBOX_CHANGED, False):
        session.info[_COMMITTED] = True
    due = session.info.pop(messages.MESSAGES_DUE, None)
    if due is not None:
        session.info[_MESSAGES_COMMITTED] = due


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop(mail.OUTBOX_CHANGED, None)
    session.info.pop(_COMMITTED, None)  # e.g. a savepoint's, undone with the transaction
    session.info.pop(messages.MESSAGES_DUE, None)
    session.info.pop(_MESSAGES_COMMITTED, None)


@event.listens_for(Session, "after_transaction_end")
def _enqueue_after_commit(session, transaction) -> None:
    if transaction.parent is not None:
        return
    if session.info.pop(_COMMITTED, False):
        current_app.extensions["jobs"].outbox_changed()
    due = session.info.pop(_MESSAGES_COMMITTED, None)
    if due is not None:
        current_app.extensions["jobs"].messages_scheduled(due)


jobs_cli = AppGroup("jobs", help="Background jobs (e-mail).")


@jobs_cli.command("worker")
@click.option("--threads", default=2, show_default=True, help="Jobs run at the same time.")
@click.option("--beside", is_flag=True, hidden=True,
              help="Started by gunicorn's master in the embedded setup: ends at once when "
                   "JOBS_EMBEDDED is off (separate workers run the jobs then).")
def worker_command(threads: int, beside: bool) -> None:
    """Runs the jobs until stopped (SIGINT or SIGTERM). For JOBS_EMBEDDED off: run one
    or more of these next to the app servers, on the same JOBS_URL."""
    # Beside gunicorn its log joins the server's, which keeps to warnings.
    logging.basicConfig(level=logging.WARNING if beside else logging.INFO,
                        format="%(asctime)s %(name)s %(message)s")
    jobs: Jobs = current_app.extensions["jobs"]
    if beside and not current_app.config["JOBS_EMBEDDED"]:
        return
    if jobs.huey.immediate:
        raise click.UsageError("JOBS_IMMEDIATE is on: jobs run where they are enqueued")
    jobs.outbox_changed()  # look at once at what waits, then as the queue says
    consumer = jobs.huey.create_consumer(
        workers=threads, worker_type="thread", periodic=True, scheduler_interval=1,
        max_delay=float(current_app.config["JOBS_POLL_SECONDS"]))
    consumer.run()
