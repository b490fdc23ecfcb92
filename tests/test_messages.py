"""Messages to a group: who gets them, in which language, with which links; scheduled
and automatic ones; opting out; the history and its failures. Through a real SMTP
server on this machine (aiosmtpd), on SQLite and PostgreSQL."""

import re
from datetime import timedelta

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.messages import services
from eventapp.models import (
    Answer,
    EmailStatus,
    Message,
    OutboundEmail,
    Question,
    QuestionOption,
    Registration,
    Status,
)
from tests import factories
from tests.conftest import bearer

SUBJECT = {"en": "Hello {name}", "ja": "{name}様へのお知らせ"}
BODY = {"en": "Dear {name},\nyour ticket: {ticket_url}\n\nagenda: {agenda_url}",
        "ja": "{name}様\nチケット: {ticket_url}"}


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def received(inbox) -> dict:
    return {rcpts[0]: message for rcpts, message in inbox.messages}


def post_message(client, token, event, **fields):
    body = {"subject": SUBJECT, "body": BODY} | fields
    return client.post(f"/api/v1/events/{event.id}/messages", json=body,
                       headers=bearer(token))


def embassy_people(event):
    """Two embassy officials not checked in (en, ja), one checked in, a company person."""
    waiting_en = factories.registration(event, "embassy", name="Amina Otieno",
                                        email="amina@embassy.example", language="en")
    waiting_ja = factories.registration(event, "embassy", name="山本 一郎",
                                        email="yamamoto@embassy.example", language="ja")
    came = factories.registration(event, "embassy", name="Came Early",
                                  email="came@embassy.example", checked_in_at=utcnow())
    company = factories.registration(event, "company", email="firm@company.example")
    return waiting_en, waiting_ja, came, company


def test_embassy_officials_not_checked_in_get_it_each_in_their_language_with_their_link(
        smtp_inbox, client, organiser_token):
    event = factories.event(title="Water Seminar")
    waiting_en, waiting_ja, _came, _company = embassy_people(event)
    response = post_message(client, organiser_token, event,
                            to={"category": ["embassy"], "checked_in": False})
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["recipients"] == 2 and answer["status"] == "queued"
    mails = received(smtp_inbox)
    assert set(mails) == {"amina@embassy.example", "yamamoto@embassy.example"}
    en, ja = mails["amina@embassy.example"], mails["yamamoto@embassy.example"]
    assert en["Subject"] == "Hello Amina Otieno"
    assert ja["Subject"] == "山本 一郎様へのお知らせ"
    assert f"http://localhost/r/{waiting_en.manage_token}/ticket" in text_of(en)
    assert f"http://localhost/r/{waiting_en.manage_token}/agenda" in text_of(en)
    assert f"http://localhost/r/{waiting_ja.manage_token}/ticket" in text_of(ja)
    assert waiting_en.manage_token not in text_of(ja)
    assert "チケット" in text_of(ja)
    # Both parts; the link is a link in the HTML; an opt-out link and header.
    assert f'<a href="http://localhost/r/{waiting_en.manage_token}/ticket">' in html_of(en)
    assert en["List-Unsubscribe"].strip() == (
        f"<http://localhost/r/{waiting_en.manage_token}/messages/unsubscribe>")
    assert f"http://localhost/r/{waiting_en.manage_token}/messages" in text_of(en)
    assert en["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    state = client.get(f"/api/v1/events/{event.id}/messages/{answer['id']}",
                       headers=bearer(organiser_token)).get_json()
    assert state == {"id": answer["id"], "status": "sent", "recipients": 2, "sent": 2,
                     "failed": 0}


def test_an_organisers_text_cannot_run_code_or_break_the_layout(smtp_inbox, client,
                                                                organiser_token):
    event = factories.event()
    factories.registration(event, "guest", email="x@example.org", name="<b>Bold</b> Name")
    response = post_message(client, organiser_token, event, subject={"en": "Hi"}, body={
        "en": "{{ 7*7 }} </td></table><script>alert(1)</script> {name}\nhttps://example.org/a?b=1&c=2."})
    assert response.status_code == 201
    [(_rcpts, message)] = smtp_inbox.messages
    html = html_of(message)
    assert "<script>" not in html and "</td></table><script>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;Bold&lt;/b&gt; Name" in html
    assert "{ 7*7 }" in text_of(message)  # braces doubled are braces, not code
    assert '<a href="https://example.org/a?b=1&amp;c=2">' in html


def test_an_unknown_placeholder_is_refused_at_its_field(client, organiser_token):
    event = factories.event()
    response = post_message(client, organiser_token, event,
                            body={"en": "Hi {name.__class__}", "ja": "{お名前}様"},
                            to={"status": ["lost"], "category": ["nobody"]},
                            send_at="not a time")
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert set(fields) >= {"body.en", "body.ja", "to.status", "to.category", "send_at"}
    assert "{name}" in fields["body.en"]
    assert db.session.execute(db.select(db.func.count()).select_from(Message)).scalar() == 0


def test_a_message_to_those_who_answered_a_question_and_to_hand_picked_people(
        smtp_inbox, client, organiser_token):
    event = factories.event()
    question = Question(event_id=event.id, code="interpret", type="choice",
                        label="Interpretation", options=[
                            QuestionOption(code="ja-en", label="Japanese-English"),
                            QuestionOption(code="none", label="None")])
    db.session.add(question)
    db.session.commit()
    needs, no_need, _silent = (factories.registration(event, "guest") for _ in range(3))
    db.session.add_all([
        Answer(registration_id=needs.id, question_id=question.id,
               option_id=question.options[0].id),
        Answer(registration_id=no_need.id, question_id=question.id,
               option_id=question.options[1].id)])
    db.session.commit()
    response = post_message(client, organiser_token, event,
                            to={"answer": {"question": "interpret", "option": "ja-en"}})
    assert response.get_json()["recipients"] == 1
    assert list(received(smtp_inbox)) == [needs.email]
    smtp_inbox.messages.clear()
    response = post_message(client, organiser_token, event,
                            to={"registration_ids": [no_need.id, _silent.id]})
    assert set(received(smtp_inbox)) == {no_need.email, _silent.email}
    response = post_message(client, organiser_token, event,
                            to={"answer": {"question": "interpret", "option": "sign"}})
    assert response.status_code == 422 and "to.answer" in response.get_json()["fields"]


def test_a_scheduled_message_waits_for_its_time_and_goes_out_once(smtp_inbox, client, app,
                                                                   organiser_token):
    event = factories.event()
    person = factories.registration(event, "guest", email="later@example.org")
    send_at = (utcnow() + timedelta(minutes=5)).isoformat()
    answer = post_message(client, organiser_token, event, send_at=send_at).get_json()
    assert answer["status"] == "scheduled" and answer["recipients"] == 1
    assert services.queue_due_messages() == 0
    assert smtp_inbox.messages == []
    later = utcnow() + timedelta(minutes=6)
    assert services.queue_due_messages(later) == 1
    assert services.queue_due_messages(later) == 0  # claimed once: never queued twice
    assert list(received(smtp_inbox)) == [person.email]
    state = client.get(f"/api/v1/events/{event.id}/messages/{answer['id']}",
                       headers=bearer(organiser_token)).get_json()
    assert state["status"] == "sent" and state["sent"] == 1


def _automatic(event, kind, **values):
    rules = services.automatic_messages(event)
    rule = rules[kind]
    rule.enabled = True
    for key, value in values.items():
        setattr(rule, key, value)
    if rule.id is None:
        db.session.add(rule)
    db.session.commit()
    return rule


def test_automatic_messages_reach_the_right_people_at_their_time(smtp_inbox, app):
    event = factories.event()
    came = factories.registration(event, "guest", email="came@example.org",
                                  checked_in_at=utcnow())
    missed = factories.registration(event, "guest", email="missed@example.org")
    factories.registration(event, "guest", status=Status.CANCELLED, email="gone@example.org")
    for kind in ("reminder", "thanks", "missed"):
        _automatic(event, kind)
    assert services.queue_due_messages() == 0  # ten days before the event
    services.queue_due_messages(event.starts_at - timedelta(days=2))  # the reminder's day
    assert set(received(smtp_inbox)) == {came.email, missed.email}
    reminder = received(smtp_inbox)[missed.email]
    assert any(p.get_content_type() == "image/png" for p in reminder.walk())  # the QR
    assert f"/r/{missed.manage_token}/ticket" in text_of(reminder)
    smtp_inbox.messages.clear()
    services.queue_due_messages(event.ends_at + timedelta(days=1, minutes=1))
    mails = received(smtp_inbox)
    assert set(mails) == {came.email, missed.email}
    assert mails[came.email]["Subject"] == "Thank you for coming"
    assert mails[missed.email]["Subject"] == "Sorry we missed you"
    smtp_inbox.messages.clear()
    assert services.queue_due_messages(event.ends_at + timedelta(days=2)) == 0


def test_opting_out_stops_the_next_reminder_but_not_a_ticket(smtp_inbox, client, app,
                                                             organiser_token):
    event = factories.event()
    person = factories.registration(event, "guest", email="quiet@example.org")
    other = factories.registration(event, "guest", email="keen@example.org")
    _automatic(event, "reminder")
    page = client.get(f"/r/{person.manage_token}/messages")
    assert page.status_code == 200
    # The mail client's one-click opt-out (RFC 8058): a POST without a form token.
    response = client.post(f"/r/{person.manage_token}/messages/unsubscribe",
                           data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    services.queue_due_messages(event.starts_at - timedelta(days=1))
    assert set(received(smtp_inbox)) == {other.email}
    smtp_inbox.messages.clear()
    # Registering again resends the ticket, an essential message: it arrives.
    response = client.post(f"/e/{event.slug}/register/guest", data={
        "name": person.name, "email": person.email, "language": "en", "country": "JP",
        "consent_privacy": "y"})
    assert response.status_code == 302
    [(rcpts, ticket)] = smtp_inbox.messages
    assert rcpts == [person.email] and "List-Unsubscribe" not in ticket
    # Opting back in.
    client.post(f"/r/{person.manage_token}/messages", data={"subscribe": "1"})
    assert db.session.get(Registration, person.id).messages_opt_out_at is None


def test_history_shows_failures_with_their_reason_and_a_retry(
        smtp_inbox, app, organiser_client, organiser_token):
    event = factories.event()
    factories.registration(event, "guest", email="fine@example.org")
    factories.registration(event, "guest", email="bounce@example.org")
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = 9  # nothing listens: every delivery fails
    answer = post_message(organiser_client, organiser_token, event).get_json()
    page = organiser_client.get(f"/manage/events/{event.id}/messages/{answer['id']}")
    text = page.get_data(as_text=True)
    assert "bounce@example.org" in text and "ConnectionRefusedError" in text
    history = organiser_client.get(f"/manage/events/{event.id}/messages").get_data(as_text=True)
    assert "Hello {name}" in history
    app.config["MAIL_PORT"] = port
    response = organiser_client.post(
        f"/manage/events/{event.id}/messages/{answer['id']}/retry")
    assert response.status_code == 302
    assert set(received(smtp_inbox)) == {"fine@example.org", "bounce@example.org"}
    rows = db.session.execute(db.select(OutboundEmail.status)).scalars().all()
    assert set(rows) == {EmailStatus.SENT}


def test_compose_page_previews_a_chosen_person_and_sends_a_test_to_the_organiser(
        smtp_inbox, app, organiser_client, organiser):
    event = factories.event()
    first = factories.registration(event, "embassy", name="Aaa First", language="en")
    chosen = factories.registration(event, "embassy", name="佐藤 花子", language="ja")
    form = {"subject": "Hello {name}", "subject_ja": "{name}様",
            "body": "See {ticket_url}", "body_ja": "チケット {ticket_url}",
            "category": ["embassy"], "checked_in": "", "answer": "", "registration_ids": "",
            "person": str(chosen.id)}
    page = organiser_client.post(f"/manage/events/{event.id}/messages/new",
                                 data=form | {"do": "preview"}).get_data(as_text=True)
    assert "2 people match." in page
    assert "佐藤 花子様" in page and f"/r/{chosen.manage_token}/ticket" in page
    assert first.manage_token not in page.split('id="preview"')[1]
    organiser_client.post(f"/manage/events/{event.id}/messages/new",
                          data=form | {"do": "test"})
    [(rcpts, message)] = smtp_inbox.messages
    assert rcpts == [organiser.email] and message["Subject"] == "佐藤 花子様"
    bad = organiser_client.post(f"/manage/events/{event.id}/messages/new",
                                data=form | {"do": "send", "body": "Hi {nmae}"})
    assert "Unknown placeholder {nmae}" in bad.get_data(as_text=True)
    sent = organiser_client.post(f"/manage/events/{event.id}/messages/new",
                                 data=form | {"do": "send"})
    assert sent.status_code == 302
    assert len(smtp_inbox.messages) == 3


def test_write_to_selected_from_the_desk(app, organiser_client):
    event = factories.event()
    people = [factories.registration(event, "guest") for _ in range(3)]
    page = organiser_client.post(
        f"/manage/events/{event.id}/messages/new",
        data={"ids": [str(people[0].id), str(people[2].id)], "action": "approve"})
    text = page.get_data(as_text=True)
    assert re.search(rf'name="registration_ids" type="hidden" value="{people[0].id},{people[2].id}"',
                     text)
    assert "2 people match." in text
    desk = organiser_client.get(f"/manage/events/{event.id}/registrations").get_data(as_text=True)
    assert "Write to selected" in desk


def test_automatic_messages_page_saves_texts_and_refuses_unknown_placeholders(
        app, organiser_client):
    event = factories.event()
    url = f"/manage/events/{event.id}/messages/automatic"
    assert "See you soon" in organiser_client.get(url).get_data(as_text=True)
    form = {"kind": "thanks", "thanks-enabled": "y", "thanks-offset_days": "0",
            "thanks-subject": "Thanks", "thanks-subject_ja": "感謝",
            "thanks-body": "Thanks {name}", "thanks-body_ja": "{name}様"}
    assert organiser_client.post(url, data=form).status_code == 302
    rule = db.session.execute(db.select(Message).where(Message.kind == "thanks")).scalar_one()
    assert rule.enabled and rule.subject == "Thanks" and rule.offset_days == 0
    bad = organiser_client.post(url, data=form | {"thanks-body": "Thanks {who}"})
    assert "Unknown placeholder {who}" in bad.get_data(as_text=True)


def test_two_job_runs_at_once_queue_a_due_message_once(app, client, organiser_token):
    """Two processes' job runs find the same message due: the conditional UPDATE lets one
    of them queue its e-mails; the other finds nothing to do."""
    import threading

    event = factories.event()
    people = [factories.registration(event, "guest") for _ in range(5)]
    send_at = (utcnow() + timedelta(minutes=5)).isoformat()
    answer = post_message(client, organiser_token, event, send_at=send_at).get_json()
    later = utcnow() + timedelta(minutes=6)
    barrier, counts = threading.Barrier(2), []

    def run():
        with app.app_context():
            barrier.wait()
            counts.append(services.queue_due_messages(later))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts) == [0, 1]
    db.session.rollback()
    rows = db.session.execute(db.select(OutboundEmail.registration_id)
                              .where(OutboundEmail.message_id == answer["id"])).scalars()
    assert sorted(rows) == sorted(p.id for p in people)
