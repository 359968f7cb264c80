"""Hardening: ambiguous post identity, the clock guard and --today, where state and
credentials live, the lock, and what reaches a terminal."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import HEADER, at, calendar_config, row

from sheets_sync.backends import open_backend
from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.cells import Cell
from sheets_sync.cli import main
from sheets_sync.config import from_dict
from sheets_sync.config import load as load_config
from sheets_sync.errors import ConfigError
from sheets_sync.locking import CycleLocked, cycle_lock
from sheets_sync.outputs import report_table
from sheets_sync.run import run_once, sync
from sheets_sync.state import SCHEMA_VERSION, StateStore
from sheets_sync.stores import state_path_for

RULES_OFF = {code: "off" for code in ("calendar-gap", "cadence-below-contract",
                                      "stale-unpublished", "approval-missing")}


def config(**extra: Any) -> Any:
    rules = {"levels": RULES_OFF, "revisions": {"included_rounds": 1, **extra.pop("revisions", {})}}
    return calendar_config(tab="Calendar", rules=rules, **extra)


def backend(*rows: list[Cell]) -> MemoryBackend:
    return MemoryBackend({"Calendar": [list(HEADER), *map(list, rows)]})


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def workbook(path: Path, *rows: list[Any], header: list[str] = HEADER) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Calendar"
    for values in ([*header], *rows):
        sheet.append([_ooxml(v) for v in values])
    book.save(path)
    return path


def _ooxml(value: Any) -> Any:
    """C0 control characters as a workbook stores them (_x001B_), which openpyxl does not."""
    if not isinstance(value, str):
        return value
    return "".join(f"_x{ord(ch):04X}_" if ord(ch) < 32 and ch not in "\t\n\r" else ch
                   for ch in value)


# --------------------------------------------------------------------------------------------
# 2. A post ID on several rows: no invented history


def _swapping_cycles(cfg: Any, store: StateStore, b: MemoryBackend, cycles: int) -> list[Any]:
    """Run ``cycles`` cycles, swapping the calendar's last two rows before each but the first."""
    results, day = [], at("2026-03-02 09:00")
    for number in range(cycles):
        if number:
            tab = b.tabs["Calendar"]
            tab[-1], tab[-2] = tab[-2], tab[-1]
        day += dt.timedelta(days=1)
        results.append(run_once(cfg, b, store, day))
    return results


def test_a_resorted_duplicate_id_invents_no_history_rounds_or_holds() -> None:
    cfg, store = config(revisions={"on_exceed": "hold"}), StateStore(":memory:")
    b = backend(row("P1"),
                row("P2", status="Client review", caption="First", date="2026-04-20 10:00"),
                row("P2", status="Changes requested", caption="Second", date="2026-04-22 10:00"))
    results = _swapping_cycles(cfg, store, b, 5)
    assert store.history("test") == []
    assert store.transitions("test").empty
    assert "P2" not in store.posts("test").index  # nothing saved while it is ambiguous
    for result in results:
        codes = set(result.findings.loc[result.findings["post_id"] == "P2", "code"])
        assert codes == {"duplicate-id"}, codes  # no rounds observed, no limit exceeded
        assert result.guarded == []
    statuses = sorted(r[HEADER.index("Status")] for r in b.tabs["Calendar"][1:])
    assert statuses == ["Changes requested", "Client review", "Draft"]  # never "On hold"
    assert [r[0][:15] for r in b.tabs["History"][1:]] == ["No changes yet:"]  # none
    report = b.tabs["Report"]
    usage = report_table(report, "Revision usage per client per month")
    assert [r[-1] for r in usage[1:3]] == [0, 0]  # nothing billable
    status = [r for r in b.tabs["Status"] if len(r) > 6 and r[6] == "duplicate-id"]
    assert len(status) == 2 and all("paused" in " ".join(map(str, r)) for r in status)


def test_a_duplicate_id_keeps_its_snapshot_until_it_is_unique_again() -> None:
    cfg, store = config(), StateStore(":memory:")
    b = backend(row("P1", status="Client review", caption="Original"))
    run_once(cfg, b, store, at("2026-03-03 09:00"))
    saved = store.posts("test").loc["P1"].to_dict()
    b.tabs["Calendar"].append(row("P1", status="Changes requested", caption="A copy"))
    results = _swapping_cycles(cfg, store, b, 4)
    assert store.posts("test").loc["P1"].to_dict() == saved
    assert store.history("test") == [] and store.transitions("test").empty
    for result in results:
        f = result.findings
        assert set(f.loc[f["post_id"] == "P1", "code"]) == {"duplicate-id"}
    # The copy is deleted: the post is followed again from what was saved before.
    tab = b.tabs["Calendar"]
    tab[:] = [r for r in tab if r[HEADER.index("Caption")] != "A copy"]
    tab[1][HEADER.index("Status")] = "Approved"
    run_once(cfg, b, store, at("2026-03-20 09:00"))
    assert [(h.post_id, h.field, h.old, h.new) for h in store.history("test")] == [
        ("P1", "status", "Client review", "Approved")]


def test_a_duplicate_id_over_its_revision_limit_is_not_put_on_hold() -> None:
    # The sheet's own round count still reports the limit; the hold waits for a unique ID.
    cfg, store = config(revisions={"on_exceed": "hold"}), StateStore(":memory:")
    b = MemoryBackend({"Calendar": [[*HEADER, "Revision round"],
                                    [*row("P1", status="Client review"), 5],
                                    [*row("P1", status="Client review", caption="B"), 1],
                                    [*row("P2", status="Client review"), 5]]})
    result = run_once(cfg, b, store, at("2026-03-03 09:00"))
    over = result.findings[result.findings["code"] == "revision-limit-exceeded"]
    assert sorted(over["row"]) == [2, 4]
    statuses = [r[HEADER.index("Status")] for r in b.tabs["Calendar"][1:]]
    assert statuses == ["Client review", "Client review", "On hold"]
    assert result.guarded[0].startswith("row 2: post P1 not put on hold")
    assert result.guarded[1] == "row 4: post P2 put on hold (revision limit)"


# --------------------------------------------------------------------------------------------
# 8. --today never moves the clock guard of real runs; dates out of range are usage errors

GUARD_WARNING = "earlier than the last sync"


def test_a_future_today_does_not_hold_back_later_real_syncs(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cfg, state = config(), str(tmp_path / "state.db")
    b = backend(row("P1"))
    sync(cfg, state, at("2062-03-10 09:00"), backend=b)  # what `sync --today 2062-03-10` does
    caplog.set_level(logging.WARNING, logger="sheets_sync.run")
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    sync(cfg, state, backend=b)  # a plain sync: the real clock
    assert not [r for r in caplog.records if GUARD_WARNING in r.getMessage()]
    store = StateStore(state)
    runs = store.runs("test")
    assert [r.real_clock for r in runs] == [False, True]
    assert before <= runs[-1].started < dt.datetime(2062, 1, 1, tzinfo=dt.timezone.utc)
    assert store.last_run("test") == runs[-1].started
    store.close()


def test_real_runs_are_still_guarded_against_earlier_real_runs(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cfg, state = config(), str(tmp_path / "state.db")
    b = backend(row("P1"))
    ahead = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=6)
    sync(cfg, state, ahead, backend=b, real_clock=True)  # a real clock that was ahead
    caplog.set_level(logging.WARNING, logger="sheets_sync.run")
    sync(cfg, state, backend=b)
    assert [r for r in caplog.records if GUARD_WARNING in r.getMessage()]
    store = StateStore(state)
    assert store.runs("test")[-1].started == ahead.replace(microsecond=0)
    store.close()


def test_a_future_today_on_the_command_line_then_plain_syncs(tmp_path: Path) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1"), row("P2"))
    first = invoke("sync", str(calendar), "--today", "2062-03-10")
    assert first.exit_code == 0, first.output
    for _ in range(2):
        plain = invoke("sync", str(calendar))
        assert plain.exit_code == 0, plain.output
        assert GUARD_WARNING not in plain.stderr


@pytest.mark.parametrize("today", ["2262-04-12", "3000-01-01", "1989-12-31", "2201-01-01",
                                   "0001-01-01T00:00", "9999-12-31"])
@pytest.mark.parametrize("command", ["sync", "audit"])
def test_a_today_outside_1990_to_2200_is_a_usage_error(tmp_path: Path, today: str,
                                                       command: str) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1"))
    before = calendar.read_bytes()
    result = invoke(command, str(calendar), "--today", today)
    assert result.exit_code == 2, result.output
    assert "--today" in result.stderr and "1990" in result.stderr and "2200" in result.stderr
    assert calendar.read_bytes() == before
    assert not (tmp_path / "plan.sheets-sync.db").exists()
    # the edges of the range are fine
    assert invoke(command, str(calendar), "--today", "1990-01-01").exit_code in (0, 1)
    assert invoke(command, str(calendar), "--today", "2200-12-31").exit_code in (0, 1)


V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE posts (calendar TEXT NOT NULL, post_id TEXT NOT NULL DEFAULT '',
    client TEXT NOT NULL DEFAULT '', PRIMARY KEY (calendar, post_id));
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, calendar TEXT NOT NULL, started TEXT NOT NULL,
    ended TEXT NOT NULL, rows INTEGER NOT NULL, findings INTEGER NOT NULL,
    cells_written INTEGER NOT NULL, error TEXT NOT NULL DEFAULT '');
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO runs (calendar, started, ended, rows, findings, cells_written) VALUES
    ('acme', '2026-03-10T06:00:00+00:00', '2026-03-10T06:00:02+00:00', 3, 1, 10),
    ('acme', '2262-04-12T06:00:00+00:00', '2026-03-10T07:00:01+00:00', 3, 1, 0),
    ('acme', '2026-03-10T08:00:00+00:00', '2026-03-10T08:00:01+00:00', 3, 1, 0);
"""


def test_a_version_1_database_is_migrated_keeping_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(V1_SCHEMA)
    db.close()
    store = StateStore(str(path))
    assert SCHEMA_VERSION >= 2
    version = store.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    assert int(version[0]) == SCHEMA_VERSION
    runs = store.runs("acme")
    assert [(r.started.year, r.rows, r.real_clock) for r in runs] == [
        (2026, 3, True), (2262, 3, False), (2026, 3, True)]  # the run ahead of its end: --today
    assert store.last_run("acme") == dt.datetime(2026, 3, 10, 8, tzinfo=dt.timezone.utc)
    store.close()
    StateStore(str(path)).close()  # opening it again changes nothing
    assert len(sqlite3.connect(path).execute("SELECT * FROM runs").fetchall()) == 3


# --------------------------------------------------------------------------------------------
# 9. A relative credentials path is taken from the configuration's folder


def _key(path: Path, label: str) -> Path:
    # Not a usable key: loading it fails with a message naming the file that was read.
    path.write_text(json.dumps({"type": "nothing", "label": label}), encoding="utf-8")
    return path


@pytest.mark.parametrize("where", ["calendar", "portfolio"])
def test_a_relative_credentials_path_is_read_from_the_config_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    agency, elsewhere = tmp_path / "agency", tmp_path / "elsewhere"
    agency.mkdir()
    elsewhere.mkdir()
    ours = _key(agency / "key.json", "the agency's account")
    _key(elsewhere / "key.json", "another account")
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("SHEETS_SYNC_GOOGLE_ENDPOINT", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    google = {"backend": "google", "spreadsheet": "1AbC", "credentials": "key.json"}
    data: dict[str, Any] = {"calendars": [{"name": "acme", **google}]}
    if where == "portfolio":
        data["portfolio"] = dict(google)
    loaded = from_dict(data, base_dir=str(agency))
    config = loaded.calendars[0] if where == "calendar" else loaded.portfolio
    assert config is not None
    with pytest.raises(ConfigError) as raised:
        open_backend(config)
    assert str(ours) in raised.value.message
    assert str(elsewhere) not in raised.value.message


def test_an_absolute_or_home_credentials_path_is_kept(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHEETS_SYNC_GOOGLE_ENDPOINT", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    key = _key(tmp_path / "key.json", "home")
    for written in (str(key), "~/key.json"):
        config = from_dict({"calendars": [{"name": "acme", "backend": "google",
                                           "spreadsheet": "1AbC", "credentials": written}]},
                           base_dir=str(tmp_path / "agency")).calendars[0]
        with pytest.raises(ConfigError, match=str(key)):
            open_backend(config)


# --------------------------------------------------------------------------------------------
# 10. Where state lives: beside the configuration, folders created, files private


def google_calendar(base_dir: Path | str, name: str = "acme", **extra: Any) -> Any:
    data = {"name": name, "backend": "google", "spreadsheet": "1AbC", "client": "Acme",
            "tab": "Calendar", **extra}
    return from_dict({"calendars": [data]}, base_dir=str(base_dir)).calendars[0]


def test_a_google_calendar_keeps_its_state_beside_the_configuration(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "sheets-sync.toml").write_text(
        '[[calendars]]\nname = "acme"\nbackend = "google"\nspreadsheet = "1AbC"\n',
        encoding="utf-8")
    calendar = load_config(etc / "sheets-sync.toml").calendar("acme")
    assert state_path_for(calendar) == str(etc / "acme.sheets-sync.db")
    assert state_path_for(google_calendar("/")) == "/acme.sheets-sync.db"  # no crash in /
    odd = google_calendar(etc, name="Acme / Müşteri 2")
    assert Path(state_path_for(odd)).parent == etc  # a name is never a path
    # A file calendar's state stays beside the file; a configured state_path is kept.
    xlsx = from_dict({"calendars": [{"name": "x", "path": "plan.xlsx"}]},
                     base_dir=str(etc)).calendars[0]
    assert state_path_for(xlsx) == str(etc / "plan.sheets-sync.db")
    assert state_path_for(calendar, "state/s.db") == str(etc / "state" / "s.db")


def test_state_kept_where_earlier_versions_put_it_is_still_used(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    b = backend(row("P1"))
    earlier = tmp_path / "etc.sheets-sync.db"  # named after the folder, in its parent
    sync(google_calendar(etc), str(earlier), at("2026-03-10 09:00"), backend=b)
    caplog.set_level(logging.WARNING, logger="sheets_sync.stores")
    assert state_path_for(google_calendar(etc)) == str(earlier)
    assert any("state_path" in r.getMessage() for r in caplog.records)
    assert not (etc / "acme.sheets-sync.db").exists()


@pytest.fixture
def umask_022() -> Any:
    old = os.umask(0o022)  # what most systems use: new files readable by everyone
    yield
    os.umask(old)


@pytest.mark.usefixtures("umask_022")
def test_state_folders_are_created_and_state_files_are_private(tmp_path: Path) -> None:
    b = backend(row("P1"))
    sync(google_calendar(tmp_path / "etc"), "", at("2026-03-10 09:00"), backend=b)
    state = tmp_path / "etc" / "acme.sheets-sync.db"
    cfg = google_calendar(tmp_path)
    configured = state_path_for(cfg, "var/lib/sheets-sync/state.db")
    sync(cfg, configured, at("2026-03-10 09:00"), backend=b)
    for database in (state, Path(configured)):
        files = [database, *database.parent.glob(database.name + "*")]
        assert any(f.name.endswith(".lock") for f in files)
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    assert stat.S_IMODE((tmp_path / "var" / "lib" / "sheets-sync").stat().st_mode) == 0o700


# --------------------------------------------------------------------------------------------
# 11. The lock is taken on the state database's real path


def test_a_symlinked_state_path_takes_the_same_lock(tmp_path: Path) -> None:
    real = tmp_path / "real" / "state.db"
    real.parent.mkdir()
    link = tmp_path / "link.db"
    link.symlink_to(real)
    with (cycle_lock(str(real), "acme"), pytest.raises(CycleLocked),
          cycle_lock(str(link), "acme")):
        pass
    with (cycle_lock(str(link), "acme"), pytest.raises(CycleLocked),
          cycle_lock(os.path.relpath(real), "acme")):
        pass
    folder_link = tmp_path / "folder"
    folder_link.symlink_to(real.parent, target_is_directory=True)
    b = backend(row("P1"))
    with cycle_lock(str(real), "test"), pytest.raises(CycleLocked):
        sync(config(), str(folder_link / "state.db"), at("2026-03-10 09:00"), backend=b)
    assert b.writes == 0


# --------------------------------------------------------------------------------------------
# 13. No terminal control sequence from a cell reaches the terminal

TITLE = "\x1b]0;pwned\x07"  # sets the window title
CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4K\x1b\\"  # OSC 52: writes the clipboard
CLEAR = "\x1b[2J\x1b[H"  # clears the screen
C1 = "\x9b31m\x9d0;title\x9c"  # the same in 8-bit (C1) form
NASTY = TITLE + CLIPBOARD + CLEAR + C1 + "\r\x08\x7f\x00"


def assert_clean(text: str) -> None:
    bad = [ch for ch in text if (ord(ch) < 32 and ch not in "\n\t") or 0x7f <= ord(ch) <= 0x9f]
    assert not bad, repr(text)


def test_the_audit_table_shows_control_characters_escaped(tmp_path: Path) -> None:
    calendar = workbook(tmp_path / "plan.xlsx",
                        row("P1" + TITLE, status="Draft" + CLEAR, caption="Hi" + CLIPBOARD),
                        row("P2" + C1, channel="Insta" + NASTY, caption=""))
    result = invoke("audit", str(calendar), "--today", "2026-03-10")
    assert result.exit_code in (0, 1), result.output
    assert_clean(result.stdout)
    assert_clean(result.stderr)
    assert "P1\\x1b]0;pwned\\x07" in result.stdout  # shown, not run
    lines = result.stdout.splitlines()
    message = lines[0].index("MESSAGE")  # escaped before measuring: the columns line up
    assert all(line[message - 2:message] == "  " for line in lines[1:-1])


def test_json_output_keeps_the_text_exactly(tmp_path: Path) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1" + TITLE, status="Nope"))
    result = invoke("audit", str(calendar), "--today", "2026-03-10", "--format", "json")
    assert "\x1b" not in result.stdout  # json escapes it...
    ids = {f["post_id"] for f in json.loads(result.stdout)["findings"]}
    assert "P1" + TITLE in ids  # ...and the text is intact


def test_csv_output_is_data_unless_it_goes_to_a_terminal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1" + TITLE, status="Nope"))
    piped = invoke("audit", str(calendar), "--today", "2026-03-10", "--format", "csv")
    assert "P1" + TITLE in piped.stdout  # exactly the cell, for the program reading it
    monkeypatch.setattr("sheets_sync.cli._to_terminal", lambda: True)
    shown = invoke("audit", str(calendar), "--today", "2026-03-10", "--format", "csv")
    assert_clean(shown.stdout)
    assert "P1\\x1b]0;pwned\\x07" in shown.stdout


def test_error_messages_quoting_the_sheet_are_escaped(tmp_path: Path) -> None:
    header = ["Name" + TITLE, "When" + CLIPBOARD, "Notes" + C1]
    calendar = workbook(tmp_path / "plan.xlsx", ["a", "b", "c"], header=header)
    result = invoke("audit", str(calendar))
    assert result.exit_code == 2
    assert "Name\\x1b]0;pwned\\x07" in result.stderr
    assert_clean(result.stderr)
    assert_clean(result.stdout)
    synced = invoke("sync", str(calendar))
    assert synced.exit_code == 2
    assert_clean(synced.stderr)


def test_sync_output_and_dry_run_are_escaped(tmp_path: Path) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1" + TITLE, caption="Hi" + CLEAR),
                        row("P1" + TITLE, caption="Hi" + C1))
    for args in (["--dry-run"], []):
        result = invoke("sync", str(calendar), "--today", "2026-03-10", *args)
        assert result.exit_code == 0, result.output
        assert_clean(result.stdout)
        assert_clean(result.stderr)
    history = invoke("history", "P1" + TITLE, "--path", str(calendar))
    assert_clean(history.stdout)


def _on_a_terminal(*args: str) -> tuple[int, bytes]:
    """Run sheets-sync with stdout and stderr on a pseudo-terminal; return what it showed."""
    import pty

    main_fd, terminal = pty.openpty()
    env = {**os.environ, "COLUMNS": "120"}
    child = subprocess.Popen([sys.executable, "-m", "sheets_sync", *args], stdin=subprocess.DEVNULL,
                             stdout=terminal, stderr=terminal, env=env)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:  # the terminal's other side is closed: everything was read
            break
        if not chunk:
            break
        shown += chunk
    os.close(main_fd)
    return child.wait(timeout=120), shown


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_nothing_reaches_a_real_terminal_as_a_control_sequence(tmp_path: Path) -> None:
    # click removes some sequences, but only when the output is not a terminal.
    calendar = workbook(tmp_path / "plan.xlsx", row("P1" + TITLE, status="Nope" + CLEAR,
                                                    caption="Hi" + CLIPBOARD))
    bad = workbook(tmp_path / "bad.xlsx", ["a"], header=["Name" + CLEAR + TITLE + C1])
    for args in (["audit", str(calendar), "--today", "2026-03-10"], ["audit", str(bad)],
                 ["sync", str(calendar), "--today", "2026-03-10", "--dry-run"]):
        code, shown = _on_a_terminal(*args)
        assert code in (0, 1, 2), shown
        assert b"pwned" in shown or args[1] == str(bad)
        for sequence in (b"\x1b", b"\x07", b"\xc2\x9b", b"\xc2\x9d", b"\xc2\x9c"):
            assert sequence not in shown, (args, shown)
