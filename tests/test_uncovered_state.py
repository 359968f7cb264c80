"""The state database failing in the middle of a cycle (an ``sqlite3.Error`` after it opened
fine), recovering from it, and the state store's smaller paths."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from conftest import HEADER, row

from sheets_sync.cli import main
from sheets_sync.config import load
from sheets_sync.locking import cycle_lock
from sheets_sync.portfolio import sync_all
from sheets_sync.state import StateStore
from sheets_sync.stores import StorePool

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.timezone.utc)
MALFORMED = "database disk image is malformed"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Calendar"
    for values in (HEADER, row("P1"), row("P2", status="Client review"), row("P3")):
        sheet.append(values)
    book.save(path)
    return path


def damage_table(state: Path, table: str) -> None:
    """Overwrite the root page of ``table``: the database opens (its first page, the schema
    and the other tables are intact) and fails only when a cycle reads that table."""
    StateStore(str(state)).close()  # checkpointed: every page in the main file
    db = sqlite3.connect(state)
    page_size = db.execute("PRAGMA page_size").fetchone()[0]
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    db.close()
    assert root > 1 and not Path(f"{state}-wal").exists()
    with open(state, "r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * page_size)


@pytest.fixture
def synced(tmp_path: Path) -> tuple[Path, Path]:
    """A calendar synced once, whose state database then has its posts table damaged."""
    calendar = workbook(tmp_path / "plan.xlsx")
    first = invoke("sync", str(calendar), "--today", "2026-03-09")
    assert first.exit_code == 0, first.stderr
    state = tmp_path / "plan.sheets-sync.db"
    damage_table(state, "posts")
    StateStore(str(state)).close()  # it still opens: the damage shows only mid-cycle
    return calendar, state


def test_a_database_error_mid_cycle_exits_3_and_writes_nothing(
        synced: tuple[Path, Path]) -> None:
    calendar, state = synced
    before = calendar.read_bytes()
    result = invoke("sync", str(calendar), "--today", "2026-03-10")
    assert result.exit_code == 3
    assert result.stderr == (
        f"sheets-sync: state database {state} cannot be used ({MALFORMED}). If it is damaged, "
        "move it aside or run `sheets-sync state reset`; the next sync starts afresh.\n")
    assert result.stdout == ""
    assert calendar.read_bytes() == before  # no tab written, no cell changed


def test_state_reset_moves_a_database_damaged_mid_file_aside_and_sync_starts_afresh(
        synced: tuple[Path, Path]) -> None:
    calendar, state = synced
    reset = invoke("state", "reset", "--path", str(calendar), "--yes")
    assert reset.exit_code == 0, reset.stderr
    assert reset.stdout == (f"{state} could not be used and was moved to {state}.broken; the "
                            "next sync starts afresh\n")
    assert not state.exists() and Path(f"{state}.broken").exists()
    assert invoke("sync", str(calendar), "--today", "2026-03-10").exit_code == 0
    # Damaged again: the earlier broken copy is kept, this one becomes .broken2.
    damage_table(state, "posts")
    assert invoke("sync", str(calendar), "--today", "2026-03-11").exit_code == 3
    again = invoke("state", "reset", "--path", str(calendar), "--yes")
    assert again.stdout.endswith(f"was moved to {state}.broken2; the next sync starts afresh\n")
    assert Path(f"{state}.broken").exists() and Path(f"{state}.broken2").exists()


def agency(tmp_path: Path) -> Path:
    workbook(tmp_path / "plan.xlsx")
    config = tmp_path / "agency.toml"
    config.write_text('state_path = "state.db"\n[[calendars]]\nname = "plan"\n'
                      'path = "plan.xlsx"\ntab = "Calendar"\n', encoding="utf-8")
    return config


def test_the_daemons_store_pool_drops_a_store_that_failed_mid_cycle(tmp_path: Path) -> None:
    config = agency(tmp_path)
    loaded, state = load(config), tmp_path / "state.db"
    results, failures = sync_all(loaded, NOW)
    assert failures == [] and len(results) == 1
    damage_table(state, "posts")
    before = (tmp_path / "plan.xlsx").read_bytes()
    pool = StorePool()
    kept = pool.get(str(state))  # the store the daemon's next cycle uses
    results, failures = sync_all(loaded, NOW + dt.timedelta(hours=1), stores=pool)
    assert results == []
    assert failures == [f"calendar 'plan': state database {state} cannot be used ({MALFORMED}). "
                        "If it is damaged, move it aside or run `sheets-sync state reset`; the "
                        "next sync starts afresh."]
    assert (tmp_path / "plan.xlsx").read_bytes() == before
    with pytest.raises(sqlite3.ProgrammingError):
        kept.db.execute("SELECT 1")  # closed, not kept for the next cycle
    fresh = pool.get(str(state))
    assert fresh is not kept
    pool.close()


def test_the_daemon_logs_a_database_error_mid_cycle_and_keeps_running(tmp_path: Path) -> None:
    config = agency(tmp_path)
    assert sync_all(load(config), NOW)[1] == []
    state = tmp_path / "state.db"
    damage_table(state, "posts")
    before = (tmp_path / "plan.xlsx").read_bytes()
    process = subprocess.Popen(
        [sys.executable, "-m", "sheets_sync", "daemon", "--config", str(config), "--every",
         "1s"], stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stderr is not None
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("cycle 1 failed" in x for x in lines):
            lines.append(process.stderr.readline())
            if not lines[-1]:
                break
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    text = "".join(lines) + process.stderr.read()
    assert code == 0, text
    logged = [x for x in text.splitlines() if " ERROR " in x]
    # one line: the cycle's failure names the calendar's, which is not logged apart
    assert [x.split(" ERROR ", 1)[1] for x in logged if "cycle 1" in x or "plan" in x] == [
        f"cycle 1 failed (calendar 'plan': state database {state} cannot be used "
        f"({MALFORMED}). If it is damaged, move it aside or run `sheets-sync state reset`; "
        "the next sync starts afresh.); retrying in 1s"], text
    assert (tmp_path / "plan.xlsx").read_bytes() == before


def test_a_store_cache_is_a_mapping_per_prefix_kept_in_the_database(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    store = StateStore(str(path))
    acme, beta = store.cache("acme"), store.cache("beta")
    acme["layout"], acme["sheet-id"], beta["layout"] = "A1:K9", "7", "other"
    assert sorted(acme) == ["layout", "sheet-id"] and len(acme) == 2
    del acme["layout"]
    assert dict(acme) == {"sheet-id": "7"}
    assert "layout" not in acme and beta["layout"] == "other"
    store.close()
    reopened = StateStore(str(path))
    assert dict(reopened.cache("acme")) == {"sheet-id": "7"}
    assert dict(reopened.cache("beta")) == {"layout": "other"}
    reopened.close()


def test_an_in_memory_state_takes_no_lock(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # Nested, a file lock would refuse the second cycle (see test_sync); an in-memory state
    # is shared with no other process, so there is nothing to lock and no lock file.
    with cycle_lock(":memory:", "plan"), cycle_lock(":memory:", "plan"):
        pass
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------
# Schema 3 added the reminders ledger, schema 4 the statuses and History as written.


def _as_older_schema(path: Path, version: int) -> None:
    """Make the database at ``path`` what schema ``version`` (2 or 3) wrote."""
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE posts DROP COLUMN status_text")
        db.execute("ALTER TABLE history DROP COLUMN as_written")
        if version < 3:
            db.execute("DROP TABLE reminders")
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),))
    db.close()


def _columns_of(path: Path) -> tuple[str, set[str], set[str], set[str]]:
    with sqlite3.connect(path) as db:
        version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        found = tuple({r[1] for r in db.execute(f"PRAGMA table_info({t})")}
                      for t in ("posts", "history", "reminders"))
    db.close()
    return (version[0], *found)


@pytest.mark.parametrize("version", [2, 3])
def test_a_database_of_schema_2_or_3_is_upgraded_to_4_keeping_its_reminders(
        tmp_path: Path, version: int) -> None:
    from sheets_sync.state import SCHEMA_VERSION, Reminder

    path = tmp_path / "state.db"
    store = StateStore(path)
    store.record_reminders([Reminder("cal", "k", "approval-72h", "a@b.example", "sent",
                                     dt.datetime(2026, 3, 10, 6, tzinfo=dt.timezone.utc), "P1",
                                     "Acme")])
    store.close()
    _as_older_schema(path, version)
    reader = StateStore.reader(path)  # read as it is: nothing upgraded, nothing written
    assert reader.history("cal") == [] and reader.posts("cal").empty
    reader.close()
    assert _columns_of(path)[0] == str(version)
    upgraded = StateStore(path)
    assert SCHEMA_VERSION == 4
    number, posts, history, reminders = _columns_of(path)
    assert number == "4" and "status_text" in posts and "as_written" in history
    assert {"item", "stage", "recipient"} <= reminders
    assert [r.stage for r in upgraded.reminders("cal")] == ([] if version == 2
                                                             else ["approval-72h"])
    upgraded.close()
