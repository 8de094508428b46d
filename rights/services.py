"""Every write about privacy requests: submitting, verifying, working, answering, pruning."""

import datetime
import logging
import secrets
import zoneinfo
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task_backends

from core.addresses import normalise_email
from core.ratelimit import hit
from core.signals import personal_data_erase

from . import deadlines, emails, exports, tasks, tokens
from .choices import CLOSED_STATUSES, EXPORT_TYPES, NEXT_STATUSES, RequestType, Status
from .models import Note, PrivacyRequest, Reply, Transition

logger = logging.getLogger(__name__)
WINDOW = datetime.timedelta(hours=1)


class TransitionRefused(Exception):
    """The status cannot move that way (or the extension is not allowed)."""


class EmailNotSent(Exception):
    """An email about a request could not be sent (the cause's type only, never an address)."""


def _send(message) -> None:
    # A refused recipient's error names the address; the task's stored traceback and the
    # worker's log would keep it, so only the error's type goes on.
    try:
        message.send()
    except Exception as exc:
        raise EmailNotSent(type(exc).__name__) from None


def rate_allow(*, kind: str, value: str, limit: int) -> bool:
    """Count one attempt in the shared database; False once over ``limit`` this hour."""
    return hit(scope=f"rights:{kind}", value=value, limit=limit, window=WINDOW)


def request_submit(
    *,
    request_type: str,
    jurisdiction: str,
    located_jurisdiction: str = "",
    name: str,
    email: str,
    details: str,
    language: str,
    network: str,
    consent_id: str = "",
    agent_name: str = "",
    agent_email: str = "",
) -> PrivacyRequest | None:
    """Keep the pending request and queue its verification email, unless the address asked
    too often this hour. The caller answers the same either way: nobody learns from the
    form whether an address is known."""
    key = normalise_email(email)
    unverified_prune()
    if not rate_allow(kind="address", value=key, limit=settings.REQUESTS_RATE_PER_ADDRESS):
        logger.info("privacy request rate-limited for one address")
        return None
    with transaction.atomic():
        request = PrivacyRequest.objects.create(
            reference=tokens.new_reference(),
            request_type=request_type,
            jurisdiction=jurisdiction,
            located_jurisdiction=located_jurisdiction,
            name=name,
            email=email,
            email_key=key,
            details=details,
            language=language,
            agent_name=agent_name,
            agent_email=agent_email,
            network=network,
            consent_id=consent_id,
            # Replaced by the task that mints the link; this one matches no token at all.
            token_hash=tokens.token_hash(secrets.token_hex(32)),
        )
        Transition.objects.create(request=request, to_status=Status.RECEIVED)
        transaction.on_commit(partial(tasks.verification_send.enqueue, request.pk))
        # Deleted when its link expires, not up to a day later at the daily run, even if
        # nobody files anything again (the prune also runs on every request: a stopped worker
        # only delays it).
        expires_at = request.received_at + datetime.timedelta(seconds=settings.REQUESTS_VERIFY_MAX_AGE)
        transaction.on_commit(partial(tasks.unverified_prune.using(run_after=expires_at).enqueue))
        if agent_email:
            transaction.on_commit(partial(tasks.email_send.enqueue, request.pk, "agent"))
    return request


def verification_send(*, request_id: int) -> bool:
    """Mint a verification token (only its hash is kept) and email the link."""
    token, digest = tokens.verify_token()
    updated = PrivacyRequest.objects.filter(pk=request_id, status=Status.RECEIVED).update(token_hash=digest)
    if not updated:
        return False  # verified meanwhile, or pruned: nothing to confirm
    request = PrivacyRequest.objects.get(pk=request_id)
    try:
        _send(emails.verification_message(request=request, token=token))
    except EmailNotSent as failure:
        # The link reached nobody, so the request can never be confirmed: keep nothing of it.
        _delete(PrivacyRequest.objects.filter(pk=request_id, status=Status.RECEIVED))
        logger.warning("verification email not sent (%s); its request was deleted", failure)
        raise
    return True


def request_for_token(token: str) -> PrivacyRequest:
    """The request a verification link names; TokenExpired, TokenInvalid, or AlreadyUsed."""
    digest = tokens.verify_read(token)
    request = PrivacyRequest.objects.filter(token_hash=digest).first()
    if request is None:
        raise tokens.TokenInvalid
    return request


def request_verify(*, request: PrivacyRequest) -> PrivacyRequest:
    """The requester confirmed from their mailbox: the clock starts now, in the legal time zone.

    Idempotent under a race: the second confirmation finds the request verified and changes nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != Status.RECEIVED:
            return locked
        deadline = deadlines.request_deadline(
            jurisdiction=locked.jurisdiction,
            located=locked.located_jurisdiction,
            request_type=locked.request_type,
            verified_at=now,
        )
        locked.status = Status.VERIFIED
        locked.verified_at = now
        locked.acknowledge_by = deadline.acknowledge_by
        locked.due_date = deadline.due_date
        locked.extension = deadline.extension
        locked.extension_unit = deadline.extension_unit
        locked.rule_summary = deadline.summary
        if locked.request_type == RequestType.DELETION:
            locked.erasure = _erase(locked)
        if locked.request_type in EXPORT_TYPES:
            locked.export = exports.build(locked)
            locked.exported_at = now
        locked.save()
        Transition.objects.create(request=locked, from_status=Status.RECEIVED, to_status=Status.VERIFIED, at=now)
        transaction.on_commit(partial(tasks.email_send.enqueue, locked.pk, "acknowledgement"))
    return locked


def _erase(request: PrivacyRequest) -> dict:
    """Ask every app to erase what it holds for the address at once (subscriptions do)."""
    erased = {}
    for _receiver, response in personal_data_erase.send(sender=PrivacyRequest, email=request.email):
        if isinstance(response, dict):
            erased.update(response)
    return erased


def request_email_send(*, request_id: int, kind: str) -> None:
    request = PrivacyRequest.objects.filter(pk=request_id).first()
    if request is None:
        return
    if kind == "agent":
        _send(emails.agent_message(request=request))
    elif kind == "acknowledgement":
        _send(emails.acknowledgement_message(request=request))
        PrivacyRequest.objects.filter(pk=request_id, acknowledged_at=None).update(acknowledged_at=timezone.now())
    elif kind == "extension":
        _send(emails.extension_message(request=request))


def request_transition(*, request: PrivacyRequest, to_status: str, user, comment: str = "") -> PrivacyRequest:
    """Move a verified request on; every move is recorded with who and when."""
    with transaction.atomic():
        locked = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
        if to_status not in NEXT_STATUSES.get(locked.status, ()):
            raise TransitionRefused(
                _("A request that is “%(status)s” cannot become “%(to)s”.")
                % {"status": locked.get_status_display(), "to": Status(to_status).label}
            )
        now = timezone.now()
        Transition.objects.create(
            request=locked, from_status=locked.status, to_status=to_status, by=user, comment=comment, at=now
        )
        locked.status = to_status
        if to_status in CLOSED_STATUSES:
            locked.closed_at = now
        locked.save(update_fields=["status", "closed_at"])
    return locked


def request_extend(*, request: PrivacyRequest, reason: str, user) -> PrivacyRequest:
    """Use the one extension the law allows, with a reason the requester is emailed."""
    reason = reason.strip()
    if not reason:
        raise TransitionRefused(_("An extension needs a reason."))
    with transaction.atomic():
        locked = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
        if not locked.can_extend:
            raise TransitionRefused(_("This request cannot be extended."))
        now = timezone.now()
        Transition.objects.create(
            request=locked, from_status=locked.status, to_status=Status.EXTENDED, by=user, comment=reason, at=now
        )
        locked.status = Status.EXTENDED
        locked.due_date = deadlines.add(locked.due_date, locked.extension, locked.extension_unit)
        locked.extended_at = now
        locked.extension_reason = reason
        locked.save(update_fields=["status", "due_date", "extended_at", "extension_reason"])
        transaction.on_commit(partial(tasks.email_send.enqueue, locked.pk, "extension"))
    return locked


def request_assign(*, request: PrivacyRequest, assignee, user) -> None:
    """Hand a request to an officer (or to nobody), noting the change in its history."""
    with transaction.atomic():
        # Compared with the stored row, not the caller's instance: the admin's form has
        # already set the new assignee on that, and the history must still say who took over.
        locked = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
        if locked.assignee_id == getattr(assignee, "pk", None):
            return
        PrivacyRequest.objects.filter(pk=request.pk).update(assignee=assignee)
        Note.objects.create(
            request=locked,
            author=user,
            text=_("Assigned to %(name)s.") % {"name": assignee.get_username() if assignee else "—"},
        )


def note_add(*, request: PrivacyRequest, text: str, user) -> Note:
    return Note.objects.create(request=request, author=user, text=text)


def reply_send(*, request: PrivacyRequest, subject: str, body: str, user, with_export: bool = False) -> Reply:
    """Record a reply (shown on the status page) and email it in the requester's language,
    with the JSON export of what the site holds attached if asked (access and portability)."""
    with transaction.atomic():
        reply = Reply.objects.create(
            request=request,
            author=user,
            subject=subject,
            body=body,
            language=request.language,
            with_export=with_export and request.export is not None,
        )
        transaction.on_commit(partial(tasks.reply_send.enqueue, reply.pk))
    return reply


def reply_deliver(*, reply_id: int) -> None:
    reply = Reply.objects.select_related("request").filter(pk=reply_id).first()
    if reply is not None:
        _send(emails.reply_message(reply=reply))


def digest_send(*, today: datetime.date | None = None) -> int:
    """Email each assignee with open requests overdue or due soon; returns how many emails."""
    today = today or deadlines.legal_date(timezone.now())
    # One run per legal day, however many workers or chains ran it (counted in the database).
    if not hit(scope="rights:digest", value=today.isoformat(), limit=1, window=datetime.timedelta(days=2)):
        return 0
    soon = settings.REQUESTS_DUE_SOON_DAYS
    sent = 0
    for user in get_user_model().objects.filter(privacy_requests__isnull=False, is_active=True).distinct():
        mine = PrivacyRequest.objects.filter(assignee=user)
        overdue = list(mine.overdue(today=today).order_by("due_date"))
        due_soon = list(mine.due_within(today=today, days=soon).order_by("due_date"))
        if (overdue or due_soon) and user.email:
            emails.digest_message(user=user, overdue=overdue, due_soon=due_soon).send()
            sent += 1
    return sent


def next_digest_at(now: datetime.datetime) -> datetime.datetime:
    zone = zoneinfo.ZoneInfo(settings.NOTICES_LEGAL_TIME_ZONE)
    local = now.astimezone(zone)
    run = local.replace(hour=settings.REQUESTS_DIGEST_HOUR, minute=0, second=0, microsecond=0)
    if run <= local:
        run = (run + datetime.timedelta(days=1)).replace(hour=settings.REQUESTS_DIGEST_HOUR)
    return run


def daily_queued() -> bool:
    """Whether the daily task is already waiting in the queue (so `make run` adds no second chain)."""
    backend = task_backends[tasks.daily.backend]
    if hasattr(backend, "results"):  # the in-memory backend of the tests
        return any(r.status == TaskResultStatus.READY and r.task.name == "daily" for r in backend.results)
    if type(backend).__module__.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path="rights.tasks.daily").exists()
    return False


def daily_schedule(*, if_missing: bool = False) -> bool:
    """Queue the next daily run (at REQUESTS_DIGEST_HOUR, legal time); False if one was waiting."""
    if if_missing and daily_queued():
        return False
    tasks.daily.using(run_after=next_digest_at(timezone.now())).enqueue()
    return True


def daily_run() -> dict:
    return {"digests": digest_send(), "unconfirmed_deleted": unverified_prune(), "closed_deleted": closed_prune()}


def unverified_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete requests never confirmed within REQUESTS_VERIFY_MAX_AGE: nothing of them is kept."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.REQUESTS_VERIFY_MAX_AGE)
    return _delete(PrivacyRequest.objects.unverified_before(cutoff))


def closed_prune(*, now: datetime.datetime | None = None) -> int:
    """Delete requests closed more than REQUESTS_RETENTION_DAYS ago, with their history."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.REQUESTS_RETENTION_DAYS)
    return _delete(PrivacyRequest.objects.closed_before(cutoff))


def _delete(requests) -> int:
    ids = list(requests.values_list("pk", flat=True))
    with transaction.atomic():
        # The one path that removes history rows (their manager refuses delete()).
        for model in (Transition, Note, Reply):
            model.objects.filter(request_id__in=ids)._raw_delete(model.objects.db)
        PrivacyRequest.objects.filter(pk__in=ids).delete()
    return len(ids)
