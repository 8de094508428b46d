import pytest
from django.core.cache import cache
from django.core.management import call_command

DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_setup"}


@pytest.fixture(autouse=True)
def _fresh_cache(request, django_db_blocker):
    # The shared cache is the database's (as under `make run`), and each process keeps
    # copies on top: start every test cold, outside its transaction. A test without the
    # database cannot reach the shared cache, so only this process's copies are dropped.
    from core.cache import forget_local

    uses_database = request.node.get_closest_marker("django_db") or DATABASE_FIXTURES & set(request.fixturenames)
    if uses_database:
        request.getfixturevalue("django_db_setup")
        with django_db_blocker.unblock():
            cache.clear()
    forget_local()
    yield
    if uses_database:
        with django_db_blocker.unblock():
            cache.clear()
    forget_local()


@pytest.fixture(autouse=True)
def _empty_task_queue():
    # The test settings queue tasks in memory and only tests/tasks.py runs them; what one
    # test queued must never run in the next.
    from django_tasks import default_task_backend

    default_task_backend.clear()
    yield
    default_task_backend.clear()


@pytest.fixture
def launch_content(db, django_capture_on_commit_callbacks):
    """The launch jurisdictions, the five earlier versions and the 2025-09-02 policy."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_launch_content", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def cookie_groups(db, django_capture_on_commit_callbacks):
    """The launch cookie groups, with the cached catalogue retired as in production."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_cookie_groups", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.fixture
def jurisdictions(db):
    from notices import services

    services.jurisdictions_load(services.launch_data()["jurisdictions"])
