"""Links in the requester's emails: opaque, carrying no personal data.

* Verification: a random value, signed with its issue time (so an expired link is told
  from a forged one without a database row) and stored only as a SHA-256 hash.
* Status page: the request's random reference with an HMAC of it; nothing stored, never
  expires while the request exists.
"""

import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

VERIFY_SALT = "rights.verify.v1"
STATUS_SALT = "rights.status.v1"


class TokenInvalid(Exception):
    """Forged, truncated, or for nothing we hold."""


class TokenExpired(TokenInvalid):
    """Genuine but older than REQUESTS_VERIFY_MAX_AGE."""


def new_reference() -> str:
    # 40 bits of randomness in an unambiguous alphabet: short enough to quote on the phone.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "PR-" + "".join(secrets.choice(alphabet) for _ in range(8))


def token_hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def verify_token() -> tuple[str, str]:
    """A new verification link token and the hash to store."""
    value = secrets.token_urlsafe(24)
    return signing.TimestampSigner(salt=VERIFY_SALT).sign(value), token_hash(value)


def verify_read(token: str) -> str:
    """The hash to look up for a verification token; raises TokenExpired / TokenInvalid."""
    try:
        value = signing.TimestampSigner(salt=VERIFY_SALT).unsign(token, max_age=settings.REQUESTS_VERIFY_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenExpired from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise TokenInvalid from None
    return token_hash(value)


def _status_mac(reference: str) -> str:
    return salted_hmac(STATUS_SALT, reference).hexdigest()[:32]


def status_token(request) -> str:
    return f"{request.reference}.{_status_mac(request.reference)}"


def status_read(token: str) -> str:
    """The reference a status token names; raises TokenInvalid."""
    reference, _dot, mac = token.partition(".")
    if not reference.startswith("PR-") or not constant_time_compare(mac, _status_mac(reference)):
        raise TokenInvalid
    return reference
