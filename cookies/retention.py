"""Retention on its own: consent records older than CONSENT_RETENTION_DAYS go every day.

One chain of tasks does it: each run counts the complete weeks for the dashboard
(services.consent_weeks_count, so the statistics outlive the records), prunes (through services.consents_prune and its
PruneGrant, the only way the database lets a record go), logs how many went, and queues
the next run a day later. The chain's token lives in RetentionSchedule, so a run whose
token is stale (the chain was re-armed) does nothing, and two chains never run side by
side. ``manage.py schedule_consent_pruning`` arms it (``make setup`` runs it); arming again
is harmless. A worker that was down runs the overdue prune when it comes back.
"""

import datetime
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import services, tasks
from .models import RetentionSchedule

logger = logging.getLogger(__name__)
INTERVAL = datetime.timedelta(days=1)


def retention_schedule(*, run_after: datetime.datetime | None = None) -> RetentionSchedule:
    """(Re-)arm the daily pruning: a new token, and its first run now or at ``run_after``."""
    token = secrets.token_hex(16)
    with transaction.atomic():
        schedule, _ = RetentionSchedule.objects.select_for_update().get_or_create(pk=1, defaults={"token": token})
        schedule.token = token
        schedule.next_run = run_after or timezone.now()
        schedule.save(update_fields=["token", "next_run"])
        transaction.on_commit(lambda: _enqueue(token, run_after))
    return schedule


def _enqueue(token: str, run_after: datetime.datetime | None) -> None:
    queued = tasks.consents_prune_daily.using(run_after=run_after) if run_after else tasks.consents_prune_daily
    queued.enqueue(token)


def retention_run(*, run_token: str) -> int | None:
    """Prune once if this run holds the chain's token; return how many went (None: stale)."""
    with transaction.atomic():
        schedule = RetentionSchedule.objects.select_for_update().filter(pk=1, token=run_token).first()
        if schedule is None:
            logger.info("consent pruning: a retired run did nothing")
            return None
        token = secrets.token_hex(16)
        start = timezone.now()
        schedule.token = token
        schedule.next_run = start + INTERVAL
        schedule.save(update_fields=["token", "next_run"])
        # Queue tomorrow's run first: a prune that fails today must not end the chain.
        transaction.on_commit(lambda: _enqueue(token, start + INTERVAL))
    # Count the weeks for the dashboard before their records can go.
    services.consent_weeks_count()
    days = settings.CONSENT_RETENTION_DAYS
    deleted = services.consents_prune(older_than=datetime.timedelta(days=days))
    RetentionSchedule.objects.filter(pk=1).update(last_run=start, last_deleted=deleted)
    logger.info("consent records pruned: %d older than %d days (CONSENT_RETENTION_DAYS)", deleted, days)
    return deleted
