"""The door scanner in Chromium: a fake camera showing a real ticket QR, a hand-held
scanner typing into the code field, and a name search by kana reading."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from eventapp.extensions import db
from eventapp.models import Registration, ScanLog
from eventapp.registration.tickets import qr_png
from tests import factories
from tests.browser.conftest import launch_with_fake_camera, login_as, make_y4m

DEDUPE_AND_MARGIN_MS = 15_000


def collect_errors(page) -> list[str]:
    """Script errors and console errors (a CSP violation, a missing static file)."""
    problems: list[str] = []

    def on_console(message):
        url = message.location.get("url", "")
        # Chromium logs every 4xx answer; the check-in API answers unknown codes with 404.
        expected = url.endswith("/favicon.ico") or url.endswith("/checkins")
        if message.type == "error" and not expected:
            problems.append(f"{message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.fixture
def door_and_guest(app):
    event = factories.event(title="Water Technology Seminar")
    guest = factories.registration(event, name="Aiko Tanaka", name_kana="たなか あいこ",
                                   organisation="Tanaka Water Works", country="KE")
    door = factories.staff("door@test.example", "door")
    return event, guest, door


def stored(reg) -> Registration:
    db.session.rollback()  # see tests/browser/conftest.py: no stale SQLite snapshot
    db.session.expire_all()
    return db.session.get(Registration, reg.id)


def scan_results(event) -> list[str]:
    db.session.rollback()
    return list(db.session.execute(
        db.select(ScanLog.result).where(ScanLog.event_id == event.id).order_by(ScanLog.id)
    ).scalars())


def test_the_camera_reads_a_ticket_and_dedupes_the_stream(playwright, live_server, tmp_path,
                                                          door_and_guest):
    event, guest, door = door_and_guest
    code = guest.checkin_code
    ticket = Image.open(io.BytesIO(qr_png(code)))
    video = make_y4m(ticket, tmp_path / "ticket.y4m")
    browser = launch_with_fake_camera(playwright, video)
    try:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
        context.set_default_timeout(10_000)
        page = context.new_page()
        problems = collect_errors(page)
        login_as(page, live_server, door)
        page.goto(f"{live_server}/manage/events/{event.id}/scanner")
        card = page.locator("#scan-result")
        expect(card).to_contain_text("Ready to scan")
        page.get_by_role("button", name="Start camera").click()
        expect(page.get_by_role("button", name="Stop camera")).to_be_visible()

        expect(card).to_have_class("result result-ok", timeout=DEDUPE_AND_MARGIN_MS)
        expect(card).to_contain_text("Checked in")
        expect(card).to_contain_text("Aiko Tanaka")
        expect(card).to_contain_text("Tanaka Water Works")
        expect(card).to_contain_text("Kenya")
        assert stored(guest).checked_in_at is not None

        # The code stays in front of the camera: within the dedupe window nothing is
        # sent again; after it, the next read is answered "already checked in".
        expect(card).to_have_class("result result-warn", timeout=DEDUPE_AND_MARGIN_MS)
        expect(card).to_contain_text("Already checked in at")
        expect(card).to_contain_text("by Door")
        results = scan_results(event)
        assert results[0] == "checked_in"
        assert set(results[1:]) == {"already_checked_in"}
        assert 1 <= len(results) - 1 <= 3  # re-sent once per window, not once per frame
        assert problems == []
    finally:
        browser.close()


def test_a_hand_held_scanner_types_into_the_focused_code_field(page, live_server,
                                                               door_and_guest):
    event, guest, door = door_and_guest
    problems = collect_errors(page)
    login_as(page, live_server, door)
    page.goto(f"{live_server}/manage/events/{event.id}/scanner")
    expect(page.locator("#wedge-code")).to_be_focused()

    # A keyboard wedge types wherever the focus is, then presses Enter.
    page.keyboard.type(guest.checkin_code.lower())
    page.keyboard.press("Enter")
    card = page.locator("#scan-result")
    expect(card).to_have_class("result result-ok")
    expect(card).to_contain_text("Aiko Tanaka")
    expect(page.locator("#wedge-code")).to_be_focused()
    expect(page.locator("#wedge-code")).to_have_value("")
    expect(page.locator("[data-stat=checked_in]")).to_have_text("1")

    # The second scan of the same code: amber, with when and by whom.
    page.keyboard.type(guest.checkin_code)
    page.keyboard.press("Enter")
    expect(card).to_have_class("result result-warn")
    expect(card).to_contain_text("Already checked in at")

    # A mistaken check-in is undone from the card, which then goes back to ready.
    card.get_by_role("button", name="Undo check-in").click()
    expect(card).to_contain_text("Check-in undone")
    assert stored(guest).checked_in_at is None
    expect(card).to_contain_text("Ready to scan", timeout=6_000)
    expect(page.locator("#wedge-code")).to_be_focused()

    page.keyboard.type("NOT-A-TICKET")
    page.keyboard.press("Enter")
    expect(card).to_have_class("result result-bad")
    expect(card).to_contain_text("Unknown code")
    assert problems == []


def test_a_lost_code_is_found_by_the_kana_reading(page, live_server, door_and_guest):
    event, guest, door = door_and_guest
    factories.registration(event, name="Kenji Sato", name_kana="さとう けんじ")
    problems = collect_errors(page)
    login_as(page, live_server, door)
    page.goto(f"{live_server}/manage/events/{event.id}/scanner")

    page.get_by_placeholder("Name, reading (kana), organisation or e-mail").fill("たなか")
    results = page.locator("#search-results .search-item")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Aiko Tanaka")
    expect(results.first).to_contain_text("たなか あいこ")
    results.first.get_by_role("button", name="Check in").click()

    card = page.locator("#scan-result")
    expect(card).to_have_class("result result-ok")
    expect(card).to_contain_text("Checked in")
    expect(card).to_contain_text("Aiko Tanaka")
    # The list is refreshed: the person now shows as checked in, with an undo button.
    expect(results.first.get_by_role("button", name="Undo check-in")).to_be_visible()
    assert stored(guest).checked_in_at is not None
    db.session.rollback()
    assert db.session.execute(
        db.select(ScanLog.method).where(ScanLog.registration_id == guest.id)
    ).scalar_one() == "search"
    assert problems == []


def test_recent_scans_show_the_event_clock_and_survive_a_reload(new_page, live_server,
                                                                 door_and_guest):
    """A phone set to New York time at a Tokyo event: the card and "Recent scans" both
    say the Tokyo time, and the list is still there after a reload."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    event, guest, door = door_and_guest
    page = new_page(timezone_id="America/New_York")
    problems = collect_errors(page)
    login_as(page, live_server, door)
    page.goto(f"{live_server}/manage/events/{event.id}/scanner")
    expect(page.locator("#recent")).to_be_hidden()
    page.keyboard.type(guest.checkin_code)
    page.keyboard.press("Enter")
    expect(page.locator("#scan-result")).to_have_class("result result-ok")

    at = stored(guest).checked_in_at.astimezone(ZoneInfo("Asia/Tokyo"))
    tokyo = {f"{at:%H:%M}", f"{at + timedelta(minutes=1):%H:%M}"}  # the Date header's second
    recent = page.locator("#recent-list .recent-item")
    expect(recent).to_have_count(1)
    shown = recent.first.locator(".recent-time").inner_text()
    assert shown in tokyo, (shown, tokyo)
    device = page.evaluate("new Date().toLocaleTimeString('en-US', {hour: '2-digit', "
                           "minute: '2-digit'})")
    assert shown != device

    page.reload()
    recent = page.locator("#recent-list .recent-item")
    expect(recent).to_have_count(1)
    expect(recent.first).to_contain_text("Aiko Tanaka")
    assert recent.first.locator(".recent-time").inner_text() == f"{at:%H:%M}"
    # Undo from the reloaded list (a plain form), then a new scan goes on top of it.
    recent.first.get_by_role("button", name="Undo check-in").click()
    assert stored(guest).checked_in_at is None
    expect(page.locator("#recent-list .recent-item").first).to_contain_text("Check-in undone")
    assert problems == []


def test_a_walk_in_ends_on_the_result_card_with_undo(page, live_server, door_and_guest):
    event, _guest, door = door_and_guest
    login_as(page, live_server, door)
    page.goto(f"{live_server}/manage/events/{event.id}/scanner")
    page.locator("#walk-in summary").click()
    page.locator("#walkin-name").fill("Kenji Sato")
    page.locator("#walkin-email").fill("kenji@example.org")
    page.locator("#walkin-organisation").fill("Sato Medical")
    page.locator("#walk-in button[type=submit]").click()
    card = page.locator("#scan-result")
    expect(card).to_have_class("result result-ok")
    expect(card).to_contain_text("Kenji Sato")
    expect(card.get_by_role("button", name="Undo check-in")).to_be_visible()
    expect(page.locator("#recent-list")).to_contain_text("Kenji Sato")
