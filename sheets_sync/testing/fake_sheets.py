"""An in-process fake of the Google Sheets v4 and Drive v3 REST APIs, for the real gspread client.

Only the HTTP transport is swapped: ``gspread.Client(auth=None, session=FakeSheetsAPI().session())``
talks to this fake exactly as it talks to Google, and ``serve()`` answers the same API over HTTP
on loopback for subprocesses. Answers follow recorded Google traffic (the conformance cassettes):
status codes, error shapes and messages, echoed ranges (``Sheet1!A1:Z1000``, quoted titles such
as ``'🌵 tab'!A1:A10``), trimmed values, update counts and sheet properties.

Base URLs of a served fake: the Sheets base ``https://sheets.googleapis.com/v4/`` becomes
``{url}/v4/`` and the Drive base ``https://www.googleapis.com/drive/v3/`` becomes
``{url}/drive/v3/`` (``rewriting_session(url)`` does that for a gspread client).

Supported:

- spreadsheets.get (``fields`` masks, ``ranges``, ``includeGridData``), spreadsheets.create,
  sheets.copyTo, developerMetadata.get / search;
- values.get / batchGet with every valueRenderOption x dateTimeRenderOption, majorDimension
  ROWS/COLUMNS, trailing empty cells and rows trimmed, no ``values`` for an empty range, ranges
  echoed bounded to the grid; a range starting outside the grid is ``exceeds grid limits``;
- values.update / batchUpdate / append / clear / batchClear, RAW and USER_ENTERED. USER_ENTERED
  parses numbers in the spreadsheet locale (``1.234,5`` in tr_TR), percents, currencies,
  ``TRUE``/``FALSE``, ISO and locale dates, date-times and times (serial numbers with an inferred
  date format, so FORMATTED_VALUE shows them as typed); a leading ``'`` keeps text; a cell
  formatted as TEXT keeps text. Formulas keep their text for FORMULA rendering and are evaluated
  for arithmetic, comparisons, ``&``, cell and range references (also to other tabs), SUM MIN MAX
  AVERAGE COUNT COUNTA IF AND OR NOT ABS ROUND LEN UPPER LOWER TRIM CONCATENATE DATE TODAY NOW;
  anything else evaluates to ``#NAME?``. ``null`` leaves a cell alone, ``""`` clears it. Writes
  outside the grid are ``exceeds grid limits`` (append adds rows, as Google does);
- spreadsheets.batchUpdate, atomic like Google's: addSheet, deleteSheet, duplicateSheet,
  updateSheetProperties (resize truncates, 10 million cell limit), updateSpreadsheetProperties,
  add/update/deleteProtectedRange, create/update/deleteDeveloperMetadata, repeatCell and
  updateCells (values and number formats), appendCells, insert/delete/appendDimension,
  mergeCells (all, per row, per column), unmergeCells, set/clearBasicFilter, sortRange
  (a range past the grid is cut to it); borders, resizing, data validation, conditional
  formats and other purely visual requests answer empty replies;
- Drive files create / get / list (``q`` on name, mimeType, parents, trashed) / update / copy /
  delete and permissions list / create / delete; the OAuth token endpoint, so real
  service-account credentials (``gspread.Client(auth=creds)`` + ``api.mount(...)``) work;
  a file's ``version`` (an int64 string) grows by one with every change of its content,
  through either API or a helper; ``lastModifyingUser.me`` tells whether the caller (its
  Authorization header) made the last change, and an edit through a helper is a person's;
- request checks against the official discovery document (unknown fields, bad enums, wrong
  types, unknown query parameters) with Google's messages; Google's limits: a body over
  10,485,760 bytes, ``NaN``/``Infinity`` in a body (not JSON) and a cell text over 50,000
  characters are refused with Google's 400 messages;
- faults (``api.faults``: error answers, dropped connections, answers lost or cut short after
  the request was applied, latency; by request kind, and after so many requests of that
  kind), per-user per-minute read/write quotas, a request log (with each body's size) and
  status counts;
- helpers for tests: ``create_spreadsheet``, ``set_values``, ``values``, ``number_format``,
  ``sheet_properties``, ``protected_ranges``, ``insert_rows``/``delete_rows`` (edits "by a
  person" in the middle of a cycle), ``set_access`` (read-only or no access: 403).

Not supported (the fake answers 400 "not supported by the sheets-sync fake" rather than pretend):
data-changing batchUpdate requests other than those above (moveDimension, findReplace,
copyPaste, cutPaste, textToColumns, autoFill, ...), DataFilter-based value methods, named
ranges, and formula references that adjust when rows move. Formatting beyond number formats is
not stored. Booleans are always shown as TRUE/FALSE whatever the locale.
"""

from __future__ import annotations

import base64
import collections
import contextlib
import copy
import datetime as dt
import hashlib
import json
import random
import re
import threading
import time
import zoneinfo
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import requests
from requests.adapters import BaseAdapter

from . import _drive as drive
from . import _read as read_api
from . import _spreadsheets as sheets_api
from . import _values as values_api
from ._a1 import parse_cells
from ._cells import Cell, parse_user_entered, raw_cell, serial_of
from ._discovery import CELL_ERROR, Validator, apply_fields, parse_fields, violation_field
from ._faults import Faults, RequestLog, RequestRecord, _Quota
from ._model import NOT_FOUND, ApiError, Reader, Spreadsheet, bad_request
from ._transport import (
    _FAULT_ERRORS,
    GOOGLE_PREFIXES,
    FakeAdapter,
    Outcome,
    ServedFake,
    _html,
    _json,
    rewriting_session,
    route,
)

__all__ = ["FakeSheetsAPI", "Faults", "RequestLog", "RequestRecord", "ServedFake",
           "rewriting_session"]

READ_KINDS = frozenset({"spreadsheets.get", "values.get", "values.batchGet",
                        "developerMetadata.get", "developerMetadata.search"})
WRITE_KINDS = frozenset({"spreadsheets.create", "spreadsheets.batchUpdate", "values.update",
                         "values.batchUpdate", "values.clear", "values.batchClear",
                         "values.append", "sheets.copyTo"})
_METHOD_IDS = {k: "sheets.spreadsheets." + k.removeprefix("spreadsheets.")
               for k in READ_KINDS | WRITE_KINDS}


MAX_PAYLOAD_BYTES = 10_485_760  # Google refuses a larger request body before reading it
_CONSTANT = re.compile(r'"(?:[^"\\]|\\.)*"|(-?Infinity|NaN)')


def parse_body(body: bytes) -> tuple[Any, str]:
    """Return (the decoded JSON body, "") or (None, Google's error message for it).

    As Google: a body over 10,485,760 bytes is refused, and ``NaN``/``Infinity`` (which
    Python's encoder writes unless told not to) are not JSON.
    """
    if len(body) > MAX_PAYLOAD_BYTES:
        return None, f"Request payload size exceeds the limit: {MAX_PAYLOAD_BYTES} bytes."
    try:
        text = body.decode("utf-8")
        return json.loads(text, parse_constant=_no_constant), ""
    except _NotJson:
        where = next(m.start(1) for m in _CONSTANT.finditer(text) if m.group(1))
        before = text[max(0, where - 20):where].replace("\n", " ")
        after = text[where:where + 20].replace("\n", " ")
        return None, ("Invalid JSON payload received. Unexpected token.\n"
                      f"{before}{after}\n{' ' * len(before)}^")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"Invalid JSON payload received. {exc.args[0]}."


class _NotJson(ValueError):
    """NaN or Infinity in a request body."""


def _no_constant(token: str) -> Any:
    raise _NotJson(token)


# ---------------------------------------------------------------------------- the fake


class FakeSheetsAPI:
    """The Sheets v4 + Drive v3 fake. Thread-safe; every instance has its own state.

    ``quota_per_minute`` limits read and write requests per user (the Authorization header) per
    minute, each separately, like Google's "Read/Write requests per minute per user" (a sliding
    60-second window on ``clock``, default ``time.monotonic``). ``validate`` checks requests
    against the discovery document (needs google-api-python-client).
    """

    def __init__(self, *, quota_per_minute: int | None = None,
                 read_quota_per_minute: int | None = None,
                 write_quota_per_minute: int | None = None,
                 clock: Callable[[], float] | None = None, validate: bool = True,
                 seed: int | None = None,
                 owner: str = "sheets-sync-fake@sheets-sync-fake.iam.gserviceaccount.com",
                 project_number: str = "123456789012") -> None:
        self._lock = threading.RLock()
        self._store = drive.DriveStore(random.Random(seed), owner)
        self._log: list[RequestRecord] = []
        self._stats: collections.Counter[int] = collections.Counter()
        self._dropped = 0
        self.clock = clock or time.monotonic
        self._quota = _Quota(read_quota_per_minute or quota_per_minute,
                             write_quota_per_minute or quota_per_minute, self.clock)
        self._validator = Validator() if validate else None
        self.project_number = project_number
        self.faults = Faults()

    # -- transports

    @property
    def owner(self) -> str:
        return self._store.owner

    def adapter(self) -> BaseAdapter:
        return FakeAdapter(self)

    def mount(self, session: requests.Session) -> requests.Session:
        """Route a session's Google requests (Sheets, Drive, OAuth token) to this fake.

        A google-auth ``AuthorizedSession`` (what ``gspread.Client(auth=credentials)`` uses)
        refreshes tokens through a session of its own: that one is routed here too, so real
        service-account credentials work against the fake.
        """
        adapter = self.adapter()
        for target in (session, getattr(session, "_auth_request_session", None)):
            if isinstance(target, requests.Session):
                for prefix in GOOGLE_PREFIXES:
                    target.mount(prefix + "/", adapter)
        return session

    def session(self) -> requests.Session:
        """A session for ``gspread.Client(auth=None, session=...)``."""
        return self.mount(requests.Session())

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> ServedFake:
        """Serve this fake over HTTP in a background thread (``.url``, ``.close()``)."""
        return ServedFake(self, host, port)

    # -- observation

    @property
    def requests(self) -> RequestLog:
        with self._lock:
            return RequestLog(self._log)

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()
            self._stats.clear()
            self._dropped = 0

    @property
    def stats(self) -> collections.Counter[int]:
        """Responses sent, by HTTP status (a Counter: ``stats[429]`` is 0 when none)."""
        with self._lock:
            return collections.Counter(self._stats)

    @property
    def dropped_connections(self) -> int:
        with self._lock:
            return self._dropped

    # -- the request path

    def process(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
                timeout: float | None = None) -> Outcome:
        """Answer one HTTP request (used by the adapter and the HTTP server)."""
        method = method.upper()
        parts = urlsplit(url)
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            query.setdefault(key, []).append(value)
        kind, args = route(method, parts.path)
        parsed: Any = None
        body_error = ""
        if body and kind != "oauth.token":
            parsed, body_error = parse_body(body)
        with self._lock:
            self._log.append(RequestRecord(method, unquote(parts.path), query, parsed, kind,
                                           len(body or b"")))
        decision = self.faults._decide(kind)
        if decision.drop:
            with self._lock:
                self._dropped += 1
            return Outcome(dropped=True)
        if decision.latency:
            if timeout is not None and decision.latency > timeout:
                time.sleep(timeout)
                return Outcome(timed_out=True)
            time.sleep(decision.latency)
        if decision.status:
            outcome = self._fault(kind, decision.status)
        else:
            outcome = self._answer(kind, args, query, parsed, body_error, headers, parts.path,
                                   body or b"")
        with self._lock:
            if decision.lose:
                self._dropped += 1
                return Outcome(dropped=True)
            if decision.cut and outcome.status == 200:
                outcome.body = outcome.body[: len(outcome.body) // 2]
            self._stats[outcome.status] += 1
        return outcome

    def _quota_error(self, category: str, limit: int | None) -> ApiError:
        metric = "Read requests" if category == "read" else "Write requests"
        message = (f"Quota exceeded for quota metric '{metric}' and limit '{metric} per minute "
                   f"per user' of service 'sheets.googleapis.com' for consumer "
                   f"'project_number:{self.project_number}'.")
        details: list[dict[str, Any]] = [
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
             "domain": "googleapis.com",
             "metadata": {"quota_location": "global", "service": "sheets.googleapis.com",
                          "quota_metric": f"sheets.googleapis.com/{category}_requests",
                          "quota_limit": f"{category.title()}RequestsPerMinutePerUser",
                          "quota_limit_value": str(limit if limit is not None else 60),
                          "consumer": f"projects/{self.project_number}"}},
            {"@type": "type.googleapis.com/google.rpc.Help",
             "links": [{"description": "Request a higher quota limit.",
                        "url": "https://cloud.google.com/docs/quotas/help/request_increase"}]},
        ]
        return ApiError(429, message, "RESOURCE_EXHAUSTED", details)

    def _fault(self, kind: str, status: int) -> Outcome:
        if status == 403 and kind.startswith("drive."):  # e.g. a token without a Drive scope
            return _json(403, ApiError(403, "Request had insufficient authentication scopes.",
                                       "PERMISSION_DENIED",
                                       drive_reason="insufficientPermissions").body())
        if status == 429:
            if kind.startswith("drive."):
                return _json(429, ApiError(429, "Rate Limit Exceeded", "RESOURCE_EXHAUSTED",
                                           drive_reason="rateLimitExceeded").body())
            category = "write" if kind in WRITE_KINDS else "read"
            return _json(429, self._quota_error(category, self._quota.limits[category]).body())
        if status == 502:
            return _html(502, "/")
        message, word = _FAULT_ERRORS.get(status, ("Unknown error.", "UNKNOWN"))
        return _json(status, ApiError(status, message, word).body())

    def _answer(self, kind: str, args: dict[str, str], query: dict[str, list[str]], body: Any,
                body_error: str, headers: dict[str, str], raw_path: str,
                body_raw: bytes = b"") -> Outcome:
        if kind == "unknown":
            return _html(404, raw_path)
        if kind == "oauth.token":
            return _json(200, self._token(body_raw))
        user = next((v for k, v in headers.items() if k.lower() == "authorization"),
                    "anonymous")
        try:
            if not kind.startswith("drive."):
                category = "read" if kind in READ_KINDS else "write"
                with self._lock:
                    admitted = self._quota.admit(user, category)
                if not admitted:
                    raise self._quota_error(category, self._quota.limits[category])
            if body_error:
                raise bad_request(body_error)
            if self._validator is not None and kind in _METHOD_IDS:
                errors = self._validator.check_query(_METHOD_IDS[kind], [
                    (k, v) for k, vs in query.items() for v in vs])
                errors += self._validator.check_body(_METHOD_IDS[kind], body)
                cells = [e for e in errors if CELL_ERROR.match(e)]
                errors = [e for e in errors if not CELL_ERROR.match(e)]
                if cells and not errors:  # found once the request parsed: the first one
                    raise bad_request(cells[0])
                if errors:
                    violations = [{"field": violation_field(e), "description": e}
                                  for e in errors]
                    raise bad_request("\n".join(errors), [
                        {"@type": "type.googleapis.com/google.rpc.BadRequest",
                         "fieldViolations": violations}])
            if body is not None and not isinstance(body, dict):
                raise bad_request("Invalid JSON payload received. Unknown name \"\": Root "
                                  "element must be a message.")
            with self._lock:
                self._store.requester = user  # whom Drive names as the last modifier
                try:
                    result = self._dispatch(kind, args, query, body or {})
                finally:
                    self._store.requester = drive.PERSON
        except ApiError as error:
            return _json(error.code, error.body())
        if result is None:
            return Outcome(204, {"Content-Type": "text/html"}, b"")
        if kind.startswith("drive.files.") and "fields" not in query and kind not in (
            "drive.files.list",
        ):
            result = drive.default_view(result)
        if query.get("fields"):
            result = apply_fields(result, parse_fields(query["fields"][-1]))
        return _json(200, result)

    def _token(self, body: bytes) -> dict[str, Any]:
        """OAuth token endpoint: one stable token per service account (the assertion's iss),
        so quota is counted per account as Google does."""
        form = dict(parse_qsl(body.decode("utf-8", "replace")))
        issuer = "anonymous"
        parts = form.get("assertion", "").split(".")
        if len(parts) == 3:
            padded = parts[1] + "=" * (-len(parts[1]) % 4)
            with contextlib.suppress(ValueError, UnicodeDecodeError):
                issuer = str(json.loads(base64.urlsafe_b64decode(padded)).get("iss", issuer))
        token = "ya29.fake-" + hashlib.sha256(issuer.encode()).hexdigest()[:32]
        return {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def _book(self, spreadsheet_id: str, write: bool) -> Spreadsheet:
        book = self._store.books.get(spreadsheet_id)
        if book is None:
            raise ApiError(404, NOT_FOUND, "NOT_FOUND")
        if book.access == "none" or (write and book.access != "write"):
            raise ApiError(403, "The caller does not have permission", "PERMISSION_DENIED")
        if book.mime_type != drive.SHEET_MIME:
            raise ApiError(400, "This operation is not supported for this document",
                           "FAILED_PRECONDITION")
        return book

    def _dispatch(self, kind: str, args: dict[str, str], query: dict[str, list[str]],
                  body: dict[str, Any]) -> dict[str, Any] | None:
        store = self._store
        if kind.startswith("drive."):
            return self._drive(kind, args, query, body)
        if kind == "spreadsheets.create":
            return self._create(body)
        book = self._book(args["id"], kind in WRITE_KINDS)
        if kind == "spreadsheets.get":
            include = values_api.flag(query, "includeGridData")
            return read_api.spreadsheet_json(book, store.owner, include_grid=include,
                                               ranges=query.get("ranges"))
        if kind == "spreadsheets.batchUpdate":
            working = book.clone()
            result = sheets_api.BatchUpdate(working, store.rng, store.owner).run(body)
            store.books[book.id] = working
            store.touch(working)
            return result
        if kind == "developerMetadata.search":
            return read_api.metadata_search(book, body)
        if kind == "developerMetadata.get":
            return read_api.metadata_get(book, int(args["metadataId"]))
        if kind == "sheets.copyTo":
            return self._copy_to(book, int(args["sheetId"]), body)
        if kind == "values.get":
            return values_api.get(book, args["range"], query)
        if kind == "values.batchGet":
            return values_api.batch_get(book, query)
        if kind == "values.update":
            result = values_api.update(book, args["range"], query, body)
        elif kind == "values.batchUpdate":
            result = values_api.batch_update(book, body)
        elif kind == "values.clear":
            result = values_api.clear(book, args["range"])
        elif kind == "values.batchClear":
            result = values_api.batch_clear(book, body)
        elif kind == "values.append":
            working = book.clone()
            result = values_api.append(working, args["range"], query, body)
            store.books[book.id] = book = working
        else:
            raise bad_request(f"{kind} is not supported by the sheets-sync fake")
        store.touch(book)
        return result

    def _drive(self, kind: str, args: dict[str, str], query: dict[str, list[str]],
               body: dict[str, Any]) -> dict[str, Any] | None:
        store = self._store
        handlers: dict[str, Callable[[], dict[str, Any] | None]] = {
            "drive.files.create": lambda: drive.create(store, query, body),
            "drive.files.get": lambda: drive.get(store, args["id"]),
            "drive.files.update": lambda: drive.update(store, args["id"], body),
            "drive.files.copy": lambda: drive.copy(store, args["id"], body),
            "drive.files.delete": lambda: drive.delete(store, args["id"]),
            "drive.files.list": lambda: drive.list_files(store, query),
            "drive.permissions.list": lambda: drive.list_permissions(store, args["id"]),
            "drive.permissions.create": lambda: drive.create_permission(store, args["id"], body),
            "drive.permissions.delete": lambda: drive.delete_permission(
                store, args["id"], args["permissionId"]),
            "drive.comments.list": lambda: {"kind": "drive#commentList", "comments": []},
        }
        return handlers[kind]()

    def _create(self, body: dict[str, Any]) -> dict[str, Any]:
        props = body.get("properties") or {}
        given = [s.get("properties") or {} for s in body.get("sheets") or []]
        book = self._store.new_spreadsheet(
            str(props.get("title") or "Untitled spreadsheet"),
            locale=str(props.get("locale") or "en_US"),
            time_zone=str(props.get("timeZone") or "Etc/GMT"), with_sheet=not given)
        if given:
            run = sheets_api.BatchUpdate(book, self._store.rng, self._store.owner)
            for i, sheet_props in enumerate(given):
                sheet_props = {"sheetId": 0, **sheet_props} if i == 0 else sheet_props
                run.add_sheet({"properties": sheet_props})
        return read_api.spreadsheet_json(book, self._store.owner)

    def _copy_to(self, book: Spreadsheet, sheet_id: int, body: dict[str, Any]) -> dict[str, Any]:
        source = book.sheet_by_id(sheet_id)
        if source is None:
            raise ApiError(404, NOT_FOUND, "NOT_FOUND")
        dest = self._book(str(body.get("destinationSpreadsheetId") or ""), True)
        run = sheets_api.BatchUpdate(dest, self._store.rng, self._store.owner)
        title, n = f"Copy of {source.title}", 2
        while dest.sheet_by_title(title) is not None:
            title, n = f"Copy of {source.title} {n}", n + 1
        reply = run.add_sheet({"properties": {"title": title,
                                              "gridProperties": source.props["gridProperties"]}})
        props = reply["addSheet"]["properties"]
        copied = dest.sheet_by_id(props["sheetId"])
        assert copied is not None
        copied.rows = [list(r) for r in source.rows]
        copied.formats = dict(source.formats)
        return props

    # -- helpers for tests (no request is logged or counted)

    def create_spreadsheet(self, title: str = "Untitled spreadsheet",
                           sheets: dict[str, list[list[Any]]] | None = None, *,
                           time_zone: str = "Etc/GMT", locale: str = "en_US",
                           value_input: str = "RAW") -> str:
        """Create a spreadsheet holding ``sheets`` ({title: rows}); return its ID.

        Rows hold str, int, float, bool or None (left empty); ``datetime.date``/``datetime``/
        ``time`` become serial numbers with a date format, as a date typed into Sheets does.
        Strings are stored as they are (``value_input="RAW"``) or parsed as if typed
        (``"USER_ENTERED"``). Grids are 1000 x 26 or larger to fit the rows.
        """
        with self._lock:
            book = self._store.new_spreadsheet(title, locale=locale, time_zone=time_zone,
                                               with_sheet=not sheets)
            for i, (name, rows) in enumerate((sheets or {}).items()):
                width = max((len(r) for r in rows), default=0)
                props: dict[str, Any] = {"title": name, "gridProperties": {
                    "rowCount": max(1000, len(rows)), "columnCount": max(26, width)}}
                if i == 0:
                    props["sheetId"] = 0
                run = sheets_api.BatchUpdate(book, self._store.rng, self._store.owner)
                run.add_sheet({"properties": props})
                self._write(book, name, rows, 0, 0, value_input)
            return book.id

    def _spreadsheet(self, spreadsheet_id: str) -> Spreadsheet:
        book = self._store.books.get(spreadsheet_id)
        if book is None:
            raise KeyError(f"no spreadsheet {spreadsheet_id!r} in this fake")
        return book

    def _sheet(self, spreadsheet_id: str, sheet_title: str) -> Any:
        sheet = self._spreadsheet(spreadsheet_id).sheet_by_title(sheet_title)
        if sheet is None:
            raise KeyError(f"no sheet {sheet_title!r} in spreadsheet {spreadsheet_id!r}")
        return sheet

    def _write(self, book: Spreadsheet, sheet_title: str, rows: list[list[Any]], r0: int,
               c0: int, value_input: str) -> None:
        sheet = book.sheet_by_title(sheet_title)
        assert sheet is not None
        height = r0 + len(rows)
        width = c0 + max((len(r) for r in rows), default=0)
        if height > sheet.row_count or width > sheet.col_count:
            sheet.resize(max(height, sheet.row_count), max(width, sheet.col_count))
        loc = book.locale
        grid = sheet.rows
        for i, row in enumerate(rows):
            r = r0 + i
            while len(grid) <= r:
                grid.append([])
            target = grid[r]
            if len(target) < c0 + len(row):
                target.extend([None] * (c0 + len(row) - len(target)))
            for j, value in enumerate(row):
                c = c0 + j
                if value is None:
                    continue
                if isinstance(value, str) and value_input != "USER_ENTERED":
                    target[c] = value or None
                    continue
                fmt: dict[str, str] | None = None
                cell: Cell | None
                if isinstance(value, dt.datetime):
                    if value.tzinfo is not None:
                        value = value.astimezone(zoneinfo.ZoneInfo(str(book.props["timeZone"])))
                    cell = serial_of(value)
                    fmt = {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm:ss"}
                elif isinstance(value, dt.date):
                    cell, fmt = serial_of(value), {"type": "DATE", "pattern": "yyyy-mm-dd"}
                elif isinstance(value, dt.time):
                    cell, fmt = serial_of(value), {"type": "TIME", "pattern": "hh:mm:ss"}
                elif value_input == "USER_ENTERED":
                    cell, fmt = parse_user_entered(value, loc, sheet.formats.get((r, c)))
                else:
                    cell = raw_cell(value)
                target[c] = cell
                if fmt is not None:
                    sheet.formats[(r, c)] = fmt
        self._store.touch(book)

    def set_values(self, spreadsheet_id: str, sheet_title: str, rows: list[list[Any]],
                   start: str = "A1", value_input: str = "RAW") -> None:
        """Write cells as a person editing the sheet would (``None`` leaves a cell alone)."""
        box = parse_cells(start)
        with self._lock:
            book = self._spreadsheet(spreadsheet_id)
            self._sheet(spreadsheet_id, sheet_title)
            self._write(book, sheet_title, rows, box.r0 or 0, box.c0 or 0, value_input)

    def values(self, spreadsheet_id: str, sheet_title: str, render: str = "UNFORMATTED_VALUE",
               date_render: str = "SERIAL_NUMBER") -> list[list[Any]]:
        """What the sheet holds, trimmed like values.get (default: effective values)."""
        with self._lock:
            book = self._spreadsheet(spreadsheet_id)
            sheet = self._sheet(spreadsheet_id, sheet_title)
            return Reader(book).rendered(sheet, 0, 0, sheet.row_count, sheet.col_count, render,
                                         date_render)

    def spreadsheet(self, spreadsheet_id: str) -> dict[str, Any]:
        """The spreadsheets.get document (properties, sheets, protected ranges, metadata)."""
        with self._lock:
            return read_api.spreadsheet_json(self._spreadsheet(spreadsheet_id), self.owner)

    def spreadsheet_ids(self) -> list[str]:
        with self._lock:
            return list(self._store.books)

    def sheet_titles(self, spreadsheet_id: str) -> list[str]:
        with self._lock:
            return [s.title for s in self._spreadsheet(spreadsheet_id).sheets]

    def sheet_properties(self, spreadsheet_id: str, sheet_title: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self._sheet(spreadsheet_id, sheet_title).props)

    def protected_ranges(self, spreadsheet_id: str) -> list[dict[str, Any]]:
        """Every protected range, as spreadsheets.get shows them."""
        doc = self.spreadsheet(spreadsheet_id)
        return [pr for s in doc["sheets"] for pr in s.get("protectedRanges", [])]

    def number_format(self, spreadsheet_id: str, sheet_title: str, cell: str
                      ) -> dict[str, Any] | None:
        """The number format of one cell (``"B2"``), e.g. {"type": "DATE", "pattern": ...}."""
        box = parse_cells(cell)
        with self._lock:
            fmt = self._sheet(spreadsheet_id, sheet_title).formats.get((box.r0, box.c0))
            return dict(fmt) if fmt is not None else None

    def insert_rows(self, spreadsheet_id: str, sheet_title: str, before_row: int,
                    count: int = 1) -> None:
        """Insert empty rows before 1-based ``before_row``, as a person would."""
        with self._lock:
            values_api.insert_rows(self._sheet(spreadsheet_id, sheet_title), before_row - 1,
                                   count)
            self._store.touch(self._spreadsheet(spreadsheet_id))

    def delete_rows(self, spreadsheet_id: str, sheet_title: str, first_row: int,
                    count: int = 1) -> None:
        """Delete ``count`` rows from 1-based ``first_row``, as a person would."""
        with self._lock:
            values_api.delete_rows(self._sheet(spreadsheet_id, sheet_title), first_row - 1,
                                   first_row - 1 + count)
            self._store.touch(self._spreadsheet(spreadsheet_id))

    def set_access(self, spreadsheet_id: str, access: str) -> None:
        """"write" (default), "read" (writes answer 403) or "none" (everything 403/404)."""
        if access not in ("write", "read", "none"):
            raise ValueError(access)
        with self._lock:
            self._spreadsheet(spreadsheet_id).access = access

    def delete_spreadsheet(self, spreadsheet_id: str) -> None:
        with self._lock:
            del self._store.books[spreadsheet_id]
