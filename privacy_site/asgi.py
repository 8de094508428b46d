"""ASGI entry point: what `make run` serves (gunicorn's asyncio worker, see gunicorn.conf.py).

Slow clients cost the event loop a coroutine each; Django runs every request's sync code in
a thread of its own, so a request never waits on another client's slow network.
"""

import os
import warnings

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_site.settings.local")

# whitenoise streams static files through a sync iterator; Django consumes it in a thread and
# warns on every file. The files are small and cached by browsers, so the warning says nothing.
warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume synchronous iterators")

application = get_asgi_application()
