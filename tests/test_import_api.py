"""POST /api/v1/events/{id}/imports: the import page's reading and checking, for scripts.
200 {"rows", "imported", "errors": [{"row", "fields"}]}; with errors and no dry_run
nothing is imported unless valid_only=1; a bad file is a 422 naming the problem."""

import codecs
import io

from eventapp.models import Status
from tests import factories
from tests.conftest import bearer
from tests.test_import import outbox_count, registrations
from tests.test_import_formats import japanese_csv


def post_import(client, event, content: bytes, token: str, filename="list.csv",
                headers=None, **flags):
    data = {"file": (io.BytesIO(content), filename)} | {k: str(v) for k, v in flags.items()}
    return client.post(f"/api/v1/events/{event.id}/imports", data=data,
                       content_type="multipart/form-data",
                       headers=bearer(token) | (headers or {}))


MIXED = ("name,email,category,country\r\n"
         "Ana Lima,ana@example.org,guest,Brazil\r\n"
         "No Mail,not-an-email,guest,JP\r\n"
         "Ben Okoro,ben@example.org,guest,ナルニア\r\n"
         "Chen Wei,chen@example.org,guest,CN\r\n").encode()


def test_a_cp932_file_with_japanese_headers_imports_through_the_api(client, app,
                                                                    organiser_token):
    event = factories.event()
    response = post_import(client, event, japanese_csv("cp932"), organiser_token)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"rows": 4, "imported": 4, "errors": []}
    regs = registrations(event)
    assert [(r.name, r.country, r.status) for r in regs] == [
        ("山田 太郎", "JP", Status.CONFIRMED), ("Amina Otieno", "KE", Status.CONFIRMED),
        ("Wanjiru Kamau", "KE", Status.CONFIRMED), ("John Mwangi", "KE", Status.CONFIRMED)]
    assert regs[0].target_countries == ["KE", "TZ"] and regs[0].category.code == "company"
    assert outbox_count(app) == 4  # the same e-mails as a sign-up


def test_utf16_and_utf8_bom_files_import_through_the_api(client, organiser_token):
    for content in (codecs.BOM_UTF16_LE + japanese_csv("utf-16-le"),
                    codecs.BOM_UTF8 + japanese_csv("utf-8")):
        event = factories.event()
        response = post_import(client, event, content, organiser_token, notify=0)
        assert response.get_json() == {"rows": 4, "imported": 4, "errors": []}
        assert registrations(event)[0].name == "山田 太郎"


def test_a_dry_run_checks_and_imports_nothing(client, organiser_token):
    event = factories.event()
    response = post_import(client, event, MIXED, organiser_token, dry_run=1)
    assert response.status_code == 200
    body = response.get_json()
    assert (body["rows"], body["imported"]) == (4, 0)
    assert [e["row"] for e in body["errors"]] == [3, 4]
    assert set(body["errors"][0]["fields"]) == {"email"}
    assert body["errors"][1]["fields"] == {"country": "Unknown country: ナルニア."}
    assert registrations(event) == []
    clean = post_import(client, event, japanese_csv("cp932"), organiser_token, dry_run=1)
    assert clean.get_json() == {"rows": 4, "imported": 0, "errors": []}
    assert registrations(event) == []


def test_errors_import_nothing_unless_valid_only(client, organiser_token):
    event = factories.event()
    refused = post_import(client, event, MIXED, organiser_token, notify=0)
    assert refused.status_code == 200
    body = refused.get_json()
    assert (body["rows"], body["imported"], len(body["errors"])) == (4, 0, 2)
    assert registrations(event) == []

    valid = post_import(client, event, MIXED, organiser_token, valid_only=1, notify=0)
    body = valid.get_json()
    assert (body["rows"], body["imported"]) == (4, 2)
    assert [e["row"] for e in body["errors"]] == [3, 4]
    assert [(r.name, r.country) for r in registrations(event)] == [("Ana Lima", "BR"),
                                                                   ("Chen Wei", "CN")]
    again = post_import(client, event, MIXED, organiser_token, valid_only=1, notify=0)
    assert again.get_json()["imported"] == 0
    assert again.get_json()["errors"][0]["fields"] == {
        "email": "duplicate: already registered"}


def test_bad_files_are_a_422_with_a_message_never_a_500(client, organiser_token):
    event = factories.event()
    cases = [
        ("name,email,category\nJosé,jose@example.org,guest\n".encode("latin-1"), "list.csv",
         "neither UTF-8, UTF-16 nor Shift_JIS"),
        (b"", "list.csv", "The file is empty."),
        (b"PK\x03\x04garbage", "list.xlsx", "could not be read"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png", "Upload a CSV"),
        (b"first,last\nAna,Silva\n", "list.csv", "missing: name, email, category"),
    ]
    for content, filename, message in cases:
        response = post_import(client, event, content, organiser_token, filename)
        body = response.get_json()
        assert response.status_code == 422, (filename, body)
        assert body["error"] == "invalid" and message in body["message"]
        assert message in body["fields"]["file"]
    japanese = post_import(client, event, cases[0][0], organiser_token,
                           headers={"Accept-Language": "ja"})
    assert "のいずれでもない" in japanese.get_json()["message"]
    no_file = client.post(f"/api/v1/events/{event.id}/imports", data={"dry_run": "1"},
                          headers=bearer(organiser_token))
    assert no_file.status_code == 422
    assert no_file.get_json()["fields"] == {"file": "This field is required."}
    too_large = post_import(client, event, b"x" * (11 * 1024 * 1024), organiser_token)
    assert too_large.status_code == 413 and too_large.get_json()["error"] == "too_large"
    bad_flag = post_import(client, event, MIXED, organiser_token, dry_run="maybe")
    assert bad_flag.get_json()["fields"] == {"dry_run": "Must be 1 or 0."}
    assert registrations(event) == []


def test_only_organisers_import(client, door_token):
    event = factories.event()
    assert post_import(client, event, MIXED, door_token).status_code == 403
    anonymous = client.post(f"/api/v1/events/{event.id}/imports",
                            data={"file": (io.BytesIO(MIXED), "list.csv")})
    assert anonymous.status_code == 401
    assert registrations(event) == []


def test_the_call_is_described_as_a_multipart_upload(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/events/{event_id}/imports"]["post"]
    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    upload = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert upload["properties"]["file"]["format"] == "binary"
    assert set(upload["properties"]) == {"file", "dry_run", "valid_only", "notify"}
    answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
    shape = document["components"]["schemas"][answer["$ref"].rsplit("/", 1)[1]]
    assert set(shape["properties"]) == {"rows", "imported", "errors"}
