"""A configuration check: the delivery lease must outlast the slowest live claim."""

from django.conf import settings
from django.core import checks


@checks.register()
def delivery_lease_check(app_configs=None, **kwargs):
    # A claim is handed back after half the lease, plus the message then on the wire, which
    # smtplib bounds by about four EMAIL_TIMEOUTs (MAIL, RCPT, DATA, end of data). A live
    # claim older than the lease would be recovered as dead and its message sent twice.
    lease = settings.SUBSCRIPTIONS_DELIVERY_LEASE_SECONDS
    timeout = settings.EMAIL_TIMEOUT or 0
    if timeout and lease / 2 <= 4 * timeout:
        return [
            checks.Warning(
                "SUBSCRIPTIONS_DELIVERY_LEASE_SECONDS is too short for EMAIL_TIMEOUT.",
                hint=f"Set it above {8 * timeout} seconds, or lower EMAIL_TIMEOUT.",
                id="subscriptions.W001",
            )
        ]
    return []
