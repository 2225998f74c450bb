"""Residents' answers and reopen requests move into the ledger's 回访 tables (ledger 0006).

Each old `Feedback` becomes a ledger `FollowUp` (channel "suggestion", the suggestion's id as
the respondent key) with the same id, linked back by a `SuggestionFollowUp`; each old
`ReopenRequest` becomes the ledger's, with the same id, so links in notices already sent
(/suggestions/reopen/<id>/) still open it. The old tables are dropped by 0004.
"""

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo

import django.db.models.deletion
from django.core.management.color import no_style
from django.db import migrations, models

CHANNEL = "suggestion"
TZ = ZoneInfo("Asia/Shanghai")


def _closure_for(closed_on: date, days: list[date]) -> int:
    same = [i for i, d in enumerate(days, start=1) if d == closed_on]
    if same:
        return same[-1]
    return max(sum(1 for d in days if d <= closed_on), 1)


def number_closures(rows: list[dict], accept_days: dict[int, list[date]]) -> dict[int, int]:
    """Which closure each old answer was about: {answer id: 1, 2, ...}.

    `rows` are old answers (id, suggestion_id, problem_id, closed_on); `accept_days` each
    problem's 验收销号 dates in order. An answer is about the last closure on its 销号日期 (or
    the count of closures up to it when no step has that date, at least 1); one resident's
    answers about one problem get strictly increasing numbers, since the old key was
    (resident, 销号日期) and two of them were two closures.
    """
    numbers: dict[int, int] = {}
    by_respondent: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in rows:
        by_respondent[(row["problem_id"], row["suggestion_id"])].append(row)
    for (problem_id, _suggestion), answers in by_respondent.items():
        last = 0
        for row in sorted(answers, key=lambda r: (r["closed_on"], r["id"])):
            last = max(_closure_for(row["closed_on"], accept_days.get(problem_id, [])), last + 1)
            numbers[row["id"]] = last
    return numbers


def copy_forward(apps, schema_editor):
    Feedback = apps.get_model("suggestions", "Feedback")
    OldRequest = apps.get_model("suggestions", "ReopenRequest")
    FollowUp = apps.get_model("ledger", "FollowUp")
    ReopenRequest = apps.get_model("ledger", "ReopenRequest")
    Transition = apps.get_model("ledger", "ProblemTransition")
    Link = apps.get_model("suggestions", "SuggestionFollowUp")
    rows = list(Feedback.objects.order_by("id").values())
    if not rows:
        return
    accept_days: dict[int, list[date]] = defaultdict(list)
    for problem_id, at in (
        Transition.objects.filter(action="accept", problem_id__in={r["problem_id"] for r in rows})
        .order_by("problem_id", "at", "id")
        .values_list("problem_id", "at")
    ):
        accept_days[problem_id].append(at.astimezone(TZ).date())
    numbers = number_closures(rows, accept_days)
    FollowUp.objects.bulk_create(
        FollowUp(
            id=r["id"],
            problem_id=r["problem_id"],
            closure=numbers[r["id"]],
            closed_on=r["closed_on"],
            channel=CHANNEL,
            respondent_key=str(r["suggestion_id"]),
            satisfaction=r["verdict"],
            comment=r["comment"],
            at=r["at"],
        )  # fmt: skip
        for r in rows
    )
    Link.objects.bulk_create(Link(suggestion_id=r["suggestion_id"], follow_up_id=r["id"]) for r in rows)
    old_requests = list(OldRequest.objects.order_by("id").values())
    ReopenRequest.objects.bulk_create(
        ReopenRequest(
            id=r["id"],
            follow_up_id=r["feedback_id"],
            problem_id=r["problem_id"],
            status=r["status"],
            note=r["note"],
            decided_by_id=r["decided_by_id"],
            # The ledger requires a decision time; the old table did not (its service always set one).
            decided_at=r["decided_at"] or (r["created_at"] if r["status"] != "pending" else None),
        )  # fmt: skip
        for r in old_requests
    )
    for r in old_requests:  # created_at is auto_now_add: bulk_create stamped "now"
        ReopenRequest.objects.filter(pk=r["id"]).update(created_at=r["created_at"])
    _reset_sequences(schema_editor, [FollowUp, ReopenRequest])


def copy_backward(apps, schema_editor):
    Feedback = apps.get_model("suggestions", "Feedback")
    OldRequest = apps.get_model("suggestions", "ReopenRequest")
    ReopenRequest = apps.get_model("ledger", "ReopenRequest")
    Link = apps.get_model("suggestions", "SuggestionFollowUp")
    links = list(Link.objects.select_related("follow_up").order_by("follow_up_id"))
    Feedback.objects.bulk_create(
        Feedback(
            id=link.follow_up_id,
            suggestion_id=link.suggestion_id,
            problem_id=link.follow_up.problem_id,
            closed_on=link.follow_up.closed_on,
            verdict=link.follow_up.satisfaction,
            comment=link.follow_up.comment,
            at=link.follow_up.at,
        )  # fmt: skip
        for link in links
    )
    linked = [link.follow_up_id for link in links]
    requests = list(ReopenRequest.objects.filter(follow_up_id__in=linked).order_by("id").values())
    OldRequest.objects.bulk_create(
        OldRequest(
            id=r["id"],
            feedback_id=r["follow_up_id"],
            problem_id=r["problem_id"],
            status=r["status"],
            note=r["note"],
            decided_by_id=r["decided_by_id"],
            decided_at=r["decided_at"],
        )  # fmt: skip
        for r in requests
    )
    for r in requests:
        OldRequest.objects.filter(pk=r["id"]).update(created_at=r["created_at"])
    ReopenRequest.objects.filter(follow_up_id__in=linked).delete()
    Link.objects.all().delete()
    apps.get_model("ledger", "FollowUp").objects.filter(pk__in=linked).delete()
    _reset_sequences(schema_editor, [Feedback, OldRequest])


def _reset_sequences(schema_editor, models_):
    """Rows were copied with their ids; PostgreSQL's sequences must move past them."""
    statements = schema_editor.connection.ops.sequence_reset_sql(no_style(), models_)
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0006_followup"),
        ("suggestions", "0002_search_trigrams"),
    ]

    operations = [
        migrations.CreateModel(
            name="SuggestionFollowUp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "follow_up",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="suggestion_link",
                        to="ledger.followup",
                    ),
                ),
                (
                    "suggestion",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="follow_ups",
                        to="suggestions.suggestion",
                    ),
                ),
            ],
            options={
                "verbose_name": "群众评价",
                "verbose_name_plural": "群众评价",
                "ordering": ["id"],
            },
        ),
        migrations.RunPython(copy_forward, copy_backward),
    ]
