"""What a search engine reads: descriptions, canonical and hreflang links, noindex, sitemap, feed."""

import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

SITE = "https://privacy.example.com"
LANGUAGES = ("en", "ko", "zh-hans", "ja")
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def site(launch_content, cookie_groups, settings):
    settings.SITE_URL = SITE


def head(client, path):
    response = client.get(path)
    return response, BeautifulSoup(response.content, "html.parser").head


def description(page) -> str:
    return page.find("meta", attrs={"name": "description"})["content"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_page_type_has_its_own_translated_description(client, site, language):
    paths = [
        f"/{language}/privacy/",
        f"/{language}/privacy/versions/",
        f"/{language}/privacy/versions/2025-04-22/",
        f"/{language}/cookies/",
        f"/{language}/privacy/subscribe/",
    ]
    descriptions = [description(head(client, path)[1]) for path in paths]
    assert len(set(descriptions)) == len(paths) and all(len(d) > 25 for d in descriptions)
    english = [description(head(client, path.replace(f"/{language}/", "/en/", 1))[1]) for path in paths]
    if language != "en":
        assert not set(descriptions) & set(english)


def test_absolute_hreflang_for_every_language_and_x_default(client, site):
    _, page = head(client, "/ko/privacy/versions/")
    links = {link["hreflang"]: link["href"] for link in page.find_all("link", rel="alternate", hreflang=True)}
    assert links == {
        **{code: f"{SITE}/{code}/privacy/versions/" for code in LANGUAGES},
        "x-default": f"{SITE}/privacy/versions/",
    }
    # x-default is the address that sends each browser to its language.
    assert client.get("/privacy/versions/", HTTP_ACCEPT_LANGUAGE="ja")["Location"] == "/ja/privacy/versions/"


def test_canonical_links_fold_duplicates_into_the_policy(client, site):
    for path in ("/en/privacy/", "/en/privacy/?jurisdiction=kr", "/en/privacy/?jurisdiction=all"):
        assert head(client, path)[1].find("link", rel="canonical")["href"] == f"{SITE}/en/privacy/"
    # The in-force version's own page is the policy's text: canonical is the policy.
    assert head(client, "/ko/privacy/versions/2025-09-02/")[1].find("link", rel="canonical")["href"] == (
        f"{SITE}/ko/privacy/"
    )
    assert head(client, "/en/privacy/versions/")[1].find("link", rel="canonical")["href"] == (
        f"{SITE}/en/privacy/versions/"
    )


def test_text_not_held_pages_are_noindex(client, site):
    _, page = head(client, "/en/privacy/versions/2022-12-31/")
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.find("link", rel="canonical") is None
    _, policy = head(client, "/en/privacy/")
    assert policy.find("meta", attrs={"name": "robots"}) is None
    response, missing = head(client, "/en/privacy/versions/1999-01-01/")
    assert response.status_code == 404 and missing.find("meta", attrs={"name": "robots"})["content"] == "noindex"


def test_sitemap_lists_indexable_pages_with_alternates(client, site):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    urls = {u.find("s:loc", SITEMAP_NS).text: u for u in root.findall("s:url", SITEMAP_NS)}
    for code in LANGUAGES:
        assert f"{SITE}/{code}/privacy/" in urls
        assert f"{SITE}/{code}/privacy/versions/" in urls
        assert f"{SITE}/{code}/cookies/" in urls
    # Neither the in-force version's duplicate page nor a page whose text is not held.
    assert not [loc for loc in urls if "/versions/20" in loc]
    alternates = {
        link.get("hreflang"): link.get("href") for link in urls[f"{SITE}/ja/privacy/"].findall("x:link", SITEMAP_NS)
    }
    assert alternates == {**{code: f"{SITE}/{code}/privacy/" for code in LANGUAGES}, "x-default": f"{SITE}/privacy/"}
    # Midnight in the legal time zone (Singapore) on 2 September is 1 September in UTC.
    assert urls[f"{SITE}/en/privacy/"].find("s:lastmod", SITEMAP_NS).text == "2025-09-01"


def test_robots_txt_names_the_sitemap(client, site):
    body = client.get("/robots.txt").content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in body.splitlines()


def test_atom_entries_have_absolute_ids_an_author_and_their_own_dates(client, site):
    feed = ET.fromstring(client.get("/ko/privacy/feed/").content)
    assert feed.find(f"{ATOM}author/{ATOM}name").text
    entries = {e.find(f"{ATOM}id").text: e for e in feed.findall(f"{ATOM}entry")}
    assert f"{SITE}/ko/privacy/versions/2025-09-02/" in entries
    assert all(entry_id.startswith(f"{SITE}/ko/privacy/versions/") for entry_id in entries)
    # Imported history: dated by when each version took effect, not by the import.
    old = entries[f"{SITE}/ko/privacy/versions/2022-12-31/"]
    assert old.find(f"{ATOM}published").text.startswith("2022-12-31T00:00:00")
    assert old.find(f"{ATOM}updated").text.startswith("2022-12-31T00:00:00")


@pytest.mark.parametrize("path", ["/sitemap.xml", "/en/privacy/feed/"])
@pytest.mark.parametrize("method", ["post", "put", "delete", "options", "trace"])
def test_the_sitemap_and_feed_answer_only_get_and_head(client, site, path, method):
    assert getattr(client, method)(path).status_code == 405
    assert client.head(path).status_code == 200
