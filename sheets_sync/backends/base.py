"""The backend contract: read a calendar and the owned tabs, write the owned tabs.

Every backend (memory, xlsx, google) implements :class:`Backend` and passes the shared
contract tests in ``tests/test_backend_contract.py``.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sheets_sync.cells import Cell, Grid

if TYPE_CHECKING:  # how owned tabs look matters only to a backend that writes them
    from sheets_sync.looks import Highlight


@dataclass(frozen=True)
class SheetRead:
    """What one read returns: the calendar's cells and the owned tabs' current cells.

    ``owned`` maps each requested owned tab to its rows, or to None when the tab does not
    exist yet. ``timezone`` is the spreadsheet's own time zone when the backend knows it.

    ``cells`` names the calendar's cells by content when the backend keeps its reads
    between cycles (the SHA-256 of their kept encoding), whether they were read now or taken
    from the kept copy: two reads with the same ``cells`` gave exactly the same cells. ""
    when the backend does not know it.
    """

    tab: str
    rows: Sequence[Sequence[Cell]]  # a Grid, or a ColumnGrid when read column by column
    owned: dict[str, Grid | None]
    source: str
    timezone: str = ""
    cells: str = ""


class Backend(abc.ABC):
    """Where a calendar lives. Reads and writes are whole-tab and as few as possible."""

    @abc.abstractmethod
    def read(self, tab: str, owned: Sequence[str]) -> SheetRead:
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

    def read_rows(self, tab: str, rows: Sequence[int]) -> dict[int, list[Cell]]:
        """Return the current cells of each of these sheet rows (1-based) of ``tab``, freshly
        read: a row beyond the tab's end reads as ``[]``.

        The guarded writes re-read all their rows at once: a backend that can reads them in
        one request (the workbook once, one Google ``values:batchGet``); this default reads
        row by row with :meth:`read_row`.
        """
        return {row: self.read_row(tab, row) for row in dict.fromkeys(rows)}

    @abc.abstractmethod
    def write_cells(self, tab: str, cells: Mapping[tuple[int, int], Cell]) -> None:
        """Write single cells ``(row, column)`` (1-based) into ``tab`` (guarded writes only),
        all of them at once."""

    def highlight(self, tab: str, spec: Highlight | None, status_tab: str) -> bool:
        """Make the calendar tab ``tab`` colour its rows by the findings the Status tab
        ``status_tab`` lists (``spec``), or remove the tool's colours (None), never changing
        a value. Returns whether anything was written. A backend that cannot colour a
        calendar writes nothing."""
        return False
