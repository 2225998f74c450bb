"""Tests only: the test runner's flush may empty the audit log, which production never may.

Transactional tests end with Django's `flush`, a TRUNCATE of every table on PostgreSQL, which
the audit log's BEFORE TRUNCATE trigger refuses (as it should, everywhere else). This app,
installed by settings_test.py alone, overrides `flush` to switch that one trigger off inside
the flush's own transaction.
"""
