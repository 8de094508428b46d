"""A form sent in a charset other than UTF-8 is a 400, on every page that takes one.

Django refuses such a body with BadRequest, but leaves it unparsed: its default 400 handler
checks the CSRF token first (requires_csrf_token), reads the form again, and raised again,
so the visitor got a 500 and the log a traceback.
"""

import pytest
from django.test import Client

from subscriptions.models import PendingSubscription

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/en/privacy/requests/", "/en/privacy/subscribe/", "/en/cookies/accept/", "/en/cookies/withdraw/"],
)
@pytest.mark.parametrize("charset", ["utf-16", "latin-1"])
def test_a_form_in_another_charset_is_a_bad_request(launch_content, cookie_groups, path, charset):
    # As a browser: the CSRF check is what reads the form first.
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    browser.get("/en/privacy/subscribe/")  # the CSRF cookie, as any page hands it out
    content_type = f"application/x-www-form-urlencoded; charset={charset}"
    response = browser.post(path, "email=ada%40example.com&language=en", content_type=content_type)
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()
    assert not PendingSubscription.objects.exists()


def test_the_400_page_still_hands_out_the_banner_forms_csrf_cookie(launch_content, cookie_groups):
    browser = Client(enforce_csrf_checks=True)
    response = browser.get("/en/privacy/?jurisdiction=%3Cx%3E")
    assert response.status_code == 400
    token = response.cookies["csrftoken"].value
    assert token and 'name="csrfmiddlewaretoken"' in response.content.decode()
