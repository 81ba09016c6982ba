"""The branding's public assets: the logo and the candidate pages' colours.

Both are public (a candidate has no account) and carry the branding's version in their
URL, so a browser may keep them for a year; a changed branding gets a new URL. The SVG
logo is the sanitised one, served with a CSP of its own that forbids everything, so
opened directly it still cannot run script or fetch anything.
"""
from __future__ import annotations

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


def current_brand() -> branding.Brand:
    """The branding in effect, read once per request (templates call ``brand()``)."""
    if "brand" not in g:
        g.brand = branding.current(get_session(), current_app.config)
    return g.brand


def logo_url(brand: branding.Brand) -> str | None:
    if not brand.has_logo:
        return None
    return url_for("brand.logo", ext=brand.logo_extension, v=brand.version)


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.add_template_global(current_brand, "brand")
    app.add_template_global(logo_url, "brand_logo_url")
