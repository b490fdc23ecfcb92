"""Property tests on the public forms: sign-up (each category), the manage link's edit
form, staff login and the language switch.

Bodies are built by hand as application/x-www-form-urlencoded bytes, so a field can be
anything a browser or a script could send: any unicode, control characters and NULs,
lone surrogates (encoded as the invalid UTF-8 a careless client produces), raw bytes,
huge strings, a field missing, repeated or unknown. Whatever arrives, the answer is never
a 5xx; a rejected submission re-renders the form with a message at a field and changes
no row; an accepted sign-up creates exactly one. Runs on SQLite and PostgreSQL.
"""

import itertools
import re
from urllib.parse import quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eventapp.extensions import db
from eventapp.models import Registration
from tests import factories

FUZZ = settings(deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])
FORM = "application/x-www-form-urlencoded"
FIELD_ERROR = re.compile(r'<p class="error" id="([\w-]+)-error">')
_emails = itertools.count(1)

# Text no form should choke on. Strings are sent as UTF-8 with lone surrogates passed
# through (invalid UTF-8 on the wire), bytes as they are.
ODD_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(st.characters(exclude_categories=()), max_size=40),
    st.binary(max_size=40),
    st.sampled_from(["", " ", "\x00", "Ana\x00Lima", "\t\r\n", "\ud800", "a\udfffb",
                     "\u202egnp.exe", "<script>alert(1)</script>", "=HYPERLINK(\"x\")",
                     "Robert'); DROP TABLE registrations;--", "𠮷野家", "ｶﾀｶﾅ", "\ufeff"]),
    st.builds(lambda ch, n: ch * n, st.sampled_from(["a", "あ", "\x00", "𠮷"]),
              st.integers(150, 30_000)),
)


def encode(pairs: list[tuple[str, str | bytes]]) -> bytes:
    def part(value) -> str:
        raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
        return quote_from_bytes(raw, safe="")

    return "&".join(f"{part(k)}={part(v)}" for k, v in pairs).encode("ascii")


def as_received(value: str | bytes) -> str:
    """What the app reads for a field: UTF-8, with undecodable bytes kept as %XX (the
    error handler Werkzeug's form parser uses)."""
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "werkzeug.url_quote")


@st.composite
def form_body(draw, valid: dict[str, list[str]]):
    """(pairs, pristine): every field of `valid` sent with a valid value, an odd one,
    twice or not at all, plus perhaps unknown fields. `pristine` when all are valid."""
    pairs, pristine = [], True
    for name, values in valid.items():
        how = draw(st.sampled_from(["valid", "valid", "odd", "missing", "repeated"]))
        if how == "valid":
            pairs += [(name, v) for v in values]
        elif how == "odd":
            pairs.append((name, draw(ODD_TEXT)))
            pristine = False
        elif how == "repeated":
            pairs += [(name, draw(ODD_TEXT))] + [(name, v) for v in values]
            pristine = False
        elif values:  # a field sent empty or not at all is fine only if it is optional
            pristine = False
    extra = draw(st.lists(st.tuples(st.one_of(st.text(max_size=12), st.sampled_from(
        ["csrf_token", "id", "status", "event_id", "checkin_code", "email_verified"])),
        ODD_TEXT), max_size=3))
    return pairs + extra, pristine and not extra


def first(pairs, name):
    return next((as_received(v) for k, v in pairs if k == name), None)


def count_registrations() -> int:
    db.session.rollback()
    return db.session.execute(db.select(db.func.count(Registration.id))).scalar_one()


def assert_field_error(page: str):
    assert FIELD_ERROR.search(page), page[:3000]


@pytest.fixture
def site(app, monkeypatch):
    """An open event; e-mails stay queued (this is about the forms, not mail)."""
    monkeypatch.setattr(app.extensions["jobs"], "outbox_changed", lambda: None)
    event = factories.event(title="Form Fuzz Seminar", capacity=1000)
    categories = {c.code: c for c in event.categories if c.public}
    assert set(categories) >= {"company", "embassy", "guest"}
    return event, categories


def signup_fields(category) -> dict[str, list[str]]:
    """A valid value for every field the category's form has (empty list: optional)."""
    fields = {"name": ["Haruto Sato"], "name_kana": ["さとう はると"],
              "email": [f"fuzz{next(_emails)}@example.org"], "organisation": ["Aqua Pure K.K."],
              "country": ["KE"], "language": ["ja"], "consent_privacy": ["y"]}
    extra = {"job_title": ["Manager"], "phone": ["+81 3 1234 5678"],
             "technologies_offered": ["water", "diagnostics"], "target_countries": ["KE", "ET"],
             "technology_needs": ["water"]}
    fields |= {k: v for k, v in extra.items() if k in category.fields}
    if category.networking_side != "none":
        fields["networking_opt_in"] = ["y"]
    return fields


@settings(FUZZ, max_examples=100)
@given(data=st.data())
def test_signup_form_never_fails_and_saves_all_or_nothing(client, site, data):
    event, categories = site
    category = categories[data.draw(st.sampled_from(sorted(categories)))]
    pairs, pristine = data.draw(form_body(signup_fields(category)))
    before = count_registrations()
    response = client.post(f"/e/{event.slug}/register/{category.code}", data=encode(pairs),
                           content_type=FORM)
    page = response.get_data(as_text=True)
    assert response.status_code < 500, page[:3000]
    added = count_registrations() - before
    if response.status_code == 302:
        assert "/registered?status=" in response.headers["Location"]
        email = first(pairs, "email").strip().lower()
        assert added in (0, 1)  # 0: the address was already registered (ticket resent)
        if added:
            reg = db.session.execute(db.select(Registration).order_by(
                Registration.id.desc()).limit(1)).scalar_one()
            assert reg.email == email and reg.category_id == category.id
            assert reg.name == first(pairs, "name").strip()
    else:
        assert not pristine, (response.status_code, page[:3000])
        assert added == 0
        if response.status_code == 413:  # a field beyond the form size limit
            return
        assert response.status_code == 422, (response.status_code, page[:3000])
        assert_field_error(page)
        name = first(pairs, "name")
        if name == "Haruto Sato":  # nothing typed is lost
            assert 'value="Haruto Sato"' in page
    if pristine:
        assert response.status_code == 302 and added == 1, page[:3000]


def row_state(reg_id: int) -> dict:
    db.session.rollback()
    db.session.expire_all()
    reg = db.session.get(Registration, reg_id)
    return {c.name: getattr(reg, c.name) for c in Registration.__table__.columns
            if c.name != "updated_at"}


@settings(FUZZ, max_examples=50)
@given(data=st.data())
def test_edit_form_never_fails_and_saves_all_or_nothing(client, site, data):
    event, categories = site
    category = categories[data.draw(st.sampled_from(sorted(categories)))]
    reg = factories.registration(event, category.code, country="KE")
    reg_id, token = reg.id, reg.manage_token
    fields = {k: v for k, v in signup_fields(category).items()
              if k not in ("email", "consent_privacy")}
    pairs, pristine = data.draw(form_body(fields))
    before, count = row_state(reg_id), count_registrations()
    response = client.post(f"/r/{token}/edit", data=encode(pairs), content_type=FORM)
    page = response.get_data(as_text=True)
    assert response.status_code < 500, page[:3000]
    assert count_registrations() == count
    after = row_state(reg_id)
    if response.status_code == 302:
        assert response.headers["Location"].endswith(f"/r/{token}")
        assert after["name"] == first(pairs, "name").strip()
        assert after["email"] == before["email"] and after["status"] == before["status"]
    else:
        assert not pristine, (response.status_code, page[:3000])
        assert after == before
        if response.status_code == 413:
            return
        assert response.status_code == 422, (response.status_code, page[:3000])
        assert_field_error(page)
    if pristine:
        assert response.status_code == 302
        assert after["technologies_offered"] == (
            ["water", "diagnostics"] if "technologies_offered" in category.fields else [])


@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_login_form_admits_only_the_right_password(app, organiser, data):
    real = {"email": [organiser.email], "password": [factories.PASSWORD]}
    pairs, pristine = data.draw(form_body(real))
    client = app.test_client()
    response = client.post("/login", data=encode(pairs), content_type=FORM)
    page = response.get_data(as_text=True)
    assert response.status_code < 500, page[:3000]
    email, password = first(pairs, "email"), first(pairs, "password")
    right = (email is not None and email.strip().lower() == organiser.email
             and password == factories.PASSWORD)
    signed_in = client.get("/manage/events").status_code == 200
    if response.status_code == 302:
        assert right and signed_in
    else:
        assert not right or response.status_code == 413, page[:3000]
        assert not signed_in
        if response.status_code != 413:
            assert response.status_code == 200
            assert_field_error(page)
    if pristine:
        assert response.status_code == 302


@settings(FUZZ, max_examples=60)
@given(code=st.one_of(st.sampled_from(["en", "ja", "EN", "ja-JP", "fr", ""]), ODD_TEXT),
       next_url=st.one_of(st.none(), st.sampled_from(
           ["/", "/e/x", "//evil.example", "https://evil.example/", "/\\evil", "javascript:x",
            " /x", "/%0d%0aSet-Cookie:x=1"]), ODD_TEXT))
def test_language_switch_stays_on_the_site(app, code, next_url):
    client = app.test_client()
    assert client.get("/").status_code == 200
    text = as_received(code) if isinstance(code, bytes) else code
    path = "/language/" + quote(text.encode("utf-8", "surrogatepass"), safe="")
    pairs = [] if next_url is None else [("next", next_url)]
    response = client.post(path, data=encode(pairs), content_type=FORM)
    assert response.status_code < 500, response.get_data(as_text=True)[:3000]
    if response.status_code != 302:
        # No such address (a code with a slash, say), or Werkzeug's slash redirect.
        assert response.status_code in (404, 405, 308, 413)
        return
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//"), location
    assert "\\" not in location and "\r" not in location and "\n" not in location
    lang = re.search(r'<html lang="(\w+)"', client.get("/").get_data(as_text=True)).group(1)
    if text in ("en", "ja"):
        assert lang == text
    # Otherwise the language is whatever the browser asked for: English here.
    else:
        assert lang == "en"


@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_networking_forms_on_the_manage_link_never_fail(client, site, data):
    """The attendee's own networking forms: a meeting request names a registration id,
    the availability form slot numbers. Anything else gets a 4xx or a flash, never 5xx."""
    event, _ = site
    reg = factories.registration(event, "company", networking_opt_in=True,
                                 technologies_offered=["water"], target_countries=["KE"])
    other = factories.registration(event, "embassy", country="KE", networking_opt_in=True,
                                   technology_needs=["water"])
    action, field = data.draw(st.sampled_from([("request", "registration_id"),
                                               ("availability", "unavailable"),
                                               ("not-interested", "registration_id")]))
    values = data.draw(st.lists(st.one_of(
        st.sampled_from([str(other.id), str(reg.id), "0", "-1", "³", "٣", "1e3",
                         "9" * 40, " 1", "1.0"]), ODD_TEXT), max_size=3))
    response = client.post(f"/r/{reg.manage_token}/networking/{action}",
                           data=encode([(field, v) for v in values]), content_type=FORM)
    assert response.status_code < 500, response.get_data(as_text=True)[:3000]
    assert response.status_code in (302, 400, 404, 413)


def test_rejected_text_is_told_at_its_field(client, site):
    """The cases the properties above must cover, spelled out: a NUL or a lone surrogate
    is refused at its field (PostgreSQL cannot store NUL; no database stores a lone
    surrogate), with nothing saved."""
    event, categories = site
    fields = signup_fields(categories["company"])
    for name, odd in (("name", "Ana\x00Lima"), ("organisation", "\x00"),
                      ("job_title", "a\udfffb"), ("name_kana", "\x00\x00")):
        pairs = [(k, v) for k, values in fields.items() if k != name for v in values]
        pairs.append((name, odd))
        response = client.post(f"/e/{event.slug}/register/company", data=encode(pairs),
                               content_type=FORM)
        page = response.get_data(as_text=True)
        assert response.status_code < 500
        if "\x00" in odd:
            assert response.status_code == 422
            assert re.search(rf'<p class="error" id="{name}-error">[^<]*cannot be saved', page)
    # Only the lone surrogate got through: its invalid UTF-8 arrives as the text %ED%BF%BF.
    assert count_registrations() == 1
    reg = db.session.execute(db.select(Registration)).scalar_one()
    assert reg.job_title == "a%ED%BF%BFb" and reg.name == "Haruto Sato"
