"""Bounds on what a workbook can make the reader allocate, checked before python-calamine
opens it.

python-calamine builds a sheet as one block from its first to its last cell, and a failed
allocation aborts the process (a Rust abort, which no ``except`` catches): one cell at
XFD1048576 in a 5 KB file asks for 549 GB. A zip entry can also unpack to a thousand times
its stored size. So before calamine sees a workbook:

* :func:`check_zip`: the zip's entries may unpack to at most ``max_unpacked_mb`` together
  (their sizes as the zip's directory declares them; an entry declaring fewer bytes than it
  holds compressed is refused as damaged);
* :func:`check_sheet` (.xlsx/.xlsm): the sheet to be read may span at most ``max_cells``
  cells from A1 to its last cell, both as its ``<dimension ref=...>`` declares and as its
  cells' own references place them. The sheet's XML is streamed once in chunks (never held
  whole); the same pass looks for formula cells for :mod:`sheets_sync.backends.formulas`.

The references are checked fast for the way every common writer puts them (``<c r="B7"`` with
the reference first): a regular expression skips every cell inside a box already known to be
within the limit and stops only at the others; a sheet with cells that have no reference
(placed by counting) is checked by a slower exact scan that stops as soon as the limit is
passed. A sheet written some other way still reaches calamine unchecked; the daemon therefore
runs cycles in a separate process too (:mod:`sheets_sync.isolation`).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from sheets_sync.cells import column_letter, column_number
from sheets_sync.errors import SourceError

__all__ = ["DEFAULT_MAX_CELLS", "DEFAULT_MAX_UNPACKED_MB", "Limits", "SheetScan", "check_sheet",
           "check_zip"]

DEFAULT_MAX_CELLS = 5_000_000  # 250,000 rows of 20 columns; 100,000 rows take about 4 s
DEFAULT_MAX_UNPACKED_MB = 300  # 100,000 rows of 20 columns unpack to about 95 MB
MAX_ROW, MAX_COLUMN = 1_048_576, 16_384  # the largest sheet Excel can hold
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """How large a workbook may be read (the calendar keys of the same names)."""

    max_cells: int = DEFAULT_MAX_CELLS
    max_unpacked_mb: int = DEFAULT_MAX_UNPACKED_MB


class TooLarge(SourceError):
    """The workbook is beyond a configured limit (exit 3); nothing of it was read."""


def check_zip(zf: zipfile.ZipFile, where: str, limits: Limits) -> None:
    """Raise TooLarge when the entries of ``zf`` unpack to more than ``max_unpacked_mb``, and
    SourceError when an entry declares a size smaller than what it holds compressed."""
    total, largest = 0, None
    for info in zf.infolist():
        total += info.file_size
        if largest is None or info.file_size > largest.file_size:
            largest = info
        if info.compress_type == zipfile.ZIP_DEFLATED and (
                info.compress_size > info.file_size + info.file_size // 1000 + 1024):
            raise SourceError(f"{where} is damaged: its part {info.filename} declares "
                              f"{info.file_size:,} bytes but holds {info.compress_size:,} "
                              "compressed bytes, more than deflate ever makes of that")
    limit = limits.max_unpacked_mb * 1_000_000
    if total > limit and largest is not None:
        raise TooLarge(
            f"{where} unpacks to {_mb(total)} (its largest part, {largest.filename}, to "
            f"{_mb(largest.file_size)}); the limit is {limits.max_unpacked_mb:,} MB. It was not "
            "read; if it really is a calendar, set max_unpacked_mb in the calendar's "
            "configuration to read it anyway")


@dataclass
class SheetScan:
    """What the pass over a sheet's XML found."""

    head: bytes  # the first chunk of the XML
    formulas: bytes = b""  # the whole XML when it holds a formula tag and formulas were asked
    rows: int = 0  # the cells' extent from A1 as far as it was established
    columns: int = 0


_ROOT = re.compile(rb"<(?:([\w.-]+):)?worksheet[\s>]")
_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
_REF = re.compile(rb"\s*\$?([A-Za-z]{1,3})\$?([0-9]{1,7})\s*")
_R_ATTR = re.compile(rb"(?:^|\s)r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_FORMULA = re.compile(rb"<f[\s>/]")  # with _PREFIXED_TAG: <(?:\w+:)?f[\s>/], faster
_PREFIX = re.compile(rb"\w+")
_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*?)(/?)>")
# a cell or a formula written with a namespace prefix: <y:c ...>, <x:f>
_PREFIXED_TAG = re.compile(rb":([cf])[\s/>]")
_NAME = re.compile(rb"[\w.-]+")


def check_sheet(zf: zipfile.ZipFile, part: str, where: str, limits: Limits,
                formulas: bool = False) -> SheetScan:
    """Stream worksheet ``part`` of ``zf`` once; raise TooLarge when it declares or holds
    cells beyond ``max_cells`` (counted from A1, as the reader pads them).

    With ``formulas``, the returned scan holds the whole XML when it has a formula tag (for
    :func:`sheets_sync.backends.formulas.uncalculated_in`). SourceError for a damaged part.
    """
    try:
        with zf.open(part) as fh:
            return _Scanner(fh, where, limits, formulas).run()
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError,
            NotImplementedError) as exc:
        raise SourceError(f"{where} cannot be read: its part {part} is damaged ({exc})") from None


class _Scanner:
    """One pass over a sheet's XML (see :func:`check_sheet`)."""

    def __init__(self, fh: IO[bytes], where: str, limits: Limits, formulas: bool) -> None:
        self.fh, self.where, self.limit, self.formulas = fh, where, limits.max_cells, formulas
        self.rows = self.columns = 0  # the largest row and column seen outside the box
        self.box_rows = self.box_columns = 0  # the box cells were let through unexamined in
        self.exact = False  # a cell without a reference: the fast scan cannot place it

    def run(self) -> SheetScan:
        head = self.fh.read(_CHUNK)
        root = _ROOT.search(head, 0, 4096)
        own = root.group(1) or b"" if root else b""  # the prefix the sheet's elements have
        prefix = re.escape(own + b":") if own else b""
        self._dimension(head)
        self._compile(prefix, MAX_COLUMN if self.limit >= MAX_ROW * MAX_COLUMN else 26)
        # Formula tags are looked for as formulas.uncalculated_formulas does; once one is
        # found, the XML is kept from the chunk before it on (for the cell it is part of).
        keep: list[bytes] = []
        found, tail, chunk = False, b"", head
        while chunk:
            data = tail + chunk
            following = self.fh.read(_CHUNK)
            # up to the last tag's start: no tag is cut in two (no "<" inside a tag)
            cut = data.rfind(b"<") if following else -1
            cut = cut if cut >= 0 else len(data)
            formulas = self.formulas and not found
            if formulas or not self.exact:  # one pass over the tags with a prefix for both
                other, prefixed = _prefixed(data, cut, own)
                found = found or (formulas and (prefixed or _FORMULA.search(data) is not None))
                self.exact = self.exact or other
            if self.formulas:
                keep.append(chunk)
                if not found:
                    del keep[:-1]
            if not self.exact:
                self._fast(data, cut, prefix)
            tail, chunk = data[cut:], following
        if self.exact or (max(self.rows, self.box_rows) * max(self.columns, self.box_columns)
                          > self.limit):  # the box is a bound, not the extent: count exactly
            self._exact()
        return SheetScan(head, b"".join(keep) if self.formulas and found else b"",
                         max(self.rows, self.box_rows), max(self.columns, self.box_columns))

    # --- the declared dimension ------------------------------------------------------------
    def _dimension(self, head: bytes) -> None:
        sheet_data = head.find(b"sheetData")
        match = _DIMENSION.search(head, 0, sheet_data if sheet_data >= 0 else len(head))
        if match is None:
            return
        last = _REF.fullmatch(match.group(1).split(b":")[-1])
        if last is None:
            return
        rows, columns = int(last.group(2)), _column_number(last.group(1))
        if rows * columns > self.limit:
            ref = match.group(1).decode("ascii", "replace")
            self._refuse(f"this workbook declares {rows * columns:,} cells ({ref})")

    # --- the fast scan ---------------------------------------------------------------------
    def _compile(self, prefix: bytes, columns: int) -> None:
        """The pattern of the cells to look at: every cell but those written ``<c r="REF"``
        with REF inside a box of ``columns`` columns and as many rows as the limit allows."""
        columns = min(max(columns, 1), MAX_COLUMN)
        rows = min(self.limit // columns, MAX_ROW)
        digits = len(str(rows + 1)) - 1  # every number of this many digits is at most rows
        inside = b""
        if digits >= 1:
            inside = b'| r="(?:' + _letters_up_to(columns) + b")[0-9]{1,%d}\"" % digits
            self.box_rows = max(self.box_rows, 10 ** digits - 1)
            self.box_columns = max(self.box_columns, columns)
        self.pattern = re.compile(b"<" + prefix + rb"c(?![\w.:\-\x80-\xff]" + inside + b")")
        self.prefix = prefix

    def _fast(self, data: bytes, end: int, prefix: bytes) -> None:
        pos = 0
        while (match := self.pattern.search(data, pos, end)) is not None:
            close = data.find(b">", match.end())
            if close < 0:
                return  # the tag goes on past the cut: it is looked at with the next chunk
            pos = close + 1
            attrs = _R_ATTR.search(data, match.end(), close)
            ref = _REF.fullmatch(attrs.group(1) or attrs.group(2) or b"") if attrs else None
            if ref is None:  # no reference (or one calamine would not read): count them all
                self.exact = True
                return
            row, column = int(ref.group(2)), _column_number(ref.group(1))
            self.rows = max(self.rows, row)
            if column > self.columns:
                self.columns = column
                if column > self.box_columns:  # wider than the box: widen it
                    self._compile(prefix, column)
                    if max(self.rows, self.box_rows) * self.columns > self.limit:
                        self.exact = True  # past the limit at first sight: count exactly
                        return

    # --- the exact scan --------------------------------------------------------------------
    def _exact(self) -> None:
        """Place every cell as calamine does (its reference, else after the one before it in
        the row, whose number is its reference, else one past the row before) and stop as
        soon as the extent passes the limit."""
        self.fh.seek(0)
        rows = columns = row = column = 0
        for opening, name, attrs in _tags(self.fh):
            if not opening:
                continue
            found = _R_ATTR.search(attrs)
            ref = found.group(1) or found.group(2) or b"" if found else b""
            if name == b"row":
                row = int(ref) if ref.strip().isdigit() else row + 1
                column = 0
                continue
            cell = _REF.fullmatch(ref) if ref else None
            if cell is not None:
                row, column = int(cell.group(2)), _column_number(cell.group(1))
            else:
                column += 1
            rows, columns = max(rows, row), max(columns, column)
            if rows * columns > self.limit:
                break
        self.rows, self.columns, self.box_rows, self.box_columns = rows, columns, 0, 0
        if rows * columns > self.limit:  # the scan stopped there: there may be more
            ref = f"A1:{_column_letters(columns)}{rows}"
            self._refuse(f"its cells span at least {rows * columns:,} cells ({ref})")

    def _refuse(self, what: str) -> None:
        raise TooLarge(
            f"{self.where}: {what}; the limit is {self.limit:,} cells. It was not read (the "
            "reader would need memory for every cell of that area); if it really is a "
            "calendar, set max_cells in the calendar's configuration to read it anyway")


def _prefixed(data: bytes, end: int, own: bytes) -> tuple[bool, bool]:
    """Whether data[:end] has a cell element written with another prefix than ``own``, and
    whether data has a formula tag written with a prefix (``<x:f>``, ``<x:f/>``...): one
    pass for both (with ``_FORMULA``, a formula tag of any kind)."""
    other = formula = False
    for match in _PREFIXED_TAG.finditer(data):
        start = data.rfind(b"<", max(0, match.start() - 64), match.start())
        if start < 0:
            continue
        if match[1] == b"f":
            formula = formula or _PREFIX.fullmatch(data, start + 1, match.start()) is not None
        elif match.start() < end and not other:
            name = data[start + 1 : match.start()]
            other = name != own and _NAME.fullmatch(name) is not None
        if other and formula:
            break
    return other, formula


def _tags(fh: IO[bytes]) -> Iterator[tuple[bool, bytes, bytes]]:
    """(opening, local name, attributes) of every row and cell tag, streamed in chunks."""
    tail = b""
    while chunk := fh.read(_CHUNK):
        data = tail + chunk
        cut = data.rfind(b"<")
        if cut < 0:
            cut = len(data)
        for match in _TAG.finditer(data, 0, cut):
            yield not match.group(1), match.group(2), match.group(3)
        tail = data[cut:]
    for match in _TAG.finditer(tail):
        yield not match.group(1), match.group(2), match.group(3)


def _column_number(letters: bytes) -> int:
    return column_number(letters.decode("ascii"))


def _column_letters(number: int) -> str:
    return column_letter(number - 1)


def _letters_up_to(columns: int) -> bytes:
    """A regular expression matching the letters of columns 1 to ``columns``."""
    top = _column_letters(columns).encode()
    options = [b"[A-Z]{1,%d}" % (len(top) - 1)] if len(top) > 1 else []
    for i, char in enumerate(top):
        rest = len(top) - i - 1
        if char > ord("A"):
            below = b"[A-%c]" % (char - 1) if char - 1 > ord("A") else b"A"
            options.append(top[:i] + below + (b"[A-Z]{%d}" % rest if rest else b""))
    options.append(top)
    return b"|".join(options)


def _mb(size: int) -> str:
    return f"{size / 1_000_000:,.0f} MB" if size >= 10_000_000 else f"{size / 1_000_000:,.1f} MB"
