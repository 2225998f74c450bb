"""An open survey with fresh voting codes for the ballot bench; prints the CSRF cookie and
form token the phone page would hand out, and the path of a file with one unused code a line."""

import os
import re
import sys
from datetime import date
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenwu.settings")
django.setup()

from django.test import Client  # noqa: E402

from zhenwu.evaluation import services  # noqa: E402
from zhenwu.evaluation.models import VotingCode  # noqa: E402
from zhenwu.org.models import User  # noqa: E402

count = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
office = User.objects.get(username="bench-office")
survey = services.survey_create(
    actor=office, title="压测：群众满意度测评", purpose="satisfaction",
    period_start=date(2026, 1, 1), period_end=date(2026, 12, 31),
)  # fmt: skip
services.survey_step(actor=office, survey=survey, action="open")
category = survey.categories.get(name="群众代表")
for _ in range(0, count, 2000):
    services.codes_generate(actor=office, survey=survey, category=category, count=2000)
codes = Path(os.environ["ZHENWU_VAR_DIR"]) / "bench-codes.txt"
codes.write_text(
    "\n".join(VotingCode.objects.filter(survey=survey, used=False).values_list("code", flat=True)) + "\n"
)
client = Client(HTTP_HOST="127.0.0.1")
page = client.get("/v/").content.decode()
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
print(client.cookies["csrftoken"].value)
print(token)
print(f"q{survey.questions.get().pk}")
print(codes)
