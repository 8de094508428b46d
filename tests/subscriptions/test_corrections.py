"""A withdrawn version (issue 11): its notice stops, and whoever was sent it gets one correction."""

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.utils import timezone

from notices import hooks
from notices import services as notices_services
from subscriptions.models import Campaign, Delivery
from tests.tasks import run_due_tasks

from .conftest import make_subscribers

pytestmark = pytest.mark.django_db


def withdraw(version, django_capture_on_commit_callbacks, reason="Published by mistake."):
    with django_capture_on_commit_callbacks(execute=True):
        notices_services.version_withdraw(version=version, reason=reason)
    return run_due_tasks()


def test_everyone_sent_the_notice_gets_one_correction_in_their_language(
    material_draft, subscribers, publish, django_capture_on_commit_callbacks
):
    publish(material_draft)
    assert len(mail.outbox) == 8
    mail.outbox.clear()
    withdraw(material_draft, django_capture_on_commit_callbacks)
    correction = Campaign.objects.get(version=material_draft, kind=Campaign.Kind.CORRECTION)
    assert correction.status == Campaign.Status.DONE
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in subscribers)
    by_address = {m.to[0]: m for m in mail.outbox}
    korean = next(s for s in subscribers if s.language == "ko")
    english = next(s for s in subscribers if s.language == "en")
    assert "Correction" in by_address[english.email].subject
    assert "Published by mistake." in by_address[english.email].body
    assert by_address[korean.email].extra_headers["Content-Language"] == "ko"
    assert "정정" in by_address[korean.email].subject
    # nothing more is sent by running either campaign again
    assert run_due_tasks() == []
    assert len(mail.outbox) == 8


def test_a_notice_not_yet_sent_is_stopped_and_nobody_is_corrected(material_draft, django_capture_on_commit_callbacks):
    reached, waiting = make_subscribers(4, prefix="reached"), make_subscribers(3, prefix="waiting")
    with django_capture_on_commit_callbacks(execute=True):
        notices_services.version_publish(version=material_draft)
    notice = Campaign.objects.get(version=material_draft, kind=Campaign.Kind.NOTICE)
    now = timezone.now()
    Delivery.objects.bulk_create(
        [Delivery(campaign=notice, subscriber=s, status="sent", sent_at=now, next_attempt_at=now) for s in reached]
        + [Delivery(campaign=notice, subscriber=s, next_attempt_at=now) for s in waiting]
    )
    Campaign.objects.filter(pk=notice.pk).update(populated_at=now)
    withdraw(material_draft, django_capture_on_commit_callbacks)
    statuses = dict(notice.deliveries.values_list("subscriber__email", "status"))
    assert {statuses[s.email] for s in waiting} == {"withdrawn"}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in reached)  # corrections only
    correction = Campaign.objects.get(version=material_draft, kind=Campaign.Kind.CORRECTION)
    # Each correction carries its own delivery's id (opaque, per correction and subscriber).
    ids = {delivery.message_id for delivery in correction.deliveries.all()}
    assert {m.extra_headers["Message-ID"] for m in mail.outbox} <= ids


def test_the_publish_page_counts_who_will_be_emailed_per_language(material_draft, subscribers, client):
    lines = {line.label: line.count for line in hooks.audience(material_draft)}
    assert lines["Confirmed subscribers who will be emailed, English"] == 2
    assert lines["Confirmed subscribers who will be emailed, 한국어"] == 2
    publisher = User.objects.create_user("pub", password="pw", is_staff=True)
    publisher.groups.add(Group.objects.get(name="Legal publishers"))
    client.force_login(publisher)
    html = client.get(f"/admin/notices/policyversion/{material_draft.pk}/publish/").content.decode()
    assert "Confirmed subscribers who will be emailed, 한국어" in html
    # the Korean summary is there, the Chinese one is marked missing
    assert "로그를 30일 동안 보관합니다." in html and "Missing" in html


def test_publishers_can_follow_campaigns_deliveries_and_subscribers(material_draft, subscribers, publish, client):
    publish(material_draft)
    publisher = User.objects.create_user("pub", password="pw", is_staff=True)
    publisher.groups.add(Group.objects.get(name="Legal publishers"))
    client.force_login(publisher)
    for path in (
        "/admin/subscriptions/campaign/",
        "/admin/subscriptions/delivery/",
        "/admin/subscriptions/subscriber/",
    ):
        assert client.get(path).status_code == 200, path
    campaign = Campaign.objects.get(version=material_draft)
    page = client.get(f"/admin/notices/policyversion/{material_draft.pk}/change/").content.decode()
    assert f"/admin/subscriptions/campaign/{campaign.pk}/change/" in page
