"""The self check-in kiosk in Chromium: its fake camera shows a ticket's QR; the kiosk
checks the attendee in and sends their badge to print; a cancelled ticket is sent to
the desk with no data shown."""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from eventapp.models import Status
from eventapp.registration.tickets import qr_png
from tests import factories
from tests.browser.conftest import launch_with_fake_camera, login_as, make_y4m
from tests.browser.test_scanner_browser import collect_errors, scan_results, stored

CAMERA_MS = 15_000


@pytest.fixture
def seminar(app):
    event = factories.event(title="Water Technology Seminar")
    guest = factories.registration(event, name="Aiko Tanaka", name_kana="たなか あいこ",
                                   organisation="Tanaka Water Works", country="KE")
    cancelled = factories.registration(event, name="Kenji Cancelled", organisation="Gone Co",
                                       status=Status.CANCELLED)
    organiser = factories.staff("organiser@test.example", "organiser")
    return event, guest, cancelled, organiser


def open_kiosk(playwright, live_server, tmp_path, event, organiser, code):
    video = make_y4m(Image.open(io.BytesIO(qr_png(code))), tmp_path / f"{code}.y4m")
    # Headless Chromium has no print preview to show: without this switch the print()
    # the kiosk calls on the badge's frame crashes the page.
    browser = launch_with_fake_camera(playwright, video, args=["--disable-print-preview"])
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    login_as(page, live_server, organiser)
    page.goto(f"{live_server}/events/{event.id}/kiosk")
    page.fill("#pin", "2468")
    page.fill("#pin_again", "2468")
    with page.expect_navigation():
        page.get_by_role("button", name="Start the kiosk").click()
    return browser, page


def test_a_ticket_shown_to_the_kiosk_camera_checks_in_and_prints_the_badge(
        playwright, live_server, tmp_path, seminar):
    event, guest, _cancelled, organiser = seminar
    browser, page = open_kiosk(playwright, live_server, tmp_path, event, organiser,
                               guest.checkin_code)
    try:
        problems = collect_errors(page)
        answer = page.locator("#kiosk-answer")
        with page.expect_response(lambda r: "/kiosk/badge.pdf" in r.url,
                                  timeout=CAMERA_MS) as badge:
            expect(answer).to_contain_text("Welcome, Aiko Tanaka!", timeout=CAMERA_MS)
        assert badge.value.status == 200
        assert badge.value.headers["content-type"] == "application/pdf"
        expect(answer).to_have_class("kiosk-answer result result-ok")
        frame_src = page.locator("#kiosk-print").get_attribute("src")
        assert frame_src.startswith(f"/events/{event.id}/kiosk/badge.pdf")
        assert stored(guest).checked_in_at is not None
        # The ticket stays in front of the camera: it is not sent again (to be refused
        # as checked in already), and the kiosk goes back to "ready" for the next one.
        expect(answer).to_have_class("kiosk-answer result result-idle", timeout=CAMERA_MS)
        expect(answer).to_contain_text("Scan the QR code of your ticket.")
        assert scan_results(event) == ["checked_in"]
        # Other pages lead back to the kiosk.
        page.goto(f"{live_server}/manage/events/{event.id}/scanner")
        assert page.url.endswith(f"/events/{event.id}/kiosk")
        assert problems == []
    finally:
        browser.close()


def test_a_cancelled_ticket_is_sent_to_the_desk_without_data(playwright, live_server,
                                                             tmp_path, seminar):
    event, guest, cancelled, organiser = seminar
    browser, page = open_kiosk(playwright, live_server, tmp_path, event, organiser,
                               cancelled.checkin_code)
    try:
        answer = page.locator("#kiosk-answer")
        expect(answer).to_contain_text("Please see the registration desk.", timeout=CAMERA_MS)
        expect(answer).to_have_class("kiosk-answer result result-bad")
        body = page.locator("body").inner_text()
        for secret in ("Kenji", "Cancelled", "Gone Co", "Aiko"):
            assert secret not in body
        assert page.locator("#kiosk-print").get_attribute("src") is None
        assert stored(cancelled).checked_in_at is None
    finally:
        browser.close()
