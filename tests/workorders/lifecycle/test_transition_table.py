"""The transition table, pair by pair: every (state, action) is either allowed or refused with 409.

Orders in each of the seven states are built through the real intake service and lifecycle. An
allowed move (done by the role the table names, through the API) writes exactly one audit event
with the right from/to/actor and bumps the version by one. A refused move answers 409 with code
``illegal_transition`` and changes nothing at all: same rows, same version, same counters, no event.
"""

import pytest

from tests.builders import STATES, category, reply_body
from tests.workorders.factories import act, future, pdf_upload, snapshot
from workorders.deadlines.engine import next_due_of
from workorders.lifecycle import ACTIONS
from workorders.models import Assignment, AssistRequest, ExtensionRequest, WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db

# action → (natural actor, body builder(ctx) -> dict, stage of processing it needs)
# ``ctx`` has ``build``, ``depts`` and ``order``; bodies are valid so only the state can refuse.
RECIPES = {
    "submit": ("agent", lambda c: {}),
    "classify": ("dispatcher", lambda c: {"category": category().pk, "level": "general"}),
    "dismiss": ("supervisor", lambda c: {"reason": "经核实不属于供电企业责任"}),
    "merge": ("dispatcher", lambda c: {"into": c.build.order("classification").pk}),
    "assign": ("dispatcher", lambda c: {"department": c.depts["BJ-YJ"].pk}),
    "accept": ("handler2", lambda c: {}),
    "contact": ("handler2", lambda c: {"method": "phone", "comment": "已联系"}),
    "return": ("handler2", lambda c: {"reason": "不属于本部门职责"}),
    "reply": ("handler2", lambda c: reply_body(c.depts["BJ-YJ"])),
    "approve": ("supervisor", lambda c: {"comment": "同意"}),
    "reject": ("supervisor", lambda c: {"reason": "答复不完整"}),
    "callback": ("agent", lambda c: {"reached": True, "satisfaction": "satisfied", "comment": "满意"}),
    "decide_callback": ("supervisor", lambda c: {"reopen": False, "comment": "按政策解释，予以办结"}),
    "reopen": ("supervisor", lambda c: {"reason": "客户反映问题复发"}),
    "request_extension": (
        "handler2",
        lambda c: {"requested_due_at": future(), "reason": "需停电施工", "basis": "施工计划"},
    ),
    "decide_extension": ("supervisor", lambda c: {"approve": True, "comment": "同意延期"}),
    "urge": ("agent", lambda c: {"comment": "客户来电催促"}),
    "internal_urge": ("dispatcher", lambda c: {"comment": "请加快处理，客户已多次来电"}),
    "escalate": ("supervisor", lambda c: {"comment": "影响面大"}),
    "supervise": ("supervisor", lambda c: {"requirements": "请部门负责人亲自过问"}),
    "answer_supervision": ("handler2", lambda c: {"comment": "已落实整改"}),
    "assist": ("handler", lambda c: {"opinion": "营销部意见：电费计算无误"}),
    "waive_assist": ("dispatcher", lambda c: {"department": c.depts["BJ-YX"].pk, "reason": "无需意见"}),
    "transfer": ("handler2", lambda c: {"department": c.depts["BJ-YX"].pk, "reason": "属电费问题"}),
    "platform_reply": ("agent", lambda c: {"reply": "已按规定处理并答复客户，客户表示认可。"}),
    "platform_evaluation": ("agent", lambda c: {"evaluation": "satisfied", "comment": "平台回访满意"}),
    "suspend": ("handler2", lambda c: {"reason": "等待法院判决"}),
    "decide_suspend": ("supervisor", lambda c: {"approved": True, "comment": "同意"}),
    "resume": ("handler2", lambda c: {"comment": "判决已出"}),
    "terminate": ("supervisor", lambda c: {"reason": "已按规定处理，诉求超出国家规定"}),
    "note": ("agent", lambda c: {"comment": "客户补充说明"}),
    "attach": ("agent", lambda c: {"file": pdf_upload(), "comment": "现场照片"}),
}

# What the processing state must have done already for the action to be possible.
PROCESSING_STAGE = {
    "accept": "assigned",
    "return": "accepted",
    "request_extension": "accepted",
    "decide_extension": "accepted",
    "transfer": "accepted",
}

# Orders whose action needs an earlier one first: (action, actor, body).
PREPARE = {
    "answer_supervision": ("supervise", "supervisor", {"requirements": "请反馈"}),
    "decide_suspend": ("suspend", "handler2", {"reason": "等待第三方结果"}),
}

# Targets that depend on the input (the table's own target otherwise).
EXPECTED_TARGET = {"callback": "closed", "decide_callback": "closed"}

# Actions a handler takes: a handler does not even see an order never routed to its department.
HANDLER_ACTIONS = {code for code, a in ACTIONS.items() if a.handling_department_only} | {"resume", "transfer"}
# 协办: the assisting department sees the order only once it is asked to assist.
NEVER_SEES = {"assist"}


def test_recipes_cover_every_action():
    assert set(RECIPES) == set(ACTIONS)
    assert set(STATES) == {s for a in ACTIONS.values() for s in a.sources}


class Ctx:
    def __init__(self, build, depts, order):
        self.build, self.depts, self.order = build, depts, order


ALLOWED = [(s, a) for a in ACTIONS for s in STATES if s in ACTIONS[a].sources]
REFUSED = [(s, a) for a in ACTIONS for s in STATES if s not in ACTIONS[a].sources]


# Actions only a 12345 / 12398 order (a platform's transfer) can take.
PLATFORM_ACTIONS = {"platform_reply", "platform_evaluation"}


def _prepare(build, users, state, action):
    extra = {"channel": "gov_12345"} if action in PLATFORM_ACTIONS else {}
    order = build.order(state, stage=PROCESSING_STAGE.get(action, "contacted"), **extra)
    if action == "platform_evaluation":
        build.do(order, "platform_reply", "agent", reply="已答复")
    if action == "decide_extension":
        build.do(
            order,
            "request_extension",
            "handler2",
            requested_due_at=future(),
            reason="需停电施工",
            basis="施工计划",
        )
    if action in PREPARE:
        first, who, data = PREPARE[action]
        build.do(order, first, who, **data)
    if action in ("assist", "waive_assist") and order.status == "processing":
        # 协办: 市场营销部 (BJ-YX) assists, as an assignment with it would have asked
        AssistRequest.objects.create(order=order, department=build.depts["BJ-YX"])
        Assignment.objects.create(order=order, department=build.depts["BJ-YX"], role=Assignment.Role.ASSIST)
    if action == "resume":
        build.do(order, "suspend", "handler2", reason="等待第三方结果")
        build.do(order, "decide_suspend", "supervisor", approved=True)
    if action == "decide_callback":
        build.do(
            order,
            "callback",
            "agent",
            reached=True,
            satisfaction="unsatisfied",
            dissatisfaction_reason="result_not_accepted_policy",
            comment="不接受政策解释",
        )
    return WorkOrder.objects.get(pk=order.pk)


@pytest.mark.parametrize("state,action", ALLOWED, ids=[f"{s}-{a}" for s, a in ALLOWED])
def test_allowed_move_writes_exactly_one_event(state, action, build, users, depts, api_client_for, media_tmp):
    order = _prepare(build, users, state, action)
    actor, body = RECIPES[action]
    body = body(Ctx(build, depts, order))
    before = set(WorkOrderEvent.objects.filter(order=order).values_list("pk", flat=True))

    data = act(
        api_client_for(actor), order.pk, action, version=order.version, multipart=action == "attach", **body
    )

    target = EXPECTED_TARGET.get(action) or ACTIONS[action].target or state
    assert data["status"] == target and data["version"] == order.version + 1
    new = WorkOrderEvent.objects.filter(order=order).exclude(pk__in=before)
    assert new.count() == 1
    event = new.get()
    assert (event.action, event.from_status, event.to_status, event.actor_id, event.version) == (
        action,
        state,
        target,
        users[actor].pk,
        order.version + 1,
    )
    # the next due time the queues sort on follows the clocks the move opened, met, held or moved
    order.refresh_from_db()
    assert (order.next_due_at, order.next_started_at) == next_due_of(order.pk)
    if action == "merge":
        target_order = WorkOrder.objects.get(pk=body["into"])
        assert list(
            target_order.events.filter(action="merged_from").values_list("payload__from", flat=True)
        ) == [order.pk]


def _refused_case(build, state, action):
    if state == "assignment_returned":
        return build.returned()
    return build.order(state)


REFUSED_CASES = REFUSED + [
    ("assignment_returned", a) for a in ACTIONS if "assignment" not in ACTIONS[a].sources
]


@pytest.mark.parametrize("state,action", REFUSED_CASES, ids=[f"{s}-{a}" for s, a in REFUSED_CASES])
def test_wrong_state_is_409_and_changes_nothing(state, action, build, depts, api_client_for, media_tmp):
    """The role the table names gets 409 (a handler gets 404 for an order never routed to them)."""
    order = _refused_case(build, state, action)
    actor, body = RECIPES[action]
    body = body(Ctx(build, depts, order))
    before = snapshot()

    never_routed = state in ("intake", "classification", "assignment")
    expect = 404 if (action in HANDLER_ACTIONS and never_routed) or action in NEVER_SEES else 409
    data = act(
        api_client_for(actor),
        order.pk,
        action,
        expect=expect,
        version=order.version,
        multipart=action == "attach",
        **body,
    )

    assert snapshot() == before
    assert data["detail"]
    assert data["code"] == ("not_found" if expect == 404 else "illegal_transition")


@pytest.mark.parametrize("state,action", REFUSED, ids=[f"{s}-{a}" for s, a in REFUSED])
def test_wrong_state_is_409_even_for_a_user_with_every_role(
    state, action, build, depts, all_roles_user, api_client_for, media_tmp
):
    """No role or department check hides the state rule: every wrong (state, action) pair is 409."""
    order = build.order(state)
    _, body = RECIPES[action]
    body = body(Ctx(build, depts, order))
    before = snapshot()

    data = act(
        api_client_for(all_roles_user),
        order.pk,
        action,
        expect=409,
        version=order.version,
        multipart=action == "attach",
        **body,
    )

    assert snapshot() == before
    assert data["code"] == "illegal_transition" and data["detail"]


# Right state, but a rule of the action itself refuses: still 409, still nothing changed.
GUARDS = {
    "already_accepted": lambda b: (b.order("processing", stage="accepted"), "accept", "handler2", {}),
    "not_accepted_contact": lambda b: (
        b.order("processing", stage="assigned"),
        "contact",
        "handler2",
        {"method": "phone"},
    ),
    "not_accepted_reply": lambda b: (
        b.order("processing", stage="assigned"),
        "reply",
        "handler2",
        reply_body(b.depts["BJ-YJ"]),
    ),
    "not_contacted": lambda b: (
        b.order("processing", stage="accepted"),
        "reply",
        "handler2",
        reply_body(b.depts["BJ-YJ"]),
    ),
    "already_contacted": lambda b: (b.order("processing"), "return", "handler2", {"reason": "不归我们管"}),
    "no_decision_pending": lambda b: (
        b.order("callback"),
        "decide_callback",
        "supervisor",
        {"reopen": True, "comment": "重办"},
    ),
    "no_extension_pending": lambda b: (
        b.order("processing"),
        "decide_extension",
        "supervisor",
        {"approve": True},
    ),
    "invalid_merge_target_closed": lambda b: (
        b.order("classification"),
        "merge",
        "dispatcher",
        {"into": b.order("closed").pk},
    ),
    "invalid_merge_target_self": lambda b: (lambda o: (o, "merge", "dispatcher", {"into": o.pk}))(
        b.order("classification")
    ),
    "not_reopenable_dismissed": lambda b: (
        b.do(b.order("classification"), "dismiss", "supervisor", reason="不成立"),
        "reopen",
        "supervisor",
        {"reason": "再看看"},
    ),
}
GUARD_CODES = {
    "already_accepted": "already_accepted",
    "not_accepted_contact": "not_accepted",
    "not_accepted_reply": "not_accepted",
    "not_contacted": "not_contacted",
    "already_contacted": "already_contacted",
    "no_decision_pending": "no_decision_pending",
    "no_extension_pending": "no_extension_pending",
    "invalid_merge_target_closed": "invalid_merge_target",
    "invalid_merge_target_self": "invalid_merge_target",
    "not_reopenable_dismissed": "not_reopenable",
}


@pytest.mark.parametrize("case", sorted(GUARDS))
def test_action_rules_refuse_with_409_and_change_nothing(case, build, api_client_for):
    order, action, actor, body = GUARDS[case](build)
    order = WorkOrder.objects.get(pk=order.pk)
    before = snapshot()
    data = act(api_client_for(actor), order.pk, action, expect=409, version=order.version, **body)
    assert data["code"] == GUARD_CODES[case] and data["detail"]
    assert snapshot() == before


def test_stale_version_is_409_and_changes_nothing(build, api_client_for):
    order = build.order("review")
    before = snapshot()
    data = act(
        api_client_for("supervisor"),
        order.pk,
        "approve",
        expect=409,
        version=order.version - 1,
        comment="同意",
    )
    assert data["code"] == "stale_version"
    assert snapshot() == before


# The company-wide role each action's table does not name (a manager may only supervise).
NOT_NAMED = {"supervise": "agent", "internal_urge": "agent"}


@pytest.mark.parametrize("action", sorted(a for a in ACTIONS if a not in ("note", "attach")))
def test_a_role_the_table_does_not_name_gets_403(action, build, depts, api_client_for, media_tmp):
    """A manager sees every order of the company but may take no lifecycle action but 督办 and the
    centre's 催办 (an agent is asked those instead): 403
    {detail, code}."""
    state = ACTIONS[action].sources[0]
    order = _prepare(build, None, state, action)
    _, body = RECIPES[action]
    body = body(Ctx(build, depts, order))
    before = snapshot()
    response = api_client_for(NOT_NAMED.get(action, "manager")).post(
        f"/api/v1/workorders/{order.pk}/{action}/", {"version": order.version, **body}, format="json"
    )
    assert response.status_code == 403
    assert set(response.json()) == {"detail", "code"} and response.json()["code"] == "permission_denied"
    assert snapshot() == before


def test_a_handler_of_the_department_cannot_act_on_an_order_it_returned(build, api_client_for):
    """Visible (it was theirs) but no longer theirs: processing actions wait for a new assignment."""
    order = build.returned()
    api = api_client_for("handler2")
    assert api.get(f"/api/v1/workorders/{order.pk}/").status_code == 200
    before = snapshot()
    for action in ("accept", "contact", "reply", "return", "request_extension"):
        body = RECIPES[action][1](Ctx(build, build.depts, order))
        assert act(api, order.pk, action, expect=409, **body)["code"] == "illegal_transition"
    assert snapshot() == before
    # Routed to it again, it may act once more.
    build.do(order, "assign", "dispatcher", department=build.depts["BJ-YJ"].pk)
    assert act(api, order.pk, "accept")["assignee"]["id"] == build.users["handler2"].pk


def test_pending_extension_rows_are_what_the_api_reports(build, api_client_for):
    order = build.order("processing", stage="accepted")
    data = act(
        api_client_for("handler2"),
        order.pk,
        "request_extension",
        requested_due_at=future(),
        reason="需停电施工",
        basis="施工计划",
    )
    assert [r["state"] for r in data["extension_requests"]] == ["pending"]
    assert ExtensionRequest.objects.filter(order=order).count() == 1
