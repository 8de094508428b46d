"""What /healthz checks: each answers "ok" or says what is wrong (and logs it once per call).

* database: reachable **and writable** — a read-only database (a full disk, a replica after
  failover, a file mounted read-only) serves pages but loses every consent and subscription;
* cache: the shared cache answers (every worker's pages and their invalidation go through it);
* tasks: the oldest task ready to run has waited less than HEALTH_MAX_TASK_AGE — a dead,
  stuck or missing worker shows here, whatever the reason, because the queue stops moving.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import Case, F, When
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from .cache import GENERATION_KEY
from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)


def database() -> str:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Matches no row, yet needs a write transaction: SQLite answers "attempt to write a
            # readonly database", PostgreSQL "cannot execute UPDATE in a read-only transaction".
            table = connection.ops.quote_name(WorkerHeartbeat._meta.db_table)
            cursor.execute(f"UPDATE {table} SET pid = pid WHERE 1 = 0")  # noqa: S608 (no input)
    except DatabaseError as error:
        text = str(error).lower()
        if "read-only" in text or "readonly" in text:
            logger.error("health check: the database is read-only: %s", error)
            return "read-only"
        logger.error("health check: database unreachable: %s", error)
        return "unreachable"
    return "ok"


def shared_cache() -> str:
    try:
        cache.get(GENERATION_KEY)
    except Exception as error:  # any backend's failure (a missing table, Redis down)
        logger.error("health check: shared cache unreachable: %s", error)
        return "unreachable"
    return "ok"


def oldest_ready_task_age() -> float | None:
    """Seconds the oldest runnable task has waited (since it was enqueued or became due)."""
    waiting_since = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    since = (
        DBTaskResult.objects.ready()
        .annotate(waiting_since=waiting_since)
        .order_by("waiting_since")
        .values_list("waiting_since", flat=True)
        .first()
    )
    return None if since is None else max(0.0, (timezone.now() - since).total_seconds())


def tasks() -> tuple[str, dict]:
    details: dict = {}
    try:
        age = oldest_ready_task_age()
        seen = WorkerHeartbeat.objects.values_list("last_seen_at", flat=True).order_by("-last_seen_at").first()
    except DatabaseError as error:
        logger.error("health check: the task queue cannot be read: %s", error)
        return "unknown", details
    details["oldest_task_waiting_seconds"] = None if age is None else round(age)
    details["worker_last_seen_seconds"] = None if seen is None else round((timezone.now() - seen).total_seconds())
    if age is not None and age > settings.HEALTH_MAX_TASK_AGE:
        logger.error(
            "health check: a task has waited %ds (HEALTH_MAX_TASK_AGE is %ds); worker last seen %s s ago",
            age,
            settings.HEALTH_MAX_TASK_AGE,
            details["worker_last_seen_seconds"],
        )
        return "stalled", details
    return "ok", details
