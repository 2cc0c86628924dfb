"""The dashboard renders in headless Chromium with its ECharts charts (vendored, no network)."""

import os

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs /usr/bin/chromium")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the live server shares the test database
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def test_dashboard_draws_its_charts(dataset, users, live_server, browser, client, settings):
    client.force_login(users["manager"])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context()
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
    page = context.new_page()
    errors, external = [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "request", lambda req: external.append(req.url) if not req.url.startswith(live_server.url) else None
    )
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("body[data-charts]")
    assert int(page.get_attribute("body", "data-charts")) == 5
    for chart in ("chart-trend", "chart-open", "chart-stages", "chart-categories", "chart-per10k"):
        assert page.locator(f"#{chart}[data-rendered='1'] canvas").count() >= 1, chart
    assert page.locator("[data-testid=received-range]").inner_text() == "7"  # C merged, I dismissed: not in
    assert not errors and not external, (errors, external)
    # A ranking row drills down to the filtered order list.
    href = page.locator("[data-testid=ranking] a").first.get_attribute("href")
    assert href.startswith("/orders/?") and "department=" in href
    # The pivot page draws its chart too.
    page.goto(f"{live_server.url}/dashboard/pivot/?rows=day&cols=level")
    page.wait_for_selector("body[data-charts]")
    assert page.locator("#chart-pivot canvas").count() >= 1
    context.close()
