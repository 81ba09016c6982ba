"""Validation of inventory files (format ``second-opinion/inventory``)."""

from __future__ import annotations

from collections import Counter

from .schema import (
    DOMAIN_IDS,
    INVENTORY_FORMAT,
    KEYED_VALUES,
    MIN_REVERSE_SHARE,
    _check_fields,
    _check_header,
    _check_text,
    _json_type,
    _label,
)

_INV_TOP = {"format", "format_version", "inventory_id", "version", "description", "domains", "statements"}
_DOMAIN_FIELDS = {"id", "name", "high", "low"}
_STATEMENT_FIELDS = {"id", "domain", "keyed", "text"}


def check_inventory(data: dict, name: str) -> list[str]:
    """Problems in a parsed personality inventory (see FORMAT.md)."""
    out: list[str] = []
    _check_fields(data, _INV_TOP, _INV_TOP, name, out)
    if not _check_header(data, "inventory_id", INVENTORY_FORMAT, name, out):
        return out

    declared: list[str] = []
    domains = data.get("domains")
    if "domains" in data and not isinstance(domains, list):
        out.append(f"{name}: domains must be an array")
    elif isinstance(domains, list):
        for index, dom in enumerate(domains):
            where = f"{name}: {_label(dom, index, 'domain')}"
            if not isinstance(dom, dict):
                out.append(f"{where}: must be an object, not {_json_type(dom)}")
                continue
            _check_fields(dom, _DOMAIN_FIELDS, _DOMAIN_FIELDS, where, out)
            dom_id = dom.get("id")
            if "id" in dom and dom_id not in DOMAIN_IDS:
                out.append(f"{where}: unknown domain id {dom_id!r} (known: {', '.join(DOMAIN_IDS)})")
            elif dom_id in declared:
                out.append(f"{where}: duplicate domain id")
            elif dom_id is not None:
                declared.append(dom_id)
            for field in ("name", "high", "low"):
                if field in dom:
                    _check_text(dom[field], where, field, out)
        for dom_id in DOMAIN_IDS:
            if dom_id not in declared:
                out.append(f"{name}: domain {dom_id}: missing from domains")

    statements = data.get("statements")
    if "statements" not in data:
        return out
    if not isinstance(statements, list):
        out.append(f"{name}: statements must be an array")
        return out

    ids = Counter(s["id"] for s in statements if isinstance(s, dict) and isinstance(s.get("id"), str))
    for st_id, count in sorted(ids.items()):
        if count > 1:
            out.append(f"{name}: statement {st_id}: duplicate id (used {count} times)")

    keyed_by_domain: dict[str, list[int]] = {d: [] for d in declared}
    for index, st in enumerate(statements):
        where = f"{name}: {_label(st, index, 'statement')}"
        if not isinstance(st, dict):
            out.append(f"{where}: must be an object, not {_json_type(st)}")
            continue
        _check_fields(st, _STATEMENT_FIELDS, _STATEMENT_FIELDS, where, out)
        if "id" in st and (not isinstance(st["id"], str) or not st["id"].strip()):
            out.append(f"{where}: id must be a non-empty string")
        domain = st.get("domain")
        if "domain" in st and domain not in declared:
            out.append(f"{where}: unknown domain {domain!r}")
        keyed = st.get("keyed")
        if "keyed" in st and (not isinstance(keyed, str) or keyed not in KEYED_VALUES):
            out.append(f"{where}: keyed must be \"+\" or \"-\", not {keyed!r}")
        elif domain in keyed_by_domain and keyed in KEYED_VALUES:
            keyed_by_domain[domain].append(KEYED_VALUES[keyed])
        if "text" in st:
            _check_text(st["text"], where, "text", out)

    for dom_id, signs in keyed_by_domain.items():
        if not signs:
            out.append(f"{name}: domain {dom_id}: no statements")
            continue
        n_reverse = signs.count(-1)
        if n_reverse < MIN_REVERSE_SHARE * len(signs):
            out.append(
                f"{name}: domain {dom_id}: only {n_reverse} of {len(signs)} statements reverse-keyed"
                f" ({100 * n_reverse / len(signs):.0f} %), at least {100 * MIN_REVERSE_SHARE:.0f} % required"
            )
    return out
