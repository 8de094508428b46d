"""Consent records: what they keep, what they never keep, and that they never change."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from cookies import services
from cookies.models import AppendOnlyError, ConsentRecord, PruneGrant
from cookies.selectors import catalogue
from core import location

from .conftest import post_banner_choice

pytestmark = pytest.mark.django_db


def make_record(*, created_at=None, consent_id="0" * 32, source="banner", decisions=None, **visitor):
    defaults = {
        "jurisdictions": ("eea-uk",),
        "location_source": "header",
        "country": "DE",
        "subdivision": "",
        "shown": ("eea-uk",),
        "consent_model": "opt-in",
        "gpc": False,
        "language": "en",
        "user_agent": "UA",
        "ip_prefix": "203.0.113.0/24",
    }
    return services.consent_record(
        consent_id=consent_id,
        decisions=decisions or {"functional": False, "analytics": True, "advertising": False},
        source=source,
        groups=catalogue(),
        visitor=services.Visitor(**(defaults | visitor)),
        policy_version=datetime.date(2025, 9, 2),
        at=created_at,
    )


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("2001:db8:abcd:12:3456::1", "2001:db8:abcd::/48"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),
        ("fe80::1%eth0", "fe80::/48"),
        ("[2001:db8::1]", "2001:db8::/48"),
        ("not an address", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_addresses_are_truncated_never_kept_whole(address, expected):
    assert location.truncated_network(location.parse_address(address or "")) == expected


@pytest.mark.parametrize(
    ("count", "forwarded", "remote", "client"),
    [
        (0, "198.51.100.1", "10.0.0.1", "10.0.0.1"),  # X-Forwarded-For ignored by default
        (1, "198.51.100.1", "10.0.0.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "10.0.0.1", "198.51.100.1"),  # the client's own prefix is ignored
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "10.0.0.1", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.1", None),  # too short a chain: not ours, no address
        (1, "", "10.0.0.1", None),
    ],
)
def test_client_address_honours_only_trusted_proxies(rf, settings, count, forwarded, remote, client):
    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    address = location.client_address(request.META)
    assert (str(address) if address else None) == client


def test_a_record_holds_the_truncated_network_and_user_agent_only(site, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    browser = Client(enforce_csrf_checks=True)
    extra = {
        "HTTP_X_FORWARDED_FOR": "198.51.100.23",
        "HTTP_USER_AGENT": "Mozilla/5.0 " + "x" * 500 + "\x00\n",
    }
    post_banner_choice(browser, label="Accept all", **extra)
    record = ConsentRecord.objects.get()
    assert record.ip_prefix == "198.51.100.0/24"
    assert len(record.user_agent) == 200 and record.user_agent.startswith("Mozilla/5.0 xxx")
    stored = " ".join(str(value) for value in ConsentRecord.objects.values().get().values())
    assert "198.51.100.23" not in stored


def test_a_record_holds_every_group_with_its_version(cookie_groups):
    record = make_record()
    versions = {g.varname: g.version for g in catalogue().groups}
    assert record.groups["necessary"] == {
        "accepted": True,
        "version": versions["necessary"],
        "required": True,
    }
    assert record.groups["analytics"] == {"accepted": True, "version": versions["analytics"]}
    assert record.decision == "partial"
    assert record.accepted == ["analytics", "necessary"]


def test_records_cannot_be_changed_or_deleted_through_the_orm(cookie_groups):
    record = make_record()
    record.source = "settings"
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.filter(pk=record.pk).update(source="gpc")
    with pytest.raises(AppendOnlyError):
        ConsentRecord.objects.all().delete()
    assert ConsentRecord.objects.get().source == "banner"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE cookies_consentrecord SET source = 'settings'",
        "UPDATE cookies_consentrecord SET ip_prefix = '203.0.113.77'",
        "DELETE FROM cookies_consentrecord",
    ],
)
def test_the_database_itself_refuses_to_change_or_delete_records(cookie_groups, statement):
    make_record(created_at=timezone.now() - datetime.timedelta(days=400))
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert ConsentRecord.objects.get().source == "banner"


def test_the_database_refuses_deletes_newer_than_the_grant(cookie_groups):
    make_record(created_at=timezone.now() - datetime.timedelta(days=10))
    with pytest.raises(DatabaseError), transaction.atomic():
        PruneGrant.objects.create(cutoff=timezone.now() - datetime.timedelta(days=30))
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM cookies_consentrecord")
    assert ConsentRecord.objects.count() == 1


def test_prune_removes_only_old_records(cookie_groups):
    now = timezone.now()
    for days in (400, 200, 91, 89, 1):
        make_record(created_at=now - datetime.timedelta(days=days))
    assert services.consents_prune(older_than=datetime.timedelta(days=90), batch=2) == 3
    remaining = sorted((now - r.created_at).days for r in ConsentRecord.objects.all())
    assert remaining == [0, 88] or remaining == [1, 89]
    assert not PruneGrant.objects.exists()
