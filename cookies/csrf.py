"""The banner's CSRF token: Django's, drawn with fewer calls to the random source.

``django.middleware.csrf.get_token`` draws each of its 64 random characters (a new secret
for a first visit, then the mask) with its own ``secrets.choice``, one ``os.urandom`` call
apiece. On a page that otherwise comes whole from the cache that was the largest cost
left, so ``make bench`` fell below its target. This draws the same characters from the same
source in one call, without bias (bytes >= 248 are skipped: 248 = 4 x 62), then does what
``get_token`` does: keep the secret where CsrfViewMiddleware looks for it (it sets the
cookie on the way out) and mask it the same way. Django's own middleware checks the result
(tests/cookies/test_csrf.py), so a change in Django's format fails a test, not a visitor.
"""

import secrets

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

_BASE = len(CSRF_ALLOWED_CHARS)
_LIMIT = 256 - 256 % _BASE
_INDEX = {char: i for i, char in enumerate(CSRF_ALLOWED_CHARS)}
# One C-level pass turns random bytes into allowed characters: bytes below _LIMIT map to
# CSRF_ALLOWED_CHARS[b % 62], the rest are deleted (so every character is equally likely).
_TO_CHARS = bytes(ord(CSRF_ALLOWED_CHARS[b % _BASE]) if b < _LIMIT else 0 for b in range(256))
_OVER_LIMIT = bytes(range(_LIMIT, 256))


def _random_chars(count: int) -> str:
    found = ""
    while len(found) < count:
        found += secrets.token_bytes(count + 8).translate(_TO_CHARS, _OVER_LIMIT).decode("ascii")
    return found[:count]


def _random_indexes(count: int) -> list[int]:
    return [_INDEX[char] for char in _random_chars(count)]


def get_token(request) -> str:
    """Return a masked CSRF token for this request, creating the secret if there is none."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret or len(secret) != CSRF_SECRET_LENGTH or any(ch not in _INDEX for ch in secret):
        secret = _random_chars(CSRF_SECRET_LENGTH)
        request.META["CSRF_COOKIE"] = secret
        # Only a new secret needs the cookie sent; Django would also renew an existing
        # one's expiry, which a page served from the cache can leave to the next form.
        request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_chars(CSRF_SECRET_LENGTH)
    cipher = "".join(CSRF_ALLOWED_CHARS[(_INDEX[s] + _INDEX[m]) % _BASE] for s, m in zip(secret, mask, strict=True))
    return mask + cipher
