"""The list's compiled representation (config.representation) gives exactly what DRF's own
``to_representation`` gives: every field, in order, for orders in every state, for a user who sees
the contact data and one who sees it masked, in Chinese and in English."""

import pytest
from django.utils import translation
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from workorders.selectors import workorder_list
from workorders.serializers import WorkOrderDetailSerializer, WorkOrderSerializer

pytestmark = pytest.mark.django_db


def request_as(user):
    request = Request(APIRequestFactory().get("/api/v1/workorders/"))
    request.user = user
    return request


@pytest.fixture
def orders(build):
    made = [
        build.order("intake", phone="13900000801", account_no="3300000801"),
        build.order("classification", phone="13900000802", account_no="3300000802"),
        build.order("processing", phone="13900000803", account_no="3300000803", level="important"),
        build.order("review", phone="13900000804", account_no="3300000804"),
        build.order("closed", phone="13900000805", account_no="3300000805", channel="wechat"),
    ]
    return [o.pk for o in made]


@pytest.mark.parametrize("who", ["manager", "supervisor", "handler2"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_compiled_list_representation_is_drfs(orders, users, who, language):
    user = users[who]
    page = list(workorder_list(user).filter(pk__in=orders).order_by("pk"))
    assert page, who
    with translation.override(language):
        serializer = WorkOrderSerializer(page, many=True, context={"request": request_as(user)})
        compiled = serializer.data
        child = serializer.child
        reference = [child.drf_representation(order) for order in page]
    assert [list(row) for row in compiled] == [list(row) for row in reference]
    for fast, drf in zip(compiled, reference, strict=True):
        assert dict(fast) == dict(drf), {k: (fast[k], drf[k]) for k in drf if fast[k] != drf[k]}
    # what the comparison covers: dates, labels in the language, nested references, masking
    closed = next(row for row in compiled if row["status"] == "closed")
    assert closed["closed_at"] and closed["category"]["name"] and closed["unit"]["name"]
    assert closed["status_display"] == ("Closed" if language == "en" else "已办结")
    processing = next(row for row in compiled if row["status"] == "processing")
    assert ("*" in closed["phone"]) == (who == "handler2") and "*" not in processing["phone"]


def test_the_detail_keeps_drfs_own_fields_for_attachments(orders, users):
    user = users["manager"]
    order = workorder_list(user).get(pk=orders[2])
    serializer = WorkOrderDetailSerializer(order, context={"request": request_as(user)})
    assert serializer.data == serializer.drf_representation(order)
    assert serializer.data["available_actions"] and serializer.data["attachments"] == []


def test_the_detail_plan_is_built_once_and_binds_its_nested_lists_per_serializer(build, orders, users):
    # given: an order with an attachment and an extension request, seen by two users
    from django.core.files.uploadedfile import SimpleUploadedFile

    from config.representation import _PLANS
    from workorders.models import ExtensionRequest

    order = build.order("processing", phone="13900000806", account_no="3300000806")
    order.attachments.create(
        file=SimpleUploadedFile("photo.jpg", b"x"),
        original_name="photo.jpg",
        size=1,
        content_type="image/jpeg",
        uploaded_by=users["handler2"],
    )
    ExtensionRequest.objects.create(
        order=order, requested_by=users["handler2"], requested_due_at=order.received_at, reason="等待停电计划"
    )
    _PLANS.pop(WorkOrderDetailSerializer, None)
    for n, who in enumerate(["manager", "supervisor", "manager"]):
        user = users[who]
        fresh = workorder_list(user).get(pk=order.pk)
        # when
        serializer = WorkOrderDetailSerializer(fresh, context={"request": request_as(user)})
        data = serializer.data
        # then: after the first, no serializer builds all its fields (only its nested lists)
        assert WorkOrderDetailSerializer in _PLANS
        assert n == 0 or "fields" not in serializer.__dict__
        # and the output is DRF's own, the nested lists included
        assert data == serializer.drf_representation(fresh)
        assert [a["original_name"] for a in data["attachments"]] == ["photo.jpg"]
        assert [e["reason"] for e in data["extension_requests"]] == ["等待停电计划"]


def _steady(rows):
    """Deadline entries without what moves with the clock between two reads."""
    return [{k: v for k, v in r.items() if k not in ("seconds_left", "paused_seconds")} for r in rows]


def test_a_list_pages_deadlines_read_as_values_are_the_detail_pages(build, users):
    """The list reads a page's deadline rows as values (``DeadlineRow``), the detail as model
    instances: every deadline entry and the late stages come out the same."""
    from datetime import timedelta

    from django.utils import timezone

    from workorders.models import Deadline, WorkOrder

    late = build.order("processing", phone="13900000811", account_no="3300000811")
    held = build.order("processing", phone="13900000812", account_no="3300000812")
    # a running clock found overdue an hour ago, and a reply clock held since yesterday
    now = timezone.now()
    row = late.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True).order_by("due_at").first()
    Deadline.objects.filter(pk=row.pk).update(due_at=now - timedelta(hours=1), breached_at=now)
    Deadline.objects.filter(order=held, stage="reply").update(held_since=now - timedelta(days=1))
    user = users["manager"]
    context = {"request": request_as(user)}
    page = list(workorder_list(user).filter(pk__in=[late.pk, held.pk]).order_by("pk"))
    listed = WorkOrderSerializer(page, many=True, context=context).data
    for order, entry in zip(page, listed, strict=True):
        one = WorkOrderDetailSerializer(WorkOrder.objects.get(pk=order.pk), context=context).data
        assert entry["deadlines"] and _steady(entry["deadlines"]) == _steady(one["deadlines"])
        assert entry["late_stages"] == one["late_stages"]
    assert listed[0]["late_stages"]["overdue"] == [row.stage]  # the breached row is overdue now
    assert any(d["state"] == "paused" for d in listed[1]["deadlines"])
