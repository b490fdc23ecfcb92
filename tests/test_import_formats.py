"""Imports as Japanese offices have them (issue 15): CSV in CP932, UTF-16 or UTF-8 with a
BOM, headers in Japanese, countries, categories and technology areas by name in either
language, and the template that imports as it comes."""

import codecs
import io
import re

from openpyxl import load_workbook

from tests import factories
from tests.test_import import registrations, report_url, upload

JAPANESE_HEADER = "氏名,フリガナ,メールアドレス,所属,国,役職,区分,電話番号,言語,ネットワーキング," \
                  "提供技術,対象国"
JAPANESE_ROWS = (
    "山田 太郎,ヤマダ タロウ,taro@example.jp,アクア技研株式会社,日本,営業部長,企業代表者,"
    "03-1234-5678,日本語,○,浄水、coldchain,ケニア、タンザニア",
    "Amina Otieno,,amina@embassy.example,ケニア大使館,ケニア,一等書記官,embassy,,英語,はい,,",
    "Wanjiru Kamau,,wanjiru@example.ke,Nairobi Water,Kenya,,guest,,en,,,",
    "John Mwangi,,john@example.ke,Kenya Mission,KE,,Guest,,,,,",
)


def japanese_csv(encoding: str, *rows: str, separator: str = ",") -> bytes:
    text = "\r\n".join((JAPANESE_HEADER, *(rows or JAPANESE_ROWS))) + "\r\n"
    return text.replace(",", separator).encode(encoding)


def report_page(client, event, content: bytes, filename="名簿.csv") -> tuple[str, str]:
    url = report_url(upload(client, event, content, filename))
    return url, client.get(url).get_data(as_text=True)


def import_all(client, url: str) -> str:
    return client.post(url, data={"mode": "all"}, follow_redirects=True).get_data(as_text=True)


def test_a_cp932_csv_with_japanese_headers_and_country_names_imports(organiser_client):
    event = factories.event()
    url, page = report_page(organiser_client, event, japanese_csv("cp932"))
    assert "File read as Shift_JIS (CP932" in page
    assert "Import all 4" in page and "山田 太郎" in page
    assert "were ignored" not in page  # every Japanese header was understood
    done = import_all(organiser_client, url)
    assert re.search(r'id="imported-confirmed">4<', done)
    taro, amina, wanjiru, john = registrations(event)
    assert (taro.name, taro.name_kana, taro.organisation, taro.job_title, taro.phone) == (
        "山田 太郎", "ヤマダ タロウ", "アクア技研株式会社", "営業部長", "03-1234-5678")
    assert (taro.category.code, taro.country, taro.language) == ("company", "JP", "ja")
    assert taro.networking_opt_in and taro.technologies_offered == ["water", "coldchain"]
    assert taro.target_countries == ["KE", "TZ"]
    assert (amina.category.code, amina.country, amina.language) == ("embassy", "KE", "en")
    assert [r.country for r in (amina, wanjiru, john)] == ["KE", "KE", "KE"]
    assert john.category.code == "guest"


def test_the_japanese_page_names_the_encoding_in_japanese(organiser_client):
    event = factories.event()
    url = report_url(upload(organiser_client, event, japanese_csv("cp932")))
    page = organiser_client.get(url, headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "Shift_JIS（CP932" in page and "として読み込みました" in page


def test_utf16_files_with_and_without_bom_import(organiser_client):
    # Excel's "Unicode text" is UTF-16 with a BOM, tab separated, saved as .txt.
    excel_unicode_text = codecs.BOM_UTF16_LE + japanese_csv("utf-16-le", separator="\t")
    for content, named in (
            (excel_unicode_text, "File read as UTF-16."),
            (codecs.BOM_UTF16_LE + japanese_csv("utf-16-le"), "File read as UTF-16."),
            (codecs.BOM_UTF16_BE + japanese_csv("utf-16-be"), "File read as UTF-16."),
            (japanese_csv("utf-16-le"), "UTF-16 (little-endian, without BOM)")):
        event = factories.event()
        url, page = report_page(organiser_client, event, content, "list.txt")
        assert named in page and "Import all 4" in page
        import_all(organiser_client, url)
        assert [r.name for r in registrations(event)][:1] == ["山田 太郎"]
        assert registrations(event)[0].target_countries == ["KE", "TZ"]


def test_utf8_with_and_without_bom_are_told_apart(organiser_client):
    for content, named in ((codecs.BOM_UTF8 + japanese_csv("utf-8"), "UTF-8 with BOM"),
                           (japanese_csv("utf-8"), "File read as UTF-8.")):
        event = factories.event()
        url, page = report_page(organiser_client, event, content)
        assert named in page and "Import all 4" in page
        import_all(organiser_client, url)
        assert registrations(event)[0].name == "山田 太郎"


def test_a_name_split_into_family_and_given_name_columns_is_joined(organiser_client):
    event = factories.event()
    content = ("姓,名,セイ,メイ,メールアドレス,区分,国\r\n"
               "山田,太郎,ヤマダ,タロウ,taro@example.jp,一般参加者,ケニア\r\n").encode("cp932")
    url, page = report_page(organiser_client, event, content)
    assert "Import 1 person" in page
    import_all(organiser_client, url)
    english = factories.event()
    url, page = report_page(organiser_client, english, b"First name,Last name,E-mail,Category"
                            b"\r\nAna,Lima,ana@example.org,Guest\r\n")
    import_all(organiser_client, url)
    assert [(r.name, r.name_kana) for r in registrations(event) + registrations(english)] == [
        ("山田 太郎", "ヤマダ タロウ"), ("Ana Lima", "")]


def test_unknown_countries_and_names_are_named_in_the_row(organiser_client):
    event = factories.event()
    url, page = report_page(organiser_client, event, japanese_csv(
        "cp932",
        "A,,a@example.jp,Org,ワカンダ,,企業代表者,,,,,",
        "B,,b@example.jp,Org,JP,,企業代表者,,,,,ケニア、ナルニア",
        "C,,c@example.jp,Org,JP,,宇宙飛行士,,,,,",
        "D,,d@example.jp,Org,JP,,company,,,たぶん,,"))
    for text in ("Unknown country: ワカンダ.", "Unknown country: ナルニア.",
                 "Choose one of the event&#39;s categories.", "Write yes or no."):
        assert text in page, text
    assert "Import all" not in page and registrations(event) == []


def test_an_undecodable_file_gets_a_clear_message_in_both_languages(organiser_client):
    event = factories.event()
    content = "name,email,category\nJosé Pérez,jose@example.org,guest\n".encode("latin-1")
    page = upload(organiser_client, event, content).get_data(as_text=True)
    assert "neither UTF-8, UTF-16 nor Shift_JIS (CP932)" in page
    assert "CSV UTF-8" in page
    japanese = organiser_client.post(
        f"/manage/events/{event.id}/registrations/import", headers={"Accept-Language": "ja"},
        data={"file": (io.BytesIO(content), "list.csv")}, content_type="multipart/form-data")
    assert japanese.status_code == 422
    assert "UTF-8、UTF-16、Shift_JIS（CP932）のいずれでもない" in japanese.get_data(as_text=True)
    assert registrations(event) == []


def test_the_templates_list_every_column_and_import_their_example(organiser_client):
    event = factories.event()
    page = organiser_client.get(f"/manage/events/{event.id}/registrations/import") \
        .get_data(as_text=True)
    assert f"/events/{event.id}/imports/template.csv" in page
    assert f"/events/{event.id}/imports/template.xlsx" in page

    csv_file = organiser_client.get(f"/events/{event.id}/imports/template.csv")
    assert csv_file.status_code == 200 and csv_file.mimetype == "text/csv"
    assert csv_file.data.startswith(codecs.BOM_UTF8)
    header, example = csv_file.data.decode("utf-8-sig").splitlines()[:2]
    assert header.split(",") == [
        "name", "name_kana", "email", "category", "organisation", "country", "job_title",
        "phone", "language", "networking_opt_in", "technologies_offered", "technology_needs",
        "target_countries"]
    assert example.startswith("山田 太郎,やまだ たろう,")

    xlsx_file = organiser_client.get(f"/events/{event.id}/imports/template.xlsx")
    assert xlsx_file.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx_file.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == header.split(",") and rows[1][0] == "山田 太郎"

    for content, filename in ((csv_file.data, "template.csv"),
                              (xlsx_file.data, "template.xlsx")):
        target = factories.event()
        url, page = report_page(organiser_client, target, content, filename)
        assert "Import all 1" in page or "Import 1 person" in page, page
        import_all(organiser_client, url)
        (person,) = registrations(target)
        assert (person.name, person.category.code, person.country) == ("山田 太郎", "company",
                                                                         "JP")
        assert person.technologies_offered and person.target_countries == ["KE", "TZ"]


def test_templates_need_an_organiser(app, door_client, door_token, organiser_token):
    event = factories.event()
    for suffix in ("csv", "xlsx"):
        url = f"/events/{event.id}/imports/template.{suffix}"
        assert app.test_client().get(url).status_code == 401
        browser = app.test_client().get(url, headers={"Accept": "text/html"})
        assert browser.status_code == 302 and "/login" in browser.headers["Location"]
        assert door_client.get(url).status_code == 403
        assert app.test_client().get(url, headers={
            "Authorization": f"Bearer {door_token}"}).status_code == 403
        assert app.test_client().get(url, headers={
            "Authorization": f"Bearer {organiser_token}"}).status_code == 200
