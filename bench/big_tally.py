"""A survey of N ballots (default 1,000,000) written straight into PostgreSQL with
generate_series, then its results page timed with its query count. Prints figures only."""

import os
import sys
import time
from datetime import date

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenwu.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from zhenwu.evaluation import services  # noqa: E402
from zhenwu.evaluation.results import tally  # noqa: E402
from zhenwu.org.models import User  # noqa: E402

n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
office = User.objects.get(username="bench-office")
survey = services.survey_create(
    actor=office, title=f"压测：{n}张选票的测评", purpose="satisfaction",
    period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
)  # fmt: skip
scale = survey.questions.get().scale
services.question_add(
    actor=office, survey=survey, text="对各站所服务的评价", scale=scale, subjects="国土所\n财政所\n派出所"
)
services.survey_step(actor=office, survey=survey, action="open")
questions = list(survey.questions.prefetch_related("subjects"))
categories = list(survey.categories.values_list("id", flat=True))
t0 = time.time()
with connection.cursor() as cursor:
    cursor.execute(
        # Ballot ids are random 63-bit numbers (ADR 0005), never a sequence.
        """INSERT INTO evaluation_ballot (id, survey_id, category_id, channel, at, void, void_reason, uniform)
           SELECT 1 + floor(random() * 9.2e18)::bigint, %s, (ARRAY[%s])[1 + (g %% %s)], CASE WHEN g %% 5 = 0 THEN 'paper' ELSE 'online' END,
                  timestamp with time zone '2026-06-01 08:00+08' + (g / 40) * interval '1 minute',
                  g %% 997 = 0, '', g %% 53 = 0
           FROM generate_series(1, %s) AS g""".replace("[%s]", "[" + ",".join(map(str, categories)) + "]"),
        [survey.pk, len(categories), n],
    )
    for q in questions:
        subjects = [s.pk for s in q.subjects.all()] or [None]
        for subject in subjects:
            cursor.execute(
                """INSERT INTO evaluation_answer (ballot_id, survey_id, category_id, question_id, subject_id, level, comment)
                   SELECT b.id, b.survey_id, b.category_id, %s, %s,
                          CASE WHEN b.id %% 211 = 0 THEN NULL WHEN b.id %% 97 = 0 THEN 3 ELSE (b.id %% 3) END, ''
                   FROM evaluation_ballot b WHERE b.survey_id = %s AND NOT b.void""",
                [q.pk, subject, survey.pk],
            )
    cursor.execute("ANALYZE evaluation_ballot; ANALYZE evaluation_answer")
print(
    f"[postgresql] {n} ballots, {sum(len(q.subjects.all()) or 1 for q in questions)} rows each, written in {time.time() - t0:.0f} s"
)
# Closed: an open survey's tally is hidden (ZHENWU_SURVEY_LIVE_RESULTS), and the close is when
# readers first count it live (not yet published: no snapshot).
services.survey_step(actor=office, survey=survey, action="close")
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(office)
url = f"/evaluation/{survey.pk}/results/"
client.get(url)
times = []
for _ in range(3):
    with CaptureQueriesContext(connection) as queries:
        start = time.time()
        assert client.get(url).status_code == 200
        times.append(time.time() - start)
counted = tally(survey)
print(
    f"[postgresql] results page, {n} ballots (closed, counted live, not yet published): best {min(times) * 1000:.0f} ms, "
    f"worst {max(times) * 1000:.0f} ms, {len(queries.captured_queries)} queries; overall {counted.overall.text} of {counted.overall.n}"
)
