"""Single cells written into an existing worksheet, everything else in its XML left as it was.

The sheet's XML is edited as text: only the <c> elements written and the rows holding them
change (a row loses its ``spans`` hint), rows and cells are inserted in order, a replaced
cell keeps its style, and the sheet's dimension grows to cover the new cells. Formula cells
are never overwritten. How each value is written is :class:`CellWriter`'s business.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sheets_sync.backends.xlsx_book import xml_attrs, xml_prefix
from sheets_sync.backends.xlsx_sheet import CellWriter
from sheets_sync.cells import Cell, column_letter, column_number
from sheets_sync.errors import SourceError

__all__ = ["edit_cells"]

_REF = re.compile(r"([A-Z]+)(\d+)")


def edit_cells(text: str, cells: Mapping[tuple[int, int], Cell], writer: CellWriter) -> str:
    """The sheet XML with these cells (1-based row, column) replaced or inserted.

    Everything else is left as it was, byte for byte; a replaced cell keeps its style, and
    the dimension grows to cover the new cells. SourceError for a cell outside the sheet, a
    sheet without cell data or a formula cell; ValueError when a closing tag is missing.
    """
    if not cells:
        return text
    p = xml_prefix(text, "worksheet")
    wanted: dict[int, dict[int, Cell]] = {}
    for (row, col), value in cells.items():
        if not (1 <= row <= 1048576 and 1 <= col <= 16384):
            raise SourceError(f"{writer.where}: cell ({row}, {col}) is outside the sheet")
        wanted.setdefault(row, {})[col] = value
    match = re.search(rf"<{p}sheetData\b[^>]*?(/?)>", text)
    if match is None:
        raise SourceError(f"{writer.where}: the sheet has no cell data")
    start = match.end()
    end = start if match.group(1) else text.index(f"</{p}sheetData>", start)
    data = _edit_rows(text, start, end, p, wanted, writer)
    if match.group(1):
        head, tail = text[: match.start()], f"<{p}sheetData>{data}</{p}sheetData>{text[start:]}"
    else:
        head, tail = text[:start], data + text[end:]
    return _grow_dimension(head, p, cells) + tail


def _edit_rows(text: str, start: int, end: int, p: str, wanted: dict[int, dict[int, Cell]],
               writer: CellWriter) -> str:
    """The sheetData content text[start:end] with the wanted rows edited or inserted in order.

    wanted (row -> column -> value) is emptied.
    """
    pieces: list[str] = []
    pos, current = start, 0
    for rm in re.compile(rf"<{p}row\b([^>]*?)(/?)>").finditer(text, start, end):
        attrs = xml_attrs(rm.group(1))
        current = int(attrs["r"]) if "r" in attrs else current + 1
        close = rm.end() if rm.group(2) else text.index(f"</{p}row>", rm.end())
        earlier = [r for r in sorted(wanted) if r < current]
        if earlier or current in wanted:
            pieces.append(text[pos : rm.start()])
            pieces.extend(_row(p, "", "", r, wanted.pop(r), writer) for r in earlier)
            pos = rm.start()
        if current in wanted:
            content = text[rm.end() : close]
            pieces.append(_row(p, rm.group(1), content, current, wanted.pop(current), writer))
            pos = close if rm.group(2) else close + len(f"</{p}row>")
    pieces.append(text[pos:end])
    pieces.extend(_row(p, "", "", r, wanted.pop(r), writer) for r in sorted(wanted))
    return "".join(pieces)


def _row(p: str, attrs_text: str, content: str, row: int, values: dict[int, Cell],
         writer: CellWriter) -> str:
    """One <row> with these cells written into it (content: the row's existing cells)."""
    out: list[str] = []
    pos = col = 0
    pending = sorted(values)

    def write(column: int, style: str) -> None:
        letters = _column(column)
        xml = writer.cell(letters, row, values[column], style)
        out.append(re.sub(r"<(/?)(?=\w)", rf"<\1{p}", xml) if p else xml)
        if not xml and style:
            out.append(f'<{p}c r="{letters}{row}"{style}/>')

    for cell in re.finditer(rf"<{p}c\b([^>]*?)(?:/>|>(.*?)</{p}c>)", content, re.S):
        attrs = xml_attrs(cell.group(1))
        col = column_number(attrs["r"]) if "r" in attrs else col + 1
        if not pending or pending[0] > col:
            continue
        out.append(content[pos : cell.start()])
        pos = cell.start()
        while pending and pending[0] < col:
            write(pending.pop(0), "")
        if pending and pending[0] == col:
            if re.search(rf"<{p}f[\s>/]", cell.group(2) or ""):
                ref = f"{_column(col)}{row}"
                raise SourceError(f"{writer.where}: cell {ref} holds a formula; it is not "
                                  "overwritten")
            write(pending.pop(0), f' s="{attrs["s"]}"' if "s" in attrs else "")
            pos = cell.end()
    out.append(content[pos:])
    while pending:
        write(pending.pop(0), "")
    attrs_text = re.sub(r"""\sspans\s*=\s*("[^"]*"|'[^']*')""", "", attrs_text or f' r="{row}"')
    return f"<{p}row{attrs_text}>{''.join(out)}</{p}row>"


def _grow_dimension(head: str, p: str, cells: Mapping[tuple[int, int], Cell]) -> str:
    """head with its <dimension ref> widened to cover these cells (unchanged when unreadable)."""
    match = re.search(rf'(<{p}dimension\b[^>]*?\bref=")([^"]*)(")', head)
    if match is None:
        return head
    refs = [_REF.fullmatch(part) for part in match.group(2).split(":")]
    if not all(refs):
        return head
    rows = [int(m.group(2)) for m in refs if m] + [r for r, _ in cells]
    cols = [column_number(m.group(1)) for m in refs if m] + [c for _, c in cells]
    ref = f"{_column(min(cols))}{min(rows)}:{_column(max(cols))}{max(rows)}"
    if ref.split(":")[0] == ref.split(":")[1]:
        ref = ref.split(":")[0]
    return head[: match.start(2)] + ref + head[match.end(2) :] if ref != match.group(2) else head


def _column(index: int) -> str:
    """Letters of a 1-based column number."""
    return column_letter(index - 1)

