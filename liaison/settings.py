"""Settings for 235 Liaison.

Every difference between environments comes from environment variables, parsed strictly.
With none set, the app runs on its embedded default: a SQLite file and Celery tasks executed
in-process (no Redis needed).
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from liaison.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is not true.")
    SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "axes",
    "stations",
    "liaison",
    "checklists",
    "scoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "liaison.middleware.ChineseByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware last: it turns a locked-out login into a clear page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "liaison.root_urls"
WSGI_APPLICATION = "liaison.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "stations.context_processors.roles",
            ],
        },
    },
]

# --- Database: DATABASE_URL, or an embedded SQLite file -------------------------------------
DATABASE_URL = env_str("DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "var" / "liaison.sqlite3",
        }
    }
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No JIT compilation: the pages and jobs send short queries whose estimated costs cross
    # jit_above_cost (correlated subqueries; small tables autovacuum never analyses, such as
    # the problem categories); compiling then took 0.2–0.6 s per query, more than running it
    # (docs/BENCHMARKS.md, issues 4 and 5).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded demo database cannot enforce UniqueConstraint(nulls_distinct=False) (one
    # overdue event per item and day); the sweep's conditional updates keep it unique there.
    SILENCED_SYSTEM_CHECKS = ["models.W047"]

AUTH_USER_MODEL = "liaison.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username/IP before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username+IP pair after 5 failures for one hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# --- Language and time --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
MEDIA_URL = "media/"

# --- Celery: Redis when REDIS_URL is set, otherwise tasks run in-process -------------------
REDIS_URL = env_str("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    # The embedded default must not point at Redis: a client whose broker is down blocks
    # about 20 s on .delay(). Eager mode runs the same task code in-process.
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True  # safe: every task calls an idempotent service
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Short broker timeouts so a web request never hangs when Redis is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 1}
# Times are Asia/Shanghai (CELERY_TIMEZONE). Every job is idempotent: a repeated run is harmless.
CELERY_BEAT_SCHEDULE = {
    # Daily 00:30, after every period of the day before has ended: record ended periods as
    # met or missed, cure back-dated ones, move each assignment's deadline on.
    "flag-missed-visits": {
        "task": "liaison.flag_missed_visits",
        "schedule": crontab(hour=0, minute=30),
    },
    # Daily 08:00, start of the working day: due-soon reminders to cadres and the digest of
    # newly missed periods to bureau liaison offices (one mail per user and day).
    "send-visit-reminders": {
        "task": "liaison.send_visit_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # Daily 00:50: the full recompute of the point ledger from every fact (the repair path),
    # after the missed-period sweep (00:30) and the overdue flags (00:45) have recorded the
    # day before, and before the monthly freeze (01:00) so yesterday's points count in their
    # own month.
    "recompute-points": {
        "task": "scoring.recompute_points",
        "schedule": crontab(hour=0, minute=50),
    },
    # Every 10 minutes: the incremental recompute of the last days' facts (the back-dating
    # window and a day), so a late visit shows in the points within minutes. A close-out or
    # a verified result also enqueues it at once (scoring.receivers, on checklists' signals);
    # this run catches one whose enqueue failed. Cheap and set-based, and it waits for a
    # running recompute (advisory lock).
    "recompute-recent-points": {
        "task": "scoring.recompute_recent_points",
        "schedule": crontab(minute="*/10"),
    },
    # 1st of the month 01:00: freeze last month's ranking (points, rank within tier and
    # overall); a month already frozen is left as it is.
    "freeze-monthly-ranking": {
        "task": "scoring.freeze_last_month",
        "schedule": crontab(day_of_month=1, hour=1, minute=0),
    },
    # Daily 00:45, once every due date of the day before has passed: flag overdue tasks and
    # problems, clear those no longer overdue, escalate problems overdue for
    # LIAISON_ESCALATE_AFTER_WORKING_DAYS working days; it then queues the reminder and
    # escalation mails (one mail per user, day and kind).
    "flag-overdue-items": {
        "task": "checklists.flag_overdue_items",
        "schedule": crontab(hour=0, minute=45),
    },
}

# --- Email (reminders); console in the demo ------------------------------------------------
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend"
    ),
)
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": (
            {
                "host": env_str("EMAIL_HOST", default="localhost"),
                "port": env_int("EMAIL_PORT", default=25),
            }
            if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", default="liaison235@localhost")

# --- Security (production-like when DEBUG is false) ----------------------------------------
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = 8 * 3600

# Visits: how many days after a visit it may still be logged (a late visit cures a missed
# period only within this window).
LIAISON_BACKDATE_DAYS = env_int("LIAISON_BACKDATE_DAYS", default=7)

# Lists: an open problem overdue for this many Chinese working days (holidays skipped,
# adjusted workdays counted) is escalated to the bureau above.
LIAISON_ESCALATE_AFTER_WORKING_DAYS = env_int(
    "LIAISON_ESCALATE_AFTER_WORKING_DAYS", default=3, minimum=1
)

# Two-way evaluation: a station's ratings of its cadre are shown (as an aggregate only) and
# earn points only once at least this many staff have rated the quarter. At least 2: one
# rating alone would be that rater's own scores.
LIAISON_EVALUATION_MIN_RATERS = env_int("LIAISON_EVALUATION_MIN_RATERS", default=3, minimum=2)

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO: keep its warnings only.
        "weasyprint": {"level": "WARNING"},
    },
}

# Assessment reports: a bureau report covering more active stations than this renders in
# the background (a Celery job with a progress page) instead of during the request.
SCORING_REPORT_BACKGROUND_STATIONS = env_int("SCORING_REPORT_BACKGROUND_STATIONS", default=200)
