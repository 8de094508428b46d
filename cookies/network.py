"""The visitor's network, reduced to what a consent record may keep."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The visitor's address as geolocation sees it (REMOTE_ADDR, or the TRUSTED_PROXY_COUNT-th
    entry from the right of X-Forwarded-For); only its network is ever stored."""
    from notices.geo import client_address

    address = client_address(request)
    return str(address) if address is not None else None


def truncated_network(address: str | None) -> str:
    """'203.0.113.77' -> '203.0.113.0/24'; IPv6 -> its /48; anything else -> ''."""
    if not address:
        return ""
    text = address.strip().strip("[]").split("%", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def truncated_user_agent(request) -> str:
    value = request.META.get("HTTP_USER_AGENT", "")
    # Control characters have no place in a record that is exported as CSV.
    value = "".join(ch for ch in value if ch.isprintable())
    return value[: settings.CONSENT_USER_AGENT_LENGTH]
