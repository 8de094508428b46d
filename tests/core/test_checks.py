import pytest
from django.core.checks import run_checks


def ids():
    return [m.id for m in run_checks() if m.id.startswith("core.")]


def test_several_workers_on_a_process_local_cache_fail_under_prod(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.WEB_CONCURRENCY = 4
    settings.DEBUG = False
    assert "core.E010" in ids()
    settings.DEBUG = True
    assert "core.W010" in ids() and "core.E010" not in ids()
    settings.WEB_CONCURRENCY = 1
    assert not {"core.E010", "core.W010"} & set(ids())


def test_the_shipped_default_cache_is_shared(settings):
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    settings.WEB_CONCURRENCY = 4
    assert not {"core.E010", "core.W010"} & set(ids())


# Autocommit, as in production: on PostgreSQL the failed cache query would otherwise abort
# the test's transaction, and the database check after it.
@pytest.mark.django_db(transaction=True)
def test_healthz_names_a_missing_cache_table(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "no_such"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() | {"status": "error", "database": "ok", "cache": "unreachable"} == response.json()
