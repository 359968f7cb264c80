"""A tab's cells held column by column, as Google returns them with ``majorDimension=COLUMNS``.

Reading a large calendar column-major is much cheaper: the JSON answer holds a few long lists
instead of one short list per row (100,000 small lists cost the decoder, and the garbage
collector that tracks them, several times more), and the parser works on columns anyway.

:class:`ColumnGrid` still reads as a sequence of rows for the code that looks at single rows
(header detection, guarded writes); only :func:`sheets_sync.parse.parse` takes the columns
directly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any, overload


class ColumnGrid(Sequence[list[Any]]):
    """Cells stored as columns, read as rows (each trimmed of trailing empty cells)."""

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
