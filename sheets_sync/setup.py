"""Setting up and tidying: ``init`` files and resetting the state database."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

from sheets_sync.errors import UsageError
from sheets_sync.state import StateError, StateLocked, StateStore, state_error

DATA_DIR = Path(__file__).resolve().parent / "data"
CONFIG_NAME = "sheets-sync.toml"
WORKBOOK_NAME = "calendar.xlsx"


def init(directory: Path) -> list[Path]:
    """Write the commented example configuration and the sample workbook into ``directory``.

    Raises UsageError, writing nothing, when either file already exists.
    """
    config_path, workbook_path = directory / CONFIG_NAME, directory / WORKBOOK_NAME
    existing = [p for p in (config_path, workbook_path) if p.exists()]
    if existing:
        raise UsageError(f"{', '.join(map(str, existing))} already exist(s); nothing written "
                         "(choose another directory)")
    data = DATA_DIR
    text = (data / "example.toml").read_text(encoding="utf-8")
    text, count = re.subn(r'(?m)^path = ".*"', f'path = "{WORKBOOK_NAME}"', text, count=1)
    if count != 1:  # the bundled example always names its workbook; keep it that way
        raise RuntimeError("bundled example configuration has no calendar path")
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(data / WORKBOOK_NAME, workbook_path)
    config_path.write_text(text, encoding="utf-8")
    return [config_path, workbook_path]


def reset_state(state_path: str, calendar: str) -> str:
    """Forget ``calendar`` in the state database; a damaged database is moved aside.

    Returns a sentence saying what was done. Raises StateLocked, changing nothing, while
    another program holds the database.
    """
    path = Path(state_path)
    if not path.exists():
        return f"no state database at {path}; nothing to reset"
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


def _move_aside(path: Path) -> str:
    """Rename a damaged database (and its -wal/-shm companions) to the next free FILE.broken."""
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
