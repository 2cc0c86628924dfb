"""API tokens expire after API_TOKEN_TTL_HOURS and are revoked on logout and on a password change."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.views import APIView

from accounts.authentication import ExpiringTokenAuthentication

pytestmark = pytest.mark.django_db

PASSWORD = "demo12345"


@pytest.fixture(autouse=True)
def expiring_tokens(settings, monkeypatch):
    """The API authenticates with ExpiringTokenAuthentication, as config/settings.py will say.

    Views take DRF's authentication classes when their module is imported, so the class attribute
    they inherit is set as well as the setting."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "accounts.authentication.ExpiringTokenAuthentication",
            "rest_framework.authentication.SessionAuthentication",
        ],
    }
    monkeypatch.setattr(APIView, "authentication_classes", api_settings.DEFAULT_AUTHENTICATION_CLASSES)
    assert APIView.authentication_classes[0] is ExpiringTokenAuthentication


def obtain(username="handler2", password=PASSWORD):
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": password})
    assert response.status_code == 200, response.json()
    return response.json()


def client_with(token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def me(token):
    return client_with(token).get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")


def test_a_token_works_until_its_ttl_then_answers_401_and_is_deleted(users):
    # given
    issued = obtain()
    token = issued["token"]
    created = Token.objects.get(key=token).created
    assert parse_datetime(issued["expires_at"]) == created + timedelta(hours=12)
    # when: just before the end of its life
    with time_machine.travel(created + timedelta(hours=11, minutes=59), tick=False):
        assert me(token).status_code == 200
    # when: after it
    with time_machine.travel(created + timedelta(hours=12, seconds=1), tick=False):
        response = me(token)
    # then
    assert response.status_code == 401
    assert response.json() == {
        "detail": "The API token has expired; obtain a new one.",
        "code": "token_expired",
    }
    assert response["WWW-Authenticate"] == "Token"
    assert not Token.objects.filter(key=token).exists()
    assert me(token).json()["code"] == "authentication_failed"  # gone, not merely expired


def test_the_ttl_is_a_setting(users, settings):
    settings.API_TOKEN_TTL_HOURS = 1
    issued = obtain()
    created = Token.objects.get(key=issued["token"]).created
    assert parse_datetime(issued["expires_at"]) == created + timedelta(hours=1)
    with time_machine.travel(created + timedelta(minutes=61), tick=False):
        assert me(issued["token"]).status_code == 401


def test_logging_in_again_gives_the_same_token_while_valid_and_a_new_one_after(users):
    first = obtain()["token"]
    assert obtain()["token"] == first
    created = Token.objects.get(key=first).created
    with time_machine.travel(created + timedelta(hours=13), tick=False):
        second = obtain()
        assert second["token"] != first
        assert me(second["token"]).status_code == 200
        assert parse_datetime(second["expires_at"]) == timezone.now() + timedelta(hours=12)
    assert list(Token.objects.filter(user=users["handler2"]).values_list("key", flat=True)) == [
        second["token"]
    ]


def test_the_api_logout_revokes_the_token(users):
    token = obtain()["token"]
    response = client_with(token).post("/api/v1/auth/logout/")
    assert response.status_code == 204
    assert me(token).status_code == 401
    assert not Token.objects.filter(user=users["handler2"]).exists()


def test_the_api_logout_needs_a_caller():
    assert APIClient().post("/api/v1/auth/logout/").status_code == 401


def test_the_page_logout_revokes_the_token(users, client):
    # given: the same person holds an API token and a page session
    token = obtain()["token"]
    client.post(reverse("login"), {"username": "handler2", "password": PASSWORD})
    assert me(token).status_code == 200
    # when
    client.post(reverse("logout"))
    # then
    assert me(token).status_code == 401
    # someone else's token is untouched
    other = obtain("handler")["token"]
    client.force_login(users["agent"])
    client.post(reverse("logout"))
    assert me(other).status_code == 200


def test_a_page_login_keeps_the_token(users, client):
    token = obtain()["token"]
    client.post(reverse("login"), {"username": "handler2", "password": PASSWORD})
    assert me(token).status_code == 200


def test_the_password_change_page_revokes_the_token(users, client):
    token = obtain()["token"]
    client.force_login(users["handler2"])
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Gd-9f7e-Kq2!", "new_password2": "Gd-9f7e-Kq2!"},
    )
    assert response.status_code == 302
    assert me(token).status_code == 401
    assert obtain(password="Gd-9f7e-Kq2!")["token"] != token


def test_an_administrator_setting_the_password_revokes_the_token(users, client):
    token = obtain()["token"]
    client.force_login(users["admin"])
    response = client.post(
        reverse("admin:auth_user_password_change", args=[users["handler2"].pk]),
        {"password1": "Gd-9f7e-Kq2!", "password2": "Gd-9f7e-Kq2!", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert me(token).status_code == 401


def test_set_password_and_unusable_password_revoke_the_token(users):
    from accounts.models import User

    token = obtain()["token"]
    user = User.objects.get(username="handler2")
    user.set_password("Gd-9f7e-Kq2!")
    user.save()
    assert me(token).status_code == 401
    token = obtain(password="Gd-9f7e-Kq2!")["token"]
    user = User.objects.get(username="handler2")
    user.set_unusable_password()
    user.save()
    assert me(token).status_code == 401


def test_other_changes_to_the_user_keep_the_token(users):
    from accounts.models import User

    token = obtain()["token"]
    user = User.objects.get(username="handler2")
    user.display_name = "刘强"
    user.save()
    User.objects.only("pk", "email").get(pk=user.pk).save(update_fields=["email"])
    users["handler2"].save()  # an instance loaded before the token was issued
    assert me(token).status_code == 200


def test_a_token_brings_its_user_and_department_in_one_query(users, django_assert_num_queries):
    token = Token.objects.create(user=users["handler2"])
    with django_assert_num_queries(1):
        user, found = ExpiringTokenAuthentication().authenticate_credentials(token.key)
        assert user.department.code == "BJ-YJ" and found == token


def test_an_unknown_token_or_an_inactive_user_is_refused(users):
    from rest_framework.exceptions import AuthenticationFailed

    with pytest.raises(AuthenticationFailed):
        ExpiringTokenAuthentication().authenticate_credentials("no-such-key")
    token = Token.objects.create(user=users["handler2"])
    users["handler2"].is_active = False
    users["handler2"].save(update_fields=["is_active"])
    with pytest.raises(AuthenticationFailed):
        ExpiringTokenAuthentication().authenticate_credentials(token.key)


def test_a_page_session_loads_the_user_with_the_department(users, django_assert_num_queries):
    from accounts.backends import DepartmentModelBackend

    with django_assert_num_queries(1):
        user = DepartmentModelBackend().get_user(users["handler2"].pk)
        assert user.department.code == "BJ-YJ"
    users["handler2"].is_active = False
    users["handler2"].save(update_fields=["is_active"])
    assert DepartmentModelBackend().get_user(users["handler2"].pk) is None
    assert DepartmentModelBackend().get_user(0) is None
