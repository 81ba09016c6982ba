"""The consultancy's branding and the clients' own e-mail texts (issue 18).

One ``Branding`` row holds the name, the sender's display name, two colours and a
logo; without it (or for an empty field) the configuration gives the default
(``CONTROLLER_NAME``, the display name of ``MAIL_FROM``). Colours are refused unless
white text on them, and they as text on white, reach WCAG AA (4.5:1). A logo is a PNG
whose structure is checked, or an SVG rebuilt from an allow-list of elements and
attributes (:func:`sanitize_svg`): what is stored and served is never the uploaded SVG
itself.

A client may have its own subject and body for the invitation and the reminder, per
language, with ``{placeholders}`` from :data:`PLACEHOLDERS`; they are checked on save
(:func:`check_template`) and filled by :func:`fill` when the e-mail is rendered.

Services flush and never commit.
"""
from __future__ import annotations

import base64
import re
import struct
import zlib
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from xml.parsers import expat
from xml.sax.saxutils import escape, quoteattr

import sqlalchemy as sa
from markupsafe import Markup
from markupsafe import escape as html_escape
from sqlalchemy.orm import Session

from ..models import Branding, ClientMailTemplate
from . import audit

PRODUCT_NAME = "Second Opinion"
#: The colours of portal/static/site.css.
DEFAULT_PRIMARY = "#1f4e79"
DEFAULT_ACCENT = "#1f4e79"
MIN_CONTRAST = 4.5  # WCAG 2.x AA, normal text
MAX_LOGO_BYTES = 200 * 1024
MAX_LOGO_SIDE = 4000  # pixels, for a PNG
PNG = "image/png"
SVG = "image/svg+xml"


class BrandingError(ValueError):
    """Refused input; ``code`` names the problem for the page, ``values`` fill its text."""

    def __init__(self, code: str, **values):
        super().__init__(code)
        self.code = code
        self.values = values


# -- the settings -----------------------------------------------------------------------


@dataclass(frozen=True)
class Brand:
    """The branding in effect: the stored values with the configured defaults filled in."""

    name: str
    sender_name: str
    primary: str
    accent: str
    logo_type: str | None
    version: int
    customised: bool

    @property
    def has_logo(self) -> bool:
        return self.logo_type is not None

    @property
    def logo_extension(self) -> str:
        return "svg" if self.logo_type == SVG else "png"


def default_name(config) -> str:
    return (config.get("CONTROLLER_NAME") or "").strip() or PRODUCT_NAME


def default_sender_name(config) -> str:
    return parseaddr(config.get("MAIL_FROM") or "")[0] or default_name(config)


def stored(session: Session) -> Branding | None:
    return session.get(Branding, 1)


def current(session: Session, config) -> Brand:
    """The branding in effect (one query; no logo bytes loaded)."""
    row = session.execute(
        sa.select(Branding.consultancy_name, Branding.sender_name, Branding.primary_color,
                  Branding.accent_color, Branding.logo_type, Branding.version).where(Branding.id == 1)
    ).one_or_none()
    if row is None:
        return Brand(default_name(config), default_sender_name(config), DEFAULT_PRIMARY, DEFAULT_ACCENT,
                     None, 0, False)
    return Brand(row.consultancy_name or default_name(config), row.sender_name or default_sender_name(config),
                 row.primary_color or DEFAULT_PRIMARY, row.accent_color or DEFAULT_ACCENT, row.logo_type,
                 row.version, True)


def sender_name(session: Session) -> str:
    """The stored sender name ("" when none: MAIL_FROM's display name applies)."""
    return session.scalar(sa.select(Branding.sender_name).where(Branding.id == 1)) or ""


def logo(session: Session) -> tuple[bytes, str, int] | None:
    """(bytes, content type, version) of the stored logo, or None."""
    row = session.execute(sa.select(Branding.logo, Branding.logo_type, Branding.version)
                          .where(Branding.id == 1)).one_or_none()
    if row is None or row.logo is None or row.logo_type not in (PNG, SVG):
        return None
    return row.logo, row.logo_type, row.version


def logo_data_uri(session: Session) -> str | None:
    """The logo as a ``data:`` URI, for documents that must carry it (PDF reports)."""
    found = logo(session)
    if found is None:
        return None
    data, content_type, _ = found
    return f"data:{content_type};base64," + base64.b64encode(data).decode("ascii")


def report_brand(session: Session, config) -> dict | None:
    """What a report's cover shows, frozen into its content at release: None until a
    consultancy name (or CONTROLLER_NAME) or a logo is set, so an unbranded cover does
    not carry the product's name."""
    name, logo_uri = current(session, config).name, logo_data_uri(session)
    if name == PRODUCT_NAME and logo_uri is None:
        return None
    return {"name": name if name != PRODUCT_NAME else "", "logo": logo_uri}


def save(session: Session, *, name: str, sender_name: str, primary: str, accent: str,
         logo_upload: tuple[str, bytes] | None, remove_logo: bool, user_id: int | None,
         now: datetime) -> list[str]:
    """Check and store the settings; raises ``BrandingError`` and stores nothing when a
    value is refused. ``logo_upload`` is (file name, bytes). Returns what the SVG
    sanitiser removed (empty for a PNG or no upload)."""
    primary = check_colour(primary, "primary")
    accent = check_colour(accent, "accent")
    removed: list[str] = []
    new_logo = None
    if logo_upload is not None:
        new_logo, removed = check_logo(*logo_upload)
    row = stored(session)
    if row is None:
        row = Branding(id=1, version=0)
        session.add(row)
    changed = []
    for attr, value in (("consultancy_name", " ".join(name.split())[:200]),
                        ("sender_name", " ".join(sender_name.split())[:200]),
                        ("primary_color", primary), ("accent_color", accent)):
        if getattr(row, attr) != value:
            setattr(row, attr, value)
            changed.append(attr)
    if new_logo is not None:
        row.logo, row.logo_type = new_logo
        changed.append("logo")
    elif remove_logo and row.logo is not None:
        row.logo = row.logo_type = None
        changed.append("logo_removed")
    if changed:
        row.version = (row.version or 0) + 1
        row.updated_at, row.updated_by_id = now, user_id
        session.flush()
        detail = {"changed": changed}
        if new_logo is not None:
            detail["logo_type"] = new_logo[1]
        audit.record(session, user_id=user_id, action="update", object_type="branding", object_id=1,
                     detail=detail, now=now)
    return removed


# -- colours ----------------------------------------------------------------------------

_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def check_colour(value: str | None, field: str) -> str | None:
    """``#rrggbb`` in lower case, or None for empty (the default). Refused unless it is a
    hex colour with at least 4.5:1 contrast against white."""
    value = (value or "").strip()
    if not value:
        return None
    match = _HEX.fullmatch(value)
    if match is None:
        raise BrandingError("bad_colour", field=field, value=value[:20])
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    colour = "#" + digits
    ratio = contrast(colour, "#ffffff")
    if ratio < MIN_CONTRAST:
        raise BrandingError("low_contrast", field=field, value=colour, ratio=f"{ratio:.1f}")
    return colour


def _luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of ``#rrggbb``."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio (1 to 21) of two ``#rrggbb`` colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def stylesheet(brand: Brand) -> str:
    """The candidate pages' colours (``/branding.css``); values are validated hex only."""
    return (":root { --accent: %s; --brand-accent: %s; }\n"
            "header.site .brand { color: var(--brand-accent); }\n"
            "main a { color: var(--brand-accent); }\n"
            "header.site .brand img { max-height: 2.5rem; max-width: 10rem; vertical-align: middle; }\n"
            % (brand.primary, brand.accent))


# -- the logo ---------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def check_logo(filename: str, data: bytes) -> tuple[tuple[bytes, str], list[str]]:
    """((stored bytes, content type), removed parts) of an upload; ``BrandingError``
    for anything that is not a sound PNG or an SVG that can be sanitised."""
    if not data:
        raise BrandingError("logo_empty")
    if len(data) > MAX_LOGO_BYTES:
        raise BrandingError("logo_too_big", size=len(data) // 1024, limit=MAX_LOGO_BYTES // 1024)
    if data.startswith(PNG_SIGNATURE):
        png_size(data)
        return (data, PNG), []
    if filename.lower().endswith(".svg") or data.lstrip()[:5] in (b"<?xml", b"<svg ", b"<svg>", b"<!--"):
        clean, removed = sanitize_svg(data)
        return (clean, SVG), removed
    raise BrandingError("logo_type")


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk, after checking the signature, that IHDR
    comes first with its CRC, and that an IEND chunk ends the file."""
    if not data.startswith(PNG_SIGNATURE) or len(data) < 8 + 25 + 12:
        raise BrandingError("logo_bad_png")
    length, kind = struct.unpack(">I4s", data[8:16])
    if kind != b"IHDR" or length != 13:
        raise BrandingError("logo_bad_png")
    body = data[16:29]
    (crc,) = struct.unpack(">I", data[29:33])
    if zlib.crc32(kind + body) & 0xFFFFFFFF != crc:
        raise BrandingError("logo_bad_png")
    width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
    if not data.endswith(b"IEND\xaeB`\x82"):
        raise BrandingError("logo_bad_png")
    if width == 0 or height == 0 or depth not in (1, 2, 4, 8, 16) or colour_type not in (0, 2, 3, 4, 6):
        raise BrandingError("logo_bad_png")
    if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE:
        raise BrandingError("logo_too_large", width=width, height=height, limit=MAX_LOGO_SIDE)
    return width, height


SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

#: Elements kept (in the SVG namespace); everything else goes with its content.
SVG_ELEMENTS = frozenset({
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
    "title", "desc", "defs", "linearGradient", "radialGradient", "stop", "clipPath", "use", "symbol",
})
#: Presentation and geometry attributes kept; no event handlers, no style sheets.
SVG_ATTRIBUTES = frozenset({
    "id", "class", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "width",
    "height", "viewBox", "preserveAspectRatio", "d", "points", "transform", "version", "offset",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
    "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "stroke-opacity", "opacity",
    "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "clip-path",
    "clip-rule", "clipPathUnits", "font-family", "font-size", "font-weight", "font-style", "text-anchor",
    "dominant-baseline", "letter-spacing", "dx", "dy", "visibility", "display", "color", "role",
    "aria-label", "aria-hidden", "style",
})
#: Properties a style attribute may set (each becomes the attribute of the same name).
_STYLE_PROPERTIES = SVG_ATTRIBUTES - {"id", "class", "style", "d", "points", "transform", "href", "role",
                                      "aria-label", "aria-hidden", "viewBox", "version"}
#: Attributes that may hold ``url(#local)`` references (to a gradient or clip path).
_URL_ATTRIBUTES = frozenset({"fill", "stroke", "clip-path"})
_LOCAL_URL = re.compile(r"url\(\s*#[\w.\-]+\s*\)")
_STYLE_VALUE = re.compile(r"[#\w\s.,%()+\-]*")


#: Nesting deeper than this is refused (a logo needs a few levels; the rebuild recurses).
MAX_SVG_DEPTH = 64


class _Reject(Exception):
    pass


def _parse_svg(data: bytes):
    """Parse with expat, refusing any DOCTYPE, entity declaration or external entity
    (no billion laughs, no XXE). Returns the root as nested (tag, attrs, children, text,
    tail) lists, names in "namespace name" form."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    root: list = []
    stack: list = []

    def refuse(*_args):
        raise _Reject("dtd")

    def start(tag, attrs):
        if len(stack) >= MAX_SVG_DEPTH:
            raise _Reject("too deep")
        node = [tag, attrs, [], "", ""]
        if stack:
            stack[-1][2].append(node)
        elif root:
            raise _Reject("two roots")
        else:
            root.append(node)
        stack.append(node)

    def end(_tag):
        stack.pop()

    def text(value):
        if not stack:
            return
        parent = stack[-1]
        if parent[2]:
            parent[2][-1][4] += value
        else:
            parent[3] += value

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except _Reject as exc:
        raise BrandingError("logo_bad_svg" if str(exc) in ("too deep", "two roots") else "logo_svg_dtd") from exc
    except expat.ExpatError as exc:
        raise BrandingError("logo_bad_svg") from exc
    if not root:
        raise BrandingError("logo_bad_svg")
    return root[0]


def _clean_style(value: str, removed: set[str]) -> dict[str, str]:
    kept = {}
    for declaration in value.split(";"):
        prop, _, val = declaration.partition(":")
        prop, val = prop.strip().lower(), val.strip()
        if not prop:
            continue
        if (prop in _STYLE_PROPERTIES and _STYLE_VALUE.fullmatch(val)
                and "url" not in val.lower() and "expression" not in val.lower()):
            kept[prop] = val
        else:
            removed.add("style " + prop)
    return kept


def _clean_attributes(attrs: dict, removed: set[str]) -> list[tuple[str, str]]:
    kept = []
    styled: dict[str, str] = {}
    for qname, value in attrs.items():
        ns, _, local = qname.rpartition(" ")
        if local in ("href",) and ns in ("", XLINK_NS):
            if value.strip().startswith("#") and re.fullmatch(r"#[\w.\-]+", value.strip()):
                kept.append(("xlink:href" if ns else "href", value.strip()))
            else:
                removed.add("href")
            continue
        if ns == XML_NS and local == "space":
            kept.append(("xml:space", value))
            continue
        if ns or local not in SVG_ATTRIBUTES:
            removed.add(local if not ns else f"{{{ns}}}{local}")
            continue
        if local == "style":
            # Kept declarations become presentation attributes (a style wins over an
            # attribute), so the served SVG needs no inline style under its CSP.
            styled.update(_clean_style(value, removed))
            continue
        if "url" in value.lower():
            # Only a reference to a gradient or clip path inside the logo itself.
            if local not in _URL_ATTRIBUTES or "url" in _LOCAL_URL.sub("", value).lower():
                removed.add(local)
                continue
        if re.search(r"(?i)javascript:|data:|&#|\\", value):
            removed.add(local)
            continue
        kept.append((local, value))
    if styled:
        kept = [(name, value) for name, value in kept if name not in styled] + list(styled.items())
    return kept


def sanitize_svg(data: bytes) -> tuple[bytes, list[str]]:
    """An SVG rebuilt from an allow-list: (clean bytes, sorted names of what was removed).

    Refused (``BrandingError``): not well-formed XML, any DOCTYPE or entity declaration,
    a root that is not ``<svg>`` in the SVG namespace, or nothing drawable left. Removed:
    elements outside :data:`SVG_ELEMENTS` with all they contain (``script``,
    ``foreignObject``, ``style``, ``image``, ``a``, animations, metadata of editors),
    attributes outside :data:`SVG_ATTRIBUTES` (every ``on...`` handler), ``href`` other
    than a local ``#fragment``, ``url(...)`` other than ``url(#fragment)`` in fill,
    stroke and clip-path, and style declarations with a URL or an unknown property.
    Comments and processing instructions are dropped by the rebuild.
    """
    root = _parse_svg(data)
    if root[0] != f"{SVG_NS} svg":
        raise BrandingError("logo_bad_svg")
    removed: set[str] = set()
    out: list[str] = []
    drawn = [False]

    def emit(node, is_root=False):
        tag, attrs, children, text, _tail = node
        ns, _, local = tag.rpartition(" ")
        if ns != SVG_NS or local not in SVG_ELEMENTS:
            removed.add(local)
            return
        if local not in ("svg", "title", "desc", "defs"):
            drawn[0] = True
        parts = [local]
        if is_root:
            parts += [f'xmlns="{SVG_NS}"', f'xmlns:xlink="{XLINK_NS}"']
        parts += [f"{name}={quoteattr(value)}" for name, value in _clean_attributes(attrs, removed)]
        out.append("<" + " ".join(parts) + ">")
        if local in ("text", "tspan", "title", "desc"):
            out.append(escape(text))
        for child in children:
            emit(child)
            if local in ("text", "tspan"):
                out.append(escape(child[4]))
        out.append(f"</{local}>")

    emit(root, is_root=True)
    if not drawn[0]:
        raise BrandingError("logo_svg_empty")
    return "".join(out).encode("utf-8"), sorted(removed)


# -- clients' own e-mail texts ------------------------------------------------------------

KINDS = ("invitation", "reminder")
#: Placeholders of the clients' e-mail texts, the values the standard e-mails use.
PLACEHOLDERS = ("name", "role", "client", "url", "minutes", "valid_date", "valid_time", "contact",
                "consultancy")
LINK = "url"
_TOKEN = re.compile(r"\{([^{}]*)\}")
_PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def check_template(subject: str, body: str) -> None:
    """Refuse unknown placeholders (in subject or body), a body without the link and a
    subject with it (``BrandingError``: unknown, no_link, link_in_subject, incomplete)."""
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise BrandingError("incomplete")
    unknown = [t for t in _TOKEN.findall(subject + "\n" + body) if t not in PLACEHOLDERS]
    if unknown:
        raise BrandingError("unknown", names=", ".join("{%s}" % t for t in dict.fromkeys(unknown)))
    if f"{{{LINK}}}" in subject:
        raise BrandingError("link_in_subject")
    if f"{{{LINK}}}" not in body:
        raise BrandingError("no_link")


def fill(text: str, values: dict) -> str:
    """Plain text with the placeholders replaced (no str.format: a text typed by a
    consultant never reaches attribute lookups)."""
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


def fill_html(text: str, values: dict, colour: str = DEFAULT_PRIMARY) -> Markup:
    """The body as HTML paragraphs: every literal and value escaped, the link a link."""
    def piece(segment: str) -> str:
        out, last = [], 0
        for m in _PLACEHOLDER.finditer(segment):
            out.append(str(html_escape(segment[last:m.start()])))
            value = str(values[m.group(1)])
            if m.group(1) == LINK:
                out.append(f'<a href={quoteattr(value)} style="color:{colour}; word-break:break-all;">'
                           f"{html_escape(value)}</a>")
            else:
                out.append(str(html_escape(value)))
            last = m.end()
        out.append(str(html_escape(segment[last:])))
        return "".join(out)

    paragraphs = [p.strip("\n") for p in re.split(r"\n\s*\n", text.replace("\r\n", "\n")) if p.strip()]
    return Markup("\n".join("<p>" + "<br>\n".join(piece(line) for line in p.split("\n")) + "</p>"
                            for p in paragraphs))


def templates_of(session: Session, client_id: int) -> dict[tuple[str, str], ClientMailTemplate]:
    rows = session.scalars(sa.select(ClientMailTemplate).where(ClientMailTemplate.client_id == client_id))
    return {(t.kind, t.language): t for t in rows}


def template_for(session: Session, client_id: int, kind: str, lang: str) -> ClientMailTemplate | None:
    return session.scalar(sa.select(ClientMailTemplate).where(
        ClientMailTemplate.client_id == client_id, ClientMailTemplate.kind == kind,
        ClientMailTemplate.language == lang))


def save_templates(session: Session, client_id: int, kind: str, texts: dict[str, tuple[str, str]], *,
                   user_id: int | None, now: datetime) -> None:
    """Store a kind's texts, ``{lang: (subject, body)}``; both empty removes the
    language's text (the standard e-mail is used). Checks every language first and
    raises ``BrandingError`` with ``lang`` in its values, storing nothing."""
    if kind not in KINDS:
        raise BrandingError("kind")
    for lang, (subject, body) in texts.items():
        if subject.strip() or body.strip():
            try:
                check_template(subject, body)
            except BrandingError as exc:
                exc.values["lang"] = lang
                raise
    existing = templates_of(session, client_id)
    changed = []
    for lang, (subject, body) in texts.items():
        row = existing.get((kind, lang))
        subject, body = " ".join(subject.split())[:300], body.replace("\r\n", "\n").strip()
        if not subject and not body:
            if row is not None:
                session.delete(row)
                changed.append(f"{lang}:removed")
            continue
        if row is None:
            row = ClientMailTemplate(client_id=client_id, kind=kind, language=lang, subject="", body="")
            session.add(row)
        if (row.subject, row.body) != (subject, body):
            row.subject, row.body, row.updated_at, row.updated_by_id = subject, body, now, user_id
            changed.append(lang)
    session.flush()
    if changed:
        audit.record(session, user_id=user_id, action="update", object_type="client_mail_template",
                     object_id=client_id, detail={"kind": kind, "languages": changed}, now=now)
