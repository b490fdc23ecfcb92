"""One way in: a scan, a name search and a walk-in, through the API or the scanner page,
all admit by the same rules (services.admit) and leave the same trace in the scan log.
Runs on SQLite and PostgreSQL."""

import pytest

from eventapp.checkin import services
from eventapp.database import begin_write
from eventapp.extensions import db
from eventapp.models import Registration, Status
from tests import factories
from tests.conftest import bearer
from tests.test_checkin import checkins_url, fresh, logs, walk_in_form

DEVICE = {"X-Scanner-Device": "door-tablet-2"}


# Each presents registration `reg` at the door of event `at` (its own by default).

def api_code(ctx, reg, at=None):
    return ctx["client"].post(checkins_url(at or reg.event_id), json={"code": reg.checkin_code},
                              headers=bearer(ctx["token"]) | DEVICE)


def api_search(ctx, reg, at=None):
    return ctx["client"].post(checkins_url(at or reg.event_id),
                              json={"registration_id": reg.id},
                              headers=bearer(ctx["token"]) | DEVICE)


def page_code(ctx, reg, at=None):
    return ctx["door_client"].post(f"/manage/events/{at or reg.event_id}/scanner",
                                   data={"code": reg.checkin_code}, headers=DEVICE)


def page_search(ctx, reg, at=None):
    return ctx["door_client"].post(f"/manage/events/{at or reg.event_id}/scanner",
                                   data={"registration_id": str(reg.id)}, headers=DEVICE)


def walk_in(ctx, reg, at=None):
    """Someone already registered, registered again at the door: admitted instead."""
    return ctx["door_client"].post(f"/manage/events/{at or reg.event_id}/walk-in",
                                   data=walk_in_form(**{"walkin-email": reg.email}),
                                   headers=DEVICE)


WAYS_IN = {  # how each way in is logged: method, and whether the code is kept
    api_code: ("code", True), api_search: ("search", False), page_code: ("code", True),
    page_search: ("search", False), walk_in: ("walk_in", False),
}


@pytest.fixture
def ctx(app, client, door, door_token, door_client):
    return {"client": client, "token": door_token, "door_client": door_client}


@pytest.mark.parametrize("way_in", list(WAYS_IN), ids=lambda f: f.__name__)
def test_every_way_in_admits_once_and_logs_alike(ctx, door, way_in):
    method, keeps_code = WAYS_IN[way_in]
    event = factories.event()
    reg = factories.registration(event)
    assert way_in(ctx, reg).status_code in (201, 302, 200)
    admitted = fresh(reg)
    assert admitted.checked_in_at is not None and admitted.checked_in_by_id == door.id
    assert way_in(ctx, reg).status_code in (200, 302)  # a second time: no second entry
    assert fresh(reg).checked_in_at == admitted.checked_in_at
    first, again = logs(event)
    for log, result in ((first, "checked_in"), (again, "already_checked_in")):
        assert (log.method, log.result, log.registration_id, log.staff_user_id,
                log.device, log.code) == (method, result, reg.id, door.id,
                                          "door-tablet-2", reg.checkin_code if keeps_code
                                          else "")
    assert again.created_at >= first.created_at


@pytest.mark.parametrize("way_in", [api_code, api_search, page_code, page_search],
                         ids=lambda f: f.__name__)
def test_every_way_in_refuses_a_cancelled_registration_alike(ctx, door, way_in):
    method, _keeps_code = WAYS_IN[way_in]
    event = factories.event()
    reg = factories.registration(event, status=Status.CANCELLED)
    assert way_in(ctx, reg).status_code in (409, 200)
    assert fresh(reg).checked_in_at is None
    (log,) = logs(event)
    assert (log.method, log.result, log.reason, log.registration_id, log.staff_user_id) == (
        method, "not_admitted", "cancelled", reg.id, door.id)


@pytest.mark.parametrize("way_in", [api_code, api_search, page_code, page_search],
                         ids=lambda f: f.__name__)
def test_every_way_in_refuses_another_events_registration_alike(ctx, door, way_in):
    method, _keeps_code = WAYS_IN[way_in]
    event, other = factories.event(), factories.event(title="Elsewhere")
    reg = factories.registration(other)
    assert way_in(ctx, reg, at=event.id).status_code in (409, 200)
    assert fresh(reg).checked_in_at is None
    (log,) = logs(event)
    assert (log.method, log.result, log.registration_id, log.staff_user_id) == (
        method, "wrong_event", reg.id, door.id)


def test_a_new_walk_in_is_logged_like_a_scan(ctx, door):
    event = factories.event()
    response = ctx["door_client"].post(f"/manage/events/{event.id}/walk-in",
                                       data=walk_in_form(), headers=DEVICE)
    # It ends on the scanner's result card, as a scan does.
    assert response.status_code == 200 and "Checked in" in response.get_data(as_text=True)
    reg = db.session.execute(db.select(Registration).where(
        Registration.email == "kenji@example.org")).scalar_one()
    (log,) = logs(event)
    assert (log.method, log.result, log.registration_id, log.staff_user_id, log.device) == (
        "walk_in", "checked_in", reg.id, door.id, "door-tablet-2")
    assert fresh(reg).checked_in_by_id == door.id


def test_an_id_beyond_the_database_integer_is_unknown_on_the_page(ctx):
    event = factories.event()
    response = ctx["door_client"].post(f"/manage/events/{event.id}/scanner",
                                       data={"registration_id": "99999999999"})
    assert response.status_code == 200 and "Unknown code" in response.get_data(as_text=True)
    (log,) = logs(event)
    assert (log.result, log.reason, log.registration_id) == (
        "unknown_code", "no_such_registration", None)


def test_admit_joins_a_transaction_under_way(app, door):
    """A walk-in registers and admits in one transaction: an admission inside a
    transaction is undone with it (on PostgreSQL too, where a check-in that is all its
    request does runs in autocommit)."""
    event = factories.event()
    reg = factories.registration(event)
    scanner = services.Scanner(door.id, door.display_name, "desk")
    begin_write()
    db.session.execute(db.select(db.literal(1)))
    for presented in ({"code": reg.checkin_code}, {"registration_id": reg.id}):
        answer = services.admit(event.id, scanner, **presented)
        assert answer.result in ("checked_in", "already_checked_in")
    db.session.rollback()
    assert fresh(reg).checked_in_at is None and logs(event) == []


# -- abuse limits: the check-in's own, the API's write limit on the rest -----------

@pytest.fixture
def tight_write_limit(app_config):
    app_config.update(RATELIMIT_ENABLED=True, API_WRITE_RATE_LIMIT="2 per minute")


def test_the_check_in_call_counts_only_against_its_own_limit(tight_write_limit, client,
                                                             door_token):
    event = factories.event()
    for _ in range(5):  # unknown codes count, but not against the API's write limit
        assert client.post(checkins_url(event), json={"code": "NOPE"},
                           headers=bearer(door_token)).status_code == 404


def test_an_undo_over_the_write_limit_is_answered_in_the_check_in_shape(
        tight_write_limit, client, door_token):
    event = factories.event()
    url = f"{checkins_url(event)}/999999"
    for _ in range(2):
        assert client.delete(url, headers=bearer(door_token)).status_code == 404
    limited = client.delete(url, headers=bearer(door_token))
    assert limited.status_code == 429
    body = limited.get_json()
    assert body["result"] is None and body["error"] == "rate_limited"
    assert body["retry_after"] == int(limited.headers["Retry-After"]) >= 1
