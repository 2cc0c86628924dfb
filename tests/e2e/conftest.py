"""Headless Chromium (the system's /usr/bin/chromium) driven by Playwright's sync API.

Playwright's sync API runs an event loop in the test thread while the browser is up, so Django's
async-safety check is relaxed for exactly that time (the ORM is still only used synchronously).
The browser lives per module: after it closes, the rest of the suite runs with the check on.
"""

import os

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install the distribution's chromium package")
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(autouse=True)
def categories(browser, transactional_db):
    """A transactional test's flush empties the migration-seeded category tree: put it back."""
    from complaints.category_tree import load_category_tree
    from complaints.models import Category

    load_category_tree(Category)


@pytest.fixture
def login(browser, live_server, users):
    """login("agent") → a Playwright page signed in as that demo user (1366×768)."""
    contexts = []

    def make(username, language=None):
        # A call-center browser asks for Chinese (Accept-Language: zh-CN).
        context = browser.new_context(
            viewport={"width": 1366, "height": 768}, base_url=live_server.url, locale="zh-CN"
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        if language:
            context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "demo12345")
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=whoami]")
        return page

    yield make
    for context in contexts:
        context.close()
