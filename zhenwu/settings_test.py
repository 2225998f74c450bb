"""Test settings: fast hashing, a throwaway var dir, and naive datetimes as errors."""

import tempfile
import warnings
from pathlib import Path

from zhenwu.settings import *  # noqa: F403
from zhenwu.settings import DATABASES, INSTALLED_APPS

# A module that exists only in tests: it registers its own problem sources from its ready().
INSTALLED_APPS = [*INSTALLED_APPS, "zhenwu.ledger.tests.throwaway"]
# The test runner's flush may empty the audit log on PostgreSQL (see that app's docstring).
INSTALLED_APPS += ["zhenwu.core.tests.flush_guard"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="zhenwu-media-"))
# Each test process gets its own var dir: the tick's file lock must not be shared between
# parallel workers (one worker's tick would make the other's skip).
VAR_DIR = Path(tempfile.mkdtemp(prefix="zhenwu-var-"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the finders (node_modules, static/): no collectstatic in tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="zhenwu-static-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The test database lives in memory (pytest-django) or a temp file (live server).
    DATABASES["default"]["NAME"] = Path(tempfile.gettempdir()) / "zhenwu-test.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": None}

# THOU SHALT NOT USE NAIVE DATETIMES
warnings.filterwarnings("error", r"DateTimeField .* received a naive datetime", RuntimeWarning)
ZHENWU_DASHBOARD_CACHE_SECONDS = 0  # tests count queries and change data between requests
