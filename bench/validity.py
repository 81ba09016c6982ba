"""Power of the inventory's validity flags, by simulation (item_banks.inventory_sim).

    .venv/bin/python bench/validity.py                      # seed 20261111, n = 10000 per type
    .venv/bin/python bench/validity.py --seed 7 --n 2000
    .venv/bin/python bench/validity.py --json               # one JSON object (keys: KEYS)

Simulates honest responders (five-factor threshold model) and random, straight-line,
acquiescent, half-random and too-fast responders on the shipped inventory, computes every
validity indicator exactly as the portal does, and prints the share of protocols raising
each flag per responder type. ``flask --app wsgi banks simulate-inventory`` prints the same
table from inside the application (with the inventory the app is configured to use).
The documented figures are in item_banks/INVENTORY.md, "Validity flags by simulation".
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from item_banks import load_inventory  # noqa: E402
from item_banks.inventory_sim import DEFAULT_N, DEFAULT_SEED, format_report, run  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/validity.py", description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"default {DEFAULT_SEED}")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help=f"protocols per responder type (default {DEFAULT_N})")
    parser.add_argument("--inventory", type=Path, default=None, help="inventory file (default: the shipped one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    if args.n < 2:
        parser.error("--n must be at least 2")
    report = run(load_inventory(args.inventory), n=args.n, seed=args.seed)
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else format_report(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
