"""``mark_exported``: the exported posts' status set in the calendar, guarded as the sync's
own writes into calendar cells are (:mod:`sheets_sync.guarded`).

Off unless configured (``mark_exported = "Scheduled"``). After the files are written, the
rows of the exported posts are read again, all in one read, under the calendar's sync lock;
a row that no longer holds exactly what the export read (a person edited, inserted, deleted
or sorted rows meanwhile) is not written, and is named. The others get the configured status
word in one write. A row with a channel left out is not marked: marking it would keep the
left-out channel from a later export.
"""

from __future__ import annotations

from sheets_sync.backends import open_backend
from sheets_sync.cells import same_row
from sheets_sync.export import ExportResult
from sheets_sync.locking import cycle_lock
from sheets_sync.stores import state_path_for


def mark_exported(result: ExportResult, state_path: str = "") -> tuple[list[str], list[str]]:
    """Set the status of the rows ``result`` exported to ``config.mark_exported``; return
    one line per row marked and per row not marked (why).

    Does nothing when ``mark_exported`` is not configured. Raises UsageError for a calendar
    that cannot be written (a .csv), CycleLocked while a sync of the calendar runs, and the
    backend's errors; ``result.marked`` and ``result.not_marked`` get the lines too.
    """
    config = result.config
    text = config.mark_exported
    if not text or not result.posts:
        return [], []
    calendar = result.calendar
    if "status" not in calendar.columns:
        refused = [f"mark_exported: not done: the calendar has no {calendar.header('status')} "
                   "column to write the status into"]
        result.not_marked = refused
        return [], refused
    partial = {p.row for p in result.left_out}
    rows = sorted({p.row for p in result.posts})
    refused = [f"row {row}: status not set to “{text}”: another channel of its post was left "
               "out; set it by hand once every channel is scheduled"
               for row in rows if row in partial]
    wanted = [row for row in rows if row not in partial]
    column = calendar.columns["status"] + 1
    marked: list[str] = []
    if wanted:
        with cycle_lock(state_path or state_path_for(config), config.name):
            backend = open_backend(config)
            now = backend.read_rows(result.tab, wanted)
            cells = {}
            for row in wanted:
                read = list(result.rows[row - 1]) if row - 1 < len(result.rows) else []
                if not same_row(now.get(row, []), read):
                    refused.append(f"row {row}: status not set to “{text}”: the row changed "
                                   "since the export read it; check it and set it by hand")
                    continue
                cells[(row, column)] = text
                marked.append(f"row {row}: status set to “{text}”")
            if cells:
                backend.write_cells(result.tab, cells)
    result.marked, result.not_marked = marked, sorted(refused, key=_row_of)
    return marked, result.not_marked


def _row_of(line: str) -> int:
    return int(line.split()[1].rstrip(":"))
