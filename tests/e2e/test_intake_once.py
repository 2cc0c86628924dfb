"""Browser checks of issue 14: a form sent once, drafts that hold a half-finished call, the next call.

Set ``E2E_SCREENSHOTS=<dir>`` to keep screenshots of the intake and draft pages (Chinese and English).
"""

import os

import pytest

from tests.workorders.racing import require_postgresql
from workorders.models import WorkOrder, WorkOrderEvent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("E2E_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=False)


def fill_complete(page):
    page.fill("#id_phone", "13955556666")
    page.fill("#id_customer_name", "吴女士")
    page.fill("#id_address", "滨江市城南区解放路3号")
    page.fill("#id_content", "表箱门损坏，存在安全隐患。")
    page.fill("#id_demand", "尽快维修表箱")


def test_a_double_click_on_submit_makes_one_complaint(login):
    agent = login("agent")
    agent.goto("/intake/")
    fill_complete(agent)
    # when
    agent.dblclick("[data-testid=submit]")
    # then
    agent.wait_for_selector("#order-detail[data-status=classification]")
    assert WorkOrder.objects.count() == 1


def test_a_triple_click_on_submit_makes_one_complaint(login):
    agent = login("agent")
    agent.goto("/intake/")
    fill_complete(agent)
    agent.click("[data-testid=submit]", click_count=3)
    agent.wait_for_selector("#order-detail[data-status=classification]")
    assert WorkOrder.objects.count() == 1


SEND_TWICE = """(together) => {
    const form = document.getElementById("intake-form");
    const body = new FormData(form); body.append("submit", "1");
    const send = () => fetch(form.action, {method: "POST", body, redirect: "manual"}).then((a) => a.type);
    return together ? Promise.all([send(), send()]) : send().then((one) => send().then((two) => [one, two]));
}"""


def test_the_same_form_sent_twice_without_the_script_makes_one_complaint(login):
    # given: the page's guard bypassed, the browser sends the same form again (a retried request)
    agent = login("agent")
    agent.goto("/intake/")
    fill_complete(agent)
    # when
    answers = agent.evaluate(SEND_TWICE, False)
    # then: both answered with the redirect to the one order
    assert answers == ["opaqueredirect", "opaqueredirect"]
    assert WorkOrder.objects.count() == 1


def test_the_same_form_sent_twice_at_once_makes_one_complaint(login):
    require_postgresql()  # the live server shares the test's one SQLite connection between threads
    agent = login("agent")
    agent.goto("/intake/")
    fill_complete(agent)
    assert agent.evaluate(SEND_TWICE, True) == ["opaqueredirect", "opaqueredirect"]
    assert WorkOrder.objects.count() == 1


def test_a_double_click_on_an_action_acts_once(login, build):
    order = build.assign(build.classify(build.register()))
    handler = login("handler2")
    handler.goto(f"/orders/{order.pk}/")
    handler.dblclick("[data-testid=do-accept]")
    handler.wait_for_selector("[data-testid=flash]")
    assert WorkOrderEvent.objects.filter(order_id=order.pk, action="accept").count() == 1
    assert handler.locator("[data-testid=flash].alert-danger").count() == 0


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_draft_saved_with_a_phone_and_content_is_edited_then_submitted(login, language):
    agent = login("agent", language)
    agent.goto("/intake/")
    shot(agent, f"intake-{language}")
    # when: only the phone and what the caller said so far
    agent.fill("#id_phone", "13955557777")
    agent.fill("#id_content", "停电三次，没有通知。")
    agent.click("[data-testid=save-draft]")
    agent.wait_for_selector("#order-detail[data-status=intake]")
    order = WorkOrder.objects.get()
    assert order.status == "intake"
    # then: edited from the order page, the form prefilled
    agent.click("[data-testid=edit-draft]")
    agent.wait_for_selector("[data-testid=draft-title]")
    assert agent.input_value("#id_phone") == "13955557777"
    assert agent.input_value("#id_content") == "停电三次，没有通知。"
    shot(agent, f"draft-edit-{language}")
    agent.click("[data-testid=submit]")  # the address and the demand are still missing
    agent.wait_for_selector("[data-testid=form-error]")
    assert agent.locator("#id_address-err").is_visible()
    shot(agent, f"draft-edit-errors-{language}")
    agent.fill("#id_address", "滨江市城东区人民路8号")
    agent.fill("#id_demand", "说明停电原因")
    agent.click("[data-testid=submit]")
    agent.wait_for_selector("#order-detail[data-status=classification]")
    assert WorkOrder.objects.get().status == "classification" and WorkOrder.objects.count() == 1


def test_a_draft_needs_a_phone_or_a_name(login):
    agent = login("agent", "en")
    agent.goto("/intake/")
    agent.fill("#id_content", "停电三次")
    agent.click("[data-testid=save-draft]")
    agent.wait_for_selector("[data-testid=form-error]")
    assert "phone number or name" in agent.inner_text("#id_phone-err")
    assert not WorkOrder.objects.exists()


def test_after_an_urge_alt_n_clears_the_form_for_the_next_call(login, build):
    order = build.register(phone="13912345678", account_no="3301234567")
    agent = login("agent")
    agent.goto("/intake/")
    agent.fill("#id_content", "半句话")
    agent.fill("#id_phone", "13912345678")
    agent.wait_for_selector("[data-testid=urge]")
    agent.click("[data-testid=urge]")
    agent.wait_for_selector("[data-testid=urged-next-call]")
    assert agent.evaluate("document.activeElement.dataset.testid") == "urged-next-call"
    shot(agent, "intake-urged")
    # when
    with agent.expect_navigation():
        agent.keyboard.press("Alt+n")
    # then
    assert agent.input_value("#id_phone") == "" and agent.input_value("#id_content") == ""
    assert WorkOrder.objects.get(pk=order.pk).urge_count == 1
