"""Shared fixtures: the demo organisation, one user per role, API clients."""
import pytest
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org(db):
    """The demo company tree and users; returns (departments by code, users by username)."""
    from accounts.demo import seed_organisation

    depts, users = seed_organisation(password="demo12345")
    return depts, {u.username: u for u, _role in users}


@pytest.fixture
def depts(org):
    return org[0]


@pytest.fixture
def users(org):
    return org[1]


@pytest.fixture
def api_for(users):
    """api_for("handler") → an APIClient authenticated as that demo user."""

    def make(username):
        client = APIClient()
        client.force_authenticate(users[username])
        return client

    return make
