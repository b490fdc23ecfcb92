"""An organiser creates an event through the real pages; the fake camera shows a QR."""

import base64
import io
import os
import re
from pathlib import Path

import numpy as np
import qrcode
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import login_as

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
TITLE = "Green Hydrogen Partnering Day"
TITLE_JA = "グリーン水素パートナリングデー"
AGENDA = ("13:30-13:45 | Opening remarks | Director General\n"
          "13:45-14:30 | Keynote: hydrogen supply chains | Dr. Aiko Mori\n"
          "15:30-17:30 | Networking session")


def save_screenshot(page, name: str) -> None:
    """Refreshes docs/screenshots only on request, so ordinary runs leave tracked files alone."""
    if os.environ.get("SAVE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def watch_for_errors(page) -> list[str]:
    """Collects script errors and console errors (CSP violations, failed loads) on `page`."""
    problems = []

    def on_console(message):
        # The app has no favicon yet; Chromium asks for one on every page.
        if message.type == "error" and not message.location.get("url", "").endswith(
                "/favicon.ico"):
            problems.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def open_new_event_form(page, base_url):
    organiser = factories.staff("org@test.example", "organiser")
    login_as(page, base_url, organiser)
    page.goto(f"{base_url}/manage/events")
    page.get_by_role("link", name="New event").click()
    expect(page.get_by_role("heading", name="New event")).to_be_visible()


def test_organiser_creates_an_event(page, live_server):
    problems = watch_for_errors(page)
    open_new_event_form(page, live_server)
    expect(page.get_by_label("Technology areas")).not_to_be_empty()

    page.get_by_label("Title (English)", exact=True).fill(TITLE)
    page.get_by_label("Title (Japanese)", exact=True).fill(TITLE_JA)
    page.get_by_label("Venue (English)").fill("Hall B, Yokohama")
    page.get_by_label("Starts", exact=True).fill("2027-06-09T13:30")
    page.get_by_label("Ends", exact=True).fill("2027-06-09T17:30")
    page.get_by_label("Capacity").fill("120")
    page.get_by_label("Agenda (English)").fill(AGENDA)
    page.get_by_label("Agenda (Japanese)").fill("13:30-13:45 | 開会挨拶 | 事務局長")
    page.get_by_label("This event has a networking session").check()
    page.get_by_label("Networking starts").fill("2027-06-09T15:30")
    page.get_by_label("Minutes per meeting").fill("20")
    page.get_by_label("Number of slots").fill("5")
    page.get_by_label("Tables", exact=True).fill("12")
    page.get_by_label("Maximum meetings per person").fill("3")
    page.get_by_role("button", name="Create event").click()

    expect(page).to_have_url(re.compile(r"/manage/events/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("status")).to_contain_text("Event created")
    expect(page.locator(".stat").first).to_contain_text("confirmed of 120 seats")
    save_screenshot(page, "organiser-dashboard.png")

    page.get_by_role("link", name="Public page").click()
    expect(page).to_have_url(re.compile(r"/e/green-hydrogen-partnering-day$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".event-date")).to_contain_text("June 9, 2027")
    agenda = page.locator("ol.agenda > li")
    expect(agenda).to_have_count(3)
    expect(agenda.nth(0)).to_contain_text("13:30–13:45")
    expect(agenda.nth(0)).to_contain_text("Opening remarks")
    expect(agenda.nth(1)).to_contain_text("Dr. Aiko Mori")
    networking = page.locator("section", has=page.get_by_role("heading", name="Networking session"))
    expect(networking).to_contain_text("From 15:30: 5 rounds of 20-minute meetings")
    save_screenshot(page, "public-event.png")

    # In Japanese: the Japanese title and agenda item, English where there is no Japanese.
    page.goto(page.url + "?lang=ja")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_JA)
    expect(agenda.nth(0)).to_contain_text("開会挨拶")
    expect(agenda.nth(0)).to_contain_text("事務局長")
    expect(agenda.nth(1)).to_contain_text("Keynote: hydrogen supply chains")
    expect(page.get_by_text("Hall B, Yokohama")).to_be_visible()
    assert problems == []


def test_end_before_start_is_shown_at_the_field(page, live_server):
    open_new_event_form(page, live_server)
    page.get_by_label("Title (English)", exact=True).fill(TITLE)
    page.get_by_label("Starts", exact=True).fill("2027-06-09T17:30")
    page.get_by_label("Ends", exact=True).fill("2027-06-09T13:30")
    page.get_by_label("Capacity").fill("120")
    page.get_by_role("button", name="Create event").click()

    expect(page.get_by_role("alert")).to_contain_text("Please correct the fields marked below")
    ends = page.get_by_label("Ends", exact=True)
    expect(ends).to_have_attribute("aria-invalid", "true")
    expect(ends).to_have_accessible_description("The event must end after it starts.")
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.locator(".field:has(#ends_at) .error")).to_have_text(
        "The event must end after it starts.")
    expect(page.get_by_label("Title (English)", exact=True)).to_have_value(TITLE)
    expect(ends).to_have_value("2027-06-09T13:30")
    page.goto(f"{live_server}/manage/events")
    expect(page.get_by_text(TITLE)).to_have_count(0)


def test_language_switch_turns_the_page_japanese(page, live_server):
    page.goto(live_server)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator(".lang-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    switch = page.locator(".lang-switch button")
    expect(switch).to_have_text("English")
    expect(switch).to_have_attribute("lang", "en")
    page.reload()  # the choice is kept in the session
    expect(page.locator("html")).to_have_attribute("lang", "ja")


def test_header_text_is_japanese_after_the_switch(page, live_server):
    page.goto(live_server)
    page.locator(".lang-switch button").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    assert "Staff sign-in" not in page.locator(".site-header").inner_text()


READ_ONE_CAMERA_FRAME = """async () => {
  const stream = await navigator.mediaDevices.getUserMedia({video: true});
  const video = document.createElement("video");
  video.muted = true;
  video.srcObject = stream;
  await video.play();
  await new Promise((done) => video.requestVideoFrameCallback(done));
  const canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext("2d").drawImage(video, 0, 0);
  stream.getTracks().forEach((track) => track.stop());
  return canvas.toDataURL("image/png");
}"""


def test_fake_camera_shows_the_image(fake_camera, live_server):
    payload = "https://example.org/t/6f1c2a"
    camera_page = fake_camera(qrcode.make(payload, border=2).get_image())
    camera_page.goto(live_server)  # getUserMedia needs a secure context; 127.0.0.1 is one

    data_url = camera_page.evaluate(READ_ONE_CAMERA_FRAME)
    frame = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("L")
    pixels = np.asarray(frame)
    assert frame.size == (640, 480)
    assert pixels[:10, :].min() > 200, "the border should be white"
    assert 0.1 < (pixels < 100).mean() < 0.6, "the QR's dark modules should show"
    assert [b.text for b in zxingcpp.read_barcodes(frame)] == [payload]
