"""Seed the SLA policies (domain.md §5.1), the external channel limits (§3.2), office hours and
the work calendar from the ``chinesecalendar`` package (§4)."""

from datetime import date, time, timedelta

from django.db import migrations

# level: (dispatch min, contact h, reply wd, overall wd); review 4 working hours, callback 1 wd,
# regulatory ceiling 10 wd for every level. Overall = reply + review day + callback day [D].
LEVELS = {
    "special": ("特殊投诉时限 Special", 15, 2, 1, 3),
    "major": ("重大投诉时限 Major", 15, 4, 2, 4),
    "important": ("重要投诉时限 Important", 30, 24, 3, 5),
    "general": ("一般投诉时限 General", 30, 24, 4, 6),
}

CHANNEL_LIMITS = [
    ("regulator_12398", 10, "working_days", "C1: 12398 转办 办结 ≤ 10 个工作日"),
    ("gov_12345", 7, "calendar_days", "C2: 12345 转办 办结 ≤ 7 日 (calendar days by default)"),
    ("letter", 10, "calendar_days", "C3: 其他渠道 办结 ≤ 10 日"),
    ("walk_in", 10, "calendar_days", "C3: 其他渠道 办结 ≤ 10 日"),
    ("suggestion_box", 10, "calendar_days", "C3: 其他渠道 办结 ≤ 10 日"),
    ("leader_reception", 10, "calendar_days", "C3: 其他渠道 办结 ≤ 10 日"),
    ("other", 10, "calendar_days", "C3: 其他渠道 办结 ≤ 10 日"),
]


def seed(apps, schema_editor):
    SlaPolicy = apps.get_model("workorders", "SlaPolicy")
    ChannelLimit = apps.get_model("workorders", "ChannelLimit")
    WorkingPeriod = apps.get_model("workorders", "WorkingPeriod")
    WorkCalendarYear = apps.get_model("workorders", "WorkCalendarYear")
    WorkCalendarDay = apps.get_model("workorders", "WorkCalendarDay")

    for level, (name, dispatch, contact, reply, overall) in LEVELS.items():
        SlaPolicy.objects.get_or_create(
            level=level,
            category=None,
            channel="",
            defaults=dict(
                name=name,
                warn_share=0.75,
                dispatch_limit=dispatch,
                dispatch_unit="minutes",
                contact_limit=contact,
                contact_unit="hours",
                reply_limit=reply,
                reply_unit="working_days",
                review_limit=4,
                review_unit="working_hours",
                callback_limit=1,
                callback_unit="working_days",
                overall_limit=overall,
                overall_unit="working_days",
                regulatory_limit=10,
                regulatory_unit="working_days",
                note="domain.md §3.1 and §5.1",
            ),
        )
    for channel, limit, unit, note in CHANNEL_LIMITS:
        ChannelLimit.objects.get_or_create(
            channel=channel, defaults={"limit": limit, "unit": unit, "note": note}
        )
    if not WorkingPeriod.objects.exists():
        WorkingPeriod.objects.create(start=time(8, 30), end=time(12, 0))
        WorkingPeriod.objects.create(start=time(13, 30), end=time(17, 30))

    import chinese_calendar

    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    days = []
    for year in range(years[0], years[-1] + 1):
        WorkCalendarYear.objects.get_or_create(
            year=year,
            defaults={"source": "chinesecalendar", "source_url": "https://github.com/LKI/chinese-calendar"},
        )
        day = date(year, 1, 1)
        while day.year == year:
            workday = chinese_calendar.is_workday(day)
            if workday != (day.weekday() < 5):
                _holiday, name = chinese_calendar.get_holiday_detail(day)
                days.append(
                    WorkCalendarDay(
                        date=day, is_workday=workday, note=str(name or "")[:100], source="chinesecalendar"
                    )
                )
            day += timedelta(days=1)
    existing = set(WorkCalendarDay.objects.values_list("date", flat=True))
    WorkCalendarDay.objects.bulk_create([d for d in days if d.date not in existing], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("workorders", "0002_deadlines"), ("complaints", "0002_seed_categories")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
