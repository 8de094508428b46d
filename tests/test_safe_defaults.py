"""Safe defaults: `make run` is production-like with a key of its own; no served site takes a weak key."""

import pytest

from privacy_site.settings.keys import DEV_SECRET_KEY

from .test_operations import SECRET, run_manage, run_python

PROD = "privacy_site.settings.prod"
LOCAL = "privacy_site.settings.local"
PRINT_SETTINGS = (
    "import django; from django.conf import settings; django.setup(); "
    "print(settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, "
    "settings.SECURE_HSTS_SECONDS); "
    "print(settings.SECRET_KEY)"
)
WEAK_KEYS = {
    "the committed development key": (DEV_SECRET_KEY, "is the committed development key"),
    "a short key": ("k3y-" * 10, "is 40 characters long"),
    "one character repeated": ("x" * 50, "uses only 1 distinct characters"),
    "four characters repeated": ("abcd" * 20, "uses only 4 distinct characters"),
    "Django's startproject key": ("django-insecure-" + "q7!w" * 12, "is a key Django generated for development"),
}


@pytest.mark.parametrize(("key", "problem"), WEAK_KEYS.values(), ids=WEAK_KEYS.keys())
@pytest.mark.parametrize("module", [PROD])
def test_served_settings_refuse_weak_keys(module, key, problem, tmp_path):
    result = run_manage(
        "check", DJANGO_SETTINGS_MODULE=module, DJANGO_SECRET_KEY=key, DJANGO_SECRET_KEY_FILE=str(tmp_path / "key")
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: DJANGO_SECRET_KEY " + problem), last
    assert "random value of at least 50 characters" in last
    assert not (tmp_path / "key").exists()  # a key given is never replaced by the file's


def test_prod_settings_accept_a_random_key():
    result = run_python(PRINT_SETTINGS, DJANGO_SETTINGS_MODULE=PROD, DJANGO_SECRET_KEY=SECRET)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == SECRET
