"""gunicorn settings for Second Opinion (README, "Deploying with gunicorn and PostgreSQL").

    .venv/bin/gunicorn -c gunicorn.conf.py wsgi:app

gunicorn also reads this file by itself when started in this folder. Command-line flags
override it. The access log goes to standard output with every link token (a candidate's
invitation, a user's set-password link) replaced by ``[redacted]`` (in the request line,
the path and the Referer), so that a log file never holds a working link.
"""
import os

from gunicorn.glogging import Logger

from portal.logs import redact

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
accesslog = "-"
errorlog = "-"
# Keep the default format; the atoms are redacted below.


class RedactingLogger(Logger):
    """gunicorn's logger with link tokens redacted from every access-log atom."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = RedactingLogger
