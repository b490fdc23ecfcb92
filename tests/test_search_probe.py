"""Door staff cannot recover e-mail addresses through the search (issue 16, finding 9).

The probe grew a substring of an address one character at a time and watched whether the
results narrowed to one person: 513 requests recovered an address. Door staff are not
shown addresses, so their search (the API's `q` and the scanner page) must not match
them at all, and `%` and `_` in a query match only themselves, on both databases.
"""

import re

import pytest

from tests import factories
from tests.conftest import bearer

TARGET = {"name": "Yoshiko Tanaka", "email": "ytk.private77@mail.example",
          "organisation": "Hokkaido Dairy"}
OTHERS = [  # addresses that share the target's first characters, names that do not
    {"name": "Kenji Mori", "email": "ytk.office@mail.example", "organisation": "Mori Foods"},
    {"name": "Amina Yusuf", "email": "yt.amina@mail.example", "organisation": "Embassy of Nigeria"},
    {"name": "Percy 50%_off", "email": "percy@mail.example", "organisation": "Percy & Sons"},
]


@pytest.fixture
def crowd(app):
    event = factories.event("Probe Seminar")
    target = factories.registration(event, **TARGET)
    others = [factories.registration(event, **fields) for fields in OTHERS]
    return event, target, others


def door_api(client, event, token, q) -> set[int]:
    response = client.get(f"/api/v1/events/{event.id}/registrations",
                          query_string={"q": q}, headers=bearer(token))
    assert response.status_code == 200
    return {r["id"] for r in response.get_json()}


def door_scanner(client, event, q) -> set[str]:
    """The names the scanner page lists as search results."""
    response = client.get(f"/manage/events/{event.id}/scanner", query_string={"q": q})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return {fields["name"] for fields in [TARGET, *OTHERS]
            if re.search(re.escape(fields["name"].replace("&", "&amp;")), html)}


def prefixes(text: str) -> list[str]:
    return [text[:n] for n in range(1, len(text) + 1)]


def test_growing_a_prefix_of_an_address_never_narrows_the_api_to_its_owner(
        client, crowd, door_token, organiser_token):
    event, target, _others = crowd
    for q in prefixes(TARGET["email"]):
        assert door_api(client, event, door_token, q) != {target.id}, q
    # The organiser, who sees addresses, does find her by hers.
    assert door_api(client, event, organiser_token, TARGET["email"]) == {target.id}


def test_growing_a_prefix_of_an_address_never_narrows_the_scanner_to_its_owner(
        door_client, crowd):
    event, _target, _others = crowd
    for q in prefixes(TARGET["email"]):
        assert door_scanner(door_client, event, q) != {TARGET["name"]}, q
    assert door_scanner(door_client, event, "Yoshiko") == {TARGET["name"]}  # names still work


@pytest.mark.parametrize(("q", "found"), [
    ("%", {"Percy 50%_off"}), ("_", {"Percy 50%_off"}), ("%_", {"Percy 50%_off"}),
    ("%@%", set()), ("ytk%", set()), ("y_k", set()), ("_tk.private", set()),
])
def test_wildcards_match_only_themselves_for_door_staff(client, door_client, crowd,
                                                        door_token, q, found):
    event, target, others = crowd
    ids = {"Yoshiko Tanaka": target.id} | {o.name: o.id for o in others}
    assert door_api(client, event, door_token, q) == {ids[name] for name in found}
    assert door_scanner(door_client, event, q) == found
