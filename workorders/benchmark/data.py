"""The benchmark's data: N synthetic orders with what real orders carry, loaded set-based.

Every table is filled with ``INSERT … SELECT`` over ``generate_series`` or over the rows the step
before inserted (no ORM save per row): customers, complaints, work orders, their assignments, the
event trail (create, submit, classify, assign, accept, contact, reply, approve, callback, urges),
the deadline rows of each stage (met, running, warned or breached as the order's times say), the
frozen SLA, an inbox (an ``assign`` message per dispatched order, a notification to the demo
handler of the department), then the statistics aggregates through ``stats_rebuild``.

The mix follows domain.md: categories by the one city's proportions (voltage 52 %, service 14 %,
billing 14 %, outage 12 %, grid construction 8 %), the 95598 hotline as the main channel, most
orders general. Orders are received over the last 365 days; those older than ten days are closed
(and 30 % of the younger), the rest spread over the open stages. Synthetic orders' tracking numbers
start with ``B`` and the load is idempotent: a second run with the same N loads nothing.
"""

import time

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import NOT_PROVIDED

from accounts.demo import seed_duty_roster, seed_organisation
from accounts.models import Department, User
from accounts.roles import Role
from accounts.services import api_token_for
from complaints.models import Category, Complaint, Customer
from notifications.defaults import sync_defaults
from notifications.models import Message, Notification, NotificationRule, NotificationTemplate
from workorders.models import Assignment, Deadline, OrderSla, WorkOrder, WorkOrderEvent
from workorders.stats.aggregates import stats_rebuild

PREFIX = "B"  # tracking numbers of synthetic orders: B000000001 …
# The benchmark's users (besides the demo's): a supervisor of one supply unit.
UNIT_SUPERVISOR = ("unit_supervisor", "周斌（城东所主管）", Role.SUPERVISOR, "BJ-CD", "13800000009")
CHANNELS = (
    ["phone_95598"] * 12
    + ["web_95598"] * 2
    + ["app"] * 3
    + ["wechat"] * 2
    + ["gov_12345", "regulator_12398", "walk_in", "letter"]
)
LEVELS = ["general"] * 32 + ["important"] * 6 + ["major"] + ["special"]
TRUTH = ["true"] * 5 + ["partly_true"] * 2 + ["not_true"] * 2 + ["unverifiable"]
SATISFACTION = ["satisfied"] * 12 + ["basically_satisfied"] * 4 + ["unsatisfied"] + ["not_rated"]
OPEN_MIX = ["classification", "assignment", "processing", "processing", "processing", "review", "callback"]
# domain.md §6: one city's mix of the five top-level categories, in per cent.
CATEGORY_SHARES = {"04": 52, "01": 14, "02": 14, "03": 12, "05": 8}
CONTENTS = [
    "电压偏低，晚上灯光昏暗，空调无法启动",
    "频繁停电，一周内停电三次，影响生产经营",
    "抢修人员到达超时，停电六个小时无人处理",
    "电费突然翻倍，怀疑电能表计量不准",
    "营业厅工作人员态度恶劣，办理业务推诿",
    "计划停电未提前告知，冰箱食物全部变质",
    "小区附近施工后道路未恢复，影响出行",
    "电压忽高忽低，家用电器被烧坏，要求赔偿",
]
# Stage limits as the default SLA policy freezes them (reply 4 working days, …).
SLA_LIMITS = (
    '{"dispatch": {"unit": "minutes", "value": 30}, "contact": {"unit": "hours", "value": 24}, '
    '"reply": {"unit": "working_days", "value": 4}, "review": {"unit": "working_hours", "value": 4}, '
    '"callback": {"unit": "working_days", "value": 1}, "overall": {"unit": "working_days", "value": 6}, '
    '"regulatory": {"unit": "working_days", "value": 10}}'
)


def sql_array(values) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" if isinstance(v, str) else str(int(v)) for v in values) + "]"


def pick(values, expr: str) -> str:
    """SQL choosing one of ``values`` by an integer expression (deterministic, skewed by repetition)."""
    return f"({sql_array(values)})[(({expr}) % {len(values)}) + 1]"


def insert_select(model, exprs: dict, source: str) -> int:
    """INSERT INTO model's table (every concrete column) SELECT the given SQL expressions FROM source.

    Columns not in ``exprs`` get their model default (as a parameter), NULL, '' or now().
    """
    columns, selects, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in exprs:
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column in exprs:
            selects.append(exprs[field.column].replace("%", "%%"))  # literal % next to the parameters
        elif field.default is not NOT_PROVIDED and not callable(field.default):
            selects.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        elif field.null:
            selects.append("NULL")
        elif field.get_internal_type() in ("CharField", "TextField"):
            selects.append("''")
        elif field.get_internal_type() == "DateTimeField":
            selects.append("now()")
        elif field.get_internal_type() == "JSONField":
            selects.append("'{}'::jsonb")
        else:
            raise CommandError(f"No value for {model.__name__}.{field.name}")
    sql = (
        f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(selects)} FROM {source.replace('%', '%%')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def top(model) -> int:
    return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- users ----------------------------------------------------------------------------------------


def ensure_organisation() -> dict[str, User]:
    """The demo company and users, a unit supervisor, the default notification rules, a duty roster
    and API tokens; returns the benchmark's users by role name."""
    if not User.objects.filter(username="manager").exists():
        seed_organisation(password=settings.DEMO_PASSWORD)
    sync_defaults(NotificationRule, NotificationTemplate)
    username, display, role, dept_code, phone = UNIT_SUPERVISOR
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "display_name": display,
            "department": Department.objects.get(code=dept_code),
            "phone": phone,
            "email": f"{username}@example.com",
        },
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=role.value)])
    if not Department.objects.get(code="BJ-YX").duty.exists():
        seed_duty_roster()
    users = {
        "agent": User.objects.get(username="agent"),
        "dispatcher": User.objects.get(username="dispatcher"),
        "handler": User.objects.get(username="handler"),
        "unit_supervisor": user,
        "supervisor": User.objects.get(username="supervisor"),
        "manager": User.objects.get(username="manager"),
    }
    for u in users.values():
        api_token_for(user=u)  # a valid one: a dataset kept from an earlier day has expired tokens
    return users


# --- orders ---------------------------------------------------------------------------------------


def synthetic_count() -> int:
    return WorkOrder.objects.filter(tracking_no__startswith=PREFIX).count()


def load(n: int, out) -> None:
    """Load synthetic orders up to ``n`` (those present are kept); ``out(message)`` reports progress."""
    present = synthetic_count()
    if present >= n:
        out(f"{present:,} synthetic orders already loaded; not loading again")
        return
    users = ensure_organisation()
    started = time.perf_counter()
    marks = {m: top(m) for m in (Complaint, WorkOrder, WorkOrderEvent, Deadline, Message)}
    with transaction.atomic():
        _timed(out, "customers and complaints", lambda: _complaints(present + 1, n, users))
        _timed(out, "work orders", lambda: _orders(marks[Complaint], users))
        _timed(out, "assignments", lambda: _assignments(marks[WorkOrder], users))
        _timed(out, "events", lambda: _events(marks[WorkOrder], users))
        _timed(out, "deadlines and frozen SLAs", lambda: _deadlines(marks[WorkOrder]))
        _timed(out, "inbox messages and notifications", lambda: _inbox(marks, users))
    _timed(out, "VACUUM ANALYZE", _vacuum)
    _timed(out, "statistics aggregates (stats_rebuild)", lambda: stats_rebuild(lock=False, chunk_size=20000))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    out(f"loaded {n - present:,} orders in {time.perf_counter() - started:.1f} s")


def _timed(out, label, fn):
    t0 = time.perf_counter()
    rows = fn()
    rows_text = f"{rows:,} rows, " if isinstance(rows, int) else ""
    out(f"  {label}: {rows_text}{time.perf_counter() - t0:.1f} s")


def _category_slots() -> list[int]:
    """100 leaf-category ids in domain.md's proportions, the first leaves of each branch more often."""
    slots = []
    leaves = Category.objects.filter(is_active=True, children__isnull=True).order_by("code")
    for top_code, share in CATEGORY_SHARES.items():
        ids = [c.pk for c in leaves if c.code.startswith(top_code)]
        weights = [max(1, len(ids) - i) for i in range(len(ids))]
        total = sum(weights)
        branch = [
            pk for pk, w in zip(ids, weights, strict=True) for _ in range(max(1, round(share * w / total)))
        ]
        slots.extend(branch)
    return slots


def _complaints(first: int, n: int, users) -> int:
    units = [Department.objects.get(code=c).pk for c in ("BJ-CD", "BJ-CX", "BJ-CN", "BJ-CD", "BJ-CN")]
    customers = max(1000, n // 10)
    have = Customer.objects.filter(account_no__startswith="9").count()
    rows = 0
    if have < customers:
        rows += insert_select(
            Customer,
            {
                "account_no": "'9' || lpad(i::text, 9, '0')",
                "name": "'客户' || i",
                "phone": "'199' || lpad(i::text, 8, '0')",
                "address": "'滨江市' || (ARRAY['城东区','城西区','城南区'])[i % 3 + 1] "
                "|| '合成路' || i || '号'",
                "supply_unit_id": pick(units, "i"),
            },
            f"generate_series({have + 1}, {customers}) AS s(i)",
        )
    # Received over the last 365 days; i drives every choice deterministically.
    received = "(now() - ((i::bigint * 7919) % (365 * 86400)) * interval '1 second')"
    rows += insert_select(
        Complaint,
        {
            "tracking_no": f"'{PREFIX}' || lpad(i::text, 9, '0')",
            "channel": pick(CHANNELS, "i * 7"),
            "customer_id": "cu.id",
            "customer_name": "'客户' || (i % " + str(customers) + " + 1)",
            "phone": f"'199' || lpad((i % {customers} + 1)::text, 8, '0')",
            "account_no": f"'9' || lpad((i % {customers} + 1)::text, 9, '0')",
            "address": "'滨江市合成路' || (i % 5000) || '号'",
            "content": pick(CONTENTS, "i * 3") + " || '（编号' || i || '）'",
            "demand": "'尽快处理并答复'",
            "category_id": pick(_category_slots(), "i * 13"),
            "received_at": received,
            "created_by_id": str(users["agent"].pk),
        },
        # Customer number i % customers + 1, found by its account number (ids need not be contiguous).
        f"generate_series({first}, {n}) AS s(i) JOIN complaints_customer cu "
        f"ON cu.account_no = '9' || lpad((i % {customers} + 1)::text, 9, '0')",
    )
    return rows


def _orders(complaint_mark: int, users) -> int:
    depts = {d.code: d.pk for d in Department.objects.all()}
    handling = [
        depts[c]
        for c in (
            "BJ-YX",
            "BJ-YX",
            "BJ-YJ",
            "BJ-YJ",
            "BJ-YX-DF",
            "BJ-YJ-QX",
            "BJ-JS",
            "BJ-CD-YY",
            "BJ-CX-YY",
            "BJ-CN-YY",
        )
    ]
    handler, handler2 = users["handler"].pk, User.objects.get(username="handler2").pk
    # Age decides the state: orders older than 8 days (the overall limit) are closed, and 30 % of
    # the younger ones; the open ones sit in the stage their age suggests. Every milestone follows
    # from the received time; a few orders per stage are late (dispatch 2 %, contact 2 %, reply 2.5 %).
    source = f"""(
        SELECT c.id, c.tracking_no, c.channel, c.customer_id, c.category_id, c.received_at,
               coalesce(cu.supply_unit_id, {depts["BJ"]}) AS unit_id, a.age_h, a.st, a.hrs,
               (a.st = 'closed' AND c.id % 37 = 0) AS dismissed, b.dept, b.dispatched
        FROM complaints_complaint c
        JOIN complaints_customer cu ON cu.id = c.customer_id
        CROSS JOIN LATERAL (SELECT extract(epoch FROM now() - c.received_at) / 3600 AS age_h) g
        CROSS JOIN LATERAL (SELECT g.age_h,
            CASE WHEN g.age_h > 192 OR c.id % 10 < 3 THEN 'closed'
                 WHEN g.age_h < 0.5 THEN (CASE WHEN c.id % 2 = 0 THEN 'classification' ELSE 'assignment' END)
                 WHEN g.age_h < 110 THEN (CASE WHEN c.id % 6 = 0 THEN 'review' ELSE 'processing' END)
                 WHEN g.age_h < 150 THEN 'review'
                 ELSE 'callback' END AS st,
            (1 + (c.id * 37) % 200) AS hrs) a
        CROSS JOIN LATERAL (SELECT
            {pick(handling, "c.category_id * 3 + c.customer_id % 7")} AS dept,
            (a.st IN ('processing', 'review', 'callback')
             OR (a.st = 'closed' AND c.id % 37 <> 0)) AS dispatched) b
        WHERE c.id > {complaint_mark} AND c.tracking_no LIKE '{PREFIX}%'
    ) o"""

    def at(expr):
        return f"least(now(), {expr})"

    dispatch = (
        "o.received_at + (5 + o.id % 20) * interval '1 minute' + (o.id % 50 = 0)::int * interval '1 hour'"
    )
    dispatched_at = at(dispatch)
    accepted = "(o.dispatched AND NOT (o.st = 'processing' AND o.id % 2 = 0 AND o.age_h < 12))"
    accepted_at = at(f"{dispatch} + interval '1 hour'")
    contact = f"{dispatch} + (1 + o.id % 20) * interval '1 hour' + (o.id % 45 = 0)::int * interval '30 hours'"
    contacted = f"({accepted} AND {contact} <= now())"
    reply = (
        "CASE WHEN o.st = 'callback' THEN o.received_at + least(o.age_h - 24, 140) * interval '1 hour' "
        "WHEN o.st = 'review' THEN greatest(o.received_at + interval '1 hour', now() - (o.id % 20) * "
        "interval '1 hour') ELSE o.received_at + o.hrs * interval '35 minutes' "
        "+ (o.id % 40 = 0)::int * interval '2 days' END"
    )
    replied = "(o.dispatched AND o.st IN ('review', 'callback', 'closed'))"
    replied_at = at(reply)
    approved = "(o.dispatched AND o.st IN ('callback', 'closed'))"
    approved_at = at(f"{reply} + (CASE WHEN o.st = 'callback' THEN 12 ELSE 3 END) * interval '1 hour'")
    closed_at = (
        "CASE WHEN o.dismissed THEN "
        + at("o.received_at + interval '2 hours'")
        + " ELSE "
        + at(f"{reply} + (6 + o.hrs % 20) * interval '1 hour'")
        + " END"
    )
    handled = "(o.st = 'closed' AND NOT o.dismissed)"
    return insert_select(
        WorkOrder,
        {
            "complaint_id": "o.id",
            "tracking_no": "o.tracking_no",
            "channel": "o.channel",
            "customer_id": "o.customer_id",
            "received_at": "o.received_at",
            "status": "o.st",
            "level": pick(LEVELS, "o.id * 11"),
            "category_id": "o.category_id",
            "unit_id": "o.unit_id",
            "department_id": "CASE WHEN o.dispatched THEN o.dept END",
            "assignee_id": (
                f"CASE WHEN NOT o.dispatched THEN NULL WHEN o.dept = {depts['BJ-YX']} THEN {handler} "
                f"WHEN o.dept = {depts['BJ-YJ']} THEN {handler2} END"
            ),
            "received_by_id": str(users["agent"].pk),
            "is_repeat": "(o.id % 31) = 0",
            "is_key_customer": "(o.customer_id % 97) = 0",
            "upgrade_tendency": "(o.id % 53) = 0",
            "urge_count": "CASE WHEN (o.id % 13) = 0 THEN 1 ELSE 0 END",
            "return_count": "CASE WHEN o.dispatched AND (o.id % 23) = 0 THEN 1 ELSE 0 END",
            "reopen_count": "CASE WHEN (o.id % 41) = 0 AND o.st = 'closed' THEN 1 ELSE 0 END",
            "cause": f"CASE WHEN {replied} THEN '线路老化，负荷过重' ELSE '' END",
            "measures": f"CASE WHEN {replied} THEN '已更换导线并调整台区负荷' ELSE '' END",
            "reply": f"CASE WHEN {replied} THEN '已现场处理，客户认可' ELSE '' END",
            "truthfulness": f"CASE WHEN {replied} THEN {pick(TRUTH, 'o.id * 3')} ELSE '' END",
            "contact_method": f"CASE WHEN {contacted} THEN 'phone' ELSE '' END",
            "satisfaction": f"CASE WHEN {handled} THEN {pick(SATISFACTION, 'o.id * 5')} ELSE '' END",
            "first_satisfaction": f"CASE WHEN {handled} THEN {pick(SATISFACTION, 'o.id * 5')} ELSE '' END",
            "outcome": (
                "CASE WHEN o.dismissed THEN 'not_established' "
                f"WHEN {handled} THEN (CASE WHEN o.id % 19 = 0 THEN 'explained' ELSE 'resolved' END) "
                "ELSE '' END"
            ),
            "classified_at": (
                "CASE WHEN o.st <> 'classification' AND NOT o.dismissed THEN "
                + at("o.received_at + interval '5 minutes'")
                + " END"
            ),
            "dispatched_at": f"CASE WHEN o.dispatched THEN {dispatched_at} END",
            "accepted_at": f"CASE WHEN {accepted} THEN {accepted_at} END",
            "first_contact_at": f"CASE WHEN {contacted} THEN {at(contact)} END",
            "replied_at": f"CASE WHEN {replied} THEN {replied_at} END",
            "approved_at": f"CASE WHEN {approved} THEN {approved_at} END",
            "closed_at": f"CASE WHEN o.st = 'closed' THEN {closed_at} END",
            "created_at": "o.received_at",
            "updated_at": "o.received_at",
        },
        source,
    )


def _assignments(order_mark: int, users) -> int:
    other = Department.objects.get(code="BJ-CN-YY").pk
    dispatcher = users["dispatcher"].pk
    rows = insert_select(
        Assignment,
        {
            "order_id": "w.id",
            "department_id": "w.department_id",
            "assigned_by_id": str(dispatcher),
            "assigned_at": "w.dispatched_at",
        },
        f"workorders_workorder w WHERE w.id > {order_mark} AND w.department_id IS NOT NULL",
    )
    # An order returned once went to another department first.
    rows += insert_select(
        Assignment,
        {
            "order_id": "w.id",
            "department_id": f"CASE WHEN w.department_id = {other} THEN {users['handler'].department_id} "
            f"ELSE {other} END",
            "assigned_by_id": str(dispatcher),
            "assigned_at": "w.dispatched_at - interval '2 hours'",
            "returned_at": "w.dispatched_at - interval '1 hour'",
            "return_reason": "'属地不符，请改派'",
        },
        f"workorders_workorder w WHERE w.id > {order_mark} AND w.return_count > 0",
    )
    return rows


def _events(order_mark: int, users) -> int:
    agent, dispatcher, supervisor = users["agent"].pk, users["dispatcher"].pk, users["supervisor"].pk
    dismissed = "w.outcome = 'not_established'"
    steps = f"""(VALUES
        ('create', '', 'intake', {agent},
         jsonb_build_object('channel', w.channel, 'tracking_no', w.tracking_no), 1, w.received_at, true),
        ('submit', 'intake', 'classification', {agent}, '{{}}'::jsonb, 2,
         w.received_at + interval '1 minute', true),
        ('dismiss', 'classification', 'closed', {dispatcher},
         '{{"reason": "不构成投诉，已当场解释"}}'::jsonb, 3, w.closed_at, {dismissed}),
        ('classify', 'classification', 'assignment', {dispatcher},
         jsonb_build_object('level', w.level, 'category', w.category_id), 3, w.classified_at, true),
        ('urge', w.status, w.status, {agent}, '{{"count": 1, "comment": "客户再次来电催办"}}'::jsonb, 3,
         least(now(), w.received_at + interval '3 hours'), w.urge_count > 0),
        ('assign', 'assignment', 'processing', {dispatcher},
         jsonb_build_object('department', w.department_id, 'assignee', w.assignee_id), 4,
         w.dispatched_at, true),
        ('accept', 'processing', 'processing', w.assignee_id, '{{}}'::jsonb, 5, w.accepted_at, true),
        ('contact', 'processing', 'processing', w.assignee_id,
         '{{"first": true, "method": "phone", "comment": "已电话联系客户"}}'::jsonb, 6,
         w.first_contact_at, true),
        ('reply', 'processing', 'review', w.assignee_id,
         jsonb_build_object('truthfulness', w.truthfulness), 7, w.replied_at, true),
        ('approve', 'review', 'callback', {supervisor}, '{{"comment": ""}}'::jsonb, 8, w.approved_at, true),
        ('callback', 'callback', 'closed', {agent},
         jsonb_build_object('reached', true, 'satisfaction', w.satisfaction), 9, w.closed_at,
         NOT ({dismissed}))
    ) AS e(action, from_status, to_status, actor, payload, version, at, ok)"""
    return insert_select(
        WorkOrderEvent,
        {
            "order_id": "w.id",
            "action": "e.action",
            "from_status": "e.from_status",
            "to_status": "e.to_status",
            "actor_id": "e.actor",
            "payload": "e.payload",
            "version": "e.version",
            "created_at": "e.at",
        },
        f"workorders_workorder w CROSS JOIN LATERAL {steps} "
        f"WHERE w.id > {order_mark} AND e.ok AND e.at IS NOT NULL",
    )


def _deadlines(order_mark: int) -> int:
    dismissed = "w.outcome = 'not_established'"
    # Working days are approximated in calendar time (4 working days ≈ 6 days, …).
    stages = f"""(VALUES
        ('dispatch', w.received_at, 30, 'minutes', w.received_at + interval '30 minutes',
         w.dispatched_at, CASE WHEN {dismissed} THEN w.closed_at END),
        ('contact', w.dispatched_at, 24, 'hours', w.dispatched_at + interval '24 hours',
         w.first_contact_at, NULL::timestamptz),
        ('reply', w.classified_at, 4, 'working_days', w.received_at + interval '6 days', w.replied_at, NULL),
        ('review', w.replied_at, 4, 'working_hours', w.replied_at + interval '1 day', w.approved_at, NULL),
        ('callback', w.approved_at, 1, 'working_days', w.approved_at + interval '2 days', w.closed_at, NULL),
        ('overall', w.classified_at, 6, 'working_days', w.received_at + interval '8 days', w.closed_at, NULL),
        ('regulatory', w.classified_at, 10, 'working_days', w.received_at + interval '14 days',
         w.closed_at, NULL)
    ) AS s(stage, started, limit_value, limit_unit, due, met, cancelled)"""
    source = (
        f"(SELECT w.id AS order_id, s.*, s.started + (s.due - s.started) * 0.75 AS warn, "
        f"(s.met IS NULL AND s.cancelled IS NULL) AS running "
        f"FROM workorders_workorder w CROSS JOIN LATERAL {stages} "
        f"WHERE w.id > {order_mark} AND s.started IS NOT NULL) d"
    )
    breached = "(d.running AND d.due < now() OR d.met > d.due)"
    rows = insert_select(
        Deadline,
        {
            "order_id": "d.order_id",
            "stage": "d.stage",
            "started_at": "d.started",
            "limit_value": "d.limit_value",
            "limit_unit": "d.limit_unit",
            "original_due_at": "d.due",
            "due_at": "d.due",
            "warn_at": "d.warn",
            "warned_at": "CASE WHEN coalesce(d.met, d.cancelled, now()) > d.warn THEN d.warn END",
            "breached_at": f"CASE WHEN {breached} THEN d.due END",
            "breach_notified_at": f"CASE WHEN {breached} THEN d.due END",
            "escalation_level": f"CASE WHEN {breached} THEN 1 ELSE 0 END",
            "escalated_at": f"CASE WHEN {breached} THEN d.due END",
            "met_at": "d.met",
            "cancelled_at": "d.cancelled",
            "next_at": (
                "CASE WHEN NOT d.running OR d.due < now() THEN NULL "
                "WHEN d.warn < now() THEN d.due ELSE d.warn END"
            ),
            "created_at": "d.started",
        },
        source,
    )
    rows += insert_select(
        OrderSla,
        {
            "order_id": "w.id",
            "level": "w.level",
            "limits": f"'{SLA_LIMITS}'::jsonb",
            "channel_limit": "NULL",
            "warn_share": "0.75",
            "frozen_at": "w.classified_at",
            "level_up_pending": "false",
        },
        f"workorders_workorder w WHERE w.id > {order_mark} AND w.classified_at IS NOT NULL",
    )
    # An order is overdue when one of its deadline rows is late (the one definition: LATE_ROW).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workorders_workorder w SET is_overdue = true FROM ("
            "SELECT DISTINCT order_id FROM workorders_deadline "
            "WHERE order_id > %s AND breached_at IS NOT NULL"
            ") late WHERE w.id = late.order_id",
            [order_mark],
        )
        # The earliest running clock, as the deadline effects keep it (the queues sort on it).
        cursor.execute(
            "UPDATE workorders_workorder w SET next_due_at = d.due_at, next_started_at = d.started_at "
            "FROM (SELECT DISTINCT ON (order_id) order_id, due_at, started_at FROM workorders_deadline "
            "WHERE order_id > %s AND met_at IS NULL AND cancelled_at IS NULL AND held_since IS NULL "
            "ORDER BY order_id, due_at, id) d WHERE w.id = d.order_id",
            [order_mark],
        )
    return rows


def _inbox(marks, users) -> int:
    """An ``assign`` message per dispatched order; the demo handler of the department gets it."""
    handler_for = {
        users["handler"].department_id: users["handler"].pk,
        User.objects.get(username="handler2").department_id: User.objects.get(username="handler2").pk,
    }
    rows = insert_select(
        Message,
        {
            "uuid": "md5(e.id::text || '-' || random()::text)::uuid",
            "event_type": "'assign'",
            "order_id": "e.order_id",
            "source_event_id": "e.id",
            "dedupe_key": "NULL",
            "data": "'{}'::jsonb",
            "created_at": "e.created_at",
        },
        f"workorders_workorderevent e WHERE e.id > {marks[WorkOrderEvent]} AND e.action = 'assign'",
    )
    case = " ".join(f"WHEN {dept} THEN {user}" for dept, user in handler_for.items())
    rows += insert_select(
        Notification,
        {
            "user_id": f"CASE w.department_id {case} END",
            "message_id": "m.id",
            "event_type": "'assign'",
            "order_id": "m.order_id",
            "title": "'新工单 ' || w.tracking_no",
            "body": "'请及时受理'",
            "urgent": "false",
            "read_at": (
                "CASE WHEN m.created_at < now() - interval '1 day' THEN m.created_at + interval '1 hour' END"
            ),
            "created_at": "m.created_at",
        },
        f"notifications_message m JOIN workorders_workorder w ON w.id = m.order_id "
        f"WHERE m.id > {marks[Message]} AND w.department_id IN ({','.join(map(str, handler_for))})",
    )
    return rows


def _vacuum() -> None:
    tables = [
        m._meta.db_table
        for m in (Customer, Complaint, WorkOrder, Assignment, WorkOrderEvent, Deadline, OrderSla, Message)
    ] + [Notification._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")
