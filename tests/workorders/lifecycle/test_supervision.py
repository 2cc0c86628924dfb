"""督办 (issue 16, item 4; design.md second stage): a supervisor or manager issues a supervision
with requirements and a due time on an open order; the handling department answers it before the
due time (its own deadline stage, reminded and breached by the sweep); the order page shows the
requirements in its banner until the answer, and offers the answer as the handler's next step."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.workorders.factories import act, snapshot
from workorders.deadlines.sweep import sweep
from workorders.lifecycle import available_actions
from workorders.models import Deadline, SlaPolicy, WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db


def supervision_rows(order):
    return list(Deadline.objects.filter(order=order, stage="supervision").order_by("pk"))


def test_a_supervisor_supervises_and_the_department_answers(build, users, api_client_for):
    order = build.order("processing")
    due = timezone.now() + timedelta(days=2)
    # when the supervisor issues a 督办 with requirements and a due time
    body = act(
        api_client_for("supervisor"),
        order.pk,
        "supervise",
        requirements="三日内上门核实电压",
        due_at=due.isoformat(),
    )
    # then the order is supervised, and its answer has a clock due when the supervisor said
    assert body["status"] == "processing"
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.is_supervised
    (row,) = supervision_rows(order)
    assert row.is_open and abs((row.due_at - due).total_seconds()) < 1 and row.basis == "supervision"
    event = WorkOrderEvent.objects.get(order=order, action="supervise")
    assert event.payload["requirements"] == "三日内上门核实电压" and event.actor == users["supervisor"]
    # and the handler is offered the answer as the next step; nobody can supervise twice meanwhile
    assert "answer_supervision" in {a.code for a in available_actions(order, users["handler2"])}
    assert "supervise" not in {a.code for a in available_actions(order, users["supervisor"])}
    act(api_client_for("manager"), order.pk, "supervise", requirements="再次督办", expect=409)
    # when the handling department answers
    act(
        api_client_for("handler2"), order.pk, "answer_supervision", comment="已上门核实，正在调整变压器分接头"
    )
    # then the clock is met, and the order can be supervised again
    (row,) = supervision_rows(order)
    assert row.met_at is not None and not row.is_open
    order = WorkOrder.objects.get(pk=order.pk)
    assert "answer_supervision" not in {a.code for a in available_actions(order, users["handler2"])}
    assert "supervise" in {a.code for a in available_actions(order, users["manager"])}


def test_without_a_due_time_the_default_limit_applies(build, api_client_for, settings):
    """A policy that leaves the 督办's limit empty falls back on ``SUPERVISION_FEEDBACK_LIMIT``
    (the policy's own limit: tests/workorders/lifecycle/test_centre_urging_and_limits.py)."""
    SlaPolicy.objects.update(supervision_limit=None)
    settings.SUPERVISION_FEEDBACK_LIMIT = "24h"
    order = build.order("review")
    before = timezone.now()
    act(api_client_for("manager"), order.pk, "supervise", requirements="请说明处理依据")
    (row,) = supervision_rows(order)
    assert timedelta(hours=23, minutes=59) < row.due_at - before < timedelta(hours=24, minutes=1)


@pytest.mark.parametrize(
    ("who", "action", "body", "status", "code"),
    [
        ("handler2", "supervise", {"requirements": "x"}, 403, "permission_denied"),
        ("agent", "supervise", {"requirements": "x"}, 403, "permission_denied"),
        ("supervisor", "supervise", {}, 400, "invalid"),
        ("handler2", "answer_supervision", {"comment": "无督办可答"}, 409, "no_supervision"),
    ],
)
def test_refusals_change_nothing(build, api_client_for, who, action, body, status, code):
    order = build.order("processing")
    before = snapshot()
    answer = act(api_client_for(who), order.pk, action, expect=status, **body)
    assert answer["code"] == code
    assert snapshot() == before


def test_an_order_not_yet_dispatched_cannot_be_supervised(build, api_client_for):
    order = build.order("classification")
    answer = act(api_client_for("supervisor"), order.pk, "supervise", requirements="尽快派单", expect=409)
    assert answer["code"] == "illegal_transition"  # not before the order has a handling department
    assert supervision_rows(order) == []


def test_a_due_time_in_the_past_is_refused(build, api_client_for):
    order = build.order("processing")
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    answer = act(
        api_client_for("supervisor"), order.pk, "supervise", requirements="x", due_at=past, expect=400
    )
    assert answer["code"] == "invalid" and "due_at" in answer


def test_another_department_cannot_answer(build, api_client_for):
    order = build.order("processing")
    act(api_client_for("supervisor"), order.pk, "supervise", requirements="请核实")
    answer = act(api_client_for("handler"), order.pk, "answer_supervision", comment="不是我们", expect=404)
    assert answer["code"] == "not_found"  # the other department does not even see the order


def test_an_unanswered_supervision_breaches_when_due(build, api_client_for):
    order = build.order("processing")
    due = timezone.now() + timedelta(hours=3)
    act(api_client_for("supervisor"), order.pk, "supervise", requirements="今日反馈", due_at=due.isoformat())
    # when the sweep runs after the due time with no answer
    sweep(now=due + timedelta(minutes=5))
    # then the supervision stage is breached and the order overdue
    (row,) = supervision_rows(order)
    assert row.breached_at is not None
    # (an alert outside office hours waits for them: the breach is recorded as overdue at once)
    breaches = WorkOrderEvent.objects.filter(
        order=order, action__in=["deadline_breached", "deadline_overdue"]
    )
    assert any("supervision" in e.payload.get("stages", [e.payload.get("stage")]) for e in breaches)
    assert WorkOrder.objects.get(pk=order.pk).is_overdue


def test_closing_the_order_stops_the_supervision_clock(build, api_client_for):
    order = build.order("callback")
    act(api_client_for("supervisor"), order.pk, "supervise", requirements="回访前电话确认")
    build.callback(order)
    (row,) = supervision_rows(order)
    assert row.cancelled_at is not None or row.met_at is not None


def test_the_order_page_shows_the_requirements_until_answered(build, api_client_for, page_client_for):
    order = build.order("processing")
    act(api_client_for("supervisor"), order.pk, "supervise", requirements="请于明日前上门核查")
    handler = page_client_for("handler2")
    url = reverse("workorders:detail", args=[order.pk])
    body = handler.get(url).content.decode()
    assert "请于明日前上门核查" in body
    banner = body.split('data-testid="back-banner"')[1].split("</div>")[0]
    assert "请于明日前上门核查" in banner
    # the handler's default form is the answer
    assert 'data-action="answer_supervision" data-next-step' in body
    # after the answer (through the page), the banner is gone and the flash says what happened
    version = WorkOrder.objects.get(pk=order.pk).version
    page = handler.post(
        reverse("workorders:act", args=[order.pk, "answer_supervision"]),
        {"version": version, "comment": "已上门核查"},
        follow=True,
    ).content.decode()
    assert 'data-testid="back-banner"' not in page
    assert "Supervision answered" in page or "督办已反馈" in page


# --- 挂起 (suspend), 恢复 (resume) and 服务终止 (terminate) ---------------------------------------------


def open_rows(order):
    return list(Deadline.objects.open().filter(order=order).order_by("pk"))


def test_a_suspension_stops_every_clock_only_once_approved(build, users, api_client_for):
    order = build.order("processing")
    handler, supervisor = api_client_for("handler2"), api_client_for("supervisor")
    until = (timezone.now() + timedelta(days=10)).isoformat()
    # when the handler asks: nothing stops yet
    act(handler, order.pk, "suspend", reason="客户起诉至法院，等待判决结果", until=until)
    assert all(row.held_since is None for row in open_rows(order))
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.suspend_requested_at is not None and order.suspended_at is None
    # a second request meanwhile is refused
    assert act(handler, order.pk, "suspend", reason="再次申请", expect=409)["code"] == "suspend_pending"
    # when the supervisor approves: every open row is held, never checked by the sweep
    act(supervisor, order.pk, "decide_suspend", approved=True, comment="同意挂起")
    rows = open_rows(order)
    assert rows and all(row.held_since is not None and row.next_at is None for row in rows)
    # while suspended the order cannot be replied to, but it can be noted
    refused = act(
        handler, order.pk, "reply", cause="x", truthfulness="true", measures="x", reply="x", expect=409
    )
    assert refused["code"] == "suspended"
    act(handler, order.pk, "note", comment="已联系法院")
    offered = {a.code for a in available_actions(WorkOrder.objects.get(pk=order.pk), users["handler2"])}
    assert "resume" in offered and "reply" not in offered and "contact" not in offered


def test_a_suspended_order_does_not_breach_and_resumes_with_its_due_times_moved(build, api_client_for):
    order = build.order("processing")
    due_before = {row.pk: row.due_at for row in open_rows(order)}
    act(api_client_for("handler2"), order.pk, "suspend", reason="等待第三方鉴定结果")
    act(api_client_for("supervisor"), order.pk, "decide_suspend", approved=True)
    # when the sweep runs long after every due time: nothing breaches
    latest = max(due_before.values())
    summary = sweep(now=latest + timedelta(days=3))
    assert not WorkOrderEvent.objects.filter(order=order, action="deadline_breached").exists()
    assert not WorkOrder.objects.get(pk=order.pk).is_overdue
    assert summary.breaches == 0
    # when it is resumed, each due time moves by the time it was stopped
    WorkOrder.objects.filter(pk=order.pk).update(suspended_at=timezone.now() - timedelta(hours=30))
    Deadline.objects.filter(order=order, held_since__isnull=False).update(
        held_since=timezone.now() - timedelta(hours=30)
    )
    act(api_client_for("handler2"), order.pk, "resume", comment="鉴定结果已出")
    for row in open_rows(order):
        moved = row.due_at - due_before[row.pk]
        assert timedelta(hours=29, minutes=59) < moved < timedelta(hours=30, minutes=1), (row.stage, moved)
        assert row.held_since is None and row.next_at is not None
    event = WorkOrderEvent.objects.get(order=order, action="resume")
    assert 30 * 3600 - 60 < event.payload["suspended_seconds"] < 30 * 3600 + 60


def test_a_refused_suspension_changes_no_clock(build, api_client_for):
    order = build.order("processing")
    before = [(row.pk, row.due_at, row.next_at) for row in open_rows(order)]
    act(api_client_for("handler2"), order.pk, "suspend", reason="客户暂时联系不上")
    act(api_client_for("supervisor"), order.pk, "decide_suspend", approved=False, comment="请继续联系")
    assert [(row.pk, row.due_at, row.next_at) for row in open_rows(order)] == before
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.suspended_at is None and order.suspend_requested_at is None and order.suspend_count == 0


def test_terminate_closes_with_its_outcome_and_counts_apart(build, api_client_for):
    from django.db.models import Sum

    from workorders.models import StatsDaily
    from workorders.stats.reads import derived

    order = build.order("processing")
    act(api_client_for("handler2"), order.pk, "suspend", reason="诉求超出国家规定")
    act(api_client_for("supervisor"), order.pk, "decide_suspend", approved=True)
    # a handler may not terminate; a supervisor may, with a reason
    act(api_client_for("handler2"), order.pk, "terminate", reason="x", expect=403)
    act(api_client_for("supervisor"), order.pk, "terminate", reason="已按规定处理，客户诉求超出国家规定")
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.status == "closed" and order.outcome == "service_terminated" and order.suspended_at is None
    assert open_rows(order) == []
    overall = Deadline.objects.get(order=order, stage="overall")
    assert overall.met_at is not None
    # the figures count it as its own kind, and as suspended once
    sums = StatsDaily.objects.aggregate(
        **{m: Sum(m) for m in ("terminated", "suspended", "received", "closed")}
    )
    figures = derived(sums)
    assert figures["terminated"] == 1 and figures["suspended"] == 1 and figures["closed"] == 1


def test_a_supervision_reaches_the_holder_and_its_answer_the_supervisors(build, users, api_client_for):
    from notifications.models import Notification

    order = build.order("processing")
    act(api_client_for("manager"), order.pk, "supervise", requirements="请主任亲自过问")
    note = Notification.objects.get(order=order, event_type="supervise", user=users["handler2"])
    assert "请主任亲自过问" in note.body and note.urgent
    act(api_client_for("handler2"), order.pk, "answer_supervision", comment="主任已过问")
    assert Notification.objects.filter(
        order=order, event_type="answer_supervision", user=users["supervisor"]
    ).exists()
