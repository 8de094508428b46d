"""Campaigns: created by publishing a material version, sent once, retried, recovered."""

import datetime
import email
import email.header
import smtplib

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.utils import timezone

from notices import services as notices_services
from notices.models import PolicyVersion
from notices.source import parse_policy_text
from subscriptions import delivery, services, tokens
from subscriptions.models import Campaign, Delivery, Subscriber, UnsubscribeLink
from tests.notices.factories import policy_text
from tests.tasks import run_due_tasks

from .conftest import make_subscribers
from .test_fault import free_port

pytestmark = pytest.mark.django_db


def run_again(campaign):
    """Run the campaign under its current token: what its next queued run does when it comes."""
    campaign.refresh_from_db()
    return delivery.campaign_run(campaign_id=campaign.pk, run_token=campaign.run_token)


def counts(campaign):
    found = Campaign.objects.with_counts().get(pk=campaign.pk)
    return {s.value: getattr(found, f"{s.value}_count") for s in Delivery.Status if getattr(found, f"{s.value}_count")}


def test_publishing_a_material_version_emails_every_subscriber_once(material_draft, subscribers, publish):
    publish(material_draft)
    campaign = Campaign.objects.get(version=material_draft)
    assert campaign.status == Campaign.Status.DONE and campaign.started_at and campaign.finished_at
    assert counts(campaign) == {"sent": 8}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in subscribers)
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} == {
        d.message_id for d in Delivery.objects.filter(campaign=campaign)
    }
    # Running it again, or resuming it, sends nothing more.
    assert run_again(campaign) == "superseded"
    services.campaign_resume(campaign=campaign)
    assert run_due_tasks() == [("campaign_send", "done")]
    assert len(mail.outbox) == 8


def test_publishing_without_a_material_change_or_the_launch_content_sends_nothing(
    launch_content, django_capture_on_commit_callbacks
):
    make_subscribers(3)
    source = parse_policy_text(policy_text(effective_date="2031-05-01", material="false"), path="x.md")
    with django_capture_on_commit_callbacks(execute=True):
        notices_services.policy_import(source=source, publish=True)
    assert PolicyVersion.objects.published().filter(effective_date=datetime.date(2031, 5, 1)).exists()
    assert Campaign.objects.count() == 0
    assert mail.outbox == []


def test_a_historical_material_version_is_recorded_without_a_notice(material_draft, subscribers):
    # Recording a version that already took effect elsewhere tells nobody about the past.
    with time_machine.travel(datetime.datetime(2031, 3, 2, tzinfo=datetime.timezone.utc)):
        notices_services.version_publish(version=material_draft, historical=True)
    assert PolicyVersion.objects.get(pk=material_draft.pk).is_published
    assert Campaign.objects.count() == 0 and mail.outbox == []


def test_a_notice_that_cannot_be_created_rolls_the_publish_back(material_draft, subscribers, publish, monkeypatch):
    def broken(*, version):
        raise DatabaseError("campaign table unavailable")

    monkeypatch.setattr(services, "campaign_create", broken)
    with pytest.raises(DatabaseError, match="campaign table unavailable"):
        publish(material_draft)
    # Never a material version published without its change notice.
    assert PolicyVersion.objects.get(pk=material_draft.pk).status == PolicyVersion.Status.DRAFT
    assert Campaign.objects.count() == 0 and mail.outbox == []


def test_a_campaign_for_an_unpublished_or_non_material_version_is_refused(material_draft, launch_content):
    with pytest.raises(services.CampaignRefused):
        services.campaign_create(version=material_draft)
    launch = PolicyVersion.objects.published().get(effective_date=datetime.date(2025, 9, 2))
    with pytest.raises(services.CampaignRefused):
        services.campaign_create(version=launch)
    assert Campaign.objects.count() == 0


def test_notify_subscribers_command(material_draft, publish, subscribers):
    with pytest.raises(CommandError, match="published"):
        call_command("notify_subscribers", "2031-03-01")
    with pytest.raises(CommandError, match="material"):
        call_command("notify_subscribers", "2025-09-02")
    with pytest.raises(CommandError, match="no version"):
        call_command("notify_subscribers", "2031-03-02")
    with pytest.raises(CommandError, match="not a date"):
        call_command("notify_subscribers", "yesterday")
    publish(material_draft)
    assert len(mail.outbox) == 8
    call_command("notify_subscribers", "2031-03-01", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert run_due_tasks() == [("campaign_send", "done")]  # resumed, nothing left to send
    assert len(mail.outbox) == 8


def test_unsubscribed_before_sending_and_subscribed_after_listing_get_nothing(
    material_draft, subscribers, scripted, publish, django_capture_on_commit_callbacks
):
    scripted.refuse_connect = ConnectionRefusedError("relay down")
    publish(material_draft)  # lists the recipients, then cannot connect
    campaign = Campaign.objects.get()
    services.subscriber_unsubscribe(subscriber_id=subscribers[0].pk)
    make_subscribers(1, prefix="late")
    scripted.refuse_connect = None
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        while run_again(campaign) != "done":
            pass
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(s.email for s in subscribers[1:])
    assert counts(campaign) == {"sent": 7, "cancelled": 1}


def test_each_batch_uses_one_smtp_connection(material_draft, scripted, publish, settings):
    settings.SUBSCRIPTIONS_BATCH_SIZE = 4
    make_subscribers(10)
    publish(material_draft)
    assert len(mail.outbox) == 10
    assert scripted.opened == 3


def test_transient_errors_are_retried_with_backoff_then_sent(material_draft, subscribers, scripted, publish):
    address = subscribers[2].email
    scripted.errors[address] = [
        smtplib.SMTPRecipientsRefused({address: (450, b"mailbox busy")}),
        smtplib.SMTPDataError(421, b"try later"),
    ]
    publish(material_draft)
    campaign = Campaign.objects.get()
    row = Delivery.objects.get(subscriber=subscribers[2])
    assert (row.status, row.attempts) == ("pending", 1)
    assert "mailbox busy" in row.last_error
    assert row.next_attempt_at > timezone.now() + datetime.timedelta(seconds=settings.SUBSCRIPTIONS_RETRY_DELAYS[0] - 5)
    assert campaign.status == Campaign.Status.SENDING
    assert run_again(campaign) == "waiting"  # not due yet: nothing is hammered
    assert len(mail.outbox) == 7

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        run_again(campaign)
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 2)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        assert run_again(campaign) == "done"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "")
    assert [m.to[0] for m in mail.outbox].count(address) == 1


def test_permanent_errors_fail_at_once_and_retry_failed_sends_them(material_draft, subscribers, scripted, publish):
    address = subscribers[1].email
    scripted.errors[address] = [smtplib.SMTPRecipientsRefused({address: (550, b"no such user")})]
    publish(material_draft)
    campaign = Campaign.objects.get()
    assert campaign.status == Campaign.Status.DONE
    row = Delivery.objects.get(subscriber=subscribers[1])
    assert (row.status, row.attempts) == ("failed", 0)
    assert "550" in row.last_error and "no such user" in row.last_error
    assert services.campaign_retry_failed(campaign=campaign) == 1
    assert run_due_tasks() == [("campaign_send", "done")]
    row.refresh_from_db()
    campaign.refresh_from_db()
    assert row.status == "sent" and campaign.status == Campaign.Status.DONE
    assert [m.to[0] for m in mail.outbox].count(address) == 1


def test_transient_errors_end_in_failed_after_the_last_delay(material_draft, subscribers, scripted, publish, settings):
    settings.SUBSCRIPTIONS_RETRY_DELAYS = [10, 20]
    address = subscribers[0].email
    scripted.errors[address] = [smtplib.SMTPServerDisconnected("gone")] * 3
    publish(material_draft)
    campaign = Campaign.objects.get()
    for hours in (1, 2, 3):  # a lost connection also holds back the rest of its batch
        with time_machine.travel(timezone.now() + datetime.timedelta(hours=hours)):
            run_again(campaign)
    row = Delivery.objects.get(subscriber=subscribers[0])
    assert (row.status, row.attempts) == ("failed", 3)
    assert "SMTPServerDisconnected" in row.last_error
    assert Campaign.objects.get().status == Campaign.Status.DONE
    assert counts(campaign) == {"sent": 7, "failed": 1}


def test_a_lost_connection_gives_back_the_rest_of_the_batch(material_draft, subscribers, scripted, publish):
    scripted.errors[subscribers[3].email] = [ConnectionResetError("reset by peer")]
    publish(material_draft)
    campaign = Campaign.objects.get()
    assert counts(campaign) == {"sent": 3, "pending": 5}
    row = Delivery.objects.get(subscriber=subscribers[3])
    assert row.attempts == 1 and Delivery.objects.filter(attempts=0, status="pending").count() == 4
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        assert run_again(campaign) == "done"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in subscribers)


def test_a_message_that_cannot_be_built_fails_alone(material_draft, subscribers, publish):
    # Written straight to the database, bypassing the form: a header injection attempt.
    Subscriber.objects.filter(pk=subscribers[0].pk).update(email="evil@example.com\r\nBcc: all@example.org")
    publish(material_draft)
    row = Delivery.objects.get(subscriber=subscribers[0])
    assert row.status == "failed"
    assert len(mail.outbox) == 7
    # No injected header or recipient reached any message. (Not a search for "Bcc" in the
    # raw text: a base64 body with a per-subscriber token contains it now and then.)
    for message in mail.outbox:
        raw = message.message().as_string()
        assert email.message_from_string(raw)["Bcc"] is None and message.recipients() == message.to
        assert "all@example.org" not in raw


def test_a_dead_workers_claim_is_recovered_and_its_in_flight_message_resent_once(
    material_draft, subscribers, scripted, publish, settings
):
    settings.SUBSCRIPTIONS_BATCH_SIZE = 5
    scripted.refuse_connect = ConnectionRefusedError("not yet")
    publish(material_draft)
    campaign = Campaign.objects.get()
    Delivery.objects.update(status="pending", attempts=0, next_attempt_at=timezone.now())
    # A worker claims five rows, sends the first two, records one, and is killed.
    batch, claim = delivery.deliveries_claim(campaign=campaign, size=5)
    Delivery.objects.filter(pk=batch[0].pk).update(status="sent", claim_token="", sent_at=timezone.now())
    scripted.refuse_connect = None
    assert run_again(campaign) == "waiting"  # the claim is still within its lease: left alone
    assert Delivery.objects.filter(claim_token=claim).count() == 4
    with time_machine.travel(timezone.now() + delivery.lease() + datetime.timedelta(seconds=1)):
        # Once the lease has run out, recovery flags the one row that was on the wire...
        assert delivery.deliveries_recover(campaign=campaign) == 4
        in_flight = Delivery.objects.get(pk=batch[1].pk)
        assert (in_flight.status, in_flight.interrupted, in_flight.attempts) == ("pending", 1, 1)
        assert in_flight.last_error == delivery.IN_FLIGHT_NOTE
        never_tried = Delivery.objects.filter(pk__in=[row.pk for row in batch[2:]])
        # (the rows after it were never attempted: simply pending again)
        assert list(never_tried.values_list("status", "attempts", "interrupted")) == [("pending", 0, 0)] * 3
        assert run_again(campaign) == "done"
    # ...and re-sends it once, under the Message-ID the dead worker used. Sent, it carries no
    # error; the interrupted count keeps the history.
    in_flight.refresh_from_db()
    assert (in_flight.status, in_flight.interrupted, in_flight.attempts, in_flight.last_error) == ("sent", 1, 2, "")
    (resent,) = [m for m in mail.outbox if m.to == [in_flight.subscriber.email]]
    assert resent.extra_headers["Message-ID"] == in_flight.message_id
    assert Delivery.objects.filter(interrupted__gt=0).count() == 1
    assert counts(campaign) == {"sent": 8}
    assert len(mail.outbox) == 7  # the row marked sent above was "sent" by the dead worker
    assert batch[0].subscriber.email not in [m.to[0] for m in mail.outbox]


def test_a_superseded_run_does_nothing(material_draft, subscribers, scripted, publish):
    scripted.refuse_connect = ConnectionRefusedError("down")
    publish(material_draft)
    campaign = Campaign.objects.get()
    assert delivery.campaign_run(campaign_id=campaign.pk, run_token="stale") == "superseded"
    assert mail.outbox == []


def test_the_notice_in_each_language(material_draft, launch_content, publish):
    make_subscribers(4)
    publish(material_draft)
    campaign = Campaign.objects.get()
    by_language = {Subscriber.objects.get(email=m.to[0]).language: m for m in mail.outbox}
    assert set(by_language) == {"en", "ko", "zh-hans", "ja"}
    subjects = {lang: m.subject for lang, m in by_language.items()}
    assert subjects["en"] == "Alibaba Cloud: Our Privacy Policy is changing on March 1, 2031"
    assert "2031" in subjects["ko"] and subjects["ko"] != subjects["en"]
    assert subjects["ja"].startswith("2031年3月1日") or "2031年3月1日" in subjects["ja"]
    for language, message in by_language.items():
        subscriber = Subscriber.objects.get(email=message.to[0])
        parsed = email.message_from_bytes(message.message().as_bytes())
        assert parsed.get_content_type() == "multipart/alternative"
        text_part, html_part = parsed.get_payload()
        assert text_part.get_content_type() == "text/plain" and html_part.get_content_type() == "text/html"
        text = text_part.get_payload(decode=True).decode()
        html = html_part.get_payload(decode=True).decode()
        prefix = f"{settings.SITE_URL}/{language}/privacy"
        unsubscribe = "".join(parsed["List-Unsubscribe"].split()).strip("<>")  # unfolded
        token = unsubscribe.removeprefix(f"{prefix}/unsubscribe/").removesuffix("/")
        link = UnsubscribeLink.objects.get(token_hash=tokens.digest(token.split(":")[0]))
        assert link.subscriber == subscriber
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        delivery = Delivery.objects.get(campaign=campaign, subscriber=subscriber)
        assert parsed["Message-ID"] == delivery.message_id
        assert parsed["Content-Language"] == language
        assert str(email.header.make_header(email.header.decode_header(parsed["From"]))) == message.from_email
        assert email.utils.parseaddr(parsed["From"])[1] == "privacy@localhost"
        for body in (text, html):
            assert unsubscribe in body
            assert f"{prefix}/versions/2031-03-01/" in body
            assert f"{prefix}/versions/2025-09-02/diff/2031-03-01/" in body
        assert f'lang="{language}"' in html
    assert "로그를 30일 동안 보관합니다." in by_language["ko"].body
    # No Japanese summary: the English one, marked as such.
    ja_html = by_language["ja"].alternatives[0].content
    assert "We now keep logs for 30 days." in by_language["ja"].body
    assert '<div lang="en">' in ja_html
    assert "We now keep logs" in by_language["en"].body


def test_the_unsubscribe_link_in_a_notice_works(material_draft, subscribers, publish, client):
    publish(material_draft)
    message = mail.outbox[0]
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    response = client.post(url.removeprefix(settings.SITE_URL), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not Subscriber.objects.get(email=message.to[0]).is_active


def unfolded(message):
    """Headers as a reader sees them, without the date of composing or the random MIME boundary."""
    return [(k, " ".join(v.split())) for k, v in message.items() if k not in {"Date", "Content-Type"}]


def test_a_prepared_notice_is_the_message_django_would_build(material_draft, publish):
    from django.core.mail import EmailMultiAlternatives

    make_subscribers(4)
    publish(material_draft)
    for sent in mail.outbox:
        prepared = email.message_from_bytes(sent.message().as_bytes())
        ordinary = email.message_from_bytes(EmailMultiAlternatives.message(sent).as_bytes())
        assert unfolded(prepared) == unfolded(ordinary)
        assert [p.get_payload(decode=True) for p in prepared.get_payload()] == [
            p.get_payload(decode=True) for p in ordinary.get_payload()
        ]


def test_a_campaign_through_a_real_smtp_server(material_draft, subscribers, publish, settings):
    """Django's SMTP backend against aiosmtpd on loopback: the path the workers use."""
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.mail_from, envelope.rcpt_tos, envelope.original_content))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        publish(material_draft)
    finally:
        controller.stop()
    assert sorted(rcpt[0] for _sender, rcpt, _data in received) == sorted(s.email for s in subscribers)
    for sender, (recipient,), data in received:
        parsed = email.message_from_bytes(data)
        assert sender == "privacy@localhost"
        assert parsed["To"] == recipient
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert parsed.is_multipart()
    assert counts(Campaign.objects.get()) == {"sent": 8}
