"""A privacy request in a real browser: from the policy's "click here" to the status page."""

import datetime
import importlib
import zoneinfo

import pytest
from django.apps import apps
from django.core import mail
from django.utils import timezone

from tests.rights.conftest import links


@pytest.mark.parametrize("javascript", [False, True])
def test_click_here_to_a_verified_request_at_320_px(open_context, live_site, javascript, settings):
    # The live server runs in its own thread, with its own in-memory task queue: run tasks at once.
    settings.TASKS = {"default": {"BACKEND": "tests.tasks.RunAtOnceBackend"}}
    # A transactional test starts from an emptied database: put the deadline table back.
    importlib.import_module("rights.migrations.0002_default_deadlines").load(apps, None)
    context = open_context(javascript=javascript)
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/en/privacy/?jurisdiction=all")
    page.get_by_role("link", name="click here to submit your request").click()
    page.wait_for_load_state("load")  # the stylesheets too, before measuring
    assert page.url.endswith("/en/privacy/requests/")
    if javascript:
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 321)"
            ".map(e => e.tagName + '.' + e.className + '#' + e.id).slice(0, 8)"
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, wide
    page.get_by_label("What would you like us to do?").select_option("access")
    page.get_by_label("Where do you live?").select_option("kr")
    page.get_by_label("Your name").fill("Kim Min-jun")
    page.get_by_label("Your email address").fill("minjun@example.kr")
    page.get_by_role("button", name="Send the request").click()
    assert page.get_by_role("heading", name="Check your inbox").is_visible()
    (confirm,) = links(mail.outbox[-1].body, "confirm")
    page.goto("/" + confirm)
    page.get_by_role("button", name="Confirm the request").click()
    assert page.get_by_role("heading", name="Privacy request").is_visible()
    due = timezone.now().astimezone(zoneinfo.ZoneInfo("Asia/Singapore")).date() + datetime.timedelta(days=10)
    assert page.locator("[data-due-date]").get_attribute("data-due-date") == due.isoformat()
    page.wait_for_load_state("load")
    if javascript:
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
