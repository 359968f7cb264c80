"""The local workbook backend: fast reads with python-calamine, surgical zip writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from sheets_sync.backends.base import Backend, SheetRead
from sheets_sync.backends.files import Limits, read_tabs
from sheets_sync.backends.xlsx_highlight import set_highlight
from sheets_sync.backends.xlsx_write import Ownership, replace_tabs, set_cells
from sheets_sync.cells import Cell, Grid
from sheets_sync.errors import SourceError, UsageError
from sheets_sync.looks import Highlight


class XlsxBackend(Backend):
    """A calendar kept in a local .xlsx workbook.

    Writes replace only the owned tabs' parts inside the zip; every other part of the
    workbook stays byte-identical. Writing is refused while Excel or LibreOffice holds the
    workbook open (their lock file is present). Only tabs the tool created are replaced, and
    never the tab last read as the calendar (:class:`~sheets_sync.backends.xlsx_write.Ownership`).
    """

    def __init__(self, path: str | Path, timezone: str = "", *,
                 limits: Limits | None = None) -> None:
        self.path = Path(path)
        self.timezone = timezone
        self.limits = limits or Limits()  # how large a workbook is read (files.read_tabs)
        self._read_as: tuple[int, int, int] | None = None  # the file the last read() saw
        self._calendar = ""  # the tab the last read() took as the calendar
        self._seen: dict[str, Grid | None] = {}  # the owned tabs as the last read() saw them
        if self.path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise UsageError(f"{self.path}: sync writes .xlsx or .xlsm workbooks; convert this "
                             "file or audit it instead (`sheets-sync audit`)")

    def read(self, tab: str, owned: Sequence[str]) -> SheetRead:
        try:
            self._read_as = _identity(self.path)
        except SourceError:  # missing or unreadable: read_tabs says so in its own words
            self._read_as = None
        calendar, others = read_tabs(self.path, tab, owned, self.limits)
        self._calendar, self._seen = calendar.tab, dict(others)
        return SheetRead(tab=calendar.tab, rows=calendar.rows, owned=others,
                        source=calendar.source, timezone=self.timezone)

    def write(self, tabs: Mapping[str, Grid]) -> None:
        # The tabs were derived from what read() saw: never write them into another file.
        if self._read_as is not None and _identity(self.path) != self._read_as:
            raise SourceError(f"{self.path} changed since it was read (saved again, replaced or "
                              "synced by another program); nothing was written, and the next "
                              "sync reads the new version")
        # Outputs hold text, numbers, booleans, dates and blanks: what the writer accepts.
        replace_tabs(self.path, tabs, Ownership(self._calendar, self._rows))
        self._read_as = _identity(self.path)
        self._seen.update((name, None) for name in tabs)  # no longer what was read

    def _rows(self, name: str) -> Grid | None:
        """An unmarked tab's rows: as the last read() saw them (the same file: write()
        checks that), else read now."""
        seen = self._seen.get(name)
        return seen if seen is not None else read_tabs(self.path, name, (), self.limits)[0].rows

    def read_row(self, tab: str, row: int) -> list[Cell]:
        return self.read_rows(tab, [row])[row]

    def read_rows(self, tab: str, rows: Sequence[int]) -> dict[int, list[Cell]]:
        """One read of the tab, however many rows are asked for."""
        grid = read_tabs(self.path, tab, (), self.limits)[0].rows
        return {row: list(grid[row - 1]) if 0 < row <= len(grid) else [] for row in rows}

    def write_cells(self, tab: str, cells: Mapping[tuple[int, int], Cell]) -> None:
        set_cells(self.path, tab, cells)

    def highlight(self, tab: str, spec: Highlight | None, status_tab: str) -> bool:
        """A conditional format on the calendar sheet reading the Status tab, its cells left
        byte for byte (:mod:`sheets_sync.backends.xlsx_highlight`)."""
        if self._read_as is not None and _identity(self.path) != self._read_as:
            raise SourceError(f"{self.path} changed since it was read; the calendar's colours "
                              "are left for the next sync")
        wrote = set_highlight(self.path, tab, spec, status_tab)
        self._read_as = _identity(self.path)
        return wrote


def _identity(path: Path) -> tuple[int, int, int]:
    """The file's (modification time, size, inode); SourceError when it is gone."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise SourceError(f"{path} was deleted or moved since it was read; nothing was "
                          "written") from None
    except OSError as exc:
        raise SourceError(f"{path} cannot be read: {exc.strerror or exc}") from None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino
