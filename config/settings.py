"""One settings module for every run mode; everything that differs comes from the environment.

Embedded default (no environment): SQLite under var/, Celery on kombu's filesystem transport under
var/celery/, local-memory cache, DEBUG on, demo data allowed.

Production: DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL (PostgreSQL), REDIS_URL (broker and
cache). ``python manage.py check --deploy`` passes with no warnings in that mode.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Runtime files of the embedded mode (SQLite, the filesystem broker, beat schedule, media). Created by
# config.runtime.prepare_runtime_dirs() when a process starts (manage.py, wsgi, asgi, Celery), never here.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=True)
# The fallback key is only for the embedded development mode; production must set SECRET_KEY.
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="embedded-dev-only-key-7c1f0e4b9d2a46c58f3e0b1a2d4c6e8f" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "accounts",
    "complaints",
    "workorders",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy header on every answer (CONTENT_SECURITY_POLICY below).
    "config.csp.CSPMiddleware",
    # Observability: the request id, the log context and the latency histogram (static files excluded).
    "config.observability.middleware.ObservabilityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.PagesSpeakChineseMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After the locale (its refusals are translated), before anything reads a form or a body.
    "config.middleware.RejectNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.throttling.ThrottleMiddleware",
    "config.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns lockouts raised by the backend into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.navigation",
                "workorders.context_processors.queues",
                "workorders.deadlines.context_processors.calendar_warnings",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so concurrent transitions queue instead of failing.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Behind PgBouncer in transaction mode a server-side cursor (QuerySet.iterator) cannot outlive
    # its transaction's server connection: read in chunks client-side instead. Nothing else here
    # keeps session state (no advisory locks, no SET, no prepared statements).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "PGBOUNCER_TRANSACTION_MODE", default=False
    )
# A streaming read replica for the dashboard, pivot, reports and exports (config/routers.py);
# without it they read the primary. In tests the replica mirrors the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery (Redis in production; local memory and a filesystem broker embedded) -----
REDIS_URL = env.str("REDIS_URL", default="")
# After a cache error a process leaves the cache alone this many seconds (config/cache.py).
CACHE_RETRY_AFTER = env.float("CACHE_RETRY_AFTER", default=5.0)
if REDIS_URL:
    # The cache is an optimisation: every read degrades to the database when Redis is unreachable
    # (config/cache.py), so a dead or black-holed Redis must cost a request a fraction of a second.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT", default=0.3),
                "socket_timeout": env.float("CACHE_TIMEOUT", default=0.5),
            },
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # Publishing from a web request must fail fast when Redis is down (the outbox keeps the rows).
    CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _celery_dir = VAR_DIR / "celery"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
        "polling_interval": 0.2,  # the transport polls its folder; 1 s (the default) queues up
    }
    CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Queues, so that workers scale per kind of work: notification deliveries, the deadline sweep, and
# reports/exports/rebuilds (long jobs that must not delay a delivery). A worker started without -Q
# consumes every queue listed here (the default setup: one worker does everything); a larger
# deployment runs `celery -A config worker -Q deliveries` and so on (docker-compose profile `scale`).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name, type="direct"), routing_key=name)
    for name in ("celery", "deliveries", "deadlines", "reports")
]
CELERY_TASK_ROUTES = {
    "notifications.*": {"queue": "deliveries"},
    "workorders.sweep_deadlines": {"queue": "deadlines"},
    "workorders.raise_level_after_breaches": {"queue": "deadlines"},
    "workorders.raise_levels_after_breaches": {"queue": "deadlines"},
    "workorders.stats.*": {"queue": "reports"},
    "workorders.quality.*": {"queue": "reports"},
}
# Beat: every periodic job of the system, in one place (Asia/Shanghai). Reports cover the period
# just ended: the daily sheet after midnight, the weekly bulletin on Monday, the monthly report on the 1st.
CELERY_BEAT_SCHEDULE = {
    "sweep-deadlines": {"task": "workorders.sweep_deadlines", "schedule": 60.0},
    "notifications-requeue": {"task": "notifications.requeue", "schedule": 30.0},
    "exports-requeue": {"task": "workorders.stats.requeue_exports", "schedule": 60.0},
    # Quality inspection: Monday 02:00, a sample of the week just ended (issue 16).
    "quality-weekly-sample": {
        "task": "workorders.quality.sample_week",
        "schedule": crontab(minute=0, hour=2, day_of_week=1),
    },
    "stats-daily-report": {
        "task": "workorders.stats.generate_scheduled_report",
        "schedule": crontab(minute=10, hour=0),
        "args": ("daily",),
    },
    "stats-weekly-report": {
        "task": "workorders.stats.generate_scheduled_report",
        "schedule": crontab(minute=20, hour=0, day_of_week=1),
        "args": ("weekly",),
    },
    "stats-monthly-report": {
        "task": "workorders.stats.generate_scheduled_report",
        "schedule": crontab(minute=30, hour=0, day_of_month=1),
        "args": ("monthly",),
    },
    # Nightly correction of the aggregates of the last few days (in case a change bypassed the hook).
    "stats-nightly-rebuild": {
        "task": "workorders.stats.rebuild",
        "schedule": crontab(minute=40, hour=2),
        "kwargs": {"days": 3},
    },
}

# --- Auth ---------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the user's department with the user (accounts/backends.py).
    # A session from before this setting names Django's backend and logs in again once.
    "accounts.backends.DepartmentModelBackend",
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

# Failed logins: 5 for one username from one address lock it there; 20 from one address, whatever
# the usernames, lock the address (accounts/lockout.py); both for AXES_COOLOFF_TIME (15 minutes).
# Behind a proxy set PROXY_COUNT, or every client shares the proxy's address and its limit.
LOGIN_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_FAILURE_LIMIT = "accounts.lockout.failure_limit"
AXES_HANDLER = "accounts.lockout.LockoutHandler"
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# API tokens expire this many hours after they were issued (accounts/authentication.py); logout
# and a password change revoke them at once.
API_TOKEN_TTL_HOURS = env.float("API_TOKEN_TTL_HOURS", default=12)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
AXES_VERBOSE = False

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Stored files (attachments, exports, reports) are answered only by views that check the caller's
# scope (config/protected_media.py). "" streams them from Django; "nginx" (X-Accel-Redirect) or
# "apache" (X-Sendfile) hands the bytes to the front server at PROTECTED_MEDIA_INTERNAL_PREFIX.
PROTECTED_MEDIA_SERVER = env.str("PROTECTED_MEDIA_SERVER", default="")
PROTECTED_MEDIA_INTERNAL_PREFIX = env.str("PROTECTED_MEDIA_INTERNAL_PREFIX", default="/protected-media/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Security (defaults follow DEBUG; an intranet without TLS sets SECURE_SSL_REDIRECT=0 etc.) --
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)  # one long shift
# Content-Security-Policy (django-csp): pages load only the vendored files under static/, with no
# inline script, inline style, style attribute, event-handler attribute or eval. Only the API docs
# pages and DRF's browsable API relax it, for themselves (config/csp.py); the admin needs nothing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Email ----------------------------------------------------------------------------------
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# No EMAIL_HOST: development (DEBUG) writes each message to a file under var/mail/ instead of
# printing it in full on the worker's console; production without a host still prints them.
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="95598-workorders@example.com")

# --- REST framework -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.UserThrottle",
        "config.throttling.SearchThrottle",
        "config.throttling.SearchHourThrottle",
    ],
}
# Per-user limits (config/throttling.py); an empty value switches one off (the benchmark does:
# its load is many agents' worth of requests on a few logins).
THROTTLE_RATES = {
    "user": env.str("THROTTLE_RATE_USER", default="1800/min") or None,
    "search": env.str("THROTTLE_RATE_SEARCH", default="120/min") or None,
    "search_hour": env.str("THROTTLE_RATE_SEARCH_HOUR", default="1500/hour") or None,
    # The customer's side (issue 15), anonymous: per address, and per tracking number or phone.
    "public_track": env.str("THROTTLE_RATE_PUBLIC_TRACK", default="10/min") or None,
    "public_track_number": env.str("THROTTLE_RATE_PUBLIC_TRACK_NUMBER", default="5/hour") or None,
    "public_complain": env.str("THROTTLE_RATE_PUBLIC_COMPLAIN", default="5/hour") or None,
    "public_complain_phone": env.str("THROTTLE_RATE_PUBLIC_COMPLAIN_PHONE", default="3/day") or None,
    "public_survey": env.str("THROTTLE_RATE_PUBLIC_SURVEY", default="30/min") or None,
    "open311": env.str("THROTTLE_RATE_OPEN311", default="120/min") or None,
}
# The customer's side (issue 15). SMS to the customer: the acknowledgement on submit, a notice on
# the reply and on closing (templates in the admin); none for an anonymous complaint or one whose
# customer asked for none at intake.
CUSTOMER_SMS = env.bool("CUSTOMER_SMS", default=True)
# The public progress lookup's and survey's base address, as written into SMS texts.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
# Satisfaction survey by SMS: which approved orders get a link ("all", "none", or levels, comma
# separated), and the levels for which the agent's phone callback stays required.
SURVEY_SMS_LEVELS = env.list("SURVEY_SMS_LEVELS", default=["general", "important"])
SURVEY_PHONE_CALLBACK_LEVELS = env.list("SURVEY_PHONE_CALLBACK_LEVELS", default=["special", "major"])
# 督办 (supervision, issue 16): when the issuer gives no due time, the department answers within this
# limit ("1wd" one working day, "8wh" eight working hours, "24h" calendar hours).
SUPERVISION_FEEDBACK_LIMIT = env.str("SUPERVISION_FEEDBACK_LIMIT", default="1wd")
# 协办 (co-handling): the assisting departments give their parts within this limit of the assignment.
ASSIST_LIMIT = env.str("ASSIST_LIMIT", default="2wd")
# Quality inspection: closed orders sampled per agent and per handling department each week (besides
# every unsatisfied and every special/major order).
QUALITY_SAMPLE_PER_PERSON = env.int("QUALITY_SAMPLE_PER_PERSON", default=2)
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)
SPECTACULAR_SETTINGS = {
    "TITLE": "95598 Complaint Work-Order API",
    "DESCRIPTION": "Complaint intake, the work-order lifecycle, statistics and notifications.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema names every field of a customer record: signed-in users only (API_DOCS_PUBLIC=1
    # opens it, e.g. on a developer's machine). The HTML docs pages redirect to the login page.
    "SERVE_PERMISSIONS": [
        "rest_framework.permissions.AllowAny"
        if API_DOCS_PUBLIC
        else "rest_framework.permissions.IsAuthenticated"
    ],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.local_times",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ContactMethodEnum": "workorders.models.ContactMethod",
        "SatisfactionEnum": "workorders.models.Satisfaction",
        "CallbackSatisfactionEnum": "workorders.models.CALLBACK_SATISFACTION_CHOICES",
        "NotificationPreferenceChannelEnum": "notifications.channels.preference_channel_choices",
        "ChannelEnum": "complaints.models.Channel",
        "ExportStatusEnum": "workorders.models.ExportState",
        "StatusEnum": "workorders.models.Status",
        "LanguageEnum": "notifications.models.Language",
    },
}

# --- Logging ------------------------------------------------------------------------------------
# "json": one JSON object per line with request id, user id, order id, task id (config/observability/
# logs.py); "text": the readable format. JSON by default in production (DEBUG off).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING_CONFIG = "config.observability.logs.configure"  # dictConfig; JSON mode also captures warnings
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "config.observability.logs.ContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.observability.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Observability: /metrics and request logs (README "Operations: metrics and logs") -----------
# /metrics answers these addresses or networks (REMOTE_ADDR; never X-Forwarded-For) and any client
# that sends "Authorization: Bearer <METRICS_TOKEN>"; everyone else gets 403.
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_CELERY_QUEUES = env.list("METRICS_CELERY_QUEUES", default=[])  # besides default, routed, NOTIFY_QUEUE
METRICS_REDIS_TIMEOUT = env.float("METRICS_REDIS_TIMEOUT", default=0.5)  # seconds; no retry
# Seconds a user's queue badges are kept before they are counted again (their own actions drop them).
QUEUE_COUNT_SECONDS = env.int("QUEUE_COUNT_SECONDS", default=15)
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=LOG_FORMAT == "json")  # one access line per request
SECURE_REDIRECT_EXEMPT = [*SECURE_REDIRECT_EXEMPT, r"^metrics$"]  # Prometheus scrapes over plain HTTP

# --- Product: the lifecycle (domain.md; every limit is configuration, not code) -----------------
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo12345")
DEMO_ORDERS = env.int("DEMO_ORDERS", default=300)  # how many orders seed_demo adds (once)
CALLBACK_MAX_ATTEMPTS = env.int("CALLBACK_MAX_ATTEMPTS", default=3)  # then closed as unreachable
# received_at given at intake: at most this many minutes ahead (clock skew), at most this many days
# back (supervisors entering a letter or a 12398/12345 transfer may go further; complaints/validators).
INTAKE_CLOCK_SKEW_MINUTES = env.int("INTAKE_CLOCK_SKEW_MINUTES", default=5)
INTAKE_BACKDATE_DAYS = env.int("INTAKE_BACKDATE_DAYS", default=7)
# Minutes between failed callback attempts.
CALLBACK_MIN_INTERVAL_MINUTES = env.int("CALLBACK_MIN_INTERVAL_MINUTES", default=120)
# A supervisor may reopen a closed order this many days after closing.
REOPEN_WINDOW_DAYS = env.int("REOPEN_WINDOW_DAYS", default=30)
REOPEN_SUPERVISION_AFTER = env.int("REOPEN_SUPERVISION_AFTER", default=2)  # reopen cycles before 督办
REPEAT_WINDOW_DAYS = env.int("REPEAT_WINDOW_DAYS", default=30)  # closed this recently → repeat complaint
URGE_FLAG_AT = env.int("URGE_FLAG_AT", default=2)  # urges → upgrade-tendency flag, unit head told
URGE_ESCALATE_AT = env.int("URGE_ESCALATE_AT", default=3)  # urges → level up and 督办
# Returns before the dispatch supervisor decides.
RETURN_ESCALATE_AFTER = env.int("RETURN_ESCALATE_AFTER", default=2)
# The one list of what runs inside every work-order event's transaction with (order, event), in
# this order: the outbox rows, the deadline rows, the statistics aggregates. The deadline and
# statistics entries are concerns of the effects registry (workorders/lifecycle/effects.py) that
# declare their effect per action; imported once at startup and checked (workorders.E001).
WORKORDER_TRANSITION_HOOKS = [
    "notifications.services.on_workorder_event",
    "workorders.deadlines.effects.on_workorder_event",
    "workorders.stats.aggregates.on_workorder_event",
]
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
ATTACHMENT_EXTENSIONS = env.list(
    "ATTACHMENT_EXTENSIONS",
    default="jpg jpeg png gif pdf doc docx xls xlsx txt mp3 wav amr m4a mp4".split(),
)

# --- Product: deadlines, the work calendar, reminders and escalation ----------------------------
# Levels whose reminders and breach alerts do not wait for office hours.
DEADLINE_URGENT_LEVELS = env.list("DEADLINE_URGENT_LEVELS", default=["special", "major"])
# Escalation levels 2, 3, … after the due time (level 1 is the breach itself): m, h, cd, wh, wd.
# Default after domain.md §5.2: the day after expiry, then 5 working days after that notice.
DEADLINE_ESCALATION_AFTER = env.list("DEADLINE_ESCALATION_AFTER", default=["1wd", "6wd"])
DEADLINE_LEVEL_UP_AFTER_BREACHES = env.int("DEADLINE_LEVEL_UP_AFTER_BREACHES", default=2)  # 0: never
DEADLINE_REOPEN_REPLY_LIMIT = env.str("DEADLINE_REOPEN_REPLY_LIMIT", default="2wd")  # domain.md §8.3
DEADLINE_WORKDAY_END = env.str("DEADLINE_WORKDAY_END", default="23:59:59")  # or 17:30 (close of business)
DEADLINE_SWEEP_BATCH = env.int("DEADLINE_SWEEP_BATCH", default=500)
DEADLINE_SWEEP_MAX_BATCHES = env.int("DEADLINE_SWEEP_MAX_BATCHES", default=20)
# A year the calendar lacks: "fallback" (weekdays, deadline flagged provisional) or "refuse".
WORK_CALENDAR_MISSING_YEAR = env.str("WORK_CALENDAR_MISSING_YEAR", default="fallback")

# --- Product: statistics, reports and exports ---------------------------------------------------
EXPORT_CHUNK_SIZE = env.int("EXPORT_CHUNK_SIZE", default=2000)
# An export still pending this long after it was asked for is queued again (the broker was down).
EXPORT_REQUEUE_AFTER_SECONDS = env.int("EXPORT_REQUEUE_AFTER_SECONDS", default=120)

# --- Product: notifications ---------------------------------------------------------------------
NOTIFY_SITE_URL = env.str("NOTIFY_SITE_URL", default="")  # prefix for links in emails and robot messages
NOTIFY_DEFAULT_LANGUAGE = env.str("NOTIFY_DEFAULT_LANGUAGE", default="zh-hans")
NOTIFY_QUEUE = env.str("NOTIFY_QUEUE", default="")  # empty: Celery's default queue
# Webhooks to loopback, link-local or private addresses are refused (at save and at send) unless
# this is set: an intranet receiver on a private address needs it (notifications/channels/destinations).
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", default=False)
# A webhook receiver's answer is kept in the delivery log up to this many characters.
WEBHOOK_RESPONSE_LOG_CHARS = env.int("WEBHOOK_RESPONSE_LOG_CHARS", default=2000)
NOTIFY_BATCH_SIZE = env.int("NOTIFY_BATCH_SIZE", default=100)  # deliveries per task
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=6)  # then the delivery is dead
NOTIFY_RETRY_BASE_SECONDS = env.int("NOTIFY_RETRY_BASE_SECONDS", default=30)  # 30 s, 1, 2, 4, 8 min …
NOTIFY_RETRY_MAX_SECONDS = env.int("NOTIFY_RETRY_MAX_SECONDS", default=3600)
NOTIFY_CLAIM_LEASE_SECONDS = env.int("NOTIFY_CLAIM_LEASE_SECONDS", default=300)  # a dead worker's claim
NOTIFY_REQUEUE_GRACE_SECONDS = env.int("NOTIFY_REQUEUE_GRACE_SECONDS", default=20)
NOTIFY_REQUEUE_LIMIT = env.int("NOTIFY_REQUEUE_LIMIT", default=5000)  # rows per beat run
NOTIFY_BROKER_RETRY_AFTER = env.float("NOTIFY_BROKER_RETRY_AFTER", default=10.0)
NOTIFY_SEND_TIMEOUT = env.float("NOTIFY_SEND_TIMEOUT", default=10.0)  # SMTP / HTTP, seconds
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_GATEWAY_SIGN_NAME = env.str("SMS_GATEWAY_SIGN_NAME", default="")
SMS_FILE_PATH = env.str("SMS_FILE_PATH", default="")
SMS_BACKEND = env.str(
    "SMS_BACKEND",
    default="notifications.channels.HttpSmsBackend"
    if SMS_GATEWAY_URL
    else "notifications.channels.FileSmsBackend"
    if SMS_FILE_PATH
    else "notifications.channels.ConsoleSmsBackend",
)
