"""Zhenwu settings: one file, typed environment variables, safe defaults.

A fresh checkout runs with nothing set: SQLite in WAL mode under var/, a secret key
generated into var/secret_key, DEBUG off. DATABASE_URL switches to PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from zhenwu.lib.env import database_from_url, env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ZHENWU_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("ZHENWU_DEBUG", False)
SECRET_KEY = env_secret("ZHENWU_SECRET_KEY", fallback_file=VAR_DIR / "secret_key")
ALLOWED_HOSTS = env_list("ZHENWU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("ZHENWU_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "zhenwu.core",
    "zhenwu.org",
    "zhenwu.ledger",
    "zhenwu.suggestions",
    "zhenwu.evaluation",
    "zhenwu.bulletins",
    "zhenwu.demo",
]

MIDDLEWARE = [
    "zhenwu.core.health.HealthProbeMiddleware",  # /healthz, /readyz: before sessions and logins
    "zhenwu.core.requestlog.RequestLogMiddleware",  # one line per request, with its id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "zhenwu.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "zhenwu.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhenwu.org.middleware.ActiveTownMiddleware",  # the town (grant) the account works in
    "zhenwu.core.refusal_audit.RefusalAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhenwu.core.middleware.IdleTimeoutMiddleware",
    "zhenwu.core.middleware.ForcePasswordChangeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "zhenwu.urls"
WSGI_APPLICATION = "zhenwu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhenwu.core.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
# SQLite pragmas go through init_command: a connection_created receiver defined in
# ready() is garbage-collected and silently does nothing. IMMEDIATE transactions stop
# read-then-write transactions failing with "database is locked" under two workers.
DATABASE_URL = env_str("DATABASE_URL")
CONN_MAX_AGE = env_int("ZHENWU_CONN_MAX_AGE", 600)
if DATABASE_URL:
    DATABASES = {
        "default": {
            **database_from_url(DATABASE_URL),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "CONN_HEALTH_CHECKS": True,
        }
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": Path(env_str("ZHENWU_SQLITE_PATH", str(VAR_DIR / "zhenwu.sqlite3"))),
            "CONN_MAX_AGE": CONN_MAX_AGE,
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# `zhenwu backup`/`restore` on PostgreSQL: where pg_dump and pg_restore are (default: PATH).
ZHENWU_PG_BINDIR = env_str("ZHENWU_PG_BINDIR", "")
# PostgreSQL: DATABASE_URL is the app role, which may only append to the audit log; migrations
# and restores connect as the owner given by ZHENWU_DATABASE_OWNER_URL, which only those
# commands read (zhenwu/core/dbroles.py) so the server never holds it. Set up by `zhenwu db-roles`.

# --- The audit log (docs/adr/0001-audit-log.md) --------------------------------------------
# The chain's HMAC key, outside the database: this, or the file named, or var/audit_key
# (generated once). Every app server of one installation needs the same key.
ZHENWU_AUDIT_KEY = env_str("ZHENWU_AUDIT_KEY")
ZHENWU_AUDIT_KEY_FILE = env_str("ZHENWU_AUDIT_KEY_FILE")
# Where `tick` appends the chain's daily head (default var/audit-anchors.txt): copy it elsewhere.
ZHENWU_AUDIT_ANCHOR_FILE = env_str("ZHENWU_AUDIT_ANCHOR_FILE")
# Residents' addresses are kept apart from the log and deleted after this many days
# (网络安全法 第二十一条: network logs at least six months; 184 days covers any six months).
ZHENWU_IP_RETENTION_DAYS = env_int("ZHENWU_IP_RETENTION_DAYS", 184)
# Refused writes audited per user and minute (one per path); the rest are only counted.
ZHENWU_AUDIT_REFUSALS_PER_MINUTE = env_int("ZHENWU_AUDIT_REFUSALS_PER_MINUTE", 10)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts and the 等保 level-2 baseline -------------------------------------------------
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["zhenwu.org.backends.LockoutModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "zhenwu.core.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": env_int("ZHENWU_PASSWORD_MIN_LENGTH", 8)},
    },
    {
        "NAME": "zhenwu.core.passwords.CharacterClassValidator",
        "OPTIONS": {"min_classes": env_int("ZHENWU_PASSWORD_MIN_CLASSES", 3)},
    },
    {"NAME": "zhenwu.core.passwords.NotUsernameValidator"},
    {"NAME": "zhenwu.core.passwords.PublishedPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Initial passwords that were ever printed or handed out (the demo's registers itself): refused
# as anyone's own password. Comma-separated.
ZHENWU_PUBLISHED_PASSWORDS = env_list("ZHENWU_PUBLISHED_PASSWORDS", [])
# Failed logins are counted per (username, address) and per address, never on the account, so
# nobody elsewhere can lock the office out (org/logins.py). After MAX_FAILURES a username waits
# 1, 2, 4 … minutes from that address after each further failure, at most BACKOFF_MAX_MINUTES.
ZHENWU_LOGIN_MAX_FAILURES = env_int("ZHENWU_LOGIN_MAX_FAILURES", 5)
ZHENWU_LOGIN_BACKOFF_MAX_MINUTES = env_int("ZHENWU_LOGIN_BACKOFF_MAX_MINUTES", 30)
ZHENWU_LOGIN_FAILURES_PER_IP_HOUR = env_int("ZHENWU_LOGIN_FAILURES_PER_IP_HOUR", 30)
ZHENWU_API_TOKEN_DAYS = env_int("ZHENWU_API_TOKEN_DAYS", 90)  # a token's lifetime from its creation
ZHENWU_IDLE_TIMEOUT_MINUTES = env_int("ZHENWU_IDLE_TIMEOUT_MINUTES", 30)
# The absolute lifetime; the idle timeout above is what usually ends a session.
SESSION_COOKIE_AGE = env_int("ZHENWU_SESSION_MAX_HOURS", 12) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("ZHENWU_HTTPS", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("ZHENWU_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
# The site's own name only (e.g. zhenwu.<county>.gov.cn): its subdomains are ours as well.
SECURE_HSTS_INCLUDE_SUBDOMAINS = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SESSION_COOKIE_SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# `check --deploy` with the production settings (zhenwu deploy-config) reports nothing else:
# W008: the shipped nginx site redirects port 80 to HTTPS before a request reaches Django,
#   which behind it only ever sees HTTPS (ZHENWU_SSL_REDIRECT=1 turns Django's own on).
# W021: HSTS preload is registered for a whole registrable domain (the county's gov.cn
#   name), which is that domain owner's decision, not this application's.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
if SESSION_COOKIE_SECURE and not SECURE_SSL_REDIRECT:
    SILENCED_SYSTEM_CHECKS.append("security.W008")
# Number of proxies in front of us whose X-Forwarded-For we trust for the audit IP.
ZHENWU_TRUSTED_PROXIES = env_int("ZHENWU_TRUSTED_PROXIES", 0)

# --- Language and time ------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "zhenwu" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (Bootstrap and ECharts come from npm at install time) --------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("ZHENWU_STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "zhenwu.core.staticfinders.VendorFinder",  # the few npm files the pages load
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("ZHENWU_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# --- Mail (outbox delivery) -------------------------------------------------------------
EMAIL_BACKEND = env_str("ZHENWU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("ZHENWU_FROM_EMAIL", "zhenwu@localhost")

# --- Working days -----------------------------------------------------------------------
# Years before this are not expected to carry deadlines; the calendar refuses them too.
ZHENWU_SERVER_PORT = env_int("ZHENWU_PORT", 8000)
# `zhenwu serve` runs `zhenwu tick` every N minutes beside the server when above 0: the demo
# (`make run` sets 5). Production leaves it 0 and runs tick from its systemd timer.
ZHENWU_SERVE_TICK_MINUTES = env_int("ZHENWU_SERVE_TICK_MINUTES", 0)
ZHENWU_BENCH = env_bool("ZHENWU_BENCH", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ZHENWU_LOG_LEVEL", "WARNING")},
    # One line per request (zhenwu.core.requestlog); ZHENWU_REQUEST_LOG_LEVEL=WARNING silences it.
    "loggers": {"zhenwu.request": {"level": env_str("ZHENWU_REQUEST_LOG_LEVEL", "INFO")}},
}

# --- Accountability engine thresholds (china-conventions §4: local practice, so settings) ---
ZHENWU_WARN_BLUE_WORKDAYS = env_int("ZHENWU_WARN_BLUE_WORKDAYS", 5)  # 蓝: due within N working days
ZHENWU_WARN_PROGRESS_LAG = env_int("ZHENWU_WARN_PROGRESS_LAG", 20)  # 黄: progress behind time by N points
ZHENWU_REMIND_WORKDAYS = env_int(
    "ZHENWU_REMIND_WORKDAYS", 2
)  # tick: remind N working days before a report is due

# 献言献策: limits for the public form (0 = no limit), and which answers count as satisfied.
ZHENWU_SUGGEST_PER_IP_HOUR = env_int("ZHENWU_SUGGEST_PER_IP_HOUR", 20)
ZHENWU_SUGGEST_PER_PHONE_DAY = env_int("ZHENWU_SUGGEST_PER_PHONE_DAY", 10)
ZHENWU_PUBLIC_MISSES_PER_HOUR = env_int("ZHENWU_PUBLIC_MISSES_PER_HOUR", 30)  # unknown receipt codes
ZHENWU_PHOTO_MAX_MB = env_int("ZHENWU_PHOTO_MAX_MB", 10)
# Pixels, read from the header before decoding: a phone photo is 12–50 MP; a bomb is far more.
ZHENWU_PHOTO_MAX_MEGAPIXELS = env_int("ZHENWU_PHOTO_MAX_MEGAPIXELS", 40)
ZHENWU_PHOTOS_MAX_MEGAPIXELS_PER_SUBMIT = env_int("ZHENWU_PHOTOS_MAX_MEGAPIXELS_PER_SUBMIT", 120)
ZHENWU_SATISFIED_VERDICTS = env_list("ZHENWU_SATISFIED_VERDICTS", ["satisfied", "basically"])
# Routing: retrain when this many triage decisions are new since the last model.
ZHENWU_ROUTING_RETRAIN_AFTER = env_int("ZHENWU_ROUTING_RETRAIN_AFTER", 20)
ZHENWU_ROUTING_MIN_EXAMPLES = env_int("ZHENWU_ROUTING_MIN_EXAMPLES", 30)
# The town's name on posters and documents, and the address residents reach (for QR codes).
# The town and county names also name the tree's nodes when an installation has none yet
# (org.services._first_town; the town's name is read off its first unit when it can be).
ZHENWU_TOWN_NAME = env_str("ZHENWU_TOWN_NAME", "××镇")
ZHENWU_COUNTY_NAME = env_str("ZHENWU_COUNTY_NAME", "××县")
ZHENWU_PUBLIC_URL = env_str("ZHENWU_PUBLIC_URL", "")
# 通报: red and black lists by 整改率, the issuing office and its document-number prefix.
ZHENWU_RED_LIST_MIN = float(env_str("ZHENWU_RED_LIST_MIN", "0.9"))
ZHENWU_BLACK_LIST_BELOW = float(env_str("ZHENWU_BLACK_LIST_BELOW", "0.85"))
ZHENWU_BULLETIN_ISSUER = env_str("ZHENWU_BULLETIN_ISSUER", "中共××镇委员会办公室")
ZHENWU_BULLETIN_PREFIX = env_str("ZHENWU_BULLETIN_PREFIX", "×党办")
ZHENWU_DASHBOARD_CACHE_SECONDS = env_int("ZHENWU_DASHBOARD_CACHE_SECONDS", 60)
# 测评 (ADR 0005): ballots wait, sealed, and are written in shuffled batches of at least this
# many per category (the anonymity set); live tallies while a survey is open; whether a rated
# person sees the rows about them before the results are published.
ZHENWU_BALLOT_BATCH = env_int("ZHENWU_BALLOT_BATCH", 10)
ZHENWU_SURVEY_LIVE_RESULTS = env_bool("ZHENWU_SURVEY_LIVE_RESULTS", False)
ZHENWU_SURVEY_HIDE_OWN_RESULTS = env_bool("ZHENWU_SURVEY_HIDE_OWN_RESULTS", True)
