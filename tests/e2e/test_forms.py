"""Browser checks: typed text survives errors, the language switch, confirmations, stale versions."""

import pytest

from workorders.models import WorkOrder

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_failed_intake_keeps_every_field_and_shows_errors_beside_them(login):
    agent = login("agent")
    agent.goto("/intake/")
    agent.fill("#id_phone", "12345")  # not a phone number
    agent.fill("#id_customer_name", "吴女士")
    agent.fill("#id_content", "表箱门损坏，存在安全隐患，已经反映三次。")
    agent.fill("#id_demand", "尽快维修表箱")
    agent.select_option("#id_channel", "wechat")
    agent.check("#id_upgrade_tendency")
    agent.click("[data-testid=submit]")  # the address is missing too
    agent.wait_for_selector("[data-testid=form-error]")
    assert agent.input_value("#id_content") == "表箱门损坏，存在安全隐患，已经反映三次。"
    assert agent.input_value("#id_demand") == "尽快维修表箱"
    assert agent.input_value("#id_customer_name") == "吴女士"
    assert agent.input_value("#id_phone") == "12345"
    assert agent.input_value("#id_channel") == "wechat"
    assert agent.is_checked("#id_upgrade_tendency")
    assert agent.locator("#id_phone-err").is_visible()
    assert agent.locator("#id_address-err").is_visible()
    assert agent.locator("#id_content.is-invalid").count() == 0
    assert not WorkOrder.objects.exists()
    # With the phone fixed, the keyboard lands on the address, the first field still wrong.
    agent.fill("#id_phone", "13955556666")
    with agent.expect_navigation():
        agent.click("[data-testid=submit]")
    agent.wait_for_selector("[data-testid=form-error]")
    assert agent.evaluate("document.activeElement.id") == "id_address"
    agent.keyboard.type("滨江市城南区解放路3号")
    agent.click("[data-testid=submit]")
    agent.wait_for_selector("#order-detail[data-status=classification]")
    assert WorkOrder.objects.get().complaint.content == "表箱门损坏，存在安全隐患，已经反映三次。"


def test_failed_action_keeps_the_typed_text(login, build):
    order = build.register(
        channel="phone_95598",
        phone="13912345678",
        address="滨江市城东区幸福路12号",
        content="电压低",
        demand="解决",
    )
    page = login("dispatcher")
    page.goto(f"/orders/{order.pk}/")
    page.select_option("#classify-level", "major")
    page.select_option("#classify-channel", "wechat")
    page.click("[data-testid=do-classify]")  # no category chosen
    page.wait_for_selector("[data-testid=flash]")
    assert page.locator("details[data-action=classify] .invalid-feedback").count() == 1
    assert page.input_value("#classify-level") == "major"
    assert page.input_value("#classify-channel") == "wechat"
    assert page.get_attribute("#order-detail", "data-status") == "classification"


def test_destructive_action_asks_first(login, build):
    order = build.register(
        channel="phone_95598",
        phone="13912345678",
        address="滨江市城东区幸福路12号",
        content="电压低",
        demand="解决",
    )
    page = login("supervisor")
    page.goto(f"/orders/{order.pk}/")
    page.locator("details[data-action=dismiss] summary").click()
    page.fill("#dismiss-reason", "客户误报，非供电问题")
    answers = []

    def dismiss_dialog(dialog):
        answers.append(dialog.message)
        dialog.dismiss()

    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.once("dialog", dismiss_dialog)
    page.click("[data-testid=do-dismiss]")
    page.evaluate("1")  # one round trip to the page after the click was handled
    assert answers and "不予受理" in answers[0]
    assert posts == []
    order.refresh_from_db()
    assert order.status == "classification"
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("[data-testid=do-dismiss]")
    page.wait_for_selector("#order-detail[data-status=closed]")


def test_stale_version_shows_a_clear_message_and_the_fresh_order(login, build):
    order = build.register(
        channel="phone_95598",
        phone="13912345678",
        address="滨江市城东区幸福路12号",
        content="电压低",
        demand="解决",
    )
    page = login("agent")
    page.goto(f"/orders/{order.pk}/")
    page.locator("details[data-action=note] summary").click()
    page.fill("#note-comment", "客户再次来电")
    build.do(order, "urge", "agent", comment="催办")
    page.click("[data-testid=do-note]")
    page.wait_for_selector("[data-testid=flash].alert-warning")
    assert "他人修改" in page.inner_text("[data-testid=flash]")
    assert page.get_attribute("#order-detail", "data-version") == str(order.version + 1)
    assert page.input_value("#note-comment") == "客户再次来电"  # still typed, ready to resend
    page.click("[data-testid=do-note]")
    page.wait_for_selector(f"#order-detail[data-version='{order.version + 2}']")
    assert "客户再次来电" in page.inner_text("[data-testid=notes]")


def test_language_switch(login):
    page = login("dispatcher")
    assert page.inner_text("html").count("工单") > 0
    page.select_option("#language-select", "en")
    page.wait_for_selector("html[lang=en]")
    assert "Work orders" in page.inner_text("nav.app-navbar")
    assert "To classify" in page.inner_text("[data-testid=queues]")
    page.goto("/orders/")
    assert page.title().startswith("Work orders")
    page.select_option("#language-select", "zh-hans")
    page.wait_for_selector("html[lang=zh-hans]")
    assert "待分类" in page.inner_text("[data-testid=queues]")


def test_known_customer_lookup_fills_the_form_and_urges_in_one_click(login, build):
    order = build.register(
        channel="phone_95598",
        customer_name="郑先生",
        phone="13912345678",
        account_no="3301234567",
        address="滨江市城东区幸福路12号",
        content="电压低",
        demand="解决",
    )
    page = login("agent")
    page.goto("/intake/")
    # the phone field has the focus (waited for: a loaded machine may apply it after "load")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_phone'")
    page.keyboard.type("13912345678")
    page.wait_for_selector("[data-testid=duplicate-warning]")
    assert order.tracking_no in page.inner_text("#customer-panel")
    page.click("[data-fill-customer]")
    assert page.input_value("#id_customer_name") == "郑先生"
    assert page.input_value("#id_address") == "滨江市城东区幸福路12号"
    assert page.input_value("#id_account_no") == "3301234567"
    page.click("[data-testid=urge]")
    page.wait_for_selector("[data-testid=urged]")
    order.refresh_from_db()
    assert order.urge_count == 1 and WorkOrder.objects.count() == 1


def test_intake_with_the_keyboard_alone(login):
    page = login("agent")
    page.goto("/intake/")
    keys = page.keyboard
    keys.type("13966667777")  # the phone field has the focus
    page.wait_for_selector("[data-testid=lookup-none]")  # the lookup answered: a new customer
    for text in ("3306667777", "冯先生", "滨江市城北区人民路1号"):
        keys.press("Tab")
        keys.type(text)
    keys.press("Tab")  # channel: keep 95598 phone
    for level in (1, 2, 3):  # the three category selects: the first entry of each
        keys.press("Tab")
        assert page.evaluate("document.activeElement.id") == f"intake-cat{level}"
        keys.press("ArrowDown")
        if level < 3:
            page.wait_for_selector(f"#intake-cat{level + 1}:not([disabled])")
    keys.press("Tab")
    keys.type("抄表员多次未按时抄表，电费估抄。")
    keys.press("Tab")
    keys.type("按实际读数重新核算电费")
    keys.press("Control+Enter")
    page.wait_for_selector("#order-detail[data-status=classification]")
    order = WorkOrder.objects.get(customer__account_no="3306667777")
    assert order.category.code == "010101" and order.complaint.demand == "按实际读数重新核算电费"
