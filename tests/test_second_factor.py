"""Publishers sign in with a password and a TOTP code (issue 14, part 4; django-otp).

On by default under prod (ADMIN_OTP_REQUIRED_FOR=publishers); the suite sets it per test.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery staple"
LOGIN = "/admin/login/"
PAIR = "/admin/second-factor/"


@pytest.fixture(autouse=True)
def publishers_need_a_code(settings):
    settings.ADMIN_OTP_REQUIRED_FOR = "publishers"


@pytest.fixture
def publisher(db):
    user = get_user_model().objects.create_user("publisher", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Legal publishers"))
    return user


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user("editor", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Legal editors"))
    return user


def code_for(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits) + offset:06d}"[-6:]


def login(client, username, **extra):
    data = {"username": username, "password": PASSWORD, "next": "/admin/", **extra}
    return client.post(LOGIN, data, REMOTE_ADDR="198.51.100.7")


def can_use_admin(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_an_editor_signs_in_with_the_password_alone(client, editor):
    login(client, "editor")
    assert can_use_admin(client)


def test_a_publisher_without_an_app_must_pair_one_before_the_admin_opens(client, publisher):
    response = login(client, "publisher")
    assert response.status_code == 302
    assert not can_use_admin(client)
    assert client.get("/admin/").status_code == 302
    # The login page sends a password-only session to the pairing page.
    assert client.get(LOGIN).url == PAIR
    page = client.get(PAIR)
    assert page.status_code == 200
    assert "<svg" in page.text and "authenticator app" in page.text
    device = TOTPDevice.objects.get(user=publisher)
    assert not device.confirmed
    key = re.search(r"<code>([A-Z2-7 ]+)</code>", page.text)[1]
    assert key.replace(" ", "")  # the key is shown as text for apps without a camera

    wrong = client.post(PAIR, {"otp_token": code_for(device, offset=1)})
    assert wrong.status_code == 200 and "not valid" in wrong.text
    assert not can_use_admin(client)

    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # wrong codes are throttled (the wait doubles)
    device.throttle_reset()  # as if the wait were over
    assert client.post(PAIR, {"otp_token": code_for(device)}).url == "/admin/"
    assert can_use_admin(client)
    device.refresh_from_db()
    assert device.confirmed


def test_a_paired_publisher_needs_the_code_at_every_login(client, publisher):
    device = TOTPDevice.objects.create(user=publisher, name="Authenticator app", confirmed=True)
    response = login(client, "publisher")
    assert response.status_code == 200 and "six-digit code" in response.text
    assert not can_use_admin(client)

    response = login(client, "publisher", otp_token="000000" if code_for(device) != "000000" else "111111")
    assert response.status_code == 200
    assert not can_use_admin(client)

    device.refresh_from_db()
    device.throttle_reset()
    response = login(client, "publisher", otp_token=code_for(device))
    assert response.status_code == 302
    assert can_use_admin(client)


def test_a_password_only_session_cannot_pair_a_second_app(client, publisher):
    TOTPDevice.objects.create(user=publisher, name="Authenticator app", confirmed=True)
    # Signed in with the password only (as a stolen password would be).
    client.force_login(publisher)
    assert not can_use_admin(client)
    assert client.get(PAIR).status_code == 302
    assert TOTPDevice.objects.filter(user=publisher).count() == 1


def test_nobody_needs_a_code_when_switched_off(client, publisher, settings):
    settings.ADMIN_OTP_REQUIRED_FOR = "nobody"
    login(client, "publisher")
    assert can_use_admin(client)


def test_prod_asks_publishers_for_a_code_by_default():
    from .test_operations import SECRET, run_python

    result = run_python(
        "import django; from django.conf import settings; django.setup(); print(settings.ADMIN_OTP_REQUIRED_FOR)",
        DJANGO_SETTINGS_MODULE="privacy_site.settings.prod",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="privacy.example.com",
    )
    assert result.stdout.strip().splitlines()[-1] == "publishers", result.stderr[-500:]
