"""An administrator's edit of an order's risk flags goes through ``workorder_flags_set``: the flags
change, one ``flags_changed`` event says who changed what, and nothing the lifecycle owns moves."""

import pytest
from django.urls import reverse

from workorders.models import WorkOrderEvent
from workorders.services import workorder_flags_set

pytestmark = pytest.mark.django_db


def _change_page(client, order):
    """The change URL and the inline management forms a browser would post back."""
    url = reverse("admin:workorders_workorder_change", args=[order.pk])
    response = client.get(url)
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        mgmt = formset.formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{mgmt.prefix}-{name}"] = mgmt[name].value()
    return url, data


def test_admin_flag_edit_writes_a_flags_changed_event(client, users, build):
    # given an order in processing, neither sensitive nor a key customer's, on the admin's change page
    order = build.order("processing")
    assert not order.is_sensitive and not order.is_key_customer
    before = (order.status, order.version, order.level)
    client.force_login(users["admin"])
    url, data = _change_page(client, order)

    # when the administrator ticks "sensitive" and saves
    response = client.post(url, {**data, "is_sensitive": "on"})

    # then the flag is set and one event records the change and who made it; the state is untouched
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.is_sensitive and not order.is_key_customer
    event = WorkOrderEvent.objects.get(order=order, action="flags_changed")
    assert event.actor == users["admin"]
    assert event.payload == {"from": {"is_sensitive": False}, "to": {"is_sensitive": True}}
    assert event.from_status == event.to_status == order.status
    assert (order.status, order.version, order.level) == before


def test_admin_save_without_a_flag_change_writes_no_event(client, users, build):
    # given an order on the admin's change page
    order = build.order("processing")
    client.force_login(users["admin"])
    url, data = _change_page(client, order)

    # when the administrator saves without changing anything
    response = client.post(url, data)

    # then no event is written
    assert response.status_code == 302
    assert not WorkOrderEvent.objects.filter(order=order, action="flags_changed").exists()


def test_flags_set_refuses_a_field_the_lifecycle_owns(users, build):
    # given an order
    order = build.order("processing")

    # when asked to set a flag no administrator may type in
    with pytest.raises(ValueError):
        workorder_flags_set(order_id=order.pk, actor=users["admin"], flags={"is_overdue": True})

    # then nothing is written
    order.refresh_from_db()
    assert not order.is_overdue
    assert not WorkOrderEvent.objects.filter(order=order, action="flags_changed").exists()
