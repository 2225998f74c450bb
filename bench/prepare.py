"""Prints a session id for a bench account, the ledger URL to load, and its query count."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhenwu.settings")
django.setup()

from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from zhenwu.core.actors import DEMO  # noqa: E402
from zhenwu.org.constants import AccountRole  # noqa: E402
from zhenwu.org.models import Unit, User  # noqa: E402
from zhenwu.org.services import account_create  # noqa: E402

user = User.objects.filter(username="bench-office").first() or account_create(
    actor=DEMO, username="bench-office", password="Bench#Office2026", role=AccountRole.OFFICE,
    unit=Unit.objects.get(name="党政办"), must_change_password=False,
)  # fmt: skip
session = SessionStore()
session["_auth_user_id"] = str(user.pk)
session["_auth_user_backend"] = "zhenwu.org.backends.LockoutModelBackend"
session["_auth_user_hash"] = user.get_session_auth_hash()
session["zhenwu_last_seen"] = 4102444800  # far future: the idle timeout never fires during a run
session.set_expiry(3600 * 4)
session.save()
department = Unit.objects.get(name="村镇建设办")
url = f"/ledger/?status=in_progress&department={department.pk}"
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)
client.get(url)
with CaptureQueriesContext(connection) as ctx:
    assert client.get(url).status_code == 200
print(session.session_key)
print(url)
print(len(ctx.captured_queries))
