"""Idle calendars on the Google Sheets fake: what a cycle costs when nobody changed the
spreadsheet, and how many calendars one account keeps inside Google's read quota.

Usage: python bench/idle.py [--calendars 1000] [--rows 50] [--cycles 30] [--edited 0.05]
                            [--out bench/results.json] [--no-save]

Part 1, cycles: real sheets-sync cycles (``run_once``) of one calendar of 50 and one of
10,000 rows, counting the Sheets and Drive requests and the bytes each way: the first sync,
a cycle nobody changed anything before ("unchanged"; in the 10,000-row calendar some posts
cross a deadline within those 5 minutes, so Status is written), one after a person edited a
caption ("edited"), the cycle after it, and one in which only time passed (a day later:
deadlines pass, Status changes).

Part 2, the fleet: ``--calendars`` spreadsheets of ``--rows`` rows on one fake, one account,
a 5-minute cycle on a simulated clock, and ``--edited`` of the calendars edited by a person
before each cycle (chosen at random). Every calendar of every cycle opens a new backend on
the state database, as the daemon does, and makes exactly the requests of a real cycle: the
read (or Drive's version only) and, when the calendar changed, the tool's write of its tabs
with Drive's version around it. What decides what to write (parse, rules, outputs: no
requests) is replaced by "History gains a row when the calendar changed", so that a
thousand calendars run in minutes; a write the engine makes when only time passed costs one
write and no read (part 1). Reported per minute: Sheets reads (``values.batchGet``,
``spreadsheets.get``), Sheets writes and Drive requests, for the first cycle (every
calendar read once) and for the steady state (every later cycle; the kept reads expire
after one to two hours, so the run covers that). Results go into ``bench/results.json``
under "google_idle".
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import statistics
import sys
import time
import zoneinfo
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import requests
from synthetic import calendar_rows

from sheets_sync.backends.google import GoogleBackend
from sheets_sync.backends.http import RetryPolicy, TokenBucket
from sheets_sync.config import CalendarConfig, from_dict
from sheets_sync.run import run_once
from sheets_sync.state import StateStore
from sheets_sync.testing.fake_sheets import FakeSheetsAPI

NOW = dt.datetime(2026, 3, 10, 9, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Istanbul"))
CYCLE = dt.timedelta(minutes=5)
OWNED = ["Status", "Report", "History"]
CAPTION = "H"  # the synthetic calendar's Caption column
SHEETS_READS = ("values.batchGet", "values.get", "spreadsheets.get")
SHEETS_WRITES = ("values.batchUpdate", "spreadsheets.batchUpdate")
QUOTA = 60  # Sheets read requests per minute per user


class Traffic:
    """A session that counts requests and bytes, Sheets and Drive apart."""

    def __init__(self, api: FakeSheetsAPI) -> None:
        self.session = api.session()
        send = self.session.request
        self.reset()

        def counted(method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
            response = send(method, url, *args, **kwargs)
            api_name = "drive" if "/drive/" in url else "sheets"
            self.counts[api_name]["requests"] += 1
            self.counts[api_name]["bytes_out"] += len(response.request.body or b"")
            self.counts[api_name]["bytes_in"] += len(response.content)
            return response

        self.session.request = counted  # type: ignore[method-assign]

    def reset(self) -> None:
        self.counts = {name: {"requests": 0, "bytes_in": 0, "bytes_out": 0}
                       for name in ("sheets", "drive")}


def calendar_config(name: str) -> CalendarConfig:
    return from_dict({"calendars": [{"name": name, "backend": "memory", "tab": "Calendar"}]}
                     ).calendars[0]


def backend(api: FakeSheetsAPI, sheet: str, store: StateStore, name: str,
            session: requests.Session | None = None, clock: Any = time.time) -> GoogleBackend:
    return GoogleBackend(sheet, session=session or api.session(), cache=store.cache(name),
                         policy=RetryPolicy(sleep=lambda s: None), bucket=TokenBucket(1e9),
                         clock=clock)


# --- part 1: real cycles ----------------------------------------------------------------------

def cycles(rows: int) -> dict[str, Any]:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Bench", sheets={"Calendar": calendar_rows(rows)},
                                   time_zone="Europe/Istanbul")
    store, config, traffic = StateStore(":memory:"), calendar_config("bench"), Traffic(api)
    out: dict[str, Any] = {}

    def cycle(label: str, now: dt.datetime) -> None:
        traffic.reset()
        started = time.perf_counter()
        result = run_once(config, backend(api, sheet, store, "bench", traffic.session), store,
                          now)
        out[label] = {**traffic.counts, "wrote": result.changed_tabs,
                      "seconds": round(time.perf_counter() - started, 3)}

    cycle("first", NOW)
    cycle("unchanged", NOW + CYCLE)
    api.set_values(sheet, "Calendar", [["Edited by the client"]], start=f"{CAPTION}2")
    cycle("edited", NOW + 2 * CYCLE)
    cycle("unchanged_after_edit", NOW + 3 * CYCLE)
    cycle("a_day_later", NOW + dt.timedelta(days=1))
    return out


# --- part 2: the fleet -----------------------------------------------------------------------

def fleet(calendars: int, rows: int, cycle_count: int, edited: float, seed: int = 1
          ) -> dict[str, Any]:
    api = FakeSheetsAPI(validate=False, seed=seed)  # the same spreadsheet IDs every run
    grid = calendar_rows(rows)
    sheets = [api.create_spreadsheet(f"Client {i}", sheets={"Calendar": grid},
                                     time_zone="Europe/Istanbul") for i in range(calendars)]
    store = StateStore(":memory:")
    rng = random.Random(seed)
    seen: dict[int, str] = {}  # calendar -> digest of the calendar as last read
    history: dict[int, list[list[Any]]] = {}
    clock = [1_000_000.0]
    per_cycle: list[dict[str, int]] = []
    started = time.perf_counter()
    for number in range(cycle_count):
        if number:
            for i in rng.sample(range(calendars), round(calendars * edited)):
                api.set_values(sheets[i], "Calendar", [[f"Edit {number}"]],
                               start=f"{CAPTION}{rng.randrange(2, rows + 2)}")
        api.reset_log()
        for i, sheet in enumerate(sheets):
            tool = backend(api, sheet, store, f"c{i}", clock=lambda: clock[0])
            read = tool.read("Calendar", OWNED)
            digest = hashlib.sha256(json.dumps(list(read.rows), default=str).encode()).hexdigest()
            if seen.get(i) == digest:
                continue  # nothing changed: the engine would write nothing
            seen[i] = digest
            log = history.setdefault(i, [["Time", "Post ID", "Field", "Old", "New"]])
            if len(log) > 1 or number:
                log.append([f"cycle {number}", "P1", "caption", "", "edited"])
            tabs = {"History": log} if number else {
                "Status": [["Severity", "Code"]], "Report": [["Report"]], "History": log}
            tool.write(tabs)
        kinds = api.requests.kinds()
        per_cycle.append({"reads": sum(kinds.count(k) for k in SHEETS_READS),
                          "writes": sum(kinds.count(k) for k in SHEETS_WRITES),
                          "drive": kinds.count("drive.files.get")})
        clock[0] += CYCLE.total_seconds()
        print(f"  cycle {number:>2}: {per_cycle[-1]}", flush=True)
    minutes = CYCLE.total_seconds() / 60
    steady = per_cycle[1:]

    def rate(key: str, how: Any) -> float:
        return round(how([c[key] for c in steady]) / minutes, 1)

    peak = max(c["reads"] for c in steady) / minutes
    return {
        "calendars": calendars, "rows": rows, "cycles": cycle_count, "cycle_minutes": minutes,
        "edited_per_cycle": edited,
        "first_cycle": {k: v for k, v in per_cycle[0].items()},
        "reads_per_minute": {"mean": rate("reads", statistics.mean),
                             "max": rate("reads", max)},
        "writes_per_minute": {"mean": rate("writes", statistics.mean),
                              "max": rate("writes", max)},
        "drive_per_minute": {"mean": rate("drive", statistics.mean),
                             "max": rate("drive", max)},
        # Linear in the number of calendars: reads come from edits and expiring kept reads.
        "calendars_within_quota": int(calendars * QUOTA / peak) if peak else None,
        "calendars_within_quota_reading_every_cycle": int(QUOTA * minutes),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calendars", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--cycles", type=int, default=30)
    parser.add_argument("--edited", type=float, default=0.05)
    parser.add_argument("--out", default=str(HERE / "results.json"))
    parser.add_argument("--no-save", action="store_true", help="print, write no JSON")
    args = parser.parse_args()
    results: dict[str, Any] = {"cycles": {}}
    for rows in (50, 10_000):
        results["cycles"][str(rows)] = cycles(rows)
        for label, entry in results["cycles"][str(rows)].items():
            print(f"{rows:>6} rows, {label:<20} {entry}", flush=True)
    print(f"fleet: {args.calendars} calendars of {args.rows} rows, {args.cycles} cycles of "
          f"5 minutes, {args.edited:.0%} edited per cycle", flush=True)
    results["fleet"] = fleet(args.calendars, args.rows, args.cycles, args.edited)
    print(json.dumps(results["fleet"], indent=2))
    if not args.no_save:
        out = Path(args.out)
        saved: dict[str, Any] = json.loads(out.read_text()) if out.exists() else {}
        saved["google_idle"] = results
        out.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
