"""Background work, queued through the Django Tasks API (django-tasks-db: `manage.py db_worker`).

The arguments and results of queued tasks are stored (django-tasks-db's result table), so
none of them carries an address: the confirmation task gets a pending subscription's opaque
reference, and its stored result is deleted once it has run (receivers.task_result_forget).
"""

from django_tasks import task


@task()
def campaign_send(campaign_id: int, run_token: str) -> str:
    """Send a campaign for a while, then queue its next run (see subscriptions.delivery)."""
    from .delivery import campaign_run  # delivery queues this task, so import it late

    return campaign_run(campaign_id=campaign_id, run_token=run_token)


@task()
def confirmation_send(reference: str) -> str:
    """Email the double opt-in link; kept out of the request so a slow relay cannot stall it."""
    from .services import confirmation_send as send  # services queues this task

    return send(reference=reference)


@task()
def pending_prune() -> int:
    """Delete the pending subscriptions whose links have expired (queued for each one's expiry)."""
    from .services import pending_prune as prune

    return prune()


# Tasks whose stored result is deleted as soon as they have run (successful or not).
FORGOTTEN_TASKS = (confirmation_send, pending_prune)
