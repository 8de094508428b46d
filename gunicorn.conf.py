"""gunicorn settings; every value can be overridden from the environment."""

import os
import sys

# The project's own settings helpers, wherever gunicorn was started from.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from privacy_site.settings.env import web_concurrency

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = web_concurrency()
# gunicorn's own asyncio (ASGI) worker: a connection costs a coroutine, not a process, so
# slow clients (a phone on a bad network, or a slowloris holding 100 connections open) wait
# on the event loop while complete requests are answered; each worker runs Django's sync code
# on one thread, a request at a time (privacy_site.asgi). With the sync worker, six slow
# connections stopped the site.
# GUNICORN_WORKER_CLASS=sync serves the WSGI application instead (behind a buffering proxy).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "asgi")
wsgi_app = "privacy_site.asgi:application" if worker_class == "asgi" else "privacy_site.wsgi:application"
# Connections one asgi worker keeps open at once (slow or idle ones included).
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "1000"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak can never take the site down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = 1000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No control socket: its default path (~/.gunicorn/gunicorn.ctl) is one per user, so a second
# instance on the same machine deleted the first one's; nothing here uses it (HUP and TERM
# signals manage the workers).
control_socket_disable = True
