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


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 4, 5 or 10 times a power of ten that is >= ``value``, so
    that a quarter of it is a round tick."""
    import math

    power = 10.0 ** math.floor(math.log10(value))
    for step in (1.0, 2.0, 2.5, 4.0, 5.0, 10.0):
        if step * power >= value - 1e-12:
            return step * power
    return 10.0 * power


def curve_chart_svg(x: list[float], series: list[dict], *, x_label: str, y_label: str, title: str,
                    y_max: float | None = None, reference: float | None = None,
                    points: list[tuple[float, float]] | None = None, x_step: float = 1.0) -> str:
    """A line chart for the Analytics pages (information and SE against ability).

    ``series``: dicts with ``values`` (one per ``x``), ``dash`` (a stroke-dasharray or
    None) and ``label``; drawn in black and greys with different dashes, so the chart reads
    in black and white. ``reference``: a horizontal dotted line (e.g. the SE target).
    ``points``: (x, y) dots (e.g. observed mean SEs). ``x_step``: the distance between the
    ticks of the x axis. Texts are escaped.
    """
    w, h = 560, 300 + 14 * len(series)
    left, right, top, bottom = 56, 16, 28 + 14 * len(series), 48
    x_lo, x_hi = min(x), max(x)
    values = [v for s in series for v in s["values"] if v == v]
    top_value = y_max if y_max is not None else max(values + [reference or 0.0] + [p[1] for p in points or []])
    top_value = _nice_ceiling(top_value if top_value > 0 else 1.0)

    def px(v: float) -> float:
        return left + (w - left - right) * (v - x_lo) / (x_hi - x_lo)

    def py(v: float) -> float:
        return top + (h - top - bottom) * (1.0 - min(max(v, 0.0), top_value) / top_value)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
             f'font-family="sans-serif" font-size="11">',
             f"<title>{escape(title)}</title>",
             f'<rect x="0" y="0" width="{w}" height="{h}" fill="#fff"/>',
             f'<text x="{left}" y="16" font-size="13" font-weight="bold">{escape(title)}</text>']
    for i in range(5):
        v = top_value * i / 4
        parts.append(f'<line x1="{left}" y1="{py(v):.1f}" x2="{w - right}" y2="{py(v):.1f}" stroke="#e3e3e3"/>')
        parts.append(f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
    tick = x_lo
    while tick <= x_hi + 1e-9:
        parts.append(f'<line x1="{px(tick):.1f}" y1="{h - bottom}" x2="{px(tick):.1f}" y2="{h - bottom + 4}" '
                     f'stroke="#000"/>')
        parts.append(f'<text x="{px(tick):.1f}" y="{h - bottom + 16}" text-anchor="middle">{tick:g}</text>')
        tick += x_step
    parts.append(f'<line x1="{left}" y1="{h - bottom}" x2="{w - right}" y2="{h - bottom}" stroke="#000"/>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{h - bottom}" stroke="#000"/>')
    parts.append(f'<text x="{(left + w - right) / 2:.1f}" y="{h - 10}" text-anchor="middle">{escape(x_label)}</text>')
    parts.append(f'<text x="14" y="{(top + h - bottom) / 2:.1f}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {(top + h - bottom) / 2:.1f})">{escape(y_label)}</text>')
    if reference is not None:
        parts.append(f'<line x1="{left}" y1="{py(reference):.1f}" x2="{w - right}" y2="{py(reference):.1f}" '
                     f'stroke="#000" stroke-dasharray="1 3" data-reference="{reference:g}"/>')
    colours = ("#000", "#555", "#888")
    legend_x = left + 8
    for k, s in enumerate(series):
        coords = " ".join(f"{px(xv):.1f},{py(yv):.1f}" for xv, yv in zip(x, s["values"]) if yv == yv)
        dash = f' stroke-dasharray="{s["dash"]}"' if s.get("dash") else ""
        colour = colours[k % len(colours)]
        parts.append(f'<polyline class="series" points="{coords}" fill="none" stroke="{colour}" '
                     f'stroke-width="2"{dash}/>')
        y_leg = 30 + 14 * k  # legend rows between the title and the plot
        parts.append(f'<line x1="{legend_x}" y1="{y_leg}" x2="{legend_x + 26}" y2="{y_leg}" '
                     f'stroke="{colour}" stroke-width="2"{dash}/>')
        parts.append(f'<text x="{legend_x + 32}" y="{y_leg + 4}">{escape(s["label"])}</text>')
    for xv, yv in points or []:
        parts.append(f'<circle class="point" cx="{px(xv):.1f}" cy="{py(yv):.1f}" r="3.5" fill="#fff" '
                     f'stroke="#000" stroke-width="1.5"/>')
    parts.append("</svg>")
    return "".join(parts)
