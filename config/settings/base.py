"""Settings shared by every environment; values come from the environment (django-environ)."""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "auditlog",
    "rules.apps.AutodiscoverRulesConfig",
    "huey.contrib.djhuey",
    "labormarket.core",
    "labormarket.accounts",
    "labormarket.reference",
    "labormarket.registry",
    "labormarket.exchange",
    "labormarket.notifications",
    "labormarket.payments",
    "labormarket.services",
    "labormarket.outsourcing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "labormarket" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "labormarket.accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite (WAL) is the embedded default; DATABASE_URL=postgres://... switches to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'labormarket.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at
            # BEGIN so that concurrent writers queue instead of failing mid-transaction.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )
    # A file (not memory) so that tests can open real concurrent connections; one per process
    # so that parallel test runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
else:
    # JIT compilation pays off for long analytical queries; for the short queries of a web
    # request it only adds tens of milliseconds (seen on the national-scale search benchmark).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "labormarket.accounts.backends.UsernameOrIinBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in lockout: after this many consecutive failures the account is locked for a while.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("kk", _("Kazakh")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "labormarket" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Almaty"
# The zone in which business dates (deadlines, working days) are reckoned.
BUSINESS_TIME_ZONE = "Asia/Almaty"

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "labormarket" / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/ncalayer", NODE_MODULES / "ncalayer-js-client"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"

# --- API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "labormarket.core.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "labormarket.core.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "labormarket API",
    "DESCRIPTION": "Public employment services: registry, reference data, exchange, services.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "LayoffKindEnum": "labormarket.exchange.choices.LayoffKind",
        "RefusalReasonEnum": "labormarket.exchange.choices.RefusalReason",
    },
}

# --- Background work (huey) ----------------------------------------------------------------
HUEY_REDIS_URL = env("HUEY_REDIS_URL", default="")
if HUEY_REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "labormarket",
        "url": HUEY_REDIS_URL,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "labormarket",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        # Explicit: djhuey would otherwise run tasks inline whenever DEBUG is on.
        "immediate": False,
    }

# --- Audit ----------------------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Logging: never the IIN; see labormarket.core.logging ------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_iin": {"()": "labormarket.core.logging.MaskIinFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["mask_iin"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# PRG-69: the weekly pension-contributions extract is dropped here as CSV (iin,period,employer_bin).
CONTRIBUTIONS_DROP_DIR = env.path(
    "CONTRIBUTIONS_DROP_DIR", default=VAR_DIR / "drop" / "contributions"
)

# Notifications: SMS through this backend (a gateway adapter in production); e-mail via Django.
SMS_BACKEND = env("SMS_BACKEND", default="labormarket.notifications.backends.LogSmsBackend")
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@labormarket.example.kz")

# Demo data: if unset, seed_demo generates one password and keeps it in var/.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="")

# Electronic digital signatures (labormarket/core/signatures/README.md). "local" verifies
# RSA/ECDSA CMS against the trust roots and CRLs below (the test PKI of `manage.py pki_init`
# by default); "ncanode" sends Kazakh GOST signatures to an NCANode server.
SIGNATURES = {
    "VERIFIER": env("SIGNATURE_VERIFIER", default="local"),
    "PKI_DIR": env.path("SIGNATURE_PKI_DIR", default=VAR_DIR / "pki"),
    "TRUST_ROOTS": env.list(
        "SIGNATURE_TRUST_ROOTS", default=[str(VAR_DIR / "pki" / "root-ca.pem")]
    ),
    "CRLS": env.list(
        "SIGNATURE_CRLS",
        default=[
            str(VAR_DIR / "pki" / "root-ca.crl.pem"),
            str(VAR_DIR / "pki" / "intermediate-ca.crl.pem"),
        ],
    ),
    "ALLOW_FETCHING": env.bool("SIGNATURE_ALLOW_FETCHING", default=False),
    "REVOCATION_MODE": env("SIGNATURE_REVOCATION_MODE", default="require"),
    "NCANODE_URL": env("NCANODE_URL", default="http://127.0.0.1:14579"),
    "NCANODE_TIMEOUT": env.int("NCANODE_TIMEOUT", default=5),
}
#: The clearly marked demo signer (signs with the test PKI when NCALayer is absent): local and
#: demo installations only, never in production.
SIGNATURES_DEMO_SIGNER = env.bool("SIGNATURES_DEMO_SIGNER", default=False)
#: The address printed under the QR code of issued documents (their public verification page).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
