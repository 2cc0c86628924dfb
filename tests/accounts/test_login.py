import pytest
from django.urls import reverse

PASSWORD = "demo12345"


@pytest.fixture
def lockout(settings):
    """The lockout as config/settings.py configures it (accounts/lockout.py), with small limits:
    3 failures per username and address, 6 per address whatever the usernames."""
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
    settings.AXES_FAILURE_LIMIT = "accounts.lockout.failure_limit"
    settings.AXES_HANDLER = "accounts.lockout.LockoutHandler"
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6


def login(client, username, password="wrong", address="10.1.1.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


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

    def test_failed_logins_are_throttled(self, client, users, lockout):
        for _ in range(3):
            client.post(reverse("login"), {"username": "agent", "password": "wrong"})
        # even the right password is refused while locked
        response = client.post(reverse("login"), {"username": "agent", "password": "demo12345"})
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        # another user from the same address is not locked out
        ok = client.post(reverse("login"), {"username": "dispatcher", "password": "demo12345"})
        assert ok.status_code == 302

    def test_failures_from_one_address_across_usernames_lock_the_address(self, client, users, lockout):
        # given: six failures from one address, never three for the same username
        for username in ["agent", "dispatcher", "handler", "nobody", "agent"]:
            assert login(client, username).status_code == 200  # the form again
        assert login(client, "dispatcher").status_code == 429  # the sixth locks
        # when: the right password of a user who never failed, from that address
        locked = login(client, "supervisor", PASSWORD)
        # then
        assert locked.status_code == 429 and "_auth_user_id" not in client.session
        # another address is not locked
        assert login(client, "supervisor", PASSWORD, address="10.2.2.2").status_code == 302

    def test_below_the_address_limit_other_users_log_in(self, client, users, lockout):
        for username in ["agent", "dispatcher", "handler", "nobody", "agent"]:
            login(client, username)
        assert login(client, "supervisor", PASSWORD).status_code == 302

    def test_a_successful_login_does_not_reset_the_address_count(self, client, users, lockout):
        # given: five failures from the address, then one of its users logs in
        for username in ["agent", "handler", "nobody", "agent", "handler"]:
            login(client, username)
        assert login(client, "dispatcher", PASSWORD).status_code == 302
        client.logout()
        # when: one more failure
        login(client, "someone")
        # then: the address has six and is locked
        assert login(client, "supervisor", PASSWORD).status_code == 429

    def test_a_successful_login_forgets_that_usernames_failures(self, client, users, lockout):
        login(client, "agent")
        login(client, "agent")
        assert login(client, "agent", PASSWORD).status_code == 302
        client.logout()
        login(client, "agent")
        login(client, "agent")
        assert login(client, "agent", PASSWORD).status_code == 302  # 2 + 2, never 3 in a row

    def test_api_token_failures_count_toward_the_address_lock(self, client, users, lockout):
        from rest_framework.test import APIClient

        api = APIClient(REMOTE_ADDR="10.1.1.1")
        for username in ["agent", "dispatcher", "handler", "nobody", "agent"]:
            assert api.post("/api/v1/auth/token/", {"username": username, "password": "x"}).status_code == 400
        assert api.post("/api/v1/auth/token/", {"username": "dispatcher", "password": "x"}).status_code == 429
        refused = api.post(
            "/api/v1/auth/token/", {"username": "supervisor", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert refused.status_code == 429 and refused.json()["code"] == "locked_out"
        assert refused.json()["detail"].startswith("Too many failed login attempts; try again later.")
        assert refused["Retry-After"] == "900"  # AXES_COOLOFF_TIME: a quarter of an hour
        assert login(client, "supervisor", PASSWORD).status_code == 429

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
