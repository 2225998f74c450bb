"""The working-day calendar as stored in the database, and its edits.

The pure arithmetic lives in zhenwu.lib.workdays; this module builds its WorkCalendar
from the Holiday table and offers the audited edits. Years come from chinesecalendar
where it has them; the office enters later years (the State Council publishes each
November) before deadlines can fall in them.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from zhenwu.core.actors import Actor
from zhenwu.core.audit import audit_record
from zhenwu.core.constants import CoreAudit, DayKind
from zhenwu.core.models import CalendarYear, Holiday
from zhenwu.lib.workdays import WorkCalendar

_cache: dict[str, Any] = {}
# How long a worker trusts its copy before checking the tables' version again. Edits made in
# this process clear the copy at once; other workers see them within this many seconds.
RECHECK_SECONDS = 30


def work_calendar() -> WorkCalendar:
    """The calendar as stored, rebuilt only when the tables changed.

    Each worker keeps a copy and checks the version (row counts and highest ids of both tables,
    one small query) at most every RECHECK_SECONDS, so busy pages do not pay for it per request.
    """
    now = time.monotonic()
    if "calendar" in _cache and now - _cache["checked"] < RECHECK_SECONDS:
        return _cache["calendar"]
    holidays, years = Holiday._meta.db_table, CalendarYear._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {holidays}), (SELECT MAX(id) FROM {holidays}),"  # noqa: S608
            f" (SELECT COUNT(*) FROM {years}), (SELECT MAX(id) FROM {years})"
        )
        version = tuple(cursor.fetchone())
    if _cache.get("version") != version:
        _cache["calendar"] = _load_calendar()
        _cache["version"] = version
    _cache["checked"] = now
    return _cache["calendar"]


# From this day of the year the office is told that next year's arrangement is missing
# (the State Council publishes it in late October or November).
WARN_NEXT_YEAR_FROM = (11, 1)


def unconfirmed_years(today: date) -> list[int]:
    """This year, and from 1 November next year, where no arrangement is confirmed yet."""
    wanted = [today.year]
    if (today.month, today.day) >= WARN_NEXT_YEAR_FROM:
        wanted.append(today.year + 1)
    confirmed = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
    return [year for year in wanted if year not in confirmed]


def _forget_calendar() -> None:
    _cache.clear()


def _load_calendar() -> WorkCalendar:
    years = CalendarYear.objects.values_list("year", flat=True)
    days = Holiday.objects.values_list("date", "kind")
    holidays = [d for d, kind in days if kind == DayKind.HOLIDAY]
    workdays = [d for d, kind in days if kind == DayKind.WORKDAY]
    return WorkCalendar.build(years=years, holidays=holidays, makeup_workdays=workdays)


def chinesecalendar_years() -> list[int]:
    from chinese_calendar import constants

    return sorted({d.year for d in constants.holidays})


def _chinesecalendar_days(year: int) -> list[tuple[date, str, str]]:
    from chinese_calendar import constants

    rows: list[tuple[date, str, str]] = []
    for day, name in constants.holidays.items():
        if day.year == year and day.weekday() < 5:
            rows.append((day, DayKind.HOLIDAY, _holiday_name(name)))
    for day, name in constants.workdays.items():
        if day.year == year:
            rows.append((day, DayKind.WORKDAY, _holiday_name(name)))
    return sorted(rows)


_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _holiday_name(value: Any) -> str:
    english = value[0] if isinstance(value, tuple) else str(value)
    return _NAMES.get(english, english)[:40]


@transaction.atomic
def calendar_import_year(*, actor: Actor, year: int) -> int:
    """Load one year's arrangement from chinesecalendar; refuses years it does not know."""
    if year not in chinesecalendar_years():
        raise ValidationError(
            {"year": _("年度：内置日历数据不包含%(year)s年，请按国务院办公厅通知手工录入") % {"year": year}}
        )
    rows = _chinesecalendar_days(year)
    Holiday.objects.filter(date__year=year).delete()
    Holiday.objects.bulk_create([Holiday(date=d, kind=k, name=n) for d, k, n in rows])
    CalendarYear.objects.update_or_create(year=year, defaults={"source": "chinesecalendar"})
    _forget_calendar()  # this worker sees its own edit at once (a rollback only costs a reload)
    audit_record(
        actor=actor,
        action=CoreAudit.CALENDAR_YEAR_IMPORTED,
        object_type="core.calendaryear",
        object_id=year,
        object_label=f"{year}年工作日历",
        after={"days": len(rows)},
    )
    return len(rows)


@transaction.atomic
def holiday_set(*, actor: Actor, day: date, kind: str | None, name: str = "") -> Holiday | None:
    """Mark a day as 放假 or 调休上班, or clear it (kind=None) back to the weekday rule."""
    if kind is not None and kind not in DayKind.values:
        raise ValidationError({"kind": _("类型：只能是“放假”或“调休上班”")})
    if kind == DayKind.HOLIDAY and day.weekday() >= 5:
        raise ValidationError({"kind": _("类型：周末本来就不上班，无须登记为放假")})
    if kind == DayKind.WORKDAY and day.weekday() < 5:
        raise ValidationError({"kind": _("类型：调休上班只能设在周六或周日")})
    before: dict[str, Any] | None = Holiday.objects.filter(date=day).values("kind", "name").first()  # type: ignore[assignment]
    Holiday.objects.filter(date=day).delete()
    holiday = Holiday.objects.create(date=day, kind=kind, name=name.strip()[:40]) if kind else None
    _forget_calendar()  # this worker sees its own edit at once (a rollback only costs a reload)
    audit_record(
        actor=actor,
        action=CoreAudit.HOLIDAY_SET,
        object_type="core.holiday",
        object_id=day.isoformat(),
        object_label=day.isoformat(),
        before=before,
        after={"kind": kind, "name": name} if kind else None,
    )
    return holiday


@transaction.atomic
def calendar_year_confirm(*, actor: Actor, year: int, note: str = "") -> CalendarYear:
    """Declare a year's arrangement complete; only then are deadlines in it computed."""
    entered = Holiday.objects.filter(date__year=year).count()
    if entered == 0:
        raise ValidationError(
            {"year": _("年度：%(year)s年还没有录入任何放假或调休日期，不能确认") % {"year": year}}
        )
    _forget_calendar()  # this worker sees its own edit at once (a rollback only costs a reload)
    calendar_year, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": "手工录入", "note": note.strip()[:200]}
    )
    audit_record(
        actor=actor,
        action=CoreAudit.CALENDAR_YEAR_IMPORTED,
        object_type="core.calendaryear",
        object_id=year,
        object_label=f"{year}年工作日历",
        after={"days": entered, "source": "手工录入"},
    )
    return calendar_year
