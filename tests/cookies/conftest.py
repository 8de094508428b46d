import pytest
from bs4 import BeautifulSoup


@pytest.fixture
def site(launch_content, cookie_groups):
    """The policy and the cookie groups: what `make run` loads."""


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def banner_form(page, label):
    button = page.find("button", string=label)
    return button.find_parent("form") if button else None


def form_data(form) -> dict:
    return {field["name"]: field.get("value", "") for field in form.find_all("input") if field.get("name")}


def post_banner_choice(client, page_path="/en/privacy/", label="Reject all", **extra):
    """Post a banner form as the browser would, from the page it is on; return the response."""
    page = soup(client.get(page_path, **extra))
    form = banner_form(page, label)
    return client.post(form["action"], form_data(form), **extra)


# Where a visitor is, as a trusted CDN says it (GEO_TRUSTED_HEADERS = ["cloudflare"]).
FROM_GERMANY = {"HTTP_CF_IPCOUNTRY": "DE"}
FROM_CALIFORNIA = {"HTTP_CF_IPCOUNTRY": "US", "HTTP_CF_REGION_CODE": "CA"}
FROM_KOREA = {"HTTP_CF_IPCOUNTRY": "KR"}
FROM_AUSTRALIA = {"HTTP_CF_IPCOUNTRY": "AU"}


@pytest.fixture
def cdn_location(settings):
    """Trust Cloudflare's location headers, so a test can say where its visitor is."""
    settings.GEO_TRUSTED_HEADERS = ["cloudflare"]
