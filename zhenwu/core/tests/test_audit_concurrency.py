"""Concurrent writers must not fork the chain (PostgreSQL: the advisory lock)."""

import threading

import pytest
from django.db import connection, transaction

from zhenwu.core.actors import SystemActor
from zhenwu.core.audit import audit_record, audit_verify
from zhenwu.core.models import AuditEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


def test_eight_threads_writing_at_once_leave_one_unbroken_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the lock under test is PostgreSQL's")
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(10):
                with transaction.atomic():
                    audit_record(
                        actor=SystemActor(f"thread-{n}", f"线程{n}"), action="test.concurrent", object_id=i
                    )
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEvent.objects.count() == 80
    assert audit_verify().ok


def test_batches_and_single_events_written_at_once_leave_one_unbroken_chain():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the lock under test is PostgreSQL's")
    from zhenwu.core.audit import AuditEntry, audit_record_many

    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            actor = SystemActor(f"thread-{n}", f"线程{n}")
            for i in range(5):
                with transaction.atomic():
                    if n % 2:
                        audit_record_many(
                            actor=actor,
                            entries=[AuditEntry("test.batch", object_id=f"{i}-{k}") for k in range(20)],
                        )
                    else:
                        audit_record(actor=actor, action="test.concurrent", object_id=i)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert AuditEvent.objects.count() == 3 * 5 * 20 + 3 * 5
    assert audit_verify().ok
