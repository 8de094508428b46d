"""Fixed-window rate limits in the Django cache (local memory, or Redis when REDIS_URL is set).

Keys are keyed hashes, so neither the addresses nor the client IPs appear in the cache.
"""

import ipaddress

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac

WINDOW_SECONDS = 60 * 60


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the TRUSTED_PROXY_COUNT-th X-Forwarded-For hop from the right.

    Only the hops our own proxies appended can be trusted; anything further left was written
    by the client. With too few hops the request did not come through our proxies.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if count > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= count:
            candidate = hops[-count]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return remote
    return remote


def _key(kind: str, value: str) -> str:
    digest = salted_hmac("subscriptions.ratelimit", f"{kind}:{value}").hexdigest()[:32]
    return f"subscriptions:rl:{kind}:{digest}"


def allow(*, kind: str, value: str, limit: int) -> bool:
    """Count one attempt; False once more than `limit` were made in the current window."""
    key = _key(kind, value)
    # add() creates the counter with its expiry only if absent; incr() is atomic on Redis
    # and under the local-memory cache's lock.
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.add(key, 1, timeout=WINDOW_SECONDS)
        count = 1
    return count <= limit
