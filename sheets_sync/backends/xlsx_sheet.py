"""Worksheet XML: the cell templates, how each value is written, and whole generated sheets.

Generated sheets hold literal values only: text as inline strings (never a formula, never
sharedStrings.xml), numbers as numbers, booleans as ``t="b"``, dates as serial numbers with a
``yyyy-mm-dd`` / ``yyyy-mm-dd hh:mm`` format (the workbook's 1900 or 1904 date system is
honoured; dates before the epoch are written as ISO text). Row 1 is bold and frozen. Text of
several lines (a caption in History) is wrapped and its row made tall enough to show it
whole. Times of
day and durations are refused (TypeError), like any other type a cell cannot hold.

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

Every cell goes through one of three templates (:func:`text_cell`, :func:`bool_cell`,
:func:`number_cell`; a date is a number with a date style). :class:`CellWriter` decides which
for any value; :class:`_PlainRows` is the fast path for whole tabs that dispatches the common
exact types itself and hands everything else to :class:`CellWriter`.
"""

from __future__ import annotations

import datetime
import math
import numbers
import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from sheets_sync.backends.xlsx_book import MAIN_NS
from sheets_sync.backends.xlsx_styles import DATE_FORMAT, DATETIME_FORMAT, Styles
from sheets_sync.cells import Cell, column_letter

__all__ = ["CellWriter", "bool_cell", "number_cell", "sheet_xml", "text_cell"]

WIDTH_SAMPLE_ROWS = 2000
MIN_WIDTH, MAX_WIDTH = 8, 80
LINE_HEIGHT, MAX_HEIGHT = 15, 409  # points: a line of the default font; Excel's tallest row

_SHEET_HEAD = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}">'
)
_FROZEN = (
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
    'sqref="A2"/></sheetView></sheetViews>'
)
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")
_NEEDS_ESCAPE = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|_x")


# --- the cell templates ---------------------------------------------------------------------
# col is the column's letters, row its 1-based number, style a ready ' s="N"' or ''.


def text_cell(col: str, row: int | str, style: str, text: str) -> str:
    """A text cell as an inline string; text is already escaped (see :func:`_text`)."""
    return f'<c r="{col}{row}"{style} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def bool_cell(col: str, row: int | str, style: str, value: bool) -> str:
    """A yes/no cell (``t="b"``, 1 or 0)."""
    return f'<c r="{col}{row}"{style} t="b"><v>{int(value)}</v></c>'


def number_cell(col: str, row: int | str, style: str, value: int | float) -> str:
    """A number cell; value is an exact int or float (written as ``repr``).

    Dates and date-times are number cells too: their serial number with a date style.
    """
    return f'<c r="{col}{row}"{style}><v>{value}</v></c>'


def _style(index: int) -> str:
    """The style attribute of a cellXfs index."""
    return f' s="{index}"'


def _text(value: str) -> str:
    """Text escaped for XML and, as Excel does, for what XML cannot hold (module docstring)."""
    value = escape(value)
    if "\r" in value:
        value = value.replace("\r", "&#13;")
    return _UNSAFE.sub(_excel_escape, value)


def _excel_escape(match: re.Match[str]) -> str:
    char = match.group()
    if char == "_":
        return "_x005F_"
    return f"_x{ord(char):04X}_" if char < "\ud800" else "\ufffd"


# --- serial dates -----------------------------------------------------------------------------


def _first_serial(epoch: datetime.datetime) -> int:
    """The first serial written as a date; earlier dates are written as ISO text.

    The 1900 date system counts a 29 February 1900 that never was, so before March 1900
    (serial 61) its serials do not match the calendar.
    """
    return 61 if epoch.year == 1899 else 0


def _day_serial(value: datetime.date, day0: datetime.date) -> int:
    """Whole days from day0 (the epoch's date) to a date."""
    return (value - day0).days


def _moment_serial(value: datetime.datetime, epoch: datetime.datetime) -> float:
    """Days from the epoch to a naive date-time, the time of day as the fraction."""
    delta = value - epoch
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def _serial(value: datetime.date, epoch: datetime.datetime) -> int | float | None:
    """Days since the workbook's epoch; None before its first valid date."""
    if isinstance(value, datetime.datetime):
        serial: int | float = _moment_serial(value.replace(tzinfo=None), epoch)
    else:
        serial = _day_serial(value, epoch.date())
    return serial if serial >= _first_serial(epoch) else None


# --- any single cell ----------------------------------------------------------------------------


class CellWriter:
    """Writes any value as one <c> element, for one sheet of one workbook.

    styles gets the date formats appended on first use; epoch is the workbook's date system;
    where names the sheet in error messages.
    """

    def __init__(self, styles: Styles, epoch: datetime.datetime, where: str) -> None:
        self.styles = styles
        self.epoch = epoch
        self.where = where

    def cell(self, col: str, row: int | str, value: object, style: str = "",
             bold: bool = False) -> str:
        """One <c> element, or '' for an empty cell (None, NaN, NaT, '').

        style is the cell's ready ' s="N"' or ''. bold says style is the bold header style:
        a date there gets the bold date format. A date also gets the date format when style
        is '' or the default ' s="0"'; otherwise the cell keeps its own style. TypeError for
        a value no cell can hold (a time of day, a duration, anything else).
        """
        if value is None or value != value:  # NaN / NaT: nothing to show
            return ""
        if isinstance(value, str):
            return text_cell(col, row, style, _text(value)) if value else ""
        if isinstance(value, bool):
            return bool_cell(col, row, style, value)
        if isinstance(value, numbers.Integral):
            return number_cell(col, row, style, int(value))
        if isinstance(value, numbers.Real):
            number = float(value)
            if math.isinf(number):
                return self.cell(col, row, "inf" if number > 0 else "-inf", style, bold)
            return number_cell(col, row, style, number)
        if isinstance(value, datetime.date):
            return self._date(col, row, value, style, bold)
        raise TypeError(f"{self.where}: cannot write a {type(value).__name__} value into cell "
                        f"{col}{row}")

    def _date(self, col: str, row: int | str, value: datetime.date, style: str,
              bold: bool) -> str:
        serial = _serial(value, self.epoch)
        if serial is None:
            return self.cell(col, row, value.isoformat(), style, bold)
        if not style or style == ' s="0"' or bold:
            code = DATETIME_FORMAT if isinstance(value, datetime.datetime) else DATE_FORMAT
            style = _style(self.styles.xf(code, bold))
        return number_cell(col, row, style, serial)


# --- whole sheets ---------------------------------------------------------------------------


def sheet_xml(name: str, rows: Sequence[Sequence[Cell]], styles: Styles,
              epoch: datetime.datetime) -> bytes:
    """The whole worksheet part for one owned tab named name (row 0 -> sheet row 1).

    Row 1 is bold and, when more rows follow, frozen; columns are sized to fit. styles gets
    what the cells need appended, the bold font first. TypeError for a value no cell can hold.
    """
    used = len(rows) > 0 and any(v is not None for v in rows[0])
    header = _style(styles.xf(None, True)) if used else ""
    data, last_row, last_col = _sheet_data(rows, CellWriter(styles, epoch, name), header)
    ref = f"A1:{column_letter(last_col - 1)}{last_row}" if (last_row, last_col) > (1, 1) else "A1"
    head = f'{_SHEET_HEAD}<dimension ref="{ref}"/>{_FROZEN if last_row > 1 else ""}'
    return f"{head}{_widths(rows)}{data}</worksheet>".encode()


def _sheet_data(rows: Sequence[Sequence[Cell]], cells: CellWriter,
                header: str) -> tuple[str, int, int]:
    """The <sheetData> element, the last row that holds a cell and the number of columns used.

    header is the style of row 1 ('' when it holds nothing); empty rows are left out.
    """
    letters: list[str] = []
    body: list[str] = []
    last_row = last_col = 0
    plain = _PlainRows(cells)
    for number, values in enumerate(rows, 1):
        if len(values) > len(letters):
            letters.extend(column_letter(i) for i in range(len(letters), len(values)))
        n = str(number)
        body.append(f'<row r="{n}">')
        mark = len(body)
        if number == 1:
            last = _header_cells(body, values, letters, cells, header)
        else:
            last = plain.write(body, values, letters, n)
            if plain.lines > 1:  # wrapped text: a row tall enough to show it whole
                height = min(plain.lines * LINE_HEIGHT, MAX_HEIGHT)
                body[mark - 1] = f'<row r="{n}" ht="{height}" customHeight="1">'
        if len(body) == mark:
            body.pop()
        else:
            body.append("</row>")
            last_row, last_col = number, max(last_col, last + 1)
    data = f"<sheetData>{''.join(body)}</sheetData>" if body else "<sheetData/>"
    return data, last_row, last_col


def _header_cells(body: list[str], values: Sequence[Cell], letters: list[str],
                  cells: CellWriter, style: str) -> int:
    """Append row 1's cells, in style, to body; the index of the last one written, or -1."""
    last = -1
    for j, value in enumerate(values):
        xml = cells.cell(letters[j], "1", value, style, bool(style))
        if xml:
            body.append(xml)
            last = j
    return last


class _PlainRows:
    """The rows after the first, written with a fast path for the common exact types.

    Text, whole and finite numbers, booleans, blanks and naive dates and date-times from the
    first valid serial on are written here, through the same templates and serial arithmetic
    as :meth:`CellWriter.cell`, with the same result; every other value goes to that method.
    Dispatching on the exact type here instead of calling it per cell is what keeps
    100,000-row tabs fast.
    """

    def __init__(self, cells: CellWriter) -> None:
        self.cells = cells
        self.epoch = cells.epoch
        self.first = cells.epoch + datetime.timedelta(_first_serial(cells.epoch))
        self.day0, self.first_day = cells.epoch.date(), self.first.date()
        self.date_style = self.datetime_style = ""  # set on the first date / date-time
        self.wrap_style = ""  # set on the first text of several lines
        self.lines = 1  # the lines the last row written needs

    def _first_use(self, code: str) -> str:
        """The style of this date format (appended to styles.xml if missing), remembered."""
        style = _style(self.cells.styles.xf(code, False))
        if code == DATE_FORMAT:
            self.date_style = style
        else:
            self.datetime_style = style
        return style

    def _wrapped(self, text: str) -> str:
        """The wrapping style for ``text`` of several lines; counts the lines its row needs
        (a line longer than the widest column wraps once more for every MAX_WIDTH)."""
        if not self.wrap_style:
            self.wrap_style = _style(self.cells.styles.xf(None, False, wrap=True))
        lines = sum(max(1, -(-len(line) // MAX_WIDTH)) for line in text.split("\n"))
        self.lines = max(self.lines, lines)
        return self.wrap_style

    def write(self, body: list[str], values: Sequence[Any], letters: list[str], n: str) -> int:
        """Append the cells of row n to body; the index of the last one written, or -1."""
        append, needs_escape, isfinite = body.append, _NEEDS_ESCAPE.search, math.isfinite
        text_xml, number_xml, bool_xml = text_cell, number_cell, bool_cell
        epoch, first, day0, first_day = self.epoch, self.first, self.day0, self.first_day
        last = -1
        self.lines = 1
        for j, value in enumerate(values):
            kind = type(value)
            if kind is str:
                if not value:
                    continue
                text = value if needs_escape(value) is None else _text(value)
                append(text_xml(letters[j], n, self._wrapped(value) if "\n" in value else "",
                                text))
            elif kind is int or (kind is float and isfinite(value)):
                append(number_xml(letters[j], n, "", value))
            elif value is None:
                continue
            elif kind is bool:
                append(bool_xml(letters[j], n, "", value))
            elif kind is datetime.date and value >= first_day:
                style = self.date_style or self._first_use(DATE_FORMAT)
                append(number_xml(letters[j], n, style, _day_serial(value, day0)))
            elif kind is datetime.datetime and value.tzinfo is None and value >= first:
                style = self.datetime_style or self._first_use(DATETIME_FORMAT)
                append(number_xml(letters[j], n, style, _moment_serial(value, epoch)))
            else:
                xml = self.cells.cell(letters[j], n, value)
                if not xml:
                    continue
                append(xml)
            last = j
        return last


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
