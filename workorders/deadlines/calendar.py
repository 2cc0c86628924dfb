"""The working-day calendar (domain.md §4) and limit arithmetic on it.

``WorkCalendar`` wraps three sources, first match wins:

1. the admin-maintained ``WorkCalendarDay`` table (holidays on weekdays, working weekends: 调休),
   seeded from the ``chinesecalendar`` package for the years it knows;
2. for a year listed in ``WorkCalendarYear``, the plain Monday–Friday rule (the table holds
   every exception of such a year);
3. the ``chinesecalendar`` package itself, for a year it knows that was not imported yet;
4. otherwise plain weekdays, and the computation is marked *provisional* (``missing`` gets the
   year), or ``CalendarDataMissing`` is raised when ``WORK_CALENDAR_MISSING_YEAR`` is ``"refuse"``.

All clock times are Asia/Shanghai (``TIME_ZONE``). Limits:

- ``minutes``/``hours``: calendar time, 24×7;
- ``calendar_days``: the end of the N-th calendar day after the day of receipt;
- ``working_days``: day 0 is the day of receipt, counting starts on the next working day, due at
  the end (``DEADLINE_WORKDAY_END``, default 23:59:59) of the N-th working day;
- ``working_hours``: N hours of office time (``WorkingPeriod`` rows) on working days.
"""

import functools
import threading
import time as monotonic_time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from config.cache import cache_get, cache_set
from config.errors import DomainError

from ..models import Deadline, WorkCalendarDay, WorkCalendarYear, WorkingPeriod

DEFAULT_PERIODS = [(time(8, 30), time(12, 0)), (time(13, 30), time(17, 30))]
CACHE_KEY = "workorders:workcalendar:version"
LOCAL_TTL_SECONDS = 60
MAX_DAYS_SCANNED = 3 * 366


class CalendarDataMissing(DomainError):
    """A deadline needs a year the calendar does not know and the configuration refuses to guess.

    A refusal like any other (409 ``calendar_year_missing``): the action that needed the deadline
    is not taken, and the message tells what an administrator must add."""

    def __init__(self, year: int | None = None, message: str | None = None):
        super().__init__(
            message
            or _(
                "The work calendar has no holidays for %(year)s yet, and deadlines are not computed "
                "without them: an administrator must add the year under Work-calendar years and days."
            )
            % {"year": year},
            code="calendar_year_missing",
        )
        self.year = year


@functools.cache
def library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
        return True
    except NotImplementedError:
        return False


def library_years() -> range:
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return range(min(years), max(years) + 1)


def _parse_time(value: str) -> time:
    parts = [int(p) for p in value.split(":")]
    return time(*parts)


@dataclass
class Flags:
    """Collects the years a computation had to guess (weekday fallback)."""

    missing: set = field(default_factory=set)

    @property
    def provisional(self) -> bool:
        return bool(self.missing)


class WorkCalendar:
    def __init__(self, *, overrides: dict, known_years: set, periods: list, refuse_missing: bool = False):
        self.overrides = overrides
        self.known_years = set(known_years)
        self.periods = sorted(periods) or list(DEFAULT_PERIODS)
        self.refuse_missing = refuse_missing
        self.tz = timezone.get_default_timezone()
        self.day_end = _parse_time(getattr(settings, "DEADLINE_WORKDAY_END", "23:59:59"))

    # --- days --------------------------------------------------------------------------------
    def year_known(self, year: int) -> bool:
        return year in self.known_years or library_knows(year)

    def is_workday(self, day: date, flags: Flags | None = None) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day.year in self.known_years:
            return day.weekday() < 5
        if library_knows(day.year):
            return chinese_calendar.is_workday(day)
        if self.refuse_missing:
            raise CalendarDataMissing(day.year)
        if flags is not None:
            flags.missing.add(day.year)
        return day.weekday() < 5

    def nth_workday_after(self, day: date, n: int, flags: Flags | None = None) -> date:
        current, counted = day, 0
        for _step in range(MAX_DAYS_SCANNED * max(1, n)):
            current += timedelta(days=1)
            if self.is_workday(current, flags):
                counted += 1
                if counted >= n:
                    return current
        raise CalendarDataMissing(
            message="No working day found; check the work calendar."
        )  # pragma: no cover

    # --- moments -----------------------------------------------------------------------------
    def local(self, moment: datetime) -> datetime:
        return timezone.localtime(moment, self.tz)

    def at(self, day: date, clock: time) -> datetime:
        return timezone.make_aware(datetime.combine(day, clock), self.tz)

    def _day_periods(self, day: date, flags: Flags | None = None):
        if not self.is_workday(day, flags):
            return []
        return [(self.at(day, start), self.at(day, end)) for start, end in self.periods]

    def in_working_hours(self, moment: datetime, flags: Flags | None = None) -> bool:
        day = self.local(moment).date()
        return any(start <= moment < end for start, end in self._day_periods(day, flags))

    def next_working_moment(self, moment: datetime, flags: Flags | None = None) -> datetime:
        """``moment`` itself when it is office time, else the start of the next office period."""
        day = self.local(moment).date()
        for _step in range(MAX_DAYS_SCANNED):
            for start, end in self._day_periods(day, flags):
                if moment < end:
                    return max(moment, start)
            day += timedelta(days=1)
        return moment  # pragma: no cover

    def last_working_moment_before(self, moment: datetime, flags: Flags | None = None) -> datetime | None:
        """The last minute of office time before ``moment`` (within a year), or None."""
        day = self.local(moment).date()
        for _step in range(366):
            for start, end in reversed(self._day_periods(day, flags)):
                if start < moment:
                    return (
                        min(moment, end) - timedelta(minutes=1)
                        if min(moment, end) - start > timedelta(minutes=1)
                        else start
                    )
            day -= timedelta(days=1)
        return None

    def working_seconds_between(self, begin: datetime, finish: datetime, flags: Flags | None = None) -> float:
        if finish <= begin:
            return 0.0
        total, day = 0.0, self.local(begin).date()
        last = self.local(finish).date()
        while day <= last:
            for start, end in self._day_periods(day, flags):
                lo, hi = max(start, begin), min(end, finish)
                if hi > lo:
                    total += (hi - lo).total_seconds()
            day += timedelta(days=1)
        return total

    def add_working_seconds(self, begin: datetime, seconds: float, flags: Flags | None = None) -> datetime:
        remaining = seconds
        day = self.local(begin).date()
        for _step in range(MAX_DAYS_SCANNED * 10):
            for start, end in self._day_periods(day, flags):
                lo = max(start, begin)
                if end <= lo:
                    continue
                available = (end - lo).total_seconds()
                if remaining <= available:
                    return lo + timedelta(seconds=remaining)
                remaining -= available
            day += timedelta(days=1)
        raise CalendarDataMissing(
            message="Working time could not be added; check the working hours."
        )  # pragma: no cover

    # --- limits ------------------------------------------------------------------------------
    def add_limit(self, start: datetime, value: int, unit: str, flags: Flags | None = None) -> datetime:
        if unit == "minutes":
            return start + timedelta(minutes=value)
        if unit == "hours":
            return start + timedelta(hours=value)
        day0 = self.local(start).date()
        if unit == "calendar_days":
            return self.at(day0 + timedelta(days=value), self.day_end)
        if unit == "working_days":
            return self.at(self.nth_workday_after(day0, value, flags), self.day_end)
        if unit == "working_hours":
            return self.add_working_seconds(start, value * 3600, flags)
        raise ValueError(f"unknown limit unit {unit!r}")

    def warn_moment(
        self, start: datetime, due: datetime, unit: str, share: float, flags: Flags | None = None
    ) -> datetime:
        """The moment ``share`` of the time has passed: calendar time for calendar limits, office
        time for working-time limits (so a reminder never lands in the middle of a holiday)."""
        if unit in ("working_days", "working_hours"):
            total = self.working_seconds_between(start, due, flags)
            if total > 0:
                return self.add_working_seconds(start, total * share, flags)
        return start + (due - start) * share


_shared = {"stamp": None, "calendar": None, "loaded": 0.0, "checked": 0.0}
_lock = threading.Lock()
# How often a process asks the cache whether the calendar changed (a sweep or an intake asks for
# the calendar many times a second; one cache round trip every few seconds is enough).
STAMP_CHECK_SECONDS = 2.0


def invalidate_calendar(**_signal_kwargs) -> None:
    """Called when a calendar row changes: reloaded here at once, in other processes within
    ``STAMP_CHECK_SECONDS`` (or ``LOCAL_TTL_SECONDS`` when the cache is unreachable)."""
    cache_set(CACHE_KEY, uuid.uuid4().hex, None)
    _shared["calendar"] = None


def load_calendar() -> WorkCalendar:
    overrides = dict(WorkCalendarDay.objects.values_list("date", "is_workday"))
    years = set(WorkCalendarYear.objects.values_list("year", flat=True))
    periods = list(WorkingPeriod.objects.values_list("start", "end"))
    refuse = getattr(settings, "WORK_CALENDAR_MISSING_YEAR", "fallback") == "refuse"
    return WorkCalendar(overrides=overrides, known_years=years, periods=periods, refuse_missing=refuse)


def get_calendar() -> WorkCalendar:
    """The process's calendar, reloaded when an admin changes it (seen through the cache's stamp,
    asked at most every ``STAMP_CHECK_SECONDS``) and at least every ``LOCAL_TTL_SECONDS``. An
    unreachable cache never fails the caller: the calendar is then reloaded on the minute."""
    now = monotonic_time.monotonic()
    with _lock:
        cal = _shared["calendar"]
        fresh = cal is not None and now - _shared["loaded"] <= LOCAL_TTL_SECONDS
        if fresh and now - _shared["checked"] < STAMP_CHECK_SECONDS:
            return cal
    stamp = cache_get(CACHE_KEY)
    with _lock:
        cal = _shared["calendar"]
        if cal is None or _shared["stamp"] != stamp or now - _shared["loaded"] > LOCAL_TTL_SECONDS:
            cal = load_calendar()
            _shared.update(calendar=cal, stamp=stamp, loaded=now)
        _shared["checked"] = now
        return cal


def forget_calendar() -> None:
    """Drop this process's calendar (the next call loads it): for tests, whose rolled-back rows
    send no signal."""
    _shared["calendar"] = None


def missing_years(today: date | None = None) -> list[int]:
    """Years administrators must add: this year, and from 1 December next year (domain.md §4)."""
    cal = get_calendar()
    today = today or timezone.localdate()
    wanted = [today.year]
    if today.month == 12:
        wanted.append(today.year + 1)
    return [y for y in wanted if not cal.year_known(y)]


def seed_rows_from_library() -> tuple[list[int], list[dict]]:
    """(years, days) the ``chinesecalendar`` package knows, as model-field dicts (for migrations)."""
    years = list(library_years())
    days = []
    for year in years:
        day = date(year, 1, 1)
        while day.year == year:
            workday = chinese_calendar.is_workday(day)
            if workday != (day.weekday() < 5):
                _holiday, name = chinese_calendar.get_holiday_detail(day)
                days.append({"date": day, "is_workday": workday, "note": str(name or "")[:100]})
            day += timedelta(days=1)
    return years, days


def calendar_status(today: date | None = None) -> dict:
    """For the health check and the administrators' home page."""
    years = sorted(set(WorkCalendarYear.objects.values_list("year", flat=True)))
    missing = missing_years(today)
    provisional = Deadline.objects.open().filter(provisional=True).count()
    return {
        "ok": not missing and not provisional,
        "years": [years[0], years[-1]] if years else [],
        "missing_years": missing,
        "provisional_open_deadlines": provisional,
    }
