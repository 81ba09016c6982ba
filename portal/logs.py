"""Link tokens never reach a log.

A candidate's link is ``/i/<token>``: whoever reads the token can take the test as the
candidate. A staff user's set-password link is ``/account/set-password/<token>``: whoever
reads it can choose that user's password. :data:`TOKEN_IN_PATH` finds either in a request
line, a path or a Referer, and :func:`redact` replaces it. :class:`RedactTokens` is a
logging filter for the app's own loggers and Werkzeug's request log (``make run``);
``gunicorn.conf.py`` redacts gunicorn's access log with the same function.
A webhook signing secret (``whsec_...``) is redacted the same way wherever it appears.
"""
from __future__ import annotations

import logging
import re

# A token never holds a backslash: stopping there keeps gunicorn's \" escapes intact.
TOKEN_IN_PATH = re.compile(r"(/i/|/account/set-password/)[^/?#\s\"'\\]+")
REDACTED = r"\1[redacted]"
#: Secrets with a recognisable prefix: a webhook signing secret, an API key (issue 15).
PREFIXED_SECRET = re.compile(r"(whsec_|so_key_)[A-Za-z0-9+/=_-]*")


#: The single sign-on callback's query (``admin.sso_views``): the provider's authorization
#: code and the state, one use each, but credentials until then.
SSO_CALLBACK_QUERY = re.compile(r"(/sso/[^/?#\s]+/callback\?)[^\s\"'#\\]+")


def redact(text: str) -> str:
    # gunicorn's access log calls this for every atom of every request: skip the regex
    # where no link can be.
    if "/i/" in text or "/set-password/" in text:
        text = TOKEN_IN_PATH.sub(REDACTED, text)
    if "/callback?" in text:
        text = SSO_CALLBACK_QUERY.sub(REDACTED, text)
    if "whsec_" in text or "so_key_" in text:
        text = PREFIXED_SECRET.sub(REDACTED, text)
    return text


class RedactTokens(logging.Filter):
    """Rewrites a record's message with the tokens redacted (formatting its arguments first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def init_app(app) -> None:
    token_filter = RedactTokens()
    for logger in (app.logger, logging.getLogger("werkzeug"), logging.getLogger("gunicorn.error")):
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(token_filter)
