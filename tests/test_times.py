"""One way to show time (timefmt.py): the event's zone, named where it is not the
office's, the reader's language, no seconds, dates nobody misreads."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from eventapp.extensions import db
from eventapp.models import Registration, StaffUser
from tests import factories

# 13:30 in Tokyo on 7 December 2026 (04:30 UTC); 05:30 in Berlin.
MOMENT = datetime(2026, 12, 7, 4, 30, tzinfo=UTC)
STARTS = datetime(2027, 6, 9, 4, 30, tzinfo=UTC)  # 13:30 in Tokyo

# What nobody should see: a numeric date that reads two ways, or seconds.
AMBIGUOUS = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2}\b")
SECONDS = re.compile(r"\d:\d\d:\d\d|\d+時\d+分\d+秒")


def seminar(**extra):
    data = {"starts_at": STARTS, "ends_at": STARTS + timedelta(hours=4),
            "networking": {"starts_at": STARTS + timedelta(hours=2), "slot_minutes": 15,
                           "slots": 4, "tables": 5, "max_meetings_per_person": 3}}
    return factories.event(**(data | extra))


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang, when", [("en", "Dec 7, 2026, 13:30"),
                                        ("ja", "2026年12月7日 13:30")])
def test_the_desk_shows_dates_that_read_one_way(organiser_client, lang, when):
    event = seminar()
    reg = factories.registration(event, name="Aoi Nakamura")
    reg.created_at = reg.checked_in_at = MOMENT
    db.session.commit()
    html = page(organiser_client, f"/manage/events/{event.id}/registrations/{reg.id}?lang={lang}")
    assert when in html
    listing = page(organiser_client, f"/manage/events/{event.id}/registrations?lang={lang}")
    for text in (html, listing):
        assert not AMBIGUOUS.search(text) and not SECONDS.search(text)


@pytest.mark.parametrize("lang, when", [("en", "Jun 9, 2027, 13:30"),
                                        ("ja", "2027年6月9日 13:30")])
def test_headings_show_no_seconds(client, door_client, organiser_client, lang, when):
    event = seminar()
    signup = page(client, f"/e/{event.slug}/register/company?lang={lang}")
    walk_in = page(door_client, f"/manage/events/{event.id}/walk-in?lang={lang}")
    events = page(organiser_client, f"/manage/events?lang={lang}")
    for html in (signup, walk_in, events):
        assert when in html
        assert not SECONDS.search(html) and not AMBIGUOUS.search(html)


@pytest.mark.parametrize("lang, when", [("en", "Dec 7, 2026, 13:30"),
                                        ("ja", "2026年12月7日 13:30")])
def test_staff_and_token_pages_show_the_office_clock_not_utc(
        organiser_client, organiser, organiser_token, lang, when):
    organiser = db.session.get(StaffUser, organiser.id)
    organiser.last_login_at = MOMENT
    for token in organiser.tokens:
        token.created_at = MOMENT
    db.session.commit()
    for url in ("/staff", "/tokens"):
        html = page(organiser_client, f"{url}?lang={lang}")
        assert when in html and "4:30" not in html and not AMBIGUOUS.search(html)


def test_an_event_elsewhere_names_its_zone(client, door_client):
    event = seminar(timezone="Europe/Berlin")
    reg = factories.registration(event, name="Lena Vogel")
    reg.checked_in_at = MOMENT
    db.session.commit()
    public = page(client, f"/e/{event.slug}")
    assert "06:30–10:30 CEST" in public  # 04:30 UTC in June is 06:30 in Berlin
    assert "(Europe/Berlin)" not in public
    scanner = page(door_client, f"/manage/events/{event.id}/scanner?q=Vogel")
    assert "checked in 05:30 CET" in scanner
    # The office's own zone goes unnamed.
    tokyo = seminar(title="In Tokyo")
    assert "13:30–17:30" in page(client, f"/e/{tokyo.slug}")
    assert "JST" not in page(client, f"/e/{tokyo.slug}")


def test_the_scanner_card_and_its_recent_scans_tell_the_same_time(door_client):
    event = seminar()
    reg = factories.registration(event, name="Kenji Sato")
    reg.checked_in_at = MOMENT
    db.session.commit()
    html = door_client.post(f"/manage/events/{event.id}/scanner",
                            data={"code": reg.checkin_code}).get_data(as_text=True)
    assert "Already checked in at 13:30" in html
    scanner = door_client.get(f"/manage/events/{event.id}/scanner").get_data(as_text=True)
    root = re.search(r'<div class="scanner" id="scanner"(.*?)>', scanner, re.S).group(1)
    # scanner.js puts the server's clock on the event's: Tokyo is 540 minutes ahead.
    assert 'data-utc-offset="540"' in root and 'data-zone-name=""' in root


def test_e_mails_show_the_day_and_times_without_the_zone_id(client, app):
    from tests.mailbox import messages_to, text_of

    event = seminar()
    client.post(f"/e/{event.slug}/register/company?lang=ja", data={
        "name": "佐藤 健一", "email": "kenichi@example.jp", "country": "JP", "language": "ja",
        "consent_privacy": "y"})
    [message] = messages_to(app, "kenichi@example.jp")
    body = text_of(message)
    assert "2027年6月9日水曜日 · 13:30–17:30" in body and "Asia/Tokyo" not in body
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(Registration.id))).scalar_one() == 1
