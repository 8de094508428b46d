"""Background work, queued through the Django Tasks API (django-tasks-db: `manage.py db_worker`)."""

from django_tasks import task


@task()
def verification_send(request_id: int) -> bool:
    """Mint the verification link and email it; the raw token exists only in that email."""
    from .services import verification_send as send  # services queues this task

    return send(request_id=request_id)


@task()
def email_send(request_id: int, kind: str) -> None:
    """Send one of a request's emails (acknowledgement, extension, agent notice) out of the web request."""
    from .services import request_email_send

    request_email_send(request_id=request_id, kind=kind)


@task()
def reply_send(reply_id: int) -> None:
    from .services import reply_deliver

    reply_deliver(reply_id=reply_id)


@task()
def unverified_prune() -> int:
    """Delete the requests whose verification links have expired (queued for each one's expiry)."""
    from .services import unverified_prune as prune

    return prune()


@task()
def daily() -> dict:
    """Once a day: email assignees their due-soon and overdue requests, delete unconfirmed and
    expired requests, then queue tomorrow's run."""
    from .services import daily_run, daily_schedule

    done = daily_run()
    daily_schedule()
    return done
