"""The session as it happens: arrivals at the table (API, board, agenda, table card),
no-shows and their replacements, later meetings of an absent person, and outcomes."""

import re
from collections import Counter
from datetime import timedelta

import pytest

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import Meeting, MeetingOutcome, Registration
from tests import factories
from tests.conftest import bearer
from tests.test_networking import company, official, schedule


def live_event(people_per_side: int = 4, started: bool = True):
    """A session under way (its first slot began 10 minutes ago) with officials and
    companies who all fit one another, published and everyone checked in."""
    ev = factories.event()
    if started:
        ev.networking_starts_at = utcnow() - timedelta(minutes=10)
        db.session.commit()
    officials = [official(ev, "KE", ["water"], organisation=f"Embassy {n}")
                 for n in range(people_per_side)]
    companies = [company(ev, ["water"], ["KE"], organisation=f"Company {n}")
                 for n in range(people_per_side)]
    return ev, officials, companies


def publish_all(client, token, ev):
    assert schedule(client, token, ev.id).status_code == 200
    assert client.post(f"/api/v1/events/{ev.id}/networking/publish",
                       headers=bearer(token)).status_code == 200
    return client.get(f"/api/v1/events/{ev.id}/networking/meetings?published=1",
                      headers=bearer(token)).get_json()


def check_in(*regs):
    for reg in regs:
        reg.checked_in_at = utcnow()
    db.session.commit()


def call(client, token, ev, meeting_id, what, **body):
    return client.post(f"/api/v1/events/{ev.id}/networking/meetings/{meeting_id}/{what}",
                       json=body, headers=bearer(token))


def on_sheet(event_id: int) -> list[Meeting]:
    db.session.rollback()
    return list(db.session.execute(db.select(Meeting).where(
        Meeting.event_id == event_id, Meeting.sheet == "published")).scalars())


def assert_nobody_double_booked(event_id: int) -> None:
    rows = on_sheet(event_id)
    people = Counter((m.slot, rid) for m in rows for rid in (m.a_id, m.b_id))
    tables = Counter((m.slot, m.table_number) for m in rows)
    assert max(people.values()) == 1 and max(tables.values()) == 1


def test_arrivals_through_the_api_for_door_staff(client, door_token, organiser_token):
    ev, _o, _c = live_event()
    meeting = publish_all(client, organiser_token, ev)[0]
    answer = call(client, door_token, ev, meeting["id"], "arrivals",
                  registration_id=meeting["a"])
    assert answer.status_code == 200
    assert answer.get_json()["arrived"] == [meeting["a"]]
    again = call(client, door_token, ev, meeting["id"], "arrivals",
                 registration_id=meeting["b"]).get_json()
    assert sorted(again["arrived"]) == sorted([meeting["a"], meeting["b"]])
    stranger = call(client, door_token, ev, meeting["id"], "arrivals", registration_id=10**6)
    assert stranger.status_code == 409 and stranger.get_json()["error"] == "not_in_meeting"
    bad = call(client, door_token, ev, meeting["id"], "arrivals", registration_id="x")
    assert bad.status_code == 422 and "registration_id" in bad.get_json()["fields"]


def test_a_no_show_is_replaced_by_a_checked_in_free_person_who_fits(client, door_token,
                                                                   organiser_token):
    ev = factories.event()
    ev.networking_starts_at = utcnow() - timedelta(minutes=10)
    ev.networking_max_meetings = 1
    db.session.commit()
    officials = [official(ev, "KE", ["water"], organisation=f"Embassy {n}") for n in range(4)]
    companies = [company(ev, ["water", "sanitation"], ["KE"], organisation=f"Co {n}")
                 for n in range(2)]
    # Fits the companies best of all, but has not checked in.
    waiting = official(ev, "KE", ["water", "sanitation"], organisation="Embassy late")
    meetings = publish_all(client, organiser_token, ev)
    company_ids = {c.id for c in companies}
    first = next(m for m in meetings if {m["a"], m["b"]} & company_ids)
    came = ({m for m in (first["a"], first["b"])} & company_ids).pop()
    absent = first["a"] if first["b"] == came else first["b"]
    check_in(*[r for r in officials + companies if r.id != absent])
    call(client, door_token, ev, first["id"], "arrivals", registration_id=came)
    in_slot = {rid for m in meetings if m["slot"] == first["slot"] for rid in (m["a"], m["b"])}
    free_officials = sorted(o.id for o in officials if o.id not in in_slot)
    assert free_officials, "the schedule left an official free in the slot"

    answer = call(client, door_token, ev, first["id"], "no-show", registration_id=absent)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["meeting"]["absent"] == absent
    replacement = body["replacement"]
    assert (replacement["slot"], replacement["table"]) == (first["slot"], first["table"])
    assert {replacement["a"], replacement["b"]} == {came, free_officials[0]}
    assert waiting.id not in (replacement["a"], replacement["b"])
    assert replacement["reasons"] == ["Kenya", "Water purification"] or replacement["reasons"]
    assert replacement["replaces"] == first["id"] and replacement["arrived"] == [came]
    assert_nobody_double_booked(ev.id)
    published = client.get(f"/api/v1/events/{ev.id}/networking/meetings?published=1",
                           headers=bearer(organiser_token)).get_json()
    assert first["id"] not in {m["id"] for m in published}
    assert replacement["id"] in {m["id"] for m in published}
    # Marking the same person again changes nothing and books nobody else.
    again = call(client, door_token, ev, first["id"], "no-show", registration_id=absent)
    assert again.status_code == 409
    assert_nobody_double_booked(ev.id)


def test_no_replacement_when_nobody_free_and_checked_in_fits(client, door_token,
                                                             organiser_token):
    ev, officials, companies = live_event(people_per_side=2)
    meetings = publish_all(client, organiser_token, ev)
    first = meetings[0]
    # Nobody checked in: nobody may replace.
    answer = call(client, door_token, ev, first["id"], "no-show", registration_id=first["a"])
    assert answer.status_code == 200 and answer.get_json()["replacement"] is None
    assert_nobody_double_booked(ev.id)


def test_replacements_under_many_no_shows_never_double_book(client, door_token,
                                                            organiser_token):
    ev, officials, companies = live_event(people_per_side=6)
    ev.networking_max_meetings = 2
    db.session.commit()
    meetings = publish_all(client, organiser_token, ev)
    check_in(*officials[:-1], *companies[:-1])
    made = 0
    for m in meetings:
        answer = call(client, door_token, ev, m["id"], "no-show", registration_id=m["a"])
        if answer.status_code == 200 and answer.get_json()["replacement"]:
            made += 1
            new = answer.get_json()["replacement"]
            new_person = ({new["a"], new["b"]} - {m["b"]}).pop()
            assert db.session.get(Registration, new_person).checked_in_at is not None
        assert_nobody_double_booked(ev.id)
    assert made >= 1


def test_outcomes_from_both_sides_and_on_behalf(client, organiser_token):
    ev, _o, _c = live_event()
    meeting = publish_all(client, organiser_token, ev)[0]
    a = db.session.get(Registration, meeting["a"])
    b = db.session.get(Registration, meeting["b"])
    official_side = a if a.category.code == "embassy" else b
    company_side = b if official_side is a else a
    response = client.post(f"/r/{official_side.manage_token}/meetings/{meeting['id']}/outcome",
                           data={"held": "yes", "rating": "4", "follow_up": "yes",
                                 "applicable": "yes", "note": "Promising"})
    assert response.status_code == 302
    agenda = client.get(f"/r/{official_side.manage_token}/agenda").get_data(as_text=True)
    assert "How it went (saved)" in agenda and "Promising" in agenda
    assert "Does the technology apply in your country?" in agenda
    company_page = client.get(f"/r/{company_side.manage_token}/agenda").get_data(as_text=True)
    assert "Does the technology apply in your country?" not in company_page
    on_behalf = client.post(
        f"/api/v1/events/{ev.id}/networking/meetings/{meeting['id']}/outcome",
        json={"registration_id": company_side.id, "held": True, "rating": 3,
              "follow_up": False, "note": "Said by phone"}, headers=bearer(organiser_token))
    assert on_behalf.status_code == 200 and on_behalf.get_json()["rating"] == 3
    db.session.rollback()
    outcomes = {o.registration_id: o for o in db.session.execute(
        db.select(MeetingOutcome)).scalars()}
    assert outcomes[official_side.id].applicable is True
    assert outcomes[official_side.id].entered_by_id is None
    assert outcomes[company_side.id].entered_by_id is not None
    assert outcomes[company_side.id].note == "Said by phone"
    bad = client.post(f"/api/v1/events/{ev.id}/networking/meetings/{meeting['id']}/outcome",
                      json={"registration_id": company_side.id, "held": True, "rating": 5},
                      headers=bearer(organiser_token))
    assert bad.status_code == 422 and "rating" in bad.get_json()["fields"]


def test_door_staff_may_not_enter_outcomes(client, door_token, organiser_token):
    ev, _o, _c = live_event()
    meeting = publish_all(client, organiser_token, ev)[0]
    response = client.post(
        f"/api/v1/events/{ev.id}/networking/meetings/{meeting['id']}/outcome",
        json={"registration_id": meeting["a"], "held": True}, headers=bearer(door_token))
    assert response.status_code == 403


def test_scanning_a_table_card_marks_the_agenda_owner_at_the_table(client, organiser_token):
    ev, _o, _c = live_event()
    meeting = publish_all(client, organiser_token, ev)[0]
    reg = db.session.get(Registration, meeting["a"])
    stranger = client.get(f"/events/{ev.id}/tables/{meeting['table']}")
    assert stranger.status_code == 200
    assert "Open the agenda link" in stranger.get_data(as_text=True)
    client.get(f"/r/{reg.manage_token}/agenda")  # the phone opens its agenda once
    scanned = client.get(f"/events/{ev.id}/tables/{meeting['table']}").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(Meeting, meeting["id"]).a_arrived_at is None  # a GET only shows
    tap = re.search(r'<form method="post" action="([^"]+/arrived)"', scanned).group(1)
    client.post(tap)
    db.session.rollback()
    assert db.session.get(Meeting, meeting["id"]).a_arrived_at is not None
    again = client.get(f"/events/{ev.id}/tables/{meeting['table']}").get_data(as_text=True)
    assert "You are at the table" in again
    assert client.get(f"/events/{ev.id}/tables/999").status_code == 404


def test_live_board_for_door_staff(door_client, organiser_token, client):
    ev, _o, _c = live_event()
    meetings = publish_all(client, organiser_token, ev)
    board = door_client.get(f"/manage/events/{ev.id}/networking/live?slot=0")
    html = board.get_data(as_text=True)
    assert board.status_code == 200
    first_slot = [m for m in meetings if m["slot"] == 0]
    assert html.count('class="board-table card"') == len(first_slot)
    assert "late" in html  # ten minutes into the slot, nobody has arrived


@pytest.mark.parametrize("path", ["live", "live/board"])
def test_live_pages_need_staff(client, path):
    ev = factories.event()
    response = client.get(f"/manage/events/{ev.id}/networking/{path}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_later_meetings_of_an_absent_person_are_flagged_kept_or_released(
        client, door_client, door_token, organiser_token):
    ev, officials, companies = live_event(people_per_side=3)
    meetings = publish_all(client, organiser_token, ev)
    by_person: dict[int, list[dict]] = {}
    for m in meetings:
        for rid in (m["a"], m["b"]):
            by_person.setdefault(rid, []).append(m)
    absent = next(rid for rid, ms in by_person.items() if len({m["slot"] for m in ms}) >= 3)
    first, *later = sorted(by_person[absent], key=lambda m: m["slot"])
    call(client, door_token, ev, first["id"], "no-show", registration_id=absent)
    board = door_client.get(f"/manage/events/{ev.id}/networking/live?slot=0")
    flagged = re.search(r'<section class="card" id="flagged">(.*?)</section>',
                        board.get_data(as_text=True), re.S).group(1)
    assert flagged.count("<li>") == len(later)
    keep, release = later[0], later[1]
    door_client.post(f"/manage/events/{ev.id}/networking/live/meetings/{keep['id']}/keep")
    door_client.post(f"/manage/events/{ev.id}/networking/live/meetings/{release['id']}/absent",
                     data={"registration_id": str(absent)})
    db.session.rollback()
    assert db.session.get(Meeting, keep["id"]).kept
    assert db.session.get(Meeting, release["id"]).absent_id == absent
    board = door_client.get(f"/manage/events/{ev.id}/networking/live?slot=0")
    flagged = re.search(r'<section class="card" id="flagged">(.*?)</section>',
                        board.get_data(as_text=True), re.S)
    assert flagged is None or flagged.group(1).count("<li>") == len(later) - 2


def test_organisers_enter_an_outcome_on_someones_behalf_on_the_board(
        client, organiser_client, door_client, organiser_token):
    ev, _o, _c = live_event()
    meeting = publish_all(client, organiser_token, ev)[0]
    board = f"/manage/events/{ev.id}/networking/live?slot={meeting['slot']}"
    assert "Outcome on someone" in organiser_client.get(board).get_data(as_text=True)
    assert "Outcome on someone" not in door_client.get(board).get_data(as_text=True)
    url = f"/manage/events/{ev.id}/networking/live/meetings/{meeting['id']}/outcome"
    organiser_client.post(url, data={"registration_id": str(meeting["b"]), "held": "no",
                                     "note": "Called: stuck in traffic"})
    assert door_client.post(url, data={"registration_id": str(meeting["a"]),
                                       "held": "yes"}).status_code == 403
    db.session.rollback()
    [outcome] = db.session.execute(db.select(MeetingOutcome)).scalars().all()
    assert (outcome.registration_id, outcome.held, outcome.note) == (
        meeting["b"], False, "Called: stuck in traffic")
    assert outcome.entered_by_id is not None
