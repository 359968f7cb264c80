"""The Sheets fake answers like Google where it used to answer otherwise.

Each expectation is what Google answered in a recorded exchange (gspread's recorded tests,
error reports quoting Google's answer) or what Google's reference documentation states.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from test_conformance import replay_cassette

from sheets_sync.testing import FakeSheetsAPI

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE = "https://www.googleapis.com/drive/v3/files"


@pytest.fixture
def api() -> FakeSheetsAPI:
    return FakeSheetsAPI(seed=3)


@pytest.fixture
def http(api: FakeSheetsAPI) -> requests.Session:
    return api.session()


def batch(http: requests.Session, sid: str, *reqs: dict[str, Any]) -> requests.Response:
    return http.post(f"{SHEETS}/{sid}:batchUpdate", json={"requests": list(reqs)})


def sheets_of(http: requests.Session, sid: str) -> list[dict[str, Any]]:
    answer = http.get(f"{SHEETS}/{sid}")
    assert answer.status_code == 200, answer.text
    sheets: list[dict[str, Any]] = answer.json()["sheets"]
    return sheets


def error(answer: requests.Response) -> dict[str, Any]:
    assert answer.status_code == 400, answer.text
    body: dict[str, Any] = answer.json()["error"]
    return body


def update_props(props: dict[str, Any], fields: str) -> dict[str, Any]:
    return {"updateSheetProperties": {"properties": props, "fields": fields}}


# ---------------------------------------------------------------------------- sheet properties


def test_hiding_the_only_visible_sheet_is_refused(api: FakeSheetsAPI,
                                                  http: requests.Session) -> None:
    sid = api.create_spreadsheet("Hide")
    hide_first = update_props({"sheetId": 0, "hidden": True}, "hidden")
    assert error(batch(http, sid, hide_first)) == {
        "code": 400, "status": "INVALID_ARGUMENT",
        "message": "Invalid requests[0].updateSheetProperties: You can't hide all the sheets "
                   "in a document."}
    added = batch(http, sid, {"addSheet": {"properties": {"title": "Two"}}}).json()
    second = added["replies"][0]["addSheet"]["properties"]["sheetId"]
    assert batch(http, sid, hide_first).status_code == 200  # another sheet is still visible
    assert [s["properties"].get("hidden", False) for s in sheets_of(http, sid)] == [True, False]
    hide_second = update_props({"sheetId": second, "hidden": True}, "hidden")
    assert "You can't hide all the sheets" in error(batch(http, sid, hide_second))["message"]


def test_a_star_mask_resets_every_property_the_request_leaves_out(
        api: FakeSheetsAPI, http: requests.Session) -> None:
    sid = api.create_spreadsheet("Star", {"Sheet1": [["a"]], "Other": [["b"]]})
    assert batch(http, sid, update_props(
        {"sheetId": 0, "hidden": True,
         "gridProperties": {"frozenRowCount": 2, "hideGridlines": True}},
        "hidden,gridProperties.frozenRowCount,gridProperties.hideGridlines")).status_code == 200
    assert batch(http, sid, update_props(
        {"sheetId": 0, "title": "Renamed", "gridProperties": {"rowCount": 10, "columnCount": 5}},
        "*")).status_code == 200
    first, other = sorted(sheets_of(http, sid), key=lambda s: s["properties"]["sheetId"])
    # Left out: hidden and the frozen rows go back to their defaults, the index (the
    # reference: "if this field is excluded then the sheet is ... moved to the end").
    assert first["properties"] == {"sheetId": 0, "title": "Renamed", "index": 1,
                                   "sheetType": "GRID",
                                   "gridProperties": {"rowCount": 10, "columnCount": 5}}
    assert other["properties"]["index"] == 0
    no_title = update_props({"sheetId": 0, "gridProperties": {"rowCount": 10,
                                                              "columnCount": 5}}, "*")
    assert error(batch(http, sid, no_title))["message"] == (
        "Invalid requests[0].updateSheetProperties: The sheet name cannot be empty.")
    # A masked message left out of the request is reset as a whole: no rows at all.
    freeze_only = update_props({"sheetId": 0, "gridProperties": {"frozenRowCount": 1}},
                               "gridProperties")
    assert error(batch(http, sid, freeze_only))["message"] == (
        "Invalid requests[0].updateSheetProperties: You can't delete all the rows on the "
        "sheet.")


def test_hide_gridlines_false_is_left_out_of_answers(api: FakeSheetsAPI,
                                                     http: requests.Session) -> None:
    sid = api.create_spreadsheet("Grid")
    for hide in (True, False):
        assert batch(http, sid, update_props(
            {"sheetId": 0, "gridProperties": {"hideGridlines": hide}},
            "gridProperties.hideGridlines")).status_code == 200
        grid = sheets_of(http, sid)[0]["properties"]["gridProperties"]
        assert grid == ({"rowCount": 1000, "columnCount": 26, "hideGridlines": True} if hide
                        else {"rowCount": 1000, "columnCount": 26})


# ---------------------------------------------------------------------------- merges, filters, sort


def grid_range(r0: int, r1: int, c0: int, c1: int, sheet_id: int = 0) -> dict[str, int]:
    return {"sheetId": sheet_id, "startRowIndex": r0, "endRowIndex": r1,
            "startColumnIndex": c0, "endColumnIndex": c1}


def merged(r0: int, r1: int, c0: int, c1: int) -> dict[str, int]:
    return {"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}


def test_merge_cells_merges_per_row_or_per_column(api: FakeSheetsAPI,
                                                  http: requests.Session) -> None:
    sid = api.create_spreadsheet("Merge", {"Sheet1": [[42, 43], [43, 44]]})
    merge = {"mergeCells": {"mergeType": "MERGE_ROWS", "range": grid_range(0, 2, 0, 2)}}
    assert batch(http, sid, merge).status_code == 200
    assert sheets_of(http, sid)[0]["merges"] == [merged(0, 1, 0, 2), merged(1, 2, 0, 2)]
    merge["mergeCells"]["mergeType"] = "MERGE_ALL"  # replaces the two row merges
    assert batch(http, sid, merge).status_code == 200
    assert sheets_of(http, sid)[0]["merges"] == [merged(0, 2, 0, 2)]
    columns = {"mergeCells": {"mergeType": "MERGE_COLUMNS", "range": grid_range(0, 3, 2, 4)}}
    assert batch(http, sid, columns).status_code == 200
    assert sheets_of(http, sid)[0]["merges"] == [merged(0, 2, 0, 2), merged(0, 3, 2, 3),
                                                 merged(0, 3, 3, 4)]


def test_a_whole_sheet_basic_filter_is_answered_with_the_grid_bounds(
        api: FakeSheetsAPI, http: requests.Session) -> None:
    sid = api.create_spreadsheet("Filter")
    assert batch(http, sid, update_props(
        {"sheetId": 0, "gridProperties": {"rowCount": 20, "columnCount": 20}},
        "gridProperties/rowCount,gridProperties/columnCount")).status_code == 200
    assert batch(http, sid, {"setBasicFilter": {"filter": {"range": {"sheetId": 0}}}}
                 ).status_code == 200
    assert sheets_of(http, sid)[0]["basicFilter"] == {"range": merged(0, 20, 0, 20)}
    assert batch(http, sid, {"setBasicFilter": {"filter": {"range": grid_range(0, 2, 1, 3)}}}
                 ).status_code == 200
    assert sheets_of(http, sid)[0]["basicFilter"] == {"range": merged(0, 2, 1, 3)}
    added = batch(http, sid, {"addSheet": {"properties": {
        "sheetId": 77, "title": "Two", "gridProperties": {"rowCount": 5, "columnCount": 3}}}})
    assert added.status_code == 200
    assert batch(http, sid, {"setBasicFilter": {"filter": {"range": {
        "sheetId": 77, "startRowIndex": 1}}}}).status_code == 200
    assert sheets_of(http, sid)[1]["basicFilter"] == {
        "range": {"sheetId": 77, **merged(1, 5, 0, 3)}}


def test_sort_range_past_the_grid_is_cut_to_it_while_cell_writes_are_refused(
        api: FakeSheetsAPI, http: requests.Session) -> None:
    sid = api.create_spreadsheet("Sort")
    assert batch(http, sid, update_props(
        {"sheetId": 0, "gridProperties": {"rowCount": 3, "columnCount": 2}},
        "gridProperties.rowCount,gridProperties.columnCount")).status_code == 200
    api.set_values(sid, "Sheet1", [["b", 2], ["c", 3], ["a", 1]])
    past = grid_range(0, 1000, 0, 26)
    sort = {"sortRange": {"range": past, "sortSpecs": [{"dimensionIndex": 0,
                                                        "sortOrder": "ASCENDING"}]}}
    assert batch(http, sid, sort).status_code == 200
    assert api.values(sid, "Sheet1") == [["a", 1], ["b", 2], ["c", 3]]
    write = {"updateCells": {"range": past, "rows": [{"values": [
        {"userEnteredValue": {"stringValue": "x"}}]}], "fields": "userEnteredValue"}}
    assert error(batch(http, sid, write))["message"] == (
        "Invalid requests[0].updateCells: Range (Sheet1!A1:Z1000) exceeds grid limits. "
        "Max rows: 3, max columns: 2")


# ---------------------------------------------------------------------------- values:append


def append(http: requests.Session, sid: str, where: str, values: list[Any]) -> dict[str, Any]:
    answer = http.post(f"{SHEETS}/{sid}/values/{where}:append",
                       params={"valueInputOption": "RAW"}, json={"values": [values]})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_append_reports_the_table_it_appended_after(api: FakeSheetsAPI,
                                                    http: requests.Session) -> None:
    row = ["v1", "", "v3"]
    sid = api.create_spreadsheet("Append")
    first = append(http, sid, "Sheet1", row)
    assert "tableRange" not in first and first["updates"]["updatedRange"] == "Sheet1!A1:C1"
    # A1 and C1 hold data, B1 is empty: two tables; the sheet-wide range finds the last one.
    second = append(http, sid, "Sheet1", row)
    assert second["tableRange"] == "Sheet1!C1"
    assert second["updates"]["updatedRange"] == "Sheet1!C2:E2"
    assert api.values(sid, "Sheet1") == [row, ["", "", "v1", "", "v3"]]

    sid = api.create_spreadsheet("Append at A1")
    append(http, sid, "Sheet1", row)
    at_a1 = append(http, sid, "Sheet1!A1", row)  # the table holding A1 is A1 alone
    assert at_a1["tableRange"] == "Sheet1!A1"
    assert at_a1["updates"]["updatedRange"] == "Sheet1!A2:C2"
    assert api.values(sid, "Sheet1") == [row, row]


# ---------------------------------------------------------------------------- request checks


def test_validation_errors_name_the_fields_as_google_does(api: FakeSheetsAPI,
                                                          http: requests.Session) -> None:
    sid = api.create_spreadsheet("Checks")

    def put(body: dict[str, Any]) -> dict[str, Any]:
        return error(http.put(f"{SHEETS}/{sid}/values/Sheet1!A1",
                              params={"valueInputOption": "RAW"}, json=body))

    # values.update carries its ValueRange in the request's "data" field.
    one_row = put({"values": ["A"]})
    assert one_row["message"] == (
        "Invalid value at 'data.values[0]' (type.googleapis.com/google.protobuf.ListValue), "
        '"A"')
    assert one_row["details"][0]["fieldViolations"] == [
        {"field": "data.values[0]", "description": one_row["message"]}]
    assert put({"values": ["TEST", "TEST"]})["message"] == "\n".join(
        f"Invalid value at 'data.values[{i}]' (type.googleapis.com/google.protobuf.ListValue), "
        '"TEST"' for i in range(2))
    assert put({"values": "A1"})["message"] == (
        "Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue), \"A1\"")
    assert put({"valueInputOption": "USER_ENTERED", "data": []})["message"] == (
        'Invalid JSON payload received. Unknown name "valueInputOption" at \'data\': Cannot '
        'find field.\nInvalid JSON payload received. Unknown name "data" at \'data\': Cannot '
        "find field.")
    # A list inside a cell is named inside its ValueRange and shown as protobuf text.
    nested = error(http.post(f"{SHEETS}/{sid}/values:batchUpdate", json={
        "valueInputOption": "RAW",
        "data": [{"range": "Sheet1!A1", "values": [["a", ["Washington Post analysis"]]]}]}))
    assert nested == {"code": 400, "status": "INVALID_ARGUMENT", "message": (
        "Invalid values[0][1]: list_value {\n  values {\n    string_value: "
        '"Washington Post analysis"\n  }\n}')}


# ---------------------------------------------------------------------------- the replay harness


def record(api: FakeSheetsAPI, steps: list[tuple[str, str, Any]]) -> dict[str, Any]:
    """Send requests to a fake and keep them, with its answers, as a vcrpy cassette.

    ``{original}`` and ``{copy}`` in a URI stand for the IDs of the files Drive created and
    copied in earlier steps."""
    http = api.session()
    ids: dict[str, str] = {}
    interactions = []
    for method, template, body in steps:
        uri = template.format(**ids) if ids else template
        data = json.dumps(body) if body is not None else None
        answer = http.request(method, uri, data=data,
                              headers={"Content-Type": "application/json"} if data else {})
        interactions.append({
            "request": {"method": method, "uri": uri, "body": data,
                        "headers": {"Content-Type": ["application/json"]} if data else {}},
            "response": {"status": {"code": answer.status_code, "message": ""},
                         "headers": {"Content-Type": [answer.headers.get("Content-Type", "")]},
                         "body": {"string": answer.text}}})
        if method == "POST" and uri.startswith(DRIVE) and answer.status_code == 200:
            ids["copy" if "/copy" in uri else "original"] = answer.json()["id"]
    return {"version": 1, "interactions": interactions}


def test_the_replay_learns_spreadsheet_ids_from_drive_copies() -> None:
    mime = "application/vnd.google-apps.spreadsheet"
    cassette = record(FakeSheetsAPI(seed=11), [
        ("POST", f"{DRIVE}?supportsAllDrives=True", {"name": "Original", "mimeType": mime}),
        ("PUT", SHEETS + "/{original}/values/Sheet1!A1?valueInputOption=RAW",
         {"values": [["kept in the copy"]]}),
        ("POST", DRIVE + "/{original}/copy?supportsAllDrives=True",
         {"name": "Copy", "mimeType": mime}),
        ("GET", SHEETS + "/{copy}/values/Sheet1!A1", None),
        ("GET", SHEETS + "/{copy}?includeGridData=false", None),
    ])
    recorded = [i["response"]["status"]["code"] for i in cassette["interactions"]]
    assert recorded == [200, 200, 200, 200, 200]
    # The replaying fake hands out other IDs than the recording one: the copy's GETs only
    # reach it when its ID was learned from the copy answer.
    replay_cassette(cassette, "drive copy")
