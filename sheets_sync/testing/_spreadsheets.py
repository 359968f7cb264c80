"""``spreadsheets.batchUpdate``: the requests the fake applies, atomically like Google."""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

from . import _values as values
from ._cells import parse_user_entered, raw_cell
from ._discovery import Mask, parse_fields
from ._model import Reader, Sheet, Spreadsheet, bad_request
from ._read import _range_out, search_metadata, spreadsheet_json

MAX_CELLS = 10_000_000
# Requests that only change how cells look: accepted, remembered where it matters, empty reply.
COSMETIC = frozenset({
    "updateBorders", "autoResizeDimensions", "updateDimensionProperties", "setDataValidation",
    "updateBanding", "deleteBanding", "updateChartSpec",
    "updateEmbeddedObjectPosition", "updateEmbeddedObjectBorder", "updateFilterView",
    "deleteFilterView",
})


# ---------------------------------------------------------------------------- masks


def apply_mask(target: dict[str, Any], source: dict[str, Any], mask: Mask | None,
               keep: tuple[str, ...] = ()) -> None:
    """Copy the masked fields of ``source`` into ``target`` (absent ones are reset)."""
    if mask is None or "*" in mask:
        for key, value in source.items():
            if key not in keep:
                target[key] = copy.deepcopy(value)
        return
    for key, sub in mask.items():
        if key in keep:
            continue
        if sub is None:
            if key in source and source[key] is not None:
                target[key] = copy.deepcopy(source[key])
            else:
                target.pop(key, None)
        else:
            child = target.setdefault(key, {})
            apply_mask(child, source.get(key) or {}, sub)
            if not child:
                target.pop(key)


def _mask(req: dict[str, Any]) -> Mask:
    fields = req.get("fields")
    if not fields:
        raise _Invalid("At least one field must be specified in 'fields'.")
    return parse_fields(str(fields))


def _covers(mask: Mask | None, *path: str) -> tuple[bool, Mask | None]:
    """Return whether the mask selects ``path`` (or part of it), and the sub-mask there."""
    node = mask
    for part in path:
        if node is None or "*" in node:
            return True, None
        if part not in node:
            return False, None
        node = node[part]
    return True, node


# The order of sheet properties in Google's answers.
_PROPERTY_ORDER = ("sheetId", "title", "index", "sheetType", "gridProperties")
# Sheet properties Google leaves out of its answers while they hold their default value.
_GRID_DEFAULTS = ("frozenRowCount", "frozenColumnCount", "hideGridlines", "rowGroupControlAfter",
                  "columnGroupControlAfter")


def _drop_defaults(props: dict[str, Any]) -> None:
    """Remove false and zero optional properties, as Google's answers never show them."""
    for key in ("hidden", "rightToLeft"):
        if key in props and not props[key]:
            del props[key]
    grid = props.get("gridProperties") or {}
    for key in _GRID_DEFAULTS:
        if key in grid and not grid[key]:
            del grid[key]


class _Invalid(Exception):
    """A request of a batch is invalid; becomes ``Invalid requests[i].kind: message``."""


# ---------------------------------------------------------------------------- batchUpdate


class BatchUpdate:
    """Applies ``spreadsheets.batchUpdate`` requests to a working copy of a spreadsheet."""

    def __init__(self, book: Spreadsheet, rng: random.Random, owner: str) -> None:
        self.book = book
        self.rng = rng
        self.owner = owner
        self.handlers: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "addSheet": self.add_sheet, "deleteSheet": self.delete_sheet,
            "duplicateSheet": self.duplicate_sheet,
            "updateSheetProperties": self.update_sheet_properties,
            "updateSpreadsheetProperties": self.update_spreadsheet_properties,
            "addProtectedRange": self.add_protected_range,
            "updateProtectedRange": self.update_protected_range,
            "deleteProtectedRange": self.delete_protected_range,
            "createDeveloperMetadata": self.create_metadata,
            "updateDeveloperMetadata": self.update_metadata,
            "deleteDeveloperMetadata": self.delete_metadata,
            "repeatCell": self.repeat_cell, "updateCells": self.update_cells,
            "appendCells": self.append_cells, "insertDimension": self.insert_dimension,
            "deleteDimension": self.delete_dimension, "appendDimension": self.append_dimension,
            "mergeCells": self.merge_cells, "unmergeCells": self.unmerge_cells,
            "setBasicFilter": self.set_basic_filter, "clearBasicFilter": self.clear_basic_filter,
            "sortRange": self.sort_range,
            "addConditionalFormatRule": self.add_conditional,
            "deleteConditionalFormatRule": self.delete_conditional,
            "addChart": self.add_chart, "deleteEmbeddedObject": self.delete_object,
        }

    def run(self, body: dict[str, Any]) -> dict[str, Any]:
        requests = body.get("requests") or []
        if not requests:
            raise bad_request("Must specify at least one request.")
        replies = []
        for i, request in enumerate(requests):
            kinds = [k for k, v in request.items() if v is not None]
            if not kinds:
                raise bad_request(f"Invalid requests[{i}]: No request set.")
            kind = kinds[0]
            handler = self.handlers.get(kind)
            try:
                if handler is not None:
                    replies.append(handler(request[kind]))
                elif kind in COSMETIC:
                    replies.append({})
                else:
                    raise _Invalid("this request is not supported by the sheets-sync fake.")
            except _Invalid as bad:
                raise bad_request(f"Invalid requests[{i}].{kind}: {bad}") from None
        self._check_cells()
        out: dict[str, Any] = {"spreadsheetId": self.book.id, "replies": replies}
        if body.get("includeSpreadsheetInResponse"):
            out["updatedSpreadsheet"] = spreadsheet_json(
                self.book, self.owner, include_grid=bool(body.get("responseIncludeGridData")),
                ranges=body.get("responseRanges"))
        return out

    def _check_cells(self) -> None:
        total = sum(s.row_count * s.col_count for s in self.book.sheets)
        if total > MAX_CELLS:
            raise bad_request("This action would increase the number of cells in the workbook "
                              f"above the limit of {MAX_CELLS} cells.")

    def _sheet(self, sheet_id: Any) -> Sheet:
        sheet = self.book.sheet_by_id(int(sheet_id or 0))
        if sheet is None:
            raise _Invalid(f"No grid with id: {int(sheet_id or 0)}")
        return sheet

    def _box(self, grid_range: dict[str, Any]) -> tuple[Sheet, tuple[int, int, int, int]]:
        sheet = self._sheet(grid_range.get("sheetId"))
        r0 = int(grid_range.get("startRowIndex") or 0)
        c0 = int(grid_range.get("startColumnIndex") or 0)
        r1 = grid_range.get("endRowIndex")
        c1 = grid_range.get("endColumnIndex")
        r1 = sheet.row_count if r1 is None else int(r1)
        c1 = sheet.col_count if c1 is None else int(c1)
        if r1 > sheet.row_count or c1 > sheet.col_count:
            raise _Invalid(f"Range ({sheet.a1(r0, c0, r1, c1)}) exceeds grid limits. Max rows: "
                           f"{sheet.row_count}, max columns: {sheet.col_count}")
        return sheet, (r0, c0, max(r0, r1), max(c0, c1))

    def _new_id(self, taken: set[int]) -> int:
        while True:
            candidate = self.rng.randrange(1, 2**31 - 1)
            if candidate not in taken:
                return candidate

    # -- sheets

    def _check_title(self, title: str, sheet: Sheet | None = None) -> None:
        other = self.book.sheet_by_title(title)
        if other is not None and other is not sheet and other.title.casefold() == title.casefold():
            raise _Invalid(f'A sheet with the name "{title}" already exists. Please enter '
                           "another name.")

    def add_sheet(self, req: dict[str, Any]) -> dict[str, Any]:
        given = copy.deepcopy(req.get("properties") or {})
        taken = {s.id for s in self.book.sheets}
        sheet_id = given.get("sheetId")
        if sheet_id is not None and int(sheet_id) in taken:
            raise _Invalid(f"A sheet with the id {int(sheet_id)} already exists.")
        n = len(self.book.sheets) + 1
        while self.book.sheet_by_title(f"Sheet{n}") is not None:
            n += 1
        title = str(given.get("title") or f"Sheet{n}")
        self._check_title(title)
        grid: dict[str, Any] = {}
        for key, value in (given.get("gridProperties") or {}).items():
            if value not in (None, 0, False, "0"):
                grid[key] = value if isinstance(value, bool) else int(value)
        props: dict[str, Any] = {
            "sheetId": int(sheet_id) if sheet_id is not None else self._new_id(taken),
            "title": title, "index": 0, "sheetType": given.get("sheetType") or "GRID",
            "gridProperties": {"rowCount": 1000, "columnCount": 26, **grid},
        }
        for key in ("hidden", "rightToLeft", "tabColor", "tabColorStyle"):
            if given.get(key):
                props[key] = given[key]
        sheet = Sheet(props)
        index = given.get("index")
        at = len(self.book.sheets) if index is None else min(int(index), len(self.book.sheets))
        self.book.sheets.insert(at, sheet)
        self.book.reindex()
        return {"addSheet": {"properties": copy.deepcopy(props)}}

    def delete_sheet(self, req: dict[str, Any]) -> dict[str, Any]:
        sheet = self.book.sheet_by_id(int(req.get("sheetId") or 0))
        if sheet is None:
            raise _Invalid(f"No sheet with id: {int(req.get('sheetId') or 0)}")
        if len(self.book.sheets) == 1:
            raise _Invalid("You can't remove all the sheets in a document.")
        self.book.sheets.remove(sheet)
        self.book.metadata = [md for md in self.book.metadata
                              if md.get("location", {}).get("sheetId") != sheet.id and
                              md.get("location", {}).get("dimensionRange", {}).get("sheetId")
                              != sheet.id]
        self.book.reindex()
        return {}

    def duplicate_sheet(self, req: dict[str, Any]) -> dict[str, Any]:
        source = self._sheet(req.get("sourceSheetId"))
        copy_ = source.clone()
        taken = {s.id for s in self.book.sheets}
        new_id = req.get("newSheetId")
        copy_.props["sheetId"] = int(new_id) if new_id is not None else self._new_id(taken)
        title = str(req.get("newSheetName") or f"Copy of {source.title}")
        self._check_title(title)
        copy_.props["title"] = title
        copy_.protected = []
        index = req.get("insertSheetIndex")
        at = len(self.book.sheets) if index is None else int(index)
        self.book.sheets.insert(at, copy_)
        self.book.reindex()
        return {"duplicateSheet": {"properties": copy.deepcopy(copy_.props)}}

    def update_sheet_properties(self, req: dict[str, Any]) -> dict[str, Any]:
        given = req.get("properties") or {}
        sheet = self._sheet(given.get("sheetId"))
        mask = _mask(req)
        if "*" in mask:
            # Every field is listed, so every field the request leaves out goes back to its
            # default (absent, false, zero); only the ID and the sheet type cannot change.
            new = {k: copy.deepcopy(v) for k, v in given.items()
                   if v is not None and k not in ("sheetId", "sheetType")}
            new["sheetId"], new["sheetType"] = sheet.id, sheet.props.get("sheetType", "GRID")
        else:
            new = copy.deepcopy(sheet.props)
            apply_mask(new, given, mask, keep=("sheetId", "sheetType"))
        if new.get("title") != sheet.title:
            if not new.get("title"):
                raise _Invalid("The sheet name cannot be empty.")
            self._check_title(str(new["title"]), sheet)
        if new.get("hidden") and not any(not s.props.get("hidden")
                                         for s in self.book.sheets if s is not sheet):
            raise _Invalid("You can't hide all the sheets in a document.")
        grid = new.setdefault("gridProperties", {})
        rows = int(grid.get("rowCount") or 0)
        cols = int(grid.get("columnCount") or 0)
        if rows < 1:
            raise _Invalid("You can't delete all the rows on the sheet.")
        if cols < 1:
            raise _Invalid("You can't delete all the columns on the sheet.")
        grid["rowCount"], grid["columnCount"] = rows, cols
        _drop_defaults(new)
        # An index the mask covers but the request leaves out moves the sheet to the end.
        index = len(self.book.sheets) if _covers(mask, "index")[0] and given.get(
            "index") is None else int(new.get("index") or 0)
        new["index"] = self.book.sheets.index(sheet)
        sheet.props = {k: new[k] for k in _PROPERTY_ORDER if k in new}
        sheet.props.update(new)
        sheet.resize(rows, cols)
        if index != self.book.sheets.index(sheet):
            self.book.sheets.remove(sheet)
            self.book.sheets.insert(min(index, len(self.book.sheets)), sheet)
        self.book.reindex()
        return {}

    def update_spreadsheet_properties(self, req: dict[str, Any]) -> dict[str, Any]:
        apply_mask(self.book.props, req.get("properties") or {}, _mask(req),
                   keep=("defaultFormat", "spreadsheetTheme"))
        return {}

    # -- protected ranges

    def _protected(self, range_id: Any) -> tuple[Sheet, dict[str, Any]]:
        for sheet in self.book.sheets:
            for pr in sheet.protected:
                if pr["protectedRangeId"] == int(range_id or 0):
                    return sheet, pr
        raise _Invalid(f"No protected range with id: {int(range_id or 0)}")

    def add_protected_range(self, req: dict[str, Any]) -> dict[str, Any]:
        given = req.get("protectedRange") or {}
        grid_range = dict(given.get("range") or {})
        sheet = self._sheet(grid_range.get("sheetId"))
        self._box(grid_range)
        taken = {p["protectedRangeId"] for s in self.book.sheets for p in s.protected}
        range_id = given.get("protectedRangeId")
        pr: dict[str, Any] = {
            "protectedRangeId": int(range_id) if range_id is not None else self._new_id(taken),
            "range": _range_out(grid_range),
        }
        if given.get("description"):
            pr["description"] = given["description"]
        if given.get("warningOnly"):
            if (given.get("editors") or {}).get("users"):
                raise _Invalid("Editors cannot be set on a warning-only protected range.")
            pr["warningOnly"] = True
        pr["requestingUserCanEdit"] = True
        if given.get("unprotectedRanges"):
            pr["unprotectedRanges"] = [_range_out(r) for r in given["unprotectedRanges"]]
        editors = {k: v for k, v in (given.get("editors") or {}).items() if v}
        pr["editors"] = editors
        sheet.protected.append(pr)
        return {"addProtectedRange": {"protectedRange": copy.deepcopy(pr)}}

    def update_protected_range(self, req: dict[str, Any]) -> dict[str, Any]:
        given = req.get("protectedRange") or {}
        sheet, pr = self._protected(given.get("protectedRangeId"))
        apply_mask(pr, given, _mask(req), keep=("protectedRangeId", "requestingUserCanEdit"))
        if "range" in pr:
            pr["range"] = _range_out(pr["range"])
            target = self._sheet(pr["range"].get("sheetId"))
            if target is not sheet:
                sheet.protected.remove(pr)
                target.protected.append(pr)
        return {}

    def delete_protected_range(self, req: dict[str, Any]) -> dict[str, Any]:
        sheet, pr = self._protected(req.get("protectedRangeId"))
        sheet.protected.remove(pr)
        return {}

    # -- developer metadata

    def _location(self, given: dict[str, Any]) -> dict[str, Any]:
        if given.get("spreadsheet"):
            return {"locationType": "SPREADSHEET", "spreadsheet": True}
        if given.get("dimensionRange"):
            dim = dict(given["dimensionRange"])
            self._sheet(dim.get("sheetId"))
            kind = "ROW" if dim.get("dimension") == "ROWS" else "COLUMN"
            return {"locationType": kind, "dimensionRange": dim}
        if "sheetId" in given:
            self._sheet(given.get("sheetId"))
            return {"locationType": "SHEET", "sheetId": int(given.get("sheetId") or 0)}
        raise _Invalid("A location must be specified.")

    def create_metadata(self, req: dict[str, Any]) -> dict[str, Any]:
        given = req.get("developerMetadata") or {}
        if given.get("visibility") not in ("DOCUMENT", "PROJECT"):
            raise _Invalid("Developer metadata visibility must be specified.")
        taken = {int(md["metadataId"]) for md in self.book.metadata}
        md_id = given.get("metadataId")
        if md_id is not None and int(md_id) in taken:
            raise _Invalid(f"Developer metadata with id {int(md_id)} already exists.")
        md: dict[str, Any] = {"metadataId": int(md_id) if md_id is not None else
                              self._new_id(taken)}
        if given.get("metadataKey"):
            md["metadataKey"] = given["metadataKey"]
        if given.get("metadataValue"):
            md["metadataValue"] = given["metadataValue"]
        md["location"] = self._location(given.get("location") or {})
        md["visibility"] = given["visibility"]
        self.book.metadata.append(md)
        return {"createDeveloperMetadata": {"developerMetadata": copy.deepcopy(md)}}

    def update_metadata(self, req: dict[str, Any]) -> dict[str, Any]:
        matched = search_metadata(self.book, req.get("dataFilters") or [])
        given = req.get("developerMetadata") or {}
        mask = _mask(req)
        for md, _ in matched:
            apply_mask(md, given, mask, keep=("metadataId",))
            if "location" in (mask or {}) or "*" in mask:
                md["location"] = self._location(given.get("location") or {})
        return {"updateDeveloperMetadata": {"developerMetadata": [copy.deepcopy(m)
                                                                  for m, _ in matched]}}

    def delete_metadata(self, req: dict[str, Any]) -> dict[str, Any]:
        matched = search_metadata(self.book, [req.get("dataFilter") or {}])
        ids = {id(md) for md, _ in matched}
        self.book.metadata = [md for md in self.book.metadata if id(md) not in ids]
        reply: dict[str, Any] = {}
        if matched:
            reply["deletedDeveloperMetadata"] = [m for m, _ in matched]
        return {"deleteDeveloperMetadata": reply}

    # -- cells and dimensions

    def _write_cell(self, sheet: Sheet, r: int, c: int, data: dict[str, Any],
                    mask: Mask | None) -> None:
        covered, _ = _covers(mask, "userEnteredValue")
        if covered:
            ev = data.get("userEnteredValue") or {}
            values.check_cell_text([[ev.get("stringValue"), ev.get("formulaValue")]])
            if "formulaValue" in ev:
                cell, _fmt = parse_user_entered(str(ev["formulaValue"]), self.book.locale, None)
            elif "stringValue" in ev:
                cell = raw_cell(ev["stringValue"])
            elif "numberValue" in ev:
                cell = raw_cell(float(ev["numberValue"]))
            elif "boolValue" in ev:
                cell = raw_cell(bool(ev["boolValue"]))
            else:
                cell = None
            sheet.set(r, c, cell)
        covered, _ = _covers(mask, "userEnteredFormat", "numberFormat")
        if covered:
            fmt = (data.get("userEnteredFormat") or {}).get("numberFormat")
            if fmt:
                sheet.formats[(r, c)] = dict(fmt)
            else:
                sheet.formats.pop((r, c), None)

    def repeat_cell(self, req: dict[str, Any]) -> dict[str, Any]:
        sheet, (r0, c0, r1, c1) = self._box(req.get("range") or {})
        mask = _mask(req)
        data = req.get("cell") or {}
        for r in range(r0, r1):
            for c in range(c0, c1):
                self._write_cell(sheet, r, c, data, mask)
        return {}

    def update_cells(self, req: dict[str, Any]) -> dict[str, Any]:
        mask = _mask(req)
        if req.get("start"):
            start = req["start"]
            sheet = self._sheet(start.get("sheetId"))
            r0, c0 = int(start.get("rowIndex") or 0), int(start.get("columnIndex") or 0)
        else:
            sheet, (r0, c0, _, _) = self._box(req.get("range") or {})
        rows = req.get("rows") or []
        self._cells(sheet, r0, c0, rows, mask)
        return {}

    def _cells(self, sheet: Sheet, r0: int, c0: int, rows: list[dict[str, Any]],
               mask: Mask | None) -> None:
        if r0 + len(rows) > sheet.row_count or any(
            c0 + len(row.get("values") or []) > sheet.col_count for row in rows
        ):
            raise _Invalid(f"Range ({sheet.a1(r0, c0, r0 + 1, c0 + 1)}) exceeds grid limits. "
                           f"Max rows: {sheet.row_count}, max columns: {sheet.col_count}")
        for i, row in enumerate(rows):
            for j, data in enumerate(row.get("values") or []):
                self._write_cell(sheet, r0 + i, c0 + j, data or {}, mask)

    def append_cells(self, req: dict[str, Any]) -> dict[str, Any]:
        sheet = self._sheet(req.get("sheetId"))
        rows = req.get("rows") or []
        start = sheet.used_rows()
        if start + len(rows) > sheet.row_count:
            sheet.props["gridProperties"]["rowCount"] = start + len(rows)
        self._cells(sheet, start, 0, rows, _mask(req))
        return {}

    def _dimension(self, dim: dict[str, Any]) -> tuple[Sheet, bool, int, int]:
        sheet = self._sheet(dim.get("sheetId"))
        rows = dim.get("dimension") != "COLUMNS"
        size = sheet.row_count if rows else sheet.col_count
        start = int(dim.get("startIndex") or 0)
        end = size if dim.get("endIndex") is None else int(dim["endIndex"])
        if not 0 <= start < end:
            raise _Invalid("The range must have at least one row or column.")
        return sheet, rows, start, end

    def insert_dimension(self, req: dict[str, Any]) -> dict[str, Any]:
        sheet, rows, start, end = self._dimension(req.get("range") or {})
        if start > (sheet.row_count if rows else sheet.col_count):
            raise _Invalid("Cannot insert beyond the end of the sheet.")
        (values.insert_rows if rows else values.insert_cols)(sheet, start, end - start)
        return {}

    def delete_dimension(self, req: dict[str, Any]) -> dict[str, Any]:
        sheet, rows, start, end = self._dimension(req.get("range") or {})
        size = sheet.row_count if rows else sheet.col_count
        end = min(end, size)
        if start == 0 and end >= size:
            what = "rows" if rows else "columns"
            raise _Invalid(f"You can't delete all the {what} on the sheet.")
        (values.delete_rows if rows else values.delete_cols)(sheet, start, end)
        return {}

    def append_dimension(self, req: dict[str, Any]) -> dict[str, Any]:
        sheet = self._sheet(req.get("sheetId"))
        length = int(req.get("length") or 0)
        key = "columnCount" if req.get("dimension") == "COLUMNS" else "rowCount"
        sheet.props["gridProperties"][key] += length
        return {}

    def merge_cells(self, req: dict[str, Any]) -> dict[str, Any]:
        sheet, (r0, c0, r1, c1) = self._box(req.get("range") or {})
        kind = req.get("mergeType") or "MERGE_ALL"
        if kind == "MERGE_ROWS":  # one merge per row of the range
            boxes = [(r, c0, r + 1, c1) for r in range(r0, r1)]
        elif kind == "MERGE_COLUMNS":  # one merge per column of the range
            boxes = [(r0, c, r1, c + 1) for c in range(c0, c1)]
        else:
            boxes = [(r0, c0, r1, c1)]
        # Merges the new ones overlap give way to them (merging A1:B2 over A1:B1 and A2:B2
        # leaves one merge).
        sheet.merges = [m for m in sheet.merges if not (
            m.get("startRowIndex", 0) < r1 and r0 < m.get("endRowIndex", 0) and
            m.get("startColumnIndex", 0) < c1 and c0 < m.get("endColumnIndex", 0))]
        for b0, d0, b1, d1 in boxes:
            sheet.merges.append(_range_out({"sheetId": sheet.id, "startRowIndex": b0,
                                            "endRowIndex": b1, "startColumnIndex": d0,
                                            "endColumnIndex": d1}))
        return {}

    def unmerge_cells(self, req: dict[str, Any]) -> dict[str, Any]:
        sheet, (r0, c0, r1, c1) = self._box(req.get("range") or {})
        sheet.merges = [m for m in sheet.merges if not (
            r0 <= m.get("startRowIndex", 0) and m.get("endRowIndex", 0) <= r1 and
            c0 <= m.get("startColumnIndex", 0) and m.get("endColumnIndex", 0) <= c1)]
        return {}

    def set_basic_filter(self, req: dict[str, Any]) -> dict[str, Any]:
        given = copy.deepcopy(req.get("filter") or {})
        sheet, (r0, c0, r1, c1) = self._box(given.get("range") or {})
        # The filter's range is answered bounded by the grid, zero indexes included.
        shown: dict[str, Any] = {"sheetId": sheet.id} if sheet.id else {}
        shown.update({"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0,
                      "endColumnIndex": c1})
        given["range"] = shown
        sheet.basic_filter = given
        return {}

    # -- conditional formats and charts: kept so that they can be read back and deleted

    def add_conditional(self, req: dict[str, Any]) -> dict[str, Any]:
        rule = copy.deepcopy(req.get("rule") or {})
        ranges = rule.get("ranges") or []
        if not ranges:
            raise _Invalid("At least one range must be specified.")
        sheets = {self._box(r)[0].id for r in ranges}
        if len(sheets) > 1:
            raise _Invalid("All ranges must be on the same sheet.")
        if ("booleanRule" in rule) == ("gradientRule" in rule):
            raise _Invalid("Exactly one of booleanRule or gradientRule must be set.")
        sheet = self._sheet(sheets.pop())
        index = int(req.get("index") or 0)
        if not 0 <= index <= len(sheet.conditional):
            raise _Invalid(f"Invalid index: {index}")
        sheet.conditional.insert(index, rule)
        return {}

    def delete_conditional(self, req: dict[str, Any]) -> dict[str, Any]:
        sheet = self._sheet(req.get("sheetId"))
        index = int(req.get("index") or 0)
        if not 0 <= index < len(sheet.conditional):
            raise _Invalid(f"No conditional format on sheet {sheet.id} at index {index}.")
        rule = sheet.conditional.pop(index)
        return {"deleteConditionalFormatRule": {"rule": rule}}

    def _chart_ids(self) -> set[int]:
        return {int(c["chartId"]) for s in self.book.sheets for c in s.charts}

    def add_chart(self, req: dict[str, Any]) -> dict[str, Any]:
        chart = copy.deepcopy(req.get("chart") or {})
        anchor = ((chart.get("position") or {}).get("overlayPosition") or {}).get("anchorCell")
        if anchor is None:
            raise _Invalid("The chart must be anchored to a cell (overlayPosition).")
        sheet = self._sheet(anchor.get("sheetId"))
        for source in _chart_sources(chart.get("spec") or {}):
            self._box(source)  # every range a chart reads must exist
        taken = self._chart_ids()
        if chart.get("chartId") is not None and int(chart["chartId"]) in taken:
            raise _Invalid(f"An object with id {chart['chartId']} already exists.")
        chart["chartId"] = int(chart.get("chartId") or self._new_id(taken))
        sheet.charts.append(chart)
        return {"addChart": {"chart": copy.deepcopy(chart)}}

    def delete_object(self, req: dict[str, Any]) -> dict[str, Any]:
        object_id = int(req.get("objectId") or 0)
        for sheet in self.book.sheets:
            kept = [c for c in sheet.charts if int(c["chartId"]) != object_id]
            if len(kept) != len(sheet.charts):
                sheet.charts = kept
                return {}
        raise _Invalid(f"No object with id {object_id}.")

    def clear_basic_filter(self, req: dict[str, Any]) -> dict[str, Any]:
        self._sheet(req.get("sheetId")).basic_filter = None
        return {}

    def sort_range(self, req: dict[str, Any]) -> dict[str, Any]:
        # Unlike requests that write cells, a sort range reaching past the grid is cut to it.
        grid_range = dict(req.get("range") or {})
        sheet = self._sheet(grid_range.get("sheetId"))
        for end, size in (("endRowIndex", sheet.row_count), ("endColumnIndex", sheet.col_count)):
            if grid_range.get(end) is not None:
                grid_range[end] = min(int(grid_range[end]), size)
        sheet, (r0, c0, r1, c1) = self._box(grid_range)
        reader = Reader(self.book)
        r1 = min(r1, max(r0, sheet.used_rows()))
        rows = [[sheet.get(r, c) for c in range(c0, c1)] for r in range(r0, r1)]
        keyed = [([reader.value(sheet, r0 + i, c) for c in range(c0, c1)], row)
                 for i, row in enumerate(rows)]
        for spec in reversed(req.get("sortSpecs") or [{"dimensionIndex": c0}]):
            col = int(spec.get("dimensionIndex") or 0) - c0
            desc = spec.get("sortOrder") == "DESCENDING"

            def key(item: tuple[list[Any], list[Any]], col: int = col) -> tuple[int, Any]:
                v = item[0][col] if 0 <= col < len(item[0]) else None
                if v is None or v == "":
                    return (3, "")
                if isinstance(v, bool):
                    return (2, v)
                if isinstance(v, float):
                    return (0, v)
                return (1, str(v).casefold())

            blanks = [k for k in keyed if key(k)[0] == 3]
            filled = sorted((k for k in keyed if key(k)[0] != 3), key=key, reverse=desc)
            keyed = filled + blanks
        for i, (_, row) in enumerate(keyed):
            for j, cell in enumerate(row):
                sheet.set(r0 + i, c0 + j, cell)
        return {}


def _chart_sources(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The grid ranges a chart spec reads (domains and series of a basic chart)."""
    basic = spec.get("basicChart") or {}
    found: list[dict[str, Any]] = []
    for part in [*(basic.get("domains") or []), *(basic.get("series") or [])]:
        data = part.get("domain") or part.get("series") or {}
        found += ((data.get("sourceRange") or {}).get("sources") or [])
    return found
