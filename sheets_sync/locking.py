"""One cycle of a calendar at a time: an exclusive lock file beside the state database."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from sheets_sync.errors import SheetsSyncError
from sheets_sync.state import StateError, open_private


class CycleLocked(SheetsSyncError):
    """Another cycle of the same calendar is running (exit 3)."""

    exit_code = 3


@contextlib.contextmanager
def cycle_lock(state_path: str, calendar: str) -> Iterator[None]:
    """Hold an exclusive lock for one calendar's cycle; raises CycleLocked when taken.

    The lock file is named after the database's real path (symbolic links and relative
    paths resolved), so every way of naming one database takes the same lock; it is created
    readable by its owner only, in a folder created if missing.
    """
    if state_path == ":memory:":
        yield
        return
    lock_path = Path(f"{Path(state_path).resolve()}.{_safe(calendar)}.lock")
    try:  # held open for the lock's lifetime
        handle = os.fdopen(open_private(lock_path), "a+")
    except OSError as exc:  # a read-only or missing directory; nothing was done yet
        raise StateError(f"cannot create the lock file {lock_path} ({exc.strerror or exc}): the "
                         "state database's folder must be writable; set state_path in the "
                         "configuration to a writable place") from None
    try:
        if not _try_lock(handle):
            raise CycleLocked(f"another sync of calendar {calendar!r} is running (lock file "
                              f"{lock_path}); this run did nothing")
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def _try_lock(handle: object) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[attr-defined]
    except OSError:
        return False
    return True


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
