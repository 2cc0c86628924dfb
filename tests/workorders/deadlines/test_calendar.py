"""The work calendar (domain.md §4): holidays, adjusted working weekends, office hours, missing years."""

from datetime import date, time

import pytest

from complaints.models import Category
from workorders.deadlines.calendar import CalendarDataMissing, Flags, get_calendar, invalidate_calendar
from workorders.models import WorkCalendarDay, WorkCalendarYear, WorkingPeriod

from .conftest import sh

pytestmark = pytest.mark.django_db


def test_2025_spring_festival_make_up_sunday_and_saturday_are_working_days():
    cal = get_calendar()
    # given the 2025 schedule: 1/28–2/4 off, Sunday 1/26 and Saturday 2/8 worked
    assert cal.is_workday(date(2025, 1, 26)) and cal.is_workday(date(2025, 2, 8))
    assert not any(cal.is_workday(date(2025, 1, d)) for d in (28, 29, 30, 31))
    assert not cal.is_workday(date(2025, 2, 4)) and cal.is_workday(date(2025, 2, 5))
    assert not cal.is_workday(date(2025, 2, 9))  # an ordinary Sunday


def test_working_day_limit_counts_the_adjusted_sunday_and_skips_the_festival():
    cal = get_calendar()
    # received Friday 1/24 evening: day 0; Sunday 1/26 is working day 1, Monday 1/27 day 2, then the festival
    assert cal.add_limit(sh(2025, 1, 24, 18, 0), 1, "working_days") == sh(2025, 1, 26, 23, 59, 59)
    assert cal.add_limit(sh(2025, 1, 24, 18, 0), 4, "working_days") == sh(2025, 2, 6, 23, 59, 59)
    # received Friday 2/7: the adjusted Saturday 2/8 is the first working day
    assert cal.add_limit(sh(2025, 2, 7, 9, 0), 1, "working_days") == sh(2025, 2, 8, 23, 59, 59)


def test_2024_national_day_make_up_days():
    cal = get_calendar()
    assert cal.is_workday(date(2024, 9, 29)) and cal.is_workday(date(2024, 10, 12))  # Sunday, Saturday worked
    assert not any(cal.is_workday(date(2024, 10, d)) for d in range(1, 8))
    # received Saturday 9/28: Sunday 9/29 is day 1, Monday 9/30 day 2, then 10/8 and 10/9
    assert cal.add_limit(sh(2024, 9, 28, 11, 0), 4, "working_days") == sh(2024, 10, 9, 23, 59, 59)
    # received Friday 10/11: the adjusted Saturday 10/12 is day 1
    assert cal.add_limit(sh(2024, 10, 11, 9, 0), 1, "working_days") == sh(2024, 10, 12, 23, 59, 59)


def test_day_of_receipt_is_not_counted_even_when_received_at_midnight():
    cal = get_calendar()
    assert cal.add_limit(sh(2025, 3, 3, 0, 0, 1), 1, "working_days") == sh(2025, 3, 4, 23, 59, 59)


def test_calendar_and_hour_limits():
    cal = get_calendar()
    assert cal.add_limit(sh(2024, 9, 30, 23, 0), 24, "hours") == sh(
        2024, 10, 1, 23, 0
    )  # 24×7, holiday or not
    assert cal.add_limit(sh(2024, 9, 30, 10, 0), 7, "calendar_days") == sh(2024, 10, 7, 23, 59, 59)
    # 4 office hours from Friday 16:00: 1.5 h on Friday, 2.5 h on Monday morning
    assert cal.add_limit(sh(2025, 3, 7, 16, 0), 4, "working_hours") == sh(2025, 3, 10, 11, 0)
    # across the lunch break
    assert cal.add_limit(sh(2025, 3, 10, 11, 0), 2, "working_hours") == sh(2025, 3, 10, 14, 30)


def test_edited_office_hours_apply_at_once():
    WorkingPeriod.objects.all().delete()
    WorkingPeriod.objects.create(start=time(9, 0), end=time(17, 0))
    cal = get_calendar()
    assert cal.add_limit(sh(2025, 3, 10, 9, 0), 4, "working_hours") == sh(2025, 3, 10, 13, 0)
    assert not cal.in_working_hours(sh(2025, 3, 10, 8, 45))


def test_admin_override_wins_over_the_package():
    # given a local extra holiday on Wednesday 2025-03-05
    WorkCalendarDay.objects.create(date=date(2025, 3, 5), is_workday=False, note="local holiday")
    cal = get_calendar()
    assert not cal.is_workday(date(2025, 3, 5))
    assert cal.add_limit(sh(2025, 3, 4, 10, 0), 1, "working_days") == sh(2025, 3, 6, 23, 59, 59)


def test_seeded_from_the_package_for_every_year_it_knows():
    import chinese_calendar

    years = set(WorkCalendarYear.objects.values_list("year", flat=True))
    assert {2004, 2024, 2025, 2026} <= years
    seeded = WorkCalendarDay.objects.filter(date__year=2025, source="chinesecalendar")
    assert seeded.filter(is_workday=True).count() == sum(
        1 for d in chinese_calendar.workdays if d.year == 2025
    )


def test_missing_year_falls_back_to_weekdays_and_flags_the_result():
    cal = get_calendar()
    flags = Flags()
    # 2027 is unknown (package 1.11.0 knows up to 2026, nothing was added by an administrator)
    due = cal.add_limit(sh(2026, 12, 30, 10, 0), 4, "working_days", flags)
    assert due == sh(2027, 1, 5, 23, 59, 59)  # 12/31, then Mon 1/4 and Tue 1/5: plain weekdays
    assert flags.provisional and flags.missing == {2027}


def test_adding_the_year_removes_the_flag_and_honours_its_holidays():
    WorkCalendarYear.objects.create(year=2027, source="admin", note="State Council notice")
    WorkCalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, note="New Year")
    flags = Flags()
    due = get_calendar().add_limit(sh(2026, 12, 30, 10, 0), 2, "working_days", flags)
    assert due == sh(2027, 1, 4, 23, 59, 59)  # 12/31 then (1/1 off) Monday 1/4
    assert not flags.provisional


def test_refuse_mode_raises_for_a_missing_year(settings):
    settings.WORK_CALENDAR_MISSING_YEAR = "refuse"
    from workorders.deadlines.calendar import invalidate_calendar

    invalidate_calendar()
    with pytest.raises(CalendarDataMissing):
        get_calendar().add_limit(sh(2026, 12, 30, 10, 0), 4, "working_days")


@pytest.fixture
def provisional_reply(build):
    """An order received on 30 December 2026, classified: its reply falls due in 2027, which the
    calendar lacks, so the row is computed on plain weekdays (due Tuesday 5 January)."""
    order = build.register(sh(2026, 12, 30, 10, 0))
    build.classify(order, sh(2026, 12, 30, 10, 5))
    row = order.deadlines.get(stage="reply")
    assert row.provisional and row.due_at == sh(2027, 1, 5, 23, 59, 59)
    return order


def test_saving_the_years_holidays_recomputes_its_provisional_deadlines(
    provisional_reply, django_capture_on_commit_callbacks
):
    # when an administrator enters 2027 with New Year's Day off
    with django_capture_on_commit_callbacks(execute=True):
        WorkCalendarYear.objects.create(year=2027, source="admin", note="State Council notice")
        WorkCalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, note="元旦")
    # then the reply row counts the holiday and is no longer provisional
    row = provisional_reply.deadlines.get(stage="reply")
    assert not row.provisional
    assert row.due_at == sh(2027, 1, 6, 23, 59, 59)  # 12/31, (1/1 off), 1/4, 1/5, 1/6


def test_recompute_deadlines_command_reports_what_moved(provisional_reply):
    from io import StringIO

    from django.core.management import call_command

    # given the year's data entered without the signal (a bulk import, say)
    WorkCalendarYear.objects.bulk_create([WorkCalendarYear(year=2027, source="import")])
    WorkCalendarDay.objects.bulk_create([WorkCalendarDay(date=date(2027, 1, 1), is_workday=False)])
    invalidate_calendar()
    # when the command runs for that year
    out = StringIO()
    call_command("recompute_deadlines", "--year", "2027", stdout=out)
    # then it names the order's rows, with the old and the new due time
    text = out.getvalue()
    assert f"{provisional_reply.tracking_no}  reply" in text and "2027-01-05 23:59 → 2027-01-06 23:59" in text
    assert "moved." in text.splitlines()[-1]
    assert not provisional_reply.deadlines.filter(provisional=True, met_at__isnull=True).exists()


def test_a_missing_year_in_refuse_mode_refuses_the_action_not_a_500(build, settings, api_client_for):
    settings.WORK_CALENDAR_MISSING_YEAR = "refuse"
    invalidate_calendar()
    order = build.register(sh(2026, 12, 30, 10, 0))
    # when a dispatcher classifies it (its reply would fall due in 2027, which the calendar lacks)
    response = api_client_for("dispatcher").post(
        f"/api/v1/workorders/{order.pk}/classify/",
        {"version": order.version, "category": Category.objects.get(code="040101").pk, "level": "general"},
        format="json",
    )
    # then a clear refusal, and nothing changed
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "calendar_year_missing" and "2027" in response.json()["detail"]
    order.refresh_from_db()
    assert order.status == "classification" and not order.deadlines.filter(stage="reply").exists()
