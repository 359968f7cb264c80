"""Tests for sheets_sync.backends.xlsx_write: owned tabs and guarded cell writes in a .xlsx zip."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import subprocess
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.styles import Font, PatternFill
from python_calamine import CalamineWorkbook

from sheets_sync.backends.xlsx_write import (
    WorkbookLocked,
    lock_file,
    replace_tabs,
    set_cells,
)
from sheets_sync.errors import SourceError

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# the parts replace_tabs may change when it adds tabs (besides the new sheet parts)
PACKAGE_PARTS = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
                 "xl/styles.xml"}
TRICKY = [
    '=HYPERLINK("http://x","y")', "+90 555 000", "-5", "@x", "=1+1", "'quoted",
    "Gönderi 😀 İptal ğüşıöçİ", "ქართული ენა", "line one\nline two", "windows\r\nbreak",
    "lone\rcr", "  padded  ", "tab\there", "a & b < c > d \"q\" 'a'", "]]> cdata",
]
# characters XML 1.0 cannot hold, and literal text that looks like Excel's _xHHHH_ escape
CONTROL = ["bell\x07 nul\x00 vt\x0b ff\x0c esc\x1b", "_x0041_ stays literal", "_x005F_",
           "__x0001__", "_X0041_ upper", "x_x1234"]


def _png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))


class _RawPng(Image):  # type: ignore[misc]
    """An openpyxl image from PNG bytes that needs no Pillow."""

    def __init__(self, data: bytes) -> None:
        self.ref, self.width, self.height, self.format = data, 2, 2, "png"
        self.anchor = "H20"

    def _data(self) -> bytes:
        return self.ref  # type: ignore[no-any-return]


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return client_workbook(tmp_path / "client.xlsx")


def client_workbook(path: Path) -> Path:
    """A client's workbook: calendar with comments, formats and a formula, a chart and an image."""
    wb = openpyxl.Workbook()
    cal = wb.active
    cal.title = "Calendar"
    cal.append(["ID", "Publish date", "Status", "Caption", "Revisions"])
    cal.append(["P1", dt.date(2026, 3, 2), "Draft", "Merhaba 😀", 1])
    cal.append([None, dt.date(2026, 3, 3), "Client review", "İkinci\ngönderi", 3])
    cal.append(["P3", dt.date(2026, 3, 4), "Approved", "Üçüncü", 0])
    cal["C2"].fill = PatternFill("solid", fgColor="FFFF00")
    cal["C2"].font = Font(bold=True, color="FF0000")
    cal["D2"].comment = Comment("Client: shorter please", "Elif")
    cal["F2"] = "=SUM(E2:E4)"
    for cell in cal["B"][1:]:
        cell.number_format = "dd.mm.yyyy"
    chart = BarChart()
    chart.add_data(Reference(cal, min_col=5, min_row=1, max_row=4), titles_from_data=True)
    cal.add_chart(chart, "H2")
    cal.add_image(_RawPng(_png()))
    notes = wb.create_sheet("Notes")
    notes["A1"] = "Agency notes"
    notes["B2"] = 42
    wb.save(path)
    return path


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _calamine(path: Path, tab: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(tab).to_python()  # type: ignore[no-any-return]


def _openpyxl(path: Path, tab: str) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path)[tab].iter_rows(values_only=True))


def _sheet_part(path: Path, tab: str) -> str:
    with zipfile.ZipFile(path) as zf:
        root = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    rid = next(s.get(f"{{{_REL}}}id") for s in root.iter(f"{MAIN}sheet") if s.get("name") == tab)
    target = str(next(r.get("Target") for r in rels if r.get("Id") == rid))
    return target[1:] if target.startswith("/") else "xl/" + target


_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

OUTPUT = {
    "Status": [
        ["Severity", "Code", "Post", "Row", "Publish date", "First seen", "Message"],
        ["error", "approval-missing", "P1", 2, dt.date(2026, 3, 2), dt.datetime(2026, 3, 1, 9, 30),
         "Get approval from the client"],
        ["warning", "feedback-overdue", None, 3, dt.date(2026, 3, 3), None, TRICKY[6]],
    ],
    "Report": [["Last sync", dt.datetime(2026, 3, 1, 10, 5)], ["Posts", 3], ["Ratio", 0.75],
               ["On time", True], ["Late", False], [], ["Pipeline"]],
    "History": [["Time", "Post", "Field", "Old", "New"],
                *[[dt.datetime(2026, 3, 1, 8, i), f"P{i}", "caption", t, t]
                  for i, t in enumerate(TRICKY)]],
}


def _styles(data: bytes) -> tuple[dict[str, str], list[bytes], list[bytes]]:
    root = ElementTree.fromstring(data)
    fmts = {e.get("numFmtId", ""): e.get("formatCode", "") for e in root.iter(f"{MAIN}numFmt")}
    xfs = root.find(f"{MAIN}cellXfs")
    fonts = root.find(f"{MAIN}fonts")
    assert xfs is not None and fonts is not None
    return fmts, [ElementTree.tostring(x) for x in xfs], [ElementTree.tostring(f) for f in fonts]


def test_adding_tabs_keeps_every_other_part_byte_identical(book: Path) -> None:
    before = _entries(book)
    assert replace_tabs(book, OUTPUT) is True
    after = _entries(book)

    new_parts = set(after) - set(before)
    assert len(new_parts) == 3 and all(p.startswith("xl/worksheets/sheet") for p in new_parts)
    assert set(before) <= set(after)
    for name, data in before.items():
        if name not in PACKAGE_PARTS:
            assert after[name] == data, name
    assert openpyxl.load_workbook(book).sheetnames == ["Calendar", "Notes", "Status", "Report",
                                                        "History"]
    # styles.xml is only appended to: old numFmt ids, fonts and cellXfs keep their meaning
    fmts_before, xfs_before, fonts_before = _styles(before["xl/styles.xml"])
    fmts_after, xfs_after, fonts_after = _styles(after["xl/styles.xml"])
    assert fmts_after.items() >= fmts_before.items()
    assert xfs_after[: len(xfs_before)] == xfs_before and len(xfs_after) > len(xfs_before)
    assert fonts_after[: len(fonts_before)] == fonts_before
    # the calendar still reads the same, comment, image and chart included
    wb = openpyxl.load_workbook(book)
    assert wb["Calendar"]["D2"].comment.text == "Client: shorter please"
    assert wb["Calendar"]["B2"].number_format == "dd.mm.yyyy"
    assert any(n.startswith("xl/media/image") for n in after)
    assert any(n.startswith("xl/charts/chart") for n in after)
    with zipfile.ZipFile(book) as zf:
        assert zf.testzip() is None


def test_values_round_trip_through_calamine_and_openpyxl(book: Path) -> None:
    replace_tabs(book, OUTPUT)
    for tab, rows in OUTPUT.items():
        width = max(len(r) for r in rows)
        want = [[v for v in r] + [None] * (width - len(r)) for r in rows]
        cal = [[None if v == "" else v for v in r] for r in _calamine(book, tab)]
        assert cal == want[: len(cal)], tab
        opx = [list(r) for r in _openpyxl(book, tab)]
        # openpyxl reads date-formatted cells as datetimes, whatever their time part
        opx = [[v.date() if isinstance(w, dt.date) and not isinstance(w, dt.datetime) else v
                for v, w in zip(r, wr)] for r, wr in zip(opx, want)]
        assert opx == want[: len(opx)], tab
    cal_types = [type(v) for v in _calamine(book, "Status")[1]]
    assert cal_types[3:6] == [float, dt.date, dt.datetime]  # numbers stay numbers, dates dates
    with zipfile.ZipFile(book) as zf:
        sheet = zf.read(_sheet_part(book, "History")).decode()
    assert "<f>" not in sheet and "<f " not in sheet and 't="inlineStr"' in sheet


def test_control_characters_and_x_escapes(tmp_path: Path) -> None:
    """Excel-style _xHHHH_ escapes: calamine decodes them exactly; openpyxl leaves them as text."""
    path = tmp_path / "ctl.xlsx"
    openpyxl.Workbook().save(path)
    rows = [["text"], *[[t] for t in CONTROL], ["bad \ufffe \uffff end"]]
    replace_tabs(path, {"Status": rows})
    got = [r[0] for r in _calamine(path, "Status")]
    assert got[:-1] == [r[0] for r in rows[:-1]]
    assert got[-1] == "bad \ufffd \ufffd end"  # XML non-characters become U+FFFD
    opx = [r[0] for r in _openpyxl(path, "Status")]
    assert opx[1] == "bell_x0007_ nul_x0000_ vt_x000B_ ff_x000C_ esc_x001B_"
    assert opx[2] == "_x005F_x0041_ stays literal"
    assert opx[5] == "_X0041_ upper" and opx[6] == "x_x1234"  # no escape needed


def test_special_values(tmp_path: Path) -> None:
    path = tmp_path / "special.xlsx"
    openpyxl.Workbook().save(path)
    aware = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    rows: list[list[Any]] = [["h"], ["", float("nan"), float("inf"), -float("inf"), 7],
                             [dt.date(1900, 1, 5), dt.datetime(1900, 2, 1, 12), aware, 10**15]]
    replace_tabs(path, {"Status": rows})
    assert _calamine(path, "Status")[1:] == [
        ["", "", "inf", "-inf", 7.0],
        ["1900-01-05", "1900-02-01T12:00:00", dt.datetime(2026, 3, 1, 9, 30), 1e15, ""]]


def test_unchanged_output_writes_nothing_and_changes_rewrite_only_owned_parts(book: Path) -> None:
    replace_tabs(book, OUTPUT)
    first = book.read_bytes()
    stamp = book.stat().st_mtime_ns
    time.sleep(0.01)
    assert replace_tabs(book, OUTPUT) is False
    assert book.read_bytes() == first and book.stat().st_mtime_ns == stamp

    before = _entries(book)
    changed = {**OUTPUT, "Report": [["Last sync", dt.datetime(2026, 3, 1, 10, 10)], ["Posts", 4]]}
    assert replace_tabs(book, changed) is True
    after = _entries(book)
    assert set(after) == set(before)
    assert {n for n in after if after[n] != before[n]} == {_sheet_part(book, "Report")}
    assert _calamine(book, "Report") == [["Last sync", dt.datetime(2026, 3, 1, 10, 10)],
                                         ["Posts", 4.0]]
    assert replace_tabs(book, changed) is False


def test_existing_owned_tab_keeps_its_part_and_position(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("Status", 0)["A1"] = "old"
    wb.save(book)
    part = _sheet_part(book, "Status")
    replace_tabs(book, {"Status": OUTPUT["Status"]})
    assert _sheet_part(book, "Status") == part
    assert openpyxl.load_workbook(book).sheetnames == ["Status", "Calendar", "Notes"]
    assert _calamine(book, "Status")[0][0] == "Severity"
    replace_tabs(book, {"Status": []})
    assert _openpyxl(book, "Status") in ([], [(None,)])


@pytest.mark.parametrize("spelling", ["~${}", ".~lock.{}#"])
def test_lock_files_block_every_write(book: Path, spelling: str) -> None:
    assert lock_file(book) is None
    lock = book.with_name(spelling.format(book.name))
    lock.write_text("someone")
    before = book.read_bytes()
    assert lock_file(book) == lock
    with pytest.raises(WorkbookLocked, match="close the workbook") as info:
        replace_tabs(book, OUTPUT)
    assert lock.name in str(info.value) and info.value.exit_code == 3
    with pytest.raises(WorkbookLocked):
        set_cells(book, "Calendar", {(3, 1): "P2"})
    assert book.read_bytes() == before


def test_failed_replace_leaves_the_original_and_no_temp_file(
    book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = book.read_bytes()
    listing = sorted(os.listdir(book.parent))

    def broken(src: Any, dst: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(SourceError, match="No space left"):
        replace_tabs(book, OUTPUT)
    with pytest.raises(SourceError):
        set_cells(book, "Calendar", {(3, 1): "P2"})
    monkeypatch.undo()
    with pytest.raises(TypeError, match="cell B2"):
        replace_tabs(book, {"Status": [["a", "b"], ["x", object()]]})
    assert book.read_bytes() == before
    assert sorted(os.listdir(book.parent)) == listing


def test_file_mode_is_kept(book: Path) -> None:
    book.chmod(0o640)
    replace_tabs(book, OUTPUT)
    assert book.stat().st_mode & 0o777 == 0o640


def test_set_cells_changes_only_those_cells(book: Path) -> None:
    replace_tabs(book, OUTPUT)
    before = _entries(book)
    cal_part = _sheet_part(book, "Calendar")
    set_cells(book, "Calendar", {(3, 1): "P2", (2, 3): "On hold", (4, 7): 5, (9, 2): "new row"})
    after = _entries(book)
    assert {n for n in after if after.get(n) != before.get(n)} == {cal_part}
    ws = openpyxl.load_workbook(book)["Calendar"]
    assert ws["A3"].value == "P2" and ws["C2"].value == "On hold"
    assert ws["C2"].font.b and ws["C2"].fill.fgColor.rgb == "00FFFF00"  # style kept
    assert ws["G4"].value == 5 and ws["B9"].value == "new row"
    assert ws["D2"].comment.text == "Client: shorter please"
    assert ws["D3"].value == "İkinci\ngönderi" and ws["F2"].value == "=SUM(E2:E4)"
    assert ws["B2"].value == dt.datetime(2026, 3, 2) and ws["B2"].number_format == "dd.mm.yyyy"
    assert ws.max_row == 9 and ws.max_column == 7
    cal = _calamine(book, "Calendar")
    assert cal[2][0] == "P2" and cal[1][2] == "On hold" and cal[8][1] == "new row"


def test_set_cells_keeps_date_style_and_clears(book: Path) -> None:
    set_cells(book, "Calendar",
              {(2, 2): dt.date(2026, 4, 1), (4, 1): None, (2, 9): dt.date(2026, 5, 1)})
    ws = openpyxl.load_workbook(book)["Calendar"]
    assert ws["B2"].value == dt.datetime(2026, 4, 1) and ws["B2"].number_format == "dd.mm.yyyy"
    assert ws["I2"].value == dt.datetime(2026, 5, 1) and ws["I2"].number_format == "yyyy-mm-dd"
    assert ws["A4"].value is None and ws["B4"].value == dt.datetime(2026, 3, 4)


def test_set_cells_refuses_formulas_and_unknown_tabs(book: Path) -> None:
    before = book.read_bytes()
    with pytest.raises(SourceError, match="formula"):
        set_cells(book, "Calendar", {(2, 6): 1})
    with pytest.raises(SourceError, match="no worksheet named 'calendar'"):
        set_cells(book, "calendar", {(2, 1): "x"})
    assert book.read_bytes() == before


def test_tab_names_are_exact_and_checked(book: Path) -> None:
    with pytest.raises(SourceError, match="differ only in case"):
        replace_tabs(book, {"notes": [["x"]]})
    with pytest.raises(SourceError, match=r"1-31 characters"):
        replace_tabs(book, {"a/b": [["x"]]})
    assert replace_tabs(book, {"Ar&Ge <rapor> 😀": [["x"]]}) is True
    assert "Ar&Ge <rapor> 😀" in openpyxl.load_workbook(book).sheetnames


def test_unreadable_workbooks_are_source_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(SourceError, match=r"bad\.xlsx"):
        replace_tabs(bad, {"Status": [["x"]]})
    with pytest.raises(SourceError, match="not found"):
        replace_tabs(tmp_path / "missing.xlsx", {"Status": [["x"]]})


def test_replaced_formula_tab_drops_calc_chain(book: Path) -> None:
    wb = openpyxl.load_workbook(book)
    wb.create_sheet("Report")["A1"] = "=1+2"
    wb.save(book)
    # openpyxl writes no calcChain: add one as Excel would
    parts = _entries(book)
    parts["xl/calcChain.xml"] = (b'<calcChain xmlns="http://schemas.openxmlformats.org/'
                                 b'spreadsheetml/2006/main"><c r="A1" i="3"/></calcChain>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.'
        b'openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>')
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    replace_tabs(book, {"Report": [["plain"]]})
    after = _entries(book)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in after["[Content_Types].xml"]
    assert _calamine(book, "Report") == [["plain"]]


def test_1904_date_system(tmp_path: Path) -> None:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    path = tmp_path / "mac.xlsx"
    wb = openpyxl.Workbook()
    wb.epoch = CALENDAR_MAC_1904
    wb.save(path)
    when = dt.datetime(2026, 3, 1, 9, 30)
    replace_tabs(path, {"Status": [["When", "Day"], [when, dt.date(2026, 3, 2)]]})
    assert _openpyxl(path, "Status")[1] == (when, dt.datetime(2026, 3, 2))
    assert _calamine(path, "Status")[1] == [when, dt.date(2026, 3, 2)]


@pytest.mark.parametrize("x", ["", "x:"])
def test_bare_workbook_prefixes_and_implicit_positions(tmp_path: Path, x: str) -> None:
    """A bare package: no styles part, maybe prefixed XML, rows and cells without r="…"."""
    ns = "http://schemas.openxmlformats.org"
    main = f'xmlns{":" + x[:-1] if x else ""}="{ns}/spreadsheetml/2006/main"'
    path = tmp_path / "bare.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", (
            f'<Types xmlns="{ns}/package/2006/content-types"><Default Extension="rels" '
            f'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>'))
        zf.writestr("_rels/.rels", (
            f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{ns}/officeDocument/2006/relationships/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'))
        zf.writestr("xl/workbook.xml", (
            f'<{x}workbook {main} xmlns:r="{ns}/officeDocument/2006/relationships"><{x}sheets>'
            f'<{x}sheet name="Calendar" sheetId="1" r:id="rId1"/></{x}sheets></{x}workbook>'))
        zf.writestr("xl/_rels/workbook.xml.rels", (
            f'<Relationships xmlns="{ns}/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="{ns}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'))
        zf.writestr("xl/worksheets/sheet1.xml", (
            f'<{x}worksheet {main}><{x}dimension ref="A1:B3"/><{x}sheetData><{x}row>'
            f'<{x}c t="inlineStr"><{x}is><{x}t>ID</{x}t></{x}is></{x}c></{x}row><{x}row r="3">'
            f'<{x}c r="B3"><{x}v>5</{x}v></{x}c></{x}row></{x}sheetData></{x}worksheet>'))
    assert replace_tabs(path, {"Status": [["Day"], [dt.date(2026, 3, 2)]]}) is True
    assert replace_tabs(path, {"Status": [["Day"], [dt.date(2026, 3, 2)]]}) is False
    assert _openpyxl(path, "Status") == [("Day",), (dt.datetime(2026, 3, 2),)]
    assert _calamine(path, "Status") == [["Day"], [dt.date(2026, 3, 2)]]
    set_cells(path, "Calendar", {(1, 2): "Status", (2, 1): 1, (3, 1): "P3", (5, 3): True})
    assert _calamine(path, "Calendar") == [["ID", "Status", ""], [1.0, "", ""],
                                           ["P3", 5.0, ""], ["", "", ""], ["", "", True]]
    assert [list(r) for r in _openpyxl(path, "Calendar")] == [
        ["ID", "Status", None], [1, None, None], ["P3", 5, None], [None] * 3, [None, None, True]]
    with zipfile.ZipFile(path) as zf:
        assert f'<{x}dimension ref="A1:C5"/>' in zf.read("xl/worksheets/sheet1.xml").decode()


def test_large_history_tab_round_trips(tmp_path: Path) -> None:
    """A 100,000-row History tab is written and read back (its speed is in bench/)."""
    path = tmp_path / "big.xlsx"
    openpyxl.Workbook().save(path)
    start = dt.datetime(2026, 1, 1, 9, 0)
    rows: list[list[Any]] = [["Time", "Post", "Field", "Old", "New", "Round", "Score", "Day",
                              "Approved", "Note"]]
    rows += [[start + dt.timedelta(minutes=i), f"P{i}", "caption", f"eski metin {i}",
              f"yeni metin {i} 😀", i % 7, i / 3, dt.date(2026, 1, 1 + i % 28), i % 2 == 0,
              None if i % 3 else "not"] for i in range(100_000)]
    assert replace_tabs(path, {"History": rows}) is True
    last = _calamine(path, "History")[-1]
    assert last[:3] == [start + dt.timedelta(minutes=99_999), "P99999", "caption"]


def test_libreoffice_opens_the_synced_workbook(book: Path, tmp_path: Path) -> None:
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        pytest.skip("LibreOffice (soffice/libreoffice) is not on PATH; "
                    "apt-get install libreoffice-calc to run this check")
    replace_tabs(book, OUTPUT)
    set_cells(book, "Calendar", {(3, 1): "P2"})
    out = tmp_path / "pdf"
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run([office, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(out), str(book)], check=True, capture_output=True,
                   timeout=300)
    pdf = out / (book.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 1000
    # and LibreOffice reads our cells back: convert the Status tab to CSV
    subprocess.run([office, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "xlsx", "--outdir", str(out), str(book)], check=True, capture_output=True,
                   timeout=300)
    resaved = out / book.name
    assert _calamine(resaved, "Status")[1][:4] == ["error", "approval-missing", "P1", 2.0]
    assert [r[3] for r in _calamine(resaved, "History")[1:10]] == TRICKY[:9]
