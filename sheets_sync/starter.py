"""``sheets-sync init``: a commented configuration and a sample calendar to try the tool with."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sheets_sync.errors import UsageError

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
        verb = "already exists" if len(existing) == 1 else "already exist"
        raise UsageError(f"{', '.join(map(str, existing))} {verb}; nothing written "
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
