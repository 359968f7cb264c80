"""`audit` compares the sheet with the last sync, reading the state database and changing nothing.

A calendar is synced once (or a few times), then edited, then audited: the audit lists the
findings only history shows (changed-after-approval, revision rounds observed between syncs),
says which sync it compared with, or why it could not, and leaves every file as it was.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from conftest import HEADER, row

from sheets_sync.cli import main
from sheets_sync.state import SCHEMA_VERSION, StateStore

EDITED = "Hello, edited after the approval"
NO_HISTORY = ("No sync history for this calendar ({reason}): history findings "
              "(changed-after-approval, revision rounds observed) need a previous sync.")
APPROVAL_SEEN = "(approval seen 2026-03-10 09:00)"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def write_plan(path: Path, *rows: list[Any]) -> None:
    """A calendar workbook of HEADER and ``rows`` (a new file: earlier tabs are gone)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Calendar"
    for values in [HEADER, *rows]:
        sheet.append(values)
    workbook.save(path)


def files(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file in ``folder`` with the hash of its bytes and its modification time."""
    return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.iterdir())}


def audit_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run("audit", *args, "--format", "json")
    assert code in (0, 1), err
    return code, json.loads(out)


def found(document: dict[str, Any], code: str) -> list[tuple[int, str, str, str]]:
    return [(f["row"], f["post_id"], f["column"], f["message"])
            for f in document["findings"] if f["code"] == code]


@pytest.fixture
def synced(tmp_path: Path) -> Path:
    """plan.xlsx synced on 2026-03-10 with P1 approved, then P1's caption edited."""
    plan = tmp_path / "plan.xlsx"
    write_plan(plan, row("P1", status="Approved"), row("P2", date="2026-03-21 10:00"))
    code, _, err = run("sync", str(plan), "--today", "2026-03-10")
    assert code == 0, err
    write_plan(plan, row("P1", status="Approved", caption=EDITED),
               row("P2", date="2026-03-21 10:00"))
    return plan


def test_audit_reports_a_change_after_approval_and_leaves_the_state_untouched(
        synced: Path) -> None:
    folder = synced.parent
    database = folder / "plan.sheets-sync.db"
    before = files(folder)
    assert "plan.sheets-sync.db" in before and not any(
        name.endswith(("-wal", "-shm")) for name in before)

    code, document = audit_json(str(synced), "--today", "2026-03-11")
    assert code == 1  # changed-after-approval is an error: it counts for --fail-on
    changed = found(document, "changed-after-approval")
    assert [(r, p, c) for r, p, c, _ in changed] == [(2, "P1", "caption")]
    assert APPROVAL_SEEN in changed[0][3]
    assert document["history"] == {"available": True, "database": str(database),
                                   "last_sync": "2026-03-10T09:00+03:00"}

    code, out, _ = run("audit", str(synced), "--today", "2026-03-11")
    assert code == 1
    lines = out.splitlines()
    assert any(line.split()[:4] == ["error", "changed-after-approval", "2", "P1"]
               for line in lines)
    assert lines[-1].endswith(f"as of 2026-03-11 09:00 +03. Sync history: compared with the "
                              f"last sync (as of 2026-03-10 09:00 +03) saved in {database}.")
    # Not a byte, not a time stamp changed; no -wal, -shm or lock file was left behind.
    assert files(folder) == before


def test_audit_counts_the_revision_rounds_syncs_observed(tmp_path: Path) -> None:
    plan = tmp_path / "plan.xlsx"
    for day, status in (("2026-03-02", "Changes requested"), ("2026-03-03", "Client review"),
                        ("2026-03-04", "Changes requested"), ("2026-03-05", "Client review")):
        write_plan(plan, row("P1", status=status, date="2026-04-20 10:00"))
        assert run("sync", str(plan), "--today", day)[0] == 0
    write_plan(plan, row("P1", status="Changes requested", date="2026-04-20 10:00"))

    # The sheet has no revision-round column: only the syncs saw rounds 1 and 2; this is 3.
    _, document = audit_json(str(plan), "--today", "2026-03-06")
    exceeded = found(document, "revision-limit-exceeded")
    assert [(r, p) for r, p, _, _ in exceeded] == [(2, "P1")]
    assert exceeded[0][3].startswith("3 revision rounds used, 2 allowed: 1 billable extra")
    _, alone = audit_json(str(plan), "--today", "2026-03-06", "--no-history")
    assert found(alone, "revision-limit-exceeded") == []


def test_audit_without_a_sync_says_so_once(tmp_path: Path) -> None:
    plan = tmp_path / "plan.xlsx"
    write_plan(plan, row("P1", status="Approved"))
    database = tmp_path / "plan.sheets-sync.db"
    reason = f"no state database at {database}"

    code, out, _ = run("audit", str(plan), "--today", "2026-03-11")
    assert code == 0
    assert out.splitlines()[-1].endswith(" +03. " + NO_HISTORY.format(reason=reason))
    assert out.count("sync history") + out.count("Sync history") == 1

    _, document = audit_json(str(plan), "--today", "2026-03-11")
    assert document["history"] == {"available": False, "database": str(database),
                                   "reason": reason}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx"]  # nothing created


def test_a_database_without_this_calendar_is_no_history(tmp_path: Path) -> None:
    plan = tmp_path / "plan.xlsx"
    write_plan(plan, row("P1", status="Approved"))
    database = tmp_path / "plan.sheets-sync.db"
    StateStore(str(database)).close()  # a state database with no sync of "plan" in it
    _, document = audit_json(str(plan), "--today", "2026-03-11")
    assert document["history"] == {
        "available": False, "database": str(database),
        "reason": f"{database} holds no completed sync of calendar 'plan'"}


@pytest.mark.parametrize("content", ["empty", "other-tables"])
def test_a_database_holding_no_state_is_said_so(tmp_path: Path, content: str) -> None:
    plan = tmp_path / "plan.xlsx"
    write_plan(plan, row("P1", status="Approved"))
    database = tmp_path / "plan.sheets-sync.db"
    database.touch()
    if content == "other-tables":  # some other program's SQLite file at that path
        with sqlite3.connect(database) as db:
            db.execute("CREATE TABLE notes (text TEXT)")
        db.close()
    before = files(tmp_path)
    code, document = audit_json(str(plan), "--today", "2026-03-11")
    assert code == 0
    assert document["history"]["reason"] == {
        "empty": f"the state database {database} is empty",
        "other-tables": f"{database} is an SQLite database but holds no sheets-sync state (no "
                        "meta, posts, transitions, history, findings, runs table)"}[content]
    assert files(tmp_path) == before


def test_a_configured_state_path_is_the_one_read(tmp_path: Path) -> None:
    plan = tmp_path / "plan.xlsx"
    write_plan(plan, row("P1", status="Approved"))
    config = tmp_path / "agency.toml"
    config.write_text('state_path = "state/agency.db"\n\n[[calendars]]\nname = "acme"\n'
                      'backend = "xlsx"\npath = "plan.xlsx"\nclient = "Acme"\n',
                      encoding="utf-8")
    assert run("sync", "--config", str(config), "--today", "2026-03-10")[0] == 0
    write_plan(plan, row("P1", status="Approved", caption=EDITED))
    database = tmp_path / "state" / "agency.db"
    before = files(database.parent)

    _, document = audit_json("--config", str(config), "--today", "2026-03-11")
    assert [(r, p) for r, p, _, _ in found(document, "changed-after-approval")] == [(2, "P1")]
    assert document["history"]["database"] == str(database)
    assert not (tmp_path / "plan.sheets-sync.db").exists()
    assert files(database.parent) == before


def test_no_history_lists_the_sheet_alone(synced: Path) -> None:
    code, out, _ = run("audit", str(synced), "--today", "2026-03-11", "--no-history")
    assert code == 0  # the change after approval is history's; the sheet alone is clean
    assert "changed-after-approval" not in out
    assert "history" not in out.lower()
    _, document = audit_json(str(synced), "--today", "2026-03-11", "--no-history")
    assert found(document, "changed-after-approval") == []
    assert document["history"]["available"] is False
    assert "--no-history" in document["history"]["reason"]


def sheet_findings(document: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [(f["row"], f["code"], f["column"]) for f in document["findings"]]


@pytest.mark.parametrize("damage", ["pages", "header"])
def test_a_damaged_database_leaves_the_sheets_findings_and_says_why(
        synced: Path, damage: str) -> None:
    database = synced.parent / "plan.sheets-sync.db"
    data = bytearray(database.read_bytes())
    if damage == "pages":  # the schema page reads; every table beyond it is garbage
        data[4096:] = b"\x5a" * (len(data) - 4096)
    else:
        data[:16] = b"not a database!!"
    database.write_bytes(bytes(data))
    before = files(synced.parent)
    expected = {"pages": f"state database {database} cannot be read (database disk image is "
                         "malformed)",
                "header": f"{database} is damaged (its first page is not SQLite's)"}[damage]

    plain_code, plain = audit_json(str(synced), "--today", "2026-03-11", "--no-history")
    code, document = audit_json(str(synced), "--today", "2026-03-11")
    assert code == plain_code == 0
    assert sheet_findings(document) == sheet_findings(plain)
    assert document["history"]["available"] is False
    assert document["history"]["reason"].startswith(expected)
    code, out, err = run("audit", str(synced), "--today", "2026-03-11")
    assert code == 0 and "Traceback" not in out + err
    assert f"Sync history not read: {expected}" in out.splitlines()[-1]
    assert files(synced.parent) == before


def test_an_earlier_schema_is_read_as_it_is(synced: Path) -> None:
    database = synced.parent / "plan.sheets-sync.db"
    with sqlite3.connect(database) as db:  # as the first schema was: no runs.real_clock
        db.execute("ALTER TABLE runs DROP COLUMN real_clock")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    db.close()
    before = files(synced.parent)
    _, document = audit_json(str(synced), "--today", "2026-03-11")
    assert [(r, p) for r, p, _, _ in found(document, "changed-after-approval")] == [(2, "P1")]
    assert document["history"]["last_sync"] == "2026-03-10T09:00+03:00"
    assert files(synced.parent) == before  # not upgraded: the next sync does that


def test_a_newer_schema_is_not_read(synced: Path) -> None:
    database = synced.parent / "plan.sheets-sync.db"
    with sqlite3.connect(database) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    db.close()
    code, document = audit_json(str(synced), "--today", "2026-03-11")
    assert code == 0 and found(document, "changed-after-approval") == []
    assert document["history"]["reason"] == (
        f"state database {database} was written by a newer sheets-sync (schema 99; this "
        f"version reads {SCHEMA_VERSION}): upgrade sheets-sync")


def test_a_write_transaction_of_another_program_does_not_stop_the_audit(synced: Path) -> None:
    database = synced.parent / "plan.sheets-sync.db"
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("INSERT INTO runs (calendar, started, ended, rows, findings, "
                       "cells_written) VALUES ('plan', '2026-03-12T06:00:00+00:00', "
                       "'2026-03-12T06:00:01+00:00', 2, 0, 0)")
        before = files(synced.parent)  # the writer's -wal and -shm are there already
        code, document = audit_json(str(synced), "--today", "2026-03-11")
        # What was committed is read; the run the writer has not committed is not.
        assert code == 1
        assert [(r, p) for r, p, _, _ in found(document, "changed-after-approval")] == [
            (2, "P1")]
        assert document["history"]["last_sync"] == "2026-03-10T09:00+03:00"
        assert {name for name in files(synced.parent)} == set(before)
        writer.execute("COMMIT")  # the audit held no lock that stops the writer
    finally:
        writer.close()
    assert last_sync(database) == "2026-03-12T06:00:00+00:00"


def test_a_database_held_exclusively_is_reported_not_waited_for(synced: Path) -> None:
    database = synced.parent / "plan.sheets-sync.db"
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        writer.execute("SELECT COUNT(*) FROM posts").fetchone()  # opens -wal and -shm
        writer.execute("PRAGMA locking_mode=EXCLUSIVE")
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM posts")
        plain_code, plain = audit_json(str(synced), "--today", "2026-03-11", "--no-history")
        code, document = audit_json(str(synced), "--today", "2026-03-11")
        assert code == plain_code == 0
        assert sheet_findings(document) == sheet_findings(plain)
        assert document["history"]["reason"] == (
            f"state database {database} is locked by another program (a sync, or a database "
            "tool holding it); it is not damaged")
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def last_sync(database: Path) -> str:
    reader = StateStore.reader(database)
    try:
        last = reader.last_sync("plan")
        return last.isoformat() if last else ""
    finally:
        reader.close()


@pytest.mark.parametrize("shared", [False, True], ids=["alone", "open-elsewhere"])
def test_a_sync_can_save_while_an_audit_reads(synced: Path, shared: bool) -> None:
    database = synced.parent / "plan.sheets-sync.db"
    # Open elsewhere (a daemon's store): read through the write-ahead log; alone: the file.
    other = StateStore(str(database)) if shared else None
    reader = StateStore.reader(database)
    try:
        with reader.reading():
            assert len(reader.posts("plan")) == 2
            assert reader.last_sync("plan").isoformat() == "2026-03-10T06:00:00+00:00"
            assert reader.unchanged()
            code, _, err = run("sync", str(synced), "--today", "2026-03-11")
            assert code == 0, err  # the reader in the middle of its reads held it up in nothing
            # ... and still reads the state it began with
            assert reader.last_sync("plan").isoformat() == "2026-03-10T06:00:00+00:00"
        # A file read as it stood is known to be out of date now.
        assert reader.unchanged() is shared
    finally:
        reader.close()
        if other is not None:
            other.close()
    assert last_sync(database) == "2026-03-11T06:00:00+00:00"
