"""bench/answers.py and bench/profile_answers.py run on tiny parameters (a smoke test): they
start, measure, write their figures and exit 0, so a benchmark cannot rot unnoticed."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _pg_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG)
    engine = sa.create_engine(url)
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        reason = f"PostgreSQL not reachable at {make_url(url).render_as_string(hide_password=True)}: {exc.orig}"
        if os.environ.get("REQUIRE_TEST_DATABASE"):
            pytest.fail(reason)
        pytest.skip(reason)
    finally:
        engine.dispose()
    return url


def _db_args(db: str) -> list[str]:
    return ["--db", db] + (["--pg-url", _pg_url()] if db == "postgresql" else [])


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_answers_bench_runs_and_measures(db, tmp_path):
    args = _db_args(db)
    run = subprocess.run([sys.executable, "bench/answers.py", *args, "--candidates", "2", "--items", "3",
                          "--rounds", "1", "--workers", "1", "--out", str(tmp_path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    [out] = tmp_path.glob("*.json")
    doc = json.loads(out.read_text())
    assert doc["errors"] == 0
    [result] = doc["results"]
    assert result["db"] == db and "skipped" not in result
    for side in ("app", "baseline"):
        x = result[side]
        assert x["answers"] == x["expected"] == 6 == x["rows_in_db"] and x["errors"] == 0
        assert x["answers_per_s"] > 0 and x["p95_ms"] > 0 and x["client_cpu_ms"] is not None
    assert result["ratios"]["throughput_app_over_baseline"]["median"] > 0


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_answer_profile_runs(db):
    run = subprocess.run([sys.executable, "bench/profile_answers.py", *_db_args(db), "--candidates", "2",
                          "--items", "3", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    doc = json.loads(run.stdout)
    assert doc["answers"] == 2 and doc["plain_ms_per_answer"] > 0 and doc["profiled_ms_per_answer"] > 0
    assert doc["groups_ms_per_answer"]["SQLAlchemy"] > 0
