"""Registration questions (issue 17, questions half): the organiser's questions on the
public form, the manage link, the organiser's page, the import and the API; answers on
the desk, the event page's summary and every export. On SQLite and PostgreSQL."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from eventapp.extensions import db
from eventapp.models import Answer, Question, Registration, Status
from eventapp.questions.queries import answered_condition
from tests import factories
from tests.conftest import bearer, statements
from tests.test_import_api import post_import
from tests.test_registration import company_form, embassy_form

DIET = {"code": "diet", "label": {"en": "Dietary requirements", "ja": "食事の制限"},
        "type": "multiple", "required": True,
        "options": [{"code": "vegetarian", "label": {"en": "Vegetarian", "ja": "ベジタリアン"}},
                    {"code": "halal", "label": {"en": "Halal", "ja": "ハラール"}},
                    {"code": "none", "label": {"en": "None", "ja": "なし"}}]}
INTERPRETATION = {"code": "interpretation", "type": "choice",
                  "label": {"en": "Interpretation needed", "ja": "通訳の要否"},
                  "categories": ["embassy"],
                  "options": [{"code": "no", "label": {"en": "No", "ja": "不要"}},
                              {"code": "english", "label": {"en": "Into English",
                                                            "ja": "英語へ"}}]}
PHOTOS = {"code": "photos", "type": "boolean", "label": {"en": "Photo consent",
                                                          "ja": "写真撮影への同意"}}
NOTE = {"code": "note", "type": "long_text", "label": {"en": "Anything else?", "ja": ""}}


def add(client, event, token, body):
    response = client.post(f"/api/v1/events/{event.id}/questions", json=body,
                           headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture
def seminar(client, organiser_token):
    event = factories.event(capacity=3)
    for body in (DIET, INTERPRETATION, PHOTOS, NOTE):
        add(client, event, organiser_token, body)
    return event


def person(n, category="guest", **extra):
    return {"name": f"Guest {n}", "email": f"g{n}@example.org", "category": category,
            "country": "KE", "notify": False} | extra


def api_register(client, event, token, body):
    return client.post(f"/api/v1/events/{event.id}/registrations", json=body,
                       headers=bearer(token))


def test_questions_are_added_and_listed_in_order_for_door_and_organiser(
        client, seminar, organiser_token, door_token):
    listed = client.get(f"/api/v1/events/{seminar.id}/questions", headers=bearer(door_token))
    assert listed.status_code == 200
    questions = listed.get_json()
    assert [q["code"] for q in questions] == ["diet", "interpretation", "photos", "note"]
    assert questions[0]["label"] == {"en": "Dietary requirements", "ja": "食事の制限"}
    assert [o["code"] for o in questions[0]["options"]] == ["vegetarian", "halal", "none"]
    assert questions[1]["categories"] == ["embassy"] and questions[0]["required"]
    refused = client.post(f"/api/v1/events/{seminar.id}/questions", json=PHOTOS,
                          headers=bearer(door_token))
    assert refused.status_code == 403
    again = client.post(f"/api/v1/events/{seminar.id}/questions",
                        json=PHOTOS | {"categories": ["astronaut"]},
                        headers=bearer(organiser_token))
    assert again.status_code == 422
    assert set(again.get_json()["fields"]) == {"code", "categories"}
    no_options = client.post(f"/api/v1/events/{seminar.id}/questions",
                             json={"code": "x", "label": {"en": "X"}, "type": "choice"},
                             headers=bearer(organiser_token))
    assert no_options.status_code == 422 and "options" in no_options.get_json()["fields"]


def test_the_api_enforces_required_answers_and_known_options(client, seminar, organiser_token):
    missing = api_register(client, seminar, organiser_token, person(1))
    assert missing.status_code == 422
    assert set(missing.get_json()["fields"]) == {"answers.diet"}
    unknown = api_register(client, seminar, organiser_token,
                           person(2, answers={"diet": ["halal", "pescatarian"],
                                              "photos": "maybe"}))
    assert unknown.status_code == 422
    fields = unknown.get_json()["fields"]
    assert "pescatarian" in fields["answers.diet"] and set(fields) == {"answers.diet",
                                                                         "answers.photos"}
    # A question for officials only is not asked of a guest.
    wrong_category = api_register(client, seminar, organiser_token,
                                  person(3, answers={"diet": ["none"],
                                                     "interpretation": "english"}))
    assert set(wrong_category.get_json()["fields"]) == {"answers.interpretation"}
    official = api_register(client, seminar, organiser_token, person(
        4, "embassy", answers={"diet": ["halal", "vegetarian"], "interpretation": "english",
                               "photos": False, "note": "  Arriving late  "}))
    assert official.status_code == 201, official.get_json()
    body = official.get_json()
    assert body["answers"] == {"diet": ["vegetarian", "halal"], "interpretation": "english",
                               "photos": False, "note": "Arriving late"}
    rid = body["id"]
    # A correction names only what changes; the rest stays.
    changed = client.patch(f"/api/v1/events/{seminar.id}/registrations/{rid}",
                           json={"answers": {"photos": True, "diet": "halal"}},
                           headers=bearer(organiser_token))
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["answers"] == {"diet": ["halal"], "interpretation": "english",
                                             "photos": True, "note": "Arriving late"}
    cleared = client.patch(f"/api/v1/events/{seminar.id}/registrations/{rid}",
                           json={"answers": {"diet": []}}, headers=bearer(organiser_token))
    assert set(cleared.get_json()["fields"]) == {"answers.diet"}
    listed = client.get(f"/api/v1/events/{seminar.id}/registrations",
                        headers=bearer(organiser_token)).get_json()
    assert [r["answers"]["diet"] for r in listed] == [["halal"]]


def test_a_sign_up_reads_the_questions_with_their_options_and_categories_at_once(
        client, seminar, organiser_token):
    """Every sign-up checks its answers against the event's questions: one statement
    brings them with their options and categories (it was three), and the options come
    in their order."""
    with statements() as seen:
        response = api_register(client, seminar, organiser_token, person(
            5, "embassy", answers={"diet": ["none", "halal"], "interpretation": "english"}))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["answers"]["diet"] == ["halal", "none"]
    reading = [s for s in seen if s.lstrip().upper().startswith("SELECT")
               and ("question_options" in s or "question_categories" in s)]
    assert len(reading) == 1, reading


def test_the_public_form_asks_the_category_s_questions_and_requires_answers(client, seminar):
    page = client.get(f"/e/{seminar.slug}/register/company").get_data(as_text=True)
    assert "Dietary requirements" in page and "Interpretation needed" not in page
    missing = client.post(f"/e/{seminar.slug}/register/company", data=company_form())
    assert missing.status_code == 422
    html = missing.get_data(as_text=True)
    assert 'id="answers.diet-error"' in html and "Please answer this question." in html
    assert db.session.execute(db.select(Registration)).first() is None
    done = client.post(f"/e/{seminar.slug}/register/company", data=company_form(**{
        "answers.diet": ["halal"], "answers.photos": "yes", "answers.note": "Wheelchair"}))
    assert done.status_code == 302
    official = client.post(f"/e/{seminar.slug}/register/embassy", data=embassy_form(**{
        "answers.diet": ["vegetarian"], "answers.interpretation": "english"}))
    assert official.status_code == 302
    reg = db.session.execute(db.select(Registration).where(
        Registration.email == "haruto@aqua.example")).scalar_one()
    rows = db.session.execute(db.select(Answer).where(Answer.registration_id == reg.id)).scalars()
    assert sorted((a.question.code, a.option.code if a.option else a.text or a.flag)
                  for a in rows) == [("diet", "halal"), ("note", "Wheelchair"),
                                     ("photos", True)]


def test_attendees_change_their_answers_through_the_manage_link(client, seminar,
                                                                organiser_token):
    rid = api_register(client, seminar, organiser_token, person(
        1, answers={"diet": ["halal"], "photos": True})).get_json()["id"]
    token = db.session.get(Registration, rid).manage_token
    form = client.get(f"/r/{token}/edit").get_data(as_text=True)
    assert "Dietary requirements" in form and "Interpretation needed" not in form
    base = {"name": "Guest 1", "organisation": "", "country": "KE", "language": "en"}
    refused = client.post(f"/r/{token}/edit", data=base | {"answers.photos": "no"})
    assert refused.status_code == 422 and "Please answer this question." in refused.get_data(
        as_text=True)
    saved = client.post(f"/r/{token}/edit", data=base | {
        "answers.diet": ["vegetarian", "halal"], "answers.photos": "no"})
    assert saved.status_code == 302
    answers = client.get(f"/api/v1/events/{seminar.id}/registrations/{rid}",
                         headers=bearer(organiser_token)).get_json()["answers"]
    assert answers == {"diet": ["vegetarian", "halal"], "photos": False}
    details = client.get(f"/r/{token}?lang=ja").get_data(as_text=True)
    assert "<dt>食事の制限</dt><dd>ベジタリアン、ハラール</dd>" in details
    assert "<dt>写真撮影への同意</dt><dd>いいえ</dd>" in details


def test_the_edit_page_shows_the_stored_answers(client, seminar, organiser_token):
    rid = api_register(client, seminar, organiser_token, person(
        1, answers={"diet": ["halal"], "photos": False, "note": "Late"})).get_json()["id"]
    token = db.session.get(Registration, rid).manage_token
    html = client.get(f"/r/{token}/edit").get_data(as_text=True)
    checked = [chunk for chunk in html.split("<input") if "checked" in chunk]
    assert any('value="halal"' in c for c in checked)
    assert any('value="no"' in c and 'answers.photos' in c for c in checked)
    assert not any('value="vegetarian"' in c for c in checked)
    assert re.search(r">\s*Late</textarea>", html)


def test_the_organiser_changes_answers_on_the_registration_page(organiser_client, client,
                                                                seminar, organiser_token):
    rid = api_register(client, seminar, organiser_token, person(
        1, answers={"diet": ["halal"]})).get_json()["id"]
    url = f"/manage/events/{seminar.id}/registrations/{rid}"
    assert "Dietary requirements" in organiser_client.get(url).get_data(as_text=True)
    response = organiser_client.post(url, data={
        "name": "Guest 1", "email": "g1@example.org", "category": "guest", "country": "KE",
        "language": "en", "answers.diet": ["none"], "answers.note": "Needs a quiet room"})
    assert response.status_code == 302
    answers = client.get(f"/api/v1/events/{seminar.id}/registrations/{rid}",
                         headers=bearer(organiser_token)).get_json()["answers"]
    assert answers == {"diet": ["none"], "note": "Needs a quiet room"}


def test_an_import_reads_a_column_per_question(client, seminar, organiser_token):
    text = ("氏名,メールアドレス,区分,国,diet,通訳の要否,Photo consent\r\n"
            "山田 太郎,taro@example.org,embassy,KE,ハラール; Vegetarian,Into English,はい\r\n"
            "Amina Otieno,amina@example.org,guest,KE,none,,いいえ\r\n"
            "Ben Okoro,ben@example.org,guest,KE,pescatarian,,1\r\n"
            "Chen Wei,chen@example.org,guest,CN,,,\r\n")
    dry = post_import(client, seminar, text.encode("cp932"), organiser_token, dry_run=1)
    errors = {e["row"]: e["fields"] for e in dry.get_json()["errors"]}
    assert set(errors) == {4, 5}
    assert set(errors[4]) == {"answers.diet"} and "pescatarian" in errors[4]["answers.diet"]
    assert set(errors[5]) == {"answers.diet"}
    done = post_import(client, seminar, text.encode("cp932"), organiser_token, valid_only=1,
                       notify=0)
    assert done.get_json()["imported"] == 2
    listed = client.get(f"/api/v1/events/{seminar.id}/registrations",
                        headers=bearer(organiser_token)).get_json()
    by_email = {r["email"]: r["answers"] for r in listed}
    assert by_email == {"taro@example.org": {"diet": ["vegetarian", "halal"],
                                             "interpretation": "english", "photos": True},
                        "amina@example.org": {"diet": ["none"], "photos": False}}
    template = client.get(f"/events/{seminar.id}/imports/template.csv",
                          headers=bearer(organiser_token)).get_data().decode("utf-8-sig")
    assert template.splitlines()[0].endswith(",diet,interpretation,photos,note")


def seed_answers(client, event, token):
    bodies = [
        person(1, answers={"diet": ["halal"], "photos": True}),
        person(2, answers={"diet": ["halal", "vegetarian"], "photos": False}),
        person(3, "embassy", answers={"diet": ["none"], "interpretation": "english",
                                      "note": "=SUM(A1)"}),
        person(4, answers={"diet": ["halal"]}),  # waitlisted: capacity 3
    ]
    ids = [api_register(client, event, token, b).get_json()["id"] for b in bodies]
    assert db.session.get(Registration, ids[3]).status == Status.WAITLISTED
    return ids


def read_csv(raw: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_exports_carry_a_column_per_question_in_the_export_s_language(client, seminar,
                                                                     organiser_token):
    ids = seed_answers(client, seminar, organiser_token)
    headers = bearer(organiser_token)
    header, *rows = read_csv(client.get(f"/events/{seminar.id}/exports/attendees.csv",
                                        headers=headers).get_data())
    assert header[-4:] == ["Dietary requirements", "Interpretation needed", "Photo consent",
                           "Anything else?"]
    by_id = {int(r[0]): r[-4:] for r in rows}
    assert by_id[ids[1]] == ["Vegetarian; Halal", "", "No", ""]
    assert by_id[ids[2]] == ["None", "Into English", "", "'=SUM(A1)"]
    header_ja, *rows_ja = read_csv(client.get(
        f"/events/{seminar.id}/exports/attendees.csv?lang=ja", headers=headers).get_data())
    assert header_ja[-4:] == ["食事の制限", "通訳の要否", "写真撮影への同意", "Anything else?"]
    assert {int(r[0]): r[-4:] for r in rows_ja}[ids[0]] == ["ハラール", "", "はい", ""]
    for url in (f"/events/{seminar.id}/exports/attendees.xlsx",
                f"/events/{seminar.id}/exports/report.xlsx"):
        sheet = load_workbook(io.BytesIO(client.get(url, headers=headers).get_data())).worksheets[0]
        values = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert list(values[0][-4:]) == header[-4:]
        xlsx_rows = {r[0]: r[-4:] for r in values[1:]}
        assert list(xlsx_rows[ids[0]]) == ["Halal", None, "Yes", None]
        assert list(xlsx_rows[ids[2]])[-1] == "=SUM(A1)"  # text, never a formula


def test_the_event_page_counts_answers_of_the_confirmed(organiser_client, client, seminar,
                                                        organiser_token):
    seed_answers(client, seminar, organiser_token)
    html = organiser_client.get(f"/manage/events/{seminar.id}").get_data(as_text=True)
    summary = html[html.index('id="answers-summary"'):]
    diet = summary[:summary.index("Interpretation needed")]
    # Two confirmed people chose halal (the waitlisted third takes no meal).
    assert "<td>Halal</td><td><a" in diet and "answer=diet:halal\">2</a>" in diet
    assert "answer=diet:vegetarian\">1</a>" in diet
    assert "3 of 3 confirmed answered." in diet
    assert "answer=photos:yes\">1</a>" in summary and "answer=photos:no\">1</a>" in summary
    assert "1 of 3 confirmed answered." in summary[summary.index("Anything else?"):]


def test_the_desk_filters_by_answer(organiser_client, client, seminar, organiser_token):
    ids = seed_answers(client, seminar, organiser_token)
    url = f"/manage/events/{seminar.id}/registrations"
    html = organiser_client.get(f"{url}?answer=diet:halal").get_data(as_text=True)
    assert "Guest 1" in html and "Guest 2" in html and "Guest 4" in html
    assert "Guest 3" not in html
    html = organiser_client.get(f"{url}?answer=interpretation:english").get_data(as_text=True)
    assert "Guest 3" in html and "Guest 1" not in html
    html = organiser_client.get(f"{url}?answer=photos:no").get_data(as_text=True)
    assert "Guest 2" in html and "Guest 1" not in html
    # The same condition serves any statement over registrations (a message's group).
    diet = db.session.execute(db.select(Question).where(Question.code == "diet")).scalar_one()
    found = db.session.execute(db.select(Registration.id).where(
        Registration.event_id == seminar.id, answered_condition(diet, "vegetarian"))).scalars()
    assert list(found) == [ids[1]]
    # A filter naming nothing is dropped, not trusted.
    html = organiser_client.get(f"{url}?answer=diet:caviar").get_data(as_text=True)
    assert all(f"Guest {n}" in html for n in range(1, 5))


def test_the_organiser_adds_presets_and_own_questions_on_the_editor(organiser_client, client,
                                                                   organiser_token):
    event = factories.event()
    url = f"/manage/events/{event.id}/questions"
    assert url in organiser_client.get(f"/manage/events/{event.id}").get_data(as_text=True)
    page = organiser_client.get(url).get_data(as_text=True)
    assert "Dietary requirements" in page and "Photo consent" in page
    for key in ("diet", "interpretation"):
        assert organiser_client.post(f"{url}/presets/{key}").status_code == 302
    again = organiser_client.post(f"{url}/presets/diet", follow_redirects=True)
    assert "already has this question" in again.get_data(as_text=True)
    bad = organiser_client.post(url, data={"label": "Hotel", "code": "Hotel Name!",
                                           "type": "choice", "options": ""})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="code-error"' in html and 'id="options-error"' in html
    added = organiser_client.post(url, data={
        "label": "Hotel", "label_ja": "ホテル", "code": "hotel", "type": "choice",
        "options": "okura | Hotel Okura | ホテルオークラ\nother | Other | その他",
        "required": "y", "categories": ["embassy"]})
    assert added.status_code == 302
    questions = client.get(f"/api/v1/events/{event.id}/questions",
                           headers=bearer(organiser_token)).get_json()
    assert [q["code"] for q in questions] == ["diet", "interpretation", "hotel"]
    assert questions[2]["options"][0] == {"code": "okura", "retired": False, "label": {
        "en": "Hotel Okura", "ja": "ホテルオークラ"}}
    assert questions[2]["required"] and questions[2]["categories"] == ["embassy"]
    assert "halal" in [o["code"] for o in questions[0]["options"]]
    hotel = questions[2]["id"]
    organiser_client.post(f"{url}/{hotel}/up")
    order = [q["code"] for q in client.get(f"/api/v1/events/{event.id}/questions",
                                           headers=bearer(organiser_token)).get_json()]
    assert order == ["diet", "hotel", "interpretation"]
    # Japanese form: the Japanese labels.
    page = client.get(f"/e/{event.slug}/register/embassy?lang=ja").get_data(as_text=True)
    assert "ホテルオークラ" in page and "ハラール" in page


def test_answered_questions_keep_their_code_and_type_and_retire_options(
        organiser_client, client, organiser_token):
    event = factories.event()
    add(client, event, organiser_token, DIET)
    untouched = add(client, event, organiser_token, PHOTOS)
    rid = api_register(client, event, organiser_token, person(
        1, answers={"diet": ["halal"]})).get_json()["id"]
    qid = client.get(f"/api/v1/events/{event.id}/questions",
                     headers=bearer(organiser_token)).get_json()[0]["id"]
    url = f"/manage/events/{event.id}/questions/{qid}"
    form = organiser_client.get(url).get_data(as_text=True)
    assert "halal | Halal | ハラール" in form
    refused = organiser_client.post(url, data={
        "label": "Diet", "code": "food", "type": "choice", "options": "halal | Halal"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "its type can no longer change" in html and "its code can no longer change" in html
    # Halal and vegetarian taken away: halal (answered) is retired, vegetarian deleted.
    saved = organiser_client.post(url, data={
        "label": "Diet", "label_ja": "食事", "code": "diet", "type": "multiple",
        "required": "y", "options": "none | None | なし\nvegan | Vegan | ヴィーガン"})
    assert saved.status_code == 302
    question = client.get(f"/api/v1/events/{event.id}/questions",
                          headers=bearer(organiser_token)).get_json()[0]
    assert [(o["code"], o["retired"]) for o in question["options"]] == [
        ("none", False), ("vegan", False), ("halal", True)]
    assert 'value="halal"' not in client.get(
        f"/e/{event.slug}/register/guest").get_data(as_text=True)
    new = api_register(client, event, organiser_token, person(2, answers={"diet": ["halal"]}))
    assert set(new.get_json()["fields"]) == {"answers.diet"}
    # The person who chose halal keeps it, and may change something else.
    kept = client.patch(f"/api/v1/events/{event.id}/registrations/{rid}",
                        json={"name": "Guest One", "answers": {"diet": ["halal", "none"]}},
                        headers=bearer(organiser_token))
    assert kept.status_code == 200 and kept.get_json()["answers"]["diet"] == ["none", "halal"]
    # Deleting: an answered question is retired instead; an unanswered one goes.
    organiser_client.post(f"{url}/delete")
    organiser_client.post(f"/manage/events/{event.id}/questions/{untouched['id']}/delete")
    [left] = client.get(f"/api/v1/events/{event.id}/questions",
                        headers=bearer(organiser_token)).get_json()
    assert left["code"] == "diet" and left["retired"]
    assert "Dietary" not in client.get(f"/e/{event.slug}/register/guest").get_data(
        as_text=True)
    assert api_register(client, event, organiser_token, person(3)).status_code == 201


def test_a_walk_in_at_the_door_is_not_held_up_by_required_questions(door_client, client,
                                                                   seminar):
    from tests.test_checkin import walk_in_form

    response = door_client.post(f"/manage/events/{seminar.id}/walk-in", data=walk_in_form())
    assert response.status_code == 200
    reg = db.session.execute(db.select(Registration).where(
        Registration.email == "kenji@example.org")).scalar_one()
    assert reg.checked_in_at is not None


def test_personal_data_going_takes_the_answers_with_it(app, client, seminar, organiser,
                                                       organiser_token):
    from eventapp.privacy.services import anonymise_event
    from tests.test_privacy import end_event

    ids = seed_answers(client, seminar, organiser_token)
    token = db.session.get(Registration, ids[0]).manage_token
    assert client.post(f"/r/{token}/delete").status_code == 302

    def answers(rid):
        return db.session.execute(db.select(Answer).where(
            Answer.registration_id == rid)).scalars().all()

    db.session.expire_all()
    assert answers(ids[0]) == [] and len(answers(ids[1])) == 3
    end_event(seminar)
    anonymise_event(seminar, organiser)
    db.session.commit()
    # The free text goes; the choices stay as figures without a name.
    assert [a.text for a in answers(ids[2])] == [None, None]
    assert len(answers(ids[1])) == 3


def test_the_import_page_reads_question_columns_from_an_xlsx(organiser_client, client,
                                                             seminar, organiser_token):
    from openpyxl import Workbook

    from tests.test_import import report_url, upload

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "email", "category", "食事の制限", "Photo consent", "note",
                  "Hotel"])
    sheet.append(["鈴木 一郎", "ichiro@example.jp", "guest", "ハラール、ベジタリアン", True,
                  "車いす", "Okura"])
    sheet.append(["Grace Banda", "grace@example.mw", "guest", "halal", "maybe", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = report_url(upload(organiser_client, seminar, buffer.getvalue(), "list.xlsx"))
    page = organiser_client.get(report).get_data(as_text=True)
    assert "were ignored: Hotel</p>" in page  # every question's column was read
    assert "<code>answers.photos</code>" in page
    organiser_client.post(report, data={"mode": "valid"})
    [reg] = client.get(f"/api/v1/events/{seminar.id}/registrations",
                       headers=bearer(organiser_token)).get_json()
    assert reg["answers"] == {"diet": ["vegetarian", "halal"], "photos": True,
                              "note": "車いす"}
