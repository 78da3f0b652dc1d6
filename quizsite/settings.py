"""quizsite settings: one module, driven by environment variables with safe defaults.

Development: `make run` sets DJANGO_DEBUG=1. Production: set DJANGO_SECRET_KEY,
DJANGO_ALLOWED_HOSTS, DATABASE_URL (PostgreSQL) and REDIS_URL; DEBUG stays off.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")

# A fixed development key is only acceptable while DEBUG is on; production must set its own.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "quizzes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "quizzes.middleware.ContentSecurityPolicyMiddleware",
    "quizzes.middleware.StripNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "quizzes.middleware.IdleTimeoutMiddleware",
    "quizzes.middleware.PrivateResponseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "quizzes.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "quizsite.urls"
WSGI_APPLICATION = "quizsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "quizsite" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "quizzes.context_processors.site_time_zone",
            ],
        },
    },
]

# Database: SQLite file by default; PostgreSQL in production via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write lock at BEGIN
    # so two transactions never deadlock upgrading a read lock; the busy timeout makes a
    # writer wait for the lock instead of failing with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6.0's default, adopted now

# Cache: Redis in production (REDIS_URL), process memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Redis down or unreachable must cost a request a second at most, never a hang:
            # the rate limits then let everything through (quizzes.throttle).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Django's model backend, loading the user with their AccountState in the same query (for the
# forced change of a one-time password). Sessions made under another backend are signed out.
AUTHENTICATION_BACKENDS = ["quizzes.accounts.AccountStateBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Students log in on our pages; the admin keeps its own login at /admin/login/.
LOGIN_URL = "quizzes:login"
LOGIN_REDIRECT_URL = "quizzes:dashboard"
LOGOUT_REDIRECT_URL = "quizzes:login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "quizzes" / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Almaty")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
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
# Question images are small illustrations; refuse anything larger at upload time.
QUIZZES_MAX_IMAGE_BYTES = int(os.environ.get("QUIZZES_MAX_IMAGE_BYTES", 2 * 1024 * 1024))
# Answers arriving this long after a deadline (a slow connection, a click at 0:00) still count.
QUIZZES_GRACE_SECONDS = int(os.environ.get("QUIZZES_GRACE_SECONDS", "60"))
# Questions whose facts are older than this are listed as "due for review" in the admin.
QUIZZES_FACTS_REVIEW_AGE_DAYS = int(os.environ.get("QUIZZES_FACTS_REVIEW_AGE_DAYS", "365"))
# Finished attempts older than this many days are removed by `manage.py purge_old_attempts`;
# unset (the default), nothing is ever purged.
QUIZZES_RETENTION_DAYS = (
    int(os.environ["QUIZZES_RETENTION_DAYS"])
    if os.environ.get("QUIZZES_RETENTION_DAYS", "").strip()
    else None
)

# Security: strict by default, relaxed only by DEBUG (plain-HTTP development server).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
# HSTS for subdomains and the browsers' preload list are opt-in: a school serving this at
# quiz.school.example must not force HTTPS on every other school.example site by default.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS")
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD")
# check --deploy warns while those two are off (W005 subdomains, W021 preload): off is the
# chosen default above, so those two warnings (and only those) are silenced.
SILENCED_SYSTEM_CHECKS = ["security.W005", "security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Shared school laptops: a session (a student's or a teacher's) ends when the browser closes,
# and after QUIZZES_IDLE_MINUTES without a request (quizzes.middleware.IdleTimeoutMiddleware).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
QUIZZES_IDLE_MINUTES = int(os.environ.get("QUIZZES_IDLE_MINUTES", "60"))
# Content Security Policy (django-csp; quizzes.middleware gives the admin inline styles only).
# No inline script and no eval anywhere; images may be data: URIs (the stylesheet's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Throttling. Failed logins (both login pages) lock the (username, address) pair, never an
# account alone nor an address alone: no one can lock a student out from elsewhere, and a
# school behind one NAT address is not locked out by one student's typos. django-axes keeps
# the failures in the database (every app server sees them); a teacher unlocks a student of
# her class from its roster, a superuser anyone from "Access attempts". A coarse limit on
# failures per address stops password spraying from one address; it never refuses an account
# that has logged in from that address before (quizzes.lockouts). The other limits count in
# the shared cache and let everything through when it is down (quizzes.throttle).
INSTALLED_APPS.append("axes")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # last, as django-axes requires
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "quizzes.lockouts.AddressLimitBackend",
    *AUTHENTICATION_BACKENDS,
]
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = int(os.environ.get("QUIZZES_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=int(os.environ.get("QUIZZES_LOGIN_COOLOFF_MINUTES", "15"))
)
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # no row per successful login: no history of addresses kept
AXES_LOCKOUT_CALLABLE = "quizzes.lockouts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "quizzes.throttle.client_ip"
# Behind a proxy, the header it sets to the client's address (X-Forwarded-For, whose last
# entry is the one the proxy added, or X-Real-IP). Empty: the connection's own address. Never
# set it without such a proxy in front: a client could then choose its address.
QUIZZES_CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER", "")
# (events, seconds); 0 events turns a limit off. Failed logins from one address; join-code
# tries by one student; sign-ups from one address (a class signs up together at school).
QUIZZES_LOGIN_ADDRESS_LIMIT = (int(os.environ.get("QUIZZES_LOGIN_ADDRESS_LIMIT", "100")), 900)
QUIZZES_JOIN_CODE_LIMIT = (int(os.environ.get("QUIZZES_JOIN_CODE_LIMIT", "10")), 3600)
QUIZZES_SIGNUP_LIMIT = (int(os.environ.get("QUIZZES_SIGNUP_LIMIT", "200")), 3600)
# Autosaves per attempt. The page sends one save at a time: a choice at once, typing 0.8 s
# after the last key, so a student's pace stays under ~1.5 a second (75 a minute typing
# without pause); after a lost connection it sends each waiting answer once, one after the
# other. 120 a minute is above any of that; a script sending in a loop reaches it in seconds.
QUIZZES_AUTOSAVE_LIMIT = (int(os.environ.get("QUIZZES_AUTOSAVE_LIMIT", "120")), 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
