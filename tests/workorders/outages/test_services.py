"""Outage suggestion, linking and bulk handling (workorders.outages.services)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from config.errors import DomainError
from workorders.models import WorkOrderEvent
from workorders.outages.models import OutageEvent, OutageLink
from workorders.outages.selectors import orders_matching_outage, outages_for_complaint
from workorders.outages.services import outage_bulk, outage_create, outage_link

pytestmark = pytest.mark.django_db


def test_suggestion_matches_area_and_window_and_nothing_else(outage):
    # given
    now = timezone.now()
    # when / then: a place in the address, in the window
    found = outages_for_complaint(address="城东区幸福路8号", content="突然停电", received_at=now)
    assert [o.pk for o, _score in found] == [outage.pk]
    # a place in the content counts too, both places score 2
    [(_o, score)] = outages_for_complaint(address="某小区", content="幸福路和光明街都没电", received_at=now)
    assert score == 2
    # no place named: nothing
    assert outages_for_complaint(address="城西区和平路1号", content="停电", received_at=now) == []
    # two hours before the start still counts; three hours before does not
    assert outages_for_complaint(
        address="幸福路", content="", received_at=outage.started_at - timedelta(hours=1)
    )
    assert not outages_for_complaint(
        address="幸福路", content="", received_at=outage.started_at - timedelta(hours=3)
    )
    # a day after the expected restore still counts; later does not
    end = outage.expected_restore_at
    assert outages_for_complaint(address="幸福路", content="", received_at=end + timedelta(hours=23), now=now)
    assert not outages_for_complaint(
        address="幸福路", content="", received_at=end + timedelta(hours=25), now=now
    )


def test_restored_at_closes_the_window_before_the_expected_time(outage):
    outage.restored_at = outage.started_at + timedelta(minutes=30)
    outage.save()
    late = outage.restored_at + timedelta(hours=25)
    assert late < outage.expected_restore_at + timedelta(hours=24)
    assert not outages_for_complaint(address="幸福路", content="", received_at=late)


def test_orders_matching_outage_finds_registered_complaints_in_the_window_only(build, outage):
    # given
    inside = build.register(address="城东区幸福路3号", content="停电了")
    elsewhere = build.register(address="城西区和平路1号", content="停电了")
    too_early = build.register(outage.started_at - timedelta(hours=5), address="幸福路5号", content="停电")
    # when
    ids = [pk for pk, _score in orders_matching_outage(outage)]
    # then
    assert inside.pk in ids
    assert elsewhere.pk not in ids and too_early.pk not in ids


def test_outage_create_records_suggestions_unconfirmed(build, users):
    order = build.register(address="城东区朝阳路9号", content="停电")
    now = timezone.now()
    outage, created = outage_create(
        actor=users["dispatcher"], area="朝阳路", started_at=now - timedelta(hours=1), cause="检修"
    )
    assert created
    link = OutageLink.objects.get(outage=outage, order=order)
    assert link.confirmed is False and link.suggested_score == 1


def test_outage_create_with_the_same_external_ref_is_the_same_outage(users):
    now = timezone.now()
    first, created = outage_create(
        actor=users["dispatcher"], area="幸福路", started_at=now, external_ref="DMS-1", source="api"
    )
    again, created_again = outage_create(
        actor=users["dispatcher"],
        area="幸福路",
        started_at=now,
        external_ref="DMS-1",
        expected_restore_at=now + timedelta(hours=4),
        source="api",
    )
    assert created and not created_again and first.pk == again.pk
    assert OutageEvent.objects.filter(external_ref="DMS-1").count() == 1
    again.refresh_from_db()
    assert again.expected_restore_at == now + timedelta(hours=4)


def test_only_dispatchers_enter_outages(users):
    with pytest.raises(DomainError) as exc:
        outage_create(actor=users["handler2"], area="幸福路", started_at=timezone.now())
    assert exc.value.code == "permission_denied"


def test_linking_is_idempotent(build, users, outage):
    # given
    order = build.register(address="幸福路1号", content="停电")
    # when
    first = outage_link(actor=users["dispatcher"], outage=outage, order_ids=[order.pk])
    second = outage_link(actor=users["dispatcher"], outage=outage, order_ids=[order.pk, order.pk])
    # then
    assert first.linked == [order.pk] and second.linked == [] and second.already == [order.pk]
    assert OutageLink.objects.filter(outage=outage, order=order, confirmed=True).count() == 1


def test_linking_confirms_a_stored_suggestion(build, users, outage):
    order = build.register(address="幸福路1号", content="停电")
    OutageLink.objects.create(outage=outage, order=order, linked_at=timezone.now(), confirmed=False)
    result = outage_link(actor=users["dispatcher"], outage=outage, order_ids=[order.pk])
    assert result.linked == [order.pk]
    assert OutageLink.objects.get(outage=outage, order=order).confirmed


def test_linking_an_unknown_order_is_refused_alone(build, users, outage):
    order = build.register(address="幸福路1号", content="停电")
    result = outage_link(actor=users["dispatcher"], outage=outage, order_ids=[999999, order.pk])
    assert result.linked == [order.pk]
    assert result.refused == [{"id": 999999, "code": "not_found", "detail": result.refused[0]["detail"]}]


def _linked(build, users, outage, states):
    orders = [build.order(state, address=f"幸福路{i}号", content="停电") for i, state in enumerate(states)]
    outage_link(actor=users["dispatcher"], outage=outage, order_ids=[o.pk for o in orders])
    return orders


def test_bulk_assign_writes_one_event_per_order_and_reports_refusals(build, users, depts, outage):
    # given: two orders waiting for assignment, one already in processing
    a, b, busy = _linked(build, users, outage, ["assignment", "assignment", "processing"])
    before = {o.pk: WorkOrderEvent.objects.filter(order=o).count() for o in (a, b, busy)}
    # when
    result, replayed = outage_bulk(
        actor=users["dispatcher"],
        outage=outage,
        action="assign",
        order_ids=[a.pk, b.pk, busy.pk],
        data={"department": depts["BJ-CD"].pk},
    )
    # then
    assert not replayed
    assert [r["id"] for r in result["succeeded"]] == [a.pk, b.pk]
    assert [(r["id"], r["code"]) for r in result["refused"]] == [(busy.pk, "illegal_transition")]
    for order in (a, b):
        order.refresh_from_db()
        assert order.status == "processing" and order.department == depts["BJ-CD"]
        events = WorkOrderEvent.objects.filter(order=order)
        assert events.count() == before[order.pk] + 1
        assert events.order_by("-pk").first().action == "assign"
    assert WorkOrderEvent.objects.filter(order=busy).count() == before[busy.pk]


def test_a_repeated_bulk_request_acts_once(build, users, depts, outage):
    [a] = _linked(build, users, outage, ["assignment"])
    kwargs = {
        "actor": users["dispatcher"],
        "outage": outage,
        "action": "assign",
        "order_ids": [a.pk],
        "data": {"department": depts["BJ-CD"].pk},
        "key": "k-1",
    }
    first, replayed_first = outage_bulk(**kwargs)
    second, replayed_second = outage_bulk(**kwargs)
    assert not replayed_first and replayed_second
    assert second == first
    assert WorkOrderEvent.objects.filter(order=a, action="assign").count() == 1


def test_bulk_close_approves_replies_in_review_one_event_each_and_nothing_else(build, users, outage):
    # given
    r1, r2, processing = _linked(build, users, outage, ["review", "review", "processing"])
    # when
    result, _ = outage_bulk(
        actor=users["supervisor"], outage=outage, action="close", order_ids=None, data={"text": "同意答复"}
    )
    # then
    assert sorted(r["id"] for r in result["succeeded"]) == [r1.pk, r2.pk]
    assert [r["id"] for r in result["refused"]] == [processing.pk]
    for order in (r1, r2):
        order.refresh_from_db()
        assert order.status == "callback"  # the callback stays a real call, never faked
        ev = WorkOrderEvent.objects.filter(order=order, action="approve")
        assert ev.count() == 1 and ev.get().payload["comment"] == "同意答复"


def test_bulk_reply_is_the_handlers_and_keeps_the_lifecycle_rules(build, users, depts, outage):
    contacted, accepted = _linked(build, users, outage, ["processing", "processing"])
    # one more only accepted: the reply needs the first contact
    accepted2 = build.order("processing", stage="accepted", address="幸福路99号", content="停电")
    outage_link(actor=users["dispatcher"], outage=outage, order_ids=[accepted2.pk])
    data = {
        "text": "因10kV线路故障停电，已于今日恢复供电。",
        "measures": "抢修线路",
        "truthfulness": "true",
        "responsible_department": depts["BJ-YJ"].pk,
    }
    with pytest.raises(DomainError):  # a dispatcher may not reply
        outage_bulk(actor=users["dispatcher"], outage=outage, action="reply", order_ids=None, data=data)
    result, _ = outage_bulk(actor=users["handler2"], outage=outage, action="reply", order_ids=None, data=data)
    ok = {r["id"] for r in result["succeeded"]}
    assert {contacted.pk, accepted.pk} <= ok
    assert [(r["id"], r["code"]) for r in result["refused"]] == [(accepted2.pk, "not_contacted")]
    contacted.refresh_from_db()
    assert (
        contacted.status == "review" and contacted.reply == data["text"] and contacted.cause == "10kV线路故障"
    )


def test_a_handler_cannot_act_on_another_departments_orders_through_the_outage(build, users, depts, outage):
    # given: one order of BJ-YJ (handler2's) and one of BJ-YX (handler's), both linked
    mine = build.order("processing", address="幸福路1号", content="停电")
    theirs = build.order(
        "processing", department="BJ-YX", handler="handler", address="幸福路2号", content="停电"
    )
    outage_link(actor=users["dispatcher"], outage=outage, order_ids=[mine.pk, theirs.pk])
    data = {"text": "已恢复", "measures": "抢修", "truthfulness": "not_true"}
    # when
    result, _ = outage_bulk(
        actor=users["handler2"], outage=outage, action="reply", order_ids=[mine.pk, theirs.pk], data=data
    )
    # then
    assert [r["id"] for r in result["succeeded"]] == [mine.pk]
    assert result["refused"][0]["id"] == theirs.pk and result["refused"][0]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.status == "processing"


def test_bulk_acts_only_on_confirmed_links(build, users, depts, outage):
    order = build.order("assignment", address="幸福路1号", content="停电")
    OutageLink.objects.create(outage=outage, order=order, linked_at=timezone.now(), confirmed=False)
    result, _ = outage_bulk(
        actor=users["dispatcher"],
        outage=outage,
        action="assign",
        order_ids=[order.pk],
        data={"department": depts["BJ-CD"].pk},
    )
    assert result["succeeded"] == [] and result["refused"][0]["code"] == "not_found"


def test_seed_outages_is_idempotent(users):
    from workorders.outages.demo import seed_outages

    first = seed_outages()
    second = seed_outages()
    assert first == second == {"outages": 2, "linked": 12}
    planned = OutageEvent.objects.get(external_ref="DEMO-DMS-0002")
    assert planned.links.filter(confirmed=False).count() == 3
    fault = OutageEvent.objects.get(external_ref="DEMO-DMS-0001")
    assert set(fault.links.values_list("order__status", flat=True)) == {"assignment"}
