import re
import socket

import pytest
from bs4 import BeautifulSoup

from tests.tasks import run_due_tasks

FROM_KOREA = {"HTTP_CF_IPCOUNTRY": "KR"}
FROM_CALIFORNIA = {"HTTP_CF_IPCOUNTRY": "US", "HTTP_CF_REGION_CODE": "CA"}
FROM_GERMANY = {"HTTP_CF_IPCOUNTRY": "DE"}
FORM_URL = "/en/privacy/requests/"
LINK_RE = re.compile(r"https?://[^\s\"<>]+/privacy/requests/(confirm|status)/([^/\s\"<>]+)/")


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def site(launch_content, cdn_location):
    """The launch policy and jurisdictions, with the visitor's location from CDN headers."""


@pytest.fixture
def cdn_location(settings):
    settings.GEO_TRUSTED_HEADERS = ["cloudflare"]


def form_data(**overrides) -> dict:
    data = {
        "request_type": "access",
        "jurisdiction": "kr",
        "name": "Kim Min-jun",
        "email": "minjun@example.kr",
        "details": "",
        "language": "en",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def links(text: str, kind: str) -> list[str]:
    """Paths (from /<lang>/ on) of the confirm or status links in an email body."""
    return [m.group(0).split("://", 1)[1].split("/", 1)[1] for m in LINK_RE.finditer(text) if m.group(1) == kind]


def path_of(url: str) -> str:
    return "/" + url if not url.startswith("/") else url


def submit_and_run(client, **overrides):
    """Post the form as a browser would, then run the queued verification email task."""
    response = client.post(FORM_URL, form_data(**overrides), **overrides.pop("extra", {}))
    run_due_tasks()
    return response


def _committing(client, capture):
    """Run what each request queues on commit (its emails), as a real commit would."""
    original = client.request

    def request(**kwargs):
        with capture(execute=True):
            return original(**kwargs)

    client.request = request
    return client


@pytest.fixture
def client(client, django_capture_on_commit_callbacks):
    return _committing(client, django_capture_on_commit_callbacks)


@pytest.fixture
def admin_client(admin_client, django_capture_on_commit_callbacks):
    return _committing(admin_client, django_capture_on_commit_callbacks)
