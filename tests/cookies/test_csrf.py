"""The banner's fast CSRF tokens are Django's tokens: its middleware accepts them."""

import pytest
from django.http import HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CsrfViewMiddleware, _unmask_cipher_token
from django.test import RequestFactory

from cookies.csrf import get_token


def csrf_check(request) -> bool:
    middleware = CsrfViewMiddleware(lambda r: HttpResponse())
    middleware.process_request(request)
    return middleware.process_view(request, lambda r: HttpResponse(), (), {}) is None


def test_a_first_visit_gets_a_new_secret_and_a_masked_token():
    request = RequestFactory().get("/")
    token = get_token(request)
    secret = request.META["CSRF_COOKIE"]
    assert len(token) == 64 and len(secret) == 32
    assert set(token + secret) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_tokens_are_fresh_each_time_for_the_same_secret():
    request = RequestFactory().get("/")
    first, second = get_token(request), get_token(request)
    assert first != second
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second)


@pytest.mark.django_db  # the refusal renders a page
@pytest.mark.parametrize("as_header", [False, True])
def test_django_accepts_the_token_with_the_cookie_it_set(as_header):
    page = RequestFactory().get("/")
    CsrfViewMiddleware(lambda r: HttpResponse()).process_request(page)
    token = get_token(page)
    cookie = page.META["CSRF_COOKIE"]
    factory = RequestFactory()
    factory.cookies["csrftoken"] = cookie
    if as_header:
        post = factory.post("/", {}, HTTP_X_CSRFTOKEN=token)
    else:
        post = factory.post("/", {"csrfmiddlewaretoken": token})
    assert csrf_check(post)
    factory.cookies["csrftoken"] = "x" * 32
    assert not csrf_check(factory.post("/", {"csrfmiddlewaretoken": token}))


def test_an_existing_secret_is_kept_and_its_cookie_not_resent():
    factory = RequestFactory()
    factory.cookies["csrftoken"] = "a" * 32
    request = factory.get("/")
    CsrfViewMiddleware(lambda r: HttpResponse()).process_request(request)
    assert _unmask_cipher_token(get_token(request)) == "a" * 32
    assert not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")


def test_random_characters_are_spread_evenly():
    from cookies.csrf import _random_indexes

    counts = [0] * len(CSRF_ALLOWED_CHARS)
    for index in _random_indexes(62 * 400):
        counts[index] += 1
    assert min(counts) > 300 and max(counts) < 500
