"""The visitor's network, reduced to what a consent record may keep."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the address the N-th trusted proxy saw when TRUSTED_PROXY_COUNT=N.

    Each proxy appends the address it received the request from, so with N proxies of our
    own in front the client is N-th from the right; everything left of it is whatever the
    client chose to send. Too few entries means the chain is not ours: use REMOTE_ADDR.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR") or None


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
