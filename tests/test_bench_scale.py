"""bench/scale.py runs, small: it builds the assignment, measures every page at two sizes,
writes its JSON and exits 0 (the full run is ``make bench``; its figures are in
bench/README.md, never asserted here)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_scale_bench_runs_small(tmp_path):
    done = subprocess.run([sys.executable, "bench/scale.py", "--db", "sqlite", "--sizes", "6,12", "--pool", "3",
                           "--repeat", "1", "--out", str(tmp_path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    [written] = tmp_path.glob("scale-*.json")
    report = json.loads(written.read_text())
    result = report["results"]["sqlite"]
    assert result["sizes"] == [6, 12] and report["problems"] == []
    pages = result["pages"]
    assert {"assignment page", "progress fragment", "progress fragment, unchanged (304)", "candidate list",
            "final candidates", "results", "synthesis", "client: assignment"} <= set(pages)
    for name, by_size in pages.items():
        assert by_size["6"]["queries"] == by_size["12"]["queries"] > 0, name
        assert by_size["12"]["ms_median"] > 0, name
    assert pages["progress fragment, unchanged (304)"]["12"]["status"] == 304
    assert set(result["norms_build"]) == {"6", "12"}
    assert "ms@6" in done.stdout and "written:" in done.stdout
