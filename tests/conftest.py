"""Shared fixtures: the demo organisation, one user per role, the order builder, API and page clients."""

import pytest

from config.runtime import prepare_runtime_dirs


def pytest_configure(config):
    # What manage.py, wsgi and the Celery processes do at start: the embedded broker's folders exist.
    prepare_runtime_dirs()


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Each test its own cache key space (the cache is shared Redis in CI) and a fresh work
    calendar: nothing one test kept (queue counts, the calendar) is seen by the next; no flush (a
    worker may share the Redis database)."""
    import copy
    import uuid

    from config.cache import cache_reset, resilient_cache
    from workorders.deadlines.calendar import forget_calendar

    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"t{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches
    forget_calendar()  # the process's calendar too: a rolled-back holiday sends no signal
    cache_reset()  # and no remembered cache outage from a test that pointed the cache at a dead port
    resilient_cache.local.clear()  # nor the counts kept in the process meanwhile


@pytest.fixture
def org(db):
    """The demo company tree and users; returns (departments by code, users by username)."""
    from accounts.demo import seed_organisation

    # Without the units' own leaders: the company's manager is every unit's nearest leader.
    depts, users = seed_organisation(password="demo12345", unit_leaders=False)
    return depts, {u.username: u for u, _role in users}


@pytest.fixture
def depts(org):
    return org[0]


@pytest.fixture
def users(org):
    return org[1]


@pytest.fixture
def build(users, depts):
    """The order builder (``tests/builders.py``) for the demo organisation."""
    from tests.builders import OrderBuilder

    return OrderBuilder(users, depts)


@pytest.fixture
def api_client_for(users):
    """api_client_for("handler") or api_client_for(user, language="en") → an authenticated DRF APIClient."""
    from rest_framework.test import APIClient

    def make(who, language=None):
        client = APIClient()
        client.force_authenticate(users[who] if isinstance(who, str) else who)
        if language:
            client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    return make


@pytest.fixture
def page_client_for(users):
    """page_client_for("dispatcher") or page_client_for(user, language="en") → a Django test client
    logged in as that user, with the language cookie set (Chinese unless told)."""
    from django.test import Client

    def make(who, language="zh-hans"):
        client = Client()
        client.force_login(users[who] if isinstance(who, str) else who)
        client.cookies["django_language"] = language
        return client

    return make


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrated data (categories, SLA policies, calendar,
    notification rules) afterwards and runs with it: ``serialized_rollback``.

    Mixing transactional tests with and without it breaks the latter kind's neighbours: the flush
    after a plain one re-creates content types through post_migrate, and the next serialized one
    then meets them as duplicates. So all of them use it.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker is not None else {}
        fixtures = set(getattr(item, "fixturenames", ()))
        transactional = kwargs.get("transaction") or fixtures & {"transactional_db", "live_server"}
        if transactional and not kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(**{**kwargs, "serialized_rollback": True}), append=False)


@pytest.fixture(scope="session", autouse=True)
def _serialized_snapshot(django_db_setup, django_db_blocker):
    """The migrated database as serialized_rollback restores it, taken before any test runs.

    pytest-django takes it only when it sees serialized tests while setting the database up;
    when the first test is a live-server (browser) test it was missing, that test's flush then
    re-ran post_migrate, and every serialized test after it failed on duplicate content types.
    """
    from django.core.management.commands import flush
    from django.db import connections

    # A test's flush must leave the tables empty for the restore: without this, the flush after a
    # test re-creates content types, permissions and role groups through post_migrate.
    flush.emit_post_migrate_signal = lambda *args, **kwargs: None
    with django_db_blocker.unblock():
        for conn in connections.all(initialized_only=False):
            if not hasattr(conn, "_test_serialized_contents"):
                conn._test_serialized_contents = conn.creation.serialize_db_to_string()
