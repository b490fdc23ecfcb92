"""The session on phones: an attendee taps "I'm at the table", door staff mark the
partner absent on the live board and confirm the proposed replacement, and the new
meeting appears on the agenda pages of both new partners."""

from datetime import timedelta

from playwright.sync_api import expect

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import Meeting, Registration
from eventapp.networking import services, versions
from tests import factories
from tests.browser.conftest import login_as
from tests.browser.test_networking_browser import save_screenshot, watch_for_errors


def test_arrival_no_show_and_replacement_on_phones(live_server, new_page, door):
    ev = factories.event(title="Brokerage Session")
    ev.networking_starts_at = utcnow() - timedelta(minutes=8)  # slot 1 under way
    ev.networking_max_meetings = 1
    db.session.commit()

    def person(category, name, **fields):
        return factories.registration(ev, category, name=name, networking_opt_in=True,
                                      checked_in_at=utcnow(), **fields)

    person("company", "Haruto Sato", organisation="Aqua Pure K.K.",
           technologies_offered=["water"], target_countries=["KE"])
    person("company", "Yui Tanaka", organisation="Clean Water Systems",
           technologies_offered=["water"], target_countries=["KE"])
    for name, org in (("Grace Wanjiru", "Embassy of Kenya"), ("Amina Odhiambo", "Kenya Mission"),
                      ("Peter Mwangi", "Kenya Water Office")):
        person("embassy", name, organisation=org, country="KE", technology_needs=["water"])
    services.generate_schedule(ev.id)
    versions.publish(ev.id)
    db.session.commit()
    meeting = db.session.execute(db.select(Meeting).where(
        Meeting.event_id == ev.id, Meeting.slot == 0, Meeting.published.is_(True))
        .order_by(Meeting.table_number)).scalars().first()
    assert meeting is not None, "a meeting in the first slot"
    a, b = db.session.get(Registration, meeting.a_id), db.session.get(Registration, meeting.b_id)
    came, absent = (a, b) if a.category.code == "company" else (b, a)
    came_token = came.manage_token
    db.session.rollback()

    # The company representative says they are at the table, on their phone.
    phone = new_page()
    problems = watch_for_errors(phone)
    phone.goto(f"{live_server}/r/{came_token}/agenda")
    row = phone.locator(f"#meeting-{meeting.id}")
    expect(row).to_contain_text(absent.name)
    phone.get_by_role("button", name=f"I'm at table {meeting.table_number}").click()
    expect(phone.locator(".flash-success")).to_contain_text("at the table")
    expect(phone.locator(".arrived-me").first).to_be_visible()

    # Door staff, on their phone, see who is there and who is late, and mark the absent one.
    door_phone = new_page()
    login_as(door_phone, live_server, door)
    door_phone.goto(f"{live_server}/manage/events/{ev.id}/networking/live?slot=0")
    card = door_phone.locator(f"#table-{meeting.table_number}")
    expect(card.locator(f"[data-registration='{came.id}']")).to_contain_text("arrived")
    expect(card.locator(f"[data-registration='{absent.id}']")).to_contain_text("late")
    card.get_by_role("button", name=f"Absent – {absent.name}").click()
    card = door_phone.locator(f"#table-{meeting.table_number}")
    proposal = card.locator(".proposal")
    expect(proposal).to_contain_text("Proposed replacement")
    expect(proposal).to_contain_text("Kenya")
    save_screenshot(door_phone, "networking-live-board.png")
    proposal.get_by_role("button", name="Confirm replacement").click()
    expect(door_phone.locator(".flash-success")).to_contain_text("Replacement booked")

    db.session.rollback()
    replacement = db.session.execute(db.select(Meeting).where(
        Meeting.replaces_id == meeting.id)).scalar_one()
    newcomer_id = replacement.b_id if replacement.a_id == came.id else replacement.a_id
    newcomer = db.session.get(Registration, newcomer_id)
    assert newcomer.id not in (absent.id, came.id) and newcomer.checked_in_at is not None
    newcomer_name, newcomer_token = newcomer.name, newcomer.manage_token
    db.session.rollback()

    # Both new partners see the meeting on their agenda pages.
    phone.goto(f"{live_server}/r/{came_token}/agenda")
    expect(phone.locator(f"#meeting-{replacement.id}")).to_contain_text(newcomer_name)
    expect(phone.locator(f"#meeting-{meeting.id}")).to_have_count(0)
    save_screenshot(phone, "networking-agenda-replacement.png")
    other = new_page()
    other.goto(f"{live_server}/r/{newcomer_token}/agenda")
    expect(other.locator(f"#meeting-{replacement.id}")).to_contain_text(came.name)
    expect(other.locator(f"#meeting-{replacement.id}")).to_contain_text(
        f"Table {meeting.table_number}")
    assert not [p for p in problems if "favicon" not in p], problems
