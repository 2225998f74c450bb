"""The working-day calendar as stored in the database, and its edits.

The pure arithmetic lives in zhenwu.lib.workdays; this module builds its WorkCalendar
from the Holiday table and offers the audited edits. Years come from chinesecalendar
where it has them; the office enters later years (the State Council publishes each
November). Until a year is confirmed it is provisional: weekends and the statutory days
(zhenwu.lib.statutory) are off, and what is computed from it is marked 暂定. Confirming a
year runs the modules' hooks, which recompute their provisional deadlines.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from zhenwu.core.actors import Actor
from zhenwu.core.audit import audit_record
from zhenwu.core.constants import CoreAudit, DayKind
from zhenwu.core.models import CalendarYear, Holiday
from zhenwu.lib.statutory import statutory_weekdays
from zhenwu.lib.workdays import WorkCalendar

# The first year with a calendar (chinesecalendar's first); deadlines before it are refused,
# as are deadlines more than this many years ahead (a typo, not a plan).
FIRST_YEAR = 2004
YEARS_AHEAD = 10

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
    confirmed = set(CalendarYear.objects.values_list("year", flat=True))
    # Days entered for a year not yet confirmed are the office's draft: they count once confirmed.
    days = [(d, kind) for d, kind in Holiday.objects.values_list("date", "kind") if d.year in confirmed]
    holidays = [d for d, kind in days if kind == DayKind.HOLIDAY]
    workdays = [d for d, kind in days if kind == DayKind.WORKDAY]
    horizon = date.today().year + YEARS_AHEAD + 1  # noqa: DTZ011 - a year number, not a moment
    provisional = [y for y in range(min(confirmed | {FIRST_YEAR}), horizon + 1) if y not in confirmed]
    for year in provisional:
        holidays.extend(statutory_weekdays(year))
    return WorkCalendar.build(
        years=confirmed | set(provisional),
        holidays=holidays,
        makeup_workdays=workdays,
        provisional=provisional,
    )


def deadline_out_of_range(day: date, *, today: date) -> str | None:
    """Why a deadline cannot be right (before the first calendar year, or absurdly far ahead)."""
    if day.year < FIRST_YEAR:
        return _("不能早于%(year)s年（工作日历从该年开始）") % {"year": FIRST_YEAR}
    if day > _years_after(today, YEARS_AHEAD):
        return _("不能晚于%(year)s年后（%(day)s）；请检查年份") % {
            "year": YEARS_AHEAD,
            "day": _years_after(today, YEARS_AHEAD).isoformat(),
        }
    return None


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# ---------------------------------------------------------------------------------------
# Confirming a year: the modules recompute what they computed provisionally


@dataclass(frozen=True)
class Recomputed:
    """One thing a confirmation changed, for the office to review."""

    label: str  # e.g. the problem's number
    url: str
    before: date
    after: date


ConfirmHook = Callable[..., list[Recomputed]]  # (actor=, year=) -> what changed
CONFIRM_HOOKS: list[ConfirmHook] = []


def on_year_confirmed(hook: ConfirmHook) -> ConfirmHook:
    """Register a module's recomputation (from its AppConfig.ready)."""
    CONFIRM_HOOKS.append(hook)
    return hook


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
def calendar_import_year(*, actor: Actor, year: int) -> tuple[int, list[Recomputed]]:
    """Load one year's arrangement from chinesecalendar (refuses years it does not know) and
    recompute what was provisional in it: (days loaded, what changed)."""
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
    return len(rows), _run_confirm_hooks(actor=actor, year=year)


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


def missing_statutory_days(year: int) -> list[tuple[date, str]]:
    """Statutory weekdays of `year` not entered as 放假: an arrangement without them is incomplete."""
    entered = set(
        Holiday.objects.filter(date__year=year, kind=DayKind.HOLIDAY).values_list("date", flat=True)
    )
    return [(d, name) for d, name in statutory_weekdays(year).items() if d not in entered]


@transaction.atomic
def calendar_year_confirm(*, actor: Actor, year: int, note: str = "") -> list[Recomputed]:
    """Declare a year's arrangement complete, then recompute every provisional deadline in it.

    Refused while a statutory weekday is not entered as 放假 (an empty year among them): the law
    fixes those days, so a year without them cannot be the State Council's arrangement."""
    if not FIRST_YEAR <= year <= date.today().year + YEARS_AHEAD:  # noqa: DTZ011 - a year number
        raise ValidationError({"year": _("年度：只能确认%(first)s年至今后十年") % {"first": FIRST_YEAR}})
    entered = Holiday.objects.filter(date__year=year).count()
    if entered == 0:
        raise ValidationError(
            {"year": _("年度：%(year)s年还没有录入任何放假或调休日期，不能确认") % {"year": year}}
        )
    if missing := missing_statutory_days(year):
        listed = "、".join(f"{name}{d.month}月{d.day}日" for d, name in missing)
        raise ValidationError(
            {
                "year": _("年度：%(year)s年的法定节假日尚未录入为放假：%(days)s")
                % {"year": year, "days": listed}
            }
        )
    calendar_year, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"source": "手工录入", "note": note.strip()[:200]}
    )
    _forget_calendar()  # this worker sees its own edit at once (a rollback only costs a reload)
    audit_record(
        actor=actor,
        action=CoreAudit.CALENDAR_YEAR_IMPORTED,
        object_type="core.calendaryear",
        object_id=year,
        object_label=f"{year}年工作日历",
        after={"days": entered, "source": "手工录入"},
    )
    return _run_confirm_hooks(actor=actor, year=year)


def _run_confirm_hooks(*, actor: Actor, year: int) -> list[Recomputed]:
    changed: list[Recomputed] = []
    for hook in CONFIRM_HOOKS:
        changed.extend(hook(actor=actor, year=year))
    return changed


# ---------------------------------------------------------------------------------------
# Telling the office in time: a banner on its home page, and a tick task that logs and notifies


def calendar_banner(request: Any) -> tuple[str, dict[str, Any]] | None:
    """The office's home page, while this year or (from 1 November) next year is unconfirmed."""
    from django.utils import timezone

    from zhenwu.org.roles import is_office

    if not is_office(request.user):
        return None
    years = unconfirmed_years(timezone.localdate())
    if not years:
        return None
    importable = set(chinesecalendar_years())
    return "core/_calendar_banner.html", {"years": [(year, year in importable) for year in years]}


logger = logging.getLogger(__name__)


def calendar_check(now: Any) -> int:
    """A tick task: log once a day, and notify the office once a week, while a year is missing."""
    from django.urls import reverse
    from django.utils import timezone

    from zhenwu.core.models import TickRun
    from zhenwu.core.notices import Draft, notices_send
    from zhenwu.org.constants import OFFICE_ROLES
    from zhenwu.org.models import User

    today = timezone.localtime(now).date()
    years = unconfirmed_years(today)
    if not years:
        return 0
    last = TickRun.objects.filter(task="core.calendar_check").values_list("started_at", flat=True).first()
    listed = "、".join(f"{year}年" for year in years)
    if last is None or timezone.localtime(last).date() != today:
        logger.warning("工作日历未确认：%s（按法定节假日暂算的时限标为暂定）", listed)
    week = today.isocalendar()
    office = User.objects.filter(role__in=OFFICE_ROLES, is_active=True).values_list("id", flat=True)
    drafts = [
        Draft(
            recipient_id=account,
            key=f"calendar-unconfirmed:{years[-1]}:{week.year}-W{week.week}:{account}",
            subject=f"【工作日历】{listed}放假安排尚未确认",
            body="国务院办公厅公布放假安排后，请在“工作日历”中录入并确认；在此之前相关时限按法定节假日暂算，标为“暂定”。",
            url=f"{reverse('core:calendar')}?year={years[-1]}",
        )
        for account in office
    ]
    return notices_send(drafts, reason="工作日历未确认提醒")
