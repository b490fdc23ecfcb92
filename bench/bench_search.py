"""Name search over 10,000 registrations, Japanese rules included: the door scanner's
search and the organiser desk's filter as their pages call them, against a bare indexed
query on the same data (one plain SQL statement on the driver's own connection, the
query already normalised). Each query is checked to find the person it is meant to
find, and the app's answer to be the bare query's, so the bench fails if search breaks.
Runs on SQLite (a temporary file) and, when reachable, PostgreSQL (a fresh schema).

    .venv/bin/python -m bench.bench_search      (from the checkout)
"""

from __future__ import annotations

import gc
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.engine import make_url

from bench.common import in_process_app, load_average, on_each_database
from eventapp import search as name_search
from eventapp.api.schemas import page
from eventapp.checkin.views import SEARCH_LIMIT
from eventapp.database import utcnow
from eventapp.events.services import create_event, event_or_404
from eventapp.extensions import db
from eventapp.models import Registration, Status
from eventapp.registration import queries
from eventapp.registration.api import FOR_DOOR
from eventapp.registration.desk_forms import PER_PAGE

SIZE = 10_000
REPEATS = 15

# (kanji, reading) pairs, mixed freely into the crowd.
SURNAMES = (("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"),
            ("伊藤", "いとう"), ("山本", "やまもと"), ("中村", "なかむら"), ("小林", "こばやし"),
            ("加藤", "かとう"), ("吉田", "よしだ"), ("山田", "やまだ"), ("山口", "やまぐち"),
            ("松本", "まつもと"), ("井上", "いのうえ"), ("木村", "きむら"), ("林", "はやし"),
            ("清水", "しみず"), ("山崎", "やまざき"), ("森", "もり"), ("池田", "いけだ"),
            ("橋本", "はしもと"), ("阿部", "あべ"), ("石川", "いしかわ"), ("山下", "やました"),
            ("中島", "なかじま"), ("石井", "いしい"), ("小川", "おがわ"), ("前田", "まえだ"),
            ("岡田", "おかだ"), ("長谷川", "はせがわ"), ("後藤", "ごとう"), ("近藤", "こんどう"),
            ("村上", "むらかみ"), ("遠藤", "えんどう"), ("青木", "あおき"), ("坂本", "さかもと"))
GIVEN = (("健一", "けんいち"), ("美咲", "みさき"), ("大輔", "だいすけ"), ("さくら", "さくら"),
         ("翔太", "しょうた"), ("陽子", "ようこ"), ("誠", "まこと"), ("恵", "めぐみ"),
         ("拓也", "たくや"), ("由美", "ゆみ"), ("直樹", "なおき"), ("愛", "あい"),
         ("蓮", "れん"), ("葵", "あおい"), ("浩二", "こうじ"), ("裕子", "ゆうこ"),
         ("隆", "たかし"), ("香織", "かおり"), ("和也", "かずや"), ("千尋", "ちひろ"))
LATIN_FIRST = ("Grace", "Daniel", "Amina", "Kwame", "Lan", "Arjun", "Maria", "Chen", "Fatima",
               "Tendai", "Sipho", "Priya", "Juan", "Aisha", "Minh", "Oluwaseun", "Sarah",
               "Budi", "Rahel", "Tomás")
LATIN_LAST = ("Smith", "Mensah", "Nguyen", "Kariuki", "Haile", "Banerjee", "Santos", "Wang",
              "Diallo", "Moyo", "Dlamini", "Perera", "García", "Hassan", "Tran", "Adeyemi",
              "Müller", "Wijaya", "Tesfaye", "Rahman", "Otieno", "Dubois", "Kim", "Ng")
ORGS = ("株式会社テクノ水道", "東京衛生研究所", "さくら医療機器株式会社", "大阪バイオ",
        "Aqua Solutions Ltd.", "Kenya Water Trust", "Mekong Health", "Addis Diagnostics",
        "Lagos Clean Energy", "Colombo Cold Chain", "国際協力機構", "")

# The people the queries are meant to find: (name, reading, organisation). The crowd
# has none of these surnames except NAMESAKES other people who share them.
TARGETS = {
    "fujimoto": ("藤本 さくら", "ふじもと さくら", "株式会社テクノ水道"),
    "sato": ("佐藤 美咲", "さとう みさき", "東京衛生研究所"),
    "watanabe": ("渡辺 健一", "わたなべ けんいち", "大阪バイオ"),
    "sasaki": ("佐々木 真理子", "ささき まりこ", "国際協力機構"),
    "okafor": ("Chinedu Okafor", "", "Lagos Clean Energy"),
}
NAMESAKES = (("藤本", "ふじもと"), ("渡辺", "わたなべ"), ("佐々木", "ささき"))

# What a door types, and whom it must find (None: a short prefix of many people).
QUERIES = (
    ("フジモト", "fujimoto"),          # katakana for a hiragana reading
    ("ｻﾄｳ", None),                     # half-width katakana, a common surname
    ("ｻﾄｳ ﾐｻｷ", "sato"),              # half-width katakana, the full name
    ("渡辺健一", "watanabe"),          # no space between surname and given name
    ("佐々木　真理子", "sasaki"),      # the full-width space of a Japanese keyboard
    ("ＦＵＪＩＭＯＴＯ", "fujimoto"),  # full-width Latin letters
    ("fujimoto", "fujimoto"),          # rōmaji of the reading
    ("Okaf", "okafor"),                # a Latin surname's prefix
    ("ワタナベ", "watanabe"),          # katakana on the desk
    ("ng", None),                      # a 2-character prefix
)


def _crowd(event_id: int, categories: list[int]) -> list[dict]:
    """SIZE - len(TARGETS) rows: 60% Japanese names with readings, the rest romanised
    names from elsewhere, organisations mixed; the search columns computed by the app's
    own function, as its Core imports do (bulk inserts skip the ORM's listener)."""
    rng = random.Random(SIZE)
    rows = []
    for n in range(SIZE - len(TARGETS)):
        if n % 10 < 6:
            (surname, s_kana) = NAMESAKES[n % 3] if n < 18 else rng.choice(SURNAMES)
            given, g_kana = rng.choice(GIVEN)
            name, kana = f"{surname} {given}", f"{s_kana} {g_kana}" if n % 7 else ""
        else:
            name, kana = f"{rng.choice(LATIN_FIRST)} {rng.choice(LATIN_LAST)}", ""
        organisation = rng.choice(ORGS)
        rows.append({
            "event_id": event_id, "category_id": categories[n % len(categories)],
            "name": name, "name_kana": kana, "organisation": organisation,
            "email": f"guest{n}@bench.example", "country": "JP" if kana else "KE",
            "status": Status.CONFIRMED, "language": "ja" if kana else "en",
            "checkin_code": f"bench-{n}", "manage_token": f"bench-manage-{n}",
            **Registration.name_keys(name, kana, organisation)})
    return rows


def _populate() -> tuple[int, dict[str, int]]:
    """The event; the targets go through the ORM (its listener fills the search
    columns, as for a sign-up), the crowd through one Core insert."""
    start = utcnow() + timedelta(days=1)
    event = create_event({"title": "Search bench", "timezone": "Asia/Tokyo",
                          "starts_at": start, "ends_at": start + timedelta(hours=8),
                          "capacity": SIZE, "venue": "Hall"})
    db.session.flush()
    categories = [c.id for c in event.categories]
    targets = {}
    for n, (key, (name, kana, organisation)) in enumerate(TARGETS.items()):
        targets[key] = Registration(
            event_id=event.id, category_id=categories[0], name=name, name_kana=kana,
            organisation=organisation, email=f"target{n}@bench.example", country="JP",
            status=Status.CONFIRMED)
        db.session.add(targets[key])
    db.session.flush()
    for reg in targets.values():  # the listener's keys are the function's keys
        assert reg.search_key == Registration.name_keys(
            reg.name, reg.name_kana, reg.organisation)["search_key"], reg.name
    db.session.execute(db.insert(Registration), _crowd(event.id, categories))
    db.session.commit()
    return event.id, {key: reg.id for key, reg in targets.items()}


def _scanner(event_id: int, q: str) -> Callable[[], list[int]]:
    """The door scanner's search as its page calls it: GET .../registrations?q=&limit=25
    for door staff, the query and the door fields dumped (category, event time)."""
    def run() -> list[int]:
        event_or_404(event_id)  # as the view does first (the dump reads its time zone)
        regs = db.session.execute(page(queries.search(event_id, q=q), {"limit": SEARCH_LIMIT}))
        found = [item["id"] for item in FOR_DOOR.dump(regs.scalars())]
        db.session.remove()  # each request has its own session
        return found
    return run


def _desk(event_id: int, q: str) -> Callable[[], list[int]]:
    """The desk's list filter as its page calls it: names, readings, organisations and
    e-mail addresses, first page of PER_PAGE with the total."""
    def run() -> list[int]:
        event_or_404(event_id)  # as the view does first
        found = queries.paginate(queries.search(event_id, q=q, by_email=True), page=1,
                                 per_page=PER_PAGE)
        ids = [reg.id for reg in found.items] + [-found.total]  # (the total, kept apart)
        db.session.remove()
        return ids
    return run


BARE_SQL = ("SELECT id, name FROM registrations WHERE event_id = {p} AND ({likes}) "
            "ORDER BY sort_name, id LIMIT {limit}")


def _bare(connect: Callable, placeholder: str, event_id: int, q: str,
          limit: int) -> Callable[[], list[int]]:
    """One plain statement on the driver's connection, the query normalised beforehand:
    the same LIKE on the stored key, in the same order, with the same limit."""
    forms = name_search.query_forms(q)
    likes = " OR ".join([f"search_key LIKE {placeholder} ESCAPE '\\'"] * len(forms))
    sql = BARE_SQL.format(p=placeholder, likes=likes, limit=limit)
    params = (event_id, *[name_search.like_pattern(form) for form in forms])
    conn = connect()

    def run() -> list[int]:
        return [row[0] for row in conn.execute(sql, params).fetchall()]
    run.close = conn.close
    return run


def _driver(database_url: str) -> tuple[Callable, str]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        import sqlite3
        return (lambda: sqlite3.connect(url.database)), "?"
    import psycopg
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return (lambda: psycopg.connect(conninfo, autocommit=True)), "%s"


def _median_ms(job: Callable[[], list[int]]) -> tuple[float, float, list[int]]:
    """Median wall and CPU milliseconds of REPEATS runs after one warm-up run."""
    answer = job()
    gc.collect()
    walls, cpus = [], []
    for _ in range(REPEATS):
        wall, cpu = time.perf_counter(), time.process_time()
        job()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000, answer


def _check(q: str, intended: int | None, scanner: list[int], desk: list[int],
           bare25: list[int], bare100: list[int]) -> None:
    """The app finds whom the bare query finds, in the same order, and the intended
    person is among them."""
    assert scanner == bare25, (q, scanner, bare25)
    assert desk[:-1] == bare100, (q, desk, bare100)
    assert scanner, f"{q!r} found nobody"
    if intended is not None:
        assert intended in scanner and intended in desk, (q, intended, scanner)


def _measure_database(database_url: str, label: str) -> list:
    with tempfile.TemporaryDirectory() as tmp:
        app = in_process_app(database_url, tmp)
        with app.app_context():
            db.create_all()
            event_id, targets = _populate()
        # Set aside what is loaded by now (pykakasi's dictionaries among it): a full
        # collection between runs then takes milliseconds, not a third of a second.
        gc.collect()
        gc.freeze()
        connect, placeholder = _driver(database_url)
        rows = []
        with app.test_request_context("/"):
            for q, who in QUERIES:
                bare25 = _bare(connect, placeholder, event_id, q, SEARCH_LIMIT)
                bare100 = _bare(connect, placeholder, event_id, q, PER_PAGE)
                scanner = _median_ms(_scanner(event_id, q))
                desk = _median_ms(_desk(event_id, q))
                bare = _median_ms(bare25)
                bare_desk = _median_ms(bare100)
                bare25.close()
                bare100.close()
                _check(q, targets.get(who), scanner[2], desk[2], bare[2], bare_desk[2])
                rows.append((label, q, scanner, desk, bare, bare_desk))
            db.engine.dispose()
        gc.unfreeze()
    return rows


def run() -> str:
    return _markdown(on_each_database(_measure_database))


def _markdown(rows) -> str:
    lines = [
        "## Name search",
        "",
        f"{SIZE:,} registrations in one event (60% Japanese names in kanji, most with a "
        "kana reading; romanised names from Africa, Asia and Europe; organisations in "
        "both), searched as a door types: katakana for a hiragana reading, half-width "
        "kana, no space or a full-width one between the names, full-width Latin, rōmaji, "
        "a Latin prefix, two letters. **Scanner**: the door's search as its page calls it "
        "(`GET .../registrations?q=&limit=25` for door staff: the event looked up, "
        f"`queries.search` limited to {SEARCH_LIMIT}, the door fields dumped, a fresh "
        "session per search); **desk**: the organiser's list filter (e-mail addresses "
        f"too; `queries.paginate`: the first {PER_PAGE} and the total). **Bare**: one plain "
        "`SELECT id, name FROM registrations WHERE event_id = ? AND search_key LIKE ? "
        "ESCAPE '\\' ORDER BY sort_name, id LIMIT n` on the driver's connection (sqlite3, "
        "psycopg), the query normalised beforehand, n the page's limit. The bench "
        "checks that the app's results are the bare query's, in the same order, and that "
        "each query finds the person it is meant to. Medians of "
        f"{REPEATS} runs after a warm-up, in milliseconds; ratios of wall time; the totals "
        "row adds the medians of the whole mix (CPU in brackets: on PostgreSQL it leaves "
        "out the server's work). "
        + load_average(),
        "",
        f"| Database | Query | Found (scanner / desk total) | Scanner | Bare ({SEARCH_LIMIT}) "
        f"| Ratio | Desk | Bare ({PER_PAGE}) | Ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    by_database: dict[str, list] = {}
    for label, q, scanner, desk, bare, bare_desk in rows:
        by_database.setdefault(label, []).append((scanner, desk, bare, bare_desk))
        lines.append(
            f"| {label} | `{q}` | {len(scanner[2])} / {-desk[2][-1]} | {scanner[0]:.2f} "
            f"| {bare[0]:.2f} | {scanner[0] / bare[0]:.1f}× | {desk[0]:.2f} "
            f"| {bare_desk[0]:.2f} | {desk[0] / bare_desk[0]:.1f}× |")
    for label, measured in by_database.items():
        total = [sum(m[i][0] for m in measured) for i in range(4)]
        cpu = [sum(m[i][1] for m in measured) for i in range(4)]
        lines.append(
            f"| {label} | all {len(measured)}, wall (CPU) | | {total[0]:.1f} ({cpu[0]:.1f}) "
            f"| {total[2]:.1f} ({cpu[2]:.1f}) | **{total[0] / total[2]:.1f}×** "
            f"| {total[1]:.1f} ({cpu[1]:.1f}) | {total[3]:.1f} ({cpu[3]:.1f}) "
            f"| **{total[1] / total[3]:.1f}×** |")
    lines += [
        "",
        "What the profile shows. A substring (`LIKE '%…%'`) cannot use a B-tree index, so "
        "both sides read the event's rows (its `(event_id, sort_name)` index or a "
        "sequential scan; `EXPLAIN ANALYZE` gives the same plan and 3–4 ms on "
        "PostgreSQL for the app's statement and the bare one). PostgreSQL's trigram "
        "index on the search key (migration 0006) is there for both, but for 10,000 "
        "rows the planner prefers the scan; it takes the index in larger events "
        "(tests/test_foundation.py checks it does at 30,000). What the app adds is a "
        "fixed few milliseconds of Python a search (the CPU column on PostgreSQL: about "
        "3 ms against 0.3 ms) and three more round trips (the event looked up first, and "
        "the request's transaction: BEGIN, and ROLLBACK when its session ends), full "
        "`Registration` rows of 33 columns made into ORM objects with their category, "
        "and the door's fields dumped. So the ratio is near 1× where the scan dominates "
        "(SQLite) and near 2× on PostgreSQL, whose scan is faster. Where the bare query "
        "stops early (`ng` on SQLite: the first 25 in name order are found by walking the "
        "index, 0.1 ms), that fixed cost is the whole difference; and the desk shows how "
        "many match, so it reads every match (1,274 for `ng`) where the bare query reads "
        "100. On SQLite the desk's statement (with its window count) is planned as a scan "
        "and a sort, faster for a few matches than the bare query's walk along the name "
        "index: hence desk ratios below 1×. Two wastes found this way are gone: the desk "
        "counted its total with a second statement that searched all the rows again (now "
        "`count(*) OVER ()` in the page's own statement: PostgreSQL's desk went from 3.2× "
        "to about 2× in this bench), and the door's results loaded their categories one "
        "statement each (now in the search's statement). The machine was shared while "
        "measuring: single figures vary by ±30%.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
