"""A client's bad request (a forged Host, too many fields) is one warning line in the log,
not an ERROR with a traceback: the server log's errors are the site's own."""

import io
import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    """What the configured console handler writes."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_forged_host_is_one_warning_line(console):
    response = Client().get("/healthz", HTTP_HOST="evil.example")
    assert response.status_code == 400
    lines = console.getvalue().splitlines()
    assert len(lines) == 1, lines
    assert " WARNING django.security.DisallowedHost: Invalid HTTP_HOST header: 'evil.example'" in lines[0]


def test_too_many_fields_is_one_warning_line(console, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = Client().get("/en/privacy/?" + "&".join(["a=1"] * 11))
    assert response.status_code == 400
    lines = console.getvalue().splitlines()
    assert len(lines) == 1 and " WARNING django.security.TooManyFieldsSent: " in lines[0], lines
