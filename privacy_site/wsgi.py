"""WSGI entry point for gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

# A WSGI server is serving: production-like unless told otherwise (`make dev` says dev).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "privacy_site.settings.local")

application = get_wsgi_application()
