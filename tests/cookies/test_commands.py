"""load_cookie_groups, export_consents and prune_consents."""

import csv
import datetime
import io
import tracemalloc

import pytest
from cookie_consent.cache import CACHE_KEY
from cookie_consent.models import Cookie, CookieGroup
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cookies.export import HEADER
from cookies.models import ConsentRecord, CookieDetail

from .test_records import make_record

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_load_cookie_groups_is_idempotent_and_keeps_editors_changes(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert "cookie groups created: 4; cookies created: 7" in run("load_cookie_groups")
    analytics = CookieGroup.objects.get(varname="analytics")
    analytics.description = "Edited by the DPO."
    analytics.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert "cookie groups created: 0; cookies created: 0" in run("load_cookie_groups")
    assert CookieGroup.objects.get(varname="analytics").description == "Edited by the DPO."
    assert CookieGroup.objects.get(varname="necessary").is_required
    assert Cookie.objects.count() == CookieDetail.objects.count() == 7
    assert CookieDetail.objects.get(cookie__name="sessionid").lifetime_days == 14


def test_load_cookie_groups_clears_the_package_cache_and_the_catalogue(db, django_capture_on_commit_callbacks):
    from core.cache import GENERATION_KEY

    cache.set(CACHE_KEY, {"stale": True})
    cache.set(GENERATION_KEY, "old")
    with django_capture_on_commit_callbacks(execute=True):
        run("load_cookie_groups")
    assert cache.get(CACHE_KEY) is None
    assert cache.get(GENERATION_KEY) != "old"


def test_export_writes_every_record_as_csv_oldest_first(cookie_groups):
    now = timezone.now()
    make_record(created_at=now - datetime.timedelta(days=3), consent_id="a" * 32)
    make_record(created_at=now - datetime.timedelta(days=1), consent_id="b" * 32, user_agent="=HYPERLINK()")
    rows = list(csv.reader(io.StringIO(run("export_consents"))))
    assert rows[0] == HEADER
    assert [r[0] for r in rows[1:]] == ["a" * 32, "b" * 32]
    row = dict(zip(HEADER, rows[2], strict=True))
    assert row["accepted"] == "analytics necessary" and row["declined"] == "advertising functional"
    assert row["policy_version"] == "2025-09-02" and row["jurisdictions"] == "eea-uk"
    assert row["user_agent"] == "'=HYPERLINK()"  # never a formula in a spreadsheet
    assert row["ip_prefix"] == "203.0.113.0/24"
    assert (row["country"], row["subdivision"], row["addenda_shown"]) == ("DE", "", "eea-uk")


def test_export_since_a_date(cookie_groups):
    make_record(created_at=datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.timezone.utc), consent_id="a" * 32)
    make_record(created_at=datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.timezone.utc), consent_id="b" * 32)
    rows = list(csv.reader(io.StringIO(run("export_consents", "--since", "2026-01-15"))))
    assert [r[0] for r in rows[1:]] == ["b" * 32]


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "", "2026-01-01T25:00"])
def test_export_refuses_a_bad_date(cookie_groups, value):
    with pytest.raises(CommandError, match="--since"):
        run("export_consents", "--since", value) if value else call_command("export_consents", since="x")


def test_export_streams_in_one_query_with_flat_memory(cookie_groups):
    def bulk(n):
        template = make_record(consent_id="c" * 32)
        fields = {
            f.attname: getattr(template, f.attname) for f in ConsentRecord._meta.concrete_fields if f.name != "id"
        }
        ConsentRecord.objects.bulk_create([ConsentRecord(**fields) for _ in range(n)], batch_size=1000)

    def peak_while_exporting():
        sink = io.StringIO()
        tracemalloc.start()
        with CaptureQueriesContext(connection) as queries:
            call_command("export_consents", stdout=_Discard(sink))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return peak, len(queries)

    # Several chunks (2,000 rows each) in both runs, so both hold what one chunk needs.
    bulk(6_000)
    small, small_queries = peak_while_exporting()
    bulk(24_000)
    large, large_queries = peak_while_exporting()
    assert small_queries == large_queries  # one streaming query whatever the size
    assert large < small * 1.5, (small, large)  # five times the rows, not five times the memory


class _Discard(io.StringIO):
    def __init__(self, sink):
        super().__init__()
        self.lines = 0

    def write(self, text):
        self.lines += 1
        return len(text)


def test_prune_command_deletes_only_older_records(cookie_groups):
    now = timezone.now()
    make_record(created_at=now - datetime.timedelta(days=120))
    make_record(created_at=now - datetime.timedelta(days=10))
    assert "consent records deleted: 1 (older than 90 days)" in run("prune_consents", "--older-than", "90")
    assert ConsentRecord.objects.count() == 1


@pytest.mark.parametrize("value", ["0", "-5", "ninety", "1.5"])
def test_prune_command_refuses_a_bad_age(cookie_groups, value):
    make_record(created_at=timezone.now() - datetime.timedelta(days=500))
    with pytest.raises(CommandError, match="--older-than"):
        run("prune_consents", "--older-than", value)
    assert ConsentRecord.objects.count() == 1


def test_prune_command_requires_an_age(cookie_groups):
    with pytest.raises(CommandError):
        run("prune_consents")
