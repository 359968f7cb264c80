"""The History tab: every observed change of a post, oldest first, in the calendar's zone."""

from __future__ import annotations

from collections.abc import Sequence

from sheets_sync.cells import Grid
from sheets_sync.config import CalendarConfig
from sheets_sync.model import HistoryEntry
from sheets_sync.outputs.convert import local
from sheets_sync.outputs.labels import HISTORY_COLUMNS


def history_grid(entries: Sequence[HistoryEntry], config: CalendarConfig) -> Grid:
    """Return the History tab: a header, then one row per entry in the given order.

    Times are shown in the calendar's time zone; old and new values stay literal text.
    """
    grid: Grid = [list(HISTORY_COLUMNS.get(config.language, HISTORY_COLUMNS["en"]))]
    grid += [[local(e.at, config.timezone), e.post_id, e.field, e.old, e.new] for e in entries]
    return grid
