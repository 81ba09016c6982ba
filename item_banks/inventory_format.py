"""Validation of inventory files (format ``second-opinion/inventory``, versions 1 and 2).

Version 1 (``FORMAT.md``): five domains, statements keyed to a domain.
Version 2 (``INVENTORY.md``): domains with facets, statements keyed to a facet, plus
validity statements (consistency pairs and infrequency statements) that are never scored.

Every problem names the file and the statement, domain or facet it concerns.
"""

from __future__ import annotations

import re

from .schema import (
    DOMAIN_IDS,
    INVENTORY_FORMAT,
    KEYED_VALUES,
    MIN_REVERSE_SHARE,
    _check_header,
)
from .validation import (
    LANGUAGE_NAMES,
    LANGUAGES,
    array_field,
    check_fields,
    check_text,
    check_texts,
    duplicate_ids,
    is_int,
    label,
    language_label,
    missing_fields,
    non_empty_string,
    objects,
    unknown_fields,
)

#: Statement roles in version 2; only "scored" statements count towards trait scores.
ROLES = ("scored", "consistency", "infrequency")
#: The answer side an infrequency statement is expected to get from almost everyone.
EXPECTED_VALUES = ("agree", "disagree")
SCALE_POINTS = 5

MIN_FACETS_PER_DOMAIN = 4
MIN_STATEMENTS_PER_FACET = 4
MIN_REVERSE_PER_FACET = 1
MIN_SCORED_STATEMENTS = 100
MIN_CONSISTENCY_PAIRS = 8
#: Infrequency statements: at least this many, both answer sides represented (the flag
#: needs two unexpected answers, see item_banks/validity.py).
MIN_INFREQUENCY_STATEMENTS = 4
#: A consistency statement sits at least this many places from its pair in file order.
MIN_PAIR_DISTANCE = 10
#: Longer statements are rejected; the writing guideline is at most about 15 words.
MAX_WORDS = 20

_FACET_ID_RE = re.compile(r"^([A-Z]{2})\.[a-z][a-z_]*$")

# Double negatives, kept simple on purpose (see INVENTORY.md): a negation followed by a
# negated word ("inte oviktig", "not unusual", "never unimportant"), or two negation
# words in one statement ("I never say nothing").
_NEGATION_WORDS = {
    "sv": re.compile(r"\b(?:inte|ej|icke|aldrig|ingen|inget|inga|ingenting|ingenstans)\b", re.I),
    "en": re.compile(r"\b(?:not|never|no|none|nobody|nothing|nowhere|neither|nor|cannot)\b|n't\b", re.I),
}
_NEGATED_PREFIX = {
    # "o-" words after a negation; common words that merely start with "o" are exempt
    "sv": re.compile(
        r"\b(?:inte|ej|aldrig)\s+o(?!fta\b|ch\b|m\b|mkring\b|rdentlig\w*\b|rk\w*\b)\w{3,}", re.I
    ),
    "en": re.compile(r"(?:\b(?:not|never)|n't)\s+un\w+|\bnever\s+not\b", re.I),
}

# Keying by negation (version 2; see INVENTORY.md, "Item-writing rules"). A reverse-keyed
# statement describes the low pole in its own positive words, so it contains no negation at
# all; no keyed statement reaches its pole by negating a frequency of the opposite pole
# ("a deadline rarely makes me lose my composure"). Whole words, case-insensitive.
_REVERSED_NEGATION = {
    "sv": re.compile(r"\b(?:inte|ej|icke|aldrig|ingen|inget|inga|ingenting|ingenstans|sällan|knappast|utan)\b",
                     re.I),
    "en": re.compile(r"\b(?:not|never|no|none|nobody|nothing|nowhere|neither|nor|cannot|rarely|seldom|hardly|"
                     r"without)\b|n't\b", re.I),
}
_NEGATED_FREQUENCY = {
    "sv": re.compile(r"\b(?:sällan|knappast)\b", re.I),
    "en": re.compile(r"\b(?:rarely|seldom|hardly)\b", re.I),
}
#: (statement id, language) -> why a negation word is acceptable in a keyed statement.
#: Only with a reason a reviewer can check; empty for the shipped inventory.
NEGATION_ALLOWED: dict[tuple[str, str], str] = {}

_TOP = {
    1: {"format", "format_version", "inventory_id", "version", "description", "domains", "statements"},
    2: {"format", "format_version", "inventory_id", "version", "description", "scale", "domains",
        "statements"},
}
_DOMAIN_FIELDS = {1: {"id", "name", "high", "low"}, 2: {"id", "name", "high", "low", "facets"}}
_FACET_FIELDS = {"id", "name", "high", "low"}
_STATEMENT_FIELDS_V1 = {"id", "domain", "keyed", "text"}
#: version 2: role -> (allowed fields, required fields); "role" may be left out for scored
_STATEMENT_FIELDS_V2 = {
    "scored": ({"id", "role", "facet", "keyed", "text"}, {"id", "facet", "keyed", "text"}),
    "consistency": ({"id", "role", "pair", "keyed", "text"}, {"id", "role", "pair", "keyed", "text"}),
    "infrequency": ({"id", "role", "expected", "text"}, {"id", "role", "expected", "text"}),
}


def check_inventory(data: dict, name: str) -> list[str]:
    """Problems in a parsed personality inventory (FORMAT.md for v1, INVENTORY.md for v2)."""
    out: list[str] = []
    version = data.get("format_version")
    if is_int(version) and version in _TOP:
        check_fields(data, _TOP[version], _TOP[version], name, out)
    if not _check_header(data, "inventory_id", INVENTORY_FORMAT, name, out):
        return out
    if version == 2 and "scale" in data:
        _check_scale(data["scale"], name, out)

    facets: dict[str, str] = {}  # facet id -> domain id (v2)
    declared = _check_domains(data, version, name, facets, out)

    statements = array_field(data, "statements", name, out)
    if statements is None:
        return out

    duplicate_ids(statements, name, "statement", out)

    if version == 1:
        _check_statements_v1(statements, declared, name, out)
    else:
        _check_statements_v2(statements, declared, facets, name, out)
    _check_wording(statements, name, out)
    if version == 2:
        _check_negation(statements, name, out)
    return out


# --------------------------------------------------------------------------- domains, facets


def _check_scale(scale: object, name: str, out: list[str]) -> None:
    if not isinstance(scale, dict):
        out.append(f"{name}: scale must be an object like {{\"points\": {SCALE_POINTS}}}")
        return
    check_fields(scale, {"points"}, {"points"}, f"{name}: scale", out)
    points = scale.get("points", SCALE_POINTS)
    if points != SCALE_POINTS or isinstance(points, bool):
        out.append(f"{name}: scale: points must be {SCALE_POINTS} (the only scale scoring supports),"
                   f" not {points!r}")


def _check_domains(data: dict, version: int, name: str, facets: dict[str, str], out: list[str]) -> list[str]:
    """Check ``domains``; fill ``facets`` (v2) and return the declared domain ids."""
    declared: list[str] = []
    domains = array_field(data, "domains", name, out)
    if domains is None:
        return declared
    fields = _DOMAIN_FIELDS[version]
    for _, where, dom in objects(domains, name, "domain", out):
        check_fields(dom, fields, fields, where, out)
        dom_id = dom.get("id")
        if "id" in dom and dom_id not in DOMAIN_IDS:
            out.append(f"{where}: unknown domain id {dom_id!r} (known: {', '.join(DOMAIN_IDS)})")
        elif dom_id in declared:
            out.append(f"{where}: duplicate domain id")
        elif dom_id is not None:
            declared.append(dom_id)
        check_texts(dom, ("name", "high", "low"), where, out)
        if version == 2 and "facets" in dom:
            _check_facets(dom["facets"], dom_id if dom_id in DOMAIN_IDS else None, where, name, facets, out)
    for dom_id in DOMAIN_IDS:
        if dom_id not in declared:
            out.append(f"{name}: domain {dom_id}: missing from domains")
    return declared


def _check_facets(
    raw: object, dom_id: str | None, where: str, name: str, facets: dict[str, str], out: list[str]
) -> None:
    if not isinstance(raw, list):
        out.append(f"{where}: facets must be an array")
        return
    for _, fwhere, facet in objects(raw, name, "facet", out):
        check_fields(facet, _FACET_FIELDS, _FACET_FIELDS, fwhere, out)
        check_texts(facet, ("name", "high", "low"), fwhere, out)
        facet_id = facet.get("id")
        if "id" not in facet:
            continue
        match = _FACET_ID_RE.match(facet_id) if isinstance(facet_id, str) else None
        if match is None:
            out.append(f"{fwhere}: id must look like \"{dom_id or 'ES'}.calm\" (domain id, dot,"
                       f" lower-case name), not {facet_id!r}")
        elif dom_id is not None and match.group(1) != dom_id:
            out.append(f"{fwhere}: id must start with '{dom_id}.' (it belongs to domain {dom_id})")
        elif facet_id in facets:
            out.append(f"{fwhere}: duplicate facet id")
        elif dom_id is not None:
            facets[facet_id] = dom_id
    if dom_id is not None and len(raw) < MIN_FACETS_PER_DOMAIN:
        out.append(f"{name}: domain {dom_id}: only {len(raw)} facets, at least {MIN_FACETS_PER_DOMAIN} required")


# --------------------------------------------------------------------------- statements


def _check_statements_v1(statements: list, declared: list[str], name: str, out: list[str]) -> None:
    keyed_by_domain: dict[str, list[int]] = {d: [] for d in declared}
    for _, where, st in objects(statements, name, "statement", out):
        check_fields(st, _STATEMENT_FIELDS_V1, _STATEMENT_FIELDS_V1, where, out)
        _check_id(st, where, out)
        domain = st.get("domain")
        if "domain" in st and domain not in declared:
            out.append(f"{where}: unknown domain {domain!r}")
        keyed = _check_keyed(st, where, out)
        if domain in keyed_by_domain and keyed is not None:
            keyed_by_domain[domain].append(keyed)
        if "text" in st:
            check_text(st["text"], where, "text", out)
    _check_domain_balance(keyed_by_domain, "statements", name, out)


def _check_statements_v2(
    statements: list, declared: list[str], facets: dict[str, str], name: str, out: list[str]
) -> None:
    keyed_by_facet: dict[str, list[int]] = {f: [] for f in facets}
    keyed_by_domain: dict[str, list[int]] = {d: [] for d in declared}
    scored_keyed: dict[str, int | None] = {}  # scored statement id -> +1/-1 (None if invalid)
    positions: dict[str, int] = {}
    n_scored = 0
    consistency: list[tuple[str, dict, int]] = []
    for index, where, st in objects(statements, name, "statement", out):
        role = st.get("role", "scored")
        if role not in ROLES:
            out.append(f"{where}: unknown role {role!r} (known: {', '.join(ROLES)})")
            continue
        allowed, required = _STATEMENT_FIELDS_V2[role]
        for key in sorted(missing_fields(st, required)):
            out.append(f"{where}: missing field '{key}'")
        for key in sorted(unknown_fields(st, allowed)):
            out.append(f"{where}: field '{key}' is not allowed for role {role}")
        st_id = st.get("id") if _check_id(st, where, out) else None
        if st_id is not None:
            positions.setdefault(st_id, index)
        if "text" in st:
            check_text(st["text"], where, "text", out)
        if role == "scored":
            n_scored += 1
            keyed = _check_keyed(st, where, out)
            facet = st.get("facet")
            if "facet" in st and facet not in facets:
                out.append(f"{where}: unknown facet {facet!r}")
            elif facet in facets and keyed is not None:
                keyed_by_facet[facet].append(keyed)
                keyed_by_domain[facets[facet]].append(keyed)
            if st_id is not None:
                scored_keyed.setdefault(st_id, keyed)
        elif role == "consistency":
            consistency.append((where, st, index))
        elif "expected" in st and st["expected"] not in EXPECTED_VALUES:
            out.append(f"{where}: expected must be \"agree\" or \"disagree\", not {st['expected']!r}")

    for facet_id, signs in keyed_by_facet.items():
        if len(signs) < MIN_STATEMENTS_PER_FACET:
            out.append(f"{name}: facet {facet_id}: only {len(signs)} scored statements,"
                       f" at least {MIN_STATEMENTS_PER_FACET} required")
        if signs and signs.count(-1) < MIN_REVERSE_PER_FACET:
            out.append(f"{name}: facet {facet_id}: no reverse-keyed statement,"
                       f" at least {MIN_REVERSE_PER_FACET} required")
    _check_domain_balance(keyed_by_domain, "scored statements", name, out)
    if n_scored < MIN_SCORED_STATEMENTS:
        out.append(f"{name}: only {n_scored} scored statements, at least {MIN_SCORED_STATEMENTS} required")

    _check_pairs(consistency, scored_keyed, positions, name, out)
    _check_infrequency(statements, name, out)
    _check_spread(statements, name, out)


def _check_pairs(
    consistency: list[tuple[str, dict, int]],
    scored_keyed: dict[str, int | None],
    positions: dict[str, int],
    name: str,
    out: list[str],
) -> None:
    paired: dict[str, str] = {}
    for where, st, index in consistency:
        keyed = _check_keyed(st, where, out)
        if "pair" not in st:
            continue
        pair = st["pair"]
        if pair not in scored_keyed:
            kind = "a validity statement" if pair in positions else "an unknown statement"
            out.append(f"{where}: pair {pair!r} is {kind}; it must name a scored statement")
            continue
        if pair in paired:
            out.append(f"{where}: statement {pair} is already paired with {paired[pair]}")
            continue
        paired[pair] = st.get("id") if isinstance(st.get("id"), str) else where
        if keyed is not None and scored_keyed[pair] is not None and keyed != scored_keyed[pair]:
            out.append(
                f"{where}: keyed {st['keyed']!r} differs from its pair {pair}; a consistency"
                " statement is a near-synonym and is keyed in the same direction"
            )
        if abs(index - positions[pair]) < MIN_PAIR_DISTANCE:
            out.append(f"{where}: only {abs(index - positions[pair])} places from its pair {pair},"
                       f" at least {MIN_PAIR_DISTANCE} required")
    if len(paired) < MIN_CONSISTENCY_PAIRS:
        out.append(f"{name}: only {len(paired)} consistency pairs, at least {MIN_CONSISTENCY_PAIRS} required")
    directions = {scored_keyed[pair] for pair in paired} - {None}
    if paired and len(directions) == 1:
        which = "reverse-keyed" if directions == {-1} else "positively keyed"
        out.append(f"{name}: every consistency pair is {which}; pairs must cover both keying directions"
                   " (otherwise yes-saying looks consistent)")


def _check_infrequency(statements: list, name: str, out: list[str]) -> None:
    """Enough infrequency statements, on both answer sides (yea- and nay-saying both show)."""
    found = [st for st in statements if isinstance(st, dict) and st.get("role") == "infrequency"]
    if len(found) < MIN_INFREQUENCY_STATEMENTS:
        out.append(f"{name}: only {len(found)} infrequency statements, at least {MIN_INFREQUENCY_STATEMENTS} required")
    sides = {st.get("expected") for st in found}
    missing = [side for side in EXPECTED_VALUES if side not in sides]
    if found and missing and not sides - set(EXPECTED_VALUES):  # an invalid side is reported already
        out.append(f"{name}: no infrequency statement expects \"{missing[0]}\"; both answer sides are required")


def _check_spread(statements: list, name: str, out: list[str]) -> None:
    """Validity statements are spread out: never two next to each other in file order."""
    previous: str | None = None
    for index, st in enumerate(statements):
        is_validity = isinstance(st, dict) and st.get("role", "scored") in ("consistency", "infrequency")
        st_label = label(st, index, "statement")
        if is_validity and previous is not None:
            out.append(f"{name}: {st_label}: follows validity {previous} directly; spread validity"
                       " statements through the inventory")
        previous = st_label if is_validity else None


def _check_domain_balance(keyed_by_domain: dict[str, list[int]], what: str, name: str, out: list[str]) -> None:
    for dom_id, signs in keyed_by_domain.items():
        if not signs:
            out.append(f"{name}: domain {dom_id}: no {what}")
            continue
        n_reverse = signs.count(-1)
        if n_reverse < MIN_REVERSE_SHARE * len(signs):
            out.append(
                f"{name}: domain {dom_id}: only {n_reverse} of {len(signs)} {what} reverse-keyed"
                f" ({100 * n_reverse / len(signs):.0f} %), at least {100 * MIN_REVERSE_SHARE:.0f} % required"
            )


def _check_id(st: dict, where: str, out: list[str]) -> bool:
    if "id" not in st:
        return False
    if not non_empty_string(st["id"]):
        out.append(f"{where}: id must be a non-empty string")
        return False
    return True


def _check_keyed(st: dict, where: str, out: list[str]) -> int | None:
    """+1 or -1, or None when missing or invalid (reported)."""
    if "keyed" not in st:
        return None
    keyed = st["keyed"]
    if not isinstance(keyed, str) or keyed not in KEYED_VALUES:
        out.append(f"{where}: keyed must be \"+\" or \"-\", not {keyed!r}")
        return None
    return KEYED_VALUES[keyed]


def _check_wording(statements: list, name: str, out: list[str]) -> None:
    """Length, duplicate texts and double negatives, per language (both versions)."""
    seen: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for index, st in enumerate(statements):
        if not isinstance(st, dict) or not isinstance(st.get("text"), dict):
            continue
        st_label = label(st, index, "statement")
        where = f"{name}: {st_label}"
        for lang in LANGUAGES:
            text = st["text"].get(lang)
            if not non_empty_string(text):
                continue  # reported by check_text
            lang_name = language_label(lang)
            n_words = len(text.split())
            if n_words > MAX_WORDS:
                out.append(f"{where}: {lang_name} has {n_words} words, at most {MAX_WORDS} allowed")
            key = " ".join(text.casefold().split()).rstrip(".!?")
            if key in seen[lang]:
                out.append(f"{where}: {lang_name} duplicates {seen[lang][key]}")
            else:
                seen[lang][key] = st_label
            if _NEGATED_PREFIX[lang].search(text) or len(_NEGATION_WORDS[lang].findall(text)) > 1:
                out.append(f"{where}: {lang_name} looks like a double negative: {text!r}")


def _check_negation(statements: list, name: str, out: list[str]) -> None:
    """Keying by negation and negation in one language only (version 2, INVENTORY.md).

    * a reverse-keyed statement (scored or consistency) contains no negation word;
    * no keyed statement contains a negated frequency ("rarely", "sällan");
    * a negation in one language's text has one in the other's (translation equivalence).
    ``NEGATION_ALLOWED`` exempts a statement and language from the first two, with a reason.
    """
    for index, st in enumerate(statements):
        if not isinstance(st, dict) or not isinstance(st.get("text"), dict):
            continue
        texts = {lang: st["text"].get(lang) for lang in LANGUAGES}
        if not all(non_empty_string(t) for t in texts.values()):
            continue  # reported by check_text
        where = f"{name}: {label(st, index, 'statement')}"
        role = st.get("role", "scored")
        keyed = st.get("keyed") if role in ("scored", "consistency") else None
        for lang, text in texts.items():
            lang_name = language_label(lang)
            if (st.get("id"), lang) in NEGATION_ALLOWED:
                continue
            if keyed == "-":
                found = _REVERSED_NEGATION[lang].search(text)
                if found:
                    out.append(f"{where}: reverse-keyed, but the {lang_name} uses the negation"
                               f" {found.group(0)!r}; describe the low pole in its own words instead")
                    continue
            if keyed in ("+", "-"):
                found = _NEGATED_FREQUENCY[lang].search(text)
                if found:
                    out.append(f"{where}: the {lang_name} negates the opposite pole with"
                               f" {found.group(0)!r}; describe the pole in its own words instead")
        negated = {lang: bool(_REVERSED_NEGATION[lang].search(text)) for lang, text in texts.items()}
        if len(set(negated.values())) > 1:
            has = [LANGUAGE_NAMES[lang] for lang in LANGUAGES if negated[lang]][0]
            lacks = [LANGUAGE_NAMES[lang] for lang in LANGUAGES if not negated[lang]][0]
            out.append(f"{where}: the {has} text has a negation and the {lacks} text has none;"
                       " check that both say the same with the same strength")
