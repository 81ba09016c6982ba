"""The percentile-band chart, one drawing for the reports and the results page.

Reports draw it inline (``reports/_charts.html``, macro ``percentile_bar``); the results
page shows the same markup as an image (``svg_data_uri``). Released reports are rendered
again from their stored content, so the markup must stay byte for byte as it is: a new
look is a new function and a new report template version, not an edit here.
"""
from __future__ import annotations

from markupsafe import Markup


def percentile_band_svg(id: str, p: float, low: float | None, high: float | None,
                        target: tuple[float, float] | None = None, timed: float | None = None) -> Markup:
    """A 0-100 percentile scale (a white bar with 0, 25, 50, 75 and 100 under it).

    Drawn in greys and black only, so that it reads in black and white (printed reports):
    the band ``low``-``high`` is a solid mid-grey bar (at least 2 units wide; without a band
    it shrinks to the point), the point ``p`` a black bar across the scale. ``target`` (the
    range a requirement profile asks for) is a hatched box behind them. ``timed`` (the
    timed score of a test cut off by the time limit, which has no band of its own; ``p``,
    ``low`` and ``high`` are then the ability on the answered questions and its band) is a
    white triangle under the scale. ``id`` makes the hatch pattern's id unique on a page.
    The ``aria-label`` says the same in words, in the current language.
    """
    from flask_babel import gettext

    lo = low if low is not None else p
    hi = high if high is not None else p
    h = 44 if timed is None else 54
    label = Markup(gettext("Percentile %(p)s, band %(low)s–%(high)s")) % {"p": p, "low": lo, "high": hi}
    if timed is not None:
        label += Markup("; ") + Markup(gettext("timed score %(t)s (white triangle)")) % {"t": timed}
    if target:
        label += Markup("; ") + Markup(gettext("target %(low)s–%(high)s")) % {"low": target[0], "high": target[1]}
    parts = [
        f'<svg class="chart" viewBox="0 0 420 {h}" width="420" height="{h}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"\n     aria-label="{label}">\n',
        f'  <defs><pattern id="hatch-{Markup.escape(id)}" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)">\n',
        '    <line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="1.2"/></pattern></defs>\n',
        '  <rect x="10" y="14" width="400" height="10" fill="#fff" stroke="#000" stroke-width="0.8"/>\n',
        "  ",
    ]
    if target:
        parts.append(f'<rect x="{10 + target[0] * 4}" y="8" width="{(target[1] - target[0]) * 4}" height="22" '
                     f'fill="url(#hatch-{Markup.escape(id)})" stroke="#000" stroke-width="0.6" '
                     f'data-target="{target[0]}-{target[1]}"/>')
    parts.append(f'\n  <rect x="{10 + lo * 4}" y="14" width="{max([(hi - lo) * 4, 2])}" height="10" fill="#777" '
                 f'data-band="{lo}-{hi}"/>\n')
    parts.append(f'  <rect x="{10 + p * 4 - 2}" y="9" width="4" height="20" fill="#000" data-point="{p}"/>\n  ')
    if timed is not None:
        parts.append(f'<path d="M {10 + timed * 4} 31 l -6 10 h 12 z" fill="#fff" stroke="#000" '
                     f'stroke-width="1.2" data-timed="{timed}"/>')
    parts.append("\n  ")
    parts.extend(f'<text x="{10 + tick * 4}" y="{h - 3}" font-size="9" text-anchor="middle">{tick}</text>'
                 for tick in (0, 25, 50, 75, 100))
    parts.append("\n</svg>")
    return Markup("".join(parts))
