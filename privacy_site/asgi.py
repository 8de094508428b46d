"""ASGI entry point: what `make run` serves (gunicorn's asyncio worker, see gunicorn.conf.py).

Slow clients cost the event loop a coroutine each: Django reads a request's body and writes
its response asynchronously, so a phone on a bad network holds no thread. Everything else
(middleware, view, signals) is this project's synchronous code, run as ``SyncStackHandler``
explains.
"""

import os
import warnings

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler

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
    PostgreSQL, a new connection per request whatever ``CONN_MAX_AGE`` says.

    Here the chain is the WSGI one (every middleware and the view synchronous) and a request
    enters it once. Thread-sensitive sync code runs on the process's one thread for it, as
    in gunicorn's sync worker: requests take turns there, the database connection lives
    across them, and the event loop keeps reading and writing every other connection
    meanwhile. Concurrency comes from the worker processes (``WEB_CONCURRENCY``).
    """

    def load_middleware(self, is_async=False):
        super().load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        # No ThreadSensitiveContext: thread-sensitive calls go to asgiref's one thread.
        await self.handle(scope, receive, send)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response)(request)


django.setup(set_prefix=False)
application = SyncStackHandler()
