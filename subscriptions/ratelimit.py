"""Fixed-window rate limits in the Django cache (local memory, or Redis when REDIS_URL is set).

Keys are keyed hashes, so neither the addresses nor the client IPs appear in the cache.
"""

from django.core.cache import cache
from django.utils.crypto import salted_hmac

from notices.geo import client_address

WINDOW_SECONDS = 60 * 60


def client_ip(request) -> str:
    """The client to count: the address geolocation trusts (REMOTE_ADDR, or the
    TRUSTED_PROXY_COUNT-th X-Forwarded-For hop from the right), else the connecting peer."""
    address = client_address(request)
    return str(address) if address is not None else request.META.get("REMOTE_ADDR", "")


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
