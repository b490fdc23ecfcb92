"""Error pages look like the app; the API answers errors as JSON."""

import pytest

from tests import factories


@pytest.fixture
def csrf_config(app_config):
    app_config.update(WTF_CSRF_ENABLED=True)


def test_a_form_without_its_csrf_token_gets_the_apps_400_page(csrf_config, client, organiser):
    response = client.post("/login", data={"email": organiser.email,
                                           "password": factories.PASSWORD})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The form expired" in html and 'class="site-header' in html


def test_an_unexpected_error_gets_the_apps_500_page_and_json_on_the_api(app, client):
    def boom():
        raise RuntimeError("kaboom")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/v1/boom", "api_boom", boom)
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert "kaboom" not in response.get_data(as_text=True)
    api = client.get("/api/v1/boom")
    assert api.status_code == 500 and api.get_json()["error"] == "server_error"


def test_unknown_api_paths_answer_json(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    response = client.delete("/api/v1/events")
    assert response.status_code == 405 and response.get_json()["error"] == "method_not_allowed"


@pytest.fixture
def limited_config(app_config):
    app_config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")


def test_staff_login_is_throttled_after_about_ten_failures(limited_config, client, organiser):
    for _ in range(10):
        assert client.post("/login", data={"email": organiser.email,
                                           "password": "wrong"}).status_code == 200
    response = client.post("/login", data={"email": organiser.email, "password": "wrong"})
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0


def test_successful_logins_do_not_count_toward_the_throttle(limited_config, app, organiser):
    for _ in range(15):
        client = app.test_client()
        assert client.post("/login", data={"email": organiser.email,
                                           "password": factories.PASSWORD}).status_code == 302
