"""The admin: every model renders with bounded queries, events are read-only, lifecycle actions use perform
(the demo orders they show are seeded small: ``seed_orders(count=30)``)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from complaints.models import Category, Complaint, Customer, IdempotencyKey
from workorders.demo.orders import seed_orders
from workorders.models import (
    Assignment,
    Attachment,
    ExtensionRequest,
    Level,
    Status,
    WorkOrder,
    WorkOrderEvent,
)

pytestmark = pytest.mark.django_db

MODELS = [
    Category,
    Customer,
    Complaint,
    IdempotencyKey,
    WorkOrder,
    WorkOrderEvent,
    Assignment,
    ExtensionRequest,
    Attachment,
]


@pytest.fixture
def data(users, build, settings, tmp_path):
    """Thirty demo orders in all states, plus an attachment and a stored idempotency answer."""
    settings.MEDIA_ROOT = tmp_path
    seed_orders(count=30)
    order = WorkOrder.objects.filter(status=Status.PROCESSING).first()
    if not ExtensionRequest.objects.exists():
        contacted = WorkOrder.objects.filter(status=Status.PROCESSING, first_contact_at__isnull=False).first()
        build.do(
            contacted,
            "request_extension",
            contacted.assignee,
            requested_due_at=timezone.now() + timedelta(days=3),
            reason="需协调市政部门办理道路开挖许可",
            basis="道路开挖许可申请",
        )
    build.do(
        order,
        "attach",
        "agent",
        file=SimpleUploadedFile("现场照片.jpg", b"\xff\xd8\xff", content_type="image/jpeg"),
        comment="现场照片",
    )
    IdempotencyKey.objects.create(
        user=users["agent"],
        key="k-1",
        request_hash="0" * 64,
        response_status=201,
        response_body={"id": 1, "tracking_no": "2026112300000001"},
    )
    return users


@pytest.fixture
def admin_client(client, data):
    client.force_login(data["admin"])
    return client


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_renders_with_bounded_queries(admin_client, model, django_assert_max_num_queries):
    assert model.objects.exists()
    with django_assert_max_num_queries(12):  # not one query per row: there are dozens of rows
        response = admin_client.get(_url(model, "changelist"))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 1


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_page_renders_with_bounded_queries(admin_client, model, django_assert_max_num_queries):
    # the busiest object: the order with the most events, or any row
    if model is WorkOrder:
        obj = max(WorkOrder.objects.all(), key=lambda o: o.events.count())
        assert obj.events.count() >= 8
    else:
        obj = model.objects.order_by("pk").last()
    with django_assert_max_num_queries(12):  # inlines included
        response = admin_client.get(_url(model, "change", obj.pk))
    assert response.status_code == 200


def test_changelist_search_finds_by_tracking_number_phone_and_account(admin_client):
    order = WorkOrder.objects.select_related("customer").filter(complaint__account_no__gt="").first()
    for term in (order.tracking_no, order.customer.phone, order.customer.account_no):
        response = admin_client.get(_url(WorkOrder, "changelist"), {"q": term})
        assert order in response.context["cl"].result_list, term
    response = admin_client.get(_url(Complaint, "changelist"), {"q": order.tracking_no})
    assert list(response.context["cl"].result_list) == [order.complaint]


def test_changelist_filters_by_first_level_category(admin_client):
    response = admin_client.get(_url(WorkOrder, "changelist"), {"l1": "04"})
    shown = list(response.context["cl"].result_list)
    assert shown and all(o.category.code.startswith("04") for o in shown)
    customer = Customer.objects.filter(workorders__isnull=False).first()
    response = admin_client.get(_url(Customer, "changelist"), {"q": customer.account_no})
    assert [c._order_count for c in response.context["cl"].result_list] == [customer.workorders.count()]


def test_event_admin_refuses_add_change_and_delete(admin_client):
    event = WorkOrderEvent.objects.order_by("pk").first()
    before = (event.action, event.payload, WorkOrderEvent.objects.count())

    assert admin_client.get(_url(WorkOrderEvent, "add")).status_code == 403
    response = admin_client.post(
        _url(WorkOrderEvent, "change", event.pk), {"action": "forged", "payload": "{}"}
    )
    assert response.status_code == 403
    assert admin_client.post(_url(WorkOrderEvent, "delete", event.pk), {"post": "yes"}).status_code == 403
    response = admin_client.post(
        _url(WorkOrderEvent, "changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    event.refresh_from_db()
    assert (event.action, event.payload, WorkOrderEvent.objects.count()) == before

    # the change page is a read-only view, and the order's page shows the events inline, read-only
    page = admin_client.get(_url(WorkOrderEvent, "change", event.pk)).content.decode()
    assert 'name="action"' not in page
    page = admin_client.get(_url(WorkOrder, "change", event.order_id)).content.decode()
    assert 'name="events-0-action"' not in page and 'name="events-0-payload"' not in page
    assert re.search(r'<td class="field-action">\s*<p>create</p>', page)


def test_order_status_cannot_be_edited_in_the_admin(admin_client):
    order = WorkOrder.objects.filter(status=Status.PROCESSING).first()
    response = admin_client.get(_url(WorkOrder, "change", order.pk))
    form = response.context["adminform"].form
    assert "status" not in form.fields and "level" not in form.fields and "outcome" not in form.fields
    assert set(form.fields) == {"is_key_customer", "is_sensitive", "upgrade_tendency"}

    response = admin_client.post(
        _url(WorkOrder, "change", order.pk),
        {
            "status": "closed",
            "level": "special",
            "outcome": "resolved",
            "is_sensitive": "on",
            **_empty_inline_forms(response),
        },
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.PROCESSING and order.outcome == "" and order.is_sensitive
    assert admin_client.get(_url(WorkOrder, "add")).status_code == 403


def test_complaint_text_can_be_corrected_but_not_its_classification(admin_client):
    complaint = Complaint.objects.filter(category__isnull=False).select_related("workorder").first()
    other = Category.objects.filter(level=3).exclude(pk=complaint.category_id).first()
    response = admin_client.get(_url(Complaint, "change", complaint.pk))
    assert "category" not in response.context["adminform"].form.fields
    data = {
        name: field.value() or ""
        for name, field in (
            (n, response.context["adminform"].form[n]) for n in response.context["adminform"].form.fields
        )
    }
    data.update(content="客户反映电压偏低（更正错别字）", category=other.pk)
    for flag in ("is_anonymous", "is_confidential", "upgrade_tendency"):
        data.pop(flag) if not data[flag] else data.update({flag: "on"})
    assert admin_client.post(_url(Complaint, "change", complaint.pk), data).status_code == 302
    complaint.refresh_from_db()
    assert complaint.content == "客户反映电压偏低（更正错别字）"
    assert complaint.category_id == complaint.workorder.category_id != other.pk


def _empty_inline_forms(response):
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        mgmt = formset.formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{mgmt.prefix}-{name}"] = mgmt[name].value()
    return data


@pytest.fixture
def staff_supervisor(client, data):
    """The demo supervisor with admin-site access and the right to change orders."""
    user = data["supervisor"]
    user.is_staff = True
    user.save()
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="workorders", codename__in=["view_workorder", "change_workorder"]
        )
    )
    client.force_login(user)
    return client


def test_admin_escalate_goes_through_the_lifecycle(staff_supervisor, data):
    order = WorkOrder.objects.filter(status=Status.PROCESSING, level=Level.GENERAL).first()
    version, events = order.version, order.events.count()

    response = staff_supervisor.post(
        _url(WorkOrder, "changelist"),
        {"action": "lifecycle_escalate", "_selected_action": [order.pk]},
        follow=True,
    )

    order.refresh_from_db()
    assert order.level == Level.IMPORTANT and order.is_escalated
    assert order.version == version + 1 and order.events.count() == events + 1
    last = order.events.order_by("-id").first()
    assert (last.action, last.actor, last.from_status, last.to_status) == (
        "escalate",
        data["supervisor"],
        "processing",
        "processing",
    )
    messages = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert [tag for tag, _text in messages] == ["success"]
    assert order.tracking_no in messages[0][1]


def test_admin_action_reports_each_refusal_and_changes_nothing(staff_supervisor, data):
    open_order = WorkOrder.objects.filter(status=Status.REVIEW).first()
    closed = WorkOrder.objects.filter(status=Status.CLOSED).first()
    before = {o.pk: (o.version, o.events.count(), o.status) for o in (open_order, closed)}

    response = staff_supervisor.post(
        _url(WorkOrder, "changelist"),
        {"action": "lifecycle_approve", "_selected_action": [open_order.pk, closed.pk]},
        follow=True,
    )

    messages = {
        re.split("[:：]", str(m))[0]: (m.level_tag, str(m)) for m in get_messages(response.wsgi_request)
    }
    assert messages[open_order.tracking_no][0] == "success"
    assert messages[closed.tracking_no][0] == "error"
    open_order.refresh_from_db()
    closed.refresh_from_db()
    assert open_order.status == Status.CALLBACK and open_order.version == before[open_order.pk][0] + 1
    assert (closed.version, closed.events.count(), closed.status) == before[closed.pk]


def test_admin_action_by_a_user_without_the_role_is_refused(admin_client, data):
    """The superuser holds only the admin role: the lifecycle's role rule refuses, with its message."""
    order = WorkOrder.objects.filter(status=Status.PROCESSING).first()
    version = order.version
    response = admin_client.post(
        _url(WorkOrder, "changelist"),
        {"action": "lifecycle_escalate", "_selected_action": [order.pk]},
        follow=True,
    )
    messages = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    assert len(messages) == 1 and messages[0][0] == "error" and order.tracking_no in messages[0][1]
    order.refresh_from_db()
    assert order.version == version


def test_event_admin_permissions_are_off_for_everyone(rf, data):
    from django.contrib import admin

    request = rf.get("/")
    request.user = data["admin"]
    model_admin = admin.site._registry[WorkOrderEvent]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
