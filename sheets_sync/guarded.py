"""The only writes into the client's calendar cells, each opted into and guarded.

* ``assign_ids = true``: a post without an ID gets one.
* ``rules.revisions.on_exceed = "hold"``: a post beyond its revision limit is put on hold.

Before writing, the target rows are read again, all in one read; a cell is written only when
its row still holds exactly what this cycle read (same post, same content). Otherwise that
write is refused and reported, and the next cycle tries again with fresh data. The cells that
pass are written together, in one write: a cycle costs two calls whatever the number of
posts (re-reading and rewriting the workbook once per post made 100 new IDs in a 5,000-row
workbook take half a minute).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from sheets_sync.backends.base import Backend
from sheets_sync.cells import Cell, same_row
from sheets_sync.config import CalendarConfig
from sheets_sync.parse import Calendar

ID_PREFIX = "SS-"
HOLD_TEXT = {"en": "On hold", "tr": "Beklemede"}


def _next_ids(existing: pd.Series, count: int) -> list[str]:
    numbers = existing.str.extract(rf"^{re.escape(ID_PREFIX)}(\d+)$", expand=False)
    highest = pd.to_numeric(numbers, errors="coerce").max(skipna=True)
    start = 0 if pd.isna(highest) else int(highest)
    return [f"{ID_PREFIX}{start + i:05d}" for i in range(1, count + 1)]


def guarded_writes(calendar: Calendar, findings: pd.DataFrame, backend: Backend,
                   rows: Sequence[Sequence[Cell]], tab: str, config: CalendarConfig
                   ) -> list[str]:
    """Carry out the configured guarded writes; return one line per write done or refused."""
    frame = calendar.frame
    planned: list[tuple[int, int, Cell, str]] = []  # (row, column, value, what)
    if config.assign_ids and calendar.has_id_column:
        missing = frame.loc[frame["post_id"] == "", "row"].tolist()
        column = calendar.columns["post_id"] + 1
        for row, new_id in zip(missing, _next_ids(frame["post_id"], len(missing))):
            planned.append((row, column, new_id, f"row {row}: ID {new_id} assigned"))
    refused: list[str] = []
    holding = [c for c in frame["client"].unique()
               if config.for_client(c).rules.revisions.on_exceed == "hold"]
    if holding:
        over = findings[(findings["code"] == "revision-limit-exceeded")
                        & findings["client"].isin(holding)]
        on_hold = set(frame.loc[frame["status"] == "on_hold", "row"])
        column = calendar.columns["status"] + 1
        text = HOLD_TEXT.get(config.language, HOLD_TEXT["en"])
        ids = frame["post_id"]
        shared = set(ids[ids.duplicated(keep=False)]) - {""}
        for row, post_id in zip(over["row"], over["post_id"]):
            if post_id in shared:  # which row is the post is unknown (see history.observe)
                refused.append(f"row {row}: post {post_id} not put on hold: its ID is on "
                               "several rows; give every post its own ID")
            elif int(row) not in on_hold:
                planned.append((int(row), column, text,
                                f"row {row}: post {post_id} put on hold (revision limit)"))
    done: list[str] = refused
    if not planned:
        return done
    now = backend.read_rows(tab, [row for row, *_ in planned])
    cells: dict[tuple[int, int], Cell] = {}
    for row, column, value, what in planned:
        expected = list(rows[row - 1]) if row - 1 < len(rows) else []
        if not same_row(now.get(row, []), expected):
            done.append(f"{what} — not done: the row changed since it was read; "
                        "the next sync will try again")
            continue
        cells[(row, column)] = value
        done.append(what)
    if cells:
        backend.write_cells(tab, cells)
    return done
