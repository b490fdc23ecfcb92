"""API v1 registration calls, as PRODUCT.md writes them."""

import requests as http

from eventapp.extensions import db
from eventapp.models import Registration, Status
from tests import factories
from tests.conftest import bearer
from tests.mailbox import messages_to

OFFICIAL = {"name": "Kwame Mensah", "email": "kwame@mission-gh.example", "category": "embassy",
            "organisation": "Embassy of Ghana", "country": "GH", "job_title": "Minister",
            "language": "en", "networking_opt_in": True,
            "technology_needs": ["diagnostics", "coldchain"]}


def test_organiser_imports_a_registration_and_its_links_work_without_login(
        client, app, organiser_token):
    event = factories.event()
    response = client.post(f"/api/v1/events/{event.id}/registrations", json=OFFICIAL,
                           headers=bearer(organiser_token))
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "confirmed" and body["checked_in_at"] is None
    for key, value in OFFICIAL.items():
        assert body[key] == value
    assert body["technologies_offered"] == [] and body["target_countries"] == []
    for key in ("ticket_url", "qr_png_url", "manage_url", "agenda_ics_url"):
        assert body[key].startswith("http://localhost/r/")
        anonymous = app.test_client().get(body[key].removeprefix("http://localhost"))
        assert anonymous.status_code == 200, key
    assert messages_to(app, OFFICIAL["email"])  # notify defaults to true
    same = client.get(f"/api/v1/events/{event.id}/registrations/{body['id']}",
                      headers=bearer(organiser_token))
    assert same.get_json() == body


def test_import_is_not_held_for_approval_and_waitlists_when_full(client, app, organiser_token):
    event = factories.event(capacity=1)
    embassy = next(c for c in event.categories if c.code == "embassy")
    embassy.requires_approval = True
    db.session.commit()
    url = f"/api/v1/events/{event.id}/registrations"
    first = client.post(url, json=OFFICIAL | {"notify": False}, headers=bearer(organiser_token))
    second = client.post(url, json=OFFICIAL | {"email": "abena@mission-gh.example",
                                               "notify": False},
                         headers=bearer(organiser_token))
    assert first.get_json()["status"] == "confirmed"
    assert second.get_json()["status"] == "waitlisted"
    assert messages_to(app, OFFICIAL["email"]) == []


def test_duplicates_get_409_with_the_existing_id(client, organiser_token):
    event = factories.event()
    url = f"/api/v1/events/{event.id}/registrations"
    first = client.post(url, json=OFFICIAL, headers=bearer(organiser_token)).get_json()
    again = client.post(url, json=OFFICIAL | {"email": "KWAME@mission-gh.example"},
                        headers=bearer(organiser_token))
    assert again.status_code == 409
    assert again.get_json()["error"] == "duplicate" and again.get_json()["id"] == first["id"]


def test_bad_fields_get_422_with_a_message_each(client, organiser_token):
    event = factories.event()
    response = client.post(f"/api/v1/events/{event.id}/registrations", json={
        "name": "", "email": "nope", "category": "astronaut", "country": "ZZ",
        "technology_needs": ["teleportation"], "networking_opt_in": "yes"},
        headers=bearer(organiser_token))
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert {"name", "networking_opt_in"} <= set(fields)
    response = client.post(f"/api/v1/events/{event.id}/registrations", json=OFFICIAL | {
        "email": "nope", "category": "astronaut", "country": "ZZ"},
        headers=bearer(organiser_token))
    assert set(response.get_json()["fields"]) >= {"email", "category", "country"}
    response = client.post(f"/api/v1/events/{event.id}/registrations", json=OFFICIAL | {
        "technology_needs": ["teleportation"]}, headers=bearer(organiser_token))
    assert "teleportation" in response.get_json()["fields"]["technology_needs"]
    assert client.post(f"/api/v1/events/{event.id}/registrations", json=[1, 2],
                       headers=bearer(organiser_token)).status_code == 400


def test_list_search_and_door_shape(client, organiser_token, door_token):
    event = factories.event()
    factories.registration(event, name="渡辺 健一", name_kana="わたなべ けんいち",
                           email="k.watanabe@example.jp")
    factories.registration(event, name="Aoi Abe", name_kana="あべ あおい",
                           status=Status.WAITLISTED)
    url = f"/api/v1/events/{event.id}/registrations"
    everyone = client.get(url, headers=bearer(organiser_token)).get_json()
    assert [r["name_kana"] for r in everyone] == ["あべ あおい", "わたなべ けんいち"]
    assert "email" in everyone[0] and "manage_url" in everyone[0]
    found = client.get(url + "?q=わたなべ", headers=bearer(door_token)).get_json()
    assert [r["name"] for r in found] == ["渡辺 健一"]
    assert set(found[0]) == {"id", "name", "name_kana", "organisation", "category", "status",
                             "checked_in_at"}
    waiting = client.get(url + "?status=waitlisted", headers=bearer(door_token)).get_json()
    assert [r["name"] for r in waiting] == ["Aoi Abe"]
    assert client.get(url + "?status=maybe", headers=bearer(door_token)).status_code == 422
    assert client.get(url, headers=bearer(door_token) | {}).status_code == 200
    assert client.post(url, json=OFFICIAL, headers=bearer(door_token)).status_code == 403
    assert client.get(f"{url}/1", headers=bearer(door_token)).status_code == 403
    assert client.get(url).status_code == 401


def test_cancel_promotes_the_first_waitlisted(client, organiser_token):
    event = factories.event(capacity=1)
    seated = factories.registration(event)
    first = factories.registration(event, status=Status.WAITLISTED)
    second = factories.registration(event, status=Status.WAITLISTED)
    response = client.post(f"/api/v1/events/{event.id}/registrations/{seated.id}/cancel",
                           headers=bearer(organiser_token))
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    db.session.expire_all()
    assert (first.status, second.status) == ("confirmed", "waitlisted")
    again = client.post(f"/api/v1/events/{event.id}/registrations/{seated.id}/cancel",
                        headers=bearer(organiser_token))
    assert again.status_code == 409
    other = factories.event(title="Other")
    assert client.post(f"/api/v1/events/{other.id}/registrations/{first.id}/cancel",
                       headers=bearer(organiser_token)).status_code == 404


def test_api_links_are_absolute_for_the_host_that_asked(live_server, organiser_token):
    event = factories.event()
    body = http.post(f"{live_server}/api/v1/events/{event.id}/registrations",
                     json=OFFICIAL | {"notify": False}, headers=bearer(organiser_token),
                     timeout=10).json()
    assert body["ticket_url"].startswith(live_server + "/r/")
    assert http.get(body["qr_png_url"], timeout=10).headers["Content-Type"] == "image/png"
    db.session.rollback()  # end the test's read snapshot, then look
    assert db.session.get(Registration, body["id"]).email == OFFICIAL["email"]
