"""Failures of the environment, with real processes and files: a full or read-only disk, a
damaged, locked or newer state database, a daemon on a broken state, a workbook replaced or
deleted mid-cycle, and a clock that jumps back.

The full and read-only disks are real tmpfs mounts (the tests run as root in CI and here);
where mounting is not permitted they fall back to making the file system calls fail with
ENOSPC / EROFS, and say so in the test output.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import HEADER, at, calendar_config, row

from sheets_sync import state as state_module
from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.backends.xlsx_write import set_cells
from sheets_sync.cli import main
from sheets_sync.errors import SourceError
from sheets_sync.outputs import UPDATED_CELL, fit_cells, report_table
from sheets_sync.run import run_once, sync
from sheets_sync.state import StateStore

TODAY = "2026-03-10"


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


def workbook(path: Path, *rows: list[Any], notes: bytes = b"") -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Calendar"
    for values in ([*HEADER], *rows):
        sheet.append(values)
    if notes:  # incompressible bulk, to size the file against a small disk
        book.create_sheet("Notes")["A1"] = notes.hex()
    book.save(path)
    return path


def config_file(directory: Path, calendar: Path, state: Path) -> Path:
    path = directory / "sheets-sync.toml"
    path.write_text(f'state_path = "{state}"\n[[calendars]]\nname = "cal"\n'
                    f'path = "{calendar}"\ntab = "Calendar"\nclient = "Acme"\n',
                    encoding="utf-8")
    return path


def tmp_files(directory: Path) -> list[str]:
    return [p for p in os.listdir(directory) if p.endswith(".tmp")]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[str], Path | None]]:
    """Mounts a tmpfs of a given size; None when this process may not mount one."""
    mounted: list[Path] = []

    def mount(size: str) -> Path | None:
        where = tmp_path / f"disk{len(mounted)}"
        where.mkdir()
        try:
            done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                                   str(where)], capture_output=True, check=False)
        except OSError:  # no mount command
            done = subprocess.CompletedProcess([], 1)
        if done.returncode != 0:
            print("mount not permitted: simulating the disk with failing os calls")
            return None
        mounted.append(where)
        return where

    yield mount
    for where in mounted:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


@pytest.fixture
def small_disk(tmpfs: Callable[[str], Path | None]) -> Path | None:
    """A 64 KiB tmpfs, or None when this process may not mount one."""
    return tmpfs("64k")


def fill(directory: Path) -> Path:
    """Fill the file system of ``directory``; returns the filler file."""
    filler = directory / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, os.urandom(512))
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)
    return filler


def failing(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """Fallback without mounts: creating the temp file fails as the disk would."""
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)


def test_a_full_disk_leaves_the_workbook_intact_and_exits_3(
        tmp_path: Path, small_disk: Path | None, monkeypatch: pytest.MonkeyPatch) -> None:
    where = small_disk or tmp_path
    calendar = workbook(where / "plan.xlsx", row("P1"), notes=os.urandom(6000))
    config = config_file(tmp_path, calendar, tmp_path / "state.db")
    before = calendar.read_bytes()
    filler = fill(where) if small_disk else None
    with monkeypatch.context() as patch:
        if small_disk is None:
            failing(patch, errno.ENOSPC)
        result = invoke("sync", "--config", str(config), "--today", TODAY)
    assert result.exit_code == 3
    assert "plan.xlsx" in result.stderr and "No space left on device" in result.stderr
    assert "left unchanged" in result.stderr
    assert calendar.read_bytes() == before and not tmp_files(where)
    assert StateStore(str(tmp_path / "state.db")).history("cal") == []  # nothing saved
    if filler:
        filler.unlink()
    assert invoke("sync", "--config", str(config), "--today", TODAY).exit_code == 0


def test_a_full_disk_under_the_state_database_exits_3_and_the_next_cycle_catches_up(
        tmp_path: Path, tmpfs: Callable[[str], Path | None]) -> None:
    small_disk = tmpfs("512k")  # SQLite's -wal and -shm files need room
    if small_disk is None:
        pytest.skip("needs a real small file system for SQLite")
    calendar = workbook(tmp_path / "plan.xlsx", row("P1"))
    config = config_file(tmp_path, calendar, small_disk / "state.db")
    assert invoke("sync", "--config", str(config), "--today", TODAY).exit_code == 0
    set_cells(calendar, "Calendar", {(2, 6): "Client review"})
    filler = fill(small_disk)
    result = invoke("sync", "--config", str(config), "--today", "2026-03-11")
    assert result.exit_code == 3 and "disk is full" in result.stderr
    assert "state.db" in result.stderr
    filler.unlink()
    again = invoke("sync", "--config", str(config), "--today", "2026-03-11")
    assert again.exit_code == 0, again.output
    store = StateStore(str(small_disk / "state.db"))
    assert [(h.post_id, h.field) for h in store.history("cal")] == [("P1", "status")]


def test_a_read_only_folder_leaves_the_workbook_intact_and_exits_3(
        tmp_path: Path, small_disk: Path | None, monkeypatch: pytest.MonkeyPatch) -> None:
    where = small_disk or tmp_path
    calendar = workbook(where / "plan.xlsx", row("P1"))
    config = config_file(tmp_path, calendar, tmp_path / "state.db")
    before = calendar.read_bytes()
    with monkeypatch.context() as patch:
        if small_disk:
            subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
        else:
            failing(patch, errno.EROFS)
        result = invoke("sync", "--config", str(config), "--today", TODAY)
        assert result.exit_code == 3
        assert "plan.xlsx" in result.stderr and "Read-only file system" in result.stderr
        beside = invoke("sync", str(calendar), "--today", TODAY)  # state next to it: no lock
        if small_disk:
            assert beside.exit_code == 3 and "lock file" in beside.stderr
            assert "state_path" in beside.stderr
    assert calendar.read_bytes() == before


def corrupt(path: Path, how: str) -> None:
    if how == "garbage":
        path.write_bytes(os.urandom(8192))
    elif how == "damaged pages":  # a valid header page, garbage after it
        data = bytearray(path.read_bytes())
        data[4096:] = os.urandom(len(data) - 4096)
        path.write_bytes(bytes(data))
    else:  # written by a newer sheets-sync
        db = sqlite3.connect(path)
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
        db.commit()
        db.close()


@pytest.mark.parametrize("how", ["garbage", "damaged pages", "newer schema"])
def test_a_broken_state_database_exits_3_and_state_reset_recovers(tmp_path: Path,
                                                                  how: str) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1"), row("P2"))
    assert invoke("sync", str(calendar), "--today", TODAY).exit_code == 0
    state = tmp_path / "plan.sheets-sync.db"
    StateStore(str(state)).close()  # checkpointed: every page in the main file
    corrupt(state, how)
    before = calendar.read_bytes()
    result = invoke("sync", str(calendar), "--today", "2026-03-11")
    assert result.exit_code == 3
    assert str(state) in result.stderr and "sheets-sync state reset" in result.stderr
    if how == "newer schema":
        assert "newer sheets-sync" in result.stderr
    assert calendar.read_bytes() == before  # the state is opened before anything is written
    reset = invoke("state", "reset", "--path", str(calendar), "--yes")
    assert reset.exit_code == 0, reset.output
    assert (tmp_path / "plan.sheets-sync.db.broken").exists() or "forgot" in reset.stdout
    assert invoke("sync", str(calendar), "--today", "2026-03-11").exit_code == 0


HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(60)
"""


def test_a_state_database_locked_by_another_process(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1"))
    assert invoke("sync", str(calendar), "--today", TODAY).exit_code == 0
    set_cells(calendar, "Calendar", {(2, 6): "Client review"})
    state = tmp_path / "plan.sheets-sync.db"
    monkeypatch.setattr(state_module, "BUSY_TIMEOUT", 0.3)
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(state)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        started = time.monotonic()
        result = invoke("sync", str(calendar), "--today", "2026-03-11")
        assert time.monotonic() - started < 5  # one bounded wait, not one per query
        assert result.exit_code == 3
        assert "is locked by another program" in result.stderr
        assert "`sheets-sync state reset` is not needed" in result.stderr
        reset = invoke("state", "reset", "--path", str(calendar), "--yes")
        assert reset.exit_code == 3 and "locked" in reset.stderr  # never moved while in use
        assert state.exists() and not (tmp_path / "plan.sheets-sync.db.broken").exists()
    finally:
        holder.kill()
        holder.wait()
    assert invoke("sync", str(calendar), "--today", "2026-03-11").exit_code == 0
    history = StateStore(str(state)).history("plan")
    assert [(h.post_id, h.field, h.new) for h in history] == [("P1", "status", "Client review")]


def test_the_daemon_survives_a_broken_state_backs_off_and_recovers(tmp_path: Path) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1"))
    state = tmp_path / "state.db"
    state.write_bytes(os.urandom(4096))
    config = config_file(tmp_path, calendar, state)
    process = subprocess.Popen(
        [sys.executable, "-m", "sheets_sync", "daemon", "--config", str(config), "--every",
         "1s"], stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stderr is not None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("cycle 2 failed" in x for x in lines):
            lines.append(process.stderr.readline())
        assert invoke("state", "reset", "--config", str(config), "--yes").exit_code == 0
        while time.monotonic() < deadline and not any(" ok " in x for x in lines):
            lines.append(process.stderr.readline())
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    text = "".join(lines)
    assert code == 0, text
    assert "cycle 1 failed" in text and "retrying in 1s" in text
    assert "cycle 2 failed" in text and "retrying in 2s" in text  # backing off, not looping
    assert "sheets-sync state reset" in text
    assert "cycle 3 ok" in text


class ChangesAfterRead(XlsxBackend):
    """A user (or a cloud drive) replaces or deletes the workbook right after the read."""

    def __init__(self, path: Path, action: str) -> None:
        super().__init__(path)
        self.action = action

    def read(self, tab: str, owned: Any) -> Any:
        snapshot = super().read(tab, owned)
        if self.action == "replace":
            workbook(self.path.with_name("new.xlsx"), row("P9")).replace(self.path)
        else:
            self.path.unlink()
        return snapshot


@pytest.mark.parametrize("action", ["replace", "delete"])
def test_a_workbook_replaced_or_deleted_between_read_and_write(tmp_path: Path,
                                                               action: str) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1"))
    config = calendar_config(name="plan", backend="xlsx", path=str(calendar), tab="Calendar")
    state = str(tmp_path / "state.db")
    with pytest.raises(SourceError) as failed:
        sync(config, state, at("2026-03-10 09:00"), backend=ChangesAfterRead(calendar, action))
    assert failed.value.exit_code == 3 and str(calendar) in failed.value.message
    expected = "changed since it was read" if action == "replace" else "deleted or moved"
    assert expected in failed.value.message and "nothing was written" in failed.value.message
    if action == "replace":  # the new file is untouched: no tabs derived from the old one
        from python_calamine import CalamineWorkbook

        assert CalamineWorkbook.from_path(str(calendar)).sheet_names == ["Calendar"]
    else:
        assert not calendar.exists()
    assert not tmp_files(tmp_path)
    assert StateStore(state).history("plan") == []


def test_a_workbook_replaced_while_it_is_being_written(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from sheets_sync.backends import xlsx_write

    calendar = workbook(tmp_path / "plan.xlsx", row("P1"))
    replacement = workbook(tmp_path / "new.xlsx", row("P9")).read_bytes()
    chmod = os.chmod

    def replaced_meanwhile(path: Any, mode: int) -> None:  # runs just before the rename
        chmod(path, mode)
        calendar.write_bytes(replacement)

    monkeypatch.setattr(xlsx_write.os, "chmod", replaced_meanwhile)
    with pytest.raises(SourceError, match="changed while it was being written"):
        xlsx_write.replace_tabs(calendar, {"Status": [["x"]]})
    assert calendar.read_bytes() == replacement and not tmp_files(tmp_path)


def test_a_clock_set_back_never_runs_history_backwards(caplog: pytest.LogCaptureFixture
                                                       ) -> None:
    """Decision: a cycle whose clock reads earlier than the last successful cycle runs as of
    that last cycle (and logs a warning): History stays in order, durations never negative,
    nothing is recorded twice."""
    cfg = calendar_config(tab="Calendar")
    store = StateStore(":memory:")
    b = MemoryBackend({"Calendar": [list(HEADER), row("P1"), row("P2")]})
    run_once(cfg, b, store, at("2026-03-10 10:00"))
    b.tabs["Calendar"][1][5] = b.tabs["Calendar"][2][5] = "Client review"
    run_once(cfg, b, store, at("2026-03-10 12:00"))
    b.tabs["Calendar"][1][5] = "Approved"
    run_once(cfg, b, store, at("2026-03-10 14:00"))
    b.tabs["Calendar"][2][5] = "Approved"
    b.tabs["Calendar"][1][6] = "Edited after approval"
    caplog.set_level(logging.WARNING, logger="sheets_sync.run")
    result = run_once(cfg, b, store, at("2026-03-10 08:00"))  # the clock jumped back 6 hours
    assert any("earlier than the last sync" in r.getMessage() for r in caplog.records)
    history = store.history("test")
    times = [h.at for h in history]
    assert times == sorted(times) and len(history) == len({(h.at, h.post_id, h.field)
                                                           for h in history})
    assert [(h.post_id, h.field) for h in history] == [
        ("P1", "status"), ("P2", "status"), ("P1", "status"), ("P2", "status"),
        ("P1", "caption")]
    report = b.tabs["Report"]
    updated = report[UPDATED_CELL[0]][UPDATED_CELL[1]]
    assert updated == dt.datetime(2026, 3, 10, 14, 0)  # as of the last cycle
    turnaround = report_table(report, "Approval turnaround per client")
    assert turnaround[1][:3] == ["Acme", 2, 2.0]  # 12:00 -> 14:00 twice (not 08:00)
    # no finding first seen after the last cycle (14:00 in Istanbul, 11:00 UTC)
    assert (result.findings["first_seen"] <= dt.datetime(2026, 3, 10, 11, 0)).all()
    writes = b.writes
    run_once(cfg, b, store, at("2026-03-10 08:05"))  # still behind, nothing changed
    assert b.writes == writes and len(store.history("test")) == 5


def test_text_longer_than_a_cell_holds_is_cut_with_an_ellipsis() -> None:
    grid = fit_cells([["a" * 40_000, "🎉" * 20_000, "short"]])
    assert len(grid[0][0]) == 32_767 and grid[0][0].endswith("…")
    assert len(grid[0][1].encode("utf-16-le")) <= 2 * 32_767 and grid[0][1].endswith("…")
    assert grid[0][2] == "short"
