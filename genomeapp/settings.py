"""genomeapp settings, all from the environment.

With no DATABASE_URL the app runs on SQLite and with no CELERY_BROKER_URL on kombu's
SQLAlchemy/SQLite transport: the embedded default that needs no server. Production
(GENOMEAPP_PRODUCTION=1) requires SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from genomeapp.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("GENOMEAPP_VAR_DIR", str(BASE_DIR / "var")))

PRODUCTION = env_bool("GENOMEAPP_PRODUCTION", False)
DEBUG = env_bool("DJANGO_DEBUG", not PRODUCTION)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-for-any-real-deployment"
SECRET_KEY = env_str("SECRET_KEY", None if PRODUCTION else _DEV_SECRET, required=PRODUCTION)
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "predictions",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "predictions.middleware.RejectControlCharacters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "genomeapp.urls"
WSGI_APPLICATION = "genomeapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_database_url = env_str("DATABASE_URL", required=PRODUCTION)
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "genomeapp.sqlite3"),
            "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"},
            # a file, not memory, so worker processes started by the tests see the same database
            "TEST": {"NAME": str(VAR_DIR / "test-genomeapp.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "frontend" / "static",
    ("vendor/igv", BASE_DIR / "frontend" / "node_modules" / "igv" / "dist"),  # npm `igv`, never a CDN
]
WHITENOISE_USE_FINDERS = DEBUG
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # collectstatic is a deployment step, not a dev one
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
GENOMEAPP_DATA_DIR = Path(env_str("GENOMEAPP_DATA_DIR", str(VAR_DIR / "data")))
# AlphaGenome's official track metadata, extracted by scripts/setup.sh from third_party/'s wheel.
GENOMEAPP_ALPHAGENOME_METADATA_DIR = Path(
    env_str("GENOMEAPP_ALPHAGENOME_METADATA_DIR", str(GENOMEAPP_DATA_DIR / "alphagenome-metadata"))
)
# model/ never imports Django: it reads these two from the environment, here and in every process
# this one starts (Celery workers, the gRPC server, tests' subprocesses).
os.environ["GENOMEAPP_DATA_DIR"] = str(GENOMEAPP_DATA_DIR)
os.environ["GENOMEAPP_ALPHAGENOME_METADATA_DIR"] = str(GENOMEAPP_ALPHAGENOME_METADATA_DIR)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Celery ---------------------------------------------------------------------------------
# Queue names; several deployments may share one broker by giving each its own names.
CELERY_DEFAULT_QUEUE_NAME = env_str("GENOMEAPP_DEFAULT_QUEUE", "default")
CELERY_INFERENCE_QUEUE_NAME = env_str("GENOMEAPP_INFERENCE_QUEUE", "inference")
_broker_url = env_str("CELERY_BROKER_URL")
if _broker_url:
    CELERY_BROKER_URL = _broker_url
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = CELERY_DEFAULT_QUEUE_NAME
CELERY_TASK_ROUTES = {
    "predictions.tasks.run_job": {"queue": CELERY_INFERENCE_QUEUE_NAME},
    "predictions.tasks.write_job_report": {"queue": CELERY_DEFAULT_QUEUE_NAME},
}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
# A broker blip must not kill a long model run: the job keeps going, and the redelivered copy of its
# task finds the job already claimed and returns.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis redelivers an unacked task after this long; it must exceed the longest job.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 6 * 3600)}
CELERY_BEAT_SCHEDULE = {
    "reap-stale-jobs": {
        "task": "predictions.tasks.reap_stale_jobs",
        "schedule": float(env_int("GENOMEAPP_REAP_EVERY_SECONDS", 60, minimum=1)),
    },
    "expire-old-results": {"task": "predictions.tasks.expire_old_results", "schedule": 3600.0},
}

# --- genomeapp ------------------------------------------------------------------------------
# A running job beats at least this often; the reaper re-queues (or fails) jobs silent for longer.
GENOMEAPP_HEARTBEAT_SECONDS = env_int("GENOMEAPP_HEARTBEAT_SECONDS", 15, minimum=1)
GENOMEAPP_STALE_AFTER_SECONDS = env_int("GENOMEAPP_STALE_AFTER_SECONDS", 300, minimum=10)
GENOMEAPP_RESULT_RETENTION_DAYS = env_int("GENOMEAPP_RESULT_RETENTION_DAYS", 0, minimum=0)  # 0 = keep forever
# The reaper re-queues a stale job (it resumes where it stopped) until it has been claimed this often.
GENOMEAPP_MAX_JOB_ATTEMPTS = env_int("GENOMEAPP_MAX_JOB_ATTEMPTS", 3, minimum=1)
# A submitted job still queued after this long gets its message sent again (the broker may have lost
# it); a duplicate is harmless, as only one worker can claim a job. Keep it above a normal queue wait.
GENOMEAPP_RESEND_QUEUED_AFTER_SECONDS = env_int("GENOMEAPP_RESEND_QUEUED_AFTER_SECONDS", 900, minimum=10)
# Behind the nginx front proxy (docker/nginx/): nginx sends result files once Django authorised them.
GENOMEAPP_FRONT_PROXY_FILES = env_bool("GENOMEAPP_FRONT_PROXY_FILES", False)
# The nginx binary `manage.py nginx_config`, the tests and bench run; unset: found on PATH or in sbin.
GENOMEAPP_NGINX = env_str("GENOMEAPP_NGINX")
GENOMEAPP_MAX_UPLOAD_BYTES = env_int("GENOMEAPP_MAX_UPLOAD_BYTES", 50 * 1024 * 1024, minimum=1024)
GENOMEAPP_MAX_VARIANTS_PER_JOB = env_int("GENOMEAPP_MAX_VARIANTS_PER_JOB", 10_000, minimum=1)
GENOMEAPP_DEFAULT_ASSEMBLY = env_str("GENOMEAPP_DEFAULT_ASSEMBLY", "GRCh37-chr20")
GENOMEAPP_GRPC_MAX_CONCURRENT_MODEL_CALLS = env_int("GENOMEAPP_GRPC_MAX_CONCURRENT_MODEL_CALLS", 2, minimum=1)
GENOMEAPP_GRPC_RATE_LIMIT_PER_MINUTE = env_int("GENOMEAPP_GRPC_RATE_LIMIT_PER_MINUTE", 600, minimum=1)
# Per user: job submissions (web form and REST API, accepted or refused). Per client address and
# per username tried: login attempts. Beyond either, HTTP 429 with Retry-After (predictions/rate_limits.py).
GENOMEAPP_JOB_RATE_LIMIT_PER_MINUTE = env_int("GENOMEAPP_JOB_RATE_LIMIT_PER_MINUTE", 20, minimum=1)
GENOMEAPP_LOGIN_RATE_LIMIT_PER_MINUTE = env_int("GENOMEAPP_LOGIN_RATE_LIMIT_PER_MINUTE", 10, minimum=1)
# Proxies in front of Django that append to X-Forwarded-For (docker/compose.yml: its nginx and your TLS
# proxy, 2); 0: the client is REMOTE_ADDR. Login limits count per client address.
GENOMEAPP_TRUSTED_PROXY_HOPS = env_int("GENOMEAPP_TRUSTED_PROXY_HOPS", 0, minimum=0)
# Bounds on the work one submission can cause (README's table): each refusal is a 4xx naming its
# setting, and reading stops as soon as one is crossed (tests/predictions/bad_inputs/). At the
# defaults the slowest refusal (500,000 lines, each a REF mismatch) is about 6 s of one core.
GENOMEAPP_MAX_DECOMPRESSED_BYTES = env_int("GENOMEAPP_MAX_DECOMPRESSED_BYTES", 256 * 2**20, minimum=1024)
GENOMEAPP_MAX_GZIP_MEMBERS = env_int("GENOMEAPP_MAX_GZIP_MEMBERS", 100_000, minimum=1)  # bgzip: one per 64 kB
GENOMEAPP_MAX_INPUT_LINES = env_int("GENOMEAPP_MAX_INPUT_LINES", 500_000, minimum=1)  # empty lines count
# variant records read, each ALT allele once (duplicates and rejected ones too)
GENOMEAPP_MAX_INPUT_RECORDS = env_int("GENOMEAPP_MAX_INPUT_RECORDS", 500_000, minimum=1)
GENOMEAPP_MAX_LINE_CHARS = env_int("GENOMEAPP_MAX_LINE_CHARS", 2**20, minimum=1024)
GENOMEAPP_MAX_SEQUENCE_LENGTH = env_int("GENOMEAPP_MAX_SEQUENCE_LENGTH", 2**20, minimum=1)  # the 1 Mb window
GENOMEAPP_MAX_JSON_DEPTH = env_int("GENOMEAPP_MAX_JSON_DEPTH", 32, minimum=2)  # REST API request bodies
# Form fields and JSON bodies (not files) past this get 413 (predictions/upload_limits.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "predictions.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": [
        "predictions.api.parsers.BoundedJSONParser",  # GENOMEAPP_MAX_JSON_DEPTH
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "predictions.api.exceptions.exception_handler",  # 413 for over-large bodies
    "DEFAULT_PAGINATION_CLASS": "predictions.api.pagination.StrictPageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "genomeapp API",
    "DESCRIPTION": "Regulatory-track prediction and variant-effect scoring on your own servers.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the drf-spectacular-sidecar package: the docs page needs no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Cache: the rate limits' counters ----------------------------------------------------------
# Shared by every web and gRPC process when CACHE_URL names a Redis (redis://host:port/db; give it
# a database of its own: tests clear it); without it each process counts alone.
_cache_url = env_str("CACHE_URL")
if _cache_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": "genomeapp",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Security headers (every response) ----------------------------------------------------------
# Content-Security-Policy (django-csp): scripts and styles from this origin only, no inline code;
# pages pass data through data-* attributes and json_script (type application/json, never run).
# igv.js (bundled, frontend/node_modules/igv) styles its own widgets through a constructed
# stylesheet (not subject to CSP), but two of the libraries it bundles add a <style> element when
# the module loads: vanilla-picker (its colour picker) and igv's circular view. Those two exact
# texts are allowed by hash, nothing else inline; tests/genomeapp/test_content_security_policy.py
# recomputes them from igv.esm.min.js and fails after an igv upgrade that changes them. igv.js also
# writes a few style="..." attributes from HTML strings, only in its VCF-variant, alignment and
# region-of-interest widgets, which these pages do not use (annotation, wig and junction tracks);
# the policy would drop those styles (cosmetic), so no 'unsafe-inline' for style-src-attr either.
IGV_INLINE_STYLE_HASHES = (
    "'sha256-ITHmamcImsZ/Je1xrdtDLZVvRSpj1Zokb6uHXORB824='",  # vanilla-picker (igv 3.8.10)
    "'sha256-NTwDUA6nIvRRpI2lIBtHJqkV0TlTj4HVmI6vI81fIfM='",  # circular-view.css (igv 3.8.10)
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", *IGV_INLINE_STYLE_HASHES],
        "img-src": ["'self'", "data:"],  # igv.js and Swagger UI draw icons from data: URLs
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Security (production) ------------------------------------------------------------------
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
