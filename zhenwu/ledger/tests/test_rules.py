from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhenwu.ledger.constants import ALLOWED_TRANSITIONS, Action, Colour, Status
from zhenwu.ledger.rules import Thresholds, derive_warning, due_period, missing_periods, progress_slip_date
from zhenwu.lib.cadence import period_from_key
from zhenwu.lib.workdays import WorkCalendar

CAL = WorkCalendar.build(years=range(2008, 2031))
LIMITS = Thresholds(blue_workdays=5, progress_lag=20)


def warn(**overrides):
    values = {
        "status": Status.IN_PROGRESS,
        "today": date(2009, 6, 10),
        "deadline": date(2009, 8, 31),
        "suspended": False,
        "missing": [],
        "slip_date": None,
        "calendar": CAL,
        "thresholds": LIMITS,
    }
    values.update(overrides)
    values["blue_until"] = CAL.add_workdays(values["today"], LIMITS.blue_workdays)
    return derive_warning(**values)


def test_an_overdue_problem_shows_red_with_the_days_late():
    warning = warn(today=date(2009, 9, 7), deadline=date(2009, 8, 31))
    assert warning.colour == Colour.RED
    assert "逾期5个工作日" in warning.reasons[0]


def test_a_missing_report_turns_an_item_yellow_and_names_the_period():
    warning = warn(missing=[period_from_key("2009-05-2")])
    assert warning.colour == Colour.YELLOW
    assert "2009年5月下半月" in warning.reasons[0]


def test_progress_behind_time_is_yellow():
    assert warn(slip_date=date(2009, 6, 1)).colour == Colour.YELLOW
    assert warn(slip_date=date(2009, 7, 1)).colour is None


def test_due_within_five_working_days_is_blue():
    assert warn(today=date(2009, 8, 25)).colour == Colour.BLUE
    assert warn(today=date(2009, 8, 20)).colour is None


def test_red_outranks_yellow_but_keeps_both_reasons():
    warning = warn(today=date(2009, 9, 7), missing=[period_from_key("2009-08-2")])
    assert warning.colour == Colour.RED and len(warning.reasons) == 2


@pytest.mark.parametrize("status", [Status.PENDING, Status.CLOSED, Status.CLOSURE_REQUESTED])
def test_items_not_being_worked_on_carry_no_warning(status):
    assert warn(status=status, today=date(2009, 9, 7)).colour is None


def test_a_suspended_item_carries_no_warning():
    assert warn(suspended=True, today=date(2009, 9, 7)).colour is None


def test_long_term_items_have_no_deadline_but_still_owe_reports():
    assert warn(status=Status.LONG_TERM, deadline=None).colour is None
    missing = [period_from_key("2009-05-2")]
    assert warn(status=Status.LONG_TERM, deadline=None, missing=missing).colour == Colour.YELLOW


def test_the_report_for_a_half_month_is_due_once_it_has_ended():
    assert due_period(date(2009, 6, 10), "half_monthly").key == "2009-05-2"
    assert due_period(date(2009, 6, 16), "half_monthly").key == "2009-06-1"
    assert due_period(date(2009, 6, 10), "none") is None


def test_missing_periods_start_at_assignment_and_skip_the_reported():
    missing = missing_periods(
        since=date(2009, 5, 10), today=date(2009, 6, 20), cadence="half_monthly", reported={"2009-05-2"}
    )
    assert [p.key for p in missing] == ["2009-05-1", "2009-06-1"]
    assert (
        missing_periods(
            since=date(2009, 6, 18), today=date(2009, 6, 20), cadence="half_monthly", reported=set()
        )
        == []
    )


@given(st.integers(min_value=0, max_value=100), st.integers(min_value=1, max_value=400))
def test_the_slip_date_is_where_time_elapsed_passes_progress_plus_lag(progress, span):
    start = date(2009, 5, 1)
    deadline = date.fromordinal(start.toordinal() + span)
    slip = progress_slip_date(started=start, deadline=deadline, progress=progress, lag=20)
    if progress + 20 >= 100:
        assert slip is None
    else:
        assert slip is not None and start < slip <= deadline
        elapsed = (slip - start).days / span
        assert elapsed * 100 >= progress + 20 - 100 / span


def test_every_transition_leads_to_a_status_and_closed_can_only_be_reopened():
    statuses = set(Status.values)
    for (source, action), target in ALLOWED_TRANSITIONS.items():
        assert source in statuses and target in statuses and action in Action.values
    assert [a for (s, a) in ALLOWED_TRANSITIONS if s == Status.CLOSED] == [Action.REOPEN]
