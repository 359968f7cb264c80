"""The Report tab as a dashboard: header block, tables side by side, native charts.

The grid as the core builds it; the charts as a workbook holds them (DrawingML parts related
to the Report sheet and reading its cells) and as the Google fake holds them after the first
cycle's ``spreadsheets:batchUpdate`` (``addChart``, checked against the discovery document).
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
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.config import from_dict
from sheets_sync.looks import look_of
from sheets_sync.outputs import report_table
from sheets_sync.outputs.dashboard import CHART_ROWS, RIGHT, TABLES_ROW, report_grid
from sheets_sync.parse import parse
from sheets_sync.parse_times import to_client_time
from sheets_sync.run import run_once
from sheets_sync.state import StateStore
from sheets_sync.testing.fake_sheets import FakeSheetsAPI
from sheets_sync.validate import validate

NOW = at("2026-03-10 09:00")
COLUMNS = [*HEADER, "Revision round", "Sent for review", "Approved on"]
RULES = {"levels": only("approval-missing", "revision-limit-exceeded"),
         "cadence": {"posts_per_week": {"instagram": 2}, "horizon_days": 13},
         "revisions": {"included_rounds": 2}}


def posts(clients: int = 2) -> list[list[Any]]:
    out = []
    for c in range(clients):
        name = f"Client {chr(65 + c)}"
        out += [
            [*row(f"{c}A", client=name, status="Approved", date="2026-03-12 10:00"), 1,
             "2026-03-02 10:00", "2026-03-03 14:00"],  # 28 hours
            [*row(f"{c}B", client=name, status="Draft", date="2026-03-17 10:00"), 3, "", ""],
            [*row(f"{c}C", client=name, status="Published", date="2026-03-05 10:00"), 0,
             "2026-03-02 09:00", "2026-03-06 09:00"],  # 96 hours
        ]
    return out


def grid_of(rows: list[list[Any]], **calendar: Any) -> Any:
    config = calendar_config(rules=calendar.pop("rules", RULES), **calendar)
    cal = parse([COLUMNS, *rows], config)
    found = validate(cal, config, NOW)
    return report_grid(cal, found, found.iloc[:0], NOW, config,
                       {"rows": len(cal.frame), "source": "plan.xlsx", "findings": len(found)})


# --------------------------------------------------------------------------------------------
# the grid


def test_the_header_block_says_what_when_and_how_many() -> None:
    grid = grid_of(posts())
    assert grid[0] == ["Report", "test", None, "Times", "Europe/Istanbul"]
    assert grid[1] == ["Updated", dt.datetime(2026, 3, 10, 9, 0), None, "Source", "plan.xlsx"]
    assert grid[2] == ["Posts", "Findings", "critical", "error", "warning", "info"]
    assert grid[3][0] == 6 and grid[3][1] == sum(grid[3][2:]) > 0


def test_the_header_block_says_which_zone_the_times_are_in() -> None:
    # No time in the tabs carries its zone: the Report says once which zone they are in.
    for language, words in (("en", ["Times", "publish times as the sheet writes them, in UTC; "
                                    "Updated and History in Europe/Istanbul"]),
                            ("tr", ["Saatler", "yayın saatleri tablodaki gibi, UTC saatiyle; "
                                    "güncelleme ve geçmiş Europe/Istanbul saatiyle"])):
        config = calendar_config(rules=RULES, language=language)
        header = [h.replace("Publish date", "Publish date (UTC)") for h in COLUMNS]
        cal = parse([header, *posts()], config)
        to_client_time(cal, config)
        found = validate(cal, config, NOW)
        grid = report_grid(cal, found, found.iloc[:0], NOW, config,
                           {"rows": len(cal.frame), "source": "plan.xlsx",
                            "findings": len(found)})
        assert grid[0][3:] == words


def test_tables_the_charts_read_start_on_fixed_rows_whatever_their_length() -> None:
    for clients in (1, 3):
        grid = grid_of(posts(clients))
        assert grid[TABLES_ROW][0] == "Pipeline"
        assert grid[TABLES_ROW][RIGHT] == "Approval turnaround per client"
        revisions = TABLES_ROW + CHART_ROWS["pipeline"] + 3
        weekly = TABLES_ROW + CHART_ROWS["turnaround"] + 3
        assert grid[revisions][0] == "Revision usage per client per month"
        assert grid[weekly][RIGHT] == "Posts per week against the contract"


def test_turnaround_shows_median_and_p90_against_the_sla_per_client() -> None:
    table = report_table(grid_of(posts(), rules={**RULES, "feedback": {"sla_days": 3}}),
                         "Approval turnaround per client")
    assert table == [
        ["Client", "Approvals", "Median hours", "90th percentile hours", "SLA hours",
         "On time %"],
        ["Client A", 2, 62.0, 89.2, 72, 50.0], ["Client B", 2, 62.0, 89.2, 72, 50.0]]


def test_posts_per_week_add_up_clients_and_channels_against_the_contract() -> None:
    table = report_table(grid_of(posts()), "Posts per week against the contract")
    # Two clients, two a week each: a contract of 4; this week holds 0A, 1A (the 12th).
    assert table == [["Week", "Posts planned", "Contract per week"],
                     ["2026-03-09", 2, 4], ["2026-03-16", 2, 4]]


def test_charts_read_their_tables_header_row_and_the_rows_kept_for_them() -> None:
    grid = grid_of(posts())
    look = look_of(grid)
    assert look is not None
    charts = {c.title: c for c in look.charts}
    assert set(charts) == {"Pipeline", "Approval turnaround per client",
                           "Revision usage per client per month",
                           "Posts per week against the contract"}
    turnaround = charts["Approval turnaround per client"]
    assert grid[turnaround.header][RIGHT:RIGHT + 6] == [
        "Client", "Approvals", "Median hours", "90th percentile hours", "SLA hours",
        "On time %"]
    assert [grid[turnaround.header][s.column] for s in turnaround.series] == [
        "Median hours", "90th percentile hours", "SLA hours"]
    assert [s.line for s in turnaround.series] == [False, False, True]
    assert turnaround.rows == CHART_ROWS["turnaround"] and turnaround.filled == 2
    pipeline = charts["Pipeline"]
    assert pipeline.filled == 11 and grid[pipeline.header + 1][0] == "Idea"


def test_the_report_in_turkish() -> None:
    grid = grid_of(posts(), language="tr")
    assert grid[0] == ["Rapor", "test", None, "Saatler", "Europe/Istanbul"]
    assert grid[TABLES_ROW][0] == "İş akışı"
    assert report_table(grid, "Sözleşmeye göre haftalık gönderi")[0] == [
        "Hafta", "Planlanan gönderi", "Haftalık sözleşme"]


# --------------------------------------------------------------------------------------------
# the workbook


def workbook(path: Path, rows: list[list[Any]]) -> Path:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Calendar"
    for line in [COLUMNS, *rows]:
        sheet.append(line)
    wb.save(path)
    return path


def sync_xlsx(path: Path, now: dt.datetime = NOW) -> Any:
    config = from_dict({"calendars": [{"name": "plan", "path": str(path), "tab": "Calendar",
                                       "rules": RULES}]}).calendars[0]
    return run_once(config, XlsxBackend(path, config.timezone), StateStore(":memory:"), now)


def parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist()
                if n.endswith((".xml", ".rels"))}


def report_part(files: dict[str, str]) -> str:
    rid = re.search(r'<sheet name="Report" sheetId="\d+" r:id="(rId\d+)"', files["xl/workbook.xml"])
    assert rid is not None
    target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"',
                       files["xl/_rels/workbook.xml.rels"])
    assert target is not None
    return "xl/" + target.group(1)


def test_the_workbook_report_has_chart_parts_related_to_its_sheet(tmp_path: Path) -> None:
    path = sync_xlsx_path = workbook(tmp_path / "plan.xlsx", posts())
    sync_xlsx(sync_xlsx_path)
    files = parts(path)
    sheet = report_part(files)
    rels = files[sheet.replace("worksheets/", "worksheets/_rels/") + ".rels"]
    assert '<drawing r:id="rId1"/>' in files[sheet]
    drawing = "xl/" + re.sub(r"^\.\./", "", re.search(r'Target="([^"]+)"', rels).group(1))
    assert drawing in files and drawing.startswith("xl/drawings/")
    charts = re.findall(r'Target="\.\./charts/(chart\d+\.xml)"',
                        files[drawing.replace("drawings/", "drawings/_rels/") + ".rels"])
    assert len(charts) == 4
    for name in charts:
        assert f'PartName="/xl/charts/{name}"' in files["[Content_Types].xml"]
    xml = "".join(files[f"xl/charts/{name}"] for name in charts)
    # every chart reads the Report's own cells: the pipeline's statuses and counts
    first = TABLES_ROW + 3  # the first data row, 1-based
    assert f"<c:f>'Report'!$A${first}:$A${first + 10}</c:f>" in xml
    assert f"<c:f>'Report'!$B${first}:$B${first + 10}</c:f>" in xml
    assert "<c:lineChart>" in xml  # the SLA and the contract are lines over the bars
    # openpyxl reads the charts back where they are anchored
    report = openpyxl.load_workbook(path)["Report"]
    assert sorted((c.anchor._from.row, c.anchor._from.col) for c in report._charts) == [
        (5, 0), (5, RIGHT), (18, 0), (18, RIGHT)]


def test_a_second_write_keeps_the_same_chart_parts(tmp_path: Path) -> None:
    path = workbook(tmp_path / "plan.xlsx", posts())
    sync_xlsx(path)
    before = {n for n in parts(path) if "/charts/" in n or "/drawings/" in n}
    workbook(path, posts(3))  # a third client: the tables and charts change
    sync_xlsx(path, NOW + dt.timedelta(minutes=5))
    files = parts(path)
    assert {n for n in files if "/charts/" in n or "/drawings/" in n} == before
    assert "Client C" in "".join(files[n] for n in before if "/charts/chart" in n)


def test_the_workbook_report_styles_titles_headers_and_prints_one_page_wide(
        tmp_path: Path) -> None:
    path = workbook(tmp_path / "plan.xlsx", posts())
    sync_xlsx(path)
    report = openpyxl.load_workbook(path)["Report"]
    assert report["A1"].font.b and report["A1"].font.sz == 16
    title = report.cell(TABLES_ROW + 1, 1)
    header = report.cell(TABLES_ROW + 2, 1)
    assert title.value == "Pipeline" and title.font.b
    assert header.value == "Status" and header.font.b and header.fill.fgColor.rgb == "FFBDD7EE"
    right = report.cell(TABLES_ROW + 2, RIGHT + 3)
    assert right.value == "Median hours" and right.font.b and right.alignment.wrap_text
    assert report.page_setup.orientation == "landscape"
    assert (report.page_setup.fitToWidth, report.page_setup.fitToHeight) == (1, 0)
    assert report.oddFooter.left.text == "plan · Report"
    assert report.freeze_panes == "A5"  # the header block stays on screen


# --------------------------------------------------------------------------------------------
# Google


def test_google_charts_are_added_with_the_tab_and_later_cycles_write_values_only() -> None:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Plan", sheets={"Calendar": [COLUMNS, *posts()]},
                                   time_zone="Europe/Istanbul")
    store = StateStore(":memory:")
    config = from_dict({"calendars": [{"name": "cal", "backend": "memory", "tab": "Calendar",
                                       "rules": RULES}]}).calendars[0]

    def backend() -> GoogleBackend:
        return GoogleBackend(sheet, session=api.session(), cache=store.cache("cal"),
                             policy=RetryPolicy(sleep=lambda s: None), bucket=TokenBucket(10**4))

    api.reset_log()
    run_once(config, backend(), store, NOW)  # with Drive's version before the read and
    assert api.requests.kinds() == ["drive.files.get", "spreadsheets.get",  # around the write
                                    "values.batchGet", "drive.files.get",
                                    "spreadsheets.batchUpdate", "values.batchUpdate",
                                    "drive.files.get"]
    update = next(r for r in api.requests if r.kind == "spreadsheets.batchUpdate").body
    added = [r["addChart"]["chart"] for r in update["requests"] if "addChart" in r]
    assert len(added) == 4
    meta = api.spreadsheet(sheet)
    report = next(s for s in meta["sheets"] if s["properties"]["title"] == "Report")
    report_id = report["properties"]["sheetId"]
    assert len(report["charts"]) == 4
    pipeline = next(c for c in added if c["spec"]["title"] == "Pipeline")
    source = pipeline["spec"]["basicChart"]["domains"][0]["domain"]["sourceRange"]["sources"][0]
    # the header row and the eleven statuses below it, for good
    assert source == {"sheetId": report_id, "startRowIndex": TABLES_ROW + 1,
                      "endRowIndex": TABLES_ROW + 13, "startColumnIndex": 0,
                      "endColumnIndex": 1}
    turnaround = next(c for c in added if c["spec"]["title"].startswith("Approval"))
    assert turnaround["spec"]["basicChart"]["chartType"] == "COMBO"
    assert [s.get("type") for s in turnaround["spec"]["basicChart"]["series"]] == [
        "COLUMN", "COLUMN", "LINE"]

    status = COLUMNS.index("Status") + 1
    writer = backend()
    writer.write_cells("Calendar", {(3, status): "Idea"})  # the first History entry: its
    run_once(config, writer, store, NOW + dt.timedelta(minutes=5))  # dates get a format
    writer.write_cells("Calendar", {(6, status): "Idea"})  # 1B: the pipeline's counts change
    api.reset_log()
    result = run_once(config, backend(), store, NOW + dt.timedelta(minutes=10))
    assert "Report" in result.changed_tabs
    assert api.requests.kinds() == ["drive.files.get", "values.batchGet", "drive.files.get",
                                    "values.batchUpdate", "drive.files.get"]
    report = next(s for s in api.spreadsheet(sheet)["sheets"]
                  if s["properties"]["title"] == "Report")
    assert [c["chartId"] for c in report["charts"]] == [c["chartId"] for c in added]
    assert api.values(sheet, "Report")[TABLES_ROW + 2][:2] == ["Idea", 2]
