"""insert_rows stores what save() would store."""

from datetime import UTC, date, datetime

import pytest
from django.db import transaction

from zhenwu.core.bulk import insert_rows, row_of
from zhenwu.core.models import Holiday, TickRun

pytestmark = pytest.mark.django_db


def test_rows_inserted_in_bulk_read_back_as_saved_ones():
    saved = Holiday(date=date(2031, 10, 1), kind="holiday", name="国庆节")
    with transaction.atomic():
        assert (
            insert_rows(
                Holiday, [row_of(saved), {**row_of(saved), "date": date(2031, 10, 2), "name": "国庆（二）"}]
            )
            == 2
        )
    rows = list(Holiday.objects.filter(date__year=2031).order_by("date").values_list("date", "kind", "name"))
    assert rows == [(date(2031, 10, 1), "holiday", "国庆节"), (date(2031, 10, 2), "holiday", "国庆（二）")]


def test_times_are_prepared_by_their_fields_and_none_stays_null():
    moment = datetime(2031, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)
    with transaction.atomic():
        insert_rows(
            TickRun, [row_of(TickRun(task="测试任务", started_at=moment, finished_at=None, ok=False))]
        )
    stored = TickRun.objects.get(task="测试任务")
    assert stored.started_at == moment and stored.finished_at is None and stored.ok is False


def test_rows_inserted_for_their_ids_get_each_its_own_in_order():
    from zhenwu.core.bulk import insert_rows_with_ids

    days = [date(2032, 1, day) for day in range(1, 31)]
    rows = [row_of(Holiday(date=day, kind="holiday", name=f"第{day.day}天")) for day in days]
    with transaction.atomic():
        ids = insert_rows_with_ids(Holiday, rows, key="date")
        Holiday.objects.create(date=date(2033, 1, 1), kind="holiday")  # the sequence carries on after them
    assert dict(Holiday.objects.filter(date__year=2032).values_list("date", "id")) == dict(
        zip(days, ids, strict=True)
    )
    assert Holiday.objects.get(date=date(2033, 1, 1)).pk > max(ids)
