"""The next step in front of the user, in a real browser at 1366×768 (issue 14, items 2 and 10):
a rejected order shows why and a prefilled reply; a supervisor's default in review is approve and
reject; escalating asks for a reason and a confirmation. Screenshots go to ``var/screenshots/``."""

import os
from pathlib import Path

import pytest

from tests.builders import OrderBuilder
from workorders.models import WorkOrder

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"next-step-{name}.png"), full_page=False)


@pytest.fixture
def build(users, depts):
    return OrderBuilder(users, depts)


def open_forms(page):
    return [
        d.get_attribute("data-action") for d in page.locator("#order-detail details.action-form[open]").all()
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_rejected_order_shows_the_reason_banner_and_a_prefilled_reply(login, build, language):
    # given an order whose reply the supervisor rejected
    order = build.order("review")
    build.do(order, "reject", "supervisor", reason="答复过于简单，请补充整改时间")
    # when its handler opens it
    page = login("handler2", language=language)
    page.goto(f"/orders/{order.pk}/")
    # then the banner says why it is back and who sent it back
    banner = page.locator("[data-testid=back-banner]")
    assert banner.is_visible()
    assert "答复过于简单，请补充整改时间" in banner.inner_text()
    assert str(build.user("supervisor")) in banner.inner_text()
    # and the reply form is open, holding the last reply
    assert open_forms(page) == ["reply"]
    assert page.input_value("#reply-reply") == "已完成台区改造，电压恢复正常"
    assert page.input_value("#reply-truthfulness") == "true"
    counter = page.locator("[data-count-for=reply-reply]").inner_text()
    assert counter == f"{len('已完成台区改造，电压恢复正常')} / 4000"
    shot(page, f"rejected-{language}")
    # and the counter follows the typing
    page.fill("#reply-reply", "已于3日内完成台区改造")
    assert page.locator("[data-count-for=reply-reply]").inner_text() == "11 / 4000"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_supervisor_reviews_with_approve_and_reject_open_and_escalates_with_reason_and_confirmation(
    login, build, language
):
    order = build.order("review")
    page = login("supervisor", language=language)
    page.goto(f"/orders/{order.pk}/")
    # the default: approve and reject, never escalate
    assert open_forms(page) == ["approve", "reject"]
    shot(page, f"review-{language}")

    # escalate: open it, submit without a reason → a confirmation first, then the plain refusal
    page.locator("details[data-action=escalate] summary").click()
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.click("[data-testid=do-escalate]")
    page.wait_for_selector("details[data-action=escalate] .invalid-feedback")
    assert len(dialogs) == 1
    assert ("一般" in dialogs[0] and "重要" in dialogs[0]) or (
        "General" in dialogs[0] and "Important" in dialogs[0]
    )
    assert WorkOrder.objects.get(pk=order.pk).level == "general"
    shot(page, f"escalate-refused-{language}")

    # with the reason, confirmed: the order is one level up and the message says so
    version = WorkOrder.objects.get(pk=order.pk).version
    page.fill("#escalate-comment", "媒体关注，影响面大")
    page.click("[data-testid=do-escalate]")
    page.wait_for_selector(f"#order-detail[data-version='{version + 1}']")
    assert len(dialogs) == 2
    order.refresh_from_db()
    assert order.level == "important"
    assert order.events.get(action="escalate").payload["comment"] == "媒体关注，影响面大"
    flash = page.locator("[data-testid=flash]").inner_text()
    assert "重要" in flash or "Important" in flash
    shot(page, f"escalated-{language}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_extension_decision_shows_the_request_and_agree_records_it(login, build, language):
    from datetime import timedelta

    from django.utils import timezone

    order = build.order("processing")
    build.do(
        order,
        "request_extension",
        "handler2",
        requested_due_at=timezone.now() + timedelta(days=3),
        reason="需要更换变压器",
        basis="物资到货需5个工作日",
    )
    page = login("supervisor", language=language)
    page.goto(f"/orders/{order.pk}/")
    assert open_forms(page) == ["decide_extension"]
    request = page.locator("[data-testid=extension-request]").inner_text()
    assert "需要更换变压器" in request and "物资到货需5个工作日" in request
    shot(page, f"extension-{language}")
    version = WorkOrder.objects.get(pk=order.pk).version
    page.click("[data-testid=do-decide_extension-approve]")
    page.wait_for_selector(f"#order-detail[data-version='{version + 1}']")
    assert page.locator("[data-event=decide_extension]").count() == 1
    assert WorkOrder.objects.get(pk=order.pk).extended_until is not None
