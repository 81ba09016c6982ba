"""Every benchmark script starts, measures, writes its result and exits: run here on tiny
parameters, so a benchmark can never rot unnoticed. The full runs are `make bench*`;
their figures are in bench/README.md, never asserted here."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def only_json(folder: Path, prefix: str) -> dict:
    files = sorted(folder.glob(f"{prefix}*.json"))
    assert len(files) == 1, files
    return json.loads(files[0].read_text())


def test_reports_bench(tmp_path):
    done = run("bench/reports.py", "--repeat", "1", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    result = only_json(tmp_path, "reports-")
    assert set(result["summary_ms"]) == {"client", "candidate"}
    assert result["summary_ms"]["client"]["pdf"]["median"] > 0 and result["pdf"]["client"]["pages"] >= 1


def test_synthesis_bench(tmp_path):
    # exit 1 only says a calibration goal is not met at this tiny size; a crash writes no JSON
    done = run("bench/synthesis.py", "--rows", "100", "--out", str(tmp_path))
    assert done.returncode in (0, 1), done.stderr[-2000:]
    result = only_json(tmp_path, "synthesis-")
    assert result["rows"] == 100 and set(result["goals"]) == {"ece", "disagreement_rate"}
    assert ("PASS" in done.stdout or "FAIL" in done.stdout) and (done.returncode == 0) == all(
        g["met"] for g in result["goals"].values())


def test_validity_bench():
    done = run("bench/validity.py", "--n", "20", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)


def test_cat_bench_runs_our_engine_without_the_peers(tmp_path):
    done = run("bench/cat.py", "--only", "shipped", "--simulees", "10", "--peer-simulees", "2", "--repeats", "1",
               "--out", str(tmp_path))
    # with 10 simulees some exposure goals cannot be met: exit 1 then says so, and only then
    assert done.returncode in (0, 1), done.stderr[-2000:]
    result = only_json(tmp_path, "cat-")
    # catsim and mirt live in the benchmark's own venv (make bench-cat); here they are reported missing
    assert result["goals"] and all("not installed" in e for e in result["errors"].values())
    assert result["shipped"]


def test_calibration_bench_runs_without_girth(tmp_path):
    done = run("bench/calibration.py", "--quick", "--no-girth", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    result = only_json(tmp_path, "calibration-")
    assert result["quick"] and result["girth"] is None
    assert result["recovery_3pl"][0]["ours"]["rmse_b"] > 0 and "girth" not in result["recovery_2pl"][0]
    assert set(result["dif"]["unbiased_share"]) == {"A", "B", "C"} and result["fit"]["power"] is not None
    assert "Recovery on 3PL data" in done.stdout


def test_leaks_bench(tmp_path):
    done = run("bench/leaks.py", "--quick", "--simulees", "300", "--horizon", "120", "--leak-at", "60",
               "--leaked-items", "2", "--n-sim", "500", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    result = only_json(tmp_path, "leaks-")
    assert result["quick"] and result["threshold"]["h_used"] > 0
    assert set(result["false_alarms"]) == {"loo", "end_of_test"}
    assert "harder, b + 1.0" in result["scenarios"] and "Planted leaks" in done.stdout


def test_verification_bench(tmp_path):
    # exit 1 only says a requirement of issue 17 is not met (at this tiny size or at all)
    done = run("bench/verification.py", "--quick", "--n", "10", "--lengths", "8", "--out", str(tmp_path))
    assert done.returncode in (0, 1), done.stderr[-2000:]
    result = only_json(tmp_path, "verification-")
    assert {r["length"] for r in result["rows"]} == {8, result["chosen_length"]}
    assert {r["inflation"] for r in result["rows"]} == {0.0, 1.0}
    assert (done.returncode == 0) == all(r["met"] for r in result["requirements"].values())
