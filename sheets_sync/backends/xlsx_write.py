"""Write the tool's own tabs into a local .xlsx workbook, leaving every other part untouched.

The workbook is never loaded and saved with openpyxl (that rewrites every part). Instead the zip
is rebuilt entry by entry: untouched entries are copied with their original compressed bytes,
only the owned sheet parts are generated, and the few package files that list sheets
(``xl/workbook.xml``, its ``.rels``, ``[Content_Types].xml``) get minimal text insertions when
a tab is added. ``xl/styles.xml`` is only appended to (one numFmt/font/xf the first time a date
format or the bold header is needed; later runs find and reuse them). ``docProps/app.xml`` is
left alone: it is a cache of sheet titles that Excel rewrites on save and no reader relies on.

Generated sheets hold literal values only: text as inline strings (never a formula, never
sharedStrings.xml), numbers as numbers, booleans as ``t="b"``, dates as serial numbers with a
``yyyy-mm-dd`` / ``yyyy-mm-dd hh:mm`` format (the workbook's 1900 or 1904 date system is
honoured; dates before the epoch are written as ISO text). Row 1 is bold and frozen.

Text escaping, as Excel does it: control characters XML 1.0 cannot hold (``\\x00``-``\\x08``,
``\\x0b``, ``\\x0c``, ``\\x0e``-``\\x1f``) are written as ``_xHHHH_``, and a literal
``_xHHHH_`` in the text gets its underscore escaped as ``_x005F_``. python-calamine decodes
both exactly (as Excel does); openpyxl does not decode them (it returns ``_x0007_``,
``_x005F_x0041_``), so only text without those round-trips through openpyxl. The XML
non-characters U+FFFE/U+FFFF and lone surrogates become U+FFFD (calamine does not decode
``_xFFFE_``). ``\\r`` is written as ``&#13;`` so XML line-end normalisation cannot turn
``\\r\\n`` into ``\\n``: calamine and openpyxl read it back; LibreOffice drops CRs itself.
An empty string is an empty cell; NaN/NaT too; infinities are the text ``inf`` / ``-inf``;
aware datetimes are written as their wall-clock time.

Every write is atomic (temp file in the same directory, fsync, ``os.replace``, file mode kept)
and refused while Excel or LibreOffice holds the workbook open (their lock files beside it).
"""

from __future__ import annotations

import datetime
import math
import numbers
import os
import posixpath
import re
import struct
import tempfile
import time
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import IO, Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape, quoteattr

from sheets_sync.cells import column_letter
from sheets_sync.errors import SourceError

__all__ = ["Cell", "WorkbookLocked", "lock_file", "replace_tabs", "set_cells"]

Cell = str | int | float | bool | datetime.date | datetime.datetime | None

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_WS_TYPE = _REL + "/worksheet"
_WS_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_STYLES_TYPE = _REL + "/styles"
_STYLES_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
_MIN_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
    '</font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill>'
    '<patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
    '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf '
    'numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1">'
    '<cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)
_SHEET_HEAD = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">'
)
_FROZEN = (
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
    'sqref="A2"/></sheetView></sheetViews>'
)
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x")
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")
_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(r"([A-Z]+)(\d+)")


class WorkbookLocked(SourceError):
    """The workbook is open in Excel or LibreOffice (a lock file sits beside it)."""


def lock_file(path: Path) -> Path | None:
    """The Excel (`~$name.xlsx`) or LibreOffice (`.~lock.name.xlsx#`) lock file beside path.

    None when neither exists.
    """
    for candidate in (path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")):
        if candidate.exists():
            return candidate
    return None


def replace_tabs(path: Path, tabs: Mapping[str, Sequence[Sequence[Cell]]]) -> bool:
    """Make each named tab hold exactly these rows (row 0 -> sheet row 1), adding missing tabs.

    Returns False and writes nothing when every generated part equals what the file holds;
    True after an atomic write. Raises WorkbookLocked when a lock file exists, SourceError for
    an unreadable workbook or an unusable tab name.
    """
    target = _target(path)
    with _Package(target) as pkg:
        book = _Book(pkg)
        styles = _Styles(pkg, book)
        folded = {name.casefold(): name for name in (*book.sheets, *book.others)}
        changes: dict[str, bytes] = {}
        formulas = False
        for name, rows in tabs.items():
            _check_tab_name(target, name, folded)
            folded[name.casefold()] = name
            xml = _sheet_xml(name, rows, styles, book.epoch)
            part = book.worksheet(name)
            if part is None:
                changes[book.add_sheet(name)] = xml
                continue
            old = pkg.read(part)
            if old != xml:
                changes[part] = xml
                formulas = formulas or re.search(rb"<(?:\w+:)?f[\s>/]", old) is not None
        if not changes and not styles.changed:
            return False
        if formulas:  # cells of a replaced tab held formulas: calcChain would point at them
            book.drop_calc_chain()
        changes.update(book.edits(styles))
        pkg.commit(changes, book.removed)
    return True


def set_cells(path: Path, tab: str, cells: Mapping[tuple[int, int], Cell]) -> None:
    """Write single cells (1-based row and column) into an existing tab, keeping their style.

    Only that sheet's part changes (and styles.xml, append-only, when a date goes into an
    unstyled cell). Refuses to overwrite a formula cell. Atomic, with the same lock check.
    """
    target = _target(path)
    with _Package(target) as pkg:
        book = _Book(pkg)
        part = book.worksheet(tab)
        if part is None:
            raise SourceError(f"{target.name} has no worksheet named {tab!r}")
        styles = _Styles(pkg, book)
        text = pkg.text(part)
        where = f"{target.name}, tab {tab!r}"
        try:
            new = _edit_cells(text, dict(cells), styles, book.epoch, where)
        except ValueError:  # a closing tag is missing
            raise SourceError(f"{where}: the sheet's XML is damaged") from None
        if new == text:
            return
        changes = {part: new.encode("utf-8")}
        changes.update(book.edits(styles))
        pkg.commit(changes, book.removed)


def _target(path: Path) -> Path:
    target = Path(os.path.realpath(path))
    for where in dict.fromkeys((Path(path), target)):
        lock = lock_file(where)
        if lock is not None:
            raise WorkbookLocked(
                f"{where.name} is open in Excel or LibreOffice (lock file {lock}): close the "
                "workbook there and retry. If nobody has it open, the lock file is left over "
                "from a crash and can be deleted."
            )
    return target


def _check_tab_name(target: Path, name: str, folded: dict[str, str]) -> None:
    if not name or len(name) > 31 or _BAD_NAME.search(name) or name[0] == "'" or name[-1] == "'":
        raise SourceError(
            f"cannot write tab {name!r} into {target.name}: a tab name has 1-31 characters, "
            "none of [ ] : * ? / \\, and does not start or end with an apostrophe"
        )
    other = folded.get(name.casefold())
    if other is not None and other != name:
        raise SourceError(
            f"cannot write tab {name!r} into {target.name}: it already has a tab {other!r}, and "
            "Excel does not allow two tab names that differ only in case; rename that tab or "
            "configure a different tab name"
        )


# --- generating sheet XML -------------------------------------------------------------------


def _text(value: str) -> str:
    value = escape(value)
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return _UNSAFE.sub(_excel_escape, value)


def _excel_escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "_":
        return "_x005F_"
    return f"_x{ord(char):04X}_" if char < "\ud800" else "\ufffd"


def _column(index: int) -> str:
    """Letters of a 1-based column number."""
    return column_letter(index - 1)


def _serial(value: datetime.date, epoch: datetime.datetime) -> int | float | None:
    """Days since the workbook's epoch; None before its first valid date."""
    if isinstance(value, datetime.datetime):
        delta = value.replace(tzinfo=None) - epoch
        serial: int | float = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    else:
        serial = (value - epoch.date()).days
    return serial if serial >= (61 if epoch.year == 1899 else 0) else None


def _cell(ref: str, value: object, style: str, styles: _Styles, epoch: datetime.datetime,
          where: str) -> str:
    """One <c> element (style is a ready ' s="N"' or ''), or '' for an empty cell."""
    if value is None or value != value:  # NaN / NaT: nothing to show
        return ""
    if isinstance(value, str):
        if not value:
            return ""
        text = _text(value)
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, numbers.Integral):
        return f'<c r="{ref}"{style}><v>{int(value)}</v></c>'
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isinf(number):
            return _cell(ref, "inf" if number > 0 else "-inf", style, styles, epoch, where)
        return f'<c r="{ref}"{style}><v>{number!r}</v></c>'
    if isinstance(value, datetime.date):
        serial = _serial(value, epoch)
        if serial is None:
            return _cell(ref, value.isoformat(), style, styles, epoch, where)
        bold = bool(style) and style == styles.bold
        if not style or style == ' s="0"' or bold:
            is_dt = isinstance(value, datetime.datetime)
            index = styles.xf(DATETIME_FORMAT if is_dt else DATE_FORMAT, bold)
            style = f' s="{index}"'
        return f'<c r="{ref}"{style}><v>{serial}</v></c>'
    raise TypeError(f"{where}: cannot write a {type(value).__name__} value into cell {ref}")


def _sheet_xml(
    name: str, rows: Sequence[Sequence[Cell]], styles: _Styles, epoch: datetime.datetime
) -> bytes:
    """The whole worksheet part for one owned tab; row 1 is bold (a fast path for the rest)."""
    letters: list[str] = []
    body: list[str] = []
    last_row = last_col = 0
    needs_escape, isfinite = _NEEDS_ESCAPE.search, math.isfinite
    first = epoch + datetime.timedelta(61 if epoch.year == 1899 else 0)  # Excel's 1900 leap bug
    day0, first_day = epoch.date(), first.date()
    date_style = datetime_style = ""
    for number, row in enumerate(rows, 1):
        values: Sequence[Any] = row
        if len(values) > len(letters):
            letters.extend(_column(i) for i in range(len(letters) + 1, len(values) + 1))
        n = str(number)
        body.append(f'<row r="{n}">')
        mark, last = len(body), -1
        if number == 1:
            used = any(v is not None for v in values)
            styles.bold = f' s="{styles.xf(None, True)}"' if used else ""
        for j, value in enumerate(values):
            kind = type(value)
            if number == 1:
                xml = _cell(letters[j] + n, value, styles.bold, styles, epoch, name)
                if not xml:
                    continue
                body.append(xml)
            elif kind is str:
                if not value:
                    continue
                text = value if needs_escape(value) is None else _text(value)
                body.append(f'<c r="{letters[j]}{n}" t="inlineStr"><is><t xml:space="preserve">'
                            f"{text}</t></is></c>")
            elif kind is int or (kind is float and isfinite(value)):
                body.append(f'<c r="{letters[j]}{n}"><v>{value!r}</v></c>')
            elif value is None:
                continue
            elif kind is bool:
                body.append(f'<c r="{letters[j]}{n}" t="b"><v>{int(value)}</v></c>')
            elif kind is datetime.date and value >= first_day:
                date_style = date_style or f' s="{styles.xf(DATE_FORMAT, False)}"'
                body.append(f'<c r="{letters[j]}{n}"{date_style}><v>{(value - day0).days}</v></c>')
            elif kind is datetime.datetime and value.tzinfo is None and value >= first:
                datetime_style = datetime_style or f' s="{styles.xf(DATETIME_FORMAT, False)}"'
                delta = value - epoch
                serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
                body.append(f'<c r="{letters[j]}{n}"{datetime_style}><v>{serial!r}</v></c>')
            else:
                xml = _cell(letters[j] + n, value, "", styles, epoch, name)
                if not xml:
                    continue
                body.append(xml)
            last = j
        if len(body) == mark:
            body.pop()
        else:
            body.append("</row>")
            last_row, last_col = number, max(last_col, last + 1)
    ref = f"A1:{_column(last_col)}{last_row}" if (last_row, last_col) > (1, 1) else "A1"
    head = f'{_SHEET_HEAD}<dimension ref="{ref}"/>{_FROZEN if last_row > 1 else ""}'
    sheet_data = f"<sheetData>{''.join(body)}</sheetData>" if body else "<sheetData/>"
    return f"{head}{_widths(rows)}{sheet_data}</worksheet>".encode()


WIDTH_SAMPLE_ROWS = 2000
MIN_WIDTH, MAX_WIDTH = 8, 80


def _widths(rows: Sequence[Sequence[Cell]]) -> str:
    """Column widths that fit the content (from the first rows), so dates never show ###."""
    widths: list[int] = []
    for row in rows[:WIDTH_SAMPLE_ROWS]:
        for j, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime.datetime):
                size = 16
            elif isinstance(value, datetime.date):
                size = 10
            elif isinstance(value, str):
                size = max((len(line) for line in value.splitlines()), default=0)
            else:
                size = len(str(value))
            if j >= len(widths):
                widths.extend([0] * (j + 1 - len(widths)))
            widths[j] = max(widths[j], size)
    if not widths:
        return ""
    cols = "".join(
        f'<col min="{j}" max="{j}" width="{min(max(w + 2, MIN_WIDTH), MAX_WIDTH)}" '
        'customWidth="1"/>' for j, w in enumerate(widths, 1))
    return f"<cols>{cols}</cols>"


# --- editing cells of an existing sheet -----------------------------------------------------


def _edit_cells(text: str, cells: dict[tuple[int, int], Cell], styles: _Styles,
                epoch: datetime.datetime, where: str) -> str:
    """The sheet XML with these cells replaced or inserted, everything else left as it was."""
    if not cells:
        return text
    p = _prefix(text, "worksheet")
    wanted: dict[int, dict[int, Cell]] = {}
    for (row, col), value in cells.items():
        if not (1 <= row <= 1048576 and 1 <= col <= 16384):
            raise SourceError(f"{where}: cell ({row}, {col}) is outside the sheet")
        wanted.setdefault(row, {})[col] = value
    match = re.search(rf"<{p}sheetData\b[^>]*?(/?)>", text)
    if match is None:
        raise SourceError(f"{where}: the sheet has no cell data")
    start = match.end()
    end = start if match.group(1) else text.index(f"</{p}sheetData>", start)
    pieces: list[str] = []
    pos, current = start, 0
    for rm in re.compile(rf"<{p}row\b([^>]*?)(/?)>").finditer(text, start, end):
        attrs = _attrs(rm.group(1))
        current = int(attrs["r"]) if "r" in attrs else current + 1
        close = rm.end() if rm.group(2) else text.index(f"</{p}row>", rm.end())
        earlier = [r for r in sorted(wanted) if r < current]
        if earlier or current in wanted:
            pieces.append(text[pos : rm.start()])
            pieces.extend(_row(p, "", "", r, wanted.pop(r), styles, epoch, where) for r in earlier)
            pos = rm.start()
        if current in wanted:
            content = text[rm.end() : close]
            pieces.append(_row(p, rm.group(1), content, current, wanted.pop(current), styles,
                               epoch, where))
            pos = close if rm.group(2) else close + len(f"</{p}row>")
    pieces.append(text[pos:end])
    pieces.extend(_row(p, "", "", r, wanted.pop(r), styles, epoch, where) for r in sorted(wanted))
    data = "".join(pieces)
    if match.group(1):
        head, tail = text[: match.start()], f"<{p}sheetData>{data}</{p}sheetData>{text[start:]}"
    else:
        head, tail = text[:start], data + text[end:]
    return _grow_dimension(head, p, cells) + tail


def _row(p: str, attrs_text: str, content: str, row: int, values: dict[int, Cell],
         styles: _Styles, epoch: datetime.datetime, where: str) -> str:
    """One <row> with these cells written into it (content: the row's existing cells)."""
    out: list[str] = []
    pos = col = 0
    pending = sorted(values)

    def write(column: int, style: str) -> None:
        ref = f"{_column(column)}{row}"
        xml = _cell(ref, values[column], style, styles, epoch, where)
        out.append(re.sub(r"<(/?)(?=\w)", rf"<\1{p}", xml) if p else xml)
        if not xml and style:
            out.append(f'<{p}c r="{ref}"{style}/>')

    for cell in re.finditer(rf"<{p}c\b([^>]*?)(?:/>|>(.*?)</{p}c>)", content, re.S):
        attrs = _attrs(cell.group(1))
        col = _col_number(attrs["r"]) if "r" in attrs else col + 1
        if not pending or pending[0] > col:
            continue
        out.append(content[pos : cell.start()])
        pos = cell.start()
        while pending and pending[0] < col:
            write(pending.pop(0), "")
        if pending and pending[0] == col:
            if re.search(rf"<{p}f[\s>/]", cell.group(2) or ""):
                ref = f"{_column(col)}{row}"
                raise SourceError(f"{where}: cell {ref} holds a formula; it is not overwritten")
            write(pending.pop(0), f' s="{attrs["s"]}"' if "s" in attrs else "")
            pos = cell.end()
    out.append(content[pos:])
    while pending:
        write(pending.pop(0), "")
    attrs_text = re.sub(r"""\sspans\s*=\s*("[^"]*"|'[^']*')""", "", attrs_text or f' r="{row}"')
    return f"<{p}row{attrs_text}>{''.join(out)}</{p}row>"


def _grow_dimension(head: str, p: str, cells: Mapping[tuple[int, int], Cell]) -> str:
    match = re.search(rf'(<{p}dimension\b[^>]*?\bref=")([^"]*)(")', head)
    if match is None:
        return head
    refs = [_REF.fullmatch(part) for part in match.group(2).split(":")]
    if not all(refs):
        return head
    rows = [int(m.group(2)) for m in refs if m] + [r for r, _ in cells]
    cols = [_col_number(m.group(1)) for m in refs if m] + [c for _, c in cells]
    ref = f"{_column(min(cols))}{min(rows)}:{_column(max(cols))}{max(rows)}"
    if ref.split(":")[0] == ref.split(":")[1]:
        ref = ref.split(":")[0]
    return head[: match.start(2)] + ref + head[match.end(2) :] if ref != match.group(2) else head


def _col_number(ref: str) -> int:
    number = 0
    for char in ref:
        if not char.isalpha():
            break
        number = number * 26 + ord(char.upper()) - 64
    return number


def _attrs(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _ATTR.finditer(text)}


def _prefix(text: str, root: str) -> str:
    match = re.search(rf"<(?:([\w.-]+):)?{root}[\s>/]", text)
    return f"{match.group(1)}:" if match and match.group(1) else ""


def _insert(text: str, p: str, tag: str, fragment: str, count: int | None = None) -> str | None:
    """Insert fragment as the last child of the first <tag>, updating its count attribute."""
    match = re.search(rf"<{p}{tag}\b([^>]*?)(/?)>", text)
    if match is None:
        return None
    attrs = match.group(1)
    if count is not None:
        attrs = re.sub(r"""(\scount\s*=\s*)("[^"]*"|'[^']*')""", f'\\1"{count}"', attrs)
    if match.group(2):
        tail = text[match.end() :]
        return f"{text[: match.start()]}<{p}{tag}{attrs}>{fragment}</{p}{tag}>{tail}"
    close = text.find(f"</{p}{tag}>", match.end())
    if close < 0:
        return None
    inner = text[match.end() : close]
    return f"{text[: match.start()]}<{p}{tag}{attrs}>{inner}{fragment}{text[close:]}"


# --- package, workbook and styles -----------------------------------------------------------


class _Package:
    """The source zip, read once; commit() writes the new zip atomically beside it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.file = open(path, "rb")  # noqa: SIM115 - closed in close()
        except FileNotFoundError:
            raise SourceError(f"workbook not found: {path}") from None
        except OSError as exc:
            raise SourceError(f"cannot read workbook {path}: {exc.strerror}") from None
        self.stat = os.fstat(self.file.fileno())
        try:
            self.zip = zipfile.ZipFile(self.file)
        except (zipfile.BadZipFile, OSError) as exc:
            self.file.close()
            raise SourceError(
                f"cannot read workbook {path}: not an .xlsx file ({exc}); password-protected "
                "workbooks cannot be written"
            ) from None
        self.infos = self.zip.infolist()
        self.names = {info.filename.lower(): info.filename for info in self.infos}
        if len(self.names) != len(self.infos):
            self.close()
            raise SourceError(f"cannot read workbook {path}: the zip holds duplicate entries")

    def __enter__(self) -> _Package:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()
        self.file.close()

    def find(self, name: str) -> str | None:
        return self.names.get(name.lower())

    def read(self, name: str) -> bytes:
        try:
            return self.zip.read(self.find(name) or name)
        except (KeyError, zipfile.BadZipFile, NotImplementedError, OSError, zlib.error) as exc:
            raise SourceError(f"cannot read workbook {self.path}: part {name} ({exc})") from None

    def text(self, name: str) -> str:
        try:
            return self.read(name).decode("utf-8")
        except UnicodeDecodeError:
            raise SourceError(f"cannot read workbook {self.path}: {name} is not UTF-8") from None

    def xml(self, name: str) -> tuple[str, ElementTree.Element]:
        text = self.text(name)
        try:
            return text, ElementTree.fromstring(text)
        except ElementTree.ParseError as exc:
            message = f"cannot read workbook {self.path}: {name} is damaged ({exc})"
            raise SourceError(message) from None

    def raw(self, info: zipfile.ZipInfo) -> bytes:
        self.file.seek(info.header_offset)
        header = self.file.read(30)
        if header[:4] != b"PK\x03\x04" or info.flag_bits & 1:
            raise SourceError(f"cannot read workbook {self.path}: entry {info.filename} is damaged")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        self.file.seek(info.header_offset + 30 + name_len + extra_len)
        return self.file.read(info.compress_size)

    def commit(self, changes: dict[str, bytes], removed: set[str]) -> None:
        directory = self.path.parent
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=directory)
        except OSError as exc:  # a read-only or full directory: nothing was written
            raise SourceError(f"cannot write workbook {self.path}: {exc.strerror or exc} (in "
                              f"{directory}); the workbook was left unchanged") from exc
        try:
            with os.fdopen(fd, "wb") as out:
                writer = _ZipWriter(out, self.path)
                for info in self.infos:
                    if info.filename in changes:
                        writer.add(info.filename, changes.pop(info.filename), info.date_time)
                    elif info.filename not in removed:
                        writer.copy(info, self.raw(info))
                for name, data in changes.items():
                    writer.add(name, data, time.localtime()[:6])
                writer.finish()
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, self.stat.st_mode & 0o7777)
            _target(self.path)
            try:
                now = os.stat(self.path)
            except FileNotFoundError:
                raise SourceError(f"{self.path} was deleted or moved while it was being "
                                  "written; nothing was written") from None
            if (now.st_mtime_ns, now.st_size, now.st_ino) != (
                self.stat.st_mtime_ns, self.stat.st_size, self.stat.st_ino):
                raise SourceError(f"{self.path} changed while it was being written; retry")
            os.replace(tmp, self.path)
        except BaseException as exc:
            with suppress(OSError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise SourceError(f"cannot write workbook {self.path}: {exc.strerror or exc}; "
                                  "the workbook was left unchanged") from exc
            raise
        with suppress(OSError):  # make the rename durable where the platform allows it
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


class _ZipWriter:
    """A minimal zip writer that can copy entries with their original compressed bytes."""

    def __init__(self, out: IO[bytes], path: Path) -> None:
        self.out = out
        self.path = path
        self.offset = 0
        self.central: list[bytes] = []

    def _entry(self, name: str, flags: int, method: int, date_time: tuple[int, ...], crc: int,
               sizes: tuple[int, int], payload: bytes, made_by: int, attrs: int) -> None:
        try:
            encoded = name.encode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), flags | 0x800
        year, month, day, hour, minute, second = date_time[:6]
        dos_date = (max(year, 1980) - 1980) << 9 | month << 5 | day
        dos_time = hour << 11 | minute << 5 | second // 2
        if max(self.offset, *sizes) > 0xFFFFFFFF or len(self.central) >= 0xFFFF:
            raise SourceError(f"cannot write workbook {self.path}: it is too large (over 4 GB)")
        fields = (flags & ~0x08, method, dos_time, dos_date, crc, sizes[0], sizes[1], len(encoded))
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, *fields, 0)
        self.central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", made_by, 20, *fields,
                                        0, 0, 0, 0, attrs, self.offset) + encoded)
        self.out.write(local + encoded)
        self.out.write(payload)
        self.offset += len(local) + len(encoded) + len(payload)

    def copy(self, info: zipfile.ZipInfo, raw: bytes) -> None:
        made_by = info.create_system << 8 | info.create_version
        self._entry(info.filename, info.flag_bits, info.compress_type, info.date_time, info.CRC,
                    (info.compress_size, info.file_size), raw, made_by, info.external_attr)

    def add(self, name: str, data: bytes, date_time: tuple[int, ...]) -> None:
        compressor = zlib.compressobj(4, zlib.DEFLATED, -15)
        payload = compressor.compress(data) + compressor.flush()
        self._entry(name, 0, zipfile.ZIP_DEFLATED, date_time, zlib.crc32(data),
                    (len(payload), len(data)), payload, 20, 0)

    def finish(self) -> None:
        directory = b"".join(self.central)
        self.out.write(directory)
        count = len(self.central)
        self.out.write(struct.pack(
            "<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), self.offset, 0))


class _Book:
    """The workbook part, its relationships and the content types, edited as text."""

    def __init__(self, pkg: _Package) -> None:
        self.pkg = pkg
        self.removed: set[str] = set()
        self.new_parts: set[str] = set()
        _, root_rels = pkg.xml("_rels/.rels")
        office = [r.get("Target", "") for r in root_rels
                  if r.get("Type", "").endswith("/officeDocument")]
        part = pkg.find(posixpath.normpath(office[0].lstrip("/"))) if office else None
        if part is None:
            raise SourceError(f"cannot read workbook {pkg.path}: it has no workbook part")
        self.part, self.dir = part, posixpath.dirname(part)
        self.text, root = pkg.xml(part)
        if root.tag != f"{{{_MAIN}}}workbook":
            raise SourceError(f"cannot write {pkg.path.name}: Strict Open XML workbooks are not "
                              "supported; save it as a regular Excel Workbook (.xlsx)")
        props = root.find(f"{{{_MAIN}}}workbookPr")
        date1904 = props is not None and props.get("date1904", "").lower() in ("1", "true")
        self.epoch = datetime.datetime(1904, 1, 1) if date1904 else datetime.datetime(1899, 12, 30)
        self.rels_part = posixpath.join(self.dir, "_rels", posixpath.basename(part) + ".rels")
        self.rels_text, rels = pkg.xml(self.rels_part)
        self.rels = {r.get("Id", ""): (r.get("Type", ""), self._resolve(r.get("Target", "")))
                     for r in rels}  # external targets resolve to nonsense, never used
        self.ct_text, _ = pkg.xml("[Content_Types].xml")
        self.originals = (self.text, self.rels_text, self.ct_text)
        self.sheets: dict[str, str] = {}
        self.others: set[str] = set()
        self.sheet_ids = [0]
        for sheet in root.iter(f"{{{_MAIN}}}sheet"):
            kind, target = self.rels.get(sheet.get(f"{{{_REL}}}id", ""), ("", ""))
            name = sheet.get("name", "")
            if kind == _WS_TYPE:
                self.sheets[name] = pkg.find(target) or target
            else:
                self.others.add(name)
            sheet_id = sheet.get("sheetId", "")
            self.sheet_ids.append(int(sheet_id) if sheet_id.isdigit() else 0)
        styles = [target for kind, target in self.rels.values() if kind == _STYLES_TYPE]
        self.styles_part = pkg.find(styles[0]) if styles else None

    def _resolve(self, target: str) -> str:
        return target[1:] if target.startswith("/") else posixpath.normpath(
            posixpath.join(self.dir, target))

    def worksheet(self, name: str) -> str | None:
        if name in self.others:
            where = self.pkg.path.name
            raise SourceError(f"cannot write tab {name!r} of {where}: it is not a worksheet")
        return self.sheets.get(name)

    def _free(self, stem: str, first: str = "1") -> str:
        """A part name stem+N+'.xml' not in the package (N counts up from `first`)."""
        n, suffix = 1, first
        while (name := f"{stem}{suffix}.xml").lower() in self.pkg.names or name in self.new_parts:
            n += 1
            suffix = str(n)
        self.new_parts.add(name)
        return name

    def _edit(self, text: str, root: str, tag: str, fragment: str) -> str:
        p = _prefix(text, root)
        new = _insert(text, p, tag, fragment.replace("<", f"<{p}", 1))
        if new is None:
            raise SourceError(f"cannot write {self.pkg.path.name}: its {root} part is damaged")
        return new

    def add_part(self, part: str, rel_type: str, content_type: str) -> str:
        n = 1
        while f"rId{n}" in self.rels:
            n += 1
        rid = f"rId{n}"
        self.rels[rid] = (rel_type, part)
        target = posixpath.relpath(part, self.dir) if self.dir else part
        rel = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{target}"/>'
        self.rels_text = self._edit(self.rels_text, "Relationships", "Relationships", rel)
        self.ct_text = self._edit(self.ct_text, "Types", "Types",
                                  f'<Override PartName="/{part}" ContentType="{content_type}"/>')
        return rid

    def add_sheet(self, name: str) -> str:
        part = self._free(posixpath.join(self.dir, "worksheets", "sheet"))
        rid = self.add_part(part, _WS_TYPE, _WS_CT)
        declared = re.search(rf'xmlns:([\w.-]+)\s*=\s*"{re.escape(_REL)}"', self.text)
        rel = f'{declared.group(1)}:id="{rid}"' if declared else f'r:id="{rid}" xmlns:r="{_REL}"'
        self.sheet_ids.append(max(self.sheet_ids) + 1)
        sheet = f'<sheet name={quoteattr(name)} sheetId="{self.sheet_ids[-1]}" {rel}/>'
        self.text = self._edit(self.text, "workbook", "sheets", sheet)
        self.sheets[name] = part
        return part

    def drop_calc_chain(self) -> None:
        """Remove calcChain.xml (Excel rebuilds it) so it cannot point at replaced formulas."""
        for rid, (kind, target) in list(self.rels.items()):
            if kind.endswith("/calcChain"):
                self.rels_text = _remove(self.rels_text, "Relationship", "Id", rid)
                self.ct_text = _remove(self.ct_text, "Override", "PartName", "/" + target)
                self.removed.add(self.pkg.find(target) or target)

    def edits(self, styles: _Styles) -> dict[str, bytes]:
        """Every package part this book and these styles changed, as new bytes."""
        out: dict[str, bytes] = {}
        if styles.changed:
            if self.styles_part is None:
                self.styles_part = self._free(posixpath.join(self.dir, "styles"), "")
                self.add_part(self.styles_part, _STYLES_TYPE, _STYLES_CT)
            out[self.styles_part] = styles.text.encode("utf-8")
        names = (self.part, self.rels_part, self.pkg.find("[Content_Types].xml") or "")
        for name, old, new in zip(names, self.originals, (self.text, self.rels_text, self.ct_text)):
            if new != old:
                out[self.pkg.find(name) or name] = new.encode("utf-8")
        return out


def _remove(text: str, tag: str, attr: str, value: str) -> str:
    for match in re.finditer(rf"<(?:[\w.-]+:)?{tag}\b([^>]*?)/>", text):
        if _attrs(match.group(1)).get(attr, "").lower() == value.lower():
            return text[: match.start()] + text[match.end() :]
    return text


class _Styles:
    """styles.xml, append-only: finds or appends the number formats, bold font and xfs we use."""

    def __init__(self, pkg: _Package, book: _Book) -> None:
        self.where = pkg.path.name
        if book.styles_part is None:
            self.text, root = _MIN_STYLES, ElementTree.fromstring(_MIN_STYLES)
        else:
            self.text, root = pkg.xml(book.styles_part)
        self.p = _prefix(self.text, "styleSheet")
        self.changed = False
        self.bold = ""
        ns = f"{{{_MAIN}}}"
        formats = _children(root, ns + "numFmts")
        self.formats = {e.get("formatCode", ""): int(e.get("numFmtId", "0")) for e in formats}
        self.format_ids = [163, *self.formats.values()]
        self.format_count = len(formats)
        fonts = _children(root, ns + "fonts")
        self.font0 = fonts[0] if fonts else None
        self.fonts = [_font_key(font) for font in fonts]
        xfs = _children(root, ns + "cellXfs")
        self.xfs = [_xf_key(x) for x in xfs]
        self.cache: dict[tuple[str | None, bool], int] = {}

    def xf(self, code: str | None, bold: bool) -> int:
        """Index of a cellXfs entry with this number format (None: General) and boldness."""
        key = (code, bold)
        if key not in self.cache:
            fmt = self._format(code) if code else 0
            font = self._bold_font() if bold else 0
            want = (str(fmt), str(font), "0", "0", "0", bool(fmt), bool(font), 0)
            if want not in self.xfs:
                apply = ' applyNumberFormat="1"' if fmt else ""
                apply += ' applyFont="1"' if font else ""
                xml = f'numFmtId="{fmt}" fontId="{font}" fillId="0" borderId="0" xfId="0"{apply}'
                self.xfs.append(want)
                self._append("cellXfs", f"<{self.p}xf {xml}/>", len(self.xfs))
            self.cache[key] = self.xfs.index(want)
        return self.cache[key]

    def _append(self, tag: str, fragment: str, count: int) -> None:
        new = _insert(self.text, self.p, tag, fragment, count)
        if new is None:
            raise SourceError(f"cannot write {self.where}: its styles part has no {tag}")
        self.text, self.changed = new, True

    def _format(self, code: str) -> int:
        if code not in self.formats:
            fmt = self.formats[code] = max(self.format_ids) + 1
            self.format_ids.append(fmt)
            self.format_count += 1
            fragment = f"<{self.p}numFmt numFmtId=\"{fmt}\" formatCode={quoteattr(code)}/>"
            new = _insert(self.text, self.p, "numFmts", fragment, self.format_count)
            if new is None:
                root = re.search(rf"<{self.p}styleSheet\b[^>]*>", self.text)
                at = root.end() if root else 0
                block = f'<{self.p}numFmts count="1">{fragment}</{self.p}numFmts>'
                new = self.text[:at] + block + self.text[at:]
            self.text, self.changed = new, True
        return self.formats[code]

    def _bold_font(self) -> int:
        if self.font0 is None:
            raise SourceError(f"cannot write {self.where}: its styles part has no fonts")
        want = _font_key(self.font0) | {("b", ())}
        if want not in self.fonts:
            children = "".join(
                f"<{self.p}{_local(c.tag)}"
                + "".join(f" {_local(k)}={quoteattr(v)}" for k, v in c.attrib.items()) + "/>"
                for c in self.font0 if _local(c.tag) != "b")
            self.fonts.append(want)
            font = f"<{self.p}font><{self.p}b/>{children}</{self.p}font>"
            self._append("fonts", font, len(self.fonts))
        return self.fonts.index(want)


def _children(root: ElementTree.Element, tag: str) -> list[ElementTree.Element]:
    found = root.find(tag)
    return [] if found is None else list(found)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _font_key(font: ElementTree.Element) -> frozenset[tuple[str, tuple[tuple[str, str], ...]]]:
    return frozenset((_local(c.tag), tuple(sorted(c.attrib.items()))) for c in font)


def _xf_key(xf: ElementTree.Element) -> tuple[object, ...]:
    """What an xf means for us: ids, whether format and font apply, and no extra children."""
    ids = (xf.get(name, "0") for name in ("numFmtId", "fontId", "fillId", "borderId", "xfId"))
    applies = (xf.get(name, "0").lower() in ("1", "true") for name in ("applyNumberFormat",
                                                                         "applyFont"))
    return (*ids, *applies, len(xf))
