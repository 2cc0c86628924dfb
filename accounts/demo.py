"""Demo organisation and one login per role, for the embedded run mode and the tests."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .models import Department, User
from .roles import Role, sync_role_groups
from .services import duty_fill

# (code, name, kind, parent code, customers served)
ORGANISATION = [
    ("BJ", "滨江市供电公司", Department.Kind.COMPANY, None, 1_260_000),
    ("BJ-KF", "客户服务中心", Department.Kind.DEPARTMENT, "BJ", 0),
    ("BJ-YX", "市场营销部", Department.Kind.DEPARTMENT, "BJ", 0),
    ("BJ-YX-DF", "电费核算班", Department.Kind.TEAM, "BJ-YX", 0),
    ("BJ-YJ", "运维检修部", Department.Kind.DEPARTMENT, "BJ", 0),
    ("BJ-YJ-QX", "配电抢修班", Department.Kind.TEAM, "BJ-YJ", 0),
    ("BJ-JS", "建设部", Department.Kind.DEPARTMENT, "BJ", 0),
    ("BJ-CD", "城东供电所", Department.Kind.SUPPLY_UNIT, "BJ", 410_000),
    ("BJ-CD-YY", "城东供电所营业班", Department.Kind.TEAM, "BJ-CD", 0),
    ("BJ-CX", "城西供电所", Department.Kind.SUPPLY_UNIT, "BJ", 380_000),
    ("BJ-CX-YY", "城西供电所营业班", Department.Kind.TEAM, "BJ-CX", 0),
    ("BJ-CN", "城南供电所", Department.Kind.SUPPLY_UNIT, "BJ", 470_000),
    ("BJ-CN-YY", "城南供电所营业班", Department.Kind.TEAM, "BJ-CN", 0),
]

# (username, display name, role, department code, phone)
DEMO_USERS = [
    ("agent", "王晓燕（坐席）", Role.AGENT, "BJ-KF", "13800000001"),
    ("dispatcher", "李建国（派单员）", Role.DISPATCHER, "BJ-KF", "13800000002"),
    ("handler", "张伟（营销部）", Role.HANDLER, "BJ-YX", "13800000003"),
    ("handler2", "刘强（运检部）", Role.HANDLER, "BJ-YJ", "13800000004"),
    ("handler3", "陈静（城东所）", Role.HANDLER, "BJ-CD", "13800000005"),
    ("supervisor", "赵敏（审核主管）", Role.SUPERVISOR, "BJ", "13800000006"),
    ("manager", "孙立（分管经理）", Role.MANAGER, "BJ", "13800000007"),
    ("admin", "系统管理员", Role.ADMIN, "BJ", "13800000008"),
]


# Leaders of the supply units and the two busiest departments: managers whose scope is their own
# unit. The rules tell a unit's leaders of its 重要 dispatches, 快报 and urging thresholds; without
# them every such notice would climb to the company's manager (the nearest leader up the tree).
# (username, display name, department code, phone)
DEMO_LEADERS = [
    ("leader_cd", "钱志远（城东所所长）", "BJ-CD", "13800000021"),
    ("leader_cx", "冯雪梅（城西所所长）", "BJ-CX", "13800000022"),
    ("leader_cn", "韩立新（城南所所长）", "BJ-CN", "13800000023"),
    ("leader_yx", "杨光明（营销部主任）", "BJ-YX", "13800000024"),
    ("leader_yj", "朱振华（运检部主任）", "BJ-YJ", "13800000025"),
]


@transaction.atomic
def seed_organisation(*, password=None, unit_leaders=True):
    """Create or refresh the demo tree and users. Idempotent: a second run changes nothing new.

    ``unit_leaders=False`` leaves out ``DEMO_LEADERS``: the company's manager is then the nearest
    leader of every unit (the smaller world most tests are written for)."""
    sync_role_groups()
    password = password or settings.DEMO_PASSWORD
    depts = {}
    for code, name, kind, parent, customers in ORGANISATION:
        dept, _ = Department.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind, "parent": depts.get(parent), "customer_count": customers},
        )
        depts[code] = dept
    users = []
    leaders = DEMO_LEADERS if unit_leaders else []
    people = list(DEMO_USERS) + [(u, d, Role.MANAGER, code, phone) for u, d, code, phone in leaders]
    for username, display, role, dept_code, phone in people:
        user, created = User.objects.get_or_create(username=username)
        user.display_name = display
        user.department = depts[dept_code]
        user.phone = phone
        user.email = f"{username}@example.com"
        user.is_staff = role == Role.ADMIN
        user.is_superuser = role == Role.ADMIN
        if created:
            user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role.value)])
        users.append((user, role))
    depts["BJ"].leaders.set([u for u, r in users if r == Role.MANAGER and u.department_id == depts["BJ"].pk])
    for username, _display, code, _phone in leaders:
        depts[code].leaders.set([u for u, _r in users if u.username == username])
    return depts, users


# Department code → the demo handler on duty there every day (nights, weekends and holidays).
DEMO_DUTY = {"BJ-YJ": "handler2", "BJ-YX": "handler", "BJ-CD": "handler3"}


def seed_duty_roster(*, days_back: int = 100, days_ahead: int = 14) -> int:
    """Put one demo handler on duty for each of the main departments over the demo's months and
    the next two weeks, so the night and weekend alerts of the demo reach a person on duty."""
    first = timezone.localdate() - timedelta(days=days_back)
    saved = 0
    for code, username in DEMO_DUTY.items():
        department = Department.objects.filter(code=code).first()
        user = User.objects.filter(username=username).first()
        if department and user:
            saved += duty_fill(
                department=department, people=[user], first_day=first, days=days_back + days_ahead
            )
    return saved
