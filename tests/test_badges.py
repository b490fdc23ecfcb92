"""Badges, table cards and the paper check-in list, read back as a person would: the
PDF rendered to an image, every QR decoded, the text and fonts listed by poppler."""

import io
import re
import subprocess

import pytest
import zxingcpp
from PIL import Image

from eventapp.models import Status
from tests import factories
from tests.conftest import bearer

MM = 72 / 25.4  # PDF points per millimetre


def pdf_pages_as_images(pdf: bytes, dpi: int = 200) -> list[Image.Image]:
    out = subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-"],
                         input=pdf, capture_output=True, check=True).stdout
    images, start = [], 0
    signature = b"\x89PNG\r\n\x1a\n"
    while (start := out.find(signature, start)) != -1:
        end = out.find(signature, start + 1)
        images.append(Image.open(io.BytesIO(out[start:end if end != -1 else None])))
        start = end if end != -1 else len(out)
    return images


def decoded_codes(pdf: bytes) -> list[str]:
    return [result.text for image in pdf_pages_as_images(pdf)
            for result in zxingcpp.read_barcodes(image)]


def pdf_text(pdf: bytes, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


def pdf_fonts(pdf: bytes) -> str:
    return subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()


@pytest.fixture
def seminar(app):
    event = factories.event(title="Water Technology Seminar")
    people = {
        "yamada": factories.registration(event, name="山田 太郎", name_kana="やまだ たろう",
                                         organisation="株式会社ヤマダ水処理", country="KE",
                                         language="ja"),
        "ito": factories.registration(event, category="embassy", name="伊藤 花子",
                                      name_kana="イトウ ハナコ", organisation="Embassy of Kenya",
                                      country="KE"),
        "smith": factories.registration(event, category="guest", name="Jane Smith",
                                        organisation="Smith & Partners", country="GB"),
        "abe": factories.registration(event, name="阿部 健", name_kana="あべ けん",
                                      organisation="阿部製作所", country="JP"),
        "cancelled": factories.registration(event, name="取消 太郎", name_kana="とりけし たろう",
                                            status=Status.CANCELLED),
    }
    return event, people


def test_badge_sheet_carries_every_confirmed_person_with_a_readable_qr(organiser_client,
                                                                          seminar):
    event, people = seminar
    response = organiser_client.get(f"/events/{event.id}/badges.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    confirmed = {p.checkin_code for key, p in people.items() if key != "cancelled"}
    assert sorted(decoded_codes(response.data)) == sorted(confirmed)
    fonts = pdf_fonts(response.data)
    # Noto Sans CJK JP embedded (as a subset), regular and bold.
    assert re.search(r"\+Noto-Sans-CJK-JP-Bold\s.*\byes\s+yes\b", fonts), fonts
    assert re.search(r"\+Noto-Sans-CJK-JP\s.*\byes\s+yes\b", fonts), fonts
    text = pdf_text(response.data)
    # Family name first, the reading in kana just above it, a romanised name below.
    boxes = {w[0]: w[1:] for w in words_with_boxes(response.data)}
    family, given = boxes["山田"], boxes["太郎"]
    assert family[0] < given[0] and abs(family[1] - given[1]) < 1
    reading = boxes["やまだ"]
    assert reading[1] < family[1] and reading[3] < family[3] and family[1] - reading[3] < 10
    assert abs(reading[0] - family[0]) < 2
    assert reading[3] - reading[1] < (family[3] - family[1]) / 2  # small kana, large name
    assert boxes["YAMADA"][1] > family[1] and boxes["YAMADA"][3] > family[3]
    assert "Jane Smith" in text and "Smith & Partners" in text
    assert "ケニア" not in text and "Kenya" in text  # countries in the badge's language
    assert "取消" not in text


def words_with_boxes(pdf: bytes) -> list[tuple[str, float, float, float, float]]:
    """Every word pdftotext finds, with its box in points: (text, xmin, ymin, xmax, ymax)."""
    html = pdf_text(pdf, "-bbox")
    return [(m.group(5), *map(float, m.group(1, 2, 3, 4))) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html)]


def test_a_forty_character_organisation_shrinks_into_its_box(organiser_client, app):
    event = factories.event()
    organisation = "国際技術移転推進機構アジアアフリカ地域水処理衛生技術協力センター東京事務局本部室"
    long_latin = "International Water Purification Partners"
    assert len(organisation) == 40 and len(long_latin) == 41
    reg = factories.registration(event, name="長谷川 美智子", name_kana="はせがわ みちこ",
                                 organisation=organisation)
    other = factories.registration(event, name="Maximiliane Alexandrina Oppenheimer-Wolff",
                                   organisation=long_latin)
    for person, text in ((reg, organisation), (other, long_latin)):
        response = organiser_client.get(
            f"/events/{event.id}/registrations/{person.id}/badge.pdf")
        assert response.status_code == 200
        # The whole organisation is there, every glyph of it, within the badge (the text
        # column ends before the QR, 3 mm from the edge).
        assert text.replace(" ", "") in pdf_text(response.data).replace("\n", "").replace(" ", "")
        words = words_with_boxes(response.data)
        assert words
        right_edge = max(x_max for _w, _x0, _y0, x_max, _y1 in words)
        bottom = max(y_max for _w, _x0, _y0, _x1, y_max in words)
        assert right_edge <= (90 - 3 - 22) * MM, words
        assert bottom <= 54 * MM
        assert decoded_codes(response.data) == [person.checkin_code]


def test_one_badge_for_the_door_printer(door_client, seminar):
    event, people = seminar
    yamada = people["yamada"]
    response = door_client.get(f"/events/{event.id}/registrations/{yamada.id}/badge.pdf")
    assert response.status_code == 200
    assert decoded_codes(response.data) == [yamada.checkin_code]
    info = subprocess.run(["pdfinfo", "-"], input=response.data, capture_output=True,
                          check=True).stdout.decode()
    assert re.search(r"Pages:\s+1\b", info)
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert round(width / MM) == 90 and round(height / MM) == 54
    assert re.search(r"やまだ たろう\s+山田 太郎", pdf_text(response.data))


def test_badges_for_a_category_or_chosen_people(organiser_client, seminar):
    event, people = seminar
    by_category = organiser_client.get(f"/events/{event.id}/badges.pdf?category=embassy")
    assert decoded_codes(by_category.data) == [people["ito"].checkin_code]
    chosen = organiser_client.get(
        f"/events/{event.id}/badges.pdf?ids={people['abe'].id},{people['smith'].id}")
    assert sorted(decoded_codes(chosen.data)) == sorted(
        [people["abe"].checkin_code, people["smith"].checkin_code])
    # The desk's "Print badges" sends its ticked boxes as ids=1&ids=2.
    ticked = organiser_client.get(f"/events/{event.id}/badges.pdf?ids={people['abe'].id}"
                                  f"&ids={people['ito'].id}")
    assert len(decoded_codes(ticked.data)) == 2
    assert organiser_client.get(f"/events/{event.id}/badges.pdf?ids=1,x").status_code == 400
    assert organiser_client.get(f"/events/{event.id}/badges.pdf?category=nope").status_code == 400


def test_sheet_stock_is_chosen_per_event(organiser_client, app):
    event = factories.event(badge_layout="a4-2x5")
    regs = [factories.registration(event) for _ in range(11)]
    response = organiser_client.get(f"/events/{event.id}/badges.pdf")
    pages = pdf_pages_as_images(response.data, dpi=150)
    assert len(pages) == 2  # 10 a sheet
    assert sorted(decoded_codes(response.data)) == sorted(r.checkin_code for r in regs)


def test_checkin_list_is_in_reading_order(door_client, seminar):
    event, people = seminar
    later = factories.registration(event, name="佐藤 一郎", name_kana="さとう いちろう",
                                   organisation="佐藤商事")
    response = door_client.get(f"/events/{event.id}/checkin-list.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data, "-layout")
    order = [text.index(name) for name in
             ("Jane Smith", "阿部 健", "伊藤 花子", "佐藤 一郎", "山田 太郎")]
    assert order == sorted(order), text  # Latin, then あ い さ や (gojūon)
    assert "取消" not in text
    assert "Water Technology Seminar" in text and "Printed" in text
    assert "佐藤商事" in text and "Embassy official" in text
    assert later.name in text


def test_table_cards_carry_the_arrival_address_of_each_table(organiser_client, app):
    event = factories.event(title="Brokerage Day")
    response = organiser_client.get(f"/events/{event.id}/table-cards.pdf")
    assert response.status_code == 200
    codes = decoded_codes(response.data)
    # Five tables, each card printed twice (both faces of the folded tent).
    expected = [f"http://localhost/events/{event.id}/tables/{n}" for n in range(1, 6)]
    assert sorted(set(codes)) == sorted(expected) and len(codes) == 10
    assert "Table 3" in pdf_text(response.data)


@pytest.mark.parametrize("path, door_may", [
    ("/events/{id}/badges.pdf", False),
    ("/events/{id}/table-cards.pdf", False),
    ("/events/{id}/checkin-list.pdf", True),
    ("/events/{id}/registrations/{rid}/badge.pdf", True),
])
def test_who_may_print_what(client, app, seminar, door_token, organiser_token, path, door_may):
    event, people = seminar
    url = path.format(id=event.id, rid=people["yamada"].id)
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Accept": "text/html"}).status_code == 302
    assert client.get(url, headers=bearer(door_token)).status_code == (200 if door_may else 403)
    assert client.get(url, headers=bearer(organiser_token)).status_code == 200


def test_badge_of_another_events_registration_is_not_found(organiser_client, seminar):
    event, people = seminar
    other = factories.event(title="Other")
    url = f"/events/{other.id}/registrations/{people['yamada'].id}/badge.pdf"
    assert organiser_client.get(url).status_code == 404


def test_the_event_form_chooses_the_badge_stock(organiser_client, app):
    from eventapp.extensions import db
    from eventapp.models import Event

    form = {"title": "Stock Seminar", "timezone": "Asia/Tokyo",
            "starts_at": "2027-05-01T10:00", "ends_at": "2027-05-01T16:00", "capacity": "40",
            "badge_layout": "a4-2x5"}
    assert organiser_client.post("/manage/events/new", data=form).status_code == 302
    event = db.session.execute(db.select(Event)).scalar_one()
    assert event.badge_layout == "a4-2x5"
    edit = organiser_client.get(f"/manage/events/{event.id}/edit").get_data(as_text=True)
    assert '<option selected value="a4-2x5">' in edit or 'value="a4-2x5" selected' in edit
    bad = organiser_client.post(f"/manage/events/{event.id}/edit",
                                data=dict(form, badge_layout="a3-9x9"))
    assert bad.status_code in (200, 422) and "Not a valid choice" in bad.get_data(as_text=True)


def test_the_door_result_card_offers_the_badge(door_client, seminar):
    event, people = seminar
    response = door_client.post(f"/manage/events/{event.id}/scanner",
                                data={"code": people["abe"].checkin_code})
    html = response.get_data(as_text=True)
    badge_url = f"/events/{event.id}/registrations/{people['abe'].id}/badge.pdf"
    assert "Print badge" in html and badge_url in html
    assert decoded_codes(door_client.get(badge_url).data) == [people["abe"].checkin_code]


def test_door_staff_find_the_paper_list_on_the_scanner(door_client, seminar):
    event, _people = seminar
    html = door_client.get(f"/manage/events/{event.id}/scanner").get_data(as_text=True)
    assert f'href="/events/{event.id}/checkin-list.pdf"' in html
