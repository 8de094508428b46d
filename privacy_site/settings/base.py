"""Settings shared by every environment; dev, test and prod adjust a few of them."""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str, web_concurrency
from .keys import DEV_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# dev and test; prod and local refuse this key (keys.py).
SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
# Absolute links in emails and feeds: where the site runs. Without SITE_URL, the loopback
# address on PORT (what `make run` and bin/serve listen on); prod requires it (prod.py).
SITE_URL = (env_str("SITE_URL").strip() or f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it must come before it.
    "modeltranslation",
    # django.contrib.admin with the site's AdminSite (a second factor for publishers).
    "privacy_site.apps.PrivacyAdminConfig",
    "django.contrib.auth",
    # Admin login lockout (README "Editing the policy"); its access records show in the admin.
    "axes",
    # Second factor (TOTP) for publishers: privacy_site/second_factor.py.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_tasks",
    "django_tasks_db",
    "core",
    "notices",
    "subscriptions",
    "rights",
    "cookie_consent",
    "csp",
    # After cookie_consent: its admin re-registers the package's Cookie admin with details.
    "cookies",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # django-csp, its site-wide header built once. After whitenoise: static files need no
    # policy. Sets the header on 304s too.
    "core.csp.SiteCSPMiddleware",
    # request.visitor for everything below; on the way out, the HTML caching headers.
    "core.middleware.VisitorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside CSRF (its CSRF token reaches the cookie) and Common (Content-Length is computed
    # after the banner is spliced in); the only per-visitor part of a cached page.
    "cookies.middleware.ConsentMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "privacy_site.urls"
WSGI_APPLICATION = "privacy_site.wsgi.application"

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
                "notices.context_processors.site",
                "core.context_processors.organisation",
            ],
        },
    },
]

# Database: SQLite on a laptop, PostgreSQL (psycopg 3) from DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; IMMEDIATE makes writers queue on the
    # busy timeout instead of failing with "database is locked" mid-transaction.
    # recursive_triggers: only then does the delete half of REPLACE / INSERT OR REPLACE
    # fire the append-only and published-text delete triggers. synchronous=FULL: in WAL mode
    # NORMAL may lose the last commits on power loss, and a consent record is committed
    # before its cookie is sent: the record must outlive the response.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA recursive_triggers=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: one every process shares, since `make run` starts several workers and a publish
# must reach them all. The database by default (a table `migrate` creates), Redis (Django's
# own backend) at scale. core.cache keeps per-process copies on top, never as the truth.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "privacy_site",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "core_cache",
            "KEY_PREFIX": "privacy_site",
            # Past this many rows the table is culled on writes; a generation's pages fit.
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
# How long a cached value lives; a change retires it at once anyway (core.cache).
CORE_CACHE_SECONDS = env_int("CACHE_SECONDS", 60 * 60 * 24)
# The web workers `make run` and gunicorn.conf.py start; core.E010 checks the cache for them.
WEB_CONCURRENCY = web_concurrency()

# Background work through the Django Tasks API; jobs live in the database by default.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# /healthz answers 503 when a task ready to run has waited longer than this (seconds): the
# worker is dead, stuck or missing (README "Operations").
HEALTH_MAX_TASK_AGE = env_int("HEALTH_MAX_TASK_AGE", 300)

# Who must sign in to the admin with a TOTP code as well as a password: "nobody",
# "publishers" (whoever holds the publish permission, superusers included) or "staff".
# Prod defaults to "publishers" (privacy_site/second_factor.py).
ADMIN_OTP_REQUIRED_FOR = env_str("ADMIN_OTP_REQUIRED_FOR", "nobody")
ADMIN_OTP_PUBLISH_PERMISSION = "notices.publish_policyversion"
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Privacy Centre")

# Admin login throttling (django-axes). Axes' backend comes first: it refuses a locked-out
# login before the password is even checked, and records every failure.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# After this many failed logins for one username from one client address, that pair is
# locked out for the cool-off; each further attempt during the lockout restarts it. Keyed
# on the pair so that nobody can lock a publisher out from everywhere by guessing wrong.
AXES_FAILURE_LIMIT = env_int("ADMIN_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("ADMIN_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client address as the rest of the site resolves it (TRUSTED_PROXY_COUNT).
AXES_CLIENT_IP_CALLABLE = "core.location.client_ip_for_axes"
AXES_LOCKOUT_CALLABLE = "privacy_site.views.admin_login_locked_out"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation. The site's clock runs in UTC; "which version is in force today"
# is decided in the legal time zone of the entity that publishes the policy.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("ko", "한국어"),
    ("zh-hans", "简体中文"),
    ("ja", "日本語"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
NOTICES_LEGAL_TIME_ZONE = env_str("LEGAL_TIME_ZONE", "Asia/Singapore")

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "ko", "zh-hans", "ja")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# The language whose text prevails in case of conflict, named in the note on every other
# language's page. The policy is written in English and translated from it.
NOTICES_PREVAILING_LANGUAGE = env_str("NOTICES_PREVAILING_LANGUAGE", "en")

# Static files: whitenoise serves compressed, content-hashed files with far-future headers.
STATIC_URL = "/static/"
STATIC_ROOT = env_str("STATIC_ROOT") or BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Email: console by default; EMAIL_URL or EMAIL_HOST switches any settings module to SMTP.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Privacy Office <privacy@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if env_str("EMAIL_URL"):
    _email = dj_email_url.parse(env_str("EMAIL_URL"))
    if "EMAIL_BACKEND" not in _email:
        # An unknown scheme (e.g. smtp+tls://) would otherwise leave mail on the console, silently.
        raise ImproperlyConfigured(
            "EMAIL_URL must start with smtp:// (add ?tls=True or ?ssl=True), submission:// (STARTTLS, "
            f"port 587 by default), console:// or file://, not {env_str('EMAIL_URL').split(':', 1)[0]}://"
        )
    vars().update(_email)
elif env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# Change notices by email (the subscriptions app; README "Subscriptions and change notices").
SUBSCRIPTIONS_CONFIRM_MAX_AGE = env_int("SUBSCRIPTIONS_CONFIRM_MAX_AGE", 60 * 60 * 48)
# Notices are rare (material changes only), so the last one's unsubscribe link must keep
# working long after it was sent.
SUBSCRIPTIONS_UNSUBSCRIBE_MAX_AGE = env_int("SUBSCRIPTIONS_UNSUBSCRIBE_MAX_AGE", 60 * 60 * 24 * 365 * 3)
SUBSCRIPTIONS_RATE_PER_ADDRESS = env_int("SUBSCRIPTIONS_RATE_PER_ADDRESS", 3)  # per hour
SUBSCRIPTIONS_RATE_PER_CLIENT = env_int("SUBSCRIPTIONS_RATE_PER_CLIENT", 20)  # per hour
SUBSCRIPTIONS_BATCH_SIZE = env_int("SUBSCRIPTIONS_BATCH_SIZE", 200)
# A claimed batch not finished within the lease is presumed abandoned by a dead worker;
# a run stops taking new batches after a quarter of it (see subscriptions/checks.py).
SUBSCRIPTIONS_DELIVERY_LEASE_SECONDS = env_int("SUBSCRIPTIONS_DELIVERY_LEASE_SECONDS", 600)
SUBSCRIPTIONS_RETRY_DELAYS = [int(delay) for delay in env_list("SUBSCRIPTIONS_RETRY_DELAYS", "60,300,1800,7200,21600")]

# Privacy requests (the rights app; README "Privacy requests").
REQUESTS_VERIFY_MAX_AGE = env_int("REQUESTS_VERIFY_MAX_AGE", 60 * 60 * 48)  # seconds
REQUESTS_RATE_PER_ADDRESS = env_int("REQUESTS_RATE_PER_ADDRESS", 3)  # per hour
REQUESTS_RATE_PER_CLIENT = env_int("REQUESTS_RATE_PER_CLIENT", 10)  # per hour
REQUESTS_RETENTION_DAYS = env_int("REQUESTS_RETENTION_DAYS", 3 * 365)
REQUESTS_DUE_SOON_DAYS = env_int("REQUESTS_DUE_SOON_DAYS", 3)
# The hour (in LEGAL_TIME_ZONE) at which the daily digest goes to each assignee.
REQUESTS_DIGEST_HOUR = env_int("REQUESTS_DIGEST_HOUR", 8)

# Security headers that hold in every environment.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): first-party files only; no inline script, style or
# handler anywhere in the site's markup. `data:` images: the favicon placeholder. An editor
# who adds a gated third-party tag lists its origins in CSP_EXTRA_SCRIPT_SRC (and, for what
# it loads or calls, CSP_EXTRA_IMG_SRC / CSP_EXTRA_CONNECT_SRC), comma-separated.
CSP_EXTRA_SOURCES = {
    "script-src": env_list("CSP_EXTRA_SCRIPT_SRC"),
    "img-src": env_list("CSP_EXTRA_IMG_SRC"),
    "connect-src": env_list("CSP_EXTRA_CONNECT_SRC"),
}
CONTENT_SECURITY_POLICY = {
    # The admin's own pages (Django's and modeltranslation's widgets) are not ours to
    # rewrite; they keep X-Frame-Options, CSRF and the login lockout.
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, *CSP_EXTRA_SOURCES["script-src"]],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *CSP_EXTRA_SOURCES["img-src"]],
        "connect-src": [SELF, *CSP_EXTRA_SOURCES["connect-src"]],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
    },
}
# Browser features the site never uses, turned off for it and anything it embeds.
PERMISSIONS_POLICY = env_str(
    "PERMISSIONS_POLICY",
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), fullscreen=(), "
    "geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), "
    "picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), serial=(), usb=(), "
    "xr-spatial-tracking=()",
)
# gzip for pages, the feed and the rest (core.delivery); off when a proxy in front compresses.
COMPRESS_RESPONSES = env_bool("COMPRESS_RESPONSES", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Geolocation contracts (used by the geolocation work; read here so operators have one place).
GEOIP_PATH = env_str("GEOIP_PATH") or None
GEO_TRUSTED_HEADERS = env_list("GEO_TRUSTED_HEADERS")
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

NOTICES_SITE_NAME = _("Privacy Centre")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"client_errors": {"()": "core.logs.ClientErrorsAsWarnings"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["client_errors"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # axes: one line per failed admin login and per lockout. django.request: server errors
    # only, once each with their traceback; a client's 4xx is a line of the access log (it
    # was also logged by Django, so every 400/404 appeared twice, a 400 with a traceback).
    # django.security: a client's bad Host or oversized form, one warning line (core.logs).
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "INFO"},
        "django.request": {"level": "ERROR"},
    },
}
NOTICES_MATERIAL_NOTICE_DAYS = env_int("NOTICES_MATERIAL_NOTICE_DAYS", 30)
# Four eyes: a publisher cannot publish a draft they edited last, and only once publication
# was requested. Small teams may allow one person to do both (off by default).
NOTICES_ONE_PERSON_PUBLISHING = env_bool("NOTICES_ONE_PERSON_PUBLISHING", False)

# modeltranslation's admin tabs use jQuery UI; serve our own copy (no CDN-hosted scripts).
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"
CSRF_FAILURE_VIEW = "privacy_site.views.csrf_failure"

# Cookie consent (cookies app on top of django-cookie-consent). A choice lasts
# CONSENT_MAX_AGE_DAYS; one that refuses any category is asked again sooner.
CONSENT_MAX_AGE_DAYS = env_int("CONSENT_MAX_AGE_DAYS", 365)
CONSENT_REFUSAL_MAX_AGE_DAYS = env_int("CONSENT_REFUSAL_MAX_AGE_DAYS", 180)
# Opt-in or opt-out, the opt-out link and GPC per place are data: cookies.ConsentRule
# (admin). Consent records older than this are pruned daily (cookies.tasks).
CONSENT_RETENTION_DAYS = env_int("CONSENT_RETENTION_DAYS", 3 * 365)
# The controller named on consent receipts (Kantara Consent Receipt v1.1).
CONSENT_RECEIPT_CONTROLLER = {
    "name": env_str("CONSENT_CONTROLLER_NAME", "Privacy Office"),
    "contact": env_str("CONSENT_CONTROLLER_CONTACT", "Data Protection Officer"),
    "address": env_str("CONSENT_CONTROLLER_ADDRESS", ""),
    "email": env_str("CONSENT_CONTROLLER_EMAIL", "privacy@localhost"),
    "phone": env_str("CONSENT_CONTROLLER_PHONE", ""),
}
# Groups that a Global Privacy Control signal (Sec-GPC: 1) turns off, everywhere.
CONSENT_GPC_GROUPS = ("advertising",)
# A GPC signal is recorded once per browser that keeps cookies; at most this many such
# records per network (/24 or /48) an hour, so fetching fresh ids cannot flood the table.
CONSENT_GPC_RECORDS_PER_HOUR = env_int("CONSENT_GPC_RECORDS_PER_HOUR", 120)
CONSENT_GPC_LAST_UPDATE = env_str("CONSENT_GPC_LAST_UPDATE", "2026-01-15")
CONSENT_ID_COOKIE_NAME = "consent_id"
# The strictly necessary cookie that remembers the region a visitor chose to read.
NOTICES_REGION_COOKIE_NAME = "privacy_region"
CONSENT_USER_AGENT_LENGTH = 200
# The package keeps each visitor's decisions in its own cookie; the cookies app signs and
# dates them with the consent id cookie and keeps the proof in ConsentRecord, so the
# package's anonymous LogItem rows would only duplicate writes.
COOKIE_CONSENT_NAME = "cookie_consent"
COOKIE_CONSENT_MAX_AGE = CONSENT_MAX_AGE_DAYS * 24 * 60 * 60
COOKIE_CONSENT_SECURE = False
COOKIE_CONSENT_HTTPONLY = True
COOKIE_CONSENT_SAMESITE = "Lax"
COOKIE_CONSENT_LOG_ENABLED = False
