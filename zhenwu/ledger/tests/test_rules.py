from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhenwu.ledger.constants import ALLOWED_TRANSITIONS, Action, Colour, Status
from zhenwu.ledger.rules import Facts, Thresholds, Today, due_period, progress_slip_date, warning_for
from zhenwu.lib.cadence import period_from_key
from zhenwu.lib.workdays import WorkCalendar

CAL = WorkCalendar.build(years=range(2008, 2031))
LIMITS = Thresholds(blue_workdays=5, progress_lag=20)


def warn(*, today=date(2009, 6, 10), missing=None, slip_date=None, **overrides):
    """The warning for an in-progress half-monthly problem assigned on 2009-05-01, with its
    reports up to date unless `missing` names the one period that is not."""
    day = today
    due = due_period(day, "half_monthly")
    last = "2009-04-2" if missing else due.key
    values = {
        "status": Status.IN_PROGRESS,
        "suspended": False,
        "deadline": date(2009, 8, 31),
        "cadence": "half_monthly",
        "assigned_on": date(2009, 5, 1),
        "last_report_period": last,
        "progress_slip_on": slip_date,
    }
    values.update(overrides)
    return warning_for(Facts(**values), Today.build(day, CAL, LIMITS))


def test_an_overdue_problem_shows_red_with_the_days_late():
    warning = warn(today=date(2009, 9, 7), deadline=date(2009, 8, 31))
    assert warning.colour == Colour.RED
    assert "逾期5个工作日" in warning.reasons[0]


def test_a_missing_report_turns_an_item_yellow_and_names_the_period():
    warning = warn(missing=True)
    assert warning.colour == Colour.YELLOW
    assert "2009年5月下半月" in warning.reasons[0]


def test_progress_behind_time_is_yellow():
    assert warn(slip_date=date(2009, 6, 1)).colour == Colour.YELLOW
    assert warn(slip_date=date(2009, 7, 1)).colour is None


def test_due_within_five_working_days_is_blue():
    assert warn(today=date(2009, 8, 25)).colour == Colour.BLUE
    assert warn(today=date(2009, 8, 20)).colour is None


def test_red_outranks_yellow_but_keeps_both_reasons():
    warning = warn(today=date(2009, 9, 7), missing=True)
    assert warning.colour == Colour.RED and len(warning.reasons) == 2


@pytest.mark.parametrize("status", [Status.PENDING, Status.CLOSED, Status.CLOSURE_REQUESTED])
def test_items_not_being_worked_on_carry_no_warning(status):
    assert warn(status=status, today=date(2009, 9, 7)).colour is None


def test_a_suspended_item_carries_no_warning():
    assert warn(suspended=True, today=date(2009, 9, 7)).colour is None


def test_long_term_items_have_no_deadline_but_still_owe_reports():
    assert warn(status=Status.LONG_TERM, deadline=None).colour is None
    assert warn(status=Status.LONG_TERM, deadline=None, missing=True).colour == Colour.YELLOW


def test_the_report_for_a_half_month_is_due_once_it_has_ended():
    assert due_period(date(2009, 6, 10), "half_monthly").key == "2009-05-2"
    assert due_period(date(2009, 6, 16), "half_monthly").key == "2009-06-1"
    assert due_period(date(2009, 6, 10), "none") is None


def test_a_period_is_owed_from_the_one_containing_the_assignment_and_a_later_report_covers_it():
    from zhenwu.ledger.rules import owes

    base = Facts(Status.IN_PROGRESS, False, None, "half_monthly", date(2009, 5, 10), "", None)
    assert owes(base, period_from_key("2009-05-1"))  # assigned on the 10th: the first half is owed
    later = Facts(Status.IN_PROGRESS, False, None, "half_monthly", date(2009, 5, 16), "", None)
    assert not owes(later, period_from_key("2009-05-1"))
    covered = Facts(Status.IN_PROGRESS, False, None, "half_monthly", date(2009, 5, 10), "2009-05-2", None)
    assert not owes(covered, period_from_key("2009-05-1"))
    assert owes(covered, period_from_key("2009-06-1"))
    assert not owes(
        Facts(Status.IN_PROGRESS, True, None, "half_monthly", date(2009, 5, 10), "", None),
        period_from_key("2009-05-1"),
    )  # a stopped clock owes nothing


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
