"""Opening evidence: a checked view in the problem's scope, safe headers, audited once a day,
and previews (photo thumbnails, a PDF's first page) that never decode an over-limit image."""

import io
import stat
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from zhenwu.conftest import client_for
from zhenwu.core.actors import DEMO
from zhenwu.core.models import AuditEvent
from zhenwu.ledger import previews
from zhenwu.ledger.constants import Action, EvidenceKind, LedgerAudit
from zhenwu.ledger.models import Evidence
from zhenwu.ledger.services import problem_apply_close, problem_record_step, report_save

pytestmark = pytest.mark.django_db


def _png(width: int = 640, height: int = 480, colour: str = "#3a7") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "PNG")
    return out.getvalue()


def _pdf() -> bytes:
    out = io.BytesIO()
    Image.new("L", (595, 842), 240).save(out, "PDF", resolution=72)
    return out.getvalue()


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


DOCX = b"PK\x03\x04" + b"\0" * 40


@pytest.fixture
def closure(problem, department_staff):
    """The problem, closure requested by 张明 with a photo, a scanned form and a Word file."""
    problem_apply_close(
        actor=department_staff,
        problem=problem,
        completion="道路已修复",
        files=[_upload("修复后照片.png", _png()), _upload("验收单.pdf", _pdf()), _upload("说明.docx", DOCX)],
    )
    return {e.original_name: e for e in Evidence.objects.filter(problem=problem)}


def _opened(user) -> int:
    return AuditEvent.objects.filter(action=LedgerAudit.EVIDENCE_OPENED, actor=user).count()


def test_a_photo_opens_inline_under_its_chinese_name_with_safe_headers(closure, office):
    photo = closure["修复后照片.png"]
    response = client_for(office).get(reverse("ledger:evidence_file", args=[photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "inline; filename*=utf-8''%E4%BF%AE%E5%A4%8D%E5%90%8E%E7%85%A7%E7%89%87.png"
    )
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_pdf_opens_inline_and_an_office_file_downloads(closure, office):
    client = client_for(office)
    pdf = client.get(reverse("ledger:evidence_file", args=[closure["验收单.pdf"].pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf["Content-Disposition"].startswith("inline;")
    docx = client.get(reverse("ledger:evidence_file", args=[closure["说明.docx"].pk]))
    assert docx["Content-Disposition"].startswith("attachment;")
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert docx["X-Content-Type-Options"] == "nosniff"
    asked = client.get(reverse("ledger:evidence_file", args=[closure["验收单.pdf"].pk]), {"download": "1"})
    assert asked["Content-Disposition"].startswith("attachment;")


def test_the_type_served_comes_from_the_allowed_list_not_the_stored_column(closure, office):
    photo = closure["修复后照片.png"]
    Evidence.objects.filter(pk=photo.pk).update(content_type="text/html")
    response = client_for(office).get(reverse("ledger:evidence_file", args=[photo.pk]))
    assert response["Content-Type"] == "image/png"


def test_files_are_in_the_problems_scope_and_404_outside_it(
    closure, department_staff, leader, outsider, client
):
    photo = closure["修复后照片.png"]
    for user in (department_staff, leader):  # the 责任人 and the 责任领导 see the problem
        assert client_for(user).get(reverse("ledger:evidence_file", args=[photo.pk])).status_code == 200
        assert client_for(user).get(reverse("ledger:evidence_preview", args=[photo.pk])).status_code == 200
    for url in ("ledger:evidence_file", "ledger:evidence_preview"):
        assert client_for(outsider).get(reverse(url, args=[photo.pk])).status_code == 404
        assert client_for(outsider).get(reverse(url, args=[photo.pk + 1000])).status_code == 404
        assert client.get(reverse(url, args=[photo.pk])).status_code == 302  # to the login page
    assert _opened(outsider) == 0


def test_a_file_missing_from_the_server_is_a_404_and_not_recorded(closure, office):
    photo = closure["修复后照片.png"]
    Path(photo.file.path).unlink()
    assert client_for(office).get(reverse("ledger:evidence_file", args=[photo.pk])).status_code == 404
    assert (
        client_for(office).get(reverse("ledger:evidence_preview", args=[photo.pk])).status_code == 200
    )  # the tile
    assert _opened(office) == 0


def test_opening_is_recorded_once_per_person_file_and_day(closure, office, department_staff):
    photo, pdf = closure["修复后照片.png"], closure["验收单.pdf"]
    client = client_for(office)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):  # a browser asks for a PDF more than once while showing it
            client.get(reverse("ledger:evidence_file", args=[pdf.pk]))
        client.get(reverse("ledger:evidence_file", args=[photo.pk]))
        client.get(reverse("ledger:evidence_preview", args=[photo.pk]))  # a thumbnail is not an opening
        assert _opened(office) == 2
        event = AuditEvent.objects.filter(action=LedgerAudit.EVIDENCE_OPENED, object_id=str(pdf.pk)).get()
        assert event.object_type == "ledger.evidence" and event.actor == office
        assert event.object_label == f"{pdf.problem.number} 验收单.pdf"
        assert event.after == {"problem": pdf.problem_id, "kind": "closure", "name": "验收单.pdf"}
        client_for(department_staff).get(reverse("ledger:evidence_file", args=[pdf.pk]))
        assert _opened(department_staff) == 1
        clock.shift(timedelta(days=1))  # the next day, signed in again (the session timed out)
        assert client_for(office).get(reverse("ledger:evidence_file", args=[pdf.pk])).status_code == 200
        assert _opened(office) == 3


def test_the_acceptance_panel_shows_thumbnails_and_every_file_is_a_link(closure, office, leader, problem):
    page = client_for(office).get(reverse("ledger:problem_detail", args=[problem.pk])).content.decode()
    for name, item in closure.items():
        assert f'href="/ledger/evidence/{item.pk}/"' in page and name in page
    assert f'src="/ledger/evidence/{closure["修复后照片.png"].pk}/preview.jpg"' in page
    assert f'src="/ledger/evidence/{closure["验收单.pdf"].pk}/preview.jpg"' in page
    assert f'src="/ledger/evidence/{closure["说明.docx"].pk}/preview.jpg"' not in page  # a DOCX tile
    assert 'class="evidence-tile" aria-hidden="true">DOCX<' in page
    # The leader cannot accept: no panel, the links remain.
    page = client_for(leader).get(reverse("ledger:problem_detail", args=[problem.pk])).content.decode()
    assert "evidence-thumbs" not in page and f'href="/ledger/evidence/{closure["验收单.pdf"].pk}/"' in page


def test_a_reports_attachments_are_links_in_its_row(problem, leader, office):
    report_save(
        actor=leader, problem=problem, progress=40, done="已铺设一半", files=[_upload("现场.png", _png())]
    )
    item = Evidence.objects.get(kind=EvidenceKind.REPORT)
    page = client_for(office).get(reverse("ledger:problem_detail", args=[problem.pk])).content.decode()
    row = page.split('<table class="table table-sm small reports">')[1].split("</table>")[0]
    assert f'<a href="/ledger/evidence/{item.pk}/"' in row and "现场.png" in row


# --- previews -----------------------------------------------------------------------------


def _preview(office, item) -> Image.Image:
    response = client_for(office).get(reverse("ledger:evidence_preview", args=[item.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    return Image.open(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )


def test_a_photo_preview_is_a_small_jpeg_made_once(closure, office, monkeypatch):
    photo = closure["修复后照片.png"]
    image = _preview(office, photo)
    assert image.format == "JPEG" and max(image.size) == previews.SIDE
    monkeypatch.setattr(previews, "_make", lambda e: pytest.fail("the cached preview was made again"))
    assert _preview(office, photo).size == image.size


def test_an_over_limit_image_gets_the_tile_without_being_decoded(
    problem, department_staff, office, settings, monkeypatch
):
    settings.ZHENWU_PHOTO_MAX_MEGAPIXELS = 1
    problem_apply_close(
        actor=department_staff,
        problem=problem,
        completion="完成",
        files=[_upload("大图.png", _png(1200, 1000))],
    )
    item = Evidence.objects.get()
    previews.icon(item.extension)  # the tile is drawn (and kept) before decoding is forbidden

    def no_decoding(self, *args, **kwargs):
        raise AssertionError("an over-limit image was decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    monkeypatch.setattr("PIL.ImageFile.ImageFile.load", no_decoding)
    tile = client_for(office).get(reverse("ledger:evidence_preview", args=[item.pk]))
    assert tile["Cache-Control"] == "private, max-age=60"
    monkeypatch.undo()
    assert Image.open(io.BytesIO(tile.content)).size == (previews.SIDE * 3 // 4, previews.SIDE)


def test_a_pdfs_first_page_is_rendered_by_pdftoppm(closure, office):
    image = _preview(office, closure["验收单.pdf"])
    assert image.format == "JPEG" and image.size[1] == previews.SIDE  # a portrait A4 page
    assert image.getpixel((10, 10)) > (200, 200, 200)  # the page's light grey, not the tile's frame


def test_a_broken_pdf_or_a_missing_pdftoppm_gives_the_tile(problem, department_staff, office, monkeypatch):
    problem_apply_close(
        actor=department_staff,
        problem=problem,
        completion="完成",
        files=[_upload("坏.pdf", b"%PDF-1.4 broken")],
    )
    broken = Evidence.objects.get()
    assert previews.preview_path(broken) is None
    assert _preview(office, broken).size == (previews.SIDE * 3 // 4, previews.SIDE)
    # Without poppler: the tile, and nothing remembered, so installing it later just works.
    good = Evidence.objects.create(
        problem=problem, kind=EvidenceKind.CLOSURE, original_name="好.pdf", size=1, content_type="application/pdf",
        file=SimpleUploadedFile("好.pdf", _pdf()), uploaded_by=department_staff,
    )  # fmt: skip
    monkeypatch.setattr(previews, "PDFTOPPM", "no-such-pdftoppm")
    assert previews.preview_path(good) is None
    with pytest.raises(previews.RendererMissing):
        previews.pdf_first_page(Path(good.file.path))
    assert not list(previews._cache_dir().glob(f"{previews._key(good)}.*"))
    monkeypatch.undo()
    assert previews.preview_path(good) is not None


def _fake_tool(tmp_path, body: str) -> str:
    tool = tmp_path / "pdftoppm"
    tool.write_text(f"#!/bin/sh\n{body}\n")
    tool.chmod(tool.stat().st_mode | stat.S_IEXEC)
    return str(tool)


def test_pdftoppm_runs_with_a_timeout_and_resource_limits(tmp_path, monkeypatch):
    source = tmp_path / "a.pdf"
    source.write_bytes(_pdf())
    limits = tmp_path / "limits"
    monkeypatch.setattr(
        previews, "PDFTOPPM", _fake_tool(tmp_path, f"ulimit -t > {limits}; ulimit -v >> {limits}")
    )
    assert previews.pdf_first_page(source) is None  # it wrote no page
    cpu, memory = limits.read_text().split()
    assert int(cpu) == 10 and int(memory) == 512 * 1024
    monkeypatch.setattr(previews, "PDFTOPPM", _fake_tool(tmp_path, "sleep 30"))
    monkeypatch.setattr(previews, "PDF_TIMEOUT_SECONDS", 0.5)
    started = timezone.now()
    assert previews.pdf_first_page(source) is None
    assert timezone.now() - started < timedelta(seconds=5)


def test_a_cached_preview_belongs_to_its_file_not_just_its_id(closure, office):
    photo = closure["修复后照片.png"]
    first = previews.preview_path(photo)
    assert first is not None
    # The same id with another stored file (a database made anew beside an old var/).
    photo.file.save("另一张.png", SimpleUploadedFile("另一张.png", _png(300, 600, "#f00")), save=True)
    second = previews.preview_path(photo)
    assert second != first and Image.open(second).size == (160, 320)


# --- recording a closure's files with a past step (the demo) ------------------------------


def test_a_recorded_application_files_its_evidence_dated_with_the_step(problem):
    at = timezone.now()  # after the assignment the fixture made a moment ago
    problem_record_step(
        actor=DEMO, problem=problem, action=Action.APPLY_CLOSE, at=at, completion="完成",
        files=[_upload("照片.png", _png())],
    )  # fmt: skip
    item = Evidence.objects.get()
    assert item.kind == EvidenceKind.CLOSURE and item.uploaded_by is None and item.uploaded_at == at
    event = AuditEvent.objects.filter(action=LedgerAudit.STEP_RECORDED).latest("seq")
    assert event.after["evidence"] == ["照片.png"]


def test_files_are_recorded_only_with_an_application_and_are_checked(problem):
    at = timezone.now()  # after the assignment the fixture made a moment ago
    with pytest.raises(ValidationError, match="只能随申请销号补录"):
        problem_record_step(
            actor=DEMO, problem=problem, action=Action.ACCEPT, at=at, files=[_upload("照片.png", _png())]
        )
    with pytest.raises(ValidationError, match="内容与扩展名不符"):
        problem_record_step(
            actor=DEMO,
            problem=problem,
            action=Action.APPLY_CLOSE,
            at=at,
            files=[_upload("照片.png", b"<html>")],
        )
    assert not Evidence.objects.exists() and problem.transitions.count() == 1
