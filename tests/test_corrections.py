"""Organisers can correct anything: every field of a registration, e-mail and category
included, on the desk and through the API (PATCH); a new e-mail gets the ticket."""

import io

import zxingcpp
from PIL import Image

from eventapp.extensions import db
from eventapp.models import OutboundEmail, Registration, Status
from tests import factories
from tests.conftest import bearer


def url(reg) -> str:
    return f"/api/v1/events/{reg.event_id}/registrations/{reg.id}"


def test_a_corrected_e_mail_gets_the_ticket_over_smtp(smtp_inbox, client, organiser_token):
    event = factories.event(title="Correction Seminar")
    reg = factories.registration(event, "guest", email="tpyo@example.org", name="Aiko Mori")
    response = client.patch(url(reg), json={"email": "Typo@Example.org"},
                            headers=bearer(organiser_token))
    assert response.status_code == 200
    assert response.get_json()["email"] == "typo@example.org"
    [(recipients, message)] = smtp_inbox.messages
    assert recipients == ["typo@example.org"]
    assert "Correction Seminar" in message["Subject"]
    png = next(p for p in message.walk() if p.get_content_type() == "image/png").get_content()
    db.session.expire_all()
    assert zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text == \
        db.session.get(Registration, reg.id).checkin_code


def test_an_e_mail_another_active_registration_has_is_refused(client, organiser_token):
    event = factories.event()
    taken = factories.registration(event, email="taken@example.org")
    reg = factories.registration(event, email="mine@example.org")
    response = client.patch(url(reg), json={"email": "taken@example.org"},
                            headers=bearer(organiser_token))
    assert response.status_code == 409
    assert response.get_json() == {"error": "duplicate", "id": taken.id,
                                   "message": "Another active registration has this e-mail."}
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).email == "mine@example.org"


def test_fields_left_out_stay_and_bad_ones_are_named(client, organiser_token):
    event = factories.event()
    reg = factories.registration(event, "company", name="Keep Me", organisation="Old Org")
    response = client.patch(url(reg), json={"organisation": "New Org", "job_title": "CTO"},
                            headers=bearer(organiser_token))
    body = response.get_json()
    assert response.status_code == 200
    assert (body["name"], body["organisation"], body["job_title"]) == ("Keep Me", "New Org",
                                                                       "CTO")
    response = client.patch(url(reg), json={"category": "nonsense", "country": "XX"},
                            headers=bearer(organiser_token))
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"category", "country"}
    db.session.expire_all()
    assert db.session.get(Registration, reg.id).category.code == "company"


def test_a_category_change_rechecks_approval_and_capacity(client, organiser_token, app):
    event = factories.event(capacity=1)
    press = next(c for c in event.categories if c.code == "guest")
    press.requires_approval = True
    db.session.commit()
    held = factories.registration(event, "guest", status=Status.PENDING)
    second = factories.registration(event, "guest", status=Status.PENDING)
    # Into a category without approval: a free seat confirms, then the waitlist.
    first = client.patch(url(held), json={"category": "company", "notify": False},
                         headers=bearer(organiser_token)).get_json()
    then = client.patch(url(second), json={"category": "company", "notify": False},
                        headers=bearer(organiser_token)).get_json()
    assert (first["status"], first["category"]) == ("confirmed", "company")
    assert (then["status"], then["category"]) == ("waitlisted", "company")
    assert db.session.execute(db.select(db.func.count(OutboundEmail.id))).scalar_one() == 0


def test_the_desk_page_corrects_e_mail_and_category(organiser_client):
    event = factories.event()
    other = factories.registration(event, email="other@example.org")
    reg = factories.registration(event, "company", email="first@example.org",
                                 name="Desk Person", country="JP")
    page = f"/manage/events/{event.id}/registrations/{reg.id}"
    html = organiser_client.get(page).get_data(as_text=True)
    assert 'name="email"' in html and 'name="category"' in html
    form = {"name": "Desk Person", "email": other.email, "category": "guest",
            "country": "JP", "language": "en"}
    response = organiser_client.post(page, data=form)
    assert response.status_code == 422
    assert "Another active registration of this event has this e-mail." in \
        response.get_data(as_text=True)
    response = organiser_client.post(page, data=form | {"email": "second@example.org"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Registration, reg.id)
    assert (saved.email, saved.category.code) == ("second@example.org", "guest")
