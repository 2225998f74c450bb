"""Numbers in a series, per town and year: 2026-0001 for problems, N号 for 通报, and any
module's own (ADR 0008 §5, county plan step 4).

One rule for every numbered thing: the series' row in `core.Counter` is incremented in place
inside the caller's transaction, so two app servers creating at once get consecutive numbers
and the loser never meets the unique index. A series that existed before its counter (an
upgraded installation) starts from `floor()`, the highest number already given, read once
when the row is made. A number written by hand (a sheet's own 编号) is noted so the series
goes on after it instead of later handing it out again.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from zhenwu.core.models import Counter


def _none() -> int:
    return 0


def _row(*, town_id: int, series: str, year: int, floor: Callable[[], int], at_least: int) -> bool:
    """Make the series' row if it is missing; False when another server made it first."""
    try:
        with transaction.atomic():
            Counter.objects.create(town_id=town_id, series=series, year=year, value=max(floor(), at_least))
    except IntegrityError:
        return False
    return True


def counter_next(
    *, town_id: int, series: str, year: int, count: int = 1, floor: Callable[[], int] = _none
) -> int:
    """The series' next number (1 for a new series, `floor() + 1` for one that has numbers);
    with `count`, the last of that many consecutive numbers taken at once (an import)."""
    with transaction.atomic(savepoint=False):  # the UPDATE and the SELECT in one transaction
        rows = Counter.objects.filter(town_id=town_id, series=series, year=year)
        if rows.update(value=F("value") + count) == 0 and not _row(
            town_id=town_id, series=series, year=year, floor=lambda: floor() + count, at_least=count
        ):
            rows.update(value=F("value") + count)
        return rows.values_list("value", flat=True).get()


def counter_note(
    *, town_id: int, series: str, year: int, value: int, floor: Callable[[], int] = _none
) -> None:
    """A number of the series given by hand: the next one handed out comes after it."""
    with transaction.atomic(savepoint=False):
        rows = Counter.objects.filter(town_id=town_id, series=series, year=year)
        if rows.update(value=Greatest(F("value"), value)) == 0 and not _row(
            town_id=town_id, series=series, year=year, floor=floor, at_least=value
        ):
            rows.update(value=Greatest(F("value"), value))
