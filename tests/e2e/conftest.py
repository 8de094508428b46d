"""Browser tests: Playwright driving a Chromium against pytest-django's live server."""

import os
import subprocess
from pathlib import Path

import pytest

ENSURE_BROWSER = Path(__file__).resolve().parents[2] / "bin" / "ensure-browser"
CHROMIUM = ""  # set once collection shows browser tests will run
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def pytest_collection_finish(session):
    """Find the browser before any test runs: one clear line instead of an error per test.

    `make test` has already found or installed one and passes it in $CHROMIUM; a bare
    `pytest` looks it up the same way (bin/ensure-browser) but installs nothing.
    """
    global CHROMIUM
    if session.config.option.collectonly or not any("/e2e/" in str(item.fspath) for item in session.items):
        return
    found = subprocess.run([ENSURE_BROWSER, "--no-install"], capture_output=True, text=True, check=False)
    if found.returncode:
        reason = found.stderr.strip().splitlines()[-1] if found.stderr.strip() else "bin/ensure-browser failed"
        pytest.exit(f"{reason} (`make test` installs one)", returncode=1)
    CHROMIUM = found.stdout.strip()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def live_site(live_server, transactional_db):
    """The site as `make run` sets it up (policy and cookie groups), on a live port."""
    from django.core.management import call_command

    devnull = open(os.devnull, "w")  # noqa: SIM115
    call_command("load_launch_content", stdout=devnull)
    call_command("load_cookie_groups", stdout=devnull)
    return live_server


@pytest.fixture
def open_context(browser, live_site):
    """Open a browser context on the live site: JavaScript on or off, GPC header or not."""
    contexts = []

    def open_(*, javascript: bool, gpc: bool = False):
        context = browser.new_context(
            base_url=live_site.url,
            locale="en-GB",
            java_script_enabled=javascript,
            extra_http_headers={"Sec-GPC": "1"} if gpc else {},
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()
