"""core.cache: one generation retires everything, whatever changed the rows."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command

from core import cache as shared
from notices.models import Jurisdiction

pytestmark = pytest.mark.django_db


def test_values_are_built_once_per_generation_and_none_is_a_value():
    calls = []

    def build():
        calls.append(1)
        return None

    assert shared.cached(("probe",), build) is None
    assert shared.cached(("probe",), build) is None
    shared.forget_local()  # another process: reads the shared cache, does not rebuild
    assert shared.cached(("probe",), build) is None
    assert len(calls) == 1
    shared.bump()
    shared.cached(("probe",), build)
    assert len(calls) == 2


def test_another_process_sees_a_bump_within_the_check_interval(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(shared.time, "monotonic", lambda: clock[0])
    assert shared.cached(("probe",), lambda: "old") == "old"
    # Another process bumps: only the shared cache changes.
    cache.set(shared.GENERATION_KEY, "from-elsewhere", timeout=None)
    clock[0] += shared.CHECK_SECONDS / 2
    assert shared.cached(("probe",), lambda: "new") == "old"  # not yet re-checked
    clock[0] += shared.CHECK_SECONDS
    assert shared.cached(("probe",), lambda: "new") == "new"
    assert shared.CHECK_SECONDS < 1  # a publish reaches every worker within a second


def test_orm_saves_and_deletes_bump_on_commit(launch_content, django_capture_on_commit_callbacks):
    before = shared.generation()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Jurisdiction.objects.filter(code="au").first().save()
    assert shared.generation() == before  # not before the commit
    for callback in callbacks:
        callback()
    after_save = shared.generation()
    assert after_save != before
    with django_capture_on_commit_callbacks(execute=True):
        Jurisdiction.objects.create(code="zz", name="Test", countries="ZZ").delete()
    assert shared.generation() != after_save


def test_a_migrate_starts_afresh(db):
    before = shared.generation()
    call_command("migrate", "core", verbosity=0)
    assert shared.generation() != before


def test_with_the_shared_cache_down_pages_come_from_the_database_never_stale(monkeypatch, caplog):
    assert shared.cached(("probe",), lambda: "old") == "old"

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(shared.time, "monotonic", lambda: 10**9)  # time to re-check
    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    monkeypatch.setattr(cache, "add", down)
    # this process cannot know whether "old" was retired: it builds afresh each time
    assert shared.cached(("probe",), lambda: "rebuilt") == "rebuilt"
    assert shared.cached(("probe",), lambda: "again") == "again"
    assert "shared cache unreachable" in caplog.text


def test_a_committed_change_survives_a_cache_that_cannot_be_told(
    launch_content, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "set", down)
    # The bump runs as a robust on-commit callback: logged, never raised into the caller
    # (an import or a publish whose transaction already committed).
    with django_capture_on_commit_callbacks(execute=True):
        Jurisdiction.objects.create(code="zz", name="Test", countries="ZZ")
    assert Jurisdiction.objects.filter(code="zz").exists()
    assert "could not be told" in caplog.text


def test_cache_timeout_is_a_setting(settings, monkeypatch):
    seen = {}
    real_set = cache.set
    monkeypatch.setattr(
        cache, "set", lambda key, value, timeout=None: seen.update({key: timeout}) or real_set(key, value)
    )
    settings.CORE_CACHE_SECONDS = 123
    shared.cached(("probe", datetime.date(2025, 9, 2)), lambda: 1)
    assert 123 in seen.values()
