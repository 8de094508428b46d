"""Running a campaign: who gets it, claiming batches, recovering from dead workers, scheduling.

How exactly-once holds (README, "The delivery guarantee", states it for operators):

* One Delivery row per (campaign, subscriber), unique in the database.
* A worker *claims* a batch: in one committed transaction the rows go from pending to sending
  with a fresh claim token. Only then does it open one SMTP connection for the batch.
* It sends the claimed rows one SMTP transaction each, in primary-key order, and commits each
  row's outcome (sent, retry later, failed) before starting the next message.
* So if a worker dies, each of its claims holds at most one row whose outcome is unknown
  (the lowest-numbered row still "sending": on the wire, maybe accepted), and the rows after
  it were never attempted. Once the claim's lease has run out, recovery puts the unattempted
  rows back as pending and re-sends the one in-flight message with the same Message-ID.
* A run works for at most a quarter of the lease, and a claim is released after half of it,
  so a live worker's claim is never mistaken for a dead one's.
* Every queued run has a guard: a second run queued for when the lease has passed. If the
  first dies (SIGKILL), the guard takes over after a restart; if it finishes, it rotates the
  campaign's run token and the stale guard finds nothing to do.
"""

import datetime
import logging
import time
import uuid

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from . import sending, tasks
from .emails import NoticeComposer
from .links import unsubscribe_links_prune
from .models import Campaign, Delivery, Subscriber

logger = logging.getLogger(__name__)

POPULATE_CHUNK = 2000
IN_FLIGHT_NOTE = "The worker stopped while this message was on the wire; re-sent with the same Message-ID."


def lease() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.SUBSCRIPTIONS_DELIVERY_LEASE_SECONDS)


def _take_turn(*, campaign_id: int, expected: str | None, run: bool, run_after=None) -> str | None:
    """Give the campaign a new run token and queue work for it; None if another run owns it.

    With `run`, queue a run now (or at run_after); always queue a guard for when the lease
    of that run will have passed. Token and tasks commit together on the database backend.
    """
    token = uuid.uuid4().hex
    if expected == "":
        return None  # a finished campaign has no token: whatever run carries "" is stale
    with transaction.atomic():
        rows = Campaign.objects.filter(pk=campaign_id)
        if expected is not None:
            rows = rows.filter(run_token=expected)
        if not rows.update(run_token=token):
            return None
        # The task backend must defer (checks.py refuses one that cannot): the guard is
        # what resumes the campaign when the worker running this turn dies.
        start = run_after or timezone.now()
        tasks.campaign_send.using(run_after=start + lease()).enqueue(campaign_id, token)
        if run:
            queued = tasks.campaign_send.using(run_after=run_after) if run_after else tasks.campaign_send
            queued.enqueue(campaign_id, token)
    return token


def campaign_schedule(*, campaign_id: int, run_after: datetime.datetime | None = None) -> None:
    """Queue a campaign to run (again); whatever run was queued before becomes a no-op."""
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign_id, status=Campaign.Status.DONE).update(
            status=Campaign.Status.SENDING, finished_at=None
        )
        _take_turn(campaign_id=campaign_id, expected=None, run=True, run_after=run_after)


def campaign_run(*, campaign_id: int, run_token: str) -> str:
    """Send a campaign for up to a quarter of the lease, then queue what comes next.

    Returns what happened, for the task's result: superseded, done, continued or waiting.
    """
    token = _take_turn(campaign_id=campaign_id, expected=run_token, run=False)
    if token is None:
        return "superseded"
    campaign = Campaign.objects.select_related("version").get(pk=campaign_id)
    if campaign.started_at is None:
        Campaign.objects.filter(pk=campaign_id).update(status=Campaign.Status.SENDING, started_at=timezone.now())
    deliveries_populate(campaign=campaign)
    deliveries_recover(campaign=campaign)
    unsubscribe_links_prune()

    if campaign.kind == Campaign.Kind.NOTICE and campaign.version.is_withdrawn:
        # Withdrawn since it was queued: what a dead worker left is never sent (the correction
        # already counts the in-flight message as possibly received).
        campaign.deliveries.filter(status=Delivery.Status.PENDING).update(status=Delivery.Status.WITHDRAWN)

    composer = NoticeComposer(campaign)
    budget = settings.SUBSCRIPTIONS_DELIVERY_LEASE_SECONDS / 4
    started = time.monotonic()
    outcome = sending.BatchOutcome()
    while time.monotonic() - started < budget:
        batch, claim = deliveries_claim(campaign=campaign, size=settings.SUBSCRIPTIONS_BATCH_SIZE)
        if not batch:
            break
        outcome = sending.batch_send(batch=batch, claim=claim, composer=composer)
        if outcome.connection_failed or outcome.claim_lost:
            break
    else:
        _take_turn(campaign_id=campaign_id, expected=token, run=True)
        return "continued"

    next_due = _next_due(campaign)
    if outcome.connection_failed and next_due is not None:
        # The relay is unreachable: wait before trying the next batch, not just this one.
        wait = timezone.now() + datetime.timedelta(seconds=settings.SUBSCRIPTIONS_RETRY_DELAYS[0])
        next_due = max(next_due, wait)
    if next_due is None:
        finished = _finish(campaign_id=campaign_id, token=token)
        if finished:
            return finished
    run_after = next_due if next_due and next_due > timezone.now() else None
    _take_turn(campaign_id=campaign_id, expected=token, run=True, run_after=run_after)
    return "waiting" if run_after else "continued"


def _next_due(campaign: Campaign) -> datetime.datetime | None:
    """When the campaign next has work: a retry coming due, or another worker's claim expiring."""
    found = Delivery.objects.filter(
        campaign=campaign, status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
    ).aggregate(
        pending=Min("next_attempt_at", filter=Q(status=Delivery.Status.PENDING)),
        claimed=Min("claimed_at", filter=Q(status=Delivery.Status.SENDING)),
    )
    candidates = [found["pending"]]
    if found["claimed"] is not None:
        candidates.append(found["claimed"] + lease())
    return min((moment for moment in candidates if moment is not None), default=None)


def _finish(*, campaign_id: int, token: str) -> str | None:
    """Mark the campaign done unless work appeared meanwhile (None) or a newer run owns it."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id, run_token=token).first()
        if campaign is None:
            return "superseded"
        unfinished = [Delivery.Status.PENDING, Delivery.Status.SENDING]
        if campaign.deliveries.filter(status__in=unfinished).exists():
            return None
        campaign.status = Campaign.Status.DONE
        campaign.finished_at = timezone.now()
        campaign.run_token = ""
        campaign.save(update_fields=["status", "finished_at", "run_token"])
    logger.info("campaign %s: done", campaign_id)
    return "done"


def deliveries_populate(*, campaign: Campaign) -> None:
    """Create a pending delivery for every confirmed subscriber, once; safe to resume."""
    if campaign.populated_at is not None:
        return
    now = timezone.now()
    last = 0
    while True:
        # Keyset pages keep memory flat however long the list is; ignore_conflicts makes a
        # resumed population skip the rows a killed run already wrote.
        ids = list(
            Subscriber.objects.active().filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:POPULATE_CHUNK]
        )
        if not ids:
            break
        Delivery.objects.bulk_create(
            [Delivery(campaign=campaign, subscriber_id=pk, next_attempt_at=now) for pk in ids],
            ignore_conflicts=True,
        )
        last = ids[-1]
    Campaign.objects.filter(pk=campaign.pk).update(populated_at=now)
    campaign.populated_at = now


def deliveries_recover(*, campaign: Campaign) -> int:
    """Return rows claimed by dead workers to pending; flag each claim's in-flight message."""
    now = timezone.now()
    with transaction.atomic():
        stale = list(
            Delivery.objects.filter(campaign=campaign)
            .stale_claims(before=now - lease())
            .order_by("pk")
            .select_for_update()
            .values_list("pk", "claim_token")
        )
        if not stale:
            return 0
        in_flight: dict[str, int] = {}
        for pk, claim in stale:
            in_flight.setdefault(claim, pk)  # rows are sent in pk order: the first is the one on the wire
        flagged = set(in_flight.values())
        Delivery.objects.filter(pk__in=flagged).update(
            status=Delivery.Status.PENDING,
            claim_token="",
            claimed_at=None,
            next_attempt_at=now,
            attempts=F("attempts") + 1,
            interrupted=F("interrupted") + 1,
            last_error=IN_FLIGHT_NOTE,
        )
        Delivery.objects.filter(pk__in=[pk for pk, _ in stale if pk not in flagged]).update(
            status=Delivery.Status.PENDING, claim_token="", claimed_at=None
        )
    logger.warning("campaign %s: recovered %d rows from %d dead claims", campaign.pk, len(stale), len(in_flight))
    return len(stale)


def deliveries_claim(*, campaign: Campaign, size: int) -> tuple[list[Delivery], str]:
    """Mark up to `size` due rows as sending under a new claim token, and commit before sending."""
    claim = uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():
        # SKIP LOCKED on PostgreSQL lets workers claim disjoint batches side by side; SQLite
        # ignores it and serialises writers (IMMEDIATE transactions), which is also correct.
        ids = list(
            Delivery.objects.due(now=now)
            .filter(campaign=campaign)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:size]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=Delivery.Status.SENDING, claim_token=claim, claimed_at=now
            )
    if not ids:
        return [], claim
    batch = Delivery.objects.filter(pk__in=ids, claim_token=claim).select_related("subscriber").order_by("pk")
    return list(batch), claim
