"""After a soak run: what the database holds against what the server acknowledged.

soak_check.py ACKS.json prints one JSON object: for suggestions, ballots and progress reports,
the rows written since the run started, how many of the acknowledged ones are missing (lost)
and how many rows no acknowledgment accounts for (extra).
"""

import json
import os
import sys
from datetime import datetime
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenwu.settings")
django.setup()

from zhenwu.evaluation.models import Ballot, Survey, VotingCode  # noqa: E402
from zhenwu.ledger.models import ProgressReport  # noqa: E402
from zhenwu.lib.codes import normalize_code  # noqa: E402
from zhenwu.suggestions.models import Suggestion, SuggestionPhoto  # noqa: E402

acks = json.loads(Path(sys.argv[1]).read_text())
since = datetime.fromisoformat(acks["started_at"])

stored = set(Suggestion.objects.filter(created_at__gte=since).values_list("receipt", flat=True))
acked = {normalize_code(r) for r in acks["receipts"]}
survey = Survey.objects.filter(title__startswith="压测：群众").latest("id")  # prepare_ballots.py's
reports = ProgressReport.objects.filter(submitted_at__gte=since)
stored_pairs = {(p, k) for p, k in reports.values_list("problem_id", "period_key")}
acked_pairs = {(p, k) for p, k in acks["reports"]}
print(
    json.dumps(
        {
            "suggestions": {
                "acknowledged": len(acks["receipts"]),
                "stored": len(stored),
                "lost": len(acked - stored),
                "extra": len(stored - acked),
            },
            "photos": {
                "acknowledged": acks["photos"],
                "stored": SuggestionPhoto.objects.filter(suggestion__created_at__gte=since).count(),
            },
            # Ballots carry no time and no link to their code (secrecy): the survey is this run's.
            "ballots": {
                "acknowledged": acks["ballots"],
                "stored": Ballot.objects.filter(survey=survey).count(),
                "codes_used": VotingCode.objects.filter(survey=survey, used=True).count(),
            },
            "reports": {
                "acknowledged": len(acks["reports"]),
                "stored": len(stored_pairs),
                "lost": len(acked_pairs - stored_pairs),
                "extra": len(stored_pairs - acked_pairs),
            },
        }
    )
)
