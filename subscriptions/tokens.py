"""Signed links: confirming a subscription (expires) and unsubscribing (does not).

Both are django.core.signing values with their own salt, so a token of one kind is never
accepted as the other, and neither is stored: the signature is the authentication.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "subscriptions.confirm.v1"
UNSUBSCRIBE_SALT = "subscriptions.unsubscribe.v1"


class TokenInvalid(Exception):
    """Forged, tampered with, truncated or of the wrong kind."""


class TokenExpired(TokenInvalid):
    """Genuine but older than SUBSCRIPTIONS_CONFIRM_MAX_AGE."""


@dataclass(frozen=True)
class ConfirmRequest:
    email: str
    language: str
    issued_at: float


def confirm_token(*, email: str, language: str) -> str:
    # The issue time rides inside the payload too, so confirming can refuse a link that
    # predates a later unsubscribe (an old link must not resubscribe someone).
    payload = {"e": email, "l": language, "t": int(time.time())}
    return signing.dumps(payload, salt=CONFIRM_SALT, compress=True)


def confirm_read(token: str) -> ConfirmRequest:
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=settings.SUBSCRIPTIONS_CONFIRM_MAX_AGE)
    except signing.SignatureExpired:
        raise TokenExpired from None
    except (signing.BadSignature, ValueError, UnicodeError):
        raise TokenInvalid from None
    if not (isinstance(payload, dict) and {"e", "l", "t"} <= payload.keys()):
        raise TokenInvalid
    if payload["l"] not in dict(settings.LANGUAGES):
        raise TokenInvalid
    return ConfirmRequest(email=str(payload["e"]), language=payload["l"], issued_at=float(payload["t"]))


def unsubscribe_token(*, subscriber_id: int) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscriber_id))


def unsubscribe_read(token: str) -> int:
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        raise TokenInvalid from None
    if not value.isdigit():
        raise TokenInvalid
    return int(value)
