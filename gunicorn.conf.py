"""gunicorn settings for Second Opinion (README, "Deploying with gunicorn and PostgreSQL").

    .venv/bin/gunicorn -c gunicorn.conf.py wsgi:app

gunicorn also reads this file by itself when started in this folder. Command-line flags
override it. The access log goes to standard output with every link token (a candidate's
invitation, a user's set-password link) replaced by ``[redacted]`` (in the request line,
the path and the Referer), so that a log file never holds a working link.
"""
import os

from gunicorn.glogging import Logger, SafeAtoms

from portal.logs import redact

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
accesslog = "-"
errorlog = "-"
# Keep the default format; the atoms are redacted below.


class RedactedAtoms(SafeAtoms):
    """The access log's atoms, each redacted when the log format reads it.

    gunicorn builds some forty atoms per request (every header and environ entry); the
    default format reads nine. Redacting on read costs only those, and still covers any
    atom a custom ``access_log_format`` names."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        return redact(value) if isinstance(value, str) else value


class RedactingLogger(Logger):
    """gunicorn's logger with link tokens redacted from every access-log atom."""

    atoms_wrapper_class = RedactedAtoms


logger_class = RedactingLogger
