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
