"""Demo outages (issue 16, item 9): ``seed_outages()``, idempotent (the outages carry fixed
``external_ref`` values; a second run finds them and changes nothing).

- 城东 10 kV 幸福线 fault, yesterday evening: a dozen complaints from the area registered through the
  intake service inside its window, classified (030102 临时停电未告知) and confirmed as linked, so a
  dispatcher can assign them all in one action from the outage page;
- 城西 planned maintenance this morning: a few complaints suggested (unconfirmed links) waiting for a
  dispatcher to confirm them.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Department, User
from complaints.models import Category
from workorders.intake.services import complaint_register
from workorders.lifecycle import perform

from .models import OutageEvent, OutageSource
from .services import outage_create, outage_link, outage_record_suggestions

FAULT_STREETS = ["幸福路", "光明街", "朝阳巷"]
PLANNED_STREETS = ["和平路", "西湖里"]
NAMES = [
    "王先生",
    "李女士",
    "张先生",
    "刘女士",
    "陈先生",
    "杨女士",
    "赵先生",
    "黄女士",
    "周先生",
    "吴女士",
    "徐先生",
    "孙女士",
]
FAULT_TEXTS = [
    "家里突然停电，没有任何通知，冰箱里的东西都要坏了。",
    "整栋楼停电两个多小时了，打95598说在抢修，到现在还没来电。",
    "晚上停电，老人在家用制氧机，情况很紧急。",
    "停电前没有任何公告，小区电梯把人困住了。",
]
PLANNED_TEXTS = ["今天上午停电，事先没看到计划停电的通知。", "计划停电时间超过了公告的时间，还没送电。"]


def _register(agent, *, name, phone, address, content, received_at):
    return complaint_register(
        actor=agent,
        channel="phone_95598",
        customer_name=name,
        phone=phone,
        address=address,
        content=content,
        demand="尽快恢复供电并说明停电原因",
        received_at=received_at,
        now=received_at,
    )


@transaction.atomic
def seed_outages(*, now=None) -> dict:
    """Create the two demo outages and their complaints once; returns what exists."""
    now = now or timezone.now()
    dispatcher = User.objects.filter(username="dispatcher").first()
    agent = User.objects.filter(username="agent").first()
    if dispatcher is None or agent is None:
        return {"outages": 0, "linked": 0}
    units = {d.code: d for d in Department.objects.filter(code__in=["BJ-CD", "BJ-CX"])}
    category = Category.objects.filter(code="030102").first()

    fault = OutageEvent.objects.filter(external_ref="DEMO-DMS-0001").first()
    if fault is None:
        start = timezone.localtime(now - timedelta(days=1)).replace(
            hour=19, minute=10, second=0, microsecond=0
        )
        fault, _ = outage_create(
            actor=dispatcher,
            area="幸福路, 光明街, 朝阳巷",
            started_at=start,
            expected_restore_at=start + timedelta(hours=4),
            restored_at=start + timedelta(hours=3, minutes=40),
            cause="10kV幸福线电缆中间接头故障，跳闸停电",
            unit=units.get("BJ-CD"),
            source=OutageSource.API,
            external_ref="DEMO-DMS-0001",
        )
        ids = []
        for i in range(12):
            street = FAULT_STREETS[i % len(FAULT_STREETS)]
            complaint = _register(
                agent,
                name=NAMES[i],
                phone=f"1370000{1000 + i:04d}",
                address=f"滨江市城东区{street}{10 + i * 3}号",
                content=FAULT_TEXTS[i % len(FAULT_TEXTS)],
                received_at=start + timedelta(minutes=12 + i * 9),
            )
            order = complaint.workorder
            if category is not None:
                perform(
                    order.pk,
                    "classify",
                    actor=dispatcher,
                    data={"category": category.pk, "level": "general"},
                    now=start + timedelta(minutes=20 + i * 9),
                )
            ids.append(order.pk)
        outage_link(actor=dispatcher, outage=fault, order_ids=ids, now=start + timedelta(hours=4))

    planned = OutageEvent.objects.filter(external_ref="DEMO-DMS-0002").first()
    if planned is None:
        start = timezone.localtime(now).replace(hour=8, minute=0, second=0, microsecond=0)
        if start > now:
            start -= timedelta(days=1)
        for i in range(3):
            _register(
                agent,
                name=NAMES[-1 - i],
                phone=f"1370000{2000 + i:04d}",
                address=f"滨江市城西区{PLANNED_STREETS[i % 2]}{5 + i * 4}号",
                content=PLANNED_TEXTS[i % 2],
                received_at=min(now, start + timedelta(minutes=30 + i * 20)),
            )
        planned, _ = outage_create(
            actor=dispatcher,
            area="和平路、西湖里",
            started_at=start,
            expected_restore_at=start + timedelta(hours=6),
            cause="计划检修：10kV和平线更换柱上开关",
            unit=units.get("BJ-CX"),
            external_ref="DEMO-DMS-0002",
        )
        outage_record_suggestions(outage=planned, actor=dispatcher, now=now)
    return {
        "outages": OutageEvent.objects.filter(external_ref__startswith="DEMO-DMS-").count(),
        "linked": fault.links.filter(confirmed=True).count(),
    }
