"""The admin login is throttled (django-axes): after ADMIN_LOGIN_FAILURE_LIMIT wrong
passwords for one username from one client address, that pair is locked out for
ADMIN_LOGIN_LOCKOUT_MINUTES, the right password included."""

import datetime
import logging

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from core.location import UNKNOWN_CLIENT, client_pseudonym

PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/"


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_user("editor", password=PASSWORD, is_staff=True, is_superuser=True)


def login(client, password, username="editor", **meta):
    meta.setdefault("REMOTE_ADDR", "198.51.100.7")
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **meta)


def logged_in(client):
    return "_auth_user_id" in client.session


def fail(client, times, **meta):
    for _ in range(times):
        response = login(client, "wrong password", **meta)
        assert not logged_in(client)
    return response


def test_the_eleventh_wrong_password_locks_the_account_for_that_client(staff):
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN, REMOTE_ADDR="198.51.100.7")
    token = client.cookies["csrftoken"].value
    for number in range(1, 10):
        response = login(client, "wrong password", HTTP_X_CSRFTOKEN=token)
        assert response.status_code == 200, number  # the login form again, with its error
    # The tenth failure starts the lockout; the eleventh attempt is refused unchecked.
    assert login(client, "wrong password", HTTP_X_CSRFTOKEN=token).status_code == 429
    assert login(client, "wrong password", HTTP_X_CSRFTOKEN=token).status_code == 429
    response = login(client, PASSWORD, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 429
    assert not logged_in(client)
    assert "Too many login attempts" in response.text
    assert "Try again in 15 minutes" in response.text
    assert "no-store" in response["Cache-Control"]


def test_ten_wrong_passwords_then_the_right_one_is_refused(staff, client):
    fail(client, 10)
    response = login(client, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_nine_wrong_passwords_then_the_right_one_logs_in_and_resets_the_count(staff, client):
    fail(client, 9)
    response = login(client, PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)
    assert not AccessAttempt.objects.filter(username="editor").exists()


def test_the_lockout_is_per_username_and_client_address(staff, django_user_model):
    django_user_model.objects.create_user("other", password=PASSWORD, is_staff=True)
    attacker = Client()
    fail(attacker, 10)
    assert login(attacker, PASSWORD).status_code == 429
    # The same account from another address: the publisher is not locked out everywhere.
    elsewhere = Client()
    assert login(elsewhere, PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 302
    assert logged_in(elsewhere)
    # Another account from the attacker's address has its own count.
    other = Client()
    assert login(other, PASSWORD, username="other").status_code == 302
    assert logged_in(other)


def test_the_lockout_ends_after_the_cool_off(staff, client):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, 10)
        assert login(client, PASSWORD).status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=14), tick=False):
        assert login(client, PASSWORD).status_code == 429  # and this restarts the cool-off
    with time_machine.travel(start + datetime.timedelta(minutes=14 + 16), tick=False):
        response = login(client, PASSWORD)
        assert response.status_code == 302
        assert logged_in(client)


def test_settings_change_the_limit_and_the_cool_off(staff, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=5)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, 3)
        response = login(client, PASSWORD)
        assert response.status_code == 429
        assert "Try again in 5 minutes" in response.text
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        assert login(client, PASSWORD).status_code == 302


def test_the_client_address_honours_trusted_proxies(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = Client()
    # Behind one proxy every request comes from the proxy's address; the client is the
    # right-most X-Forwarded-For hop. Writing a new left-most hop each time does not help.
    for number in range(10):
        forged = f"192.0.2.{number}, 198.51.100.7"
        login(attacker, "wrong password", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forged)
    response = login(attacker, PASSWORD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.7")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {client_pseudonym("198.51.100.7")}
    # Another client behind the same proxy is not locked out.
    publisher = Client()
    response = login(publisher, PASSWORD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert response.status_code == 302


def test_clients_of_unknown_address_share_one_bucket_and_are_still_locked_out(staff, settings):
    settings.TRUSTED_PROXY_COUNT = 2  # but these requests carry no X-Forwarded-For
    client = Client()
    fail(client, 10, REMOTE_ADDR="10.0.0.1")
    assert login(client, PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {UNKNOWN_CLIENT}


def test_failures_and_lockouts_are_logged(staff, client, caplog):
    with caplog.at_level(logging.INFO, logger="axes"):
        fail(client, 10)
        login(client, PASSWORD)
    messages = [record.getMessage() for record in caplog.records if record.name.startswith("axes")]
    assert any("login failure" in message for message in messages)
    assert any("Locking out" in message for message in messages)
    assert all(PASSWORD not in message for message in messages)


def test_staff_see_and_reset_lockouts_in_the_admin(staff, client):
    fail(client, 10)
    admin_client = Client()
    admin_client.force_login(staff)
    page = admin_client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert "editor" in page.text
    attempt = AccessAttempt.objects.get(username="editor")
    form = {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"}
    response = admin_client.post("/admin/axes/accessattempt/", form)
    assert response.status_code == 302
    assert login(client, PASSWORD).status_code == 302


def test_no_client_address_is_stored_with_attempts_or_logins(staff, client):
    # Attempts are kept for the lockout and logins in the access log, for as long as nobody
    # deletes them: under a keyed pseudonym per client, never the address itself.
    fail(client, 2, REMOTE_ADDR="198.51.100.7")
    assert login(Client(), PASSWORD, REMOTE_ADDR="203.0.113.5").status_code == 302
    stored = set(AccessAttempt.objects.values_list("ip_address", flat=True))
    stored |= set(AccessLog.objects.values_list("ip_address", flat=True))
    assert stored and not stored & {"198.51.100.7", "203.0.113.5"}
    assert not any(value.startswith(("198.51.100.", "203.0.113.")) for value in stored)
    assert stored == {client_pseudonym("198.51.100.7"), client_pseudonym("203.0.113.5")}
