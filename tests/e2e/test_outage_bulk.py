"""The bulk outage flow in a real browser (issue 16, items 6 and 10): a dispatcher opens the outage,
confirms the orders that look related, assigns them all to one department in one action and sees
each order assigned. Screenshots (desktop and phone) go to ``var/screenshots/``."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from tests.builders import OrderBuilder
from workorders.models import WorkOrder
from workorders.outages.models import OutageEvent

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"outage-{name}.png"), full_page=True)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_dispatcher_confirms_and_assigns_an_outages_orders_in_one_action(login, users, depts, language):
    # given an outage and three complaints from its area, waiting for assignment, and one elsewhere
    build = OrderBuilder(users, depts)
    now = timezone.now()
    outage = OutageEvent.objects.create(
        area="幸福路, 光明街",
        started_at=now - timedelta(hours=2),
        expected_restore_at=now + timedelta(hours=2),
        cause="10kV线路故障",
        created_by=users["dispatcher"],
    )
    orders = [build.order("assignment", address=f"城东区幸福路{i}号", content="突然停电") for i in range(3)]
    elsewhere = build.order("assignment", address="城西区和平路1号", content="突然停电")
    errors = []
    # when the dispatcher opens the outage
    page = login("dispatcher", language=language)
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"/outages/{outage.pk}/")
    related = page.locator("[data-testid=related-order]")
    assert related.count() == 3
    assert elsewhere.tracking_no not in page.locator("[data-testid=related-form]").inner_text()
    shot(page, f"related-{language}")
    # confirms them all (the select-all box) ...
    page.locator("[data-select-all=related]").check()
    page.click("[data-testid=confirm-links]")
    page.wait_for_selector("[data-testid=linked-order]")
    assert page.locator("[data-testid=linked-order]").count() == 3
    # ... and assigns them all to one department in one action
    page.locator("[data-select-all=linked]").check()
    page.select_option("#b-department", str(depts["BJ-CD"].pk))
    page.click("[data-testid=bulk-assign]")
    page.wait_for_selector("[data-testid=bulk-result]")
    # then each order is assigned, one by one, and the page says so
    assert page.locator("[data-testid=bulk-ok]").count() == 3
    assert page.locator("[data-testid=bulk-refused]").count() == 0
    statuses = page.locator("[data-testid=linked-status]").all_inner_texts()
    assert len(statuses) == 3 and len(set(statuses)) == 1
    shot(page, f"assigned-{language}")
    for order in orders:
        order = WorkOrder.objects.get(pk=order.pk)
        assert order.status == "processing" and order.department_id == depts["BJ-CD"].pk
        assert order.events.filter(action="assign").count() == 1
    # a phone screen shows the same page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/outages/{outage.pk}/")
    shot(page, f"phone-{language}")
    page.goto("/outages/")
    shot(page, f"list-phone-{language}")
    assert errors == []
