"""Reading a spreadsheet: the ``spreadsheets.get`` document and developer metadata lookups."""

from __future__ import annotations

import copy
from typing import Any

from . import _values as values
from ._cells import Formula, extended_value, render
from ._model import ApiError, Reader, Sheet, Spreadsheet

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {"foregroundColor": {}, "fontFamily": "arial,sans,sans-serif", "fontSize": 10,
                   "bold": False, "italic": False, "strikethrough": False, "underline": False,
                   "foregroundColorStyle": {"rgbColor": {}}},
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}
def _range_out(grid_range: dict[str, Any]) -> dict[str, Any]:
    """Proto3 JSON drops a zero sheetId; index fields are kept when they were set."""
    out = {k: v for k, v in grid_range.items() if v is not None}
    if not out.get("sheetId"):
        out.pop("sheetId", None)
    return out


def _protected_out(pr: dict[str, Any], owner: str) -> dict[str, Any]:
    out = copy.deepcopy(pr)
    editors = out.pop("editors", {}) or {}
    users = [owner] + [u for u in editors.get("users", []) if u != owner]
    shown: dict[str, Any] = {"users": users}
    if editors.get("groups"):
        shown["groups"] = editors["groups"]
    if editors.get("domainUsersCanEdit"):
        shown["domainUsersCanEdit"] = True
    out["editors"] = shown
    return out


def _metadata_where(md: dict[str, Any]) -> int | None:
    """Return the sheetId a metadata entry is shown under (None: the spreadsheet)."""
    loc = md.get("location", {})
    if loc.get("locationType") == "SHEET":
        return int(loc.get("sheetId", 0))
    return None


def _grid_data(reader: Reader, sheet: Sheet, box: tuple[int, int, int, int]) -> dict[str, Any]:
    r0, c0, r1, c1 = box
    loc = reader.book.locale
    row_data: list[dict[str, Any]] = []
    for r in range(r0, r1):
        cells: list[dict[str, Any]] = []
        for c in range(c0, c1):
            cell = sheet.get(r, c)
            fmt = sheet.formats.get((r, c))
            data: dict[str, Any] = {}
            if cell is not None:
                value = reader.value(sheet, r, c)
                data["userEnteredValue"] = (extended_value(None, cell.text)
                                            if isinstance(cell, Formula) else extended_value(cell))
                data["effectiveValue"] = extended_value(value)
                data["formattedValue"] = render(value, None, fmt, "FORMATTED_VALUE",
                                                "SERIAL_NUMBER", loc)
            if fmt is not None:
                data["userEnteredFormat"] = {"numberFormat": fmt}
            cells.append(data)
        while cells and not cells[-1]:
            cells.pop()
        row_data.append({"values": cells} if cells else {})
    while row_data and not row_data[-1]:
        row_data.pop()
    out: dict[str, Any] = {}
    if r0:
        out["startRow"] = r0
    if c0:
        out["startColumn"] = c0
    if row_data:
        out["rowData"] = row_data
    out["rowMetadata"] = [{"pixelSize": 21} for _ in range(r0, r1)]
    out["columnMetadata"] = [{"pixelSize": 100} for _ in range(c0, c1)]
    return out


def spreadsheet_json(book: Spreadsheet, owner: str, *, include_grid: bool = False,
                     ranges: list[str] | None = None) -> dict[str, Any]:
    wanted: dict[int, list[tuple[int, int, int, int]]] = {}
    for text in ranges or []:
        target = values.Target(book, text)
        wanted.setdefault(target.sheet.id, []).append(target.bounded())
    reader = Reader(book)
    sheets = []
    for sheet in book.sheets:
        if ranges and sheet.id not in wanted:
            continue
        item: dict[str, Any] = {"properties": copy.deepcopy(sheet.props)}
        if include_grid:
            boxes = wanted.get(sheet.id) or [(0, 0, sheet.row_count, sheet.col_count)]
            item["data"] = [_grid_data(reader, sheet, box) for box in boxes]
        if sheet.merges:
            item["merges"] = copy.deepcopy(sheet.merges)
        if sheet.protected:
            item["protectedRanges"] = [_protected_out(p, owner) for p in sheet.protected]
        if sheet.basic_filter is not None:
            item["basicFilter"] = copy.deepcopy(sheet.basic_filter)
        if sheet.conditional:
            item["conditionalFormats"] = copy.deepcopy(sheet.conditional)
        if sheet.charts:
            item["charts"] = copy.deepcopy(sheet.charts)
        metadata = [md for md in book.metadata if _metadata_where(md) == sheet.id]
        if metadata:
            item["developerMetadata"] = copy.deepcopy(metadata)
        sheets.append(item)
    props = dict(book.props)
    props["defaultFormat"] = copy.deepcopy(DEFAULT_FORMAT)
    out: dict[str, Any] = {"spreadsheetId": book.id, "properties": props, "sheets": sheets}
    own = [md for md in book.metadata if md.get("location", {}).get("locationType") ==
           "SPREADSHEET"]
    if own:
        out["developerMetadata"] = copy.deepcopy(own)
    out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{book.id}/edit"
    return out


def _lookup_matches(md: dict[str, Any], lookup: dict[str, Any]) -> bool:
    for key in ("metadataId", "metadataKey", "metadataValue", "visibility"):
        if lookup.get(key) is not None and lookup[key] != md.get(key):
            return False
    loc = md.get("location", {})
    if lookup.get("locationType") and lookup["locationType"] != loc.get("locationType"):
        return False
    where = lookup.get("metadataLocation")
    if where:
        if where.get("spreadsheet") and loc.get("locationType") != "SPREADSHEET":
            return False
        if "sheetId" in where and loc.get("sheetId") != int(where["sheetId"] or 0):
            return False
        if where.get("dimensionRange") and loc.get("dimensionRange") != where["dimensionRange"]:
            return False
    return True


def search_metadata(book: Spreadsheet, filters: list[dict[str, Any]]
                    ) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Return (metadata, matching filters) for every entry some lookup filter matches."""
    out = []
    for md in book.metadata:
        hits = [f for f in filters if f.get("developerMetadataLookup") is not None and
                _lookup_matches(md, f["developerMetadataLookup"])]
        if hits:
            out.append((md, hits))
    return out


def metadata_search(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    matched = search_metadata(book, body.get("dataFilters") or [])
    if not matched:
        return {}
    return {"matchedDeveloperMetadata": [{"developerMetadata": copy.deepcopy(md),
                                          "dataFilters": copy.deepcopy(f)} for md, f in matched]}


def metadata_get(book: Spreadsheet, metadata_id: int) -> dict[str, Any]:
    for md in book.metadata:
        if md["metadataId"] == metadata_id:
            return copy.deepcopy(md)
    raise ApiError(404, f"No developer metadata with ID: {metadata_id}", "NOT_FOUND")
