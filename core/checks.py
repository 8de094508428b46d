"""System checks: set-ups that cannot keep their promises are reported at start-up."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from . import location

PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register()
def geolocation_settings(app_configs, **kwargs):
    problems = []
    unknown = [p for p in settings.GEO_TRUSTED_HEADERS if p not in location.CDN_HEADERS]
    if unknown:
        problems.append(
            Error(
                f"GEO_TRUSTED_HEADERS names unknown providers: {', '.join(unknown)}",
                hint=f"Use any of: {', '.join(location.CDN_HEADERS)}.",
                id="core.E001",
            )
        )
    if settings.TRUSTED_PROXY_COUNT < 0:
        problems.append(Error("TRUSTED_PROXY_COUNT cannot be negative.", id="core.E002"))
    _, problem = location.open_database(settings.GEOIP_PATH)
    if problem:
        problems.append(
            Warning(
                problem,
                hint="Visitors are then located by trusted CDN headers only, or shown every addendum.",
                id="core.W001",
            )
        )
    return problems


@register(deploy=False)
def shared_cache(app_configs, **kwargs):
    """Several workers on a process-local cache would each keep their own truth."""
    backend = settings.CACHES["default"]["BACKEND"]
    workers = settings.WEB_CONCURRENCY
    if backend not in PROCESS_LOCAL_CACHES or workers <= 1:
        return []
    message = (
        f"The default cache ({backend.rsplit('.', 1)[-1]}) is local to each process, but "
        f"{workers} web workers would run: a publish would not reach them all."
    )
    hint = "Use the database cache (the default), or Redis with REDIS_URL; or WEB_CONCURRENCY=1."
    make = Warning if settings.DEBUG else Error
    return [make(message, hint=hint, id="core.E010" if make is Error else "core.W010")]


# Each cookie the site sets by name: (name setting, Secure setting, Domain setting or None).
NAMED_COOKIES = (
    ("SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_DOMAIN"),
    ("CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_DOMAIN"),
    ("COOKIE_CONSENT_NAME", "COOKIE_CONSENT_SECURE", "COOKIE_CONSENT_DOMAIN"),
    ("CONSENT_ID_COOKIE_NAME", "COOKIE_CONSENT_SECURE", "COOKIE_CONSENT_DOMAIN"),
    ("NOTICES_REGION_COOKIE_NAME", "SESSION_COOKIE_SECURE", None),
)


@register()
def host_prefixed_cookies(app_configs, **kwargs):
    """A __Host- cookie without Secure, or with a Domain, is silently dropped by browsers:
    the session, CSRF or consent would never stick. Say so at start-up instead."""
    problems = []
    for name_setting, secure_setting, domain_setting in NAMED_COOKIES:
        name = getattr(settings, name_setting, "")
        if not name.startswith("__Host-"):
            continue
        if not getattr(settings, secure_setting, False):
            problems.append(Error(f"{name_setting} is {name!r} but {secure_setting} is off.", id="core.E030"))
        if domain_setting and getattr(settings, domain_setting, None):
            problems.append(Error(f"{name_setting} is {name!r} but {domain_setting} is set.", id="core.E030"))
    return problems


SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
# Names that can never be a real sender's domain (RFC 2606 and RFC 6761 reserved names).
RESERVED_TLDS = {"localhost", "example", "invalid", "test", "local", "localdomain"}


def sender_domain_problem(address: str) -> str | None:
    """Why an address cannot be the sender of real email, or None."""
    from email.utils import parseaddr

    _name, addr = parseaddr(address)
    local, at, domain = addr.rpartition("@")
    domain = domain.strip().rstrip(".").casefold()
    if not at or not local or not domain:
        return "has no domain"
    labels = domain.split(".")
    if len(labels) < 2:
        return f"is on {domain!r}, not a domain anyone can receive replies at"
    if labels[-1] in RESERVED_TLDS or "example" in labels:  # example.com, example.co.uk, x.example
        return f"is on {domain!r}, a name reserved for examples and tests"
    return None


@register(deploy=True)
def sender_address(app_configs, **kwargs):
    """Real email from a placeholder sender bounces, or lands in spam, or names nobody."""
    if settings.EMAIL_BACKEND != SMTP_BACKEND:
        return []
    problem = sender_domain_problem(settings.DEFAULT_FROM_EMAIL)
    if problem is None:
        return []
    return [
        Error(
            f"DEFAULT_FROM_EMAIL ({settings.DEFAULT_FROM_EMAIL}) {problem}, but email is sent over SMTP.",
            hint="Set DEFAULT_FROM_EMAIL to an address at the organisation's own domain, e.g. "
            "privacy@yourcompany.com (its domain is also the Message-ID's).",
            id="core.E020",
        )
    ]
