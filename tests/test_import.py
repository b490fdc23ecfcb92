"""Importing an invitation list (CSV or XLSX) on the registration desk."""

import io
import re
from pathlib import Path

from openpyxl import Workbook

from eventapp.extensions import db
from eventapp.models import Registration, Status
from tests import factories
from tests.conftest import login

HEADER = "Name,Name Kana,E-mail,Category,Organisation,Country,Technologies Offered," \
         "Target Countries,Technology Needs,Networking opt-in"


def import_url(event, suffix=""):
    return f"/manage/events/{event.id}/registrations/import{suffix}"


def upload(client, event, content: bytes, filename="list.csv"):
    return client.post(import_url(event), data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def report_url(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def registrations(event) -> list[Registration]:
    db.session.expire_all()
    return list(db.session.execute(
        db.select(Registration).where(Registration.event_id == event.id)
        .order_by(Registration.id)).scalars())


def outbox_count(app) -> int:
    folder = Path(app.config["OUTBOX_DIR"])
    return len(list(folder.glob("*.eml"))) if folder.exists() else 0


def csv_bytes(*lines: str, bom=True) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def test_csv_with_bom_and_japanese_names_imports_in_one_click(organiser_client, app):
    event = factories.event(capacity=2)
    content = csv_bytes(
        HEADER,
        "山田 太郎,やまだ たろう,Taro@Example.jp,company,アクア技研株式会社,JP,water;sanitation,"
        "KE;TZ,,yes",
        'Amina Otieno,,amina@embassy.example,embassy,Embassy of Kenya,KE,,,'
        '"water, diagnostics",true',
        "佐藤 花子,さとう はなこ,hanako@example.jp,guest,,JP,,,,")
    report = organiser_client.get(report_url(upload(organiser_client, event, content)))
    page = report.get_data(as_text=True)
    assert report.status_code == 200
    assert "山田 太郎" in page and "Import all 3" in page
    assert registrations(event) == []  # nothing yet: the report comes first

    done = organiser_client.post(report.request.path, data={"mode": "all", "notify": "y"},
                                 follow_redirects=True)
    text = done.get_data(as_text=True)
    assert re.search(r'id="imported-confirmed">2<', text)
    assert re.search(r'id="imported-waitlisted">1<', text)
    regs = registrations(event)
    assert [(r.name, r.name_kana, r.email, r.status, r.source) for r in regs] == [
        ("山田 太郎", "やまだ たろう", "taro@example.jp", Status.CONFIRMED, "import"),
        ("Amina Otieno", "", "amina@embassy.example", Status.CONFIRMED, "import"),
        ("佐藤 花子", "さとう はなこ", "hanako@example.jp", Status.WAITLISTED, "import"),
    ]
    assert regs[0].technologies_offered == ["water", "sanitation"]
    assert regs[0].target_countries == ["KE", "TZ"] and regs[0].networking_opt_in
    assert regs[1].technology_needs == ["water", "diagnostics"]
    assert regs[1].category.code == "embassy" and regs[1].country == "KE"
    assert outbox_count(app) == 3
    # The report can't be run twice: its page now shows the result.
    again = organiser_client.post(report.request.path, data={"mode": "all"})
    assert again.headers["Location"].endswith("/done")
    assert len(registrations(event)) == 3


def test_semicolon_csv_without_bom_and_without_emails(organiser_client, app):
    event = factories.event()
    content = csv_bytes("name;email;category;country", "Ana Silva;ana@example.org;guest;br",
                        bom=False)
    report = report_url(upload(organiser_client, event, content))
    organiser_client.post(report, data={"mode": "all"})  # the e-mail box left unticked
    regs = registrations(event)
    assert [(r.name, r.country) for r in regs] == [("Ana Silva", "BR")]
    assert outbox_count(app) == 0


def test_xlsx_import_keeps_names_intact(organiser_client):
    event = factories.event()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "NAME_KANA", "email", "category", "organisation", "country",
                  "phone", "networking_opt_in", "technologies_offered", "Language"])
    sheet.append(["鈴木 一郎", "すずき いちろう", "ichiro@example.jp", "company", "鈴木工業",
                  "JP", 81312345678, True, "coldchain,energy", "日本語"])
    sheet.append([None] * 10)  # an empty row is not a person
    sheet.append(["Grace Banda", None, "grace@example.mw", "embassy", "Embassy of Malawi",
                  "MW", None, False, None, "en"])
    workbook.create_sheet("Notes").append(["not read"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = report_url(upload(organiser_client, event, buffer.getvalue(), "list.xlsx"))
    page = organiser_client.get(report).get_data(as_text=True)
    assert "Import all 2" in page
    organiser_client.post(report, data={"mode": "all"})
    regs = registrations(event)
    assert [(r.name, r.name_kana, r.organisation) for r in regs] == [
        ("鈴木 一郎", "すずき いちろう", "鈴木工業"), ("Grace Banda", "", "Embassy of Malawi")]
    assert regs[0].phone == "81312345678" and regs[0].networking_opt_in
    assert regs[0].technologies_offered == ["coldchain", "energy"]
    assert (regs[0].language, regs[1].language) == ("ja", "en")
    assert not regs[1].networking_opt_in


def test_a_file_with_bad_rows_imports_nothing_until_valid_rows_are_chosen(organiser_client):
    event = factories.event()
    content = csv_bytes(
        "name,email,category,country,technologies_offered",
        "Good One,good1@example.org,company,JP,water",
        "Bad Mail,not-an-email,company,JP,",
        "Bad Category,cat@example.org,astronaut,JP,",
        "Bad Tech,tech@example.org,company,JP,teleportation",
        "Bad Country,country@example.org,guest,XX,",
        "Good Two,good2@example.org,guest,,")
    report = report_url(upload(organiser_client, event, content))
    page = organiser_client.get(report).get_data(as_text=True)
    for text in ("not-an-email", "Choose one of the event&#39;s categories.",
                 "Unknown technology area: teleportation.", "Unknown country: XX.",
                 "Import the 2 valid rows"):
        assert text in page, text
    assert "Import all" not in page
    for number in (3, 4, 5, 6):
        assert f'<td class="num">{number}</td>' in page
    assert registrations(event) == []

    refused = organiser_client.post(report, data={"mode": "all"}, follow_redirects=True)
    assert "Some rows have problems" in refused.get_data(as_text=True)
    assert registrations(event) == []

    done = organiser_client.post(report, data={"mode": "valid"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert re.search(r'id="imported-confirmed">2<', text)
    assert re.search(r'id="imported-skipped">4<', text) and "Bad Tech" in text
    assert [r.name for r in registrations(event)] == ["Good One", "Good Two"]


def test_duplicates_in_the_file_and_already_registered_are_reported(organiser_client):
    event = factories.event()
    factories.registration(event, email="known@example.org")
    factories.registration(event, email="gone@example.org", status=Status.CANCELLED)
    content = csv_bytes(
        "name,email,category",
        "Known Person,KNOWN@example.org,guest",
        "First Copy,twice@example.org,guest",
        "Second Copy,Twice@Example.org,guest",
        "Came Back,gone@example.org,guest")
    page = organiser_client.get(report_url(upload(organiser_client, event, content))) \
        .get_data(as_text=True)
    assert "duplicate: already registered" in page
    assert "duplicate: same e-mail as row 3" in page
    assert "Import the 2 valid rows" in page  # the first copy, and the one who came back


def test_bad_files_get_a_clear_message(organiser_client):
    event = factories.event()
    cases = [
        (b"", "list.csv", "The file is empty."),
        (b"   \r\n", "list.csv", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "photo.png", "Upload a CSV"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "list.csv", "not a CSV or XLSX file"),
        ("name,email,category\nJosé,jose@example.org,guest\n".encode("latin-1"), "list.csv",
         "neither UTF-8, UTF-16 nor Shift_JIS"),
        (b"PK\x03\x04garbage", "list.xlsx", "could not be read"),
        (b"first,last\nAna,Silva\n", "list.csv", "missing: name, email, category"),
        (b"name,email,category\n", "list.csv", "no people in it"),
    ]
    response = organiser_client.post(import_url(event), data={},
                                     content_type="multipart/form-data")
    assert "Choose a file to upload." in response.get_data(as_text=True)
    for content, filename, message in cases:
        response = upload(organiser_client, event, content, filename)
        assert response.status_code == 422, (filename, message)
        assert message in response.get_data(as_text=True), message
    assert registrations(event) == []


def test_a_file_over_the_size_limit_is_refused_with_a_message(organiser_client):
    event = factories.event()
    response = upload(organiser_client, event, b"x" * (11 * 1024 * 1024))
    assert response.status_code == 302
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "larger than 10 MB" in page


def test_an_upload_is_only_usable_by_its_organiser_and_event(organiser_client, app):
    event, other = factories.event(), factories.event(title="Other")
    content = csv_bytes("name,email,category", "Ana,ana@example.org,guest")
    report = report_url(upload(organiser_client, event, content))
    token = report.rsplit("/", 1)[1]
    foreign = organiser_client.post(import_url(other, f"/{token}"), data={"mode": "all"})
    assert foreign.status_code == 302 and foreign.headers["Location"].endswith("/import")
    colleague = app.test_client()
    login(colleague, factories.staff("second@test.example", "organiser"))
    assert colleague.post(report, data={"mode": "all"}).status_code == 302
    for bogus in ("../../secret_key", "x" * 30, "short"):
        response = organiser_client.get(import_url(event, f"/{bogus}"))
        assert response.status_code in (302, 404)
    assert registrations(event) == [] and registrations(other) == []


def test_door_staff_cannot_import(door_client):
    event = factories.event()
    response = upload(door_client, event, csv_bytes("name,email,category",
                                                    "Ana,ana@example.org,guest"))
    assert response.status_code == 403
    assert registrations(event) == []
