"""Background work, queued through the Django Tasks API (django-tasks-db: `manage.py db_worker`)."""

from django_tasks import task


@task()
def campaign_send(campaign_id: int, run_token: str) -> str:
    """Send a campaign for a while, then queue its next run (see subscriptions.delivery)."""
    from .delivery import campaign_run  # delivery queues this task, so import it late

    return campaign_run(campaign_id=campaign_id, run_token=run_token)


@task()
def confirmation_send(email: str, language: str) -> None:
    """Email the double opt-in link; kept out of the request so a slow relay cannot stall it."""
    from .emails import confirmation_message

    confirmation_message(email=email, language=language).send()
