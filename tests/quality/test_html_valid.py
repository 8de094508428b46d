"""The Nu HTML Checker (vnu.jar) on every public page type, in every language, first visit
and after a choice: 0 errors."""

import json
import re
import subprocess

import pytest
from django.test import Client

from tests.cookies.conftest import post_banner_choice

from .conftest import LANGUAGES, page_paths, publish_upcoming


@pytest.fixture
def pages(launch_content, cookie_groups, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        upcoming = publish_upcoming(tmp_path)
    return upcoming


def slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")


def test_every_page_is_valid_html(pages, vnu_jar, tmp_path):
    first, returning = Client(), Client()
    post_banner_choice(returning, label="Accept all")
    out = tmp_path / "html"
    out.mkdir()
    written = {}
    for lang in LANGUAGES:
        for path in page_paths(lang, pages):
            for visit, client in (("first", first), ("chosen", returning)):
                response = client.get(path)
                assert response["Content-Type"].startswith("text/html"), path
                name = out / f"{visit}-{slug(path)}.html"
                name.write_bytes(response.content)
                written[name.name] = f"{visit} {path} ({response.status_code})"
            first.cookies.clear()  # every page a first visit
    assert len(written) >= 4 * 18 * 2
    checked = subprocess.run(
        ["java", "-Xss1m", "-jar", vnu_jar, "--errors-only", "--format", "json", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    errors = [
        f"{written.get(m.get('url', '').rsplit('/', 1)[-1], m.get('url'))}: {m.get('message')} [{m.get('extract', '')}]"
        for m in messages
        if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(errors[:40])
