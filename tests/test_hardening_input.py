"""Bad input is refused (400/422 at the field that caused it), never a 5xx, and nothing
is half-saved (issue 16, findings 7 and 8). Every case runs on SQLite and PostgreSQL."""

from datetime import UTC, datetime

import pytest

from eventapp.extensions import db
from eventapp.models import ApiToken, Category, Event, Registration, StaffUser
from tests import factories
from tests.conftest import bearer

DEEP = "[" * 5000 + "]" * 5000  # past the parser's recursion limit, under every size cap
EXTREME = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
           "9999-12-31T23:00:00+00:00", "0001-01-01T00:00:00"]
INVISIBLE = ["\u200b", "\ufeff\u200b", "\u202e", " \u200b "]


def count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


def event_body(**changes) -> dict:
    body = {"title": "Seminar", "starts_at": "2027-06-09T10:00:00+09:00",
            "ends_at": "2027-06-09T17:00:00+09:00", "capacity": 10, "timezone": "Asia/Tokyo",
            "networking": {"starts_at": "2027-06-09T15:00:00+09:00"}}
    for key, value in changes.items():
        if key.startswith("networking."):
            body["networking"][key.split(".", 1)[1]] = value
        else:
            body[key] = value
    return body


def assert_refused(response, field: str | None = None):
    assert response.status_code in (400, 422), (response.status_code,
                                                response.get_data(as_text=True)[:300])
    if field is not None:
        assert field in response.get_json()["fields"], response.get_json()


# -- the API ----------------------------------------------------------------------------

@pytest.fixture
def api_event(app):
    return factories.event()


@pytest.mark.parametrize("path", [
    "/api/v1/events",
    "/api/v1/events/{event}/registrations",
    "/api/v1/events/{event}/registrations/{reg}/cancel",
    "/api/v1/events/{event}/checkins",
    "/api/v1/events/{event}/networking/schedule",
])
def test_deeply_nested_json_is_a_400_on_every_api_write(client, organiser_token, api_event,
                                                        path):
    reg = factories.registration(api_event)
    events, regs = count(Event), count(Registration)
    response = client.post(path.format(event=api_event.id, reg=reg.id), data=DEEP,
                           headers=bearer(organiser_token) | {"Content-Type": "application/json"})
    assert_refused(response)
    assert (count(Event), count(Registration)) == (events, regs)


@pytest.mark.parametrize("body", ["[1]", "1", '"str"', "true", "null", "[]", DEEP])
def test_cancel_refuses_a_body_that_is_not_an_object(client, organiser_token, api_event, body):
    reg = factories.registration(api_event)
    response = client.post(f"/api/v1/events/{api_event.id}/registrations/{reg.id}/cancel",
                           data=body, headers=bearer(organiser_token)
                           | {"Content-Type": "application/json"})
    assert response.status_code == 400, response.get_data(as_text=True)
    db.session.refresh(reg)
    assert reg.status == "confirmed"


def test_cancel_still_takes_no_body_or_notify_false(client, organiser_token, api_event):
    one, two = factories.registration(api_event), factories.registration(api_event)
    url = f"/api/v1/events/{api_event.id}/registrations/{{}}/cancel"
    assert client.post(url.format(one.id), headers=bearer(organiser_token)).status_code == 200
    assert client.post(url.format(two.id), json={"notify": False},
                       headers=bearer(organiser_token)).status_code == 200
    response = client.post(url.format(two.id), json={"notify": "no"},
                           headers=bearer(organiser_token))
    assert response.status_code in (409, 422)


@pytest.mark.parametrize("value", EXTREME)
@pytest.mark.parametrize("field", ["starts_at", "ends_at", "registration_opens_at",
                                   "registration_closes_at", "networking.starts_at"])
def test_api_refuses_a_date_the_app_cannot_handle(client, organiser_token, field, value):
    before = count(Event)
    response = client.post("/api/v1/events", json=event_body(**{field: value}),
                           headers=bearer(organiser_token))
    assert_refused(response, field)
    assert count(Event) == before


@pytest.mark.parametrize("field,value", [
    ("capacity", 99999999999999999999), ("capacity", 2**31), ("capacity", -1),
    ("networking.tables", 99999999999999999999),
    ("title", "Semi\x00nar"), ("venue", "Room\x00 1"), ("description", "A\x00B"),
    ("timezone", "Asia/\x00Tokyo"),
])
def test_api_refuses_values_no_database_column_takes(client, organiser_token, field, value):
    before = count(Event)
    response = client.post("/api/v1/events", json=event_body(**{field: value}),
                           headers=bearer(organiser_token))
    assert_refused(response, field)
    assert count(Event) == before


@pytest.mark.parametrize("field,value", [
    ("name", "Ann\x00"), ("organisation", "Org\x00"), ("name_kana", "\x00"),
    *[("name", v) for v in INVISIBLE], *[("organisation", v) for v in INVISIBLE],
    ("name", "Ann\r\nBcc: x@example.org"), ("organisation", "Org\nLtd"), ("name", "A\rB"),
])
def test_api_refuses_unstorable_or_unreadable_registration_text(client, organiser_token,
                                                                 api_event, field, value):
    body = {"name": "Ann Example", "email": "ann@example.org", "category": "guest"}
    before = count(Registration)
    response = client.post(f"/api/v1/events/{api_event.id}/registrations",
                           json=body | {field: value}, headers=bearer(organiser_token))
    assert_refused(response, field)
    assert count(Registration) == before


def test_api_search_with_nul_is_refused(client, organiser_token, api_event):
    response = client.get(f"/api/v1/events/{api_event.id}/registrations?q=a%00b",
                          headers=bearer(organiser_token))
    assert_refused(response, "q")


# -- finding 8: validate before writing; an event stored before the fix still shows -----

def test_far_networking_start_is_refused_and_nothing_is_saved(client, organiser_token):
    before = count(Event), count(Category)
    response = client.post("/api/v1/events",
                           json=event_body(**{"networking.starts_at":
                                              "9999-12-31T23:00:00+00:00"}),
                           headers=bearer(organiser_token))
    assert_refused(response, "networking.starts_at")
    assert (count(Event), count(Category)) == before


@pytest.fixture
def stored_extreme_event(app):
    """An event saved before the fix, with a networking session at the end of time."""
    event = factories.event()
    event.networking_starts_at = datetime(9999, 12, 31, 23, 0, tzinfo=UTC)
    event.ends_at = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    db.session.commit()
    factories.registration(event)
    return event


@pytest.mark.parametrize("path", [
    "/manage/events/{id}", "/manage/events/{id}/edit", "/manage/events/{id}/networking",
    "/manage/events/{id}/registrations", "/manage/events/{id}/scanner",
    "/manage/events/{id}/report", "/e/{slug}", "/manage/events", "/",
])
def test_pages_of_an_event_stored_with_an_extreme_date_do_not_fail(
        organiser_client, stored_extreme_event, path):
    response = organiser_client.get(path.format(id=stored_extreme_event.id,
                                                slug=stored_extreme_event.slug))
    assert response.status_code < 500, path


def test_api_answers_an_event_stored_with_an_extreme_date(client, organiser_token,
                                                         stored_extreme_event):
    response = client.get(f"/api/v1/events/{stored_extreme_event.id}",
                          headers=bearer(organiser_token))
    assert response.status_code == 200


# -- the pages --------------------------------------------------------------------------

def event_form(**changes) -> dict:
    form = {"title": "Seminar", "timezone": "Asia/Tokyo", "starts_at": "2027-06-09T10:00",
            "ends_at": "2027-06-09T17:00", "capacity": "10", "listed": "y",
            "technology_areas": "water | Water", "agenda": "",
            "networking_enabled": "y", "networking_starts_at": "2027-06-09T15:00",
            "networking_slot_minutes": "15", "networking_slots": "6",
            "networking_tables": "10", "networking_max_meetings": "4"}
    return form | changes


DATE_JA = "1900 年から 2200 年までの日付を入力してください。"
UNSTORABLE_JA = "保存できない文字（NUL または壊れた文字）が含まれています。"
INVISIBLE_JA = "目に見える文字で入力してください（見えない文字だけになっています）。"


@pytest.mark.parametrize("field,value,message", [
    ("starts_at", "0001-01-01T00:00", DATE_JA), ("ends_at", "9999-12-31T23:59", DATE_JA),
    ("registration_opens_at", "0001-01-01T00:00", DATE_JA),
    ("registration_closes_at", "9999-12-31T23:59", DATE_JA),
    ("networking_starts_at", "9999-12-31T23:59", DATE_JA),
    ("networking_starts_at", "0001-01-01T00:00", DATE_JA),
    ("capacity", "99999999999999999999", "0 から 2147483647 の間で入力してください。"),
    ("networking_tables", "99999999999999999999", "1 から 2000 の間で入力してください。"),
    ("title", "Semi\x00nar", UNSTORABLE_JA), ("venue", "Room\x00", UNSTORABLE_JA),
    ("description", "A\x00B", UNSTORABLE_JA),
    ("technology_areas", "water | \u200b", INVISIBLE_JA),
])
def test_event_form_refuses_at_the_field_in_the_page_language(organiser_client, field, value,
                                                              message):
    before = count(Event)
    response = organiser_client.post("/manage/events/new?lang=ja",
                                     data=event_form(**{field: value}))
    assert response.status_code in (200, 400, 422), response.status_code
    assert count(Event) == before
    page = response.get_data(as_text=True)
    assert f'<p class="error" id="{field}-error">' in page, page[:2000]
    error = page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error


@pytest.mark.parametrize("value", EXTREME)
def test_api_date_message_is_in_the_request_language(client, organiser_token, value):
    response = client.post("/api/v1/events", json=event_body(starts_at=value),
                           headers=bearer(organiser_token) | {"Accept-Language": "ja"})
    assert response.status_code == 422
    assert response.get_json()["fields"]["starts_at"] == DATE_JA


@pytest.mark.parametrize("value", ["Guest\x00", "\u200b", "\ufeff", "\u202e", "A\r\nB"])
def test_category_name_is_refused(organiser_client, api_event, value):
    before = count(Category)
    response = organiser_client.post(f"/manage/events/{api_event.id}/categories", data={
        "new-code": "vip", "new-name": value, "new-networking_side": "none"})
    assert response.status_code in (200, 400, 422)
    assert count(Category) == before


@pytest.mark.parametrize("value", ["Door\x00 1", "\u200b", "\u202e", "Door\r\n1"])
def test_token_name_is_refused(organiser_client, value):
    before = count(ApiToken)
    response = organiser_client.post("/tokens", data={"name": value})
    assert response.status_code in (200, 400, 422)
    assert count(ApiToken) == before


@pytest.mark.parametrize("value", ["Sato\x00", "\u200b", "Sato\nHanako"])
def test_staff_name_is_refused(organiser_client, value):
    before = count(StaffUser)
    response = organiser_client.post("/staff", data={
        "email": "new@test.example", "name": value, "role": "door",
        "password": "long enough password"})
    assert response.status_code in (200, 400, 422)
    assert count(StaffUser) == before


@pytest.mark.parametrize("field,value", [
    ("name", "Ann\x00"), ("organisation", "Org\x00"), ("name", "\u200b"),
    ("organisation", "\u202e"), ("name", "Ann\nB"),
])
def test_sign_up_form_refuses_at_the_field(client, api_event, field, value):
    before = count(Registration)
    form = {"name": "Ann Example", "email": "ann@example.org", "organisation": "Org",
            "language": "en", "consent_privacy": "y"}
    response = client.post(f"/e/{api_event.slug}/register/guest", data=form | {field: value})
    assert response.status_code in (200, 400, 422)
    assert count(Registration) == before


def test_notes_with_nul_are_refused(organiser_client, api_event):
    reg = factories.registration(api_event, category="guest", notes="kept")
    response = organiser_client.post(
        f"/manage/events/{api_event.id}/registrations/{reg.id}",
        data={"name": reg.name, "organisation": reg.organisation, "language": "en",
              "country": "JP", "notes": "secret\x00"})
    assert response.status_code in (200, 400, 422)
    db.session.refresh(reg)
    assert reg.notes == "kept"


@pytest.mark.parametrize("path", ["/manage/events/{id}/registrations?q=a%00b",
                                  "/manage/events/{id}/scanner?q=a%00b"])
def test_search_with_nul_does_not_fail(organiser_client, api_event, path):
    response = organiser_client.get(path.format(id=api_event.id))
    assert response.status_code < 500


def test_a_scanned_code_with_nul_is_an_unknown_code(client, door_token, api_event):
    response = client.post(f"/api/v1/events/{api_event.id}/checkins",
                           json={"code": "AB\x00CD"}, headers=bearer(door_token))
    assert response.status_code in (404, 422)
    assert response.get_json()["result"] == "unknown_code"


def test_the_scanner_form_with_nul_does_not_fail(door_client, api_event):
    response = door_client.post(f"/manage/events/{api_event.id}/scanner",
                                data={"code": "AB\x00CD"})
    assert response.status_code < 500
