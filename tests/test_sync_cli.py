"""sync, init, history and state reset through the command line, on real workbooks."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from click.testing import CliRunner

from sheets_sync.cli import main
from sheets_sync.state import StateStore


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def fingerprint(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_init_then_sync_twice_writes_once(tmp_path: Path) -> None:
    code, out, _ = run("init", str(tmp_path / "demo"))
    assert code == 0 and "sheets-sync.toml" in out
    config = tmp_path / "demo" / "sheets-sync.toml"
    workbook = tmp_path / "demo" / "calendar.xlsx"
    before = entries(workbook)
    code, out, err = run("sync", "--config", str(config), "--today", "2026-03-10")
    assert code == 0, err
    assert "wrote Status, Report, History" in out
    after = entries(workbook)
    assert before["xl/worksheets/sheet1.xml"] == after["xl/worksheets/sheet1.xml"]
    assert {n for n in before if before[n] != after.get(n)} <= {
        "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
        "docProps/app.xml", "xl/styles.xml"}
    stamp = fingerprint(workbook)
    code, out, _ = run("sync", "--config", str(config), "--today", "2026-03-10")
    assert code == 0 and "wrote nothing (no change)" in out
    assert fingerprint(workbook) == stamp
    code, _, err = run("init", str(tmp_path / "demo"))
    assert code == 2 and "already exist" in err


def test_sync_of_a_path_keeps_state_beside_it_and_history_shows_changes(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    workbook = tmp_path / "calendar.xlsx"
    assert run("sync", str(workbook), "--today", "2026-03-10", "--quiet") == (0, "", "")
    assert (tmp_path / "calendar.sheets-sync.db").exists()
    code, out, _ = run("history", "KD-008", "--path", str(workbook))
    assert code == 0 and "no recorded changes for post 'KD-008'" in out


def test_dry_run_prints_cell_changes_and_writes_nothing(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    workbook = tmp_path / "calendar.xlsx"
    stamp = fingerprint(workbook)
    code, out, _ = run("sync", str(workbook), "--today", "2026-03-10", "--dry-run")
    assert code == 0
    assert "Status!A1: (blank) -> 'Severity'" in out
    assert "would write Status, Report, History" in out
    assert fingerprint(workbook) == stamp
    assert not (tmp_path / "calendar.sheets-sync.db").exists() or StateStore(
        str(tmp_path / "calendar.sheets-sync.db")).runs("calendar") == []


def test_sync_refuses_while_the_workbook_is_open_in_excel(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    workbook = tmp_path / "calendar.xlsx"
    (tmp_path / "~$calendar.xlsx").write_bytes(b"owner")
    stamp = fingerprint(workbook)
    code, _, err = run("sync", str(workbook), "--today", "2026-03-10")
    assert code == 3 and "~$calendar.xlsx" in err
    assert fingerprint(workbook) == stamp


def test_state_reset_forgets_a_calendar(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    workbook = tmp_path / "calendar.xlsx"
    run("sync", str(workbook), "--today", "2026-03-10")
    code, out, _ = run("state", "reset", "--path", str(workbook), "--yes")
    assert code == 0 and "forgot everything about calendar 'calendar'" in out
    assert StateStore(str(tmp_path / "calendar.sheets-sync.db")).runs("calendar") == []


KILL_BETWEEN_WRITE_AND_SAVE = textwrap.dedent("""
    import os, signal, sys
    from sheets_sync import state
    from sheets_sync.cli import main
    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    state.StateStore.save = die
    sys.argv = ["sheets-sync", "sync", sys.argv[1], "--today", "2026-03-10"]
    main()
""")


def test_a_cycle_killed_between_write_and_save_is_redone_cleanly(tmp_path: Path) -> None:
    from sheets_sync.backends.files import read_tabs
    from sheets_sync.backends.xlsx_write import set_cells

    run("init", str(tmp_path))
    workbook = tmp_path / "calendar.xlsx"
    assert run("sync", str(workbook), "--today", "2026-03-09")[0] == 0
    set_cells(workbook, "Calendar", {(2, 11): "Approved"})  # a staff member edits a status
    killed = subprocess.run([sys.executable, "-c", KILL_BETWEEN_WRITE_AND_SAVE, str(workbook)],
                            capture_output=True, timeout=120, check=False)
    assert killed.returncode == -signal.SIGKILL
    history_tab = read_tabs(workbook, "Calendar", ["History"])[1]["History"]
    assert history_tab is not None and len(history_tab) == 2  # written, but state not saved
    code, out, err = run("sync", str(workbook), "--today", "2026-03-10")
    assert code == 0, err
    assert "History" not in out.split("wrote")[-1]  # the same History, not appended again
    store = StateStore(str(tmp_path / "calendar.sheets-sync.db"))
    assert [(h.post_id, h.field) for h in store.history("calendar")] == [("NT-001", "status")]
    history_tab = read_tabs(workbook, "Calendar", ["History"])[1]["History"]
    assert history_tab is not None and len(history_tab) == 2
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def rich_workbook(path: Path) -> Path:
    """A client's calendar with comments, formats, a formula, a chart and an image."""
    import datetime as dt

    import openpyxl
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill
    from test_xlsx_write import _png, _RawPng

    wb = openpyxl.Workbook()
    cal = wb.active
    cal.title = "Calendar"
    cal.append(["ID", "Channel", "Publish date", "Status", "Caption", "Revision round"])
    cal.append(["P1", "Instagram", dt.datetime(2026, 3, 11, 10), "Client review",
                "=HYPERLINK(\"http://x\",\"y\")", 1])
    cal.append(["P2", "X", dt.datetime(2026, 3, 12, 10), "Draft", "İkinci\ngönderi 😀", 3])
    cal["E2"].data_type = "s"  # a caption that only looks like a formula
    cal["D2"].fill = PatternFill("solid", fgColor="FFFF00")
    cal["E3"].comment = Comment("Client: shorter please", "Elif")
    cal["H2"] = "=SUM(F2:F3)"
    chart = BarChart()
    chart.add_data(Reference(cal, min_col=6, min_row=1, max_row=3), titles_from_data=True)
    cal.add_chart(chart, "J2")
    cal.add_image(_RawPng(_png()))
    wb.create_sheet("Notes")["A1"] = "Agency notes"
    wb.save(path)
    return path


def test_sync_keeps_images_charts_and_comments_and_office_suites_read_it(
        tmp_path: Path) -> None:
    import shutil

    import openpyxl
    from python_calamine import CalamineWorkbook

    workbook = rich_workbook(tmp_path / "client.xlsx")
    before = entries(workbook)
    code, _, err = run("sync", str(workbook), "--today", "2026-03-10")
    assert code == 0, err
    after = entries(workbook)
    registering = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                   "docProps/app.xml", "xl/styles.xml"}
    changed = {n for n in before if before[n] != after[n]}
    assert changed <= registering
    assert any("drawing" in n for n in before) and any("chart" in n for n in before)
    assert any("comments" in n for n in before)
    assert set(after) - set(before)  # the three new sheet parts
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["Calendar", "Notes", "Status", "Report", "History"]
    status = [r for r in book["Status"].iter_rows(values_only=True)]
    assert status[0][:3] == ("Severity", "What", "Post")
    calamine = CalamineWorkbook.from_path(str(workbook))
    assert calamine.get_sheet_by_name("Status").to_python()[0][0] == "Severity"
    assert book["Calendar"]["E2"].value == "=HYPERLINK(\"http://x\",\"y\")"
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office:
        converted = subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir",
                                    str(tmp_path / "pdf"), str(workbook)],
                                   capture_output=True, timeout=180, check=False)
        assert converted.returncode == 0 and (tmp_path / "pdf" / "client.pdf").exists()
