"""A calendar file opened read-only: any workbook (.xlsx, .xlsm, .xlsb, .xls, .ods) or
delimited text (.csv, .tsv, .txt), as ``audit`` reads it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from sheets_sync.backends.base import Backend, SheetRead
from sheets_sync.backends.files import Limits, read_tab
from sheets_sync.cells import Cell, Grid
from sheets_sync.errors import UsageError


class FileBackend(Backend):
    """Reads the calendar tab of a local file; every write is refused (UsageError).

    The owned tabs are not read (they read as missing): an audit does not compare them.
    """

    def __init__(self, path: str | Path, *, limits: Limits | None = None) -> None:
        self.path = Path(path)
        self.limits = limits or Limits()  # how large a workbook is read (files.read_tab)

    def read(self, tab: str, owned: Sequence[str]) -> SheetRead:
        grid = read_tab(self.path, tab, skip=owned, limits=self.limits)
        return SheetRead(tab=grid.tab, rows=grid.rows, owned=dict.fromkeys(owned),
                         source=grid.source)

    def write(self, tabs: Mapping[str, Grid]) -> None:
        raise self._read_only()

    def read_row(self, tab: str, row: int) -> list[Cell]:
        rows = read_tab(self.path, tab, limits=self.limits).rows
        return list(rows[row - 1]) if 0 < row <= len(rows) else []

    def write_cells(self, tab: str, cells: Mapping[tuple[int, int], Cell]) -> None:
        raise self._read_only()

    def _read_only(self) -> UsageError:
        return UsageError(f"{self.path} was opened read-only (an audit); nothing was written")
