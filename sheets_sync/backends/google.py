"""The Google Sheets backend: the only module that imports gspread and google-auth.

Steady state costs one ``values:batchGet`` (calendar and owned tabs together) and at most
one ``values:batchUpdate`` (RAW, so text is never a formula; blanks clear stale cells) per
cycle. The spreadsheet's layout (tab titles, sheet IDs, grid sizes, time zone) is cached in
the state database, so metadata is read only on the first run or after a tab disappears.
The first run creates the owned tabs with warning-only protection and marks them as the
tool's own (developer metadata, see :mod:`sheets_sync.backends.owned`) in one
``spreadsheets:batchUpdate``; the same call also sets date formats and grows grids, and is
only sent again when date cells move or a tab outgrows its grid.

Which tabs carry the mark is part of the cached layout. A write trusts it while each tab it
writes still starts with the tool's own leading rows, as this cycle's read saw them (so a
steady-state cycle costs no metadata read); before it creates or adopts a tab, or when a tab
no longer looks like the tool's (a person deleted it and made their own under that name), it
reads the metadata again and decides on that.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import os
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any

import gspread
import requests
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from gspread.http_client import HTTPClient

from sheets_sync.backends.base import Backend, SheetRead
from sheets_sync.backends.http import RetryPolicy, TokenBucket, bucket_for, install, loads
from sheets_sync.backends.owned import (
    METADATA_KEY,
    adoptable,
    same_tab,
    signature_of,
    starts_with,
)
from sheets_sync.cells import Cell, ColumnGrid, Grid, column_letter, first_difference, serial
from sheets_sync.config import spreadsheet_id as spreadsheet_id  # the configuration's too
from sheets_sync.errors import CalendarError, ConfigError, ForeignTabError, SourceError

log = logging.getLogger("sheets_sync.google")
SCOPES = ["https://www.googleapis.com/auth/spreadsheets"]
ENDPOINT_ENV = "SHEETS_SYNC_GOOGLE_ENDPOINT"
_META_FIELDS = ("properties(title,timeZone,locale),sheets(properties(sheetId,title,index,"
                "gridProperties(rowCount,columnCount)),"
                "developerMetadata(metadataKey,location(locationType,sheetId)))")
# gspread adds "ranges" to the params dict it is given: always pass a copy.
_READ = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER",
         "majorDimension": "ROWS"}
# A cycle reads column by column: a 100,000-row calendar decodes as 20 long lists instead of
# 100,000 short ones (about 2.5x less time in the JSON decoder).
_READ_COLUMNS = {**_READ, "majorDimension": "COLUMNS"}
_RANGES_PER_REQUEST = 100  # rows re-read by the guarded writes: keeps the URL short


def load_credentials(path: str = "") -> tuple[Any, str]:
    """Return (credentials, account label) from a key or token file.

    ``path`` empty falls back to GOOGLE_APPLICATION_CREDENTIALS. Accepts a service-account
    key or an OAuth "authorized_user" token file. Raises ConfigError without ever showing
    the file's contents.
    """
    path = path or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS", "")
    if not path:
        raise ConfigError(["credentials: no Google credentials: set `credentials` in the "
                           "calendar's configuration or GOOGLE_APPLICATION_CREDENTIALS to a "
                           "service-account key file"])
    try:
        data = json.loads(Path(path).expanduser().read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError([f"credentials: cannot read the Google credentials file {path} "
                           f"({type(exc).__name__})"]) from None
    _warn_if_shared(Path(path).expanduser())
    kind = data.get("type") if isinstance(data, dict) else None
    try:
        if kind == "service_account":
            creds = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
                data, scopes=SCOPES)
            return creds, str(data.get("client_email", "the service account"))
        if kind == "authorized_user":
            creds = user_credentials.Credentials.from_authorized_user_info(  # type: ignore[no-untyped-call]
                data, SCOPES)
            return creds, "the signed-in Google user"
    except (ValueError, KeyError) as exc:
        raise ConfigError([f"credentials: {path} is not a usable Google credentials file "
                           f"({type(exc).__name__})"]) from None
    raise ConfigError([f"credentials: {path} is neither a service-account key nor an OAuth "
                       "user token (its \"type\" must be service_account or authorized_user)"])


def _warn_if_shared(path: Path) -> None:
    """Log a warning when other users may read the key file (its contents are never logged)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return
    if os.name == "posix" and mode & 0o077:
        log.warning("the Google credentials file %s can be read by other users (mode %03o); "
                    "anyone who reads it can act as the account: run `chmod 600 %s`",
                    path, mode & 0o777, path)


def _quote(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


_JSON_PLAIN = frozenset({str, int, float, bool})  # cells that are sent as they are


def _json_cell(value: Cell) -> Any:
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return serial(value)
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value)
    return value


class GoogleBackend(Backend):
    """A calendar in a Google spreadsheet, reached through gspread's HTTP client."""

    def __init__(self, spreadsheet: str, *, credentials: str = "", endpoint: str = "",
                 quota_per_minute: int = 60, cache: MutableMapping[str, str] | None = None,
                 session: requests.Session | None = None, policy: RetryPolicy | None = None,
                 bucket: TokenBucket | None = None) -> None:
        self.id = spreadsheet_id(spreadsheet)
        self.cache: MutableMapping[str, str] = cache if cache is not None else {}
        self.policy = policy or RetryPolicy()
        endpoint = endpoint or os.environ.get(ENDPOINT_ENV, "")
        if session is None:
            if endpoint:  # a test server: no Google account involved
                session, self.account = requests.Session(), "the test endpoint"
            else:
                creds, self.account = load_credentials(credentials)
                session = AuthorizedSession(creds)  # type: ignore[no-untyped-call]
        else:
            self.account = "the configured account"
        bucket = bucket or bucket_for(self.account, quota_per_minute)
        install(session, self.policy, bucket, ("*", endpoint) if endpoint else None)
        self.http = HTTPClient(auth=None, session=session)  # type: ignore[arg-type]
        self._owned_seen: dict[str, Grid] = {}
        self._calendar = ""  # the tab the last read() took as the calendar
        self._fresh = False  # the metadata was read since the last read() began

    # --- metadata ---------------------------------------------------------------------------
    def _key(self) -> str:
        return f"google:{self.id}"

    def _meta(self, refresh: bool = False) -> dict[str, Any]:
        cached = None if refresh else self.cache.get(self._key())
        if cached:
            meta: dict[str, Any] = json.loads(cached)
            if "owned" in meta:  # a layout cached before tabs were marked: read it again
                return meta
        raw = self._call(self.http.fetch_sheet_metadata, self.id,
                         {"includeGridData": "false", "fields": _META_FIELDS})
        meta = {"timezone": raw.get("properties", {}).get("timeZone", ""),
                "title": raw.get("properties", {}).get("title", ""),
                "sheets": {s["properties"]["title"]: _sheet_info(s["properties"])
                           for s in raw.get("sheets", [])},
                "owned": sorted(s["properties"].get("sheetId", 0) for s in raw.get("sheets", [])
                                if _marked(s)),
                "date_cells": {}}
        self._fresh = True
        self._save_meta(meta)
        return meta

    def _save_meta(self, meta: dict[str, Any]) -> None:
        self.cache[self._key()] = json.dumps(meta, ensure_ascii=False, sort_keys=True)

    # --- the contract -----------------------------------------------------------------------
    def read(self, tab: str, owned: Sequence[str]) -> SheetRead:
        self._fresh = False
        for refresh in (False, True):
            meta = self._meta(refresh)
            sheets = meta["sheets"]
            title = tab or next((t for t in sorted(sheets, key=lambda t: sheets[t]["index"])
                                 if t not in owned), "")
            if title not in sheets:
                if not refresh:
                    continue  # the cache may predate the tab: look again
                raise CalendarError(f"spreadsheet {self.id} has no tab {tab or '(calendar)'!r}; "
                                    f"its tabs are: {', '.join(map(repr, sheets)) or 'none'}")
            present = [t for t in owned if t in sheets]
            try:
                answer = self._call(self._batch_get,
                                    [_quote(title)] + [_quote(t) for t in present],
                                    retry_stale=not refresh)
            except _StaleLayout:
                continue
            columns = [ColumnGrid(r.get("values", [])) for r in answer.get("valueRanges", [])]
            grids = [c.padded_rows() for c in columns[1:]]
            self._owned_seen = dict(zip(present, grids))
            self._calendar = title
            return SheetRead(tab=title, rows=columns[0], source=f"Google spreadsheet "
                            f"{meta['title'] or self.id}, tab {title!r}",
                            owned={t: (grids[present.index(t)] if t in present else None)
                                   for t in owned},
                            timezone=meta["timezone"])
        raise AssertionError("unreachable")

    def write(self, tabs: Mapping[str, Grid]) -> None:
        meta = self._meta()
        if not self._fresh and self._in_doubt(meta, tabs):
            meta = self._meta(refresh=True)
        adopt = self._check_owned(meta, tabs)
        dates = {title: _date_cells(grid) for title, grid in tabs.items()}
        layout = self._layout_requests(meta, tabs, dates, adopt)
        if layout:
            try:
                answer = self._call(self.http.batch_update, self.id, {"requests": layout})
            except SourceError:  # a sheet ID may be stale: the next cycle reads the layout
                self.cache.pop(self._key(), None)
                raise
            for reply in answer.get("replies", []):
                props = reply.get("addSheet", {}).get("properties")
                if props:
                    meta["sheets"][props["title"]] = _sheet_info(props)
            for title, grid in tabs.items():
                info = meta["sheets"][title]
                info["rows"] = max(info["rows"], len(grid))
                info["cols"] = max(info["cols"], max((len(r) for r in grid), default=0))
            meta["owned"] = sorted({*meta["owned"],
                                    *(meta["sheets"][title]["sheetId"] for title in tabs)})
            meta["date_cells"].update(dates)
            self._save_meta(meta)
        data = []
        for title, grid in tabs.items():
            start, values = self._changed_rows(title, grid)
            if values:
                data.append({"range": f"{_quote(title)}!A{start + 1}", "values": values})
        if not data:
            return
        self._call(self.http.values_batch_update, self.id,
                   {"valueInputOption": "RAW", "data": data})

    def read_row(self, tab: str, row: int) -> list[Cell]:
        answer = self._call(self.http.values_get, self.id, f"{_quote(tab)}!{row}:{row}",
                            dict(_READ))
        values = answer.get("values", [[]])
        return list(values[0]) if values else []

    def read_rows(self, tab: str, rows: Sequence[int]) -> dict[int, list[Cell]]:
        """The rows in one ``values:batchGet`` (one range per run of consecutive rows; a
        request holds at most _RANGES_PER_REQUEST of them), each read as read_row reads it."""
        runs: list[list[int]] = []  # [first, last] of each run of consecutive rows
        for row in sorted({r for r in rows if r > 0}):
            if runs and runs[-1][1] == row - 1:
                runs[-1][1] = row
            else:
                runs.append([row, row])
        found: dict[int, list[Cell]] = {row: [] for row in rows}
        for start in range(0, len(runs), _RANGES_PER_REQUEST):
            batch = runs[start : start + _RANGES_PER_REQUEST]
            answer = self._call(self.http.values_batch_get, self.id,
                                [f"{_quote(tab)}!{first}:{last}" for first, last in batch],
                                dict(_READ))
            for (first, last), got in zip(batch, answer.get("valueRanges", [])):
                values = got.get("values", [])
                for i, row in enumerate(range(first, last + 1)):
                    found[row] = list(values[i]) if i < len(values) else []
        return found

    def write_cells(self, tab: str, cells: Mapping[tuple[int, int], Cell]) -> None:
        data = [{"range": f"{_quote(tab)}!{column_letter(column - 1)}{row}",
                 "values": [[_json_cell(v)]]} for (row, column), v in cells.items()]
        self._call(self.http.values_batch_update, self.id,
                   {"valueInputOption": "RAW", "data": data})

    # --- the tool's own tabs (see sheets_sync.backends.owned) ---------------------------------
    def _in_doubt(self, meta: dict[str, Any], tabs: Mapping[str, Grid]) -> bool:
        """Whether the cached layout may no longer tell which of these tabs are the tool's.

        It is trusted for a marked tab that still starts with the tool's leading rows as this
        cycle read it (or is written with rows of no known signature); a tab about to be
        created or adopted, or one not read, is decided on metadata read now.
        """
        sheets, owned = meta["sheets"], set(meta["owned"])
        for title, grid in tabs.items():
            if title not in sheets or sheets[title]["sheetId"] not in owned:
                return True
            seen = self._owned_seen.get(title)
            signature = signature_of(grid)
            if seen is None or (signature is not None and not starts_with(seen, signature)):
                return True
        return False

    def _check_owned(self, meta: dict[str, Any], tabs: Mapping[str, Grid]) -> list[str]:
        """The existing unmarked tabs to adopt; raises, writing nothing, when a tab may not
        be written (a person's own tab, the calendar, a mark on the calendar)."""
        sheets, owned = meta["sheets"], set(meta["owned"])
        where = f"Google spreadsheet {meta['title'] or self.id}"
        calendar = self._calendar
        if calendar in sheets and sheets[calendar]["sheetId"] in owned:
            raise SourceError(
                f"{where}: the calendar tab {calendar!r} carries the developer metadata "
                f"{METADATA_KEY!r} that sheets-sync puts only on its own tabs, so it was set "
                "by another program or copied; nothing was written. Delete that metadata "
                "(spreadsheets.developerMetadata) and sync again")
        adopt = []
        for title, grid in tabs.items():
            if calendar and same_tab(title, calendar):
                raise ForeignTabError(where, title, "give sheets-sync's tabs names other than "
                                      "the calendar tab's (`status_tab`, `report_tab`, "
                                      "`history_tab`)")
            if title not in sheets or sheets[title]["sheetId"] in owned:
                continue
            if not adoptable(self._current(title), grid):
                raise ForeignTabError(where, title)
            adopt.append(title)
        return adopt

    def _current(self, title: str) -> Grid:
        """The first rows of an existing tab: as this cycle read it, else read now."""
        seen = self._owned_seen.get(title)
        if seen is not None:
            return seen
        answer = self._call(self.http.values_get, self.id, f"{_quote(title)}!1:5", dict(_READ))
        return [list(r) for r in answer.get("values", [])]

    # --- helpers ----------------------------------------------------------------------------
    def _changed_rows(self, title: str, grid: Grid) -> tuple[int, list[list[Any]]]:
        """The rows to send: from the first row that differs from what the tab held, as JSON
        values padded with "" so that stale cells are cleared (History is newest first: a
        cycle with a change sends all of it again)."""
        old = self._owned_seen.get(title, [])
        start = first_difference(old, grid)
        width = max(max((len(r) for r in old[start:]), default=0),
                    max((len(r) for r in grid[start:]), default=0))
        sent: dict[Any, Any] = {}  # a tab repeats its time stamps: convert each once

        def value(cell: Cell) -> Any:
            if type(cell) is not dt.datetime or cell.tzinfo is not None:
                return _json_cell(cell)  # equal aware moments may show different times
            if cell not in sent:
                sent[cell] = _json_cell(cell)
            return sent[cell]

        rows = [[c if type(c) in _JSON_PLAIN else value(c) for c in r]
                + [""] * (width - len(r)) for r in grid[start:]]
        rows.extend([[""] * width for _ in range(len(old) - max(len(grid), start))])
        return start, rows

    def _layout_requests(self, meta: dict[str, Any], tabs: Mapping[str, Grid],
                         dates: Mapping[str, list[list[int]]], adopt: Sequence[str]
                         ) -> list[dict[str, Any]]:
        sheets = meta["sheets"]
        requests_: list[dict[str, Any]] = [_mark(sheets[title]["sheetId"]) for title in adopt]
        used = {info["sheetId"] for info in sheets.values()}
        for title, grid in tabs.items():
            rows = len(grid) + 50
            cols = max(26, max((len(r) for r in grid), default=0))
            if title not in sheets:
                sheet_id = _free_id(used)
                used.add(sheet_id)
                sheets[title] = {"sheetId": sheet_id, "index": len(sheets), "rows": rows,
                                 "cols": cols}
                requests_.append({"addSheet": {"properties": {
                    "sheetId": sheet_id, "title": title,
                    "gridProperties": {"rowCount": rows, "columnCount": cols,
                                       "frozenRowCount": 1}}}})
                requests_.append({"addProtectedRange": {"protectedRange": {
                    "range": {"sheetId": sheet_id}, "warningOnly": True,
                    "description": "Written by sheets-sync on every sync; edits are lost."}}})
                requests_.append(_mark(sheet_id))
            elif len(grid) > sheets[title]["rows"] or cols > sheets[title]["cols"]:
                # Dot paths: Google documents parenthesised lists for read masks only.
                requests_.append({"updateSheetProperties": {"properties": {
                    "sheetId": sheets[title]["sheetId"],
                    "gridProperties": {"rowCount": max(rows, sheets[title]["rows"]),
                                       "columnCount": max(cols, sheets[title]["cols"])}},
                    "fields": "gridProperties.rowCount,gridProperties.columnCount"}})
            cells = dates[title]
            if cells != meta["date_cells"].get(title):
                requests_.extend(_format_requests(sheets[title]["sheetId"], cells))
        return requests_

    def _batch_get(self, ranges: list[str]) -> Any:
        """gspread's ``values_batch_get`` (same request, same error handling), with the
        answer decoded by :func:`sheets_sync.backends.http.loads`."""
        url = gspread.urls.SPREADSHEET_VALUES_BATCH_URL % self.id
        response = self.http.request("get", url, params={**_READ_COLUMNS, "ranges": ranges})
        return loads(response.content)

    def _call(self, method: Any, *args: Any, retry_stale: bool = False) -> Any:
        try:
            return method(*args)
        except gspread.exceptions.APIError as exc:
            status = exc.response.status_code
            message = _error_message(exc)
            if retry_stale and status == 400 and "Unable to parse range" in message:
                raise _StaleLayout from None
            raise SourceError(self._explain(status, message)) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise SourceError(
                f"Google Sheets could not be reached ({type(exc).__name__}) after "
                f"{self.policy.attempts} attempts; the next cycle will retry") from None

    def _explain(self, status: int, message: str) -> str:
        if status == 403:
            return (f"{self.account} may not open spreadsheet {self.id}: share the spreadsheet "
                    f"with {self.account} as an Editor ({message})")
        if status == 404:
            return f"spreadsheet {self.id} was not found: check the ID or URL ({message})"
        if status == 429:
            return (f"Google's request quota is used up (HTTP 429) even after "
                    f"{self.policy.attempts} attempts; the next cycle will retry ({message})")
        if status >= 500 or status == 408:
            return (f"Google Sheets is not answering (HTTP {status}) after "
                    f"{self.policy.attempts} attempts; the next cycle will retry")
        return f"Google Sheets refused the request (HTTP {status}): {message}"


class _StaleLayout(Exception):
    """The cached tab list no longer matches the spreadsheet."""


def _sheet_info(props: Mapping[str, Any]) -> dict[str, Any]:
    grid = props.get("gridProperties", {})
    return {"sheetId": props.get("sheetId", 0), "index": props.get("index", 0),
            "rows": grid.get("rowCount", 1000), "cols": grid.get("columnCount", 26)}


def _marked(sheet: Mapping[str, Any]) -> bool:
    """Whether a sheet of the metadata answer carries the tool's developer metadata."""
    sheet_id = sheet.get("properties", {}).get("sheetId", 0)
    return any(md.get("metadataKey") == METADATA_KEY
               and md.get("location", {}).get("locationType", "SHEET") == "SHEET"
               and md.get("location", {}).get("sheetId", sheet_id) == sheet_id
               for md in sheet.get("developerMetadata", []))


def _mark(sheet_id: int) -> dict[str, Any]:
    """The request that marks a sheet as the tool's own (see sheets_sync.backends.owned)."""
    return {"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": METADATA_KEY, "metadataValue": "sheets-sync rewrites this tab",
        "location": {"sheetId": sheet_id}, "visibility": "DOCUMENT"}}}


def _free_id(used: set[int]) -> int:
    candidate = 1_000_001
    while candidate in used:
        candidate += 1
    return candidate


def _date_cells(grid: Grid) -> list[list[int]]:
    """Where dates are, as format runs [column, first row, last row (-1: to the end), timed].

    A column whose cells below the header are all dates or blanks is one run to the end of
    the sheet, so new rows need no new formatting (Status, History); other date cells (the
    Report's) are runs of consecutive rows.
    """
    dates: dict[int, list[tuple[int, int]]] = {}  # column -> (row, timed) of each date
    filled: dict[int, int] = {}  # per date column: cells not blank
    # Column by column: a column without a single date (most of them) costs one C-level pass.
    for c, column in enumerate(itertools.zip_longest(*grid[1:], fillvalue=None)):
        if not any(issubclass(kind, dt.date) for kind in set(map(type, column))):
            continue
        dates[c] = [(r, int(isinstance(v, dt.datetime)))
                    for r, v in enumerate(column, start=1) if isinstance(v, dt.date)]
        filled[c] = sum(1 for v in column if v is not None and v != "")
    runs: list[list[int]] = []
    for c in sorted(dates):
        if len(dates[c]) == filled[c]:
            runs.append([c, 1, -1, max(kind for _, kind in dates[c])])
            continue
        for r, kind in dates[c]:
            if runs and runs[-1][0] == c and runs[-1][2] == r - 1 and runs[-1][3] == kind:
                runs[-1][2] = r
            else:
                runs.append([c, r, r, kind])
    return runs


def _format_requests(sheet_id: int, runs: list[list[int]]) -> list[dict[str, Any]]:
    out = []
    for column, first, last, timed in runs:
        pattern = "yyyy-mm-dd hh:mm" if timed else "yyyy-mm-dd"
        cells: dict[str, Any] = {"sheetId": sheet_id, "startRowIndex": first,
                                 "startColumnIndex": column, "endColumnIndex": column + 1}
        if last >= 0:
            cells["endRowIndex"] = last + 1
        out.append({"repeatCell": {
            "range": cells,
            "cell": {"userEnteredFormat": {"numberFormat": {
                "type": "DATE_TIME" if timed else "DATE", "pattern": pattern}}},
            "fields": "userEnteredFormat.numberFormat"}})
    return out



def _error_message(exc: gspread.exceptions.APIError) -> str:
    try:
        return str(exc.response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return exc.response.reason or "no details"
