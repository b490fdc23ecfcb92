"""What every new event starts with."""

from ..models import NetworkingSide

DEFAULT_CATEGORIES = (
    # code, English name, Japanese name, networking side, extra fields
    ("company", "Company representative", "企業代表者", NetworkingSide.OFFER,
     ["job_title", "phone", "technologies_offered", "target_countries"]),
    ("embassy", "Embassy official", "大使館関係者", NetworkingSide.NEED,
     ["job_title", "technology_needs"]),
    ("organiser", "Organiser", "主催者", NetworkingSide.NONE, ["job_title"]),
    ("guest", "Guest", "一般参加者", NetworkingSide.NONE, ["job_title"]),
)

# Areas from technology-transfer work on infectious-disease response.
DEFAULT_TECHNOLOGY_AREAS = (
    ("water", "Water purification", "浄水"),
    ("sanitation", "Sanitation", "衛生設備"),
    ("diagnostics", "Diagnostics and medical devices", "診断・医療機器"),
    ("disinfection", "Disinfection", "消毒"),
    ("medwaste", "Medical waste treatment", "医療廃棄物処理"),
    ("telemedicine", "Telemedicine", "遠隔医療"),
    ("coldchain", "Cold chain", "コールドチェーン"),
    ("energy", "Renewable energy", "再生可能エネルギー"),
    ("air", "Air purification and ventilation", "空気清浄・換気"),
    ("agrifood", "Agriculture and food processing", "農業・食品加工"),
)
