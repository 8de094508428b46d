"""axe-core (through Playwright) and the Content-Security-Policy in Chromium: every public page
type, in every language, on a first visit and after a choice: 0 violations of either."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.quality.conftest import LANGUAGES, page_paths, publish_upcoming

pytestmark = pytest.mark.e2e
# Collects what the browser refuses under the policy (inline code, foreign origins, frames).
WATCH_CSP = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def upcoming(live_site, tmp_path):
    return publish_upcoming(tmp_path)


def check_page(page, axe, path: str, console: list[str]) -> list[str]:
    problems = []
    console.clear()
    response = page.goto(path)
    assert response is not None and "content-security-policy" in response.headers, path
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    results = axe.run(page)
    if results.violations_count:
        problems.append(f"{path}: axe\n{results.generate_report()}")
    csp = page.evaluate("window.__csp") + [line for line in console if "Content Security Policy" in line]
    if csp:
        problems.append(f"{path}: CSP {csp}")
    # The browser reports a 4xx page's own status as an error; anything else counts.
    own = f"the server responded with a status of {response.status}"
    errors = [line for line in console if line.startswith("error") and not (response.status >= 400 and own in line)]
    if errors:
        problems.append(f"{path}: console {errors}")
    return problems


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_has_no_axe_or_csp_violation(browser, live_site, upcoming, lang):
    axe = Axe()
    problems = []
    for chosen in (False, True):
        context = browser.new_context(base_url=live_site.url, locale="en-GB", viewport={"width": 390, "height": 844})
        context.set_default_timeout(15000)
        context.add_init_script(WATCH_CSP)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message, console=console: console.append(f"{message.type}: {message.text}"))
        if chosen:
            page.goto(f"/{lang}/privacy/")
            page.locator("#cookie-banner form").last.locator("button").click()  # reject all
            page.wait_for_selector("#cookie-banner", state="detached")
            problems += check_page(page, axe, f"/{lang}/privacy/", console)
        for path in page_paths(lang, upcoming):
            if not chosen:
                context.clear_cookies()  # every page a first visit, with the banner
            problems += check_page(page, axe, path, console)
            if not chosen and "/cookies/" not in path and page.locator("#cookie-banner").count() != 1:
                problems.append(f"{path}: no banner on a first visit")
        context.close()
    assert problems == [], "\n\n".join(problems)
