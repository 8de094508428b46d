"""Google Consent Mode v2 and the US opt-out link in a real browser (issue 13's "done when")."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

CONSENT_CALLS = "() => (window.dataLayer || []).filter(e => e[0] === 'consent').map(e => [e[1], e[2]])"


@pytest.fixture
def from_place(browser, live_site, settings):
    """A browser context whose requests carry a trusted CDN's location headers."""
    settings.GEO_TRUSTED_HEADERS = ["cloudflare"]
    contexts = []

    def open_(headers: dict, *, javascript: bool = True):
        context = browser.new_context(
            base_url=live_site.url, locale="en-GB", java_script_enabled=javascript, extra_http_headers=headers
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()


def test_germany_opt_in_defaults_then_accept_all_sends_an_update_without_reload(from_place, live_site):
    context = from_place({"CF-IPCountry": "DE"})
    page = context.new_page()
    origins = set()
    page.on("request", lambda request: origins.add(urlsplit(request.url).netloc))
    page.goto("/en/privacy/")
    banner = page.locator("#cookie-banner")
    expect(banner).to_contain_text("With your consent")
    calls = page.evaluate(CONSENT_CALLS)
    assert calls[0][0] == "default"
    assert calls[0][1]["ad_storage"] == "denied" and calls[0][1]["analytics_storage"] == "denied"
    assert calls[0][1]["security_storage"] == "granted"
    page.evaluate("window.stayedOnPage = true")
    banner.get_by_role("button", name="Accept all", exact=True).click()
    expect(banner).to_have_count(0)
    page.wait_for_function("() => window.dataLayer.some(e => e[0] === 'consent' && e[1] === 'update')")
    assert page.evaluate("window.stayedOnPage") is True
    update = [args for kind, args in page.evaluate(CONSENT_CALLS) if kind == "update"][-1]
    assert update["ad_storage"] == "granted" and update["analytics_storage"] == "granted"
    # The next page starts from the stored choice.
    page.goto("/en/privacy/versions/")
    assert page.evaluate(CONSENT_CALLS)[0][1]["analytics_storage"] == "granted"
    # Nothing came from another origin.
    assert origins == {urlsplit(live_site.url).netloc}


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_colorado_sees_the_opt_out_link_in_banner_and_footer(from_place, javascript):
    context = from_place({"CF-IPCountry": "US", "cf-region-code": "CO"}, javascript=javascript)
    page = context.new_page()
    page.goto("/en/privacy/")
    label = "Opt out of sale and targeted advertising"
    expect(page.locator("#cookie-banner .do-not-sell a")).to_have_text(label)
    expect(page.locator("footer a.do-not-sell")).to_have_text(label)
    page.locator("footer a.do-not-sell").click()
    expect(page.locator("#do-not-sell-heading")).to_have_text(label)
