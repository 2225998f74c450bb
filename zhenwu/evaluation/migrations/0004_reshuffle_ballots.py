"""Ballots stored before the pool (ADR 0005, issue 12) shared a transaction id with the claim
of their code, lay in the heap and in id order by casting order, and kept their minute.

This rewrites them, survey by survey, as one batch: new random ids, in shuffled order, with
their answers re-created in that order (answer ids were in casting order too), all stamped
with the survey's last minute; the per-minute counts behind the busiest-minute figure are
kept in CastMinute first. Then the two tables are rewritten on disk (VACUUM FULL; SQLite's
VACUUM), because the old row versions would otherwise stay in the files until overwritten.
Published snapshots are untouched: the counts are the same ballots'.
"""

import random
import secrets
from collections import Counter, defaultdict

from django.db import migrations

_shuffle = random.SystemRandom()


def _random_id():
    return secrets.randbelow(2**63 - 1) + 1


def reshuffle(apps, schema_editor):
    Ballot = apps.get_model("evaluation", "Ballot")
    Answer = apps.get_model("evaluation", "Answer")
    CastMinute = apps.get_model("evaluation", "CastMinute")
    db = schema_editor.connection.alias
    for survey_id in Ballot.objects.using(db).values_list("survey_id", flat=True).distinct().order_by():
        ballots = list(Ballot.objects.using(db).filter(survey_id=survey_id).values())
        answers = defaultdict(list)
        for answer in Answer.objects.using(db).filter(ballot__survey_id=survey_id).values():
            answers[answer.pop("ballot_id")].append(answer)
        minutes = Counter(
            b["at"].replace(second=0, microsecond=0) for b in ballots if b["channel"] == "online"
        )
        CastMinute.objects.using(db).bulk_create(
            CastMinute(survey_id=survey_id, minute=m, ballots=n) for m, n in sorted(minutes.items())
        )
        last = max(b["at"] for b in ballots).replace(second=0, microsecond=0)
        Answer.objects.using(db).filter(ballot__survey_id=survey_id).delete()
        Ballot.objects.using(db).filter(survey_id=survey_id).delete()
        _shuffle.shuffle(ballots)
        new_ballots, new_answers = [], []
        for old in ballots:
            ballot = Ballot(**{**old, "id": _random_id(), "at": last})
            new_ballots.append(ballot)
            new_answers += [
                Answer(**{**a, "id": None, "ballot_id": ballot.id}) for a in answers.get(old["id"], [])
            ]
        Ballot.objects.using(db).bulk_create(new_ballots, batch_size=5000)
        Answer.objects.using(db).bulk_create(new_answers, batch_size=5000)


def rewrite_files(apps, schema_editor):
    Ballot = apps.get_model("evaluation", "Ballot")
    if not Ballot.objects.using(schema_editor.connection.alias).exists():
        return  # a new database: nothing old to remove
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute("VACUUM FULL evaluation_ballot, evaluation_answer")
        elif schema_editor.connection.vendor == "sqlite":
            cursor.execute("VACUUM")


def tune_pool_vacuum(apps, schema_editor):
    """Vacuum the pool soon after every batch, so the space of written-out rows is reused (their
    sealed bytes overwritten) and an emptied pool's file is truncated. VACUUM does not erase
    what it frees; the seal is what protects a deleted row, this only shortens its stay."""
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE evaluation_pendingballot SET "
                "(autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1)"
            )


class Migration(migrations.Migration):
    atomic = False  # VACUUM cannot run inside a transaction; the rewrite below has its own

    dependencies = [("evaluation", "0003_ballot_pool")]

    operations = [
        migrations.RunPython(reshuffle, migrations.RunPython.noop, atomic=True),
        migrations.RunPython(rewrite_files, migrations.RunPython.noop),
        migrations.RunPython(tune_pool_vacuum, migrations.RunPython.noop),
    ]
