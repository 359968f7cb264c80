"""In-memory spreadsheets: sheets, cells, number formats, protected ranges, metadata."""

from __future__ import annotations

import copy
import datetime as dt
import zoneinfo
from collections.abc import Callable
from typing import Any

from ._a1 import format_range
from ._cells import Cell, ErrorValue, Formula, Locale, Scalar, locale_info, render
from ._formula import _Fail, evaluate


class ApiError(Exception):
    """An error answer: HTTP status, Google's message and status word, optional details."""

    def __init__(self, code: int, message: str, status: str,
                 details: list[dict[str, Any]] | None = None, *, drive_reason: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details
        self.drive_reason = drive_reason

    def body(self) -> dict[str, Any]:
        if self.drive_reason:
            error: dict[str, Any] = {
                "code": self.code,
                "message": self.message,
                "errors": [{"message": self.message, "domain": "global",
                            "reason": self.drive_reason,
                            **({"location": "fileId", "locationType": "parameter"}
                               if self.drive_reason == "notFound" else {})}],
            }
            return {"error": error}
        error = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}


def bad_request(message: str, details: list[dict[str, Any]] | None = None) -> ApiError:
    return ApiError(400, message, "INVALID_ARGUMENT", details)


NOT_FOUND = "Requested entity was not found."


class Sheet:
    """One tab: its properties and a row-major grid of immutable cells."""

    def __init__(self, props: dict[str, Any]) -> None:
        self.props = props
        self.rows: list[list[Cell | None]] = []
        self.formats: dict[tuple[int, int], dict[str, Any]] = {}
        self.protected: list[dict[str, Any]] = []
        self.merges: list[dict[str, Any]] = []
        self.basic_filter: dict[str, Any] | None = None
        self.metadata: list[dict[str, Any]] = []
        self.conditional: list[dict[str, Any]] = []  # conditional format rules, in order
        self.charts: list[dict[str, Any]] = []  # embedded charts

    def clone(self) -> Sheet:
        other = Sheet(copy.deepcopy(self.props))
        other.rows = [list(row) for row in self.rows]
        other.formats = dict(self.formats)
        other.protected = copy.deepcopy(self.protected)
        other.merges = copy.deepcopy(self.merges)
        other.basic_filter = copy.deepcopy(self.basic_filter)
        other.metadata = copy.deepcopy(self.metadata)
        other.conditional = copy.deepcopy(self.conditional)
        other.charts = copy.deepcopy(self.charts)
        return other

    @property
    def id(self) -> int:
        return int(self.props["sheetId"])

    @property
    def title(self) -> str:
        return str(self.props["title"])

    @property
    def row_count(self) -> int:
        return int(self.props["gridProperties"]["rowCount"])

    @property
    def col_count(self) -> int:
        return int(self.props["gridProperties"]["columnCount"])

    def get(self, r: int, c: int) -> Cell | None:
        if r < len(self.rows):
            row = self.rows[r]
            if c < len(row):
                return row[c]
        return None

    def set(self, r: int, c: int, cell: Cell | None) -> None:
        if cell is None:
            if r < len(self.rows) and c < len(self.rows[r]):
                self.rows[r][c] = None
            return
        while len(self.rows) <= r:
            self.rows.append([])
        row = self.rows[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
        row[c] = cell

    def clear(self, r0: int, c0: int, r1: int, c1: int) -> None:
        for r in range(r0, min(r1, len(self.rows))):
            row = self.rows[r]
            for c in range(c0, min(c1, len(row))):
                row[c] = None

    def resize(self, rows: int, cols: int) -> None:
        del self.rows[rows:]
        for row in self.rows:
            del row[cols:]
        self.formats = {k: v for k, v in self.formats.items() if k[0] < rows and k[1] < cols}
        self.props["gridProperties"]["rowCount"] = rows
        self.props["gridProperties"]["columnCount"] = cols

    def used_rows(self) -> int:
        """Return 1 + the index of the last row holding a value (0 when empty)."""
        for r in range(len(self.rows) - 1, -1, -1):
            if any(cell is not None for cell in self.rows[r]):
                return r + 1
        return 0

    def a1(self, r0: int, c0: int, r1: int, c1: int) -> str:
        return format_range(self.title, r0, c0, r1, c1)


class Spreadsheet:
    """A spreadsheet file: properties, sheets, developer metadata and Drive bookkeeping."""

    def __init__(self, spreadsheet_id: str, title: str, locale: str, time_zone: str,
                 created: str) -> None:
        self.id = spreadsheet_id
        self.props: dict[str, Any] = {
            "title": title, "locale": locale, "autoRecalc": "ON_CHANGE", "timeZone": time_zone,
        }
        self.sheets: list[Sheet] = []
        self.metadata: list[dict[str, Any]] = []
        self.created = created
        self.modified = created
        self.mime_type = "application/vnd.google-apps.spreadsheet"
        self.parents: list[str] = []
        self.permissions: list[dict[str, Any]] = []
        self.access = "write"  # "write", "read" or "none"

    def clone(self) -> Spreadsheet:
        other = copy.copy(self)
        other.props = dict(self.props)
        other.sheets = [s.clone() for s in self.sheets]
        other.metadata = copy.deepcopy(self.metadata)
        other.permissions = copy.deepcopy(self.permissions)
        return other

    @property
    def title(self) -> str:
        return str(self.props["title"])

    @property
    def locale(self) -> Locale:
        return locale_info(str(self.props.get("locale", "en_US")))

    def reindex(self) -> None:
        for i, sheet in enumerate(self.sheets):
            sheet.props["index"] = i

    def sheet_by_title(self, title: str) -> Sheet | None:
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        folded = title.casefold()
        for sheet in self.sheets:
            if sheet.title.casefold() == folded:
                return sheet
        return None

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.id == sheet_id), None)

    def first_visible(self) -> Sheet:
        return next((s for s in self.sheets if not s.props.get("hidden")), self.sheets[0])

    def now(self) -> dt.datetime:
        try:
            zone = zoneinfo.ZoneInfo(str(self.props.get("timeZone", "UTC")))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo("UTC")
        return dt.datetime.now(zone).replace(tzinfo=None)


class Reader:
    """Computes effective values (formulas evaluated, cycles caught) for one request."""

    def __init__(self, book: Spreadsheet) -> None:
        self.book = book
        self.memo: dict[tuple[int, int, int], Scalar] = {}
        self.active: set[tuple[int, int, int]] = set()

    def value(self, sheet: Sheet, r: int, c: int) -> Scalar | None:
        cell = sheet.get(r, c)
        if cell is None:
            return None
        if not isinstance(cell, Formula):
            return cell
        key = (sheet.id, r, c)
        if key in self.memo:
            return self.memo[key]
        if key in self.active:
            return ErrorValue("#REF!", "Circular dependency detected.")
        self.active.add(key)
        try:
            result = evaluate(cell.text, self._resolver(sheet), self.book.now)
        finally:
            self.active.discard(key)
        self.memo[key] = result
        return result

    def _resolver(self, sheet: Sheet) -> Callable[[str | None, int, int, int, int],
                                                  list[list[Scalar | None]]]:
        def resolve(title: str | None, r0: int, c0: int, r1: int, c1: int
                    ) -> list[list[Scalar | None]]:
            target = sheet if title is None else self.book.sheet_by_title(title)
            if target is None:
                raise _Fail(ErrorValue("#REF!", f"Unresolved sheet name '{title}'."))
            return [[self.value(target, r, c) for c in range(c0, c1)] for r in range(r0, r1)]

        return resolve

    def rendered(self, sheet: Sheet, r0: int, c0: int, r1: int, c1: int, value_render: str,
                 date_render: str) -> list[list[Any]]:
        """Return rendered rows of the box, trailing empty cells and rows trimmed."""
        loc = self.book.locale
        formats = sheet.formats
        out: list[list[Any]] = []
        last = 0
        for r in range(r0, min(r1, len(sheet.rows))):
            row = sheet.rows[r]
            values: list[Any] = []
            end = 0
            for c in range(c0, min(c1, len(row))):
                cell = row[c]
                if cell is None:
                    values.append("")
                    continue
                if isinstance(cell, str):
                    values.append(cell)
                    end = len(values)
                    continue
                formula: str | None = None
                if isinstance(cell, Formula):
                    formula = cell.text
                    value: Scalar | None = self.value(sheet, r, c)
                elif (isinstance(cell, float) and value_render != "FORMATTED_VALUE"
                        and (r, c) not in formats):
                    values.append(int(cell) if cell.is_integer() and abs(cell) < 1e15 else cell)
                    end = len(values)
                    continue
                else:
                    value = cell
                shown = render(value, formula, formats.get((r, c)), value_render, date_render,
                               loc)
                values.append(shown)
                if shown != "" or formula is not None:
                    end = len(values)
            del values[end:]
            out.append(values)
            if values:
                last = len(out)
        del out[last:]
        return out


_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class Store:
    """Every spreadsheet of one fake, keyed by ID (guarded by the fake's lock)."""

    def __init__(self, rng: Any, owner: str) -> None:
        self.books: dict[str, Spreadsheet] = {}
        self.rng = rng
        self.owner = owner

    def new_id(self) -> str:
        while True:
            candidate = "1" + "".join(self.rng.choice(_ID_CHARS) for _ in range(43))
            if candidate not in self.books:
                return candidate

    def new_spreadsheet(self, title: str, *, locale: str = "en_US", time_zone: str = "Etc/GMT",
                        mime_type: str = "application/vnd.google-apps.spreadsheet",
                        with_sheet: bool = True) -> Spreadsheet:
        now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        book = Spreadsheet(self.new_id(), title, locale, time_zone, now)
        book.mime_type = mime_type
        if with_sheet and mime_type == "application/vnd.google-apps.spreadsheet":
            book.sheets.append(Sheet({"sheetId": 0, "title": "Sheet1", "index": 0,
                                      "sheetType": "GRID",
                                      "gridProperties": {"rowCount": 1000, "columnCount": 26}}))
        book.permissions.append({"kind": "drive#permission", "id": "owner-permission",
                                 "type": "user", "emailAddress": self.owner, "role": "owner"})
        self.books[book.id] = book
        return book

    def touch(self, book: Spreadsheet) -> None:
        book.modified = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
