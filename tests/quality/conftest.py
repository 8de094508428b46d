"""The pages the quality checks go through: every public page type, in every language."""

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("en", "ko", "zh-hans", "ja")
# (path, status): one of each public page type, the error pages included.
PAGE_TYPES = (
    ("/{lang}/privacy/", 200),
    ("/{lang}/privacy/?jurisdiction=all", 200),
    ("/{lang}/privacy/versions/", 200),
    ("/{lang}/privacy/versions/2025-09-02/", 200),
    ("/{lang}/privacy/versions/2022-12-31/", 200),  # text not held
    ("/{lang}/privacy/versions/2022-12-31/diff/2025-09-02/", 404),
    ("/{lang}/privacy/versions/2025-04-22/diff/2025-09-02/", 404),
    ("/{lang}/privacy/versions/2025-09-02/diff/2025-09-01/", 404),
    ("/{lang}/cookies/", 200),
    ("/{lang}/privacy/subscribe/", 200),
    ("/{lang}/privacy/subscribe/sent/", 200),
    ("/{lang}/privacy/subscribe/confirm/not-a-token/", 400),
    ("/{lang}/privacy/unsubscribe/not-a-token/", 400),
    ("/{lang}/privacy/nowhere/", 404),
    ("/{lang}/privacy/?jurisdiction=nowhere", 400),
)


@pytest.fixture(scope="session")
def vnu_jar() -> str:
    """The Nu HTML Checker `make test` installed (bin/ensure-vnu); one clear line if absent."""
    found = subprocess.run([ROOT / "bin" / "ensure-vnu", "--no-install"], capture_output=True, text=True, check=False)
    if found.returncode:
        pytest.fail(f"{found.stderr.strip()} (`make test` installs it)", pytrace=False)
    return found.stdout.strip()


@pytest.fixture(scope="session")
def lighthouse() -> str:
    """Lighthouse's command-line script `make test` installed (bin/ensure-lighthouse); one clear line if absent."""
    return _ensured("ensure-lighthouse")


@pytest.fixture(scope="session")
def chromium() -> str:
    """The Chromium `make test` found (bin/ensure-browser); one clear line if there is none."""
    return _ensured("ensure-browser")


def _ensured(script: str) -> str:
    found = subprocess.run([ROOT / "bin" / script, "--no-install"], capture_output=True, text=True, check=False)
    if found.returncode:
        reason = found.stderr.strip().splitlines()[-1] if found.stderr.strip() else f"bin/{script} failed"
        pytest.fail(f"{reason} (`make test` installs it)", pytrace=False)
    return found.stdout.strip()


def publish_upcoming(tmp_path: Path) -> str:
    """Publish a material change taking effect in 40 days (the upcoming notice on every page,
    a redline); return its effective date."""
    import datetime
    import os

    from django.core.management import call_command

    from notices.selectors import legal_today

    effective = (legal_today() + datetime.timedelta(days=40)).isoformat()
    text = (ROOT / "notices" / "content" / "2025-09-02.md").read_text(encoding="utf-8")
    text = text.replace("effective_date: 2025-09-02", f"effective_date: {effective}", 1)
    text = text.replace("material: false", "material: true", 1)
    text = text.replace("This Privacy Policy applies to", "This Privacy Policy, as amended, applies to", 1)
    path = tmp_path / f"{effective}.md"
    path.write_text(text, encoding="utf-8")
    call_command("import_policy", str(path), "--publish", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return effective


def page_paths(lang: str, upcoming: str) -> list[str]:
    return [path.format(lang=lang) for path, _status in PAGE_TYPES] + [
        f"/{lang}/privacy/versions/{upcoming}/",
        f"/{lang}/privacy/versions/2025-09-02/diff/{upcoming}/",
        f"/{lang}/privacy/versions/{upcoming}/diff/2025-09-02/",  # the wrong order: a 400 page
    ]
