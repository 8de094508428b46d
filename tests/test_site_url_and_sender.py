"""Links where the site runs (SITE_URL from PORT; prod needs an explicit https:// one), and a
sender that can really send (check --deploy refuses a placeholder sender over SMTP)."""

import re

import pytest
from django.core import mail

from .test_operations import SECRET, run_manage, run_python

PROD = "privacy_site.settings.prod"
PRINT_SITE_URL = "import django; from django.conf import settings; django.setup(); print(settings.SITE_URL)"
URL = re.compile(r"https?://[^\s\"'<>]+")


@pytest.mark.parametrize("module", ["privacy_site.settings.local", "privacy_site.settings.dev"])
def test_without_site_url_links_point_at_the_port_the_site_listens_on(module, tmp_path):
    result = run_python(
        PRINT_SITE_URL, DJANGO_SETTINGS_MODULE=module, PORT="9000", DJANGO_SECRET_KEY_FILE=str(tmp_path / "key")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:9000"
    given = run_python(
        PRINT_SITE_URL,
        DJANGO_SETTINGS_MODULE=module,
        PORT="9000",
        SITE_URL="https://privacy.example.org/",
        DJANGO_SECRET_KEY_FILE=str(tmp_path / "key"),
    )
    assert given.stdout.strip().splitlines()[-1] == "https://privacy.example.org"


def test_bin_serve_exports_site_url_from_port():
    from pathlib import Path

    serve = (Path(__file__).resolve().parent.parent / "bin" / "serve").read_text()
    assert 'export SITE_URL="${SITE_URL:-http://127.0.0.1:$PORT}"' in serve
    assert serve.index("export SITE_URL") < serve.index("task_worker")  # the worker writes the emails


@pytest.mark.django_db
def test_with_port_9000_every_link_in_a_confirmation_email_starts_there(
    client, settings, django_capture_on_commit_callbacks
):
    from tests.tasks import run_due_tasks

    # The value the settings derive from PORT=9000 (checked in a fresh process above).
    result = run_python(PRINT_SITE_URL, DJANGO_SETTINGS_MODULE="privacy_site.settings.dev", PORT="9000")
    settings.SITE_URL = result.stdout.strip().splitlines()[-1]
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/privacy/subscribe/", {"email": "ada@example.org", "language": "ko"})
    run_due_tasks()
    (message,) = mail.outbox
    links = URL.findall(message.body) + re.findall(r'href="([^"]+)"', message.alternatives[0].content)
    links = [link for link in links if not link.startswith("mailto:")]
    assert len(links) >= 4
    assert all(link.startswith("http://127.0.0.1:9000/") for link in links), links


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("", "SITE_URL must be set under prod settings"),
        ("http://privacy.example.com", "SITE_URL must be an https:// address"),
        ("privacy.example.com", "SITE_URL must be an https:// address"),
        ("https://", "SITE_URL must be an https:// address"),
        ("https://privacy.example.com/?x=1", "SITE_URL must be an https:// address"),
    ],
)
def test_prod_refuses_to_start_without_an_explicit_https_site_url(value, problem):
    result = run_manage("check", DJANGO_SETTINGS_MODULE=PROD, DJANGO_SECRET_KEY=SECRET, SITE_URL=value)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"django.core.exceptions.ImproperlyConfigured: {problem}"), last


def test_prod_accepts_an_https_site_url():
    result = run_python(
        PRINT_SITE_URL, DJANGO_SETTINGS_MODULE=PROD, DJANGO_SECRET_KEY=SECRET, SITE_URL="https://privacy.example.com/"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "https://privacy.example.com"


def deploy_check(**env):
    return run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE=PROD,
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="privacy.example.com",
        **env,
    )


def test_check_deploy_fails_with_smtp_and_the_default_sender():
    result = deploy_check(EMAIL_URL="submission://user:password@smtp.mailhost.net:587")
    assert result.returncode != 0
    assert "core.E020" in result.stderr
    assert "DEFAULT_FROM_EMAIL (Privacy Office <privacy@localhost>)" in result.stderr


@pytest.mark.parametrize(
    "sender", ["privacy@example.com", "Privacy <privacy@mail.example.co.uk>", "privacy", "a@b.test"]
)
def test_check_deploy_fails_with_smtp_and_a_placeholder_sender(sender):
    result = deploy_check(EMAIL_URL="smtp://smtp.mailhost.net:25", DEFAULT_FROM_EMAIL=sender)
    assert result.returncode != 0
    assert "core.E020" in result.stderr


def test_check_deploy_passes_with_smtp_and_a_real_sender():
    result = deploy_check(
        EMAIL_URL="submission://user:password@smtp.mailhost.net:587",
        DEFAULT_FROM_EMAIL="Privacy Office <privacy@alibabacloud.com>",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_without_smtp_the_default_sender_is_no_deploy_error():
    # Mail to the console (no EMAIL_URL) sends nothing anyone receives.
    result = deploy_check()
    assert result.returncode == 0, result.stderr


def test_an_email_url_of_an_unknown_scheme_is_refused_not_ignored():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="privacy_site.settings.dev", EMAIL_URL="smtp+tls://u:p@h:587")
    assert result.returncode != 0
    assert "EMAIL_URL must start with smtp://" in result.stderr.strip().splitlines()[-1]
