"""Wording and flow: what people read and where each step ends (issue 15)."""

import re
import subprocess
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import Meeting, Registration, Status
from tests import factories
from tests.conftest import bearer
from tests.mailbox import messages_to, text_of

ROOT = Path(__file__).resolve().parent.parent


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}"[^>]*>(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


# -- the scanner: recent scans come from the scan log -----------------------------------

def test_recent_scans_survive_a_reload(door_client, door):
    event = factories.event()
    kenji = factories.registration(event, name="Kenji Sato")
    aoi = factories.registration(event, name="Aoi Nakamura", status=Status.CANCELLED)
    other_event = factories.registration(factories.event(title="Other"), name="Someone Else")
    url = f"/manage/events/{event.id}/scanner"
    for reg in (kenji, aoi, other_event):
        door_client.post(url, data={"code": reg.checkin_code})
    recent = section(page(door_client, url), "recent")
    names = re.findall(r"<strong>(.*?)</strong>", recent)
    assert names == ["Someone Else", "Aoi Nakamura", "Kenji Sato"]  # the latest first
    assert "Checked in" in recent and "Not admitted" in recent
    # Undo only where there is a check-in to undo; times on the event's clock.
    assert f"/scanner/undo/{kenji.id}" in recent and f"/scanner/undo/{aoi.id}" not in recent
    assert re.search(r'<span class="recent-time">\d\d:\d\d</span>', recent)
    ja = section(page(door_client, url + "?lang=ja"), "recent")
    assert "チェックイン済み" in ja or "チェックイン" in ja


# -- a cancelled ticket and its e-mail --------------------------------------------------

@pytest.mark.parametrize("lang, cancelled, again", [
    ("en", "This registration is cancelled", "Register again"),
    ("ja", "このお申し込みはキャンセルされています", "もう一度申し込む")])
def test_a_cancelled_ticket_says_so_and_offers_to_register_again(client, lang, cancelled,
                                                                    again):
    event = factories.event()
    reg = factories.registration(event, status=Status.CANCELLED)
    for url in (f"/r/{reg.manage_token}/ticket", f"/r/{reg.manage_token}"):
        html = page(client, f"{url}?lang={lang}")
        assert cancelled in html and again in html
        assert f'href="/e/{event.slug}/register"' in html
        assert "appears here once" not in html and "data-print" not in html
        assert "<svg" not in html and reg.checkin_code not in html


def test_a_ticket_of_an_event_closed_for_sign_ups_offers_no_way_back(client):
    event = factories.event(registration_closes_at=utcnow() - timedelta(days=1))
    reg = factories.registration(event, status=Status.CANCELLED)
    html = page(client, f"/r/{reg.manage_token}/ticket")
    assert "This registration is cancelled" in html and "Register again" not in html


@pytest.mark.parametrize("lang, offer, view", [
    ("en", "View, change or cancel your registration", "Your registration:"),
    ("ja", "ご登録内容の確認・変更・キャンセル", "ご登録内容:")])
def test_the_cancellation_e_mail_does_not_offer_to_cancel(client, app, lang, offer, view):
    event = factories.event()
    reg = factories.registration(event, language=lang, email=f"aoi-{lang}@example.org")
    assert client.post(f"/r/{reg.manage_token}/cancel").status_code == 302
    [message] = messages_to(app, reg.email)
    body = text_of(message)
    html = message.get_body(preferencelist=("html",)).get_content()
    assert offer not in body and offer not in html
    assert f"{view} http://localhost/r/{reg.manage_token}" in body


# -- the attendee's own pages -----------------------------------------------------------

@pytest.mark.parametrize("lang, label", [("en", "Phone"), ("ja", "電話番号")])
def test_your_details_show_the_phone(client, lang, label):
    reg = factories.registration(factories.event(), phone="+81 3 1234 5678")
    html = page(client, f"/r/{reg.manage_token}?lang={lang}")
    assert f"<dt>{label}</dt><dd>+81 3 1234 5678</dd>" in html


def _attendees(event):
    company = factories.registration(event, "company", name="Haruto Sato",
                                     technologies_offered=["water"], target_countries=["KE"],
                                     networking_opt_in=True)
    official = factories.registration(event, "embassy", name="Grace Wanjiru", country="KE",
                                      technology_needs=["water"], networking_opt_in=True)
    return company, official


@pytest.mark.parametrize("lang, meets, request_label", [
    ("en", "You meet at {time}, table 3.", "Request a meeting"),
    ("ja", "{time}に3番テーブルでお会いします。", "面談をリクエスト")])
def test_no_meeting_is_requested_with_someone_you_already_meet(client, lang, meets,
                                                               request_label):
    event = factories.event()
    company, official = _attendees(event)
    url = f"/r/{company.manage_token}/networking?lang={lang}"
    before = section(page(client, url), "contacts")
    assert "Grace Wanjiru" in before and request_label in before
    db.session.add(Meeting(event_id=event.id, a_id=min(company.id, official.id),
                           b_id=max(company.id, official.id), slot=1, table_number=3,
                           published=True))
    db.session.commit()
    contacts = section(page(client, url), "contacts")
    starts = (event.networking_starts_at + timedelta(minutes=15)).astimezone(
        ZoneInfo(event.timezone))
    assert meets.format(time=f"{starts:%H:%M}") in contacts
    assert request_label not in contacts


# -- the report -------------------------------------------------------------------------

@pytest.mark.parametrize("lang, nowhere", [("en", "No country given"), ("ja", "国の記入なし")])
def test_the_report_says_no_country_given(organiser_client, lang, nowhere):
    event = factories.event()
    factories.registration(event, country=None)
    html = page(organiser_client, f"/manage/events/{event.id}/report?lang={lang}")
    assert nowhere in html and "Unknown Region" not in html and "不明な地域" not in html


@pytest.mark.parametrize("lang, later", [
    ("en", "No-shows are counted once the event has started"),
    ("ja", "欠席者はイベントの開始後に数えます")])
def test_nobody_is_a_no_show_weeks_before_the_event(organiser_client, lang, later):
    event = factories.event(starts_at=utcnow() + timedelta(days=21),
                            ends_at=utcnow() + timedelta(days=21, hours=4))
    missing = factories.registration(event, name="Not Yet Here")
    report = page(organiser_client, f"/manage/events/{event.id}/report?lang={lang}")
    assert later in report and missing.name not in report
    live = organiser_client.get(f"/manage/events/{event.id}/report/live.json").get_json()
    assert live["no_shows"] is None
    printed = page(organiser_client, f"/manage/events/{event.id}/report/print?lang={lang}")
    assert re.search(r"(No-shows|欠席者?)</th><td>—</td>", printed)


@pytest.mark.parametrize("lang, sentence", [
    ("en", "2 check-ins so far, all between"), ("ja", "これまでのチェックイン2件は、すべて")])
def test_arrivals_in_one_quarter_hour_are_told_not_drawn(organiser_client, lang, sentence):
    event = factories.event()
    for reg in (factories.registration(event), factories.registration(event)):
        reg.checked_in_at = utcnow()
    db.session.commit()
    html = page(organiser_client, f"/manage/events/{event.id}/report?lang={lang}")
    assert sentence in html and 'id="chart-arrivals"' not in html


def test_the_networking_page_shows_no_unexplained_mean_score(client, organiser_client, runner,
                                                              organiser_token):
    result = runner.invoke(args=["demo"])
    event_id = int(result.output.strip().splitlines()[-1])
    assert client.post(f"/api/v1/events/{event_id}/networking/schedule",
                       headers=bearer(organiser_token), json={}).status_code == 200
    html = page(organiser_client, f"/manage/events/{event_id}/networking")
    assert 'id="metrics"' in html and "mean score" not in html


# -- Japanese copy ------------------------------------------------------------------------

def test_japanese_lists_are_joined_with_the_japanese_comma(client):
    event = factories.event()
    company = factories.registration(
        event, "company", technologies_offered=["water", "diagnostics"],
        target_countries=["KE", "GH"], networking_opt_in=True, language="ja")
    factories.registration(event, "embassy", name="Grace Wanjiru", country="KE",
                           technology_needs=["water", "diagnostics"], networking_opt_in=True)
    contacts = section(page(client, f"/r/{company.manage_token}/networking?lang=ja"),
                       "contacts")
    reasons = re.search(r'<p class="reasons">(.*?)</p>', contacts).group(1)
    assert "、" in reasons and ", " not in reasons
    details = page(client, f"/r/{company.manage_token}?lang=ja")
    assert "ケニア、ガーナ" in details
    english = page(client, f"/r/{company.manage_token}?lang=en")
    assert "Kenya, Ghana" in english


def test_japanese_sentences_have_no_space_after_the_full_stop(client, app):
    event = factories.event()
    client.post(f"/e/{event.slug}/register/company?lang=ja", data={
        "name": "佐藤 健一", "email": "kenichi@example.jp", "country": "JP", "language": "ja",
        "consent_privacy": "y"})
    [message] = messages_to(app, "kenichi@example.jp")
    assert "。 " not in text_of(message)
    catalogue = (ROOT / "eventapp/translations/ja/LC_MESSAGES/messages.po").read_text()
    msgstrs = re.findall(r'^msgstr(?:\[\d\])? "(.*)"$', catalogue, re.M)
    assert not [m for m in msgstrs if "。 " in m]


# -- every bad field in one answer ----------------------------------------------------------

@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_sign_up_form_marks_every_bad_field_at_once(client, lang):
    event = factories.event()
    response = client.post(f"/e/{event.slug}/register/company?lang={lang}", data={
        "name": "", "email": "not-an-address", "country": "XX", "language": lang,
        "consent_privacy": "y"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for name in ("name", "email", "country"):
        assert f'id="{name}-error"' in html, name


def test_the_api_names_every_bad_field_at_once(client, organiser_token):
    event = factories.event()
    answer = client.post(f"/api/v1/events/{event.id}/registrations", headers=bearer(
        organiser_token), json={"name": "", "email": "bad", "country": "XX",
                                "category": "nope", "technologies_offered": ["zz"]})
    assert answer.status_code == 422
    assert set(answer.get_json()["fields"]) == {"name", "email", "country", "category",
                                                "technologies_offered"}
    created = client.post("/api/v1/events", headers=bearer(organiser_token), json={
        "title": "T", "starts_at": "2027-01-02T10:00:00", "ends_at": "2027-01-01T00:00:00",
        "timezone": "Mars/Olympus", "capacity": -1})
    assert created.status_code == 422
    assert set(created.get_json()["fields"]) == {"capacity", "timezone", "ends_at"}
    ja = client.post(f"/api/v1/events/{event.id}/registrations", headers=bearer(
        organiser_token) | {"Accept-Language": "ja"}, json={"email": "bad", "country": "XX"})
    assert {"name", "email", "country", "category"} <= set(ja.get_json()["fields"])
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(Registration.id))).scalar_one() == 0


# -- links: the address the browser used; BASE_URL for mail -----------------------------------

def test_links_follow_the_address_the_browser_used(app, client, organiser_token):
    event = factories.event()
    answer = client.post(f"/api/v1/events/{event.id}/registrations",
                         base_url="http://127.0.0.1:8123", headers=bearer(organiser_token),
                         json={"name": "Aoi Nakamura", "email": "aoi@example.org",
                               "category": "company"})
    assert answer.status_code == 201
    assert answer.get_json()["ticket_url"].startswith("http://127.0.0.1:8123/r/")
    # The e-mail is sent by a background job: its links start with BASE_URL.
    [message] = messages_to(app, "aoi@example.org")
    assert "http://localhost/r/" in text_of(message) and "8123" not in text_of(message)


def test_make_run_takes_a_port():
    dry = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert "--listen=127.0.0.1:8123" in dry.stdout
    assert "http://127.0.0.1:8123/login" in dry.stdout


@pytest.mark.parametrize("lang, order", [
    ("en", "The event must end after it starts."),
    ("ja", "終了日時は開始日時より後にしてください。")])
def test_the_event_form_marks_every_bad_field_at_once(organiser_client, lang, order):
    organiser_client.post(f"/language/{lang}", data={"next": "/"})
    response = organiser_client.post("/manage/events/new", data={
        "title": "", "timezone": "Asia/Tokyo", "starts_at": "2027-05-01T10:00",
        "ends_at": "2027-04-01T16:00", "capacity": "40",
        "technology_areas": "water | Water\nno separator here"})
    html = response.get_data(as_text=True)
    assert 'id="title-error"' in html and order in html
    assert 'id="technology_areas-error"' in html
