"""The backend contract: read a calendar and the owned tabs, write the owned tabs.

Every backend (memory, xlsx, google) implements :class:`Backend` and passes the shared
contract tests in ``tests/test_backend_contract.py``.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None
Grid = list[list[Cell]]


@dataclass(frozen=True)
class Snapshot:
    """What one read returns: the calendar's cells and the owned tabs' current cells.

    ``owned`` maps each requested owned tab to its rows, or to None when the tab does not
    exist yet. ``timezone`` is the spreadsheet's own time zone when the backend knows it.
    """

    tab: str
    rows: Sequence[Sequence[Cell]]  # a Grid, or a ColumnGrid when read column by column
    owned: dict[str, Grid | None]
    source: str
    timezone: str = ""
    extra: dict[str, str] = field(default_factory=dict)


class Backend(abc.ABC):
    """Where a calendar lives. Reads and writes are whole-tab and as few as possible."""

    @abc.abstractmethod
    def read(self, tab: str, owned: Sequence[str]) -> Snapshot:
        """Read the calendar tab (``""``: the first tab not in ``owned``) and the owned tabs.

        Raises CalendarError when the tab is missing, SourceError when unreadable.
        """

    @abc.abstractmethod
    def write(self, tabs: Mapping[str, Grid]) -> None:
        """Make each owned tab hold exactly ``tabs[name]``, creating tabs that are missing.

        All tabs are written together or not at all. Raises SourceError on failure.
        """

    @abc.abstractmethod
    def read_row(self, tab: str, row: int) -> list[Cell]:
        """Return the current cells of sheet row ``row`` (1-based) of ``tab``, freshly read."""

    @abc.abstractmethod
    def write_cells(self, tab: str, cells: Mapping[tuple[int, int], Cell]) -> None:
        """Write single cells ``(row, column)`` (1-based) into ``tab`` (guarded writes only)."""


SERIAL_EPOCH = dt.datetime(1899, 12, 30)


def normalize_cell(value: Cell) -> Cell:
    """Return a cell as every backend reads it back, for comparisons.

    Blanks become None, numbers float (rounded to 6 decimals), dates and datetimes the
    spreadsheet serial number they are stored as (Google answers serials, workbooks dates).
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        return round((value.replace(tzinfo=None) - SERIAL_EPOCH) / dt.timedelta(days=1), 6)
    if isinstance(value, dt.date):
        return float((value - SERIAL_EPOCH.date()).days)
    if isinstance(value, (int, float)):
        return round(float(value), 6)
    return value


def normalize_grid(rows: Sequence[Sequence[Cell]] | None) -> list[tuple[Cell, ...]]:
    """Return ``rows`` without trailing blank cells and rows, every cell normalized."""
    out: list[tuple[Cell, ...]] = []
    for row in rows or ():
        cells = [normalize_cell(c) for c in row]
        while cells and cells[-1] is None:
            cells.pop()
        out.append(tuple(cells))
    while out and not out[-1]:
        out.pop()
    return out


def same_grid(a: Sequence[Sequence[Cell]] | None, b: Sequence[Sequence[Cell]] | None) -> bool:
    """Return whether two grids hold the same values as a spreadsheet would show them.

    The same as ``normalize_grid(a) == normalize_grid(b)``, only faster.
    """
    a, b = a or (), b or ()
    used = _used_rows(a)
    return used == _used_rows(b) and first_difference(a, b) == used


def first_difference(a: Sequence[Sequence[Cell]], b: Sequence[Sequence[Cell]]) -> int:
    """Return the first row where ``normalize_grid(a)`` and ``normalize_grid(b)`` differ.

    When one is the beginning of the other, that is the shorter one's length. Cells are
    normalized only where they are not plainly equal, which for a tab read back after
    being written is rare (dates, whole numbers read as floats).
    """
    common = min(_used_rows(a), _used_rows(b))
    serials: dict[dt.datetime, Cell] = {}
    for index in range(common):
        if not _same_row(a[index], b[index], serials):
            return index
    return common


# Two cells of one of these types that compare equal normalize to equal values (not so
# datetimes: equal moments at different UTC offsets show different times).
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _same_row(a: Sequence[Cell], b: Sequence[Cell], serials: dict[dt.datetime, Cell]) -> bool:
    """Whether two rows normalize to the same tuple (``serials``: normalized date-times)."""
    for x, y in zip(a, b):
        if not (type(x) is type(y) and type(x) in _PLAIN and x == y) and (
                _normalized(x, serials) != _normalized(y, serials)):
            return False
    longer = a if len(a) > len(b) else b
    return all(_blank(c) for c in longer[min(len(a), len(b)):])


def _normalized(cell: Cell, serials: dict[dt.datetime, Cell]) -> Cell:
    """normalize_cell, remembering naive date-times (a tab repeats its time stamps)."""
    if type(cell) is not dt.datetime or cell.tzinfo is not None:
        return normalize_cell(cell)
    if cell not in serials:
        serials[cell] = normalize_cell(cell)
    return serials[cell]


def _blank(cell: Cell) -> bool:
    return cell is None or cell == ""


def _used_rows(rows: Sequence[Sequence[Cell]]) -> int:
    """The number of rows left once trailing blank rows are dropped."""
    used = len(rows)
    while used and all(_blank(c) for c in rows[used - 1]):
        used -= 1
    return used
