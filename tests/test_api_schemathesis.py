"""Schemathesis against /api/v1/openapi.json, served over real HTTP.

The description is loaded from the running app (live_server) and every operation in it
is called with cases generated from it: valid ones (positive) and ones that break the
description (negative), with path ids that are mostly real objects (an event with
networking and registrations in every status, an event without networking, a
registration checked in) so the calls reach the code behind the 404s. Each operation
runs once as an organiser and once as door staff (Bearer tokens). Every answer must be
no 5xx and conform to the description: a documented status code, its content type and
its JSON schema. Runs on SQLite and PostgreSQL.
"""

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from eventapp.database import utcnow
from eventapp.extensions import db
from eventapp.models import Status
from tests import factories
from tests.conftest import bearer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
# Examples per operation, role and generation mode: ~600 calls, 15-30 s per database. An
# operation whose description does not name the role gets few: it answers 403.
EXAMPLES = {GenerationMode.POSITIVE: 20, GenerationMode.NEGATIVE: 10}
FORBIDDEN_EXAMPLES = {GenerationMode.POSITIVE: 4, GenerationMode.NEGATIVE: 3}
# Operations whose every call does real work (matching, e-mails) get fewer examples.
HEAVY = {"POST /api/v1/events/{event_id}/networking/schedule": 6,
         "POST /api/v1/events/{event_id}/networking/publish": 5}
SETTINGS = settings(deadline=None, database=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck))
# Text JSON can carry but no database stores: NUL, lone surrogates; and other oddities.
NASTY_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.sampled_from(["\x00", "Ana\x00Lima", "\ud800", "x\udfffy", "\u202e\u200b", "　",
                     "Robert'); DROP TABLE registrations;--", "=1+1", "a" * 5000]))
# What each operation must have answered at least once: proof the calls reached real
# objects, not only the 404 and 422 handlers.
MUST_SEE = {
    "GET /api/v1/events": {200},
    "POST /api/v1/events": {201},
    "GET /api/v1/events/{event_id}": {200},
    "PATCH /api/v1/events/{event_id}": {200},
    "GET /api/v1/events/{event_id}/registrations": {200},
    "POST /api/v1/events/{event_id}/registrations": {201, 422},
    "GET /api/v1/events/{event_id}/registrations/{registration_id}": {200},
    "POST /api/v1/events/{event_id}/registrations/{registration_id}/cancel": {200, 409},
    "POST /api/v1/events/{event_id}/checkins": {200, 404, 409},
    "GET /api/v1/events/{event_id}/networking/meetings": {200, 409},
    "POST /api/v1/events/{event_id}/networking/schedule": {200},
    "POST /api/v1/events/{event_id}/networking/publish": {200},
    "GET /api/v1/events/{event_id}/report": {200},
    "POST /api/v1/events/{event_id}/imports": {200},
    "POST /api/v1/events/{event_id}/questions": {201},
    "GET /api/v1/events/{event_id}/questions": {200},
}


@pytest.fixture
def world(app, organiser_token, door_token):
    """Real objects for the path ids: an event with networking and people in every
    status, one without networking, ids and codes to try."""
    event = factories.event(title="Schema Seminar", capacity=6)
    regs = [
        factories.registration(event, "company", technologies_offered=["water", "diagnostics"],
                               target_countries=["KE", "GH"], networking_opt_in=True),
        factories.registration(event, "company", technologies_offered=["energy"],
                               target_countries=["VN"], networking_opt_in=True),
        factories.registration(event, "embassy", country="KE",
                               technology_needs=["water"], networking_opt_in=True),
        factories.registration(event, "embassy", country="VN",
                               technology_needs=["energy", "diagnostics"], networking_opt_in=True),
        factories.registration(event, "guest", name="山田 太郎", name_kana="やまだ たろう"),
        factories.registration(event, "guest", status=Status.WAITLISTED),
        factories.registration(event, "guest", status=Status.PENDING),
        factories.registration(event, "guest", status=Status.CANCELLED),
        factories.registration(event, "guest", status=Status.REJECTED),
    ]
    arrived = factories.registration(event, "guest")
    arrived.checked_in_at = utcnow()
    db.session.commit()
    plain = factories.event(title="No Networking Day", capacity=3, networking=False)
    elsewhere = factories.registration(plain, "guest")
    ids = [r.id for r in [*regs, arrived, elsewhere]]
    codes = [r.checkin_code for r in [*regs, arrived, elsewhere]]
    # Changed by PATCH calls, so the other calls meet the events as made here.
    scratch = factories.event(title="Changing Day", capacity=3)
    data = {"event_ids": [event.id, plain.id], "registration_ids": ids, "codes": codes,
            "scratch_event_ids": [scratch.id],
            "tokens": {"organiser": organiser_token, "door": door_token}}
    db.session.rollback()  # hold no SQLite snapshot while the server writes
    return data


def real_ids(world, case, draw) -> None:
    """Mostly real ids in the path, so calls reach the objects, not the 404 handler."""
    params = dict(case.path_parameters or {})
    events = world["scratch_event_ids"] if case.method.upper() == "PATCH" else world["event_ids"]
    if "event_id" in params and draw(st.integers(0, 9)) < 8:  # Hypothesis favours 0
        params["event_id"] = draw(st.sampled_from(events))
    if "registration_id" in params and draw(st.integers(0, 9)) < 8:
        params["registration_id"] = draw(st.sampled_from(world["registration_ids"]))
    case.path_parameters = params


def real_body(world, label: str, case, draw) -> None:
    """Valid bodies that do something: real codes (in any case, with spaces), real ids,
    registrations with the event's categories and technology areas, and now and then
    text that cannot be stored (which must be a 422, not a 500)."""
    if label.endswith("/checkins") and draw(st.booleans()):
        code = draw(st.sampled_from(world["codes"]))
        case.body = draw(st.sampled_from([
            {"code": code}, {"code": f"  {code.lower()}\n"},
            {"registration_id": draw(st.sampled_from(world["registration_ids"]))}]))
    elif label == "POST /api/v1/events/{event_id}/registrations" and isinstance(case.body, dict) \
            and draw(st.booleans()):
        n = draw(st.integers(0, 10**6))
        case.body = case.body | {
            "name": f"Schema Person {n}", "email": f"schema{n}@example.org",
            "category": draw(st.sampled_from(["company", "embassy", "guest", "organiser"])),
            "country": draw(st.sampled_from(["KE", "JP", "GH"])), "language": "en",
            "technologies_offered": draw(st.lists(st.sampled_from(["water", "energy"]),
                                                  max_size=2)),
            "technology_needs": draw(st.lists(st.sampled_from(["water", "diagnostics"]),
                                              max_size=2)),
            "target_countries": ["KE"], "notify": draw(st.booleans())}
        if draw(st.booleans()):
            field = draw(st.sampled_from(["name", "name_kana", "organisation", "job_title"]))
            case.body[field] = draw(NASTY_TEXT)
    elif label == "POST /api/v1/events/{event_id}/imports" and draw(st.booleans()):
        n = draw(st.integers(0, 10**6))
        text = (f"氏名,メールアドレス,区分,国\r\nImport {n},import{n}@example.org,"
                f"{draw(st.sampled_from(['guest', '一般参加者', 'astronaut']))},"
                f"{draw(st.sampled_from(['ケニア', 'KE', 'Kenya', 'ナルニア']))}\r\n")
        case.body = {"file": text.encode(draw(st.sampled_from(["cp932", "utf-16", "utf-8"]))),
                     "dry_run": draw(st.sampled_from(["0", "1"])), "notify": "0"}
    elif label == "POST /api/v1/events/{event_id}/questions" and draw(st.booleans()):
        n = draw(st.integers(0, 10**6))
        # Mostly a question that can be added (so the call is seen to work), now and then
        # a label no database stores (a 422).
        japanese = draw(NASTY_TEXT) if draw(st.integers(0, 3)) == 0 else "食事"
        kind = draw(st.sampled_from(["choice", "multiple", "boolean", "text"]))
        case.body = {"code": f"q{n}", "label": {"en": "Diet", "ja": japanese}, "type": kind,
                     "required": False, "categories": ["guest"]}
        if kind in ("choice", "multiple"):
            case.body["options"] = [{"code": "halal", "label": {"en": "Halal"}}]
    elif label == "POST /api/v1/events" and draw(st.booleans()):
        case.body = {
            "title": "Schema Day", "venue": "Room 2",
            "translations": {"ja": {"title": "スキーマの日", "venue": "第2会議室"}},
            "starts_at": "2031-06-09T10:00:00+09:00", "ends_at": "2031-06-09T17:00:00+09:00",
            "timezone": "Asia/Tokyo", "capacity": draw(st.integers(0, 500))}
        nasty_in = draw(st.sampled_from([None, "title", "venue", "translations"]))
        if nasty_in == "translations":
            case.body["translations"]["ja"]["title"] = draw(NASTY_TEXT)
        elif nasty_in:
            case.body[nasty_in] = draw(NASTY_TEXT)
        if draw(st.booleans()):
            case.body["networking"] = {"starts_at": "2031-06-09T15:00:00+09:00",
                                       "slots": draw(st.integers(1, 8))}
    elif label == "PATCH /api/v1/events/{event_id}" and draw(st.booleans()):
        n = draw(st.integers(0, 10**6))
        case.body = {"capacity": draw(st.integers(0, 500)), "slug": f"changing-day-{n}",
                     "translations": {"ja": {"title": draw(st.one_of(st.just("変わる日"),
                                                                      NASTY_TEXT))}}}


def run_operation(base_url: str, world: dict, operation, role: str, mode, seen) -> None:
    label = operation.label
    session = requests.Session()
    headers = bearer(world["tokens"][role])
    allowed = role in operation.definition.raw.get("description", "")
    examples = (EXAMPLES if allowed else FORBIDDEN_EXAMPLES)[mode]

    @st.composite
    def cases(draw):
        case = draw(operation.as_strategy(generation_mode=mode))
        real_ids(world, case, draw)
        # Schemathesis fills the Bearer header with random text: keep that for a few
        # cases (401 must conform too), send the role's real token for the rest. (Hypothesis
        # draws 0 often, so 0 is the common case here.)
        if draw(st.integers(0, 9)) < 9:
            case.headers = dict(case.headers or {}) | headers
        if mode == GenerationMode.POSITIVE:
            real_body(world, label, case, draw)
        return case

    @settings(SETTINGS, max_examples=min(HEAVY.get(label, examples), examples))
    @given(case=cases())
    def call(case):
        response = case.call_and_validate(base_url=base_url, session=session, checks=CHECKS,
                                          timeout=60)
        seen.setdefault(label, {}).setdefault(role, set()).add(response.status_code)
        seen["calls"] = seen.get("calls", 0) + 1

    try:
        call()
    finally:
        session.close()


@pytest.mark.slow
def test_every_operation_conforms_to_the_description(live_server, world):
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    # Schemathesis leaves out the description's own address (GET /api/v1/openapi.json).
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {o.label for o in operations} >= set(MUST_SEE), [o.label for o in operations]
    seen: dict = {}
    failures = []
    for operation in operations:
        for role in ("organiser", "door"):
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    run_operation(live_server, world, operation, role, mode, seen)
                except (Exception, BaseExceptionGroup) as exc:  # all failures are shown
                    failures.append(f"{operation.label} as {role}, {mode.value}:\n{exc}")
    assert not failures, "\n\n".join(failures)
    print(f"\n{seen['calls']} calls to {len(operations)} operations")  # for `pytest -s`
    assert seen["calls"] > 450
    for label, wanted in MUST_SEE.items():
        assert seen[label]["organiser"] & wanted, (label, seen[label])
    # Door staff: what the description gives them works, the rest is refused.
    for operation in operations:
        door = seen[operation.label]["door"]
        if "door" in operation.definition.raw.get("description", ""):
            assert door - {401, 403, 422}, (operation.label, door)
        else:
            assert 403 in door and not {s for s in door if s < 300}, (operation.label, door)


# What Schemathesis found, pinned down (each was a 5xx or an answer off the description).

def test_addresses_with_ids_no_database_holds_are_404(client, world):
    headers = bearer(world["tokens"]["organiser"])
    for url in ("/api/v1/events/2147483648", "/api/v1/events/16712377473644376437026717696",
                "/api/v1/events/99999999999/registrations",
                f"/api/v1/events/{world['event_ids'][0]}/registrations/9999999999999"):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, (url, response.status_code)
        assert response.get_json()["error"] == "not_found"


def test_check_in_addresses_that_name_nothing_still_answer_with_result(client, world):
    headers = bearer(world["tokens"]["door"])
    for method, url in (("POST", "/api/v1/events/-1/checkins"),
                        ("POST", "/api/v1/events/true/checkins"),
                        ("POST", "/api/v1/events/99999999999/checkins"),
                        ("DELETE", "/api/v1/events/1/checkins/-5"),
                        ("DELETE", "/api/v1/events/x/checkins/1")):
        response = client.open(url, method=method, json={"code": "ABC"}, headers=headers)
        body = response.get_json()
        assert response.status_code == 404 and body["result"] is None, (url, body)
        assert body["registration"] is None and body["error"] == "not_found"
    response = client.post("/api/v1/events/-1/checkins", json={"code": "ABC"})
    assert response.status_code == 401 and response.get_json()["result"] is None


def test_query_values_that_look_like_numbers_are_text(client, world):
    headers = bearer(world["tokens"]["door"])
    url = f"/api/v1/events/{world['event_ids'][0]}/registrations"
    assert client.get(f"{url}?q=%C2%B3", headers=headers).status_code == 200  # "³"
    found = client.get(f"{url}?q=1", headers=headers).get_json()  # "Person 1", "Org 1"...
    assert found and all("1" in r["name"] + r["organisation"] for r in found)
    assert client.get(f"{url}?limit=%C2%B3", headers=headers).status_code == 422


def test_text_no_database_can_store_is_a_422(client, world):
    headers = bearer(world["tokens"]["organiser"])
    url = f"/api/v1/events/{world['event_ids'][0]}/registrations"
    for field, value in (("name", "Ana\x00Lima"), ("organisation", "\ud800"),
                         ("job_title", "\x00")):
        body = {"name": "Ana Lima", "email": "ana@example.org", "category": "guest"}
        response = client.post(url, json=body | {field: value}, headers=headers)
        assert response.status_code == 422, response.get_data(as_text=True)
        assert "cannot be saved" in response.get_json()["fields"][field]
    response = client.post("/api/v1/events", headers=headers, json={
        "title": "Day\x00", "starts_at": "2031-06-09T10:00:00+09:00",
        "ends_at": "2031-06-09T17:00:00+09:00", "capacity": 10})
    assert response.status_code == 422 and "title" in response.get_json()["fields"]
