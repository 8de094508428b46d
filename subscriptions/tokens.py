"""Link tokens: confirming a subscription and unsubscribing.

A token is a random secret, dated and signed (django.core.signing's TimestampSigner, a salt
per kind, so one kind is never accepted as the other). Only a hash of the secret is stored,
in the row the link acts on (a pending subscription, an unsubscribe link), so a link carries
neither the address nor a database id, and a copy of the database cannot be turned back into
working links. The signature tells a forged or garbled link (400) from a genuine one that
is too old or already used (410) even after its row is gone.
"""

import hashlib
import secrets

from django.core import signing

CONFIRM_SALT = "subscriptions.confirm.v2"
UNSUBSCRIBE_SALT = "subscriptions.unsubscribe.v2"
SECRET_BYTES = 18  # 144 random bits: 24 characters in the link


class TokenInvalid(Exception):
    """Forged, tampered with, truncated or of the wrong kind."""


class TokenExpired(TokenInvalid):
    """Genuine but too old, already used, or voided by a later unsubscribe."""


def digest(secret: str) -> str:
    """What is stored: a secret of 144 random bits needs no slow or keyed hash."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(*, salt: str) -> tuple[str, str]:
    """A new token for a link, and the hash to store for it."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    return signing.TimestampSigner(salt=salt).sign(secret), digest(secret)


def read(token: str, *, salt: str, max_age: int) -> str:
    """The stored hash a genuine, unexpired token stands for."""
    try:
        secret = signing.TimestampSigner(salt=salt).unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise TokenExpired from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise TokenInvalid from None
    if len(secret) != len(secrets.token_urlsafe(SECRET_BYTES)):
        raise TokenInvalid
    return digest(secret)
