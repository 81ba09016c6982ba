"""Norm tables, standard scores, confidence bands and the norm builder (numpy and the
standard library only).

Typical use::

    from norms import load_norm_table
    table = load_norm_table("general")          # highest version
    score = table.convert("personality.ES", 3.8)             # band from the reliability
    score = table.convert("logic.theta", 0.4, se=0.31)       # band from the IRT SE
    score.percentile, score.band, score.sten, table.ref, table.provisional

    from norms import build_norm_table, next_version, write_table   # local norms

See ``norms/README.md`` for the file formats, the scales, the bands and how the
provisional tables were made.
"""

from .build import MIN_N, build_norm_table, cronbach_alpha, next_version, write_table
from .scores import (
    normal_quantile,
    percentile_from_z,
    stanine_from_z,
    sten_from_z,
    t_from_z,
    z_for_level,
)
from .tables import (
    DEFAULT_LEVEL,
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
    "DEFAULT_LEVEL",
    "MIN_N",
    "NormError",
    "NormScore",
    "NormTable",
    "ScaleNorm",
    "available_groups",
    "available_versions",
    "build_norm_table",
    "clear_cache",
    "cronbach_alpha",
    "load_norm_table",
    "next_version",
    "normal_quantile",
    "parse_norm_table",
    "percentile_from_z",
    "stanine_from_z",
    "sten_from_z",
    "t_from_z",
    "write_table",
    "z_for_level",
]
