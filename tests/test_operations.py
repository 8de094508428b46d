"""Operating the site: settings from the environment, deploy checks, health."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError

ROOT = Path(__file__).resolve().parent.parent
SECRET = "x" * 20 + "-prod-secret-for-tests-only-0123456789abcdef"


def run_python(code, **env):
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_", "EMAIL_", "SITE_URL", "PORT"))
    }
    if env.get("DJANGO_SETTINGS_MODULE") == "privacy_site.settings.prod":
        # prod refuses to start without an https:// SITE_URL; tests about something else get one.
        full_env["SITE_URL"] = "https://privacy.example.com"
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def run_manage(*args, **env):
    return run_python(
        "import sys; from django.core.management import execute_from_command_line; "
        f"execute_from_command_line(['manage.py', *{list(args)!r}])",
        **env,
    )


def test_prod_settings_refuse_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="privacy_site.settings.prod")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_check_deploy_is_clean_under_prod_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="privacy_site.settings.prod",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="privacy.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_database_url_and_redis_url_configure_the_backends():
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.DATABASES['default']['ENGINE']); print(settings.CACHES['default']['BACKEND'])"
    )
    result = run_python(
        code,
        DJANGO_SETTINGS_MODULE="privacy_site.settings.dev",
        DATABASE_URL="postgres://u:p@db.example:5432/privacy",
        REDIS_URL="redis://127.0.0.1:6379/15",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "django.core.cache.backends.redis.RedisCache",
    ]


def test_redis_cache_works_against_the_local_server():
    code = (
        "import django, uuid; django.setup(); from django.core.cache import cache; "
        "k = uuid.uuid4().hex; cache.set(k, {'a': 1}, 30); print(cache.get(k)); cache.delete(k)"
    )
    result = run_python(code, DJANGO_SETTINGS_MODULE="privacy_site.settings.dev", REDIS_URL="redis://127.0.0.1:6379/15")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'a': 1}"


def test_email_url_switches_dev_settings_to_smtp():
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.EMAIL_BACKEND, settings.EMAIL_PORT)"
    )
    result = run_python(code, DJANGO_SETTINGS_MODULE="privacy_site.settings.dev", EMAIL_URL="smtp://127.0.0.1:2525")
    assert result.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "2525"]


@pytest.mark.django_db
def test_healthz_reports_a_working_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "tasks": "ok",
        "oldest_task_waiting_seconds": None,
        "worker_last_seen_seconds": None,
    }
    assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", broken_cursor)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_healthz_is_503_with_a_real_unreachable_database():
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client(HTTP_HOST='localhost').get('/healthz'); print(r.status_code)"
    )
    result = run_python(
        code,
        DJANGO_SETTINGS_MODULE="privacy_site.settings.dev",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
    )
    assert result.stdout.strip().splitlines()[-1] == "503", result.stderr


def triggers() -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        else:
            cursor.execute("SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname")
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_record_and_leaves_its_guards_in_place(launch_content, cookie_groups):
    from django.core.management import call_command
    from django.db import IntegrityError, connection, transaction

    from cookies.models import ConsentRecord
    from notices.models import PolicyVersion, Section
    from tests.cookies.test_records import make_record

    make_record()
    guards = triggers()
    # notices 0003, 0006 and 0008, cookies 0004: one trigger per table and operation on SQLite
    assert len(guards) == {"sqlite": 15, "postgresql": 7}[connection.vendor]
    # PostgreSQL truncates, which row triggers don't see; on SQLite the triggers refuse the
    # DELETE FROM that Django's flush uses, so our flush sets them aside for its transaction.
    call_command("flush", interactive=False, verbosity=0)
    assert not PolicyVersion.objects.exists() and not Section.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert triggers() == guards
    # And they still guard what is stored next.
    call_command("load_launch_content", stdout=io.StringIO())
    published = PolicyVersion.objects.published().get(effective_date="2025-09-02")
    with pytest.raises(IntegrityError), transaction.atomic():
        Section.objects.filter(version=published).update(body_en="Rewritten.")
    make_record()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cookies_consentrecord")  # past the model's own refusal
    assert ConsentRecord.objects.count() == 1


def test_flush_works_from_the_command_line_on_sqlite_with_the_launch_content(tmp_path):
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "privacy_site.settings.dev",
    }
    for command in (["migrate", "-v0"], ["load_launch_content"], ["load_cookie_groups"], ["flush", "--noinput"]):
        result = run_manage(*command, **env)
        assert result.returncode == 0, result.stderr
    check = run_python(
        "import django; django.setup(); from notices.models import PolicyVersion; "
        "from django.db import connection; c = connection.cursor(); "
        "c.execute(\"SELECT count(*) FROM sqlite_master WHERE type = 'trigger'\"); "
        "print(PolicyVersion.objects.count(), c.fetchone()[0])",
        **env,
    )
    assert check.stdout.split() == ["0", "15"], check.stderr


def test_every_page_is_a_503_on_a_cold_process_with_the_database_down():
    """Nothing cached yet, no database: the pages and the forms say "try again", never 500."""
    code = (
        "import django; django.setup(); from django.test import Client; c = Client(HTTP_HOST='localhost'); "
        "paths = ['/en/privacy/', '/en/privacy/versions/', '/en/privacy/versions/2025-09-02/', "
        "'/en/cookies/', '/en/privacy/subscribe/', '/en/privacy/feed/']; "
        "print(' '.join(str(c.get(p).status_code) for p in paths)); "
        "r = c.post('/en/privacy/subscribe/', {'email': 'a@example.com', 'language': 'en'}); "
        "print(r.status_code, r.get('Retry-After'))"
    )
    result = run_python(
        code,
        DJANGO_SETTINGS_MODULE="privacy_site.settings.dev",
        DJANGO_DEBUG="false",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
    )
    assert result.stdout.strip().splitlines()[-2:] == ["503 503 503 503 503 503", "503 5"], result.stderr


def test_the_error_pages_are_a_503_with_the_database_down():
    """A 404, a 400 and a refused form carry the banner, which the database serves: with the
    database down the visitor is told to try again, as on every page, not a 500."""
    code = (
        "import django; django.setup(); from django.test import Client; "
        "c = Client(HTTP_HOST='localhost', raise_request_exception=False, enforce_csrf_checks=True); "
        "rs = [c.get('/en/nothing/'), c.get('/en/privacy/versions/2025-09-02/diff/2025-09-02/'), "
        "c.get('/healthz', HTTP_HOST='evil.example'), c.post('/en/privacy/subscribe/', {})]; "
        "print(' '.join(f'{r.status_code}:{r.get(\"Retry-After\")}' for r in rs))"
    )
    result = run_python(
        code,
        DJANGO_SETTINGS_MODULE="privacy_site.settings.dev",
        DJANGO_DEBUG="false",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
    )
    assert result.stdout.strip().splitlines()[-1:] == ["503:5 503:5 503:5 503:5"], result.stderr


@pytest.mark.django_db
def test_sqlite_commits_are_durable_and_replace_fires_the_delete_guards():
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's pragmas")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL: a committed consent record survives power loss
        cursor.execute("PRAGMA recursive_triggers")
        assert cursor.fetchone()[0] == 1


def test_gunicorn_runs_without_the_shared_control_socket():
    # Its default path is one per user: a second instance deleted the first one's socket.
    import runpy

    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["control_socket_disable"] is True
