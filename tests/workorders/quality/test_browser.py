"""In a browser: the scoring form's running total follows the items, no CSP violation, and a
double click on the submit scores once."""

import os

import pytest

from workorders.models import InspectionLog
from workorders.quality.services import quality_sample

from .conftest import WEEK

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def page(transactional_db, live_server, users):
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    from complaints.category_tree import load_category_tree  # noqa: PLC0415
    from complaints.models import Category  # noqa: PLC0415

    load_category_tree(Category)  # a transactional test's flush empties the migrated tree
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server.url)
            context.set_default_timeout(15000)
            page = context.new_page()
            page.violations = []
            page.on("console", lambda m: page.violations.append(m.text) if m.type == "error" else None)
            page.goto("/accounts/login/")
            page.fill("#id_username", "supervisor")
            page.fill("#id_password", "demo12345")
            page.click("button[type=submit]")
            page.wait_for_selector("[data-testid=whoami]", state="attached")
            yield page
            browser.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


def test_running_total_and_a_double_click_scores_once(page, closed):
    order = closed()
    rnd, _n = quality_sample(week=WEEK)
    inspection = rnd.inspections.get(order=order)
    page.goto(f"/quality/{inspection.pk}/")
    page.fill("#score-intake", "20")
    page.fill("#score-classification", "25")
    page.fill("#score-reply", "28")
    assert page.text_content("[data-quality-total]") == "73"
    page.fill("#score-callback", "99")  # beyond the item's maximum: counted at most 20
    assert page.text_content("[data-quality-total]") == "93"
    page.fill("#score-callback", "15")
    page.dblclick("[data-testid=score-form] button[type=submit]")
    page.wait_for_selector("[data-testid=result]")
    assert page.text_content("[data-testid=total]").strip().startswith("88")
    assert InspectionLog.objects.filter(inspection=inspection, action="scored").count() == 1
    assert page.violations == []
