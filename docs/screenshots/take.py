"""Retakes the README's screenshots: the demo seminar in a throw-away instance, served by
waitress, photographed by Chromium (Playwright) in English and Japanese, on a phone
(390 px) and a laptop (1280 px).

    .venv/bin/python docs/screenshots/take.py
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
ORGANISER = ("organiser@example.com", "demo-organiser")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def demo_facts(env: dict) -> dict:
    """The demo event's id and slug, and an attendee with a published meeting; all but
    five people checked in, a schedule built from them and published."""
    code = (
        "from eventapp import create_app\n"
        "from eventapp.extensions import db\n"
        "from eventapp.models import Event, Meeting, Registration\n"
        "from eventapp.networking import services\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    event = db.session.execute(db.select(Event)).scalars().first()\n"
        "    from eventapp.checkin import services as door\n"
        "    from eventapp.models import StaffUser\n"
        "    staff = db.session.execute(db.select(StaffUser).where(StaffUser.role == 'door'))"
        ".scalars().first()\n"
        "    scanner = door.Scanner(staff.id, staff.display_name, 'Door iPhone')\n"
        "    people = db.session.execute(db.select(Registration).where(Registration.event_id"
        " == event.id).order_by(Registration.id)).scalars().all()\n"
        "    for reg in people[:-5]:\n"
        "        door.admit(event.id, scanner, code=reg.checkin_code)\n"
        "    db.session.commit()\n"
        "    services.generate_schedule(event.id)\n"
        "    services.publish(event.id)\n"
        "    db.session.commit()\n"
        "    meeting = db.session.execute(db.select(Meeting).where(Meeting.event_id == event.id)"
        ".order_by(Meeting.slot)).scalars().first()\n"
        "    people = [db.session.get(Registration, meeting.a_id),"
        " db.session.get(Registration, meeting.b_id)]\n"
        "    ja = next((p for p in people if p.language == 'ja'), people[0])\n"
        "    print(event.id, event.slug, ja.manage_token)\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.split()
    return {"id": out[-3], "slug": out[-2], "token": out[-1]}


def main() -> None:
    instance = tempfile.mkdtemp(prefix="screenshots-")
    env = os.environ | {"EVENTAPP_INSTANCE_PATH": instance, "SECRET_KEY": "screenshots",
                        "DATABASE_URL": f"sqlite:///{instance}/demo.db", "FLASK_APP": "wsgi"}
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([str(BIN / "flask"), *command], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    facts = demo_facts(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(BIN / "waitress-serve"), f"--listen=127.0.0.1:{port}",
                               "wsgi:app"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                requests.get(base, timeout=2)
                break
            except requests.RequestException:
                time.sleep(0.1)
        shots(base, facts)
    finally:
        server.terminate()
        server.wait(10)


def shots(base: str, facts: dict) -> None:
    event = f"/manage/events/{facts['id']}"
    plan = [  # (file, language, viewport, signed in, path)
        ("public-event.png", "en", PHONE, False, f"/e/{facts['slug']}"),
        ("public-event-ja.png", "ja", PHONE, False, f"/e/{facts['slug']}"),
        ("agenda-ja.png", "ja", PHONE, False, f"/r/{facts['token']}/agenda"),
        ("organiser-dashboard.png", "en", PHONE, True, event),
        ("scanner-ja.png", "ja", PHONE, True, f"{event}/scanner"),
        ("desk.png", "en", LAPTOP, True, f"{event}/registrations"),
        ("table-plan-ja.png", "ja", LAPTOP, True, f"{event}/networking/plan"),
        ("report.png", "en", LAPTOP, True, f"{event}/report"),
    ]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM",
                                                                    "/usr/bin/chromium"))
        for name, language, viewport, signed_in, path in plan:
            context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                          locale="ja-JP" if language == "ja" else "en-GB",
                                          timezone_id="Asia/Tokyo")
            page = context.new_page()
            page.goto(f"{base}/?lang={language}")
            if signed_in:
                page.goto(f"{base}/login")
                page.fill("input[name=email]", ORGANISER[0])
                page.fill("input[name=password]", ORGANISER[1])
                with page.expect_navigation():
                    page.locator("form:has(input[name=password]) button[type=submit]").click()
            page.goto(base + path)
            if viewport is LAPTOP:  # a laptop page down to its first rows of data
                page.screenshot(path=str(OUT / name), full_page=True,
                                clip={"x": 0, "y": 0, "width": 1280, "height": 1400})
            else:
                page.screenshot(path=str(OUT / name))
            context.close()
            print("took", name)
        browser.close()


if __name__ == "__main__":
    main()
