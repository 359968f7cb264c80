"""The data shapes every layer shares: cells, grids, column grids and spreadsheet serial dates.

The core (parse, rules, outputs, history) and the edges (backends, state) both use these; they
live here so that the edges depend on the core and never the other way round.

- A **cell** is one spreadsheet value as a reader delivers it: text, number, yes/no, a date, a
  date-time, a time, a duration, or None for an empty cell.
- A **grid** is a tab's cells as a list of rows (row 0 is sheet row 1).
- A :class:`ColumnGrid` holds the same cells column by column and still reads as rows.
- A **serial date** counts days since 1899-12-30, as Google Sheets and Excel store dates.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections.abc import Iterator, Sequence
from typing import Any, overload

import numpy as np

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None
Grid = list[list[Cell]]

# Day 0 of the serial numbers Google Sheets and Excel (1900 date system) store dates as.
SERIAL_EPOCH = dt.datetime(1899, 12, 30)
SERIAL_EPOCH_NS = np.datetime64(SERIAL_EPOCH, "ns")  # the same, for vectorised conversions


def serial(value: dt.date) -> float:
    """Return the serial number of a date or date-time (its time zone, if any, is dropped)."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
    return (moment.replace(tzinfo=None) - SERIAL_EPOCH) / dt.timedelta(days=1)


def column_letter(index: int) -> str:
    """Return the spreadsheet letters of a 0-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(reference: str) -> int:
    """Return the 1-based column number of a cell reference's letters ("AB12" -> 28).

    Letters end at the first character that is not one (the row number); case is ignored.
    """
    number = 0
    for char in reference:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - 64
    return number


def week_start(day_numbers: Any) -> Any:
    """Return the Monday on or before each day, both counted in days since 1970-01-01.

    Works on an int or an integer array. Day 4 (1970-01-05) was a Monday.
    """
    return day_numbers - (day_numbers - 4) % 7


# --- comparing cells as a spreadsheet shows them -----------------------------------------------

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
        return round(serial(value), 6)
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


def same_row(a: Sequence[Cell], b: Sequence[Cell],
             serials: dict[dt.datetime, Cell] | None = None) -> bool:
    """Return whether two rows show the same values (``normalize_grid`` of each is equal).

    ``serials`` remembers normalized naive date-times across calls (a tab repeats its time
    stamps); pass one dict for all the rows of one comparison.
    """
    known: dict[dt.datetime, Cell] = {} if serials is None else serials
    for x, y in zip(a, b):
        if not (type(x) is type(y) and type(x) in _PLAIN and x == y) and (
                _normalized(x, known) != _normalized(y, known)):
            return False
    longer = a if len(a) > len(b) else b
    return all(_blank(c) for c in longer[min(len(a), len(b)):])


def first_difference(a: Sequence[Sequence[Cell]], b: Sequence[Sequence[Cell]]) -> int:
    """Return the first row where ``normalize_grid(a)`` and ``normalize_grid(b)`` differ.

    When one is the beginning of the other, that is the shorter one's length. Cells are
    normalized only where they are not plainly equal, which for a tab read back after
    being written is rare (dates, whole numbers read as floats).
    """
    common = min(_used_rows(a), _used_rows(b))
    serials: dict[dt.datetime, Cell] = {}
    if common and (_plainly_comparable(a) or _plainly_comparable(b)):
        # Rows that are equal as they are show the same values: only the others are compared
        # cell by cell (both lists compared in C, most of them equal).
        unequal = list(map(operator.ne, itertools.islice(a, common), itertools.islice(b, common)))
        candidates: Iterator[int] = itertools.compress(itertools.count(), unequal)
    else:
        candidates = iter(range(common))
    for index in candidates:
        if not same_row(a[index], b[index], serials):
            return index
    return common


def _plainly_comparable(rows: Sequence[Sequence[Cell]]) -> bool:
    """Whether a cell of ``rows`` and any cell equal to it always show the same value: every
    cell is text, a number other than NaN (which equals only itself), yes/no, a blank, a
    date, a naive date-time (aware ones of one moment at different UTC offsets compare equal
    and show different times), a time or a duration."""
    cells = list(itertools.chain.from_iterable(rows))
    kinds = set(map(type, cells))
    if not kinds <= _KNOWN:
        return False
    if float in kinds and any(map(operator.ne, cells, cells)):  # NaN: unequal to itself
        return False
    if dt.datetime in kinds:
        moments = itertools.compress(cells, map(isinstance, cells,
                                                itertools.repeat(dt.datetime)))
        if set(map(operator.attrgetter("tzinfo"), moments)) - {None}:
            return False
    return True


_KNOWN = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, dt.time,
                    dt.timedelta})


# Two cells of one of these types that compare equal normalize to equal values (not so
# datetimes: equal moments at different UTC offsets show different times).
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _normalized(cell: Cell, serials: dict[dt.datetime, Cell]) -> Cell:
    """normalize_cell, remembering naive date-times."""
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


# --- a tab held column by column -------------------------------------------------------------

class ColumnGrid(Sequence[list[Any]]):
    """Cells stored as columns, read as rows (each trimmed of trailing empty cells).

    Google returns a tab this way with ``majorDimension=COLUMNS``: a few long lists decode
    much more cheaply than one short list per row, and the parser works on columns anyway
    (:func:`sheets_sync.parse.parse` takes the columns directly). Code that looks at single
    rows (header detection, guarded writes) reads it as rows.
    """

    def __init__(self, columns: Sequence[Sequence[Any]]) -> None:
        # Lists are kept as they are (the grid owns them from here on): copying a 100,000-cell
        # column costs as much as reading it.
        self.columns = [c if type(c) is list else list(c) for c in columns]
        self.height = max((len(c) for c in self.columns), default=0)

    def __len__(self) -> int:
        return self.height

    @overload
    def __getitem__(self, index: int) -> list[Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[Any]]: ...

    def __getitem__(self, index: int | slice) -> list[Any] | list[list[Any]]:
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(self.height))]
        if index < 0:
            index += self.height
        if not 0 <= index < self.height:
            raise IndexError("row index out of range")
        return self._row(index)

    def __iter__(self) -> Iterator[list[Any]]:
        return (self._row(i) for i in range(self.height))

    def _row(self, index: int) -> list[Any]:
        row = [c[index] if index < len(c) else "" for c in self.columns]
        while row and row[-1] in ("", None):
            row.pop()
        return row

    def padded_rows(self) -> list[list[Any]]:
        """Every row, padded with "" (a blank cell, as Google writes it) to the full width.

        Cheaper than reading row by row: the rows are built in C, and trailing blanks are
        left for the comparisons to ignore.
        """
        return [list(r) for r in itertools.zip_longest(*self.columns, fillvalue="")]

    def column(self, index: int, start: int, length: int) -> list[Any]:
        """Cells ``start .. start + length - 1`` of column ``index``, missing cells as None."""
        cells = self.columns[index][start:start + length] if index < len(self.columns) else []
        return cells + [None] * (length - len(cells))
