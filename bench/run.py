"""The benchmark suite: engine, xlsx sync, Google sync on the fake, daemon memory.

Usage: python bench/run.py [--quick] [--repeat 5] [--only engine|xlsx|google|daemon ...]
                           [--out FILE]

The full run writes bench/results.json (the committed figures); --quick writes
bench/results-quick.json, so a quick check never overwrites the full run.

Each measurement runs in a fresh subprocess so its peak RSS is its own. Seconds are
medians of --repeat runs; memory is peak RSS in MB. Prints a table and writes JSON:

  {"engine": {"10000": {"median_s", "peak_rss_mb"}, "100000": .., "500000": ..},
   "xlsx_sync": {"10000": {..}, "100000": {..}},
   "google_sync": {"100000": {"median_s", "client_side_median_s", "engine_median_s",
                              "client_vs_engine", "client_vs_engine_rounds", "requests",
                              "requests_max", "bytes_in", "bytes_out"}},
   "daemon_rss_mb": {"1": .., "100": .., "1000": ..},
   "growth_exponent": ..}
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GOOGLE_ROUNDS = 3


def measure(kind: str, *args: Any) -> dict[str, Any]:
    """Run one measurement of bench/measure.py in a subprocess and return its JSON."""
    command = [sys.executable, str(HERE / "measure.py"), kind, *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer cycles")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", help="where to write the JSON (default: bench/results.json, "
                        "or bench/results-quick.json with --quick)")
    parser.add_argument("--only", choices=["engine", "xlsx", "google", "daemon"], action="append",
                        help="run only these parts (repeatable); the JSON keeps earlier results "
                        "of the other parts")
    args = parser.parse_args()
    args.out = args.out or str(HERE / ("results-quick.json" if args.quick else "results.json"))
    parts = set(args.only or ["engine", "xlsx", "google", "daemon"])
    engine_sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 500_000]
    xlsx_sizes = [10_000] if args.quick else [10_000, 100_000]
    google_size = 10_000 if args.quick else 100_000
    daemon_cycles = [1, 10, 100] if args.quick else [1, 100, 1000]

    out = Path(args.out)
    previous: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
    # bench/idle.py's figures are its own: a full run keeps them.
    results = previous if args.only else {k: v for k, v in previous.items()
                                           if k == "google_idle"}
    results.update({"cores": os.cpu_count(), "quick": args.quick})
    for key in ("engine", "xlsx_sync", "google_sync"):
        results.setdefault(key, {})
    for rows in engine_sizes if "engine" in parts else []:
        results["engine"][str(rows)] = measure("engine", rows, args.repeat)
        print(f"engine      {rows:>7} rows  {_fmt(results['engine'][str(rows)])}", flush=True)
    for rows in xlsx_sizes if "xlsx" in parts else []:
        results["xlsx_sync"][str(rows)] = measure("xlsx", rows, args.repeat)
        print(f"xlsx sync   {rows:>7} rows  {_fmt(results['xlsx_sync'][str(rows)])}", flush=True)
    if "google" in parts:
        # The target compares the Google cycle's own work with the engine on the same rows.
        # This machine's speed drifts within minutes, so each Google measurement is paired
        # with an engine measurement taken right before it, over alternating rounds; the
        # round with the median ratio is reported, with every round's ratio.
        rounds = []
        for _ in range(GOOGLE_ROUNDS):
            engine = measure("engine", google_size, args.repeat)
            google = measure("google", google_size, args.repeat)
            google["engine_median_s"] = engine["median_s"]
            google["client_vs_engine"] = round(google["client_side_median_s"]
                                               / engine["median_s"], 2)
            rounds.append(google)
            print(f"google sync {google_size:>7} rows  {_fmt(google)}", flush=True)
        rounds.sort(key=lambda r: r["client_vs_engine"])
        chosen = rounds[len(rounds) // 2]
        chosen["client_vs_engine_rounds"] = [r["client_vs_engine"] for r in rounds]
        results["google_sync"][str(google_size)] = chosen
        print(f"google client side / engine just before it, {google_size} rows: "
              f"{chosen['client_vs_engine']} (rounds: {chosen['client_vs_engine_rounds']}; "
              "target <= 1.5)", flush=True)
    if "daemon" in parts:
        rss = measure("daemon", 10_000, *daemon_cycles)
        results["daemon_rss_mb"] = rss
        print(f"daemon RSS after cycles (10k rows): {rss}", flush=True)
    if "500000" in results["engine"] and "100000" in results["engine"]:
        t100 = results["engine"]["100000"]["median_s"]
        t500 = results["engine"]["500000"]["median_s"]
        results["growth_exponent"] = round(math.log(t500 / t100) / math.log(5), 3)
        print(f"growth exponent (engine 100k -> 500k): {results['growth_exponent']}")
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


def _fmt(entry: dict[str, Any]) -> str:
    return "  ".join(f"{k}={v}" for k, v in entry.items())


if __name__ == "__main__":
    main()
