"""The guard, the lease and lost claims, with a task queue that defers (DummyBackend).

The fault test shows the same with real worker processes and SIGKILL; these show each path
on its own, in the unit suite: every queued run has a guard, a killed run is resumed by it
once the lease has passed, a run hands its claim back after half the lease, and a worker
whose claim was recovered from under it stops without recording anything more.
"""

import datetime
import smtplib
import types

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.checks import Error
from django.utils import timezone

from notices import services as notices_services
from subscriptions import delivery, sending
from subscriptions.checks import task_backend_check
from subscriptions.emails import NoticeComposer
from subscriptions.models import Campaign, Delivery
from tests.tasks import queued, run_due_tasks

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """The worker process dies (SIGKILL): nothing after this point runs, not even except: blocks."""


@pytest.fixture
def frozen():
    """The clock stands still, so queued times can be compared exactly."""
    with time_machine.travel(timezone.now(), tick=False):
        yield timezone.now()


@pytest.fixture
def published(material_draft, subscribers, frozen, django_capture_on_commit_callbacks):
    """The material version published and committed; its campaign queued, nothing run yet."""
    with django_capture_on_commit_callbacks(execute=True):
        notices_services.version_publish(version=material_draft)
    return Campaign.objects.get(version=material_draft)


def schedule(campaign):
    return sorted(
        ((r.task.run_after, tuple(r.args)) for r in queued(name="campaign_send")),
        key=lambda item: item[0] or datetime.datetime.min.replace(tzinfo=datetime.timezone.utc),
    )


def test_a_campaign_is_queued_on_commit_with_a_guard_for_when_the_lease_has_passed(
    material_draft, subscribers, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notices_services.version_publish(version=material_draft)
    assert queued() == []  # nothing reaches a worker before the publish commits
    for callback in callbacks:
        callback()
    campaign = Campaign.objects.get()
    token = campaign.run_token
    assert schedule(campaign) == [(None, (campaign.pk, token)), (frozen + delivery.lease(), (campaign.pk, token))]
    assert run_due_tasks() == [("campaign_send", "done")]  # the guard is not due yet
    assert len(mail.outbox) == 8


def test_a_killed_run_is_resumed_by_its_guard_once_the_lease_has_passed(published, subscribers, scripted, settings):
    settings.SUBSCRIPTIONS_BATCH_SIZE = 5
    victim = subscribers[2]
    scripted.errors[victim.email] = [WorkerKilled()]  # dies with the third message on the wire
    with pytest.raises(WorkerKilled):
        run_due_tasks()
    assert [m.to[0] for m in mail.outbox] == [s.email for s in subscribers[:2]]
    statuses = list(Delivery.objects.order_by("subscriber_id").values_list("status", flat=True))
    assert statuses == ["sent"] * 2 + ["sending"] * 3 + ["pending"] * 3
    assert run_due_tasks() == []  # the dead run holds its claim; its guard waits for the lease

    with time_machine.travel(timezone.now() + delivery.lease() + datetime.timedelta(seconds=1), tick=False):
        # The guard queued with the run is stale (that run took its turn before dying); the
        # guard the run queued as it started resumes the campaign.
        assert run_due_tasks() == [("campaign_send", "superseded"), ("campaign_send", "done")]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in subscribers)
    in_flight = Delivery.objects.get(subscriber=victim)
    assert (in_flight.status, in_flight.interrupted) == ("sent", 1)
    assert Campaign.objects.get().status == Campaign.Status.DONE

    # The guard queued by the run that finished finds nothing to do when its time comes.
    with time_machine.travel(timezone.now() + 3 * delivery.lease(), tick=False):
        assert run_due_tasks() == [("campaign_send", "superseded")]
    assert len(mail.outbox) == 8


def test_an_unreachable_relay_defers_the_next_run(published, subscribers, scripted, frozen):
    scripted.refuse_connect = ConnectionRefusedError("relay down")
    assert run_due_tasks() == [("campaign_send", "waiting")]
    campaign = Campaign.objects.get()
    retry_at = frozen + datetime.timedelta(seconds=settings.SUBSCRIPTIONS_RETRY_DELAYS[0])
    token = campaign.run_token
    assert (retry_at, (campaign.pk, token)) in schedule(campaign)
    assert (retry_at + delivery.lease(), (campaign.pk, token)) in schedule(campaign)  # its guard
    scripted.refuse_connect = None
    assert run_due_tasks() == []  # not before its time
    with time_machine.travel(retry_at, tick=False):
        assert ("campaign_send", "done") in run_due_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in subscribers)


@pytest.fixture
def claimed(published, scripted):
    """A worker's claim on the first five deliveries, and the composer it sends them with."""
    campaign = Campaign.objects.select_related("version").get()
    delivery.deliveries_populate(campaign=campaign)
    batch, claim = delivery.deliveries_claim(campaign=campaign, size=5)
    assert len(batch) == 5
    return campaign, batch, claim, NoticeComposer(campaign)


def test_a_run_hands_back_the_rest_of_its_claim_after_half_the_lease(claimed, monkeypatch):
    _campaign, batch, claim, composer = claimed
    half = settings.SUBSCRIPTIONS_DELIVERY_LEASE_SECONDS / 2
    # The worker's clock passes half the lease once two messages are out.
    clock = types.SimpleNamespace(monotonic=lambda: 1000.0 + (half + 1 if len(mail.outbox) >= 2 else 0))
    monkeypatch.setattr(sending, "time", clock)
    outcome = sending.batch_send(batch=batch, claim=claim, composer=composer)
    assert (outcome.sent, outcome.claim_lost, outcome.connection_failed) == (2, False, False)
    rows = Delivery.objects.filter(pk__in=[d.pk for d in batch]).order_by("pk")
    assert list(rows.values_list("status", "claim_token", "attempts")) == [
        ("sent", "", 1),
        ("sent", "", 1),
        ("pending", "", 0),
        ("pending", "", 0),
        ("pending", "", 0),
    ]
    assert len(mail.outbox) == 2


def recover_claim(claim):
    """What deliveries_recover does to a claim whose lease has run out."""
    return lambda: Delivery.objects.filter(claim_token=claim).update(
        status=Delivery.Status.PENDING, claim_token="", claimed_at=None
    )


@pytest.mark.parametrize("answer", ["accepted", "refused"])
def test_a_worker_whose_claim_was_recovered_stops_and_records_nothing_more(claimed, scripted, answer):
    campaign, batch, claim, composer = claimed
    second = batch[1].subscriber
    # While the second message is on the wire, another run recovers the claim (this worker
    # overran its lease); the server then accepts the message, or refuses it for good.
    scripted.during[second.email] = recover_claim(claim)
    if answer == "refused":
        scripted.errors[second.email] = [smtplib.SMTPRecipientsRefused({second.email: (550, b"no such user")})]
    outcome = sending.batch_send(batch=batch, claim=claim, composer=composer)
    assert outcome.claim_lost and outcome.sent == 1 and outcome.failed == 0
    rows = Delivery.objects.filter(pk__in=[d.pk for d in batch]).order_by("pk")
    # The second row is left as recovery left it (pending, for its new owner, neither sent
    # nor failed by us), and the rest of the batch was never attempted.
    assert list(rows.values_list("status", "attempts", "last_error")) == [("sent", 1, "")] + [("pending", 0, "")] * 4
    on_the_wire = [second.email] if answer == "accepted" else []
    assert [m.to[0] for m in mail.outbox] == [batch[0].subscriber.email, *on_the_wire]

    # The new owner sends the rest; the message that was on the wire goes again, unchanged.
    scripted.errors.clear()
    delivery.campaign_run(campaign_id=campaign.pk, run_token=Campaign.objects.get().run_token)
    to_second = [m for m in mail.outbox if m.to == [second.email]]
    assert len(to_second) == (2 if answer == "accepted" else 1)
    expected = Delivery(campaign=campaign, subscriber=second).message_id
    assert {m.extra_headers["Message-ID"] for m in to_second} == {expected}
    assert Delivery.objects.filter(campaign=campaign, status="sent").count() == 8


def test_a_task_backend_that_cannot_defer_is_refused_by_a_check(settings):
    assert task_backend_check() == []
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    (error,) = task_backend_check()
    assert isinstance(error, Error) and error.id == "subscriptions.E001"
    assert "ImmediateBackend" in error.msg
