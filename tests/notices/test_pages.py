"""The public pages, in every language, with good and bad input."""

import datetime
import itertools

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import cache
from notices import services
from notices.source import parse_policy_text

from .factories import policy_text

pytestmark = pytest.mark.django_db
LANGUAGES = [code for code, _ in settings.LANGUAGES]
ADDENDA = {
    "au": "australia-addendum",
    "us-ca": "california-addendum",
    "eea-uk": "eea-uk-addendum",
    "ph": "philippines-addendum",
    "kr": "south-korea-addendum",
}


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def addenda_on(page):
    return {s["id"] for s in page.select("article section.addendum")}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "path", ["privacy/", "privacy/versions/", "privacy/versions/2025-09-02/", "privacy/versions/2023-07-27/"]
)
def test_every_page_in_every_language_is_accessible_html(client, launch_content, lang, path):
    response = client.get(f"/{lang}/{path}")
    assert response.status_code == 200
    page = soup(response)
    assert page.html["lang"] == lang
    assert len(page.find_all("h1")) == 1
    assert page.find("main", id="main") and page.find("header") and page.find("footer")
    assert page.select_one("a.skip-link")["href"] == "#main"
    # headings never skip a level
    levels = [int(h.name[1]) for h in page.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    # the language switcher links to this page in every language
    switcher = {a["hreflang"]: a["href"] for a in page.select("nav.languages a")}
    assert switcher == {code: f"/{code}/{path}" for code in LANGUAGES}
    assert page.select_one(f'nav.languages a[hreflang="{lang}"]')["aria-current"] == "page"
    # Only first-party scripts (the consent scripts; gated ones carry data-src, not src).
    assert sorted(tag["src"] for tag in page.find_all("script", src=True)) == [
        "/static/js/consent-mode.js",
        "/static/js/consent.js",
    ]
    # Nothing loaded from elsewhere; the canonical and language links name this site (SITE_URL).
    for tag in page.find_all(["link", "img"], href=True) + page.find_all(["img"], src=True):
        if {"canonical", "alternate"} & set(tag.get("rel", [])) and tag.get("type") is None:
            assert tag["href"].startswith(settings.SITE_URL + "/")
        else:
            assert not (tag.get("href") or tag.get("src")).startswith(("http:", "https:", "//"))


def test_policy_page_shows_the_version_in_force_with_contents_and_anchors(client, launch_content):
    page = soup(client.get("/en/privacy/"))
    assert page.find("time", datetime="2025-09-02")
    toc = [a["href"] for a in page.select("nav.toc .toc-list > li > a")]
    sections = [f"#{s['id']}" for s in page.select("article section")]
    assert toc == sections and len(sections) == 17
    assert addenda_on(page) == set(ADDENDA.values())
    assert page.find("h2", id="collection-heading").get_text().startswith("A. COLLECTION OF PERSONAL DATA")


@pytest.mark.parametrize("code", ADDENDA)
def test_jurisdiction_parameter_shows_one_addendum_and_links_the_others(client, launch_content, code):
    page = soup(client.get(f"/en/privacy/?jurisdiction={code}"))
    assert addenda_on(page) == {ADDENDA[code]}
    others = {a["href"] for a in page.select(".addenda-elsewhere a")}
    assert {f"?jurisdiction={other}#{other}" for other in ADDENDA if other != code} <= others
    assert page.find("section", id="collection")  # the base policy is always there
    assert page.select_one(f'select[name=jurisdiction] option[value="{code}"]').has_attr("selected")


@pytest.mark.parametrize("query", ["", "?jurisdiction=all", "?jurisdiction=ALL", "?jurisdiction=", "?other=1"])
def test_all_or_no_jurisdiction_shows_every_addendum(client, launch_content, query):
    response = client.get(f"/en/privacy/{query}")
    assert response.status_code == 200
    assert addenda_on(soup(response)) == set(ADDENDA.values())


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?jurisdiction=atlantis", 404),
        ("?jurisdiction=fr", 404),
        ("?jurisdiction=%3Cscript%3E", 400),
        ("?jurisdiction=" + "a" * 500, 400),
        ("?jurisdiction=au&jurisdiction=kr", 400),
        ("?jurisdiction=%00", 400),
        ("?jurisdiction=%E2%80%AE", 400),
        ("?jurisdiction=%ff%fe", 400),
    ],
)
def test_bad_jurisdiction_parameters_are_4xx_not_500(client, launch_content, query, status):
    assert client.get(f"/en/privacy/{query}").status_code == status
    assert client.get(f"/ko/privacy/versions/2025-09-02/{query}").status_code == status


@pytest.mark.parametrize(
    "path",
    [
        "/en/privacy/versions/2025-02-30/",
        "/en/privacy/versions/2019-01-01/",
        "/en/privacy/versions/9999-99-99/",
        "/en/privacy/versions/25-09-02/",
        "/en/privacy/versions/2025-09-02x/",
        "/en/privacy/versions/%00/",
        "/xx/privacy/",
    ],
)
def test_unknown_or_garbled_addresses_are_404(client, launch_content, path):
    response = client.get(path)
    assert response.status_code == 404
    assert soup(response).h1.get_text() == "Page not found"


def test_unknown_version_404_says_why_in_the_visitors_language(client, launch_content):
    response = client.get("/en/privacy/versions/2019-01-01/")
    assert "No version of the policy took effect on that date." in response.content.decode()


def test_history_lists_all_six_versions_and_says_which_text_is_not_held(client, launch_content):
    page = soup(client.get("/en/privacy/versions/"))
    rows = page.select("table.versions tbody tr")
    dates = [row.find("time")["datetime"] for row in rows]
    assert dates == ["2025-09-02", "2025-04-22", "2024-08-30", "2023-12-07", "2023-07-27", "2022-12-31"]
    assert "In force" in rows[0].get_text()
    for row in rows[1:]:
        assert "Superseded" in row.get_text() and "Text not held on this site." in row.get_text()


def test_a_version_without_text_says_so_and_invents_nothing(client, launch_content):
    page = soup(client.get("/en/privacy/versions/2022-12-31/"))
    assert "its text is not held on this site" in page.get_text()
    assert not page.find("article")


def test_superseded_version_points_to_the_one_in_force(client, launch_content):
    page = soup(client.get("/en/privacy/versions/2023-07-27/"))
    assert page.select_one("p.status a")["href"] == "/en/privacy/versions/2025-09-02/"


def test_untranslated_content_falls_back_to_english_with_a_note(client, untranslated_launch_content):
    page = soup(client.get("/ko/privacy/"))
    note = page.select_one("p.notice[role=note]")
    assert note and "영어" in note.get_text()
    assert page.find("section", id="collection")["lang"] == "en"
    assert "A. COLLECTION OF PERSONAL DATA" in page.get_text()
    # the page chrome itself is Korean
    assert page.find("h1").get_text() == "개인정보 처리방침"


def test_translated_content_is_shown_with_the_translation_note_only(
    client, launch_content, django_capture_on_commit_callbacks
):
    # Translations written in a draft (each recorded against its English) publish with it.
    from notices.translating import translation_save

    draft = services.draft_start_next()
    for section in draft.sections.all():
        heading = f"JA {section.heading_en}" if section.heading_en else ""
        body = section.body_en.replace("Alibaba Cloud", "アリババクラウド")
        assert translation_save(section=section, language="ja", heading=heading, body=body) == []
    with django_capture_on_commit_callbacks(execute=True):
        services.version_publish(version=draft)
    page = soup(client.get("/ja/privacy/"))
    assert not page.select_one("p.fallback-note")
    assert "英語の原文を翻訳したもの" in page.select_one("p.translation-note").get_text()
    assert "英語の文言が優先します" in page.select_one("p.translation-note").get_text()
    assert page.find("section", id="collection").get("lang") is None
    assert "アリババクラウド" in page.find("section", id="collection").get_text()


def test_root_redirects_to_the_visitors_language(client, launch_content):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="ko-KR,ko;q=0.9").headers["Location"] == "/ko/privacy/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").headers["Location"] == "/zh-hans/privacy/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR").headers["Location"] == "/en/privacy/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE=";;;q=x,,").headers["Location"] == "/en/privacy/"
    assert "Accept-Language" in client.get("/").headers["Vary"]


def test_unprefixed_policy_address_redirects_into_a_language(client, launch_content):
    response = client.get("/privacy/versions/2025-09-02/", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 302
    assert response.headers["Location"] == "/ja/privacy/versions/2025-09-02/"


def test_post_to_a_page_is_405(client, launch_content):
    assert client.post("/en/privacy/").status_code == 405


def test_no_policy_published_yet_is_a_clear_404(client, jurisdictions):
    response = client.get("/en/privacy/")
    assert response.status_code == 404
    assert "No privacy policy has been published yet." in response.content.decode()


def test_pages_carry_the_cookie_banner_so_only_the_browser_may_cache_them(client, launch_content):
    # The consent banner (with a CSRF token) and the visitor's consent state are spliced into
    # the cached page per request: shared caches must not keep it (tests/cookies has the rest).
    response = client.get("/en/privacy/")
    assert "private" in response.headers["Cache-Control"] and "public" not in response.headers["Cache-Control"]
    assert "Cookie" in response.headers["Vary"]
    assert set(response.cookies) <= {"csrftoken"}


def test_query_count_is_small_when_cold_and_zero_when_warm(client, launch_content):
    with CaptureQueriesContext(connection) as cold:
        client.get("/en/privacy/?jurisdiction=kr")
    # the policy and region, 3 for the cookie groups and consent rules of the consent banner,
    # 1 for the organisation in the footer and 1 for the versions listed in the generated
    # Updates block; the rest reads and fills the shared cache (a table, by default)
    assert len(content_queries(cold)) <= 11
    for path in ["/en/privacy/?jurisdiction=kr", "/en/privacy/versions/"]:
        client.get(path)
        with CaptureQueriesContext(connection) as warm:
            assert client.get(path).status_code == 200
        # nothing but, at most, the twice-a-second look at the shared generation
        assert content_queries(warm) == [] and len(warm) <= 1, [q["sql"] for q in warm]


def content_queries(captured) -> list[str]:
    """The queries for content: not those of the shared cache's table (and its savepoints)."""
    return [q["sql"] for q in captured if "core_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]]


def test_query_count_does_not_grow_with_the_number_of_sections(client, launch_content, tmp_path):
    client.get("/healthz")  # reads the cookie groups once, as any first request does
    with CaptureQueriesContext(connection) as small:
        client.get("/en/privacy/versions/2025-09-02/")
    body = "\n".join(f"## S{i} {{#s{i}}}\n\nText {i}.\n" for i in range(60))
    services.policy_import(
        source=parse_policy_text(policy_text(effective_date="2025-10-01", body=body)),
        publish=True,
        historical=True,
    )
    cache.bump()
    client.get("/healthz")  # the new generation's cookie groups, as for `small`
    with CaptureQueriesContext(connection) as large:
        client.get("/en/privacy/versions/2025-10-01/")
    assert len(content_queries(large)) == len(content_queries(small))


def test_publishing_a_version_invalidates_the_cached_page(client, launch_content, django_capture_on_commit_callbacks):
    assert "2025-09-02" in client.get("/en/privacy/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_import(
            source=parse_policy_text(policy_text(effective_date="2025-10-01", body="## N {#n}\n\nNew text.\n")),
            publish=True,
            historical=True,
        )
    page = soup(client.get("/en/privacy/"))
    assert page.find("time")["datetime"] == "2025-10-01"
    assert "New text." in page.get_text()


def test_a_scheduled_version_takes_effect_at_midnight_in_the_legal_time_zone(
    client, launch_content, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_import(
            source=parse_policy_text(policy_text(effective_date="2030-01-01", body="## N {#n}\n\nFuture.\n")),
            publish=True,
        )
    # Singapore is UTC+8: 2030-01-01 00:00 there is 2029-12-31 16:00 UTC.
    with time_machine.travel(datetime.datetime(2029, 12, 31, 15, 59, 59, tzinfo=datetime.timezone.utc), tick=False):
        assert soup(client.get("/en/privacy/")).find("time")["datetime"] == "2025-09-02"
        history = soup(client.get("/en/privacy/versions/"))
        assert "Upcoming" in history.select("table.versions tbody tr")[0].get_text()
    with time_machine.travel(datetime.datetime(2029, 12, 31, 16, 0, 0, tzinfo=datetime.timezone.utc), tick=False):
        assert soup(client.get("/en/privacy/")).find("time")["datetime"] == "2030-01-01"


def test_print_stylesheet_and_viewport_for_phones(client, launch_content):
    page = soup(client.get("/en/privacy/"))
    assert page.find("meta", attrs={"name": "viewport"})
    assert page.find("link", rel="stylesheet", media="print")


def test_repeated_requests_for_a_missing_version_make_no_query(client, launch_content):
    assert client.get("/en/privacy/versions/2019-01-01/").status_code == 404
    with CaptureQueriesContext(connection) as repeat:
        assert client.get("/en/privacy/versions/2019-01-01/").status_code == 404
    assert len(repeat) == 0, [q["sql"] for q in repeat]
