"""The Google Sheets backend: the only module that imports gspread and google-auth.

Steady state costs one ``values:batchGet`` (calendar and owned tabs together) and at most
one ``values:batchUpdate`` (RAW, so text is never a formula; blanks clear stale cells) per
cycle. The spreadsheet's layout (tab titles, sheet IDs, time zone) is cached in the state
database, so metadata is read only on the first run or after a tab disappears. The first run
creates the owned tabs with warning-only protection and marks them as the tool's own
(developer metadata, see :mod:`sheets_sync.backends.owned`) in one
``spreadsheets:batchUpdate``; the same call also sets date formats and sizes grids, and is
only sent again when date cells move or a tab's grid is too small.

A grid's size is never taken from the cache for a write: Google echoes each tab's range
bounded to its grid (``'Status'!A1:K71``), so the cycle's read tells it, and a tab too small
(a person deleted rows) is sized in the ``spreadsheets:batchUpdate`` before the values are
written. A refusal that names a sheet, range or grid (a person changed the spreadsheet
between the read and the write, or a request whose answer was lost was applied and then
sent again: "A sheet with the id ... already exists") makes the write read the layout and
the tabs again and retry once. A write's answer is not needed: a 200 whose body arrives cut
short means the request was applied.

Bodies are serialized here and measured: a write is split into requests of at most
MAX_BODY_BYTES (Google refuses a body over 10,485,760 bytes and advises about 2 MB), values
by rows; the state is saved only after the last part. No NaN or Infinity is ever sent (not
JSON), and a text longer than a cell holds (50,000 characters) is cut with a marker saying
how long it was.

Which tabs carry the mark is part of the cached layout. A write trusts it while each tab it
writes still starts with the tool's own leading rows, as this cycle's read saw them (so a
steady-state cycle costs no metadata read); before it creates or adopts a tab, or when a tab
no longer looks like the tool's (a person deleted it and made their own under that name), it
reads the metadata again and decides on that. A tab a write has not read this cycle (the
portfolio's) is read first, so that rows it no longer has are cleared.

A cycle of a spreadsheet nobody changed since the last one costs no Sheets request at all,
only a Drive ``files.get`` of its version (see :class:`_DriveWatch`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import itertools
import json
import logging
import math
import os
import re
import time
import types
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import gspread
import requests
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from gspread.http_client import HTTPClient

from sheets_sync.backends.base import Backend, SheetRead
from sheets_sync.backends.google_look import (
    LOOK_KEY,
    cleanup_requests,
    highlight_formula,
    highlight_marker,
    highlight_requests,
    link_extra,
    look_requests,
)
from sheets_sync.backends.http import RetryPolicy, TokenBucket, bucket_for, install, loads
from sheets_sync.backends.owned import (
    METADATA_KEY,
    adoptable,
    same_tab,
    signature_of,
    starts_with,
)
from sheets_sync.cells import (
    Cell,
    ColumnGrid,
    Grid,
    column_letter,
    column_number,
    first_difference,
    serial,
)
from sheets_sync.config import spreadsheet_id as spreadsheet_id  # the configuration's too
from sheets_sync.errors import CalendarError, ConfigError, ForeignTabError, SourceError
from sheets_sync.looks import Highlight, Look, look_of

log = logging.getLogger("sheets_sync.google")
SHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
# Enough for Drive's files.get on a shared spreadsheet: whether it changed since the last cycle.
DRIVE_SCOPE = "https://www.googleapis.com/auth/drive.metadata.readonly"
SCOPES = [SHEETS_SCOPE, DRIVE_SCOPE]
# Drive scopes that allow files.get on any file the account can open (a user's token keeps
# the first one it was granted; drive.file only covers files the app created or opened).
_DRIVE_READ_SCOPES = tuple(f"https://www.googleapis.com/auth/{name}" for name in (
    "drive.metadata.readonly", "drive.metadata", "drive.readonly", "drive"))
ENDPOINT_ENV = "SHEETS_SYNC_GOOGLE_ENDPOINT"
_META_FIELDS = ("properties(title,timeZone,locale),sheets(properties(sheetId,title,index,"
                "gridProperties(rowCount,columnCount)),"
                "developerMetadata(metadataKey,metadataValue,location(locationType,sheetId)),"
                "conditionalFormats(ranges(sheetId)),charts(chartId))")
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
                data, _user_scopes(data))
            return creds, "the signed-in Google user"
    except (ValueError, KeyError) as exc:
        raise ConfigError([f"credentials: {path} is not a usable Google credentials file "
                           f"({type(exc).__name__})"]) from None
    raise ConfigError([f"credentials: {path} is neither a service-account key nor an OAuth "
                       "user token (its \"type\" must be service_account or authorized_user)"])


def _user_scopes(data: Mapping[str, Any]) -> list[str]:
    """The scopes to ask a user's token for: Sheets, and a Drive scope only when the token
    was granted one (refreshing a token with a scope it was never granted fails)."""
    granted = data.get("scopes")
    granted = granted.split() if isinstance(granted, str) else granted
    drive = [s for s in _DRIVE_READ_SCOPES if isinstance(granted, list) and s in granted]
    return [SHEETS_SCOPE, *drive[:1]]


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


_JSON_PLAIN = frozenset({int, bool})  # cells that are sent as they are
MAX_CELL_CHARS = 50_000  # Google refuses a longer text in one cell
# Google refuses a request body over 10,485,760 bytes and advises about 2 MB: every write is
# split into requests of at most this many bytes.
MAX_BODY_BYTES = 2_000_000


def _json_cell(value: Cell) -> Any:
    """A cell as it is sent: never NaN or Infinity (not JSON; Google refuses the request),
    never a text over 50,000 characters (cut, with a marker saying so)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _fit_text(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, (dt.date, dt.datetime)):
        return "" if value != value else serial(value)  # NaT: a missing time
    if isinstance(value, (dt.time, dt.timedelta)):
        return str(value)
    return value


def _fit_text(text: str) -> str:
    """``text``, or its beginning and "… [truncated: 61,234 characters]" when it is longer
    than a Google cell holds."""
    if len(text) <= MAX_CELL_CHARS:
        return text
    marker = f"… [truncated: {len(text):,} characters]"
    return text[: MAX_CELL_CHARS - len(marker)] + marker


class GoogleBackend(Backend):
    """A calendar in a Google spreadsheet, reached through gspread's HTTP client."""

    def __init__(self, spreadsheet: str, *, credentials: str = "", endpoint: str = "",
                 quota_per_minute: int = 60, cache: MutableMapping[str, str] | None = None,
                 session: requests.Session | None = None, policy: RetryPolicy | None = None,
                 bucket: TokenBucket | None = None, clock: Callable[[], float] = time.time
                 ) -> None:
        self.id = spreadsheet_id(spreadsheet)
        keeps = cache is not None  # a cache that outlives this object: worth asking Drive
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
        rewrite = ("*", endpoint) if endpoint else None
        self._drive = _DriveWatch(self, session.request, rewrite, clock, enabled=keeps)
        install(session, self.policy, bucket, rewrite)
        self.http = HTTPClient(auth=None, session=session)  # type: ignore[arg-type]
        self._owned_seen: dict[str, Grid] = {}
        # (rows, columns) of the tabs' grids as this cycle's reads answered them: Google
        # echoes a tab's range bounded to its grid ('Status'!A1:K71)
        self._grid_seen: dict[str, tuple[int, int]] = {}
        self._calendar = ""  # the tab the last read() took as the calendar
        self._fresh = False  # the metadata was read since the last read() began
        self._answer = b""  # the last values:batchGet answer, as received

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
                "sheets": {s["properties"]["title"]: _sheet_info(s["properties"], s)
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
        """Read the calendar and the owned tabs, unless Drive shows that the spreadsheet has
        not changed since a read kept in the cache (see :class:`_DriveWatch`)."""
        kept = self._drive.unchanged(tab, owned)
        if kept is not None:
            self._fresh = False
            return kept
        sheet = self._read_sheets(tab, owned)
        self._drive.keep(tab, owned, sheet, self._answer)
        return sheet

    def write(self, tabs: Mapping[str, Grid]) -> None:
        self._drive.start_write()
        healed = self._write_tabs(tabs)
        self._drive.after_write(tabs, healed)

    def _read_sheets(self, tab: str, owned: Sequence[str]) -> SheetRead:
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
            return self._sheet_of(answer, title, present, owned, f"Google spreadsheet "
                                  f"{meta['title'] or self.id}, tab {title!r}", meta["timezone"],
                                  sheets=sheets)
        raise AssertionError("unreachable")

    def _sheet_of(self, answer: Mapping[str, Any], title: str, present: Sequence[str],
                  owned: Sequence[str], source: str, timezone: str,
                  written: Mapping[str, Grid] | None = None,
                  sheets: Mapping[str, Any] | None = None) -> SheetRead:
        """What a ``values:batchGet`` answer for the calendar ``title`` and the ``present``
        owned tabs holds, with the tabs ``written`` since that answer as they were written.

        The grid sizes Google answered with (each range bounded to its sheet's grid) are
        kept for the write, except for the tabs written since: their size is the one the
        write left, in the layout cache."""
        ranges = answer.get("valueRanges", [])
        # A tab's link column (its formula's answers) is not part of what it holds.
        cuts = [None] + [_values_width(sheets[t]) if sheets is not None and t in sheets
                         else self._values_width(t) for t in present]
        columns = [ColumnGrid(r.get("values", [])[:cut]) for r, cut in zip(ranges, cuts)]
        grids: dict[str, Grid] = dict(zip(present, (c.padded_rows() for c in columns[1:])))
        grids.update(written or {})
        self._owned_seen = grids
        self._grid_seen = {t: size for t, r in zip(present, ranges[1:])
                           if t not in (written or {})
                           and (size := _grid_of(r.get("range", ""))) is not None}
        self._calendar = title
        return SheetRead(tab=title, rows=columns[0], source=source,
                         owned={t: grids.get(t) for t in owned}, timezone=timezone)

    def _values_width(self, title: str) -> int | None:
        """How many columns of owned tab ``title`` its values fill, when its look added a link
        column after them (from the cached layout: a kept read is used with the layout of its
        cycle; None: every column is values)."""
        cached = self.cache.get(self._key())
        info = json.loads(cached).get("sheets", {}).get(title, {}) if cached else {}
        return _values_width(info)

    def _write_tabs(self, tabs: Mapping[str, Grid]) -> bool:
        """Write the owned tabs; a refusal naming a sheet, range or grid (the spreadsheet
        changed under the cached layout, or an earlier attempt's answer was lost after
        Google applied it) reads the layout and the tabs again and is retried once.

        Returns whether it was retried so (the spreadsheet was not as this cycle saw it)."""
        for attempt in (1, 2):
            try:
                self._write(tabs, heal=attempt > 1)
                return attempt > 1
            except _StaleLayout as stale:
                if attempt > 1:
                    raise SourceError(self._explain(400, stale.message)) from None
                log.warning("Google spreadsheet %s: %s; reading its layout again and "
                            "retrying once", self.id, stale.message)
                for title in tabs:  # their rows may have moved too
                    self._owned_seen.pop(title, None)
                    self._grid_seen.pop(title, None)
        raise AssertionError("unreachable")

    def _write(self, tabs: Mapping[str, Grid], heal: bool) -> None:
        meta = self._meta(refresh=heal)
        if not self._fresh and (self._in_doubt(meta, tabs) or any(
                title in meta["sheets"] and self._look(meta, title, grid)[1]
                != meta["sheets"][title].get("look", "") for title, grid in tabs.items()
                if look_of(grid) is not None)):
            meta = self._meta(refresh=True)  # a look changes: see what the old one added
        self._see(meta, tabs)
        adopt = self._check_owned(meta, tabs)
        dates = {title: _date_cells(grid) for title, grid in tabs.items()}
        cached = {t: (i["rows"], i["cols"]) for t, i in meta["sheets"].items()}
        layout = self._layout_requests(meta, tabs, dates, adopt)
        if not layout and cached != {t: (i["rows"], i["cols"])
                                     for t, i in meta["sheets"].items()}:
            # A grid this cycle read differs from the cached one (a person deleted rows):
            # cache it, for the cycles that read nothing and trust the tabs they wrote.
            self._save_meta(meta)
        if layout:
            url = gspread.urls.SPREADSHEET_BATCH_UPDATE_URL % self.id
            self._drive.before_change()
            try:
                for body in _request_bodies(layout, MAX_BODY_BYTES):
                    self._call(self._post, url, body, retry_stale=True)
            except SourceError:  # a sheet ID may be stale: the next cycle reads the layout
                self.cache.pop(self._key(), None)
                raise
            for title in tabs:  # the grids as the requests sized them
                info = meta["sheets"][title]
                self._grid_seen[title] = (info["rows"], info["cols"])
            meta["owned"] = sorted({*meta["owned"],
                                    *(meta["sheets"][title]["sheetId"] for title in tabs)})
            meta["date_cells"].update(dates)
            self._save_meta(meta)
        bodies = _ValueBodies(MAX_BODY_BYTES)
        for title, grid in tabs.items():
            start, values = self._changed_rows(title, grid)
            bodies.add_rows(title, start + 1, values)
        url = gspread.urls.SPREADSHEET_VALUES_BATCH_UPDATE_URL % self.id
        # State is saved only after the last part: a cycle stopped between parts is redone
        # whole by the next one, which reads what the first parts wrote.
        for body in bodies.finish():
            self._drive.before_change()
            self._call(self._post, url, body, retry_stale=True)
        for title, grid in tabs.items():
            self._owned_seen[title] = grid

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
        bodies = _ValueBodies(MAX_BODY_BYTES)
        for (row, column), value in cells.items():
            bodies.add(tab, row, column - 1, [_json_cell(value)], alone=True)
        url = gspread.urls.SPREADSHEET_VALUES_BATCH_UPDATE_URL % self.id
        for body in bodies.finish():
            self._call(self._post, url, body)

    def highlight(self, tab: str, spec: Highlight | None, status_tab: str) -> bool:
        """Conditional formats on the calendar sheet driven by the Status tab; set or
        removed in one ``spreadsheets:batchUpdate``, only when they are not as asked (the
        cached layout remembers what was set; otherwise the sheet's formats are read)."""
        meta = self._meta()
        want = spec.fingerprint() if spec is not None else ""
        if tab not in meta["sheets"] or meta["sheets"][tab].get("highlight", "") == want:
            return False
        raw = self._call(self.http.fetch_sheet_metadata, self.id, {
            "includeGridData": "false",
            "fields": "sheets(properties(sheetId,title),conditionalFormats(booleanRule("
                      "condition(values(userEnteredValue)))))"})
        sheet = next((s for s in raw.get("sheets", [])
                      if s.get("properties", {}).get("title") == tab), None)
        if sheet is None:
            return False
        sheet_id = sheet["properties"].get("sheetId", 0)
        marker = highlight_marker(status_tab)
        formulas = [" ".join(str(v.get("userEnteredValue", "")) for v in rule.get(
            "booleanRule", {}).get("condition", {}).get("values", []))
            for rule in sheet.get("conditionalFormats", [])]
        ours = [i for i, f in enumerate(formulas) if f.startswith(marker)]
        wanted = [highlight_formula(spec, label) for label, _ in spec.fills] if spec else []
        wrote = False
        if [formulas[i] for i in ours] != wanted or ours != list(range(len(wanted))):
            url = gspread.urls.SPREADSHEET_BATCH_UPDATE_URL % self.id
            body = _request_bodies(highlight_requests(sheet_id, spec, ours), MAX_BODY_BYTES)
            # bracketed like a write of the tabs, so that the next cycle does not take the
            # tool's own change for a person's edit and read the spreadsheet again
            self._drive.start_write()
            self._drive.before_change()
            for part in body:
                self._call(self._post, url, part)
            self._drive.after_write({})
            wrote = True
        meta["sheets"][tab]["highlight"] = want
        self._save_meta(meta)
        return wrote

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
            if title not in sheets:
                # Google takes names that differ only in case for the same name: adding the
                # tab would fail on every cycle, and writing to it would hit the other one.
                other = next((t for t in sheets if t.casefold() == title.casefold()), None)
                if other is not None:
                    raise ForeignTabError(
                        f"{where} (its tab {other!r} has the same name as {title!r} to Google, "
                        "which does not tell tab names apart by case)", title,
                        f"rename {other!r}, or give sheets-sync's tab another name in the "
                        "configuration (`status_tab`, `report_tab` or `history_tab` of the "
                        "calendar; `tab` of [portfolio])")
                continue
            if sheets[title]["sheetId"] in owned:
                continue
            if not adoptable(self._owned_seen.get(title), grid):
                raise ForeignTabError(where, title)
            adopt.append(title)
        return adopt

    def _see(self, meta: dict[str, Any], tabs: Mapping[str, Grid]) -> None:
        """Read the existing tabs among ``tabs`` that this cycle has not read (a write
        without a read, such as the portfolio's): what they hold now is what a write must
        blank, and their grid what it must fit in."""
        missing = [t for t in tabs if t in meta["sheets"] and t not in self._owned_seen]
        if not missing:
            return
        answer = self._call(self._batch_get, [_quote(t) for t in missing], retry_stale=True)
        for title, got in zip(missing, answer.get("valueRanges", [])):
            self._owned_seen[title] = ColumnGrid(got.get("values", [])).padded_rows()
            size = _grid_of(got.get("range", ""))
            if size is not None:
                self._grid_seen[title] = size

    # --- helpers ----------------------------------------------------------------------------
    def _changed_rows(self, title: str, grid: Grid) -> tuple[int, list[list[Any]]]:
        """The rows to send: from the first row that differs from what the tab held, as JSON
        values padded with "" so that stale cells are cleared (History is newest first: a
        cycle with a change sends all of it again).

        A row the tab holds as it is (Google keeps what was sent) has no cell that must be
        fitted; when a later row's cell was (a text cut to fit, a NaN left blank), the rows
        that the tab already holds so fitted are not sent again."""
        old = self._owned_seen.get(title, [])
        start = first_difference(old, grid)
        width = max(max((len(r) for r in old[start:]), default=0),
                    max((len(r) for r in grid[start:]), default=0))
        sent: dict[Any, Any] = {}  # a tab repeats its time stamps: convert each once
        fitted = False

        def value(cell: Cell) -> Any:
            nonlocal fitted
            if isinstance(cell, str):
                cut = _fit_text(cell)
                fitted = fitted or cut is not cell
                return cut
            if type(cell) is not dt.datetime or cell.tzinfo is not None:
                converted = _json_cell(cell)  # equal aware moments may show different times
                fitted = fitted or (type(cell) is float and converted != cell)
                return converted
            if cell not in sent:
                sent[cell] = _json_cell(cell)
            return sent[cell]

        limit = MAX_CELL_CHARS
        rows = [[c if type(c) in _JSON_PLAIN or (type(c) is str and len(c) <= limit)
                 else value(c) for c in r] + [""] * (width - len(r)) for r in grid[start:]]
        if fitted:
            same = first_difference(old[start:], rows)
            rows, start = rows[same:], start + same
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
            created = title not in sheets
            if created:
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
            else:
                # The grid as this cycle read it, never the cached one: a person may have
                # deleted rows since, and a write beyond the grid is refused. Dot paths in
                # the mask: Google documents parenthesised lists for read masks only.
                have_rows, have_cols = self._grid_seen.get(
                    title, (sheets[title]["rows"], sheets[title]["cols"]))
                sheets[title]["rows"], sheets[title]["cols"] = have_rows, have_cols
                if len(grid) > have_rows or cols > have_cols:
                    sheets[title]["rows"] = max(rows, have_rows)
                    sheets[title]["cols"] = max(cols, have_cols)
                    requests_.append({"updateSheetProperties": {"properties": {
                        "sheetId": sheets[title]["sheetId"],
                        "gridProperties": {"rowCount": sheets[title]["rows"],
                                           "columnCount": sheets[title]["cols"]}},
                        "fields": "gridProperties.rowCount,gridProperties.columnCount"}})
            cells = dates[title]
            if cells != meta["date_cells"].get(title):
                requests_.extend(_format_requests(sheets[title]["sheetId"], cells))
            requests_ += self._look_requests(meta, title, grid, created)
        return requests_

    def _look(self, meta: dict[str, Any], title: str, grid: Grid) -> tuple[Look | None, str]:
        """The look ``grid`` carries, completed with what its link column needs (the
        calendar's sheet ID, the column's label), and the value that records it on the
        sheet: its fingerprint, and where a link column follows the values."""
        look = look_of(grid)
        if look is None:
            return None, ""
        gid = meta["sheets"].get(self._calendar, {}).get("sheetId")
        want = look.fingerprint()
        if look.link_column is not None and gid is not None:
            look = replace(look, extra=link_extra(gid, grid[0] if grid else [], look))
            width = max((len(r) for r in grid), default=0)
            want += f":{gid}:link:{width}"
        return look, want

    def _look_requests(self, meta: dict[str, Any], title: str, grid: Grid, created: bool
                       ) -> list[dict[str, Any]]:
        """The requests that give the tab its look when it has not got it yet (see
        :mod:`sheets_sync.backends.google_look`), first removing what an earlier look of
        the tab added; the cached layout records what it set."""
        look, want = self._look(meta, title, grid)
        info = meta["sheets"][title]
        if look is None or (info.get("look") == want and not created):
            return []
        sheet_id = info["sheetId"]
        out = [] if created else cleanup_requests(sheet_id, info.get("rules", 0),
                                                  info.get("charts", []))
        used = {c for other in meta["sheets"].values() for c in other.get("charts", [])}
        chart_ids = list(itertools.islice(
            (c for c in itertools.count(1_500_000_001) if c not in used), len(look.charts)))
        width = max((len(r) for r in grid), default=0)
        out += look_requests(sheet_id, look, width, chart_ids)
        where = {"sheetId": sheet_id}
        if info.get("look") and not created:
            out.append({"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {
                "metadataKey": LOOK_KEY, "metadataLocation": where}}}})
        out.append({"createDeveloperMetadata": {"developerMetadata": {
            "metadataKey": LOOK_KEY, "metadataValue": want, "location": where,
            "visibility": "DOCUMENT"}}})
        info.update(look=want, rules=len(look.rules), charts=chart_ids)
        return out

    def _batch_get(self, ranges: list[str]) -> Any:
        """gspread's ``values_batch_get`` (same request, same error handling), with the
        answer decoded by :func:`sheets_sync.backends.http.loads`."""
        url = gspread.urls.SPREADSHEET_VALUES_BATCH_URL % self.id
        response = self.http.request("get", url, params={**_READ_COLUMNS, "ranges": ranges})
        self._answer = response.content
        return loads(response.content)

    def _post(self, url: str, body: bytes) -> None:
        """POST a JSON body serialized here (so its size is known); the answer is not
        needed: a 200 says Google applied the request, even when its body arrives cut."""
        self.http.request("post", url, data=body,
                          headers={"Content-Type": "application/json; charset=UTF-8"})

    def _call(self, method: Any, *args: Any, retry_stale: bool = False) -> Any:
        try:
            return method(*args)
        except gspread.exceptions.APIError as exc:
            status = exc.response.status_code
            message = _error_message(exc)
            if retry_stale and status == 400 and _NAMES_LAYOUT.search(message):
                raise _StaleLayout(message) from None
            raise SourceError(self._explain(status, message)) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise SourceError(
                f"Google Sheets could not be reached ({type(exc).__name__}) after "
                f"{self.policy.attempts} attempts; the next cycle will retry") from None
        except ValueError as exc:  # a 200 whose JSON is cut short or garbled
            raise SourceError(
                f"Google Sheets sent an answer that is not valid JSON ({exc}), perhaps cut "
                "short on the way; the cycle stopped and the next one will retry") from None

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
    """Google refused a request naming a sheet, range or grid: the cached layout no longer
    matches the spreadsheet (or an earlier attempt of the request was applied)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


# A refusal that names a sheet, a range or a grid: "Unable to parse range", "exceeds grid
# limits", "No grid with id", "A sheet with the id ... already exists".
_NAMES_LAYOUT = re.compile(r"\b(?:sheet|range|grid)\b", re.IGNORECASE)


def _grid_of(echoed: str) -> tuple[int, int] | None:
    """(rows, columns) of a tab's grid from the range Google echoes for the whole tab
    (``'My tab'!A1:K71``; ``Sheet1!A1`` for a one-cell grid); None when it is not one."""
    match = re.search(r"!\$?A\$?1(?::\$?([A-Z]+)\$?([0-9]+))?$", echoed)
    if match is None:
        return None
    if match.group(1) is None:
        return 1, 1
    return int(match.group(2)), column_number(match.group(1))


def _sheet_info(props: Mapping[str, Any], sheet: Mapping[str, Any] | None = None
                ) -> dict[str, Any]:
    grid = props.get("gridProperties", {})
    info = {"sheetId": props.get("sheetId", 0), "index": props.get("index", 0),
            "rows": grid.get("rowCount", 1000), "cols": grid.get("columnCount", 26)}
    if sheet is not None:  # what a look set on it (see sheets_sync.backends.google_look)
        info["look"] = next((md.get("metadataValue", "") for md in sheet.get(
            "developerMetadata", []) if md.get("metadataKey") == LOOK_KEY), "")
        info["rules"] = len(sheet.get("conditionalFormats", []))
        info["charts"] = [c["chartId"] for c in sheet.get("charts", []) if "chartId" in c]
    return info


def _values_width(info: Mapping[str, Any]) -> int | None:
    """How many columns of a tab the values write when its look added a link column after
    them (the look's recorded value ends with ``:width``), else None."""
    look = str(info.get("look", ""))
    head, _, width = look.rpartition(":")
    return int(width) if head and width.isdigit() and head.endswith(":link") else None


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


_ROWS_PER_PIECE = 256
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _encode(value: Any) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def _request_bodies(requests_: Sequence[dict[str, Any]], limit: int) -> list[bytes]:
    """``spreadsheets:batchUpdate`` bodies of at most ``limit`` bytes, the requests in
    order (one request larger than that is sent alone)."""
    head, tail = b'{"requests":[', b"]}"
    bodies: list[bytes] = []
    part: list[bytes] = []
    used = len(head) + len(tail)
    for request in requests_:
        encoded = _encode(request)
        if part and used + 1 + len(encoded) > limit:
            bodies.append(head + b",".join(part) + tail)
            part, used = [], len(head) + len(tail)
        used += len(encoded) + (1 if part else 0)
        part.append(encoded)
    if part:
        bodies.append(head + b",".join(part) + tail)
    return bodies


class _ValueBodies:
    """``values:batchUpdate`` bodies (RAW) of at most ``limit`` bytes each, measured as
    sent: consecutive rows of a tab go in one range, split by rows where a body is full;
    a row too large for a body of its own is split by columns (a single cell larger than
    that, which a fitted text never is, is sent alone)."""

    HEAD = b'{"valueInputOption":"RAW","data":['
    TAIL = b"]}"

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.bodies: list[bytes] = []
        self.entries: list[bytes] = []  # the ranges of the body being filled
        self.used = len(self.HEAD) + len(self.TAIL)
        # The range being filled: where its next row goes (tab, row, column), its rows, its
        # size so far and the most it may grow to in the body being filled.
        self.next: tuple[str, int, int] | None = None
        self.rows: list[bytes] = []  # encoded rows (or runs of them, joined by commas)
        self.count = 0  # rows in the range
        self.size = 0
        self.room = 0

    @staticmethod
    def _opening(tab: str, row: int, column: int) -> bytes:
        where = _encode(f"{_quote(tab)}!{column_letter(column)}{row}")
        return b'{"range":' + where + b',"values":['

    def add(self, tab: str, row: int, column: int, cells: list[Any], alone: bool = False
            ) -> None:
        """Add one row of cells written from (1-based ``row``, 0-based ``column``);
        ``alone`` keeps it out of the ranges of the rows before and after it."""
        encoded = _encode(cells)
        if (not alone and self.next == (tab, row, column)
                and self.size + 1 + len(encoded) <= self.room):
            self.rows.append(encoded)  # the next row of the range
            self.size += 1 + len(encoded)
            self.next = (tab, row + 1, column)
            self.count += 1
            return
        self._close()
        opening = len(self._opening(tab, row, column)) + 2  # with the closing "]}"
        largest = self.limit - len(self.HEAD) - len(self.TAIL)
        if opening + len(encoded) > largest and len(cells) > 1:
            for offset, chunk in self._chunks(tab, row, column, cells, largest):
                self.add(tab, row, column + offset, chunk, alone=True)
            return
        if opening + len(encoded) > self.limit - self.used - (1 if self.entries else 0):
            self._flush()
        self.room = self.limit - self.used - (1 if self.entries else 0)
        self.rows, self.size, self.count = [encoded], opening + len(encoded), 1
        self.next = (tab, row + 1, column)
        if alone:
            self._close()

    def add_rows(self, tab: str, row: int, rows: Sequence[list[Any]]) -> None:
        """Add rows written from column A of 1-based ``row`` on: encoded a few hundred at a
        time (one encoder call per row would cost more than the encoding), row by row only
        where a body fills up."""
        for first in range(0, len(rows), _ROWS_PER_PIECE):
            piece = rows[first : first + _ROWS_PER_PIECE]
            encoded = _encode(piece)[1:-1]  # the rows, joined by commas
            at = row + first
            if self.next == (tab, at, 0) and self.size + 1 + len(encoded) <= self.room:
                self.rows.append(encoded)
                self.size += 1 + len(encoded)
                self.next = (tab, at + len(piece), 0)
                self.count += len(piece)
                continue
            for offset, line in enumerate(piece):
                self.add(tab, at + offset, 0, line)

    def _chunks(self, tab: str, row: int, column: int, cells: list[Any], largest: int
                ) -> list[tuple[int, list[Any]]]:
        """The row's cells in pieces that each fit in a body."""
        pieces: list[tuple[int, list[Any]]] = []
        first, size = 0, len(self._opening(tab, row, column)) + 4
        for i, cell in enumerate(cells):
            cost = len(_encode(cell)) + 1
            if i > first and size + cost > largest:
                pieces.append((first, cells[first:i]))
                first, size = i, len(self._opening(tab, row, column + i)) + 4
            size += cost
        pieces.append((first, cells[first:]))
        return pieces

    def _close(self) -> None:
        """End the range being filled (it fits in the body: it was only grown to fit)."""
        if self.next is None:
            return
        tab, row, column = self.next
        entry = self._opening(tab, row - self.count, column) + b",".join(self.rows) + b"]}"
        self.used += len(entry) + (1 if self.entries else 0)
        self.entries.append(entry)
        self.next, self.rows, self.size, self.count = None, [], 0, 0

    def _flush(self) -> None:
        if self.entries:
            self.bodies.append(self.HEAD + b",".join(self.entries) + self.TAIL)
        self.entries, self.used = [], len(self.HEAD) + len(self.TAIL)

    def finish(self) -> list[bytes]:
        """The bodies, in order (none when nothing was added)."""
        self._close()
        self._flush()
        return self.bodies


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


# --- idle calendars: ask Drive before reading ----------------------------------------------
KEEP_AT_MOST = 16 * 2**20  # bytes of a read answer kept for idle cycles (~50,000 rows)
FULL_READ_AFTER = 3600.0  # seconds a kept read serves at least (at most twice that, by ID)
DRIVE_RETRY_AFTER = 3600.0  # seconds between asking Drive again after it refused
_DRIVE_FILE = "https://www.googleapis.com/drive/v3/files/"
_REFUSALS_LOGGED: set[str] = set()  # accounts whose Drive refusal was logged in this process


class _DriveWatch:
    """Skips the Sheets read of a calendar that did not change since the last cycle.

    Drive's ``files.get`` gives a spreadsheet's ``version``, a number that grows with every
    change of its content, whoever makes it (a person, another program, sheets-sync itself).
    A full read keeps its answer in the cache, with the version asked for just *before* that
    read: an edit made while the read was on its way makes the next version larger, so the
    worst it costs is one more read. When the next cycle finds the same version, the kept
    answer is the spreadsheet's content and serves as this cycle's read: one small Drive
    request and no Sheets read. The cycle then runs as usual on it (time-based findings are
    recomputed, and the tabs are written only when they change).

    The tool's own write changes the version too. So that it is not taken for an edit, the
    write is bracketed: the version is asked for before its first request that changes the
    spreadsheet (it must still be the kept one: nobody edited since the kept read) and after
    its last; the new version is kept, with the written tabs as written, only when Drive
    names this account as the last to modify the file (or nothing changed at all); the
    calendar's highlight formats are set inside the same kind of bracket. A write
    that sends nothing (the tabs already hold what it would send) asks Drive nothing. A write
    that had to read the layout again and retry (Google refused a request naming a sheet,
    range or grid: the spreadsheet was not as the kept read showed it) keeps nothing: the
    next cycle reads. An edit by someone else after the write makes them the last modifier,
    so it is not missed. What this cannot see is an edit landing during the
    write itself (between the two questions, followed by the write's last request): the kept
    copy would then lack it. So that such an edit (or one Drive reports late) cannot be
    missed for long, a kept read serves for a limited time: between FULL_READ_AFTER and twice
    that, spread by spreadsheet ID so that many calendars started together do not all read
    again in one cycle; after that the calendar is read again whatever Drive says.

    Drive is asked through its own retries (three attempts) and outside the Sheets rate
    limiter, whose quota it does not use. When it refuses (HTTP 401/403/404: the token lacks
    the Drive scope, the Drive API is not enabled for the project), every cycle reads as
    before: that is logged once per account and process, and Drive is asked again an hour
    later. Any other failure just means a full read this cycle. Answers over KEEP_AT_MOST
    bytes are not kept (nor Drive asked until one is small again): storing a large copy on
    every edited cycle would cost a busy large calendar more than it saves.
    """

    def __init__(self, backend: GoogleBackend, request: Callable[..., requests.Response],
                 rewrite: tuple[str, str] | None, clock: Callable[[], float],
                 enabled: bool) -> None:
        self.backend, self.clock, self.enabled = backend, clock, enabled
        holder = types.SimpleNamespace(request=request)  # the session before its rate limit
        policy = dataclasses.replace(backend.policy, attempts=min(backend.policy.attempts, 3))
        install(cast(requests.Session, holder), policy, None, rewrite)
        self._request: Callable[..., requests.Response] = holder.request
        spread = int(hashlib.sha256(backend.id.encode()).hexdigest()[:8], 16) % 1000
        self.max_age = FULL_READ_AFTER * (1 + spread / 1000)
        self.version: str | None = None  # asked for before this cycle's read
        self.certified: str | None = None  # the kept version, confirmed before a write
        self.changing = False  # the write under way has sent (or is about to send) a change
        self.key, self.blob_key = f"drive:{backend.id}", f"drive-read:{backend.id}"

    # --- the cycle -------------------------------------------------------------------------
    def unchanged(self, tab: str, owned: Sequence[str]) -> SheetRead | None:
        """The kept read when the spreadsheet did not change since; None: read it."""
        self.version = None
        record = self._record()
        if not self.enabled or self._refused(record) or record.get("size", 0) > KEEP_AT_MOST:
            return None
        self.version = self._ask("version").get("version")
        if (self.version is None or record.get("version") != self.version
                or record.get("tab") != tab or record.get("owned") != list(owned)
                or self.clock() - record.get("read_at", 0.0) >= self.max_age):
            return None
        blob = self._blob()
        if blob is None:
            return None
        try:  # a damaged copy costs a read, never a wrong cycle
            sheet = self.backend._sheet_of(loads(blob), record["title"], record["present"],
                                           owned, record["source"], record["timezone"],
                                           record["written"])
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return None
        log.debug("spreadsheet %s unchanged since its last read (Drive version %s): no read",
                  self.backend.id, self.version)
        return sheet

    def keep(self, tab: str, owned: Sequence[str], sheet: SheetRead, answer: bytes) -> None:
        """Keep a full read for the next cycles, with the version asked for before it.

        Without that version (Drive failed or refused) the previous kept read stays: what it
        says (the spreadsheet held this at that version) is still true, and it serves again
        should Drive later show that version. An answer too large to keep drops it.
        """
        if not self.enabled:
            return
        if len(answer) > KEEP_AT_MOST:
            self._forget()
            self._save({"size": len(answer)})  # Drive is not asked before the next read
            return
        if self.version is None:
            return
        record = {k: v for k, v in self._record().items() if k == "refused_at"}
        self._forget()
        _put_blob(self.backend.cache, self.blob_key, answer)
        record.update(version=self.version, read_at=self.clock(), size=len(answer), tab=tab,
                      owned=list(owned), title=sheet.tab, source=sheet.source,
                      timezone=sheet.timezone, written={},
                      present=[t for t in owned if sheet.owned.get(t) is not None])
        self._save(record)

    def start_write(self) -> None:
        """A write begins: nothing of it has been sent yet."""
        self.certified, self.changing = None, False

    def before_change(self) -> None:
        """Confirm that the spreadsheet is still as kept, before the write's first request
        that changes it (once per write)."""
        if self.changing:
            return
        self.changing = True
        record = self._record()
        if record.get("version") is None or self._refused(record):
            return
        version = self._ask("version").get("version")
        if version == record["version"]:
            self.certified = version
        else:  # changed since it was read: the next cycle reads it
            self._forget()

    def after_write(self, tabs: Mapping[str, Grid], healed: bool = False) -> None:
        """Keep the version the tool's own write made, with the tabs as written; forget the
        kept read when the write ``healed`` (the spreadsheet was not as kept)."""
        if healed:
            self._forget()
            return
        if self.certified is None:
            return
        answer = self._ask("version,lastModifyingUser(me)")
        version = answer.get("version")
        ours = answer.get("lastModifyingUser", {}).get("me") is True
        record = self._record()
        if version is None or record.get("version") != self.certified or not (
                ours or version == self.certified):
            self._forget()
            return
        record["version"] = version
        record.setdefault("written", {}).update({title: [[_json_cell(c) for c in r] for r in grid]
                                  for title, grid in tabs.items()})
        self._save(record)

    # --- Drive -----------------------------------------------------------------------------
    def _ask(self, fields: str) -> dict[str, Any]:
        """Drive's ``files.get`` answer with ``fields`` ({} when there is none to use)."""
        try:
            response = self._request("get", _DRIVE_FILE + quote(self.backend.id, safe=""),
                                     params={"fields": fields, "supportsAllDrives": "true"})
        except (requests.ConnectionError, requests.Timeout) as exc:
            log.info("Google Drive could not be reached (%s): spreadsheet %s is read in full "
                     "this cycle", type(exc).__name__, self.backend.id)
            return {}
        if response.status_code in (401, 403, 404) and not _rate_limited(response):
            self._refusal(response)
            return {}
        try:
            answer = response.json() if response.status_code == 200 else None
        except ValueError:
            answer = None
        if not isinstance(answer, dict) or not isinstance(answer.get("version"), str):
            log.info("Google Drive did not say whether spreadsheet %s changed (HTTP %d): it "
                     "is read in full this cycle", self.backend.id, response.status_code)
            return {}
        return answer

    def _refusal(self, response: requests.Response) -> None:
        self._save({**self._record(), "refused_at": self.clock()})
        account = self.backend.account
        if account in _REFUSALS_LOGGED:
            return
        _REFUSALS_LOGGED.add(account)
        try:
            message = str(response.json()["error"]["message"])
        except (ValueError, KeyError, TypeError):
            message = response.reason or "no details"
        log.warning("Google Drive refused to tell whether spreadsheets changed (HTTP %d: %s), "
                    "so every cycle reads each calendar in full, one Sheets read per calendar "
                    "per cycle. To let unchanged calendars skip that read, enable the Google "
                    "Drive API in the project of %s and allow it the drive.metadata.readonly "
                    "scope (a service account has it; a user token must be granted it)",
                    response.status_code, message, account)

    def _refused(self, record: Mapping[str, Any]) -> bool:
        at = record.get("refused_at")
        return isinstance(at, (int, float)) and self.clock() - at < DRIVE_RETRY_AFTER

    # --- the cache -------------------------------------------------------------------------
    def _record(self) -> dict[str, Any]:
        text = self.backend.cache.get(self.key) if self.enabled else None
        try:
            record = json.loads(text) if text else {}
        except ValueError:
            return {}
        return record if isinstance(record, dict) else {}

    def _save(self, record: Mapping[str, Any]) -> None:
        self.backend.cache[self.key] = json.dumps(record, ensure_ascii=False)

    def _blob(self) -> bytes | None:
        getter = getattr(self.backend.cache, "blob", None)
        if getter is not None:
            return cast(bytes | None, getter(self.blob_key))
        text = self.backend.cache.get(self.blob_key)
        return None if text is None else text.encode("utf-8")

    def _forget(self) -> None:
        """Drop the kept read (the record first: a record never points at a missing copy)."""
        self.backend.cache.pop(self.key, None)
        self.backend.cache.pop(self.blob_key, None)


def _rate_limited(response: requests.Response) -> bool:
    """Whether a Drive 403 is its per-user rate limit (a busy minute, not a refusal)."""
    try:
        errors = response.json()["error"].get("errors", [])
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    reasons = {str(e.get("reason")) for e in errors if isinstance(e, dict)} if isinstance(
        errors, list) else set()
    return bool(reasons & {"userRateLimitExceeded", "rateLimitExceeded"})


def _put_blob(cache: MutableMapping[str, str], key: str, value: bytes) -> None:
    """Keep bytes in the cache: as they are where it can (the state database), else as text."""
    setter = getattr(cache, "set_blob", None)
    if setter is not None:
        setter(key, value)
    else:
        cache[key] = value.decode("utf-8")
