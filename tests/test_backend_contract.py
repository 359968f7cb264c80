"""The contract every backend passes: the same tests, run against each backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sheets_sync.backends.base import Backend
from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.cells import Cell, normalize_grid, same_grid
from sheets_sync.errors import CalendarError

CALENDAR: list[list[Cell]] = [
    ["ID", "Channel", "Publish date", "Status", "Caption"],
    ["P1", "Instagram", dt.datetime(2026, 3, 11, 10, 0), "Draft", "Merhaba 🎉\nikinci satır"],
    ["P2", "X", dt.datetime(2026, 3, 12, 0, 0), "Approved", "=HYPERLINK(\"http://x\",\"y\")"],
]
OWNED = ("Status", "Report", "History")
TRICKY: list[list[Cell]] = [
    ["Severity", "Code", "Row", "When", "Day", "Flag"],
    ["error", "=1+1", 2.0, dt.datetime(2026, 3, 10, 9, 30), dt.date(2026, 3, 11), True],
    ["+90 555 000", "-5", 3.5, None, None, False],
    ["@x", "ქართული ğüşıöçİ", None, None, None, None],
]


def memory_backend(tmp_path: Path) -> Backend:
    return MemoryBackend({"Calendar": [list(r) for r in CALENDAR], "Notes": [["keep me"]]})


def xlsx_backend(tmp_path: Path) -> Backend:
    from sheets_sync.backends.xlsx import XlsxBackend

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Calendar"
    for r in CALENDAR:
        ws.append(r)
    for line in ws.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as a client typed it
    wb.create_sheet("Notes").append(["keep me"])
    path = tmp_path / "calendar.xlsx"
    wb.save(path)
    return XlsxBackend(path)


def google_backend(tmp_path: Path) -> Backend:
    from sheets_sync.backends.google import GoogleBackend
    from sheets_sync.backends.http import RetryPolicy, TokenBucket
    from sheets_sync.testing.fake_sheets import FakeSheetsAPI

    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": CALENDAR, "Notes": [["keep me"]]})
    return GoogleBackend(sheet, session=api.session(), policy=RetryPolicy(sleep=lambda s: None),
                         bucket=TokenBucket(10_000))


BACKENDS: dict[str, Callable[[Path], Backend]] = {
    "memory": memory_backend, "xlsx": xlsx_backend, "google": google_backend}


@pytest.fixture(params=sorted(BACKENDS))
def backend(request: Any, tmp_path: Path) -> Backend:
    return BACKENDS[request.param](tmp_path)


def test_read_returns_the_calendar_and_missing_owned_tabs(backend: Backend) -> None:
    snap = backend.read("Calendar", OWNED)
    assert snap.tab == "Calendar"
    assert same_grid(snap.rows, CALENDAR)
    assert snap.owned == {"Status": None, "Report": None, "History": None}


def test_empty_tab_name_picks_the_first_tab_that_is_not_owned(backend: Backend) -> None:
    assert backend.read("", OWNED).tab == "Calendar"


def test_missing_calendar_tab_is_a_calendar_error(backend: Backend) -> None:
    with pytest.raises(CalendarError, match="Takvim"):
        backend.read("Takvim", OWNED)


def test_write_creates_and_replaces_owned_tabs_with_literal_values(backend: Backend) -> None:
    backend.write({"Status": TRICKY, "Report": [["Updated", dt.datetime(2026, 3, 10, 9)]],
                   "History": [["Time"]]})
    snap = backend.read("Calendar", OWNED)
    assert normalize_grid(snap.owned["Status"]) == normalize_grid(TRICKY)
    backend.write({"Status": [["No open issues"]]})
    snap = backend.read("Calendar", OWNED)
    assert normalize_grid(snap.owned["Status"]) == [("No open issues",)]  # nothing left over
    assert same_grid(snap.owned["History"], [["Time"]])
    assert same_grid(snap.rows, CALENDAR)  # the calendar is untouched


def test_read_row_and_write_cells(backend: Backend) -> None:
    assert normalize_grid([backend.read_row("Calendar", 2)])[0][:2] == ("P1", "Instagram")
    backend.write_cells("Calendar", {(3, 4): "On hold"})
    assert backend.read_row("Calendar", 3)[3] == "On hold"
    rows = backend.read("Calendar", OWNED).rows
    assert rows[1][3] == "Draft" and rows[2][0] == "P2"
