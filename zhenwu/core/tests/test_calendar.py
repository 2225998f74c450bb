from datetime import date

import pytest
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
    with pytest.raises(CalendarNotCovered):
        calendar.is_workday(date(2027, 1, 4))


def test_the_office_enters_a_new_year_and_confirms_it():
    holiday_set(actor=DEMO, day=date(2027, 1, 1), kind="holiday", name="元旦")
    holiday_set(actor=DEMO, day=date(2027, 2, 6), kind="workday", name="春节")
    with pytest.raises(CalendarNotCovered):
        work_calendar().is_workday(date(2027, 1, 4))
    calendar_year_confirm(actor=DEMO, year=2027)
    calendar = work_calendar()
    assert not calendar.is_workday(date(2027, 1, 1))
    assert calendar.is_workday(date(2027, 2, 6))
    assert AuditEvent.objects.filter(action="calendar.holiday_set").count() == 2


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
    assert calendar_import_year(actor=DEMO, year=2009) == before
    with pytest.raises(ValidationError, match="不包含2031年"):
        calendar_import_year(actor=DEMO, year=2031)
