"""Where a request comes from: the client address, then the place (country, subdivision).

Sources, in order: trusted CDN headers (only those the operator enabled), a MaxMind
database at GEOIP_PATH, and otherwise "unknown". What the visitor chose to *read* (another
region's addendum) never enters here: law follows location, the reading choice only picks
addenda (notices.reading). Nothing here queries the database; the MaxMind reader is opened
once per process.
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
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

HEADER, GEOIP, UNKNOWN = "header", "geoip", "unknown"

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

# What django-axes records for a client whose address is unknown; must be a valid address
# for AccessAttempt.ip_address (PostgreSQL stores it as inet). From the reserved 0.0.0.0/8.
UNKNOWN_CLIENT = "0.0.0.0"  # noqa: S104 (a recorded address, not a socket to bind)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Location:
    source: str  # HEADER, GEOIP or UNKNOWN
    country: str | None = None  # ISO 3166-1 alpha-2
    subdivision: str | None = None  # ISO 3166-2, e.g. "US-CA"


NOWHERE = Location(UNKNOWN)


def locate(meta, address: Address | None) -> Location:
    found = from_headers(meta)
    if found is not None:
        return Location(HEADER, *found)
    found = from_database(address)
    if found is not None:
        return Location(GEOIP, *found)
    return NOWHERE


def trusted_headers() -> list[str]:
    """The request headers the location may depend on (for Vary)."""
    return [header for provider in settings.GEO_TRUSTED_HEADERS for header in CDN_HEADERS.get(provider, ())]


# --- CDN headers -------------------------------------------------------------------------


def _meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def from_headers(meta) -> tuple[str, str | None] | None:
    """The first enabled CDN's country (and subdivision) that is a real value."""
    for provider in settings.GEO_TRUSTED_HEADERS:
        if provider not in CDN_HEADERS:
            continue  # reported by the core.E001 check
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


def client_address(meta) -> Address | None:
    """The visitor's address: REMOTE_ADDR, or N hops from the right of X-Forwarded-For.

    With TRUSTED_PROXY_COUNT = N our own N proxies each appended the address they saw, so
    the N-th entry from the right is the one the first of them received; anything further
    left was written by the client and is ignored. Too few hops means the header did not
    come through our proxies: no address.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return parse_address(meta.get("REMOTE_ADDR", ""))
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    if not forwarded or len(forwarded) > 4 * MAX_HEADER:
        return None
    entries = [entry.strip() for entry in forwarded.split(",")]
    if len(entries) < hops:
        return None
    return parse_address(entries[-hops])


def client_ip_for_axes(request) -> str:
    """The client for django-axes' lockouts (AXES_CLIENT_IP_CALLABLE): the address the rest
    of the site uses, so a client cannot pick its own by writing X-Forwarded-For, stored as
    its pseudonym (``client_pseudonym``). Unknown (the request did not come through the
    trusted proxies) gives 0.0.0.0, one shared bucket, rather than no address at all (which
    would never be locked out)."""
    address = client_address(request.META)
    return client_pseudonym(str(address)) if address is not None else UNKNOWN_CLIENT


def client_pseudonym(address: str) -> str:
    """A stand-in for a client address that axes can store (its columns hold IP addresses):
    an address in the documentation range 2001:db8::/32 whose other 96 bits are a keyed hash
    of the real one. Axes keeps attempts and every admin login indefinitely; this way the
    lockout still counts per client, and no IP address is kept."""
    digest = salted_hmac("core.location.axes-client", address).digest()[:12]
    return str(ipaddress.IPv6Address(DOCUMENTATION_PREFIX + digest))


DOCUMENTATION_PREFIX = ipaddress.IPv6Address("2001:db8::").packed[:4]


def parse_address(value: str) -> Address | None:
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


def truncated_network(address: Address | None) -> str:
    """What a record may keep of an address: '203.0.113.0/24', or the IPv6 /48; else ''."""
    if address is None:
        return ""
    if address.version == 4:
        return str(ipaddress.IPv4Network((int(address), 24), strict=False))
    # By number: an IPv6 address may carry a zone ("fe80::1%eth0"), which a network cannot.
    return str(ipaddress.IPv6Network((int(address), 48), strict=False))


# --- MaxMind database --------------------------------------------------------------------

_reader_lock = threading.Lock()
_reader_state: dict = {}


def geoip_reader():
    """The process's MaxMind reader, opened on first use; None when unset or unusable."""
    if "reader" not in _reader_state:
        with _reader_lock:
            if "reader" not in _reader_state:
                reader, problem = open_database(settings.GEOIP_PATH)
                if problem:
                    logger.warning("geolocation by IP address is off: %s", problem)
                # Only a City edition has subdivisions worth reading.
                _reader_state["city"] = reader is not None and "City" in reader.metadata().database_type
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
    """Return (reader, None) or (None, a sentence saying what is wrong).

    The file is read with maxminddb, MaxMind's own reader (the one GeoIP2 and Django's
    ``contrib.gis.geoip2`` use underneath): a lookup returns the record as a dict in 6 us,
    where building GeoIP2's model objects took 41 us of every page.
    """
    if not path:
        return None, None
    try:
        import maxminddb
    except ImportError:
        return None, "the maxminddb package is not installed"
    file = database_file(path)
    if file is None:
        return None, f"GEOIP_PATH {path!r} is not a .mmdb file or a folder holding one"
    try:
        reader = maxminddb.open_database(str(file))
    except Exception as exc:
        return None, f"GEOIP_PATH {str(file)!r} cannot be used: {exc}"
    edition = reader.metadata().database_type
    if "City" not in edition and "Country" not in edition:
        reader.close()
        return None, f"GEOIP_PATH {str(file)!r} is a {edition} database, not a City or Country one"
    return reader, None


def from_database(address: Address | None) -> tuple[str, str | None] | None:
    reader = geoip_reader() if address is not None else None
    if reader is None:
        return None
    try:
        # By address object, never a string (maxminddb would not resolve one, but the type
        # says what was checked).
        record = reader.get(address)
    except Exception:
        return None
    if not isinstance(record, dict):
        return None
    # The record's own country, never registered_country or represented_country.
    country = _clean_country(_field(record.get("country"), "iso_code"))
    if not country:
        return None
    subdivisions = record.get("subdivisions") if _reader_state.get("city") else None
    first = subdivisions[0] if isinstance(subdivisions, list) and subdivisions else None
    region = _field(first, "iso_code").upper()
    return country, (f"{country}-{region}" if REGION_RE.match(region) else None)


def _field(part, name: str) -> str:
    value = part.get(name) if isinstance(part, dict) else None
    return value if isinstance(value, str) else ""
