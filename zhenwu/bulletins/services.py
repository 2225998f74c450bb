"""Writes of 通报: generate (or regenerate) a month's draft, edit its words, publish it."""

from __future__ import annotations

import hashlib
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhenwu.bulletins.constants import BulletinAudit
from zhenwu.bulletins.docx import bulletin_docx, doc_number
from zhenwu.bulletins.figures import Figures, month_figures
from zhenwu.bulletins.models import Bulletin, BulletinStatus
from zhenwu.core.audit import ChainHead, audit_record, chain_head
from zhenwu.core.refusals import require
from zhenwu.org.models import User
from zhenwu.org.roles import is_office

DEFAULT_OPENING = "根据镇党委关于问题整改“每月一通报”的要求，现将{month}全镇问题整改情况通报如下。"
DEFAULT_REQUIREMENTS = (
    "一是对逾期未完成整改的问题，责任领导要亲自督办，限期整改到位。\n"
    "二是严格执行责任领导半月报告制度，按时报送整改进展。\n"
    "三是对列入黑榜的单位，由党政办跟踪督办，下月通报整改情况。"
)


def _office_only(actor: User) -> None:
    require(is_office(actor), _("只有党政办可以编发通报"))


def _month_label(month: date) -> str:
    return f"{month.year}年{month.month}月"


@transaction.atomic
def bulletin_generate(*, actor: User, month: date) -> Bulletin:
    """Compute a month's figures as they stood at its end, into a new or the existing draft."""
    _office_only(actor)
    month = month.replace(day=1)
    today = timezone.localdate()
    if month >= today.replace(day=1):
        raise ValidationError(
            {"month": _("通报月份：%(m)s尚未结束，不能生成通报") % {"m": _month_label(month)}}
        )
    existing = Bulletin.objects.select_for_update().filter(month=month).first()
    if existing is not None and existing.status == BulletinStatus.PUBLISHED:
        raise ValidationError(
            {
                "month": _("通报月份：%(m)s的通报已印发（%(n)s），不能重新生成")
                % {"m": _month_label(month), "n": existing.doc_number}
            }
        )
    figures = month_figures(month).as_json()
    bulletin = existing or Bulletin(
        month=month,
        title=f"关于{_month_label(month)}问题整改情况的通报",
        opening=DEFAULT_OPENING.format(month=_month_label(month)),
        requirements=DEFAULT_REQUIREMENTS,
    )
    bulletin.figures, bulletin.generated_at = figures, timezone.now()
    bulletin.save()
    audit_record(
        actor=actor, action=BulletinAudit.BULLETIN_GENERATED, obj=bulletin,
        after={"month": f"{month:%Y-%m}", "total": figures["total"], "closed": figures["closed"]},
    )  # fmt: skip
    return bulletin


@transaction.atomic
def bulletin_edit(
    *, actor: User, bulletin: Bulletin, title: str, opening: str, requirements: str
) -> Bulletin:
    _office_only(actor)
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status == BulletinStatus.PUBLISHED:
        raise ValidationError({"title": _("标题：已印发的通报不能修改")})
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("标题：不能为空")})
    bulletin.title, bulletin.opening, bulletin.requirements = title, opening.strip(), requirements.strip()
    bulletin.save()
    audit_record(actor=actor, action=BulletinAudit.BULLETIN_EDITED, obj=bulletin, after={"title": title})
    return bulletin


def render(bulletin: Bulletin) -> bytes:
    return bulletin_docx(
        figures=Figures.from_json(bulletin.figures), title=bulletin.title,
        number=bulletin.doc_number or doc_number(settings.ZHENWU_BULLETIN_PREFIX, timezone.localdate().year, None),
        issuer=settings.ZHENWU_BULLETIN_ISSUER, opening=bulletin.opening, requirements=bulletin.requirements,
        published_on=bulletin.published_on, made_at=bulletin.generated_at, audit_head=audit_head_of(bulletin),
    )  # fmt: skip


def audit_head_of(bulletin: Bulletin) -> ChainHead:
    """The head printed on it: as it was when published, the current one on a draft."""
    return ChainHead.parse(bulletin.audit_head) if bulletin.audit_head else chain_head()


@transaction.atomic
def bulletin_publish(*, actor: User, bulletin: Bulletin) -> Bulletin:
    """Give it the year's next number (no gaps), date it today, store the .docx, freeze it."""
    _office_only(actor)
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status == BulletinStatus.PUBLISHED:
        raise ValidationError(
            {
                "status": _("状态：该通报已于%(d)s印发（%(n)s），不能再次印发")
                % {"d": bulletin.published_on, "n": bulletin.doc_number}
            }
        )
    today = timezone.localdate()
    # Lock the year's numbered bulletins so two publishers cannot take the same number.
    taken = list(
        Bulletin.objects.select_for_update()
        .filter(year=today.year, number__isnull=False)
        .values_list("number", flat=True)
    )
    number = max((n or 0 for n in taken), default=0) + 1
    bulletin.year, bulletin.number = today.year, number
    bulletin.doc_number = doc_number(settings.ZHENWU_BULLETIN_PREFIX, today.year, number)
    bulletin.status, bulletin.published_on, bulletin.published_by = BulletinStatus.PUBLISHED, today, actor
    bulletin.audit_head = str(chain_head())
    body = render(bulletin)
    bulletin.sha256 = hashlib.sha256(body).hexdigest()
    bulletin.document.save(f"{today.year}-{number}.docx", ContentFile(body), save=False)
    try:
        with transaction.atomic():
            bulletin.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"number": _("发文字号：%(n)s已被使用，请刷新后重试") % {"n": bulletin.doc_number}}
        ) from exc
    audit_record(
        actor=actor, action=BulletinAudit.BULLETIN_PUBLISHED, obj=bulletin,
        after={"doc_number": bulletin.doc_number, "sha256": bulletin.sha256},
    )  # fmt: skip
    return bulletin
