"""How long the inbox's grouping of repeated complaints takes on a few thousand new suggestions.

Run: `ZHENWU_VAR_DIR=$(mktemp -d) PYTHONPATH=. python bench/similarity_scale.py [N]`
(a fresh SQLite database in that folder). It makes the town's villages, N new suggestions
from the evaluation set's messages (each message several times, a different village each
time, stored without the submit service as an old database or the demo would have them),
then times: the first grouping (every suggestion's facets made and stored), a grouping
after the process forgot it (facets read back), and the cluster view as the office loads it.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenwu.settings")

import django  # noqa: E402

django.setup()

from datetime import timedelta  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from zhenwu.core.actors import DEMO  # noqa: E402
from zhenwu.org.constants import UnitKind  # noqa: E402
from zhenwu.org.models import Unit  # noqa: E402
from zhenwu.org.services import unit_create  # noqa: E402
from zhenwu.suggestions import pair_score as S  # noqa: E402
from zhenwu.suggestions import similarity  # noqa: E402
from zhenwu.suggestions.models import SimilarityFacets, Suggestion  # noqa: E402
from zhenwu.suggestions.similarity_eval import load  # noqa: E402


def main(n: int) -> None:
    call_command("migrate", verbosity=0)
    messages = load()
    gov = Unit.objects.filter(kind=UnitKind.TOWN_GOVERNMENT).first() or unit_create(
        actor=DEMO, name="测试镇人民政府", kind=UnitKind.TOWN_GOVERNMENT
    )
    names = sorted({m.village for m in messages if m.village})
    villages = []
    for name in names:
        kind = UnitKind.RESIDENTS_COMMITTEE if name.endswith("社区") else UnitKind.VILLAGE_COMMITTEE
        full = f"{name}{'居民委员会' if name.endswith('社区') else '村民委员会'}"
        villages.append(
            Unit.objects.filter(name=full).first()
            or unit_create(actor=DEMO, name=full, kind=kind, parent=gov)
        )
    unit_create(
        actor=DEMO, name="村镇建设办", kind=UnitKind.DEPARTMENT, parent=gov
    ) if not Unit.objects.filter(kind=UnitKind.DEPARTMENT).exists() else None
    now = timezone.now()
    rows = []
    for i in range(n):
        m = messages[i % len(messages)]
        village = villages[(i // len(messages) + i) % len(villages)] if m.village or i % 3 else None
        rows.append(
            Suggestion(
                receipt=f"B{i:07d}", text=m.text, village=village, created_at=now - timedelta(minutes=i)
            )
        )
    Suggestion.objects.bulk_create(rows, batch_size=500)
    print(f"{Suggestion.objects.count()} new suggestions, {len(villages)} villages")

    def timed(label: str) -> None:
        similarity._last = None
        start, cpu = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            found = similarity.clusters()
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(
            f"{label}: {took:.2f} s ({cpu:.2f} s CPU), {len(queries)} queries, {len(found)} groups, "
            f"{sum(len(c.members) for c in found)} in groups"
        )

    timed("first grouping (facets made and stored)")
    print(f"  facets stored: {SimilarityFacets.objects.count()}")
    timed("grouping again (facets read back)")
    # The grouping alone (facets in memory), what the score itself costs.
    kept = similarity.grouping()
    start, cpu = time.perf_counter(), time.process_time()
    S.group(S.inbox(kept.facets))
    print(
        f"  of which grouping the facets: {time.perf_counter() - start:.2f} s ({time.process_time() - cpu:.2f} s CPU)"
    )
    start = time.perf_counter()
    similarity.clusters()
    print(f"unchanged inbox (the process's grouping reused): {(time.perf_counter() - start) * 1000:.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
