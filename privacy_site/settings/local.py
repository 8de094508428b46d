"""`make run`: production-like on one machine, over plain HTTP on loopback.

DEBUG off, so visitors get the friendly error pages; a random secret key of this machine's
own (DJANGO_SECRET_KEY, else the file DJANGO_SECRET_KEY_FILE, `.secret_key` in the
checkout, made on first use). No HTTPS redirect, HSTS or Secure cookies: the site is
served at http://127.0.0.1, where those would lock the browser out.
"""

from pathlib import Path

from .base import *  # noqa: F403
from .base import BASE_DIR
from .env import env_str
from .keys import checked_secret_key, local_secret_key

DEBUG = False
if env_str("DJANGO_SECRET_KEY"):
    SECRET_KEY = checked_secret_key(env_str("DJANGO_SECRET_KEY"), source="DJANGO_SECRET_KEY")
else:
    SECRET_KEY = local_secret_key(Path(env_str("DJANGO_SECRET_KEY_FILE") or BASE_DIR / ".secret_key"))
