"""The Google Sheets fake under the real, unmodified gspread client."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import gspread
import pytest
import requests
from gspread.exceptions import APIError, SpreadsheetNotFound

from sheets_sync.testing import FakeSheetsAPI, rewriting_session

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"


@pytest.fixture
def api() -> FakeSheetsAPI:
    return FakeSheetsAPI(seed=7)


@pytest.fixture
def client(api: FakeSheetsAPI) -> gspread.Client:
    return gspread.Client(auth=None, session=api.session())


def error_of(call: Any) -> dict[str, Any]:
    with pytest.raises(APIError) as info:
        call()
    body: dict[str, Any] = info.value.response.json()["error"]
    return body


# ---------------------------------------------------------------------------- gspread calls


def test_gspread_round_trip(api: FakeSheetsAPI, client: gspread.Client) -> None:
    sh = client.create("Acme calendar")
    assert (sh.title, sh.locale, sh.timezone) == ("Acme calendar", "en_US", "Etc/GMT")
    ws = sh.sheet1
    reply = ws.update([["A1", "B1", "", "D1"], ["", "b2", "", ""], ["", "", "", ""],
                       ["A4", "B4", "", "D4"]], "A1")
    assert reply["updatedRange"] == "Sheet1!A1:D4"
    assert (reply["updatedRows"], reply["updatedColumns"], reply["updatedCells"]) == (4, 4, 16)
    assert ws.get("A1:D4") == [["A1", "B1", "", "D1"], ["", "b2"], [], ["A4", "B4", "", "D4"]]
    assert ws.get_all_values()[1] == ["", "b2", "", ""]

    tab = sh.add_worksheet("🌵 ideas", rows=10, cols=5)
    assert [w.title for w in sh.worksheets()] == ["Sheet1", "🌵 ideas"]
    got = sh.values_batch_get(["'🌵 ideas'!A:A", "Sheet1!B4:D4"])
    assert [v["range"] for v in got["valueRanges"]] == ["'🌵 ideas'!A1:A10", "Sheet1!B4:D4"]
    assert "values" not in got["valueRanges"][0]
    assert got["valueRanges"][1]["values"] == [["B4", "", "D4"]]

    batch = sh.values_batch_update({"valueInputOption": "RAW", "data": [
        {"range": "'🌵 ideas'!A1", "values": [["x", "y"]]},
        {"range": "Sheet1!F1:F2", "values": [["f1"], ["f2"]]}]})
    assert batch["totalUpdatedCells"] == 4 and batch["totalUpdatedSheets"] == 2
    assert batch["responses"][0]["updatedRange"] == "'🌵 ideas'!A1:B1"

    sh.batch_update({"requests": [{"repeatCell": {
        "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1},
        "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
        "fields": "userEnteredFormat.textFormat.bold"}}]})
    protected = ws.add_protected_range("A1:B2", warning_only=True)
    pr = protected["replies"][0]["addProtectedRange"]["protectedRange"]
    assert pr["warningOnly"] is True and "sheetId" not in pr["range"]
    assert api.protected_ranges(sh.id)[0]["editors"] == {"users": [api.owner]}

    sh.del_worksheet(tab)
    assert api.sheet_titles(sh.id) == ["Sheet1"]
    client.del_spreadsheet(sh.id)
    with pytest.raises(SpreadsheetNotFound):
        client.open_by_key(sh.id)


def test_open_by_key_and_by_title(api: FakeSheetsAPI, client: gspread.Client) -> None:
    sid = api.create_spreadsheet("Acme", {"Calendar": [["ID"], ["P1"]]},
                                 time_zone="Europe/Istanbul", locale="tr_TR")
    sh = client.open_by_key(sid)
    assert (sh.timezone, sh.locale, sh.sheet1.title) == ("Europe/Istanbul", "tr_TR", "Calendar")
    assert client.open("Acme").id == sid
    assert [f["name"] for f in client.list_spreadsheet_files()] == ["Acme"]
    assert client.list_permissions(sid)[0]["role"] == "owner"


def test_sheet_properties_and_resize(api: FakeSheetsAPI, client: gspread.Client) -> None:
    sh = client.create("Props")
    ws = sh.sheet1
    ws.update([["a"] * 5] * 5, "A1")
    ws.resize(rows=3, cols=2)
    props = api.sheet_properties(sh.id, "Sheet1")
    assert props["gridProperties"] == {"rowCount": 3, "columnCount": 2}
    assert props["sheetType"] == "GRID" and props["index"] == 0
    assert api.values(sh.id, "Sheet1") == [["a", "a"]] * 3
    ws.update_title("Calendar")
    ws.freeze(rows=1)
    assert api.sheet_properties(sh.id, "Calendar")["gridProperties"]["frozenRowCount"] == 1
    sh.update_timezone("Europe/Istanbul")
    sh.update_locale("tr_TR")
    assert (client.open_by_key(sh.id).timezone, client.open_by_key(sh.id).locale) == (
        "Europe/Istanbul", "tr_TR")


# ---------------------------------------------------------------------------- values


def test_raw_keeps_text_and_user_entered_parses(api: FakeSheetsAPI,
                                                client: gspread.Client) -> None:
    ws = client.create("Input").sheet1
    row = ["12345", "TRUE", "2020-01-01", "'0012", "=4/2", "1/2/2020", "12%", "1,234.5"]
    ws.update([row], "A1", value_input_option="RAW")
    ws.update([row], "A2", value_input_option="USER_ENTERED")
    unformatted = ws.get("A1:H2", value_render_option="UNFORMATTED_VALUE")
    assert unformatted[0] == row
    assert unformatted[1] == [12345, True, 43831, "0012", 2, 43832, 0.12, 1234.5]
    formatted = ws.get("A2:H2", value_render_option="FORMATTED_VALUE")
    assert formatted == [["12345", "TRUE", "2020-01-01", "0012", "2", "1/2/2020", "12%",
                          "1,234.5"]]
    assert ws.get("E2", value_render_option="FORMULA") == [["=4/2"]]
    assert ws.get("E1", value_render_option="FORMULA") == [["=4/2"]]


def test_locale_dates_and_numbers(api: FakeSheetsAPI, client: gspread.Client) -> None:
    sid = api.create_spreadsheet("TR", {"Takvim": []}, locale="tr_TR",
                                 time_zone="Europe/Istanbul")
    ws = client.open_by_key(sid).sheet1
    ws.update([["02.01.2020", "1.234,5", "20.03.2026 10:00", "14:30", "Gönderi"]], "A1",
              value_input_option="USER_ENTERED")
    assert ws.get("A1:E1", value_render_option="UNFORMATTED_VALUE") == [
        [43832, 1234.5, 46101 + 10 / 24, 14.5 / 24, "Gönderi"]]
    assert ws.get("A1:E1") == [["02.01.2020", "1.234,5", "20.03.2026 10:00", "14:30",
                                "Gönderi"]]
    assert api.number_format(sid, "Takvim", "A1") == {"type": "DATE", "pattern": "dd.MM.yyyy"}


def test_formulas(client: gspread.Client) -> None:
    ws = client.create("F").sheet1
    ws.update([[1, 2, "=A1+B1*2", '="x"&A1', "=SUM(A1:C1)", "=IF(A1>0,\"yes\",\"no\")",
                "=1/0", "=VLOOKUP(1,A1:B1,2)"]], "A1", value_input_option="USER_ENTERED")
    assert ws.get("A1:H1", value_render_option="UNFORMATTED_VALUE") == [
        [1, 2, 5, "x1", 8, "yes", "#DIV/0!", "#NAME?"]]
    assert ws.get("H1", value_render_option="FORMULA") == [["=VLOOKUP(1,A1:B1,2)"]]
    ws.update([[10]], "A1", value_input_option="RAW")
    assert ws.get("C1", value_render_option="UNFORMATTED_VALUE") == [[14]]


def test_null_leaves_cells_and_empty_string_clears(api: FakeSheetsAPI,
                                                    client: gspread.Client) -> None:
    sh = client.create("Null")
    sh.values_update("Sheet1!A1", params={"valueInputOption": "RAW"},
                     body={"values": [["a", "b", "c"]]})
    reply = sh.values_update("Sheet1!A1", params={"valueInputOption": "RAW"},
                             body={"values": [[None, "", "C"]]})
    assert reply["updatedCells"] == 2
    assert api.values(sh.id, "Sheet1") == [["a", "", "C"]]


@pytest.mark.parametrize(("value_render", "date_render", "expected"), [
    ("FORMATTED_VALUE", "SERIAL_NUMBER", ["2020-01-01", "0.5", "TRUE", "=x"]),
    ("FORMATTED_VALUE", "FORMATTED_STRING", ["2020-01-01", "0.5", "TRUE", "=x"]),
    ("UNFORMATTED_VALUE", "SERIAL_NUMBER", [43831, 0.5, True, "=x"]),
    ("UNFORMATTED_VALUE", "FORMATTED_STRING", ["2020-01-01", 0.5, True, "=x"]),
    ("FORMULA", "SERIAL_NUMBER", [43831, "=1/2", True, "=x"]),
    ("FORMULA", "FORMATTED_STRING", ["2020-01-01", "=1/2", True, "=x"]),
])
def test_render_options(client: gspread.Client, value_render: str, date_render: str,
                        expected: list[Any]) -> None:
    sh = client.create("Render")
    sh.values_update("Sheet1!A1", params={"valueInputOption": "USER_ENTERED"},
                     body={"values": [["2020-01-01", "=1/2", True, "'=x"]]})
    got = sh.values_get("Sheet1!A1:D1", params={"valueRenderOption": value_render,
                                                "dateTimeRenderOption": date_render})
    assert got["values"] == [expected]


def test_trimming_dimensions_and_echoed_ranges(client: gspread.Client) -> None:
    sh = client.create("Trim")
    sh.values_update("Sheet1!B2", params={"valueInputOption": "RAW"},
                     body={"values": [["b2", "", "d2"], [], ["", "c4"]]})
    assert sh.values_get("Sheet1!A1:E5") == {
        "range": "Sheet1!A1:E5", "majorDimension": "ROWS",
        "values": [[], ["", "b2", "", "d2"], [], ["", "", "c4"]]}
    columns = sh.values_get("Sheet1", params={"majorDimension": "COLUMNS"})
    assert columns["range"] == "Sheet1!A1:Z1000"
    assert columns["values"] == [[], ["", "b2"], ["", "", "", "c4"], ["", "d2"]]
    assert sh.values_get("Sheet1!F1:G2") == {"range": "Sheet1!F1:G2", "majorDimension": "ROWS"}
    assert sh.values_get("sheet1!b2")["range"] == "Sheet1!B2"
    assert sh.values_get("Sheet1!Y1:AC2000")["range"] == "Sheet1!Y1:Z1000"


def test_append_and_clear(api: FakeSheetsAPI, client: gspread.Client) -> None:
    sh = client.create("Append")
    ws = sh.sheet1
    ws.update([["ID", "Name"], ["1", "a"]], "A1")
    reply = ws.append_row(["2", "b"])
    assert reply["tableRange"] == "Sheet1!A1:B2"
    assert reply["updates"]["updatedRange"] == "Sheet1!A3:B3"
    ws.resize(rows=3)
    sh.values_append("Sheet1!A1", params={"valueInputOption": "RAW",
                                          "insertDataOption": "INSERT_ROWS"},
                     body={"values": [["3", "c"]]})
    assert api.sheet_properties(sh.id, "Sheet1")["gridProperties"]["rowCount"] == 4
    assert sh.values_clear("Sheet1!B1:B9")["clearedRange"] == "Sheet1!B1:B4"
    cleared = sh.values_batch_clear(body={"ranges": ["Sheet1!A1", "Sheet1!A4"]})
    assert cleared["clearedRanges"] == ["Sheet1!A1", "Sheet1!A4"]
    assert api.values(sh.id, "Sheet1") == [[], ["1"], ["2"]]


def test_append_finds_the_table_below_a_title(api: FakeSheetsAPI) -> None:
    sid = api.create_spreadsheet("T", {"Sheet1": [["Title"], [], ["ID", "Name"], ["1", "a"]]})
    reply = api.session().post(f"{SHEETS}/{sid}/values/Sheet1:append",
                               params={"valueInputOption": "RAW"},
                               json={"values": [["2", "b"]]}).json()
    assert reply["tableRange"] == "Sheet1!A3:B4"
    assert reply["updates"]["updatedRange"] == "Sheet1!A5:B5"


def test_include_values_in_response(client: gspread.Client) -> None:
    sh = client.create("Echo")
    reply = sh.values_update("Sheet1!A1", params={
        "valueInputOption": "USER_ENTERED", "includeValuesInResponse": "true",
        "responseValueRenderOption": "UNFORMATTED_VALUE"}, body={"values": [["=2*3", "x"]]})
    assert reply["updatedData"] == {"range": "Sheet1!A1:B1", "majorDimension": "ROWS",
                                    "values": [[6, "x"]]}


def test_dates_written_as_serials_with_a_date_format(api: FakeSheetsAPI,
                                                     client: gspread.Client) -> None:
    sid = api.create_spreadsheet("D", {"Status": [["When"], [dt.date(2026, 3, 20)]]})
    sh = client.open_by_key(sid)
    sh.values_update("Status!A3", params={"valueInputOption": "RAW"}, body={"values": [[46102]]})
    sh.batch_update({"requests": [{"repeatCell": {
        "range": {"sheetId": 0, "startRowIndex": 2, "endRowIndex": 3, "startColumnIndex": 0,
                  "endColumnIndex": 1},
        "cell": {"userEnteredFormat": {"numberFormat": {"type": "DATE",
                                                        "pattern": "dd.mm.yyyy"}}},
        "fields": "userEnteredFormat.numberFormat"}}]})
    assert sh.values_get("Status!A2:A3")["values"] == [["2026-03-20"], ["21.03.2026"]]
    assert api.values(sid, "Status") == [["When"], [46101], [46102]]


def test_dimension_requests_move_data(api: FakeSheetsAPI, client: gspread.Client) -> None:
    sid = api.create_spreadsheet("Rows", {"Calendar": [["ID"], ["P1"], ["P2"], ["P3"]]})
    ws = client.open_by_key(sid).sheet1
    ws.insert_rows([["P0"]], row=2)
    assert api.values(sid, "Calendar") == [["ID"], ["P0"], ["P1"], ["P2"], ["P3"]]
    ws.delete_rows(3)
    api.insert_rows(sid, "Calendar", 2)
    api.delete_rows(sid, "Calendar", 5)
    assert api.values(sid, "Calendar") == [["ID"], [], ["P0"], ["P2"]]
    ws.sort((1, "des"), range="A3:A4")
    assert api.values(sid, "Calendar") == [["ID"], [], ["P2"], ["P0"]]


def test_developer_metadata(api: FakeSheetsAPI, client: gspread.Client) -> None:
    sh = client.create("Meta")
    sh.batch_update({"requests": [{"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": "sheets-sync/owned", "metadataValue": "status",
        "location": {"sheetId": 0}, "visibility": "DOCUMENT"}}}]})
    session = api.session()
    found = session.post(f"{SHEETS}/{sh.id}/developerMetadata:search", json={"dataFilters": [
        {"developerMetadataLookup": {"metadataKey": "sheets-sync/owned"}}]}).json()
    (match,) = found["matchedDeveloperMetadata"]
    assert match["developerMetadata"]["location"] == {"locationType": "SHEET", "sheetId": 0}
    assert session.post(f"{SHEETS}/{sh.id}/developerMetadata:search", json={"dataFilters": [
        {"developerMetadataLookup": {"metadataKey": "other"}}]}).json() == {}
    doc = sh.fetch_sheet_metadata()
    assert doc["sheets"][0]["developerMetadata"][0]["metadataValue"] == "status"


def test_fields_mask_and_grid_data(api: FakeSheetsAPI) -> None:
    sid = api.create_spreadsheet("Mask", {"Calendar": [["ID", 3]], "Status": []},
                                 time_zone="Europe/Istanbul")
    session = api.session()
    doc = session.get(f"{SHEETS}/{sid}", params={
        "fields": "properties(timeZone,title),sheets.properties(title,gridProperties/rowCount)"
    }).json()
    assert doc == {"properties": {"title": "Mask", "timeZone": "Europe/Istanbul"}, "sheets": [
        {"properties": {"title": "Calendar", "gridProperties": {"rowCount": 1000}}},
        {"properties": {"title": "Status", "gridProperties": {"rowCount": 1000}}}]}
    grid = session.get(f"{SHEETS}/{sid}", params={"ranges": "Calendar!A1:B1",
                                                  "includeGridData": "true"}).json()
    (sheet,) = grid["sheets"]
    cells = sheet["data"][0]["rowData"][0]["values"]
    assert cells[1]["effectiveValue"] == {"numberValue": 3}
    assert cells[1]["formattedValue"] == "3"


def test_batch_update_is_atomic(api: FakeSheetsAPI, client: gspread.Client) -> None:
    sh = client.create("Atomic")
    error = error_of(lambda: sh.batch_update({"requests": [
        {"addSheet": {"properties": {"title": "Status"}}},
        {"deleteSheet": {"sheetId": 12345}}]}))
    assert error == {"code": 400, "status": "INVALID_ARGUMENT",
                     "message": "Invalid requests[1].deleteSheet: No sheet with id: 12345"}
    assert api.sheet_titles(sh.id) == ["Sheet1"]


# ---------------------------------------------------------------------------- errors


def test_error_shapes(api: FakeSheetsAPI, client: gspread.Client) -> None:
    sh = client.create("Errors")
    assert error_of(lambda: client.http_client.fetch_sheet_metadata("missing")) == {
        "code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}
    assert error_of(lambda: sh.values_get("Nope!A1")) == {
        "code": 400, "message": "Unable to parse range: Nope!A1", "status": "INVALID_ARGUMENT"}
    assert error_of(lambda: sh.values_get("Sheet1!A1001"))["message"] == (
        "Range (Sheet1!A1001) exceeds grid limits. Max rows: 1000, max columns: 26")
    assert error_of(lambda: sh.values_update("Sheet1!A1000", params={"valueInputOption": "RAW"},
                                             body={"values": [[1], [2]]}))["code"] == 400
    assert error_of(lambda: sh.values_update("Sheet1!A1", body={"values": [[1]]}))[
        "message"] == "'valueInputOption' is required but not specified"
    api.set_access(sh.id, "read")
    assert sh.values_get("Sheet1!A1")["range"] == "Sheet1!A1"
    assert error_of(lambda: sh.sheet1.update([[1]], "A1")) == {
        "code": 403, "message": "The caller does not have permission",
        "status": "PERMISSION_DENIED"}
    drive = api.session().get("https://www.googleapis.com/drive/v3/files/nope").json()
    assert drive["error"]["code"] == 404 and drive["error"]["errors"][0]["reason"] == "notFound"


def test_discovery_validation_rejects_unknown_fields_and_bad_enums(
    client: gspread.Client,
) -> None:
    sh = client.create("Validate")
    error = error_of(lambda: sh.batch_update({"requests": [
        {"addSheet": {"properties": {"title": "x", "foo": 1}}}]}))
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == ('Invalid JSON payload received. Unknown name "foo" at '
                                "'requests[0].add_sheet.properties': Cannot find field.")
    assert error["details"][0]["fieldViolations"][0]["field"] == (
        "requests[0].add_sheet.properties")
    assert error_of(lambda: sh.batch_update({"requests": [{"foo": {}}]}))["message"] == (
        'Invalid JSON payload received. Unknown name "foo" at \'requests[0]\': '
        "Cannot find field.")
    assert error_of(lambda: sh.values_update(
        "Sheet1!A1", params={"valueInputOption": "BAD"}, body={"values": [[1]]}))["message"] == (
        "Invalid value at 'value_input_option' "
        '(type.googleapis.com/google.apps.sheets.v4.ValueInputOption), "BAD"')
    assert error_of(lambda: sh.values_batch_update({"valueInputOption": "RAW", "data": [
        {"range": "Sheet1!A1", "majorDimension": "DIAGONAL", "values": [[1]]}]}))[
        "message"] == ("Invalid value at 'data[0].major_dimension' "
                       '(type.googleapis.com/google.apps.sheets.v4.Dimension), "DIAGONAL"')
    assert "Cannot bind query parameter" in error_of(
        lambda: sh.values_get("Sheet1!A1", params={"valueRenderOptions": "FORMULA"}))["message"]
    assert error_of(lambda: sh.batch_update({"requests": [{"moveDimension": {
        "source": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 1},
        "destinationIndex": 4}}]}))["message"].endswith("not supported by the sheets-sync fake.")


# ---------------------------------------------------------------------------- faults, quota


def test_fail_next_then_success(api: FakeSheetsAPI, client: gspread.Client) -> None:
    sid = api.create_spreadsheet("Faults")
    sh = client.open_by_key(sid)
    api.faults.fail_next(2, status=429)
    for _ in range(2):
        error = error_of(lambda: sh.values_get("Sheet1!A1"))
        assert (error["code"], error["status"]) == (429, "RESOURCE_EXHAUSTED")
        assert error["message"].startswith("Quota exceeded for quota metric 'Read requests' "
                                           "and limit 'Read requests per minute per user' of "
                                           "service 'sheets.googleapis.com' for consumer "
                                           "'project_number:")
    assert sh.values_get("Sheet1!A1")["range"] == "Sheet1!A1"
    api.faults.fail_next(1, status=503, kinds=["values.batchUpdate"])
    assert sh.values_get("Sheet1!A1")["range"] == "Sheet1!A1"
    assert error_of(lambda: sh.values_batch_update({"valueInputOption": "RAW", "data": []})) == {
        "code": 503, "message": "The service is currently unavailable.", "status": "UNAVAILABLE"}
    assert api.stats[429] == 2 and api.stats[503] == 1


def test_fail_fraction_is_seeded(api: FakeSheetsAPI) -> None:
    session = api.session()
    sid = api.create_spreadsheet("Fraction")

    def statuses() -> list[int]:
        api.faults.fail_fraction(0.5, status=500, seed=3)
        return [session.get(f"{SHEETS}/{sid}/values/A1").status_code for _ in range(40)]

    first = statuses()
    assert first == statuses()
    assert 5 < first.count(500) < 35 and set(first) == {200, 500}
    api.faults.fail_fraction(0)
    assert session.get(f"{SHEETS}/{sid}/values/A1").status_code == 200


def test_dropped_and_lost_connections_and_latency(api: FakeSheetsAPI) -> None:
    session = api.session()
    sid = api.create_spreadsheet("Drops")
    url = f"{SHEETS}/{sid}/values/Sheet1!A1?valueInputOption=RAW"
    api.faults.drop_connections(1)
    with pytest.raises(requests.exceptions.ConnectionError):
        session.put(url, json={"values": [["dropped"]]})
    api.faults.lose_responses(1)
    with pytest.raises(requests.exceptions.ConnectionError):
        session.put(url, json={"values": [["lost"]]})
    assert api.values(sid, "Sheet1") == [["lost"]]
    api.faults.latency(0.2)
    with pytest.raises(requests.exceptions.ReadTimeout):
        session.put(url, json={"values": [["slow"]]}, timeout=0.01)
    assert api.values(sid, "Sheet1") == [["lost"]]
    assert session.put(url, json={"values": [["slow"]]}, timeout=5).status_code == 200
    assert api.dropped_connections == 2


def test_quota_per_minute_with_an_injected_clock() -> None:
    now = [1000.0]
    api = FakeSheetsAPI(quota_per_minute=60, clock=lambda: now[0])
    sid = api.create_spreadsheet("Quota")
    session = api.session()
    read = f"{SHEETS}/{sid}/values:batchGet?ranges=Sheet1"
    write = f"{SHEETS}/{sid}/values:batchUpdate"
    body = {"valueInputOption": "RAW", "data": [{"range": "Sheet1!A1", "values": [[1]]}]}
    for _ in range(60):
        assert session.get(read).status_code == 200
        now[0] += 0.5
    refused = session.get(read)
    assert refused.status_code == 429
    assert "'Read requests per minute per user'" in refused.json()["error"]["message"]
    assert session.post(write, json=body).status_code == 200  # writes are counted apart
    now[0] = 1059.9
    assert session.get(read).status_code == 429  # a sliding 60-second window
    now[0] = 1060.2
    assert session.get(read).status_code == 200  # the oldest read left the window
    assert session.get(read).status_code == 429
    other_user = session.get(read, headers={"Authorization": "Bearer other"})
    assert other_user.status_code == 200
    assert api.stats[429] == 3
    assert api.requests.count("values.batchGet") == 65


def test_request_log(api: FakeSheetsAPI, client: gspread.Client) -> None:
    sid = api.create_spreadsheet("Log")
    sh = client.open_by_key(sid)
    api.reset_log()
    sh.values_batch_get(["Sheet1!A1:B2"], params={"valueRenderOption": "UNFORMATTED_VALUE"})
    sh.values_batch_update({"valueInputOption": "RAW", "data": [
        {"range": "Sheet1!A1", "values": [["x"]]}]})
    log = api.requests
    assert log.kinds() == ["values.batchGet", "values.batchUpdate"]
    assert log.count("values.batchGet") == 1 and log.count("values") == 2
    assert log.count("spreadsheets.get") == 0
    method, path, query, body = log[0]
    assert (method, path) == ("GET", f"/v4/spreadsheets/{sid}/values:batchGet")
    assert query == {"ranges": ["Sheet1!A1:B2"], "valueRenderOption": ["UNFORMATTED_VALUE"]}
    assert body is None and log[1].body["valueInputOption"] == "RAW"
    api.reset_log()
    assert len(api.requests) == 0 and api.stats[200] == 0


def test_concurrent_writers(api: FakeSheetsAPI) -> None:
    sid = api.create_spreadsheet("Threads")

    def writer(n: int) -> None:
        session = api.session()
        for i in range(20):
            session.post(f"{SHEETS}/{sid}/values/Sheet1!A1:append?valueInputOption=RAW",
                         json={"values": [[f"{n}-{i}"]]}).raise_for_status()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = api.values(sid, "Sheet1")
    assert len(rows) == 120 and len({r[0] for r in rows}) == 120


# ---------------------------------------------------------------------------- over HTTP


def test_serve_over_http(api: FakeSheetsAPI) -> None:
    sid = api.create_spreadsheet("Served", {"Calendar": [["ID"], ["P1"]]})
    with api.serve() as served:
        assert served.url.startswith("http://127.0.0.1:")
        client = gspread.Client(auth=None, session=rewriting_session(served.url))
        sh = client.open_by_key(sid)
        assert sh.sheet1.get_all_values() == [["ID"], ["P1"]]
        sh.sheet1.update([["P2"]], "A3")
        created = client.create("New over HTTP")
        assert created.sheet1.title == "Sheet1"
        raw = requests.get(f"{served.url}/v4/spreadsheets/{sid}/values/Calendar!A1:A3",
                           timeout=5)
        assert raw.json()["values"] == [["ID"], ["P1"], ["P2"]]
        missing = requests.get(f"{served.url}/v4/spreadsheets/nope", timeout=5)
        assert missing.status_code == 404 and missing.json()["error"]["status"] == "NOT_FOUND"
        drive = requests.get(f"{served.url}/drive/v3/files/{sid}", timeout=5).json()
        assert drive == {"kind": "drive#file", "id": sid, "name": "Served",
                         "mimeType": "application/vnd.google-apps.spreadsheet"}
        api.faults.drop_connections(1)
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(f"{served.url}/v4/spreadsheets/{sid}", timeout=5)
        assert requests.get(f"{served.url}/v4/spreadsheets/{sid}", timeout=5).ok
    assert api.values(sid, "Calendar") == [["ID"], ["P1"], ["P2"]]


def test_service_account_credentials_through_the_token_endpoint() -> None:
    """gspread's own auth path: a service account signs a JWT and trades it for a token at
    the fake's token endpoint; quota is counted per account."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google.oauth2.service_account import Credentials

    api = FakeSheetsAPI(quota_per_minute=3, clock=lambda: 0.0)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()

    def client_for(account: str) -> gspread.Client:
        info = {"type": "service_account", "client_email": account, "private_key": pem,
                "private_key_id": "k1", "project_id": "acme",
                "token_uri": "https://oauth2.googleapis.com/token"}
        creds = Credentials.from_service_account_info(
            info, scopes=["https://www.googleapis.com/auth/spreadsheets"])
        client = gspread.Client(auth=creds)
        api.mount(client.http_client.session)
        return client

    sid = api.create_spreadsheet("Auth", {"Calendar": [["ID"]]})
    first = client_for("bot@acme.iam.gserviceaccount.com")
    sheet = first.open_by_key(sid).sheet1  # two reads: the spreadsheet, then its sheets
    assert sheet.get_all_values() == [["ID"]]
    assert error_of(sheet.get_all_values)["code"] == 429
    second = client_for("other@acme.iam.gserviceaccount.com")
    assert second.open_by_key(sid).sheet1.get_all_values() == [["ID"]]
    assert api.requests.count("oauth.token") == 2


def test_the_fake_says_which_extra_it_needs_when_the_discovery_document_is_missing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    from sheets_sync.testing import _discovery

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "googleapiclient" else real(name, *a))
    _discovery.discovery_document.cache_clear()
    try:
        with pytest.raises(_discovery.DiscoveryMissing, match=r"sheets-sync\[testing\]"):
            FakeSheetsAPI()
        unchecked = FakeSheetsAPI(validate=False)  # still usable, without request checks
        sheet = unchecked.create_spreadsheet("Plan", sheets={"Calendar": [["ID"], ["P1"]]})
        assert unchecked.values(sheet, "Calendar") == [["ID"], ["P1"]]
    finally:
        _discovery.discovery_document.cache_clear()
