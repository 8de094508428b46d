"""Safe defaults: `make run` is production-like with a key of its own; no served site takes a weak key."""

import stat
import subprocess
import sys

import pytest

from privacy_site.settings.keys import DEV_SECRET_KEY

from .test_operations import ROOT, SECRET, run_manage, run_python

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
@pytest.mark.parametrize("module", [PROD, LOCAL])
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


def test_local_settings_make_a_private_key_once_and_keep_it(tmp_path):
    key_file = tmp_path / "checkout" / ".secret_key"
    first = run_python(PRINT_SETTINGS, DJANGO_SETTINGS_MODULE=LOCAL, DJANGO_SECRET_KEY_FILE=str(key_file))
    assert first.returncode == 0, first.stderr
    flags, key = first.stdout.splitlines()[-2:]
    # DEBUG off; plain HTTP on loopback, so no HTTPS redirect, HSTS or Secure-only cookies.
    assert flags == "False False False 0"
    assert key_file.read_text().strip() == key
    assert len(key) >= 50 and key != DEV_SECRET_KEY
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = run_python(PRINT_SETTINGS, DJANGO_SETTINGS_MODULE=LOCAL, DJANGO_SECRET_KEY_FILE=str(key_file))
    assert again.stdout.splitlines()[-1] == key
    assert sorted(p.name for p in key_file.parent.iterdir()) == [".secret_key"]  # no temporary left


def test_processes_starting_together_share_one_key(tmp_path):
    key_file = tmp_path / ".secret_key"
    code = (
        "from pathlib import Path; from privacy_site.settings.keys import local_secret_key; "
        f"print(local_secret_key(Path({str(key_file)!r})))"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True) for _ in range(12)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert keys == {key_file.read_text().strip()}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".secret_key"]


def test_local_settings_refuse_a_weak_key_file(tmp_path):
    key_file = tmp_path / ".secret_key"
    key_file.write_text(DEV_SECRET_KEY + "\n")
    result = run_python(PRINT_SETTINGS, DJANGO_SETTINGS_MODULE=LOCAL, DJANGO_SECRET_KEY_FILE=str(key_file))
    assert result.returncode != 0
    assert f"The key in {key_file} is the committed development key" in result.stderr
    assert "delete the file" in result.stderr


def test_local_settings_answer_errors_with_the_friendly_pages(tmp_path):
    """A 404 and a garbled ?jurisdiction= under `make run`'s settings: the site's pages, not Django's."""
    env = {
        "DJANGO_SETTINGS_MODULE": LOCAL,
        "DJANGO_SECRET_KEY_FILE": str(tmp_path / ".secret_key"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    for command in (["migrate", "-v0"], ["load_launch_content"], ["collectstatic", "--noinput", "-v0"]):
        result = run_manage(*command, **env)
        assert result.returncode == 0, result.stderr
    code = (
        "import django; django.setup(); from django.test import Client; c = Client(HTTP_HOST='127.0.0.1'); "
        "[print(r.status_code, r.content.decode().replace(chr(10), ' ')) for r in "
        "(c.get('/en/no-such-page/'), c.get('/en/privacy/?jurisdiction=%3Cx%3E'))]"
    )
    result = run_python(code, **env)
    assert result.returncode == 0, result.stderr
    not_found, bad_request = result.stdout.splitlines()[-2:]
    assert not_found.startswith("404 ") and "<h1>Page not found</h1>" in not_found
    assert bad_request.startswith("400 ") and "<h1>Bad request</h1>" in bad_request
    for page in (not_found, bad_request):
        assert "URLconf" not in page and "Traceback" not in page and "DEBUG = True" not in page


def test_make_run_serves_the_local_settings_and_make_dev_the_debug_ones():
    database = subprocess.run(
        ["make", "--dry-run", "--print-data-base", "run"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout
    assert "run: DJANGO_SETTINGS_MODULE = privacy_site.settings.local" in database
    assert "dev: DJANGO_SETTINGS_MODULE = privacy_site.settings.dev" in database
    assert "dev: DJANGO_DEBUG = true" in database
    serve = (ROOT / "bin" / "serve").read_text()
    assert 'DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-privacy_site.settings.local}"' in serve


def test_the_key_file_is_never_committed():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".secret_key"], cwd=ROOT, check=False)
    assert ignored.returncode == 0


def test_prod_cookies_are_host_prefixed_and_secure(tmp_path):
    """Under prod, the session, CSRF, consent and region cookies carry __Host- (issue 14.8)."""
    code = (
        "import django; django.setup(); from django.test import Client; from django.conf import settings; "
        "from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); call_command('load_cookie_groups', verbosity=0); "
        "call_command('collectstatic', interactive=False, verbosity=0); "
        "c = Client(HTTP_HOST='privacy.example.com'); "
        "r = c.get('/en/cookies/', secure=True); "
        'import re; token = re.search(r\'name="csrfmiddlewaretoken" value="([^"]+)"\', r.content.decode())[1]; '
        "r2 = c.post('/en/cookies/accept/', "
        "{'csrfmiddlewaretoken': token, 'all_groups': 'on', 'next': '/en/privacy/'}, secure=True); "
        "r3 = c.get('/en/privacy/region/', {'jurisdiction': 'all'}, secure=True); "
        "cookies = {**r.cookies, **r2.cookies, **r3.cookies}; "
        "print(r2.status_code, sorted((k, bool(v['secure']), v['path'], v['domain']) for k, v in cookies.items()))"
    )
    result = run_python(
        code,
        DJANGO_SETTINGS_MODULE="privacy_site.settings.prod",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="privacy.example.com",
        DATABASE_URL="sqlite://:memory:",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    status, cookies = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "303", result.stdout
    names = [entry[0] for entry in eval(cookies)]  # noqa: S307 (our own subprocess's repr)
    for expected in ("__Host-csrftoken", "__Host-cookie_consent", "__Host-consent_id", "__Host-privacy_region"):
        assert expected in names, names
    assert all(secure and path == "/" and not domain for _, secure, path, domain in eval(cookies))  # noqa: S307


def test_a_host_cookie_without_secure_or_with_a_domain_is_a_start_up_error(settings):
    from core.checks import host_prefixed_cookies

    assert host_prefixed_cookies(None) == []  # the test settings use plain names
    settings.SESSION_COOKIE_NAME, settings.SESSION_COOKIE_SECURE = "__Host-sessionid", False
    settings.COOKIE_CONSENT_NAME, settings.COOKIE_CONSENT_SECURE = "__Host-cookie_consent", True
    settings.COOKIE_CONSENT_DOMAIN = "example.com"
    problems = host_prefixed_cookies(None)
    assert [p.id for p in problems] == ["core.E030", "core.E030"]
    assert "SESSION_COOKIE_SECURE" in problems[0].msg and "COOKIE_CONSENT_DOMAIN" in problems[1].msg
