"""The admin: campaigns with their counts and progress, failed deliveries, retry, subscribers."""

import smtplib

import pytest
from bs4 import BeautifulSoup
from django.core import mail

from subscriptions.models import Campaign, Delivery
from tests.tasks import run_due_tasks

from .backends import ScriptedBackend

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_campaign(material_draft, subscribers, publish, settings):
    settings.EMAIL_BACKEND = "tests.subscriptions.backends.ScriptedBackend"
    ScriptedBackend.reset()
    address = subscribers[0].email
    ScriptedBackend.errors[address] = [smtplib.SMTPRecipientsRefused({address: (550, b"mailbox unavailable")})]
    publish(material_draft)
    yield Campaign.objects.get()
    ScriptedBackend.reset()


def test_campaign_list_shows_counts_and_progress(admin_client, failed_campaign):
    response = admin_client.get("/admin/subscriptions/campaign/")
    assert response.status_code == 200
    row = BeautifulSoup(response.content, "html.parser").select_one("#result_list tbody tr")
    cells = [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
    assert "100%" in " ".join(cells)
    assert "7" in cells and "1" in cells  # sent, failed
    failed_link = row.select_one('a[href*="status__exact=failed"]')
    listing = admin_client.get(failed_link["href"])
    assert listing.status_code == 200
    assert "mailbox unavailable" in listing.content.decode()
    detail = admin_client.get(f"/admin/subscriptions/campaign/{failed_campaign.pk}/change/")
    assert detail.status_code == 200


def test_retry_failed_action_sends_the_failed_ones_once(admin_client, failed_campaign):
    assert len(mail.outbox) == 7
    response = admin_client.post(
        "/admin/subscriptions/campaign/",
        {"action": "retry_failed", "_selected_action": [failed_campaign.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 delivery queued again." in response.content.decode()
    assert len(mail.outbox) == 7  # queued, not sent by the request
    assert ("campaign_send", "done") in run_due_tasks()
    assert len(mail.outbox) == 8
    assert not Delivery.objects.filter(status="failed").exists()


def test_retry_selected_deliveries_and_resume(admin_client, failed_campaign):
    failed = Delivery.objects.get(status="failed")
    admin_client.post(
        "/admin/subscriptions/delivery/", {"action": "retry", "_selected_action": [failed.pk]}, follow=True
    )
    run_due_tasks()
    failed.refresh_from_db()
    assert failed.status == "sent"
    response = admin_client.post(
        "/admin/subscriptions/campaign/",
        {"action": "resume", "_selected_action": [failed_campaign.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert run_due_tasks() == []  # a finished campaign is not queued again
    assert len(mail.outbox) == 8


def test_campaigns_cannot_be_added_or_deleted_by_hand(admin_client, failed_campaign):
    assert admin_client.get("/admin/subscriptions/campaign/add/").status_code == 403
    assert admin_client.get(f"/admin/subscriptions/campaign/{failed_campaign.pk}/delete/").status_code == 403


def test_subscriber_admin_search_and_unsubscribe_action(admin_client, subscribers):
    response = admin_client.get("/admin/subscriptions/subscriber/?q=READER3@EXAMPLE.COM")
    assert response.status_code == 200
    assert "reader3@example.com" in response.content.decode()
    assert "reader4@example.com" not in response.content.decode()
    admin_client.post(
        "/admin/subscriptions/subscriber/",
        {"action": "unsubscribe", "_selected_action": [subscribers[3].pk]},
        follow=True,
    )
    subscribers[3].refresh_from_db()
    assert not subscribers[3].is_active
    assert admin_client.get("/admin/subscriptions/subscriber/add/").status_code == 403


def test_subscribers_cannot_be_deleted_by_hand_taking_the_record_of_who_was_told(admin_client, failed_campaign):
    # Deleting a subscriber would cascade to their deliveries: the proof that the change
    # notice was sent. Unsubscribing keeps it; erasure goes through a deletion request.
    sent = Delivery.objects.filter(status="sent").select_related("subscriber").first()
    subscriber = sent.subscriber
    assert admin_client.get(f"/admin/subscriptions/subscriber/{subscriber.pk}/delete/").status_code == 403
    admin_client.post(
        "/admin/subscriptions/subscriber/",
        {"action": "delete_selected", "_selected_action": [subscriber.pk], "post": "yes"},
    )
    assert Delivery.objects.filter(pk=sent.pk).exists()


def test_failed_notices_of_a_withdrawn_version_are_not_queued_again(
    admin_client, failed_campaign, django_capture_on_commit_callbacks
):
    from notices import services as notices_services

    with django_capture_on_commit_callbacks(execute=True):
        notices_services.version_withdraw(version=failed_campaign.version, reason="Published by mistake.")
    failed = Delivery.objects.get(campaign=failed_campaign, status="failed")
    response = admin_client.post(
        "/admin/subscriptions/campaign/",
        {"action": "retry_failed", "_selected_action": [failed_campaign.pk]},
        follow=True,
    )
    # The officer is not told it was queued, and the row never becomes sendable: a worker
    # still sending the campaign would send it, and the correction's list is already made.
    assert [str(m) for m in response.context["messages"]] == ["0 deliveries queued again."]
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_a_privacy_officer_reads_a_subscribers_history_and_unsubscribes_them(client, subscribers):
    # The DPO handles objections and opt-outs: the subscriber's page (with its consent
    # history) and "Unsubscribe" are theirs, not only a superuser's. Nothing else changes.
    from django.contrib.auth.models import Group, User

    officer = User.objects.create_user("dpo", "dpo@example.com", "pw", is_staff=True)
    officer.groups.add(Group.objects.get(name="Privacy officers"))
    client.force_login(officer)
    subscriber = subscribers[3]
    assert client.get("/admin/subscriptions/subscriber/?q=reader3@example.com").status_code == 200
    page = client.get(f"/admin/subscriptions/subscriber/{subscriber.pk}/change/")
    assert page.status_code == 200
    # The language is the one the address confirmed with: shown, not edited by hand.
    assert BeautifulSoup(page.content, "html.parser").select_one("select[name=language]") is None
    client.post(f"/admin/subscriptions/subscriber/{subscriber.pk}/change/", {"language": "ko"})
    client.post("/admin/subscriptions/subscriber/", {"action": "unsubscribe", "_selected_action": [subscriber.pk]})
    subscriber.refresh_from_db()
    assert not subscriber.is_active and subscriber.language == "ja"  # as confirmed
    assert [(e.kind, e.via) for e in subscriber.events.all()] == [("unsubscribed", "admin")]
    assert client.get("/admin/subscriptions/subscriber/add/").status_code == 403
    assert client.get(f"/admin/subscriptions/subscriber/{subscriber.pk}/delete/").status_code == 403
    assert client.get("/admin/subscriptions/campaign/").status_code == 403  # sending is the publishers'
