"""Configuration checks: campaigns need a task backend that defers, and a lease that outlasts any live claim."""

from django.conf import settings
from django.core import checks

from .tasks import campaign_send


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


@checks.register()
def task_backend_check(app_configs=None, **kwargs):
    # Every queued campaign run has a guard queued for when its lease will have passed
    # (delivery.py); a backend that cannot defer tasks cannot hold it, so a dead worker's
    # campaign would never resume.
    backend = campaign_send.get_backend()
    if not backend.supports_defer:
        return [
            checks.Error(
                f"The task backend {type(backend).__name__} cannot defer tasks (run_after).",
                hint="Change notices need one that can, such as django_tasks_db.DatabaseBackend (the default).",
                id="subscriptions.E001",
            )
        ]
    return []
