"""The printable attendance report in Chromium: what an organiser sees and prints."""

from datetime import timedelta
from pathlib import Path

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import Event, Registration
from tests import factories
from tests.browser.conftest import login_as

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
A4_CONTENT_WIDTH = 705  # CSS pixels inside 12 mm margins


def _seminar_with_turnout(runner) -> tuple[Event, int]:
    """The demo seminar with everyone but the last four guests checked in over an hour."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    event = db.session.get(Event, int(result.output.strip().splitlines()[-1]))
    people = list(db.session.execute(
        db.select(Registration).where(Registration.event_id == event.id)
        .order_by(Registration.id)).scalars())
    start = utcnow() - timedelta(hours=1)
    came = people[:-4]
    for n, person in enumerate(came):
        person.checked_in_at = start + timedelta(minutes=n)
    db.session.commit()
    return event, len(came)


def _page_count(pdf: bytes) -> int:
    return pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")


def test_printed_report_shows_summary_and_charts_on_at_most_two_a4_pages(
        app, runner, live_server, new_page):
    event, attended = _seminar_with_turnout(runner)
    organiser = factories.staff("printer@test.example", "organiser")
    page = new_page(viewport={"width": A4_CONTENT_WIDTH, "height": 1000})
    problems = []  # script errors, CSP violations, missing stylesheets or scripts
    page.on("console", lambda m: problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico") else None)

    login_as(page, live_server, organiser)
    page.goto(f"{live_server}/manage/events/{event.id}/report/print")
    page.emulate_media(media="print")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "report-print.png"), full_page=True)
    summary = page.locator("#report-summary")
    assert summary.is_visible()
    assert summary.inner_text().startswith(
        f"{attended} participants attended, including representatives of 12 companies and "
        "officials from 8 countries.")
    charts = page.locator("svg.chart")
    assert charts.count() >= 4
    assert charts.first.is_visible()
    assert charts.first.bounding_box()["width"] > 200
    assert page.locator("header.site-header").is_hidden()  # no navigation on paper
    assert not problems, problems

    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF")
    assert 1 <= _page_count(pdf) <= 2
