"""HTML to PDF with WeasyPrint, for reports and the printable interview guide.

Documents are self-contained: the stylesheet is read from ``portal/static/report.css``
and the only URLs WeasyPrint may fetch are ``data:`` URIs (inline images), so a hostile
string that slipped into a document could never make the server fetch anything.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

STYLESHEET = Path(__file__).resolve().parent / "static" / "report.css"


@lru_cache(maxsize=1)
def _stylesheet():
    from weasyprint import CSS

    return CSS(string=STYLESHEET.read_text(encoding="utf-8"))


def render_pdf(html: str) -> bytes:
    """A4 PDF of ``html`` (page size, margins and page numbers come from the stylesheet)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf(stylesheets=[_stylesheet()])
