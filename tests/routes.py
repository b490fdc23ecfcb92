"""Every route of the app with real objects behind its URL, for the permission matrix
(tests/test_permissions.py) and the CSRF tests (tests/test_csrf.py).

`World` holds one event with attendees and hands out fresh objects; `call_for` builds,
for one endpoint and method, a request that an allowed user would see succeed: the URL
filled with real ids, tokens and codes, and a valid form or JSON body. Each write gets
objects of its own (a registration to cancel, a meeting to delete, ...), so the order in
which routes are requested does not matter. A route without a builder here fails the
route-table test, so a new route has to be added here as well.
"""

import io
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from flask import url_for

from eventapp.auth.views import SESSION_KEY
from eventapp.badges import kiosk as kiosk_views
from eventapp.badges.kiosk import KIOSK_KEY
from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import (
    Category,
    EmailStatus,
    FeedbackQuestion,
    Meeting,
    MeetingRequest,
    OutboundEmail,
    Programme,
    Registration,
    StaffUser,
)
from eventapp.questions import services as questions
from eventapp.registration import import_store, importing
from tests import factories

ANONYMOUS, DOOR, ORGANISER = "anonymous", "door", "organiser"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
WATCHED_EMAIL = "watched.attendee@attendee.example"
WATCHED_NAME = "Watched Attendee"


def app_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, rule) of every route but `static`, HEAD and OPTIONS left out."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return sorted(found)


def route_kind(rule: str) -> str:
    """How a refusal looks: `api` answers JSON, `export` is fetched by browsers and by
    scripts, a `page` sends anonymous visitors to the login page."""
    if rule.startswith("/api/"):
        return "api"
    if "/exports/" in rule or "/imports/template." in rule:
        return "export"
    if rule.endswith(".pdf") and rule.startswith("/events/") and "/kiosk/" not in rule:
        return "export"  # badges, table cards, the check-in list: by session or token
    return "page"


def snapshot() -> dict:
    """Every row of every table, to prove that a refused request changed nothing."""
    db.session.rollback()
    connection = db.session.connection()
    # Plain SQL: the driver's values compare as well and skip the ORM's type processing.
    snap = {table.name: connection.exec_driver_sql(
        f'SELECT * FROM "{table.name}" ORDER BY '
        + ", ".join(f'"{c.name}"' for c in table.primary_key.columns)).all()
        for table in db.metadata.sorted_tables}
    db.session.rollback()
    return snap


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


def csrf_from(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


@dataclass
class Call:
    endpoint: str
    method: str
    values: dict = field(default_factory=dict)
    query: dict = field(default_factory=dict)
    form: dict | None = None
    json: dict | None = None
    # A successful write changes the database (login, logout and the language switch
    # change only the browser's session; an upload only stores the file for review).
    writes: bool = True
    # What an allowed user gets when it is not a 2xx or 3xx (an address that names nothing).
    allowed_status: int | None = None
    # The browser's kiosk lock for this request only: fn(session) sets it beforehand
    # (kiosk pages other than its start need a locked browser); it is lifted afterwards.
    kiosk: Callable | None = None

    def url(self, app) -> str:
        with app.test_request_context():
            return url_for(self.endpoint, _method=self.method, **self.values, **self.query)

    def send(self, client, *, headers=None, csrf_token: str | None = None):
        kwargs = {"method": self.method, "headers": dict(headers or {})}
        if self.form is not None:
            data = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v
                    for k, v in self.form.items()}
            if csrf_token is not None:
                data["csrf_token"] = csrf_token
            kwargs["data"] = data
            if any(isinstance(v, tuple) for v in self.form.values()):
                kwargs["content_type"] = "multipart/form-data"
        elif csrf_token is not None and self.method in WRITE_METHODS:
            kwargs["data"] = {"csrf_token": csrf_token}
        if self.json is not None:
            kwargs["json"] = self.json
        if self.kiosk is None:
            return client.open(self.url(client.application), **kwargs)
        with client.session_transaction() as session:
            self.kiosk(session)
        response = client.open(self.url(client.application), **kwargs)
        with client.session_transaction() as session:
            session.pop(KIOSK_KEY, None)
            session.pop("kiosk_badge", None)
        return response


class World:
    """An event with a networking session, a watched attendee whose e-mail door staff
    must never see, an official who matches them, and factories for fresh objects."""

    def __init__(self, app, organiser, door):
        self.app, self.organiser, self.door = app, organiser, door
        self._n = itertools.count(1)
        self._seats = itertools.count(0)
        self.event = factories.event(title="Matrix Seminar")
        self.attendee = factories.registration(
            self.event, "company", email=WATCHED_EMAIL, name=WATCHED_NAME,
            name_kana="うぉっち", networking_opt_in=True, technologies_offered=["water"],
            target_countries=["KE"])
        self.official = factories.registration(
            self.event, "embassy", country="KE", technology_needs=["water"],
            networking_opt_in=True)
        # Meetings made by hand live in an event of their own, where no schedule is
        # generated that could take their slot and table.
        self.meeting_event = factories.event(title="Meeting Room Seminar")

    def n(self) -> int:
        return next(self._n)

    def user(self, role: str):
        return self.door if role == DOOR else self.organiser

    def category(self, code: str):
        return next(c for c in self.event.categories if c.code == code)

    # -- fresh objects ----------------------------------------------------------------

    def registration(self, category: str = "company", **fields) -> Registration:
        if category in ("company", "embassy"):
            fields.setdefault("networking_opt_in", True)
        if category == "company":
            fields.setdefault("technologies_offered", ["water"])
        return factories.registration(self.event, category, **fields)

    def checked_in(self) -> Registration:
        return self.registration("guest", checked_in_at=utcnow() - timedelta(minutes=5),
                                 checked_in_by_id=self.door.id)

    def ended_event(self):
        """With an attendee: only an event that is over may be anonymised."""
        starts = utcnow() - timedelta(days=3)
        event = factories.event(title=f"Past Seminar {self.n()}", networking=False,
                                starts_at=starts, ends_at=starts + timedelta(hours=4))
        factories.registration(event, "guest")
        return event

    def meeting(self) -> Meeting:
        a = factories.registration(self.meeting_event, "company", networking_opt_in=True)
        b = factories.registration(self.meeting_event, "embassy", networking_opt_in=True)
        seat = next(self._seats)
        tables = self.meeting_event.networking_tables
        meeting = Meeting(event_id=self.meeting_event.id, a_id=min(a.id, b.id),
                          b_id=max(a.id, b.id), slot=seat // tables,
                          table_number=seat % tables + 1, score=1.0,
                          reasons={"countries": [], "technologies": ["water"]})
        db.session.add(meeting)
        db.session.commit()
        return meeting

    def published_meeting(self, absent: bool = False) -> Meeting:
        """On the published sheet, between a company and an official who fit; with
        `absent`, the official did not come and another checked-in official who fits is
        free in that slot."""
        def person(category, **fields):
            return factories.registration(
                self.meeting_event, category, networking_opt_in=True, country="KE",
                checked_in_at=utcnow(), organisation=f"Org {self.n()}", **fields)

        a = person("company", technologies_offered=["water"], target_countries=["KE"])
        b = person("embassy", technology_needs=["water"])
        seat = next(self._seats)
        tables = self.meeting_event.networking_tables
        meeting = Meeting(event_id=self.meeting_event.id, a_id=min(a.id, b.id),
                          b_id=max(a.id, b.id), slot=seat // tables,
                          table_number=seat % tables + 1, score=1.0, published=True,
                          reasons={"countries": ["KE"], "technologies": ["water"]})
        if absent:
            meeting.absent_id = b.id
            self.spare_official = person("embassy", technology_needs=["water"])
        db.session.add(meeting)
        db.session.commit()
        return meeting

    def draft(self) -> None:
        """A draft schedule to publish (publishing without one changes nothing)."""
        from eventapp.networking import services

        services.generate_schedule(self.event.id)
        db.session.commit()

    def meeting_request(self, requester: Registration, recipient: Registration):
        req = MeetingRequest(event_id=self.event.id, requester_id=requester.id,
                             recipient_id=recipient.id)
        db.session.add(req)
        db.session.commit()
        return req

    def failed_email(self) -> OutboundEmail:
        email = OutboundEmail(
            event_id=self.event.id, registration_id=self.attendee.id, kind="ticket",
            composer="registration", recipient=self.attendee.email, subject="Your ticket",
            mime="Subject: Your ticket\r\n\r\nSee you there.\r\n", status=EmailStatus.FAILED,
            attempts=1, last_error="ConnectionRefusedError")
        db.session.add(email)
        db.session.commit()
        return email

    def staff_member(self) -> StaffUser:
        # Without a password: hashing one costs more than the rest of a request.
        user = StaffUser(email=f"extra{self.n()}@test.example", name="Extra", role="door")
        db.session.add(user)
        db.session.commit()
        return user

    def api_token_id(self, role: str) -> int:
        factories.token(self.user(role))
        return self.user(role).tokens[-1].id

    def import_token(self, done: bool = False) -> str:
        return stored_import(self.app, self.event, self.organiser, self.n(), done)

    def emails_door_must_not_see(self) -> set[str]:
        db.session.rollback()
        return set(db.session.execute(db.select(Registration.email)).scalars())


def stored_import(app, event, organiser, n: int, done: bool = False) -> str:
    """The token of a one-row import waiting for review (`done`: already imported)."""
    parsed = importing.parse_file("list.csv", import_csv(n))
    token = import_store.save_pending(app.instance_path, event.id, organiser.id, "list.csv",
                                      parsed)
    if done:
        payload = import_store.load_pending(app.instance_path, token, event.id, organiser.id)
        import_store.store_result(app.instance_path, token, payload,
                                  importing.ImportResult(confirmed=1))
    return token


def import_csv(n: int) -> bytes:
    return (f"Name,E-mail,Category,Country\r\nImported Person {n},imported{n}@example.org,"
            "guest,JP\r\n").encode()


def event_form(title: str) -> dict:
    return {"title": title, "description": "Edited.", "venue": "Room 2",
            "timezone": "Asia/Tokyo", "starts_at": "2031-05-01T10:00",
            "ends_at": "2031-05-01T16:00", "capacity": "40", "listed": "y", "agenda": "",
            "technology_areas": "", "networking_enabled": "y",
            "networking_starts_at": "2031-05-01T14:00", "networking_slot_minutes": "15",
            "networking_slots": "4", "networking_tables": "5", "networking_max_meetings": "3"}


# -- one builder per endpoint -------------------------------------------------------------

BUILDERS = {}


def builds(*endpoints):
    def register(fn):
        for endpoint in endpoints:
            BUILDERS[endpoint] = fn
        return fn

    return register


def call_for(world: World, endpoint: str, method: str, role: str) -> Call:
    if endpoint not in BUILDERS:
        raise KeyError(f"tests/routes.py has no request builder for {endpoint}")
    return BUILDERS[endpoint](world, endpoint, method, role)


def _event(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id})


builds("events.dashboard", "checkin.scan_log", "checkin.stats", "networking.organiser",
       "networking.table_plan", "desk.index", "desk.failed_emails", "reports.dashboard",
       "reports.live", "reports.print_report", "reports.attendees_csv",
       "reports.attendees_xlsx", "reports.meetings_csv", "reports.report_xlsx",
       "reports.scans_csv", "api.get_event", "registration_api.list_registrations",
       "networking_api.meetings", "reports_api.event_report", "imports.template_csv",
       "imports.template_xlsx", "networking.publish_preview", "networking_live.live_board",
       "networking_live.board_fragment")(_event)


@builds("events.index", "events.manage_list", "api.openapi", "api.list_events",
        "auth.staff", "auth.tokens", "events.create", "auth.login")
def _plain(w, e, m, role):
    call = Call(e, m)
    if m == "GET":
        return call
    n = w.n()
    if e == "auth.staff":
        call.form = {"email": f"new{n}@test.example", "name": "New Staff", "role": "door",
                     "password": "a long password"}
    elif e == "auth.tokens":
        call.form = {"name": f"Scanner {n}"}
    elif e == "events.create":
        call.form = event_form(f"Created Event {n}")
    elif e == "auth.login":
        call.form = {"email": w.organiser.email, "password": factories.PASSWORD}
        call.writes = False  # signed-in browsers are only sent on
    return call


@builds("api.create_event")
def _api_create_event(w, e, m, _role):
    n = w.n()
    return Call(e, m, json={"title": f"API Event {n}", "starts_at": "2031-06-01T10:00:00+09:00",
                            "ends_at": "2031-06-01T17:00:00+09:00", "timezone": "Asia/Tokyo",
                            "venue": "Hall", "capacity": 30})


@builds("auth.logout")
def _logout(w, e, m, _role):
    return Call(e, m, form={}, writes=False)


@builds("set_language")
def _language(w, e, m, _role):
    return Call(e, m, {"code": "en"}, form={"next": "/"}, writes=False)


@builds("events.public_event", "registration.choose_category", "privacy.data_deleted")
def _slug(w, e, m, _role):
    return Call(e, m, {"slug": w.event.slug})


@builds("registration.done")
def _done(w, e, m, _role):
    return Call(e, m, {"slug": w.event.slug}, {"status": "confirmed"})


@builds("registration.signup")
def _signup(w, e, m, _role):
    call = Call(e, m, {"slug": w.event.slug, "category": "guest"})
    if m == "POST":
        n = w.n()
        call.form = {"name": f"Signed Up {n}", "email": f"signup{n}@example.org",
                     "organisation": "Signup Org", "country": "JP", "language": "en",
                     "consent_privacy": "y"}
    return call


@builds("registration.manage", "registration.ticket", "registration.qr_png_view",
        "registration.qr_svg_view", "networking.attendee", "networking.agenda",
        "networking.agenda_ics")
def _attendee_page(w, e, m, _role):
    return Call(e, m, {"token": w.attendee.manage_token})


@builds("registration.edit", "registration.cancel", "privacy.delete_my_data")
def _attendee_form(w, e, m, _role):
    if m == "GET":
        return Call(e, m, {"token": w.attendee.manage_token})
    reg = w.registration()
    form = {}
    if e == "registration.edit":
        form = {"name": f"Edited {reg.name}", "organisation": "Edited Org", "country": "JP",
                "language": "en"}
    return Call(e, m, {"token": reg.manage_token}, form=form)


@builds("registration.confirm_email")
def _confirm_email(w, e, m, _role):
    """A sign-up awaiting the confirmation of its address: GET shows the button, POST
    confirms."""
    reg = w.registration("guest", status="pending",
                         email_confirm_by=utcnow() + timedelta(hours=24))
    return Call(e, m, {"token": reg.manage_token})


@builds("networking.availability", "networking.not_interested", "networking.request_meeting")
def _networking_form(w, e, m, _role):
    reg = w.registration()
    form = ({"unavailable": "0"} if e == "networking.availability"
            else {"registration_id": str(w.official.id)})
    return Call(e, m, {"token": reg.manage_token}, form=form)


@builds("networking.respond")
def _respond(w, e, m, _role):
    me, other = w.registration(), w.registration("embassy", country="KE",
                                                 technology_needs=["water"])
    req = w.meeting_request(other, me)
    return Call(e, m, {"token": me.manage_token, "request_id": req.id, "answer": "accept"},
                form={})


@builds("networking.withdraw")
def _withdraw(w, e, m, _role):
    me = w.registration()
    req = w.meeting_request(me, w.official)
    return Call(e, m, {"token": me.manage_token, "request_id": req.id}, form={})


@builds("checkin.scanner")
def _scanner(w, e, m, _role):
    if m == "GET":  # with a name search, so the page lists the watched attendee
        return Call(e, m, {"event_id": w.event.id}, {"q": "watched"})
    return Call(e, m, {"event_id": w.event.id}, form={"code": w.registration().checkin_code})


@builds("checkin.undo")
def _undo(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id, "registration_id": w.checked_in().id}, form={})


@builds("checkin.walk_in")
def _walk_in(w, e, m, _role):
    call = Call(e, m, {"event_id": w.event.id})
    if m == "POST":
        n = w.n()
        call.form = {"walkin-name": f"Walk In {n}", "walkin-email": f"walkin{n}@example.org",
                     "walkin-category": "guest", "walkin-country": "JP",
                     "walkin-language": "en"}
    return call


@builds("auth.token_revoke")
def _token_revoke(w, e, m, role):
    return Call(e, m, {"token_id": w.api_token_id(role)}, form={})


@builds("auth.staff_edit", "auth.staff_toggle_active", "auth.staff_revoke_tokens")
def _staff_member(w, e, m, _role):
    member = w.staff_member()
    if e == "auth.staff_revoke_tokens":
        factories.token(member)  # one to revoke
    call = Call(e, m, {"user_id": member.id})
    if m == "POST":
        call.form = {"role": "organiser"} if e == "auth.staff_edit" else {}
    return call


@builds("events.edit")
def _event_edit(w, e, m, _role):
    if m == "GET":
        return Call(e, m, {"event_id": w.event.id})
    n = w.n()
    event = factories.event(title=f"To Edit {n}")
    return Call(e, m, {"event_id": event.id}, form=event_form(f"Edited Event {n}"))


@builds("api.change_event")
def _api_change_event(w, e, m, _role):
    n = w.n()
    event = factories.event(title=f"To Change {n}")
    return Call(e, m, {"event_id": event.id},
                json={"capacity": 40, "slug": f"changed-{n}",
                      "translations": {"ja": {"title": f"変更したイベント {n}"}}})


@builds("privacy.anonymise_event")
def _anonymise(w, e, m, _role):
    if m == "GET":
        return Call(e, m, {"event_id": w.event.id})
    event = w.ended_event()
    return Call(e, m, {"event_id": event.id}, form={"understood": "y"})


@builds("events.categories")
def _categories(w, e, m, _role):
    call = Call(e, m, {"event_id": w.event.id})
    if m == "POST":
        n = w.n()
        call.form = {"new-code": f"press{n}", "new-name": f"Press {n}",
                     "new-networking_side": "none", "new-public": "y"}
    return call


@builds("events.category_move")
def _category_move(w, e, m, _role):
    category = w.category("guest")
    return Call(e, m, {"event_id": w.event.id, "category_id": category.id, "direction": "up"})


@builds("events.category_delete")
def _category_delete(w, e, m, _role):
    # A category nobody is in, made for this call (the world's own stay).
    n = w.n()
    category = Category(event=w.event, code=f"spare{n}", name=f"Spare {n}", position=99)
    db.session.add(category)
    db.session.commit()
    return Call(e, m, {"event_id": w.event.id, "category_id": category.id})


@builds("events.category_update")
def _category_update(w, e, m, _role):
    category, n = w.category("guest"), w.n()
    prefix = f"c{category.id}-"
    return Call(e, m, {"event_id": w.event.id, "category_id": category.id},
                form={prefix + "code": "guest", prefix + "name": f"Guest {n}",
                      prefix + "networking_side": "none", prefix + "public": "y",
                      prefix + "fields": "job_title"})


@builds("networking.generate", "networking.publish")
def _schedule(w, e, m, _role):
    if e == "networking.publish":
        w.draft()
    return Call(e, m, {"event_id": w.event.id}, form={})


@builds("networking.lock", "networking.delete")
def _meeting(w, e, m, _role):
    values = {"event_id": w.meeting_event.id, "meeting_id": w.meeting().id}
    if e == "networking.lock":
        values["action"] = "lock"
    return Call(e, m, values, form={})


@builds("networking_live.mark", "networking_live.keep", "networking_api.arrival",
        "networking_api.no_show", "networking_api.outcome",
        "networking_live.outcome_on_behalf")
def _live_meeting(w, e, m, _role):
    meeting = w.published_meeting()
    values = {"event_id": w.meeting_event.id, "meeting_id": meeting.id}
    person = {"registration_id": meeting.a_id}
    if e == "networking_live.mark":
        return Call(e, m, values | {"what": "arrived"}, form={k: str(v) for k, v in
                                                               person.items()})
    if e == "networking_live.keep":
        return Call(e, m, values, form={})
    if e == "networking_live.outcome_on_behalf":
        return Call(e, m, values, form={"registration_id": str(meeting.a_id), "held": "yes",
                                        "rating": "3"})
    if e == "networking_api.outcome":
        return Call(e, m, values, json=person | {"held": True, "rating": 3})
    return Call(e, m, values, json=person)


@builds("networking_live.replace")
def _live_replace(w, e, m, _role):
    meeting = w.published_meeting(absent=True)
    return Call(e, m, {"event_id": w.meeting_event.id, "meeting_id": meeting.id},
                form={"candidate_id": str(w.spare_official.id)})


@builds("networking_live.attendee_mark", "networking_live.attendee_outcome")
def _live_attendee(w, e, m, _role):
    meeting = w.published_meeting()
    token = db.session.get(Registration, meeting.a_id).manage_token
    values = {"token": token, "meeting_id": meeting.id}
    if e == "networking_live.attendee_mark":
        return Call(e, m, values | {"what": "arrived"}, form={})
    return Call(e, m, values, form={"held": "yes", "rating": "4"})


@builds("networking_live.table")
def _table_card(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id, "table_number": 1})


@builds("desk.registration")
def _desk_registration(w, e, m, _role):
    if m == "GET":
        return Call(e, m, {"event_id": w.event.id, "registration_id": w.attendee.id})
    reg = w.registration()
    return Call(e, m, {"event_id": w.event.id, "registration_id": reg.id},
                form={"name": f"Desk {reg.name}", "organisation": "Desk Org", "country": "JP",
                      "language": "en", "notes": "Called by phone."})


@builds("desk.act")
def _desk_act(w, e, m, _role):
    reg = w.registration()
    return Call(e, m, {"event_id": w.event.id, "registration_id": reg.id, "action": "cancel"},
                form={})


@builds("desk.bulk")
def _desk_bulk(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id},
                form={"action": "cancel", "ids": str(w.registration().id)})


@builds("desk.retry_email")
def _retry_email(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id, "email_id": w.failed_email().id}, form={})


@builds("desk.retry_all_emails")
def _retry_all(w, e, m, _role):
    w.failed_email()
    return Call(e, m, {"event_id": w.event.id}, form={})


@builds("imports.upload")
def _import_upload(w, e, m, _role):
    call = Call(e, m, {"event_id": w.event.id})
    if m == "POST":
        call.form = {"file": (import_csv(w.n()), "list.csv")}
        call.writes = False  # the file waits for review; nothing is registered yet
    return call


@builds("imports.report", "imports.done")
def _import_report(w, e, m, _role):
    token = w.import_token(done=e == "imports.done")
    call = Call(e, m, {"event_id": w.event.id, "token": token})
    if m == "POST":
        call.form = {"mode": "all"}
    return call


@builds("registration_api.create")
def _api_register(w, e, m, _role):
    n = w.n()
    return Call(e, m, {"event_id": w.event.id},
                json={"name": f"API Person {n}", "email": f"api{n}@example.org",
                      "category": "guest", "organisation": "API Org", "country": "JP",
                      "notify": False})


@builds("registration_api.import_file")
def _api_import(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id},
                form={"file": (import_csv(w.n()), "list.csv"), "notify": "0"})


@builds("registration_api.get")
def _api_registration(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id, "registration_id": w.attendee.id})


@builds("registration_api.cancel")
def _api_cancel(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id, "registration_id": w.registration().id},
                json={"notify": False})


@builds("registration_api.change")
def _api_change(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id, "registration_id": w.registration().id},
                json={"job_title": "Corrected", "notify": False})


@builds("checkin_api.check_in")
def _api_check_in(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id}, json={"code": w.registration().checkin_code})


@builds("checkin_api.undo")
def _api_undo(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id, "registration_id": w.checked_in().id})


@builds("networking_api.schedule")
def _api_schedule(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id}, json={"only_checked_in": False})


@builds("networking_api.publish")
def _api_publish(w, e, m, _role):
    w.draft()
    return Call(e, m, {"event_id": w.event.id}, json={})


@builds("checkin_api.not_an_id")
def _api_not_an_id(w, e, m, _role):
    values = {"event_id": "not-an-id"}
    if m == "DELETE":
        values["registration_id"] = "-1"
    return Call(e, m, values, json={"code": w.attendee.checkin_code} if m == "POST" else None,
                writes=False, allowed_status=404)


# -- messages ---------------------------------------------------------------------------

def _message(w, status: str = "queued"):
    from eventapp.models import Message

    message = Message(event_id=w.event.id, subject="Hello {name}", body="See you.",
                      audience={"category": ["guest"]}, status=status,
                      send_at=utcnow() + timedelta(days=1))
    db.session.add(message)
    db.session.commit()
    return message


MESSAGE_FORM = {"subject": "Hello {name}", "body": "Your ticket: {ticket_url}",
                "subject_ja": "", "body_ja": "", "category": "guest", "checked_in": "",
                "answer": "", "registration_ids": "", "send_at": "", "do": "send"}


@builds("messages.history", "messages.compose", "messages.automatic")
def _messages_page(w, e, m, _role):
    call = Call(e, m, {"event_id": w.event.id})
    if m == "POST" and e == "messages.compose":
        call.form = dict(MESSAGE_FORM)
    elif m == "POST":
        call.form = {"kind": "thanks", "thanks-enabled": "y", "thanks-offset_days": "1",
                     "thanks-subject": "Thanks", "thanks-subject_ja": "",
                     "thanks-body": "Thank you, {name}.", "thanks-body_ja": ""}
    return call


@builds("messages.detail", "messages.retry", "messages.cancel")
def _message_call(w, e, m, _role):
    message = _message(w, "scheduled" if e == "messages.cancel" else "queued")
    if e == "messages.retry":
        w.failed_email().message_id = message.id
        db.session.commit()
    return Call(e, m, {"event_id": w.event.id, "message_id": message.id},
                form={} if m == "POST" else None)


@builds("messages_api.create_message", "messages_api.get_message")
def _api_message(w, e, m, _role):
    if m == "GET":
        return Call(e, m, {"event_id": w.event.id, "message_id": _message(w).id})
    return Call(e, m, {"event_id": w.event.id}, json={
        "subject": {"en": "Hello {name}"}, "body": {"en": "See you."},
        "to": {"category": ["guest"]}})


@builds("messages.opt_out", "messages.one_click_opt_out")
def _opt_out(w, e, m, _role):
    reg = w.registration("guest")
    return Call(e, m, {"token": reg.manage_token}, form={} if m == "POST" else None)
@builds("feedback.form", "feedback.follow_up")
def _feedback_form(w, e, m, _role):
    reg = w.checked_in()
    form = None
    if m == "POST":
        form = ({"rating": "4", "follow_up": "yes", "useful": "The networking."}
                if e == "feedback.form" else {"result": "meeting"})
    return Call(e, m, {"token": reg.manage_token}, form=form)


@builds("feedback.organiser", "feedback.send_now", "feedback_api.send_requests")
def _feedback_organiser(w, e, m, _role):
    if m == "GET":
        return Call(e, m, {"event_id": w.event.id})
    event = w.ended_event()
    factories.registration(event, "guest", checked_in_at=event.starts_at)
    form = ({"automatic": "y", "delay_hours": "6", "follow_up_days": "60"}
            if e == "feedback.organiser" else {})
    return Call(e, m, {"event_id": event.id},
                form=None if e.startswith("feedback_api") else form)


@builds("programmes.index", "programmes.page", "programmes.print_report",
        "programmes.report_xlsx", "programmes_api.create", "programmes_api.programme_report")
def _programme(w, e, m, _role):
    if e == "programmes_api.create":
        return Call(e, m, json={"title": f"Programme {w.n()}", "event_ids": [w.event.id]})
    if e == "programmes.index":
        form = {"title": f"Programme {w.n()}", "events": str(w.event.id)}
        return Call(e, m, form=form if m == "POST" else None)
    programme = Programme(title=f"Programme {w.n()}", events=[w.event])
    db.session.add(programme)
    db.session.commit()
    form = {"title": f"Renamed {w.n()}", "events": str(w.event.id)} if m == "POST" else None
    return Call(e, m, {"programme_id": programme.id}, form=form)


@builds("feedback.add_question", "feedback.delete_question")
def _feedback_question(w, e, m, _role):
    if e == "feedback.add_question":
        return Call(e, m, {"event_id": w.event.id},
                    form={"question-label": f"Question {w.n()}", "question-kind": "scale"})
    question = FeedbackQuestion(event_id=w.event.id, label=f"Question {w.n()}", kind="text")
    db.session.add(question)
    db.session.commit()
    return Call(e, m, {"event_id": w.event.id, "question_id": question.id}, form={})


# -- registration questions ---------------------------------------------------------------

def _question(w, event=None):
    n = w.n()
    question = questions.add_question(event or w.event, {
        "code": f"q{n}", "label": f"Question {n}", "label_ja": "", "type": "choice",
        "required": False, "categories": [],
        "options": [{"code": "yes", "label": "Yes", "label_ja": "はい"},
                    {"code": "no", "label": "No", "label_ja": "いいえ"}]})
    db.session.commit()
    return question


def _question_form(n: int) -> dict:
    return {"label": f"Question {n}", "label_ja": "", "code": f"asked{n}", "type": "choice",
            "options": "yes | Yes | はい\nno | No | いいえ", "categories": "guest",
            "help": "", "help_ja": ""}


@builds("questions.editor", "questions.edit")
def _questions_page(w, e, m, _role):
    if e == "questions.editor":
        call = Call(e, m, {"event_id": w.event.id})
    else:
        call = Call(e, m, {"event_id": w.event.id, "question_id": _question(w).id})
    if m == "POST":
        call.form = _question_form(w.n())
    return call


@builds("questions.add_preset")
def _question_preset(w, e, m, _role):
    event = factories.event(title=f"Preset Seminar {w.n()}", networking=False)
    return Call(e, m, {"event_id": event.id, "key": "diet"}, form={})


@builds("questions.act")
def _question_act(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id, "question_id": _question(w).id,
                       "action": "retire"}, form={})


@builds("questions_api.create", "questions_api.list_questions")
def _api_questions(w, e, m, _role):
    if m == "GET":
        _question(w)
        return Call(e, m, {"event_id": w.event.id})
    n = w.n()
    return Call(e, m, {"event_id": w.event.id}, json={
        "code": f"api_q{n}", "label": {"en": f"API question {n}", "ja": "質問"},
        "type": "choice", "required": False, "categories": ["guest"],
        "options": [{"code": "a", "label": {"en": "A", "ja": "エー"}}]})


# -- badges and the kiosk -----------------------------------------------------------------

@builds("badges.sheets", "badges.checkin_list", "badges.table_cards", "badges.printing")
def _badges(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id})


@builds("badges.single")
def _badge(w, e, m, _role):
    return Call(e, m, {"event_id": w.event.id, "registration_id": w.attendee.id})


KIOSK_PIN = "246810"


def _locked(event_id: int, badge_of: int | None = None) -> Callable:
    def lock(session):
        digest = kiosk_views._pin_digest(KIOSK_PIN, session.get(SESSION_KEY, ""))
        session[KIOSK_KEY] = {"event": event_id, "pin": digest}
        if badge_of is not None:
            session["kiosk_badge"] = [badge_of, time.time() + 60]
    return lock


@builds("kiosk.kiosk", "kiosk.unlock", "kiosk.scan", "kiosk.badge")
def _kiosk(w, e, m, _role):
    values = {"event_id": w.event.id}
    if e == "kiosk.kiosk":  # an organiser's browser becomes the kiosk (a new session)
        form = {"pin": KIOSK_PIN, "pin_again": KIOSK_PIN} if m == "POST" else None
        return Call(e, m, values, form=form, kiosk=lambda session: None)
    if e == "kiosk.unlock":
        return Call(e, m, values, form={"pin": KIOSK_PIN} if m == "POST" else None,
                    writes=False, kiosk=_locked(w.event.id))
    if e == "kiosk.scan":
        return Call(e, m, values, form={"code": w.registration("guest").checkin_code},
                    kiosk=_locked(w.event.id))
    return Call(e, m, values, kiosk=_locked(w.event.id, w.checked_in().id))
