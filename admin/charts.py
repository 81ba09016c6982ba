"""Small SVG charts for result pages, served as images (no inline script or style)."""
from __future__ import annotations

from xml.sax.saxutils import escape


def percentile_band_svg(percentile: float | None, low: float | None, high: float | None,
                        *, target: float | None = None, timed: float | None = None) -> str:
    """A 0-100 percentile scale with the confidence band as a bar and the point as a tick.

    Black-and-white safe: the band is hatched grey, the point a black line. ``target``
    (a minimum percentile from a requirement profile) is drawn as a dashed line.
    ``timed`` (the timed score of a test cut off by the time limit, which has no band of
    its own) is drawn as a hollow triangle under the scale, unlike the measured point.
    """
    w, h, pad = 300, 28 if timed is None else 34, 6
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
    if timed is not None:
        parts.append(f'<path data-timed="{timed:.0f}" d="M {x(timed):.1f} 22 l -5 9 h 10 z" fill="#fff" '
                     f'stroke="#000" stroke-width="1.2"/>')
    title = f"{percentile}" if timed is None else f"{percentile}; {timed:.0f}"
    parts.append(f"<title>{escape(title)}</title></svg>")
    return "".join(parts)
