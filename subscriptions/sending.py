"""Sending one claimed batch over one SMTP connection, recording each message's outcome at once."""

import contextlib
import datetime
import logging
import smtplib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import get_connection
from django.db.models import F
from django.utils import timezone

from .emails import NoticeComposer
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
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("SMTP connection failed: %s", describe(exc))
        for delivery in batch:
            _retry_or_fail(delivery, claim, exc, outcome)
        outcome.connection_failed = True
        return outcome

    # A claim is handed back after half the lease, so no live claim ever looks abandoned.
    hand_back_at = time.monotonic() + settings.SUBSCRIPTIONS_DELIVERY_LEASE_SECONDS / 2
    try:
        for index, delivery in enumerate(batch):
            if time.monotonic() > hand_back_at:
                _release(batch[index:], claim)
                break
            if not _send_one(connection, delivery, claim, composer, outcome):
                _release(batch[index + 1 :], claim)
                break
    finally:
        # The messages are recorded already; a failing QUIT changes nothing.
        with contextlib.suppress(smtplib.SMTPException, OSError):
            connection.close()
    return outcome


def _send_one(connection, delivery: Delivery, claim: str, composer, outcome: BatchOutcome) -> bool:
    """Send one message and commit its outcome; False when the rest of the batch must stop."""
    if not delivery.subscriber.is_active:
        _record(delivery, claim, outcome, "cancelled", status=Delivery.Status.CANCELLED)
        return not outcome.claim_lost
    try:
        message = composer.message(delivery)
    except Exception as exc:  # a message that cannot be built never will be: fail this row only
        logger.exception("cannot build the notice for delivery %s", delivery.pk)
        _record(delivery, claim, outcome, "failed", status=Delivery.Status.FAILED, last_error=describe(exc))
        return not outcome.claim_lost
    try:
        connection.send_messages([message])
    except ValueError as exc:
        # Raised while serialising, before any byte is sent: an address or header with a
        # line break (injection) or otherwise unusable. It will never succeed.
        _record(delivery, claim, outcome, "failed", status=Delivery.Status.FAILED, last_error=describe(exc))
        return not outcome.claim_lost
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as exc:
        # The server answered: the connection is still usable (smtplib sent RSET).
        code = smtp_code(exc)
        if code is not None and code >= 500:
            _record(
                delivery, claim, outcome, "failed", status=Delivery.Status.FAILED, last_error=describe(exc)
            )
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
    _record(
        delivery,
        claim,
        outcome,
        "sent",
        status=Delivery.Status.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
    )
    return not outcome.claim_lost


def _record(delivery: Delivery, claim: str, outcome: BatchOutcome, counter: str, **fields) -> None:
    """Commit one row's outcome, only while our claim on it stands."""
    updated = Delivery.objects.filter(
        pk=delivery.pk, claim_token=claim, status=Delivery.Status.SENDING
    ).update(claim_token="", claimed_at=None, **fields)
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
