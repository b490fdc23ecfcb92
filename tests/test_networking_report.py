"""What the session feeds: the report's networking figures (API, dashboard, narrative in
English and Japanese) and the meetings export, against figures computed by hand."""

import csv
import io
import random

from openpyxl import load_workbook

from eventapp.extensions import db
from eventapp.models import Registration
from tests.conftest import bearer
from tests.test_networking_live import call, check_in, live_event, publish_all


def run_session(client, door_token, organiser_token):
    """A session with arrivals, two no-shows (one replaced), and outcomes; returns the
    event and the truth computed from what the test did."""
    ev, officials, companies = live_event(people_per_side=5)
    meetings = publish_all(client, organiser_token, ev)
    check_in(*officials, *companies)
    rng = random.Random(7)
    truth = {"scheduled": len(meetings), "held": 0, "no_shows": 0, "rated": 0,
             "follow_ups": 0, "ratings": [], "replacements": 0}
    absent_meetings = meetings[:2]
    for m in absent_meetings:
        body = call(client, door_token, ev, m["id"], "no-show",
                    registration_id=m["a"]).get_json()
        truth["no_shows"] += 1
        if body["replacement"]:
            truth["replacements"] += 1
            truth["scheduled"] += 1  # the replacement is a new meeting on the schedule
            meetings.append(body["replacement"])
    for m in meetings[2:]:
        said = []
        for rid in (m["a"], m["b"]):
            if rng.random() < 0.3:
                continue
            rating = rng.randint(1, 4)
            follow = rng.random() < 0.5
            held = rng.random() < 0.9
            reg = db.session.get(Registration, rid)
            response = client.post(f"/r/{reg.manage_token}/meetings/{m['id']}/outcome",
                                   data={"held": "yes" if held else "no",
                                         "rating": str(rating),
                                         "follow_up": "yes" if follow else "no",
                                         "applicable": "yes"})
            assert response.status_code == 302
            said.append(held)
            truth["rated"] += 1
            truth["ratings"].append(rating)
            truth["follow_ups"] += follow
        if said and all(said):
            truth["held"] += 1
    ratings = truth.pop("ratings")
    truth["mean_rating"] = round(sum(ratings) / len(ratings), 2)
    return ev, truth, meetings


def test_report_figures_of_the_session_equal_the_truth(client, door_token, organiser_token,
                                                       organiser_client):
    ev, truth, meetings = run_session(client, door_token, organiser_token)
    body = client.get(f"/api/v1/events/{ev.id}/report",
                      headers=bearer(organiser_token)).get_json()
    assert body["networking"] == truth

    page = organiser_client.get(f"/manage/events/{ev.id}/report").get_data(as_text=True)
    assert f'data-figure="held">{truth["held"]}<' in page
    assert f'data-figure="no_shows">{truth["no_shows"]}<' in page
    sentence = (f"At the networking session, {truth['held']} of {truth['scheduled']} "
                f"meetings took place ({truth['no_shows']} with a no-show, "
                f"{truth['replacements']} replacements made)")
    assert sentence in page
    japanese = organiser_client.get(f"/manage/events/{ev.id}/report",
                                    headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert f"{truth['scheduled']}件のうち{truth['held']}件" in japanese
    assert 'id="applicability"' in page and "Water purification" in page

    export = organiser_client.get(f"/events/{ev.id}/exports/meetings.csv")
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert sum(r["Held"] == "Yes" for r in rows) == truth["held"]
    assert sum(bool(r["Absent ID"]) for r in rows) == truth["no_shows"]
    assert sum(bool(r["Rating A"]) + bool(r["Rating B"]) for r in rows) == truth["rated"]
    workbook = load_workbook(io.BytesIO(organiser_client.get(
        f"/events/{ev.id}/exports/report.xlsx").data), read_only=True)
    assert workbook.sheetnames[0] == "Attendees" and "Meetings" in workbook.sheetnames


def test_no_session_sentence_before_anything_happened(client, organiser_token,
                                                      organiser_client):
    ev, _o, _c = live_event()
    publish_all(client, organiser_token, ev)
    body = client.get(f"/api/v1/events/{ev.id}/report",
                      headers=bearer(organiser_token)).get_json()
    assert body["networking"]["held"] == 0 and body["networking"]["mean_rating"] is None
    page = organiser_client.get(f"/manage/events/{ev.id}/report").get_data(as_text=True)
    assert "At the networking session" not in page
