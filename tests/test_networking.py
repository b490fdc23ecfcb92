"""Networking: participants, requests, the schedule (API and pages), agendas, e-mails."""

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import Event, Meeting, MeetingRequest, Registration, RequestStatus, Status
from eventapp.networking import services
from tests import factories
from tests.conftest import bearer
from tests.mailbox import messages_to, outbox_messages, text_of

WORD = re.compile(r"\w", re.UNICODE)


# -- helpers ------------------------------------------------------------------------------

def load_demo(runner) -> Event:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return db.session.get(Event, int(result.output.strip().splitlines()[-1]))


def company(ev, offers=("water",), targets=("KE",), **fields):
    fields.setdefault("networking_opt_in", True)
    return factories.registration(ev, "company", technologies_offered=list(offers),
                                  target_countries=list(targets), **fields)


def official(ev, country="KE", needs=("water",), **fields):
    fields.setdefault("networking_opt_in", True)
    return factories.registration(ev, "embassy", country=country, technology_needs=list(needs),
                                  **fields)


def page_of(client, reg) -> str:
    response = client.get(f"/r/{reg.manage_token}/networking")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def contact_ids(html: str, section: str) -> set[int]:
    """Registration ids listed in one section of the attendee page."""
    match = re.search(rf'<section class="card" id="{section}">(.*?)</section>', html, re.S)
    if match is None:
        return set()
    return {int(i) for i in re.findall(r'data-registration="(\d+)"', match.group(1))}


def stored(event_id: int) -> list[Meeting]:
    db.session.rollback()
    return list(db.session.execute(
        db.select(Meeting).where(Meeting.event_id == event_id)
        .order_by(Meeting.slot, Meeting.table_number)).scalars())


def pairs(meetings) -> set[frozenset]:
    return {frozenset((m.a_id, m.b_id)) if isinstance(m, Meeting) else frozenset((m["a"], m["b"]))
            for m in meetings}


def assert_feasible(event: Event, meetings: list[Meeting]) -> None:
    """The hard constraints, checked the obvious way on what is stored."""
    if not meetings:
        return
    per_slot_people = Counter()
    per_slot_table = Counter()
    per_person = Counter()
    seen_pairs = Counter()
    for m in meetings:
        assert m.a_id < m.b_id
        assert 0 <= m.slot < event.networking_slots
        assert 1 <= m.table_number <= event.networking_tables
        per_slot_people[(m.slot, m.a_id)] += 1
        per_slot_people[(m.slot, m.b_id)] += 1
        per_slot_table[(m.slot, m.table_number)] += 1
        per_person[m.a_id] += 1
        per_person[m.b_id] += 1
        seen_pairs[(m.a_id, m.b_id)] += 1
    assert max(per_slot_people.values()) == 1, "someone is in two meetings at once"
    assert max(per_slot_table.values()) == 1, "a table is used twice in a slot"
    assert max(per_person.values()) <= event.networking_max_meetings
    assert max(seen_pairs.values()) == 1, "a pair meets twice"


def outbox_count(app) -> int:
    folder = Path(app.config["OUTBOX_DIR"])
    return len(list(folder.glob("*.eml"))) if folder.exists() else 0


def clear_outbox(app) -> None:
    for path in Path(app.config["OUTBOX_DIR"]).glob("*.eml"):
        path.unlink()


def schedule(client, token, event_id, **body):
    return client.post(f"/api/v1/events/{event_id}/networking/schedule", json=body,
                       headers=bearer(token))


# -- participants -------------------------------------------------------------------------

def test_participants_are_confirmed_opted_in_people_on_a_side(app):
    ev = factories.event()
    offering = company(ev, offers=["water", "energy"], targets=["KE", "GH"],
                       organisation="Aqua K.K.", unavailable_slots=[1], networking_table=3)
    needing = official(ev, country="KE", needs=["water"], checked_in_at=utcnow())
    company(ev, networking_opt_in=False)
    factories.registration(ev, "guest", networking_opt_in=True)
    factories.registration(ev, "organiser", networking_opt_in=True)
    official(ev, status=Status.PENDING)
    official(ev, status=Status.WAITLISTED)
    official(ev, status=Status.CANCELLED)

    regs = services.participant_registrations(ev.id)
    assert [r.id for r in regs] == [offering.id, needing.id]
    assert [r.id for r in services.participant_registrations(ev.id, only_checked_in=True)] \
        == [needing.id]

    company_p, official_p = (services.to_participant(r) for r in regs)
    assert company_p.side == "offer" and official_p.side == "need"
    assert company_p.offers == {"water", "energy"} and company_p.target_countries == {"KE", "GH"}
    assert company_p.unavailable_slots == {1} and company_p.fixed_table == 3
    assert company_p.organisation == "Aqua K.K." and company_p.country == "JP"
    assert official_p.country == "KE" and official_p.needs == {"water"}


def test_only_checked_in_schedules_only_people_who_came(client, organiser_token):
    ev = factories.event()
    came = [official(ev, country="KE", checked_in_at=utcnow()),
            company(ev, checked_in_at=utcnow())]
    absent = [official(ev, country="KE"), company(ev)]
    answer = schedule(client, organiser_token, ev.id, only_checked_in=True).get_json()
    scheduled = {p for m in answer["meetings"] for p in (m["a"], m["b"])}
    assert scheduled == {r.id for r in came}
    everyone = schedule(client, organiser_token, ev.id, only_checked_in=False).get_json()
    assert {p for m in everyone["meetings"] for p in (m["a"], m["b"])} \
        == {r.id for r in came + absent}


# -- the demo seminar through the API -----------------------------------------------------

def test_demo_schedule_meetings_and_publish_through_the_api(app, client, runner,
                                                            organiser_token):
    event = load_demo(runner)
    headers = bearer(organiser_token)
    registrations = client.get(f"/api/v1/events/{event.id}/registrations",
                               headers=headers).get_json()
    category = {r["id"]: r["category"] for r in registrations}
    matched = {r["id"] for r in registrations
               if r["category"] in ("company", "embassy") and r["networking_opt_in"]
               and r["status"] == "confirmed"}
    assert len(matched) == 38

    answer = schedule(client, organiser_token, event.id, only_checked_in=False)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    meetings, metrics = body["meetings"], body["metrics"]
    met = {p for m in meetings for p in (m["a"], m["b"])}
    coverage = len(met & matched) / len(matched)
    cross = sum({category[m["a"]], category[m["b"]]} == {"company", "embassy"}
                for m in meetings) / len(meetings)
    assert coverage >= 0.9, coverage
    assert cross >= 0.7, cross
    assert metrics["meetings"] == len(meetings) and 0 <= metrics["coverage"] <= 1
    for m in meetings:
        assert set(m) == {"id", "slot", "starts_at", "table", "a", "b", "score", "reasons",
                          "published"}
        assert m["published"] is False and m["a"] < m["b"]
        assert m["reasons"] and all(WORD.search(r) for r in m["reasons"]), m
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00", m["starts_at"])
    assert "Kenya" in {r for m in meetings for r in m["reasons"]}

    listed = client.get(f"/api/v1/events/{event.id}/networking/meetings",
                        headers=headers).get_json()
    assert listed == meetings
    first_two = client.get(f"/api/v1/events/{event.id}/networking/meetings?limit=2&offset=1",
                           headers=headers).get_json()
    assert first_two == meetings[1:3]
    assert_feasible(event, stored(event.id))

    clear_outbox(app)
    published = client.post(f"/api/v1/events/{event.id}/networking/publish", headers=headers)
    assert published.status_code == 200
    assert published.get_json()["published"] == len(meetings)
    assert published.get_json()["notified"] == len(met)
    assert outbox_count(app) == len(met)
    assert {m["To"] for m in outbox_messages(app)} == {
        r["email"] for r in registrations if r["id"] in met}
    after = client.get(f"/api/v1/events/{event.id}/networking/meetings",
                       headers=headers).get_json()
    assert all(m["published"] for m in after)
    db.session.refresh(event)
    assert event.networking_published_at is not None

    one = registrations[[r["id"] for r in registrations].index(meetings[0]["a"])]
    [message] = messages_to(app, one["email"])
    text = text_of(message)
    assert "/r/" in text and "/agenda.ics" in text and "Table" in text


def test_demo_page_shows_metrics_and_a_table_plan(organiser_client, runner):
    event = load_demo(runner)
    response = organiser_client.post(f"/manage/events/{event.id}/networking/generate",
                                     follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    coverage = re.search(r'id="metric-coverage">(\d+)%', html)
    assert coverage and int(coverage.group(1)) >= 90
    assert "Grace Wanjiru" in html and "Table plan" in html
    assert html.count('class="plan-cell is-draft') == len(stored(event.id))
    plan = organiser_client.get(f"/manage/events/{event.id}/networking/plan")
    assert plan.status_code == 200
    assert "Grace Wanjiru" in plan.get_data(as_text=True)


# -- locking, regenerating, deleting ------------------------------------------------------

def small_event():
    ev = factories.event()
    people = [official(ev, "KE", ["water", "sanitation"]), official(ev, "GH", ["water"]),
              company(ev, ["water"], ["KE", "GH"]), company(ev, ["water", "sanitation"], ["KE"]),
              company(ev, ["sanitation"], ["GH"])]
    return ev, people


def test_locked_meetings_survive_regeneration_and_others_are_replaced(
        organiser_client, organiser_token):
    ev, _people = small_event()
    organiser_client.post(f"/manage/events/{ev.id}/networking/generate")
    first = stored(ev.id)
    assert len(first) >= 3
    keep, drop = first[0], first[1]
    kept = (keep.id, keep.slot, keep.table_number, keep.a_id, keep.b_id)
    keep_id, drop_id = keep.id, drop.id
    response = organiser_client.post(
        f"/manage/events/{ev.id}/networking/meetings/{keep_id}/lock")
    assert response.status_code == 302
    organiser_client.post(f"/manage/events/{ev.id}/networking/meetings/{drop_id}/delete")
    assert drop_id not in {m.id for m in stored(ev.id)}

    again = schedule(organiser_client, organiser_token, ev.id).get_json()
    after = stored(ev.id)
    survivor = next(m for m in after if m.id == keep_id)
    assert (survivor.id, survivor.slot, survivor.table_number, survivor.a_id,
            survivor.b_id) == kept
    assert survivor.locked
    others = [m for m in after if m.id != keep_id]
    assert others and all(not m.locked and not m.published for m in others)
    assert len(again["meetings"]) == len(after)
    assert_feasible(ev, after)

    organiser_client.post(f"/manage/events/{ev.id}/networking/meetings/{keep_id}/unlock")
    schedule(organiser_client, organiser_token, ev.id)
    assert not any(m.locked for m in stored(ev.id))


def test_regenerating_makes_a_draft_beside_the_published_meetings(client, organiser_token):
    ev, (kenya, *_rest) = small_event()
    schedule(client, organiser_token, ev.id)
    client.post(f"/api/v1/events/{ev.id}/networking/publish", headers=bearer(organiser_token))
    agenda = section(page_of(client, kenya), "agenda")
    assert "Table" in agenda
    schedule(client, organiser_token, ev.id)
    rows = stored(ev.id)
    assert {m.sheet for m in rows} == {"draft", "published"}
    assert all(m.published == (m.sheet == "published") for m in rows)
    assert section(page_of(client, kenya), "agenda") == agenda


def section(html: str, name: str) -> str:
    match = re.search(rf'<section class="card[^"]*" id="{name}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


TECHS = ["water", "sanitation", "diagnostics", "energy"]
COUNTRIES = ["KE", "GH", "VN"]


def random_profile(draw, slots: int, tables: int) -> dict:
    return {
        "unavailable_slots": sorted(draw(st.sets(st.integers(0, slots - 1), max_size=2))),
        "networking_table": draw(st.one_of(st.none(), st.none(), st.integers(1, tables + 1))),
        "organisation": draw(st.sampled_from(["Org A", "Org B", "Org C", "Org D", "Org E"])),
    }


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_sessions_keep_every_hard_constraint(app, data):
    draw = data.draw
    ev = factories.event()
    slots, tables = ev.networking_slots, ev.networking_tables
    people = []
    for _n in range(draw(st.integers(1, 6))):
        people.append(company(ev, offers=draw(st.sets(st.sampled_from(TECHS), max_size=2)),
                              targets=draw(st.sets(st.sampled_from(COUNTRIES), max_size=2)),
                              **random_profile(draw, slots, tables)))
    for _n in range(draw(st.integers(1, 6))):
        people.append(official(ev, country=draw(st.sampled_from(COUNTRIES)),
                               needs=draw(st.sets(st.sampled_from(TECHS), max_size=2)),
                               **random_profile(draw, slots, tables)))
    ids = [p.id for p in people]
    asked = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids),
                                    st.sampled_from(list(RequestStatus))), max_size=6))
    for requester, recipient, status in asked:
        if requester != recipient and db.session.execute(db.select(MeetingRequest).where(
                MeetingRequest.requester_id == requester,
                MeetingRequest.recipient_id == recipient)).first() is None:
            db.session.add(MeetingRequest(event_id=ev.id, requester_id=requester,
                                          recipient_id=recipient, status=status))
    db.session.commit()
    prefs = services.preferences(ev.id)

    services.generate_schedule(ev.id)
    db.session.commit()
    first = stored(ev.id)
    locked = draw(st.sets(st.sampled_from([m.id for m in first]), max_size=3)) if first else set()
    kept = {(m.slot, m.table_number, m.a_id, m.b_id) for m in first if m.id in locked}
    for m in first:
        m.locked = m.id in locked
    db.session.commit()
    services.generate_schedule(ev.id)
    db.session.commit()

    meetings = stored(ev.id)
    assert_feasible(ev, meetings)
    assert kept <= {(m.slot, m.table_number, m.a_id, m.b_id) for m in meetings}
    by_id = {p.id: p for p in people}
    for m in meetings:
        assert frozenset((m.a_id, m.b_id)) not in prefs.vetoes
        for person in (by_id[m.a_id], by_id[m.b_id]):
            assert m.slot not in person.unavailable_slots
            if person.networking_table:
                assert m.table_number == person.networking_table
        assert by_id[m.a_id].organisation != by_id[m.b_id].organisation


# -- requests -----------------------------------------------------------------------------

def test_a_request_accepted_on_the_page_puts_the_pair_in_the_schedule(app, client,
                                                                      organiser_token):
    ev = factories.event()
    # A and B have nothing in common: only the request can bring them together.
    a = company(ev, offers=["energy"], targets=["VN"], name="Haruto Sato")
    b = official(ev, country="KE", needs=["water"], name="Grace Wanjiru",
                 email="grace@mission-ke.example")
    fits = [company(ev, offers=["water"], targets=["KE"]), official(ev, "VN", ["energy"])]

    assert b.id not in contact_ids(page_of(client, a), "contacts")
    response = client.post(f"/r/{a.manage_token}/networking/request",
                           data={"registration_id": b.id})
    assert response.status_code == 302
    [request_mail] = messages_to(app, b.email)
    assert "Haruto Sato" in text_of(request_mail)
    assert f"/r/{b.manage_token}/networking" in text_of(request_mail)
    assert "Meeting request" in request_mail["Subject"]

    b_page = page_of(client, b)
    assert a.id in contact_ids(b_page, "requests")
    req = db.session.execute(db.select(MeetingRequest)).scalar_one()
    assert req.status == RequestStatus.PENDING
    assert "waiting for an answer" in page_of(client, a)

    client.post(f"/r/{b.manage_token}/networking/requests/{req.id}/accept")
    db.session.refresh(req)
    assert req.status == RequestStatus.ACCEPTED
    [accepted_mail] = messages_to(app, a.email)
    assert "Grace Wanjiru" in text_of(accepted_mail)

    meetings = schedule(client, organiser_token, ev.id).get_json()["meetings"]
    together = [m for m in meetings if {m["a"], m["b"]} == {a.id, b.id}]
    assert len(together) == 1
    assert "meeting requested" in together[0]["reasons"]
    assert pairs(meetings) >= {frozenset((fits[0].id, b.id))}


def test_asking_someone_who_already_asked_you_accepts_their_request(client):
    ev = factories.event()
    a, b = company(ev), official(ev)
    client.post(f"/r/{a.manage_token}/networking/request", data={"registration_id": b.id})
    client.post(f"/r/{b.manage_token}/networking/request", data={"registration_id": a.id})
    [req] = db.session.execute(db.select(MeetingRequest)).scalars().all()
    assert (req.requester_id, req.status) == (a.id, RequestStatus.ACCEPTED)
    accepted = services.preferences(ev.id).accepted
    assert frozenset((a.id, b.id)) in accepted


def test_not_interested_and_declined_pairs_are_never_scheduled(client, organiser_token):
    ev = factories.event()
    a = company(ev, offers=["water"], targets=["KE"])
    b = official(ev, country="KE", needs=["water"])
    c = official(ev, country="KE", needs=["water"])
    d = company(ev, offers=["water"], targets=["KE"])
    assert {b.id, c.id} <= contact_ids(page_of(client, a), "contacts")

    client.post(f"/r/{a.manage_token}/networking/not-interested",
                data={"registration_id": b.id})
    assert b.id not in contact_ids(page_of(client, a), "contacts")
    assert a.id not in contact_ids(page_of(client, b), "contacts")

    client.post(f"/r/{d.manage_token}/networking/request", data={"registration_id": c.id})
    req = db.session.execute(db.select(MeetingRequest).where(
        MeetingRequest.requester_id == d.id)).scalar_one()
    client.post(f"/r/{c.manage_token}/networking/requests/{req.id}/decline")

    for _attempt in range(2):
        meetings = schedule(client, organiser_token, ev.id).get_json()["meetings"]
        assert frozenset((a.id, b.id)) not in pairs(meetings)
        assert frozenset((c.id, d.id)) not in pairs(meetings)
    assert pairs(meetings) == {frozenset((a.id, c.id)), frozenset((b.id, d.id))}

    # A declined request cannot be pushed again; "show again" undoes a mark.
    client.post(f"/r/{d.manage_token}/networking/request", data={"registration_id": c.id})
    db.session.refresh(req)
    assert req.status == RequestStatus.DECLINED
    mark = db.session.execute(db.select(MeetingRequest).where(
        MeetingRequest.requester_id == a.id)).scalar_one()
    client.post(f"/r/{a.manage_token}/networking/requests/{mark.id}/withdraw")
    assert b.id in contact_ids(page_of(client, a), "contacts")


def test_only_people_who_opted_in_see_and_are_seen(client):
    ev = factories.event()
    viewer = official(ev, country="KE", needs=["water", "diagnostics"])
    fitting = company(ev, offers=["water", "diagnostics"], targets=["KE"],
                      organisation="Aqua Pure K.K.")
    shy = company(ev, offers=["water"], targets=["KE"], networking_opt_in=False)
    guest = factories.registration(ev, "guest", networking_opt_in=True)
    html = page_of(client, viewer)
    assert contact_ids(html, "contacts") == {fitting.id}
    assert "Kenya · Diagnostics and medical devices, Water purification" in html
    assert "Aqua Pure K.K." in html

    ja = client.get(f"/r/{viewer.manage_token}/networking?lang=ja").get_data(as_text=True)
    assert "ケニア" in ja and "浄水" in ja

    for outsider in (shy, guest):
        html = page_of(client, outsider)
        assert contact_ids(html, "contacts") == set()
        assert 'data-registration' not in html
    refused = client.post(f"/r/{viewer.manage_token}/networking/request",
                          data={"registration_id": shy.id}, follow_redirects=True)
    assert "not taking part" in refused.get_data(as_text=True)
    assert db.session.execute(db.select(MeetingRequest)).first() is None


def test_unavailable_slots_are_saved_and_respected(client, organiser_token):
    ev = factories.event()
    busy = official(ev, country="KE", needs=["water"])
    for _n in range(4):
        company(ev, offers=["water"], targets=["KE"])
    client.post(f"/r/{busy.manage_token}/networking/availability",
                data={"unavailable": ["0", "2", "99"]})
    db.session.refresh(busy)
    assert busy.unavailable_slots == [0, 2]
    assert 'value="2" checked' in page_of(client, busy)
    meetings = schedule(client, organiser_token, ev.id).get_json()["meetings"]
    slots = {m["slot"] for m in meetings if busy.id in (m["a"], m["b"])}
    assert slots and not slots & {0, 2}


# -- agendas and calendar files -----------------------------------------------------------

def test_agenda_and_calendar_show_only_published_meetings(client, organiser_token):
    ev, (kenya, *_rest) = small_event()
    schedule(client, organiser_token, ev.id)
    drafts = [m for m in stored(ev.id) if kenya.id in (m.a_id, m.b_id)]
    assert drafts
    assert "Table" not in section(page_of(client, kenya), "agenda")
    empty = Calendar.from_ical(client.get(f"/r/{kenya.manage_token}/agenda.ics").data)
    assert [c["summary"] for c in empty.walk("VEVENT")] == [ev.title]

    client.post(f"/api/v1/events/{ev.id}/networking/publish", headers=bearer(organiser_token))
    agenda = section(page_of(client, kenya), "agenda")
    printable = client.get(f"/r/{kenya.manage_token}/agenda").get_data(as_text=True)
    response = client.get(f"/r/{kenya.manage_token}/agenda.ics")
    assert response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).walk("VEVENT")
    meetings = [e for e in events if str(e["summary"]) != ev.title]
    assert len(meetings) == len(drafts) and len(events) == len(drafts) + 1
    for meeting in drafts:
        other = meeting.b if meeting.a_id == kenya.id else meeting.a
        assert other.name in agenda and other.name in printable
        [entry] = [e for e in meetings if other.name in str(e["summary"])]
        assert f"Table {meeting.table_number}" in str(entry["summary"])
        assert other.organisation in str(entry["summary"])
        assert re.search(r"Why you meet: \w", str(entry["description"]))
        starts = services.slot_start(ev, meeting.slot).replace(microsecond=0)
        assert entry.decoded("dtstart") == starts


# -- permissions --------------------------------------------------------------------------

API_CALLS = [("post", "schedule"), ("post", "publish"), ("get", "meetings")]


@pytest.mark.parametrize(("method", "call"), API_CALLS)
def test_api_needs_an_organiser_token(client, door_token, organiser_token, method, call):
    ev = factories.event()
    url = f"/api/v1/events/{ev.id}/networking/{call}"
    send = getattr(client, method)
    assert send(url).status_code == 401
    assert send(url, headers=bearer("nonsense")).status_code == 401
    assert send(url, headers=bearer(door_token)).status_code == 403
    assert send(url, headers=bearer(organiser_token)).status_code == 200
    assert send(f"/api/v1/events/999999/networking/{call}",
                headers=bearer(organiser_token)).status_code == 404
    bare = factories.event(title="No networking", networking=False)
    answer = send(f"/api/v1/events/{bare.id}/networking/{call}", headers=bearer(organiser_token))
    assert answer.status_code == 409
    assert answer.get_json()["error"] == "no_networking" and answer.get_json()["message"]


def test_schedule_body_is_validated(client, organiser_token):
    ev = factories.event()
    bad = schedule(client, organiser_token, ev.id, only_checked_in="yes")
    assert bad.status_code == 422 and "only_checked_in" in bad.get_json()["fields"]


@pytest.mark.parametrize("path", ["", "/plan"])
def test_organiser_pages_need_an_organiser(app, door_client, organiser_client, path):
    ev = factories.event()
    url = f"/manage/events/{ev.id}/networking{path}"
    client = app.test_client()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert door_client.get(url).status_code == 403
    assert door_client.post(f"/manage/events/{ev.id}/networking/generate").status_code == 403
    assert client.post(f"/manage/events/{ev.id}/networking/publish").status_code == 302
    assert organiser_client.get(url).status_code == 200


def test_attendee_pages_need_the_right_token(client):
    ev = factories.event()
    reg = official(ev)
    other = company(ev)
    for path in ("networking", "agenda", "agenda.ics"):
        assert client.get(f"/r/{reg.manage_token}/{path}").status_code == 200
        assert client.get(f"/r/{reg.manage_token}x/{path}").status_code == 404
    assert client.post("/r/wrong-token/networking/request",
                       data={"registration_id": other.id}).status_code == 404
    # Someone else's request cannot be answered with your link.
    client.post(f"/r/{reg.manage_token}/networking/request",
                data={"registration_id": other.id})
    req = db.session.execute(db.select(MeetingRequest)).scalar_one()
    client.post(f"/r/{reg.manage_token}/networking/requests/{req.id}/accept")
    db.session.refresh(req)
    assert req.status == RequestStatus.PENDING


def test_organiser_page_of_an_event_without_networking(organiser_client):
    bare = factories.event(title="No networking", networking=False)
    html = organiser_client.get(f"/manage/events/{bare.id}/networking").get_data(as_text=True)
    assert "no networking session" in html
    response = organiser_client.post(f"/manage/events/{bare.id}/networking/generate",
                                     follow_redirects=True)
    assert "no networking session" in response.get_data(as_text=True)


def test_openapi_describes_the_networking_calls(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    base = "/api/v1/events/{event_id}/networking"
    assert "post" in doc["paths"][f"{base}/schedule"]
    assert "post" in doc["paths"][f"{base}/publish"]
    meetings = doc["paths"][f"{base}/meetings"]["get"]
    assert "409" in meetings["responses"]
    schema = doc["components"]["schemas"]["NetworkingMeeting"]
    assert set(schema["required"]) == {"id", "slot", "starts_at", "table", "a", "b", "score",
                                       "reasons", "published"}


def test_registration_links_reach_the_networking_page(client):
    ev = factories.event()
    reg = official(ev)
    html = client.get(f"/r/{reg.manage_token}").get_data(as_text=True)
    assert f"/r/{reg.manage_token}/networking" in html
    cancelled = official(ev, status=Status.CANCELLED)
    assert "Meet other participants" in page_of(client, cancelled)
    assert db.session.get(Registration, cancelled.id).status == Status.CANCELLED
