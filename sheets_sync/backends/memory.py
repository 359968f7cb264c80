"""An in-memory spreadsheet: the test fake and the ``--dry-run`` target."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

from sheets_sync.backends.base import Backend, SheetRead
from sheets_sync.backends.owned import adoptable, same_tab
from sheets_sync.cells import Cell, Grid
from sheets_sync.errors import CalendarError, ForeignTabError, SourceError
from sheets_sync.looks import Highlight


class MemoryBackend(Backend):
    """Tabs held in a dict; counts calls so tests can assert on reads and writes.

    ``fail_writes`` makes the next N writes raise SourceError (nothing is changed). Tabs
    given to the constructor are the user's; ``marked`` holds the tabs write() created (or
    adopted), the only ones it replaces (see :mod:`sheets_sync.backends.owned`).
    """

    def __init__(self, tabs: Mapping[str, Grid] | None = None, timezone: str = "",
                 name: str = "memory") -> None:
        self.tabs: dict[str, Grid] = {k: copy.deepcopy(v) for k, v in (tabs or {}).items()}
        self.timezone = timezone
        self.name = name
        self.reads = 0
        self.writes = 0
        self.cell_writes = 0
        self.fail_writes = 0
        self.marked: set[str] = set()
        self.highlighted: dict[str, Highlight] = {}  # calendar tab -> its colours
        self._calendar = ""

    def read(self, tab: str, owned: Sequence[str]) -> SheetRead:
        self.reads += 1
        name = tab or next((t for t in self.tabs if t not in owned), "")
        if name not in self.tabs:
            existing = ", ".join(repr(t) for t in self.tabs) or "none"
            raise CalendarError(f"{self.name}: no tab {tab or '(calendar)'!r} "
                                f"(tabs: {existing})")
        self._calendar = name
        return SheetRead(
            tab=name,
            rows=copy.deepcopy(self.tabs[name]),
            owned={t: copy.deepcopy(self.tabs[t]) if t in self.tabs else None for t in owned},
            source=f"{self.name}, tab {name!r}",
            timezone=self.timezone,
        )

    def write(self, tabs: Mapping[str, Grid]) -> None:
        if self.fail_writes:
            self.fail_writes -= 1
            raise SourceError(f"{self.name}: write failed (injected)")
        for name, rows in tabs.items():
            if name in self.tabs and (same_tab(name, self._calendar) or (
                    name not in self.marked and not adoptable(self.tabs[name], rows))):
                raise ForeignTabError(self.name, name)
        self.writes += 1
        self.marked |= set(tabs)
        for name, rows in tabs.items():
            self.tabs[name] = copy.deepcopy([list(r) for r in rows])

    def read_row(self, tab: str, row: int) -> list[Cell]:
        self.reads += 1
        rows = self.tabs.get(tab, [])
        return list(rows[row - 1]) if 0 < row <= len(rows) else []

    def highlight(self, tab: str, spec: Highlight | None, status_tab: str) -> bool:
        if self.highlighted.get(tab) == spec:
            return False
        if spec is None:
            del self.highlighted[tab]
        else:
            self.highlighted[tab] = spec
        return True

    def write_cells(self, tab: str, cells: Mapping[tuple[int, int], Cell]) -> None:
        if self.fail_writes:
            self.fail_writes -= 1
            raise SourceError(f"{self.name}: write failed (injected)")
        self.cell_writes += 1
        rows = self.tabs.setdefault(tab, [])
        for (row, column), value in cells.items():
            while len(rows) < row:
                rows.append([])
            line = rows[row - 1]
            while len(line) < column:
                line.append(None)
            line[column - 1] = value
