"""Fixed-window rate limits, exact across processes and hosts (counted in the database).

Keys are keyed hashes (HMAC with SECRET_KEY), so neither addresses nor client IPs are
stored. A row whose window has ended is reset by the next attempt and swept now and then.
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import RateCounter


def _key(scope: str, value: str) -> str:
    return salted_hmac("core.ratelimit", f"{scope}:{value}").hexdigest()[:64]


def hit(*, scope: str, value: str, limit: int, window: datetime.timedelta) -> bool:
    """Count one attempt; False once more than ``limit`` were made in the current window."""
    key = _key(scope, value)
    now = timezone.now()
    for _attempt in range(3):
        with transaction.atomic():
            # The UPDATE takes the row's lock, so the count read below is this attempt's.
            if RateCounter.objects.filter(key=key, expires_at__gt=now).update(count=F("count") + 1):
                return RateCounter.objects.get(key=key).count <= limit
            try:
                with transaction.atomic():
                    RateCounter.objects.filter(expires_at__lte=now).delete()
                    RateCounter.objects.create(key=key, count=1, expires_at=now + window)
            except IntegrityError:
                continue  # another process opened the window first: count in it
            return limit >= 1
    return False
