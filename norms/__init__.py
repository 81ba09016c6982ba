"""Norm tables and standard scores (numpy and the standard library only).

Typical use::

    from norms import load_norm_table
    table = load_norm_table("general")          # highest version
    score = table.convert("logic.number_correct", 14)
    score.percentile, score.sten, table.ref, table.provisional

See ``norms/README.md`` for the file format and how the provisional tables were made.
"""

from .scores import percentile_from_z, stanine_from_z, sten_from_z, t_from_z
from .tables import (
    NormError,
    NormScore,
    NormTable,
    ScaleNorm,
    available_groups,
    available_versions,
    clear_cache,
    load_norm_table,
    parse_norm_table,
)

__all__ = [
    "NormError",
    "NormScore",
    "NormTable",
    "ScaleNorm",
    "available_groups",
    "available_versions",
    "clear_cache",
    "load_norm_table",
    "parse_norm_table",
    "percentile_from_z",
    "sten_from_z",
    "stanine_from_z",
    "t_from_z",
]
