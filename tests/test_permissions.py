"""The permissions matrix: every route of the app, requested as an anonymous visitor, as
door staff and as an organiser (signed-in session, and Bearer token where tokens work).

ACCESS below names who may use each endpoint; the first test holds it equal to the app's
url_map, so a new route cannot ship without saying who may open it. URL parameters are
real objects (tests/routes.py), write requests carry valid bodies, and every refused
request is checked to have changed nothing in the database. CSRF is off here (the test
app's default); tests/test_csrf.py proves it separately.
"""

from urllib.parse import urlsplit

import pytest

from eventapp import create_app
from eventapp.extensions import db
from eventapp.models import ApiToken
from tests import factories
from tests.conftest import bearer, make_test_config
from tests.routes import (
    ANONYMOUS,
    BUILDERS,
    DOOR,
    ORGANISER,
    WATCHED_EMAIL,
    WATCHED_NAME,
    WRITE_METHODS,
    World,
    app_routes,
    call_for,
    changed_tables,
    csrf_from,
    route_kind,
    snapshot,
)

PUBLIC = "public"  # anyone: attendees (sign-up, secret /r/ links), the login page
STAFF = "staff"  # door staff and organisers
ORGANISER_ONLY = "organiser only"

ACCESS = {
    # Public pages and the attendee's secret links.
    "events.index": PUBLIC,
    "events.public_event": PUBLIC,
    "registration.choose_category": PUBLIC,
    "registration.signup": PUBLIC,
    "registration.done": PUBLIC,
    "registration.manage": PUBLIC,
    "registration.edit": PUBLIC,
    "registration.cancel": PUBLIC,
    "registration.confirm_email": PUBLIC,
    "registration.ticket": PUBLIC,
    "registration.qr_png_view": PUBLIC,
    "registration.qr_svg_view": PUBLIC,
    "networking.attendee": PUBLIC,
    "networking.agenda": PUBLIC,
    "networking.agenda_ics": PUBLIC,
    "networking.availability": PUBLIC,
    "networking.not_interested": PUBLIC,
    "networking.request_meeting": PUBLIC,
    "networking.respond": PUBLIC,
    "networking.withdraw": PUBLIC,
    "networking_live.table": PUBLIC,
    "networking_live.attendee_mark": PUBLIC,
    "networking_live.attendee_outcome": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "set_language": PUBLIC,
    "api.openapi": PUBLIC,
    "privacy.delete_my_data": PUBLIC,
    "privacy.data_deleted": PUBLIC,
    "feedback.form": PUBLIC,
    "feedback.follow_up": PUBLIC,
    # The door: scanner, walk-ins, live counts, the events list, their own API tokens.
    "events.manage_list": STAFF,
    "checkin.scanner": STAFF,
    "checkin.undo": STAFF,
    "checkin.walk_in": STAFF,
    "checkin.stats": STAFF,
    "auth.tokens": STAFF,
    "auth.token_revoke": STAFF,
    "api.list_events": STAFF,
    "api.get_event": STAFF,
    "registration_api.list_registrations": STAFF,
    "checkin_api.check_in": STAFF,
    "checkin_api.undo": STAFF,
    "checkin_api.not_an_id": STAFF,  # ids that are no ids: 404 in the check-in shape
    "networking_live.live_board": STAFF,
    "networking_live.board_fragment": STAFF,
    "networking_live.mark": STAFF,
    "networking_live.replace": STAFF,
    "networking_live.keep": STAFF,
    "networking_api.arrival": STAFF,
    "networking_api.no_show": STAFF,
    # Organisers only.
    "events.create": ORGANISER_ONLY,
    "events.edit": ORGANISER_ONLY,
    "events.dashboard": ORGANISER_ONLY,
    "events.categories": ORGANISER_ONLY,
    "events.category_update": ORGANISER_ONLY,
    "checkin.scan_log": ORGANISER_ONLY,
    "networking.organiser": ORGANISER_ONLY,
    "networking.table_plan": ORGANISER_ONLY,
    "networking.generate": ORGANISER_ONLY,
    "networking.publish": ORGANISER_ONLY,
    "networking.publish_preview": ORGANISER_ONLY,
    "networking_api.outcome": ORGANISER_ONLY,
    "networking_live.outcome_on_behalf": ORGANISER_ONLY,
    "networking.lock": ORGANISER_ONLY,
    "networking.delete": ORGANISER_ONLY,
    "desk.index": ORGANISER_ONLY,
    "desk.registration": ORGANISER_ONLY,
    "desk.act": ORGANISER_ONLY,
    "desk.bulk": ORGANISER_ONLY,
    "desk.failed_emails": ORGANISER_ONLY,
    "desk.retry_email": ORGANISER_ONLY,
    "desk.retry_all_emails": ORGANISER_ONLY,
    "imports.upload": ORGANISER_ONLY,
    "imports.report": ORGANISER_ONLY,
    "imports.done": ORGANISER_ONLY,
    "imports.template_csv": ORGANISER_ONLY,
    "imports.template_xlsx": ORGANISER_ONLY,
    "registration_api.import_file": ORGANISER_ONLY,
    "reports.dashboard": ORGANISER_ONLY,
    "reports.live": ORGANISER_ONLY,
    "reports.print_report": ORGANISER_ONLY,
    "reports.attendees_csv": ORGANISER_ONLY,
    "reports.attendees_xlsx": ORGANISER_ONLY,
    "reports.meetings_csv": ORGANISER_ONLY,
    "reports.report_xlsx": ORGANISER_ONLY,
    "reports.scans_csv": ORGANISER_ONLY,
    "auth.staff": ORGANISER_ONLY,
    "auth.staff_edit": ORGANISER_ONLY,
    "auth.staff_toggle_active": ORGANISER_ONLY,
    "auth.staff_revoke_tokens": ORGANISER_ONLY,
    "api.create_event": ORGANISER_ONLY,
    "api.change_event": ORGANISER_ONLY,
    "registration_api.create": ORGANISER_ONLY,
    "registration_api.get": ORGANISER_ONLY,
    "registration_api.cancel": ORGANISER_ONLY,
    "registration_api.change": ORGANISER_ONLY,
    "events.category_move": ORGANISER_ONLY,
    "events.category_delete": ORGANISER_ONLY,
    "networking_api.schedule": ORGANISER_ONLY,
    "networking_api.publish": ORGANISER_ONLY,
    "networking_api.meetings": ORGANISER_ONLY,
    "reports_api.event_report": ORGANISER_ONLY,
    "privacy.anonymise_event": ORGANISER_ONLY,
    "messages.history": ORGANISER_ONLY,
    "messages.compose": ORGANISER_ONLY,
    "messages.detail": ORGANISER_ONLY,
    "messages.retry": ORGANISER_ONLY,
    "messages.cancel": ORGANISER_ONLY,
    "messages.automatic": ORGANISER_ONLY,
    "messages_api.create_message": ORGANISER_ONLY,
    "messages_api.get_message": ORGANISER_ONLY,
    "questions.editor": ORGANISER_ONLY,
    "questions.add_preset": ORGANISER_ONLY,
    "questions.edit": ORGANISER_ONLY,
    "questions.act": ORGANISER_ONLY,
    "questions_api.create": ORGANISER_ONLY,
    "questions_api.list_questions": STAFF,
    "badges.sheets": ORGANISER_ONLY,
    "badges.table_cards": ORGANISER_ONLY,
    "badges.printing": ORGANISER_ONLY,
    "badges.single": STAFF,  # one badge, printed at the door after a check-in
    "badges.checkin_list": STAFF,  # the paper fallback at the door
    # The kiosk: an organiser opens and locks it; door staff cannot open it.
    "kiosk.kiosk": ORGANISER_ONLY,
    "kiosk.unlock": ORGANISER_ONLY,
    "kiosk.scan": ORGANISER_ONLY,
    "kiosk.badge": ORGANISER_ONLY,
    "messages.opt_out": PUBLIC,
    "messages.one_click_opt_out": PUBLIC,
    "feedback.organiser": ORGANISER_ONLY,
    "feedback.send_now": ORGANISER_ONLY,
    "feedback.add_question": ORGANISER_ONLY,
    "feedback.delete_question": ORGANISER_ONLY,
    "feedback_api.send_requests": ORGANISER_ONLY,
    "programmes.index": ORGANISER_ONLY,
    "programmes.page": ORGANISER_ONLY,
    "programmes.print_report": ORGANISER_ONLY,
    "programmes.report_xlsx": ORGANISER_ONLY,
    "programmes_api.create": ORGANISER_ONLY,
    "programmes_api.programme_report": ORGANISER_ONLY,
}

DOOR_LIST_FIELDS = {"id", "name", "name_kana", "organisation", "category", "status",
                    "checked_in_at"}


@pytest.fixture
def world(app, organiser, door):
    return World(app, organiser, door)


def routes_in_order(app):
    """Signing out goes last, so the rest of a pass keeps its session."""
    return sorted(app_routes(app), key=lambda route: route[0] == "auth.logout")


class Outcome:
    """One request and what it did to the database."""

    def __init__(self, world, client, endpoint, method, role, headers=None):
        self.call = call_for(world, endpoint, method, role)
        before = snapshot()
        self.response = self.call.send(client, headers=headers)
        self.changed = changed_tables(before, snapshot())
        self.status = self.response.status_code
        self.body = self.response.get_data()

    def json_error(self) -> str | None:
        """The `error` code of a well-formed error answer, else None."""
        body = self.response.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("message"), str):
            return None
        return body.get("error")

    def is_login_redirect(self) -> bool:
        location = self.response.headers.get("Location", "")
        return self.status == 302 and urlsplit(location).path == "/login"

    def describe(self) -> str:
        return f"got {self.status} {self.body[:160]!r}, changed {self.changed}"


class Problems(list):
    def expect(self, ok: bool, label: str, outcome: Outcome, what: str) -> None:
        if not ok:
            self.append(f"{label}: expected {what}; {outcome.describe()}")

    def assert_none(self) -> None:
        assert not self, f"{len(self)} problems:\n" + "\n".join(self)


def expect_allowed(problems: Problems, label: str, outcome: Outcome) -> None:
    call = outcome.call
    if call.allowed_status is not None:
        problems.expect(outcome.status == call.allowed_status, label, outcome,
                        str(call.allowed_status))
        expect_unchanged(problems, label, outcome)
        return
    problems.expect(200 <= outcome.status < 400, label, outcome, "2xx or 3xx")
    if not 200 <= outcome.status < 400:
        return
    if call.method in WRITE_METHODS and call.writes:
        # Also proves that the refusals elsewhere are not down to a bad test body.
        problems.expect(bool(outcome.changed), label, outcome, "the write to be saved")
    if call.method == "GET":
        problems.expect(not outcome.changed, label, outcome, "a GET to change nothing")


def expect_unchanged(problems: Problems, label: str, outcome: Outcome) -> None:
    problems.expect(not outcome.changed, label, outcome, "nothing changed")


def expect_no_attendee_email(problems: Problems, label: str, outcome: Outcome,
                             world: World) -> None:
    seen = [e for e in world.emails_door_must_not_see() if e.encode() in outcome.body]
    problems.expect(not seen, label, outcome, f"no attendee e-mail, found {seen}")


# -- the table ----------------------------------------------------------------------------

def test_the_table_names_every_route_of_the_app(tmp_path):
    app = create_app(make_test_config(f"sqlite:///{tmp_path / 'routes.db'}", tmp_path),
                     instance_path=str(tmp_path / "instance"))
    endpoints = {endpoint for endpoint, _method, _rule in app_routes(app)}
    assert endpoints - set(ACCESS) == set(), "routes missing from ACCESS: say who may use them"
    assert set(ACCESS) - endpoints == set(), "ACCESS names routes that no longer exist"
    assert endpoints - set(BUILDERS) == set(), "routes without a request in tests/routes.py"
    assert len(endpoints) >= 70


# -- anonymous ----------------------------------------------------------------------------

def test_anonymous_visitors_reach_public_routes_and_no_staff_route(app, world,
                                                                   organiser_token):
    problems = Problems()
    for endpoint, method, rule in routes_in_order(app):
        kind, access = route_kind(rule), ACCESS[endpoint]
        label = f"anonymous {method} {rule}"
        # A new browser each time: signing in on the login page must not carry over.
        outcome = Outcome(world, app.test_client(), endpoint, method, ANONYMOUS)
        if access == PUBLIC:
            expect_allowed(problems, label, outcome)
            continue
        expect_unchanged(problems, label, outcome)
        if kind == "page":
            problems.expect(outcome.is_login_redirect(), label, outcome, "redirect to /login")
            # A token opens the API, never a page.
            with_token = Outcome(world, app.test_client(), endpoint, method, ANONYMOUS,
                                 headers=bearer(organiser_token))
            expect_unchanged(problems, label + " with a token", with_token)
            problems.expect(with_token.is_login_redirect(), label + " with a token",
                            with_token, "redirect to /login")
            continue
        problems.expect(outcome.status == 401 and outcome.json_error() == "unauthorized",
                        label, outcome, '401 {"error": "unauthorized", "message": ...}')
        problems.expect("Bearer" in outcome.response.headers.get("WWW-Authenticate", ""),
                        label, outcome, "a WWW-Authenticate: Bearer header")
        bad_token = Outcome(world, app.test_client(), endpoint, method, ANONYMOUS,
                            headers=bearer("ev_not-a-real-token"))
        expect_unchanged(problems, label + " with a bad token", bad_token)
        problems.expect(bad_token.status == 401 and bad_token.json_error() == "unauthorized",
                        label + " with a bad token", bad_token, "401 JSON")
        if kind == "export":
            browser = Outcome(world, app.test_client(), endpoint, method, ANONYMOUS,
                              headers={"Accept": "text/html,application/xhtml+xml"})
            problems.expect(browser.is_login_redirect(), label + " from a browser", browser,
                            "redirect to /login")
    problems.assert_none()


# -- door staff ---------------------------------------------------------------------------

def expect_door_refused(problems: Problems, label: str, outcome: Outcome, kind: str,
                        by_token: bool) -> None:
    expect_unchanged(problems, label, outcome)
    problems.expect(outcome.status == 403, label, outcome, "403")
    if kind == "api" or (kind == "export" and by_token):
        problems.expect(outcome.json_error() == "forbidden", label, outcome,
                        '{"error": "forbidden", "message": ...}')
    else:
        problems.expect(outcome.response.mimetype == "text/html", label, outcome,
                        "the app's 403 page")


def test_door_staff_use_the_door_and_nothing_else(app, world, door_client, door_token):
    problems = Problems()
    csrf_header = {"X-CSRFToken": csrf_from(door_client.get("/manage/events").get_data(
        as_text=True))}
    for endpoint, method, rule in routes_in_order(app):
        kind, access = route_kind(rule), ACCESS[endpoint]
        passes = [("session", door_client, csrf_header if kind == "api" else None)]
        if kind in ("api", "export"):
            passes.append(("token", app.test_client(), bearer(door_token)))
        for how, client, headers in passes:
            label = f"door ({how}) {method} {rule}"
            outcome = Outcome(world, client, endpoint, method, DOOR, headers=headers)
            if access == PUBLIC:
                expect_allowed(problems, label, outcome)
                continue
            expect_no_attendee_email(problems, label, outcome, world)
            if access == STAFF:
                expect_allowed(problems, label, outcome)
            else:
                expect_door_refused(problems, label, outcome, kind, how == "token")
    problems.assert_none()


def test_the_door_list_has_only_what_check_in_needs(app, world, door_client, door_token,
                                                    organiser_token):
    url = f"/api/v1/events/{world.event.id}/registrations"
    by_token = app.test_client().get(url, headers=bearer(door_token))
    by_session = door_client.get(url, query_string={"q": "watched"})
    for response in (by_token, by_session):
        assert response.status_code == 200
        items = response.get_json()
        assert WATCHED_NAME in {item["name"] for item in items}
        assert all(set(item) == DOOR_LIST_FIELDS for item in items), items
        assert WATCHED_EMAIL not in response.get_data(as_text=True)
    # The organiser's list does carry the e-mail: the assertion above can fail.
    organiser_list = app.test_client().get(url, headers=bearer(organiser_token))
    assert WATCHED_EMAIL in organiser_list.get_data(as_text=True)


def test_door_pages_show_the_person_but_never_their_email(app, world, door_client,
                                                          door_token):
    event, reg = world.event, world.attendee
    scanner = f"/manage/events/{event.id}/scanner"
    shown = [
        door_client.get(scanner, query_string={"q": "うぉっち"}),  # search by kana
        door_client.post(scanner, data={"code": reg.checkin_code}),  # the QR code
        door_client.post(scanner, data={"registration_id": str(reg.id)}),  # from a search
        door_client.get(scanner, query_string={"q": "watched"}),  # listed as checked in
        door_client.post(f"{scanner}/undo/{reg.id}", follow_redirects=True),  # its flash
        app.test_client().post(f"/api/v1/events/{event.id}/checkins",
                               json={"code": reg.checkin_code}, headers=bearer(door_token)),
        app.test_client().delete(f"/api/v1/events/{event.id}/checkins/{reg.id}",
                                 headers=bearer(door_token)),
    ]
    for response in shown:
        text = response.get_data(as_text=True)
        assert response.status_code < 400, text[:300]
        assert WATCHED_NAME in text
        assert WATCHED_EMAIL not in text
    for path in (f"/manage/events/{event.id}/walk-in", "/manage/events", "/tokens",
                 f"/manage/events/{event.id}/checkin/stats.json"):
        response = door_client.get(path)
        assert response.status_code == 200
        assert WATCHED_EMAIL not in response.get_data(as_text=True)


def test_door_staff_cannot_see_or_revoke_other_peoples_tokens(app, world, door_client):
    factories.token(world.organiser)
    theirs = world.organiser.tokens[-1]
    page = door_client.get("/tokens").get_data(as_text=True)
    assert theirs.prefix not in page and world.organiser.email not in page
    response = door_client.post(f"/tokens/{theirs.id}/revoke")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.id).revoked_at is None


# -- organisers ---------------------------------------------------------------------------

def test_organisers_may_use_every_route(app, world, organiser_client, organiser_token):
    problems = Problems()
    csrf_header = {"X-CSRFToken": csrf_from(organiser_client.get("/manage/events").get_data(
        as_text=True))}
    for endpoint, method, rule in routes_in_order(app):
        kind = route_kind(rule)
        passes = [("session", organiser_client, csrf_header if kind == "api" else None)]
        if kind in ("api", "export"):
            passes.append(("token", app.test_client(), bearer(organiser_token)))
        for how, client, headers in passes:
            outcome = Outcome(world, client, endpoint, method, ORGANISER, headers=headers)
            expect_allowed(problems, f"organiser ({how}) {method} {rule}", outcome)
    problems.assert_none()
