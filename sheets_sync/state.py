"""The local state store (SQLite): what the tool saw last time, and what changed since.

One database may hold several calendars. Every cycle's changes are saved in one transaction
(:meth:`StateStore.save`), only after the spreadsheet write succeeded, so an interrupted
cycle is simply redone by the next one. Times are stored as ISO-8601 UTC text.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator, MutableMapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sheets_sync.errors import SheetsSyncError
from sheets_sync.model import HistoryEntry
from sheets_sync.snapshot import SNAPSHOT_COLUMNS, Changes, iso

# 1: the first; 2: runs.real_clock (whether a run's moment was the clock, not --today);
# 3: reminders (what `sheets-sync remind` sent, to whom, when);
# 4: posts.status_text and history.as_written (History in the sheet's own words).
SCHEMA_VERSION = 4
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS posts (
    calendar TEXT NOT NULL, {", ".join(f"{c} TEXT NOT NULL DEFAULT ''" for c in SNAPSHOT_COLUMNS)},
    PRIMARY KEY (calendar, post_id));
CREATE TABLE IF NOT EXISTS transitions (
    calendar TEXT NOT NULL, post_id TEXT NOT NULL, at TEXT NOT NULL,
    from_status TEXT NOT NULL, to_status TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS transitions_post ON transitions (calendar, post_id);
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, calendar TEXT NOT NULL, at TEXT NOT NULL,
    post_id TEXT NOT NULL, field TEXT NOT NULL, old TEXT NOT NULL, new TEXT NOT NULL,
    as_written INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS history_post ON history (calendar, post_id);
CREATE TABLE IF NOT EXISTS findings (
    calendar TEXT NOT NULL, key TEXT NOT NULL, first_seen TEXT NOT NULL,
    PRIMARY KEY (calendar, key));
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, calendar TEXT NOT NULL, started TEXT NOT NULL,
    ended TEXT NOT NULL, rows INTEGER NOT NULL, findings INTEGER NOT NULL,
    cells_written INTEGER NOT NULL, error TEXT NOT NULL DEFAULT '',
    real_clock INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS reminders (
    calendar TEXT NOT NULL, item TEXT NOT NULL, stage TEXT NOT NULL, recipient TEXT NOT NULL,
    post_id TEXT NOT NULL DEFAULT '', client TEXT NOT NULL DEFAULT '', state TEXT NOT NULL,
    at TEXT NOT NULL, subject TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (calendar, item, stage, recipient));
CREATE INDEX IF NOT EXISTS reminders_post ON reminders (calendar, post_id);
"""


class StateError(SheetsSyncError):
    """The state database cannot be used (corrupt, locked, or from a newer version); exit 3."""

    exit_code = 3


class StateLocked(StateError):
    """Another program holds a lock on the state database (exit 3); it is not damaged."""


BUSY_TIMEOUT = 10.0  # seconds to wait for another process's lock on the database
# Seconds a reader that changes nothing (an audit) waits for a lock: a sync's commit takes
# far less; a program holding the database for longer is reported, not waited for.
READ_TIMEOUT = 2.0
_TABLES = ("meta", "posts", "transitions", "history", "findings", "runs")


def open_private(path: str | Path) -> int:
    """Open ``path`` for reading and writing and return its descriptor; a missing file is
    created readable by its owner only (0600), in a folder created (0700) if missing.

    For the state database and its lock files: they hold every caption and approver name.
    An existing file keeps its mode. Raises OSError.
    """
    target = Path(path).resolve()  # a symlink's target, whose folder may be missing
    if not target.parent.is_dir():
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return os.open(target, os.O_RDWR | os.O_CREAT, 0o600)


def state_error(path: str, exc: sqlite3.Error) -> StateError:
    """A StateError saying what went wrong with the database at ``path`` and what to do."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StateLocked(
            f"state database {path} is locked by another program (another sheets-sync, or a "
            "database tool holding it open); nothing of this cycle was saved and the next "
            "cycle redoes it. Close that program and retry; the database is not damaged, so "
            "`sheets-sync state reset` is not needed.")
    if "full" in text or "disk I/O" in text:
        return StateError(f"state database {path} cannot be written: the disk is full or "
                          f"failing ({text}). Free some space or check the disk; the next "
                          "cycle redoes this one.")
    return StateError(
        f"state database {path} cannot be used ({text}). If it is damaged, move it aside or "
        "run `sheets-sync state reset`; the next sync starts afresh.")


def read_error(path: str, exc: sqlite3.Error) -> StateError:
    """A StateError saying why the database at ``path`` could not be read (by a reader that
    changes nothing, such as an audit)."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StateLocked(f"state database {path} is locked by another program (a sync, or a "
                           "database tool holding it); it is not damaged")
    return StateError(f"state database {path} cannot be read ({text}); if it is damaged, "
                      "`sheets-sync state reset` moves it aside and the next sync starts afresh")


@dataclass(frozen=True)
class Run:
    """One cycle as recorded in the run log."""

    started: dt.datetime
    ended: dt.datetime
    rows: int
    findings: int
    cells_written: int
    error: str = ""
    real_clock: bool = True  # False: the cycle ran as of a chosen moment (--today)


REMINDER_STATES = ("sending", "sent", "failed")


@dataclass(frozen=True)
class Reminder:
    """One reminder of one thing to one recipient, as the ledger holds it.

    ``item`` is what it is about (a finding's key, or a client's digest), ``stage`` which
    reminder of it (``approval-72h``, ``feedback-2026-03-10``...), ``recipient`` an e-mail
    address or ``webhook:VARIABLE`` (the environment variable's name, never the URL).
    ``state``: ``sending`` is written before the message goes out and ``sent`` after;
    ``failed`` (with ``error``) means it did not go out and is due again.
    """

    calendar: str
    item: str
    stage: str
    recipient: str
    state: str
    at: dt.datetime
    post_id: str = ""
    client: str = ""
    subject: str = ""
    error: str = ""


class StoreCache(MutableMapping[str, str]):
    """Key/value pairs in the state database's meta table, written at once.

    For caches (such as a spreadsheet's layout): losing them only costs a re-read.
    """

    def __init__(self, db: sqlite3.Connection, prefix: str) -> None:
        self.db, self.prefix = db, f"cache:{prefix}:"

    def __getitem__(self, key: str) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?",
                              (self.prefix + key,)).fetchone()
        if row is None:
            raise KeyError(key)
        return row[0].decode("utf-8") if isinstance(row[0], bytes) else str(row[0])

    def __setitem__(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (self.prefix + key, value))

    def __delitem__(self, key: str) -> None:
        self.db.execute("DELETE FROM meta WHERE key = ?", (self.prefix + key,))

    def __iter__(self) -> Iterator[str]:
        rows = self.db.execute("SELECT key FROM meta WHERE key LIKE ?",
                               (self.prefix + "%",)).fetchall()
        return iter([k[len(self.prefix):] for (k,) in rows])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def blob(self, key: str) -> bytes | None:
        """The bytes kept under ``key`` by :meth:`set_blob` (None when there are none)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = ?",
                              (self.prefix + key,)).fetchone()
        if row is None:
            return None
        value = row[0]
        return value if isinstance(value, bytes) else str(value).encode("utf-8")

    def set_blob(self, key: str, value: bytes) -> None:
        """Keep ``value`` as it is (an SQLite BLOB): a large value costs no text conversion
        (a spreadsheet's last answer, for :mod:`sheets_sync.backends.google`)."""
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (self.prefix + key, value))


@dataclass
class _Kept:
    """What a store read or saved of one calendar, valid while the data version is ``version``.

    None: not read yet. The posts and transitions frames are shared and never modified.
    """

    version: int
    posts: pd.DataFrame | None = None
    history: list[HistoryEntry] | None = None
    transitions: pd.DataFrame | None = None
    findings: dict[str, str] | None = None  # when each open finding was first seen


class StateStore:
    """SQLite-backed memory of each calendar between cycles (``":memory:"`` in tests).

    What a cycle reads of a calendar (the post snapshot, the History log, the transitions)
    is also kept in memory, so that a program running cycle after cycle with one store (a
    daemon, a benchmark) does not read it all back each time. It is used only while
    SQLite's ``data_version`` shows that no other connection has written to the database
    since; this store's own writes go through :meth:`save` and :meth:`reset`, which keep
    it up to date.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = str(path)
        self._kept: dict[str, _Kept] = {}
        self._as_read: tuple[int, int, int] | None = None
        if read_only:
            self._open_read_only()
            return
        if self.path not in ("", ":memory:") and not os.path.exists(self.path):
            try:  # SQLite would create it readable by everyone (mode 0644 less the umask)
                os.close(open_private(self.path))
            except OSError as exc:
                raise StateError(f"cannot create the state database {self.path} "
                                 f"({exc.strerror or exc}): its folder must be writable; set "
                                 "state_path in the configuration to a writable place"
                                 ) from None
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=BUSY_TIMEOUT)
            self.db.execute("PRAGMA journal_mode=WAL" if self.path != ":memory:"
                            else "PRAGMA journal_mode=MEMORY")
            self._migrate()
        except sqlite3.Error as exc:
            if hasattr(self, "db"):
                self.db.close()
            raise state_error(self.path, exc) from exc

    def _migrate(self) -> None:
        self.db.executescript(_SCHEMA)
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            self.db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
        elif int(row[0]) > SCHEMA_VERSION:
            raise sqlite3.DatabaseError(
                f"it was written by a newer sheets-sync (schema {row[0]}, this version reads "
                f"{SCHEMA_VERSION}); upgrade sheets-sync")
        elif int(row[0]) < SCHEMA_VERSION:
            self._upgrade()

    def _upgrade(self) -> None:
        """Bring a database of an earlier schema up to this one, in one transaction.

        Version 1 had no ``runs.real_clock``: a run whose moment lies after its end was a
        ``--today`` in the future (a run's moment is the clock at its start, or an earlier
        run's when the clock was behind), every other one is kept as a real-clock run.
        Version 2 had no ``reminders`` table: the schema creates it empty.
        Version 3 kept a post's status as its canonical state only: ``posts.status_text``
        starts empty (the next sync fills it in), and the History entries saved so far are
        marked as not written in the sheet's words (``history.as_written`` 0).
        """
        cursor = self.db.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            columns = {r[1] for r in cursor.execute("PRAGMA table_info(runs)").fetchall()}
            if "real_clock" not in columns:
                cursor.execute("ALTER TABLE runs ADD COLUMN real_clock INTEGER NOT NULL "
                               "DEFAULT 1")
                cursor.execute("UPDATE runs SET real_clock = 0 "
                               "WHERE julianday(started) > julianday(ended)")
            for table, column, kind in (("posts", "status_text", "TEXT NOT NULL DEFAULT ''"),
                                        ("history", "as_written", "INTEGER NOT NULL DEFAULT 0")):
                if column not in _columns(cursor, table):
                    cursor.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
            cursor.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                           (str(SCHEMA_VERSION),))
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise

    def _open_read_only(self) -> None:
        """Open an existing database for reading only, as it stands (see :meth:`reader`)."""
        path = Path(self.path)
        wal, shm = (Path(f"{path}{suffix}") for suffix in ("-wal", "-shm"))
        if wal.exists() and shm.exists():  # open elsewhere: read what that program committed
            query = "?mode=ro"
        elif wal.is_file() and wal.stat().st_size:
            raise StateLocked(
                f"state database {path} has a write-ahead log ({wal.name}) but no shared index: "
                "another program holds it exclusively, or one stopped while writing it; the "
                "next sync takes it back")
        else:  # nobody has it open: the file is complete, read it without locks or new files
            stat = path.stat()
            self._as_read = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
            query = "?mode=ro&immutable=1"
        try:
            self.db = sqlite3.connect(path.resolve().as_uri() + query, uri=True,
                                      isolation_level=None, timeout=READ_TIMEOUT)
        except sqlite3.Error as exc:
            raise read_error(self.path, exc) from exc
        try:
            self._check_readable()
        except sqlite3.Error as exc:
            self.db.close()
            raise read_error(self.path, exc) from exc
        except StateError:
            self.db.close()
            raise

    def _check_readable(self) -> None:
        """Raise StateError unless the database holds sheets-sync state of a schema this
        version reads (an earlier one reads as it is: only columns every version has are
        read by a reader)."""
        tables = {name for (name,) in self.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()}
        missing = [table for table in _TABLES if table not in tables]
        if missing:
            raise StateError(f"{self.path} is an SQLite database but holds no sheets-sync "
                             f"state (no {', '.join(missing)} table)")
        row = self.db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and int(row[0]) > SCHEMA_VERSION:
            raise StateError(f"state database {self.path} was written by a newer sheets-sync "
                             f"(schema {row[0]}; this version reads {SCHEMA_VERSION}): "
                             "upgrade sheets-sync")

    @classmethod
    def reader(cls, path: str | Path) -> StateStore:
        """Open the database at ``path`` for reading only, changing nothing (an audit).

        Nothing is created, migrated or left behind, not even SQLite's -wal and -shm files,
        and no lock keeps a sync from writing. While another program has the database open
        (its -wal and -shm exist) it is read through the write-ahead log, as that program
        committed it; otherwise the file is read as it stands (SQLite's ``immutable``), and
        :meth:`unchanged` says afterwards whether a sync wrote it meanwhile. Raises
        StateLocked while a program holds it exclusively, StateError when it is missing,
        damaged, no state database or of a newer schema.
        """
        try:
            return cls(path, read_only=True)
        except OSError as exc:  # missing or unreadable before SQLite saw it
            raise StateError(f"state database {path} cannot be read "
                             f"({exc.strerror or exc})") from None

    def unchanged(self) -> bool:
        """Whether a database read as it stands (see :meth:`reader`) is still the one read: the
        file not rewritten and no write-ahead log begun since. Always true otherwise."""
        if self._as_read is None:
            return True
        try:
            stat = Path(self.path).stat()
        except OSError:
            return False
        return ((stat.st_ino, stat.st_size, stat.st_mtime_ns) == self._as_read
                and not Path(f"{self.path}-wal").exists())

    @contextlib.contextmanager
    def reading(self) -> Iterator[StateStore]:
        """Read within one transaction: everything read in it is one committed state of the
        database, even while a sync commits (in WAL mode a reader holds no writer up)."""
        self.db.execute("BEGIN")
        try:
            yield self
        finally:
            self.db.execute("ROLLBACK")

    @classmethod
    def copy_of(cls, path: str | Path) -> StateStore:
        """A store in memory holding a copy of the database at ``path`` (an empty one when
        there is none), for a cycle that writes nothing (``--dry-run``): nothing is created
        or changed on disk, not even SQLite's -wal and -shm files.

        The database is read as the file holds it (SQLite's ``immutable``), or through its
        write-ahead log when another program has it open (its -wal and -shm exist); a log
        left by a program that crashed is not replayed into the copy. Raises StateError as
        opening does.
        """
        store = cls(":memory:")
        if str(path) == ":memory:" or not Path(path).is_file():
            return store
        shared = all(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-shm"))
        uri = Path(path).resolve().as_uri() + ("?mode=ro" if shared else "?immutable=1")
        try:
            source = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT)
            try:
                source.backup(store.db)
            finally:
                source.close()
            store._migrate()  # a newer schema is refused, an older one upgraded in memory
        except sqlite3.Error as exc:
            store.close()
            raise state_error(str(path), exc) from exc
        store.path = str(path)
        return store

    def close(self) -> None:
        self.db.close()

    # --- reading ------------------------------------------------------------------------
    def posts(self, calendar: str) -> pd.DataFrame:
        """Return the last saved snapshot of every post, indexed by post ID (all text).

        Read-only: its values are shared with what the store keeps (with pandas' copy on
        write, as from pandas 3 on, a change would only change the caller's copy).
        """
        kept = self._kept_now(calendar)
        if kept.posts is None:
            kept.posts = _posts_frame(self.db.execute(
                f"SELECT {self._select('posts', SNAPSHOT_COLUMNS)} FROM posts "
                "WHERE calendar = ?", (calendar,)).fetchall())
        return kept.posts.copy(deep=False)  # callers must not change its values

    def _select(self, table: str, names: Sequence[str]) -> str:
        """The columns ``names`` of ``table`` for a SELECT; one an earlier schema lacks (a
        database read as it is, not upgraded) is read as its default."""
        found = _columns(self.db.cursor(), table)
        return ", ".join(name if name in found else f"{_DEFAULTS[name]} AS {name}"
                         for name in names)

    def transitions(self, calendar: str) -> pd.DataFrame:
        """Return every observed status change: post_id, at (naive UTC), from/to status.

        Read-only, as :meth:`posts`.
        """
        kept = self._kept_now(calendar)
        if kept.transitions is None:
            kept.transitions = transitions_frame(self.db.execute(
                "SELECT post_id, at, from_status, to_status FROM transitions WHERE calendar = ? "
                "ORDER BY rowid", (calendar,)).fetchall())
        return kept.transitions.copy(deep=False)

    def history(self, calendar: str, post_id: str | None = None) -> list[HistoryEntry]:
        """Return the History log of a calendar (or one post), oldest first."""
        columns = self._select("history", ("at", "post_id", "field", "old", "new",
                                           "as_written"))
        query = f"SELECT {columns} FROM history WHERE calendar = ?"
        if post_id is not None:
            return _history(self.db.execute(query + " AND post_id = ? ORDER BY seq",
                                            (calendar, post_id)).fetchall())
        kept = self._kept_now(calendar)
        if kept.history is None:
            kept.history = _history(self.db.execute(query + " ORDER BY seq",
                                                    (calendar,)).fetchall())
        return list(kept.history)

    def _kept_now(self, calendar: str) -> _Kept:
        """What is kept of ``calendar``, emptied first if another connection has written."""
        version = self._data_version()
        kept = self._kept.get(calendar)
        if kept is None or kept.version != version:
            kept = self._kept[calendar] = _Kept(version)
        return kept

    def _data_version(self) -> int:
        """A number that changes whenever another connection commits to the database."""
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def findings_first_seen(self, calendar: str) -> dict[str, str]:
        """Return when each open finding was first seen (ISO UTC), by its key."""
        kept = self._kept_now(calendar)
        if kept.findings is None:
            kept.findings = dict(self.db.execute(
                "SELECT key, first_seen FROM findings WHERE calendar = ?", (calendar,)
            ).fetchall())
        return dict(kept.findings)

    def kept_observation(self, calendar: str, token: str) -> bytes | None:
        """What the last successful cycle of ``calendar`` observed (see :meth:`save`), when
        it saved it under ``token``; None otherwise.

        Only the latest successful cycle's observation counts: a cycle that saved no
        observation (or a program that does not keep one) leaves it out of date, and it is
        then not used.
        """
        record_key, data_key = _observation_keys(calendar)
        found = dict(self.db.execute("SELECT key, value FROM meta WHERE key IN (?, ?)",
                                     (record_key, data_key)).fetchall())
        try:
            record = json.loads(found[record_key])
            data = found[data_key]
            if record["token"] != token or not isinstance(data, bytes):
                return None
            last = self.db.execute("SELECT MAX(id) FROM runs WHERE calendar = ? AND error = ''",
                                   (calendar,)).fetchone()
            if last is None or last[0] != record["run"]:
                return None
        except (KeyError, TypeError, ValueError):
            return None
        # The snapshot itself is not read, but a table damaged where it begins is reported
        # as a cycle that reads it reports it (sqlite3.Error), not left for a later cycle.
        self.db.execute("SELECT * FROM posts WHERE calendar = ? LIMIT 1", (calendar,)).fetchall()
        return data

    def last_run(self, calendar: str) -> dt.datetime | None:
        """Return the ``now`` of the last successful real-clock cycle of ``calendar`` (UTC).

        None when there is none. Cycles run as of a chosen moment (``--today``) do not count.
        """
        row = self.db.execute("SELECT MAX(started) FROM runs WHERE calendar = ? AND error = '' "
                              "AND real_clock = 1", (calendar,)).fetchone()
        return dt.datetime.fromisoformat(row[0]) if row and row[0] else None

    def first_sync(self, calendar: str) -> dt.datetime | None:
        """Return the moment the first successful cycle of ``calendar`` ran as of (UTC), the
        one that recorded the calendar as it was; None when no cycle of it succeeded."""
        row = self.db.execute("SELECT started FROM runs WHERE calendar = ? AND error = '' "
                              "ORDER BY id LIMIT 1", (calendar,)).fetchone()
        return dt.datetime.fromisoformat(row[0]) if row else None

    def last_sync(self, calendar: str) -> dt.datetime | None:
        """Return the moment the latest successful cycle of ``calendar`` ran as of (UTC),
        a chosen one (``--today``) included; None when no cycle of it succeeded."""
        row = self.db.execute("SELECT started FROM runs WHERE calendar = ? AND error = '' "
                              "ORDER BY id DESC LIMIT 1", (calendar,)).fetchone()
        return dt.datetime.fromisoformat(row[0]) if row else None

    def runs(self, calendar: str) -> list[Run]:
        rows = self.db.execute(
            "SELECT started, ended, rows, findings, cells_written, error, real_clock FROM runs "
            "WHERE calendar = ? ORDER BY id", (calendar,)).fetchall()
        return [Run(dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b), r, f, c, e,
                    bool(real)) for a, b, r, f, c, e, real in rows]

    def reminders(self, calendar: str | None = None, post_id: str | None = None
                  ) -> list[Reminder]:
        """The reminder ledger (of one calendar, or one post of it), oldest first."""
        query = ("SELECT calendar, item, stage, recipient, state, at, post_id, client, subject, "
                 "error FROM reminders")
        where, args = [], []
        for column, value in (("calendar", calendar), ("post_id", post_id)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if where:
            query += " WHERE " + " AND ".join(where)
        rows = self.db.execute(query + " ORDER BY at, rowid", args).fetchall()
        return [Reminder(c, i, s, r, st, dt.datetime.fromisoformat(at), p, cl, su, e)
                for c, i, s, r, st, at, p, cl, su, e in rows]

    def record_reminders(self, reminders: Sequence[Reminder]) -> None:
        """Write ``reminders`` to the ledger in one transaction (a row per calendar, item,
        stage and recipient: a later state replaces an earlier one). Committed on return.

        ``state reset`` leaves the ledger alone: forgetting a calendar's history must not
        send its clients every reminder again. Raises StateError (nothing written).
        """
        for reminder in reminders:
            if reminder.state not in REMINDER_STATES:
                raise ValueError(f"unknown reminder state {reminder.state!r}")
        try:
            cursor = self.db.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                cursor.executemany(
                    "INSERT OR REPLACE INTO reminders (calendar, item, stage, recipient, state, "
                    "at, post_id, client, subject, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ((r.calendar, r.item, r.stage, r.recipient, r.state, iso(r.at), r.post_id,
                      r.client, r.subject, r.error) for r in reminders))
                cursor.execute("COMMIT")
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise state_error(self.path, exc) from exc

    def cache(self, prefix: str) -> StoreCache:
        """Return a string-to-string cache kept in this database (survives restarts)."""
        return StoreCache(self.db, prefix)

    # --- writing ------------------------------------------------------------------------
    def save(self, calendar: str, changes: Changes, run: Run,
             observation: tuple[str, bytes] | None = None) -> None:
        """Save one cycle's changes and its run record in a single transaction.

        ``observation`` is what the cycle observed and the token naming what it observed
        (the calendar's cells, read how): :meth:`kept_observation` gives it back while this
        cycle is the calendar's latest successful one. Without, any kept observation of
        ``calendar`` is dropped.

        Raises StateError (nothing saved) when the database is locked, full or damaged.
        """
        try:
            self._save(calendar, changes, run, observation)
        except sqlite3.Error as exc:
            raise state_error(self.path, exc) from exc

    def _save(self, calendar: str, changes: Changes, run: Run,
              observation: tuple[str, bytes] | None = None) -> None:
        cursor = self.db.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            texts = changes.posts[list(SNAPSHOT_COLUMNS)].astype(str)
            # Column by column, as object arrays: iterating a text column of pandas' own
            # string type yields its cells one Python call at a time.
            upserts = _posts_frame(list(zip(*(texts[name].to_numpy(dtype=object)
                                              for name in SNAPSHOT_COLUMNS))))
            if len(upserts):
                columns = ", ".join(SNAPSHOT_COLUMNS)
                marks = ", ".join("?" * (len(SNAPSHOT_COLUMNS) + 1))
                cursor.executemany(
                    f"INSERT OR REPLACE INTO posts (calendar, {columns}) VALUES ({marks})",
                    ((calendar, *r) for r in upserts.itertuples(index=False, name=None)))
            cursor.executemany("INSERT INTO transitions VALUES (?, ?, ?, ?, ?)",
                               ((calendar, *t) for t in changes.transitions))
            cursor.executemany(
                "INSERT INTO history (calendar, at, post_id, field, old, new, as_written) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((calendar, iso(h.at), h.post_id, h.field, h.old, h.new, int(h.as_written))
                 for h in changes.history))
            self._save_findings(cursor, calendar, changes.findings)
            self._log_run(cursor, calendar, run)
            self._save_observation(cursor, calendar, observation)
            kept = self._after_save(calendar, upserts, changes)
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        if kept is not None:
            self._kept[calendar] = kept

    def _save_findings(self, cursor: sqlite3.Cursor, calendar: str, findings: dict[str, str]
                       ) -> None:
        """Make the findings table hold ``findings`` for ``calendar`` (inside the write
        transaction). When the store knows what the table holds (read or saved by this store,
        no other connection having written since), only the differences are written: most
        findings stay open from one cycle to the next."""
        kept = self._kept.get(calendar)
        known = (kept.findings if kept is not None and kept.version == self._data_version()
                 else None)
        if known is None:
            cursor.execute("DELETE FROM findings WHERE calendar = ?", (calendar,))
            cursor.executemany("INSERT INTO findings VALUES (?, ?, ?)",
                               ((calendar, k, v) for k, v in findings.items()))
            return
        if findings == known:  # the usual cycle: the same findings, first seen as before
            return
        cursor.executemany("DELETE FROM findings WHERE calendar = ? AND key = ?",
                           ((calendar, k) for k in known.keys() - findings.keys()))
        cursor.executemany("INSERT OR REPLACE INTO findings VALUES (?, ?, ?)",
                           ((calendar, k, v) for k, v in findings.items() - known.items()))

    @staticmethod
    def _save_observation(cursor: sqlite3.Cursor, calendar: str,
                          observation: tuple[str, bytes] | None) -> None:
        """Keep ``observation`` with the run just logged (inside the write transaction), or
        drop the one kept."""
        record_key, data_key = _observation_keys(calendar)
        if observation is None:
            cursor.execute("DELETE FROM meta WHERE key IN (?, ?)", (record_key, data_key))
            return
        token, data = observation
        record = json.dumps({"token": token, "run": cursor.lastrowid})
        cursor.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                           ((data_key, data), (record_key, record)))

    def _after_save(self, calendar: str, upserts: pd.DataFrame, changes: Changes
                    ) -> _Kept | None:
        """What is kept of ``calendar`` with this save applied, as the database now reads.

        Called inside the write transaction, so no other connection writes in between.
        Returns None (nothing kept) when another connection wrote since it was read: the
        next cycle then reads the database.
        """
        kept = self._kept.pop(calendar, None)
        if kept is None or kept.version != self._data_version():
            return None
        history = [HistoryEntry(dt.datetime.fromisoformat(iso(h.at)), h.post_id, h.field,
                                h.old, h.new, h.as_written) for h in changes.history]
        return _Kept(
            kept.version,
            posts=None if kept.posts is None else _upserted(kept.posts, upserts),
            history=None if kept.history is None else [*kept.history, *history],
            transitions=None if kept.transitions is None else _appended(
                kept.transitions, transitions_frame(changes.transitions)),
            findings=dict(changes.findings))

    def log_failure(self, calendar: str, run: Run) -> None:
        """Record a failed cycle in the run log (nothing else changes); best effort."""
        with contextlib.suppress(sqlite3.Error):  # a locked or broken database: keep the error
            self._log_run(self.db.cursor(), calendar, run)

    @staticmethod
    def _log_run(cursor: sqlite3.Cursor, calendar: str, run: Run) -> None:
        cursor.execute(
            "INSERT INTO runs (calendar, started, ended, rows, findings, cells_written, error, "
            "real_clock) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (calendar, iso(run.started), iso(run.ended), run.rows, run.findings,
             run.cells_written, run.error, int(run.real_clock)))

    def reset(self, calendars: Sequence[str] | None = None) -> None:
        """Forget everything about ``calendars`` (all when None), and every cache.

        The caches (spreadsheet layouts, the portfolio's last digest) of every calendar
        go too: a reset is what a person reaches for when something looks stuck, and a
        cache only saves a re-read.
        """
        self._kept.clear()
        tables = ("posts", "transitions", "history", "findings", "runs")
        cursor = self.db.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        for table in tables:
            if calendars is None:
                cursor.execute(f"DELETE FROM {table}")
            else:
                cursor.executemany(f"DELETE FROM {table} WHERE calendar = ?",
                                   ((c,) for c in calendars))
        cursor.execute("DELETE FROM meta WHERE key LIKE 'cache:%'")
        cursor.execute("COMMIT")


def _object_frame(rows: Sequence[tuple[str, ...]], columns: Sequence[str]) -> pd.DataFrame:
    """Rows of texts as a frame whose every column keeps dtype object."""
    values = np.empty((len(rows), len(columns)), dtype=object)
    if len(rows):
        values[:] = rows
    return pd.DataFrame(values, columns=list(columns), dtype=object)


def _posts_frame(rows: list[tuple[str, ...]]) -> pd.DataFrame:
    """Rows of SNAPSHOT_COLUMNS texts as a snapshot frame indexed by post ID.

    Everything stays of dtype object, the index too: looking post IDs up in an index of
    another string dtype is several times slower.
    """
    return _object_frame(rows, SNAPSHOT_COLUMNS).set_index("post_id", drop=False)


def _upserted(frame: pd.DataFrame, upserts: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the rows of ``upserts`` replacing or added to it (a new frame)."""
    if not len(upserts):
        return frame
    upserts = upserts[~upserts.index.duplicated(keep="last")]  # as INSERT OR REPLACE does
    where = frame.index.get_indexer(upserts.index)
    known = where >= 0
    out = frame
    if known.any():
        out = frame.copy()  # frames handed out stay as they were
        out.iloc[where[known]] = upserts[known].to_numpy(dtype=object)
    if not known.all():
        out = pd.concat([out, upserts[~known]])
        out.index = out.index.astype(object)  # concat makes it a string dtype
    return out


def _appended(frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """``frame`` followed by ``rows`` (a new frame; ``frame`` itself when there are none)."""
    return pd.concat([frame, rows], ignore_index=True) if len(rows) else frame


def transitions_frame(rows: Sequence[tuple[str, str, str, str]]) -> pd.DataFrame:
    """Transitions (post ID, ISO UTC time, from, to) as a frame with naive UTC times."""
    frame = _object_frame(rows, ("post_id", "at", "from_status", "to_status"))
    frame["at"] = pd.to_datetime(frame["at"], utc=True).dt.tz_localize(None)
    return frame


def _history(rows: list[tuple[str, str, str, str, str, int]]) -> list[HistoryEntry]:
    """History rows (ISO time, post ID, field, old, new, as written) as entries."""
    times: dict[str, dt.datetime] = {}  # the entries of one cycle share their time
    for at, *_ in rows:
        if at not in times:
            times[at] = dt.datetime.fromisoformat(at)
    return [HistoryEntry(times[at], pid, fld, old, new, bool(written))
            for at, pid, fld, old, new, written in rows]


def _observation_keys(calendar: str) -> tuple[str, str]:
    """The meta keys of a calendar's kept observation: its record (token and run) and its
    data. Among the calendar's caches, so that ``state reset`` drops it too."""
    return f"cache:{calendar}:observation", f"cache:{calendar}:observation-data"


# What a column an earlier schema lacks reads as (see StateStore._select).
_DEFAULTS = {"status_text": "''", "as_written": "0"}


def _columns(cursor: sqlite3.Cursor, table: str) -> set[str]:
    """The names of the columns of ``table``."""
    return {row[1] for row in cursor.execute(f"PRAGMA table_info({table})").fetchall()}
