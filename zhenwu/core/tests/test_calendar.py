from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from zhenwu.core.actors import DEMO
from zhenwu.core.calendar import calendar_import_year, calendar_year_confirm, holiday_set, work_calendar
from zhenwu.core.models import AuditEvent, CalendarYear, Holiday
from zhenwu.lib.workdays import CalendarNotCovered

pytestmark = pytest.mark.django_db


def test_the_installed_calendar_covers_2004_to_2026_from_chinesecalendar():
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert {2004, 2009, 2026} <= years
    assert 2027 not in years
    calendar = work_calendar()
    assert calendar.is_workday(date(2026, 2, 14))  # 调休 Saturday
    assert not calendar.is_provisional(date(2026, 2, 14))
    with pytest.raises(CalendarNotCovered):
        calendar.is_workday(date(2003, 12, 31))


@time_machine.travel("2026-12-01 09:00 +0800", tick=False)
def test_a_year_not_yet_confirmed_is_provisional_with_the_statutory_days_off():
    calendar = work_calendar()
    assert calendar.is_provisional(date(2027, 3, 1))
    assert calendar.is_provisional(date(2026, 12, 1), date(2027, 1, 5))
    assert calendar.is_workday(date(2027, 1, 4))  # an ordinary Monday
    # 春节 2027 is 6 February (a Saturday): 除夕 Friday 5 and 初三 Monday 8 are off by law.
    assert not calendar.is_workday(date(2027, 2, 5))
    assert not calendar.is_workday(date(2027, 2, 8))
    assert calendar.is_workday(date(2027, 5, 3))  # not statutory: only the notice can bridge it
    assert not calendar.is_workday(date(2027, 10, 1))
    # Ten years ahead is covered (provisionally); far beyond is not guessed.
    assert calendar.is_provisional(date(2036, 6, 1))
    with pytest.raises(CalendarNotCovered):
        calendar.is_workday(date(2040, 1, 2))


def test_days_entered_for_an_unconfirmed_year_count_only_once_it_is_confirmed():
    holiday_set(actor=DEMO, day=date(2027, 2, 13), kind="workday", name="春节调休")
    calendar = work_calendar()
    assert not calendar.is_workday(date(2027, 2, 13))  # a draft: still the weekend rule
    _enter_statutory(2027)
    changed = calendar_year_confirm(actor=DEMO, year=2027)
    assert changed == []  # no module has provisional deadlines in this test
    calendar = work_calendar()
    assert calendar.is_workday(date(2027, 2, 13))
    assert not calendar.is_provisional(date(2027, 2, 13))


def _enter_statutory(year: int) -> None:
    from zhenwu.lib.statutory import statutory_weekdays

    for day, name in statutory_weekdays(year).items():
        holiday_set(actor=DEMO, day=day, kind="holiday", name=name)


def test_the_office_enters_a_new_year_and_confirms_it():
    holiday_set(actor=DEMO, day=date(2027, 1, 1), kind="holiday", name="元旦")
    holiday_set(actor=DEMO, day=date(2027, 2, 6), kind="workday", name="春节")
    # Only 元旦 entered: the law's other weekdays off are missing, so it is not the arrangement.
    with pytest.raises(ValidationError) as caught:
        calendar_year_confirm(actor=DEMO, year=2027)
    assert "春节2月5日" in str(caught.value) and "国庆节10月1日" in str(caught.value)
    assert not CalendarYear.objects.filter(year=2027).exists()
    _enter_statutory(2027)
    calendar_year_confirm(actor=DEMO, year=2027)
    calendar = work_calendar()
    assert not calendar.is_workday(date(2027, 1, 1))
    assert calendar.is_workday(date(2027, 2, 6))
    assert AuditEvent.objects.filter(action="calendar.holiday_set").count() >= 2


def test_a_year_with_nothing_entered_cannot_be_confirmed():
    with pytest.raises(ValidationError) as caught:
        calendar_year_confirm(actor=DEMO, year=2030)
    assert "2030年还没有录入" in str(caught.value)


def test_a_weekend_holiday_or_a_weekday_makeup_day_is_refused():
    with pytest.raises(ValidationError, match="周末本来就不上班"):
        holiday_set(actor=DEMO, day=date(2027, 1, 2), kind="holiday")
    with pytest.raises(ValidationError, match="只能设在周六或周日"):
        holiday_set(actor=DEMO, day=date(2027, 1, 4), kind="workday")
    assert not Holiday.objects.filter(date__year=2027).exists()


def test_reimporting_a_year_replaces_it_and_a_year_it_does_not_know_is_refused():
    before = Holiday.objects.filter(date__year=2009).count()
    assert calendar_import_year(actor=DEMO, year=2009) == (before, [])
    with pytest.raises(ValidationError, match="不包含2031年"):
        calendar_import_year(actor=DEMO, year=2031)


def test_the_office_is_told_from_1_november_while_next_year_is_unconfirmed(office, leader):
    from zhenwu.conftest import client_for

    with time_machine.travel("2026-10-31 09:00 +0800", tick=False):
        assert 'id="calendar-banner"' not in client_for(office).get("/").content.decode()
    with time_machine.travel("2026-11-01 09:00 +0800", tick=False):
        page = client_for(office).get("/").content.decode()
        assert 'id="calendar-banner"' in page and "2027年工作日历尚未确认" in page
        assert "/calendar/?year=2027" in page or "year=2027" in page
        assert 'id="calendar-banner"' not in client_for(leader).get("/").content.decode()
        # 2027 is offered on the calendar page, with what it assumes until confirmed.
        calendar = client_for(office).get("/calendar/?year=2027").content.decode()
        assert "2027 未确认" in calendar and "春节 2月5日" in calendar


def test_tick_logs_once_a_day_and_notifies_the_office_once_a_week(office, caplog):
    from django.core.management import call_command

    from zhenwu.core.models import Notice

    with time_machine.travel("2026-12-01 09:00 +0800", tick=False):
        call_command("tick")
        call_command("tick")
    with time_machine.travel("2026-12-02 09:00 +0800", tick=False):
        call_command("tick")
    logged = [r for r in caplog.records if "工作日历未确认" in r.getMessage()]
    assert len(logged) == 2  # 1 and 2 December, not every five minutes
    assert Notice.objects.filter(recipient=office, key__startswith="calendar-unconfirmed:").count() == 1
