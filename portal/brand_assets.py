"""The branding's public assets: the logo and the candidate pages' colours.

Both are public (a candidate has no account) and carry the branding's version in their
URL, so a browser may keep them for a year; a changed branding gets a new URL. The SVG
logo is the sanitised one, served with a CSP of its own that forbids everything, so
opened directly it still cannot run script or fetch anything.
"""
from __future__ import annotations

import threading
import time
import weakref

from flask import Blueprint, Response, abort, current_app, g, request, url_for

from .db import get_session
from .services import branding

bp = Blueprint("brand", __name__)

LONG_CACHE = "public, max-age=31536000, immutable"
SVG_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


def _cache(response: Response, version: int) -> Response:
    # Only the current version is cacheable for long: an old URL gets today's file,
    # checked again next time.
    response.headers["Cache-Control"] = LONG_CACHE if request.args.get("v") == str(version) else "no-cache"
    return response


@bp.get("/branding/logo.<ext>")
def logo(ext: str):
    found = branding.logo(get_session())
    if found is None:
        abort(404)
    data, content_type, version = found
    if ext != ("svg" if content_type == branding.SVG else "png"):
        abort(404)
    response = Response(data, mimetype=content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = f'inline; filename="logo.{ext}"'
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if content_type == branding.SVG:
        response.headers["Content-Security-Policy"] = SVG_CSP
    return _cache(response, version)


@bp.get("/branding.css")
def stylesheet():
    brand = current_brand()
    response = Response(branding.stylesheet(brand), mimetype="text/css")
    return _cache(response, brand.version)


#: Per app: (monotonic time it was read, the branding). Candidate pages show the branding,
#: and the item page is the product's hottest path (issue 14): it reads no branding row.
_BRANDS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def current_brand() -> branding.Brand:
    """The branding in effect (templates call ``brand()``): read from the database at most
    once per ``BRANDING_CACHE_SECONDS`` per worker (default 30), so a change shows on
    every worker within that time, at once on the worker that saved it (:func:`forget`)."""
    if "brand" not in g:
        app = current_app._get_current_object()
        ttl = float(app.config.get("BRANDING_CACHE_SECONDS", 30))
        with _LOCK:
            cached = _BRANDS.get(app)
        if cached is not None and time.monotonic() - cached[0] < ttl:
            g.brand = cached[1]
        else:
            g.brand = branding.current(get_session(), app.config)
            with _LOCK:
                _BRANDS[app] = (time.monotonic(), g.brand)
    return g.brand


def forget() -> None:
    """Read the branding again on the next page (after a change was committed)."""
    with _LOCK:
        _BRANDS.pop(current_app._get_current_object(), None)
    g.pop("brand", None)


def logo_url(brand: branding.Brand) -> str | None:
    if not brand.has_logo:
        return None
    return url_for("brand.logo", ext=brand.logo_extension, v=brand.version)


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.add_template_global(current_brand, "brand")
    app.add_template_global(logo_url, "brand_logo_url")
