"""A tab's look (:mod:`sheets_sync.looks`) as ``spreadsheets:batchUpdate`` requests.

Google keeps formats, conditional formats, filters and charts on the sheet, so the look is set
once, in the request that creates the tab (or when the look itself changes), and later cycles
write values only:

- widths, the frozen rows, the header's style and wrapped columns: formats of whole columns;
- the rules: conditional formats driven by the tab's own cells (``=OR($A2="critical")``),
  so a row's colour follows whatever the values write puts there;
- the filter: a basic filter over the columns, rows unbounded;
- the link column: a second column after the last one, whose one formula
  (``=ARRAYFORMULA(HYPERLINK("#gid=…&range=A"&H2:H, H2:H))``) links every row number the
  values write puts in the link column to that row of the calendar tab; the number column
  itself is hidden;
- charts: ``addChart`` over fixed rows of the tab (a chart reads blank rows as nothing).

What the look added is recorded on the sheet (developer metadata ``sheets-sync-look`` holding
the look's fingerprint), so a changed look first removes what the old one added: its
conditional formats and charts. Print setup has no place in the Sheets API and is left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sheets_sync.cells import Cell, column_letter
from sheets_sync.looks import Chart, Highlight, Look, Rule, Style

__all__ = ["LOOK_KEY", "cleanup_requests", "highlight_formula", "highlight_marker",
           "highlight_requests", "link_extra", "look_requests"]

LOOK_KEY = "sheets-sync-look"


def _color(hex_rgb: str) -> dict[str, float]:
    return {name: round(int(hex_rgb[i:i + 2], 16) / 255, 4)
            for name, i in (("red", 0), ("green", 2), ("blue", 4))}


def _format(style: Style, conditional: bool = False) -> dict[str, Any]:
    """A CellFormat; a conditional format takes colours, bold and underline only."""
    out: dict[str, Any] = {}
    if style.fill:
        out["backgroundColor"] = _color(style.fill)
    text: dict[str, Any] = {}
    if style.bold:
        text["bold"] = True
    if style.underline:
        text["underline"] = True
    if style.color:
        text["foregroundColor"] = _color(style.color)
    if style.size and not conditional:
        text["fontSize"] = int(style.size)
    if text:
        out["textFormat"] = text
    if not conditional and style.wrap:
        out["wrapStrategy"] = "WRAP"
    if not conditional and (style.wrap or style.top):
        out["verticalAlignment"] = "TOP"
    return out


def _fields(cell_format: dict[str, Any]) -> str:
    """The field mask of exactly what a CellFormat sets (dot paths)."""
    paths = []
    for key, value in cell_format.items():
        if key == "textFormat":
            paths += [f"userEnteredFormat.textFormat.{k}" for k in value]
        else:
            paths.append(f"userEnteredFormat.{key}")
    return ",".join(paths)


def _range(sheet_id: int, rows: tuple[int, int | None], columns: tuple[int, int]
           ) -> dict[str, Any]:
    out: dict[str, Any] = {"sheetId": sheet_id, "startRowIndex": rows[0],
                           "startColumnIndex": columns[0], "endColumnIndex": columns[1]}
    if rows[1] is not None:
        out["endRowIndex"] = rows[1]
    return out


def _repeat(sheet_id: int, rows: tuple[int, int | None], columns: tuple[int, int],
            style: Style) -> dict[str, Any] | None:
    cell_format = _format(style)
    if not cell_format:
        return None
    return {"repeatCell": {"range": _range(sheet_id, rows, columns),
                           "cell": {"userEnteredFormat": cell_format},
                           "fields": _fields(cell_format)}}


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _rule(sheet_id: int, rule: Rule, index: int) -> dict[str, Any]:
    first = rule.first_row + rule.offset  # 0-based first row the format covers
    source = f"${column_letter(rule.column)}{first + 1 - rule.offset}"
    formula = "=OR(" + ",".join(f"{source}={_quote(t)}" for t in rule.texts) + ")"
    return {"addConditionalFormatRule": {"index": index, "rule": {
        "ranges": [_range(sheet_id, (first, None), rule.columns)],
        "booleanRule": {"condition": {"type": "CUSTOM_FORMULA",
                                      "values": [{"userEnteredValue": formula}]},
                        "format": _format(rule.style, conditional=True)}}}}


def _pixels(width: float) -> int:
    """A column width in characters as pixels, as spreadsheet programs convert it."""
    return int(width * 7 + 5)


def link_extra(calendar_gid: int, header: Sequence[Cell], look: Look) -> dict[str, str]:
    """What the link column's formula needs besides the look: the calendar's sheet ID and
    the link column's label (its header cell)."""
    column = look.link_column
    label = header[column] if column is not None and column < len(header) else ""
    return {"gid": str(calendar_gid), "label": str(label or "")}


def look_requests(sheet_id: int, look: Look, width: int, chart_ids: Sequence[int] = ()
                  ) -> list[dict[str, Any]]:
    """The requests that give sheet ``sheet_id`` this look; ``width`` is the number of
    columns the values write (the link formula goes right after them). ``chart_ids`` are
    the IDs to give the look's charts, in order."""
    out: list[dict[str, Any] | None] = [{"updateSheetProperties": {
        "properties": {"sheetId": sheet_id,
                       "gridProperties": {"frozenRowCount": look.frozen_rows}},
        "fields": "gridProperties.frozenRowCount"}}]
    for j, w in enumerate(look.widths):
        out.append({"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": j,
                      "endIndex": j + 1},
            "properties": {"pixelSize": _pixels(w)}, "fields": "pixelSize"}})
    columns = max(width, len(look.widths))
    body = max(look.frozen_rows, 1)
    wrapped = [_repeat(sheet_id, (body, None), (j, j + 1), Style(wrap=True)) for j in look.wrap]
    if look.wrap:
        out.append(_repeat(sheet_id, (body, None), (0, columns), Style(top=True)))
    out += wrapped
    if look.header is not None:
        out.append(_repeat(sheet_id, (0, 1), (0, columns), look.header))
    for box in look.boxes:
        out.append(_repeat(sheet_id, box.rows, box.columns, box.style))
    out += [_rule(sheet_id, rule, i) for i, rule in enumerate(look.rules)]
    if look.filter:
        out.append({"setBasicFilter": {"filter": {"range": _range(
            sheet_id, (0, None), (0, look.filter))}}})
    if look.link_column is not None and "gid" in look.extra:
        out += _link_column(sheet_id, look, width)
    out += [_chart(sheet_id, chart, chart_id, look.widths)
            for chart, chart_id in zip(look.charts, chart_ids)]
    return [r for r in out if r is not None]


def _link_column(sheet_id: int, look: Look, width: int) -> list[dict[str, Any]]:
    """The label and the one formula of the link column, after the ``width`` columns the
    values write; the column of plain numbers it links is hidden."""
    assert look.link_column is not None
    numbers = column_letter(look.link_column)
    span = f"{numbers}2:{numbers}"
    url = f'"#gid={look.extra["gid"]}&range=A"&{span}'
    formula = f'=ARRAYFORMULA(IF({span}="","",HYPERLINK({url},{span})))'
    return [
        {"updateCells": {"start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": width},
                         "rows": [{"values": [{"userEnteredValue": {
                                      "stringValue": look.extra.get("label", "")}}]},
                                  {"values": [{"userEnteredValue": {"formulaValue": formula}}]}],
                         "fields": "userEnteredValue"}},
        {"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS",
                      "startIndex": look.link_column, "endIndex": look.link_column + 1},
            "properties": {"hiddenByUser": True}, "fields": "hiddenByUser"}},
        {"updateDimensionProperties": {
            "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": width,
                      "endIndex": width + 1},
            "properties": {"pixelSize": _pixels(look.widths[look.link_column]
                                                if look.link_column < len(look.widths)
                                                else 8)},
            "fields": "pixelSize"}},
    ]


def _source(sheet_id: int, first: int, rows: int, column: int) -> dict[str, Any]:
    return {"sourceRange": {"sources": [{
        "sheetId": sheet_id, "startRowIndex": first, "endRowIndex": first + rows,
        "startColumnIndex": column, "endColumnIndex": column + 1}]}}


def _chart(sheet_id: int, chart: Chart, chart_id: int, widths: Sequence[float]
           ) -> dict[str, Any]:
    """``addChart``: the chart reads its header row (series names) and its fixed data rows."""
    rows = chart.rows + 1  # with the header row: the first row names each series
    combo = any(s.line for s in chart.series)  # each series says how it is drawn
    series = [{"series": _source(sheet_id, chart.header, rows, s.column),
               "targetAxis": "LEFT_AXIS" if chart.kind == "column" else "BOTTOM_AXIS",
               **({"type": "LINE" if s.line else "COLUMN"} if combo else {})}
              for s in chart.series]
    spec = {"title": chart.title, "basicChart": {
        "chartType": "COMBO" if combo else chart.kind.upper(),
        "legendPosition": "BOTTOM_LEGEND", "headerCount": 1,
        "stackedType": "STACKED" if chart.stacked else "NOT_STACKED",
        "domains": [{"domain": _source(sheet_id, chart.header, rows, chart.categories)}],
        "series": series}}
    row, column = chart.anchor
    span_rows, span_columns = chart.span
    width = sum(_pixels(w) for w in widths[column:column + span_columns])
    return {"addChart": {"chart": {"chartId": chart_id, "spec": spec, "position": {
        "overlayPosition": {"anchorCell": {"sheetId": sheet_id, "rowIndex": row,
                                           "columnIndex": column},
                            "widthPixels": width, "heightPixels": span_rows * 21}}}}}


def cleanup_requests(sheet_id: int, rules: int, charts: Sequence[int]) -> list[dict[str, Any]]:
    """The requests that remove an earlier look's ``rules`` conditional formats (the first
    ones of the sheet) and its charts, before the new look is set."""
    out: list[dict[str, Any]] = [{"deleteConditionalFormatRule": {"sheetId": sheet_id,
                                                                  "index": 0}}
                                 for _ in range(rules)]
    out += [{"deleteEmbeddedObject": {"objectId": chart_id}} for chart_id in charts]
    return out


def highlight_formula(spec: Highlight, label: str) -> str:
    """The conditional format of one severity on the calendar: the Status tab lists the row
    with it (a rule reaches another tab through INDIRECT only)."""
    tab = "'" + spec.status_tab.replace("'", "''") + "'"
    rows, levels = column_letter(spec.row_column), column_letter(spec.severity_column)
    text = label.replace('"', '""')
    return (f'=COUNTIFS(INDIRECT("{_escape(tab)}!{rows}:{rows}"),ROW(),'
            f'INDIRECT("{_escape(tab)}!{levels}:{levels}"),"{text}")>0')


def highlight_marker(status_tab: str) -> str:
    """What every formula of the tool's calendar colours contains (for Status tab
    ``status_tab``), and no formula of a person's is likely to."""
    tab = "'" + status_tab.replace("'", "''") + "'"
    return f'=COUNTIFS(INDIRECT("{_escape(tab)}!'


def _escape(text: str) -> str:
    return text.replace('"', '""')


def highlight_requests(sheet_id: int, spec: Highlight | None, ours: Sequence[int]
                       ) -> list[dict[str, Any]]:
    """Remove the tool's colours from the calendar sheet (the conditional formats at
    indexes ``ours``), then add ``spec``'s first, over whole rows below the header."""
    out: list[dict[str, Any]] = [{"deleteConditionalFormatRule": {"sheetId": sheet_id,
                                                                  "index": i}}
                                 for i in sorted(ours, reverse=True)]
    for i, (label, fill) in enumerate(spec.fills if spec is not None else ()):
        assert spec is not None
        out.append({"addConditionalFormatRule": {"index": i, "rule": {
            "ranges": [{"sheetId": sheet_id, "startRowIndex": spec.first_row - 1}],
            "booleanRule": {"condition": {"type": "CUSTOM_FORMULA", "values": [
                {"userEnteredValue": highlight_formula(spec, label)}]},
                "format": {"backgroundColor": _color(fill)}}}}})
    return out
