"""Norm tables by the reference a stored result names, and what pages and reports say
about a table (plain data: no app, no session)."""
from __future__ import annotations

from norms import NormError, NormTable, load_norm_table


def norm_table_for_ref(ref: str | None) -> NormTable | None:
    """The table a stored result names (``"general.v2"``), or None if it is gone."""
    group, _, version = (ref or "").rpartition(".v")
    if not group or not version:
        return None
    try:
        return load_norm_table(group, version)
    except NormError:
        return None


def norm_info(table: NormTable | None) -> dict | None:
    """What a page or report says about a norm table: its name, whether it is provisional
    and why (simulated, or real data below the minimum N), and whether it is local (one
    client's or one role family's candidates). Plain data, so a report can store it."""
    if table is None:
        return None
    population = dict(table.population or {})
    quality = dict(table.quality or {})
    return {
        "ref": table.ref, "label": dict(table.label), "n": table.n, "provisional": table.provisional,
        "from_data": table.from_collected_data, "min_n": quality.get("min_n"),
        "local": table.local_scope, "client": population.get("client"),
        "role_family": population.get("role_family"),
    }
