"""The Status tab as a morning to-do list: sections, order, columns, and how it looks.

Grids are checked as the core builds them; the look as a workbook holds it (read back with
openpyxl) and as the Google fake holds it after the first cycle's ``spreadsheets:batchUpdate``
(every request checked against the discovery document).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import HEADER, at, calendar_config, only, row

from sheets_sync.backends.google import GoogleBackend
from sheets_sync.backends.http import RetryPolicy, TokenBucket
from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.cells import same_grid
from sheets_sync.config import from_dict
from sheets_sync.looks import look_of
from sheets_sync.outputs import build_outputs
from sheets_sync.outputs.status import SEVERITY_FILLS, STATUS_COLUMNS, status_grid
from sheets_sync.parse import parse
from sheets_sync.run import run_once
from sheets_sync.state import StateStore
from sheets_sync.testing.fake_sheets import FakeSheetsAPI
from sheets_sync.validate import validate

NOW = at("2026-03-10 09:00")  # a Tuesday in Istanbul
CODES = ("published-without-approval", "caption-too-long", "unknown-channel",
         "cadence-below-contract")
LONG = "x" * 300  # longer than X allows: caption-too-long, an error
PLAN = [*HEADER, "Approved"]


def plan_rows() -> list[list[Any]]:
    return [
        [*row("LATE", channel="X", date="2026-03-30 10:00", caption=LONG), ""],  # 20 days out
        [*row("WEEK2", channel="X", date="2026-03-14 10:00", caption=LONG), ""],  # 4 days out
        [*row("WEEK1", channel="X", date="2026-03-12 10:00", caption=LONG), ""],  # 2 days out
        [*row("SOON", channel="X", date="2026-03-11 08:00", caption=LONG), ""],  # 23 hours out
        [*row("PUB", status="Published", date="2026-03-02 10:00"), "no"],  # critical, past
        [*row("TYPO", channel="Instagarm", date="2026-03-13 10:00"), ""],  # a word not known
    ]


def checked(rows: list[list[Any]], codes: tuple[str, ...] = CODES, **calendar: Any
            ) -> tuple[Any, Any, Any]:
    rules = {"levels": only(*codes), "cadence": {"posts_per_week": {"instagram": 3},
                                                  "horizon_days": 6}}
    config = calendar_config(rules={**rules, **calendar.pop("rules", {})}, **calendar)
    cal = parse([PLAN, *rows], config)
    return cal, validate(cal, config, NOW), config


def sections(grid: list[list[Any]]) -> dict[str, list[tuple[str, str]]]:
    """Each section title -> its (code, post ID) lines, in order."""
    out: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for line in grid[1:]:
        if len(line) == 1:
            current = str(line[0])
            out[current] = []
        else:
            post = str(line[2] or "").split(" · ")[0]
            out[current].append((str(line[6]), post))
    return out


# --------------------------------------------------------------------------------------------
# sections and order


def test_findings_fall_into_sections_soonest_deadline_first() -> None:
    cal, found, config = checked(plan_rows())
    grid = status_grid(cal, found, config, NOW)
    assert sections(grid) == {
        # Critical whenever it is due; anything due within 24 hours.
        "Act today": [("published-without-approval", "PUB"), ("caption-too-long", "SOON")],
        "This week": [("caption-too-long", "WEEK1"), ("caption-too-long", "WEEK2")],
        "Later": [("caption-too-long", "LATE")],
        "Plan": [("cadence-below-contract", "")],
        "Data to fix": [("unknown-channel", "TYPO")],
    }


def test_a_data_problem_on_a_post_due_within_a_day_is_for_today() -> None:
    cal, found, config = checked([[*row("TYPO", channel="Instagarm", date="2026-03-10 20:00"),
                                   ""]])
    assert sections(status_grid(cal, found, config, NOW))["Act today"] == [
        ("unknown-channel", "TYPO")]


def test_without_a_time_nothing_is_called_due_today() -> None:
    cal, found, config = checked(plan_rows())
    got = sections(status_grid(cal, found, config))
    assert got["Act today"] == [("published-without-approval", "PUB")]  # critical alone
    assert got["Later"][:2] == [("caption-too-long", "SOON"), ("caption-too-long", "WEEK1")]


def test_columns_say_what_which_post_what_to_do_who_and_when() -> None:
    clients = {"Acme": {"rules": {"approvals": {"approvers": ["Elif Yılmaz", "Murat Kaya"]}}}}
    rows = [[*row("P1", status="Client review", date="2026-03-12 10:00",
                  caption="Bahar menüsü geliyor! Çilekli latte ve daha fazlası\nikinci satır"),
             ""]]
    cal, found, config = checked(rows, ("approval-missing",), clients=clients)
    line = next(r for r in status_grid(cal, found, config, NOW)
                if len(r) > 6 and r[6] == "approval-missing")
    assert dict(zip(STATUS_COLUMNS, line)) == {
        "severity": "error",
        "what": "Publishes 2026-03-12 10:00 and is not approved yet (status “Client review”).",
        "post": "P1 · Instagram\n“Bahar menüsü geliyor! Çilekli…”",
        "todo": "Get the client's approval before then.",
        "who": "Ayşe\nclient: Elif Yılmaz, Murat Kaya",
        "due": dt.datetime(2026, 3, 12, 10, 0),
        "code": "approval-missing",
        "row": 2,
    }


def test_a_calendar_with_several_clients_names_the_client_of_each_post() -> None:
    rows = [[*row("A1", client="Acme", channel="X", date="2026-03-12 10:00", caption=LONG), ""],
            [*row("B1", client="Birch", channel="X", date="2026-03-12 11:00", caption=LONG), ""]]
    cal, found, config = checked(rows)
    posts = [r[2] for r in status_grid(cal, found, config, NOW)
             if len(r) > 6 and r[6] == "caption-too-long"]
    assert [p.split("\n")[0] for p in posts] == ["A1 · Acme · X", "B1 · Birch · X"]


def test_sections_and_columns_in_turkish() -> None:
    cal, found, config = checked(plan_rows(), language="tr")
    grid = status_grid(cal, found, config, NOW)
    assert grid[0] == ["Önem", "Ne oldu", "Gönderi", "Yapılacak", "Kim", "Son tarih", "Kod",
                       "Satır"]
    assert [line[0] for line in grid if len(line) == 1] == [
        "Bugün", "Bu hafta", "Daha sonra", "Plan", "Düzeltilecek veri"]


def test_the_status_look_colours_severities_and_links_rows() -> None:
    cal, found, config = checked(plan_rows())
    look = look_of(status_grid(cal, found, config, NOW))
    assert look is not None
    assert look.link_column == STATUS_COLUMNS.index("row")
    assert look.filter == len(STATUS_COLUMNS) and look.frozen_rows == 1
    fills = {rule.texts: rule.style.fill for rule in look.rules if rule.columns == (0, 1)}
    assert fills == {("info",): "DDEBF7", ("warning",): "FFE699", ("error",): "F8CBAD",
                     ("critical",): "F4A6A6"}
    assert look.page is not None and look.page.title_rows == 1


def test_the_printed_footer_names_the_calendar_and_the_time_of_the_data() -> None:
    cal, found, config = checked(plan_rows())
    tabs = build_outputs(cal, found, found.iloc[:0], [], NOW, config, {})
    look = look_of(tabs["Status"])
    assert look is not None and look.page is not None
    assert look.page.footer_left == "test · Status"
    assert look.page.footer_right == "as of 2026-03-10 09:00 Europe/Istanbul"


# --------------------------------------------------------------------------------------------
# the workbook


def calendar_workbook(path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Calendar"
    for line in [PLAN, *rows]:
        sheet.append(line)
    wb.save(path)
    return path


def sync_xlsx(path: Path, now: dt.datetime = NOW, **calendar: Any) -> Any:
    config = from_dict({"calendars": [{
        "name": "plan", "path": str(path), "tab": "Calendar", "client": "Acme",
        "rules": {"levels": only(*CODES), "cadence": {"posts_per_week": {"instagram": 3},
                                                      "horizon_days": 6}},
        **calendar}]}).calendars[0]
    store = StateStore(":memory:")
    return run_once(config, XlsxBackend(path, config.timezone), store, now)


def test_the_workbook_status_is_coloured_filtered_frozen_wrapped_and_sized(
        tmp_path: Path) -> None:
    path = sync_and_open = calendar_workbook(tmp_path / "plan.xlsx", plan_rows())
    sync_xlsx(path)
    sheet = openpyxl.load_workbook(sync_and_open)["Status"]
    rows = list(sheet.iter_rows())
    header = rows[0]
    assert [c.value for c in header] == ["Severity", "What", "Post", "What to do", "Who",
                                         "Due", "Code", "Row"]
    assert all(c.font.b for c in header) and header[0].fill.fgColor.rgb == "FFBDD7EE"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:H{len(rows)}"
    # a severity's colour on its cell, a section title bold on a grey band
    by_severity = {r[0].value: r[0].fill.fgColor.rgb for r in rows[1:] if r[1].value}
    assert by_severity == {"critical": "FF" + SEVERITY_FILLS[4], "error": "FF" + SEVERITY_FILLS[3],
                           "warning": "FF" + SEVERITY_FILLS[2]}
    title = next(r for r in rows if r[0].value == "Act today")
    assert title[0].font.b and {c.fill.fgColor.rgb for c in title} == {"FFE7E6E6"}
    finding = next(r for r in rows if r[6].value == "caption-too-long")
    assert finding[3].alignment.wrap_text and finding[3].alignment.vertical == "top"
    assert finding[7].alignment.vertical == "top"
    widths = [sheet.column_dimensions[c].width for c in "ABCDEFGH"]
    assert widths == [9, 34, 32, 40, 17, 17, 14, 6]
    # a two-line post gets a row tall enough for both lines
    assert sheet.row_dimensions[finding[0].row].height >= 30


def test_the_workbook_status_prints_landscape_one_page_wide(tmp_path: Path) -> None:
    path = calendar_workbook(tmp_path / "plan.xlsx", plan_rows())
    sync_xlsx(path, paper="letter")
    sheet = openpyxl.load_workbook(path)["Status"]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 1  # Letter (A4 is 9)
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.oddFooter.left.text == "plan · Status"
    assert sheet.oddFooter.right.text == "as of 2026-03-10 09:00 Europe/Istanbul"


def links(path: Path) -> dict[str, str]:
    """Post ID -> where its Status row links to."""
    sheet = openpyxl.load_workbook(path)["Status"]
    return {str(r[2].value).split(" · ")[0]: r[7].hyperlink.location
            for r in sheet.iter_rows(min_row=2) if r[7].hyperlink is not None}


def test_each_row_links_to_its_calendar_row_also_after_rows_are_inserted(
        tmp_path: Path) -> None:
    path = calendar_workbook(tmp_path / "plan.xlsx", plan_rows())
    sync_xlsx(path)
    assert links(path) == {"LATE": "'Calendar'!A2", "WEEK2": "'Calendar'!A3",
                           "WEEK1": "'Calendar'!A4", "SOON": "'Calendar'!A5",
                           "PUB": "'Calendar'!A6", "TYPO": "'Calendar'!A7"}
    # A person inserts two posts at the top: the next sync links to where the rows are now.
    calendar_workbook(path, [[*row("NEW1", date="2026-04-20 10:00"), ""],
                             [*row("NEW2", date="2026-04-21 10:00"), ""], *plan_rows()])
    sync_xlsx(path, NOW + dt.timedelta(minutes=5))
    assert links(path)["LATE"] == "'Calendar'!A4" and links(path)["TYPO"] == "'Calendar'!A9"


def test_a_flat_status_tab_of_an_earlier_version_is_taken_over() -> None:
    old = [["Severity", "Code", "Post ID", "Row", "Client", "Channel", "Publish date",
            "Status", "Owner", "Message", "First seen"], ["error", "approval-missing"]]
    backend = MemoryBackend({"Calendar": [PLAN, *plan_rows()], "Status": old})
    config = calendar_config(tab="Calendar", rules={"levels": only(*CODES)})
    run_once(config, backend, StateStore(":memory:"), NOW)
    assert backend.tabs["Status"][0][:2] == ["Severity", "What"]


def test_a_persons_tab_named_status_is_still_never_taken() -> None:
    theirs = [["Severity", "Notes"], ["high", "my own list"]]
    backend = MemoryBackend({"Calendar": [PLAN, *plan_rows()], "Status": theirs})
    config = calendar_config(tab="Calendar", rules={"levels": only(*CODES)})
    with pytest.raises(Exception, match="Status"):
        run_once(config, backend, StateStore(":memory:"), NOW)
    assert backend.tabs["Status"] == theirs


# --------------------------------------------------------------------------------------------
# Google


def google(api: FakeSheetsAPI, sheet: str, store: StateStore) -> GoogleBackend:
    return GoogleBackend(sheet, session=api.session(), cache=store.cache("cal"),
                         policy=RetryPolicy(sleep=lambda s: None), bucket=TokenBucket(10_000))


def google_config() -> Any:
    return from_dict({"calendars": [{
        "name": "cal", "backend": "memory", "tab": "Calendar", "client": "Acme",
        "rules": {"levels": only(*CODES), "cadence": {"posts_per_week": {"instagram": 3},
                                                      "horizon_days": 6}}}]}).calendars[0]


def first_update(api: FakeSheetsAPI) -> list[dict[str, Any]]:
    body = next(r for r in api.requests if r.kind == "spreadsheets.batchUpdate").body
    return list(body["requests"])


def test_google_first_cycle_sets_the_look_and_later_cycles_write_values_only() -> None:
    api = FakeSheetsAPI()  # every request is checked against the discovery document
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": [PLAN, *plan_rows()]},
                                   time_zone="Europe/Istanbul")
    store = StateStore(":memory:")
    api.reset_log()
    run_once(google_config(), google(api, sheet, store), store, NOW)
    assert api.requests.kinds() == ["drive.files.get", "spreadsheets.get", "values.batchGet",
                                    "drive.files.get", "spreadsheets.batchUpdate",
                                    "values.batchUpdate", "drive.files.get"]
    assert api.stats[400] == 0
    requests = first_update(api)
    kinds = [next(iter(r)) for r in requests]
    assert {"addConditionalFormatRule", "setBasicFilter", "updateCells", "repeatCell",
            "updateDimensionProperties"} <= set(kinds)
    meta = api.spreadsheet(sheet)
    status = next(s for s in meta["sheets"] if s["properties"]["title"] == "Status")
    calendar_gid = next(s["properties"]["sheetId"] for s in meta["sheets"]
                        if s["properties"]["title"] == "Calendar")
    assert status["properties"]["gridProperties"]["frozenRowCount"] == 1
    assert status["basicFilter"]["range"]["endColumnIndex"] == len(STATUS_COLUMNS)
    formulas = [r["booleanRule"]["condition"]["values"][0]["userEnteredValue"]
                for r in status["conditionalFormats"]]
    assert '=OR($A2="critical")' in formulas
    # the link column right after the values: one formula linking each row number
    link = api.values(sheet, "Status", render="FORMULA")
    assert link[0][8] == "Row"
    assert link[1][8] == (f'=ARRAYFORMULA(IF(H2:H="","",HYPERLINK("#gid={calendar_gid}'
                          f'&range=A"&H2:H,H2:H)))')

    backend = google(api, sheet, store)
    caption = HEADER.index("Caption") + 1
    # The first History entry gives its time column a date format once (a layout change).
    backend.write_cells("Calendar", {(7, caption): "changed"})
    run_once(google_config(), backend, store, NOW + dt.timedelta(minutes=2))
    backend.write_cells("Calendar", {(2, caption): "short now"})
    api.reset_log()  # a calendar change: one read, one write of values (and Drive's version)
    result = run_once(google_config(), backend, store, NOW + dt.timedelta(minutes=5))
    assert "Status" in result.changed_tabs
    assert api.requests.kinds() == ["drive.files.get", "values.batchGet", "drive.files.get",
                                    "values.batchUpdate", "drive.files.get"]
    status_values = api.values(sheet, "Status")
    assert same_grid([line[:8] for line in status_values], result.outputs["Status"])
    assert api.values(sheet, "Status", render="FORMULA")[1][8].startswith("=ARRAYFORMULA(")


def test_google_reads_the_status_without_its_link_column() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": [PLAN, *plan_rows()]},
                                   time_zone="Europe/Istanbul")
    store = StateStore(":memory:")
    run_once(google_config(), google(api, sheet, store), store, NOW)
    api.set_values(sheet, "Calendar", [[PLAN[0]]])  # a person's edit that changes no value
    api.reset_log()
    read = google(api, sheet, store).read("Calendar", ("Status", "Report", "History"))
    assert api.requests.kinds() == ["drive.files.get", "values.batchGet"]  # a full read
    status = read.owned["Status"]
    assert status is not None and max(len(r) for r in status) == len(STATUS_COLUMNS)
    # so an unchanged calendar writes nothing at all, whether it is read again ...
    api.set_values(sheet, "Calendar", [[PLAN[0]]])
    api.reset_log()
    result = run_once(google_config(), google(api, sheet, store), store,
                      NOW + dt.timedelta(minutes=5))
    assert result.changed_tabs == []
    assert api.requests.kinds() == ["drive.files.get", "values.batchGet"]
    api.reset_log()  # ... or served from the read kept in the last cycle
    result = run_once(google_config(), google(api, sheet, store), store,
                      NOW + dt.timedelta(minutes=10))
    assert result.changed_tabs == [] and api.requests.kinds() == ["drive.files.get"]


def test_google_a_changed_look_replaces_the_old_one_instead_of_adding_to_it() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": [PLAN, *plan_rows()]},
                                   time_zone="Europe/Istanbul")
    store = StateStore(":memory:")
    run_once(google_config(), google(api, sheet, store), store, NOW)
    # An earlier version's look: recorded differently (as after an upgrade, or another
    # language): the next cycle sets the look again and leaves one set of rules.
    cache = store.cache("cal")
    key = f"google:{sheet}"  # the cached layout
    layout = json.loads(cache[key])
    layout["sheets"]["Status"]["look"] = "older"
    cache[key] = json.dumps(layout)
    backend = google(api, sheet, store)
    backend.write_cells("Calendar", {(2, HEADER.index("Caption") + 1): "short now"})
    run_once(google_config(), backend, store, NOW + dt.timedelta(minutes=5))
    meta = api.spreadsheet(sheet)
    status = next(s for s in meta["sheets"] if s["properties"]["title"] == "Status")
    looks = [m for m in status["developerMetadata"] if m["metadataKey"] == "sheets-sync-look"]
    assert len(looks) == 1
    assert len(status["conditionalFormats"]) == 5  # four severities and the section rows


def test_google_a_changed_look_is_replaced_on_a_cycle_that_reads_nothing() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": [PLAN, *plan_rows()]},
                                   time_zone="Europe/Istanbul")
    store = StateStore(":memory:")
    run_once(google_config(), google(api, sheet, store), store, NOW)
    cache = store.cache("cal")
    layout = json.loads(cache[f"google:{sheet}"])
    layout["sheets"]["Status"]["look"] = "older"
    cache[f"google:{sheet}"] = json.dumps(layout)
    api.reset_log()  # nobody edited: the kept read serves; days pass, so Status changes
    result = run_once(google_config(), google(api, sheet, store), store,
                      NOW + dt.timedelta(days=3))
    assert "Status" in result.changed_tabs
    assert api.requests.kinds() == ["drive.files.get", "spreadsheets.get", "drive.files.get",
                                    "spreadsheets.batchUpdate", "values.batchUpdate",
                                    "drive.files.get"]
    status = next(s for s in api.spreadsheet(sheet)["sheets"]
                  if s["properties"]["title"] == "Status")
    looks = [m for m in status["developerMetadata"] if m["metadataKey"] == "sheets-sync-look"]
    assert len(looks) == 1 and len(status["conditionalFormats"]) == 5
    api.reset_log()  # the tool's own change is not taken for an edit
    run_once(google_config(), google(api, sheet, store), store,
             NOW + dt.timedelta(days=3, minutes=5))
    assert api.requests.kinds() == ["drive.files.get"]
