"""Property tests: no text but the real code admits, and nothing causes a 5xx.

Thousands of random and mutated codes (random text, base32-looking strings, a real code
with one character changed, dropped or added, unicode, very long strings) and random
bodies (raw bytes, JSON of every type) are posted through the Flask test client.
"""

import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from eventapp.models import Status, normalise_code
from tests import factories
from tests.conftest import bearer

BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
ADMITTING = {"checked_in", "already_checked_in"}
FUZZ = settings(max_examples=1300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


@pytest.fixture
def target(app, door_token):
    """An event with a confirmed registration whose code the mutations start from,
    plus a cancelled one and one at another event."""
    event = factories.event()
    reg = factories.registration(event)
    factories.registration(event, status=Status.CANCELLED)
    factories.registration(factories.event(title="Elsewhere"))
    return {"url": f"/api/v1/events/{event.id}/checkins", "code": reg.checkin_code,
            "id": reg.id, "headers": bearer(door_token)}


@st.composite
def mutated_code(draw):
    """The real code (filled in later) with one character changed, dropped or added,
    and perhaps its case changed and whitespace around it."""
    operation = draw(st.sampled_from(["change", "drop", "add", "swap"]))
    position = draw(st.integers(0, 31))
    character = draw(st.one_of(st.sampled_from(BASE32 + "018" + BASE32.lower()),
                               st.characters()))
    lower = draw(st.booleans())
    padding = draw(st.sampled_from(["", " ", "\n", "\t", "　"]))

    def apply(code: str) -> str:
        if operation == "change":
            text = code[:position] + character + code[position + 1:]
        elif operation == "drop":
            text = code[:position] + code[position + 1:]
        elif operation == "add":
            text = code[:position] + character + code[position:]
        else:
            text = code[:position] + code[position + 1:position + 2] + code[position:position + 1] \
                + code[position + 2:]
        return padding + (text.lower() if lower else text) + padding

    return apply


def literal(strategy):
    return strategy.map(lambda text: lambda _code: text)


CODES = st.one_of(
    mutated_code(),
    literal(st.text()),
    literal(st.text(alphabet=BASE32, min_size=1, max_size=40)),
    literal(st.text(alphabet=BASE32 + BASE32.lower() + " \n-", min_size=30, max_size=34)),
    literal(st.text(st.characters(codec="utf-8"), min_size=1, max_size=64)),
    literal(st.text(alphabet=BASE32, min_size=250, max_size=3000)),
    literal(st.text(min_size=257, max_size=2000)),
)


@FUZZ
@given(make_text=CODES)
def test_no_text_but_the_real_code_admits(client, target, make_text):
    text = make_text(target["code"])
    response = client.post(target["url"], json={"code": text}, headers=target["headers"])
    assert response.status_code < 500, response.get_data(as_text=True)
    body = response.get_json()
    assert "result" in body
    if normalise_code(text) == target["code"]:
        # Case and whitespace do not matter: this is the real code.
        assert body["result"] in ADMITTING
    else:
        assert 400 <= response.status_code < 500
        assert body["result"] not in ADMITTING
        assert body["result"] in {"unknown_code", "not_admitted", "wrong_event"}


@settings(FUZZ, max_examples=500)
@given(make_text=mutated_code())
def test_a_one_character_mistake_never_admits(client, target, make_text):
    text = make_text(target["code"])
    assume(normalise_code(text) != target["code"])
    response = client.post(target["url"], json={"code": text}, headers=target["headers"])
    assert response.status_code == 404
    assert response.get_json()["result"] == "unknown_code"


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12)


@settings(FUZZ, max_examples=400)
@given(body=st.one_of(
    st.binary(max_size=2000),
    JSON_VALUES.map(lambda value: json.dumps(value).encode()),
    st.fixed_dictionaries({}, optional={"code": JSON_VALUES, "registration_id": JSON_VALUES})
    .map(lambda value: json.dumps(value).encode()),
))
def test_raw_bytes_and_wrong_types_get_a_4xx(client, target, body):
    response = client.post(target["url"], data=body, headers=target["headers"],
                           content_type="application/json")
    assert response.status_code < 500, response.get_data(as_text=True)
    answer = response.get_json()
    assert "result" in answer
    if answer["result"] in ADMITTING:
        # Only the real registration, asked for by its own id or code, may get in.
        sent = json.loads(body)
        assert sent.get("registration_id") == target["id"] or (
            isinstance(sent.get("code"), str) and normalise_code(sent["code"]) == target["code"])
    else:
        assert 400 <= response.status_code < 500

