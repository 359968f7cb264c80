"""Setting up and tidying: ``init`` files and resetting the state database."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

from sheets_sync.errors import UsageError
from sheets_sync.state import StateError, StateStore

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

    Returns a sentence saying what was done.
    """
    path = Path(state_path)
    if not path.exists():
        return f"no state database at {path}; nothing to reset"
    try:
        store = StateStore(state_path)
    except StateError:
        broken = path.with_name(path.name + ".broken")
        path.replace(broken)
        return f"{path} could not be used and was moved to {broken}; the next sync starts afresh"
    try:
        store.reset([calendar])
    except sqlite3.DatabaseError:
        store.close()
        broken = path.with_name(path.name + ".broken")
        path.replace(broken)
        return f"{path} could not be used and was moved to {broken}; the next sync starts afresh"
    store.close()
    return f"forgot everything about calendar {calendar!r} in {path}"
