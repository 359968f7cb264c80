"""Time full sync cycles (read, validate, write the owned tabs) on .xlsx workbooks.

Usage: python bench/sync.py [ROWS ...] [--repeat 5]
For each row count a synthetic workbook is built once (openpyxl, write-only mode), then
each run copies it, syncs it once from a fresh state (read + parse + validate + write all
three tabs), and times that cycle. Also times a second, unchanged cycle (read + validate,
nothing written). Prints medians in seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import calendar_rows

from sheets_sync.config import from_dict
from sheets_sync.run import sync

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Istanbul"))


def build_workbook(rows: int, path: Path) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Calendar")
    for line in calendar_rows(rows):
        ws.append(line)
    wb.save(path)


def run(rows: int, repeat: int, folder: Path) -> None:
    source = folder / f"calendar-{rows}.xlsx"
    started = time.perf_counter()
    build_workbook(rows, source)
    print(f"{rows:>8} rows: workbook built in {time.perf_counter() - started:.1f} s "
          f"({source.stat().st_size / 1e6:.1f} MB)")
    first, second = [], []
    for i in range(repeat):
        path = folder / f"run-{rows}-{i}.xlsx"
        shutil.copyfile(source, path)
        config = from_dict({"calendars": [{"name": "bench", "path": str(path),
                                           "tab": "Calendar"}]}).calendars[0]
        state = str(folder / f"run-{rows}-{i}.db")
        started = time.perf_counter()
        sync(config, state, NOW)
        first.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = sync(config, state, NOW)
        second.append(time.perf_counter() - started)
        assert not result.changed_tabs, result.changed_tabs
    print(f"{rows:>8} rows: first sync (writes 3 tabs) median {statistics.median(first):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in first)})")
    print(f"{rows:>8} rows: unchanged sync (writes nothing) median "
          f"{statistics.median(second):.2f} s (runs: {', '.join(f'{t:.2f}' for t in second)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", nargs="*", type=int, default=[71, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for rows in args.rows:
            run(rows, args.repeat, Path(folder))


if __name__ == "__main__":
    main()
