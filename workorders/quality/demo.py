"""Demo quality inspection (issue 16 item 9): one round over the demo's closed orders.

``seed_quality()`` samples the most recent week (of the last eight) that had closed orders, scores
all but two inspections as the demo ``supervisor``, has one result appealed by its agent and decided
by the ``manager`` (total changed) and leaves one appeal pending. Idempotent: a round that has scored
inspections already is left as it is.
"""

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from .models import QUALITY_ITEMS, Inspection, InspectionRound, InspectionState
from .services import inspection_appeal, inspection_decide, inspection_score, previous_week, quality_sample

COMMENTS = [
    "受理记录完整，分类准确。",
    "答复口径规范，回访用语礼貌。",
    "答复内容偏简单，未说明后续整改时间。",
    "受理时未核实客户户号，分类层级偏低。",
]


@transaction.atomic
def seed_quality() -> dict:
    users = {u.username: u for u in User.objects.filter(username__in=["supervisor", "manager"])}
    if len(users) < 2:
        return {"inspections": 0}
    if InspectionRound.objects.filter(inspections__state__in=[InspectionState.SCORED]).exists():
        return {"inspections": Inspection.objects.count()}
    today = timezone.localdate()
    rnd = None
    for back in range(8):
        week = previous_week(today - timedelta(weeks=back))
        rnd, _created = quality_sample(week=week, actor=users["supervisor"])
        if rnd.inspections.exists():
            break
    if rnd is None:
        return {"inspections": 0}
    inspections = list(rnd.inspections.filter(state=InspectionState.PENDING).order_by("id"))
    to_score = [i for i in inspections if i.agent_id != users["supervisor"].pk][
        : max(0, len(inspections) - 2)
    ]
    for n, inspection in enumerate(to_score):
        rng = random.Random(inspection.pk)
        scores = {
            code: max(0, maximum - rng.choice([0, 0, 1, 2, 3, 5])) for code, _l, maximum in QUALITY_ITEMS
        }
        inspection_score(
            user=users["supervisor"],
            inspection_id=inspection.pk,
            scores=scores,
            comment=COMMENTS[n % len(COMMENTS)],
        )
    appealable = [i for i in to_score if i.agent_id is not None][:2]
    for n, inspection in enumerate(appealable):
        appellant = User.objects.get(pk=inspection.agent_id)
        inspection_appeal(
            user=appellant,
            inspection_id=inspection.pk,
            reason="受理时已按脚本核实客户信息，录音可查，申请复核受理准确性得分。",
        )
        if n == 0:
            current = Inspection.objects.get(pk=inspection.pk).total
            inspection_decide(
                user=users["manager"],
                inspection_id=inspection.pk,
                decision="changed",
                new_total=min(100, current + 3),
                comment="经复听录音，受理信息核实完整，受理准确性加 3 分。",
            )
    return {"inspections": rnd.inspections.count(), "scored": len(to_score), "appeals": len(appealable)}
