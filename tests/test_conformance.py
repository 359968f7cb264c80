"""Replay recorded gspread <-> Google traffic against the fake and compare the answers.

Every ``*.json`` vcrpy cassette in ``$SHEETS_SYNC_CASSETTES`` is replayed request by request
against a fresh FakeSheetsAPI. IDs Google handed out (spreadsheets, new sheets, protected ranges)
are learned from the answers as they come and mapped both ways, so the fake's own IDs never
matter. Answers must match Google's: status, content type, and the whole JSON body apart from
what the README says to ignore (theme, default format, Drive timestamps, the service account's
e-mail address).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from sheets_sync.backends.google import _READ_COLUMNS, GoogleBackend
from sheets_sync.backends.http import RetryPolicy, TokenBucket
from sheets_sync.testing import FakeSheetsAPI

# Where the fake's answers to the Google backend's own requests come from. "recording" names a
# cassette in $SHEETS_SYNC_CASSETTES, or a recorded test of gspread's suite (its cassettes hold
# Google's real answers); "docs" is Google's reference (https://developers.google.com/workspace/
# sheets/api/...), relied on where no recording shows the behaviour. Each row has a test below.
#
# | backend request / fake behaviour            | source                                        |
# |---------------------------------------------|-----------------------------------------------|
# | values:batchGet majorDimension=COLUMNS: one | docs only: reference/rest/v4/spreadsheets.    |
# | list per column, a blank inside a column as | values#ValueRange ("each inner array          |
# | "", trailing blanks and empty trailing      | representing a major dimension"; "empty       |
# | columns left out                            | trailing rows and columns will not be         |
# |                                             | included"), .../spreadsheets.values/batchGet  |
# |                                             | (majorDimension). Blanks inside a *row* as "":|
# |                                             | recording WorksheetTest.test_get_all_values   |
# | addSheet with the caller's sheetId and      | docs only: reference/rest/v4/spreadsheets/    |
# | gridProperties.frozenRowCount, echoed in    | request#AddSheetRequest ("The sheetId field is|
# | the reply and in spreadsheets.get           | optional ... It is an error to specify the ID |
# |                                             | of a sheet that already exists"), .../sheets# |
# |                                             | GridProperties. Reply shape without them:     |
# |                                             | recording SpreadsheetTest.test_add_del_       |
# |                                             | worksheet                                     |
# | addProtectedRange over a whole sheet: range | docs only: reference/rest/v4/spreadsheets/    |
# | holds only sheetId and is answered so,      | sheets#ProtectedRange ("The range may be fully|
# | warning-only, no editors but the owner      | unbounded, in which case this is considered a |
# |                                             | protected sheet"), .../other#GridRange        |
# |                                             | ("Sheet1 == sheet_id: 123456"). Warning-only  |
# |                                             | answer of a bounded range: recording          |
# |                                             | WorksheetTest.test_add_protected_range_warning|
# | repeatCell userEnteredFormat.numberFormat   | docs only: reference/rest/v4/spreadsheets/    |
# | DATE / DATE_TIME with a pattern; a range    | cells#NumberFormat, guides/formats (yyyy-mm-dd|
# | with no end row runs to the sheet's end;    | hh:mm), .../other#GridRange ("Sheet1!A5:B ==  |
# | cells read back formatted by the pattern    | ... start_row_index: 4", no end)              |
# | field masks on updates: dot paths change    | recording: gspread WorksheetTest.test_show_   |
# | only the listed subfields                   | gridlines ("gridProperties.hideGridlines");   |
# | (gridProperties.rowCount,                   | slash paths: recording WorksheetTest.test_get_|
# | gridProperties.columnCount keeps the frozen | all_values. Dots and commas: docs guides/     |
# | header row)                                 | field-masks. Parenthesised lists are shown    |
# |                                             | there for reads only, so the backend's update |
# |                                             | masks use dot paths                           |

ENV = "SHEETS_SYNC_CASSETTES"
IGNORED = {"spreadsheetTheme", "defaultFormat"}
# Answers Google gave because of its own state (quota, outages): the fake is told to fail the
# same way, then only the error's code, status and (for 429) message are compared.
INJECTED = {429, 500, 502, 503, 504}
PROJECT = re.compile(r"(project_number:|projects/)[0-9]+")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\Z")
SHEET_KEYS = {"sheetId", "sourceSheetId", "newSheetId"}


def _cassettes() -> list[Any]:
    where = os.environ.get(ENV)
    if not where:
        reason = f"{ENV} is not set (the recordings live in ../shared)"
        return [pytest.param(None, id="no-cassettes", marks=pytest.mark.skip(reason=reason))]
    files = sorted(Path(where).glob("*.json"))
    if not files:
        return [pytest.param(Path(where), id="empty-cassette-folder")]
    return [pytest.param(path, id=path.stem) for path in files]


def _text(body: Any) -> str:
    """A vcrpy body: a string, None, or {"string": ...}."""
    if isinstance(body, dict):
        body = body.get("string")
    if isinstance(body, bytes):
        return body.decode("utf-8")
    return body or ""


def _header(headers: dict[str, Any], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return str(value[0] if isinstance(value, list) else value)
    return ""


class Replay:
    """IDs seen in the recording <-> IDs the fake handed out, learned as the replay goes."""

    def __init__(self) -> None:
        self.api = FakeSheetsAPI(seed=5)
        self.session = self.api.session()
        self.files: dict[str, str] = {}
        self.files_back: dict[str, str] = {}
        self.fresh()

    def fresh(self) -> None:
        self.sheets: dict[int, int] = {0: 0}
        self.sheets_back: dict[int, int] = {0: 0}
        self.protected: dict[int, int] = {}
        self.protected_back: dict[int, int] = {}

    # -- mapping

    def _map(self, value: Any, files: dict[str, str], sheets: dict[int, int],
             protected: dict[int, int], key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: self._map(v, files, sheets, protected, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._map(v, files, sheets, protected, key) for v in value]
        if isinstance(value, str):
            for old, new in files.items():
                value = value.replace(old, new)
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            if key in SHEET_KEYS:
                return sheets.get(value, value)
            if key == "protectedRangeId":
                return protected.get(value, value)
        return value

    def to_fake(self, value: Any) -> Any:
        return self._map(value, self.files, self.sheets, self.protected)

    def to_recorded(self, value: Any) -> Any:
        return self._map(value, self.files_back, self.sheets_back, self.protected_back)

    def _pair_sheet(self, recorded: int, fake: int) -> None:
        self.sheets[recorded] = fake
        self.sheets_back[fake] = recorded

    def _pair_protected(self, recorded: int, fake: int) -> None:
        self.protected[recorded] = fake
        self.protected_back[fake] = recorded

    def learn(self, method: str, uri: str, recorded: Any, fake: Any) -> None:
        if not isinstance(recorded, dict) or not isinstance(fake, dict):
            return
        created = re.search(r"/drive/v3/files(\?|$)", uri)
        copied = re.search(r"/drive/v3/files/[^/?]+/copy(\?|$)", uri)
        if method == "POST" and (created or copied) and "id" in recorded:
            if created:  # a new file starts with Sheet1 (ID 0); a copy keeps its sheets' IDs
                self.fresh()
            self.files[recorded["id"]] = fake.get("id", "")
            self.files_back[fake.get("id", "")] = recorded["id"]
        for rec_reply, fake_reply in zip(recorded.get("replies", []), fake.get("replies", [])):
            for kind in ("addSheet", "duplicateSheet"):
                if kind in rec_reply and kind in fake_reply:
                    self._pair_sheet(rec_reply[kind]["properties"]["sheetId"],
                                     fake_reply[kind]["properties"]["sheetId"])
            if "addProtectedRange" in rec_reply and "addProtectedRange" in fake_reply:
                self._pair_protected(
                    rec_reply["addProtectedRange"]["protectedRange"]["protectedRangeId"],
                    fake_reply["addProtectedRange"]["protectedRange"]["protectedRangeId"])
        fake_sheets = {s["properties"].get("title"): s for s in fake.get("sheets", [])
                       if "properties" in s}
        for sheet in recorded.get("sheets", []):
            twin = fake_sheets.get(sheet.get("properties", {}).get("title"))
            if twin is None:
                continue
            if "sheetId" in sheet["properties"] and "sheetId" in twin["properties"]:
                self._pair_sheet(sheet["properties"]["sheetId"], twin["properties"]["sheetId"])
            for rec_pr, fake_pr in zip(sheet.get("protectedRanges", []),
                                       twin.get("protectedRanges", [])):
                self._pair_protected(rec_pr["protectedRangeId"], fake_pr["protectedRangeId"])

    # -- one interaction

    def send(self, request: dict[str, Any]) -> requests.Response:
        method = request["method"].upper()
        uri = self.to_fake(request["uri"])
        text = _text(request.get("body"))
        data: bytes | None = None
        if text:
            try:
                data = json.dumps(self.to_fake(json.loads(text))).encode("utf-8")
            except json.JSONDecodeError:
                data = text.encode("utf-8")
        headers = {}
        content_type = _header(request.get("headers", {}), "Content-Type")
        if content_type:
            headers["Content-Type"] = content_type
        return self.session.request(method, uri, data=data, headers=headers, timeout=10)


def normalized(value: Any, key: str = "") -> Any:
    """Drop what the README says to ignore; Drive timestamps only need to look right."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in IGNORED:
                continue
            if k in ("createdTime", "modifiedTime"):
                assert isinstance(v, str) and TIMESTAMP.match(v), f"{k}: {v!r}"
                v = "<timestamp>"
            if k == "users" and key == "editors":
                v = ["<user>" if "@" in str(u) else u for u in v]
            out[k] = normalized(v, k)
        return out
    if isinstance(value, list):
        return [normalized(v, key) for v in value]
    return value


def _injected(body: Any) -> Any:
    if not isinstance(body, dict) or "error" not in body:
        return body
    error = body["error"]
    out = {"code": error.get("code"), "status": error.get("status")}
    if error.get("code") == 429:
        out["message"] = PROJECT.sub(r"\1<n>", str(error.get("message")))
    return out


def _json(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def replay_cassette(cassette: dict[str, Any], name: str) -> None:
    """Replay every interaction of a vcrpy cassette against a fresh fake; fail on the first
    answer that differs from the recorded one."""
    replay = Replay()
    interactions = cassette["interactions"]
    assert interactions, "empty cassette"
    for n, interaction in enumerate(interactions):
        request, expected = interaction["request"], interaction["response"]
        where = f"{name} #{n}: {request['method']} {request['uri']}"
        status = expected["status"]["code"]
        if status in INJECTED:
            replay.api.faults.fail_next(1, status=status)
        answer = replay.send(request)
        assert answer.status_code == status, f"{where}\n{answer.text}"
        if _text(expected.get("body")).strip():
            want_type = _header(expected.get("headers", {}), "Content-Type").split(";")[0]
            got_type = answer.headers.get("Content-Type", "").split(";")[0]
            assert got_type == want_type, where
        recorded = _json(_text(expected.get("body")))
        fake = _json(answer.text)
        if status in INJECTED:
            assert _injected(fake) == _injected(recorded), where
            continue
        replay.learn(request["method"].upper(), request["uri"], recorded, fake)
        got = normalized(replay.to_recorded(fake))
        want = normalized(recorded)
        assert got == want, (
            f"{where}\nGoogle: {json.dumps(want, ensure_ascii=False)}\n"
            f"fake:   {json.dumps(got, ensure_ascii=False)}"
        )


@pytest.mark.parametrize("path", _cassettes())
def test_cassette_replays_identically(path: Path | None) -> None:
    assert path is not None and path.is_file(), f"no *.json cassettes in {path}"
    replay_cassette(json.loads(path.read_text(encoding="utf-8")), path.name)


# ---------------------------------------------------------------------------- the backend's shapes

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"


def _backend(api: FakeSheetsAPI, sid: str) -> GoogleBackend:
    return GoogleBackend(sid, session=api.session(), cache={},
                         policy=RetryPolicy(sleep=lambda seconds: None),
                         bucket=TokenBucket(10_000))


def _layout_requests(api: FakeSheetsAPI) -> list[dict[str, Any]]:
    sent = [r.body for r in api.requests if r.kind == "spreadsheets.batchUpdate"]
    return [request for body in sent for request in body["requests"]]


@pytest.fixture
def written() -> tuple[FakeSheetsAPI, str]:
    """A calendar whose Status tab the backend has just created (one layout batchUpdate)."""
    api = FakeSheetsAPI(seed=9)
    sid = api.create_spreadsheet("Plan", {"Calendar": [["ID", "Note"], ["P1", "x"]]})
    backend = _backend(api, sid)
    backend.read("Calendar", ["Status"])
    api.reset_log()
    backend.write({"Status": [["When", "Code"], [dt.datetime(2026, 3, 10, 9, 30), "LATE"],
                              [dt.datetime(2026, 3, 11, 14, 0), "OK"]]})
    return api, sid


def test_columns_read_keeps_blanks_inside_a_column_and_drops_trailing_ones() -> None:
    api = FakeSheetsAPI(seed=9)
    sid = api.create_spreadsheet("Plan", {"Calendar": [
        ["ID", "Note", "Extra"], ["P1", ""], ["", "x"], ["P3"]]})
    answer = api.session().get(f"{SHEETS}/{sid}/values:batchGet",
                               params={**_READ_COLUMNS, "ranges": ["'Calendar'"]}).json()
    assert answer["valueRanges"] == [{"range": "Calendar!A1:Z1000", "majorDimension": "COLUMNS",
                                      "values": [["ID", "P1", "", "P3"], ["Note", "", "x"],
                                                 ["Extra"]]}]
    read = _backend(api, sid).read("Calendar", [])
    assert [list(r) for r in read.rows] == [["ID", "Note", "Extra"], ["P1"], ["", "x"], ["P3"]]


def test_add_sheet_with_its_own_id_and_a_frozen_header(
        written: tuple[FakeSheetsAPI, str]) -> None:
    api, sid = written
    add = next(r["addSheet"] for r in _layout_requests(api) if "addSheet" in r)
    sheet_id = add["properties"]["sheetId"]
    assert add["properties"]["gridProperties"]["frozenRowCount"] == 1
    status = next(s for s in api.spreadsheet(sid)["sheets"]
                  if s["properties"]["title"] == "Status")
    assert status["properties"] == {"sheetId": sheet_id, "title": "Status", "index": 1,
                                    "sheetType": "GRID", "gridProperties": {
                                        "rowCount": 53, "columnCount": 26,
                                        "frozenRowCount": 1}}


def test_whole_sheet_protection_is_answered_with_the_sheet_id_alone(
        written: tuple[FakeSheetsAPI, str]) -> None:
    api, sid = written
    add = next(r["addProtectedRange"] for r in _layout_requests(api) if "addProtectedRange" in r)
    sheet_id = api.sheet_properties(sid, "Status")["sheetId"]
    assert add["protectedRange"]["range"] == {"sheetId": sheet_id}
    [protection] = api.protected_ranges(sid)
    assert protection["range"] == {"sheetId": sheet_id}
    assert protection["warningOnly"] is True and protection["requestingUserCanEdit"] is True
    assert protection["editors"] == {"users": [api.owner]}


def test_repeat_cell_number_formats_run_to_the_end_of_the_sheet(
        written: tuple[FakeSheetsAPI, str]) -> None:
    api, sid = written
    [repeat] = [r["repeatCell"] for r in _layout_requests(api) if "repeatCell" in r]
    assert repeat["fields"] == "userEnteredFormat.numberFormat"
    assert "endRowIndex" not in repeat["range"]
    assert repeat["cell"]["userEnteredFormat"]["numberFormat"] == {
        "type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}
    shown = api.session().get(f"{SHEETS}/{sid}/values/Status!A2:A3").json()["values"]
    assert shown == [["2026-03-10 09:30"], ["2026-03-11 14:00"]]
    assert api.number_format(sid, "Status", "A53") == {"type": "DATE_TIME",
                                                      "pattern": "yyyy-mm-dd hh:mm"}


def test_growing_a_tab_changes_only_its_row_and_column_counts(
        written: tuple[FakeSheetsAPI, str]) -> None:
    api, sid = written
    backend = _backend(api, sid)
    backend.read("Calendar", ["Status"])
    api.reset_log()
    backend.write({"Status": [["When", "Code"]] + [["", f"C{i}"] for i in range(80)]})
    [update] = [r["updateSheetProperties"] for r in _layout_requests(api)
                if "updateSheetProperties" in r]
    assert update["fields"] == "gridProperties.rowCount,gridProperties.columnCount"
    assert api.sheet_properties(sid, "Status")["gridProperties"] == {
        "rowCount": 131, "columnCount": 26, "frozenRowCount": 1}
