"""Last month's 通报 as a draft for the office to finish, and the month before it published."""

from __future__ import annotations

from datetime import date, timedelta

from zhenwu.bulletins import services
from zhenwu.org.models import User


def seed_bulletins(*, today: date) -> None:
    office = User.objects.get(username="dangzhengban")
    last = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    before = (last - timedelta(days=1)).replace(day=1)
    services.bulletin_publish(actor=office, bulletin=services.bulletin_generate(actor=office, month=before))
    services.bulletin_generate(actor=office, month=last)
