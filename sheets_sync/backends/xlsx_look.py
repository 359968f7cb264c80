"""Worksheets with a look (:mod:`sheets_sync.looks`): styled cells, widths, row heights, frozen
rows, an autofilter, links to the calendar's rows and print setup.

A workbook's sheet part is generated whole on every write, so the look's rules are evaluated
against the cells here and become plain cell styles (a fill, a bold font, wrapped text),
which every spreadsheet program shows and keeps. Wrapped rows get a height that fits their
text (Excel does not fit heights when it opens a file), estimated from the column widths.
Charts are drawn by :mod:`sheets_sync.backends.xlsx_chart`; this module only refers to their
drawing part.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape, quoteattr

from sheets_sync.backends.xlsx_book import MAIN_NS, REL_NS
from sheets_sync.backends.xlsx_sheet import CellWriter, _PlainRows
from sheets_sync.backends.xlsx_styles import DATE_FORMAT, DATETIME_FORMAT, Styles
from sheets_sync.cells import Cell, column_letter
from sheets_sync.looks import Look, Page, Style, merge

__all__ = ["LINE_HEIGHT", "quote_sheet", "sheet_with_look", "text_width"]

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
                    look: Look, where: str, calendar: str = "", drawing: str = "") -> bytes:
    """The whole worksheet part for a tab with a look (row 0 -> sheet row 1).

    ``calendar`` is the calendar tab's name: the look's link column links there (no links
    without it). ``drawing`` is the relationship ID of the tab's drawing (its charts), or ''.
    TypeError for a value no cell can hold; ``where`` names the tab in that message.
    """
    cells = CellWriter(styles, epoch, where)
    styled = look.styles_of_rows(rows)
    body: list[str] = []
    last_row = last_col = 0
    links: list[str] = []
    width = max((len(r) for r in rows), default=0)
    letters = [column_letter(j) for j in range(max(width, len(look.widths)))]
    plain = _PlainRows(cells)
    wrapped = functools.cache(_wrapped)  # texts repeat down a tab; freed with this call
    for r, values in enumerate(rows):
        n = str(r + 1)
        line = _row_styles(look, r, values, styled.get(r, {}))
        height = _height(look, values, line, wrapped)
        attrs = f' ht="{height:g}" customHeight="1"' if height else ""
        body.append(f'<row r="{n}"{attrs}>')
        mark = len(body)
        last = -1
        if not line:
            last = plain.write(body, values, letters, n)
        span = max(len(values), max(line, default=-1) + 1) if line else 0
        while len(letters) < span:
            letters.append(column_letter(len(letters)))
        for j in range(span):
            value = values[j] if j < len(values) else None
            xml = _cell(cells, styles, letters[j], n, value, line.get(j))
            if xml:
                body.append(xml)
                last = j
        if look.link_column is not None and calendar and r >= 1:
            links += _link(values, look.link_column, letters, n, calendar)
        if len(body) == mark and not height:
            body.pop()
        else:
            body.append("</row>")
            last_row, last_col = r + 1, max(last_col, last + 1)
    data = f"<sheetData>{''.join(body)}</sheetData>" if body else "<sheetData/>"
    ref = f"A1:{column_letter(max(last_col, 1) - 1)}{max(last_row, 1)}"
    parts = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet '
             f'xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">']
    if look.page is not None:
        parts.append('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>')
    parts.append(f'<dimension ref="{ref}"/>')
    parts.append(_views(look.frozen_rows if last_row > look.frozen_rows else 0))
    parts.append(_cols(look))
    parts.append(data)
    if look.filter and last_row:
        parts.append(f'<autoFilter ref="A1:{column_letter(look.filter - 1)}{last_row}"/>')
    if links:
        parts.append(f"<hyperlinks>{''.join(links)}</hyperlinks>")
    if look.page is not None:
        parts.append(_page(look.page))
    if drawing:
        parts.append(f'<drawing r:id="{drawing}"/>')
    parts.append("</worksheet>")
    return "".join(parts).encode("utf-8")


def _row_styles(look: Look, r: int, values: Sequence[Cell], styled: dict[int, Style]
                ) -> dict[int, Style]:
    """Each styled cell of row ``r``: the header's style, wrapped columns, the link column,
    then the rules' and boxes' styles on top."""
    line: dict[int, Style] = {}
    if r == 0 and look.header is not None:
        line = {j: look.header for j in range(len(values))}
    elif r >= max(look.frozen_rows, 1) and look.wrap:
        line = {j: _TOP for j in range(max(len(values), len(look.widths)))}
        for j in look.wrap:
            line[j] = _WRAP
        link = look.link_column
        if link is not None and link < len(values) and _is_number(values[link]):
            line[link] = merge(line.get(link, Style()), _LINK)
    for j, style in styled.items():
        line[j] = merge(line[j], style) if j in line else style
    return line


def _cell(cells: CellWriter, styles: Styles, col: str, n: str, value: Cell,
          style: Style | None) -> str:
    """One cell in its style; a date gets its date format with the style."""
    if style is None:
        return cells.cell(col, n, value)
    code = (DATETIME_FORMAT if isinstance(value, datetime.datetime)
            else DATE_FORMAT if isinstance(value, datetime.date) else None)
    index = styles.xf_style(code, style)
    if value is None or value == "":
        return f'<c r="{col}{n}" s="{index}"/>' if style.fill else ""
    return cells.cell(col, n, value, f' s="{index}"')


def _is_number(value: Cell) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and value == value and float(value).is_integer())


def _link(values: Sequence[Cell], column: int, letters: list[str], n: str, calendar: str
          ) -> list[str]:
    """The hyperlink of this row's link cell to the calendar row it names."""
    if column >= len(values) or not _is_number(values[column]):
        return []
    target = int(values[column])  # type: ignore[arg-type]
    if target < 1:
        return []
    location = quoteattr(f"{quote_sheet(calendar)}!A{target}")
    return [f'<hyperlink ref="{letters[column]}{n}" location={location} display="{target}"/>']


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
    if text_width(text) <= capacity:
        return 1
    lines, used = 1, 0.0
    for word in text.split(" "):
        pieces = _BREAKS.split(word) if text_width(word) > capacity else [word]
        for i, piece in enumerate(pieces):
            size = text_width(piece) + (1 if used and i == 0 else 0)
            if used and used + size > capacity:
                lines, used = lines + 1, 0.0
                size = text_width(piece)
            used += size
            while used > capacity:
                lines, used = lines + 1, used - capacity
    return lines


def _height(look: Look, values: Sequence[Cell], line: dict[int, Style],
            wrapped: Callable[[str, float], int] = _wrapped) -> float:
    """The height in points that shows every wrapped cell of the row whole, or 0 when the
    default height does (``wrapped``: :func:`_wrapped`, or a memo of it)."""
    lines, size = 1, 0.0
    for j, style in line.items():
        size = max(size, style.size)
        if not style.wrap or j >= len(values) or not isinstance(values[j], str):
            continue
        width = look.widths[j] if j < len(look.widths) else 10
        capacity = max(1.0, (width - 1) * CHARS_PER_WIDTH * (0.9 if style.bold else 1.0))
        count = sum(wrapped(part, capacity) for part in str(values[j]).split("\n"))
        lines = max(lines, count)
    if lines == 1 and not size:
        return 0
    per_line = LINE_HEIGHT * max(size, 11) / 11
    return round(lines * per_line + (2 if lines > 1 else 0), 1)
