"""Line charts for the Analytics pages, served as images (no inline script or style); the
percentile-band chart is ``portal.charts.percentile_band_svg``."""
from __future__ import annotations

from xml.sax.saxutils import escape


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
