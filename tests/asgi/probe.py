"""A middleware that notes which thread ran it, for tests/asgi/test_handler.py."""

import threading

seen: list[tuple[str, int]] = []


def probe(label):
    class Probe:
        def __init__(self, get_response):
            self.get_response = get_response

        def __call__(self, request):
            seen.append((label, threading.get_ident()))
            return self.get_response(request)

    return Probe


Outer = probe("outer")
Inner = probe("inner")
