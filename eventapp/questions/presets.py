"""Questions an office asks at nearly every seminar, added in one click. Each is the data
`services.add_question` takes; the organiser edits it like any other afterwards."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..models import QuestionType


def _options(*rows: tuple[str, str, str]) -> list[dict]:
    return [{"code": code, "label": en, "label_ja": ja} for code, en, ja in rows]


PRESETS: dict[str, dict] = {
    "diet": {
        "code": "diet", "type": QuestionType.MULTIPLE, "required": False,
        "label": "Dietary requirements", "label_ja": "食事の制限・配慮",
        "help": "Tick any that apply; leave blank if none.",
        "help_ja": "該当するものをすべて選んでください。なければ空欄のままで結構です。",
        "options": _options(("vegetarian", "Vegetarian", "ベジタリアン"),
                            ("vegan", "Vegan", "ヴィーガン"),
                            ("halal", "Halal", "ハラール"),
                            ("kosher", "Kosher", "コーシャ"),
                            ("gluten_free", "Gluten-free", "グルテンフリー"),
                            ("no_pork", "No pork", "豚肉不可"),
                            ("no_alcohol", "No alcohol", "アルコール不可")),
    },
    "accessibility": {
        "code": "accessibility", "type": QuestionType.LONG_TEXT, "required": False,
        "label": "Accessibility needs", "label_ja": "配慮が必要な事項",
        "help": "For example wheelchair access, hearing assistance or seating; leave "
                "blank if none.",
        "help_ja": "車いすでの移動、聴覚のサポート、お席の配慮など。なければ空欄のままで結構です。",
        "options": [],
    },
    "interpretation": {
        "code": "interpretation", "type": QuestionType.CHOICE, "required": False,
        "label": "Interpretation needed", "label_ja": "通訳の要否",
        "help": "The seminar is held in Japanese and English.",
        "help_ja": "セミナーは日本語と英語で行います。",
        "options": _options(("none", "No interpretation needed", "通訳は不要"),
                            ("english", "Into English (from Japanese)", "英語への通訳（日本語から）"),
                            ("japanese", "Into Japanese (from English)", "日本語への通訳（英語から）")),
    },
    "photo_consent": {
        "code": "photo_consent", "type": QuestionType.BOOLEAN, "required": False,
        "label": "I agree to appear in photos and videos of the event",
        "label_ja": "イベントの写真・動画に写ることに同意します",
        "help": "They may be used in the organisers' reports and website.",
        "help_ja": "主催者の報告書やウェブサイトに使用することがあります。",
        "options": [],
    },
}


def preset_titles() -> dict[str, str]:
    """What the editor's buttons say."""
    return {"diet": _l("Dietary requirements"), "accessibility": _l("Accessibility needs"),
            "interpretation": _l("Interpretation needed (language)"),
            "photo_consent": _l("Photo consent")}
