"""Safe publishing: a rebuild makes a draft beside the published schedule, which
attendees keep seeing, untouched, until the next publish; that publish e-mails only the
people whose meetings changed (counted at a real SMTP server), saying what changed, and
their calendar files keep each meeting's UID with a higher SEQUENCE."""

import re

from icalendar import Calendar

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import Meeting, Registration
from eventapp.networking import services
from tests.conftest import bearer
from tests.test_networking import load_demo, schedule

CSRF = re.compile(r'(name="csrf_token" value|name="csrf-token" content)="[^"]*"')


def published(client, token, event_id, **query) -> list[dict]:
    response = client.get(f"/api/v1/events/{event_id}/networking/meetings",
                          query_string={"published": 1, **query}, headers=bearer(token))
    assert response.status_code == 200
    return response.get_json()


def working(client, token, event_id) -> list[dict]:
    return client.get(f"/api/v1/events/{event_id}/networking/meetings",
                      headers=bearer(token)).get_json()


def what_attendees_see(client, regs) -> dict[int, tuple[str, str, bytes]]:
    """Each person's networking page, printable agenda and calendar file."""
    seen = {}
    for reg in regs:
        page = client.get(f"/r/{reg.manage_token}/networking").get_data(as_text=True)
        agenda = client.get(f"/r/{reg.manage_token}/agenda").get_data(as_text=True)
        ics = client.get(f"/r/{reg.manage_token}/agenda.ics").data
        seen[reg.id] = (CSRF.sub("", page), CSRF.sub("", agenda), ics)
    return seen


def plan_by_person(meetings: list[dict]) -> dict[int, set[tuple]]:
    """Registration id -> {(partner, slot, table)}: what each person was told."""
    plan: dict[int, set[tuple]] = {}
    for m in meetings:
        plan.setdefault(m["a"], set()).add((m["b"], m["slot"], m["table"]))
        plan.setdefault(m["b"], set()).add((m["a"], m["slot"], m["table"]))
    return plan


def publish(client, token, event_id) -> dict:
    response = client.post(f"/api/v1/events/{event_id}/networking/publish",
                           headers=bearer(token))
    assert response.status_code == 200
    return response.get_json()


def test_a_rebuild_after_publishing_changes_nothing_attendees_see_until_the_next_publish(
        smtp_inbox, client, runner, organiser_token):
    event = load_demo(runner)
    schedule(client, organiser_token, event.id)
    first_publish = publish(client, organiser_token, event.id)
    first = published(client, organiser_token, event.id)
    told = plan_by_person(first)
    assert first_publish["notified"] == len(told) == len(smtp_inbox.messages) > 20
    people = {r.id: r for r in db.session.execute(db.select(Registration).where(
        Registration.event_id == event.id)).scalars()}
    before = what_attendees_see(client, people.values())

    # All but two people check in; the organiser locks the meetings without them, then
    # "only checked-in attendees", Generate again.
    away = sorted(told)[:2]
    for rid in told:
        if rid not in away:
            people[rid].checked_in_at = utcnow()
    db.session.commit()
    for m in first:
        if not {m["a"], m["b"]} & set(away):
            services.set_locked(event.id, m["id"], True)
    db.session.commit()
    rebuilt = schedule(client, organiser_token, event.id, only_checked_in=True)
    assert rebuilt.status_code == 200
    draft = working(client, organiser_token, event.id)
    assert draft and not any(m["published"] for m in draft)
    assert plan_by_person(draft) != told

    assert published(client, organiser_token, event.id) == first
    assert what_attendees_see(client, people.values()) == before
    assert len(smtp_inbox.messages) == first_publish["notified"]

    # The next publish: only the people whose meetings changed hear of it.
    second_publish = publish(client, organiser_token, event.id)
    second = published(client, organiser_token, event.id)
    assert plan_by_person(second) == plan_by_person(draft)
    now_told = plan_by_person(second)
    changed = {rid for rid in set(told) | set(now_told)
               if told.get(rid, set()) != now_told.get(rid, set())}
    assert changed and len(changed) < len(set(told) | set(now_told))
    news = smtp_inbox.messages[first_publish["notified"]:]
    assert sorted(r for recipients, _m in news for r in recipients) == sorted(
        people[rid].email for rid in changed)
    assert second_publish["notified"] == len(changed)

    # What changed, in the e-mail and the calendar file of someone who lost a meeting.
    lost = next(rid for rid in sorted(changed)
                if {p for p, _s, _t in told[rid]} - {p for p, _s, _t in now_told.get(rid, ())})
    gone = next(p for p, _s, _t in sorted(told[lost])
                if p not in {q for q, _s2, _t2 in now_told.get(lost, ())})
    [message] = [m for recipients, m in news if recipients == [people[lost].email]]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "changed" in message["Subject"]
    assert re.search(rf"Cancelled: your meeting with {re.escape(people[gone].name)}", text)
    calendar = Calendar.from_ical(client.get(f"/r/{people[lost].manage_token}/agenda.ics").data)
    entries = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    [old] = [m for m in first if {m["a"], m["b"]} == {lost, gone}]
    cancelled = entries[f"meeting-{old['id']}@eventapp"]
    assert str(cancelled["status"]) == "CANCELLED" and int(cancelled["sequence"]) == 1
    for m in second:
        if lost in (m["a"], m["b"]):
            entry = entries[f"meeting-{m['id']}@eventapp"]
            assert str(entry["status"]) == "CONFIRMED"
            was = [f for f in first if f["id"] == m["id"]]
            if was and (was[0]["slot"], was[0]["table"]) == (m["slot"], m["table"]):
                assert int(entry["sequence"]) == 0  # unchanged: same UID, same SEQUENCE
            elif was:
                assert int(entry["sequence"]) == 1  # moved: same UID, next SEQUENCE

    # The others' agendas read as before.
    after = what_attendees_see(client, people.values())
    assert all(after[rid][1] == seen[1] for rid, seen in before.items() if rid not in changed)


def test_locked_and_held_meetings_survive_every_rebuild(client, runner, organiser_token):
    event = load_demo(runner)
    schedule(client, organiser_token, event.id)
    publish(client, organiser_token, event.id)
    first = published(client, organiser_token, event.id)
    held, locked = first[0], first[5]
    outcome = client.post(
        f"/api/v1/events/{event.id}/networking/meetings/{held['id']}/outcome",
        json={"registration_id": held["a"], "held": True, "rating": 4},
        headers=bearer(organiser_token))
    assert outcome.status_code == 200
    services_lock(event.id, locked["id"])
    # Everyone with a held or locked meeting "stays away": the rebuild still keeps them.
    for _round in range(2):
        schedule(client, organiser_token, event.id, only_checked_in=True)
        draft = working(client, organiser_token, event.id)
        for kept in (held, locked):
            assert any((m["a"], m["b"], m["slot"], m["table"]) ==
                       (kept["a"], kept["b"], kept["slot"], kept["table"]) for m in draft)
        publish(client, organiser_token, event.id)
        now = {m["id"]: m for m in published(client, organiser_token, event.id)}
        for kept in (held, locked):
            assert now[kept["id"]] == kept


def services_lock(event_id: int, meeting_id: int) -> None:
    services.set_locked(event_id, meeting_id, True)
    db.session.commit()
    assert db.session.get(Meeting, meeting_id).locked


def test_the_organiser_sees_who_gains_loses_or_moves_before_publishing(
        organiser_client, organiser_token, runner):
    event = load_demo(runner)
    base = f"/manage/events/{event.id}/networking"
    organiser_client.post(f"{base}/generate")
    first_look = organiser_client.get(f"{base}/publish").get_data(as_text=True)
    assert "people will be e-mailed their agenda" in first_look
    organiser_client.post(f"{base}/publish")
    first = published(organiser_client, organiser_token, event.id)
    page = organiser_client.get(base).get_data(as_text=True)
    assert "a new draft is not yet published" not in page

    organiser_client.post(f"{base}/generate", data={"only_checked_in": "1"})
    page = organiser_client.get(base).get_data(as_text=True)
    assert "a new draft is not yet published" in page and "Review and publish" in page
    preview = organiser_client.get(f"{base}/publish").get_data(as_text=True)
    # Nobody has checked in: every published meeting would be cancelled, for both people.
    changes = re.search(r'<section class="card" id="changes">(.*?)</section>', preview,
                        re.S).group(1)
    people = {m[k] for m in first for k in ("a", "b")}
    assert changes.count("data-registration=") == len(people)
    assert changes.count("Cancelled: your meeting with") == 2 * len(first)
    assert published(organiser_client, organiser_token, event.id) == first  # not yet
    organiser_client.post(f"{base}/publish")
    assert published(organiser_client, organiser_token, event.id) == []
