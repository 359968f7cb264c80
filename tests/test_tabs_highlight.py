"""``highlight_calendar``: the calendar's rows coloured by their open findings, values untouched.

In a workbook: one conditional format on the calendar sheet reading the Status tab, its
``sheetData`` byte for byte as it was, removed cleanly when switched off. On Google: the same
rules as conditional formats of the calendar sheet (through INDIRECT), set and removed in one
``spreadsheets:batchUpdate`` checked against the discovery document.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from conftest import HEADER, at, calendar_config, only, row

from sheets_sync.backends.google import GoogleBackend
from sheets_sync.backends.http import RetryPolicy, TokenBucket
from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.config import from_dict
from sheets_sync.run import run_once
from sheets_sync.state import StateStore
from sheets_sync.testing.fake_sheets import FakeSheetsAPI

NOW = at("2026-03-10 09:00")
RULES = {"levels": only("approval-missing", "unknown-channel", "too-many-hashtags")}


def rows() -> list[list[Any]]:
    return [row("P1", status="Draft", date="2026-03-11 10:00"),  # approval-missing: error
            row("P2", channel="Instagarm", date="2026-03-25 10:00"),  # unknown word: error
            row("P3", date="2026-03-26 10:00", caption="#a " * 31),  # warning
            row("P4", date="2026-03-27 10:00")]  # nothing to say


def workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Calendar"
    for line in [HEADER, *rows()]:
        sheet.append(line)
    sheet.conditional_formatting.add("B2:B10", openpyxl.formatting.rule.CellIsRule(
        operator="equal", formula=['"Acme"'], fill=openpyxl.styles.PatternFill(
            "solid", bgColor="00FF00")))  # a person's own rule, kept
    wb.save(path)
    return path


def calendar_part(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml").decode("utf-8")


def sync(path: Path, store: StateStore, on: bool, minutes: int = 0) -> Any:
    config = from_dict({"calendars": [{"name": "plan", "path": str(path), "tab": "Calendar",
                                       "client": "Acme", "highlight_calendar": on,
                                       "rules": RULES}]}).calendars[0]
    return run_once(config, XlsxBackend(path, config.timezone), store,
                    NOW + dt.timedelta(minutes=minutes))


def sheet_data(text: str) -> str:
    found = re.search(r"<sheetData>.*</sheetData>", text, re.DOTALL)
    assert found is not None
    return found.group(0)


def test_the_workbook_calendar_gets_a_format_reading_the_status_its_cells_untouched(
        tmp_path: Path) -> None:
    path = workbook(tmp_path / "plan.xlsx")
    before = calendar_part(path)
    sync(path, StateStore(":memory:"), on=True)
    after = calendar_part(path)
    assert sheet_data(after) == sheet_data(before)  # byte for byte
    ours = re.findall(r'<conditionalFormatting sqref="A2:XFD1048576">.*?</conditionalFormatting>',
                      after)
    assert len(ours) == 1
    formulas = re.findall(r"<formula>(.*?)</formula>", ours[0])
    assert formulas == [
        'COUNTIFS(\'Status\'!$H:$H,ROW(),\'Status\'!$A:$A,"critical")&gt;0',
        'COUNTIFS(\'Status\'!$H:$H,ROW(),\'Status\'!$A:$A,"error")&gt;0',
        'COUNTIFS(\'Status\'!$H:$H,ROW(),\'Status\'!$A:$A,"warning")&gt;0']
    assert 'sqref="B2:B10"' in after  # the person's rule is still there
    book = openpyxl.load_workbook(path)
    rules = book["Calendar"].conditional_formatting
    fills = {r.formula[0].split('"')[1]: r.dxf.fill.bgColor.rgb for cf in rules for r in cf.rules
             if r.formula and "Status" in r.formula[0]}
    assert fills == {"critical": "FFF4A6A6", "error": "FFF8CBAD", "warning": "FFFFE699"}
    # the rows the colours will pick: P1 and P2 as errors, P3 as a warning
    status = [r for r in book["Status"].iter_rows(values_only=True) if isinstance(r[7], int)]
    assert sorted((r[7], r[0]) for r in status) == [(2, "error"), (3, "error"), (4, "warning")]


def test_the_calendar_is_written_once_then_only_when_switched_off_and_then_as_it_was(
        tmp_path: Path) -> None:
    path = workbook(tmp_path / "plan.xlsx")
    original = calendar_part(path)
    store = StateStore(":memory:")
    sync(path, store, on=True)
    coloured = path.read_bytes()
    sync(path, store, on=True, minutes=5)  # nothing changed: the file is not written
    assert path.read_bytes() == coloured
    sync(path, store, on=False, minutes=10)
    assert calendar_part(path) == original  # removed cleanly: the part as it was
    written = path.read_bytes()
    sync(path, store, on=False, minutes=15)
    assert path.read_bytes() == written


def test_off_by_default_the_calendar_is_never_looked_at() -> None:
    backend = MemoryBackend({"Calendar": [HEADER, *rows()]})
    config = calendar_config(tab="Calendar", rules=RULES)
    assert config.highlight_calendar is False
    store = StateStore(":memory:")
    run_once(config, backend, store, NOW)
    assert backend.highlighted == {}
    on = calendar_config(tab="Calendar", rules=RULES, highlight_calendar=True)
    run_once(on, backend, store, NOW + dt.timedelta(minutes=5))
    spec = backend.highlighted["Calendar"]
    assert (spec.status_tab, spec.row_column, spec.first_row) == ("Status", 7, 2)
    run_once(config, backend, store, NOW + dt.timedelta(minutes=10))
    assert backend.highlighted == {}


def test_a_turkish_calendar_is_coloured_by_its_turkish_severities() -> None:
    backend = MemoryBackend({"Calendar": [HEADER, *rows()]})
    config = calendar_config(tab="Calendar", rules=RULES, highlight_calendar=True,
                             language="tr")
    run_once(config, backend, StateStore(":memory:"), NOW)
    assert [label for label, _ in backend.highlighted["Calendar"].fills] == [
        "kritik", "hata", "uyarı"]


# --------------------------------------------------------------------------------------------
# Google


def test_google_the_calendar_gets_conditional_formats_driven_by_the_status_tab() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": [HEADER, *rows()]},
                                   time_zone="Europe/Istanbul")
    store = StateStore(":memory:")

    def cycle(on: bool, minutes: int) -> None:
        config = from_dict({"calendars": [{"name": "cal", "backend": "memory",
                                           "tab": "Calendar", "client": "Acme",
                                           "highlight_calendar": on,
                                           "rules": RULES}]}).calendars[0]
        backend = GoogleBackend(sheet, session=api.session(), cache=store.cache("cal"),
                                policy=RetryPolicy(sleep=lambda s: None),
                                bucket=TokenBucket(10_000))
        run_once(config, backend, store, NOW + dt.timedelta(minutes=minutes))

    def calendar_rules() -> list[str]:
        meta = api.spreadsheet(sheet)
        calendar = next(s for s in meta["sheets"] if s["properties"]["title"] == "Calendar")
        return [r["booleanRule"]["condition"]["values"][0]["userEnteredValue"]
                for r in calendar.get("conditionalFormats", [])]

    # a person's own rule on the calendar
    api.session().post(f"https://sheets.googleapis.com/v4/spreadsheets/{sheet}:batchUpdate",
                       json={"requests": [{"addConditionalFormatRule": {"index": 0, "rule": {
                           "ranges": [{"sheetId": 0, "startRowIndex": 1}],
                           "booleanRule": {"condition": {"type": "CUSTOM_FORMULA", "values": [
                               {"userEnteredValue": "=$F2=\"Draft\""}]},
                               "format": {"backgroundColor": {"blue": 1}}}}}}]})
    assert calendar_rules() == ['=$F2="Draft"']
    api.reset_log()
    cycle(True, 0)
    assert api.stats[400] == 0
    assert calendar_rules() == [
        "=COUNTIFS(INDIRECT(\"'Status'!H:H\"),ROW(),INDIRECT(\"'Status'!A:A\"),"
        "\"critical\")>0",
        "=COUNTIFS(INDIRECT(\"'Status'!H:H\"),ROW(),INDIRECT(\"'Status'!A:A\"),\"error\")>0",
        "=COUNTIFS(INDIRECT(\"'Status'!H:H\"),ROW(),INDIRECT(\"'Status'!A:A\"),"
        "\"warning\")>0",
        '=$F2="Draft"']
    # the sheet's formats read, then one change, with Drive's version before and after it
    assert api.requests.kinds()[-4:] == ["spreadsheets.get", "drive.files.get",
                                         "spreadsheets.batchUpdate", "drive.files.get"]

    api.reset_log()  # on, as before: nothing is read or written for the colours, and the
    cycle(True, 5)  # tool's own change of them is not taken for an edit: nothing is read
    assert api.requests.kinds() == ["drive.files.get"]

    api.reset_log()  # switched off on an idle cycle: the tool's rules go, the person's stays
    cycle(False, 10)
    assert calendar_rules() == ['=$F2="Draft"']
    assert api.requests.kinds() == ["drive.files.get", "spreadsheets.get", "drive.files.get",
                                    "spreadsheets.batchUpdate", "drive.files.get"]
    api.reset_log()
    cycle(False, 15)
    assert api.requests.kinds() == ["drive.files.get"]
