"""Worksheets with a look (:mod:`sheets_sync.looks`): styled cells, widths, row heights, frozen
rows, an autofilter, links to the calendar's rows and print setup.

A workbook's sheet part is generated whole on every write, so the look's rules are evaluated
against the cells here and become plain cell styles (a fill, a bold font, wrapped text),
which every spreadsheet program shows and keeps. Wrapped rows get a height that fits their
text (Excel does not fit heights when it opens a file), estimated from the column widths.
Charts are drawn by :mod:`sheets_sync.backends.xlsx_chart`; this module only refers to their
drawing part.

A tab of 100,000 rows has only a handful of kinds of rows (the header, each severity, a
section title), and what a cell's style gives depends only on its row's kind and its column:
that is worked out once per kind and column (:class:`_Line`). Rows of one kind whose cells
are of the same types share one format string (:class:`_Format`) that each such row fills
with its values, each distinct value escaped or turned into a serial date once
(:class:`_Slots`), each distinct wrapped text's lines counted once (:class:`_LineCounts`).
Other rows are written cell by cell, with the same result. The part is written a few
thousand rows at a time (into a :class:`~sheets_sync.backends.xlsx_package.Deflated` part
for a new tab), never held as one string per cell.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections.abc import Callable, Sequence
from typing import cast
from xml.sax.saxutils import escape, quoteattr

from sheets_sync.backends.xlsx_book import MAIN_NS, REL_NS
from sheets_sync.backends.xlsx_package import Piecewise
from sheets_sync.backends.xlsx_sheet import (
    _NEEDS_ESCAPE,
    CellWriter,
    _day_serial,
    _moment_serial,
    _PlainRows,
    _text,
    bool_cell,
    number_cell,
    text_cell,
)
from sheets_sync.backends.xlsx_styles import DATE_FORMAT, DATETIME_FORMAT, Styles
from sheets_sync.cells import Cell, column_letter
from sheets_sync.looks import Look, Page, Style, merge

__all__ = ["LINE_HEIGHT", "quote_sheet", "rows_at", "sheet_with_look", "text_width"]

LINE_HEIGHT = 15.0  # points per line of 11-point text
CHARS_PER_WIDTH = 1.15  # characters of ordinary text per unit of column width
_PAPER = {"a4": 9, "letter": 1}
_LINK = Style(color="0563C1", underline=True)
_TOP, _WRAP = Style(top=True), Style(wrap=True)
_BREAKS = re.compile(r"(?<=[/-])")  # where a long word may be broken
# Characters shown two columns wide: East Asian wide and full-width forms, and emoji.
_WIDE = re.compile("[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff"
                   "\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
                   "\uffe0-\uffe6\U0001f300-\U0001f64f\U0001f680-\U0001f6ff"
                   "\U0001f900-\U0001faff\U00020000-\U0003fffd]")


def quote_sheet(name: str) -> str:
    """A sheet name as a formula or link refers to it: ``'My tab'``."""
    return "'" + name.replace("'", "''") + "'"


def sheet_with_look(rows: Sequence[Sequence[Cell]], styles: Styles, epoch: datetime.datetime,
                    look: Look, where: str, calendar: str = "", drawing: str = "",
                    out: Piecewise | None = None) -> bytes:
    """The whole worksheet part for a tab with a look (row 0 -> sheet row 1).

    ``calendar`` is the calendar tab's name: the look's link column links there (no links
    without it). ``drawing`` is the relationship ID of the tab's drawing (its charts), or ''.
    TypeError for a value no cell can hold; ``where`` names the tab in that message.

    With ``out`` the part is written there piece by piece, a few thousand rows at a time,
    and ``out.data`` returned (b'' from a :class:`Deflated` part: it deflates the pieces as
    they come and is never held whole).
    """
    part = Piecewise() if out is None else out
    rows_xml = _LookRows(look, styles, CellWriter(styles, epoch, where), rows)
    link = _Links(calendar, look.link_column, rows_xml.letters) if calendar else None
    links: list[str] = []
    body: list[str] = []  # the rows' XML not yet written into part
    last_row = last_col = 0
    for r, values in enumerate(rows):
        last = rows_xml.write(body, r, values)
        if last is not None:
            last_row, last_col = r + 1, max(last_col, last + 1)
        if link is not None and r >= 1:
            link.add(links, values, r + 1)
        if len(body) >= _CHUNK:
            part.write("".join(body).encode("utf-8"))
            body.clear()
    ref = f"A1:{column_letter(max(last_col, 1) - 1)}{max(last_row, 1)}"
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
             f'xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">']
    if look.page is not None:
        parts.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
    parts.append(f'<dimension ref="{ref}"/>')
    parts.append(_views(look.frozen_rows if last_row > look.frozen_rows else 0))
    parts.append(_cols(look))
    parts.append("<sheetData>" if last_row else "<sheetData/>")
    head = "".join(parts).encode("utf-8")
    parts = [*body, "</sheetData>" if last_row else ""]
    del body
    if look.filter and last_row:
        parts.append(f'<autoFilter ref="A1:{column_letter(look.filter - 1)}{last_row}"/>')
    if links:
        parts.append(f"<hyperlinks>{''.join(links)}</hyperlinks>")
    if look.page is not None:
        parts.append(_page(look.page))
    if drawing:
        parts.append(f'<drawing r:id="{drawing}"/>')
    parts.append("</worksheet>")
    part.write("".join(parts).encode("utf-8"))
    part.finish(head)
    return part.data


_CHUNK = 4096  # strings of row XML joined and encoded at a time: the part is held as UTF-8


def rows_at(xml: bytes) -> int:
    """Where the rows begin in a worksheet part :func:`sheet_with_look` wrote: after its
    start, which ends with the rows' opening tag (0 when there is none)."""
    for tag in (b"<sheetData>", b"<sheetData/>"):
        at = xml.find(tag)
        if at >= 0:
            return at + len(tag)
    return 0


class _Line:
    """One kind of row: the style of each styled cell, and what its rows share because of
    it (their cells' style attributes, which cells wrap and how many characters fit on a
    line of each, the row's font size).

    A tab of 100,000 rows has a handful of kinds (the header, a severity, a section title):
    what depends only on a cell's style is worked out once per kind and column, never per
    cell.
    """

    __slots__ = ("attrs", "dates", "fills", "formats", "heights", "per_line", "size", "styles",
                 "width", "wraps")

    def __init__(self, look: Look, line: dict[int, Style]) -> None:
        self.width = max(line, default=-1) + 1  # the row spans at least these columns
        self.styles: list[Style | None] = [line.get(j) for j in range(self.width)]
        self.fills = [s is not None and bool(s.fill) for s in self.styles]
        # ' s="N"' of a cell in General format, per column; found on first use, like the
        # dates' ones (by column and format), so styles.xml gains entries in the same order
        # whatever the rows hold.
        self.attrs: list[str | None] = [None] * self.width
        self.dates: dict[tuple[int, str], str] = {}
        size = 0.0
        self.wraps: list[tuple[int, float]] = []  # (column, characters per line)
        for j, style in line.items():
            size = max(size, style.size)
            if style.wrap:
                width = look.widths[j] if j < len(look.widths) else 10
                self.wraps.append((j, max(1.0, (width - 1) * CHARS_PER_WIDTH
                                          * (0.9 if style.bold else 1.0))))
        self.size = size
        self.per_line = LINE_HEIGHT * max(size, 11) / 11
        self.heights: dict[int, str] = {}  # lines -> the row's height attributes
        # The types of a row's cells -> the format of such rows (None: written cell by cell).
        self.formats: dict[tuple[type, ...], _Format | None] = {}


class _Format:
    """The XML of one kind of row whose cells are of given types (text, whole numbers,
    dates and date-times, blanks), as one format string: ``{0}`` is the row number, ``{1}``
    the row's height attributes, ``{j+2}`` what column j's value writes (:class:`_Slots`).

    ``last`` is the index of the last cell it writes (-1: none); ``texts`` whether any cell
    is text (a row with an empty text in it is written cell by cell: that cell is blank);
    ``dates`` whether any is a date (a row with one before the workbook's first date is
    written cell by cell: that one is text); ``wraps`` the wrapped columns holding text, each
    with the lines per text of its width.
    """

    __slots__ = ("dates", "last", "text", "texts", "wraps")

    def __init__(self, text: str, last: int, kinds: tuple[type, ...],
                 wraps: list[tuple[int, _LineCounts]]) -> None:
        self.text, self.last, self.wraps = text, last, wraps
        self.texts = str in kinds
        self.dates = datetime.date in kinds or datetime.datetime in kinds


class _LineCounts(dict[str, int]):
    """Text -> the lines it wraps into at ``capacity`` characters per line, worked out on
    first use (texts repeat down a tab)."""

    def __init__(self, capacity: float, wrapped: Callable[[str, float], int]) -> None:
        super().__init__()
        self.capacity, self.wrapped = capacity, wrapped

    def __missing__(self, text: str) -> int:
        capacity, count = self.capacity, 0
        for part in str(text).split("\n"):
            # A line that fits is one line (most do); only the others are wrapped word by word.
            fits = len(part) <= capacity and text_width(part) <= capacity
            count += 1 if fits else self.wrapped(part, capacity)
        self[text] = count
        return count


class _Slots(dict[object, object]):
    """A cell's value -> what a :class:`_Format` puts in its slot, worked out on first use
    (values repeat down a tab): text escaped (:func:`_text`), a whole number as it is, a
    naive date or date-time as its serial number (the same arithmetic as
    :class:`_PlainRows`); :data:`_BY_CELL` for a date before the workbook's first one, or a
    date-time with a time zone (never kept: equal instants in two zones are equal keys)."""

    def __init__(self, plain: _PlainRows) -> None:
        super().__init__()
        self.epoch, self.first, self.day0, self.first_day = (
            plain.epoch, plain.first, plain.day0, plain.first_day)

    def __missing__(self, value: object) -> object:
        kind = type(value)
        slot: object = value
        if kind is str:
            text = cast(str, value)
            slot = text if _NEEDS_ESCAPE.search(text) is None else _text(text)
        elif kind is datetime.datetime:
            moment = cast(datetime.datetime, value)
            if moment.tzinfo is not None:
                return _BY_CELL
            slot = _moment_serial(moment, self.epoch) if moment >= self.first else _BY_CELL
        elif kind is datetime.date:
            day = cast(datetime.date, value)
            slot = _day_serial(day, self.day0) if day >= self.first_day else _BY_CELL
        self[value] = slot
        return slot


# The types of the cells of a row a _Format writes.
_FAST = frozenset({str, int, type(None), datetime.date, datetime.datetime})
_DATES: dict[type, str] = {datetime.date: DATE_FORMAT, datetime.datetime: DATETIME_FORMAT}
_BY_CELL = object()  # a value written cell by cell
_UNSET = object()


class _LookRows:
    """Writes the rows of one tab with a look, in order (styles.xml gains the styles they
    need in the order the cells first need them)."""

    def __init__(self, look: Look, styles: Styles, cells: CellWriter,
                 rows: Sequence[Sequence[Cell]]) -> None:
        self.look, self.styles, self.cells = look, styles, cells
        self.marks = look.marks_of_rows(rows)
        self.kinds: dict[tuple[object, ...], _Line | None] = {}
        self.plain = _PlainRows(cells)
        width = max((len(r) for r in rows), default=0)
        self.letters = [column_letter(j) for j in range(max(width, len(look.widths)))]
        self.body_from = max(look.frozen_rows, 1)  # the first row of the wrapped body
        self.wrapped = functools.cache(_wrapped)  # texts repeat down a tab; freed with it
        self.counts: dict[float, _LineCounts] = {}  # by characters per line
        self.slots = _Slots(self.plain)

    def write(self, body: list[str], r: int, values: Sequence[Cell]) -> int | None:
        """Append row ``r`` to body; the index of its last cell written (-1: none), or None
        when the row is left out (no cell and the default height)."""
        line = self._line(r, values)
        n = str(r + 1)
        if line is not None:
            kinds = tuple(map(type, values))
            form = line.formats.get(kinds, _UNSET)
            if form is _UNSET:
                form = line.formats[kinds] = self._format(line, kinds)
            if isinstance(form, _Format) and not (form.texts and "" in values):
                slots = list(map(self.slots.__getitem__, values))
                if not (form.dates and _BY_CELL in slots):
                    lines = 1
                    for j, counts in form.wraps:
                        needed = counts[values[j]]  # type: ignore[index]
                        if needed > lines:
                            lines = needed
                    attrs = self._height(line, lines)
                    if form.last < 0 and not attrs:
                        return None
                    body.append(form.text.format(n, attrs, *slots))
                    return form.last
        body.append("")  # the row's start tag, once its height is known
        mark = len(body)
        if line is None:
            last = self.plain.write(body, values, self.letters, n)
            attrs = ""
        else:
            last = self._cells(body, values, line, n)
            attrs = self._height(line, self._lines(values, line))
        if len(body) == mark and not attrs:
            body.pop()
            return None
        body[mark - 1] = f'<row r="{n}"{attrs}>'
        body.append("</row>")
        return last

    def _format(self, line: _Line, kinds: tuple[type, ...]) -> _Format | None:
        """The format of rows of this kind whose cells are of these types, or None when
        they are written cell by cell (a type other than text, a whole number, a date or
        None; a date in an unstyled column). Finds the style of every styled cell, in
        column order, as writing the first such row cell by cell does."""
        if not _FAST.issuperset(kinds):
            return None
        span = max(len(kinds), line.width)
        while len(self.letters) < span:
            self.letters.append(column_letter(len(self.letters)))
        parts = ['<row r="{0}"{1}>']
        last = -1
        for j in range(span):
            kind = kinds[j] if j < len(kinds) else type(None)
            style = line.styles[j] if j < line.width else None
            code = _DATES.get(kind)
            if code is not None and style is None:
                return None
            attr = "" if style is None else self._attr(line, j, code)
            if code is not None and attr == ' s="0"':  # no date format: CellWriter gives one
                return None
            col = self.letters[j]
            if kind is not type(None):
                slot = f"{{{j + 2}}}"  # where the value goes
                parts.append(text_cell(col, "{0}", attr, slot) if kind is str
                             else number_cell(col, "{0}", attr, slot))  # type: ignore[arg-type]
                last = j
            elif line.fills[j] if j < line.width else False:
                parts.append(f'<c r="{col}{{0}}"{attr}/>')
                last = j
        parts.append("</row>")
        wraps = [(j, self._counts(capacity)) for j, capacity in line.wraps
                 if j < len(kinds) and kinds[j] is str]
        return _Format("".join(parts), last, kinds, wraps)

    def _counts(self, capacity: float) -> _LineCounts:
        if capacity not in self.counts:
            self.counts[capacity] = _LineCounts(capacity, self.wrapped)
        return self.counts[capacity]

    def _line(self, r: int, values: Sequence[Cell]) -> _Line | None:
        """The kind of row ``r`` (None: no cell of it is styled): the header's style, wrapped
        columns, the link column, then the rules' and boxes' styles on top."""
        look = self.look
        marks = self.marks.get(r, ())
        header = r == 0 and look.header is not None
        body = not header and r >= self.body_from and bool(look.wrap)
        link = look.link_column
        linked = (body and link is not None and link < len(values)
                  and _is_number(values[link]))
        if not (header or body or marks):
            return None
        columns = len(values) if header else max(len(values), len(look.widths)) if body else 0
        key = (header, body, columns, linked, marks)
        if key not in self.kinds:
            line: dict[int, Style] = {}
            if header and look.header is not None:
                line = dict.fromkeys(range(columns), look.header)
            elif body:
                line = dict.fromkeys(range(columns), _TOP)
                for j in look.wrap:
                    line[j] = _WRAP
                if linked and link is not None:
                    line[link] = merge(line.get(link, Style()), _LINK)
            for j, style in look.styles_of_marks(marks).items():
                line[j] = merge(line[j], style) if j in line else style
            self.kinds[key] = _Line(look, line) if line else None
        return self.kinds[key]

    def _cells(self, body: list[str], values: Sequence[Cell], line: _Line, n: str) -> int:
        """Append the cells of a styled row; the index of the last one written, or -1."""
        append, needs_escape, isfinite = body.append, _NEEDS_ESCAPE.search, math.isfinite
        letters, styles, attrs, fills = self.letters, line.styles, line.attrs, line.fills
        width, count = line.width, len(values)
        span = max(count, width)
        while len(letters) < span:
            letters.append(column_letter(len(letters)))
        last = -1
        for j in range(span):
            value = values[j] if j < count else None
            style = styles[j] if j < width else None
            if style is None:  # a column beyond the styled ones
                xml = self.cells.cell(letters[j], n, value)
                if xml:
                    append(xml)
                    last = j
                continue
            kind = type(value)
            if kind is str or kind is int or kind is float or kind is bool or value is None:
                attr = attrs[j] or self._attr(line, j, None)
                if kind is str and value:
                    text = cast(str, value)
                    if needs_escape(text) is not None:
                        text = _text(text)
                    append(text_cell(letters[j], n, attr, text))
                elif kind is int or (kind is float and isfinite(cast(float, value))):
                    append(number_cell(letters[j], n, attr, cast(float, value)))
                elif kind is bool:
                    append(bool_cell(letters[j], n, attr, cast(bool, value)))
                elif kind is not float:  # None or '': only a filled cell shows
                    if not fills[j]:
                        continue
                    append(f'<c r="{letters[j]}{n}"{attr}/>')
                else:  # NaN, an infinity
                    xml = self.cells.cell(letters[j], n, value, attr)
                    if not xml:
                        continue
                    append(xml)
                last = j
                continue
            code = (DATETIME_FORMAT if isinstance(value, datetime.datetime)
                    else DATE_FORMAT if isinstance(value, datetime.date) else None)
            attr = self._attr(line, j, code)
            if value is None or value == "":
                if not fills[j]:
                    continue
                xml = f'<c r="{letters[j]}{n}"{attr}/>'
            else:
                xml = self.cells.cell(letters[j], n, value, attr)
                if not xml:
                    continue
            append(xml)
            last = j
        return last

    def _attr(self, line: _Line, j: int, code: str | None) -> str:
        """The style attribute of a cell of column j in this kind of row, in this number
        format (None: General)."""
        if code is None:
            attr = line.attrs[j]
            if attr is None:
                attr = line.attrs[j] = f' s="{self.styles.xf_style(None, line.styles[j])}"'
            return attr
        key = (j, code)
        if key not in line.dates:
            line.dates[key] = f' s="{self.styles.xf_style(code, line.styles[j])}"'
        return line.dates[key]

    def _lines(self, values: Sequence[Cell], line: _Line) -> int:
        """The lines the row's tallest wrapped cell needs."""
        lines, count = 1, len(values)
        for j, capacity in line.wraps:
            if j < count and isinstance(values[j], str):
                lines = max(lines, self._counts(capacity)[cast(str, values[j])])
        return lines

    def _height(self, line: _Line, lines: int) -> str:
        """The row's height attributes for this many lines, or '' when the default height
        shows them."""
        if lines == 1 and not line.size:
            return ""
        if lines not in line.heights:
            height = round(lines * line.per_line + (2 if lines > 1 else 0), 1)
            line.heights[lines] = f' ht="{height:g}" customHeight="1"'
        return line.heights[lines]


def _is_number(value: Cell) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and value == value and float(value).is_integer())


class _Links:
    """The hyperlinks of the link column's cells to the calendar rows they name."""

    def __init__(self, calendar: str, column: int | None, letters: list[str]) -> None:
        self.column, self.letters = column, letters
        # quoteattr quotes the location as a whole; a row number adds nothing it escapes.
        quoted = quoteattr(f"{quote_sheet(calendar)}!A")
        self.before, self.after = quoted[:-1], quoted[-1]

    def add(self, links: list[str], values: Sequence[Cell], n: int) -> None:
        """Append the hyperlink of row n's link cell, when it names a calendar row."""
        column = self.column
        if column is None or column >= len(values) or not _is_number(values[column]):
            return
        target = int(values[column])  # type: ignore[arg-type]
        if target < 1:
            return
        links.append(f'<hyperlink ref="{self.letters[column]}{n}" location={self.before}'
                     f'{target}{self.after} display="{target}"/>')


def _views(frozen: int) -> str:
    if not frozen:
        return '<sheetViews><sheetView workbookViewId="0"/></sheetViews>'
    cell = f"A{frozen + 1}"
    return (f'<sheetViews><sheetView workbookViewId="0"><pane ySplit="{frozen}" '
            f'topLeftCell="{cell}" activePane="bottomLeft" state="frozen"/><selection '
            f'pane="bottomLeft" activeCell="{cell}" sqref="{cell}"/></sheetView></sheetViews>')


def _cols(look: Look) -> str:
    if not look.widths:
        return ""
    cols = "".join(f'<col min="{j}" max="{j}" width="{w:g}" customWidth="1"/>'
                   for j, w in enumerate(look.widths, 1))
    return f"<cols>{cols}</cols>"


def _page(page: Page) -> str:
    """Margins, paper and orientation (one page wide, as many pages high as it takes) and
    the footer."""
    xml = ('<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.6" header="0.3" '
           f'footer="0.3"/><pageSetup paperSize="{_PAPER[page.paper]}" '
           'orientation="landscape" fitToWidth="1" fitToHeight="0"/>')
    footer = ""
    if page.footer_left:
        footer += "&L" + page.footer_left.replace("&", "&&")
    footer += "&CPage &P / &N"
    if page.footer_right:
        footer += "&R" + page.footer_right.replace("&", "&&")
    return xml + f"<headerFooter><oddFooter>{escape(footer)}</oddFooter></headerFooter>"


def text_width(text: str) -> int:
    """How many narrow characters wide a line of text is: wide ones (CJK, emoji) count two."""
    if text.isascii():
        return len(text)
    return len(text) + len(_WIDE.findall(text))


def _wrapped(text: str, capacity: float) -> int:
    """How many lines a spreadsheet wraps a line of text into: word by word; a word longer
    than a line is broken after a slash or hyphen where it can be, else where the line
    ends."""
    total = text_width(text)
    if total <= capacity:
        return 1
    # Where no character is wide, every piece of the text is as wide as it is long.
    width: Callable[[str], int] = len if total == len(text) else text_width
    lines, used = 1, 0.0
    for word in text.split(" "):
        size = width(word)
        if size <= capacity:  # the usual word: one piece, after a space unless it starts a line
            if used and used + (size + 1) > capacity:
                lines, used = lines + 1, 0.0 + size
            else:
                used += size + 1 if used else size
            continue
        for i, piece in enumerate(_BREAKS.split(word)):
            size = width(piece) + (1 if used and i == 0 else 0)
            if used and used + size > capacity:
                lines, used = lines + 1, 0.0
                size = width(piece)
            used += size
            while used > capacity:
                lines, used = lines + 1, used - capacity
    return lines
