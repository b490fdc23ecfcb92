"""Networking through the real pages: a request, its acceptance, the organiser's schedule,
and both attendees' agendas and calendar files."""

import os
import re
from pathlib import Path

from icalendar import Calendar
from playwright.sync_api import expect

from eventapp.extensions import db
from eventapp.models import Meeting
from tests import factories
from tests.browser.conftest import DESKTOP, login_as

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save_screenshot(page, name: str) -> None:
    """Refreshes docs/screenshots only on request, so ordinary runs leave tracked files alone."""
    if os.environ.get("SAVE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def watch_for_errors(page) -> list[str]:
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def registration(ev, category, **fields):
    return factories.registration(ev, category, networking_opt_in=True, **fields)


def test_request_accept_generate_publish_and_both_agendas(live_server, new_page, organiser):
    ev = factories.event(title="Health Technology Networking Day")
    haruto = registration(ev, "company", name="Haruto Sato",
                          organisation="Aqua Pure Technologies K.K.",
                          technologies_offered=["water", "sanitation"],
                          target_countries=["KE", "GH"])
    grace = registration(ev, "embassy", name="Grace Wanjiru",
                         organisation="Embassy of the Republic of Kenya", country="KE",
                         technology_needs=["water", "diagnostics"])
    registration(ev, "company", name="Sota Yamamoto", organisation="Kumo Diagnostics",
                 technologies_offered=["diagnostics"], target_countries=["KE"])
    registration(ev, "embassy", name="Kwame Mensah", organisation="Embassy of Ghana",
                 country="GH", technology_needs=["water"])
    haruto_url = f"{live_server}/r/{haruto.manage_token}"
    grace_url = f"{live_server}/r/{grace.manage_token}"

    # The company representative asks for a meeting from the recommendations, on a phone.
    company_page = new_page()
    problems = watch_for_errors(company_page)
    company_page.goto(f"{haruto_url}/networking")
    card = company_page.locator("#contacts li.contact", has_text="Grace Wanjiru")
    expect(card).to_contain_text("Kenya · Water purification")
    expect(card).to_contain_text("Embassy of the Republic of Kenya")
    save_screenshot(company_page, "networking-recommendations.png")
    card.get_by_role("button", name="Request a meeting").click()
    expect(company_page.locator(".flash-success")).to_contain_text("request is sent")
    expect(company_page.locator("#requests li.contact", has_text="Grace Wanjiru")) \
        .to_contain_text("waiting for an answer")

    # The official accepts on their own page.
    official_page = new_page()
    official_page.goto(f"{grace_url}/networking")
    request_card = official_page.locator("#requests li.contact", has_text="Haruto Sato")
    expect(request_card).to_contain_text("Aqua Pure Technologies K.K.")
    request_card.get_by_role("button", name="Accept").click()
    expect(official_page.locator(".flash-success")).to_contain_text("Accepted")
    expect(official_page.locator("#requests li.contact", has_text="Haruto Sato")) \
        .to_contain_text("accepted")

    # The organiser generates and publishes the schedule.
    desk = new_page(viewport=DESKTOP)
    desk.on("dialog", lambda dialog: dialog.accept())
    login_as(desk, live_server, organiser)
    desk.goto(f"{live_server}/manage/events/{ev.id}")
    desk.get_by_role("link", name="Networking").click()
    desk.get_by_role("button", name="Generate schedule").click()
    expect(desk.locator(".flash-success")).to_contain_text("draft schedule")
    cell = desk.locator("#plan td.plan-cell", has_text="Haruto Sato").filter(
        has_text="Grace Wanjiru")
    expect(cell).to_have_count(1)
    expect(cell).to_contain_text("meeting requested")
    save_screenshot(desk, "networking-organiser.png")
    desk.get_by_role("link", name="Review and publish").click()
    expect(desk.locator("#publish-summary")).to_contain_text("e-mailed their agenda")
    desk.get_by_role("button", name="Publish and e-mail").click()
    expect(desk.locator(".flash-success")).to_contain_text("Published")
    expect(desk.locator("#plan td.is-draft")).to_have_count(0)

    db.session.rollback()
    meeting = db.session.execute(db.select(Meeting).where(
        Meeting.a_id == min(haruto.id, grace.id), Meeting.b_id == max(haruto.id, grace.id))
    ).scalar_one()
    assert meeting.published
    table = f"Table {meeting.table_number}"

    # Both agendas show the meeting with each other, and the calendar files parse.
    for page, url, counterpart in ((company_page, haruto_url, "Grace Wanjiru"),
                                   (official_page, grace_url, "Haruto Sato")):
        page.goto(f"{url}/networking")
        entry = page.locator("#agenda li.meeting", has_text=counterpart)
        expect(entry).to_contain_text(table)
        page.goto(f"{url}/agenda")
        expect(page.locator("tr.meeting", has_text=counterpart)).to_contain_text(
            str(meeting.table_number))
        response = page.request.get(f"{url}/agenda.ics")
        assert response.ok and response.headers["content-type"].startswith("text/calendar")
        events = Calendar.from_ical(response.body()).walk("VEVENT")
        summaries = [str(e["summary"]) for e in events]
        assert any(counterpart in s and table in s for s in summaries), summaries
    save_screenshot(company_page, "networking-agenda.png")
    assert not [p for p in problems if not re.search(r"favicon", p)], problems
