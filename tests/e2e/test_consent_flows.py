"""The issue's "done when": every consent flow in a real browser, with JavaScript on and off."""

import re

import pytest
from cookie_consent.models import Cookie
from playwright.sync_api import expect

from cookies.models import ConsentRecord

pytestmark = pytest.mark.e2e
NECESSARY = {"csrftoken", "cookie_consent", "consent_id"}


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request):
    return request.param


def cookie_names(context) -> set[str]:
    return {cookie["name"] for cookie in context.cookies()}


def banner(page):
    return page.locator("#cookie-banner")


def test_first_visit_shows_the_banner_and_runs_nothing_optional(open_context, javascript):
    context = open_context(javascript=javascript)
    page = context.new_page()
    page.goto("/en/privacy/")
    expect(banner(page)).to_be_visible()
    expect(banner(page).get_by_role("button", name="Accept all", exact=True)).to_be_visible()
    expect(banner(page).get_by_role("button", name="Reject all", exact=True)).to_be_visible()
    expect(banner(page).get_by_role("link", name="Manage cookies", exact=True)).to_have_attribute(
        "href", "/en/cookies/"
    )
    assert cookie_names(context) <= NECESSARY
    assert page.locator("html[data-demo-analytics]").count() == 0
    assert page.locator("script[data-cookie-group][src]").count() == 0  # nothing activated


def test_reject_all_closes_the_banner_and_records_the_choice(open_context, javascript):
    context = open_context(javascript=javascript)
    page = context.new_page()
    page.goto("/en/privacy/?jurisdiction=eea-uk")
    if javascript:
        page.evaluate("window.stayedOnPage = true")
    banner(page).get_by_role("button", name="Reject all", exact=True).click()
    expect(banner(page)).to_have_count(0)
    if javascript:
        assert page.evaluate("window.stayedOnPage") is True  # closed without a reload
        expect(page.locator("#cookie-consent-status")).to_have_text("Your cookie choices have been saved.")
    assert page.url.endswith("/en/privacy/?jurisdiction=eea-uk")
    record = ConsentRecord.objects.get()
    assert record.source == "banner" and record.decision == "rejected-all"
    # The addendum the page showed (signed into the form by the server), and where the
    # visitor is: unknown here, so every region's law, the strictest, applies.
    assert record.shown == "eea-uk" and record.location_source == "unknown"
    assert record.jurisdictions == "au,us-ca,eea-uk,ph,kr"
    page.goto("/en/privacy/versions/")
    expect(banner(page)).to_have_count(0)
    assert cookie_names(context) <= NECESSARY


def test_analytics_on_runs_the_demo_script_and_withdrawal_removes_its_cookie(open_context, javascript):
    context = open_context(javascript=javascript)
    page = context.new_page()
    page.goto("/en/privacy/")
    banner(page).get_by_role("link", name="Manage cookies", exact=True).click()
    expect(page).to_have_url(re.compile(r"/en/cookies/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cookie settings")
    page.locator("#switch-analytics").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_role("status").filter(has_text="Your choice has been saved.")).to_be_visible()
    if javascript:
        expect(page.locator("html[data-demo-analytics=ran]")).to_have_count(1)
    page.goto("/en/privacy/")  # the demo analytics runs on every page now
    page.wait_for_load_state("load")
    expect(banner(page)).to_have_count(0)
    assert "demo_analytics" in cookie_names(context)
    record = ConsentRecord.objects.get()
    assert record.source == "settings" and record.accepted == ["analytics", "necessary"]

    page.get_by_role("link", name="Cookie settings").click()
    page.get_by_role("button", name="Withdraw my consent").click()
    expect(page.get_by_role("status").filter(has_text="Your choice has been saved.")).to_be_visible()
    assert "demo_analytics" not in cookie_names(context)
    page.goto("/en/privacy/")
    page.wait_for_load_state("load")
    assert "demo_analytics" not in cookie_names(context)
    assert list(ConsentRecord.objects.order_by("pk").values_list("source", flat=True)) == [
        "settings",
        "withdrawal",
    ]
    assert ConsentRecord.objects.order_by("pk").last().decision == "rejected-all"


def test_gpc_on_a_california_page_turns_advertising_off_with_a_note(open_context, javascript):
    context = open_context(javascript=javascript, gpc=True)
    page = context.new_page()
    page.goto("/en/privacy/?jurisdiction=us-ca")
    expect(banner(page).locator(".gpc-note")).to_contain_text("Global Privacy Control")
    expect(page.locator("footer .gpc-note")).to_be_visible()
    expect(page.locator("footer a.do-not-sell")).to_have_text("Do Not Sell or Share My Personal Information")
    # Recorded once the browser shows it keeps cookies (it returns its consent id).
    assert not ConsentRecord.objects.exists()
    page.reload()
    expect(banner(page).locator(".gpc-note")).to_be_visible()
    gpc_record = ConsentRecord.objects.get()
    assert gpc_record.source == "gpc" and gpc_record.groups["advertising"]["accepted"] is False
    banner(page).get_by_role("button", name="Accept all", exact=True).click()
    expect(banner(page)).to_have_count(0)
    latest = ConsentRecord.objects.order_by("pk").last()
    assert latest.source == "banner" and latest.gpc
    assert latest.groups["advertising"]["accepted"] is False and latest.groups["analytics"]["accepted"] is True
    page.goto("/en/cookies/")
    switch = page.locator("#switch-advertising")
    expect(switch).to_be_disabled()
    expect(switch).not_to_be_checked()
    expect(page.locator("#switch-analytics")).to_be_checked()


def test_keyboard_reaches_the_banner_first_and_choosing_moves_focus_to_the_content(open_context):
    context = open_context(javascript=True)
    page = context.new_page()
    page.goto("/en/privacy/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Accept all")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Reject all")
    page.keyboard.press("Enter")
    expect(banner(page)).to_have_count(0)
    expect(page.locator("#main")).to_be_focused()


def test_every_cookie_the_browser_ends_up_with_is_declared(open_context):
    context = open_context(javascript=True)
    page = context.new_page()
    page.goto("/en/privacy/")
    banner(page).get_by_role("button", name="Accept all", exact=True).click()
    expect(banner(page)).to_have_count(0)
    page.goto("/en/cookies/")
    expect(page.locator("html[data-demo-analytics=ran]")).to_have_count(1)
    declared = set(Cookie.objects.values_list("name", flat=True))
    assert cookie_names(context) <= declared, cookie_names(context) - declared
    assert {"csrftoken", "cookie_consent", "consent_id", "demo_analytics"} <= cookie_names(context)
