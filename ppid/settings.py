"""Settings for PPID Dikecualikan.

Every knob comes from the environment (django-environ); `.env.example` lists
them all. The defaults run a fresh checkout: SQLite, a local private folder
for softcopies, mail printed to the console. With DEBUG off the app refuses to
start until SECRET_KEY and ALLOWED_HOSTS are set for real.
"""

import hashlib
from datetime import timedelta
from ipaddress import ip_network
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file is optional (ENV_FILE names another); variables in the environment win over it.
environ.Env.read_env(env.str("ENV_FILE", default=str(BASE_DIR / ".env")))

DEBUG = env.bool("DEBUG", default=False)

# A key that is known from the source code is no key at all: only DEBUG may use it.
_DEV_SECRET_KEY = "django-insecure-ppid-dikecualikan-development-only"
SECRET_KEY = env("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters when DEBUG "
            "is off (see .env.example). For development, set DEBUG=1."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must name the site's host names when DEBUG is off (see .env.example)."
        )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The key of the history's chain hashes (HMAC-SHA256): without it nobody computes a chain
# value, so a row inserted in plain SQL breaks the chain. Only the app's environment holds
# it, never the database server; it must never change (the chains were sealed with it).
# Unset, it is derived from SECRET_KEY under a label of its own: set it when SECRET_KEY
# may ever be rotated (docs/archive.md, "The history cannot be rewritten").
HISTORY_KEY = (
    env("HISTORY_KEY", default="")
    or hashlib.sha256(f"ppid-history-chain\n{SECRET_KEY}".encode()).hexdigest()
)

INSTALLED_APPS = [
    # Before dikecualikan, whose admin takes their device admins away (they show secrets).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "dikecualikan",
    "arsip",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "axes",
    "django_tasks",
    "django_tasks_db",
]

# The worker (`manage.py db_worker`): tasks are rows of this database, written in the
# transaction of the step that makes them, so a step that rolls back leaves none. Mail
# goes on its own queue, documents on theirs, the rest on "default" (docs/deployment.md).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "mail", "documents"],
    }
}
# A task "running" longer than this was left by a killed worker: requeue_stale_tasks puts
# it back (every task is safe to run twice). Longer than the longest document render.
TASKS_STALE_MINUTES = env.int("TASKS_STALE_MINUTES", default=30)
# Where the nightly heads of the history's chains are mailed (send_heads, deploy/): an
# address off this machine. Empty: the Atasan PPID.
HEADS_MAIL_TO = env.list("HEADS_MAIL_TO", default=[])
# Days a prepared staff document stays downloadable; then the daily clean_up deletes its file
# (its row stays, marked removed after its time). Asked for again, it is prepared anew.
PPID_DOCUMENT_DAYS = env.int("PPID_DOCUMENT_DAYS", default=7)

# Widgets render from the project's templates too (the grouped Pasal 17 grounds).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The app serves its own stylesheet (no web server to configure for /static/).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ppid.middleware.IndonesianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # /staf/ and /admin/ only after the second factor (ppid/second_factor.py).
    "ppid.second_factor.middleware",
    "ppid.middleware.actor",
    "ppid.middleware.acting_office",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "ppid.middleware.FriendlyErrorsMiddleware",
    # Last, as django-axes asks: it counts failed sign-ins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ppid.urls"
WSGI_APPLICATION = "ppid.wsgi.application"

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
                "dikecualikan.context_processors.office",
                "dikecualikan.context_processors.waiting",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Keep connections open between requests: opening one costs more than a cached page.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL plans a query each time its text comes with the values written into it
# (Django's default). DATABASE_PREPARED: unset, the lists' pages go with their values apart
# and are planned once per connection; 1, every query; 0, none (a pooler in transaction
# mode, PgBouncer before 1.21, cannot keep prepared statements).
DATABASE_PREPARED = env.str("DATABASE_PREPARED", default="lists").lower()
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Two posts at once (a double click) queue for SQLite's one write lock instead of one
    # failing with "database is locked": a transaction takes the lock when it begins, and
    # waits up to 20 s for it. The second then meets the first's change (a clear message).
    # WAL lets the pages read while the worker writes (and the other way round).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE", timeout=20, init_command="PRAGMA journal_mode=WAL;"
    )
elif DATABASE_PREPARED in {"1", "true", "yes", "on"}:
    # Every query sent with its values apart, and prepared once a connection sends it again:
    # an operator's choice, not the default. A statement then holds at most 65,535 values (a
    # publication of a few thousand records would fail: its history rows go in one insert).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=2
    )
# Only the lists' pages by default (dikecualikan/paging.py: a few values each).
DATABASE_PREPARED_LISTS = DATABASE_PREPARED not in {"0", "false", "no", "off"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's own, but a role's permissions count in the office where it is held.
    "ppid.access.OfficeRolesBackend",
]
# Failed sign-ins are limited per username and address; the cool-off is short so that an
# attacker cannot lock the approvers out for good.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
# One account from one address: an attacker elsewhere cannot lock the real person out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# And one address across all accounts (password spraying), with a higher limit.
PPID_ADDRESS_FAILURE_LIMIT = env.int("PPID_ADDRESS_FAILURE_LIMIT", default=20)
# And one account from any addresses (guesses spread to stay below both limits): from this
# many wrong passwords within the cool-off, each further try waits 1 s, then twice as long
# each time, up to the maximum; never a hard lock, which would lock an approver out. The
# person is mailed once (ppid/signin.py).
PPID_ACCOUNT_FAILURE_SOFT_LIMIT = env.int("PPID_ACCOUNT_FAILURE_SOFT_LIMIT", default=10)
PPID_ACCOUNT_FAILURE_MAX_DELAY_SECONDS = env.int(
    "PPID_ACCOUNT_FAILURE_MAX_DELAY_SECONDS", default=300
)
AXES_HANDLER = "ppid.signin.AccountAndAddressHandler"
AXES_LOCKOUT_CALLABLE = "ppid.signin.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Tries during a pause are refused without counting: hammering does not prolong it, so the
# time the pause page names holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
# The client's address behind the reverse proxy (ppid/signin.py), for axes and the access log.
AXES_CLIENT_IP_CALLABLE = "ppid.signin.client_ip"
# The proxies whose X-Forwarded-For is believed (addresses or networks, e.g. 127.0.0.1 for
# an nginx on the same machine). Empty: the header is ignored, REMOTE_ADDR is the client.
TRUSTED_PROXIES = [ip_network(n, strict=False) for n in env.list("TRUSTED_PROXIES", default=[])]

# A code from an authenticator app after the password (ppid/second_factor.py). Only a
# development checkout may turn it off; with DEBUG off it is always required.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True) if DEBUG else True


def _totp_issuer(device):
    from dikecualikan import office  # at call time: the settings load before the apps

    return f"PPID {office.current().name}"


# What an authenticator app shows beside the code: the office's name (django-otp calls it).
OTP_TOTP_ISSUER = _totp_issuer
# The one-time code an administrator hands over to set up a second factor lasts this long.
PPID_ENROLMENT_CODE_HOURS = env.int("PPID_ENROLMENT_CODE_HOURS", default=72)
# A session lasts a working day, and ends on sign-out.
SESSION_COOKIE_AGE = env.int("SESSION_HOURS", default=9) * 3600

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "dikecualikan:after-login"
LOGOUT_REDIRECT_URL = "signed-out"  # "Anda telah keluar", then the sign-in or the public list

# Indonesian first; English for visitors and staff who ask for it.
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["ppid.formats"]
USE_I18N = True
# The office's zone, which its times are written in: Asia/Jakarta or Asia/Pontianak (WIB),
# Asia/Makassar (WITA), Asia/Jayapura (WIT).
TIME_ZONE = env("TIME_ZONE", default="Asia/Pontianak")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves the static files where they lie (static/ and the admin's), found at
# start-up: no collectstatic step, no web server to set up. Browsers keep them an hour.
# STATIC_ROOT only matters to whoever runs collectstatic for a web server of their own.
STATIC_ROOT = env("STATIC_ROOT", default=None)
WHITENOISE_USE_FINDERS = True
WHITENOISE_MAX_AGE = 3600
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Softcopies are the withheld information itself: a folder outside MEDIA_ROOT
# with no URL at all, or a private S3 bucket served through signed URLs.
PRIVATE_ROOT = env.path("PRIVATE_ROOT", default=BASE_DIR / "var" / "private")
# Largest softcopy accepted, in megabytes, and the bounds of what the archive's checks read.
ARSIP_MAX_UPLOAD_MB = env.int("ARSIP_MAX_UPLOAD_MB", default=50)
ARSIP_MAX_IMAGE_MEGAPIXELS = env.int("ARSIP_MAX_IMAGE_MEGAPIXELS", default=50)
ARSIP_PDF_MAX_OBJECTS = env.int("ARSIP_PDF_MAX_OBJECTS", default=200_000)
# A PDF is parsed in a child process under these limits, so no file can hold or kill the web
# worker: seconds of CPU and of wall-clock time (below gunicorn's 30 s worker timeout), and
# megabytes of address space (a PDF at the object limit needs about 260 MB).
ARSIP_PDF_CHECK_SECONDS = env.int("ARSIP_PDF_CHECK_SECONDS", default=20)
ARSIP_PDF_CHECK_MEMORY_MB = env.int("ARSIP_PDF_CHECK_MEMORY_MB", default=768)
# A decision's PDF becomes a public file; it is checked like a softcopy, with its own limit.
DECISION_MAX_UPLOAD_MB = env.int("DECISION_MAX_UPLOAD_MB", default=20)
# An upload is spooled inside the private area, never in the system's shared /tmp: a crash
# must not leave a withheld document where other programs look. The handler also stops
# reading a file at the limit, before the view runs (the CSRF check reads the body first).
FILE_UPLOAD_TEMP_DIR = env.str("FILE_UPLOAD_TEMP_DIR", default=f"{PRIVATE_ROOT}/tmp")
FILE_UPLOAD_HANDLERS = ["arsip.uploads.BoundedUploadHandler"]

AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _s3 = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
        "region_name": env("AWS_S3_REGION_NAME", default=None),
        "access_key": env("AWS_ACCESS_KEY_ID", default=None),
        "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
        "file_overwrite": False,
        # botocore still presigns with the legacy SigV2 in older AWS regions (us-east-1
        # among them), which AWS buckets made since mid-2020 and some S3-compatible stores refuse.
        "signature_version": "s3v4",
    }
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3,
                "location": "public",
                "querystring_auth": False,
                "default_acl": None,
            },
        },
        # Never a custom domain here: it would make the URLs unsigned.
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                **_s3,
                "location": "private",
                "querystring_auth": True,
                "querystring_expire": 60,
                "default_acl": "private",
                "custom_domain": None,
            },
        },
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "arsip.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": PRIVATE_ROOT},
        },
    }
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

# Public pages are cached per DIK version; a shared cache (e.g. redis://...) serves every
# app server, the default lives in each process's memory.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=3600)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Mail names records and people: with DEBUG off it goes out by SMTP (or is dropped, with
# dummymail://), never into the server's log or a folder of files.
LOGGED_MAIL = (
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
)
if not DEBUG and EMAIL_BACKEND in LOGGED_MAIL:  # noqa: F821 (set by EMAIL_CONFIG)
    raise ImproperlyConfigured(
        "EMAIL_URL writes mail to the console or to files; with DEBUG off set EMAIL_URL to "
        "your mail server (smtp://user:password@host:587), or dummymail:// to send none."
    )
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ppid@kpu-pontianakkota.go.id")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Production serves HTTPS only: secure cookies, redirect, HSTS (manage.py check --deploy).
HTTPS = not DEBUG and env.bool("HTTPS", default=True)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_HTTPS_PROXY", default=False) else None
)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# No inline script anywhere (django-csp). Inline style attributes stay allowed because the
# admin uses them; scripts come only from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- The office and its workflow ------------------------------------------------
# The offices are rows (dikecualikan/office.py): the default office, by its short name, is the
# one served at `/` and the one a single-office install is. The PPID_OFFICE_* settings and
# PPID_APPROVALS below only seed the default office's row when migration 0037 makes the
# offices table (a fresh install); from then on its administrator edits it in the admin.
PPID_DEFAULT_OFFICE = env("PPID_DEFAULT_OFFICE", default="pontianakkota")
PPID_OFFICE_NAME = env("PPID_OFFICE_NAME", default="KPU Kota Pontianak")
# The town printed before the date on the office's papers ("Pontianak, 21 Agustus 2025").
PPID_OFFICE_PLACE = env("PPID_OFFICE_PLACE", default="Pontianak")
# The office's logo beside its name on every page and on the letterhead: a file of the static
# files, named as under static/ ("img/logo-kpu.png"). Nothing else (a URL, a path elsewhere):
# the name alone, and `manage.py check` warns. The default is a neutral emblem with the
# office's name (static/img/logo-ppid.svg), not the KPU's artwork; set empty: the name alone.
# The favicon is static/favicon.svg unless PPID_FAVICON names another.
PPID_OFFICE_LOGO = env("PPID_OFFICE_LOGO", default="img/logo-ppid.svg")
PPID_FAVICON = env("PPID_FAVICON", default="favicon.svg")
# The letterhead of PDF documents.
# The office's own details, from the cover of its SOP No. 3/2025 (shared/DOMAIN.md section 8).
PPID_OFFICE_ADDRESS = env("PPID_OFFICE_ADDRESS", default="Jl. Johar No. 1A Pontianak")
PPID_OFFICE_PHONE = env("PPID_OFFICE_PHONE", default="(0561) 740021")
PPID_OFFICE_EMAIL = env("PPID_OFFICE_EMAIL", default="kota_pontianak@kpu.go.id")
# The PPID's name under the DIK's signature. Empty: the one active holder of the PPID role,
# or a blank line to sign by hand when there is none or several (dikecualikan/dik.py).
PPID_OFFICE_PPID_NAME = env("PPID_OFFICE_PPID_NAME", default="")
# Long documents are rendered by the worker in chunks of this many rows, which bounds a
# render's memory whatever the list's length (docs/benchmarks.md).
PPID_PDF_CHUNK_ROWS = env.int("PPID_PDF_CHUNK_ROWS", default=250)
# A staff document of more rows than this is also announced by mail when it is ready.
PPID_DOCUMENT_MAIL_ROWS = env.int("PPID_DOCUMENT_MAIL_ROWS", default=1000)
# Roles whose approval a record needs, with the quorum of each: "role:count,...".
PPID_APPROVALS = env("PPID_APPROVALS", default="pembina:1,tim_pertimbangan:1")
# The longest any period may run, whatever its ground: a sanity bound (17g-17j have no cap
# in law; 17a-17f have their caps in the grounds table). Also keeps dates in the calendar.
PPID_MAX_PERIOD_YEARS = env.int("PPID_MAX_PERIOD_YEARS", default=100)
# How long before its end an item enters the review queue (working days; Perki 1/2021
# practice lets the PPID declare it open up to 30 working days before, shared/DOMAIN.md).
PPID_REVIEW_WORKING_DAYS = env.int("PPID_REVIEW_WORKING_DAYS", default=30)
# The user that review_due acts as: the register itself, named so in the history.
PPID_SYSTEM_USERNAME = env("PPID_SYSTEM_USERNAME", default="register")
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo-ppid-2025")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports every layout step at INFO; only its warnings matter here.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
