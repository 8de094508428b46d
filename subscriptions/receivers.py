"""What subscriptions does when another app announces something (connected in apps.py)."""

import logging

from django_tasks_db.backend import DatabaseBackend

from . import services
from .tasks import FORGOTTEN_TASKS

logger = logging.getLogger(__name__)
FORGOTTEN_PATHS = {task.module_path for task in FORGOTTEN_TASKS}


def campaign_for_published_version(sender, *, version, historical: bool, **kwargs) -> None:
    """Create the change notice of a material version as it is published; it is queued on commit.

    Created inside the publishing transaction, so a version is never published without its
    notice, nor a notice left for a publish that was rolled back.
    """
    if version.material and not historical:
        services.campaign_create(version=version)


def task_result_forget(sender, *, task_result, **kwargs) -> None:
    """Delete the stored result of a confirmation (or prune) task once it has run, sent or not.

    django-tasks-db keeps every task's arguments, return value and traceback in its result
    table until `prune_db_task_results`; a confirmation's belong to a request that must leave
    nothing behind. Sent by the worker (django_tasks' task_finished) after the outcome is saved.
    """
    # The worker sends its backend on success and the backend's class on failure.
    backend = sender if isinstance(sender, type) else type(sender)
    if not issubclass(backend, DatabaseBackend):
        return
    if task_result.task.module_path not in FORGOTTEN_PATHS:
        return
    from django_tasks_db.models import DBTaskResult

    try:
        DBTaskResult.objects.filter(id=task_result.id).delete()
    except Exception:
        # The next run of the prune task, or prune_db_task_results, removes it later.
        logger.warning("could not delete the result of task %s", task_result.id, exc_info=True)


def subscription_export(sender, *, email: str, **kwargs) -> dict:
    """What a verified privacy request's export holds from this app: the subscription and the notices sent."""
    from .models import Delivery, Subscriber, normalise_email

    subscriber = Subscriber.objects.filter(email_key=normalise_email(email)).first()
    if subscriber is None:
        return {"subscriptions": []}
    deliveries = Delivery.objects.filter(subscriber=subscriber).select_related("campaign__version").order_by("pk")
    return {
        "subscriptions": [
            {
                "email": subscriber.email,
                "language": subscriber.language,
                "status": subscriber.status,
                "confirmed_at": subscriber.confirmed_at.isoformat(),
                "unsubscribed_at": subscriber.unsubscribed_at.isoformat() if subscriber.unsubscribed_at else None,
                "history": [
                    {"event": e.kind, "via": e.via, "at": e.at.isoformat(), "language": e.language}
                    for e in subscriber.events.all()
                ],
                "notices": [
                    {
                        "policy_version": d.campaign.version.effective_date.isoformat(),
                        "status": d.status,
                        "sent_at": d.sent_at.isoformat() if d.sent_at else None,
                    }
                    for d in deliveries
                ],
            }
        ]
    }


def subscription_erase(sender, *, email: str, **kwargs) -> dict:
    """A verified deletion request erases the subscription and its deliveries at once."""
    from .models import Subscriber, normalise_email

    deleted, _by_model = Subscriber.objects.filter(email_key=normalise_email(email)).delete()
    return {"subscriptions": 1 if deleted else 0}


def correction_for_withdrawn_version(sender, *, version, withdrawal, **kwargs) -> None:
    """Stop the withdrawn version's notice and correct it, in the withdrawal's transaction."""
    services.campaign_correct(version=version)
