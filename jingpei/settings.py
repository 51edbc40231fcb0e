"""Jingpei settings: one module, every knob read from the environment, safe defaults.

Defaults give a working single-machine deployment on embedded SQLite (WAL) under ``JINGPEI_DATA``;
``DATABASE_URL`` switches to PostgreSQL. See ``.env.example`` for every variable.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# pytest (>= 8.2) exports PYTEST_VERSION: tests get their own data folder, fast hashing, and jobs run
# at commit time, whatever the developer's environment says.
TESTING = "PYTEST_VERSION" in os.environ
DATA_DIR = Path(envstr("JINGPEI_DATA", str(BASE_DIR / ("var/test" if TESTING else "var"))))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret(name: str, filename: str) -> str:
    """A secret from the environment, or one generated once and kept in the data folder (mode 600).

    A fresh demo therefore needs no configuration, and a restart keeps sessions and encrypted data
    readable. Production sets the variables explicitly (see docs/deploy.md).
    """
    value = os.environ.get(name)
    if value:
        return value
    path = DATA_DIR / filename
    if not path.exists():
        import secrets

        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret("SECRET_KEY", ".secret_key")
# Key for personal data at rest (ID and phone numbers) and for their keyed search hashes. Several keys,
# comma separated, allow rotation: the first encrypts, all decrypt.
FIELD_ENCRYPTION_KEYS = [k for k in _secret("FIELD_ENCRYPTION_KEYS", ".field_keys").split(",") if k]

DEBUG = envbool("DEBUG", False)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "ninja",
    "treebeard",
    "jingpei.core",
    "jingpei.orgs",
    "jingpei.accounts",
    "jingpei.ledger",
    "jingpei.classes",
    "jingpei.academy",
    "jingpei.activities",
    "jingpei.surveys",
    "jingpei.funds",
    "jingpei.reports",
    "jingpei.roster",
    "jingpei.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jingpei.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jingpei.core.middleware.RequestContextMiddleware",
    "jingpei.accounts.middleware.PasswordChangeRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jingpei.urls"
WSGI_APPLICATION = "jingpei.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "jingpei.core.context_processors.navigation",
            ],
        },
    }
]

# --- database -----------------------------------------------------------------------------------
DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'jingpei.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed during a write; IMMEDIATE transactions avoid "database is locked" on
    # upgrade from read to write; the busy timeout waits for the writer instead of failing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    DATABASES["default"].setdefault("TEST", {})
    if envstr("TEST_DATABASE_NAME"):
        DATABASES["default"]["TEST"]["NAME"] = envstr("TEST_DATABASE_NAME")
# A few hot reads run as server-side prepared statements on PostgreSQL (core.prepared). Off behind a
# transaction-mode pooler (pgbouncer), which cannot keep them.
DB_PREPARED_STATEMENTS = envbool("DB_PREPARED_STATEMENTS", True)
# Youngest-generation threshold of Python's cyclic garbage collector (CPython's default is 700). A page
# makes a few thousand short-lived row tuples that reference counting frees anyway; at 700 the collector
# walks them two or three times a request (a tenth of the compliance summary). 0 leaves CPython's value.
GC_GEN0_THRESHOLD = envint("GC_GEN0_THRESHOLD", 5000)
# A subtree's compliance for another date than the materialised one is evaluated on the request up to
# this many people, and as a background job above it (ledger.dated: ~0.23 ms a person at 1M people,
# so ~12 s at the limit); a drill-down list longer than this is exported by a job too (ledger.lists).
LEDGER_INLINE_PEOPLE = envint("LEDGER_INLINE_PEOPLE", 50_000)
# Above this many people a subtree's year figures (统计报表) are made by a background job and kept a day
# (bench/reports_year.py: ~0.13 ms a person for a township, so ~1.3 s at the limit).
REPORTS_INLINE_PEOPLE = envint("REPORTS_INLINE_PEOPLE", 10_000)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "jingpei.accounts.backends.UsernameOrPhoneBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "jingpei.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Lock an account+address after repeated failures (等保 requires login-failure handling).
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_ENABLED = envbool("AXES_ENABLED", True)

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# --- i18n -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
FORMAT_MODULE_PATH = ["jingpei.formats"]
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Our catalogue, then plainer Chinese for some of Django's own form messages (see the .po there).
LOCALE_PATHS = [PACKAGE_DIR / "locale", PACKAGE_DIR / "locale_overrides"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static ---------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
NODE_MODULES = Path(envstr("JINGPEI_NODE_MODULES", str(BASE_DIR / "node_modules")))
# Each front-end package's distribution folder, installed by npm from package-lock.json.
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if TESTING:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- background jobs ------------------------------------------------------------------------------
# "embedded": `jingpei serve` runs a worker thread in-process (no extra service);
# "external": only `jingpei worker` processes run jobs (scale out; PostgreSQL SKIP LOCKED);
# "immediate": run at enqueue, after commit (tests).
JOBS_MODE = "immediate" if TESTING else envstr("JOBS_MODE", "embedded")
JOBS_POLL_SECONDS = float(envstr("JOBS_POLL_SECONDS", "1.0"))
# The worker starts the calendar jobs itself (core.schedule); off when cron runs the management commands.
SCHEDULED_JOBS = envbool("SCHEDULED_JOBS", True)

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if envstr("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": envstr("REDIS_URL"),
    }

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "jingpei@localhost")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)

NINJA_PAGINATION_PER_PAGE = 20
NINJA_PAGINATION_CLASS = "jingpei.core.apitypes.BoundedLimitOffset"  # bounded limit and offset

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}
