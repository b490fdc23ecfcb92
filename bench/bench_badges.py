"""Badges as the door and the desk get them: one badge (`GET /events/<id>/registrations/
<rid>/badge.pdf`, the door printer's PDF) and the A4 sheets of 2,000 badges (`GET
/events/<id>/badges.pdf`), plus the paper check-in list of the same 2,000, through the
Flask app with an organiser token. SQLite (a temporary file): the time is WeasyPrint's
layout and font subsetting, not the query. Writes no files.

    .venv/bin/python -m bench.bench_badges      (from the checkout)
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import timedelta

from bench.common import in_process_app, load_average
from eventapp.auth.services import create_user, issue_token
from eventapp.database import utcnow
from eventapp.events.services import create_event
from eventapp.extensions import db
from eventapp.models import Registration, Status

PEOPLE = 2_000
SINGLE_REPEATS = 5
SURNAMES = (("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"),
            ("渡辺", "わたなべ"), ("伊藤", "いとう"), ("Smith", ""), ("Okafor", ""),
            ("Nguyen", ""), ("Mensah", ""))
GIVEN = (("健一", "けんいち"), ("美咲", "みさき"), ("大輔", "だいすけ"), ("Grace", ""),
         ("Daniel", ""), ("Kwame", ""))
COUNTRIES = ("JP", "KE", "GH", "ET", "NG", "ID", "VN", "PH", "BD", "LK")


def _populate() -> tuple[int, int]:
    start = utcnow() + timedelta(days=1)
    event = create_event({
        "title": "Brokerage day", "timezone": "Asia/Tokyo", "starts_at": start,
        "ends_at": start + timedelta(hours=8), "capacity": PEOPLE, "venue": "Hall"})
    db.session.flush()
    categories = [c.id for c in event.categories]
    rng = random.Random(PEOPLE)
    rows = []
    for n in range(PEOPLE):
        (surname, s_kana), (given, g_kana) = rng.choice(SURNAMES), rng.choice(GIVEN)
        kana = f"{s_kana} {g_kana}" if s_kana and g_kana else ""
        name = f"{surname} {given}"
        organisation = (f"株式会社テクノ水処理システム研究所{n % 800}" if n % 2
                        else f"International Water Company {n % 800} Ltd.")
        rows.append({"event_id": event.id, "category_id": categories[n % 4], "name": name,
                     "name_kana": kana, "email": f"person{n}@example.org",
                     "organisation": organisation, "country": rng.choice(COUNTRIES),
                     "language": "ja" if n % 2 else "en", "status": Status.CONFIRMED,
                     **Registration.name_keys(name, kana, organisation)})
    db.session.execute(db.insert(Registration), rows)
    first = db.session.execute(db.select(db.func.min(Registration.id))
                               .where(Registration.event_id == event.id)).scalar_one()
    db.session.commit()
    return event.id, first


def _get(client, url: str, token: str) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.status_code
    size = len(response.data)
    return time.perf_counter() - wall, time.process_time() - cpu, size


def run() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        app = in_process_app(f"sqlite:///{tmp}/bench.db", tmp)
        with app.app_context():
            db.create_all()
            staff = create_user("organiser@bench.example", "organiser", "bench-password")
            db.session.flush()
            _token, token = issue_token(staff, "bench")
            event_id, first = _populate()
        client = app.test_client()
        single = f"/events/{event_id}/registrations/{{}}/badge.pdf"
        cold = _get(client, single.format(first), token)  # fonts read once per process
        warm = [_get(client, single.format(first + n), token)
                for n in range(1, SINGLE_REPEATS + 1)]
        sheets = _get(client, f"/events/{event_id}/badges.pdf", token)
        checkin_list = _get(client, f"/events/{event_id}/checkin-list.pdf", token)
        with app.app_context():
            db.engine.dispose()
    warm_wall = statistics.median(w for w, _c, _s in warm)
    warm_cpu = statistics.median(c for _w, c, _s in warm)
    rows = [
        ("One badge, first of the process", 1, cold, "under 1 s"),
        (f"One badge (median of {SINGLE_REPEATS})", 1, (warm_wall, warm_cpu, warm[0][2]),
         "under 1 s"),
        ("A4 sheets, 2 × 4 a page", PEOPLE, sheets, "under 60 s"),
        ("Paper check-in list", PEOPLE, checkin_list, "none set"),
    ]
    return _markdown(rows)


def _markdown(rows) -> str:
    lines = [
        "## Badges",
        "",
        "Badge PDFs as the door and the desk download them, through the Flask app with an "
        "organiser token (WeasyPrint: HTML and CSS laid out with pango, Noto Sans CJK JP "
        "embedded as a subset; each badge's QR, name, reading, organisation and country "
        f"fitted to its box). {PEOPLE:,} confirmed people, half with Japanese names and "
        "readings, on SQLite, one run each. The PDF is made in the request: on a busy "
        "machine the wall clock runs past the CPU time, which is what an idle one takes. "
        + load_average(),
        "",
        "| PDF | People | Wall (s) | CPU (s) | Size (kB) | Target |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for label, people, (wall, cpu, size), target in rows:
        lines.append(f"| {label} | {people:,} | {wall:.2f} | {cpu:.2f} | {size / 1000:,.0f} "
                     f"| {target} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
