"""An organiser adds the dietary preset, an attendee picks halal on the public form, and
the caterer's count shows on the event page; in Chromium."""

import re

from eventapp.extensions import db
from eventapp.models import Answer
from tests import factories
from tests.browser.conftest import login_as


def test_organiser_adds_the_diet_preset_and_sees_the_halal_count(app, live_server, new_page,
                                                                 organiser):
    event = factories.event(title="Water Technology Seminar")
    staff = login_as(new_page(), live_server, organiser)
    staff.goto(f"{live_server}/manage/events/{event.id}")
    staff.get_by_role("link", name="Questions").click()
    staff.wait_for_url(re.compile(r"/questions$"))
    staff.get_by_role("button", name="+ Dietary requirements").click()
    staff.wait_for_url(re.compile(r"/questions$"))
    assert "Halal" in staff.locator("#questions").inner_text()

    attendee = new_page()
    attendee.goto(f"{live_server}/e/{event.slug}/register/guest")
    attendee.fill("#name", "Amina Otieno")
    attendee.fill("#email", "amina@example.org")
    attendee.get_by_label("Halal").check()
    attendee.check("#consent_privacy")
    attendee.locator("main form button[type=submit]").click()
    attendee.wait_for_url(re.compile(r"/registered"))
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count()).select_from(Answer)).scalar() == 1

    staff.goto(f"{live_server}/manage/events/{event.id}")
    halal = staff.locator("#answers-summary tr", has_text="Halal")
    assert halal.locator("td").nth(1).inner_text() == "1"
    assert staff.locator("#answers-summary tr", has_text="Vegan").locator(
        "td").nth(1).inner_text() == "0"
    halal.get_by_role("link", name="1").click()
    staff.wait_for_url(re.compile(r"answer=diet%3Ahalal|answer=diet:halal"))
    assert "Amina Otieno" in staff.locator("main").inner_text()
