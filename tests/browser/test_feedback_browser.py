"""The feedback form on a 390-px phone in Japanese, sent without help from JavaScript,
then read by the organiser in the event's report."""

from datetime import timedelta
from pathlib import Path

from eventapp.database import utcnow
from eventapp.extensions import db
from tests import factories
from tests.browser.conftest import DESKTOP, PHONE, login_as

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
USEFUL = "現地政府機関との信頼関係づくりに役立ちました。"


def test_a_japanese_attendee_answers_on_a_phone_and_the_organiser_reads_it(
        app, live_server, new_page):
    ends = utcnow() - timedelta(hours=2)
    event = factories.event(title="Seminar & Networking",
                            translations={"ja": {"title": "セミナー＆ネットワーキング"}},
                            starts_at=ends - timedelta(hours=4), ends_at=ends, networking=False)
    reg = factories.registration(event, "company", name="佐藤 一郎", language="ja",
                                 organisation="アクア・クリーン株式会社",
                                 checked_in_at=ends - timedelta(hours=3))
    organiser = factories.staff("reader@test.example", "organiser")
    token = reg.manage_token
    db.session.rollback()

    phone = new_page(viewport=PHONE, locale="ja-JP", java_script_enabled=False)
    phone.goto(f"{live_server}/r/{token}/feedback")
    assert phone.locator("h1").inner_text() == "アンケート"
    phone.get_by_label("4 – 良かった").check()
    phone.get_by_label("最も役に立ったことは何ですか？").fill(USEFUL)
    phone.locator("input[name=follow_up][value=yes]").check()
    phone.get_by_label("記入した内容を、主催者がイベント報告で引用することに同意します").check()
    phone.get_by_label("所属組織名を記載").check()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "feedback-form-phone-ja.png"), full_page=True)
    box = phone.locator("button[type=submit].primary").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    with phone.expect_navigation():
        phone.locator("button[type=submit].primary").click()
    assert "ご回答ありがとうございました。" in phone.locator(".flash").inner_text()

    desk = new_page(viewport=DESKTOP, locale="ja-JP")
    login_as(desk, live_server, organiser)
    desk.goto(f"{live_server}/manage/events/{event.id}/report")
    section = desk.locator("#feedback")
    text = section.inner_text()
    assert USEFUL in text
    assert "アクア・クリーン株式会社" in section.locator(".quotes .source").inner_text()
    assert "4.0" in text
    section.screenshot(path=str(ARTIFACTS / "feedback-in-report-ja.png"))
