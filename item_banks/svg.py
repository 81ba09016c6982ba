"""Small SVG builder, the figure-matrix renderer and a strict SVG checker.

Figure-matrix cells
-------------------
A *cell* of a figure matrix is one JSON object describing 1-4 identical figures::

    {"shape": "triangle", "count": 2, "size": "large", "rotation": 90, "fill": "black"}

- ``shape``: one of :data:`SHAPES`.
- ``count``: 1-4 figures, laid out in fixed positions (1 centre; 2 side by side; 3 as a
  triangle; 4 as a 2 x 2 grid).
- ``size``: ``"small"``, ``"medium"`` or ``"large"`` (:data:`SIZE_FACTORS` of the slot).
- ``rotation``: degrees clockwise, only values in :data:`ROTATIONS` for the shape, so every
  allowed value is visibly different (a circle, square, pentagon ... never rotates; a
  triangle turns in steps of 90 degrees, an arrow in steps of 45).
- ``fill``: ``"white"``, ``"lightgrey"``, ``"darkgrey"`` or ``"black"`` — solid fills
  that stay distinguishable in greyscale print.

The rendering is a pure function of the structure: :func:`render_matrix` draws the 3 x 3
stem (the missing cell as an empty cell with a large "?"), :func:`render_option` one
answer option. One scale is used for a whole item (:func:`layout_for`), so a "large"
figure is equally large in the stem and in every option.

All markup uses a ``viewBox`` (100 units per cell), no pixel width or height, no styles,
scripts, external references or text other than the "?". :func:`check_svg` enforces that
for any SVG stored in a bank file.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from typing import Any, Iterable, Mapping
from xml.sax.saxutils import quoteattr

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
MAX_SVG_BYTES = 20_000

# --------------------------------------------------------------------------- vocabulary

SHAPES = ("circle", "square", "triangle", "diamond", "pentagon", "hexagon", "cross", "arrow")
SIZES = ("small", "medium", "large")
FILLS = ("white", "lightgrey", "darkgrey", "black")
COUNTS = (1, 2, 3, 4)
ATTRIBUTES = ("shape", "count", "size", "rotation", "fill")

#: Diameter of a figure as a share of its slot.
SIZE_FACTORS = {"small": 0.52, "medium": 0.73, "large": 0.94}
#: Greyscale levels far apart (255, 196, 106, 0), so print and weak screens keep them apart.
FILL_COLOURS = {"white": "#ffffff", "lightgrey": "#c4c4c4", "darkgrey": "#6a6a6a", "black": "#000000"}

#: Rotations (degrees clockwise) that look different for each shape. A triangle is
#: symmetric under 120 degrees, so only its four "pointing" directions are used
#: (up, right, down, left all differ); an arrow has no rotational symmetry.
ROTATIONS: dict[str, tuple[int, ...]] = {shape: (0,) for shape in SHAPES}
ROTATIONS["triangle"] = (0, 90, 180, 270)
ROTATIONS["arrow"] = (0, 45, 90, 135, 180, 225, 270, 315)

STROKE = 2.5  # shape outline, in a 100-unit cell
GRID_STROKE = 3.0
INK = "#000000"

#: slot size and figure centres per count, for items whose cells all hold one figure
#: ("single": one big slot) and for the others ("grid": slots of a 2 x 2 grid).
_SLOT = {"single": 80.0, "grid": 46.0}
_POSITIONS = {
    1: ((50.0, 50.0),),
    2: ((26.0, 50.0), (74.0, 50.0)),
    3: ((50.0, 26.0), (26.0, 74.0), (74.0, 74.0)),
    4: ((26.0, 26.0), (74.0, 26.0), (26.0, 74.0), (74.0, 74.0)),
}


def cell_problems(cell: Any) -> list[str]:
    """Why ``cell`` is not a valid matrix cell (empty list when it is)."""
    if not isinstance(cell, Mapping):
        return [f"cell must be an object, not {type(cell).__name__}"]
    out = []
    extra = sorted(set(cell) - set(ATTRIBUTES))
    missing = [a for a in ATTRIBUTES if a not in cell]
    if extra:
        out.append(f"unknown cell attribute(s) {', '.join(extra)}")
    if missing:
        out.append(f"missing cell attribute(s) {', '.join(missing)}")
        return out
    shape = cell["shape"]
    if shape not in SHAPES:
        out.append(f"unknown shape {shape!r}")
    if type(cell["count"]) is not int or cell["count"] not in COUNTS:
        out.append(f"count {cell['count']!r} not in 1-4")
    if cell["size"] not in SIZES:
        out.append(f"unknown size {cell['size']!r}")
    if cell["fill"] not in FILLS:
        out.append(f"unknown fill {cell['fill']!r}")
    if shape in SHAPES and (type(cell["rotation"]) is not int or cell["rotation"] not in ROTATIONS[shape]):
        out.append(
            f"rotation {cell['rotation']!r} is not visible for a {shape}"
            f" (allowed: {', '.join(map(str, ROTATIONS[shape]))})"
        )
    return out


def layout_for(structure: Mapping[str, Any]) -> str:
    """``"single"`` when every cell and option holds one figure, else ``"grid"``."""
    cells = [c for c in structure["cells"] if c is not None] + list(structure["options"])
    return "single" if all(c["count"] == 1 for c in cells) else "grid"


# --------------------------------------------------------------------------- builder


def num(value: float) -> str:
    """A coordinate as short, stable text: at most 2 decimals, no ``-0``."""
    text = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def element(tag: str, attrs: Mapping[str, Any] | None = None, children: Iterable[str] = (), text: str = "") -> str:
    """One element as markup; attribute values are escaped, floats formatted by :func:`num`."""
    parts = [tag]
    for name, value in (attrs or {}).items():
        if isinstance(value, float):
            value = num(value)
        parts.append(f"{name}={quoteattr(str(value))}")
    body = "".join(children) + (text.replace("&", "&amp;").replace("<", "&lt;") if text else "")
    if not body:
        return f"<{' '.join(parts)}/>"
    return f"<{' '.join(parts)}>{body}</{tag}>"


def svg_document(view_box: tuple[float, float, float, float], children: Iterable[str]) -> str:
    """A standalone SVG root (``viewBox`` only: the page decides the rendered size)."""
    return element(
        "svg",
        {"xmlns": SVG_NS, "viewBox": " ".join(num(v) for v in view_box), "role": "img"},
        children,
    )


def points(coords: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{num(x)},{num(y)}" for x, y in coords)


# --------------------------------------------------------------------------- shapes

# Outlines on a unit scale, drawn pointing "up" at rotation 0 (y grows downwards, as in
# SVG). Each is turned about its own centre and then shifted so that its bounding box is
# centred on the slot, so a triangle pointing up, right, down or left sits in the same place.


def _regular(n: int, start_deg: float) -> list[tuple[float, float]]:
    return [
        (math.sin(math.radians(start_deg + 360 * i / n)), -math.cos(math.radians(start_deg + 360 * i / n)))
        for i in range(n)
    ]


_OUTLINES: dict[str, list[tuple[float, float]]] = {
    "square": [(-0.84, -0.84), (0.84, -0.84), (0.84, 0.84), (-0.84, 0.84)],
    # circumradius 1.1: a triangle fills less of its box, so it would look small at 1
    "triangle": [(x * 1.1, y * 1.1) for x, y in _regular(3, 0)],
    "diamond": [(0.0, -1.0), (0.68, 0.0), (0.0, 1.0), (-0.68, 0.0)],
    "pentagon": _regular(5, 0),
    "hexagon": _regular(6, 30),
    "cross": [
        (-0.32, -0.95), (0.32, -0.95), (0.32, -0.32), (0.95, -0.32), (0.95, 0.32), (0.32, 0.32),
        (0.32, 0.95), (-0.32, 0.95), (-0.32, 0.32), (-0.95, 0.32), (-0.95, -0.32), (-0.32, -0.32),
    ],
    "arrow": [
        (0.0, -0.92), (0.76, -0.12), (0.32, -0.12), (0.32, 0.86), (-0.32, 0.86), (-0.32, -0.12), (-0.76, -0.12),
    ],
}


def _turned(shape: str, degrees: int) -> list[tuple[float, float]]:
    """The outline turned ``degrees`` clockwise, bounding box centred on the origin."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    turned = [(x * c - y * s, x * s + y * c) for x, y in _OUTLINES[shape]]
    xs, ys = [p[0] for p in turned], [p[1] for p in turned]
    dx, dy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return [(x - dx, y - dy) for x, y in turned]


def figure(shape: str, cx: float, cy: float, diameter: float, rotation: int, fill: str) -> str:
    """One figure centred on (cx, cy), ``diameter`` units across, turned ``rotation`` degrees clockwise."""
    paint = {"fill": FILL_COLOURS[fill], "stroke": INK, "stroke-width": STROKE, "stroke-linejoin": "round"}
    r = diameter / 2
    if shape == "circle":
        return element("circle", {"cx": float(cx), "cy": float(cy), "r": float(r), **paint})
    return element(
        "polygon", {"points": points((cx + x * r, cy + y * r) for x, y in _turned(shape, rotation)), **paint}
    )


def cell_figures(cell: Mapping[str, Any], x0: float, y0: float, layout: str) -> list[str]:
    """The figures of one cell whose top-left corner is (x0, y0)."""
    diameter = _SLOT[layout] * SIZE_FACTORS[cell["size"]]
    return [
        figure(cell["shape"], x0 + px, y0 + py, diameter, cell["rotation"], cell["fill"])
        for px, py in _POSITIONS[cell["count"]]
    ]


def render_matrix(structure: Mapping[str, Any]) -> str:
    """The 3 x 3 stem: eight cells row by row, the ninth empty with a large "?"."""
    layout = layout_for(structure)
    half = GRID_STROKE / 2
    children = [
        element("rect", {"x": half, "y": half, "width": 300 - GRID_STROKE, "height": 300 - GRID_STROKE,
                         "fill": "#ffffff", "stroke": INK, "stroke-width": GRID_STROKE}),
    ]
    for k in (100, 200):
        children.append(element("line", {"x1": k, "y1": 0, "x2": k, "y2": 300, "stroke": INK,
                                         "stroke-width": GRID_STROKE}))
        children.append(element("line", {"x1": 0, "y1": k, "x2": 300, "y2": k, "stroke": INK,
                                         "stroke-width": GRID_STROKE}))
    for index, cell in enumerate(structure["cells"]):
        x0, y0 = 100 * (index % 3), 100 * (index // 3)
        if cell is None:
            children.append(element(
                "text",
                {"x": x0 + 50, "y": y0 + 73, "text-anchor": "middle", "font-family": "sans-serif",
                 "font-size": 68, "font-weight": "bold", "fill": "#444444"},
                text="?",
            ))
        else:
            children.append(element("g", {}, cell_figures(cell, x0, y0, layout)))
    return svg_document((0, 0, 300, 300), children)


def render_option(structure: Mapping[str, Any], index: int) -> str:
    """Answer option ``index`` as its own framed 100 x 100 cell."""
    layout = layout_for(structure)
    half = STROKE / 2
    frame = element("rect", {"x": half, "y": half, "width": 100 - STROKE, "height": 100 - STROKE,
                             "fill": "#ffffff", "stroke": INK, "stroke-width": STROKE})
    return svg_document((0, 0, 100, 100), [frame, *cell_figures(structure["options"][index], 0, 0, layout)])


# --------------------------------------------------------------------------- checker

ALLOWED_ELEMENTS = frozenset({
    "svg", "g", "rect", "circle", "ellipse", "line", "polyline", "polygon", "path", "text",
    "title", "defs", "clipPath", "use",
})
#: Presentation and geometry attributes; anything else (on*, style, class, href to a file,
#: xml:base ...) is refused.
ALLOWED_ATTRIBUTES = frozenset({
    "xmlns", "viewBox", "preserveAspectRatio", "version", "role", "aria-hidden", "aria-label",
    "focusable", "id", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width",
    "height", "points", "d", "transform", "fill", "fill-rule", "fill-opacity", "stroke",
    "stroke-width", "stroke-linejoin", "stroke-linecap", "stroke-miterlimit", "stroke-dasharray",
    "stroke-opacity", "opacity", "clip-path", "clip-rule", "clipPathUnits", "font-family",
    "font-size", "font-weight", "text-anchor", "dominant-baseline", "href",
})
_TEXT_ELEMENTS = {"text", "title"}
_URL_REF = re.compile(r"^url\(#([A-Za-z_][\w.-]*)\)$")
_DANGEROUS = re.compile(r"javascript:|vbscript:|data:|url\s*\(|expression\s*\(|@import", re.I)
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_VIEWBOX = re.compile(rf"^\s*({_NUMBER})[\s,]+({_NUMBER})[\s,]+({_NUMBER})[\s,]+({_NUMBER})\s*$")


def _local(name: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return "", name


def check_svg(markup: str) -> list[str]:
    """Problems that make ``markup`` unfit to be shown to a candidate (empty list = OK).

    Strict allow-list: well-formed XML, no DOCTYPE/entities/processing instructions, an
    ``<svg>`` root in the SVG namespace with a valid ``viewBox`` and no pixel size, only
    :data:`ALLOWED_ELEMENTS` and :data:`ALLOWED_ATTRIBUTES` (so no scripts, no
    ``foreignObject``, no ``on*`` handlers, no ``style``), references only to ids inside
    the same SVG (``url(#id)``, ``href="#id"``), visible text only "?", and at most
    :data:`MAX_SVG_BYTES` bytes.
    """
    if not isinstance(markup, str):
        return [f"SVG must be a string, not {type(markup).__name__}"]
    problems: list[str] = []
    size = len(markup.encode("utf-8"))
    if size > MAX_SVG_BYTES:
        problems.append(f"SVG is {size} bytes (limit {MAX_SVG_BYTES})")
    lowered = markup.lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        problems.append("SVG contains a DOCTYPE or entity declaration")
        return problems
    if "<?" in re.sub(r"^\s*<\?xml\s[^>]*\?>", "", markup):
        problems.append("SVG contains a processing instruction")
    try:
        root = ET.fromstring(markup)
    except ET.ParseError as exc:
        problems.append(f"SVG is not well-formed XML: {exc}")
        return problems

    ns, tag = _local(root.tag)
    if tag != "svg":
        problems.append(f"root element is <{tag}>, not <svg>")
    if ns != SVG_NS:
        problems.append(f"root element is not in the SVG namespace (xmlns={SVG_NS!r} missing)")
    view_box = root.get("viewBox")
    match = _VIEWBOX.match(view_box or "")
    if view_box is None:
        problems.append("root <svg> has no viewBox")
    elif not match or float(match.group(3)) <= 0 or float(match.group(4)) <= 0:
        problems.append(f"root <svg> has an invalid viewBox {view_box!r}")
    for dim in ("width", "height"):
        value = root.get(dim)
        if value is not None and not value.strip().endswith("%"):
            problems.append(f"root <svg> has a fixed {dim}={value!r} (let the page size it)")

    ids = {el.get("id") for el in root.iter() if el.get("id") is not None}
    references: list[tuple[str, str]] = []
    for el in root.iter():
        ns, tag = _local(el.tag)
        if ns != SVG_NS:
            problems.append(f"element <{tag}> is not in the SVG namespace")
        if tag not in ALLOWED_ELEMENTS:
            problems.append(f"element <{tag}> is not allowed")
        if tag not in _TEXT_ELEMENTS and (el.text or "").strip():
            problems.append(f"element <{tag}> contains text {el.text.strip()[:20]!r}")
        if (el.tail or "").strip():
            problems.append(f"text {el.tail.strip()[:20]!r} after element <{tag}>")
        if tag == "text":
            content = "".join(el.itertext()).strip()
            if content != "?":
                problems.append(f"<text> shows {content[:20]!r}: figures must be language-neutral (only '?')")
        for name, value in el.attrib.items():
            ans, attr = _local(name)
            shown = f"{attr}" if not ans else f"{{{ans}}}{attr}"
            if attr.lower().startswith("on"):
                problems.append(f"event attribute {shown} on <{tag}> is not allowed")
                continue
            if attr == "href":
                if ans not in ("", XLINK_NS):
                    problems.append(f"attribute {shown} on <{tag}> is not allowed")
                elif tag != "use":
                    problems.append(f"href on <{tag}> is not allowed (only on <use>)")
                elif not re.fullmatch(r"#[A-Za-z_][\w.-]*", value.strip()):
                    problems.append(f"href {value[:40]!r} on <{tag}> is not an internal '#id' reference")
                else:
                    references.append((value.strip()[1:], f"href on <{tag}>"))
                continue
            if ans or attr not in ALLOWED_ATTRIBUTES:
                problems.append(f"attribute {shown} on <{tag}> is not allowed")
                continue
            if attr == "xmlns":
                continue
            url = _URL_REF.match(value.strip())
            if url:
                if attr not in ("clip-path", "fill", "stroke"):
                    problems.append(f"url() reference in {attr} on <{tag}> is not allowed")
                else:
                    references.append((url.group(1), f"{attr} on <{tag}>"))
            elif _DANGEROUS.search(value):
                problems.append(f"attribute {attr} on <{tag}> has a forbidden value {value[:40]!r}")
    for target, where in references:
        if target not in ids:
            problems.append(f"{where} refers to #{target}, which is not in this SVG")
    return problems
