"""`flask demo`: the demo seminar, modelled on a technology-transfer seminar with a
networking session. Every person and company in it is fictional."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import click
from flask.cli import with_appcontext

from .auth.services import create_user, find_user
from .database import utcnow
from .events import agenda as event_agenda
from .events import services as event_services
from .extensions import db
from .models import Event, Registration, Role, Status
from .questions.answers import clean_answers, store_answers
from .questions.services import add_preset

DEMO_SLUG = "seminar-networking-demo"
DEMO_TITLE = ("Seminar & Networking: Japanese Technology Transfer for Health and "
              "Infectious-Disease Resilience")
DEMO_STAFF = (
    ("organiser@example.com", Role.ORGANISER, "Demo Organiser", "demo-organiser"),
    ("door@example.com", Role.DOOR, "Demo Door Staff", "demo-door-staff"),
)

# name, kana, organisation, technologies offered, target countries (two people each)
COMPANIES = (
    ("Aqua Pure Technologies K.K.", ["water", "sanitation"], ["KE", "ET", "BD"],
     [("Haruto Sato", "さとう はると"), ("Yui Kobayashi", "こばやし ゆい")]),
    ("株式会社ミズホ浄水システム", ["water", "disinfection"], ["VN", "PH", "KE"],
     [("渡辺 健一", "わたなべ けんいち"), ("伊藤 美咲", "いとう みさき")]),
    ("Kumo Diagnostics Co., Ltd.", ["diagnostics", "telemedicine"], ["GH", "NG", "ID"],
     [("Sota Yamamoto", "やまもと そうた"), ("Aoi Nakamura", "なかむら あおい")]),
    ("さくらメディカル株式会社", ["diagnostics", "medwaste"], ["LK", "BD", "ET"],
     [("加藤 大輔", "かとう だいすけ"), ("吉田 さくら", "よしだ さくら")]),
    ("Shinsei Disinfection Works", ["disinfection", "air"], ["ID", "VN", "GH"],
     [("Ren Yamada", "やまだ れん"), ("Hina Sasaki", "ささき ひな")]),
    ("EcoBurn Medical Waste Solutions", ["medwaste", "energy"], ["KE", "NG", "PH"],
     [("Takumi Inoue", "いのうえ たくみ"), ("Mei Kimura", "きむら めい")]),
    ("株式会社ひかりテレヘルス", ["telemedicine", "diagnostics"], ["PH", "LK", "KE"],
     [("林 翔太", "はやし しょうた"), ("清水 結衣", "しみず ゆい")]),
    ("Frostline Cold Chain Inc.", ["coldchain", "energy"], ["ET", "GH", "BD"],
     [("Kaito Yamaguchi", "やまぐち かいと"), ("Rin Matsumoto", "まつもと りん")]),
    ("Taiyo Solar Health Systems", ["energy", "coldchain", "water"], ["NG", "ET", "ID"],
     [("Yuto Ikeda", "いけだ ゆうと"), ("Sana Hashimoto", "はしもと さな")]),
    ("株式会社クリーンエア研究所", ["air", "disinfection"], ["VN", "BD", "LK"],
     [("森 悠真", "もり ゆうま"), ("阿部 葵", "あべ あおい")]),
    ("Nagomi Sanitation Engineering", ["sanitation", "water", "medwaste"], ["GH", "KE", "VN"],
     [("Riku Ishikawa", "いしかわ りく"), ("Koharu Ogawa", "おがわ こはる")]),
    ("Minori AgriFood Tech", ["agrifood", "coldchain"], ["ET", "ID", "NG"],
     [("Hayato Okada", "おかだ はやと"), ("Mio Goto", "ごとう みお")]),
)

# country, embassy, technology needs, two officials (name, job title)
EMBASSIES = (
    ("KE", "Embassy of the Republic of Kenya in Japan", ["water", "medwaste", "diagnostics"],
     [("Grace Wanjiru", "First Secretary"), ("Daniel Otieno", "Commercial Attaché")]),
    ("GH", "Embassy of the Republic of Ghana in Japan", ["diagnostics", "coldchain"],
     [("Kwame Mensah", "Minister Counsellor"), ("Abena Owusu", "Trade Officer")]),
    ("ET", "Embassy of the Federal Democratic Republic of Ethiopia", ["water", "energy",
                                                                      "coldchain"],
     [("Hana Tesfaye", "Counsellor"), ("Dawit Bekele", "Second Secretary")]),
    ("NG", "Embassy of the Federal Republic of Nigeria", ["medwaste", "energy", "diagnostics"],
     [("Chinedu Okafor", "Minister"), ("Amaka Eze", "First Secretary")]),
    ("ID", "Embassy of the Republic of Indonesia", ["disinfection", "telemedicine"],
     [("Putri Lestari", "Economic Counsellor"), ("Budi Santoso", "Attaché")]),
    ("VN", "Embassy of the Socialist Republic of Viet Nam", ["water", "air", "sanitation"],
     [("Nguyen Thi Lan", "Counsellor"), ("Tran Van Minh", "Second Secretary")]),
    ("PH", "Embassy of the Philippines", ["telemedicine", "disinfection"],
     [("Maria Santos", "Commercial Counsellor")]),
    ("BD", "Embassy of the People's Republic of Bangladesh", ["sanitation", "medwaste", "air"],
     [("Farhana Rahman", "First Secretary")]),
)

ORGANISERS = (("Kenji Morita", "もりた けんじ", "Head of Office"),
              ("Ayaka Tanaka", "たなか あやか", "Programme Officer"),
              ("James Whitfield", "", "Project Coordinator"),
              ("星野 由紀", "ほしの ゆき", "Communications Officer"))
GUESTS = (("Emma Fischer", "Tokyo Development Research Institute", "DE"),
          ("Takeshi Noguchi", "Japan Business Federation", "JP"),
          ("Sophie Laurent", "Global Health Partnership Forum", "FR"),
          ("Arjun Mehta", "Asia Infrastructure Finance Forum", "IN"),
          ("小野寺 恵", "Tokyo University of Global Health", "JP"),
          ("Lucas Pereira", "Pan-African Trade Network", "BR"))

AGENDA = """13:30-13:40 | Opening remarks | Head of Office
13:40-14:20 | Results of the technology-transfer demonstration projects | Project leader
14:20-15:00 | Company project reports |
15:00-15:30 | Discussion: working with local partners |
15:30-17:00 | Networking session |
17:00-17:05 | Closing remarks | Head of Office"""
AGENDA_JA = """13:30-13:40 | 開会挨拶 | 所長
13:40-14:20 | 技術移転実証プロジェクトの成果報告 | プロジェクトリーダー
14:20-15:00 | 参加企業によるプロジェクト報告 |
15:00-15:30 | ディスカッション：現地パートナーとの協働 |
15:30-17:00 | ネットワーキングセッション |
17:00-17:05 | 閉会挨拶 | 所長"""
DEMO_TEXTS_JA = {
    "title": "セミナー＆ネットワーキング：保健医療と感染症対策に向けた日本の技術移転",
    "description": (
        "アジア・アフリカのパートナー国に日本の技術を導入し、感染症対策に役立ててきた"
        "技術移転実証プロジェクトの成果を報告します。\n\n"
        "続くネットワーキングセッションでは、各国大使館の担当者と企業の皆さまが、"
        "それぞれの技術が担当国のニーズに合うかどうかを直接話し合います。"),
    "venue": "国連ハウス 会議室1（東京）",
}


def _email(name: str, domain: str) -> str:
    ascii_name = "".join(ch for ch in name.lower() if ch.isascii() and (ch.isalnum() or ch == " "))
    return ".".join(ascii_name.split()) + "@" + domain


def build_demo_event() -> Event:
    tz = ZoneInfo("Asia/Tokyo")
    day = (utcnow().astimezone(tz) + timedelta(days=30)).date()
    starts = datetime.combine(day, time(13, 30), tz)
    event = event_services.create_event({
        "title": DEMO_TITLE,
        "description": (
            "Results of technology-transfer demonstration projects that brought Japanese "
            "technologies to partner countries in Asia and Africa to fight infectious "
            "diseases.\n\n"
            "A networking session follows, where embassy officials and companies discuss "
            "whether a technology fits the official's country."),
        "translations": {"ja": DEMO_TEXTS_JA}, "slug": DEMO_SLUG,
        "venue": "UN House, Conference Room 1, Tokyo",
        "timezone": "Asia/Tokyo", "starts_at": starts, "ends_at": starts + timedelta(hours=3, minutes=35),
        "capacity": 60, "listed": True,
        "registration_opens_at": None, "registration_closes_at": starts - timedelta(days=1),
        "networking": {"starts_at": starts + timedelta(hours=2), "slot_minutes": 15,
                       "slots": 6, "tables": 12, "max_meetings_per_person": 4},
    })
    db.session.flush()
    event_agenda.set_agenda(event, event_agenda.bilingual_agenda(
        event_agenda.parse_agenda_lines(event, AGENDA),
        event_agenda.parse_agenda_lines(event, AGENDA_JA)))
    categories = {c.code: c for c in event.categories}
    now = utcnow()

    def add(category, **fields):
        db.session.add(Registration(event=event, category=categories[category],
                                    status=Status.CONFIRMED, consent_privacy_at=now,
                                    source="import", **fields))

    for index, (company, offers, targets, people) in enumerate(COMPANIES):
        domain = f"company{index + 1}.example.jp"
        for person_index, (name, kana) in enumerate(people):
            japanese_script = not name.isascii()
            email = (_email(name, domain) if name.isascii()
                     else f"contact{person_index + 1}@{domain}")
            add("company", name=name, name_kana=kana, email=email,
                organisation=company, country="JP",
                job_title=("営業部長" if japanese_script else "Overseas Business Manager")
                if person_index == 0 else ("技術担当" if japanese_script else "Engineer"),
                language="ja" if japanese_script else "en", networking_opt_in=True,
                technologies_offered=offers, target_countries=targets)
    for country, embassy, needs, officials in EMBASSIES:
        for name, title in officials:
            add("embassy", name=name, email=_email(name, f"mission-{country.lower()}.example"),
                organisation=embassy, country=country, job_title=title, language="en",
                networking_opt_in=True, technology_needs=needs)
    for index, (name, kana, title) in enumerate(ORGANISERS):
        email = (_email(name, "itpo.example.org") if name.isascii()
                 else f"staff{index + 1}@itpo.example.org")
        add("organiser", name=name, name_kana=kana, email=email,
            organisation="Technology Promotion Office Tokyo", country="JP", job_title=title,
            language="en" if name.isascii() else "ja")
    for index, (name, organisation, country) in enumerate(GUESTS):
        email = (_email(name, "guest.example.org") if name.isascii()
                 else f"guest{index + 1}@guest.example.org")
        add("guest", name=name, email=email,
            organisation=organisation, country=country, language="en")
    _answer_questions(event)
    return event


# The demo's answers to the four preset questions, by position in the list of people.
DEMO_DIETS = {2: ["halal"], 5: ["vegetarian"], 9: ["halal", "no_alcohol"], 14: ["vegan"],
              21: ["halal"], 24: ["gluten_free"], 30: ["no_pork"], 33: ["halal"]}


def _answer_questions(event: Event) -> None:
    """The office's usual questions (diet, accessibility, interpretation, photo consent),
    answered as a real list would be: most leave diet blank, some need interpretation."""
    for key in ("diet", "accessibility", "interpretation", "photo_consent"):
        add_preset(event, key)
    db.session.flush()
    people = db.session.execute(db.select(Registration).where(
        Registration.event_id == event.id).order_by(Registration.id)).scalars().all()
    pairs = []
    for n, reg in enumerate(people):
        given = {"diet": DEMO_DIETS.get(n, []), "photo_consent": n % 7 != 3,
                 "interpretation": ("english" if reg.language == "en" and n % 3 == 0
                                    else "japanese" if reg.language == "ja" and n % 4 == 0
                                    else "none")}
        if n == 11:
            given["accessibility"] = "Wheelchair access to the networking room, please."
        clean, problems = clean_answers(event, reg.category, given, reg)
        assert not problems, problems  # the demo's own answers fit its questions
        pairs.append((reg, clean))
    store_answers(pairs, new=True)


def ensure_demo_staff() -> list[tuple[str, str]]:
    """Creates the demo staff accounts once; returns the logins that still work."""
    logins = []
    for email, role, name, password in DEMO_STAFF:
        user = find_user(email)
        if user is None:
            create_user(email, role, password, name)
            logins.append((email, password))
        elif user.active and user.check_password(password):
            logins.append((email, password))
    return logins


@click.command("demo")
@with_appcontext
def demo_command():
    """Load the demo seminar (idempotent) and print its id as the last line."""
    event = db.session.execute(
        db.select(Event).where(Event.slug == DEMO_SLUG)).scalar_one_or_none()
    if event is None:
        event = build_demo_event()
        click.echo(f"Created the demo seminar “{event.title}”.")
    else:
        click.echo("The demo seminar is already loaded.")
    logins = ensure_demo_staff()
    db.session.commit()
    registrations = db.session.execute(
        db.select(db.func.count()).select_from(Registration)
        .where(Registration.event_id == event.id)).scalar_one()
    click.echo(f"{registrations} registrations.")
    if logins:
        click.echo("Staff logins for the demo (change these passwords before real use):")
    for email, password in logins:
        click.echo(f"  {email} / {password}")
    click.echo(event.id)
