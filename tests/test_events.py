"""Events: organiser pages, the public page and API v1."""

from eventapp.extensions import db
from eventapp.models import Event
from tests import factories
from tests.conftest import bearer

EVENT_JSON = {
    "title": "Brokerage Day", "starts_at": "2027-03-10T09:00:00+09:00",
    "ends_at": "2027-03-10T17:00:00+09:00", "timezone": "Asia/Tokyo",
    "venue": "Hall B", "capacity": 120,
    "networking": {"starts_at": "2027-03-10T14:00:00+09:00", "slot_minutes": 20, "slots": 8,
                   "tables": 30, "max_meetings_per_person": 5},
}


def test_api_requires_a_valid_token(client):
    assert client.get("/api/v1/events").status_code == 401
    response = client.get("/api/v1/events", headers=bearer("ev_not-a-token"))
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert client.get("/api/v1/events", headers={"Authorization": "Basic abc"}).status_code == 401


def test_organiser_creates_an_event_through_the_api(client, organiser_token, door_token):
    response = client.post("/api/v1/events", json=EVENT_JSON, headers=bearer(organiser_token))
    assert response.status_code == 201
    body = response.get_json()
    assert body["title"] == "Brokerage Day" and body["capacity"] == 120
    assert body["starts_at"] == "2027-03-10T09:00:00+09:00"
    assert [c["code"] for c in body["categories"]] == ["company", "embassy", "organiser", "guest"]
    assert not any(c["requires_approval"] for c in body["categories"])
    assert len(body["technology_areas"]) >= 8
    assert body["networking"]["slots"] == 8 and body["networking"]["tables"] == 30
    listed = client.get("/api/v1/events", headers=bearer(door_token)).get_json()
    assert listed == [{k: body[k] for k in ("id", "slug", "title", "starts_at", "ends_at",
                                            "capacity")}]
    one = client.get(f"/api/v1/events/{body['id']}", headers=bearer(door_token)).get_json()
    assert one["categories"][1] == {"code": "embassy", "name": "Embassy official",
                                    "networking_side": "need", "requires_approval": False}


def test_event_api_answers_422_with_fields(client, organiser_token):
    bad = dict(EVENT_JSON, title="", capacity=-1, ends_at="2027-03-09T09:00:00+09:00")
    response = client.post("/api/v1/events", json=bad, headers=bearer(organiser_token))
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert set(fields) >= {"title", "capacity"}
    response = client.post("/api/v1/events", json=dict(EVENT_JSON, starts_at="tomorrow"),
                           headers=bearer(organiser_token))
    assert response.get_json()["fields"]["starts_at"].startswith("Must be an ISO 8601")
    response = client.post("/api/v1/events", data="not json", headers=bearer(organiser_token))
    assert response.status_code == 400 and response.get_json()["error"] == "bad_request"
    assert client.get("/api/v1/events/999", headers=bearer(organiser_token)).status_code == 404
    assert db.session.execute(db.select(db.func.count(Event.id))).scalar_one() == 0


def test_api_lists_page_with_limit_and_offset(client, organiser_token):
    for n in range(3):
        factories.event(title=f"Event {n}")
    headers = bearer(organiser_token)
    assert len(client.get("/api/v1/events?limit=2", headers=headers).get_json()) == 2
    assert len(client.get("/api/v1/events?offset=2", headers=headers).get_json()) == 1
    assert client.get("/api/v1/events?limit=x", headers=headers).status_code == 422


def test_openapi_describes_every_api_route(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    described = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in described, f"{method} {path} is not in openapi.json"


def test_organiser_creates_and_edits_an_event_through_the_pages(organiser_client):
    form = {"title": "Water Technology Seminar", "description": "Talks.", "venue": "Room 3",
            "timezone": "Asia/Tokyo", "starts_at": "2027-05-01T10:00",
            "ends_at": "2027-05-01T16:00", "capacity": "40", "listed": "y",
            "agenda": "10:00-10:10 | Opening | Chair\n10:10-11:00 | Keynote",
            "technology_areas": "water | Water purification | 浄水\nsolar | Solar power",
            "networking_enabled": "y", "networking_starts_at": "2027-05-01T14:00",
            "networking_slot_minutes": "15", "networking_slots": "6", "networking_tables": "8",
            "networking_max_meetings": "4"}
    response = organiser_client.post("/manage/events/new", data=form)
    assert response.status_code == 302
    event = db.session.execute(db.select(Event)).scalar_one()
    assert event.starts_at.isoformat() == "2027-05-01T01:00:00+00:00"
    assert [a.title for a in event.agenda_items] == ["Opening", "Keynote"]
    assert [t.code for t in event.technology_areas] == ["water", "solar"]
    assert event.networking_tables == 8
    public = organiser_client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "Water Technology Seminar" in public and "Keynote" in public
    response = organiser_client.post(f"/manage/events/{event.id}/edit",
                                     data=dict(form, capacity="55", networking_enabled=""))
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.capacity == 55 and not event.has_networking


def test_bad_event_form_keeps_what_was_typed_and_says_why(organiser_client):
    form = {"title": "Keep me", "timezone": "Asia/Tokyo", "starts_at": "2027-05-01T10:00",
            "ends_at": "2027-04-01T16:00", "capacity": "40",
            "agenda": "lunch at noon", "technology_areas": "water | Water"}
    response = organiser_client.post("/manage/events/new", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The event must end after it starts." in html
    assert 'value="Keep me"' in html and "lunch at noon" in html
    assert db.session.execute(db.select(db.func.count(Event.id))).scalar_one() == 0


def test_a_japanese_event_form_says_what_is_wrong_in_japanese(organiser_client):
    organiser_client.post("/language/ja", data={"next": "/"})
    form = {"title": "日本語のイベント", "timezone": "Asia/Tokyo", "starts_at": "2027-05-01T10:00",
            "ends_at": "2027-04-01T16:00", "capacity": "40",
            "agenda": "昼食", "technology_areas": "water | Water"}
    html = organiser_client.post("/manage/events/new", data=form).get_data(as_text=True)
    assert "終了日時は開始日時より後にしてください。" in html
    assert "The event must end after it starts." not in html


def test_categories_can_be_added_and_changed(organiser_client):
    event = factories.event()
    response = organiser_client.post(f"/manage/events/{event.id}/categories", data={
        "new-code": "press", "new-name": "Press", "new-networking_side": "none",
        "new-requires_approval": "y", "new-public": "y", "new-fields": ["job_title"]})
    assert response.status_code == 302
    embassy = next(c for c in event.categories if c.code == "embassy")
    response = organiser_client.post(
        f"/manage/events/{event.id}/categories/{embassy.id}",
        data={f"c{embassy.id}-name": "Embassy official", f"c{embassy.id}-networking_side": "need",
              f"c{embassy.id}-requires_approval": "y", f"c{embassy.id}-public": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    codes = {c.code: c for c in db.session.get(Event, event.id).categories}
    assert codes["press"].requires_approval and codes["embassy"].requires_approval
    duplicate = organiser_client.post(f"/manage/events/{event.id}/categories", data={
        "new-code": "press", "new-name": "Again", "new-networking_side": "none"})
    assert "already has a category" in duplicate.get_data(as_text=True)


def test_home_lists_upcoming_events_and_speaks_japanese(client):
    factories.event(title="Upcoming Seminar")
    assert "Upcoming Seminar" in client.get("/").get_data(as_text=True)
    client.post("/language/ja", data={"next": "/"})
    html = client.get("/").get_data(as_text=True)
    assert 'lang="ja"' in html


def test_unknown_pages_get_the_apps_404(client):
    response = client.get("/e/nothing-here")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_categories_are_reordered_and_deleted_while_unused(organiser_client):
    event = factories.event()
    codes = lambda: [c.code for c in db.session.get(Event, event.id).categories]  # noqa: E731
    assert codes() == ["company", "embassy", "organiser", "guest"]
    guest = next(c for c in event.categories if c.code == "guest")
    base = f"/manage/events/{event.id}/categories/{guest.id}"
    assert organiser_client.post(f"{base}/up").status_code == 302
    db.session.expire_all()
    assert codes() == ["company", "embassy", "guest", "organiser"]
    factories.registration(event, "guest")
    response = organiser_client.post(f"{base}/delete", follow_redirects=True)
    assert "1 registration is in this category: it cannot be deleted." in \
        response.get_data(as_text=True)
    db.session.expire_all()
    assert "guest" in codes()
    organiser = next(c for c in db.session.get(Event, event.id).categories
                     if c.code == "organiser")
    response = organiser_client.post(
        f"/manage/events/{event.id}/categories/{organiser.id}/delete", follow_redirects=True)
    assert "Category Organiser deleted." in response.get_data(as_text=True)
    db.session.expire_all()
    assert codes() == ["company", "embassy", "guest"]
    page = organiser_client.get(f"/manage/events/{event.id}/categories").get_data(as_text=True)
    assert "Move up" in page and "Delete" in page
