"""
Settings for the therapy resource library: one module, read from the environment.

Every variable is listed with its default in `.env.example` and the README. The defaults
make a safe local site (DEBUG on, SQLite in the project folder); production sets
DJANGO_DEBUG=false, and then DJANGO_SECRET_KEY is required and the secure defaults apply.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-only")
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY")  # required: fail loudly rather than run with a known key

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "taggit",
    "imagekit",
    "resources",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: compressed, cached for ever
    "resources.middleware.PublicGZipMiddleware",  # pages: gzip, after the ETag is taken
    "resources.middleware.AdminNoIndexMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",  # ETag, and 304 for a revisit
    "resources.middleware.RevalidatingUpdateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "resources.middleware.AnonymousFetchFromCacheMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-ins while an account is locked out
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "library.urls"
WSGI_APPLICATION = "library.wsgi.application"

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
            ],
        },
    },
]

# DATABASE_URL, e.g. postgres://user:password@127.0.0.1:5432/library. Default: SQLite here.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, so psycopg prepares a statement it has run 5 times on a
    # connection: PostgreSQL then no longer parses it, nor plans it once it settles on a
    # generic plan. A fifth off a detail page built afresh (10.7 to 8.5 ms at 100,000).
    # Set to false behind a pooler in transaction mode without prepared statements (PgBouncer
    # before 1.21, or with max_prepared_statements at 0).
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = env.bool(
        "DATABASE_SERVER_SIDE_BINDING", default=True
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches. "pages" holds whole public pages for anonymous visitors; "default" holds the
# generation number that any change to the library moves on (dropping every cached page at
# once, see resources/cache.py) and the few aggregates pages share. With REDIS_URL (e.g.
# redis://127.0.0.1:6379/0) both live in Redis, shared by every app server. Without it, pages
# stay in each process's local memory, and "default" is local memory for the single-process
# development server but a small file cache in production mode, so that every gunicorn worker
# sees a change at once.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    REDIS_CACHE = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    CACHES = {
        "default": {**REDIS_CACHE, "KEY_PREFIX": "library"},
        "pages": {**REDIS_CACHE, "KEY_FUNCTION": "resources.cache.page_key"},
    }
else:
    LOCAL_MEMORY = "django.core.cache.backends.locmem.LocMemCache"
    CACHES = {
        "default": {"BACKEND": LOCAL_MEMORY}
        if DEBUG
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.path("DJANGO_CACHE_DIR", default=BASE_DIR / ".cache"),
            # The generation, and an aggregate per catalog filter and per topic.
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
        "pages": {
            "BACKEND": LOCAL_MEMORY,
            "LOCATION": "pages",
            "KEY_FUNCTION": "resources.cache.page_key",
        },
    }
CACHE_MIDDLEWARE_ALIAS = "pages"
CACHE_MIDDLEWARE_KEY_PREFIX = "pages"
# How long the server keeps a page it built. Browsers and proxies keep none without asking
# again: anonymous pages are sent with "Cache-Control: no-cache" and an ETag, so a revisit of
# an unchanged page costs a 304 (resources/middleware.py).
CACHE_MIDDLEWARE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = env("DJANGO_MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Compressed, with hashed names; plain storage while DEBUG, so no collectstatic needed.
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Media on S3-compatible object storage (django-storages, the `s3` extra) when a bucket is
# named; credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Add the bucket's
# or CDN's origin to CSP_IMG_SRC. See docs/deploy.md.
if env("AWS_STORAGE_BUCKET_NAME", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default=None),
            "querystring_auth": False,  # public images, plain URLs
            "file_overwrite": False,
        },
    }

# Uploaded images: real JPEG, PNG or WebP only, checked by Pillow (resources.validators).
IMAGE_UPLOAD_MAX_BYTES = env.int("IMAGE_UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
IMAGE_UPLOAD_MAX_PIXELS = env.int("IMAGE_UPLOAD_MAX_PIXELS", default=40_000_000)
FILE_UPLOAD_PERMISSIONS = 0o644

# Every page's "Need help now?" notice opens to this sentence, then the CRISIS_LINES below.
# Keep it short and true wherever the site is read; numbers belong in CRISIS_LINES, where they
# are tap-to-call.
CRISIS_SUPPORT_TEXT = env(
    "CRISIS_SUPPORT_TEXT",
    default=(
        "If you are in danger or thinking about ending your life, call your local emergency "
        "number now or go to the nearest emergency department."
    ),
)

# Where to find help now, listed on every page: each line's name, its number as it is
# dialled or texted, how to reach it ("call", "text", "call or text") and where it serves.
# Set CRISIS_LINES to a JSON list of such objects for the library's own country.
CRISIS_LINES = env.json(
    "CRISIS_LINES",
    default=[
        {
            "name": "988 Suicide & Crisis Lifeline",
            "number": "988",
            "reach": "call or text",
            "country": "US",
        },
        {"name": "Samaritans", "number": "116 123", "reach": "call", "country": "UK and Ireland"},
    ],
)

# "Exit this page" (on every page, and Shift pressed three times) leaves for this address,
# replacing the page in the browser's history. Wikipedia's front page by default: neutral to
# anyone looking over a shoulder, the same in every country, without adverts or an account.
# Empty turns the button off.
EXIT_PAGE_URL = env("EXIT_PAGE_URL", default="https://www.wikipedia.org/")

SITE_NAME = env("SITE_NAME", default="The Therapy Library")
# The site's public address, for what is written outside a request (sign-in links, emails).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# A resource is due for review this many months after its last review (or its publication).
REVIEW_EVERY_MONTHS = env.int("REVIEW_EVERY_MONTHS", default=12)

# Email, for the review workflow: editors hear of submissions, authors of the outcome.
# EMAIL_URL is e.g. smtp+tls://USER:PASSWORD@smtp.example.org:587; by default, the console
# while DEBUG and no email at all in production mode.
EMAIL_URL = env("EMAIL_URL", default="") or ("consolemail://" if DEBUG else "dummymail://")
vars().update(environ.Env.email_url_config(EMAIL_URL))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="webmaster@localhost")

# The admin's path. Moving it off /admin/ keeps most password-guessing robots away.
ADMIN_PATH = env("DJANGO_ADMIN_PATH", default="admin/").strip("/") + "/"

# A second factor for staff (django-otp, resources/admin/two_factor.py): with
# ADMIN_REQUIRE_2FA, an editor publishes only when signed in with a code from an
# authenticator app. Unset or empty: on in production mode.
ADMIN_REQUIRE_2FA = env.bool("ADMIN_REQUIRE_2FA") if env.str("ADMIN_REQUIRE_2FA", "") else not DEBUG
OTP_TOTP_ISSUER = SITE_NAME

# Sign-in throttling (django-axes): after 5 failures an account, and separately the address
# the attempts came from, is locked for 15 minutes; a success resets the count. Behind a
# proxy, AXES_IPWARE_PROXY_COUNT says how many proxies add to X-Forwarded-For, so each
# visitor's own address is used (django-ipware) rather than the proxy's.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# The history's "why" holds whole sentences (an editor's note when sending an item back).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Topics: names match case-insensitively, so "Grief" and "grief" are one topic.
TAGGIT_CASE_INSENSITIVE = True

# Content-Security-Policy (django-csp): everything from this site, no inline script, no frames
# except on video pages, which add the two video hosts (resources/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *env.list("CSP_IMG_SRC", default=[])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
VIDEO_FRAME_SOURCES = ["https://www.youtube-nocookie.com", "https://player.vimeo.com"]

# Permissions-Policy (django-permissions-policy): no sensors, camera or payments; the video
# hosts may play full screen after a click.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": ["self", *VIDEO_FRAME_SOURCES],
    "browsing-topics": [],
    "camera": [],
    "fullscreen": ["self", *VIDEO_FRAME_SOURCES],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

# Security. The production values switch on with DEBUG off; behind a TLS-terminating proxy
# that sets X-Forwarded-Proto, set DJANGO_SECURE_PROXY_SSL_HEADER=true.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs keep nothing about a visitor: every handler drops addresses and query strings (the
# words searched for, a list's items) from what it writes (library/logs.py). Django's loggers
# lose their own handlers and write through these: no error emails, which carry the request.
LOG_LEVEL = env("DJANGO_LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_visitor_data": {"()": "library.logs.NoVisitorData"}},
    "formatters": {
        "server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["no_visitor_data"]},
        "server": {
            "class": "logging.StreamHandler",
            "formatter": "server",
            "filters": ["no_visitor_data"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL},
        "django.server": {"handlers": ["server"], "level": LOG_LEVEL, "propagate": False},
    },
}
