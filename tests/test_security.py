"""Abuse limits, security headers, cookies and running behind a proxy.

The limits must stop abuse without getting in the way of real work (PRODUCT.md,
"Targets"): staff login is throttled per address after about 10 failures a minute, a
door token scans at least 50 codes a second, an organiser imports at least 200
registrations a second. Runs on SQLite and PostgreSQL; the Redis tests need
TEST_REDIS_URL (CI sets it).
"""

import re
import socket
from pathlib import Path

import pytest
from flask import jsonify, request, url_for
from flask_login import login_user
from limits import parse as parse_limit

from eventapp import PROJECT_ROOT, create_app
from eventapp.config import DEFAULTS
from eventapp.extensions import db
from eventapp.models import RateLimitCounter, StaffUser
from tests import factories
from tests.conftest import IsolatedClient, bearer

OFFICIAL = {"name": "Kwame Mensah", "category": "embassy", "organisation": "Embassy of Ghana",
            "country": "GH", "language": "en", "notify": False}


def fail_login(client, user, **kwargs):
    return client.post("/login", data={"email": user.email, "password": "wrong"}, **kwargs)


def good_login(client, user, **kwargs):
    return client.post("/login", data={"email": user.email, "password": factories.PASSWORD},
                       **kwargs)


def seconds_in_message(text: str) -> int:
    found = re.search(r"try again in (\d+) seconds?\b", text, re.IGNORECASE)
    assert found, text
    return int(found.group(1))


def per_second(rate: str) -> float:
    item = parse_limit(rate)
    return item.amount / item.get_expiry()


@pytest.fixture
def event(app):
    return factories.event(capacity=10_000)


def test_the_429_message_counts_seconds_in_english_and_japanese(app, monkeypatch):
    from flask import abort

    import eventapp.web

    app.add_url_rule("/busy", "busy", lambda: abort(429))
    app.add_url_rule("/api/v1/busy", "api_busy", lambda: abort(429))
    client = app.test_client()
    for seconds, english in ((1, "try again in 1 second."), (42, "try again in 42 seconds.")):
        monkeypatch.setattr(eventapp.web, "retry_after_seconds", lambda s=seconds: s)
        body = client.get("/api/v1/busy").get_json()
        assert english in body["message"] and body["retry_after"] == seconds
        page = client.get("/busy", headers={"Accept-Language": "ja"}).get_data(as_text=True)
        assert f"{seconds}秒後にもう一度お試しください" in page


# -- staff login: per address, failures only ----------------------------------------

def test_the_eleventh_failed_login_from_an_address_gets_a_429_that_says_when(
        limits_on, app, client, organiser):
    for _ in range(10):
        assert fail_login(client, organiser).status_code == 200
    response = fail_login(client, organiser)
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= 60
    html = response.get_data(as_text=True)
    assert "Too many requests" in html and 'class="site-header' in html
    assert seconds_in_message(html) == wait
    # Even the right password waits: the throttle is on the address.
    assert good_login(client, organiser).status_code == 429
    # Another address is not held up.
    other = app.test_client()
    assert fail_login(other, organiser,
                      environ_base={"REMOTE_ADDR": "192.0.2.44"}).status_code == 200
    # The page is in the visitor's language.
    ja = client.post("/login?lang=ja", data={"email": organiser.email, "password": "x"})
    assert ja.status_code == 429 and "秒後にもう一度お試しください" in ja.get_data(as_text=True)


def test_successful_logins_are_not_counted(limits_on, app, organiser):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"  # fewer slow password checks
    for _ in range(2):
        assert fail_login(app.test_client(), organiser).status_code == 200
    for _ in range(4):
        assert good_login(app.test_client(), organiser).status_code == 302
    assert fail_login(app.test_client(), organiser).status_code == 200
    assert fail_login(app.test_client(), organiser).status_code == 429


def test_the_default_limits_fit_the_targets():
    login = parse_limit(DEFAULTS["LOGIN_RATE_LIMIT"])
    assert 5 <= login.amount <= 20 and login.get_expiry() == 60
    assert per_second(DEFAULTS["CHECKIN_RATE_LIMIT"]) >= 50
    assert per_second(DEFAULTS["API_WRITE_RATE_LIMIT"]) >= 200


# -- public sign-up: per address ---------------------------------------------------

def test_public_signup_is_limited_per_address(limits_on, app, client, event):
    app.config["SIGNUP_RATE_LIMIT"] = "3 per minute"
    url = f"/e/{event.slug}/register/company"
    incomplete = {"name": "Haruto Sato", "email": "haruto@aqua.example"}
    for _ in range(3):
        assert client.post(url, data=incomplete).status_code in (200, 422)
    response = client.post(url, data=incomplete)
    assert response.status_code == 429
    assert seconds_in_message(response.get_data(as_text=True)) == \
        int(response.headers["Retry-After"])
    # Reading the form is not limited, nor is a visitor from another address.
    assert client.get(url).status_code == 200
    assert app.test_client().post(url, data=incomplete, environ_base={
        "REMOTE_ADDR": "192.0.2.45"}).status_code in (200, 422)


# -- check-in: per token, 50+ scans a second --------------------------------------

def test_a_door_token_scanning_fast_is_never_held_up_by_default(limits_on, client, event,
                                                                 door_token):
    guests = [factories.registration(event) for _ in range(30)]
    url = f"/api/v1/events/{event.id}/checkins"
    statuses = []
    for i in range(300):
        # Mostly repeats, which count against the limit (first check-ins don't).
        code = guests[i % len(guests)].checkin_code
        statuses.append(client.post(url, json={"code": code},
                                    headers=bearer(door_token)).status_code)
    assert 429 not in statuses
    assert statuses.count(201) == 30 and statuses.count(200) == 270


def test_a_runaway_scanner_gets_json_that_says_when_to_retry(limits_on, app, client, event,
                                                             door, door_token):
    app.config["CHECKIN_RATE_LIMIT"] = "3 per minute"
    url = f"/api/v1/events/{event.id}/checkins"
    for _ in range(3):
        assert client.post(url, json={"code": "NOPE"}, headers=bearer(door_token)).status_code \
            == 404
    response = client.post(url, json={"code": "NOPE"}, headers=bearer(door_token))
    assert response.status_code == 429
    body = response.get_json()
    assert body["error"] == "rate_limited" and body["message"]
    assert body["retry_after"] == int(response.headers["Retry-After"]) >= 1
    other = factories.token(door)
    assert client.post(url, json={"code": "NOPE"}, headers=bearer(other)).status_code == 404


# -- API writes: per token, 200+ imports a second ---------------------------------

def test_an_organiser_import_of_200_registrations_is_not_held_up(limits_on, client, event,
                                                                 organiser_token):
    url = f"/api/v1/events/{event.id}/registrations"
    statuses = [client.post(url, json=OFFICIAL | {"email": f"p{i}@mission.example"},
                            headers=bearer(organiser_token)).status_code for i in range(200)]
    assert statuses == [201] * 200


def test_api_writes_are_limited_per_token_with_a_json_429(limits_on, app, client, event,
                                                          organiser, organiser_token):
    app.config["API_WRITE_RATE_LIMIT"] = "3 per minute"
    url = f"/api/v1/events/{event.id}/registrations"
    for i in range(3):
        assert client.post(url, json=OFFICIAL | {"email": f"q{i}@mission.example"},
                           headers=bearer(organiser_token)).status_code == 201
    response = client.post(url, json=OFFICIAL | {"email": "q9@mission.example"},
                           headers=bearer(organiser_token))
    assert response.status_code == 429
    body = response.get_json()
    assert body["error"] == "rate_limited"
    assert seconds_in_message(body["message"]) == body["retry_after"]
    assert body["retry_after"] == int(response.headers["Retry-After"]) >= 1
    assert response.headers["Content-Security-Policy"]
    # Reads are not write-limited; another token has its own budget.
    assert client.get(url, headers=bearer(organiser_token)).status_code == 200
    assert client.post(url, json=OFFICIAL | {"email": "q9@mission.example"},
                       headers=bearer(factories.token(organiser))).status_code == 201


# -- shared storage: Redis --------------------------------------------------------

@pytest.fixture
def second_app(app, app_config, tmp_path):
    """Another app on the same database, as a second server process would be."""
    other = create_app(app_config, instance_path=str(tmp_path / "second"))
    other.test_client_class = IsolatedClient
    yield other
    with other.app_context():
        db.engine.dispose()


def test_two_apps_sharing_redis_share_the_login_throttle(redis_limits, app, second_app,
                                                         organiser, redis_url):
    import redis

    first, second = app.test_client(), second_app.test_client()
    for _ in range(2):
        assert fail_login(first, organiser).status_code == 200
        assert fail_login(second, organiser).status_code == 200
    assert fail_login(first, organiser).status_code == 429
    assert fail_login(second, organiser).status_code == 429
    stored = list(redis.Redis.from_url(redis_url).scan_iter(
        f"*{redis_limits['RATELIMIT_KEY_PREFIX']}*"))
    assert stored, "the counters are in Redis under this test's key prefix"


def test_two_apps_without_redis_share_the_login_throttle_in_the_database(
        limits_on, app, second_app, organiser):
    """Without Redis the login throttle still counts across processes: in the database."""
    first, second = app.test_client(), second_app.test_client()
    for app_ in (app, second_app):
        app_.config["LOGIN_RATE_LIMIT"] = "4 per minute"
    for _ in range(2):
        assert fail_login(first, organiser).status_code == 200
        assert fail_login(second, organiser).status_code == 200
    assert fail_login(first, organiser).status_code == 429
    assert fail_login(second, organiser).status_code == 429
    assert db.session.execute(db.select(db.func.count()).select_from(RateLimitCounter)
                              ).scalar_one() > 0


def test_two_apps_without_redis_count_the_checkin_limit_apart(limits_on, app, second_app,
                                                              event, door_token):
    """The control: the high-rate check-in limit stays in each process's memory without
    Redis (a database write per scan would cost the door its throughput)."""
    for app_ in (app, second_app):
        app_.config["CHECKIN_RATE_LIMIT"] = "2 per minute"
    url = f"/api/v1/events/{event.id}/checkins"
    first, second = app.test_client(), second_app.test_client()
    for _ in range(2):
        assert first.post(url, json={"code": "NOPE"}, headers=bearer(door_token)).status_code \
            == 404
    assert first.post(url, json={"code": "NOPE"}, headers=bearer(door_token)).status_code == 429
    assert second.post(url, json={"code": "NOPE"}, headers=bearer(door_token)).status_code \
        == 404


def test_a_runaway_scanner_is_held_up_across_apps_sharing_redis(redis_limits, app, second_app,
                                                                event, door_token):
    for app_ in (app, second_app):
        app_.config["CHECKIN_RATE_LIMIT"] = "4 per minute"
    url = f"/api/v1/events/{event.id}/checkins"
    first, second = app.test_client(), second_app.test_client()
    for _ in range(2):
        assert first.post(url, json={"code": "NOPE"}, headers=bearer(door_token)).status_code \
            == 404
        assert second.post(url, json={"code": "NOPE"}, headers=bearer(door_token)).status_code \
            == 404
    assert first.post(url, json={"code": "NOPE"}, headers=bearer(door_token)).status_code == 429


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_down(limits_on):
    limits_on.update(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_closed_port()}/0",
                     LOGIN_RATE_LIMIT="3 per minute")


def test_with_the_limit_storage_gone_requests_still_work_and_limits_hold(
        redis_down, client, event, organiser, door_token, organiser_token):
    assert good_login(client, organiser).status_code == 302
    other = client.application.test_client()
    for _ in range(3):
        assert fail_login(other, organiser).status_code == 200
    # Limits go on in memory meanwhile.
    limited = fail_login(other, organiser)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
    assert client.post(f"/e/{event.slug}/register/company", data={}).status_code == 422
    reg = factories.registration(event)
    scan = client.post(f"/api/v1/events/{event.id}/checkins", json={"code": reg.checkin_code},
                       headers=bearer(door_token))
    assert scan.status_code == 201
    created = client.post(f"/api/v1/events/{event.id}/registrations",
                          json=OFFICIAL | {"email": "down@mission.example"},
                          headers=bearer(organiser_token))
    assert created.status_code == 201


# -- security headers -------------------------------------------------------------

def csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response):
    policy = csp(response)
    script_src = policy.get("script-src", policy.get("default-src"))
    assert script_src == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    permissions = response.headers["Permissions-Policy"]
    assert "camera=(self)" in permissions and "microphone=()" in permissions
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("path, status", [
    ("/", 200), ("/login", 200), ("/api/v1/openapi.json", 200), ("/api/v1/events", 401),
    ("/no/such/page", 404), ("/api/v1/nothing", 404), ("/static/css/app.css", 200),
    ("/static/js/scanner.js", 200),
])
def test_every_kind_of_response_carries_the_security_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers


def test_signed_in_pages_and_the_scanner_carry_them(door_client, event):
    response = door_client.get(f"/manage/events/{event.id}/scanner")
    assert response.status_code == 200
    assert_security_headers(response)


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
TAG = re.compile(r"<[a-zA-Z][^<>]*>")
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def inline_script_problems(text: str) -> list[str]:
    """Inline code the CSP would block: script blocks without src (JSON data blocks are
    not code), on* handler attributes and javascript: URLs."""
    problems = []
    for attrs in SCRIPT_TAG.findall(text):
        if "src=" not in attrs and 'type="application/json"' not in attrs:
            problems.append(f"<script{attrs}>")
    problems += [tag for tag in TAG.findall(text) if HANDLER.search(tag)]
    problems += re.findall(r"javascript:", text, re.IGNORECASE)
    return problems


def test_the_template_scan_finds_inline_code():
    assert inline_script_problems('<script>alert(1)</script>')
    assert inline_script_problems('<button type="button" onclick="go()">Go</button>')
    assert inline_script_problems('<a href="javascript:go()">Go</a>')
    assert not inline_script_problems('<script src="/static/js/app.js" defer></script>')
    assert not inline_script_problems('<script type="application/json" id="c">{}</script>')
    assert not inline_script_problems('<a data-confirm="{{ one }}" href="/">Go</a>')


def test_no_template_has_inline_scripts_or_event_handlers():
    templates = sorted(Path(PROJECT_ROOT, "templates").rglob("*.html"))
    assert len(templates) > 20
    found = {str(path.relative_to(PROJECT_ROOT)): problems for path in templates
             if (problems := inline_script_problems(path.read_text(encoding="utf-8")))}
    assert found == {}


# -- HTTPS: cookies and HSTS ------------------------------------------------------

def cookie_header(response, name: str) -> str:
    found = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert found, response.headers.getlist("Set-Cookie")
    return found[-1]


def cookie_flags(header: str) -> set[str]:
    return {part.strip().lower() for part in header.split(";")[1:]}


@pytest.fixture
def remember_route(app):
    def remember_me():
        user = db.session.get(StaffUser, int(request.args["id"]))
        login_user(user, remember=True)
        return "ok"

    app.add_url_rule("/test-remember", "test_remember", remember_me)


def assert_cookies(client, organiser, secure: bool):
    session_cookie = cookie_flags(cookie_header(good_login(client, organiser), "session"))
    remember = cookie_flags(cookie_header(client.get(f"/test-remember?id={organiser.id}"),
                                          "remember_token"))
    for flags in (session_cookie, remember):
        assert "httponly" in flags and "samesite=lax" in flags
        assert ("secure" in flags) is secure


def test_on_plain_http_cookies_are_httponly_and_lax_but_not_secure(remember_route, client,
                                                                   organiser):
    assert_cookies(client, organiser, secure=False)
    assert "Strict-Transport-Security" not in client.get("/").headers


@pytest.fixture
def https_env(monkeypatch, app_config):
    monkeypatch.setenv("HTTPS", "1")


def test_https_setting_marks_cookies_secure_and_sends_hsts(https_env, remember_route, client,
                                                           organiser):
    assert_cookies(client, organiser, secure=True)
    hsts = client.get("/").headers["Strict-Transport-Security"]
    assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 86400 * 180


@pytest.fixture
def https_base_url(app_config):
    app_config.update(BASE_URL="https://events.example.org")


def test_an_https_base_url_marks_cookies_secure(https_base_url, remember_route, client,
                                                organiser):
    assert_cookies(client, organiser, secure=True)
    assert client.get("/").headers["Strict-Transport-Security"]


# -- the session is bound to the browser ------------------------------------------

def test_a_session_cookie_replayed_from_another_browser_is_not_signed_in(app, organiser):
    owner = app.test_client()
    assert good_login(owner, organiser, headers={"User-Agent": "Door phone"}).status_code == 302
    assert owner.get("/manage/events", headers={"User-Agent": "Door phone"}).status_code == 200
    stolen = owner.get_cookie("session").value
    for elsewhere in ({"headers": {"User-Agent": "Other browser"}},
                      {"headers": {"User-Agent": "Door phone"},
                       "environ_base": {"REMOTE_ADDR": "198.51.100.9"}}):
        thief = app.test_client()
        thief.set_cookie("session", stolen)
        response = thief.get("/manage/events", **elsewhere)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# -- behind a proxy ---------------------------------------------------------------

FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
             "X-Forwarded-Host": "events.example.org"}


@pytest.fixture
def whoami(app):
    def who():
        return jsonify(addr=request.remote_addr, home=url_for("events.index", _external=True))

    app.add_url_rule("/test-whoami", "test_whoami", who)


@pytest.fixture
def behind_proxy(limits_on):
    limits_on.update(TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="3 per minute")


def test_behind_a_trusted_proxy_the_client_address_and_https_come_from_it(
        behind_proxy, whoami, client, organiser):
    seen = client.get("/test-whoami", headers=FORWARDED).get_json()
    assert seen == {"addr": "203.0.113.7", "home": "https://events.example.org/"}
    # The throttle counts per real client, not per proxy.
    for _ in range(3):
        assert fail_login(client, organiser, headers=FORWARDED).status_code == 200
    assert fail_login(client, organiser, headers=FORWARDED).status_code == 429
    elsewhere = FORWARDED | {"X-Forwarded-For": "203.0.113.8"}
    assert fail_login(client, organiser, headers=elsewhere).status_code == 200


def test_without_trusted_proxies_forwarded_headers_are_ignored(limits_on, app, whoami, client,
                                                               organiser):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    seen = client.get("/test-whoami", headers=FORWARDED).get_json()
    assert seen == {"addr": "127.0.0.1", "home": "http://localhost/"}
    # A client can't escape the throttle by inventing addresses.
    for i in range(3):
        forged = FORWARDED | {"X-Forwarded-For": f"203.0.113.{i}"}
        assert fail_login(client, organiser, headers=forged).status_code == 200
    assert fail_login(client, organiser,
                      headers=FORWARDED | {"X-Forwarded-For": "203.0.113.99"}).status_code == 429


def test_trusted_proxies_comes_from_the_environment(monkeypatch, tmp_path):
    from eventapp.config import from_environment

    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    assert from_environment(str(tmp_path))["TRUSTED_PROXIES"] == 2
    monkeypatch.setenv("TRUSTED_PROXIES", "")
    assert "TRUSTED_PROXIES" not in from_environment(str(tmp_path))
