"""Geolocation: sources, their order, the mapping to addenda, and bad input."""

import logging

import pytest
from bs4 import BeautifulSoup
from django.core.checks import run_checks
from django.test import RequestFactory

from core import location
from notices import reading
from tests.fixtures import mmdb

pytestmark = pytest.mark.django_db
ALL = ("au", "us-ca", "eea-uk", "ph", "kr")


@pytest.fixture(scope="session")
def mmdb_file(tmp_path_factory):
    return mmdb.build(tmp_path_factory.mktemp("geoip") / "GeoIP2-City.mmdb")


@pytest.fixture
def geoip(settings, mmdb_file):
    settings.GEOIP_PATH = str(mmdb_file)
    return mmdb_file


def located(client, path="/en/privacy/", **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    shown = tuple(s.find("p", class_="applies-to")["id"] for s in page.select("article section.addendum"))
    return response, page, shown


# --- addresses ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2.0.1.5", "2.0.1.5"),
        ("2.0.1.5:8080", "2.0.1.5"),
        ("2001:db8:1::7", "2001:db8:1::7"),
        ("[2001:db8:1::7]:443", "2001:db8:1::7"),
        ("::ffff:2.0.9.1", "2.0.9.1"),
        ("  2.0.1.5 ", "2.0.1.5"),
        ("", None),
        ("unknown", None),
        ("999.1.1.1", None),
        ("2.0.1", None),
        ("[2001:db8::1", None),
        ("example.com", None),
        ("1" * 100, None),
    ],
)
def test_parse_address(raw, expected):
    address = location.parse_address(raw)
    assert (str(address) if address else None) == expected


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "2.0.1.5", "2.0.9.9", "2.0.1.5"),  # XFF ignored unless proxies are trusted
        (1, "10.0.0.1", "2.0.9.9", "2.0.9.9"),
        (1, "10.0.0.1", "2.0.5.5, 2.0.9.9", "2.0.9.9"),  # the visitor wrote 2.0.5.5 themselves
        (2, "10.0.0.1", "2.0.5.5, 2.0.9.9, 10.0.0.2", "2.0.9.9"),
        (2, "10.0.0.1", "2.0.9.9", None),  # fewer hops than trusted proxies: not ours
        (1, "10.0.0.1", "", None),
        (1, "10.0.0.1", "garbage", None),
        (1, "10.0.0.1", "2.0.9.9," * 2000, None),
    ],
)
def test_client_address_counts_trusted_proxies_from_the_right(settings, count, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    address = location.client_address(request.META)
    assert (str(address) if address else None) == expected


# --- the MaxMind database ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("2.0.1.9", ("eea-uk",)),  # Germany
        ("2.0.2.9", ("eea-uk",)),  # United Kingdom
        ("2.0.3.9", ("eea-uk",)),  # Switzerland: Europe outside the EEA
        ("2.0.4.9", ("au",)),
        ("2.0.5.9", ("us-ca",)),  # California
        ("2.0.6.9", ()),  # Texas
        ("2.0.7.9", ("us-ca",)),  # the US, subdivision unknown: California cannot be ruled out
        ("2.0.8.9", ("ph",)),
        ("2.0.9.9", ("kr",)),
        ("2.0.10.9", ()),  # Japan: no addendum
        ("2.0.11.9", ALL),  # a record with no country: unknown
        ("2.0.12.9", ()),  # Brazil; registered/represented countries are ignored
        ("3.3.3.3", ALL),  # not in the database
        ("2001:db8:1::1", ("kr",)),
        ("2001:db8:2::1", ("eea-uk",)),
        ("2001:db8:3::1", ("us-ca",)),
        ("::ffff:2.0.8.1", ("ph",)),  # IPv4-mapped IPv6
        ("not-an-ip", ALL),
    ],
)
def test_addenda_follow_the_database(client, launch_content, geoip, address, shown):
    _, _, on_page = located(client, REMOTE_ADDR=address)
    assert on_page == shown


@pytest.mark.parametrize("code", mmdb.EEA + mmdb.REST_OF_EUROPE)
def test_every_european_country_gets_the_eea_and_uk_addendum(client, launch_content, geoip, code):
    _, _, shown = located(client, REMOTE_ADDR=mmdb.europe_address(code))
    assert shown == ("eea-uk",)


def test_the_page_says_why_in_the_visitors_language(client, launch_content, geoip):
    _, page, _ = located(client, REMOTE_ADDR="2.0.9.9")
    assert page.select_one(".region-why").get_text() == (
        "The addendum for South Korea is shown because your connection appears to come from South Korea."
    )
    _, page, _ = located(client, "/ko/privacy/", REMOTE_ADDR="2.0.1.9")
    why = page.select_one(".region-why").get_text()
    assert "독일" in why  # Germany, in Korean
    _, page, _ = located(client, REMOTE_ADDR="2.0.10.9")
    assert "appears to come from Japan, where no regional addendum applies" in page.get_text()
    assert {a.get_text() for a in page.select(".addenda-elsewhere a")} >= {"Australia", "South Korea"}
    _, page, _ = located(client, REMOTE_ADDR="3.3.3.3")
    assert page.select_one(".region-why").get_text() == (
        "We could not tell where you are, so every regional addendum is shown."
    )


def test_behind_a_trusted_proxy_spoofing_is_ignored(client, launch_content, geoip, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # the visitor (really in Korea) claims to be in Australia
    _, _, shown = located(client, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="2.0.4.1, 2.0.9.9")
    assert shown == ("kr",)
    settings.TRUSTED_PROXY_COUNT = 0
    _, _, shown = located(client, REMOTE_ADDR="2.0.9.9", HTTP_X_FORWARDED_FOR="2.0.4.1")
    assert shown == ("kr",)


# --- CDN headers -------------------------------------------------------------------------

PROVIDERS = {
    "cloudflare": ("HTTP_CF_IPCOUNTRY", "HTTP_CF_REGION_CODE"),
    "cloudfront": ("HTTP_CLOUDFRONT_VIEWER_COUNTRY", "HTTP_CLOUDFRONT_VIEWER_COUNTRY_REGION"),
    "vercel": ("HTTP_X_VERCEL_IP_COUNTRY", "HTTP_X_VERCEL_IP_COUNTRY_REGION"),
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_cdn_headers_count_only_when_enabled(client, launch_content, settings, provider):
    country, region = PROVIDERS[provider]
    headers = {country: "US", region: "CA"}
    settings.GEO_TRUSTED_HEADERS = []
    assert located(client, **headers)[2] == ALL
    settings.GEO_TRUSTED_HEADERS = [provider]
    assert located(client, **headers)[2] == ("us-ca",)
    assert located(client, **{country: "US", region: "TX"})[2] == ()
    assert located(client, **{country: "US"})[2] == ("us-ca",)
    assert located(client, **{country: "au"})[2] == ("au",)
    others = [p for p in PROVIDERS if p != provider]
    settings.GEO_TRUSTED_HEADERS = others
    assert located(client, **headers)[2] == ALL


@pytest.mark.parametrize("value", ["XX", "T1", "", "ZZZ", "1", "D E", "<script>", "EU", "x" * 5000])
def test_unknown_or_garbage_header_values_fall_through_to_the_next_source(
    client, launch_content, geoip, settings, value
):
    settings.GEO_TRUSTED_HEADERS = ["cloudflare", "vercel"]
    _, _, shown = located(client, HTTP_CF_IPCOUNTRY=value, REMOTE_ADDR="2.0.8.1")
    assert shown == ("ph",)  # from the database
    _, _, shown = located(client, HTTP_CF_IPCOUNTRY=value, HTTP_X_VERCEL_IP_COUNTRY="KR", REMOTE_ADDR="2.0.8.1")
    assert shown == ("kr",)  # from the next provider


def test_headers_take_precedence_over_the_database(client, launch_content, geoip, settings):
    settings.GEO_TRUSTED_HEADERS = ["cloudfront"]
    _, page, shown = located(client, HTTP_CLOUDFRONT_VIEWER_COUNTRY="AU", REMOTE_ADDR="2.0.9.9")
    assert shown == ("au",)
    assert page.select_one(".region-why")["data-source"] == "header"


# --- the visitor's choice ----------------------------------------------------------------


def test_the_visitors_choice_overrides_headers_and_database(client, launch_content, geoip, settings):
    settings.GEO_TRUSTED_HEADERS = ["cloudflare"]
    headers = {"HTTP_CF_IPCOUNTRY": "KR", "REMOTE_ADDR": "2.0.9.9"}
    _, page, shown = located(client, "/en/privacy/?jurisdiction=au", **headers)
    assert shown == ("au",)
    assert page.select_one(".region-why").get_text() == (
        "The addendum for Australia is shown because you chose Australia."
    )
    assert located(client, "/en/privacy/?jurisdiction=all", **headers)[2] == ALL


def test_the_region_picker_remembers_and_forgets_a_choice(client, launch_content, geoip):
    response = client.get("/en/privacy/region/", {"jurisdiction": "ph", "next": "/en/privacy/versions/2025-09-02/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/privacy/versions/2025-09-02/"
    cookie = response.cookies[reading.REGION_COOKIE]
    assert cookie.value == "ph" and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "no-cache" in response.headers["Cache-Control"]
    _, page, shown = located(client, REMOTE_ADDR="2.0.9.9")
    assert shown == ("ph",)
    assert page.select_one("select[name=jurisdiction] option[selected]")["value"] == "ph"
    # a ?jurisdiction= link still wins over the remembered choice
    assert located(client, "/en/privacy/?jurisdiction=kr")[2] == ("kr",)
    response = client.get("/en/privacy/region/", {"jurisdiction": "auto"})
    assert response.cookies[reading.REGION_COOKIE].value == ""
    assert located(client, REMOTE_ADDR="2.0.9.9")[2] == ("kr",)


@pytest.mark.parametrize("value", ["atlantis", "kr;au", "", "%00", "ALL " * 100])
def test_a_tampered_region_cookie_is_ignored(client, launch_content, geoip, value):
    client.cookies[reading.REGION_COOKIE] = value
    assert located(client, REMOTE_ADDR="2.0.9.9")[2] == ("kr",)


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", ""]
)
def test_the_region_picker_never_redirects_off_site(client, launch_content, next_url):
    response = client.get("/en/privacy/region/", {"jurisdiction": "au", "next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/privacy/"


@pytest.mark.parametrize(("value", "status"), [("atlantis", 404), ("<x>", 400)])
def test_the_region_picker_rejects_unknown_regions(client, launch_content, value, status):
    response = client.get("/en/privacy/region/", {"jurisdiction": value})
    assert response.status_code == status
    assert reading.REGION_COOKIE not in response.cookies


def test_the_region_picker_is_not_a_post_endpoint(client, launch_content):
    assert client.post("/en/privacy/region/", {"jurisdiction": "au"}).status_code == 405


# --- caching -----------------------------------------------------------------------------


def vary(response) -> set[str]:
    return {v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()}


@pytest.mark.parametrize(
    "path",
    [
        "/en/privacy/",
        "/en/privacy/?jurisdiction=kr",
        "/en/privacy/versions/",
        "/en/privacy/versions/2025-09-02/",
        "/en/cookies/",
    ],
)
def test_no_shared_cache_may_keep_an_html_page(client, launch_content, settings, path):
    """Every page carries the visitor's consent (and may carry a CSRF token): the one place
    that sets HTML caching headers (core.middleware) makes each private, revalidated, and
    names what it depends on besides the URL."""
    settings.GEO_TRUSTED_HEADERS = ["cloudflare"]
    response = client.get(path, HTTP_CF_IPCOUNTRY="KR")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-cache, max-age=0"
    assert vary(response) >= {"Cookie", "CF-IPCountry", "cf-region-code"}


def test_caching_headers_of_other_responses_are_left_alone(client, launch_content):
    feed = client.get("/en/privacy/feed/")
    assert "private" not in feed.headers.get("Cache-Control", "") and "Cookie" not in vary(feed)
    subscribe = client.get("/en/privacy/subscribe/")  # never_cache: stays no-store
    assert "no-store" in subscribe.headers["Cache-Control"]
    # no trusted CDN: only the cookie (and the encoding: pages are gzipped for those who accept it)
    assert vary(client.get("/en/privacy/")) == {"Cookie", "Accept-Encoding"}


def test_geolocation_adds_no_query_on_a_warm_cache(client, launch_content, geoip, django_assert_num_queries):
    client.get("/en/privacy/", REMOTE_ADDR="2.0.9.9")
    with django_assert_num_queries(0):
        client.get("/en/privacy/", REMOTE_ADDR="2.0.9.10")
    # every visitor from the region shares the cached page: a new Korean address, no query
    with django_assert_num_queries(0):
        client.get("/en/privacy/", REMOTE_ADDR="2001:db8:1::99")


def test_editing_a_jurisdiction_in_the_admin_refreshes_the_mapping(
    client, admin_client, launch_content, geoip, django_capture_on_commit_callbacks
):
    assert located(client, REMOTE_ADDR="2.0.10.9")[2] == ()  # Japan
    from notices.models import Jurisdiction

    au = Jurisdiction.objects.get(code="au")
    form = {
        "code": "au",
        "order": au.order,
        "countries": "AU JP",
        "subdivisions": "",
        **{f"name_{lang}": getattr(au, f"name_{lang}") for lang in ("en", "ko", "zh_hans", "ja")},
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/notices/jurisdiction/{au.pk}/change/", form)
    assert response.status_code == 302, response.content[:2000]
    assert located(client, REMOTE_ADDR="2.0.10.9")[2] == ("au",)


# --- a database that is missing, unreadable or corrupt -----------------------------------


@pytest.fixture
def broken_paths(tmp_path):
    corrupt = tmp_path / "corrupt.mmdb"
    corrupt.write_bytes(b"\x00not a maxmind database" * 100)
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    unreadable = tmp_path / "GeoLite2-City.mmdb"
    unreadable.mkdir()  # a folder where a file should be
    return {
        "missing": str(tmp_path / "missing.mmdb"),
        "corrupt": str(corrupt),
        "empty folder": str(empty_dir),
        "folder named like a file": str(unreadable),
    }


@pytest.mark.parametrize("kind", ["missing", "corrupt", "empty folder", "folder named like a file"])
def test_an_unusable_database_is_reported_once_and_pages_still_render(
    client, launch_content, settings, broken_paths, caplog, kind
):
    settings.GEOIP_PATH = broken_paths[kind]
    with caplog.at_level(logging.WARNING, logger="notices.geo"):
        for _ in range(3):
            assert located(client, REMOTE_ADDR="2.0.9.9")[2] == ALL
    assert len([r for r in caplog.records if "geolocation by IP address is off" in r.message]) == 1
    assert [m.id for m in run_checks() if m.id.startswith("core.")] == ["core.W001"]


def test_a_folder_prefers_the_city_database(tmp_path, settings):
    mmdb.build(tmp_path / "GeoLite2-Country.mmdb", database_type="GeoLite2-Country")
    mmdb.build(tmp_path / "GeoLite2-City.mmdb", database_type="GeoLite2-City")
    assert location.database_file(str(tmp_path)).name == "GeoLite2-City.mmdb"
    settings.GEOIP_PATH = str(tmp_path)
    assert location.from_database(location.parse_address("2.0.5.1")) == ("US", "US-CA")


def test_a_country_database_works_without_subdivisions(tmp_path, settings, launch_content):
    settings.GEOIP_PATH = str(mmdb.build(tmp_path / "c.mmdb", database_type="GeoLite2-Country"))
    assert location.from_database(location.parse_address("2.0.5.1")) == ("US", None)


def test_unknown_header_providers_fail_the_system_check(settings):
    settings.GEO_TRUSTED_HEADERS = ["cloudflare", "akamai"]
    assert "core.E001" in [m.id for m in run_checks()]


def test_a_database_that_is_neither_city_nor_country_is_refused(tmp_path, settings):
    path = mmdb.build(tmp_path / "GeoLite2-ASN.mmdb", database_type="GeoLite2-ASN")
    reader, problem = location.open_database(str(path))
    assert reader is None and "GeoLite2-ASN database" in problem
    settings.GEOIP_PATH = str(path)
    assert location.from_database(location.parse_address("2.0.5.1")) is None
