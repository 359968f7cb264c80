"""Native charts of an owned tab in a workbook: DrawingML chart parts and the drawing that
anchors them on the sheet.

A tab with charts has, besides its worksheet part, a relationships part pointing at one
drawing part, whose own relationships point at one chart part per chart. All of them are
the tool's (they belong to its tab), so they are generated whole on every write, keeping the
part names they had; chart parts no longer needed are removed. Each chart refers to the tab's
own cells (``'Report'!$B$38:$B$48``) and carries the values as a cache, so a program that
draws from the cache and one that reads the cells show the same chart.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from sheets_sync.backends.xlsx_book import REL_NS, Book
from sheets_sync.backends.xlsx_package import Package
from sheets_sync.cells import Cell, column_letter
from sheets_sync.looks import Chart

__all__ = ["ChartParts", "chart_xml", "drawing_xml"]

_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DRAWING_TYPE = REL_NS + "/drawing"
CHART_TYPE = REL_NS + "/chart"
DRAWING_CT = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_CT = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
RELS_CT = "application/vnd.openxmlformats-package.relationships+xml"
COLORS = ("4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47")
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_SMOOTH, _OVERLAP = '<c:smooth val="0"/>', '<c:overlap val="100"/>'


def _ref(sheet: str, column: int, first: int, last: int) -> str:
    """An absolute reference to rows first..last (0-based) of one column."""
    quoted = "'" + sheet.replace("'", "''") + "'"
    letters = column_letter(column)
    if first == last:
        return f"{quoted}!${letters}${first + 1}"
    return f"{quoted}!${letters}${first + 1}:${letters}${last + 1}"


def _text(value: Cell) -> str:
    return "" if value is None else str(value)


def _cache(kind: str, values: Sequence[Cell]) -> str:
    points = "".join(f'<c:pt idx="{i}"><c:v>{escape(_text(v))}</c:v></c:pt>'
                     for i, v in enumerate(values) if v not in (None, ""))
    code = "<c:formatCode>General</c:formatCode>" if kind == "num" else ""
    return f'<c:{kind}Cache>{code}<c:ptCount val="{len(values)}"/>{points}</c:{kind}Cache>'


def _column(grid: Sequence[Sequence[Cell]], column: int, first: int, count: int) -> list[Cell]:
    out: list[Cell] = []
    for r in range(first, first + count):
        line = grid[r] if r < len(grid) else []
        out.append(line[column] if column < len(line) else None)
    return out


def chart_xml(chart: Chart, sheet: str, grid: Sequence[Sequence[Cell]]) -> bytes:
    """A chart part: bars of the chart's series (and lines of those marked so) over its
    category labels, reading the rows the table fills (at least one)."""
    rows = max(chart.filled, 1)
    first, last = chart.header + 1, chart.header + rows
    categories = _column(grid, chart.categories, first, rows)
    cat = (f"<c:cat><c:strRef><c:f>{escape(_ref(sheet, chart.categories, first, last))}</c:f>"
           f"{_cache('str', categories)}</c:strRef></c:cat>")
    bars: list[str] = []
    lines: list[str] = []
    for i, series in enumerate(chart.series):
        name = _column(grid, series.column, chart.header, 1)
        values = [v if isinstance(v, (int, float)) else None
                  for v in _column(grid, series.column, first, rows)]
        color = COLORS[i % len(COLORS)]
        fill = (f'<c:spPr><a:ln w="28575"><a:solidFill><a:srgbClr val="{color}"/></a:solidFill>'
                f'</a:ln></c:spPr><c:marker><c:symbol val="none"/></c:marker>' if series.line
                else f'<c:spPr><a:solidFill><a:srgbClr val="{color}"/></a:solidFill></c:spPr>'
                '<c:invertIfNegative val="0"/>')
        xml = (f'<c:ser><c:idx val="{i}"/><c:order val="{i}"/><c:tx><c:strRef><c:f>'
               f"{escape(_ref(sheet, series.column, chart.header, chart.header))}</c:f>"
               f"{_cache('str', name)}</c:strRef></c:tx>{fill}{cat}<c:val><c:numRef><c:f>"
               f"{escape(_ref(sheet, series.column, first, last))}</c:f>"
               f"{_cache('num', values)}</c:numRef></c:val>"
               f"{_SMOOTH if series.line else ''}</c:ser>")
        (lines if series.line else bars).append(xml)
    axes = '<c:axId val="500"/><c:axId val="501"/>'
    grouping = "stacked" if chart.stacked else "clustered"
    plot = (f'<c:barChart><c:barDir val="{"col" if chart.kind == "column" else "bar"}"/>'
            f'<c:grouping val="{grouping}"/><c:varyColors val="0"/>{"".join(bars)}'
            f'<c:gapWidth val="80"/>{_OVERLAP if chart.stacked else ""}'
            f"{axes}</c:barChart>")
    if lines:
        plot += (f'<c:lineChart><c:grouping val="standard"/><c:varyColors val="0"/>'
                 f'{"".join(lines)}<c:marker val="1"/>{axes}</c:lineChart>')
    title = (f'<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:pPr><a:defRPr sz="1200" b="1"/>'
             f'</a:pPr><a:r><a:rPr lang="en-US" sz="1200" b="1"/><a:t>{escape(chart.title)}'
             f'</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title>')
    position = "b" if chart.kind == "column" else "l"
    other = "l" if chart.kind == "column" else "b"
    return (
        f'{_HEAD}<c:chartSpace xmlns:c="{_C}" xmlns:a="{_A}" xmlns:r="{REL_NS}">'
        f'<c:roundedCorners val="0"/><c:chart>{title}<c:autoTitleDeleted val="0"/>'
        f"<c:plotArea><c:layout/>{plot}"
        f'<c:catAx><c:axId val="500"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{position}"/><c:numFmt formatCode="General" '
        f'sourceLinked="0"/><c:tickLblPos val="nextTo"/><c:crossAx val="501"/>'
        f'<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/>'
        f'<c:lblOffset val="100"/></c:catAx>'
        f'<c:valAx><c:axId val="501"/><c:scaling><c:orientation val="minMax"/></c:scaling>'
        f'<c:delete val="0"/><c:axPos val="{other}"/><c:majorGridlines/><c:numFmt '
        f'formatCode="General" sourceLinked="0"/><c:tickLblPos val="nextTo"/>'
        f'<c:crossAx val="500"/><c:crosses val="autoZero"/><c:crossBetween val="between"/>'
        f"</c:valAx></c:plotArea>"
        f'<c:legend><c:legendPos val="b"/><c:overlay val="0"/></c:legend>'
        f'<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'
    ).encode()


def drawing_xml(charts: Sequence[Chart]) -> bytes:
    """The drawing part: each chart anchored over its cells (relationship ``rId{n}``)."""
    anchors = []
    for n, chart in enumerate(charts, 1):
        (row, col), (rows, cols) = chart.anchor, chart.span
        anchors.append(
            f'<xdr:twoCellAnchor editAs="oneCell"><xdr:from><xdr:col>{col}</xdr:col>'
            f"<xdr:colOff>0</xdr:colOff><xdr:row>{row}</xdr:row><xdr:rowOff>0</xdr:rowOff>"
            f"</xdr:from><xdr:to><xdr:col>{col + cols}</xdr:col><xdr:colOff>0</xdr:colOff>"
            f"<xdr:row>{row + rows}</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>"
            f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{n + 1}" '
            f"name={quoteattr(f'Chart {n}')}/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr>"
            f'<xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm><a:graphic>'
            f'<a:graphicData uri="{_C}"><c:chart xmlns:c="{_C}" xmlns:r="{REL_NS}" '
            f'r:id="rId{n}"/></a:graphicData></a:graphic></xdr:graphicFrame>'
            f"<xdr:clientData/></xdr:twoCellAnchor>")
    return (f'{_HEAD}<xdr:wsDr xmlns:xdr="{_XDR}" xmlns:a="{_A}">{"".join(anchors)}'
            f"</xdr:wsDr>").encode()


def _rels(targets: Sequence[tuple[str, str]]) -> bytes:
    """A relationships part: (type, target) -> rId1, rId2, …"""
    items = "".join(f'<Relationship Id="rId{n}" Type="{kind}" Target={quoteattr(target)}/>'
                    for n, (kind, target) in enumerate(targets, 1))
    return f'{_HEAD}<Relationships xmlns="{_PKG_RELS}">{items}</Relationships>'.encode()


def _rels_of(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


class ChartParts:
    """The parts that put a tab's charts on its sheet, named as the workbook has them.

    :meth:`changes` returns the parts to write (relationships of the sheet and drawing, the
    drawing, the charts); :attr:`removed` the chart parts an earlier write had that are no
    longer needed. The book gets the content types of new parts.
    """

    def __init__(self, pkg: Package, book: Book, sheet_part: str) -> None:
        self.pkg, self.book, self.sheet_part = pkg, book, sheet_part
        self.removed: set[str] = set()
        self.drawing, self.charts = self._existing()

    def _targets(self, part: str, kind: str) -> list[str]:
        """The parts ``part``'s relationships point at with this type (resolved paths)."""
        rels = self.pkg.find(_rels_of(part))
        if rels is None:
            return []
        text = self.pkg.text(rels)
        found = []
        for match in re.finditer(r"<Relationship\b([^>]*)/?>", text):
            attrs = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
            if attrs.get("Type") == kind and attrs.get("TargetMode") != "External":
                given = attrs.get("Target", "")
                target = given[1:] if given.startswith("/") else posixpath.normpath(
                    posixpath.join(posixpath.dirname(part), given))
                found.append(self.pkg.find(target) or target)
        return found

    def _existing(self) -> tuple[str | None, list[str]]:
        drawings = self._targets(self.sheet_part, DRAWING_TYPE)
        if not drawings:
            return None, []
        return drawings[0], self._targets(drawings[0], CHART_TYPE)

    def changes(self, sheet: str, charts: Sequence[Chart], grid: Sequence[Sequence[Cell]]
                ) -> dict[str, bytes]:
        """Every part the tab's charts need, as new bytes; the sheet refers to its drawing
        as ``rId1``."""
        out: dict[str, bytes] = {}
        if not charts:
            return out
        drawing = self.drawing or self.book.free_part("xl/drawings/drawing")
        self.book.declare(drawing, DRAWING_CT)
        names = list(self.charts[: len(charts)])
        while len(names) < len(charts):
            names.append(self.book.free_part("xl/charts/chart"))
        self.removed |= set(self.charts[len(charts):])
        for name, chart in zip(names, charts):
            self.book.declare(name, CHART_CT)
            out[name] = chart_xml(chart, sheet, grid)
        out[drawing] = drawing_xml(charts)
        relative = [posixpath.relpath(n, posixpath.dirname(drawing)) for n in names]
        out[_rels_of(drawing)] = _rels([(CHART_TYPE, r) for r in relative])
        out[_rels_of(self.sheet_part)] = _rels([(DRAWING_TYPE, posixpath.relpath(
            drawing, posixpath.dirname(self.sheet_part)))])
        for part in self.removed:
            self.book.undeclare(part)
        return out
