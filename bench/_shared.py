"""What the benchmarks share: their settings (the PostgreSQL server, the app's secret key)
and the figures they print. Imported from bench/, which is on ``sys.path`` when a benchmark
runs as a script."""
from __future__ import annotations

import os

#: The PostgreSQL server the benchmarks make their throw-away databases on.
DEFAULT_PG = os.environ.get("BENCH_DATABASE_URL") or os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECRET_KEY = "bench-secret-key-not-for-production-0123456789"


def percentile(values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100), like numpy's default."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def fmt(x: float | None, spec: str = ".1f") -> str:
    return "-" if x is None else format(x, spec)
