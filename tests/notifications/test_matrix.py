"""Who is told what, by which channel, for each lifecycle action and system event."""

import pytest

from notifications.models import Delivery, Message, Notification, NotificationRule
from workorders.lifecycle import record_system_event

from .conftest import accepted, act, assigned, classified, new_order, replied

pytestmark = pytest.mark.django_db


def inbox(user, event_type):
    return list(Notification.objects.filter(user=user, event_type=event_type))


def test_assign_tells_the_handlers_of_the_department_in_the_inbox_and_by_email(users, depts):
    # when
    order = assigned(users, depts, dept="BJ-YJ")
    # then
    [note] = inbox(users["handler2"], "assign")
    assert order.tracking_no in note.title and note.read_at is None
    assert not inbox(users["handler"], "assign")  # another department
    [mail] = Delivery.objects.filter(channel="email", message__event_type="assign")
    assert (
        mail.address == "handler2@example.com"
        and mail.state == "pending"
        and order.tracking_no in mail.subject
    )


def test_assign_to_a_named_handler_tells_only_that_handler(users, depts, django_user_model):
    from django.contrib.auth.models import Group

    colleague = django_user_model.objects.create(
        username="h2b", department=depts["BJ-YJ"], email="h2b@example.com"
    )
    colleague.groups.add(Group.objects.get(name="handler"))
    # when
    assigned(users, depts, dept="BJ-YJ", assignee="handler2")
    # then
    assert inbox(users["handler2"], "assign") and not inbox(colleague, "assign")


def test_return_tells_dispatchers_and_reply_tells_supervisors(users, depts):
    order = assigned(users, depts)
    act(order, "return", users["handler2"], reason="不属于本部门")
    assert inbox(users["dispatcher"], "return")
    assert "不属于本部门" in inbox(users["dispatcher"], "return")[0].body
    # a reply waits in the supervisors' review queue: no notice by default (issue 14) ...
    replied(users, depts)
    assert not inbox(users["supervisor"], "reply")
    # ... unless an administrator switches the rule on
    NotificationRule.objects.filter(event_type="reply", recipients="supervisors").update(is_active=True)
    replied(users, depts)
    assert inbox(users["supervisor"], "reply")


def test_approve_tells_the_agent_only_when_switched_on_and_reject_tells_the_assignee(users, depts):
    order = replied(users, depts)
    act(order, "reject", users["supervisor"], reason="措施不具体")
    [note] = inbox(users["handler2"], "reject")
    assert "措施不具体" in note.body
    act(
        order,
        "reply",
        users["handler2"],
        cause="变压器过载",
        truthfulness="true",
        measures="更换配变",
        reply="已处理",
        responsible_department=order.department_id,
    )
    # the callback queue is the agent's worklist: no notice per approved order (issue 14) ...
    NotificationRule.objects.filter(event_type="approve", recipients="agents").update(is_active=True)
    act(order, "approve", users["supervisor"], comment="同意")
    # ... but an administrator can switch it on
    assert inbox(users["agent"], "approve")
    other = replied(users, depts)
    NotificationRule.objects.filter(event_type="approve", recipients="agents").update(is_active=False)
    act(other, "approve", users["supervisor"], comment="同意")
    assert not Notification.objects.filter(user=users["agent"], event_type="approve", order=other).exists()


def test_accept_and_contact_tell_nobody_by_default(users, depts):
    order = accepted(users, depts)
    act(order, "contact", users["handler2"], method="phone", comment="")
    assert not Notification.objects.filter(event_type__in=["accept", "contact"]).exists()
    # an administrator can switch the dispatcher rule on
    NotificationRule.objects.filter(event_type="contact").update(is_active=True)
    act(order, "note", users["handler2"], comment="x")  # unrelated
    act(order, "contact", users["handler2"], method="visit", comment="上门")
    assert inbox(users["dispatcher"], "contact")


def test_the_actor_is_not_told_about_their_own_action(users, depts, django_user_model):
    from django.contrib.auth.models import Group

    users["dispatcher"].groups.add(Group.objects.get(name="handler"))
    users["dispatcher"].department = depts["BJ-YJ"]
    users["dispatcher"].save()
    order = classified(users)
    act(order, "assign", users["dispatcher"], department=depts["BJ-YJ"].pk)
    assert not inbox(users["dispatcher"], "assign") and inbox(users["handler2"], "assign")


def test_urge_tells_the_holder_and_at_the_threshold_the_leaders_and_supervisor(
    users, depts, settings, sms_sent
):
    settings.URGE_FLAG_AT = 2
    order = accepted(users, depts)
    act(order, "urge", users["agent"], comment="客户很着急")
    assert len(inbox(users["handler2"], "urge")) == 1
    assert not Notification.objects.filter(event_type="urge_threshold").exists()
    # when: the second urge reaches the threshold
    act(order, "urge", users["agent"], comment="再次催办")
    # then: the leaders of the handling department (nearest with leaders: the company's manager)
    # and the supervisor
    assert inbox(users["manager"], "urge_threshold") and inbox(users["supervisor"], "urge_threshold")
    # a general order's urging reaches the leader by email, not by SMS
    assert not Delivery.objects.filter(channel="sms", message__event_type="urge_threshold").exists()
    assert Delivery.objects.filter(
        channel="email", message__event_type="urge_threshold", user=users["manager"]
    )
    # a leader who asked for SMS on this event type gets them all the same
    act(order, "escalate", users["supervisor"], comment="升级")  # general → important: still no SMS
    from notifications.models import NotificationPreference

    NotificationPreference.objects.create(user=users["manager"], event_type="urge_threshold", channel="sms")
    act(order, "urge", users["agent"], comment="第三次催办")
    sms = Delivery.objects.get(channel="sms", message__event_type="urge_threshold")
    assert sms.user == users["manager"] and sms.urgent and sms.address == users["manager"].phone


def test_unsatisfied_callback_tells_the_supervisor(users, depts):
    order = replied(users, depts)
    act(order, "approve", users["supervisor"], comment="")
    # when
    act(
        order,
        "callback",
        users["agent"],
        reached=True,
        satisfaction="unsatisfied",
        comment="未解决",
        dissatisfaction_reason="process_not_done",
    )
    # then
    assert inbox(users["supervisor"], "callback_unsatisfied")
    assert inbox(users["handler2"], "callback_unsatisfied")  # the order is back with them


def test_satisfied_callback_does_not_alarm_the_supervisor(users, depts):
    order = replied(users, depts)
    act(order, "approve", users["supervisor"], comment="")
    act(order, "callback", users["agent"], reached=True, satisfaction="satisfied", comment="")
    assert not Notification.objects.filter(event_type="callback_unsatisfied").exists()


def test_a_major_complaint_sends_one_sms_fast_alert_to_the_unit_leaders(users, depts):
    # when: classified as major (the order's unit is the company; its leader is the manager)
    order = classified(users, level="major")
    # then
    [sms] = Delivery.objects.filter(channel="sms", message__event_type="serious_complaint")
    assert sms.user == users["manager"] and sms.urgent
    assert sms.body.startswith("【投诉快报】") and order.tracking_no in sms.body
    assert inbox(users["manager"], "serious_complaint")[0].urgent
    assert "重大" in sms.body
    # a later event that does not raise the level sends nothing more ...
    act(order, "urge", users["agent"], comment="客户来电催促")
    assert Delivery.objects.filter(channel="sms", message__event_type="serious_complaint").count() == 1
    # ... an escalation to 特殊 sends it again, stating the new level
    act(order, "escalate", users["supervisor"], comment="影响扩大")
    first, again = Delivery.objects.filter(channel="sms", message__event_type="serious_complaint").order_by(
        "pk"
    )
    assert again.user == users["manager"] and "特殊" in again.body and "重大" not in again.body


def test_a_key_customers_complaint_is_announced_at_intake(users, depts):
    from complaints.models import Customer

    first = new_order(users)
    Customer.objects.filter(pk=first.customer_id).update(is_key_customer=True)
    # when: the same customer calls again
    order = new_order(users, content="又停电了")
    # then
    assert order.is_key_customer and order.level == "important"  # the level floor of a key customer
    assert Message.objects.filter(event_type="serious_complaint", order=order).count() == 1
    # the 快报 states the level after the floor, not the 一般 it was typed in with
    sms = Delivery.objects.get(channel="sms", message__order=order, user=users["manager"])
    assert "重要" in sms.body and "一般" not in sms.body


def test_a_general_complaint_sends_no_fast_alert(users, depts):
    classified(users, level="general")
    assert not Message.objects.filter(event_type="serious_complaint").exists()


def test_deadline_warning_goes_to_the_holder(users, depts):
    order = assigned(users, depts)
    # when
    record_system_event(
        order, "deadline_warning", payload={"stage": "contact", "due_at": "2026-11-24T10:00:00+08:00"}
    )
    # then
    [note] = inbox(users["handler2"], "deadline_warning")
    assert "2026-11-24 10:00" in note.body and "首次联系" in note.body
    assert not inbox(users["supervisor"], "deadline_warning")


def test_deadline_breach_goes_to_holder_supervisors_and_leaders(users, depts):
    order = accepted(users, depts)
    depts["BJ-YJ"].leaders.set([users["handler"]])  # any user can lead a department
    record_system_event(
        order, "deadline_breached", payload={"stage": "reply", "due_at": "2026-11-24T10:00:00+08:00"}
    )
    for who in ("handler2", "supervisor", "handler"):
        assert inbox(users[who], "deadline_breached"), who
    assert not inbox(users["manager"], "deadline_breached")  # BJ-YJ has its own leader
    sms = Delivery.objects.get(channel="sms", message__event_type="deadline_breached")
    assert sms.user == users["handler2"] and sms.urgent


@pytest.mark.parametrize("level, expected", [(1, "qx_leader"), (2, "yj_leader"), (3, "manager")])
def test_deadline_escalation_goes_up_the_tree_one_level_per_escalation(
    users, depts, django_user_model, level, expected
):
    yj_leader = django_user_model.objects.create(username="yj_leader", department=depts["BJ-YJ"])
    qx_leader = django_user_model.objects.create(username="qx_leader", department=depts["BJ-YJ-QX"])
    depts["BJ-YJ"].leaders.set([yj_leader])
    depts["BJ-YJ-QX"].leaders.set([qx_leader])
    order = assigned(users, depts, dept="BJ-YJ-QX")  # team → department → company
    # when
    record_system_event(
        order,
        "deadline_escalated",
        payload={"stage": "overall", "due_at": "2026-11-24T10:00:00+08:00", "escalation_level": level},
    )
    # then
    told = set(
        Notification.objects.filter(event_type="deadline_escalated").values_list("user__username", flat=True)
    )
    assert told == {expected}
