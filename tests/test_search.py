"""Finding people as a Japanese keyboard or a hand-held scanner types them: the scanner's
name search, the registration desk and the API's `q`, on both databases."""


import pytest

from eventapp import search
from eventapp.extensions import db
from eventapp.models import Registration
from tests import factories
from tests.conftest import bearer, statements

PEOPLE = {
    "fujimoto": {"name": "藤本 健", "name_kana": "ふじもと けん", "organisation": "Aqua Tech"},
    "sato": {"name": "佐藤 花子", "name_kana": "さとう はなこ", "organisation": "Osaka Works"},
    "watanabe": {"name": "渡辺 健一", "name_kana": "ワタナベ ケンイチ",
                 "organisation": "Watanabe Kogyo"},
    "sasaki": {"name": "佐々木 真理子", "name_kana": "", "organisation": "Sendai Medical"},
    "otieno": {"name": "Grace Otieno", "name_kana": "", "organisation": "Embassy of Kenya"},
    "percent": {"name": "Kumar 100%_off", "name_kana": "", "organisation": "Kumar & Co"},
}
# (what was typed, whom it must find): the examples and their like
EXAMPLES = [
    ("フジモト", "fujimoto"),  # katakana for a hiragana reading
    ("ｻﾄｳ", "sato"),  # half-width katakana
    ("渡辺健一", "watanabe"),  # no space where the name has one
    ("佐々木　真理子", "sasaki"),  # a full-width space
    ("ＦＵＪＩＭＯＴＯ", "fujimoto"),  # full-width Latin letters
    ("わたなべ", "watanabe"),  # hiragana for a katakana reading
    ("fujimoto", "fujimoto"),  # rōmaji for a kana reading
    ("Satou", "sato"),  # rōmaji with the long vowel
    ("sato hanako", "sato"),  # rōmaji without it, with a space
    ("ささき", "sasaki"),  # a kanji name without a reading: pykakasi reads it
    ("OTIENO", "otieno"),  # case
    ("embassy of", "otieno"),  # organisation
    ("100%_", "percent"),  # % and _ are literal
]


@pytest.fixture
def people(app):
    event = factories.event("Search Seminar")
    regs = {key: factories.registration(event, **fields) for key, fields in PEOPLE.items()}
    return event, regs


def api_ids(client, event, token, q):
    response = client.get(f"/api/v1/events/{event.id}/registrations", query_string={"q": q},
                          headers=bearer(token))
    assert response.status_code == 200
    return {r["id"] for r in response.get_json()}


@pytest.mark.parametrize(("typed", "whom"), EXAMPLES)
def test_the_api_q_finds_a_person_however_the_name_was_typed(client, people, organiser_token,
                                                              door_token, typed, whom):
    event, regs = people
    assert api_ids(client, event, organiser_token, typed) == {regs[whom].id}
    assert api_ids(client, event, door_token, typed) == {regs[whom].id}


def test_wildcards_in_a_query_match_only_themselves(client, people, organiser_token):
    event, regs = people
    assert api_ids(client, event, organiser_token, "%") == {regs["percent"].id}
    assert api_ids(client, event, organiser_token, "_") == {regs["percent"].id}


def test_door_staff_do_not_find_people_by_e_mail_and_organisers_do(client, people,
                                                                    organiser_token, door_token):
    event, regs = people
    address = regs["otieno"].email
    assert api_ids(client, event, door_token, address) == set()
    assert api_ids(client, event, organiser_token, address) == {regs["otieno"].id}


def test_the_scanner_search_finds_katakana_typed_for_hiragana(door_client, people):
    event, regs = people
    html = door_client.get(f"/manage/events/{event.id}/scanner",
                           query_string={"q": "フジモト"}).get_data(as_text=True)
    assert "藤本 健" in html and "佐藤 花子" not in html
    html = door_client.get(f"/manage/events/{event.id}/scanner",
                           query_string={"q": "佐々木　真理子"}).get_data(as_text=True)
    assert "佐々木 真理子" in html and "藤本 健" not in html


@pytest.mark.parametrize(("typed", "whom"), [("ワタナベ", "watanabe"), ("ｻﾄｳ", "sato"),
                                             ("渡辺健一", "watanabe"), ("fujimoto", "fujimoto")])
def test_the_desk_filter_finds_japanese_names(organiser_client, people, typed, whom):
    event, regs = people
    html = organiser_client.get(f"/manage/events/{event.id}/registrations",
                                query_string={"q": typed}).get_data(as_text=True)
    shown = {key for key, fields in PEOPLE.items() if fields["name"] in html}
    assert shown == {whom}


def test_lists_sort_by_reading_in_gojuon_order(client, people, organiser_token):
    event, regs = people
    listed = client.get(f"/api/v1/events/{event.id}/registrations",
                        headers=bearer(organiser_token)).get_json()
    japanese = [r["name"] for r in listed if not r["name"].isascii()]
    # さ(さき) < さ(とう) < ふ < わ: 佐々木 is read by pykakasi, ワタナベ folded to わたなべ
    assert japanese == ["佐々木 真理子", "佐藤 花子", "藤本 健", "渡辺 健一"]


def test_the_search_key_follows_every_change_of_name(client, people, organiser_token):
    event, regs = people
    reg = db.session.get(Registration, regs["otieno"].id)
    reg.name, reg.name_kana = "山田 太郎", "やまだ たろう"
    db.session.commit()
    assert api_ids(client, event, organiser_token, "ヤマダ") == {reg.id}
    assert api_ids(client, event, organiser_token, "yamada") == {reg.id}
    assert api_ids(client, event, organiser_token, "Otieno") == set()


def test_a_name_search_reads_the_registrations_once(client, organiser_client, people,
                                                     door_token):
    """A search reads every registration of the event (a LIKE on the key): the desk's
    page and its total, and the door's results with their categories, come from that one
    statement, not a second pass or a query per category (bench/bench_search.py)."""
    event, regs = people
    with statements() as seen:
        html = organiser_client.get(f"/manage/events/{event.id}/registrations",
                                    query_string={"q": "o"}).get_data(as_text=True)
    assert "Showing 1–6 of 6" in html  # (e-mail addresses too: example.org)
    assert sum("search_key LIKE" in s for s in seen) == 1
    with statements() as seen:
        found = client.get(f"/api/v1/events/{event.id}/registrations", query_string={"q": "o"},
                           headers=bearer(door_token)).get_json()
    assert {r["id"] for r in found} == {reg.id for reg in regs.values()}  # (まりこ: mariko)
    assert all(r["category"] for r in found)
    assert [s for s in seen if "FROM categories" in s] == []


def test_the_normalisation_itself():
    assert search.normalise("ＦＵＪＩ　モト ｻﾄｳ") == "fujiもとさとう"
    assert search.query_forms("  ") == []
    assert search.query_forms("Satou") == ["satou", "sato"]
    assert search.sort_name("Grace Otieno", "") == "graceotieno"
    assert search.sort_name("渡辺 健一", "ワタナベ ケンイチ") == "わたなべけんいち"
