"""ASGI entry point: what `make run` serves (gunicorn's asyncio worker, see gunicorn.conf.py).

Slow clients cost the event loop a coroutine each: Django reads a request's body and writes
its response asynchronously, so a phone on a bad network holds no thread. Everything else
(middleware, view, signals) is this project's synchronous code, run as ``SyncStackHandler``
explains.
"""

import asyncio
import contextlib
import os
import warnings

import django
from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_site.settings.local")

# whitenoise streams static files through a sync iterator; Django consumes it in a thread and
# warns on every file. The files are small and cached by browsers, so the warning says nothing.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")


class SyncStackHandler(ASGIHandler):
    """Django's ASGI handler, with the synchronous part of each request run in one call.

    Django's own builds the middleware chain in async mode: the async-capable middleware at
    the bottom (clickjacking, axes) run on the event loop, so each request crosses between
    the loop and a thread four times (into the stack, back out for those middleware, into
    the view, out again), and each request gets a thread of its own (``ThreadSensitiveContext``)
    that is started and joined around it, opening its own database connection — with
    PostgreSQL, a new connection per request whatever ``CONN_MAX_AGE`` says. It also sends
    ``request_started`` and, after the body, ``request_finished`` (``response.close()``)
    through hops of their own.

    Here the chain is the WSGI one (every middleware and the view synchronous) and a request
    crosses to it once: ``request_started``, the stack and, for a response whose bytes are
    already in memory, ``close()`` with ``request_finished`` run in one call on the process's
    one thread for thread-sensitive code, as in gunicorn's sync worker. Requests take turns
    there, the database connection lives across them, and the event loop reads and writes
    every other connection meanwhile. A crossing costs about 90 µs of CPU (thread wake-ups
    both ways), a fifth of what a cached page costs Django, so the two saved are worth
    having. Concurrency comes from the worker processes (``WEB_CONCURRENCY``).

    A streaming response (a static file, a CSV export) is read and closed after it is sent,
    as Django does, so its file stays open until then.
    """

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # No ThreadSensitiveContext: thread-sensitive calls go to asgiref's one thread.
        await self.handle(scope, receive, send)

    async def handle(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            set_script_prefix(get_script_prefix(scope))
            response = await sync_to_async(self.respond)(scope, body_file)
            # A client that leaves mid-response stops the sending, as in Django's handler.
            sending = asyncio.create_task(self.send_response(response, send))
            listening = asyncio.create_task(self.listen_for_disconnect(receive))
            await asyncio.wait((sending, listening), return_when=asyncio.FIRST_COMPLETED)
            for task in (listening, sending):
                if not task.done():
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError, RequestAborted):
                    await task
            if response.streaming:
                await sync_to_async(response.close)()
        finally:
            body_file.close()

    def respond(self, scope, body_file):
        """Everything synchronous about one request, on the thread for sync code."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if not response.streaming:
            # Its bytes are in memory: finishing the request here (request_finished, which
            # returns the database connection) saves a hop back after sending.
            response.close()
        return response


django.setup(set_prefix=False)
application = SyncStackHandler()
