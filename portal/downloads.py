"""Files handed to authorised users: always as an attachment, never cached."""
from __future__ import annotations

from io import BytesIO

from flask import Response, send_file


def attachment(data: bytes, *, name: str, mimetype: str) -> Response:
    """``Content-Disposition: attachment`` (the browser saves rather than renders it) and
    ``Cache-Control: no-store`` (no copy left in shared or browser caches)."""
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name,
                         max_age=0, etag=False, conditional=False, last_modified=None)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
