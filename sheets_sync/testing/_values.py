"""The ``spreadsheets.values`` endpoints: get, batchGet, update, batchUpdate, clear, append."""

from __future__ import annotations

from typing import Any

from ._a1 import RangeError, col_letters, parse_range, quote_title
from ._cells import Cell, parse_user_entered, raw_cell
from ._model import Reader, Sheet, Spreadsheet, bad_request

Query = dict[str, list[str]]


def one(query: Query, name: str, default: str = "") -> str:
    values = query.get(name)
    return values[-1] if values else default


def flag(query: Query, name: str) -> bool:
    return one(query, name).lower() in ("true", "1")


class Target:
    """A range resolved against a sheet: the sheet, the parsed text and its bounds."""

    def __init__(self, book: Spreadsheet, text: str) -> None:
        try:
            parsed = parse_range(text, [s.title for s in book.sheets])
        except RangeError:
            raise bad_request(f"Unable to parse range: {text}") from None
        sheet = book.first_visible() if parsed.title is None else book.sheet_by_title(parsed.title)
        if sheet is None:
            raise bad_request(f"Unable to parse range: {text}")
        self.text = text
        self.sheet = sheet
        self.parsed = parsed
        box = parsed.box
        self.r0 = box.r0 if box and box.r0 is not None else 0
        self.c0 = box.c0 if box and box.c0 is not None else 0
        self.r1 = box.r1 if box else None
        self.c1 = box.c1 if box else None

    def shown(self) -> str:
        cells = self.parsed.cell_text.upper()
        return quote_title(self.sheet.title) + (f"!{cells}" if cells else "")

    def exceeds(self) -> Exception:
        s = self.sheet
        return bad_request(f"Range ({self.shown()}) exceeds grid limits. Max rows: "
                           f"{s.row_count}, max columns: {s.col_count}")

    def bounded(self) -> tuple[int, int, int, int]:
        """Return the box clipped to the grid; a box starting outside the grid is an error."""
        s = self.sheet
        if self.r0 >= s.row_count or self.c0 >= s.col_count:
            raise self.exceeds()
        r1 = s.row_count if self.r1 is None else min(self.r1, s.row_count)
        c1 = s.col_count if self.c1 is None else min(self.c1, s.col_count)
        return self.r0, self.c0, r1, c1

    def a1(self) -> str:
        return self.sheet.a1(*self.bounded())


def _options(query: Query, prefix: str = "") -> tuple[str, str]:
    value = one(query, f"{prefix}ValueRenderOption" if prefix else "valueRenderOption",
                "FORMATTED_VALUE")
    date = one(query, f"{prefix}DateTimeRenderOption" if prefix else "dateTimeRenderOption",
               "SERIAL_NUMBER")
    return value, date


def value_range(reader: Reader, target: Target, major: str, value_render: str,
                date_render: str) -> dict[str, Any]:
    r0, c0, r1, c1 = target.bounded()
    rows = reader.rendered(target.sheet, r0, c0, r1, c1, value_render, date_render)
    out: dict[str, Any] = {"range": target.sheet.a1(r0, c0, r1, c1)}
    if major == "COLUMNS":
        width = max((len(r) for r in rows), default=0)
        cols = [[row[c] if c < len(row) else "" for row in rows] for c in range(width)]
        for col in cols:
            while col and col[-1] == "":
                col.pop()
        while cols and not cols[-1]:
            cols.pop()
        rows = cols
        out["majorDimension"] = "COLUMNS"
    else:
        out["majorDimension"] = "ROWS"
    if rows:
        out["values"] = rows
    return out


def get(book: Spreadsheet, text: str, query: Query) -> dict[str, Any]:
    value_render, date_render = _options(query)
    major = one(query, "majorDimension", "ROWS")
    return value_range(Reader(book), Target(book, text), major, value_render, date_render)


def batch_get(book: Spreadsheet, query: Query) -> dict[str, Any]:
    value_render, date_render = _options(query)
    major = one(query, "majorDimension", "ROWS")
    targets = [Target(book, text) for text in query.get("ranges", [])]
    reader = Reader(book)
    out: dict[str, Any] = {"spreadsheetId": book.id}
    ranges = [value_range(reader, t, major, value_render, date_render) for t in targets]
    if ranges:
        out["valueRanges"] = ranges
    return out


MAX_CELL_CHARS = 50_000
TOO_LONG = (f"Your input contains more than the maximum of {MAX_CELL_CHARS} characters in a "
            "single cell.")


def check_cell_text(rows: list[list[Any]]) -> None:
    """Refuse, as Google does, a write holding a text (or formula) over 50,000 characters."""
    if any(type(v) is str and len(v) > MAX_CELL_CHARS for row in rows for v in row):
        raise bad_request(TOO_LONG)


class Write:
    """One planned write: checked completely before anything is changed."""

    def __init__(self, book: Spreadsheet, text: str, body: dict[str, Any], *,
                 grow_rows: bool = False, start: tuple[int, int] | None = None) -> None:
        self.target = target = Target(book, text)
        values = body.get("values") or []
        rows: list[list[Any]] = [list(r) if isinstance(r, list) else [r] for r in values]
        if body.get("majorDimension") == "COLUMNS":
            height = max((len(c) for c in rows), default=0)
            rows = [[col[r] if r < len(col) else None for col in rows] for r in range(height)]
            for row in rows:
                while row and row[-1] is None:
                    row.pop()
        check_cell_text(rows)
        self.rows = rows
        self.height = len(rows)
        self.width = max((len(r) for r in rows), default=0)
        r0, c0 = start if start is not None else (target.r0, target.c0)
        self.r0, self.c0 = r0, c0
        bounded = start is None and ":" in target.parsed.cell_text
        if bounded and target.r1 is not None and r0 + self.height > target.r1:
            raise bad_request(f"Requested writing within range [{text}], but tried writing to "
                              f"row [{target.r1 + 1}]")
        if bounded and target.c1 is not None and c0 + self.width > target.c1:
            raise bad_request(f"Requested writing within range [{text}], but tried writing to "
                              f"column [{col_letters(target.c1)}]")
        sheet = target.sheet
        over_rows = r0 + self.height > sheet.row_count or r0 >= sheet.row_count
        if c0 + self.width > sheet.col_count or c0 >= sheet.col_count or (
            over_rows and not grow_rows
        ):
            raise target.exceeds()

    def apply(self, book: Spreadsheet, user_entered: bool) -> dict[str, Any]:
        sheet = self.target.sheet
        if self.r0 + self.height > sheet.row_count:
            sheet.props["gridProperties"]["rowCount"] = self.r0 + self.height
        loc = book.locale
        rows_hit: set[int] = set()
        cols_hit: set[int] = set()
        cells = 0
        grid = sheet.rows
        formats = sheet.formats
        for i, row in enumerate(self.rows):
            r = self.r0 + i
            while len(grid) <= r:
                grid.append([])
            target = grid[r]
            if len(target) < self.c0 + len(row):
                target.extend([None] * (self.c0 + len(row) - len(target)))
            hit = False
            for j, value in enumerate(row):
                if value is None:
                    continue
                c = self.c0 + j
                cell: Cell | None
                if user_entered:
                    cell, fmt = parse_user_entered(value, loc, formats.get((r, c)))
                    if fmt is not None and (r, c) not in formats:
                        formats[(r, c)] = fmt
                elif isinstance(value, str):
                    cell = value or None
                else:
                    cell = raw_cell(value)
                target[c] = cell
                cols_hit.add(c)
                hit = True
                cells += 1
            if hit:
                rows_hit.add(r)
        self.rows_hit, self.cols_hit, self.cells = rows_hit, cols_hit, cells
        out: dict[str, Any] = {"spreadsheetId": book.id}
        if self.height and self.width:
            out["updatedRange"] = sheet.a1(self.r0, self.c0, self.r0 + self.height,
                                           self.c0 + self.width)
            for key, n in (("updatedRows", len(rows_hit)), ("updatedColumns", len(cols_hit)),
                           ("updatedCells", cells)):
                if n:
                    out[key] = n
        return out

    def updated_data(self, book: Spreadsheet, query: Query, response: dict[str, Any]) -> None:
        if "updatedRange" not in response:
            return
        value_render, date_render = _options(query, "response")
        target = Target(book, response["updatedRange"])
        response["updatedData"] = value_range(Reader(book), target, "ROWS", value_render,
                                              date_render)


def input_option(value: str) -> bool:
    """Return True for USER_ENTERED; a missing option is an error, as with Google."""
    if not value:
        raise bad_request("'valueInputOption' is required but not specified")
    if value == "INPUT_VALUE_OPTION_UNSPECIFIED":
        raise bad_request("Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
    return value == "USER_ENTERED"


def update(book: Spreadsheet, text: str, query: Query, body: dict[str, Any]) -> dict[str, Any]:
    user_entered = input_option(one(query, "valueInputOption"))
    write = Write(book, text, body)
    response = write.apply(book, user_entered)
    if flag(query, "includeValuesInResponse"):
        write.updated_data(book, query, response)
    return response


def batch_update(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    user_entered = input_option(str(body.get("valueInputOption") or ""))
    writes = [Write(book, str(d.get("range", "")), d) for d in body.get("data") or []]
    query: Query = {
        k: [str(body[k])] for k in ("responseValueRenderOption", "responseDateTimeRenderOption")
        if body.get(k)
    }
    responses = []
    rows: set[tuple[int, int]] = set()
    cols: set[tuple[int, int]] = set()
    sheets: set[int] = set()
    cells = 0
    for write in writes:
        response = write.apply(book, user_entered)
        if body.get("includeValuesInResponse"):
            write.updated_data(book, query, response)
        responses.append(response)
        sid = write.target.sheet.id
        rows |= {(sid, r) for r in write.rows_hit}
        cols |= {(sid, c) for c in write.cols_hit}
        if write.cells:
            sheets.add(sid)
        cells += write.cells
    out: dict[str, Any] = {"spreadsheetId": book.id}
    for key, n in (("totalUpdatedRows", len(rows)), ("totalUpdatedColumns", len(cols)),
                   ("totalUpdatedCells", cells), ("totalUpdatedSheets", len(sheets))):
        if n:
            out[key] = n
    if responses:
        out["responses"] = responses
    return out


def clear(book: Spreadsheet, text: str) -> dict[str, Any]:
    target = Target(book, text)
    box = target.bounded()
    target.sheet.clear(*box)
    return {"spreadsheetId": book.id, "clearedRange": target.sheet.a1(*box)}


def batch_clear(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    targets = [Target(book, str(t)) for t in body.get("ranges") or []]
    boxes = [t.bounded() for t in targets]
    for target, box in zip(targets, boxes):
        target.sheet.clear(*box)
    out: dict[str, Any] = {"spreadsheetId": book.id}
    if targets:
        out["clearedRanges"] = [t.sheet.a1(*b) for t, b in zip(targets, boxes)]
    return out


def _table(sheet: Sheet, r0: int, c0: int, r1: int, c1: int) -> tuple[int, int, int, int] | None:
    """Return the box of the table append finds, or None.

    A table is a block of filled cells joined side by side, above and below or at a corner;
    it may reach past the range (``Sheet1!A1`` finds the whole table under A1). Of the tables
    holding a filled cell of the range, the one ending lowest is taken, the rightmost of those
    on a tie: with A1 and C1 filled and B1 empty, appending to ``Sheet1`` finds C1 and writes
    from C2, and a title above a blank row is not part of the table below it, as measured on
    Google.
    """
    rows = sheet.rows

    def filled(r: int, c: int) -> bool:
        return 0 <= r < len(rows) and 0 <= c < len(rows[r]) and rows[r][c] is not None

    seen: set[tuple[int, int]] = set()
    found: tuple[int, int, int, int] | None = None
    for r in range(r0, min(r1, len(rows))):
        for c in range(c0, min(c1, len(rows[r]))):
            if rows[r][c] is None or (r, c) in seen:
                continue
            seen.add((r, c))
            todo = [(r, c)]
            top, left, bottom, right = r, c, r, c
            while todo:
                y, x = todo.pop()
                top, left = min(top, y), min(left, x)
                bottom, right = max(bottom, y), max(right, x)
                for near in ((y + dy, x + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)):
                    if near not in seen and filled(*near):
                        seen.add(near)
                        todo.append(near)
            box = (top, left, bottom + 1, right + 1)
            if found is None or (box[2], box[1]) > (found[2], found[1]):
                found = box
    return found


def append(book: Spreadsheet, text: str, query: Query, body: dict[str, Any]) -> dict[str, Any]:
    user_entered = input_option(one(query, "valueInputOption"))
    target = Target(book, text)
    r0, c0, r1, c1 = target.bounded()
    sheet = target.sheet
    table = _table(sheet, r0, c0, r1, c1)
    start = (table[2], table[1]) if table else (r0, c0)
    write = Write(book, text, body, grow_rows=True, start=start)
    if one(query, "insertDataOption", "OVERWRITE") == "INSERT_ROWS" and write.height:
        insert_rows(sheet, start[0], write.height)
    updates = write.apply(book, user_entered)
    if flag(query, "includeValuesInResponse"):
        write.updated_data(book, query, updates)
    out: dict[str, Any] = {"spreadsheetId": book.id}
    if table:
        out["tableRange"] = sheet.a1(*table)
    out["updates"] = updates
    return out


def insert_rows(sheet: Sheet, at: int, count: int) -> None:
    """Insert empty rows before row ``at`` (0-based); formats move with their rows."""
    if at < len(sheet.rows):
        sheet.rows[at:at] = [[] for _ in range(count)]
    sheet.formats = {(r + count if r >= at else r, c): f for (r, c), f in sheet.formats.items()}
    sheet.props["gridProperties"]["rowCount"] = sheet.row_count + count


def insert_cols(sheet: Sheet, at: int, count: int) -> None:
    for row in sheet.rows:
        if at < len(row):
            row[at:at] = [None] * count
    sheet.formats = {(r, c + count if c >= at else c): f for (r, c), f in sheet.formats.items()}
    sheet.props["gridProperties"]["columnCount"] = sheet.col_count + count


def delete_rows(sheet: Sheet, start: int, end: int) -> None:
    del sheet.rows[start:end]
    n = end - start
    sheet.formats = {(r - n if r >= end else r, c): f for (r, c), f in sheet.formats.items()
                     if not start <= r < end}
    sheet.props["gridProperties"]["rowCount"] = sheet.row_count - n


def delete_cols(sheet: Sheet, start: int, end: int) -> None:
    for row in sheet.rows:
        del row[start:end]
    n = end - start
    sheet.formats = {(r, c - n if c >= end else c): f for (r, c), f in sheet.formats.items()
                     if not start <= c < end}
    sheet.props["gridProperties"]["columnCount"] = sheet.col_count - n
