"""The programme report printed to PDF by Chromium: two A4 pages at most, in Japanese,
with the Japanese text intact in the PDF."""

import shutil
import subprocess
from datetime import timedelta

import pytest

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.feedback import requests
from eventapp.feedback.services import save_feedback
from eventapp.models import Meeting, MeetingOutcome, Programme
from tests import factories
from tests.browser.conftest import login_as
from tests.browser.test_report_print import A4_CONTENT_WIDTH, ARTIFACTS, _page_count

QUOTE = "現地の方々との信頼関係を築くうえで大変役に立ちました。"


COMPANIES = ["アクア・クリーン株式会社", "ソーラー・ジャパン株式会社", "メディカル・ウェイスト株式会社",
             "コールドチェーン技研株式会社", "テレメディスン株式会社"]
COUNTRIES = ["KE", "GH", "VN", "ID", "ET", "TZ", "PH", "NG"]
AREAS = ["water", "energy", "medwaste", "coldchain", "telemedicine", "diagnostics"]


def _three_seminars() -> Programme:
    """Three seminars of five companies and eight embassies each (one company
    representative comes to all three), most attendees checked in, some answers."""
    events = []
    for n in range(3):
        starts = utcnow() - timedelta(days=60 - 20 * n)
        event = factories.event(title=f"Demonstration seminar {n + 1}",
                                translations={"ja": {"title": f"実証事業セミナー 第{n + 1}回"}},
                                starts_at=starts, ends_at=starts + timedelta(hours=4),
                                networking=False)
        people = [factories.registration(
            event, "company", organisation=name, country="JP",
            email="sato@aqua.example" if k == 0 else f"c{k}.{n}@example.jp",
            technologies_offered=[AREAS[k], AREAS[(k + 1) % len(AREAS)]])
            for k, name in enumerate(COMPANIES)]
        people += [factories.registration(event, "embassy", country=code,
                                          email=f"{code.lower()}.{n}@embassy.example",
                                          technology_needs=[AREAS[k % len(AREAS)]])
                   for k, code in enumerate(COUNTRIES)]
        for person in people[:-1 - n]:
            person.checked_in_at = starts + timedelta(minutes=5)
        for k in range(4):  # company k met official k, and both said so
            company, official = people[k], people[len(COMPANIES) + k]
            meeting = Meeting(event_id=event.id, a_id=min(company.id, official.id),
                              b_id=max(company.id, official.id), slot=k, table_number=1,
                              published=True, reasons={"technologies": [AREAS[k]]})
            db.session.add(meeting)
            db.session.flush()
            db.session.add_all([
                MeetingOutcome(meeting_id=meeting.id, registration_id=company.id, held=True,
                               follow_up=k % 2 == 0),
                MeetingOutcome(meeting_id=meeting.id, registration_id=official.id, held=True,
                               applicable=k < 3)])
        db.session.commit()
        requests.send_feedback_requests(event.id)
        for k, person in enumerate(people[:6]):
            save_feedback(person, rating=5 - k % 3, useful=QUOTE if k == 0 else "",
                          follow_up=k % 2 == 0, comments="", quote_consent=k == 0,
                          attribution="organisation")
        db.session.commit()
        events.append(event)
    programme = Programme(title="実証事業セミナー 2026", events=events)
    db.session.add(programme)
    db.session.commit()
    return programme


def test_the_programme_report_prints_on_at_most_two_a4_pages_in_japanese(
        app, live_server, new_page):
    programme = _three_seminars()
    organiser = factories.staff("programme@test.example", "organiser")
    page = new_page(viewport={"width": A4_CONTENT_WIDTH, "height": 1000}, locale="ja-JP")
    problems = []
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)
    login_as(page, live_server, organiser)
    page.goto(f"{live_server}/manage/programmes/{programme.id}/print")
    page.emulate_media(media="print")
    summary = page.locator("#programme-summary").inner_text()
    assert "プログラム「実証事業セミナー 2026」では、3件のイベントを開催しました" in summary
    assert "1名として数えています" in summary
    assert "ネットワーキングセッションでは12件の面談が行われました。" in summary
    assert QUOTE in summary
    assert page.locator("header.site-header").is_hidden()
    assert not problems, problems

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "programme-print-ja.png"), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert 1 <= _page_count(pdf) <= 2
    path = ARTIFACTS / "programme-report-ja.pdf"
    path.write_bytes(pdf)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is missing: the PDF's text is not checked")
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "実証事業セミナー 2026" in text
    assert "1名として数えています" in "".join(text.split())
