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
Bulletin.objects.filter(month=month, status="draft").delete()
tracemalloc.start()
with CaptureQueriesContext(connection) as queries:
    start = time.time()
    bulletin = services.bulletin_generate(actor=office, month=month)
    figures_s = time.time() - start
    body = services.render(bulletin)
    total_s = time.time() - start
_current, peak = tracemalloc.get_traced_memory()
db = connection.vendor
print(
    f"[{db}] bulletin for {month:%Y-%m} over {Problem.objects.count()} problems: figures {figures_s:.1f} s, "
    f"with .docx {total_s:.1f} s, {len(queries.captured_queries)} queries, Python peak {peak / 2**20:.0f} MB "
    f"(process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB), .docx {len(body) / 1024:.0f} KB; "
    f"{bulletin.figures['total']} problems then, {bulletin.figures['overdue']} overdue"
)
