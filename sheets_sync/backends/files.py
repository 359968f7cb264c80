"""Read one tab of a local calendar file (workbook or delimited text) as a grid of cells.

Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) are read with python-calamine, never with a
full openpyxl load: calamine is fast and returns typed values. Delimited text (.csv, .tsv,
.txt) is read with pandas' C parser where the text is plain CSV (every quote opens or
closes a whole field), and with the standard library's csv module otherwise; both give the
same cells (:func:`_c_records` says how that is made sure). Reading never modifies the file.

What comes back, cell by cell:

* empty cells are ``None`` (calamine reports them as ``""``; CSV empty fields too);
* workbook numbers are ``float`` even when integral (calamine reads ``3`` as ``3.0``),
  booleans are ``bool``;
* workbook date cells are ``datetime.date`` when the value has no time part (even when the
  cell's format shows a time) and ``datetime.datetime`` otherwise; time-only cells are
  ``datetime.time``; duration-formatted cells (``[h]:mm``) are ``datetime.timedelta``;
* formula cells carry their cached result; in the calendar tab, a formula never calculated
  reads as its text (``=DATE(2026,4,14)``) and a merged cell fills the rows it spans;
* every CSV value is ``str``.

Trailing completely-empty rows are dropped; rows are otherwise kept as the source has them
(row 0 is sheet row 1, so row indexes map to sheet row numbers).
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import re
import threading
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from sheets_sync.backends.bounds import Limits, SheetScan, check_sheet, check_zip
from sheets_sync.backends.formulas import sheet_part, uncalculated_in
from sheets_sync.cells import Cell, ColumnGrid
from sheets_sync.errors import CalendarError, SourceError, UsageError

if TYPE_CHECKING:
    import pandas as pd
    from python_calamine import CalamineWorkbook

__all__ = [
    "TEXT_SUFFIXES",
    "WORKBOOK_SUFFIXES",
    "Limits",
    "TabGrid",
    "TextGrid",
    "TextTab",
    "list_tabs",
    "read_tab",
    "read_tabs",
]

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
TEXT_SUFFIXES = frozenset({".csv", ".tsv", ".txt"})

_DELIMITERS = (",", ";", "\t")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2: old .xls, or an encrypted OOXML file
_ZIP_MAGIC = b"PK"
_ZIPPED = frozenset({".xlsx", ".xlsm", ".xlsb", ".ods"})  # workbooks that are zip packages


class TextGrid(ColumnGrid):
    """The records of a delimited text file, held column by column as the C parser returns
    them, read as rows exactly as the csv module gives them: each row as many cells as its
    record has fields (a blank line none), an empty field None.

    The parser (:func:`sheets_sync.parse.parse`) takes the columns directly, so a large file
    is never turned into one list per row.
    """

    def __init__(self, columns: Sequence[np.ndarray], widths: np.ndarray) -> None:
        # Object arrays, kept as the parser gave them: the parser works on arrays, and a
        # list per column would be made only to be turned back into an array.
        self.columns = list(columns)  # type: ignore[arg-type]
        self.height = len(widths)  # a blank last line still counts as a row
        self.widths = widths.tolist()  # fields per record

    def _row(self, index: int) -> list[Any]:
        return [column[index] for column in self.columns[:self.widths[index]]]

    def column(self, index: int, start: int, length: int) -> Any:
        """Cells ``start .. start + length - 1`` of column ``index`` as an object array (a
        view of the column), missing cells None."""
        cells = (self.columns[index][start:start + length] if index < len(self.columns)
                 else np.empty(0, dtype=object))
        if len(cells) == length:
            return cells
        padded = np.full(length, None, dtype=object)
        padded[:len(cells)] = cells
        return padded

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class TabGrid:
    """One tab's cells as rows (ragged allowed)."""

    tab: str  # the tab's name (for delimited text: the file stem)
    rows: list[list[Cell]]  # row 0 is sheet row 1
    source: str  # human name such as "calendar.xlsx, tab 'Takvim'"


@dataclass(frozen=True)
class TextTab:
    """The one tab of a delimited text file: its records as rows (ragged allowed)."""

    tab: str  # the file stem
    rows: TextGrid | list[list[Cell]]  # column by column when the C parser read it
    source: str  # the file name


# ---------------------------------------------------------------------------------------------
# public API


def list_tabs(path: Path, limits: Limits | None = None) -> list[str]:
    """Return the tab names of ``path`` in workbook order (a delimited text file has one tab,
    named after the file stem)."""
    path = Path(path)
    kind = _kind(path)
    if kind == "text":
        return [path.stem]
    with _Guard(path, limits or Limits()), _open_workbook(path) as wb:
        return list(wb.sheet_names)


def read_tab(path: Path, tab: str = "", skip: Sequence[str] = (),
             limits: Limits | None = None) -> TabGrid | TextTab:
    """Read one tab of ``path``.

    ``tab`` empty means the first tab whose name is not in ``skip`` (compared
    case-insensitively; ``skip`` names the tool's own output tabs). Visible worksheets are
    preferred: hidden tabs and chart sheets are only chosen when nothing else is left.
    A delimited text file has a single tab, so ``tab`` and ``skip`` do not apply to it.

    Raises SourceError for a missing file or one that cannot be read (or is larger than
    ``limits`` allow: see :mod:`sheets_sync.backends.bounds`), UsageError for a file type
    that is not a calendar, CalendarError for a missing tab.
    """
    path = Path(path)
    if _kind(path) == "text":
        return _read_text(path)
    return read_tabs(path, tab, skip, limits)[0]


# ---------------------------------------------------------------------------------------------
# shared helpers


def _kind(path: Path) -> str:
    """'workbook' or 'text'; raises SourceError for a missing file (a calendar that cannot be
    read, exit 3) and UsageError for an unknown file type."""
    if not path.exists():
        raise SourceError(f"calendar file not found: {path}")
    if path.is_dir():
        raise SourceError(f"calendar file is a directory, not a file: {path}")
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return "text"
    if suffix in WORKBOOK_SUFFIXES:
        return "workbook"
    raise UsageError(
        f"unsupported calendar file type {suffix or '(no extension)'!r}: {path} "
        "(expected .xlsx, .xlsm, .xlsb, .xls, .ods, .csv, .tsv or .txt)"
    )


def _drop_trailing_empty(rows: list[list[Cell]]) -> None:
    """Remove completely-empty rows from the end, in place."""
    while rows and all(v is None for v in rows[-1]):
        rows.pop()


# ---------------------------------------------------------------------------------------------
# workbooks (python-calamine)


def _unreadable(path: Path, exc: BaseException) -> SourceError:
    """A plain-words SourceError for a workbook calamine could not open or parse."""
    suffix = path.suffix.lower()
    detail = str(exc).strip() or type(exc).__name__
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError:
        head = b""
    if suffix != ".xls" and head.startswith(_CFB_MAGIC):
        detail = _cfb_detail(path, detail)
    elif suffix != ".xls" and not head:
        detail = "the file is empty"
    elif suffix != ".xls" and not head.startswith(_ZIP_MAGIC):
        detail = f"the file is not a zip-based workbook ({detail})"
    return SourceError(
        f"{path} is not a readable {suffix} workbook "
        f"(it may be damaged or password-protected): {detail}"
    )


def _cfb_detail(path: Path, detail: str) -> str:
    """Say what an OLE2 (CFB) file given as a zip-based workbook is, and what to do."""
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    if "EncryptedPackage".encode("utf-16-le") in data:
        return ("the workbook is password-protected (encrypted); remove the password in "
                "Excel (File > Info > Protect Workbook) or save an unprotected copy")
    if any(n.encode("utf-16-le") in data for n in ("Workbook", "Book")):
        return ("the file is an old-format Excel 97-2003 (.xls) workbook with the wrong "
                "extension; open it in Excel or LibreOffice and save it as .xlsx")
    return ("the file is an old-format Excel (.xls) file or a password-protected workbook "
            f"({detail})")


def _open_workbook(path: Path, data: bytes | None = None) -> CalamineWorkbook:
    """Open the workbook at ``path``, or the workbook ``data`` (its bytes, already read)."""
    from python_calamine import CalamineWorkbook

    try:
        if data is not None:
            return CalamineWorkbook.from_filelike(io.BytesIO(data))
        return CalamineWorkbook.from_path(str(path))
    except (KeyboardInterrupt, SystemExit):
        raise
    except FileNotFoundError as exc:  # removed between the check and the read
        raise SourceError(f"calendar file not found: {path}") from exc
    except PermissionError as exc:
        raise SourceError(f"{path} cannot be read: permission denied") from exc
    except BaseException as exc:  # calamine's own types, and pyo3 PanicException (BaseException)
        raise _unreadable(path, exc) from exc


def _pick_tab(path: Path, wb: CalamineWorkbook, tab: str, skip: Sequence[str]) -> str:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    names = list(wb.sheet_names)
    if tab:
        if tab in names:
            return tab
        folded = [n for n in names if n.strip().casefold() == tab.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
        raise CalendarError(f"{path} has no tab named {tab!r}; its tabs are: {_quoted(names)}")
    skipped = {s.strip().casefold() for s in skip}
    candidates = [m for m in wb.sheets_metadata if m.name.strip().casefold() not in skipped]
    worksheets = [m for m in candidates if m.typ == SheetTypeEnum.WorkSheet]
    visible = [m for m in worksheets if m.visible == SheetVisibleEnum.Visible]
    for group in (visible, worksheets, candidates):
        if group:
            return group[0].name
    if not names:
        raise CalendarError(f"{path} has no tabs")
    raise CalendarError(
        f"{path} has no calendar tab: every tab is one of the tool's own output tabs "
        f"({_quoted(names)})"
    )


def _quoted(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names) if names else "(none)"


def read_tabs(path: Path, tab: str = "", others: Sequence[str] = (),
              limits: Limits | None = None, data: bytes | None = None
              ) -> tuple[TabGrid, dict[str, list[list[Cell]] | None]]:
    """Read the calendar tab and the named ``others`` of a workbook in one pass.

    ``tab`` empty picks the first tab that is not one of ``others``. Each of ``others`` maps
    to its rows, or None when the workbook has no such tab. ``data``: the file's bytes, read
    already (what is read is then exactly those bytes, whatever happens to the file
    meanwhile; the bounds are checked on them). Raises as :func:`read_tab`.
    """
    path = Path(path)
    _kind(path)
    with _Guard(path, limits or Limits(), data) as guard, _open_workbook(path, data) as wb:
        name = _pick_tab(path, wb, tab, others)
        calendar = TabGrid(tab=name, rows=_sheet_rows(path, wb, name, guard, calendar=True),
                           source=f"{path.name}, tab {name!r}")
        existing = set(wb.sheet_names)
        found = {other: _sheet_rows(path, wb, other, guard) if other in existing else None
                 for other in others}
    return calendar, found


class _Guard:
    """The bounds of :mod:`sheets_sync.backends.bounds`, checked on a zip-based workbook
    before python-calamine opens it (:meth:`sheet`: before it reads a sheet)."""

    def __init__(self, path: Path, limits: Limits, data: bytes | None = None) -> None:
        self.path, self.limits = path, limits
        self.zip: zipfile.ZipFile | None = None
        if path.suffix.lower() not in _ZIPPED:
            return
        try:
            self.zip = zipfile.ZipFile(path if data is None else io.BytesIO(data))
        except (zipfile.BadZipFile, OSError, ValueError):
            return  # not a zip after all: calamine says what it is
        try:
            check_zip(self.zip, path.name, limits)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> _Guard:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()

    def sheet(self, name: str, formulas: bool) -> SheetScan | None:
        """Check the sheet ``name`` (.xlsx/.xlsm); with ``formulas``, keep its XML when it
        holds a formula tag. A sheet whose part cannot be found: every worksheet part is
        checked instead."""
        if self.zip is None or self.path.suffix.lower() not in (".xlsx", ".xlsm"):
            return None
        where = f"{self.path.name}, tab {name!r}"
        try:
            part = sheet_part(self.zip, name)
        except (KeyError, ValueError, zipfile.BadZipFile, OSError, SyntaxError):
            part = None
        if part is not None and part in self.zip.NameToInfo:
            return check_sheet(self.zip, part, where, self.limits, formulas)
        for info in self.zip.infolist():
            if info.filename.lower().startswith("xl/worksheets/"):
                check_sheet(self.zip, info.filename, where, self.limits)
        return None


def _sheet_rows(path: Path, wb: CalamineWorkbook, name: str, guard: _Guard,
                calendar: bool = False) -> list[list[Cell]]:
    """A tab's cells; for the ``calendar`` tab, merged cells read as their anchor cell down
    the merged rows, and formulas never calculated read as their formula text."""
    scan = guard.sheet(name, formulas=calendar)
    # One list per row: a large sheet makes the cyclic garbage collector run again and again
    # while they are made, its older generations each time walking every row made so far
    # (about 0.1 s of a 100,000-row audit). None of them can be part of a cycle, so the
    # collector waits until they are all made (unless the program has turned it off itself).
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            sheet = wb.get_sheet_by_name(name)
            raw = sheet.to_python(skip_empty_area=False)
            merged = (sheet.merged_cell_ranges or []) if calendar else []
            del sheet  # calamine's own copy of the cells, as large as the rows made from it
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # calamine's own types, and pyo3 PanicException
            raise _unreadable(path, exc) from exc
        # Each row is replaced as it is converted, so that two copies never coexist.
        rows = cast("list[list[Cell]]", raw)  # the same list, its rows converted in place
        for index, row in enumerate(raw):
            rows[index] = [None if v == "" else v for v in row]
    finally:
        if collecting:
            gc.enable()
    # A value merged over several rows (one date for two posts) belongs to each of them.
    for (top, column), (bottom, _) in merged:
        anchor = rows[top][column] if top < len(rows) and column < len(rows[top]) else None
        for line in rows[top + 1 : bottom + 1]:
            if column < len(line) and line[column] is None:
                line[column] = anchor
    if calendar and scan is not None:
        for (r, c), formula in uncalculated_in(scan.head, scan.formulas).items():
            rows.extend([] for _ in range(r + 1 - len(rows)))
            rows[r].extend([None] * (c + 1 - len(rows[r])))
            if rows[r][c] is None:
                rows[r][c] = formula
    _drop_trailing_empty(rows)
    return rows


# ---------------------------------------------------------------------------------------------
# delimited text (csv module)


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16/32 by BOM (UTF-16 also by its NULs), else
    Windows-1254."""
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        encoding = "utf-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif b"\x00" in data[:4096]:  # no text has NULs: UTF-16 without a byte-order mark
        sample = data[:4096]
        encoding = "utf-16-le" if sample[1::2].count(0) >= sample[0::2].count(0) else "utf-16-be"
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            # Turkish Windows exports; the few undefined bytes become U+FFFD, never a crash
            return data.decode("cp1254", errors="replace")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{path} cannot be read as text: it starts with a {encoding.upper()} byte-order "
            f"mark but is not valid {encoding.upper()} (byte {exc.start})"
        ) from exc


def _plain_utf8(data: bytes) -> bytes | None:
    """The bytes of ``data`` after a UTF-8 byte-order mark, when :func:`_decode` would read
    them as UTF-8 (if they are valid UTF-8): None for UTF-16 or UTF-32 (a byte-order mark,
    or NULs near the start)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):]
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE,
                        codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        return None
    return data


def _sniff_delimiter(text: str, suffix: str) -> str:
    """The delimiter among , ; TAB that splits the header line into the most fields."""
    header = ""
    for line in _LINES.finditer(text):  # the first line with more than white space
        if line[0].strip():
            header = line[0]
            break
    return _delimiter_of(header, suffix)


def _delimiter_of(header: str, suffix: str) -> str:
    preferred = "\t" if suffix == ".tsv" else ","
    order = (preferred, *(d for d in _DELIMITERS if d != preferred))
    best, best_count = preferred, 1
    for delim in order:
        count = len(_fields(header, delim))
        if count > best_count:
            best, best_count = delim, count
    return best


_LINES = re.compile("[^\r\n]+")
_BYTE_LINES = re.compile(b"[^\r\n]+")


def _read_text(path: Path) -> TextTab:
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise SourceError(f"{path} cannot be read: permission denied") from exc
    except OSError as exc:
        raise SourceError(f"{path} cannot be read: {exc.strerror or exc}") from exc
    grid = _c_text(data, path)
    if grid is not None:
        return TextTab(tab=path.stem, rows=grid, source=path.name)
    text = _decode(path, data)
    del data
    delimiter = _sniff_delimiter(text, path.suffix.lower())
    try:
        rows = _records(text, delimiter, strict=True)
    except _BadRecord as strict:
        if strict.kind == "end":
            raise SourceError(f"{path} cannot be read as delimited text: the quote opened at "
                              f"line {strict.line} is never closed, so every later line would "
                              "be read as one cell; close the quote (or remove it) and retry"
                              ) from None
        try:  # lenient: a quote inside or after a value is kept as text
            rows = _records(text, delimiter, strict=False, multiline_from=strict.line)
        except _BadRecord as lenient:
            hint = ""
            if lenient.kind == "limit":
                hint = " (probably a quote opened there is never closed)"
            elif lenient.kind == "multiline":
                hint = (f" (a quoted value opened there ends in the middle of line "
                        f"{lenient.end_line}, so the lines in between would be read as one "
                        "cell; check the quotes)")
            raise SourceError(f"{path} cannot be read as delimited text at line "
                              f"{lenient.line}{hint}: {lenient.detail}") from None
    _drop_trailing_empty(rows)
    return TextTab(tab=path.stem, rows=rows, source=path.name)


class _BadRecord(Exception):
    """A record the csv module rejects (kind: end, limit, multiline or other)."""

    def __init__(self, kind: str, line: int, detail: str, end_line: int = 0) -> None:
        super().__init__(detail)
        self.kind, self.line, self.detail, self.end_line = kind, line, detail, end_line


def _records(text: str, delimiter: str, strict: bool, multiline_from: int = 0
             ) -> list[list[Cell]]:
    """Parse delimited text; raises _BadRecord naming the line where the bad record starts.

    ``multiline_from``: the record starting on that line (where a strict parse failed) must
    not span several lines - a lenient parse would glue later lines into one cell.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
    rows: list[list[Cell]] = []
    line = 1
    try:
        for record in reader:
            if line == multiline_from and reader.line_num > line:
                raise _BadRecord("multiline", line, "unbalanced quote", reader.line_num)
            rows.append([v if v else None for v in record])
            line = reader.line_num + 1
    except csv.Error as exc:
        message = str(exc)
        kind = ("limit" if "field limit" in message
                else "end" if "unexpected end of data" in message else "other")
        raise _BadRecord(kind, line, message) from None
    return rows


# ---------------------------------------------------------------------------------------------
# delimited text (pandas' C parser)

_FIELD_LIMIT = csv.field_size_limit()  # what the csv module refuses (a runaway quote)
_LF, _CR, _QUOTE = 10, 13, 34


def _c_text(data: bytes, path: Path) -> TextGrid | None:
    """The records of a delimited text file's ``data`` as the C parser reads them, or None
    for the csv module to read.

    UTF-8 (most files) is handed to the parser as it is, never decoded here as a whole: the
    decoded text of a large file can take four times its bytes. Other text is decoded as
    :func:`_decode` does and handed over as UTF-8; bytes that are not valid UTF-8 (and have
    no byte-order mark) are tried as UTF-8 first, then read as Windows-1254.
    """
    utf8 = _plain_utf8(data)
    if utf8 is not None:
        try:
            return _c_records(utf8, _delimiter_of(_first_line(utf8), path.suffix.lower()))
        except UnicodeDecodeError:
            if data.startswith(codecs.BOM_UTF8):
                return None  # the csv module's reading says what is wrong with it
    utf8 = _decode(path, data).encode("utf-8")
    return _c_records(utf8, _delimiter_of(_first_line(utf8), path.suffix.lower()))


def _first_line(utf8: bytes) -> str:
    """The first line with more than white space; UnicodeDecodeError if it is not UTF-8."""
    for line in _BYTE_LINES.finditer(utf8):
        decoded = line[0].decode("utf-8")
        if decoded.strip():
            return decoded
    return ""


def _c_records(utf8: bytes, delimiter: str) -> TextGrid | None:
    """Parse delimited text with pandas' C parser, or return None when the text is not plain
    CSV, for the csv module to read (and to say what is wrong with it). Raises
    UnicodeDecodeError when ``utf8`` is not UTF-8 after all.

    Plain means what both parsers read alike: every quote belongs to a quoted field that
    starts a field and ends one (the quotes in it doubled), no field longer than the csv
    module takes, no NUL and no byte-order mark left in the text. Within that, the records
    are found here too (line ends and delimiters outside quotes), which gives each record's
    number of fields - the parser pads short records - and is checked against the parser's
    count of records.

    The parser and that scan run side by side: the scan is numpy work over the bytes, which
    leaves Python free, so it costs next to nothing beside the parser. The parser is first
    given as many columns as the first line has fields; a later record with more makes it
    stop, and it reads again with the widest record's count once the scan has it.
    """
    if not utf8 or b"\x00" in utf8 or utf8.startswith(codecs.BOM_UTF8):
        return None
    guess = len(_fields(_first_line(utf8), delimiter))
    scan = _Scan(np.frombuffer(utf8, dtype=np.uint8), ord(delimiter))
    scan.start()
    try:
        frame = _c_parse(utf8, delimiter, guess) if guess else None
    finally:
        scan.join()
    shape = scan.result()
    if shape is None:
        return None
    widths, longest = shape
    width = int(widths.max(initial=0))
    if not len(widths) or not width or longest > _FIELD_LIMIT:
        return None
    if frame is None or frame.shape[1] < width:  # a record wider than the first line's
        frame = _c_parse(utf8, delimiter, width)
    if frame is None or len(frame) != len(widths):
        return None
    from sheets_sync.fastpaths import empty_texts

    columns, filled = [], np.zeros(len(frame), dtype=bool)
    for index in range(width):  # any columns beyond the widest record's are left out
        values = frame[index].to_numpy(dtype=object)
        if not values.flags.writeable:
            values = values.copy()
        # An empty field (and a field a short record lacks, which the parser pads with "")
        # is None, as the csv module's reading gives it.
        blank = empty_texts(values)
        values[blank] = None
        filled |= ~blank
        columns.append(values)
    del frame
    # Completely empty rows at the end are dropped, as for every reader.
    used = int(np.flatnonzero(filled)[-1]) + 1 if filled.any() else 0
    return TextGrid([column[:used] for column in columns], widths[:used])


def _fields(line: str, delimiter: str) -> list[str]:
    """The fields of one line as the csv module splits it (none for a bad line)."""
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=False), [])
    except csv.Error:
        return []


def _c_parse(utf8: bytes, delimiter: str, width: int) -> pd.DataFrame | None:
    """Every cell of ``utf8`` as text, ``width`` columns (short records padded with ""), or
    None when the parser refuses the text (or finds a record with more fields)."""
    import pandas as pd

    try:
        with warnings.catch_warnings():
            # A first record wider than ``width`` loses cells, with this warning: the caller
            # reads again with the widest record's count.
            warnings.simplefilter("ignore", pd.errors.ParserWarning)
            return pd.read_csv(io.BytesIO(utf8),
                               sep=delimiter, header=None, names=range(width),
                               index_col=False, dtype=object, na_filter=False,
                               skip_blank_lines=False, quotechar='"', doublequote=True,
                               escapechar=None, comment=None, skipinitialspace=False,
                               encoding="utf-8", engine="c",
                               low_memory=True)  # tokenized in chunks: faster, same cells
    except UnicodeDecodeError:
        raise
    except (ValueError, pd.errors.ParserError):
        return None


class _Scan(threading.Thread):
    """:func:`_plain_quotes` and :func:`_record_shape` of ``raw``, in a thread of its own;
    :meth:`result` after ``join`` gives the shape (None for text that is not plain) or raises
    what the scan raised."""

    def __init__(self, raw: np.ndarray, delimiter: int) -> None:
        super().__init__(name="csv-scan", daemon=True)
        self.raw, self.delimiter = raw, delimiter
        self.shape: tuple[np.ndarray, int] | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            quotes = _plain_quotes(self.raw, self.delimiter)
            if quotes is not None:
                self.shape = _record_shape(self.raw, self.delimiter, quotes)
        except BaseException as exc:  # handed to the reading thread, raised there
            self.error = exc

    def result(self) -> tuple[np.ndarray, int] | None:
        if self.error is not None:
            raise self.error
        return self.shape


def _plain_quotes(raw: np.ndarray, delimiter: int) -> np.ndarray | None:
    """Return where the quotes of ``raw`` (UTF-8 text) are, or None unless each belongs to a
    quoted field that starts a field and ends one, with its inner quotes doubled, and no
    quoted field is longer than the csv module takes.

    Taken in order, the quotes alternate between opening and closing a quoted stretch. An
    opening one starts a field (it follows a delimiter, a line end or nothing) or is the
    second of a doubled quote (it follows the closing one right away); a closing one ends a
    field (a delimiter, a line end or nothing follows) or is the first of a doubled quote.
    """
    quotes = np.flatnonzero(raw == _QUOTE)
    if not len(quotes):
        return quotes
    if len(quotes) % 2:
        return None
    ends = np.zeros(256, dtype=bool)
    ends[[_LF, _CR, delimiter]] = True
    last = len(raw) - 1
    starts_field = (quotes == 0) | ends[raw[np.maximum(quotes - 1, 0)]]
    ends_field = (quotes == last) | ends[raw[np.minimum(quotes + 1, last)]]
    doubled = (quotes[1:] == quotes[:-1] + 1)[1::2]  # a closing quote, then an opening one
    opening, closing = slice(0, None, 2), slice(1, None, 2)
    if not (starts_field[opening][1:] | doubled).all() or not starts_field[0]:
        return None
    if not (ends_field[closing][:-1] | doubled).all() or not ends_field[-1]:
        return None
    opens, closes = quotes[opening][starts_field[opening]], quotes[closing][ends_field[closing]]
    if len(opens) != len(closes) or (closes - opens - 1).max(initial=0) > _FIELD_LIMIT:
        return None
    return quotes


def _record_shape(raw: np.ndarray, delimiter: int, quotes: np.ndarray
                  ) -> tuple[np.ndarray, int]:
    """Return the number of fields of each record of ``raw`` (UTF-8 text whose ``quotes``
    pair up into whole fields: :func:`_plain_quotes`) and the length in bytes of its longest
    record.

    Taken in order, the quotes pair up into quoted stretches (the first opens one, the second
    closes it, and so on; a doubled quote inside a field closes one stretch and opens the
    next), and a line end or delimiter inside a stretch is text. Line ends are CR LF, CR and
    LF; a blank line is a record of no fields.
    """
    if (raw == _CR).any():
        marks = np.flatnonzero((raw == _LF) | (raw == _CR) | (raw == delimiter))
    else:  # most files: no CR, and one comparison less over every byte
        marks = np.flatnonzero((raw == _LF) | (raw == delimiter))
    if len(quotes):
        # The marks from the first at or after each stretch's opening quote up to the first
        # at or after its closing quote are inside it (the stretches do not overlap).
        into = np.searchsorted(marks, quotes)
        inside = np.bincount(into[0::2], minlength=len(marks) + 1)
        inside -= np.bincount(into[1::2], minlength=len(marks) + 1)
        marks = marks[np.cumsum(inside[:-1]) == 0]
    kind = raw[marks]
    if len(marks) > 1 and (kind == _CR).any():
        # CR LF is one line end: an LF right after a CR ends nothing more.
        crlf_lf = np.zeros(len(marks), dtype=bool)
        crlf_lf[1:] = (kind[1:] == _LF) & (kind[:-1] == _CR) & (marks[1:] == marks[:-1] + 1)
        marks, kind = marks[~crlf_lf], kind[~crlf_lf]
    is_end = kind != delimiter
    at = np.flatnonzero(is_end)  # where, among the marks, the line ends are
    ends = marks[at]
    last = len(raw)
    after = ends + 1  # where the next record starts
    crlf = (kind[at] == _CR) & (after < last)
    crlf[crlf] = raw[after[crlf]] == _LF
    after += crlf
    stops = ends
    if not len(ends) or after[-1] < last:  # text after the last line end: one more record
        stops = np.append(ends, last)
        at = np.append(at, len(marks))
    starts = np.concatenate(([0], after))[:len(stops)]
    # The delimiters of a record are the marks between its line end and the one before.
    fields = np.diff(at, prepend=-1)  # its delimiters, plus one
    widths = np.where(stops > starts, fields, 0)
    return widths.astype(np.int64), int((stops - starts).max(initial=0))
