"""Where a request comes from, and which regional addenda apply there.

Sources, in order: the visitor's own choice (``?jurisdiction=`` or the remembered region
cookie), trusted CDN headers (only those the operator enabled), a MaxMind database at
GEOIP_PATH, and otherwise "unknown". Nothing here queries the database per request: the
country → addenda map is cached with the content generation, and the MaxMind reader is
opened once per process.
"""

import ipaddress
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from . import selectors
from .models import Jurisdiction

logger = logging.getLogger(__name__)

REGION_COOKIE = "privacy_region"
AUTO = "auto"

CHOICE, HEADER, GEOIP, UNKNOWN = "choice", "header", "geoip", "unknown"

# Values that CDNs and MaxMind use for "not a country": unknown, Tor, anonymous proxies,
# satellite providers, and the old continent-level codes.
NOT_COUNTRIES = {"XX", "T1", "ZZ", "A1", "A2", "O1", "AP", "EU"}
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
REGION_RE = re.compile(r"^[A-Z0-9]{1,3}$")
MAX_HEADER = 1024

# provider → (country header, subdivision header), as the CDNs document them.
CDN_HEADERS = {
    "cloudflare": ("CF-IPCountry", "cf-region-code"),
    "cloudfront": ("CloudFront-Viewer-Country", "CloudFront-Viewer-Country-Region"),
    "vercel": ("x-vercel-ip-country", "x-vercel-ip-country-region"),
}

# Preferred database files inside a GEOIP_PATH folder: City editions carry subdivisions.
DATABASE_NAMES = (
    "GeoIP2-City.mmdb",
    "GeoLite2-City.mmdb",
    "DBIP-City-Lite.mmdb",
    "GeoIP2-Country.mmdb",
    "GeoLite2-Country.mmdb",
    "DBIP-Country-Lite.mmdb",
)


@dataclass(frozen=True)
class Location:
    source: str  # CHOICE, HEADER, GEOIP or UNKNOWN
    country: str | None  # ISO 3166-1 alpha-2
    subdivision: str | None  # ISO 3166-2, e.g. "US-CA"
    jurisdictions: tuple[str, ...]  # codes of the addenda that apply
    chosen: str | None = None  # the code the visitor chose, or "all"


def locate(request, *, chosen: str | None = None) -> Location:
    """Resolve the request's location once; ``chosen`` is a validated ?jurisdiction= value."""
    cached = getattr(request, "_privacy_location", None)
    if cached is not None and chosen is None:
        return cached
    location = _resolve(request, chosen)
    request._privacy_location = location
    return location


def _resolve(request, chosen: str | None) -> Location:
    mapping = jurisdiction_map()
    every = mapping.all_codes
    choice = chosen or remembered_choice(request, mapping)
    if choice:
        codes = every if choice == selectors.ALL else (choice,)
        return Location(CHOICE, None, None, codes, choice)
    found = from_headers(request.META)
    source = HEADER
    if found is None:
        found = from_database(client_address(request))
        source = GEOIP
    if found is None:
        return Location(UNKNOWN, None, None, every)
    country, subdivision = found
    return Location(source, country, subdivision, mapping.codes_for(country, subdivision))


def remembered_choice(request, mapping=None) -> str | None:
    value = request.COOKIES.get(REGION_COOKIE, "")
    mapping = mapping or jurisdiction_map()
    if value == selectors.ALL or value in mapping.all_codes:
        return value
    return None  # absent, tampered or a region that no longer exists


# --- CDN headers -------------------------------------------------------------------------


def _meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def from_headers(meta) -> tuple[str, str | None] | None:
    """The first enabled CDN's country (and subdivision) that is a real value."""
    for provider in settings.GEO_TRUSTED_HEADERS:
        country_header, region_header = CDN_HEADERS[provider]
        country = _clean_country(meta.get(_meta_key(country_header), ""))
        if country:
            region = meta.get(_meta_key(region_header), "")[:MAX_HEADER].strip().upper()
            subdivision = f"{country}-{region}" if REGION_RE.match(region) else None
            return country, subdivision
    return None


def _clean_country(value: str) -> str | None:
    value = value[:MAX_HEADER].strip().upper()
    if COUNTRY_RE.match(value) and value not in NOT_COUNTRIES:
        return value
    return None


# --- client address ----------------------------------------------------------------------


def client_address(request) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The visitor's address: REMOTE_ADDR, or N hops from the right of X-Forwarded-For.

    With TRUSTED_PROXY_COUNT = N our own N proxies each appended the address they saw, so
    the N-th entry from the right is the one the first of them received; anything further
    left was written by the client and is ignored. Too few hops means the header did not
    come through our proxies: no address.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return parse_address(request.META.get("REMOTE_ADDR", ""))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded or len(forwarded) > 4 * MAX_HEADER:
        return None
    entries = [entry.strip() for entry in forwarded.split(",")]
    if len(entries) < hops:
        return None
    return parse_address(entries[-hops])


def parse_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Parse an address as proxies write it ('1.2.3.4', '1.2.3.4:80', '[2001:db8::1]:443')."""
    value = value.strip()
    if not value or len(value) > 64:
        return None
    if value.startswith("["):
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


# --- MaxMind database --------------------------------------------------------------------

_reader_lock = threading.Lock()
_reader_state: dict = {}


def geoip_reader():
    """The process's GeoIP2 reader, opened on first use; None when unset or unusable."""
    if "reader" not in _reader_state:
        with _reader_lock:
            if "reader" not in _reader_state:
                reader, problem = open_database(settings.GEOIP_PATH)
                if problem:
                    logger.warning("geolocation by IP address is off: %s", problem)
                _reader_state["reader"] = reader
    return _reader_state["reader"]


@receiver(setting_changed)
def _reset_reader(*, setting, **kwargs):
    if setting in {"GEOIP_PATH", "GEO_TRUSTED_HEADERS", "TRUSTED_PROXY_COUNT"}:
        _reader_state.clear()


def database_file(path: str) -> Path | None:
    base = Path(path)
    if base.is_file():
        return base
    if base.is_dir():
        for name in DATABASE_NAMES:
            if (base / name).is_file():
                return base / name
        candidates = sorted(base.glob("*.mmdb"), key=lambda p: ("City" not in p.name, p.name))
        return candidates[0] if candidates else None
    return None


def open_database(path: str | None):
    """Return (GeoIP2 reader, None) or (None, a sentence saying what is wrong)."""
    if not path:
        return None, None
    from django.contrib.gis.geoip2 import HAS_GEOIP2, GeoIP2

    if not HAS_GEOIP2:
        return None, "the geoip2 package is not installed"
    file = database_file(path)
    if file is None:
        return None, f"GEOIP_PATH {path!r} is not a .mmdb file or a folder holding one"
    try:
        return GeoIP2(path=str(file)), None
    except Exception as exc:
        return None, f"GEOIP_PATH {str(file)!r} cannot be used: {exc}"


def from_database(address) -> tuple[str, str | None] | None:
    reader = geoip_reader() if address is not None else None
    if reader is None:
        return None
    try:
        # Query by address object, never by string: a string that isn't an address makes
        # GeoIP2 resolve it as a host name over the network.
        record = reader.city(address) if reader.is_city else reader.country(address)
    except Exception:
        return None
    # The record's own country, never registered_country or represented_country.
    country = _clean_country(record.get("country_code") or "")
    if not country:
        return None
    region = (record.get("region_code") or "").upper()
    return country, (f"{country}-{region}" if REGION_RE.match(region) else None)


# --- location → addenda ------------------------------------------------------------------


@dataclass(frozen=True)
class JurisdictionMap:
    all_codes: tuple[str, ...]
    by_country: dict[str, tuple[str, ...]]
    by_subdivision: dict[str, tuple[str, ...]]
    # countries in which some jurisdiction covers only some subdivisions (US → us-ca)
    partial_countries: dict[str, tuple[str, ...]]

    def codes_for(self, country: str, subdivision: str | None) -> tuple[str, ...]:
        codes = list(self.by_country.get(country, ()))
        if subdivision:
            codes += self.by_subdivision.get(subdivision, ())
        else:
            # Without a subdivision we cannot rule out the ones in this country.
            codes += self.partial_countries.get(country, ())
        return tuple(code for code in self.all_codes if code in codes)


def jurisdiction_map() -> JurisdictionMap:
    return selectors.cached(("geo-map",), _build_map)


def _build_map() -> JurisdictionMap:
    by_country: dict[str, list[str]] = {}
    by_subdivision: dict[str, list[str]] = {}
    partial: dict[str, list[str]] = {}
    codes = []
    for jurisdiction in Jurisdiction.objects.all():
        codes.append(jurisdiction.code)
        for country in jurisdiction.country_codes:
            by_country.setdefault(country, []).append(jurisdiction.code)
        for subdivision in jurisdiction.subdivision_codes:
            by_subdivision.setdefault(subdivision, []).append(jurisdiction.code)
            partial.setdefault(subdivision.split("-", 1)[0], []).append(jurisdiction.code)
    freeze = lambda d: {k: tuple(v) for k, v in d.items()}  # noqa: E731
    return JurisdictionMap(tuple(codes), freeze(by_country), freeze(by_subdivision), freeze(partial))
