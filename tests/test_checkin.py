"""QR check-in at the door: the API's answers, the scanner page, walk-ins, undo, the
scan log and the live counts. Runs on SQLite and PostgreSQL."""

import re

import pytest

from eventapp.extensions import db
from eventapp.models import OutboundEmail, Registration, ScanLog, Status
from eventapp.registration import services as registration_services
from tests import factories
from tests.conftest import bearer

RESULT_KEYS = {"result", "registration", "checked_in_at", "checked_in_by"}
DOOR_KEYS = {"id", "name", "name_kana", "organisation", "category", "status", "checked_in_at",
             "country"}


def checkins_url(event) -> str:
    return f"/api/v1/events{'/' + str(event if isinstance(event, int) else event.id)}/checkins"


def scan(client, event, token, code=None, **body):
    payload = {"code": code} if code is not None else body
    return client.post(checkins_url(event), json=payload, headers=bearer(token))


def logs(event) -> list[ScanLog]:
    db.session.rollback()
    db.session.expire_all()
    return list(db.session.execute(
        db.select(ScanLog).where(ScanLog.event_id == event.id).order_by(ScanLog.id)).scalars())


def fresh(reg: Registration) -> Registration:
    """The row as the requests left it (the test's session keeps loaded objects)."""
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(Registration, reg.id)


@pytest.fixture
def event(app):
    return factories.event(capacity=50)


@pytest.fixture
def guest(event):
    return factories.registration(event, name="Aiko Tanaka", name_kana="たなか あいこ",
                                  organisation="Tanaka Water Works", country="KE")


# -- the answers of POST /api/v1/events/{id}/checkins ---------------------------------

def test_a_confirmed_code_checks_in_once(client, event, guest, door, door_token,
                                         organiser_token):
    response = scan(client, event, door_token, guest.checkin_code)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == RESULT_KEYS and body["result"] == "checked_in"
    assert set(body["registration"]) == DOOR_KEYS
    assert body["registration"]["name"] == "Aiko Tanaka"
    assert body["registration"]["organisation"] == "Tanaka Water Works"
    assert body["registration"]["category"] == "company"
    assert body["registration"]["country"] == "KE"
    assert "email" not in body["registration"]
    assert body["checked_in_at"].endswith("+09:00")  # the event's time zone
    assert body["registration"]["checked_in_at"] == body["checked_in_at"]
    assert body["checked_in_by"] == door.display_name

    stored = fresh(guest)
    assert stored.checked_in_at is not None and stored.checked_in_by_id == door.id

    # A second scan, by someone else, is never a second entry.
    again = scan(client, event, organiser_token, guest.checkin_code)
    assert again.status_code == 200
    second = again.get_json()
    assert second["result"] == "already_checked_in"
    assert second["checked_in_at"] == body["checked_in_at"]
    assert second["checked_in_by"] == door.display_name
    assert fresh(guest).checked_in_by_id == door.id


def test_codes_are_read_case_insensitively_and_without_whitespace(client, event, guest,
                                                                  door_token):
    code = guest.checkin_code.lower()
    typed = f"  {code[:16]} {code[16:]}\n"
    response = scan(client, event, door_token, typed)
    assert response.status_code == 201 and response.get_json()["result"] == "checked_in"


def test_an_unknown_code_is_404(client, event, door_token):
    response = scan(client, event, door_token, "A" * 32)
    assert response.status_code == 404
    body = response.get_json()
    assert body["result"] == "unknown_code" and body["registration"] is None
    assert body["checked_in_at"] is None and body["checked_in_by"] is None
    assert [(log.result, log.code) for log in logs(event)] == [("unknown_code", "A" * 32)]


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.WAITLISTED, Status.PENDING,
                                    Status.REJECTED])
def test_a_code_admits_only_while_confirmed(client, event, door_token, status):
    reg = factories.registration(event, status=status)
    response = scan(client, event, door_token, reg.checkin_code)
    assert response.status_code == 409
    body = response.get_json()
    assert body["result"] == "not_admitted" and body["reason"] == status
    assert body["registration"]["id"] == reg.id and body["registration"]["status"] == status
    assert fresh(reg).checked_in_at is None
    assert [(log.result, log.reason) for log in logs(event)] == [("not_admitted", status)]


def test_a_code_of_another_event_is_wrong_event(client, event, door_token):
    other = factories.event(title="Another Seminar")
    reg = factories.registration(other)
    response = scan(client, event, door_token, reg.checkin_code)
    assert response.status_code == 409
    body = response.get_json()
    assert body["result"] == "wrong_event" and body["registration"]["id"] == reg.id
    assert "Another Seminar" in body["message"]
    assert fresh(reg).checked_in_at is None
    assert scan(client, other, door_token, reg.checkin_code).status_code == 201


def test_a_reissued_ticket_retires_the_old_code(client, event, guest, door_token):
    old = guest.checkin_code
    registration_services.reissue_ticket(guest, notify=False)
    db.session.commit()
    assert guest.checkin_code != old
    assert scan(client, event, door_token, old).get_json()["result"] == "unknown_code"
    assert scan(client, event, door_token, old).status_code == 404
    assert scan(client, event, door_token, guest.checkin_code).status_code == 201


def test_check_in_by_registration_id_follows_the_same_rules(client, event, guest, door_token):
    response = scan(client, event, door_token, registration_id=guest.id)
    assert response.status_code == 201 and response.get_json()["result"] == "checked_in"
    assert scan(client, event, door_token, registration_id=guest.id).status_code == 200
    cancelled = factories.registration(event, status=Status.CANCELLED)
    body = scan(client, event, door_token, registration_id=cancelled.id).get_json()
    assert body["result"] == "not_admitted" and body["reason"] == "cancelled"
    other = factories.registration(factories.event(title="Elsewhere"))
    assert scan(client, event, door_token, registration_id=other.id).status_code == 409
    missing = scan(client, event, door_token, registration_id=999_999)
    assert missing.status_code == 404 and missing.get_json()["result"] == "unknown_code"
    assert [log.method for log in logs(event)] == ["search"] * 5


def test_undo_then_check_in_again(client, event, guest, door_token):
    assert scan(client, event, door_token, guest.checkin_code).status_code == 201
    url = f"{checkins_url(event)}/{guest.id}"
    response = client.delete(url, headers=bearer(door_token))
    assert response.status_code == 200
    body = response.get_json()
    assert body["result"] == "undone" and body["registration"]["checked_in_at"] is None
    assert fresh(guest).checked_in_at is None and fresh(guest).checked_in_by_id is None

    again = client.delete(url, headers=bearer(door_token))
    assert again.status_code == 404 and again.get_json()["result"] is None
    assert client.delete(f"{checkins_url(event)}/999999",
                         headers=bearer(door_token)).status_code == 404

    assert scan(client, event, door_token, guest.checkin_code).status_code == 201
    assert [(log.method, log.result) for log in logs(event)] == [
        ("code", "checked_in"), ("undo", "undone"), ("code", "checked_in")]


def test_the_event_in_the_address_must_exist(client, guest, door_token):
    response = scan(client, 999_999, door_token, guest.checkin_code)
    assert response.status_code == 404
    assert response.get_json()["result"] is None
    response = scan(client, 999_999, door_token, "NOPE")
    assert response.status_code == 404 and "result" in response.get_json()


# -- bad input: always a 4xx with `result`, never admitted ------------------------------

@pytest.mark.parametrize("body, status", [
    (b"", 400), (b"not json", 400), (b"\xff\xfe\x00binary", 400), (b"[1, 2]", 400),
    (b'"a string"', 400), (b"{}", 422), (b'{"code": null}', 422), (b'{"code": ""}', 422),
    (b'{"code": "   "}', 422), (b'{"code": 12345}', 422), (b'{"code": ["A"]}', 422),
    (b'{"code": {"a": 1}}', 422), (b'{"registration_id": "12"}', 422),
    (b'{"registration_id": true}', 422), (b'{"registration_id": 1.5}', 422),
    (b'{"code": "ABC", "registration_id": 1}', 422), (b"[" * 50_000, 413),
    (b'{"registration_id": 99999999999999999999999}', 404), (b'{"registration_id": -1}', 404),
    (b'{"code": "\\u0000\\ud800"}', 404),
])
def test_malformed_input_gets_a_4xx_with_a_result(client, event, guest, door_token, body,
                                                   status):
    response = client.post(checkins_url(event), data=body, headers=bearer(door_token),
                           content_type="application/json")
    assert response.status_code == status, response.get_data(as_text=True)
    answer = response.get_json()
    assert answer["result"] == "unknown_code"
    assert answer["registration"] is None and "message" in answer
    if status == 422:
        assert answer["fields"]
    assert fresh(guest).checked_in_at is None


def test_a_huge_code_is_unknown_and_logged_truncated(client, event, door_token):
    response = scan(client, event, door_token, "X" * 10_000)
    assert response.status_code == 404 and response.get_json()["result"] == "unknown_code"
    (log,) = logs(event)
    assert log.code == "X" * 64


# -- who may check in -------------------------------------------------------------------

def test_anonymous_and_bad_tokens_get_401_with_a_result(client, event, guest):
    response = client.post(checkins_url(event), json={"code": guest.checkin_code})
    assert response.status_code == 401
    assert response.get_json()["result"] is None
    assert response.get_json()["error"] == "unauthorized"
    response = scan(client, event, "ev_not-a-token", guest.checkin_code)
    assert response.status_code == 401 and "result" in response.get_json()
    assert client.delete(f"{checkins_url(event)}/{guest.id}").status_code == 401
    assert fresh(guest).checked_in_at is None and logs(event) == []


def test_a_revoked_token_or_a_deactivated_account_admits_nobody(client, event, guest, door,
                                                                door_token):
    from eventapp.models import ApiToken, StaffUser

    other = factories.registration(event, name="Second Guest")
    db.session.execute(db.update(ApiToken).values(revoked_at=db.func.now()))
    db.session.commit()
    response = scan(client, event, door_token, guest.checkin_code)
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"
    deactivated = factories.token(door)
    db.session.execute(db.update(StaffUser).where(StaffUser.id == door.id).values(active=False))
    db.session.commit()
    assert scan(client, event, deactivated, other.checkin_code).status_code == 401
    assert fresh(guest).checked_in_at is None and fresh(other).checked_in_at is None
    assert logs(event) == []


def test_organisers_check_in_too(client, event, guest, organiser, organiser_token):
    response = scan(client, event, organiser_token, guest.checkin_code)
    assert response.status_code == 201
    assert response.get_json()["checked_in_by"] == organiser.display_name


def test_a_signed_in_page_needs_the_csrf_header(app, door):
    from tests.conftest import login

    event = factories.event()
    reg = factories.registration(event)
    page_client = app.test_client()
    login(page_client, door)
    page = page_client.get(f"/manage/events/{event.id}/scanner").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    url = checkins_url(event)
    assert page_client.post(url, json={"code": reg.checkin_code}).status_code == 401
    response = page_client.post(url, json={"code": reg.checkin_code},
                                headers={"X-CSRFToken": token, "X-Scanner-Device": "door-1"})
    assert response.status_code == 201
    assert logs(event)[-1].device == "door-1"


def test_door_staff_search_without_seeing_e_mails(client, event, guest, door_token,
                                                  organiser_token):
    url = f"/api/v1/events/{event.id}/registrations?q=たなか"
    door_view = client.get(url, headers=bearer(door_token)).get_json()
    assert [r["id"] for r in door_view] == [guest.id]
    assert "email" not in door_view[0] and "manage_url" not in door_view[0]
    organiser_view = client.get(url, headers=bearer(organiser_token)).get_json()
    assert organiser_view[0]["email"] == guest.email


# -- the scanner page ---------------------------------------------------------------------

def test_the_scanner_page_serves_door_staff(app, door_client, organiser_client, event):
    url = f"/manage/events/{event.id}/scanner"
    assert app.test_client().get(url).status_code == 302  # anonymous: to the login page
    response = door_client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    wedge = re.search(r"<input id=\"wedge-code\"[^>]*>", html).group(0)
    assert "autofocus" in wedge and 'name="code"' in wedge
    assert f'data-checkin-url="/api/v1/events/{event.id}/checkins"' in html
    assert f'data-search-url="/api/v1/events/{event.id}/registrations"' in html
    assert "/static/vendor/jsQR.js" in html and "/static/js/scanner.js" in html
    assert '<script type="application/json" id="scanner-config">' in html
    # The Content-Security-Policy forbids inline scripts: only data blocks are inline.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline and all('type="application/json"' in attrs for attrs in inline)
    assert "Walk-in" in html and 'name="walkin-override_capacity"' not in html
    assert door_client.get("/manage/events/999/scanner").status_code == 404
    organiser_html = organiser_client.get(url).get_data(as_text=True)
    assert 'name="walkin-override_capacity"' in organiser_html


def test_the_scanner_page_works_without_scripts(door_client, event, guest):
    url = f"/manage/events/{event.id}/scanner"
    response = door_client.post(url, data={"code": guest.checkin_code.lower()})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "result-ok" in html and "Checked in" in html and "Aiko Tanaka" in html
    html = door_client.post(url, data={"code": guest.checkin_code}).get_data(as_text=True)
    assert "result-warn" in html and "Already checked in at" in html and "by Door" in html

    found = door_client.get(f"{url}?q=あいこ").get_data(as_text=True)
    assert "Aiko Tanaka" in found and "Undo check-in" in found
    undo = door_client.post(f"/manage/events/{event.id}/scanner/undo/{guest.id}")
    assert undo.status_code == 302
    assert fresh(guest).checked_in_at is None
    html = door_client.post(f"{url}?q=tanaka", data={"registration_id": guest.id}
                            ).get_data(as_text=True)
    assert "result-ok" in html
    html = door_client.post(url, data={"code": "nonsense"}).get_data(as_text=True)
    assert "result-bad" in html and "Unknown code" in html


# -- walk-ins -----------------------------------------------------------------------------

def result_card(response) -> str:
    """The scanner's result card (section#scan-result) in a page."""
    html = response.get_data(as_text=True)
    start = html.index('id="scan-result"')
    return html[start:html.index("</section>", start)]


def walk_in_form(**overrides) -> dict:
    data = {"walkin-name": "Kenji Sato", "walkin-name_kana": "さとう けんじ",
            "walkin-organisation": "Sato Medical", "walkin-email": "kenji@example.org",
            "walkin-category": "company", "walkin-country": "JP", "walkin-language": "ja",
            "walkin-notify": "y"}
    return data | overrides


def test_a_walk_in_is_registered_and_checked_in_in_one_step(door_client, door, event):
    response = door_client.post(f"/manage/events/{event.id}/walk-in", data=walk_in_form())
    assert response.status_code == 200
    db.session.rollback()
    reg = db.session.execute(db.select(Registration).where(
        Registration.email == "kenji@example.org")).scalar_one()
    assert reg.status == Status.CONFIRMED and reg.source == "walk_in"
    assert reg.checked_in_at is not None and reg.checked_in_by_id == door.id
    assert reg.name_kana == "さとう けんじ" and reg.language == "ja"
    assert [(log.method, log.result, log.registration_id) for log in logs(event)] == [
        ("walk_in", "checked_in", reg.id)]
    assert db.session.execute(db.select(OutboundEmail).where(
        OutboundEmail.registration_id == reg.id)).scalar_one_or_none() is not None
    # The scanner's result card, as after a scan, with its Undo; no flash message.
    card = result_card(response)
    assert "Checked in" in card and "Kenji Sato" in card and "Sato Medical" in card
    assert f"/scanner/undo/{reg.id}" in card
    assert "is registered and checked in" not in response.get_data(as_text=True)


def test_a_full_event_refuses_walk_ins_unless_an_organiser_overrides(
        app, door_client, organiser, event):
    from tests.conftest import login

    event.capacity = 1
    db.session.commit()
    factories.registration(event)
    url = f"/manage/events/{event.id}/walk-in"
    refused = door_client.post(url, data=walk_in_form(**{"walkin-override_capacity": "y"}))
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "The event is full (1 of 1 seats)" in html and "ask one" in html
    assert logs(event) == []
    assert db.session.execute(db.select(db.func.count(Registration.id))).scalar_one() == 1

    organiser_client = app.test_client()
    login(organiser_client, organiser)
    without = organiser_client.post(url, data=walk_in_form())
    assert without.status_code == 409
    assert "Admit over capacity" in without.get_data(as_text=True)
    allowed = organiser_client.post(url, data=walk_in_form(**{"walkin-override_capacity": "y"}))
    assert allowed.status_code == 200 and "Checked in" in result_card(allowed)
    db.session.rollback()
    reg = db.session.execute(db.select(Registration).where(
        Registration.email == "kenji@example.org")).scalar_one()
    assert reg.status == Status.CONFIRMED and reg.checked_in_at is not None


def test_a_walk_in_with_a_known_e_mail_checks_in_that_registration(door_client, event, guest):
    response = door_client.post(f"/manage/events/{event.id}/walk-in",
                                data=walk_in_form(**{"walkin-email": guest.email.upper()}))
    assert response.status_code == 200
    assert fresh(guest).checked_in_at is not None
    assert db.session.execute(db.select(db.func.count(Registration.id))).scalar_one() == 1
    assert db.session.execute(db.select(db.func.count(OutboundEmail.id))).scalar_one() == 0
    card = result_card(response)
    assert "Already registered with this e-mail" in card and guest.name in card
    assert f"/scanner/undo/{guest.id}" in card


def test_walk_in_errors_are_shown_at_the_fields(door_client, event):
    url = f"/manage/events/{event.id}/walk-in"
    assert "walkin-name" in door_client.get(url).get_data(as_text=True)
    response = door_client.post(url, data=walk_in_form(**{"walkin-email": "not-an-address",
                                                          "walkin-name": ""}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="walkin-email-error"' in html and 'id="walkin-name-error"' in html
    assert logs(event) == []


# -- scan log and live counts -------------------------------------------------------------

def test_the_scan_log_records_every_scan(client, event, guest, door, door_token,
                                         organiser_token):
    cancelled = factories.registration(event, status=Status.CANCELLED)
    other = factories.registration(factories.event(title="Other"))
    headers = bearer(door_token) | {"X-Scanner-Device": "door-phone-1"}
    for code in (guest.checkin_code, guest.checkin_code, "UNKNOWN", cancelled.checkin_code,
                 other.checkin_code):
        client.post(checkins_url(event), json={"code": code}, headers=headers)
    client.delete(f"{checkins_url(event)}/{guest.id}", headers=bearer(organiser_token))
    recorded = logs(event)
    assert [(log.result, log.method) for log in recorded] == [
        ("checked_in", "code"), ("already_checked_in", "code"), ("unknown_code", "code"),
        ("not_admitted", "code"), ("wrong_event", "code"), ("undone", "undo")]
    assert [log.registration_id for log in recorded] == [
        guest.id, guest.id, None, cancelled.id, other.id, guest.id]
    assert recorded[0].staff_user_id == door.id and recorded[0].device == "door-phone-1"
    assert recorded[2].code == "UNKNOWN"
    assert all(log.created_at.tzinfo is not None for log in recorded)


def test_the_scan_log_page_lists_and_filters(client, door_client, organiser_client, event,
                                             guest, door, organiser, door_token,
                                             organiser_token):
    scan(client, event, door_token, guest.checkin_code)
    scan(client, event, organiser_token, guest.checkin_code)
    scan(client, event, door_token, "NOTACODE")
    url = f"/manage/events/{event.id}/scans"
    assert door_client.get(url).status_code == 403
    html = organiser_client.get(url).get_data(as_text=True)
    assert html.count('<tr class="scan-') == 3
    # Newest first.
    assert html.index("scan-unknown_code") < html.index("scan-already_checked_in") \
        < html.index("scan-checked_in")
    only_unknown = organiser_client.get(f"{url}?result=unknown_code").get_data(as_text=True)
    assert only_unknown.count('<tr class="scan-') == 1 and "NOTACODE" in only_unknown
    by_organiser = organiser_client.get(f"{url}?staff={organiser.id}").get_data(as_text=True)
    assert by_organiser.count('<tr class="scan-') == 1
    assert "scan-already_checked_in" in by_organiser
    assert organiser_client.get(f"{url}?result=bogus&staff=x&page=y").status_code == 200


def test_the_scan_log_is_paginated(client, organiser_client, event, door_token):
    for n in range(55):
        scan(client, event, door_token, f"CODE{n}")
    url = f"/manage/events/{event.id}/scans"
    first = organiser_client.get(url).get_data(as_text=True)
    assert first.count('<tr class="scan-') == 50 and "Page 1 of 2" in first
    assert "CODE54" in first and "CODE0<" not in first
    second = organiser_client.get(f"{url}?page=2").get_data(as_text=True)
    assert second.count('<tr class="scan-') == 5 and "CODE0<" in second


def test_live_counts(client, door_client, event, door_token):
    companies = [factories.registration(event) for _ in range(3)]
    official = factories.registration(event, category="embassy")
    factories.registration(event, status=Status.WAITLISTED)
    for reg in (companies[0], companies[1], official):
        scan(client, event, door_token, reg.checkin_code)
    url = f"/manage/events/{event.id}/checkin/stats.json"
    assert client.get(url).status_code == 302
    response = door_client.get(url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    stats = response.get_json()
    assert stats["checked_in"] == 3 and stats["expected"] == 4
    by_code = {row["code"]: row for row in stats["by_category"]}
    assert (by_code["company"]["checked_in"], by_code["company"]["expected"]) == (2, 3)
    assert by_code["company"]["name"]
    assert (by_code["embassy"]["checked_in"], by_code["embassy"]["expected"]) == (1, 1)
    assert (by_code["guest"]["checked_in"], by_code["guest"]["expected"]) == (0, 0)
    page = door_client.get(f"/manage/events/{event.id}/scanner").get_data(as_text=True)
    assert '<span data-stat="checked_in">3</span> / <span data-stat="expected">4</span>' in page


def test_openapi_describes_the_check_in_calls(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    post = doc["paths"]["/api/v1/events/{event_id}/checkins"]["post"]
    assert {"200", "201", "404", "409", "422"} <= set(post["responses"])
    assert "delete" in doc["paths"]["/api/v1/events/{event_id}/checkins/{registration_id}"]
    assert "CheckinAnswer" in doc["components"]["schemas"]


def test_the_answer_uses_the_door_shape_of_a_registration(client, event, guest, door_token):
    from eventapp.registration.schemas import RegistrationForDoor

    body = scan(client, event, door_token, guest.checkin_code).get_json()
    expected = RegistrationForDoor().dump(fresh(guest)) | {"country": "KE"}
    assert body["registration"] == expected


@pytest.fixture
def tight_limit(app_config):
    app_config.update(RATELIMIT_ENABLED=True, CHECKIN_RATE_LIMIT="3 per minute")


def test_a_runaway_scanner_is_rate_limited_per_token(tight_limit, client, event, door,
                                                     door_token):
    guests = [factories.registration(event) for _ in range(5)]
    other_token = factories.token(door)
    # First check-ins are never counted: there are only as many as registrations.
    for reg in guests:
        assert scan(client, event, door_token, reg.checkin_code).status_code == 201
    for _ in range(3):
        assert scan(client, event, door_token, "NOPE").status_code == 404
    limited = scan(client, event, door_token, "NOPE")
    assert limited.status_code == 429
    assert limited.get_json()["result"] is None
    assert limited.get_json()["error"] == "rate_limited" and limited.headers["Retry-After"]
    # Another scanner (token) at the same venue address is not held up.
    assert scan(client, event, other_token, guests[0].checkin_code).status_code == 200


def test_a_connection_the_database_closed_is_replaced_before_the_next_scan(
        client, event, guest, door_token):
    """A database restart or a terminated backend leaves a dead connection in the pool;
    the next scan must not fail on it (there is no ping per request)."""
    import time

    from sqlalchemy import create_engine, text

    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite connections do not go stale")
    db.session.remove()
    db.engine.dispose()
    with db.engine.connect() as conn:  # the pool's one connection, back to it idle
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    # Autocommit: pg_stat_activity is a snapshot per transaction.
    other = create_engine(db.engine.url, isolation_level="AUTOCOMMIT")
    with other.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        deadline = time.monotonic() + 10
        while conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"),
                           {"pid": pid}).scalar_one():
            assert time.monotonic() < deadline
            time.sleep(0.05)
    other.dispose()
    response = scan(client, event, door_token, guest.checkin_code)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert fresh(guest).checked_in_at is not None


def test_the_scan_log_names_a_device_in_a_few_words():
    """The scan log showed each scanner's whole user-agent: 19 scans made a 5,000-px page."""
    from eventapp.checkin.scanlog import device_name

    android = ("web-4f7a2c Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; "
               "wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.122 "
               "Mobile Safari/537.36")
    iphone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")
    assert device_name(android) == "web-4f7a2c · Chrome · Android 14"
    assert device_name(iphone) == "Safari · iPhone"
    assert device_name(android[:60]) == "web-4f7a2c · Android 14"  # cut to the column
    assert device_name("Door laptop 2") == "Door laptop 2"  # a name an API client sent
    assert device_name("") == ""
