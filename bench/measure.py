"""One benchmark measurement, run by bench/run.py in its own process; prints one JSON line.

  measure.py engine ROWS REPEAT     parse + validate + outputs, in memory
  measure.py xlsx ROWS REPEAT       full sync of a workbook (first sync and unchanged sync)
  measure.py google ROWS REPEAT     sync cycles against the Sheets API fake served by a child
  measure.py serve ROWS             (that child: serves the fake until stdin closes)
  measure.py daemon ROWS C1 C2 ...  RSS after C1, C2, ... unchanged cycles (memory backend)
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zoneinfo
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd
from synthetic import calendar_rows

from sheets_sync.config import CalendarConfig, from_dict
from sheets_sync.outputs import build_outputs
from sheets_sync.parse import parse
from sheets_sync.validate import validate

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Istanbul"))
NO_TRANSITIONS = pd.DataFrame({"post_id": [], "at": pd.Series([], dtype="datetime64[ns]"),
                               "from_status": [], "to_status": []})


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def current_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return round(pages * resource.getpagesize() / 2**20, 1)


def config(**extra: Any) -> CalendarConfig:
    clients = {f"Client {i:02d}": {"rules": {
        "cadence": {"posts_per_week": {"instagram": 3}},
        "pillars": {"targets": {"Value": 70, "Shareable": 20, "Promotion": 10}}}}
        for i in range(0, 40, 4)}
    data = {"name": "bench", "backend": "memory", "tab": "Calendar", "clients": clients, **extra}
    return from_dict({"calendars": [data]}).calendars[0]


def engine(rows: int, repeat: int) -> dict[str, Any]:
    grid, cfg = calendar_rows(rows), config()
    # As in a sync cycle (run._read_uncollected), the cells read are frozen: left out of the
    # collector's passes, which would otherwise walk all of them again in the engine's time.
    gc.freeze()
    times, found = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        calendar = parse(grid, cfg)
        findings = validate(calendar, cfg, NOW).assign(first_seen=pd.NaT)
        build_outputs(calendar, findings, NO_TRANSITIONS, [], NOW, cfg, {"rows": rows})
        times.append(time.perf_counter() - started)
        # Freed here, outside the clock: tearing down one run's frames is not the next run's
        # work (a cycle's results live on until after the cycle).
        found = len(findings)
        del calendar, findings
    return {"median_s": round(statistics.median(times), 3), "peak_rss_mb": peak_mb(),
            "findings": found}


def xlsx(rows: int, repeat: int) -> dict[str, Any]:
    import openpyxl

    from sheets_sync.run import sync

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "calendar.xlsx"
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("Calendar")
        for line in calendar_rows(rows):
            sheet.append(line)
        workbook.save(source)
        first, unchanged = [], []
        for i in range(repeat):
            path = Path(folder) / f"run{i}.xlsx"
            shutil.copyfile(source, path)
            cfg = config(backend="xlsx", path=str(path))
            state = str(Path(folder) / f"run{i}.db")
            started = time.perf_counter()
            sync(cfg, state, NOW)
            first.append(time.perf_counter() - started)
            started = time.perf_counter()
            assert not sync(cfg, state, NOW).changed_tabs
            unchanged.append(time.perf_counter() - started)
    return {"median_s": round(statistics.median(first), 2),
            "unchanged_median_s": round(statistics.median(unchanged), 2),
            "peak_rss_mb": peak_mb()}


def serve_fake(rows: int) -> None:
    """Serve the Sheets fake holding an ``rows``-row calendar until stdin closes (a child)."""
    from sheets_sync.testing.fake_sheets import FakeSheetsAPI

    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Bench", sheets={"Calendar": calendar_rows(rows)},
                                   time_zone="Europe/Istanbul")
    with api.serve() as served:
        print(json.dumps({"url": served.url, "sheet": sheet}), flush=True)
        sys.stdin.read()


def google(rows: int, repeat: int) -> dict[str, Any]:
    # The fake runs in its own process, as Google is elsewhere: its copy of the spreadsheet
    # is not in this process's memory or garbage collections. "Client side" is the wall
    # time minus the time spent waiting for answers (the fake's work and the transfer).
    server = subprocess.Popen([sys.executable, __file__, "serve", str(rows)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        return _google_cycles(json.loads(server.stdout.readline()), repeat)  # type: ignore[union-attr]
    finally:
        server.communicate("")


def _google_cycles(fake: dict[str, str], repeat: int) -> dict[str, Any]:
    import requests

    from sheets_sync.backends.google import GoogleBackend
    from sheets_sync.backends.http import RetryPolicy, TokenBucket
    from sheets_sync.run import run_once
    from sheets_sync.state import StateStore

    store, cfg = StateStore(":memory:"), config()
    traffic = {"in": 0, "out": 0, "requests": 0, "in_fake_s": 0.0}
    session = requests.Session()
    send = session.request

    def counted(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        response = send(method, url, *args, **kwargs)
        traffic["in_fake_s"] += time.perf_counter() - started
        traffic["requests"] += 1
        traffic["out"] += len(response.request.body or b"")
        traffic["in"] += len(response.content)
        return response

    session.request = counted  # type: ignore[method-assign]
    backend = GoogleBackend(fake["sheet"], session=session, endpoint=fake["url"],
                            cache=store.cache("bench"), policy=RetryPolicy(sleep=lambda s: None),
                            bucket=TokenBucket(1e9))
    run_once(cfg, backend, store, NOW)  # first run: creates the tabs
    times, client_side, requests, bytes_in, bytes_out = [], [], [], [], []
    for i in range(repeat):  # steady state: one caption edited per cycle
        backend.write_cells("Calendar", {(2 + i, 8): f"Edited caption {i}"})
        traffic.update({"in": 0, "out": 0, "requests": 0, "in_fake_s": 0.0})
        started = time.perf_counter()
        run_once(cfg, backend, store, NOW + dt.timedelta(minutes=5 * (i + 1)))
        elapsed = time.perf_counter() - started
        times.append(elapsed)
        client_side.append(elapsed - traffic["in_fake_s"])
        requests.append(traffic["requests"])
        bytes_in.append(traffic["in"])
        bytes_out.append(traffic["out"])
    # A cycle whose edit changes a finding rewrites Status from its first changed row; one
    # that changes none sends only the new History rows: bytes are medians over the cycles.
    # The first History entry of a tab adds one formatting request, once (requests_max).
    return {"median_s": round(statistics.median(times), 2),
            "client_side_median_s": round(statistics.median(client_side), 2),
            "requests": int(statistics.median(requests)), "requests_max": max(requests),
            "bytes_in": int(statistics.median(bytes_in)),
            "bytes_out": int(statistics.median(bytes_out)), "peak_rss_mb": peak_mb()}


def daemon(rows: int, *checkpoints: int) -> dict[str, Any]:
    from sheets_sync.backends.memory import MemoryBackend
    from sheets_sync.run import run_once
    from sheets_sync.state import StateStore

    backend = MemoryBackend({"Calendar": calendar_rows(rows)})
    store, cfg = StateStore(":memory:"), config()
    out: dict[str, Any] = {}
    for cycle in range(1, max(checkpoints) + 1):
        run_once(cfg, backend, store, NOW + dt.timedelta(seconds=cycle))
        if cycle in checkpoints:
            out[str(cycle)] = current_mb()
    return out


if __name__ == "__main__":
    kind, numbers = sys.argv[1], [int(a) for a in sys.argv[2:]]
    if kind == "serve":
        serve_fake(*numbers)
        raise SystemExit(0)
    result = {"engine": engine, "xlsx": xlsx, "google": google, "daemon": daemon}[kind](*numbers)
    print(json.dumps(result))
