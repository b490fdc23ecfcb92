"""Sign-up by category, outcomes, duplicates, tickets, the manage link."""

import io
import re
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import Registration, Status
from eventapp.registration import services
from tests import factories
from tests.conftest import statements
from tests.mailbox import inline_png, messages_to, text_of


def company_form(**overrides):
    data = {"name": "Haruto Sato", "name_kana": "さとう はると", "email": "haruto@aqua.example",
            "organisation": "Aqua Pure K.K.", "country": "JP", "job_title": "Manager",
            "phone": "+81 3 1234 5678", "language": "en",
            "technologies_offered": ["water", "sanitation"], "target_countries": ["KE", "ET"],
            "networking_opt_in": "y", "consent_privacy": "y"}
    return data | overrides


def embassy_form(**overrides):
    data = {"name": "Grace Wanjiru", "email": "grace@mission-ke.example",
            "organisation": "Embassy of Kenya", "country": "KE", "job_title": "First Secretary",
            "language": "ja", "technology_needs": ["water", "diagnostics"],
            "networking_opt_in": "y", "consent_privacy": "y"}
    return data | overrides


def only(model_filter):
    return db.session.execute(db.select(Registration).where(model_filter)).scalar_one()


def decode_qr(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def test_company_representative_registers_and_gets_a_ticket_by_email(client, app):
    event = factories.event()
    form = client.get(f"/e/{event.slug}/register/company").get_data(as_text=True)
    assert "Technologies you offer" in form and "Technology needs" not in form
    response = client.post(f"/e/{event.slug}/register/company", data=company_form())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You are registered" in page and "haruto@aqua.example" in page
    reg = only(Registration.email == "haruto@aqua.example")
    assert reg.status == Status.CONFIRMED and reg.technologies_offered == ["water", "sanitation"]
    assert reg.target_countries == ["KE", "ET"] and reg.networking_opt_in
    [message] = messages_to(app, "haruto@aqua.example")
    assert message["Subject"] == f"Your ticket: {event.title}"
    ticket_url = re.search(r"http://localhost(/r/\S+/ticket)", text_of(message)).group(1)
    assert decode_qr(inline_png(message)) == reg.checkin_code
    ticket = client.get(ticket_url)
    assert ticket.status_code == 200 and "Haruto Sato" in ticket.get_data(as_text=True)
    assert "<svg" in ticket.get_data(as_text=True)
    png = client.get(ticket_url.replace("/ticket", "/qr.png"))
    assert png.mimetype == "image/png" and decode_qr(png.data) == reg.checkin_code


def test_embassy_official_registers_in_japanese(client, app):
    event = factories.event()
    page = client.get(f"/e/{event.slug}/register/embassy?lang=ja").get_data(as_text=True)
    assert "代表する国" in page or "Country you represent" in page
    assert 'value="KE"' in page
    response = client.post(f"/e/{event.slug}/register/embassy", data=embassy_form())
    assert response.status_code == 302
    reg = only(Registration.email == "grace@mission-ke.example")
    assert reg.country == "KE" and reg.technology_needs == ["water", "diagnostics"]
    assert reg.technologies_offered == [] and reg.language == "ja"
    [message] = messages_to(app, "grace@mission-ke.example")
    assert reg.checkin_code and event.title in message["Subject"]


def test_an_official_must_say_which_country(client):
    event = factories.event()
    response = client.post(f"/e/{event.slug}/register/embassy", data=embassy_form(country=""))
    assert response.status_code == 422
    assert "Choose the country you represent." in response.get_data(as_text=True)


def test_bad_input_is_told_at_the_field_and_nothing_typed_is_lost(client):
    event = factories.event()
    response = client.post(f"/e/{event.slug}/register/company", data=company_form(
        email="not-an-email", consent_privacy="", country="XX"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Invalid email address." in html or "valid email" in html.lower()
    assert "Please agree to the privacy notice to register." in html
    assert 'value="Haruto Sato"' in html and 'value="さとう はると"' in html
    assert 'value="water" checked' in html or 'checked value="water"' in html or \
        re.search(r'value="water"[^>]*checked', html) or re.search(r'checked[^>]*value="water"', html)
    assert db.session.execute(db.select(db.func.count(Registration.id))).scalar_one() == 0


def test_registering_again_resends_instead_of_duplicating_and_the_page_is_the_same(client, app):
    event = factories.event()
    first = client.post(f"/e/{event.slug}/register/company", data=company_form())
    second = client.post(f"/e/{event.slug}/register/company",
                         data=company_form(email="HARUTO@aqua.example", name="Someone Else"))
    assert first.headers["Location"] == second.headers["Location"]
    assert client.get(first.headers["Location"]).get_data() == \
        client.get(second.headers["Location"]).get_data()
    reg = only(Registration.event_id == event.id)
    assert reg.name == "Haruto Sato"
    messages = messages_to(app, "haruto@aqua.example")
    assert len(messages) == 2 and "again" in text_of(messages[1])


def test_full_event_waitlists_and_a_cancellation_promotes_the_first(client, app):
    event = factories.event(capacity=1)
    for n in range(3):
        client.post(f"/e/{event.slug}/register/guest", data={
            "name": f"Guest {n}", "email": f"g{n}@x.example", "organisation": "",
            "country": "", "language": "en", "consent_privacy": "y"})
    regs = list(db.session.execute(db.select(Registration).order_by(Registration.id)).scalars())
    assert [r.status for r in regs] == ["confirmed", "waitlisted", "waitlisted"]
    assert "waitlist" in messages_to(app, "g1@x.example")[0]["Subject"]
    response = client.post(f"/r/{regs[0].manage_token}/cancel")
    assert response.status_code == 302
    db.session.expire_all()
    assert [r.status for r in regs] == ["cancelled", "confirmed", "waitlisted"]
    promoted = messages_to(app, "g1@x.example")[-1]
    assert promoted["Subject"].startswith("A seat is yours")


def test_raising_the_capacity_promotes_from_the_waitlist(organiser_client, app):
    event = factories.event(capacity=0)
    waiting = [factories.registration(event, status=Status.WAITLISTED) for _ in range(3)]
    tz_start = "2030-01-01T10:00"
    organiser_client.post(f"/manage/events/{event.id}/edit", data={
        "title": event.title, "timezone": "Asia/Tokyo", "starts_at": tz_start,
        "ends_at": "2030-01-01T18:00", "capacity": "2", "technology_areas": "water | Water"})
    db.session.expire_all()
    assert [r.status for r in waiting] == ["confirmed", "confirmed", "waitlisted"]


def test_categories_needing_approval_hold_registrations_until_approved(client, app):
    event = factories.event(capacity=1)
    embassy = next(c for c in event.categories if c.code == "embassy")
    embassy.requires_approval = True
    db.session.commit()
    response = client.post(f"/e/{event.slug}/register/embassy", data=embassy_form())
    assert "Registration received" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    reg = only(Registration.event_id == event.id)
    assert reg.status == Status.PENDING
    factories.registration(event)  # takes the only seat
    services.transition(reg, "approve")
    db.session.commit()
    assert reg.status == Status.WAITLISTED  # approving when full waitlists


def test_registration_window_is_respected(client):
    event = factories.event(registration_closes_at=utcnow() - timedelta(minutes=1))
    response = client.post(f"/e/{event.slug}/register/company", data=company_form())
    assert "Registration for this event is not open." in response.get_data(as_text=True)
    assert db.session.execute(db.select(db.func.count(Registration.id))).scalar_one() == 0
    later = factories.event(title="Later", registration_opens_at=utcnow() + timedelta(days=1))
    assert "Registration opens on" in client.get(f"/e/{later.slug}").get_data(as_text=True)


def test_organiser_only_categories_are_not_offered_publicly(client):
    event = factories.event()
    page = client.get(f"/e/{event.slug}/register").get_data(as_text=True)
    assert "/register/company" in page and "/register/organiser" not in page
    assert client.get(f"/e/{event.slug}/register/organiser").status_code == 404


def test_manage_link_shows_edits_and_cancels(client, app):
    event = factories.event()
    reg = factories.registration(event, name="Aoi Nakamura", technologies_offered=["water"])
    page = client.get(f"/r/{reg.manage_token}").get_data(as_text=True)
    assert "Aoi Nakamura" in page and "Confirmed" in page
    response = client.post(f"/r/{reg.manage_token}/edit", data={
        "name": "Aoi Nakamura", "name_kana": "なかむら あおい", "organisation": "Kumo",
        "country": "JP", "language": "ja", "job_title": "Engineer",
        "technologies_offered": ["diagnostics"], "target_countries": ["GH"]})
    assert response.status_code == 302
    db.session.refresh(reg)
    assert reg.name_kana == "なかむら あおい" and reg.technologies_offered == ["diagnostics"]
    client.post(f"/r/{reg.manage_token}/cancel")
    db.session.refresh(reg)
    assert reg.status == Status.CANCELLED
    assert client.get(f"/r/{reg.manage_token}/edit").status_code == 302
    assert client.get("/r/not-a-real-token").status_code == 404


def test_reissuing_a_ticket_retires_the_old_code(app):
    event = factories.event()
    reg = factories.registration(event)
    old = reg.checkin_code
    services.reissue_ticket(reg, notify=False)
    db.session.commit()
    assert reg.checkin_code != old
    assert db.session.execute(db.select(Registration).where(
        Registration.checkin_code == old)).scalar_one_or_none() is None


def test_a_mail_failure_never_loses_the_registration(client, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens there
    event = factories.event()
    response = client.post(f"/e/{event.slug}/register/company", data=company_form())
    assert response.status_code == 302
    reg = only(Registration.event_id == event.id)
    assert reg.status == Status.CONFIRMED
    from eventapp.models import OutboundEmail
    failed = db.session.execute(db.select(OutboundEmail)).scalar_one()
    assert failed.status == "failed" and failed.last_error


@pytest.mark.parametrize("category", ["company", "embassy", "guest"])
def test_signup_pages_render_for_each_public_category(client, category):
    event = factories.event()
    assert client.get(f"/e/{event.slug}/register/{category}").status_code == 200


def test_a_guest_sign_up_reads_no_technology_areas_and_a_company_one_offers_them(client):
    """The guest form has no technology fields, so neither showing nor sending it reads
    the event's technology areas (a statement every sign-up paid before); the company
    form still offers every area."""
    ev = factories.event()
    with statements() as seen:
        assert client.get(f"/e/{ev.slug}/register/guest").status_code == 200
        response = client.post(f"/e/{ev.slug}/register/guest", data={
            "name": "Guest One", "email": "guest1@example.org", "language": "en",
            "consent_privacy": "y"})
    assert response.status_code == 302
    assert not [s for s in seen if "FROM technology_areas" in s]
    with statements() as seen:
        page = client.get(f"/e/{ev.slug}/register/company").get_data(as_text=True)
    assert [s for s in seen if "FROM technology_areas" in s]
    for area in ev.technology_areas:
        assert f'value="{area.code}"' in page
    assert only(Registration.email == "guest1@example.org").status == Status.CONFIRMED


def test_every_ticket_qr_decodes_with_the_fixed_mask():
    """Tickets use one fixed QR mask instead of qrcode's search for the best one; a real
    decoder reads every symbol, at the ticket page's size and the e-mail's."""
    from eventapp.models import new_checkin_code
    from eventapp.registration.tickets import qr_png, qr_version

    for _ in range(150):
        code = new_checkin_code()
        assert qr_version(code) == 2
        assert decode_qr(qr_png(code)) == code
        assert decode_qr(qr_png(code, 6)) == code
