"""Trigram index for the triage inbox's search box (the resident's words); PostgreSQL only."""

from django.db import migrations

from zhenwu.core.search import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0001_initial")]
    operations = [trigram_indexes("suggestions_suggestion", ["text"])]
