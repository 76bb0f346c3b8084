"""Settings for the safety-plan builder: one module, driven by environment variables.

Safe by default: DEBUG is off unless DJANGO_DEBUG=1, and outside development the app refuses to
start without a real SECRET_KEY. Every variable read here is listed in `.env.example`.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

# Django's generic classes (ModelAdmin[Client], ModelForm[Client]) can be subscripted at runtime as
# the type checker sees them; subscripting returns the class itself, so nothing else changes.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name)
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# Set by `make serve` (gunicorn): a production process refuses to start with DEBUG on.
PRODUCTION = env_bool("SAFETYPLAN_PRODUCTION", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production (SAFETYPLAN_PRODUCTION=1).")

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    # Development only: a random key kept in a git-ignored file, so sessions survive restarts and no
    # key is ever committed.
    _dev_key_file = BASE_DIR / ".dev-secret-key"
    if not _dev_key_file.exists():
        import secrets

        _dev_key_file.write_text(secrets.token_urlsafe(50))
        _dev_key_file.chmod(0o600)
    SECRET_KEY = _dev_key_file.read_text().strip()
elif len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is too short or too simple (50+ varied characters).")

# Signs the audit trail's checkpoints (plans/audit/checkpoints.py). It lives outside the database, so
# whoever can write to the database cannot forge a checkpoint; keep it as long as the trail (a new key
# makes every earlier checkpoint fail verification). Required in production; elsewhere a throwaway
# value derived from SECRET_KEY.
AUDIT_CHECKPOINT_KEY = env_str("SAFETYPLAN_AUDIT_CHECKPOINT_KEY")
if not AUDIT_CHECKPOINT_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SAFETYPLAN_AUDIT_CHECKPOINT_KEY is not set. Set it to a long random value, other than "
            "DJANGO_SECRET_KEY (python -c 'import secrets; print(secrets.token_urlsafe(50))'), and keep it."
        )
    import hashlib

    AUDIT_CHECKPOINT_KEY = hashlib.sha256(f"audit checkpoints, not for production: {SECRET_KEY}".encode()).hexdigest()
elif len(AUDIT_CHECKPOINT_KEY) < 50 or len(set(AUDIT_CHECKPOINT_KEY)) < 5:
    raise ImproperlyConfigured("SAFETYPLAN_AUDIT_CHECKPOINT_KEY is too short or too simple (50+ varied characters).")
elif AUDIT_CHECKPOINT_KEY == SECRET_KEY:
    raise ImproperlyConfigured("SAFETYPLAN_AUDIT_CHECKPOINT_KEY must not be DJANGO_SECRET_KEY.")
# Optional: a file outside the database (better, on another machine or append-only storage) that
# `manage.py audit_checkpoint` appends each checkpoint to, one JSON line each.
AUDIT_CHECKPOINT_FILE = (
    Path(env_str("SAFETYPLAN_AUDIT_CHECKPOINT_FILE")) if env_str("SAFETYPLAN_AUDIT_CHECKPOINT_FILE") else None
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's security-key list page loads it
    "accounts",  # before allauth: its templates override allauth's
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "plans",
    "printing",
    "phonecopy",
    "followup",
]

MIDDLEWARE = [
    # First: the phone's pages (/p/) take no cookie and set none; no session, CSRF or sign-in there.
    "phonecopy.middleware.PhonePagesWithoutCookies",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before anything reads a POST body: an unreadable one is a 400, never a 500.
    "accounts.middleware.UnreadableBodyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.ClinicianLanguageMiddleware",
    "accounts.middleware.SessionTimeoutMiddleware",
    "accounts.middleware.RequireMFAMiddleware",
    "accounts.middleware.SecurityHeadersMiddleware",
    # The organisation's library (crisis lines, step wording, ...) read from the shared cache once a request.
    "plans.library.OncePerRequest",
    # Last: turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "safetyplan.urls"

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
                "accounts.context_processors.session_timeouts",
            ],
        },
    },
]

WSGI_APPLICATION = "safetyplan.wsgi.application"

# SQLite is the embedded default; production and CI pass DATABASE_URL (PostgreSQL 15).
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # The embedded database: write-ahead log, so readers never wait for a writer, and commits without
    # an fsync each (synchronous=NORMAL; the log is synced at checkpoints). Never corrupted; after a
    # power cut the last moment's commits may be gone. Production runs PostgreSQL.
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache is shared by every app server: second-step codes are used once (allauth remembers used
# TOTP codes in it) and wrong codes are counted in it. The database cache by default, so the embedded
# set-up needs nothing more (its table is made by accounts' migration 0002); Redis with REDIS_URL.
REDIS_URL = env_str("REDIS_URL")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("SAFETYPLAN_CACHE_PREFIX", "safetyplan"),
        }
        if REDIS_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "safetyplan_cache",
        }
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in: django-allauth (username + password, then TOTP / recovery codes / security keys) ---
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "plans:client_list"
LOGOUT_REDIRECT_URL = "account_login"
AUTHENTICATION_BACKENDS = [
    # First: refuses sign-in while a username+IP pair is locked out.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
MFA_ADAPTER = "accounts.adapters.MFAAdapter"
ACCOUNT_FORMS = {"login": "accounts.adapters.LoginForm", "reauthenticate": "accounts.forms.ReauthenticateForm"}
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False  # sessions end with the browser and the timeouts below
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_PREVENT_ENUMERATION = True
# Lock-outs are axes' job (username + IP, below). allauth's own limits are per username from any IP
# (anyone could lock a clinician out) and per IP (a clinic behind one IP would be locked together),
# so its failed-login limit is off and its overall sign-in limit is set for a busy clinic.
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": "300/m/ip"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Wrong second-step codes (accounts/second_factor.py): this many in one sign-in end it; this many for
# one clinician within the cool-off below, from any session or IP, pause codes for them.
MFA_WRONG_CODES_PER_SIGN_IN = env_int("SAFETYPLAN_MFA_WRONG_CODES_PER_SIGN_IN", 5)
MFA_WRONG_CODES_LIMIT = env_int("SAFETYPLAN_MFA_WRONG_CODES_LIMIT", 10)
MFA_TOTP_ISSUER = env_str("SAFETYPLAN_MFA_ISSUER", "Safety plan builder")
# allauth's second-step forms with the app's labels (the same fields and checks); the code forms also
# limit wrong codes (accounts/forms.py).
MFA_FORMS = {
    "authenticate": "accounts.forms.AuthenticateForm",
    "reauthenticate": "accounts.forms.MFAReauthenticateForm",
    "activate_totp": "accounts.forms.ActivateTOTPForm",
    "add_webauthn": "accounts.forms.AddWebAuthnForm",
    "edit_webauthn": "accounts.forms.EditWebAuthnForm",
}
# A passkey is a second step after the password, never a way to sign in without it.
MFA_PASSKEY_LOGIN_ENABLED = False
# On, allauth skips WebAuthn's origin check altogether: development only. python-fido2 accepts
# http://localhost by itself, so the browser tests run with it off, as production does.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Every clinician must set up a second factor before reaching any client data (off only in development
# and the test suite, which tests the requirement itself with this setting on).
MFA_REQUIRED = env_bool("SAFETYPLAN_MFA_REQUIRED", not DEBUG)
# Brute force: lock out one username from one IP after 5 failures, for 15 minutes. Keyed on the pair,
# so an attacker behind a clinic's shared IP can't lock out everyone there.
AXES_FAILURE_LIMIT = env_int("SAFETYPLAN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("SAFETYPLAN_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
AXES_USERNAME_CALLABLE = "accounts.adapters.axes_username"
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env_bool("DJANGO_BEHIND_PROXY", False) else ["REMOTE_ADDR"]
)
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

# --- Automatic logoff ---
SESSION_IDLE_TIMEOUT = env_int("SAFETYPLAN_IDLE_TIMEOUT_MINUTES", 15) * 60
SESSION_ABSOLUTE_TIMEOUT = env_int("SAFETYPLAN_ABSOLUTE_TIMEOUT_HOURS", 12) * 3600
SESSION_IDLE_WARNING = env_int("SAFETYPLAN_IDLE_WARNING_SECONDS", 120)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Internationalisation: every user-facing string is marked for translation.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "America/New_York")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Third-party assets come from the npm registry at set-up time (node_modules is not committed).
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security: secure by default outside development.
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY", False) else None
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", PRODUCTION)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy, enforced: no inline script or style anywhere; everything from this origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],  # Bootstrap's form controls draw their arrows as data: SVG
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "accounts.views.csrf_failure"  # audited as a security event, explained in our layout

# Logging: IDs only, never plan content, names or phone numbers.
_loggers: dict[str, dict[str, object]] = {
    # Request bodies are never logged; 4xx/5xx lines carry only the path.
    "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    # The development server's access log, without query strings (gunicorn's: safetyplan/gunicorn_conf.py).
    "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"without_query_strings": {"()": "safetyplan.logging_filters.WithoutQueryStrings"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["without_query_strings"]}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": _loggers,
}

# --- Safety-plan settings -------------------------------------------------------------------------
# Region used to read phone numbers typed without a country code (ISO 3166-1 alpha-2).
PHONE_DEFAULT_REGION = env_str("SAFETYPLAN_PHONE_REGION", "US").upper()
# Which country's crisis lines appear on every plan (they are data, edited in the admin).
CRISIS_COUNTRY = env_str("SAFETYPLAN_CRISIS_COUNTRY", PHONE_DEFAULT_REGION).upper()
# Days before a review is due that the client list starts saying "due soon".
REVIEW_DUE_SOON_DAYS = env_int("SAFETYPLAN_REVIEW_DUE_SOON_DAYS", 7)

# --- Follow-up contacts (the followup app) --------------------------------------------------------------
# How many attempts each scheduled contact allows before the next one is scheduled (copied onto each
# contact when it is scheduled, so a change applies to contacts scheduled afterwards).
FOLLOWUP_ATTEMPTS_PER_CONTACT = env_int("SAFETYPLAN_FOLLOWUP_ATTEMPTS_PER_CONTACT", 5)
if not 1 <= FOLLOWUP_ATTEMPTS_PER_CONTACT <= 20:
    raise ImproperlyConfigured(
        f"SAFETYPLAN_FOLLOWUP_ATTEMPTS_PER_CONTACT must be from 1 to 20, got {FOLLOWUP_ATTEMPTS_PER_CONTACT}"
    )

# --- Printing (the printing app) ----------------------------------------------------------------------
# The organisation's paper size for printed plans and wallet cards; each download can choose the other.
# A "Send to phone" link works once, and only within this many minutes.
PHONE_LINK_MINUTES = env_int("SAFETYPLAN_PHONE_LINK_MINUTES", 15)
PRINT_PAGE_SIZE = env_str("SAFETYPLAN_PAGE_SIZE", "letter").lower()
if PRINT_PAGE_SIZE not in {"letter", "a4"}:
    raise ImproperlyConfigured(f"SAFETYPLAN_PAGE_SIZE must be letter or a4, got {PRINT_PAGE_SIZE!r}")
# Load the print fonts and stylesheets when a web process starts, so the first print is quick.
PRINT_WARM_UP = env_bool("SAFETYPLAN_PRINT_WARM_UP", True)
# WeasyPrint reports every rendering step at INFO; only its warnings (never plan content) are logged.
_print_loggers: dict[str, dict[str, object]] = {
    "weasyprint.progress": {"level": "WARNING"},
    "fontTools": {"level": "WARNING"},
}
LOGGING = {**LOGGING, "loggers": {**_loggers, **_print_loggers}}
