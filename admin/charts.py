"""Small SVG charts for result pages, served as images (no inline script or style)."""
from __future__ import annotations

from xml.sax.saxutils import escape


def percentile_band_svg(percentile: float | None, low: float | None, high: float | None,
                        *, target: float | None = None) -> str:
    """A 0-100 percentile scale with the confidence band as a bar and the point as a tick.

    Black-and-white safe: the band is hatched grey, the point a black line. ``target``
    (a minimum percentile from a requirement profile) is drawn as a dashed line.
    """
    w, h, pad = 300, 28, 6
    x = lambda p: pad + (w - 2 * pad) * max(0.0, min(100.0, p)) / 100  # noqa: E731
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}">',
        f'<rect x="{pad}" y="12" width="{w - 2 * pad}" height="4" fill="#ddd"/>',
    ]
    for p in (0, 25, 50, 75, 100):
        parts.append(f'<line x1="{x(p):.1f}" y1="9" x2="{x(p):.1f}" y2="19" stroke="#999" stroke-width="1"/>')
    if low is not None and high is not None:
        parts.append(f'<rect x="{x(low):.1f}" y="7" width="{max(2.0, x(high) - x(low)):.1f}" height="14" '
                     f'fill="#9db3c8" stroke="#1f4e79" stroke-width="1"/>')
    if target is not None:
        parts.append(f'<line x1="{x(target):.1f}" y1="2" x2="{x(target):.1f}" y2="26" stroke="#000" '
                     f'stroke-width="1.5" stroke-dasharray="3 2"/>')
    if percentile is not None:
        parts.append(f'<line x1="{x(percentile):.1f}" y1="4" x2="{x(percentile):.1f}" y2="24" '
                     f'stroke="#000" stroke-width="3"/>')
    parts.append(f"<title>{escape(f'{percentile}')}</title></svg>")
    return "".join(parts)
