"""Logging pieces the settings name (LOGGING)."""

import logging


class ClientErrorsAsWarnings(logging.Filter):
    """Make a client's bad request one WARNING line, without the traceback.

    Django logs a SuspiciousOperation (a Host not in ALLOWED_HOSTS, too many fields, a body
    too large) on ``django.security.<name>`` as an ERROR with its traceback, though the
    client gets a 400: anyone could fill the log with errors that are not the site's. The
    line stays, as a warning: a wrong ALLOWED_HOSTS shows there first.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("django.security.") and getattr(record, "status_code", None) == 400:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True
