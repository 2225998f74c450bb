"""A backup taken while residents keep submitting restores every acknowledged submission.

A plain `cp` of the live SQLite file lost 1 of 300 acknowledged suggestions and its log
still verified. Here a thread submits through the real service while `backup_create` runs;
the restored copy must hold every suggestion acknowledged before the backup started, no
hole after it (a consistent snapshot holds a prefix of the single writer's submissions), a
log that ends at the head the manifest recorded, and the resident's photo byte for byte.
On PostgreSQL the source is the test database and the copy goes into a second, empty one.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection
from PIL import Image

from zhenwu.core.audit import audit_verify
from zhenwu.core.backup import backup_create, backup_restore
from zhenwu.core.models import AuditEvent
from zhenwu.core.tests.installations import empty_target, source, use
from zhenwu.suggestions.constants import SuggestionAudit
from zhenwu.suggestions.models import Suggestion, SuggestionPhoto
from zhenwu.suggestions.services import suggestion_submit
from zhenwu.suggestions.tests.images import png_upload

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the writer stalled"
        time.sleep(0.01)


def test_a_backup_under_write_load_restores_every_acknowledged_submission(tmp_path, settings):
    settings.ZHENWU_SUGGEST_PER_IP_HOUR = 0
    src = source(tmp_path / "src")
    acked: list[tuple[str, float]] = []  # (receipt, when the service returned), in order
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer() -> None:
        try:
            n = 0
            while not stop.is_set():
                submitted = suggestion_submit(
                    text=f"第{n}条：村口道路坑洼需要修补", ip=f"10.1.{n // 200}.{n % 200}"
                )
                acked.append((submitted.receipt, time.monotonic()))
                n += 1
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    with use(src):
        (src.var / "secret_key").write_text("the-town-secret")
        with_photo = suggestion_submit(text="路灯坏了很久，晚上出行不便", photos=[png_upload()])
        photo = with_photo.photos.get()
        original = {photo.image.name: photo.image.read(), photo.thumbnail.name: photo.thumbnail.read()}
        thread = threading.Thread(target=writer)
        thread.start()
        try:
            _wait_for(lambda: len(acked) >= 15 or bool(errors))
            started = time.monotonic()
            before = {receipt for receipt, _at in list(acked)}
            made = backup_create(directory=tmp_path / "backups")
            finished = time.monotonic()
            count = len(acked)
            _wait_for(lambda: len(acked) >= count + 10 or bool(errors))
        finally:
            stop.set()
            thread.join()
        assert not errors
    order = [receipt for receipt, _at in acked]
    during = [receipt for receipt, at in acked if started < at < finished]
    assert during, "no submission was acknowledged while the backup ran: the test proved nothing"

    with empty_target(tmp_path / "dst") as dst, use(dst):
        done = backup_restore(archive=made.path)
        restored = set(Suggestion.objects.values_list("receipt", flat=True)) - {with_photo.receipt}
        assert Suggestion.objects.filter(receipt=with_photo.receipt).exists()
        assert before <= restored  # every submission acknowledged before the snapshot
        assert restored == set(order[: len(restored)])  # a consistent snapshot: a prefix, no hole
        assert len(restored) < len(order)  # and the ones after it are not there
        # The log ends where the manifest says, and each stored suggestion has its event.
        assert done.manifest.head == made.manifest.head
        assert audit_verify(expect_head=made.manifest.head, allow_later=True).ok
        received = AuditEvent.objects.filter(action=SuggestionAudit.SUGGESTION_RECEIVED).count()
        assert received == len(restored) + 1
        restored_photo = SuggestionPhoto.objects.get(suggestion__receipt=with_photo.receipt)
        for field in (restored_photo.image, restored_photo.thumbnail):
            with field.open("rb") as handle:
                assert handle.read() == original[field.name]
        with Image.open(restored_photo.image.path) as image:
            image.verify()
        assert (dst.var / "secret_key").read_text() == "the-town-secret"
