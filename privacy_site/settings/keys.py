"""The secret key: the committed development key, the checks a served key must pass, the local key file."""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# Committed, so public: good for `manage.py` on a laptop and for the tests, never for serving.
DEV_SECRET_KEY = "dev-insecure-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"  # noqa: S105
MIN_LENGTH = 50
MIN_UNIQUE_CHARACTERS = 5  # Django's security.W009 threshold
HOW = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def checked_secret_key(key: str, *, source: str) -> str:
    """Return `key` if it can sign what the site serves; raise ImproperlyConfigured otherwise."""
    if not key:
        problem = "must be set"
    elif key == DEV_SECRET_KEY:
        problem = "is the committed development key, which anyone can read"
    elif key.startswith("django-insecure"):
        problem = "is a key Django generated for development"
    elif len(key) < MIN_LENGTH:
        problem = f"is {len(key)} characters long"
    elif len(set(key)) < MIN_UNIQUE_CHARACTERS:
        problem = f"uses only {len(set(key))} distinct characters"
    else:
        return key
    raise ImproperlyConfigured(
        f"{source} {problem}: use a random value of at least {MIN_LENGTH} characters (e.g. {HOW})."
    )


def local_secret_key(path: Path) -> str:
    """Read this machine's key from `path`, creating it once (mode 0600) when it does not exist.

    Several processes start at once (gunicorn workers, the task worker), so the file appears
    whole or not at all: the key is written to a private temporary file beside it, which is
    then hard-linked into place; a process that loses the race reads the winner's key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_urlsafe(MIN_LENGTH) + "\n")
                file.flush()
                os.fsync(file.fileno())
            with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    key = path.read_text(encoding="utf-8").strip()
    try:
        return checked_secret_key(key, source=f"The key in {path}")
    except ImproperlyConfigured as error:
        raise ImproperlyConfigured(f"{error} Or delete the file to have a new one made.") from None
