"""The local workbook backend: fast reads with python-calamine, surgical zip writes."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import zipfile
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path

from sheets_sync.backends.base import Backend, SheetRead
from sheets_sync.backends.files import Limits, read_tabs
from sheets_sync.backends.xlsx_highlight import set_highlight
from sheets_sync.backends.xlsx_kept import KeptRead, reader
from sheets_sync.backends.xlsx_write import Ownership, replace_tabs, set_cells
from sheets_sync.cells import Cell, Grid
from sheets_sync.errors import SourceError, UsageError
from sheets_sync.looks import Highlight

log = logging.getLogger("sheets_sync.backends.xlsx")


class XlsxBackend(Backend):
    """A calendar kept in a local .xlsx workbook.

    Writes replace only the owned tabs' parts inside the zip; every other part of the
    workbook stays byte-identical. Writing is refused while Excel or LibreOffice holds the
    workbook open (their lock file is present). Only tabs the tool created are replaced, and
    never the tab last read as the calendar (:class:`~sheets_sync.backends.xlsx_write.Ownership`).

    With a ``cache`` (the calendar's, in the state database) a read is kept there
    (:mod:`sheets_sync.backends.xlsx_kept`): the next read of a workbook whose bytes are
    exactly those the last one read (the same SHA-256 of the file's content) takes the kept
    copy instead of reading the workbook. The bytes hashed are the bytes then read, so an
    edit saved in between cannot slip through, and the size limits hold for every workbook
    read. After the tool's own write the written tabs are kept with the new file's digest, so
    that a workbook nobody touched since is not read again either. A missing or damaged copy
    costs a read.
    """

    def __init__(self, path: str | Path, timezone: str = "", *,
                 limits: Limits | None = None,
                 cache: MutableMapping[str, str] | None = None) -> None:
        self.path = Path(path)
        self.timezone = timezone
        self.limits = limits or Limits()  # how large a workbook is read (files.read_tabs)
        self.cache = cache  # where a read is kept between cycles (None: nowhere)
        self._read_as: tuple[int, int, int] | None = None  # the file the last read() saw
        self._calendar = ""  # the tab the last read() took as the calendar
        self._seen: dict[str, Grid | None] = {}  # the owned tabs as the last read() saw them
        self._kept: KeptRead | None = None  # the kept read of what the last read() asked
        self._digest = ""  # SHA-256 of the file the kept copy holds ("": nothing kept)
        if self.path.suffix.lower() not in (".xlsx", ".xlsm"):
            raise UsageError(f"{self.path}: sync writes .xlsx or .xlsm workbooks; convert this "
                             "file or audit it instead (`sheets-sync audit`)")

    def read(self, tab: str, owned: Sequence[str]) -> SheetRead:
        try:
            self._read_as = _identity(self.path)
        except SourceError:  # missing or unreadable: read_tabs says so in its own words
            self._read_as = None
        self._kept, self._digest = None, ""
        data = None
        if self.cache is not None and reader():
            self._kept = KeptRead(self.cache, tab, owned, self.limits)
            data = _content(self.path)  # None: read_tabs says what is wrong
        if self._kept is not None and data is not None:
            digest = hashlib.sha256(data).hexdigest()
            kept = self._kept.load(digest)
            if kept is not None:
                log.debug("%s: the same bytes as the last sync read or wrote (SHA-256 %s); "
                          "the workbook was not read again, its kept read serves", self.path,
                          digest[:12])
                self._calendar, self._seen, self._digest = kept.calendar, dict(kept.owned), digest
                return SheetRead(tab=kept.calendar, rows=kept.rows, owned=kept.owned,
                                 source=f"{self.path.name}, tab {kept.calendar!r}",
                                 timezone=self.timezone, cells=kept.cells)
        if data is not None and not _package(data):
            data = None  # not a workbook package: the file's own reading says what it is
        try:
            calendar, others = read_tabs(self.path, tab, owned, self.limits, data=data)
        except SourceError:
            if data is None:
                raise
            data = None  # said in the words of a read of the file itself
            calendar, others = read_tabs(self.path, tab, owned, self.limits)
        self._calendar, self._seen = calendar.tab, dict(others)
        cells = ""
        if self._kept is not None and data is not None and self._kept.keep(
                digest, calendar.tab, calendar.rows, others):
            self._digest, cells = digest, self._kept.cells
        return SheetRead(tab=calendar.tab, rows=calendar.rows, owned=others,
                         source=calendar.source, timezone=self.timezone, cells=cells)

    def write(self, tabs: Mapping[str, Grid]) -> None:
        # The tabs were derived from what read() saw: never write them into another file.
        if self._read_as is not None and _identity(self.path) != self._read_as:
            raise SourceError(f"{self.path} changed since it was read (saved again, replaced or "
                              "synced by another program); nothing was written, and the next "
                              "sync reads the new version")
        # Outputs hold text, numbers, booleans, dates and blanks: what the writer accepts.
        wrote = replace_tabs(self.path, tabs, Ownership(self._calendar, self._rows))
        self._read_as = _identity(self.path)
        self._seen.update((name, None) for name in tabs)  # no longer what was read
        if wrote:
            self._keep_written(tabs)

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
        self._digest = ""  # the calendar's cells change: the next cycle reads them
        set_cells(self.path, tab, cells)

    def highlight(self, tab: str, spec: Highlight | None, status_tab: str) -> bool:
        """A conditional format on the calendar sheet reading the Status tab, its cells left
        byte for byte (:mod:`sheets_sync.backends.xlsx_highlight`)."""
        if self._read_as is not None and _identity(self.path) != self._read_as:
            raise SourceError(f"{self.path} changed since it was read; the calendar's colours "
                              "are left for the next sync")
        wrote = set_highlight(self.path, tab, spec, status_tab)
        self._read_as = _identity(self.path)
        if wrote:
            self._keep_written(None)
        return wrote

    def _keep_written(self, tabs: Mapping[str, Grid] | None) -> None:
        """After the tool's own write: keep the copy (with the written ``tabs``; None: only
        the formats changed) under the new file's digest, or forget it."""
        if self._kept is None or not self._digest:
            return
        was, self._digest = self._digest, ""
        data = _content(self.path, self._read_as)
        if data is None:  # changed again already: the next cycle reads it
            self._kept.forget()
            return
        digest = hashlib.sha256(data).hexdigest()
        if tabs is None:
            kept = self._kept.rekey(digest, was)
        else:
            kept = self._kept.keep(digest, self._calendar, None, tabs, was=was, written=True)
        if kept:
            self._digest = digest


def _content(path: Path, identity: tuple[int, int, int] | None = None) -> bytes | None:
    """The file's bytes; None when it cannot be read, or (with ``identity``) when it is no
    longer the file of that identity."""
    try:
        with path.open("rb") as fh:
            if identity is not None:
                stat = os.fstat(fh.fileno())
                if (stat.st_mtime_ns, stat.st_size, stat.st_ino) != identity:
                    return None
            return fh.read()
    except OSError:
        return None


def _package(data: bytes) -> bool:
    """Whether ``data`` is a zip holding a workbook part: what python-calamine reads from
    memory as the .xlsx it reads from the file (from memory it guesses the format, and would
    read an old .xls or an .ods given the name of an .xlsx)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return any(name.lower() == "xl/workbook.xml" for name in package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


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
