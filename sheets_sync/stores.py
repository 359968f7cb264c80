"""Where a calendar's state lives, the state stores a daemon keeps open between cycles, and
resetting a calendar's state."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from sheets_sync.config import CalendarConfig, state_file_kind

if TYPE_CHECKING:  # the state database's module only where one is opened
    from sheets_sync.state import StateError, StateStore

log = logging.getLogger("sheets_sync.stores")


def state_path_for(config: CalendarConfig, configured: str = "") -> str:
    """Return the state database path: the configured one (relative to the configuration's
    folder), else beside the calendar file (``plan.xlsx``: ``plan.sheets-sync.db``), else, for
    a calendar with no file (Google), beside the configuration, named after the calendar
    (``acme.sheets-sync.db``).

    A calendar's own name, not the configuration file's: each calendar keeps its state in a
    file of its own, as a workbook does, and renaming the configuration file loses nothing.
    State that earlier versions kept beside the configuration's folder (``FOLDER.sheets-sync
    .db`` in its parent) is still used, with a warning, until it is moved or configured.
    """
    if configured:
        path = Path(configured).expanduser()
        return str(path if path.is_absolute() else Path(config.base_dir or ".") / path)
    if config.path and config.backend != "google":
        location = config.location()
        return str(location.with_name(location.stem + ".sheets-sync.db"))
    folder = Path(os.path.normpath(Path(config.base_dir or ".").expanduser()))
    path = folder / f"{_file_name(config.name)}.sheets-sync.db"
    earlier = folder.with_name(folder.name + ".sheets-sync.db") if folder.name else None
    if earlier is not None and not path.exists() and earlier.is_file():
        log.warning("calendar %r keeps its state in %s, where earlier versions put it; move it "
                    "to %s, or set state_path = %r in the configuration", config.name,
                    earlier, path, str(earlier))
        return str(earlier)
    return str(path)


def _file_name(name: str) -> str:
    """A calendar's name as part of a file name: no folder separators or other oddities."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name) or "calendar"


class StorePool:
    """State stores kept open from one cycle to the next (the daemon), one per database.

    An open store keeps what it read and saved in memory, so a daemon's cycle does not read
    every post back from the database. A store is reused only while the file at its path is
    the one it opened (``state reset`` or a restored backup puts another file there); one
    whose cycle failed on the database is closed, and the next cycle opens the file afresh.
    Changes made through other connections are seen as :class:`StateStore` promises.
    """

    def __init__(self) -> None:
        self._open: dict[str, tuple[StateStore, tuple[int, int]]] = {}

    def get(self, path: str) -> StateStore:
        """The open store of ``path`` when it still reads the same file, else a new one."""
        kept = self._open.get(path)
        if kept is not None and kept[1] == _file_identity(path):
            return kept[0]
        from sheets_sync.state import StateStore

        self.discard(path)
        store = StateStore(path)
        identity = _file_identity(path)
        if identity is not None:  # an in-memory database cannot be found again
            self._open[path] = (store, identity)
        return store

    def owns(self, store: StateStore) -> bool:
        return any(kept is store for kept, _ in self._open.values())

    def discard(self, path: str) -> None:
        """Close the store of ``path``, if one is open."""
        kept = self._open.pop(path, None)
        if kept is not None:
            kept[0].close()

    def close(self) -> None:
        for path in list(self._open):
            self.discard(path)


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    return stat.st_dev, stat.st_ino


def reset_state(state_path: str, calendar: str) -> str:
    """Forget ``calendar`` in the state database; a damaged database is moved aside.

    Returns a sentence saying what was done. Raises StateLocked, changing nothing, while
    another program holds the database, and StateError, changing nothing, when the file at
    ``state_path`` is not a state database (:func:`sheets_sync.config.state_file_kind`): a
    slip such as ``state_path = "calendar.xlsx"`` must never rename the client's workbook.
    """
    import sqlite3

    from sheets_sync.state import StateError, StateLocked, StateStore, state_error

    path = Path(state_path)
    kind = state_file_kind(path)
    if kind == "missing":
        return f"no state database at {path}; nothing to reset"
    if kind == "empty":  # no state in it; opening it would write a database into it
        return f"{path} is empty: no state to reset, and it was left as it is"
    if kind in ("foreign", "unreadable"):
        raise _not_ours(path, kind)
    try:
        store = StateStore(state_path)
    except StateLocked:
        raise
    except StateError:
        return _move_aside(path)
    try:
        store.reset([calendar])
    except sqlite3.DatabaseError as exc:
        store.close()
        error = state_error(state_path, exc)
        if isinstance(error, StateLocked):
            raise error from exc
        return _move_aside(path)
    store.close()
    return f"forgot everything about calendar {calendar!r} in {path}"


def _not_ours(path: Path, kind: str) -> StateError:
    from sheets_sync.state import StateError

    what = "cannot be read" if kind == "unreadable" else (
        "is not a sheets-sync state database (not an SQLite file)")
    return StateError(f"{path} {what}: it was left as it is. Check `state_path` in the "
                      "configuration: it must name a file of its own, such as "
                      "\"sheets-sync.db\"")


def _move_aside(path: Path) -> str:
    """Rename a damaged database (and its -wal/-shm companions) to the next free FILE.broken.

    Only a file that is a database (its SQLite header, or a database's name and no other
    format's header: see :func:`sheets_sync.config.state_file_kind`) is ever moved; anything
    else raises StateError, changing nothing.
    """
    kind = state_file_kind(path)
    if kind not in ("sqlite", "damaged"):
        raise _not_ours(path, kind)
    broken, number = path.with_name(path.name + ".broken"), 1
    while broken.exists():  # never overwrite an earlier broken copy
        number += 1
        broken = path.with_name(f"{path.name}.broken{number}")
    path.replace(broken)
    for suffix in ("-wal", "-shm"):  # a stale -wal beside a new database would be replayed
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.replace(broken.with_name(broken.name + suffix))
    return f"{path} could not be used and was moved to {broken}; the next sync starts afresh"
