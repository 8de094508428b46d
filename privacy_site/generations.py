"""Generation tokens: one small value in the shared cache that retires a family of cached data.

Cache keys (or a process's own copies) are tied to the current token; replacing it retires
all of them at once, on local memory and on Redis alike, without knowing their keys. Each
process re-reads the token at most every ``check_seconds``, so a warm request usually does
not touch the shared cache at all and a change reaches every process within that time.
"""

import time
import uuid

from django.core.cache import cache


class Generation:
    def __init__(self, key: str, *, check_seconds: float = 1.0):
        self.key = key
        self.check_seconds = check_seconds
        self.forget()

    def forget(self) -> None:
        """Drop this process's copy of the token (tests do, after clearing the cache)."""
        self.value: str | None = None
        self.checked_at = 0.0

    def current(self) -> str:
        now = time.monotonic()
        if self.value is not None and now - self.checked_at < self.check_seconds:
            return self.value
        value = cache.get(self.key)
        if value is None:
            value = uuid.uuid4().hex
            # add() so that concurrent first requests agree on one token.
            if not cache.add(self.key, value, timeout=None):
                value = cache.get(self.key) or value
        self.value, self.checked_at = value, now
        return value

    def bump(self) -> str:
        """Retire everything tied to the current token, here and in every other process."""
        value = uuid.uuid4().hex
        cache.set(self.key, value, timeout=None)
        self.value, self.checked_at = value, time.monotonic()
        return value
