"""System checks: a geolocation setup that cannot work is reported once, at start-up."""

from django.conf import settings
from django.core.checks import Error, Warning, register

from . import geo


@register()
def geolocation_settings(app_configs, **kwargs):
    problems = []
    unknown = [p for p in settings.GEO_TRUSTED_HEADERS if p not in geo.CDN_HEADERS]
    if unknown:
        problems.append(
            Error(
                f"GEO_TRUSTED_HEADERS names unknown providers: {', '.join(unknown)}",
                hint=f"Use any of: {', '.join(geo.CDN_HEADERS)}.",
                id="notices.E001",
            )
        )
    if settings.TRUSTED_PROXY_COUNT < 0:
        problems.append(Error("TRUSTED_PROXY_COUNT cannot be negative.", id="notices.E002"))
    _, problem = geo.open_database(settings.GEOIP_PATH)
    if problem:
        problems.append(
            Warning(
                problem,
                hint="Visitors are then located by trusted CDN headers only, or shown every addendum.",
                id="notices.W001",
            )
        )
    return problems
