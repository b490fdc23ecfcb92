"""A programme's report over three events against figures counted by hand, with a person
who came to two of them (counted once, by e-mail address whatever its case). On SQLite
and PostgreSQL."""

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from eventapp.extensions import db
from eventapp.feedback import requests
from eventapp.models import Meeting, MeetingOutcome, Programme, Status
from eventapp.programmes.figures import programme_figures
from tests import factories
from tests.conftest import bearer

TOKYO = ZoneInfo("Asia/Tokyo")
UNIDO = "Working with UNIDO helped us gain the trust of local government agencies."
UNCONSENTED = "The coffee was cold."


def _event(title, day):
    starts = datetime(2026, 6, day, 13, 0, tzinfo=TOKYO)
    return factories.event(title=title, starts_at=starts, ends_at=starts + timedelta(hours=4),
                           networking=False)


def _came(event, category, email, country, organisation="", **fields):
    reg = factories.registration(event, category, email=email, country=country,
                                 organisation=organisation, **fields)
    reg.checked_in_at = event.starts_at + timedelta(minutes=10)
    db.session.commit()
    return reg


def _meeting(event, a, b, slot, outcomes, published=True, area="water"):
    a, b = sorted([a, b], key=lambda r: r.id)
    meeting = Meeting(event_id=event.id, a_id=a.id, b_id=b.id, slot=slot, table_number=1,
                      published=published,
                      reasons={"countries": [], "technologies": [area]})
    db.session.add(meeting)
    db.session.flush()
    for reg, held, follow_up, *applicable in outcomes:
        db.session.add(MeetingOutcome(meeting_id=meeting.id, registration_id=reg.id,
                                      held=held, follow_up=follow_up,
                                      applicable=applicable[0] if applicable else None))
    db.session.commit()


def _feedback(client, reg, rating, follow_up="no", useful="", consent=False,
              attribution="anonymous"):
    data = {"rating": str(rating), "useful": useful, "follow_up": follow_up,
            "attribution": attribution}
    if consent:
        data["quote_consent"] = "y"
    assert client.post(f"/r/{reg.manage_token}/feedback", data=data).status_code == 302


@pytest.fixture
def three_seminars(app, client):
    """Three seminars. Hand count: 9 check-ins by 8 people (Sato came twice, writing his
    address in two cases); companies Aqua Clean (twice, in two cases), Solar Japan,
    MedWaste: 3; countries JP, KE, VN, GH: 4, officials' KE, VN, GH: 3; meetings held 3
    (one disputed and one unpublished do not count), follow-ups wanted on them 3,
    officials saying the technology applies 2;
    feedback asked 9, answered 4, ratings 5, 4, 2, 4: mean 3.75; two will follow up;
    the follow-up: one agreement, one further meeting."""
    a, b, c = _event("Seminar A", 9), _event("Seminar B", 10), _event("Seminar C", 11)
    sato_a = _came(a, "company", "Sato@Aqua.example", "JP", "Aqua Clean K.K.",
                   technologies_offered=["water", "diagnostics"])
    amina = _came(a, "embassy", "amina@ke.example", "KE", technology_needs=["water"])
    solar = _came(a, "company", "kimura@solar.example", "JP", "Solar Japan",
                  technologies_offered=["energy"])
    factories.registration(a, "guest", email="stayed@home.example")  # never came
    sato_b = _came(b, "company", "sato@aqua.example", "JP", "aqua clean k.k.",
                   technologies_offered=["water"])
    minh = _came(b, "embassy", "minh@vn.example", "VN",
                 technology_needs=["energy", "diagnostics"])
    otieno = _came(b, "embassy", "otieno@ke.example", "KE")
    _came(b, "guest", "guest@gh.example", "GH")
    medwaste = _came(c, "company", "mori@medwaste.example", "JP", "MedWaste Co.",
                     technologies_offered=["medwaste"])
    kofi = _came(c, "embassy", "kofi@gh.example", "GH", technology_needs=["medwaste"])
    factories.registration(c, "company", status=Status.CANCELLED, organisation="Ghost Co.",
                           email="ghost@ghost.example", country="CN")

    _meeting(a, sato_a, amina, 0, [(sato_a, True, True), (amina, True, False, True)])
    _meeting(a, solar, amina, 1, [(solar, True, True), (amina, False, None)],  # disputed
             area="energy")
    _meeting(b, sato_b, minh, 0, [(sato_b, True, True), (minh, True, True, True)],
             area="diagnostics")
    _meeting(b, sato_b, otieno, 1, [(sato_b, True, True), (otieno, True, None, True)],
             published=False)
    _meeting(c, medwaste, kofi, 0, [(kofi, True, None)], area="medwaste")

    for event in (a, b, c):
        requests.send_feedback_requests(event.id)
        db.session.commit()
    _feedback(client, sato_a, 5, "yes", UNIDO, consent=True, attribution="organisation")
    _feedback(client, sato_b, 4, "yes")
    _feedback(client, minh, 2, useful="Remote communication was hard.", consent=True)
    _feedback(client, kofi, 4, useful=UNCONSENTED)
    assert client.post(f"/r/{sato_a.manage_token}/follow-up",
                       data={"result": "agreement"}).status_code == 302
    assert client.post(f"/r/{sato_b.manage_token}/follow-up",
                       data={"result": "meeting", "with_whom": "Viet Nam"}).status_code == 302
    return a, b, c


def test_the_programme_report_gives_the_hand_counted_figures(
        app, client, organiser_token, three_seminars):
    a, b, c = three_seminars
    created = client.post("/api/v1/programmes", headers=bearer(organiser_token),
                          json={"title": "STePP seminars 2026", "event_ids": [c.id, a.id, b.id]})
    assert created.status_code == 201
    programme_id = created.get_json()["id"]
    report = client.get(f"/api/v1/programmes/{programme_id}/report",
                        headers=bearer(organiser_token)).get_json()
    summary = report.pop("summary")
    assert report == {"events": 3, "participants": 8, "companies": 3, "countries": 4,
                      "meetings_held": 3, "follow_ups": 3,
                      "feedback": {"requested": 9, "responses": 4, "mean_rating": 3.75}}
    assert summary["en"] == "\n\n".join([
        "The programme “STePP seminars 2026” comprised 3 events (Jun 9, 2026 – Jun 11, 2026). "
        "8 participants attended, including representatives of 3 companies and officials "
        "from 3 countries. 1 person came to more than one event and is counted once (people "
        "are recognised across events by their e-mail address).",
        "In the networking sessions, 3 meetings were held. After them, participants said 3 "
        "times that they want to follow up. Officials said 2 times that a technology they "
        "discussed applies in their country.",
        "4 of the 9 participants asked for feedback answered. They rated the events 3.8 out "
        f"of 5 on average. 2 said they would follow up with someone they met. Participants "
        f"remarked “{UNIDO}” (Aqua Clean K.K.), “Remote communication was hard.” "
        "(a participant).",
        "Asked again later, 2 participants said what following up led to: 1 further meeting, "
        "1 agreement."])
    ja = summary["ja"]
    assert "8名" in ja and "1名" in ja and "メールアドレス" in ja
    assert UNCONSENTED not in ja and UNCONSENTED not in summary["en"]


def test_the_breakdowns_count_people_once_by_country_and_technology_area(
        app, three_seminars):
    programme = Programme(title="Breakdowns", events=list(three_seminars))
    db.session.add(programme)
    db.session.commit()
    figures = programme_figures(programme, "en")
    assert (figures.attendances, figures.participants, figures.repeat_participants) == (9, 8, 1)
    assert figures.official_countries == 3
    # Held meetings: Sato-Amina (water), Sato-Minh (diagnostics), MedWaste-Kofi (medwaste).
    assert [(r.code, r.participants, r.meetings_held) for r in figures.by_country] == [
        ("JP", 3, 3), ("GH", 2, 1), ("KE", 2, 1), ("VN", 1, 1)]
    areas = {r.code: (r.offering, r.needing, r.meetings_held) for r in figures.by_area}
    assert areas == {"water": (1, 1, 1), "diagnostics": (1, 1, 1), "energy": (1, 1, 0),
                     "medwaste": (1, 1, 1)}
    assert [(row.checked_in, row.meetings_held, row.responses) for row in figures.per_event] == [
        (3, 1, 1), (4, 1, 2), (2, 1, 1)]
    assert figures.feedback.follow_up_results == {"meeting": 1, "pilot": 0, "agreement": 1,
                                                  "nothing_yet": 0}


def test_the_programme_pages_and_workbook_in_japanese(app, organiser_client, three_seminars):
    a, b, c = three_seminars
    created = organiser_client.post("/manage/programmes", data={
        "title": "実証事業セミナー 2026", "events": [str(a.id), str(b.id), str(c.id)]})
    assert created.status_code == 302
    page = organiser_client.get(created.location + "?lang=ja").get_data(as_text=True)
    assert "実証事業セミナー 2026" in page and "8名" in page
    assert "改めての面談: Viet Nam" in page  # the follow-up said with whom
    printed = organiser_client.get(created.location + "/print?lang=ja").get_data(as_text=True)
    assert "8名" in printed and UNIDO in printed and UNCONSENTED not in printed
    exported = created.location.replace("/manage/programmes/", "/programmes/")
    xlsx = organiser_client.get(exported + "/exports/report.xlsx?lang=ja")
    assert xlsx.status_code == 200
    book = load_workbook(BytesIO(xlsx.data))
    summary = {row[0].value: row[1].value for row in book.worksheets[0].iter_rows(min_row=2)}
    assert summary["参加者数（チェックインした実人数）"] == 8
    assert "8名" in summary["報告"]


def test_a_programme_needs_a_title_and_real_events(app, client, organiser_token, door_token):
    event = _event("Seminar", 9)
    bad = client.post("/api/v1/programmes", headers=bearer(organiser_token),
                      json={"title": " ", "event_ids": [event.id, 99999]})
    assert bad.status_code == 422
    assert set(bad.get_json()["fields"]) == {"title", "event_ids"}
    assert client.post("/api/v1/programmes", headers=bearer(organiser_token),
                       json={"title": "No events"}).status_code == 422
    assert client.post("/api/v1/programmes", headers=bearer(door_token),
                       json={"title": "T", "event_ids": [event.id]}).status_code == 403
    assert client.get("/api/v1/programmes/12345/report",
                      headers=bearer(organiser_token)).status_code == 404
