import pytest
from django.urls import reverse


@pytest.mark.django_db
class TestLogin:
    def test_login_page_is_chinese_by_default(self, client):
        response = client.get(reverse("login"))
        assert response.status_code == 200
        assert "登录" in response.content.decode()

    def test_login_page_in_english_after_switch(self, client):
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        body = client.get(reverse("login")).content.decode()
        assert "Log in" in body and "登录" not in body

    def test_login_then_home_shows_department_and_role(self, client, users):
        response = client.post(
            reverse("login"), {"username": "handler", "password": "demo12345"}, follow=True
        )
        body = response.content.decode()
        assert response.status_code == 200
        assert "市场营销部" in body  # department chain
        assert "处理部门" in body  # role label in Chinese

    def test_home_requires_login(self, client):
        response = client.get(reverse("home"))
        assert response.status_code == 302 and reverse("login") in response["Location"]

    def test_navigation_differs_by_role(self, client, users):
        client.force_login(users["admin"])
        assert reverse("admin:index") in client.get(reverse("home")).content.decode()
        client.force_login(users["agent"])
        assert reverse("admin:index") not in client.get(reverse("home")).content.decode()

    def test_failed_logins_are_throttled(self, client, users, settings):
        settings.AXES_FAILURE_LIMIT = 3
        for _ in range(3):
            client.post(reverse("login"), {"username": "agent", "password": "wrong"})
        # even the right password is refused while locked
        response = client.post(reverse("login"), {"username": "agent", "password": "demo12345"})
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        # another user from the same address is not locked out
        ok = client.post(reverse("login"), {"username": "dispatcher", "password": "demo12345"})
        assert ok.status_code == 302

    def test_password_change(self, client, users):
        client.force_login(users["agent"])
        response = client.post(
            reverse("password_change"),
            {"old_password": "demo12345", "new_password1": "Gd-9f7e-Kq2!", "new_password2": "Gd-9f7e-Kq2!"},
        )
        assert response.status_code == 302
        users["agent"].refresh_from_db()
        assert users["agent"].check_password("Gd-9f7e-Kq2!")

    def test_logout_is_post(self, client, users):
        client.force_login(users["agent"])
        client.post(reverse("logout"))
        assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
class TestApiAuth:
    def test_token_then_me(self, client, users):
        from rest_framework.test import APIClient

        api = APIClient()
        token = api.post("/api/v1/auth/token/", {"username": "handler2", "password": "demo12345"}).json()[
            "token"
        ]
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        me = api.get("/api/v1/me/").json()
        assert me["username"] == "handler2"
        assert me["roles"] == ["handler"]
        assert me["department"]["code"] == "BJ-YJ"

    def test_bad_token_credentials_give_json_error(self):
        from rest_framework.test import APIClient

        response = APIClient().post("/api/v1/auth/token/", {"username": "x", "password": "y"})
        assert response.status_code == 400
        assert response.json()["code"] == "invalid"

    def test_me_requires_auth(self):
        from rest_framework.test import APIClient

        response = APIClient().get("/api/v1/me/")
        assert response.status_code == 401
        assert set(response.json()) == {"detail", "code"}

    def test_departments_scoped(self, api_client_for):
        codes = {d["code"] for d in api_client_for("handler").get("/api/v1/departments/").json()}
        assert codes == {"BJ-YX", "BJ-YX-DF"}


@pytest.mark.django_db
def test_pages_are_chinese_even_for_an_english_browser_until_switched(client):
    body = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in body
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Log in" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


@pytest.mark.django_db
def test_api_errors_follow_accept_language(api_client_for):
    response = api_client_for("handler").post(
        "/api/v1/complaints/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 403 and response.json()["detail"] == "Your role may not do this."
