"""Lists in the browser (issue 14, item 10): a filtered list exports exactly its rows.

Set ``E2E_SCREENSHOTS`` to a directory to keep screenshots (1366×768) of the list, the queues and
the pivot in Chinese and English.
"""

import io
import os
import re

import pytest
from openpyxl import load_workbook

from tests.builders import OrderBuilder


@pytest.fixture
def eager_exports():
    """The export task runs in the server thread once its request commits (no broker here)."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def orders(users, depts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    build = OrderBuilder(users, depts)
    wanted = [
        build.order("closed", department="BJ-YJ", handler="handler2"),
        build.order("closed", department="BJ-YJ", handler="handler2"),
    ]
    build.order("processing", department="BJ-YJ", handler="handler2")  # another status
    build.order("closed", department="BJ-YX", handler="handler")  # another department
    build.order("assignment")
    return wanted


def shot(page, name):
    folder = os.environ.get("E2E_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=False)


def test_a_filtered_list_exports_exactly_its_rows(login, depts, orders, eager_exports):
    # given the manager's order list filtered to 运维检修部's closed orders (a drill-down's filters)
    page = login("manager")
    page.goto(f"/orders/?status=closed&department={depts['BJ-YJ'].pk}")
    listed = page.locator("[data-testid=order-table] tbody tr a").all_inner_texts()
    assert sorted(listed) == sorted(o.tracking_no for o in orders)
    chips = page.locator(".filter-chip").all_inner_texts()
    assert any("运维检修部" in c for c in chips) and any("已办结" in c for c in chips)
    shot(page, "list-zh")

    # when the export button is clicked and the export finishes
    page.click("[data-testid=export-button]")
    page.wait_for_url(re.compile(r"/exports/\d+/$"))
    page.wait_for_selector("#export-download:not(.d-none)")
    assert page.locator("[data-testid=export-filters]").inner_text().count("运维检修部") == 1
    assert page.locator("#export-status").get_attribute("data-status") == "done"
    with page.expect_download() as info:
        page.click("#export-download")
    content = open(info.value.path(), "rb").read()

    # then the workbook holds exactly the listed orders
    rows = list(load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True))
    assert sorted(r[0] for r in rows[1:]) == sorted(listed)


def test_screens_of_the_list_queues_and_pivot(login, depts, orders):
    """The pages render at 1366×768 in both languages (kept as screenshots with E2E_SCREENSHOTS)."""
    for language, suffix in (("zh-hans", "zh"), ("en", "en")):
        dispatcher = login("dispatcher", language)
        dispatcher.goto("/orders/?queue=assign")
        assert dispatcher.locator("[data-testid=bulk-assign]").is_visible()
        dispatcher.locator("input[name=ids]").first.check()
        dispatcher.select_option("#bulk-department", str(depts["BJ-YJ"].pk))
        assert dispatcher.locator("#bulk-assignee option").count() >= 2  # the department's handlers
        shot(dispatcher, f"queue-assign-{suffix}")
        agent = login("agent", language)
        agent.goto("/orders/?queue=callback")
        shot(agent, f"queue-callback-{suffix}")
        manager = login("manager", language)
        manager.goto(f"/orders/?status=closed&department={depts['BJ-YJ'].pk}")
        shot(manager, f"list-{suffix}")
        manager.goto("/dashboard/pivot/?rows=unit&measure=on_time_rate")
        assert manager.locator("[data-testid=pivot-heading]").is_visible()
        shot(manager, f"pivot-{suffix}")


@pytest.mark.parametrize("username", ["dispatcher", "handler2"])
def test_a_phone_screen_shows_the_staff_pages_without_sideways_scrolling(login, orders, username):
    """390 px wide: the header's queues wrap and the search takes its own line; the page is no wider
    than the screen (the order table scrolls inside its own box)."""
    page = login(username)
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/orders/", "/"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        search = page.locator("#global-search").bounding_box()
        assert search is not None and search["x"] + search["width"] <= 390, (path, search)
    shot(page, f"phone-{username}")
