"""Property-based garbage: whatever arrives in addresses, headers, cookies or the query
string, the policy pages answer 200, 400 or 404 — never a 500."""

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from notices import reading
from tests.fixtures import mmdb

pytestmark = pytest.mark.django_db

header_text = st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=300)
address_like = st.one_of(
    st.ip_addresses().map(str),
    st.ip_addresses(v=6).map(lambda a: f"[{a}]:443"),
    header_text,
)


@pytest.fixture(scope="module")
def mmdb_path(tmp_path_factory):
    return mmdb.build(tmp_path_factory.mktemp("fuzz") / "GeoIP2-City.mmdb")


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    remote=address_like,
    forwarded=st.lists(address_like, max_size=6).map(", ".join),
    proxies=st.integers(min_value=0, max_value=3),
    country=header_text,
    region=header_text,
    cookie=st.text(st.characters(codec="latin-1"), max_size=40),
    jurisdiction=st.lists(st.text(max_size=40), max_size=2),
    path=st.sampled_from(["/en/privacy/", "/ja/privacy/versions/2025-09-02/", "/ko/privacy/region/"]),
)
def test_no_input_makes_a_500(
    launch_content,
    settings,
    mmdb_path,
    remote,
    forwarded,
    proxies,
    country,
    region,
    cookie,
    jurisdiction,
    path,
):
    settings.GEOIP_PATH = str(mmdb_path)
    settings.GEO_TRUSTED_HEADERS = ["cloudflare", "cloudfront", "vercel"]
    settings.TRUSTED_PROXY_COUNT = proxies
    client = Client()  # a fresh cookie jar per example
    client.cookies[reading.REGION_COOKIE] = cookie
    response = client.get(
        path,
        {"jurisdiction": jurisdiction, "next": cookie},
        REMOTE_ADDR=remote,
        HTTP_X_FORWARDED_FOR=forwarded,
        HTTP_CF_IPCOUNTRY=country,
        HTTP_CF_REGION_CODE=region,
        HTTP_CLOUDFRONT_VIEWER_COUNTRY=region,
        HTTP_X_VERCEL_IP_COUNTRY_REGION=country,
    )
    assert response.status_code in {200, 302, 400, 404}
