"""Sending one claimed batch over one SMTP connection, recording each message's outcome at once."""

import contextlib
import datetime
import functools
import logging
import smtplib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db
from django.utils import timezone

from .emails import NoticeComposer, PreparedNotice
from .links import unsubscribe_links_issue
from .models import Delivery

logger = logging.getLogger(__name__)


@dataclass
class BatchOutcome:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    connection_failed: bool = False
    claim_lost: bool = False


def smtp_code(exc: BaseException) -> int | None:
    """The SMTP reply code behind an error, when the server gave one."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return max(codes) if codes else None
    return getattr(exc, "smtp_code", None)


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def batch_send(*, batch: list[Delivery], claim: str, composer: NoticeComposer) -> BatchOutcome:
    """Send a claimed batch in order, one SMTP transaction per message, over one connection."""
    outcome = BatchOutcome()
    # Compose the whole batch first, so that between two SMTP transactions the worker only
    # records the last outcome: a relay kept waiting answers the next command more slowly.
    prepared = []
    active = []
    for delivery in batch:
        if not delivery.subscriber.is_active:
            _record(delivery, claim, outcome, "cancelled", status=Delivery.Status.CANCELLED)
            continue
        active.append(delivery)
    # Every link is stored (committed) before any message carrying it leaves.
    unsubscribe_tokens = unsubscribe_links_issue(subscriber_ids=[delivery.subscriber_id for delivery in active])
    for delivery, unsubscribe_token in zip(active, unsubscribe_tokens, strict=True):
        try:
            prepared.append((delivery, composer.message(delivery, unsubscribe_token=unsubscribe_token)))
        except Exception as exc:  # a message that cannot be built never will be: fail this row only
            logger.warning("cannot build the notice for delivery %s: %s", delivery.pk, describe(exc))
            _record(delivery, claim, outcome, "failed", status=Delivery.Status.FAILED, last_error=describe(exc))
    if not prepared or outcome.claim_lost:
        _release([delivery for delivery, _message in prepared], claim)
        return outcome

    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("SMTP connection failed: %s", describe(exc))
        for delivery, _message in prepared:
            _retry_or_fail(delivery, claim, exc, outcome)
        outcome.connection_failed = True
        return outcome

    # A claim is handed back after half the lease, so no live claim ever looks abandoned.
    hand_back_at = time.monotonic() + settings.SUBSCRIPTIONS_DELIVERY_LEASE_SECONDS / 2
    try:
        for index, (delivery, message) in enumerate(prepared):
            if time.monotonic() > hand_back_at:
                _release([d for d, _m in prepared[index:]], claim)
                break
            if not _send_one(connection, delivery, message, claim, outcome):
                _release([d for d, _m in prepared[index + 1 :]], claim)
                break
    finally:
        # The messages are recorded already; a failing QUIT changes nothing.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    return outcome


def _send_one(connection, delivery: Delivery, message, claim: str, outcome: BatchOutcome) -> bool:
    """Send one message and commit its outcome; False when the rest of the batch must stop."""
    try:
        _transmit(connection, message)
    except ValueError as exc:
        # Raised while serialising, before any byte is sent: an address or header with a
        # line break (injection) or otherwise unusable. It will never succeed.
        _record(delivery, claim, outcome, "failed", status=Delivery.Status.FAILED, last_error=describe(exc))
        return not outcome.claim_lost
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
        # The server answered: the connection is still usable (smtplib sent RSET).
        code = smtp_code(exc)
        if code is not None and code >= 500:
            _record(delivery, claim, outcome, "failed", status=Delivery.Status.FAILED, last_error=describe(exc))
        else:
            _retry_or_fail(delivery, claim, exc, outcome)
        return not outcome.claim_lost
    except (smtplib.SMTPException, OSError) as exc:
        # The connection broke, maybe after the server took the message: send it again
        # later (same Message-ID) and give the rest of the batch back.
        logger.warning("SMTP connection lost during delivery %s: %s", delivery.pk, describe(exc))
        _retry_or_fail(delivery, claim, exc, outcome)
        outcome.connection_failed = True
        return False
    if _mark_sent(delivery.pk, claim):
        outcome.sent += 1
        return True
    logger.error("lost the claim on delivery %s; stopping this batch", delivery.pk)
    outcome.claim_lost = True
    return False


def _transmit(connection, message) -> None:
    """Send one message as one SMTP transaction over the batch's open connection.

    A prepared notice over Django's SMTP backend goes straight to its smtplib connection
    with the envelope worked out when it was composed: the same sendmail() call that
    send_messages() makes, without re-deriving the envelope between two transactions
    (a relay kept idle answers the next command more slowly). Anything else, and every
    other backend, goes through send_messages().
    """
    smtp = getattr(connection, "connection", None)
    if isinstance(message, PreparedNotice) and isinstance(smtp, smtplib.SMTP):
        smtp.sendmail(message.envelope_from, [message.envelope_to], message.raw)
    else:
        connection.send_messages([message])


@functools.cache
def _mark_sent_sql() -> str:
    qn = db.ops.quote_name
    # Identifiers only come from the model; every value is a query parameter.
    return (
        f"UPDATE {qn(Delivery._meta.db_table)} SET {qn('status')} = %s, {qn('sent_at')} = %s, "  # noqa: S608
        f"{qn('updated_at')} = %s, {qn('attempts')} = {qn('attempts')} + 1, {qn('last_error')} = '', "
        f"{qn('claim_token')} = '', {qn('claimed_at')} = NULL "
        f"WHERE {qn('id')} = %s AND {qn('claim_token')} = %s AND {qn('status')} = %s"
    )


def _mark_sent(pk: int, claim: str) -> bool:
    """Commit "sent" for one row while our claim stands: the hot path, so one plain UPDATE.

    The ORM would spend longer building this statement than the database spends running
    it, and this runs once per message, between two SMTP transactions.
    """
    now = timezone.now()
    with db.cursor() as cursor:
        cursor.execute(_mark_sent_sql(), [Delivery.Status.SENT, now, now, pk, claim, Delivery.Status.SENDING])
        return cursor.rowcount == 1


def _record(delivery: Delivery, claim: str, outcome: BatchOutcome, counter: str, **fields) -> None:
    """Commit one row's outcome, only while our claim on it stands."""
    updated = Delivery.objects.filter(pk=delivery.pk, claim_token=claim, status=Delivery.Status.SENDING).update(
        claim_token="", claimed_at=None, **fields
    )
    if updated:
        setattr(outcome, counter, getattr(outcome, counter) + 1)
    else:
        # Recovery took the claim (this worker overran its lease): stop, the new owner resends.
        logger.error("lost the claim on delivery %s; stopping this batch", delivery.pk)
        outcome.claim_lost = True


def _retry_or_fail(delivery: Delivery, claim: str, exc: BaseException, outcome: BatchOutcome) -> None:
    delays = settings.SUBSCRIPTIONS_RETRY_DELAYS
    attempts = delivery.attempts + 1
    if attempts > len(delays):
        _record(
            delivery,
            claim,
            outcome,
            "failed",
            status=Delivery.Status.FAILED,
            attempts=attempts,
            last_error=describe(exc),
        )
        return
    _record(
        delivery,
        claim,
        outcome,
        "retried",
        status=Delivery.Status.PENDING,
        attempts=attempts,
        last_error=describe(exc),
        next_attempt_at=timezone.now() + datetime.timedelta(seconds=delays[attempts - 1]),
    )


def _release(rest: list[Delivery], claim: str) -> None:
    """Give back rows that were claimed but never attempted."""
    if rest:
        Delivery.objects.filter(
            pk__in=[delivery.pk for delivery in rest], claim_token=claim, status=Delivery.Status.SENDING
        ).update(status=Delivery.Status.PENDING, claim_token="", claimed_at=None)
