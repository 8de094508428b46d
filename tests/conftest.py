import pytest
from django.core.cache import cache
from django.core.management import call_command


@pytest.fixture(autouse=True)
def _fresh_cache(django_db_setup, django_db_blocker):
    # The shared cache is the database's (as under `make run`), and each process keeps
    # copies on top: start every test cold, outside its transaction.
    from core.cache import forget_local

    with django_db_blocker.unblock():
        cache.clear()
    forget_local()
    yield
    with django_db_blocker.unblock():
        cache.clear()
    forget_local()


@pytest.fixture
def launch_content(db, django_capture_on_commit_callbacks):
    """The launch jurisdictions, the five earlier versions and the 2025-09-02 policy."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_launch_content", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def jurisdictions(db):
    from notices import services

    services.jurisdictions_load(services.launch_data()["jurisdictions"])


# Append-only tables are guarded by SQLite triggers that also refuse the DELETE FROM with
# which a transactional test's teardown empties the database. Tests that need that flush
# (browser tests against the live server) set the triggers aside first; the next test puts
# them back exactly as the migrations created them.
_set_aside: list[str] = []


def set_triggers_aside():
    from django.db import connection

    if connection.vendor != "sqlite":
        return  # PostgreSQL flushes with TRUNCATE, which row triggers don't see
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
    _set_aside.extend(sql for _name, sql in triggers)


@pytest.fixture(autouse=True)
def _triggers_in_place(request, django_db_blocker):
    if _set_aside:
        from django.db import connection

        with django_db_blocker.unblock(), connection.cursor() as cursor:
            for sql in _set_aside:
                cursor.execute(sql)
        _set_aside.clear()
    marker = request.node.get_closest_marker("django_db")
    flushes = (marker is not None and marker.kwargs.get("transaction")) or {
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if flushes:
        request.getfixturevalue("transactional_db")  # so that our teardown runs before its flush
    yield
    if flushes:
        set_triggers_aside()
