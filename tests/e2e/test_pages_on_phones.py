"""Phones and wide screens (issue 15): the banner's share of the screen, nothing wider than
the viewport, Korean line breaks, the cookie table as cards, the contents list."""

import pytest
from playwright.sync_api import expect

from tests.quality.conftest import publish_upcoming

pytestmark = pytest.mark.e2e
LANGUAGES = ("en", "ko", "zh-hans", "ja")
WIDTHS = (320, 390, 1280)
PAGES = ("/{lang}/privacy/", "/{lang}/privacy/versions/", "/{lang}/cookies/", "/{lang}/privacy/subscribe/")


@pytest.fixture
def viewport_page(browser, live_site):
    contexts = []

    def open_(width: int, height: int = 844, *, javascript: bool = True):
        context = browser.new_context(
            base_url=live_site.url,
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            locale="en-GB",
        )
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        context.close()


def widest(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_first_visit_banner_takes_at_most_a_third_of_a_phone_and_leaves_the_h1_in_view(viewport_page, lang, tmp_path):
    publish_upcoming(tmp_path)  # the upcoming-change notice above the h1 too: the tallest case
    for javascript in (True, False):
        page = viewport_page(390, 844, javascript=javascript)
        page.goto(f"/{lang}/privacy/?jurisdiction=all")
        expect(page.locator(".upcoming")).to_be_visible()
        banner = page.locator("#cookie-banner").bounding_box()
        assert banner["height"] <= 844 / 3 + 0.5, banner
        h1 = page.locator("h1").bounding_box()
        assert h1["y"] + h1["height"] <= banner["y"], (h1, banner)  # above the sheet, in view


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_nothing_scrolls_sideways(viewport_page, lang, width):
    page = viewport_page(width)
    for path in PAGES:
        page.goto(path.format(lang=lang))
        assert widest(page) <= width, (path, widest(page))
    page.goto(f"/{lang}/privacy/?jurisdiction=all")
    assert widest(page) <= width


def test_korean_breaks_between_words(viewport_page):
    page = viewport_page(390)
    page.goto("/ko/privacy/")
    assert page.evaluate("getComputedStyle(document.querySelector('main p')).wordBreak") == "keep-all"
    page.goto("/en/privacy/")
    assert page.evaluate("getComputedStyle(document.querySelector('main p')).wordBreak") == "normal"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_cookie_table_stacks_as_cards_on_a_phone(viewport_page, lang):
    page = viewport_page(390)
    page.goto(f"/{lang}/cookies/")
    purpose = page.locator(".cookie-table td[data-label]").first
    box = purpose.bounding_box()
    assert box["width"] > 250  # a full-width line, not a 37 px column
    label = page.evaluate(
        "getComputedStyle(document.querySelector('.cookie-table td[data-label]'), '::before').content"
    )
    assert label.strip('"')
    # The cookies page in Korean is no longer twice as tall as in English.
    korean = page.evaluate("document.documentElement.scrollHeight")
    page.goto("/en/cookies/")
    assert korean < page.evaluate("document.documentElement.scrollHeight") * 1.5


def test_wide_screen_keeps_the_table_as_a_table(viewport_page):
    page = viewport_page(1280, 800)
    page.goto("/en/cookies/")
    assert page.evaluate("getComputedStyle(document.querySelector('.cookie-table tr')).display") == "table-row"


def test_contents_lists_subsections_without_double_numbers_and_leads_back(viewport_page):
    page = viewport_page(390)
    page.goto("/en/privacy/?jurisdiction=kr")
    toc = page.locator("nav.toc")
    assert page.evaluate("getComputedStyle(document.querySelector('.toc-list > li')).listStyleType") == "none"
    korea = toc.locator("li", has=page.locator("a[href='#south-korea-addendum']"))
    subsections = korea.locator("ol > li > a")
    assert subsections.count() >= 10
    first = subsections.first
    target = first.get_attribute("href")
    assert page.locator(f"h3{target}").count() == 1
    # The heading keeps its published case.
    assert toc.get_by_role("link", name="A. COLLECTION OF PERSONAL DATA").count() == 1
    first.click()
    assert page.evaluate("location.hash") == target
    back = page.locator("#south-korea-addendum .back-to-contents a")
    expect(back).to_have_attribute("href", "#toc-heading")
    back.click()
    top = page.locator("#toc-heading").bounding_box()
    assert -2 <= top["y"] < 844
