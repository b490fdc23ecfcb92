"""Feedback after the event: requests only to people who came, once each; the follow-up
only to those who said they would follow up; the form without JavaScript; answers in
the organiser's report; no quote without consent. On SQLite and PostgreSQL."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.feedback import requests
from eventapp.models import FeedbackRequest, FeedbackResponse, Status
from tests import factories
from tests.conftest import bearer
from tests.mailbox import messages_to, outbox_messages, text_of

TOKYO = ZoneInfo("Asia/Tokyo")


def _past_event(ends_ago: timedelta = timedelta(hours=3), **extra):
    ends = utcnow() - ends_ago
    return factories.event(starts_at=ends - timedelta(hours=4), ends_at=ends,
                           networking=False, **extra)


def _came(event, category="company", **fields):
    reg = factories.registration(event, category, **fields)
    reg.checked_in_at = event.starts_at + timedelta(minutes=5)
    db.session.commit()
    return reg


def _request_feedback(client, token, event_id):
    return client.post(f"/api/v1/events/{event_id}/feedback/requests", headers=bearer(token))


def test_requests_go_only_to_attendees_who_came_and_once_each(app, client, organiser_token):
    event = _past_event()
    english = _came(event, email="came@example.org")
    japanese = _came(event, "embassy", email="kita@example.jp", language="ja", name="北 花子")
    _came(event, email="optout@example.org", messages_opt_out_at=utcnow())
    factories.registration(event, email="stayed.home@example.org")  # confirmed, never came
    factories.registration(event, status=Status.CANCELLED, email="cancelled@example.org")

    response = _request_feedback(client, organiser_token, event.id)
    assert response.status_code == 201
    assert response.get_json() == {"recipients": 2}
    assert sorted(m["To"] for m in outbox_messages(app)) == [english.email, japanese.email]
    [ja_mail] = messages_to(app, japanese.email)
    assert "ご意見" in ja_mail["Subject"]
    assert f"/r/{japanese.manage_token}/feedback?lang=ja" in text_of(ja_mail)

    # Asked once: again, nobody; a late check-in is asked, the others are not again.
    assert _request_feedback(client, organiser_token, event.id).get_json() == {"recipients": 0}
    late = _came(event, email="late@example.org")
    assert _request_feedback(client, organiser_token, event.id).get_json() == {"recipients": 1}
    assert len(outbox_messages(app)) == 3
    assert len(messages_to(app, late.email)) == 1
    report = client.get(f"/api/v1/events/{event.id}/report", headers=bearer(organiser_token))
    assert report.get_json()["feedback"] == {"requested": 3, "responses": 0,
                                             "mean_rating": None}


def test_the_request_goes_by_itself_the_next_morning_in_the_events_time_zone(app):
    ends = datetime(2026, 6, 9, 17, 30, tzinfo=TOKYO)
    event = factories.event(starts_at=ends - timedelta(hours=4), ends_at=ends, networking=False)
    came = _came(event)
    morning = datetime(2026, 6, 10, 9, 0, tzinfo=TOKYO)
    assert requests.feedback_due_at(event, requests.settings_of(event.id)) == morning

    assert requests.send_due_requests(now=morning - timedelta(minutes=1)) == 0
    assert requests.send_due_requests(now=morning + timedelta(minutes=15)) == 1
    assert requests.send_due_requests(now=morning + timedelta(minutes=30)) == 0
    assert [m["To"] for m in outbox_messages(app)] == [came.email]


def test_the_periodic_job_asks_once_even_when_two_processes_run_it_together(app):
    event = _past_event(ends_ago=timedelta(days=2))
    people = [_came(event) for _ in range(6)]
    db.session.remove()
    results, errors = [], []

    def run():
        with app.app_context():
            try:
                results.append(requests.send_due_requests())
            except Exception as e:  # pragma: no cover - the assertion shows it
                errors.append(e)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert sorted(results) == [0, 6]
    assert sorted(m["To"] for m in outbox_messages(app)) == sorted(p.email for p in people)
    # The job as huey runs it finds nothing more to do.
    app.extensions["jobs"]._ask_feedback()
    assert len(outbox_messages(app)) == 6


def _answer(client, reg, **fields):
    data = {"rating": "4", "useful": "", "follow_up": "no", "comments": ""} | fields
    return client.post(f"/r/{reg.manage_token}/feedback", data=data)


def test_the_follow_up_goes_only_to_those_who_said_they_would_follow_up(app, client):
    event = _past_event(ends_ago=timedelta(days=100))
    yes = _came(event, email="yes@example.org")
    no = _came(event, email="no@example.org")
    _came(event, email="silent@example.org")  # never answered
    requests.send_feedback_requests(event.id)
    db.session.commit()
    assert _answer(client, yes, follow_up="yes").status_code == 302
    assert _answer(client, no, follow_up="no").status_code == 302

    assert requests.send_due_requests() == 1  # the feedback is past its window; follow-up due
    assert requests.send_due_requests() == 0
    follow_ups = [m for m in outbox_messages(app) if "/follow-up" in text_of(m)]
    assert [m["To"] for m in follow_ups] == [yes.email]

    page = client.get(f"/r/{yes.manage_token}/follow-up")
    assert page.status_code == 200
    assert client.post(f"/r/{yes.manage_token}/follow-up",
                       data={"result": "pilot", "with_whom": "Kenya Ministry of Health"}
                       ).status_code == 302
    organiser = factories.staff("fu@test.example", "organiser")
    from tests.conftest import login
    login(client, organiser)
    report = client.get(f"/manage/events/{event.id}/feedback").get_data(as_text=True)
    assert "1 of 1 people asked later said what following up led to." in report


def test_answers_on_the_form_without_javascript_land_in_the_report(
        app, client, organiser, organiser_token):
    event = _past_event()
    reg = _came(event, organisation="Aqua Clean K.K.")
    form = client.get(f"/r/{reg.manage_token}/feedback")
    html = form.get_data(as_text=True)
    assert form.status_code == 200
    for name in ('name="rating"', 'name="useful"', 'name="follow_up"', 'name="quote_consent"',
                 'name="comments"', 'name="attribution"', 'type="radio"'):
        assert name in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]

    response = _answer(client, reg, rating="5", follow_up="yes", quote_consent="y",
                       attribution="organisation",
                       useful="Working with UNIDO helped us gain the trust of local agencies.")
    assert response.status_code == 302
    assert "Thank you for your feedback." in client.get(response.location).get_data(as_text=True)

    api = client.get(f"/api/v1/events/{event.id}/report", headers=bearer(organiser_token))
    assert api.get_json()["feedback"] == {"requested": 0, "responses": 1, "mean_rating": 5.0}
    from tests.conftest import login
    login(client, organiser)
    page = client.get(f"/manage/events/{event.id}/report").get_data(as_text=True)
    assert "Working with UNIDO helped us gain the trust of local agencies." in page
    assert "— Aqua Clean K.K." in page

    # Sending again replaces the answers: one response, the new rating.
    _answer(client, reg, rating="3")
    assert db.session.scalar(db.select(db.func.count()).select_from(FeedbackResponse)) == 1
    assert db.session.scalar(db.select(FeedbackResponse.rating)) == 3


def test_a_quote_without_consent_never_appears(app, client, organiser, organiser_token):
    event = _past_event()
    secret = "Our supplier in Nairobi is late again"
    _answer(client, _came(event), rating="2", useful=secret)  # no consent box
    anonymous = _came(event, organisation="Named Corp")
    _answer(client, anonymous, rating="4", useful="The discussion was frank.",
            quote_consent="y", attribution="anonymous")
    programme = client.post("/api/v1/programmes", headers=bearer(organiser_token),
                            json={"title": "Quotes", "event_ids": [event.id]}).get_json()
    summary = client.get(f"/api/v1/programmes/{programme['id']}/report",
                         headers=bearer(organiser_token)).get_json()["summary"]
    assert secret not in summary["en"] and secret not in summary["ja"]
    assert "“The discussion was frank.” (a participant)" in summary["en"]
    assert "Named Corp" not in summary["en"]

    from tests.conftest import login
    login(client, organiser)
    for path in (f"/manage/events/{event.id}/report", f"/manage/events/{event.id}/feedback",
                 f"/manage/programmes/{programme['id']}",
                 f"/manage/programmes/{programme['id']}/print"):
        text = client.get(path).get_data(as_text=True)
        assert "The discussion was frank." in text, path
        assert secret not in text, path
        assert "— Named Corp" not in text, path  # organisations are listed, not as its source
    xlsx = client.get(f"/programmes/{programme['id']}/exports/report.xlsx")
    assert xlsx.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook
    cells = [str(c.value) for ws in load_workbook(BytesIO(xlsx.data)) for row in ws.iter_rows()
             for c in row]
    assert any("The discussion was frank." in c for c in cells)
    assert not any(secret in c for c in cells)


def test_the_form_is_for_people_who_came_and_refuses_bad_answers_at_the_field(app, client):
    event = _past_event()
    absent = factories.registration(event)
    page = client.get(f"/r/{absent.manage_token}/feedback").get_data(as_text=True)
    assert "This survey is for the people who attended the event." in page
    assert _answer(client, absent, rating="5").status_code == 200
    came = _came(event)
    response = _answer(client, came, rating="9", follow_up="maybe")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="rating-error"' in html and 'id="follow_up-error"' in html
    assert db.session.scalar(db.select(db.func.count()).select_from(FeedbackResponse)) == 0
    assert client.get("/r/not-a-token/feedback").status_code == 404


def test_the_organiser_sends_the_requests_from_the_feedback_page(app, organiser_client):
    event = _past_event()
    _came(event)
    _came(event)
    response = organiser_client.post(f"/manage/events/{event.id}/feedback/send")
    assert response.status_code == 302
    page = organiser_client.get(response.location).get_data(as_text=True)
    assert "The feedback request went to 2 attendees." in page
    assert db.session.scalar(db.select(db.func.count()).select_from(FeedbackRequest)) == 2
    saved = organiser_client.post(f"/manage/events/{event.id}/feedback",
                                  data={"automatic": "y", "delay_hours": "2",
                                        "follow_up_days": "30"})
    assert saved.status_code == 302
    settings = requests.settings_of(event.id)
    assert (settings.delay_hours, settings.follow_up_days) == (2, 30)
    assert requests.feedback_due_at(event, settings) == event.ends_at + timedelta(hours=2)


def test_deleting_my_data_removes_what_i_wrote_and_keeps_my_rating(app, client):
    event = _past_event()
    reg = _came(event, organisation="Aqua Clean K.K.")
    _answer(client, reg, rating="5", follow_up="yes", quote_consent="y",
            useful="Met the Kenyan embassy.", comments="Call me on +81 90 0000 0000.")
    client.post(f"/r/{reg.manage_token}/follow-up",
                data={"result": "agreement", "with_whom": "Kenya Ministry of Health"})
    assert client.post(f"/r/{reg.manage_token}/delete").status_code == 302
    response = db.session.scalar(db.select(FeedbackResponse))
    assert (response.rating, response.useful, response.comments,
            response.quote_consent) == (5, "", "", False)
    from eventapp.feedback.figures import feedback_figures
    figures = feedback_figures([event.id])
    assert figures.quotes == [] and figures.mean_rating == 5.0
    assert figures.follow_up_results["agreement"] == 1


def test_the_organisers_own_questions_are_asked_and_counted(app, client, organiser):
    event = _past_event()
    from tests.conftest import login
    staff = app.test_client()
    login(staff, organiser)
    for label, label_ja, kind in (("Was the venue easy to find?", "会場はすぐに分かりましたか？",
                                   "yes_no"),
                                  ("How useful was the networking?", "", "scale"),
                                  ("Which technology interested you?", "", "text")):
        added = staff.post(f"/manage/events/{event.id}/feedback/questions",
                           data={"question-label": label, "question-label_ja": label_ja,
                                 "question-kind": kind})
        assert added.status_code == 302
    refused = staff.post(f"/manage/events/{event.id}/feedback/questions",
                         data={"question-label": "", "question-kind": "scale"})
    assert "Give the question in English, Japanese or both." in refused.get_data(as_text=True)
    from eventapp.feedback.questions import field_name, questions_of
    yes_no, scale, text = questions_of(event.id)

    first, second = _came(event), _came(event)
    form = client.get(f"/r/{first.manage_token}/feedback?lang=ja").get_data(as_text=True)
    assert "会場はすぐに分かりましたか？" in form and "How useful was the networking?" in form
    _answer(client, first, **{field_name(yes_no): "yes", field_name(scale): "5",
                              field_name(text): "Cold chain"})
    _answer(client, second, **{field_name(yes_no): "no", field_name(scale): "2"})
    page = staff.get(f"/manage/events/{event.id}/feedback").get_data(as_text=True)
    assert "yes 1, no 1" in page
    assert "mean 3.5 out of 5" in page
    assert "<li>Cold chain</li>" in page
    assert staff.post(f"/manage/events/{event.id}/feedback/questions/{text.id}/delete"
                      ).status_code == 302
    assert "Cold chain" not in staff.get(f"/manage/events/{event.id}/feedback").get_data(
        as_text=True)
