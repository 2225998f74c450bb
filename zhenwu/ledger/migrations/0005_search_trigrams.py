"""Trigram indexes for the ledger's search box (description, measures, number); PostgreSQL only."""

from django.db import migrations

from zhenwu.core.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_suspension_resumed")]
    operations = [trigram_indexes("ledger_problem", ["description", "measures", "number"])]
