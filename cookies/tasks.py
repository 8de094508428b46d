"""Background work of the cookies app, queued through the Django Tasks API (django-tasks-db)."""

from django_tasks import task


@task()
def consents_prune_daily(run_token: str) -> int | None:
    """Prune records older than CONSENT_RETENTION_DAYS, then queue tomorrow's run."""
    from .retention import retention_run  # retention queues this task: import it late

    return retention_run(run_token=run_token)
