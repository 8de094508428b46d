"""Unsubscribe links: a new one for every message sent, stored as the hash of its secret."""

import datetime

from django.conf import settings
from django.utils import timezone

from . import tokens
from .models import UnsubscribeLink


def unsubscribe_links_issue(*, subscriber_ids: list[int]) -> list[str]:
    """A new unsubscribe token for each subscriber, in order; only their hashes are stored.

    One INSERT for a whole batch, committed before the batch is sent, so every link in a
    message that left is already valid (a message re-sent after a crash gets another one).
    """
    expires_at = timezone.now() + datetime.timedelta(seconds=settings.SUBSCRIPTIONS_UNSUBSCRIBE_MAX_AGE)
    issued = [tokens.issue(salt=tokens.UNSUBSCRIBE_SALT) for _ in subscriber_ids]
    UnsubscribeLink.objects.bulk_create(
        UnsubscribeLink(token_hash=token_hash, subscriber_id=pk, expires_at=expires_at)
        for pk, (_token, token_hash) in zip(subscriber_ids, issued, strict=True)
    )
    return [token for token, _token_hash in issued]


def unsubscribe_link_issue(*, subscriber_id: int) -> str:
    return unsubscribe_links_issue(subscriber_ids=[subscriber_id])[0]


def unsubscribe_links_prune() -> int:
    """Delete the links past SUBSCRIPTIONS_UNSUBSCRIBE_MAX_AGE (they would answer 410 anyway)."""
    count, _per_model = UnsubscribeLink.objects.filter(expires_at__lte=timezone.now()).delete()
    return count
