"""Background jobs in-process: the outbox is the record, a job sends what is due.

Most tests here run jobs on a real queue (a SQLite file) and execute them one by one,
so what was enqueued, scheduled or sent can be counted; the app servers of
test_jobs_servers.py run the same jobs with their own consumers.
"""

from datetime import timedelta

import pytest

from eventapp import mail
from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import EmailStatus, OutboundEmail
from tests import factories
from tests.conftest import bearer
from tests.mailbox import messages_to


@pytest.fixture
def queued_jobs(app_config, tmp_path):
    """Jobs wait in a SQLite queue and nobody consumes them until the test says so."""
    app_config.update(JOBS_IMMEDIATE=False, JOBS_EMBEDDED=False,
                      JOBS_URL=f"sqlite:///{tmp_path / 'jobs.db'}")


def run_queued_jobs(app) -> int:
    """Runs the jobs waiting in the queue, as a consumer would; returns how many ran."""
    huey = app.extensions["jobs"].huey
    ran = 0
    while (task := huey.dequeue()) is not None:
        huey.execute(task)
        ran += 1
    db.session.rollback()
    return ran


def sign_up(client, token, event, address):
    response = client.post(f"/api/v1/events/{event.id}/registrations", headers=bearer(token),
                           json={"name": "Queue Guest", "email": address, "category": "guest"})
    assert response.status_code == 201, response.get_data(as_text=True)


def outbox_row(address: str) -> OutboundEmail:
    db.session.rollback()
    return db.session.execute(
        db.select(OutboundEmail).where(OutboundEmail.recipient == address)).scalar_one()


def test_a_rush_of_commits_enqueues_one_send_run_which_sends_them_all(
        queued_jobs, app, client, organiser_token):
    event = factories.event(capacity=100)
    huey = app.extensions["jobs"].huey
    for n in range(10):
        sign_up(client, organiser_token, event, f"rush{n}@example.org")
    # The first commit enqueued a run; the nine after it saw that run still waiting.
    assert huey.pending_count() == 1
    assert run_queued_jobs(app) == 1
    for n in range(10):
        assert len(messages_to(app, f"rush{n}@example.org")) == 1
    # The run has started, so the next commit needs a run of its own.
    sign_up(client, organiser_token, event, "later@example.org")
    assert huey.pending_count() == 1
    run_queued_jobs(app)
    assert len(messages_to(app, "later@example.org")) == 1


def test_a_failed_message_gets_a_run_scheduled_for_its_retry(
        queued_jobs, app_config, app, client, organiser_token):
    from bench.common import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens
    huey = app.extensions["jobs"].huey
    event = factories.event()
    sign_up(client, organiser_token, event, "down@example.org")
    run_queued_jobs(app)
    row = outbox_row("down@example.org")
    assert row.status == EmailStatus.FAILED and row.attempts == 1
    assert "ConnectionRefusedError" in row.last_error
    retry_in = (row.next_attempt_at - utcnow()).total_seconds()
    assert 60 * 2 - 5 < retry_in <= 60 * 2  # MAIL_RETRY_SECONDS * 2**attempts
    [wake] = huey.scheduled()
    assert wake.name == "send_mail"
    assert abs((wake.eta - row.next_attempt_at.replace(tzinfo=None)).total_seconds()) < 2
    # A run that finds nothing due keeps the one wake-up already planned.
    app.extensions["jobs"].sweep()
    run_queued_jobs(app)
    assert huey.scheduled_count() == 1


def test_a_message_left_sending_by_a_dead_process_is_sent_again_or_shown_failed(app):
    """Rows a crashed process claimed stay "sending"; once MAIL_SENDING_TIMEOUT has
    passed, the periodic sweep sends them (or, on their last attempt, shows them
    failed); a row claimed recently may be in the middle of its SMTP exchange in
    another process and is left alone."""
    event = factories.event()
    regs = {name: factories.registration(event, "guest", email=f"{name}@example.org")
            for name in ("stale", "last", "fresh")}
    timeout = timedelta(seconds=app.config["MAIL_SENDING_TIMEOUT"])
    claimed = {"stale": (utcnow() - timeout - timedelta(minutes=1), 1),
               "last": (utcnow() - timeout - timedelta(minutes=1), mail.MAX_ATTEMPTS),
               "fresh": (utcnow() - timedelta(seconds=30), 1)}
    for name, (at, attempts) in claimed.items():
        db.session.add(OutboundEmail(
            kind="confirmed", composer="registration", recipient=regs[name].email,
            event_id=event.id, registration_id=regs[name].id, status=EmailStatus.SENDING,
            next_attempt_at=at, attempts=attempts))
    db.session.commit()

    app.extensions["jobs"].sweep()  # the periodic job, run at once (JOBS_IMMEDIATE)

    stale = outbox_row("stale@example.org")
    assert (stale.status, stale.attempts) == (EmailStatus.SENT, 2)
    assert len(messages_to(app, "stale@example.org")) == 1
    last = outbox_row("last@example.org")
    assert last.status == EmailStatus.FAILED and "Interrupted" in last.last_error
    assert last.attempts == mail.MAX_ATTEMPTS
    fresh = outbox_row("fresh@example.org")
    assert (fresh.status, fresh.attempts) == (EmailStatus.SENDING, 1)
    assert messages_to(app, "last@example.org") == messages_to(app, "fresh@example.org") == []


def test_an_organiser_retry_goes_out_after_the_commit(app, organiser_client):
    """The desk's "retry" only requeues and commits; the job sends."""
    event = factories.event()
    reg = factories.registration(event, "guest", email="retry@example.org")
    db.session.add(OutboundEmail(
        kind="confirmed", composer="registration", recipient=reg.email, event_id=event.id,
        registration_id=reg.id, status=EmailStatus.FAILED, attempts=mail.MAX_ATTEMPTS,
        last_error="SMTPServerDisconnected: gone"))
    db.session.commit()
    row = outbox_row("retry@example.org")
    response = organiser_client.post(
        f"/manage/events/{event.id}/registrations/emails/{row.id}/retry")
    assert response.status_code == 302
    assert outbox_row("retry@example.org").status == EmailStatus.SENT
    assert len(messages_to(app, "retry@example.org")) == 1


def test_the_worker_command_refuses_immediate_mode(runner):
    result = runner.invoke(args=["jobs", "worker"])
    assert result.exit_code != 0 and "JOBS_IMMEDIATE" in result.output
