"""The subscription form's limits, counted where every worker and host sees them (core)."""

import datetime

from core.ratelimit import hit
from core.visitor import visitor_for

WINDOW = datetime.timedelta(hours=1)


def client_ip(request) -> str:
    """The client to count: the address geolocation trusts (REMOTE_ADDR, or the
    TRUSTED_PROXY_COUNT-th X-Forwarded-For hop from the right), else the connecting peer."""
    address = visitor_for(request).address
    return str(address) if address is not None else request.META.get("REMOTE_ADDR", "")


def allow(*, kind: str, value: str, limit: int) -> bool:
    """Count one attempt; False once more than ``limit`` were made this hour."""
    return hit(scope=f"subscriptions:{kind}", value=value, limit=limit, window=WINDOW)
