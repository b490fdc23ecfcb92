"""API v1 shapes: one description loads the request, answers, and is the document."""

import pytest

from eventapp.api.docs import build_document
from eventapp.models import Category, Event, Registration, max_length
from tests import factories
from tests.conftest import bearer

PERSON = {"name": "Ana Lima", "email": "ana@example.org", "category": "guest"}


def schema_of(client, name: str) -> dict:
    return client.get("/api/v1/openapi.json").get_json()["components"]["schemas"][name]


def test_text_limits_are_the_columns_lengths(client, organiser_token):
    event = factories.event()
    url = f"/api/v1/events/{event.id}/registrations"
    limit = max_length(Registration.name)
    assert limit == Registration.__table__.c.name.type.length
    too_long = client.post(url, json=PERSON | {"name": "x" * (limit + 1)},
                           headers=bearer(organiser_token))
    assert too_long.status_code == 422
    assert too_long.get_json()["fields"] == {"name": f"At most {limit} characters."}
    fits = client.post(url, json=PERSON | {"name": "x" * limit, "notify": False},
                       headers=bearer(organiser_token))
    assert fits.status_code == 201, fits.get_json()
    described = schema_of(client, "RegistrationCreate")["properties"]
    assert described["name"]["maxLength"] == limit
    assert described["category"]["maxLength"] == max_length(Category.code)
    assert schema_of(client, "EventCreate")["properties"]["title"]["maxLength"] == \
        max_length(Event.title)


def test_null_is_the_same_as_leaving_a_field_out(client, organiser_token):
    event = factories.event()
    response = client.post(f"/api/v1/events/{event.id}/registrations", headers=bearer(
        organiser_token), json=PERSON | {"name_kana": None, "language": None,
                                         "technology_needs": None, "notify": False})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["name_kana"], body["language"], body["technology_needs"]) == ("", "en", [])
    response = client.post(f"/api/v1/events/{event.id}/registrations",
                           json=PERSON | {"name": None}, headers=bearer(organiser_token))
    assert response.get_json()["fields"] == {"name": "This field is required."}


def test_nested_fields_are_named_with_dots(client, organiser_token):
    body = {"title": "Day", "starts_at": "2031-06-09T10:00:00", "ends_at":
            "2031-06-09T17:00:00", "timezone": "Asia/Tokyo", "capacity": 10}
    response = client.post("/api/v1/events", headers=bearer(organiser_token),
                           json=body | {"networking": {"starts_at": "soon", "slots": "4"}})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"networking.starts_at", "networking.slots"}
    response = client.post("/api/v1/events", headers=bearer(organiser_token),
                           json=body | {"networking": 5})
    assert response.get_json()["fields"] == {"networking": "Must be an object."}
    created = client.post("/api/v1/events", headers=bearer(organiser_token), json=body | {
        "networking": {"starts_at": "2031-06-09T15:00:00"}}).get_json()
    # Times without an offset are read in the event's time zone.
    assert created["starts_at"] == "2031-06-09T10:00:00+09:00"
    assert created["networking"]["starts_at"] == "2031-06-09T15:00:00+09:00"
    assert created["networking"]["slots"] == 6


def test_answers_list_every_key_they_always_carry(client):
    registration = schema_of(client, "Registration")
    assert set(registration["required"]) == set(registration["properties"])
    answer = schema_of(client, "CheckinAnswer")
    assert set(answer["properties"]) - set(answer["required"]) == {"reason", "error",
                                                                   "message"}
    created = client.get("/api/v1/openapi.json").get_json()["paths"][
        "/api/v1/events/{event_id}/registrations"]["post"]
    assert created["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RegistrationCreate"}
    assert schema_of(client, "RegistrationCreate")["required"] == ["category", "email",
                                                                   "name"]


def test_a_call_without_a_description_stops_the_document(app):
    app.add_url_rule("/api/v1/undescribed", "undescribed", lambda: "")
    with pytest.raises(LookupError, match="undescribed"):
        build_document(app)


def test_field_messages_are_in_the_requests_language(client, organiser_token):
    event = factories.event()
    url = f"/api/v1/events/{event.id}/registrations"
    headers = bearer(organiser_token) | {"Accept-Language": "ja"}
    response = client.post(url, headers=headers, json=PERSON | {
        "name": " ", "networking_opt_in": "yes", "job_title": "x" * 500})
    assert response.get_json()["fields"] == {
        "name": "この項目は必須です。", "networking_opt_in": "true または false で指定してください。",
        "job_title": "200文字以内で指定してください。"}
    english = client.post(url, headers=bearer(organiser_token), json=PERSON | {"name": " "})
    assert english.get_json()["fields"] == {"name": "This field is required."}
    scan = client.post(f"/api/v1/events/{event.id}/checkins", json={}, headers=headers)
    assert scan.get_json()["fields"] == {
        "code": "code と registration_id のどちらか一方を指定してください。"}
    assert client.post(url, headers=headers, data="[1]").get_json()["message"] == \
        "本文は JSON オブジェクトにしてください。"
