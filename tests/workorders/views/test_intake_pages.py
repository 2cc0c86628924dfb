"""The agent intake workbench: lookup, warnings, urge, draft, submit and failed submits."""

import pytest
from django.urls import reverse

from complaints.models import Category
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

VALID = {
    "phone": "13955556666",
    "account_no": "3305556666",
    "customer_name": "吴女士",
    "address": "滨江市城南区解放路3号",
    "channel": "phone_95598",
    "content": "表箱门损坏，存在安全隐患。",
    "demand": "尽快维修表箱",
    "external_ref": "",
}


def test_intake_page_for_agents_only(page_client_for):
    response = page_client_for("agent").get(reverse("complaints:intake"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>新建投诉" in body and "保存草稿" in body and "data-category-picker" in body
    assert '"code": "040101"' in body  # the category tree for the cascading picker
    assert f'hx-get="{reverse("complaints:lookup")}"' in body  # lookup as the agent types
    for username in ("dispatcher", "handler", "supervisor"):
        assert page_client_for(username).get(reverse("complaints:intake")).status_code == 403


def test_intake_in_english(page_client_for):
    body = page_client_for("agent", "en").get(reverse("complaints:intake")).content.decode()
    assert "New complaint" in body and "Save draft" in body and "新建投诉" not in body


def test_submit_registers_and_sends_for_classification(page_client_for):
    leaf = Category.objects.get(code="040101")
    response = page_client_for("agent").post(
        reverse("complaints:intake"), {**VALID, "category": leaf.pk, "submit": "1"}
    )
    order = WorkOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "workorders:detail", args=[order.pk]
    )
    assert order.status == "classification" and order.category == leaf
    assert order.complaint.content == VALID["content"]


def test_save_draft_then_submit_from_the_order_page(page_client_for):
    client = page_client_for("agent")
    response = client.post(reverse("complaints:intake"), {**VALID, "draft": "1"})
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.status == "intake"
    page = client.get(response["Location"]).content.decode()
    assert 'data-action="submit"' in page
    client.post(reverse("workorders:act", args=[order.pk, "submit"]), {"version": order.version})
    order.refresh_from_db()
    assert order.status == "classification"


def test_a_draft_needs_the_same_fields_as_the_api(page_client_for):
    response = page_client_for("agent").post(
        reverse("complaints:intake"), {**VALID, "content": "", "draft": "1"}
    )
    assert response.status_code == 400 and not WorkOrder.objects.exists()
    assert 'id="id_content-err"' in response.content.decode()


def test_failed_submit_keeps_every_field_and_marks_the_errors(page_client_for):
    data = {
        **VALID,
        "phone": "12345",
        "address": "",
        "upgrade_tendency": "on",
        "channel": "wechat",
        "submit": "1",
    }
    response = page_client_for("agent").post(reverse("complaints:intake"), data)
    body = response.content.decode()
    assert response.status_code == 400
    assert not WorkOrder.objects.exists()
    assert 'id="id_phone-err"' in body and 'id="id_address-err"' in body
    assert "表箱门损坏，存在安全隐患。</textarea>" in body
    assert 'value="12345"' in body and 'value="吴女士"' in body
    assert '<option value="wechat" selected>' in body
    assert 'id="id_upgrade_tendency" name="upgrade_tendency" checked' in body


def test_non_leaf_category_is_refused_beside_the_picker(page_client_for):
    parent = Category.objects.get(code="0401")
    response = page_client_for("agent").post(reverse("complaints:intake"), {**VALID, "category": parent.pk})
    assert response.status_code == 400
    assert "最末级分类" in response.content.decode()
    assert f'name="category" value="{parent.pk}"' in response.content.decode()


def test_lookup_shows_history_and_duplicate_warning_with_urge(page_client_for, order):
    client = page_client_for("agent")
    body = client.get(reverse("complaints:lookup"), {"phone": "139 1234 5678"}).content.decode()
    assert "张先生" in body and order.tracking_no in body
    assert 'data-testid="duplicate-warning"' in body
    assert reverse("complaints:urge", args=[order.pk]) in body
    by_account = client.get(reverse("complaints:lookup"), {"account_no": "3301234567"}).content.decode()
    assert order.tracking_no in by_account
    unknown = client.get(reverse("complaints:lookup"), {"phone": "13700000000"}).content.decode()
    assert 'data-testid="lookup-none"' in unknown
    short = client.get(reverse("complaints:lookup"), {"phone": "139"}).content.decode()
    assert 'data-testid="lookup-empty"' in short


def test_lookup_warns_of_a_repeat_after_a_recent_closure(page_client_for, order, build):
    build.do(order, "dismiss", "supervisor", reason="不成立")
    body = (
        page_client_for("agent").get(reverse("complaints:lookup"), {"phone": "13912345678"}).content.decode()
    )
    assert 'data-testid="repeat-warning"' in body and 'data-testid="duplicate-warning"' not in body


def test_one_click_urge_instead_of_a_duplicate(page_client_for, order):
    response = page_client_for("agent").post(
        reverse("complaints:urge", args=[order.pk]), {"version": order.version}, HTTP_HX_REQUEST="true"
    )
    order.refresh_from_db()
    assert response.status_code == 200 and order.urge_count == 1
    assert order.tracking_no in response.content.decode()
    assert order.events.filter(action="urge").count() == 1


def test_urge_with_a_stale_version_is_refused(page_client_for, order):
    client = page_client_for("agent")
    client.post(reverse("complaints:urge", args=[order.pk]), {"version": order.version})
    response = client.post(reverse("complaints:urge", args=[order.pk]), {"version": order.version})
    order.refresh_from_db()
    assert order.urge_count == 1 and "alert-danger" in response.content.decode()
