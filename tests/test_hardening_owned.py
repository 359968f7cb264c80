"""Never overwrite a tab or a file the tool did not create.

- A person's own tab named like an owned tab (Status, Report, History) is refused with exit 3
  and left unchanged, on every write path: first run, the Google layout cache, a tab a person
  deleted and created again, a mark found on the calendar tab itself. Tabs written by earlier
  versions (unmarked) are adopted only when they start with the tool's own header.
- The configuration rejects two calendars (or a calendar and the portfolio) writing the same
  tab of one file or spreadsheet.
- ``state reset`` moves aside only a state database, and the configuration rejects a
  ``state_path`` that is a calendar file or another program's file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result
from conftest import HEADER, at, calendar_config, row
from test_backend_contract import BACKENDS, CALENDAR, OWNED

from sheets_sync.backends.base import Backend
from sheets_sync.backends.google import GoogleBackend
from sheets_sync.backends.google_look import LOOK_KEY
from sheets_sync.backends.http import RetryPolicy, TokenBucket
from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.backends.owned import MARK_NAME, METADATA_KEY
from sheets_sync.backends.xlsx_write import set_cells
from sheets_sync.cells import normalize_grid
from sheets_sync.cli import main
from sheets_sync.config import from_dict, load
from sheets_sync.errors import ConfigError, ForeignTabError, SourceError
from sheets_sync.run import run_once
from sheets_sync.state import StateError, StateStore
from sheets_sync.stores import reset_state
from sheets_sync.testing.fake_sheets import FakeSheetsAPI

TODAY = "2026-03-10"
NOW = at("2026-03-10 09:30")
USER_ROWS: list[list[Any]] = [["Budget line", "Amount", "Note"], ["Ads", 1200, "March"],
                              ["Shoot", 800, "=SUM(B2:B3)"]]
KEYS = {"Status": "status_tab", "Report": "report_tab", "History": "history_tab"}


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


# --- xlsx --------------------------------------------------------------------------------------


def workbook(path: Path, *rows: list[Any], tabs: dict[str, list[list[Any]]] | None = None
             ) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Calendar"
    for values in ([*HEADER], *rows):
        sheet.append(values)
    for title, lines in (tabs or {}).items():
        other = book.create_sheet(title)
        for line in lines:
            other.append(line)
    book.save(path)
    return path


def config_file(directory: Path, calendar: Path, **keys: str) -> Path:
    path = directory / "sheets-sync.toml"
    extra = "".join(f'{key} = "{value}"\n' for key, value in keys.items())
    path.write_text(f'[[calendars]]\nname = "cal"\npath = "{calendar.name}"\ntab = "Calendar"\n'
                    f'client = "Acme"\n{extra}', encoding="utf-8")
    return path


def sheet_part(path: Path, tab: str) -> bytes:
    """The bytes of a tab's worksheet part."""
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    from xml.etree import ElementTree

    with zipfile.ZipFile(path) as zf:
        root = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        rid = next(s.get(rel) for s in root.iter() if s.tag.endswith("}sheet")
                   and s.get("name") == tab)
        target = str(next(r.get("Target") for r in rels if r.get("Id") == rid))
        return zf.read(target[1:] if target.startswith("/") else "xl/" + target)


def marked(path: Path) -> list[str]:
    """The tabs carrying the tool's mark, as another program (openpyxl) reads the workbook."""
    book = openpyxl.load_workbook(path)
    return [ws.title for ws in book.worksheets if MARK_NAME in ws.defined_names]


def rewrite_workbook_part(path: Path, edit: Any) -> None:
    """Rewrite xl/workbook.xml through ``edit(text) -> text``, as a hand edit would."""
    with zipfile.ZipFile(path) as zf:
        parts = {info.filename: zf.read(info.filename) for info in zf.infolist()}
    parts["xl/workbook.xml"] = edit(parts["xl/workbook.xml"].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def strip_marks(path: Path) -> None:
    """Make the workbook look synced by a version before tabs were marked."""
    rewrite_workbook_part(path, lambda text: re.sub(
        rf'<definedName name="{MARK_NAME}"[^>]*>[^<]*</definedName>', "", text))


def edit_calendar(path: Path, value: str) -> None:
    set_cells(path, "Calendar", {(2, HEADER.index("Status") + 1): value})


@pytest.mark.parametrize("tab", ["Report", "History"])
def test_xlsx_a_persons_own_tab_named_like_an_owned_tab_is_refused(tmp_path: Path,
                                                                   tab: str) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1"), tabs={tab: USER_ROWS})
    config = config_file(tmp_path, calendar)
    before, part = calendar.read_bytes(), sheet_part(calendar, tab)

    result = invoke("sync", "--config", str(config), "--today", TODAY)
    assert result.exit_code == 3, result.output
    assert f"tab {tab!r} that sheets-sync did not create" in result.stderr
    assert f"`{KEYS[tab]} = " in result.stderr and "calendar 'cal'" in result.stderr
    assert calendar.read_bytes() == before  # nothing at all was written, no Status either
    assert sheet_part(calendar, tab) == part

    # The fix the message gives: another name for the tool's tab.
    config = config_file(tmp_path, calendar, **{KEYS[tab]: f"{tab} (sheets-sync)"})
    result = invoke("sync", "--config", str(config), "--today", TODAY)
    assert result.exit_code == 0, result.output
    assert sheet_part(calendar, tab) == part  # the person's tab, byte-identical
    assert tab not in marked(calendar) and f"{tab} (sheets-sync)" in marked(calendar)


def test_xlsx_tabs_the_tool_created_are_marked_and_the_mark_survives_another_program(
        tmp_path: Path) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1"), tabs={"Notes": [["keep"]]})
    config = config_file(tmp_path, calendar)
    assert invoke("sync", "--config", str(config), "--today", TODAY).exit_code == 0
    assert marked(calendar) == ["Status", "Report", "History"]
    # Another program saves the workbook and a person moves the Report to the front.
    book = openpyxl.load_workbook(calendar)
    book.move_sheet("Report", offset=-3)
    book.save(calendar)
    assert openpyxl.load_workbook(calendar).sheetnames[0] == "Report"
    edit_calendar(calendar, "Client review")
    result = invoke("sync", "--config", str(config), "--today", "2026-03-11")
    assert result.exit_code == 0, result.output
    assert "History" in result.stdout and "Notes" not in result.stdout
    assert sorted(marked(calendar)) == ["History", "Report", "Status"]
    assert openpyxl.load_workbook(calendar)["Notes"]["A1"].value == "keep"


def test_xlsx_a_tab_deleted_and_created_again_by_a_person_is_refused(tmp_path: Path) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1"))
    config = config_file(tmp_path, calendar)
    assert invoke("sync", "--config", str(config), "--today", TODAY).exit_code == 0
    book = openpyxl.load_workbook(calendar)
    position = book.sheetnames.index("Report")
    del book["Report"]
    mine = book.create_sheet("Report", position)  # the same name, in the same place
    for line in USER_ROWS:
        mine.append(line)
    book.save(calendar)
    edit_calendar(calendar, "Client review")
    before, part = calendar.read_bytes(), sheet_part(calendar, "Report")
    result = invoke("sync", "--config", str(config), "--today", "2026-03-11")
    assert result.exit_code == 3, result.output
    assert "'Report' that sheets-sync did not create" in result.stderr
    assert "`report_tab = " in result.stderr
    assert calendar.read_bytes() == before and sheet_part(calendar, "Report") == part


def test_xlsx_tabs_of_an_earlier_version_are_adopted_only_in_the_calendars_language(
        tmp_path: Path) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1"))
    config = config_file(tmp_path, calendar)
    assert invoke("sync", "--config", str(config), "--today", TODAY).exit_code == 0
    strip_marks(calendar)
    assert marked(calendar) == []
    # The calendar now says Turkish: the English headers are not the tool's for this calendar.
    edit_calendar(calendar, "Client review")
    turkish = config_file(tmp_path, calendar, language="tr")
    before = calendar.read_bytes()
    result = invoke("sync", "--config", str(turkish), "--today", "2026-03-11")
    assert result.exit_code == 3 and "did not create" in result.stderr
    assert calendar.read_bytes() == before
    # In English they are the tool's own header: adopted, marked and written.
    config = config_file(tmp_path, calendar)
    result = invoke("sync", "--config", str(config), "--today", "2026-03-11")
    assert result.exit_code == 0, result.output
    assert "wrote Status, Report, History" in result.stdout
    assert marked(calendar) == ["Status", "Report", "History"]


def test_xlsx_a_mark_on_the_calendar_tab_is_refused(tmp_path: Path) -> None:
    calendar = workbook(tmp_path / "plan.xlsx", row("P1"))
    config = config_file(tmp_path, calendar)
    assert invoke("sync", "--config", str(config), "--today", TODAY).exit_code == 0
    rewrite_workbook_part(calendar, lambda text: re.sub(
        r"<definedNames\s*>", f'<definedNames><definedName name="{MARK_NAME}" localSheetId="0">'
        '"crafted"</definedName>', text))
    assert "Calendar" in marked(calendar)
    edit_calendar(calendar, "Client review")
    before = calendar.read_bytes()
    result = invoke("sync", "--config", str(config), "--today", "2026-03-11")
    assert result.exit_code == 3, result.output
    assert "calendar tab 'Calendar' carries the mark" in result.stderr
    assert MARK_NAME in result.stderr
    assert calendar.read_bytes() == before


@pytest.mark.parametrize("name", sorted(BACKENDS))
def test_no_backend_writes_over_the_calendar_or_a_persons_tab(tmp_path: Path,
                                                              name: str) -> None:
    backend: Backend = BACKENDS[name](tmp_path)
    backend.read("Calendar", OWNED)
    for tab in ("Calendar", "Notes"):
        with pytest.raises(ForeignTabError) as refused:
            backend.write({"Status": [["Severity"]], tab: [["x"]]})
        assert refused.value.exit_code == 3 and refused.value.tab == tab
    read = backend.read("Calendar", OWNED)
    assert normalize_grid(read.rows) == normalize_grid(CALENDAR)
    assert read.owned["Status"] is None  # all or nothing: Status was not created either
    assert normalize_grid([backend.read_row("Notes", 1)]) == [("keep me",)]


def test_memory_backend_adopts_a_tab_only_when_it_starts_with_the_tools_header() -> None:
    header = ["Time", "Post ID", "Field", "Old value", "New value"]
    backend = MemoryBackend({"Calendar": [list(HEADER), row("P1")],
                             "History": [header, ["2026-03-01", "P1", "status", "a", "b"]],
                             "Report": [["Summary"], ["Item", "Value"], ["Something else"]]})
    backend.read("Calendar", OWNED)
    with pytest.raises(ForeignTabError, match="'Report'"):
        backend.write({"History": [header], "Report": [["Summary"], ["Item", "Value"],
                                                       ["Updated", dt.datetime(2026, 3, 1)]]})
    backend.write({"History": [header]})
    assert backend.tabs["History"] == [header] and backend.marked == {"History"}


# --- Google ------------------------------------------------------------------------------------


def google(api: FakeSheetsAPI, sheet: str, store: StateStore) -> GoogleBackend:
    return GoogleBackend(sheet, session=api.session(), cache=store.cache("cal"),
                         policy=RetryPolicy(sleep=lambda s: None), bucket=TokenBucket(10_000))


def google_config() -> Any:
    return calendar_config(name="cal", tab="Calendar")


def marks_of(api: FakeSheetsAPI, sheet: str, store: StateStore) -> dict[str, list[str]]:
    raw = google(api, sheet, store).http.fetch_sheet_metadata(sheet, {
        "fields": "sheets(properties(title),developerMetadata)"})
    return {s["properties"]["title"]: [f"{m['metadataKey']}/{m['visibility']}"
                                       for m in s.get("developerMetadata", [])
                                       if m["metadataKey"] != LOOK_KEY]  # the mark alone
            for s in raw["sheets"]}


def person(api: FakeSheetsAPI, sheet: str, requests: list[dict[str, Any]]) -> None:
    """A batchUpdate as a person (or another program) would send it."""
    store = StateStore(":memory:")
    google(api, sheet, store).http.batch_update(sheet, {"requests": requests})


def sheet_id(api: FakeSheetsAPI, sheet: str, title: str) -> int:
    return int(api.sheet_properties(sheet, title)["sheetId"])


def sheets_requests(api: FakeSheetsAPI) -> list[str]:
    """The kinds of the Sheets requests received (Drive's version questions left out)."""
    return [r.kind for r in api.requests if not r.kind.startswith("drive.")]


def edit_google_calendar(api: FakeSheetsAPI, sheet: str, value: str) -> None:
    api.set_values(sheet, "Calendar", [[value]], start="F2")


@pytest.mark.parametrize("tab", ["Report", "History"])
def test_google_a_persons_own_tab_is_refused_and_keeps_its_values(tab: str) -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", {"Calendar": [list(HEADER), row("P1")],
                                            tab: USER_ROWS})
    before = api.values(sheet, tab)
    store = StateStore(":memory:")
    api.reset_log()
    with pytest.raises(ForeignTabError) as refused:
        run_once(google_config(), google(api, sheet, store), store, NOW)
    assert refused.value.exit_code == 3
    assert f"tab {tab!r} that sheets-sync did not create" in refused.value.message
    assert f"`{KEYS[tab]} = " in refused.value.message
    assert api.values(sheet, tab) == before
    assert sheets_requests(api) == ["spreadsheets.get", "values.batchGet"]
    assert store.last_run("cal") is None  # nothing saved: the next cycle tries again


def test_google_tabs_are_marked_on_the_first_run_and_steady_state_costs_no_more() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", {"Calendar": [list(HEADER), row("P1")]})
    store = StateStore(":memory:")
    api.reset_log()
    run_once(google_config(), google(api, sheet, store), store, NOW)
    assert sheets_requests(api) == ["spreadsheets.get", "values.batchGet",
                                    "spreadsheets.batchUpdate", "values.batchUpdate"]
    get = next(r for r in api.requests if r.kind == "spreadsheets.get")
    assert "developerMetadata" in get.query["fields"][0]
    mark = f"{METADATA_KEY}/DOCUMENT"
    assert marks_of(api, sheet, store) == {"Calendar": [], "Status": [mark], "Report": [mark],
                                           "History": [mark]}
    edit_google_calendar(api, sheet, "Client review")
    api.reset_log()
    run_once(google_config(), google(api, sheet, store), store, NOW + dt.timedelta(minutes=5))
    assert sheets_requests(api).count("spreadsheets.get") == 0
    edit_google_calendar(api, sheet, "Approved")
    api.reset_log()
    result = run_once(google_config(), google(api, sheet, store), store,
                      NOW + dt.timedelta(minutes=10))
    assert "History" in result.changed_tabs
    assert sheets_requests(api) == ["values.batchGet", "values.batchUpdate"]


def test_google_a_tab_deleted_and_created_again_by_a_person_is_refused() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", {"Calendar": [list(HEADER), row("P1")]})
    store = StateStore(":memory:")
    run_once(google_config(), google(api, sheet, store), store, NOW)
    person(api, sheet, [{"deleteSheet": {"sheetId": sheet_id(api, sheet, "Report")}},
                        {"addSheet": {"properties": {"title": "Report"}}}])
    api.set_values(sheet, "Report", USER_ROWS)
    edit_google_calendar(api, sheet, "Client review")
    before = api.values(sheet, "Report")
    api.reset_log()
    with pytest.raises(ForeignTabError, match="'Report' that sheets-sync did not create"):
        run_once(google_config(), google(api, sheet, store), store,
                 NOW + dt.timedelta(minutes=5))
    assert api.values(sheet, "Report") == before
    # The cached layout was checked against the metadata, read once; nothing was written.
    assert sheets_requests(api) == ["values.batchGet", "spreadsheets.get"]


def test_google_a_tab_a_person_emptied_is_still_the_tools() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", {"Calendar": [list(HEADER), row("P1")]})
    store = StateStore(":memory:")
    run_once(google_config(), google(api, sheet, store), store, NOW)
    rows = len(api.values(sheet, "Status"))
    api.set_values(sheet, "Status", [[""] * 11 for _ in range(rows)])
    assert api.values(sheet, "Status") == []
    run_once(google_config(), google(api, sheet, store), store, NOW + dt.timedelta(minutes=5))
    assert api.values(sheet, "Status")[0][:2] == ["Severity", "What"]


def test_google_a_layout_cached_by_an_earlier_version_is_read_again_and_tabs_adopted() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", {"Calendar": [list(HEADER), row("P1")]})
    store = StateStore(":memory:")
    run_once(google_config(), google(api, sheet, store), store, NOW)
    # As an earlier version left it: no marks, and a cached layout that knows of none.
    person(api, sheet, [{"deleteDeveloperMetadata": {"dataFilter": {
        "developerMetadataLookup": {"metadataKey": METADATA_KEY}}}}])
    cache = store.cache("cal")
    key = f"google:{sheet}"  # the layout (beside it: the read kept for idle cycles)
    layout = json.loads(cache[key])
    del layout["owned"]
    cache[key] = json.dumps(layout)
    assert all(not marks for marks in marks_of(api, sheet, store).values())
    edit_google_calendar(api, sheet, "Client review")
    api.reset_log()
    result = run_once(google_config(), google(api, sheet, store), store,
                      NOW + dt.timedelta(minutes=5))
    assert result.changed_tabs
    assert sheets_requests(api)[:2] == ["spreadsheets.get", "values.batchGet"]
    marks = marks_of(api, sheet, store)
    assert all(marks[tab] == [f"{METADATA_KEY}/DOCUMENT"] for tab in result.changed_tabs)
    assert marks["Calendar"] == []


def test_google_a_mark_on_the_calendar_tab_is_refused() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", {"Calendar": [list(HEADER), row("P1")]})
    store = StateStore(":memory:")
    run_once(google_config(), google(api, sheet, store), store, NOW)
    person(api, sheet, [{"createDeveloperMetadata": {"developerMetadata": {
        "metadataKey": METADATA_KEY, "visibility": "DOCUMENT",
        "location": {"sheetId": sheet_id(api, sheet, "Calendar")}}}}])
    for key in list(store.cache("cal")):  # the layout is read again (a new state, say)
        del store.cache("cal")[key]
    edit_google_calendar(api, sheet, "Client review")
    before = {tab: api.values(sheet, tab) for tab in ("Calendar", "Status", "History")}
    with pytest.raises(SourceError, match="calendar tab 'Calendar' carries the developer"):
        run_once(google_config(), google(api, sheet, store), store,
                 NOW + dt.timedelta(minutes=5))
    assert {tab: api.values(sheet, tab) for tab in before} == before


# --- the configuration: two calendars, one tab ---------------------------------------------


def problems(data: dict[str, Any], base_dir: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        from_dict(data, base_dir=str(base_dir))
    assert caught.value.exit_code == 2
    return caught.value.problems


def test_two_calendars_writing_the_same_tabs_of_one_workbook_are_rejected(
        tmp_path: Path) -> None:
    workbook(tmp_path / "plan.xlsx", row("P1"))
    data = {"calendars": [
        {"name": "acme", "path": "plan.xlsx", "tab": "Calendar"},
        {"name": "beta", "path": str(tmp_path / "sub" / ".." / "plan.xlsx"), "tab": "Beta",
         "status_tab": "STATUS", "report_tab": "Beta report"},
    ]}
    found = problems(data, tmp_path)
    assert len(found) == 1
    assert found[0].startswith("calendars[1].status_tab: calendar 'beta' and calendar 'acme' "
                               "would both write tabs 'STATUS', 'History' of ")
    assert "calendars[1].status_tab, calendars[1].history_tab" in found[0]
    assert "(calendars[0])" in found[0]
    data["calendars"][1].update(status_tab="Beta status", history_tab="Beta history")
    assert len(from_dict(data, base_dir=str(tmp_path)).calendars) == 2
    # Writing over the other calendar's own tab is the same conflict.
    data["calendars"][1]["history_tab"] = "calendar"
    (found,) = problems(data, tmp_path)
    assert "calendars[1].history_tab" in found and "'calendar'" in found


def test_two_calendars_on_one_google_spreadsheet_and_the_portfolio_are_compared(
        tmp_path: Path) -> None:
    data: dict[str, Any] = {"calendars": [
        {"name": "acme", "backend": "google", "spreadsheet": "1AbC", "tab": "Acme"},
        {"name": "beta", "backend": "google", "tab": "Beta",
         "spreadsheet": "https://docs.google.com/spreadsheets/d/1AbC/edit#gid=0"},
    ]}
    (found,) = problems(data, tmp_path)
    assert "calendar 'beta' and calendar 'acme'" in found and "Google spreadsheet 1AbC" in found
    data["calendars"][1]["spreadsheet"] = "2XyZ"
    data["portfolio"] = {"backend": "google", "spreadsheet": "1AbC", "tab": "report"}
    (found,) = problems(data, tmp_path)
    assert found.startswith("portfolio.tab: the portfolio and calendar 'acme' would both "
                            "write tab 'report'")


def test_a_calendar_tab_named_like_an_owned_tab_in_another_case_is_rejected() -> None:
    with pytest.raises(ConfigError, match=r"calendars\[0\]\.status_tab: tab 'Status' is used "
                                          "twice"):
        from_dict({"calendars": [{"name": "a", "backend": "memory", "tab": "status "}]})


# --- state_path and state reset -----------------------------------------------------------


def test_state_reset_never_moves_a_file_that_is_not_a_state_database(tmp_path: Path) -> None:
    calendar = workbook(tmp_path / "calendar.xlsx", row("P1"))
    before = calendar.read_bytes()
    with pytest.raises(StateError, match="is not a sheets-sync state database") as refused:
        reset_state(str(calendar), "cal")
    assert refused.value.exit_code == 3 and "state_path" in refused.value.message
    assert calendar.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calendar.xlsx"]


def test_state_reset_leaves_an_empty_file_alone_and_moves_a_damaged_database(
        tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    assert "no state to reset" in reset_state(str(empty), "cal")
    assert empty.exists() and empty.stat().st_size == 0
    damaged = tmp_path / "state.db"  # a database whose first page was overwritten
    damaged.write_bytes(b"\x00" * 4096)
    assert "moved to" in reset_state(str(damaged), "cal")
    assert not damaged.exists() and (tmp_path / "state.db.broken").exists()
    good = tmp_path / "good.sqlite"
    StateStore(str(good)).close()
    assert "forgot everything" in reset_state(str(good), "cal")


def test_a_state_path_at_the_calendar_is_rejected_and_state_reset_changes_nothing(
        tmp_path: Path) -> None:
    calendar = workbook(tmp_path / "calendar.xlsx", row("P1"))
    config = config_file(tmp_path, calendar)
    config.write_text('state_path = "calendar.xlsx"\n' + config.read_text(encoding="utf-8"),
                      encoding="utf-8")
    before = calendar.read_bytes()
    for command in (["state", "reset", "--config", str(config), "--yes"],
                    ["sync", "--config", str(config), "--today", TODAY]):
        result = invoke(*command)
        assert result.exit_code == 2, result.output
        assert "state_path: 'calendar.xlsx' is the calendar file of calendar 'cal'" in (
            result.stderr)
    assert calendar.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calendar.xlsx", "sheets-sync.toml"]


@pytest.mark.parametrize(("content", "accepted"), [
    (None, True), (b"", True), (b"SQLite format 3\x00" + b"\x00" * 100, True),
    (b"notes of the week\n", False), (b"PK\x03\x04 a workbook", False)])
def test_state_path_must_be_missing_empty_or_a_database(tmp_path: Path, content: bytes | None,
                                                        accepted: bool) -> None:
    calendar = workbook(tmp_path / "calendar.xlsx", row("P1"))
    config = config_file(tmp_path, calendar)
    target = tmp_path / "notes.txt"
    if content is not None:
        target.write_bytes(content)
    config.write_text('state_path = "notes.txt"\n' + config.read_text(encoding="utf-8"),
                      encoding="utf-8")
    if accepted:
        assert load(config).state_path == "notes.txt"
    else:
        with pytest.raises(ConfigError, match=r"state_path: .*notes\.txt exists and is not an "
                                              "SQLite database"):
            load(config)


def test_a_real_state_database_keeps_working(tmp_path: Path) -> None:
    state = tmp_path / "state.db"
    db = sqlite3.connect(state)
    db.execute("CREATE TABLE t (x)")
    db.close()
    calendar = workbook(tmp_path / "calendar.xlsx", row("P1"))
    config = config_file(tmp_path, calendar)
    config.write_text(f'state_path = "{state}"\n' + config.read_text(encoding="utf-8"),
                      encoding="utf-8")
    assert invoke("sync", "--config", str(config), "--today", TODAY).exit_code == 0
