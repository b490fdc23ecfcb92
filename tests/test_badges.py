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
    # Family name first, the reading in kana above it, a romanised name for others.
    assert re.search(r"やまだ たろう\s+山田 太郎\s+YAMADA Taro", text), text
    assert "Jane Smith" in text and "Smith & Partners" in text
    assert "ケニア" not in text and "Kenya" in text  # countries in the badge's language
    assert "取消" not in text
