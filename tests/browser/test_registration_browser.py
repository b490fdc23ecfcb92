"""Attendees register through the real pages in Chromium and reach their tickets."""

import io
import re

import zxingcpp
from PIL import Image

from eventapp.extensions import db
from eventapp.models import Registration
from tests import factories
from tests.mailbox import messages_to, text_of


def ticket_link(app, address: str) -> str:
    [link] = [match.group(0) for message in messages_to(app, address)
              if (match := re.search(r"http://\S+/r/\S+/ticket", text_of(message)))]
    return link


def decode_ticket_qr(page) -> str:
    """What a phone camera would read: the QR as rendered on the ticket page."""
    png = page.locator(".ticket-qr svg").screenshot()
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1, "no QR code readable on the ticket"
    return results[0].text


def registration_of(address: str) -> Registration:
    db.session.rollback()
    return db.session.execute(
        db.select(Registration).where(Registration.email == address)).scalar_one()


def test_embassy_official_registers_in_japanese_and_reaches_the_ticket(app, live_server, page):
    event = factories.event(title="技術移転セミナー")
    page.goto(f"{live_server}/e/{event.slug}")
    page.get_by_role("button", name="日本語").click()
    assert page.locator("html").get_attribute("lang") == "ja"
    page.locator("a.button.large").click()
    page.locator("a[href$='/register/embassy']").click()
    page.fill("#name", "Grace Wanjiru")
    page.fill("#email", "grace@mission-ke.example")
    page.fill("#organisation", "Embassy of the Republic of Kenya")
    page.locator(".searchable input.select-filter").first.fill("ケニア")
    page.select_option("#country", "KE")
    page.fill("#job_title", "First Secretary")
    page.check("input[name=technology_needs][value=water]")
    page.check("input[name=technology_needs][value=diagnostics]")
    page.check("#networking_opt_in")
    page.check("#consent_privacy")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/registered"))
    assert "grace@mission-ke.example" in page.content()
    reg = registration_of("grace@mission-ke.example")
    assert reg.country == "KE" and reg.language == "ja"
    page.goto(ticket_link(app, "grace@mission-ke.example"))
    assert page.locator(".ticket-name").inner_text() == "Grace Wanjiru"
    assert decode_ticket_qr(page) == reg.checkin_code


def test_company_representative_registers_in_english_and_reaches_the_ticket(
        app, live_server, page):
    event = factories.event(title="Technology Transfer Seminar")
    page.goto(f"{live_server}/e/{event.slug}/register")
    page.locator("a[href$='/register/company']").click()
    page.locator("main form button[type=submit]").click()  # empty: errors at the fields
    assert page.locator("#name-error").is_visible()
    page.fill("#name", "渡辺 健一")
    page.fill("#name_kana", "わたなべ けんいち")
    page.fill("#email", "k.watanabe@mizuho-water.example")
    page.fill("#organisation", "株式会社ミズホ浄水システム")
    page.select_option("#country", "JP")
    page.check("input[name=technologies_offered][value=water]")
    page.select_option("#target_countries", ["KE", "VN"])
    page.check("#consent_privacy")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/registered"))
    assert "You are registered" in page.content()
    reg = registration_of("k.watanabe@mizuho-water.example")
    assert reg.target_countries == ["KE", "VN"] and reg.name_kana == "わたなべ けんいち"
    page.goto(ticket_link(app, "k.watanabe@mizuho-water.example"))
    assert "渡辺 健一" in page.locator(".ticket-name").inner_text()
    assert decode_ticket_qr(page) == reg.checkin_code


def test_a_sign_up_confirms_its_address_through_the_link_and_then_gets_the_ticket(
        app, live_server, page):
    """The app's default for new events: the address is confirmed before a seat is held."""
    event = factories.event(title="Confirmed Seats Seminar", confirm_email=True)
    page.goto(f"{live_server}/e/{event.slug}/register/guest")
    page.fill("#name", "Maria Santos")
    page.fill("#email", "maria@santos.example")
    page.select_option("#country", "PH")
    page.check("#consent_privacy")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/registered"))
    assert "Please confirm your e-mail address" in page.content()
    assert registration_of("maria@santos.example").status == "pending"
    [message] = messages_to(app, "maria@santos.example")
    assert "/ticket" not in text_of(message)
    page.goto(re.search(r"http://\S+/r/\S+/confirm", text_of(message)).group(0))
    page.get_by_role("button", name="Confirm my address").click()
    page.wait_for_url(re.compile(r"/r/[^/]+$"))
    assert "your e-mail address is confirmed" in page.content()
    reg = registration_of("maria@santos.example")
    assert reg.status == "confirmed"
    page.goto(ticket_link(app, "maria@santos.example"))
    assert decode_ticket_qr(page) == reg.checkin_code
