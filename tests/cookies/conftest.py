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
