"""Event content in English and Japanese: pages, e-mails and calendar files in the
reader's language (falling back to the other), the API's translations, and readable
addresses (romanised Japanese titles, organiser-chosen slugs, old slugs redirecting)."""

import re
from datetime import UTC, datetime, timedelta

from flask_migrate import upgrade
from icalendar import Calendar
from sqlalchemy import text

from eventapp import create_app
from eventapp.events import agenda
from eventapp.extensions import db
from eventapp.models import Event
from tests import factories
from tests.conftest import bearer, make_test_config

JA = {"Accept-Language": "ja"}
EN = {"Accept-Language": "en"}
EVENT_JSON = {
    "title": "Water Seminar", "starts_at": "2027-03-10T09:00:00+09:00",
    "ends_at": "2027-03-10T17:00:00+09:00", "timezone": "Asia/Tokyo",
    "venue": "Hall B", "capacity": 120,
}


def bilingual_event(**extra):
    """English title, description and agenda with Japanese beside them; the venue and
    one agenda item in English only, to show the fallback."""
    event = factories.event(
        title="Water Seminar", description="First paragraph.\n\nSecond paragraph.",
        venue="Room 1",
        translations={"ja": {"title": "浄水セミナー",
                             "description": "最初の段落です。\n\n二つ目の段落です。"}},
        **extra)
    english = agenda.parse_agenda_lines(event, "10:00-10:15 | Opening remarks | Head of Office\n"
                                               "10:15-11:00 | Keynote")
    japanese = agenda.parse_agenda_lines(event, "10:00-10:15 | 開会挨拶 | 所長")
    agenda.set_agenda(event, agenda.bilingual_agenda(english, japanese))
    db.session.commit()
    return event


def test_the_japanese_ui_shows_japanese_content_and_english_where_none(client):
    event = bilingual_event()
    html = client.get(f"/e/{event.slug}", headers=JA).get_data(as_text=True)
    assert "<h1>浄水セミナー</h1>" in html and "Water Seminar" not in html
    assert re.search(r"<p[^>]*>最初の段落です。</p>\s*<p[^>]*>二つ目の段落です。</p>", html)
    assert "First paragraph." not in html
    assert "開会挨拶" in html and "所長" in html and "Opening remarks" not in html
    assert "Keynote" in html  # no Japanese for this item: the English one
    assert "Room 1" in html  # no Japanese venue: the English one
    assert "浄水" in html and "Water purification" not in html  # technology areas
    signup = client.get(f"/e/{event.slug}/register", headers=JA).get_data(as_text=True)
    assert "浄水セミナー" in signup and "企業代表者" in signup
    assert "浄水セミナー" in client.get("/", headers=JA).get_data(as_text=True)


def test_the_english_ui_shows_english_content(client):
    event = bilingual_event()
    html = client.get(f"/e/{event.slug}", headers=EN).get_data(as_text=True)
    assert "<h1>Water Seminar</h1>" in html and "浄水セミナー" not in html
    assert re.search(r"<p[^>]*>First paragraph.</p>\s*<p[^>]*>Second paragraph.</p>", html)
    assert "Opening remarks" in html and "開会挨拶" not in html
    assert "Water purification" in html


def test_a_japanese_only_event_made_on_the_form_gets_a_romanised_address(organiser_client):
    form = {"title_ja": "技術移転セミナー", "description_ja": "日本の技術を紹介します。",
            "venue_ja": "東京会議室", "timezone": "Asia/Tokyo",
            "starts_at": "2027-05-01T10:00", "ends_at": "2027-05-01T16:00", "capacity": "40",
            "listed": "y", "agenda_ja": "10:00-10:30 | 開会挨拶 | 所長",
            "technology_areas": "water | Water purification | 浄水"}
    assert organiser_client.post("/manage/events/new", data=form).status_code == 302
    event = db.session.execute(db.select(Event)).scalar_one()
    assert event.slug == "gijutsu-iten-semina"
    assert event.title == "" and event.title_ja == "技術移転セミナー"
    # An English reader sees the Japanese content rather than nothing.
    organiser_client.post("/language/en", data={"next": "/"})
    html = organiser_client.get("/e/gijutsu-iten-semina").get_data(as_text=True)
    assert "<h1>技術移転セミナー</h1>" in html and "東京会議室" in html
    assert "日本の技術を紹介します。" in html and "開会挨拶" in html
    assert "技術移転セミナー" in organiser_client.get("/").get_data(as_text=True)
    # A second event of the same title gets an address of its own.
    organiser_client.post("/manage/events/new", data=form)
    slugs = db.session.execute(db.select(Event.slug).order_by(Event.id)).scalars().all()
    assert slugs == ["gijutsu-iten-semina", "gijutsu-iten-semina-2"]


def test_the_event_form_edits_both_languages_side_by_side(organiser_client):
    event = bilingual_event()
    page = organiser_client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    for name in ("title", "title_ja", "description", "description_ja", "venue", "venue_ja",
                 "agenda", "agenda_ja", "slug"):
        assert f'name="{name}"' in page
    assert "浄水セミナー" in page and "10:00-10:15 | 開会挨拶 | 所長" in page
    form = {"title": "Water Seminar", "title_ja": "浄水セミナー", "venue": "Room 1",
            "venue_ja": "第1会議室", "slug": "water-2027", "timezone": "Asia/Tokyo",
            "starts_at": "2027-05-01T10:00", "ends_at": "2027-05-01T16:00", "capacity": "40",
            "agenda": "10:00-10:15 | Opening remarks\n11:00-12:00 | Panel",
            "agenda_ja": "10:00-10:15 | 開会挨拶\n11:00-12:00 | パネル討論",
            "technology_areas": "water | Water purification | 浄水"}
    response = organiser_client.post(f"/manage/events/{event.id}/edit", data=form)
    assert response.status_code == 302
    db.session.refresh(event)
    assert event.slug == "water-2027" and event.venue_ja == "第1会議室"
    assert [(a.title, a.title_ja) for a in event.agenda_items] == [
        ("Opening remarks", "開会挨拶"), ("Panel", "パネル討論")]
    html = organiser_client.get("/e/water-2027", headers=JA).get_data(as_text=True)
    assert "第1会議室" in html and "パネル討論" in html


def test_a_bad_or_taken_address_is_refused_at_its_field(organiser_client):
    taken = factories.event(title="Other Seminar")
    event = bilingual_event()
    form = {"title": "Water Seminar", "timezone": "Asia/Tokyo",
            "starts_at": "2027-05-01T10:00", "ends_at": "2027-05-01T16:00", "capacity": "40",
            "technology_areas": "water | Water purification"}
    html = organiser_client.post(f"/manage/events/{event.id}/edit",
                                 data=dict(form, slug="Water Seminar!")).get_data(as_text=True)
    assert re.search(r'id="slug-error">Use lower-case letters a-z, digits and single hyphens',
                     html)
    html = organiser_client.post(f"/manage/events/{event.id}/edit",
                                 data=dict(form, slug=taken.slug)).get_data(as_text=True)
    assert "Another event already has this address" in html
    organiser_client.post("/language/ja", data={"next": "/"})
    html = organiser_client.post(f"/manage/events/{event.id}/edit",
                                 data=dict(form, slug="Bad Slug")).get_data(as_text=True)
    assert re.search(r'id="slug-error">[^<]*小文字', html)
    db.session.refresh(event)
    assert event.slug == "water-seminar"


def test_the_api_creates_and_changes_translations_and_the_address(client, organiser_token):
    headers = bearer(organiser_token)
    body = dict(EVENT_JSON, slug="water-2027",
                translations={"ja": {"title": "浄水セミナー", "venue": "ホールB"}})
    response = client.post("/api/v1/events", json=body, headers=headers)
    assert response.status_code == 201
    created = response.get_json()
    assert created["slug"] == "water-2027" and created["title"] == "Water Seminar"
    assert created["translations"] == {"ja": {"title": "浄水セミナー", "description": "",
                                              "venue": "ホールB"}}
    assert "<h1>浄水セミナー</h1>" in client.get("/e/water-2027", headers=JA).get_data(
        as_text=True)

    changed = client.patch(f"/api/v1/events/{created['id']}", headers=headers, json={
        "slug": "water-seminar-2027", "capacity": 80,
        "translations": {"ja": {"description": "浄水技術の紹介。"}}})
    assert changed.status_code == 200
    after = changed.get_json()
    assert after["slug"] == "water-seminar-2027" and after["capacity"] == 80
    assert after["title"] == "Water Seminar" and after["venue"] == "Hall B"
    assert after["translations"]["ja"] == {"title": "浄水セミナー", "description": "浄水技術の紹介。",
                                           "venue": "ホールB"}
    assert after["starts_at"] == "2027-03-10T09:00:00+09:00"
    one = client.get(f"/api/v1/events/{created['id']}", headers=headers).get_json()
    assert one == after


def test_an_old_address_redirects_to_the_current_one(client, organiser_token):
    event = bilingual_event()
    old = event.slug
    response = client.patch(f"/api/v1/events/{event.id}", json={"slug": "water-2027"},
                            headers=bearer(organiser_token))
    assert response.status_code == 200
    moved = client.get(f"/e/{old}")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/e/water-2027")
    moved = client.get(f"/e/{old}/register?lang=ja")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/e/water-2027/register?lang=ja")
    assert client.get("/e/water-2027").status_code == 200
    # Changed again, and back: every earlier address still leads to the event.
    client.patch(f"/api/v1/events/{event.id}", json={"slug": "water-2028"},
                 headers=bearer(organiser_token))
    assert client.get("/e/water-2027").headers["Location"].endswith("/e/water-2028")
    assert client.get(f"/e/{old}").headers["Location"].endswith("/e/water-2028")
    client.patch(f"/api/v1/events/{event.id}", json={"slug": old},
                 headers=bearer(organiser_token))
    assert client.get(f"/e/{old}").status_code == 200
    assert client.get("/e/water-2028").headers["Location"].endswith(f"/e/{old}")
    assert client.get(f"/e/{old}x?slug=x").status_code == 404
    assert client.get("/e/water-2027?slug=x").headers["Location"].endswith(f"/e/{old}?slug=x")
    assert client.get("/e/never-was").status_code == 404


def test_a_japanese_only_title_through_the_api_gets_a_romanised_address(client,
                                                                        organiser_token):
    body = dict(EVENT_JSON, title="", venue="", translations={"ja": {"title": "技術移転セミナー"}})
    response = client.post("/api/v1/events", json=body, headers=bearer(organiser_token))
    assert response.status_code == 201
    assert response.get_json()["slug"] == "gijutsu-iten-semina"
    assert response.get_json()["title"] == "技術移転セミナー"  # no English: the Japanese
    listed = client.get("/api/v1/events", headers=bearer(organiser_token)).get_json()
    assert listed[0]["title"] == "技術移転セミナー"


def test_the_api_refuses_a_bad_or_taken_slug_and_a_missing_title(client, organiser_token):
    headers = bearer(organiser_token)
    first = client.post("/api/v1/events", json=EVENT_JSON, headers=headers).get_json()
    for slug in ("Water Seminar", "water--seminar", "-water", "x" * 81, ""):
        response = client.post("/api/v1/events", json=dict(EVENT_JSON, slug=slug),
                               headers=headers)
        assert response.status_code == 422, slug
        assert set(response.get_json()["fields"]) == {"slug"}
    response = client.post("/api/v1/events", json=dict(EVENT_JSON, slug=first["slug"]),
                           headers=headers)
    assert response.status_code == 422
    assert "Another event already has this address" in response.get_json()["fields"]["slug"]
    second = client.post("/api/v1/events", json=dict(EVENT_JSON, slug="second"),
                         headers=headers).get_json()
    client.patch(f"/api/v1/events/{first['id']}", json={"slug": "first-renamed"},
                 headers=headers)
    # The first event's old address still leads to it, so no one else may take it.
    response = client.patch(f"/api/v1/events/{second['id']}", json={"slug": first["slug"]},
                            headers=dict(headers, **JA))
    assert response.status_code == 422
    assert "別のイベント" in response.get_json()["fields"]["slug"]
    response = client.post("/api/v1/events", headers=headers, json=dict(
        EVENT_JSON, title="", capacity=-1, translations={"ja": {"venue": "x" * 301}}))
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"title", "capacity",
                                                  "translations.ja.venue"}
    response = client.patch(f"/api/v1/events/{second['id']}", headers=headers,
                            json={"title": ""})
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"title"}


def test_emails_come_in_the_registrations_language_with_its_content(smtp_inbox, client):
    event = bilingual_event()
    event.venue_ja = "第1会議室"
    db.session.commit()
    for email, language in (("hanako@example.jp", "ja"), ("emma@example.org", "en")):
        response = client.post(f"/e/{event.slug}/register/guest", headers=EN, data={
            "name": "Reader", "email": email, "language": language, "country": "JP",
            "consent_privacy": "y"})
        assert response.status_code == 302
    by_address = {recipients[0]: message for recipients, message in smtp_inbox.messages}
    ja, en = by_address["hanako@example.jp"], by_address["emma@example.org"]
    assert "浄水セミナー" in ja["Subject"] and "Water Seminar" not in ja["Subject"]
    text = ja.get_body(preferencelist=("plain",)).get_content()
    assert "浄水セミナー" in text and "第1会議室" in text and "Room 1" not in text
    assert "浄水セミナー" in ja.get_body(preferencelist=("html",)).get_content()
    assert "Water Seminar" in en["Subject"] and "浄水セミナー" not in en["Subject"]
    text = en.get_body(preferencelist=("plain",)).get_content()
    assert "Water Seminar" in text and "Room 1" in text and "第1会議室" not in text


def test_an_english_reader_of_a_japanese_only_event_gets_japanese_in_the_email(smtp_inbox,
                                                                             client):
    event = factories.event(title="", venue="",
                            translations={"ja": {"title": "技術移転セミナー", "venue": "東京"}})
    client.post(f"/e/{event.slug}/register/guest", data={
        "name": "Emma", "email": "emma@example.org", "language": "en", "country": "DE",
        "consent_privacy": "y"})
    [(_recipients, message)] = smtp_inbox.messages
    assert "技術移転セミナー" in message["Subject"]
    assert "東京" in message.get_body(preferencelist=("plain",)).get_content()


def test_the_calendar_file_is_in_the_registrations_language(client):
    event = bilingual_event()
    event.venue_ja = "第1会議室"
    db.session.commit()
    ja = factories.registration(event, language="ja")
    en = factories.registration(event, language="en")
    calendar = Calendar.from_ical(client.get(f"/r/{ja.manage_token}/agenda.ics").data)
    assert calendar["x-wr-calname"] == "浄水セミナー"
    [main] = calendar.walk("VEVENT")
    assert main["summary"] == "浄水セミナー" and main["location"] == "第1会議室"
    calendar = Calendar.from_ical(client.get(f"/r/{en.manage_token}/agenda.ics").data)
    assert calendar["x-wr-calname"] == "Water Seminar"


def test_the_demo_seminar_reads_in_japanese(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    event = db.session.get(Event, int(result.output.strip().splitlines()[-1]))
    html = client.get(f"/e/{event.slug}", headers=JA).get_data(as_text=True)
    assert "セミナー＆ネットワーキング" in html and "国連ハウス" in html
    assert "開会挨拶" in html and "閉会挨拶" in html and "Opening remarks" not in html
    assert "ネットワーキングセッション" in html and "浄水" in html
    assert html.count('<p class="para">') == 2
    english = client.get(f"/e/{event.slug}", headers=EN).get_data(as_text=True)
    assert "Seminar &amp; Networking:" in english and "Opening remarks" in english


def test_the_migration_keeps_existing_content_as_english(empty_database_url, tmp_path):
    """An event and agenda item written before 0005: afterwards the English is as it was,
    the Japanese empty, and the page in either language shows the English."""
    app = create_app(make_test_config(empty_database_url, tmp_path),
                     instance_path=str(tmp_path / "instance"))
    with app.app_context():
        upgrade(revision="0003")
        moment = datetime(2027, 3, 10, 1, tzinfo=UTC)
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO events (id, slug, title, description, venue, starts_at, ends_at,"
                " timezone, capacity, listed, networking_slot_minutes, networking_slots,"
                " networking_tables, networking_max_meetings, created_at) VALUES (7, 'old', "
                "'Old Seminar', 'About it.', 'Hall A', :s, :e, 'Asia/Tokyo', 10, :t, 15, 6,"
                " 10, 4, :s)"), {"s": moment, "e": moment + timedelta(hours=2), "t": True})
            conn.execute(text(
                "INSERT INTO agenda_items (event_id, starts_at, title, speaker, position) "
                "VALUES (7, :s, 'Opening', 'Chair', 0)"), {"s": moment})
        upgrade()
        event = db.session.get(Event, 7)
        assert (event.title, event.description, event.venue) == (
            "Old Seminar", "About it.", "Hall A")
        assert (event.title_ja, event.description_ja, event.venue_ja) == ("", "", "")
        [item] = event.agenda_items
        assert (item.title, item.title_ja, item.speaker_ja) == ("Opening", "", "")
        client = app.test_client()
        for language in (JA, EN):
            html = client.get("/e/old", headers=language).get_data(as_text=True)
            assert "<h1>Old Seminar</h1>" in html and "Hall A" in html and "Opening" in html
        db.session.remove()
        db.engine.dispose()


def test_the_door_names_a_japanese_only_event_of_a_wrong_ticket(client, door_token):
    here = factories.event(title="Water Seminar")
    other = factories.event(title="", translations={"ja": {"title": "技術移転セミナー"}})
    reg = factories.registration(other)
    response = client.post(f"/api/v1/events/{here.id}/checkins", headers=bearer(door_token),
                           json={"code": reg.checkin_code})
    assert response.status_code == 409 and response.get_json()["result"] == "wrong_event"
    assert "技術移転セミナー" in response.get_json()["message"]
