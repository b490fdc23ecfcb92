"""Every page of the app, in English and Japanese, on a 390-px phone and a 1280-px laptop:
no sideways scrolling of the page (a wide table may scroll inside a labelled region that
takes keyboard focus, and on a laptop none may), table headers over their columns (on
screen and in print), no serious or critical axe-core violation, and no error from the
Nu HTML checker.

The pages are built from the demo seminar with everything a page can show (a published
networking schedule, 19 scans from a phone, pending and waitlisted people, a failed
e-mail, an import waiting for review) on one app and one live server for the module;
the scanner is checked again showing a scan's result card.
`test_the_list_covers_every_page` keeps `pages()` complete: a new HTML page fails it
until it is listed there.

axe-core and the checker come from node_modules (`npm ci`: package.json), nothing
from a CDN. The checker runs once, in batch, over the HTML of every page in both
languages (one JVM start).
"""

import json
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from eventapp import create_app
from eventapp.checkin import services as checkin
from eventapp.database import utcnow
from eventapp.demo import build_demo_event
from eventapp.extensions import db
from eventapp.feedback.questions import add_question
from eventapp.feedback.requests import send_feedback_requests
from eventapp.feedback.services import save_feedback, save_follow_up
from eventapp.models import (
    EmailStatus,
    Meeting,
    MeetingRequest,
    Message,
    OutboundEmail,
    Programme,
    Registration,
    Status,
)
from eventapp.networking import live, versions
from eventapp.networking import services as networking
from eventapp.questions.answers import clean_answers, event_questions, store_answers
from tests import factories
from tests.browser.conftest import DEFAULT_TIMEOUT_MS, login_as
from tests.conftest import make_test_config
from tests.routes import app_routes, stored_import

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WIDTHS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}
LANGUAGES = {"en": "en-GB", "ja": "ja-JP"}
PUBLIC, ATTENDEE, DOOR, ORGANISER = "public", "attendee", "door", "organiser"
# An organiser's browser locked to the self check-in kiosk of the event.
KIOSK = "kiosk"
# The scanner page's id and its phone's whole user-agent, as scanner.js sends them (the
# scan log shows a short name).
PHONE_UA = ("web-4f7a2c Mozilla/5.0 (Linux; Android 14; SM-S918B Build/UP1A.231005.007; wv) "
            "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.122 "
            "Mobile Safari/537.36")
# GET routes that are not pages: files, JSON and images.
NOT_PAGES = {"checkin.stats", "reports.live", "registration.qr_png_view",
             "registration.qr_svg_view", "networking.agenda_ics", "imports.template_csv",
             "imports.template_xlsx", "badges.sheets", "badges.single", "badges.checkin_list",
             "badges.table_cards", "kiosk.badge",
             "messages.one_click_opt_out", "networking_live.board_fragment"}
NOT_FOUND = "/e/no-such-event"
SCAN_ROW_PX = 140  # the most a scan may take in the scan log (it was 260 on a phone)
# Small tables that must fit a phone without scrolling (endpoint -> selectors).
FIT_ON_PHONE = {"events.manage_list": ["main .table-wrap"],
                "checkin.scanner": [".by-category .table-wrap"]}


@dataclass
class Site:
    app: object
    base_url: str
    organiser: object
    door: object
    event: object
    attendee: object
    cancelled: object
    pending: object
    unconfirmed: object  # a public sign-up awaiting e-mail confirmation
    import_token: str
    import_done_token: str
    fresh_codes: list  # of people nobody has checked in: one for each scan the test makes
    question_id: int = 0  # the dietary question, answered by a few people
    message_id: int = 0  # a message to a group, one of whose e-mails failed
    feedback_token: str = ""  # a person who came and answered the survey
    programme_id: int = 0  # a programme of the event, with feedback and quotes


def build_site(app, base_url: str) -> Site:
    organiser = factories.staff("organiser@test.example", "organiser")
    door = factories.staff("door@test.example", "door")
    factories.token(organiser)
    factories.token(door)
    event = build_demo_event()
    db.session.commit()
    people = list(db.session.execute(
        db.select(Registration).where(Registration.event_id == event.id)
        .order_by(Registration.id)).scalars())
    # The desk's hardest rows: waiting for approval, on the waitlist, cancelled.
    pending = factories.registration(
        event, "guest", status=Status.PENDING, name="Nomvula Dlamini-Mthembu",
        organisation="South African Medical Research Council Technology Innovation Platform",
        country="ZA")
    factories.registration(event, "guest", status=Status.WAITLISTED, name="Long Waitlist",
                           organisation="Organisation With A Very Long Name Incorporated")
    cancelled = factories.registration(event, "guest", status=Status.CANCELLED,
                                       name="佐々木 真理子", name_kana="ささき まりこ")
    unconfirmed = factories.registration(event, "guest", status=Status.PENDING,
                                         name="渡辺 健一", name_kana="わたなべ けんいち",
                                         email_confirm_by=utcnow() + timedelta(hours=24))
    scanner = checkin.Scanner(door.id, door.display_name, PHONE_UA)
    for reg in people[:19]:
        checkin.admit(event.id, scanner, code=reg.checkin_code)
    checkin.admit(event.id, scanner, code=people[0].checkin_code)  # already checked in
    checkin.admit(event.id, scanner, code="NOT-A-CODE")
    db.session.commit()
    networking.generate_schedule(event.id)
    versions.publish(event.id)
    db.session.commit()
    first, second = db.session.execute(
        db.select(Meeting).where(Meeting.event_id == event.id)
        .order_by(Meeting.slot, Meeting.table_number)).scalars().all()[:2]
    # The session under way: one at the table, one no-show; then a new draft to review.
    live.arrive(event.id, first.id, first.a_id)
    live.mark_absent(event.id, second.id, second.a_id)
    db.session.commit()
    networking.generate_schedule(event.id, only_checked_in=True)
    db.session.commit()
    attendee = db.session.get(Registration, first.a_id)
    others = [r for r in people if r.category_id != attendee.category_id
              and r.id not in (first.a_id, first.b_id)]
    db.session.add_all([
        MeetingRequest(event_id=event.id, requester_id=attendee.id, recipient_id=others[0].id),
        MeetingRequest(event_id=event.id, requester_id=others[1].id, recipient_id=attendee.id),
        OutboundEmail(event_id=event.id, registration_id=attendee.id, kind="ticket",
                      composer="registration", recipient=attendee.email,
                      subject="Your ticket", mime="Subject: Your ticket\r\n\r\nHello.\r\n",
                      status=EmailStatus.FAILED, attempts=3,
                      last_error="ConnectionRefusedError: [Errno 111] Connection refused")])
    db.session.commit()

    # The demo seminar asks the four preset questions; a few more people answer them in full.
    diet = next(q for q in event_questions(event.id) if q.code == "diet")
    for reg, choice in zip(people[:6], ["halal", "vegetarian", "halal", "vegan", "halal",
                                        "gluten_free"], strict=False):
        clean, _problems = clean_answers(event, reg.category, {
            "diet": [choice], "interpretation": "english", "photo_consent": True,
            "accessibility": "Wheelchair access to the networking room"}, reg)
        store_answers([(reg, clean)])
    db.session.commit()

    fresh = [r.checkin_code for r in people[19:] if r.id != attendee.id]
    message = Message(event_id=event.id, subject="Interpretation at the seminar",
                      subject_ja="当日の通訳について", body="Dear {name},\n\nInterpreters "
                      "will be at the front desk.", body_ja="{name}様\n\n通訳は受付におります。",
                      audience={"category": ["embassy"]}, status="queued", recipients=2,
                      send_at=utcnow(), queued_at=utcnow(), created_by_id=organiser.id)
    db.session.add(message)
    db.session.flush()
    db.session.add_all([OutboundEmail(
        event_id=event.id, registration_id=reg.id, message_id=message.id, kind="organiser",
        composer="message", recipient=reg.email, subject="Interpretation at the seminar",
        mime="Subject: Interpretation\r\n\r\nHello.\r\n",
        status=EmailStatus.FAILED if n else EmailStatus.SENT, attempts=2 if n else 1,
        last_error="SMTPRecipientsRefused: {'x@example.org': (550, b'No such user')}"
        if n else "") for n, reg in enumerate(people[:2])])
    db.session.commit()
    feedback_token, programme_id = _feedback_and_programme(event, people[:19])
    return Site(app, base_url, organiser, door, event, attendee, cancelled, pending, unconfirmed,
                stored_import(app, event, organiser, 1),
                stored_import(app, event, organiser, 2, done=True), fresh, diet.id,
                message.id, feedback_token, programme_id)


def _feedback_and_programme(event, came) -> tuple[str, int]:
    """Answers from people who came (two may be quoted, one follow-up) and a programme."""
    send_feedback_requests(event.id)
    asked = [add_question(event.id, "Was the venue easy to find?", "会場はすぐに分かりましたか？",
                          kind) for kind in ("yes_no", "scale", "text")]
    db.session.flush()
    for n, person in enumerate(came[:5]):
        save_feedback(person, rating=5 - n % 3, useful=f"The networking session ({n}).",
                      follow_up=n % 2 == 0, comments="", quote_consent=n < 2,
                      attribution="organisation" if n == 0 else "anonymous",
                      answers={str(asked[0].id): n % 2 == 0, str(asked[1].id): 4,
                               str(asked[2].id): f"Cold chain ({n})"})
    save_follow_up(came[0], result="pilot", with_whom="Kenya")
    programme = Programme(title="Demonstration-project seminars", events=[event])
    db.session.add(programme)
    db.session.commit()
    return came[0].manage_token, programme.id


def pages(site: Site) -> list[tuple[str, str, str]]:
    """(endpoint, role, path) of every page, with real data behind it."""
    ev, slug = site.event.id, site.event.slug
    token, manage = site.attendee.manage_token, f"/manage/events/{ev}"
    return [
        ("events.index", PUBLIC, "/"),
        ("events.public_event", PUBLIC, f"/e/{slug}"),
        ("registration.choose_category", PUBLIC, f"/e/{slug}/register"),
        ("registration.signup", PUBLIC, f"/e/{slug}/register/company"),
        ("registration.done", PUBLIC, f"/e/{slug}/registered?status=waitlisted"),
        ("privacy.data_deleted", PUBLIC, f"/e/{slug}/data-deleted"),
        ("auth.login", PUBLIC, "/login"),
        ("404", PUBLIC, NOT_FOUND),
        ("registration.manage", ATTENDEE, f"/r/{token}"),
        ("registration.ticket", ATTENDEE, f"/r/{token}/ticket"),
        ("registration.ticket", ATTENDEE, f"/r/{site.cancelled.manage_token}/ticket"),
        ("registration.confirm_email", ATTENDEE, f"/r/{site.unconfirmed.manage_token}/confirm"),
        ("registration.edit", ATTENDEE, f"/r/{token}/edit"),
        ("registration.cancel", ATTENDEE, f"/r/{token}/cancel"),
        ("networking.attendee", ATTENDEE, f"/r/{token}/networking"),
        ("networking.agenda", ATTENDEE, f"/r/{token}/agenda"),
        ("privacy.delete_my_data", ATTENDEE, f"/r/{token}/delete"),
        ("checkin.scanner", DOOR, f"{manage}/scanner?q=sato"),
        ("checkin.walk_in", DOOR, f"{manage}/walk-in"),
        ("checkin.scan_log", ORGANISER, f"{manage}/scans"),
        ("events.manage_list", ORGANISER, "/manage/events"),
        ("events.create", ORGANISER, "/manage/events/new"),
        ("events.dashboard", ORGANISER, manage),
        ("events.edit", ORGANISER, f"{manage}/edit"),
        ("events.categories", ORGANISER, f"{manage}/categories"),
        ("desk.index", ORGANISER, f"{manage}/registrations"),
        ("desk.index", ORGANISER, f"{manage}/registrations?answer=diet:halal"),
        ("questions.editor", ORGANISER, f"{manage}/questions"),
        ("questions.edit", ORGANISER, f"{manage}/questions/{site.question_id}"),
        ("desk.registration", ORGANISER, f"{manage}/registrations/{site.pending.id}"),
        ("desk.failed_emails", ORGANISER, f"{manage}/registrations/emails/failed"),
        ("imports.upload", ORGANISER, f"{manage}/registrations/import"),
        ("imports.report", ORGANISER, f"{manage}/registrations/import/{site.import_token}"),
        ("imports.done", ORGANISER,
         f"{manage}/registrations/import/{site.import_done_token}/done"),
        ("networking.organiser", ORGANISER, f"{manage}/networking"),
        ("networking.table_plan", ORGANISER, f"{manage}/networking/plan"),
        ("networking.publish_preview", ORGANISER, f"{manage}/networking/publish"),
        ("networking_live.live_board", ORGANISER, f"{manage}/networking/live?slot=0"),
        ("networking_live.table", ATTENDEE, f"/events/{ev}/tables/1"),
        ("reports.dashboard", ORGANISER, f"{manage}/report"),
        ("reports.print_report", ORGANISER, f"{manage}/report/print"),
        ("privacy.anonymise_event", ORGANISER, f"{manage}/anonymise"),
        ("messages.history", ORGANISER, f"{manage}/messages"),
        ("messages.compose", ORGANISER,
         f"{manage}/messages/new?ids={site.attendee.id}&ids={site.pending.id}"),
        ("messages.detail", ORGANISER, f"{manage}/messages/{site.message_id}"),
        ("messages.automatic", ORGANISER, f"{manage}/messages/automatic"),
        ("messages.opt_out", ATTENDEE, f"/r/{token}/messages"),
        ("auth.staff", ORGANISER, "/staff"),
        ("auth.staff_edit", ORGANISER, f"/staff/{site.door.id}"),
        ("auth.tokens", ORGANISER, "/tokens"),
        ("badges.printing", ORGANISER, f"{manage}/badges"),
        ("kiosk.kiosk", ORGANISER, f"/events/{ev}/kiosk"),
        ("kiosk.kiosk", KIOSK, f"/events/{ev}/kiosk"),
        ("kiosk.unlock", KIOSK, f"/events/{ev}/kiosk/unlock"),
        ("feedback.form", ATTENDEE, f"/r/{site.feedback_token}/feedback"),
        ("feedback.follow_up", ATTENDEE, f"/r/{site.feedback_token}/follow-up"),
        ("feedback.organiser", ORGANISER, f"{manage}/feedback"),
        ("programmes.index", ORGANISER, "/manage/programmes"),
        ("programmes.page", ORGANISER, f"/manage/programmes/{site.programme_id}"),
        ("programmes.print_report", ORGANISER, f"/manage/programmes/{site.programme_id}/print"),
    ]


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # some 600 requests would bury a failure
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("every-page")
    app = create_app(make_test_config(f"sqlite:///{tmp / 'test.db'}", tmp),
                     instance_path=str(tmp / "instance"))
    with app.app_context():
        db.create_all()
        server = make_server("127.0.0.1", 0, app, threaded=True,
                             request_handler=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        base_url = f"http://127.0.0.1:{server.server_port}"
        app.config["BASE_URL"] = base_url
        yield build_site(app, base_url)
        server.shutdown()
        thread.join(5)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def axe_source() -> str:
    assert AXE.exists(), f"{AXE} is missing: run `make install` (npm ci)"
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def signed_in(browser, site) -> dict:
    """Each staff role's cookies, from one sign-in each (hashing a password is slow)."""
    states = {}
    for role, user in ((DOOR, site.door), (ORGANISER, site.organiser)):
        context = browser.new_context()
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        login_as(context.new_page(), site.base_url, user)
        states[role] = context.storage_state()
        context.close()
    # A second organiser browser, locked to the kiosk (its own session: the first stays).
    context = browser.new_context()
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = login_as(context.new_page(), site.base_url, site.organiser)
    page.goto(f"{site.base_url}/events/{site.event.id}/kiosk")
    page.fill("#pin", "2468")
    page.fill("#pin_again", "2468")
    with page.expect_navigation():
        page.locator("form:has(#pin_again) button[type=submit]").click()
    states[KIOSK] = context.storage_state()
    context.close()
    return states


def contexts_by_role(browser, signed_in: dict, language: str, viewport: dict) -> dict:
    """One browser context per role in `language`, signed in where the role needs it."""
    made = {}
    for role in (PUBLIC, DOOR, ORGANISER, KIOSK):
        context = browser.new_context(viewport=viewport, locale=LANGUAGES[language],
                                      storage_state=signed_in.get(role))
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        made[role] = context
    made[ATTENDEE] = made[PUBLIC]
    return made


LAYOUT_JS = """() => {
  const width = window.innerWidth;
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ?
     '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const scrolls = el => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const inScroller = el => { for (let p = el.parentElement; p; p = p.parentElement)
    if (scrolls(p)) return true; return false; };
  const wide = [...document.body.querySelectorAll('*')].filter(el => {
      const r = el.getBoundingClientRect(); return r.width && r.right > width + 1 && !inScroller(el); })
    .filter((el, _, all) => !all.includes(el.parentElement))
    .slice(0, 5).map(el => name(el) + ' right=' + Math.round(el.getBoundingClientRect().right));
  // Regions that scroll sideways inside the page, and whether a keyboard can reach them.
  const regions = [...document.body.querySelectorAll('*')]
    .filter(el => scrolls(el) && el.scrollWidth > el.clientWidth + 1)
    .map(el => ({name: name(el), labelled: el.tabIndex === 0 &&
                 el.getAttribute('role') === 'region' && !!el.getAttribute('aria-label')}));
  // A table's header cells stand over its columns.
  const misaligned = [];
  for (const table of document.querySelectorAll('table')) {
    const head = table.tHead && table.tHead.rows[0];
    const row = table.tBodies[0] && table.tBodies[0].rows[0];
    if (!head || !row || getComputedStyle(table.tHead).display === 'none') continue;
    if (head.cells.length !== row.cells.length) continue;
    [...head.cells].forEach((th, i) => {
      const a = th.getBoundingClientRect(), b = row.cells[i].getBoundingClientRect();
      if (Math.abs(a.left - b.left) > 1 || Math.abs(a.width - b.width) > 1)
        misaligned.push(`${name(table)} column ${i + 1} (${th.textContent.trim()}): ` +
          `header ${Math.round(a.left)}+${Math.round(a.width)}, ` +
          `cell ${Math.round(b.left)}+${Math.round(b.width)}`);
    });
  }
  return {scroll: document.documentElement.scrollWidth, width, wide, regions, misaligned,
          lang: document.documentElement.lang};
}"""

AXE_JS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  // Serious and critical ones, and two lesser ones this app had: a page without a
  // heading of its own and a table column without a name.
  const also = ['page-has-heading-one', 'empty-table-header'];
  return result.violations.filter(v => v.impact === 'serious' || v.impact === 'critical' ||
                                       also.includes(v.id))
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ': ' +
                  (n.failureSummary || '').split('\\n').slice(1, 2).join(' ').trim())
                  .concat(v.nodes.length > 4 ? [`... and ${v.nodes.length - 4} more`] : [])}));
}"""


def layout_problems(page, width: str, print_too: bool = False) -> list[str]:
    fit = page.evaluate(LAYOUT_JS)
    problems = []
    if fit["scroll"] > fit["width"]:
        problems.append(f"scrolls sideways: {fit['scroll']} px wide in a {fit['width']}-px "
                        f"window; widest: {', '.join(fit['wide']) or '?'}")
    for region in fit["regions"]:
        if not region["labelled"]:
            problems.append(f"{region['name']} scrolls sideways but is not a labelled, "
                            "focusable region (tabindex=0, role=region, aria-label)")
        elif width == "laptop" and not region["name"].startswith("div.plan-wrap"):
            problems.append(f"{region['name']} scrolls sideways on a laptop: its last "
                            "columns are off screen")
    problems += [f"misaligned: {m}" for m in fit["misaligned"]]
    if print_too:
        page.emulate_media(media="print")
        problems += [f"misaligned in print: {m}"
                     for m in page.evaluate(LAYOUT_JS)["misaligned"]]
        page.emulate_media(media="screen")
    return problems


def check_page(page, endpoint: str, path: str, language: str, width: str,
               axe_source: str, site: Site) -> list[str]:
    url = site.base_url + path
    response = page.goto(url, wait_until="load")
    expected = 404 if url.endswith(NOT_FOUND) else 200
    if response is None or response.status != expected:
        return [f"answered {response.status if response else 'nothing'}, not {expected}"]
    page.wait_for_timeout(50)  # scripts run on DOMContentLoaded have laid out
    problems = []
    lang = page.evaluate("document.documentElement.lang")
    if lang != language:
        problems.append(f"shown in {lang!r}, not {language!r}")
    problems += layout_problems(page, width, print_too="/agenda" in url or "/print" in url)
    if endpoint == "checkin.scan_log":
        if "Mozilla/" in page.inner_text("main"):
            problems.append("the scan log shows whole user-agent strings")
        rows = page.eval_on_selector("table.scan-log tbody", "b => [b.rows.length, b.offsetHeight]")
        if rows[1] > SCAN_ROW_PX * rows[0]:
            problems.append(f"the scan log takes {rows[1]} px for {rows[0]} scans")
    if "/scanner" in url:
        # The result card of a scan (a person nobody has checked in yet).
        page.fill("#wedge-code", site.fresh_codes.pop())
        page.press("#wedge-code", "Enter")
        page.wait_for_selector("#scan-result.result-ok")
        problems += layout_problems(page, width)
    if width == "phone":
        for selector in FIT_ON_PHONE.get(endpoint, ()):
            fits = page.eval_on_selector(selector, "el => el.scrollWidth <= el.clientWidth")
            if not fits:
                problems.append(f"{selector} does not fit a phone")
    if not page.evaluate("typeof axe !== 'undefined'"):
        # Evaluated by the driver: the app's Content-Security-Policy forbids inline scripts.
        page.evaluate(axe_source)
    for violation in page.evaluate(AXE_JS):
        nodes = "\n      ".join(violation["nodes"])
        problems.append(f"axe {violation['impact']} {violation['id']}: {violation['help']}"
                        f"\n      {nodes}")
    return problems


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_page_fits_and_passes_axe(browser, site, signed_in, axe_source, language,
                                        width):
    contexts = contexts_by_role(browser, signed_in, language, WIDTHS[width])
    failures = []
    try:
        for role, context in contexts.items():
            if role == ATTENDEE:
                continue
            page = context.new_page()
            for endpoint, page_role, path in pages(site):
                if page_role == role or (role == PUBLIC and page_role == ATTENDEE):
                    problems = check_page(page, endpoint, path, language, width, axe_source,
                                          site)
                    failures += [f"{path} ({endpoint}, {page_role}): {p}" for p in problems]
            page.close()
    finally:
        for role, context in contexts.items():
            if role != ATTENDEE:
                context.close()
    assert not failures, (f"{len(failures)} problems in {language} at "
                          f"{WIDTHS[width]['width']} px:\n" + "\n".join(failures))


def test_every_page_is_valid_html(browser, site, signed_in, tmp_path):
    """The Nu HTML checker (vnu-jar), once over the HTML the server sent for every page."""
    java = shutil.which("java")
    if not java:  # as for Chromium: skipped on a developer's machine, a failure in CI
        message = "java is missing: apt-get install -y default-jre-headless"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    assert VNU.exists(), f"{VNU} is missing: run `make install` (npm ci)"
    files: dict[str, str] = {}
    for language in LANGUAGES:
        contexts = contexts_by_role(browser, signed_in, language, WIDTHS["laptop"])
        try:
            for n, (endpoint, role, path) in enumerate(pages(site)):
                response = contexts[role].request.get(site.base_url + path)
                assert response.status == (404 if endpoint == "404" else 200), path
                html_file = tmp_path / f"{language}-{n:02d}-{endpoint}.html"
                html_file.write_bytes(response.body())
                files[str(html_file)] = f"{path} ({endpoint}, {language})"
        finally:
            for role, context in contexts.items():
                if role != ATTENDEE:
                    context.close()
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--errors-only", "--exit-zero-always",
         *files], capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors: dict[str, list[str]] = {}
    for message in messages:
        page = files.get(message.get("url", "").removeprefix("file:"), message.get("url"))
        errors.setdefault(page, []).append(
            f"line {message.get('lastLine', '?')}: {message.get('message')} "
            f"[{message.get('extract', '').strip()[:100]}]")
    report = "\n".join(f"{page}: {len(found)} errors\n    " + "\n    ".join(found[:8])
                       for page, found in errors.items())
    assert not errors, f"The Nu HTML checker found errors:\n{report}"


def test_the_list_covers_every_page(site):
    """A page added to the app must be added to PAGES (and so be checked)."""
    listed = {endpoint for endpoint, _role, _path in pages(site)}
    html_pages = {endpoint for endpoint, method, rule in app_routes(site.app)
                  if method == "GET" and not rule.startswith("/api/")
                  and "/exports/" not in rule and endpoint not in NOT_PAGES}
    assert html_pages - listed == set()

