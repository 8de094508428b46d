"""Consent records: what they keep, what they never keep, and that they never change."""

import datetime

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from cookies import services
from cookies.models import AppendOnlyError, ConsentRecord, PruneGrant
from cookies.selectors import catalogue
from core import location
from tests import reinsert

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


# --- REPLACE, UPSERT and the prune grant ----------------------------------------------------


def old_record():
    return make_record(created_at=timezone.now() - datetime.timedelta(days=400))


@pytest.mark.parametrize("how", reinsert.ways())
@pytest.mark.parametrize("overrides", [{}, {"source": "settings"}, {"ip_prefix": "203.0.113.77"}])
def test_a_record_cannot_be_written_back_over_itself(cookie_groups, how, overrides):
    record = old_record()
    before = ConsentRecord.objects.values().get()
    with pytest.raises(DatabaseError), transaction.atomic():
        reinsert.reinsert(ConsentRecord, record.pk, how=how, **overrides)
    assert ConsentRecord.objects.values().get() == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="REPLACE and its pragma are SQLite's")
@pytest.mark.parametrize("how", reinsert.SQLITE_ONLY)
def test_replace_is_refused_on_a_connection_without_recursive_triggers(cookie_groups, how):
    record = old_record()
    before = ConsentRecord.objects.values().get()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA recursive_triggers = OFF")
    try:
        with pytest.raises(DatabaseError), transaction.atomic():
            reinsert.reinsert(ConsentRecord, record.pk, how=how, source="settings")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA recursive_triggers = ON")
    assert ConsentRecord.objects.values().get() == before


def test_replace_is_refused_even_inside_a_pruning_transaction_for_new_records(cookie_groups):
    # REPLACE's delete needs a grant like any delete: a grant for old records does not
    # license rewriting a new one.
    record = make_record(created_at=timezone.now() - datetime.timedelta(days=10))
    with pytest.raises(DatabaseError), transaction.atomic():
        PruneGrant.objects.create(cutoff=timezone.now() - datetime.timedelta(days=30))
        reinsert.reinsert(ConsentRecord, record.pk, how=reinsert.ways()[0], source="settings")
    assert ConsentRecord.objects.get().source == "banner"


def test_a_grant_cannot_name_records_to_come(cookie_groups):
    make_record(created_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(DatabaseError), transaction.atomic():
        PruneGrant.objects.create(cutoff=timezone.now() + datetime.timedelta(days=1))
        ConsentRecord.objects.all()._delete_pruned()
    with pytest.raises(DatabaseError), transaction.atomic():
        grant = PruneGrant.objects.create(cutoff=timezone.now() - datetime.timedelta(days=1))
        PruneGrant.objects.filter(pk=grant.pk).update(cutoff=timezone.now() + datetime.timedelta(days=1))
    assert ConsentRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_grant_cannot_be_committed_so_no_later_transaction_finds_one(cookie_groups):
    old_record()
    with pytest.raises(IntegrityError), transaction.atomic():
        PruneGrant.objects.create(cutoff=timezone.now() - datetime.timedelta(days=30))
    with pytest.raises(IntegrityError):
        PruneGrant.objects.create(cutoff=timezone.now() - datetime.timedelta(days=30))  # autocommit
    assert not PruneGrant.objects.exists()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cookies_consentrecord")
    assert ConsentRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_grant_cannot_be_sealed_to_an_existing_grant(cookie_groups):
    # The seal names grant 0, and no grant can have id 0 (or point anywhere else).
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cookies_prunegrant (id, cutoff, seal_id) VALUES (0, %s, 0)",
            [timezone.now() - datetime.timedelta(days=30)],
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        grant = PruneGrant.objects.create(cutoff=timezone.now() - datetime.timedelta(days=30))
        PruneGrant.objects.filter(pk=grant.pk).update(seal=grant.pk)
    assert not PruneGrant.objects.exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's foreign keys are per connection")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("pragma", "undo"),
    [("foreign_keys = OFF", "foreign_keys = ON"), ("ignore_check_constraints = ON", "ignore_check_constraints = OFF")],
)
def test_a_connection_that_would_not_enforce_the_seal_cannot_make_a_grant(cookie_groups, pragma, undo):
    old_record()
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA {pragma}")
    try:
        with pytest.raises(DatabaseError, match="prune grant"):
            PruneGrant.objects.create(cutoff=timezone.now() - datetime.timedelta(days=30))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA {undo}")
    assert not PruneGrant.objects.exists()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cookies_consentrecord")
    assert ConsentRecord.objects.count() == 1
