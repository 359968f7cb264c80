"""Time parse + validate on an N-row synthetic calendar held in memory.

Usage: python bench/engine.py [ROWS ...] [--repeat 5]
Prints the median and every run, in seconds, for each row count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import sys
import time
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import calendar_rows

from sheets_sync.config import from_dict
from sheets_sync.parse import parse
from sheets_sync.validate import validate

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Istanbul"))


def run(rows: int, repeat: int) -> list[float]:
    grid = calendar_rows(rows)
    clients = {f"Client {i:02d}": {"rules": {"cadence": {"posts_per_week": {"instagram": 3}},
                                             "pillars": {"targets": {"Value": 70,
                                                                     "Shareable": 20,
                                                                     "Promotion": 10}}}}
               for i in range(0, 40, 4)}
    config = from_dict({"calendars": [{"name": "bench", "backend": "memory",
                                       "clients": clients}]}).calendars[0]
    gc.freeze()  # as a sync cycle freezes the cells it read (see measure.py engine)
    times, found = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        calendar = parse(grid, config)
        findings = validate(calendar, config, NOW)
        times.append(time.perf_counter() - start)
        found = len(findings)
        del calendar, findings  # freed outside the clock
    gc.unfreeze()
    print(f"{rows:>8} rows: median {statistics.median(times):.3f} s "
          f"(runs: {', '.join(f'{t:.3f}' for t in times)}; {found} findings)")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for rows in args.rows:
        run(rows, args.repeat)


if __name__ == "__main__":
    main()
