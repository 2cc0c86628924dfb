"""The issue's whole story in a real browser: intake → classify/assign → handle → review → callback."""

import re

import pytest

from complaints.models import Category
from workorders.models import WorkOrder

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def version(page):
    return int(page.get_attribute("#order-detail", "data-version"))


def act(page, code, fill=None, select=None, check=None):
    """Open an action's small form, fill it, submit it and wait for the HTMX swap."""
    before = version(page)
    details = page.locator(f"#order-detail details[data-action={code}]")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    for selector, value in (fill or {}).items():
        page.fill(selector, value)
    for selector, value in (select or {}).items():
        page.select_option(selector, value)
    for selector in check or []:
        page.check(selector)
    page.click(f"[data-testid=do-{code}]")
    page.wait_for_selector(f"#order-detail[data-version='{before + 1}']")
    assert page.locator("[data-testid=flash]").count() == 1
    # the keyboard goes on from the result message (focus moves there once htmx has settled)
    page.wait_for_function("document.activeElement && document.activeElement.dataset.testid === 'flash'")


def status(page):
    return page.get_attribute("#order-detail", "data-status")


def pick_category(page, prefix, code):
    cats = [Category.objects.get(code=code[:n]) for n in (2, 4, 6)]
    for level, cat in enumerate(cats, start=1):
        page.select_option(f"#{prefix}cat{level}", str(cat.pk))


def test_complaint_story_through_the_browser(login, live_server, depts):
    # 1. The agent logs the complaint while the customer is on the line.
    agent = login("agent")
    agent.goto("/intake/")
    agent.fill("#id_phone", "13911112222")
    agent.wait_for_selector("[data-testid=lookup-none]")
    agent.fill("#id_customer_name", "钱先生")
    agent.fill("#id_account_no", "3309998888")
    agent.fill("#id_address", "滨江市城西区和平路8号")
    pick_category(agent, "intake-", "040101")
    agent.fill("#id_content", "晚上电压偏低，灯光昏暗，冰箱无法启动。")
    agent.fill("#id_demand", "尽快解决低电压问题")
    agent.click("[data-testid=submit]")
    agent.wait_for_url(re.compile(r"/orders/\d+/$"))
    assert status(agent) == "classification"
    order = WorkOrder.objects.get(customer__account_no="3309998888")
    url = f"/orders/{order.pk}/"

    # 2. The dispatcher finds it in the queue, classifies and assigns it.
    dispatcher = login("dispatcher")
    dispatcher.goto("/")
    assert dispatcher.locator("[data-queue=classify] .badge").inner_text() == "1"
    dispatcher.click("[data-queue=classify]")
    dispatcher.click(f"text={order.tracking_no}")
    pick_category(dispatcher, "classify-category", "040101")
    act(dispatcher, "classify", select={"#classify-level": "general"})
    assert status(dispatcher) == "assignment"
    act(dispatcher, "assign", select={"#assign-department": str(depts["BJ-YJ"].pk)})
    assert status(dispatcher) == "processing"

    # 3. A handler of another department cannot open it.
    other = login("handler")
    assert other.goto(url).status == 404

    # 4. The handler accepts, records the contact and replies.
    handler = login("handler2")
    handler.goto(url)
    act(handler, "accept")
    act(handler, "contact", select={"#contact-method": "phone"}, fill={"#contact-comment": "已电话联系客户"})

    def reply(text):
        act(
            handler,
            "reply",
            fill={
                "#reply-cause": "台区变压器负载过重",
                "#reply-measures": "调整台区负荷",
                "#reply-reply": text,
            },
            select={
                "#reply-truthfulness": "true",
                "#reply-responsible_department": str(depts["BJ-YJ"].pk),
            },
        )
        assert status(handler) == "review"

    reply("已调整负荷，电压恢复正常")

    # 5. The supervisor rejects once, the handler replies again, the supervisor approves.
    supervisor = login("supervisor")
    supervisor.goto(url)
    act(supervisor, "reject", fill={"#reject-reason": "答复过于简单，请补充整改时间"})
    assert status(supervisor) == "processing"
    handler.goto(url)
    reply("已于3日内完成台区改造，电压恢复正常")
    supervisor.goto(url)
    act(supervisor, "approve", fill={"#approve-comment": "同意"})
    assert status(supervisor) == "callback"

    # 6. The agent calls back: the customer is not satisfied, the order returns to processing.
    agent.goto("/orders/?queue=callback")
    agent.click(f"text={order.tracking_no}")
    act(
        agent,
        "callback",
        check=["#callback-reached-yes"],
        select={
            "#callback-satisfaction": "unsatisfied",
            "#callback-dissatisfaction_reason": "process_not_done",
        },
        fill={"#callback-comment": "客户表示晚上电压仍然偏低"},
    )
    assert status(agent) == "processing"

    # 7. A second round closes the order satisfied.
    handler.goto(url)
    act(handler, "contact", select={"#contact-method": "visit"}, fill={"#contact-comment": "上门复测电压"})
    reply("已更换配变，复测电压正常")
    supervisor.goto(url)
    act(supervisor, "approve")
    agent.goto(url)
    act(agent, "callback", check=["#callback-reached-yes"], select={"#callback-satisfaction": "satisfied"})
    assert status(agent) == "closed"
    assert agent.locator("[data-testid=outcome]").inner_text() == "已解决"

    order.refresh_from_db()
    assert (order.status, order.satisfaction, order.reject_count, order.reopen_count) == (
        "closed",
        "satisfied",
        1,
        1,
    )
    timeline = [e.get_attribute("data-event") for e in agent.locator("[data-testid=timeline] li").all()]
    assert timeline == [
        "create",
        "submit",
        "classify",
        "assign",
        "accept",
        "contact",
        "reply",
        "reject",
        "reply",
        "approve",
        "callback",
        "contact",
        "reply",
        "approve",
        "callback",
    ]
