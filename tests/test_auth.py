"""Staff accounts, sign-in, roles, API tokens and the CLI."""

import pytest

from eventapp.auth.services import find_user
from eventapp.extensions import db
from eventapp.models import ApiToken
from tests import factories
from tests.conftest import bearer, login


def test_login_and_logout(client, organiser):
    response = client.post("/login", data={"email": "ORGANISER@test.example",
                                           "password": factories.PASSWORD})
    assert response.status_code == 302
    page = client.get("/manage/events")
    assert page.status_code == 200 and "Sign out" in page.get_data(as_text=True)
    client.post("/logout")
    assert client.get("/manage/events").status_code == 302


def test_a_wrong_password_is_told_at_the_field(client, organiser):
    response = client.post("/login", data={"email": organiser.email, "password": "nope"})
    assert response.status_code == 200
    assert "The e-mail or password is not right." in response.get_data(as_text=True)


@pytest.mark.parametrize("target,expected", [
    ("/staff", "/staff"),
    ("https://evil.example/steal", "/manage/events"),
    ("//evil.example/", "/manage/events"),
    ("/\\evil.example", "/manage/events"),
])
def test_next_only_follows_local_paths(client, organiser, target, expected):
    response = client.post(f"/login?next={target}",
                           data={"email": organiser.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("path", ["/manage/events", "/manage/events/new", "/staff", "/tokens"])
def test_anonymous_visitors_of_staff_pages_land_on_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/manage/events/new", "/staff"])
def test_door_staff_get_403_on_organiser_pages(door_client, path):
    response = door_client.get(path)
    assert response.status_code == 403
    assert "Not allowed" in response.get_data(as_text=True)


def test_organiser_adds_door_staff_who_can_then_sign_in(organiser_client, app):
    response = organiser_client.post("/staff", data={
        "email": "new.door@test.example", "name": "New Door", "role": "door",
        "password": "a long password"})
    assert response.status_code == 302
    other = app.test_client()
    login(other, find_user("new.door@test.example"), "a long password")
    assert other.get("/staff").status_code == 403


def test_a_deactivated_account_cannot_sign_in(organiser_client, app, door):
    organiser_client.post(f"/staff/{door.id}/active")
    response = app.test_client().post("/login", data={"email": door.email,
                                                      "password": factories.PASSWORD})
    assert response.status_code == 200


def test_tokens_page_shows_a_new_token_once_and_it_works(organiser_client, app):
    page = organiser_client.post("/tokens", data={"name": "Door scanner 1"})
    html = page.get_data(as_text=True)
    assert "shown only once" in html
    secret = html.split('id="new-token">')[1].split("<")[0]
    assert app.test_client().get("/api/v1/events", headers=bearer(secret)).status_code == 200
    again = organiser_client.get("/tokens").get_data(as_text=True)
    assert secret not in again and "Door scanner 1" in again
    token = db.session.execute(db.select(ApiToken)).scalar_one()
    assert token.token_hash != secret
    organiser_client.post(f"/tokens/{token.id}/revoke")
    assert app.test_client().get("/api/v1/events", headers=bearer(secret)).status_code == 401


def test_cli_creates_users_and_prints_a_working_token(runner, app):
    result = runner.invoke(args=["users", "create", "cli@test.example", "--role", "door",
                                 "--password-stdin"], input="a long password\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "token", "cli@test.example"])
    assert result.exit_code == 0
    secret = result.output.strip().splitlines()[-1]
    client = app.test_client()
    assert client.get("/api/v1/events", headers=bearer(secret)).status_code == 200
    created = client.post("/api/v1/events", headers=bearer(secret), json={})
    assert created.status_code == 403
    assert created.get_json()["error"] == "forbidden"


def test_cli_refuses_a_short_password_and_a_duplicate(runner, app):
    result = runner.invoke(args=["users", "create", "x@test.example", "--role", "organiser",
                                 "--password-stdin"], input="short\n")
    assert result.exit_code != 0 and "at least 8" in result.output
    runner.invoke(args=["users", "create", "x@test.example", "--role", "organiser",
                        "--password-stdin"], input="a long password\n")
    result = runner.invoke(args=["users", "create", "x@test.example", "--role", "door",
                                 "--password-stdin"], input="a long password\n")
    assert result.exit_code != 0 and "exists already" in result.output
