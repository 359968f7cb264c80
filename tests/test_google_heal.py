"""The Google backend heals itself and stays within Google's request limits, on the fake.

Lost and cut answers, grids a person shrank, tab names that differ only in case, garbled
reads, a portfolio that shrinks, request bodies over the size limit, cells over 50,000
characters and NaN.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import requests
from click.testing import CliRunner
from conftest import HEADER, at, row

from sheets_sync.backends.google import GoogleBackend
from sheets_sync.backends.http import RetryPolicy, TokenBucket
from sheets_sync.cells import same_grid
from sheets_sync.cli import main
from sheets_sync.config import from_dict, load
from sheets_sync.errors import ForeignTabError, SourceError
from sheets_sync.portfolio import sync_all
from sheets_sync.run import run_once, sync
from sheets_sync.state import StateStore
from sheets_sync.stores import reset_state
from sheets_sync.testing.fake_sheets import FakeSheetsAPI

NOW = at("2026-03-10 09:30")
SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
TOO_LONG = "Your input contains more than the maximum of 50000 characters in a single cell."


def backend(api: FakeSheetsAPI, sheet: str, store: StateStore, attempts: int = 25,
            cls: type[GoogleBackend] = GoogleBackend) -> GoogleBackend:
    return cls(sheet, session=api.session(), cache=store.cache("cal"),
               policy=RetryPolicy(attempts=attempts, sleep=lambda s: None),
               bucket=TokenBucket(10_000))


def config(**extra: Any) -> Any:
    return from_dict({"calendars": [{"name": "cal", "backend": "memory", "tab": "Calendar",
                                     "client": "Acme", **extra}]}).calendars[0]


def plan(posts: list[list[Any]]) -> tuple[FakeSheetsAPI, str]:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", {"Calendar": [list(HEADER), *posts]},
                                   time_zone="Europe/Istanbul")
    return api, sheet


def unknown_statuses(count: int, length: int = 10, owner: int = 0) -> list[list[Any]]:
    """Posts whose status is unknown: one Status row each (with an owner's name ``owner``
    characters long, which the Status shows whole)."""
    return [row(f"P{i:04d}", status=f"Odd {i:04d} " + "x" * length,
                owner="Owner " + "x" * owner if owner else "Ayşe") for i in range(count)]


def status_rows(api: FakeSheetsAPI, sheet: str) -> int:
    return int(api.sheet_properties(sheet, "Status")["gridProperties"]["rowCount"])


def holds(api: FakeSheetsAPI, sheet: str, tab: str, grid: Any) -> bool:
    """Whether the tab holds the grid (the Status's link column beside it aside)."""
    width = max((len(r) for r in grid), default=0)
    return same_grid([r[:width] for r in api.values(sheet, tab)], grid)


# --------------------------------------------------------------------------------------------
# 1. a lost or cut answer to the first run's spreadsheets:batchUpdate; state reset


def test_a_lost_answer_to_the_first_batch_update_heals_in_the_same_cycle() -> None:
    api, sheet = plan([row("P1"), row("P2", status="Client review")])
    store = StateStore(":memory:")

    class AnswerLost(GoogleBackend):
        def write(self, tabs: Any) -> None:
            # Google applies the batch (tabs, protections, marks) but the answer never
            # arrives; the batch sent again is refused: "A sheet with the id ... exists."
            api.faults.lose_responses(1, kinds=["spreadsheets.batchUpdate"])
            super().write(tabs)

    api.reset_log()
    result = run_once(config(), backend(api, sheet, store, cls=AnswerLost), store, NOW)
    assert api.stats[400] == 1
    kinds = api.requests.kinds()
    # Drive's version before the read and before the write's first change (see
    # test_google_idle.py); none after it: a healed write keeps no read for the next cycle.
    assert kinds[:6] == ["drive.files.get", "spreadsheets.get", "values.batchGet",
                         "drive.files.get", "spreadsheets.batchUpdate",
                         "spreadsheets.batchUpdate"]
    assert kinds[6] == "spreadsheets.get"  # the layout read again, once
    assert kinds.count("spreadsheets.get") == 2
    assert kinds[-1] == "values.batchUpdate"
    assert api.sheet_titles(sheet) == ["Calendar", "Status", "Report", "History"]
    assert len(api.protected_ranges(sheet)) == 3  # the tabs were not set up twice
    assert holds(api, sheet, "Status", result.outputs["Status"])
    # The layout is cached: the next cycle costs one read (the healed write kept no copy of
    # the spreadsheet to stand for it), and the one after it none.
    api.reset_log()
    run_once(config(), backend(api, sheet, store), store, NOW + dt.timedelta(minutes=5))
    assert api.requests.kinds() == ["drive.files.get", "values.batchGet"]
    api.reset_log()
    run_once(config(), backend(api, sheet, store), store, NOW + dt.timedelta(minutes=10))
    assert api.requests.kinds() == ["drive.files.get"]


def test_a_cut_answer_to_the_first_batch_update_is_taken_as_applied() -> None:
    api, sheet = plan([row("P1")])
    store = StateStore(":memory:")
    api.faults.cut_responses(1, kinds=["spreadsheets.batchUpdate"])
    api.reset_log()
    result = run_once(config(), backend(api, sheet, store), store, NOW)
    assert api.requests.kinds() == ["drive.files.get", "spreadsheets.get", "values.batchGet",
                                    "drive.files.get", "spreadsheets.batchUpdate",
                                    "values.batchUpdate", "drive.files.get"]
    assert holds(api, sheet, "Status", result.outputs["Status"])
    assert len(store.runs("cal")) == 1
    api.reset_log()  # the write was taken as the tool's own: nothing to read again
    run_once(config(), backend(api, sheet, store), store, NOW + dt.timedelta(minutes=5))
    assert api.requests.kinds() == ["drive.files.get"]


def test_state_reset_clears_every_cache(tmp_path: Path) -> None:
    api, sheet = plan([row("P1")])
    path = str(tmp_path / "state.db")
    store = StateStore(path)
    run_once(config(), backend(api, sheet, store), store, NOW)
    store.cache("portfolio")["portfolio"] = "digest of the last portfolio"
    store.cache("other")["google:1Other"] = "{}"
    store.close()
    assert "forgot everything" in reset_state(path, "cal")
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT key FROM meta WHERE key LIKE 'cache:%'").fetchall() == []
    store = StateStore(path)
    api.reset_log()
    run_once(config(), backend(api, sheet, store), store, NOW + dt.timedelta(minutes=5))
    # The layout is read afresh, and so is the calendar: the kept copy of the last read
    # went too (Drive is asked only for the version to keep with the new read).
    assert api.requests.kinds()[:3] == ["drive.files.get", "spreadsheets.get",
                                        "values.batchGet"]
    store.close()


# --------------------------------------------------------------------------------------------
# 2. a grid a person shrank


def test_rows_a_person_deleted_are_added_back_in_the_same_batch_update(tmp_path: Path) -> None:
    api, sheet = plan(unknown_statuses(60))
    path = str(tmp_path / "state.db")
    store = StateStore(path)
    first = run_once(config(), backend(api, sheet, store), store, NOW)
    assert len(first.outputs["Status"]) > 150
    status_id = int(api.sheet_properties(sheet, "Status")["sheetId"])
    for cycle in (1, 2):  # the second time after `state reset`
        api.delete_rows(sheet, "Status", 72, status_rows(api, sheet) - 71)
        assert status_rows(api, sheet) == 71 and len(api.values(sheet, "Status")) == 71
        api.reset_log()
        result = run_once(config(), backend(api, sheet, store), store,
                          NOW + dt.timedelta(minutes=5 * cycle))
        # No refusal, and no metadata read but the one a reset costs: the read's answer
        # told the grid's size.
        # Drive's version: the deletion changed it, so the tabs are read (and it is asked
        # again around the write, see test_google_idle.py).
        kinds = api.requests.kinds()
        assert kinds == ["drive.files.get"] + ["spreadsheets.get"] * (cycle - 1) + [
            "values.batchGet", "drive.files.get", "spreadsheets.batchUpdate",
            "values.batchUpdate", "drive.files.get"]
        layout = next(r for r in api.requests if r.kind == "spreadsheets.batchUpdate")
        sizing = [r["updateSheetProperties"] for r in layout.body["requests"]
                  if "updateSheetProperties" in r]
        assert [s["properties"]["sheetId"] for s in sizing] == [status_id]
        assert sizing[0]["properties"]["gridProperties"]["rowCount"] >= len(
            result.outputs["Status"])
        assert api.stats[400] == 0
        assert holds(api, sheet, "Status", result.outputs["Status"])
        store.close()
        reset_state(path, "cal")
        store = StateStore(path)
    store.close()


def test_rows_deleted_between_read_and_write_are_healed_by_one_retry() -> None:
    api, sheet = plan(unknown_statuses(60))
    store = StateStore(":memory:")
    run_once(config(), backend(api, sheet, store), store, NOW)

    class PersonMeanwhile(GoogleBackend):
        def write(self, tabs: Any) -> None:
            api.delete_rows(sheet, "Status", 72, status_rows(api, sheet) - 71)
            super().write(tabs)

    api.set_values(sheet, "Calendar", [["Draft"]], "F2")  # the first Status row goes
    api.reset_log()
    result = run_once(config(), backend(api, sheet, store, cls=PersonMeanwhile), store,
                      NOW + dt.timedelta(minutes=5))
    kinds = api.requests.kinds()
    refused = next(i for i, r in enumerate(api.requests) if r.kind == "values.batchUpdate")
    assert api.stats[400] == 1  # "exceeds grid limits", once
    # The layout and the tabs are read again, the grid sized, the rows written again.
    assert kinds[refused + 1:] == ["spreadsheets.get", "values.batchGet",
                                   "spreadsheets.batchUpdate", "values.batchUpdate"]
    assert kinds.count("spreadsheets.get") == 1
    assert len(result.outputs["Status"]) > 71
    assert holds(api, sheet, "Status", result.outputs["Status"])


# --------------------------------------------------------------------------------------------
# 3. a person's tab named like an owned tab in another case


def test_a_tab_named_like_an_owned_tab_in_another_case_is_refused_up_front() -> None:
    api = FakeSheetsAPI()
    mine = [["My notes"], ["call the client"]]
    sheet = api.create_spreadsheet("Plan", {"Calendar": [list(HEADER), row("P1")],
                                            "status": mine})
    store = StateStore(":memory:")
    for minute in (0, 5):  # the same clear refusal on every cycle
        api.reset_log()
        with pytest.raises(ForeignTabError) as refused:
            run_once(config(), backend(api, sheet, store), store,
                     NOW + dt.timedelta(minutes=minute))
        message = refused.value.message
        assert refused.value.exit_code == 3
        assert "its tab 'status' has the same name as 'Status' to Google" in message
        assert "`status_tab = \"Status (sheets-sync)\"`" in message
        assert "nothing was written" in message
        assert not any(k.endswith("batchUpdate") for k in api.requests.kinds())
    assert api.values(sheet, "status") == mine
    assert api.sheet_titles(sheet) == ["Calendar", "status"]
    # Google's duplicate-title check ignores case; so does the fake's.
    refused_add = backend(api, sheet, store).http.session.post(
        f"{SHEETS}/{sheet}:batchUpdate",
        json={"requests": [{"addSheet": {"properties": {"title": "STATUS"}}}]})
    assert refused_add.status_code == 400
    assert refused_add.json()["error"]["message"] == (
        'Invalid requests[0].addSheet: A sheet with the name "STATUS" already exists. '
        "Please enter another name.")
    # Named apart, the tool's tab is created beside the person's.
    run_once(config(status_tab="Status (sheets-sync)"), backend(api, sheet, store), store,
             NOW + dt.timedelta(minutes=10))
    assert api.values(sheet, "status") == mine
    assert api.values(sheet, "Status (sheets-sync)")[0][:2] == ["Severity", "What"]


# --------------------------------------------------------------------------------------------
# 4. a garbled 200 on the read


CONFIG = """
state_path = "state.db"
[[calendars]]
name = "acme"
backend = "google"
spreadsheet = "{sheet}"
tab = "Calendar"
client = "Acme"
"""


@pytest.fixture
def fresh_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate limiters of this test only (a served fake is one account for every test)."""
    from sheets_sync.backends import http

    monkeypatch.setattr(http, "_BUCKETS", {})


@pytest.mark.usefixtures("fresh_buckets")
def test_a_garbled_read_is_a_source_failure_recorded_and_retried(tmp_path: Path) -> None:
    api, sheet = plan([row("P1"), row("P2", status="Client review")])
    path = tmp_path / "agency.toml"
    path.write_text(CONFIG.format(sheet=sheet), encoding="utf-8")
    runner = CliRunner()
    command = ["sync", "--config", str(path), "--today", "2026-03-10"]
    with api.serve() as served:
        env = {"SHEETS_SYNC_GOOGLE_ENDPOINT": served.url, "GOOGLE_APPLICATION_CREDENTIALS": ""}
        api.faults.cut_responses(1, kinds=["values.batchGet"])
        failed = runner.invoke(main, command, env=env)
        assert failed.exit_code == 3, failed.output
        assert "Google Sheets sent an answer that is not valid JSON" in failed.stderr
        assert "unexpected error" not in failed.output
        store = StateStore(str(tmp_path / "state.db"))
        (run,) = store.runs("acme")
        assert run.error.startswith("Google Sheets sent an answer that is not valid JSON")
        assert store.posts("acme").empty
        store.close()
        again = runner.invoke(main, command, env=env)
        assert again.exit_code == 0, again.output
        assert "wrote Status, Report, History" in again.stdout
    store = StateStore(str(tmp_path / "state.db"))
    assert [r.error == "" for r in store.runs("acme")] == [False, True]
    assert len(store.posts("acme")) == 2
    store.close()


# --------------------------------------------------------------------------------------------
# 5. the portfolio summary holds exactly the current calendars


def workbook(path: Path, client: str, posts: int) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Calendar"
    sheet.append(HEADER)
    for i in range(posts):
        sheet.append(row(f"{client[0]}{i}", client=client, date=f"2026-03-{12 + i} 10:00"))
    book.save(path)


@pytest.mark.usefixtures("fresh_buckets")
def test_the_portfolio_holds_exactly_the_configured_calendars(tmp_path: Path) -> None:
    api = FakeSheetsAPI()
    portfolio = api.create_spreadsheet("Agency")  # its tab is created by the first round
    names = ["acme", "birch", "cedar"]
    for name in names:
        workbook(tmp_path / f"{name}.xlsx", name.title(), 2)
    with api.serve() as served:
        def round_of(calendars: list[str]) -> list[list[Any]]:
            text = (f'state_path = "state.db"\n[portfolio]\nbackend = "google"\n'
                    f'spreadsheet = "{portfolio}"\napi_endpoint = "{served.url}"\n'
                    "quota_per_minute = 6000\n")
            text += "".join(f'[[calendars]]\nname = "{n}"\npath = "{n}.xlsx"\n'
                            for n in calendars)
            (tmp_path / "agency.toml").write_text(text, encoding="utf-8")
            results, failures = sync_all(load(tmp_path / "agency.toml"), NOW)
            assert failures == [] and len(results) == len(calendars)
            return api.values(portfolio, "Portfolio")

        assert [r[0] for r in round_of(names)[1:]] == ["acme", "birch", "cedar"]
        shown = round_of(["acme", "cedar"])  # birch left the agency
        assert shown[0][0] == "Calendar"
        assert [(r[0], r[1]) for r in shown[1:]] == [("acme", "Acme"), ("cedar", "Cedar")]
        assert [r[0] for r in round_of(["cedar"])[1:]] == ["cedar"]


# --------------------------------------------------------------------------------------------
# 6. request size


def test_the_fake_refuses_a_body_over_google_s_limit() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Big", {"Sheet1": []})
    body = {"valueInputOption": "RAW",
            "data": [{"range": "Sheet1!A1", "values": [["x" * 40_000] for _ in range(263)]}]}
    data = json.dumps(body).encode()
    assert len(data) > 10_485_760
    answer = api.session().post(f"{SHEETS}/{sheet}/values:batchUpdate", data=data)
    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "code": 400, "message": "Request payload size exceeds the limit: 10485760 bytes.",
        "status": "INVALID_ARGUMENT"}
    assert api.values(sheet, "Sheet1") == []


def test_a_large_write_is_split_into_requests_under_two_megabytes() -> None:
    api, sheet = plan(unknown_statuses(1500, owner=2800))  # about 4 MB of Status
    store = StateStore(":memory:")
    api.reset_log()
    result = run_once(config(), backend(api, sheet, store), store, NOW)
    parts = [r for r in api.requests if r.kind == "values.batchUpdate"]
    assert len(parts) >= 3
    assert max(r.size for r in api.requests) <= 2_000_000
    assert sum(r.size for r in parts) > 4_000_000
    assert api.stats[400] == 0
    assert holds(api, sheet, "Status", result.outputs["Status"])
    assert holds(api, sheet, "Report", result.outputs["Report"])


def test_a_cycle_stopped_between_parts_saves_nothing_and_is_redone(tmp_path: Path) -> None:
    api, sheet = plan(unknown_statuses(1500, owner=2800))
    path = str(tmp_path / "state.db")
    cfg = config()
    api.faults.fail_next(1, status=503, kinds=["values.batchUpdate"], after=1)
    store = StateStore(path)
    with pytest.raises(SourceError, match="HTTP 503"):
        sync(cfg, path, NOW, backend=backend(api, sheet, store, attempts=1))
    store.close()
    written = len(api.values(sheet, "Status"))
    store = StateStore(path)
    assert store.posts("cal").empty and [r.error != "" for r in store.runs("cal")] == [True]
    api.reset_log()
    result = sync(cfg, path, NOW + dt.timedelta(minutes=5), backend=backend(api, sheet, store))
    assert 1 < written < len(result.outputs["Status"])  # one part was applied, not the rest
    # The stopped write changed the spreadsheet: Drive's version tells, and it is read.
    assert api.requests.kinds()[:2] == ["drive.files.get", "values.batchGet"]
    assert holds(api, sheet, "Status", result.outputs["Status"])
    assert len(store.posts("cal")) == 1500 and store.runs("cal")[-1].error == ""
    # Redone whole: the findings' first-seen times were not saved, so every row is new.
    last = [r for r in api.requests if r.kind == "values.batchUpdate"][-1]
    assert [d["range"] for d in last.body["data"]][-1] == "'History'!A1"
    assert max(r.size for r in api.requests) <= 2_000_000
    store.close()


# --------------------------------------------------------------------------------------------
# 7. cells over 50,000 characters, NaN and Infinity


def test_the_fake_refuses_long_cells_and_nan_as_google_does() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Limits", {"Sheet1": []})
    session = api.session()
    url = f"{SHEETS}/{sheet}/values/Sheet1!A1?valueInputOption=RAW"
    refused = session.put(url, json={"values": [["x" * 50_001]]})
    assert refused.status_code == 400 and refused.json()["error"]["message"] == TOO_LONG
    update_cells = session.post(f"{SHEETS}/{sheet}:batchUpdate", json={"requests": [
        {"updateCells": {"start": {"sheetId": 0}, "fields": "userEnteredValue", "rows": [
            {"values": [{"userEnteredValue": {"stringValue": "y" * 50_001}}]}]}}]})
    assert update_cells.status_code == 400
    assert update_cells.json()["error"]["message"] == TOO_LONG
    assert session.put(url, json={"values": [["x" * 50_000]]}).status_code == 200
    for constant in ("NaN", "Infinity", "-Infinity"):
        body = '{"values": [[1, ' + constant + "]]}"
        answer = session.put(url, data=body, headers={"Content-Type": "application/json"})
        assert answer.status_code == 400
        message = answer.json()["error"]["message"]
        assert message.startswith("Invalid JSON payload received. Unexpected token.\n")
        assert message.endswith(f"[[1, {constant}]]}}\n" + " " * message.split("\n")[1].index(
            constant) + "^")
    assert api.values(sheet, "Sheet1") == [["x" * 50_000]]
    formatted = session.get(f"{SHEETS}/{sheet}/values/Sheet1!A1:B1",
                            params={"valueRenderOption": "FORMATTED_VALUE"})
    assert formatted.status_code == 200
    with pytest.raises(ValueError, match="cannot be stored in a Google Sheets cell"):
        api.set_values(sheet, "Sheet1", [[float("nan")]])


def test_the_backend_truncates_long_cells_visibly_and_never_sends_nan() -> None:
    api, sheet = plan([row("P1")])
    store = StateStore(":memory:")
    google = backend(api, sheet, store)
    google.read("Calendar", ("Status",))
    message = "Caption: " + "é" * 61_225
    assert len(message) == 61_234
    grid: list[list[Any]] = [["Severity", "Code", "Message", "Score"],
                             ["error", "long", message, float("nan")],
                             ["info", "inf", "fine", float("inf")]]
    api.reset_log()
    google.write({"Status": grid})
    assert api.stats[400] == 0
    stored = api.values(sheet, "Status")
    cut = stored[1][2]
    assert len(cut) == 50_000
    assert cut.endswith("… [truncated: 61,234 characters]")
    assert cut.startswith("Caption: éé")
    assert stored[1][3:] == [] and stored[2][3] == "Infinity"
    assert all("NaN" not in json.dumps(r.body) for r in api.requests)
    # Read back, the fitted cells match what would be sent: nothing is sent again.
    google = backend(api, sheet, store)
    google.read("Calendar", ("Status",))
    api.reset_log()
    google.write({"Status": grid})
    assert api.requests.kinds() == []



def test_faults_hit_the_kind_and_the_part_they_are_set_for() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Faults", {"Sheet1": [["a"]]})
    session = api.session()
    read = f"{SHEETS}/{sheet}/values:batchGet?ranges=Sheet1"
    write = f"{SHEETS}/{sheet}/values:batchUpdate"
    body = {"valueInputOption": "RAW", "data": [{"range": "Sheet1!B1", "values": [["b"]]}]}
    api.faults.cut_responses(1, kinds=["values.batchGet"])
    api.faults.fail_next(1, status=503, kinds=["values.batchUpdate"], after=1)
    assert session.post(write, json=body).status_code == 200  # the first write passes
    cut = session.get(read)
    assert cut.status_code == 200
    with pytest.raises(ValueError):
        cut.json()
    assert session.post(write, json=body).status_code == 503  # the second write fails
    assert session.get(read).json()["valueRanges"][0]["values"] == [["a", "b"]]
    api.faults.lose_responses(1, kinds=["values.batchUpdate"])
    assert session.get(read).status_code == 200  # a read is not lost
    with pytest.raises(requests.exceptions.ConnectionError):
        session.post(write, json=body)


def test_rows_and_requests_are_split_to_fit_whatever_the_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With a 3,000-byte limit: the layout in several batchUpdates, rows in several ranges,
    a row larger than the limit by columns; the tab ends up holding exactly the grid."""
    from sheets_sync.backends import google as google_module

    monkeypatch.setattr(google_module, "MAX_BODY_BYTES", 3000)
    api, sheet = plan([row("P1")])
    store = StateStore(":memory:")
    google = backend(api, sheet, store)
    google.read("Calendar", ("Status",))
    wide = [f"{c:02d}" + "ü" * 300 for c in range(20)]  # about 12 KB as JSON
    day = dt.date(2026, 3, 1)
    # Dates on every other row: one number format request per date, about 40 of them.
    grid: list[list[Any]] = [["Severity", "Code", "Message", "When"],
                             *([f"s{i}", "code", "m" * 200, day if i % 2 else "-"]
                               for i in range(80)), wide, ["last", "row"]]
    api.reset_log()
    google.write({"Status": grid})
    assert api.stats[400] == 0
    assert api.requests.count("spreadsheets.batchUpdate") >= 2
    assert api.requests.count("values.batchUpdate") >= 5
    assert max(r.size for r in api.requests) <= 3000
    serial = float((day - dt.date(1899, 12, 30)).days)
    expected = [[serial if isinstance(c, dt.date) else c for c in line] for line in grid]
    assert api.values(sheet, "Status") == expected
    assert api.number_format(sheet, "Status", "D3") == {"type": "DATE",
                                                        "pattern": "yyyy-mm-dd"}
