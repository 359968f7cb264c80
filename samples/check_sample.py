"""Audit sheets_sync/data/calendar.xlsx with config/example.toml and show which finding codes it produces.

Run from the repository root (after ``samples/make_sample.py``)::

    /work/venv/bin/python samples/check_sample.py              # the sample's contract (below)
    /work/venv/bin/python samples/check_sample.py --rows       # ... and the sheet rows per code
    /work/venv/bin/python samples/check_sample.py 2026-03-23   # just print, as of that day 09:00

Without a date it audits as of 2026-03-10 09:00 Europe/Istanbul (every code must appear
except those in NOT_IN_SAMPLE and next-month-not-ready, which only fires from the 20th
of the month) and as of 2026-03-23 09:00 (next-month-not-ready must appear), and exits 1
when a code is missing.
"""

import datetime as dt
import sys
import zoneinfo
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sheets_sync.backends.files import read_tab  # noqa: E402
from sheets_sync.codes import CODES  # noqa: E402
from sheets_sync.config import load  # noqa: E402
from sheets_sync.parse import parse  # noqa: E402
from sheets_sync.validate import validate  # noqa: E402

# Codes the sample cannot show: they need history (changed-after-approval) or another header
# row (no-id-column, duplicate-column).
# Codes the sample cannot show: history (a sync's) and layouts it deliberately avoids.
NOT_IN_SAMPLE = {"changed-after-approval", "no-id-column", "duplicate-column", "column-assumed",
                 "no-approval-column", "date-not-set", "rows-not-posts", "several-channels",
                 "zone-from-header", "time-from-header", "time-conflict", "time-ambiguous",
                 "time-nonexistent", "rows-before-since"}


def audit(day: dt.date) -> pd.DataFrame:
    cfg = load(ROOT / "config/example.toml")
    cal_cfg = cfg.calendars[0]
    grid = read_tab(cal_cfg.location(), cal_cfg.tab)
    cal = parse(grid.rows, cal_cfg, grid.tab)
    now = dt.datetime(day.year, day.month, day.day, 9, 0,
                      tzinfo=zoneinfo.ZoneInfo("Europe/Istanbul"))
    return validate(cal, cal_cfg, now), cal


def report(day: dt.date, show_rows: bool) -> set[str]:
    """Print the findings per code as of ``day`` 09:00 Istanbul; return the codes missing."""
    f, cal = audit(day)
    pd.set_option("display.max_rows", 200)
    print(f"as of {day} 09:00 Europe/Istanbul: {len(f)} findings, "
          f"{f.loc[f['row'] > 0, 'row'].nunique()} of {len(cal.frame)} rows with a finding")
    print(f.groupby("code").size())
    missing = set(CODES) - set(f["code"]) - NOT_IN_SAMPLE
    print("missing:", missing)
    if show_rows:
        for code, group in f.groupby("code"):
            rows = sorted(int(r) for r in group["row"] if r > 0)
            print(f"  {code:28} rows {rows or '(calendar level)'}")
    return missing


def main(argv: list[str]) -> int:
    show_rows = "--rows" in argv
    days = [dt.date.fromisoformat(a) for a in argv if not a.startswith("--")]
    if days:
        for day in days:
            report(day, show_rows)
        return 0
    # The sample's contract: every code as of 2026-03-10, except next-month-not-ready, which
    # only fires from the 20th of the month and is checked as of 2026-03-23.
    missing = report(dt.date(2026, 3, 10), show_rows) - {"next-month-not-ready"}
    print()
    late = report(dt.date(2026, 3, 23), show_rows) & {"next-month-not-ready"}
    problems = missing | late
    print("\nOK" if not problems else f"\nFAILED, missing: {sorted(problems)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
