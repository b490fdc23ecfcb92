"""CSRF: every state-changing form refuses a POST without its token, and saves nothing.

The routes come from the app's url_map (every POST/PUT/PATCH/DELETE that is not under
/api/v1), so a new form is covered as soon as it exists. A sample of forms is then sent
the way a browser sends them, with the token read from the rendered page. The API's
signed-in-browser path (the scanner page's scripts) needs the X-CSRFToken header; a
Bearer token needs none.
"""

import lxml.html
import pytest
from werkzeug.datastructures import MultiDict

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import Event, Registration, ScanLog, Status
from tests import factories
from tests.conftest import bearer
from tests.routes import (
    ORGANISER,
    WRITE_METHODS,
    World,
    app_routes,
    call_for,
    changed_tables,
    csrf_from,
    route_kind,
    snapshot,
)
from tests.test_permissions import ACCESS, PUBLIC

CSRF_MESSAGE = "The form expired or was sent from another page"


@pytest.fixture
def app_config(app_config):
    app_config.update(WTF_CSRF_ENABLED=True)
    return app_config


@pytest.fixture
def world(app, organiser, door):
    return World(app, organiser, door)


def rendered_form(html: str, action_suffix: str | None = None):
    """(action, values) of a form on the page, as a browser would submit it: hidden
    fields (the CSRF token among them), checked boxes, selected options."""
    doc = lxml.html.fromstring(html)
    for form in doc.forms:
        action = form.get("action") or ""
        if form.method.upper() != "POST":
            continue
        if action_suffix is None and action:  # the page's own form posts to itself
            continue
        if action_suffix is not None and not action.split("?")[0].endswith(action_suffix):
            continue
        return action, MultiDict(form.form_values())
    raise AssertionError(f"no POST form {action_suffix or 'without action'} on the page")


def sign_in(client, user) -> None:
    page = client.get("/login")
    _action, values = rendered_form(page.get_data(as_text=True))
    assert values.get("csrf_token")
    values["email"], values["password"] = user.email, factories.PASSWORD
    response = client.post("/login", data=values)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert client.get("/manage/events").status_code == 200


def fresh(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


# -- every form refuses a POST without its token ------------------------------------------

# The one write that takes no form token: a mail client's one-click opt-out (RFC 8058)
# posts "List-Unsubscribe=One-Click" and nothing else. The secret link is its proof, and
# all it can do is stop the organisers' messages to that person.
NO_FORM_TOKEN = {"messages.one_click_opt_out"}


def form_routes(app):
    return [(e, m, r) for e, m, r in app_routes(app)
            if m in WRITE_METHODS and route_kind(r) != "api" and e not in NO_FORM_TOKEN]


def test_every_form_refuses_a_post_without_its_token(app, world):
    organiser = app.test_client()
    sign_in(organiser, world.organiser)
    routes = form_routes(app)
    assert len(routes) >= 35
    problems = []
    for endpoint, method, rule in routes:
        # The organiser may use every route; public forms are tried anonymously too.
        clients = [("organiser", organiser)]
        if ACCESS[endpoint] == PUBLIC:
            clients.append(("anonymous", app.test_client()))
        for who, client in clients:
            call = call_for(world, endpoint, method, ORGANISER)
            before = snapshot()
            response = call.send(client)
            changed = changed_tables(before, snapshot())
            text = response.get_data(as_text=True)
            if response.status_code != 400 or CSRF_MESSAGE not in text or changed \
                    or response.mimetype != "text/html":
                problems.append(f"{who} {method} {rule}: got {response.status_code}, "
                                f"changed {changed}: {text[:200]!r}")
    assert not problems, "\n".join(problems)
    # Signing out and switching the language were refused too.
    assert organiser.get("/manage/events").status_code == 200
    with organiser.session_transaction() as session:
        assert "lang" not in session


# -- a sample of forms, sent with the token of the rendered page --------------------------

def test_login_and_logout_with_the_token_from_the_page(app, door):
    client = app.test_client()
    sign_in(client, door)
    page = client.get("/manage/events").get_data(as_text=True)
    action, values = rendered_form(page, "/logout")
    assert client.post(action, data=values).status_code == 302
    assert client.get("/manage/events").status_code == 302  # back to the login page


def test_sign_up_with_the_token_from_the_page(app, world):
    client = app.test_client()
    url = f"/e/{world.event.slug}/register/guest"
    _action, values = rendered_form(client.get(url).get_data(as_text=True))
    assert values.get("csrf_token")
    for name, value in {"name": "Form Sender", "email": "form.sender@example.org",
                        "organisation": "Browser Ltd", "country": "JP", "language": "en",
                        "consent_privacy": "y"}.items():
        values[name] = value  # replaces the page's value (MultiDict.update would add)
    response = client.post(url, data=values)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    reg = db.session.execute(db.select(Registration).where(
        Registration.email == "form.sender@example.org")).scalar_one()
    assert reg.status == Status.CONFIRMED


def test_door_checks_in_and_undoes_with_the_tokens_from_the_scanner_page(app, world):
    door = app.test_client()
    sign_in(door, world.door)
    reg = factories.registration(world.event, "guest", name="Undo Candidate")
    scanner = f"/manage/events/{world.event.id}/scanner"

    action, values = rendered_form(door.get(scanner).get_data(as_text=True), "/scanner")
    values["code"] = reg.checkin_code
    answer = door.post(action, data=values)
    assert answer.status_code == 200 and "Checked in" in answer.get_data(as_text=True)
    assert fresh(Registration, reg.id).checked_in_at is not None

    page = door.get(scanner, query_string={"q": "Undo Candidate"}).get_data(as_text=True)
    action, values = rendered_form(page, f"/scanner/undo/{reg.id}")
    assert door.post(action, data=values).status_code == 302
    assert fresh(Registration, reg.id).checked_in_at is None
    assert db.session.execute(db.select(ScanLog).where(
        ScanLog.registration_id == reg.id, ScanLog.method == "undo")).scalar_one()


def test_a_desk_action_with_the_token_from_the_page(app, world):
    organiser = app.test_client()
    sign_in(organiser, world.organiser)
    reg = factories.registration(world.event, "guest")
    page = organiser.get(f"/manage/events/{world.event.id}/registrations/{reg.id}")
    action, values = rendered_form(page.get_data(as_text=True), f"/{reg.id}/cancel")
    assert organiser.post(action, data=values).status_code == 302
    assert fresh(Registration, reg.id).status == Status.CANCELLED


def test_event_edit_with_the_token_from_the_page(app, world):
    organiser = app.test_client()
    sign_in(organiser, world.organiser)
    url = f"/manage/events/{world.event.id}/edit"
    _action, values = rendered_form(organiser.get(url).get_data(as_text=True))
    values["title"] = "Renamed by the form"
    response = organiser.post(url, data=values)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    event = fresh(Event, world.event.id)
    assert event.title == "Renamed by the form"
    assert event.networking_slots == world.event.networking_slots  # the rest kept


# -- the API: a signed-in browser needs the header, a token does not -------------------

def test_api_writes_from_a_signed_in_browser_need_the_csrf_header(app, world,
                                                                  organiser_token):
    organiser = app.test_client()
    sign_in(organiser, world.organiser)
    header = {"X-CSRFToken": csrf_from(organiser.get("/manage/events").get_data(
        as_text=True))}
    routes = [(e, m, r) for e, m, r in app_routes(app)
              if m in WRITE_METHODS and route_kind(r) == "api"]
    assert len(routes) >= 7
    problems = []
    for endpoint, method, rule in routes:
        for how, client, headers in (("without the header", organiser, None),
                                     ("with the header", organiser, header),
                                     ("with a token", app.test_client(),
                                      bearer(organiser_token))):
            call = call_for(world, endpoint, method, ORGANISER)
            before = snapshot()
            response = call.send(client, headers=headers)
            changed = changed_tables(before, snapshot())
            body = response.get_json(silent=True) or {}
            if headers is None:
                ok = (response.status_code in (400, 401) and not changed
                      and isinstance(body.get("error"), str) and body.get("message"))
            elif call.allowed_status is not None:
                ok = response.status_code == call.allowed_status
            else:
                ok = 200 <= response.status_code < 300 and (bool(changed) or not call.writes)
            if not ok:
                problems.append(f"{method} {rule} {how}: got {response.status_code}, "
                                f"changed {changed}: {response.get_data(as_text=True)[:200]}")
    assert not problems, "\n".join(problems)


def test_the_checked_in_time_survives_a_refused_undo(app, world):
    """A forged undo from another site (no token) leaves the check-in in place."""
    reg = factories.registration(world.event, "guest", checked_in_at=utcnow(),
                                 checked_in_by_id=world.door.id)
    door = app.test_client()
    sign_in(door, world.door)
    response = door.post(f"/manage/events/{world.event.id}/scanner/undo/{reg.id}")
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    assert fresh(Registration, reg.id).checked_in_at is not None
    api = door.delete(f"/api/v1/events/{world.event.id}/checkins/{reg.id}")
    assert api.status_code == 401 and api.get_json()["result"] is None
    assert fresh(Registration, reg.id).checked_in_at is not None
