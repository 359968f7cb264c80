"""A workbook nobody changed since the last sync is not read again: its kept read serves.

The workbook is really written (openpyxl, as Excel saves it) and really synced; reads are
counted by wrapping the backend's reader. Every kept cycle is checked against a full read of
the same file: the same cells (of the same types), findings and tabs.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from conftest import at, calendar_config, only

import sheets_sync.backends.xlsx as xlsx_module
from sheets_sync.backends.bounds import Limits
from sheets_sync.backends.files import read_tabs
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.backends.xlsx_kept import (
    RECORD,
    Unkept,
    decode_columns,
    decode_grid,
    encode_grid,
)
from sheets_sync.cells import same_grid
from sheets_sync.errors import SourceError
from sheets_sync.run import sync
from sheets_sync.state import StateStore

HEADER = ["ID", "Client", "Channel", "Format", "Publish date", "Status", "Caption", "Asset",
          "Owner", "Sent for review", "Revision round", "Approved"]
OWNED = ("Status", "Report", "History")
NOW = at("2026-03-10 09:00")


def build(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Calendar"
    sheet.append(HEADER)
    sheet.append(["P1", "Acme", "Instagram", "Post", dt.datetime(2026, 3, 12, 10, 0),
                  "Client review", "Spring sale A", "https://cdn.example.com/a.jpg", "Ayşe",
                  dt.datetime(2026, 3, 2, 9, 30), 1, None])
    sheet.append(["P2", "Acme", "TikTok", "Video", dt.datetime(2026, 3, 20), "Draft",
                  "Spring sale B", "https://cdn.example.com/b.jpg", "Mehmet", None, 0, True])
    sheet.append(["P3", "Acme", "LinkedIn", "Post", dt.datetime(2026, 3, 25, 14, 0),
                  "Approved", "d2026-03-01", "", "Ayşe", None, 2.5, False])
    book.save(path)


def config(path: Path, **extra: Any) -> Any:
    return calendar_config(name="plan", backend="xlsx", path=str(path), tab="Calendar",
                           timezone="Europe/Istanbul", **extra)


class Reads:
    """Counts the xlsx backend's reads of a calendar with its owned tabs (a cycle's read;
    the guarded writes' re-reading of single rows aside)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.count += bool(args[2])
            return read_tabs(*args, **kwargs)

        monkeypatch.setattr(xlsx_module, "read_tabs", counted)


def typed(rows: Any) -> list[list[tuple[type, Any]]]:
    return [[(type(v), v) for v in line] for line in rows]


def full_read(path: Path) -> Any:
    """The cycle as a backend that keeps nothing runs it (a dry run: nothing is saved)."""
    return sync(config(path), str(path.with_suffix(".db")), NOW, dry_run=True,
                backend=XlsxBackend(path, "Europe/Istanbul"))


def same_cycle(kept: Any, read: Any) -> None:
    pd.testing.assert_frame_equal(kept.findings.drop(columns="first_seen"),
                                  read.findings.drop(columns="first_seen"))
    assert kept.outputs == read.outputs
    pd.testing.assert_frame_equal(kept.calendar.frame, read.calendar.frame)


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    build(path)
    return path


def test_an_unchanged_workbook_is_not_read_again_and_gives_the_same_cycle(
        workbook: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    state = str(workbook.with_suffix(".db"))
    reads = Reads(monkeypatch)
    first = sync(config(workbook), state, NOW)
    assert reads.count == 1 and first.changed_tabs == list(OWNED)
    with caplog.at_level(logging.DEBUG, logger="sheets_sync.backends.xlsx"):
        second = sync(config(workbook), state, NOW)
    assert reads.count == 1  # the kept read served
    assert "the workbook was not read again" in caplog.text
    assert second.changed_tabs == [] and not second.findings.empty
    assert set(second.findings["code"]) >= {"approval-missing"}
    same_cycle(second, full_read(workbook))
    assert reads.count == 2


def test_the_kept_read_holds_every_cell_as_the_workbook_reads_it(
        workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache: dict[str, str] = {}
    reads = Reads(monkeypatch)
    read = XlsxBackend(workbook, "Europe/Istanbul", cache=cache).read("Calendar", OWNED)
    again = XlsxBackend(workbook, "Europe/Istanbul", cache=cache).read("Calendar", OWNED)
    assert reads.count == 1
    assert typed(again.rows) == typed(read.rows)
    assert again.owned == read.owned == {"Status": None, "Report": None, "History": None}
    assert (again.tab, again.source) == (read.tab, read.source) == ("Calendar",
                                                                    "plan.xlsx, tab 'Calendar'")
    # a date-time with a time of day, a date, a float, a bool and a text looking like a tag
    p1, p2, p3 = again.rows[1], again.rows[2], again.rows[3]
    assert p1[4] == dt.datetime(2026, 3, 12, 10, 0) and type(p2[4]) is dt.date
    assert (p1[10], p3[10], p2[11], p3[11], p3[6]) == (1.0, 2.5, True, False, "d2026-03-01")


def test_a_cell_a_person_edited_is_read_again_and_seen(
        workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = str(workbook.with_suffix(".db"))
    reads = Reads(monkeypatch)
    sync(config(workbook), state, NOW)
    sync(config(workbook), state, NOW)
    assert reads.count == 1
    book = openpyxl.load_workbook(workbook)
    book["Calendar"]["G3"] = "Summer sale"  # P2's caption, as Excel saves it
    book.save(workbook)
    edited = sync(config(workbook), state, NOW)
    assert reads.count == 2
    frame = edited.calendar.frame.set_index("post_id")
    assert frame.loc["P2", "caption"] == "Summer sale"
    same_cycle(edited, full_read(workbook))
    sync(config(workbook), state, NOW)
    assert reads.count == 3  # the edited workbook's read is kept in turn


def _stored(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _write_stored(path: Path, parts: dict[str, bytes]) -> None:
    """Rewrite the workbook in place (the same inode), every part stored uncompressed."""
    with open(path, "r+b") as fh:
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED) as archive:
            for name, data in parts.items():
                archive.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data)
        fh.truncate()


def test_an_edit_keeping_size_time_and_inode_is_still_seen(
        workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = str(workbook.with_suffix(".db"))
    sync(config(workbook), state, NOW)  # the tool's own tabs are in the workbook now
    parts = _stored(workbook)
    _write_stored(workbook, parts)  # stored, so an edit of the same length keeps the size
    reads = Reads(monkeypatch)
    sync(config(workbook), state, NOW)
    sync(config(workbook), state, NOW)
    assert reads.count == 1
    before = os.stat(workbook)
    calendar = "xl/worksheets/sheet1.xml"  # the calendar's cells, as openpyxl wrote them
    assert parts[calendar].count(b"Spring sale B") == 1
    parts[calendar] = parts[calendar].replace(b"Spring sale B", b"Spring sale C")
    _write_stored(workbook, parts)
    os.utime(workbook, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(workbook)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size, before.st_mtime_ns, before.st_ino)
    edited = sync(config(workbook), state, NOW)
    assert reads.count == 2
    assert edited.calendar.frame.set_index("post_id").loc["P2", "caption"] == "Spring sale C"


@pytest.mark.parametrize("damage", ["garbled blob", "missing blob", "garbled record",
                                    "blob of another tab"])
def test_a_damaged_kept_copy_costs_a_read_never_a_wrong_cycle(
        workbook: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    state = str(workbook.with_suffix(".db"))
    sync(config(workbook), state, NOW)
    reads = Reads(monkeypatch)
    db = sqlite3.connect(state, isolation_level=None)
    key = f"cache:plan:{RECORD}"
    if damage == "garbled blob":
        blob = db.execute("SELECT value FROM meta WHERE key = ?", (f"{key}:0",)).fetchone()[0]
        db.execute("UPDATE meta SET value = ? WHERE key = ?",
                   (blob.replace(b"Spring sale A", b"Spring sale X"), f"{key}:0"))
    elif damage == "missing blob":
        db.execute("DELETE FROM meta WHERE key = ?", (f"{key}:0",))
    elif damage == "garbled record":
        db.execute("UPDATE meta SET value = '{\"format\": 1, \"tabs\": 3' WHERE key = ?", (key,))
    else:  # the Status tab's copy where the calendar's belongs
        status = db.execute("SELECT value FROM meta WHERE key = ?", (f"{key}:1",)).fetchone()[0]
        db.execute("UPDATE meta SET value = ? WHERE key = ?", (status, f"{key}:0"))
    db.close()
    damaged = sync(config(workbook), state, NOW)
    assert reads.count == 1
    frame = damaged.calendar.frame.set_index("post_id")
    assert frame.loc["P1", "caption"] == "Spring sale A" and len(frame) == 3
    assert damaged.changed_tabs == []
    same_cycle(damaged, full_read(workbook))
    assert reads.count == 2
    sync(config(workbook), state, NOW)
    assert reads.count == 2  # the full read was kept again: the next cycle needs none


def test_after_the_tools_own_writes_the_next_unchanged_cycle_reads_nothing(
        workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = str(workbook.with_suffix(".db"))
    reads = Reads(monkeypatch)
    cfg = config(workbook, highlight_calendar=True)
    first = sync(cfg, state, NOW)  # writes the three tabs, then the calendar's colours
    assert first.changed_tabs == list(OWNED)
    later = sync(cfg, state, NOW + dt.timedelta(days=3))  # time-based findings change
    assert reads.count == 1
    assert "Status" in later.changed_tabs  # written again: still kept
    unchanged = sync(cfg, state, NOW + dt.timedelta(days=3))
    assert reads.count == 1 and unchanged.changed_tabs == []
    read = sync(cfg, str(workbook.with_suffix(".db")), NOW + dt.timedelta(days=3),
                dry_run=True, backend=XlsxBackend(workbook, "Europe/Istanbul"))
    same_cycle(unchanged, read)
    for name in OWNED:  # the tabs as written: what a read of them shows
        assert same_grid(unchanged.previous[name], read.previous[name])


def test_a_guarded_write_into_the_calendar_makes_the_next_cycle_read_it(
        workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    book = openpyxl.load_workbook(workbook)
    book["Calendar"]["A4"] = None  # P2 without an ID
    book.save(workbook)
    state = str(workbook.with_suffix(".db"))
    cfg = config(workbook, assign_ids=True, rules={"levels": only("missing-id")})
    reads = Reads(monkeypatch)
    sync(cfg, state, NOW)  # writes an ID into the calendar row
    after = sync(cfg, state, NOW)
    assert reads.count == 2
    assert "SS-00001" in after.calendar.frame["post_id"].tolist()
    sync(cfg, state, NOW)
    assert reads.count == 2


def test_another_tab_or_other_limits_are_never_served_from_the_kept_copy(
        workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = str(workbook.with_suffix(".db"))
    sync(config(workbook), state, NOW)
    reads = Reads(monkeypatch)
    book_state = StateStore(state)
    try:
        cache = book_state.cache("plan")
        XlsxBackend(workbook, cache=cache).read("Calendar", OWNED)
        assert reads.count == 0
        XlsxBackend(workbook, cache=cache).read("Calendar", ("Status",))
        assert reads.count == 1
        with pytest.raises(SourceError, match="cells"):
            XlsxBackend(workbook, cache=cache, limits=Limits(max_cells=10)).read(
                "Calendar", ("Status",))
    finally:
        book_state.close()


class EditedAfterTheRead(XlsxBackend):
    """A person saves the workbook right after the cycle's (kept) read."""

    def read(self, tab: str, owned: Any) -> Any:
        snapshot = super().read(tab, owned)
        book = openpyxl.load_workbook(self.path)
        book["Calendar"]["F2"] = "Approved"
        book.save(self.path)
        return snapshot


def test_the_write_guard_holds_after_a_kept_read(workbook: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    state = str(workbook.with_suffix(".db"))
    sync(config(workbook), state, NOW)
    reads = Reads(monkeypatch)
    store = StateStore(state)
    try:
        racing = EditedAfterTheRead(workbook, "Europe/Istanbul", cache=store.cache("plan"))
        with pytest.raises(SourceError, match="changed since it was read"):
            sync(config(workbook), state, NOW + dt.timedelta(days=3), backend=racing)
    finally:
        store.close()
    assert reads.count == 0  # the kept read served, and the guard still refused
    after = sync(config(workbook), state, NOW + dt.timedelta(days=3))
    assert reads.count == 1
    assert after.calendar.frame.set_index("post_id").loc["P1", "status"] == "approved"


def test_cells_of_every_kind_come_back_as_the_same_types() -> None:
    rows = [["text", "", None, 3.0, 3, -0.0, True, False, float("inf"), float("nan")],
            [dt.date(2026, 3, 1), dt.datetime(2026, 3, 1, 9, 30, 15, 250),
             dt.time(14, 5), dt.timedelta(days=2, hours=3, microseconds=7), "dT2026"],
            [], [None, None], ["Acme"] * 3, ["Acme", None, "Acme"]]
    back = decode_grid(encode_grid(rows))
    shown = [[(type(v), repr(v)) for v in line] for line in back]  # NaN equals no NaN
    assert [[(type(v), repr(v)) for v in line]  # as the calendar is kept
            for line in decode_columns(encode_grid(rows))] == shown
    assert [len(line) for line in back] == [len(line) for line in rows]
    assert typed(back[1:]) == typed(rows[1:])
    assert typed([back[0][:9]]) == typed([rows[0][:9]]) and str(back[0][5]) == "-0.0"
    assert type(back[0][9]) is float and back[0][9] != back[0][9]
    many = [[f"Client {i % 3}", i % 2 == 0, None] for i in range(50)]
    assert typed(decode_grid(encode_grid(many))) == typed(many)


def test_written_cells_are_kept_as_the_next_comparison_must_see_them() -> None:
    import numpy as np

    zone = dt.timezone(dt.timedelta(hours=3))
    rows = [["Row", "Due", "Count", "Score"],
            [np.int64(7), pd.Timestamp("2026-03-12 10:00"), float("nan"), float("inf")],
            [7, dt.datetime(2026, 3, 12, 10, 0, tzinfo=zone), 2, None]]
    back = decode_grid(encode_grid(rows, written=True))
    assert typed(back) == typed([
        ["Row", "Due", "Count", "Score"],
        [7, dt.datetime(2026, 3, 12, 10, 0), None, "inf"],
        [7, dt.datetime(2026, 3, 12, 10, 0), 2, None]])
    with pytest.raises(Unkept):  # a read's cells never have a time zone: not kept as read
        encode_grid(rows[2:])
