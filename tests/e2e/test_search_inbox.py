"""Search and inbox in a real browser (issue 14, items 5, 6 and 10): a part of a phone and a near
phrase typed in the header's search box find the order, a full tracking number opens it; an inbox
item opens its order and is then read. Screenshots at 1366×768 in Chinese and English go to
``E2E_SCREENSHOTS`` (default ``var/screenshots``) to be looked at."""

import os
import re
from pathlib import Path

import pytest

from notifications.defaults import sync_defaults
from notifications.models import Notification, NotificationRule, NotificationTemplate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", Path(__file__).resolve().parents[2] / "var" / "screenshots"))
PHONE = "13967451288"
CONTENT = "晚上电压明显偏低，灯光昏暗，冰箱无法启动。"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def header_search(page, q):
    page.fill("#global-search", q)
    page.press("#global-search", "Enter")
    page.wait_for_load_state("domcontentloaded")


@pytest.fixture
def orders(build):
    found = build.register(customer_name="欧阳娜娜", phone=PHONE, content=CONTENT)
    other = build.register(customer_name="钱先生", phone="13800001111", content="路灯不亮，夜间出行不便。")
    return found, other


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_part_of_the_phone_and_a_near_phrase_find_the_order(language, login, orders):
    found, other = orders
    agent = login("agent", language=language)
    agent.goto("/")
    # a part of the phone in the header's search box
    header_search(agent, "7451")
    assert agent.locator(f"text={found.tracking_no}").count() >= 1
    assert agent.locator(f"text={other.tracking_no}").count() == 0
    # words near the content ("电压偏低" for "电压明显偏低")
    header_search(agent, "电压偏低")
    assert agent.locator(f"text={found.tracking_no}").count() >= 1
    assert agent.locator(f"text={other.tracking_no}").count() == 0
    shot(agent, f"search-results-{language}")
    # the result opens the order
    agent.click(f"a:has-text('{found.tracking_no}')")
    agent.wait_for_url(re.compile(rf"/orders/{found.pk}/$"))


def test_a_full_tracking_number_opens_the_order(login, orders):
    found, _other = orders
    agent = login("agent")
    agent.goto("/")
    header_search(agent, found.tracking_no)
    agent.wait_for_url(re.compile(rf"/orders/{found.pk}/$"))


@pytest.fixture
def notification_defaults(transactional_db):
    """The default matrix, as migrate leaves it (a transactional test's flush empties it)."""
    sync_defaults(NotificationRule, NotificationTemplate)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_inbox_item_opens_its_order_and_is_then_read(language, login, build, notification_defaults):
    # given two orders assigned to 运维检修部 (handler2), one of them urged
    first = build.classify_and_assign(build.register(content=CONTENT), department="BJ-YJ")
    build.do(first, "urge", "agent", comment="客户来电催促")
    second = build.classify_and_assign(build.register(content="路灯不亮。"), department="BJ-YJ")
    handler = login("handler2", language=language)
    handler.goto("/notifications/")
    # grouped by order, newest first
    groups = handler.locator("[data-testid=inbox-group]")
    assert groups.count() == 2
    assert groups.nth(0).get_attribute("data-order") == second.tracking_no
    assert handler.locator("[data-testid=unread-count]").inner_text() == "3"
    shot(handler, f"inbox-{language}")
    # when an item of the first order is clicked
    group = handler.locator(f"[data-testid=inbox-group][data-order='{first.tracking_no}']")
    group.locator("[data-testid=notification-open]").first.click()
    # then the order opens, and back in the inbox its notices are read
    handler.wait_for_url(re.compile(rf"/orders/{first.pk}/$"))
    assert not Notification.objects.filter(order=first, read_at__isnull=True).exists()
    handler.goto("/notifications/")
    assert handler.locator("[data-testid=unread-count]").inner_text() == "1"
    group = handler.locator(f"[data-testid=inbox-group][data-order='{first.tracking_no}']")
    assert group.locator("[data-testid=notification][data-read='0']").count() == 0
    # "mark all read" reads the rest
    handler.click("[data-testid=mark-all-read]")
    handler.wait_for_selector("[data-testid=mark-all-read][disabled]")
    assert handler.locator("[data-testid=unread-count]").inner_text() == "0"
