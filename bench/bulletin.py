"""Generate last month's 通报 for the bench ledger (100,000 problems): time, queries, peak memory,
and the .docx size. Prints figures only."""

import os
import resource
import time
import tracemalloc

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenwu.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhenwu.bulletins import services  # noqa: E402
from zhenwu.bulletins.models import Bulletin  # noqa: E402
from zhenwu.ledger.models import Problem  # noqa: E402
from zhenwu.org.models import User  # noqa: E402

office = User.objects.get(username="bench-office")
today = timezone.localdate()
month = (today.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)


def generate() -> tuple[Bulletin, bytes, float, float, int]:
    Bulletin.objects.filter(month=month, status="draft").delete()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        bulletin = services.bulletin_generate(actor=office, month=month)
        figures_s = time.perf_counter() - start
        body = services.render(bulletin)
        total_s = time.perf_counter() - start
    return bulletin, body, figures_s, total_s, len(queries.captured_queries)


# Timed untraced: tracemalloc slows every allocation, and made these figures look ten times
# slower than they are (12.5 s instead of about 1 s). Memory is measured in a second run.
bulletin, body, figures_s, total_s, query_count = generate()
tracemalloc.start()
generate()
_current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
db = connection.vendor
print(
    f"[{db}] bulletin for {month:%Y-%m} over {Problem.objects.count()} problems: figures {figures_s:.1f} s, "
    f"with .docx {total_s:.1f} s, {query_count} queries, Python peak {peak / 2**20:.0f} MB "
    f"(process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB), .docx {len(body) / 1024:.0f} KB; "
    f"{bulletin.figures['total']} problems then, {bulletin.figures['overdue']} overdue"
)
