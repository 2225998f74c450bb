"""Every moment a page, a message or a document prints, in the town's time.

Stored times are UTC (USE_TZ); templates' `date` filter converts them, but a time formatted
in Python (a message, a figure, a label built from the audit log) does not, and the same page
then says 08:08 in one place and 16:08 in another. Python code formats moments only here.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

MINUTE = "%Y-%m-%d %H:%M"
CLOCK = "%H:%M"


def shown(moment: datetime, fmt: str = MINUTE) -> str:
    """`moment` as the town reads it: aware times in TIME_ZONE; naive ones are already local."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(fmt)
