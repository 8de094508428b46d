"""Production: every secret from the environment, HTTPS everywhere, fail loudly when unset."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_str
from .keys import checked_secret_key

DEBUG = False
# Refuses the committed development key, short keys and keys of a few repeated characters.
SECRET_KEY = checked_secret_key(env_str("DJANGO_SECRET_KEY"), source="DJANGO_SECRET_KEY")


def checked_site_url(raw: str) -> str:
    """Every link in every email starts here: an explicit https:// address, or no start at all."""
    value = raw.strip().rstrip("/")
    parts = urlsplit(value)
    if not value:
        raise ImproperlyConfigured(
            "SITE_URL must be set under prod settings: the https:// address the site is served at "
            "(every link in every email starts with it)."
        )
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment or parts.username:
        raise ImproperlyConfigured(
            f"SITE_URL must be an https:// address with a host and nothing after the path, not {raw!r} "
            "(RFC 8058 one-click unsubscribe needs HTTPS links)."
        )
    return value


SITE_URL = checked_site_url(env_str("SITE_URL"))

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
COOKIE_CONSENT_SECURE = True  # the consent cookies, and the consent id with them
# __Host- names: a browser accepts such a cookie only from HTTPS, for this exact host (no
# Domain) and path /, so neither a sibling subdomain nor a plain-HTTP injection can plant or
# overwrite the session, the CSRF cookie or a visitor's consent (core.E030 keeps them valid).
# Publishers sign in to the admin with a password and a TOTP code.
ADMIN_OTP_REQUIRED_FOR = env_str("ADMIN_OTP_REQUIRED_FOR", "publishers")
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
COOKIE_CONSENT_NAME = "__Host-cookie_consent"
CONSENT_ID_COOKIE_NAME = "__Host-consent_id"
NOTICES_REGION_COOKIE_NAME = "__Host-privacy_region"
# Behind a TLS-terminating proxy or CDN that sets X-Forwarded-Proto.
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
