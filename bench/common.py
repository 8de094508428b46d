"""What every benchmark shares: a prod-settings site on a free loopback port under gunicorn."""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SETUP_COMMANDS = (
    ["migrate", "--noinput", "-v0"],
    ["load_launch_content"],
    ["load_cookie_groups"],  # so every page carries the consent banner, as a first visit does
    ["collectstatic", "--noinput", "-v0"],
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer {url} in {timeout}s")


def prod_env(*, work: Path, port: int, database_url: str, **extra: str) -> dict:
    """Production settings (2 gunicorn workers, no HTTPS redirect on loopback, no access log)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "privacy_site.settings.prod",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "STATIC_ROOT": str(work / "static"),
        "WEB_CONCURRENCY": "2",
        "GUNICORN_ACCESS_LOG": "",
        "PORT": str(port),
        "SITE_URL": "https://privacy.example.com",  # prod requires an explicit https:// one
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def prepare_site(env: dict) -> None:
    for command in SETUP_COMMANDS:
        subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def start_gunicorn(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(PY).parent / "gunicorn"), "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
    )
