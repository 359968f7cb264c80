"""Read one tab of a local calendar file (workbook or delimited text) as a grid of cells.

Workbooks (.xlsx, .xlsm, .xlsb, .xls, .ods) are read with python-calamine, never with a
full openpyxl load: calamine is fast and returns typed values. Delimited text (.csv, .tsv,
.txt) is read with the standard library's csv module. Reading never modifies the file.

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
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from sheets_sync.backends.bounds import Limits, SheetScan, check_sheet, check_zip
from sheets_sync.backends.formulas import sheet_part, uncalculated_in
from sheets_sync.cells import Cell
from sheets_sync.errors import CalendarError, SourceError, UsageError

__all__ = [
    "TEXT_SUFFIXES",
    "WORKBOOK_SUFFIXES",
    "Limits",
    "TabGrid",
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


@dataclass(frozen=True)
class TabGrid:
    """One tab's cells as rows (ragged allowed)."""

    tab: str  # the tab's name (for delimited text: the file stem)
    rows: list[list[Cell]]  # row 0 is sheet row 1
    source: str  # human name such as "calendar.xlsx, tab 'Takvim'"


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
             limits: Limits | None = None) -> TabGrid:
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


def _open_workbook(path: Path) -> CalamineWorkbook:
    try:
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
              limits: Limits | None = None
              ) -> tuple[TabGrid, dict[str, list[list[Cell]] | None]]:
    """Read the calendar tab and the named ``others`` of a workbook in one pass.

    ``tab`` empty picks the first tab that is not one of ``others``. Each of ``others`` maps
    to its rows, or None when the workbook has no such tab. Raises as :func:`read_tab`.
    """
    path = Path(path)
    _kind(path)
    with _Guard(path, limits or Limits()) as guard, _open_workbook(path) as wb:
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

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path, self.limits = path, limits
        self.zip: zipfile.ZipFile | None = None
        if path.suffix.lower() not in _ZIPPED:
            return
        try:
            self.zip = zipfile.ZipFile(path)
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
    try:
        sheet = wb.get_sheet_by_name(name)
        raw = sheet.to_python(skip_empty_area=False)
        merged = (sheet.merged_cell_ranges or []) if calendar else []
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine's own types, and pyo3 PanicException
        raise _unreadable(path, exc) from exc
    rows: list[list[Cell]] = [[None if v == "" else v for v in row] for row in raw]
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


def _sniff_delimiter(text: str, suffix: str) -> str:
    """The delimiter among , ; TAB that splits the header line into the most fields."""
    header = ""
    for line in io.StringIO(text, newline=""):
        if line.strip():
            header = line.rstrip("\r\n")
            break
    preferred = "\t" if suffix == ".tsv" else ","
    order = (preferred, *(d for d in _DELIMITERS if d != preferred))
    best, best_count = preferred, 1
    for delim in order:
        try:
            count = len(next(csv.reader([header], delimiter=delim, strict=False), []))
        except csv.Error:
            continue
        if count > best_count:
            best, best_count = delim, count
    return best


def _read_text(path: Path) -> TabGrid:
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise SourceError(f"{path} cannot be read: permission denied") from exc
    except OSError as exc:
        raise SourceError(f"{path} cannot be read: {exc.strerror or exc}") from exc
    text = _decode(path, data)
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
    return TabGrid(tab=path.stem, rows=rows, source=path.name)


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
