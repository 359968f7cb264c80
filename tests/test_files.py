"""Tests for sheets_sync.backends.files: reading workbook tabs and delimited text files."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.backends.files import TabGrid, list_tabs, read_tab
from sheets_sync.errors import CalendarError, SourceError, UsageError

MULTILINGUAL = "Yayın tarihi 😀 İptal şğüöç\nქართული ენა\r\nsecond line"
# openpyxl writes a bare CR into the XML, where XML parsing normalises it to LF, so
# workbook tests use LF only (Excel itself stores a CR as _x000D_, see below)
XLSX_TEXT = "Yayın tarihi 😀 İptal şğüöç\nქართული ენა\n\nsecond line  "


def _workbook(path: Path, tabs: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in tabs.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def _digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


# --------------------------------------------------------------------------------------------
# workbooks: values


def test_typed_values_come_back_as_calamine_returns_them(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "calendar.xlsx",
        {
            "Takvim": [
                ["ID", "Yayın tarihi", "Metin"],
                [
                    1,
                    dt.datetime(2024, 5, 1, 14, 30),
                    XLSX_TEXT,
                    dt.date(2024, 5, 2),
                    dt.datetime(2024, 5, 3, 0, 0),
                    dt.time(10, 15),
                    dt.timedelta(hours=1, minutes=30),
                    2.5,
                    True,
                    False,
                    -7,
                ],
            ]
        },
    )
    grid = read_tab(path)
    assert isinstance(grid, TabGrid)
    assert grid.tab == "Takvim"
    assert grid.source == "calendar.xlsx, tab 'Takvim'"
    assert grid.rows[0] == ["ID", "Yayın tarihi", "Metin"] + [None] * 8
    row = grid.rows[1]
    # calamine reads every number as float, integral ones too
    assert row[0] == 1 and type(row[0]) is float
    assert row[10] == -7.0 and type(row[10]) is float
    assert row[1] == dt.datetime(2024, 5, 1, 14, 30) and type(row[1]) is dt.datetime
    # text round-trips exactly: line breaks, emoji, Turkish, Georgian, trailing spaces
    assert row[2] == XLSX_TEXT
    # a date-only cell comes back as a date ...
    assert row[3] == dt.date(2024, 5, 2) and type(row[3]) is dt.date
    # ... and so does a datetime at midnight: calamine drops a zero time part
    assert row[4] == dt.date(2024, 5, 3) and type(row[4]) is dt.date
    assert row[5] == dt.time(10, 15) and type(row[5]) is dt.time
    assert row[6] == dt.timedelta(hours=1, minutes=30) and type(row[6]) is dt.timedelta
    assert row[7] == 2.5
    assert row[8] is True and row[9] is False


def test_custom_date_format_and_time_format_cells(tmp_path: Path) -> None:
    path = tmp_path / "formats.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Takvim"
    ws["A1"] = 45413  # 2024-05-01 as a serial with a Turkish date format
    ws["A1"].number_format = "dd.mm.yyyy"
    ws["B1"] = 45413.75
    ws["B1"].number_format = "dd.mm.yyyy hh:mm"
    ws["C1"] = 0.5
    ws["C1"].number_format = "h:mm"
    ws["D1"] = 45413
    wb.save(path)
    assert read_tab(path).rows == [
        [dt.date(2024, 5, 1), dt.datetime(2024, 5, 1, 18, 0), dt.time(12, 0), 45413.0]
    ]


def test_excel_escaped_carriage_return_reads_back_as_cr(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "cr.xlsx", {"Takvim": [["line one_x000D_\nline two"]]})
    assert read_tab(path).rows == [["line one\r\nline two"]]


def test_empty_cells_are_none_and_rows_keep_sheet_positions(tmp_path: Path) -> None:
    path = tmp_path / "gaps.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Takvim"
    ws["C3"] = "header"
    ws["E5"] = "value"
    ws["B20"] = None  # touched but empty: not data
    wb.save(path)
    rows = read_tab(path).rows
    # row 0 is sheet row 1, column 0 is column A, even when data starts at C3
    assert len(rows) == 5
    assert rows[0] == [None] * 5
    assert rows[2][2] == "header"
    assert rows[4] == [None, None, None, None, "value"]
    assert all(v is None or isinstance(v, str) for r in rows for v in r)
    assert "" not in [v for r in rows for v in r]


def test_trailing_empty_rows_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "trailing.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Takvim"
    ws.append(["ID", "Status"])
    ws.append([1, "draft"])
    ws["A10"] = ""  # an empty string cell far below the data
    wb.save(path)
    assert read_tab(path).rows == [["ID", "Status"], [1.0, "draft"]]


def test_a_formula_never_calculated_reads_as_its_text(tmp_path: Path) -> None:
    path = tmp_path / "formulas.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Takvim"
    ws.append(["ID", "Status"])
    ws.append([1, "draft"])
    ws["B4"] = "=IF(A2>0,\"Approved\",\"Draft\")"  # openpyxl saves no cached value
    wb.save(path)
    rows = read_tab(path).rows  # calamine alone would read an empty cell
    assert rows[:2] == [["ID", "Status"], [1.0, "draft"]]
    assert rows[3][1] == "=IF(A2>0,\"Approved\",\"Draft\")"


def test_empty_tab_reads_as_no_rows(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", {"Takvim": []})
    grid = read_tab(path)
    assert grid.rows == []
    assert grid.tab == "Takvim"


# --------------------------------------------------------------------------------------------
# workbooks: tabs


def test_list_tabs_in_workbook_order(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", {"Rapor": [["x"]], "Takvim": [["y"]], "ქართ": []})
    assert list_tabs(path) == ["Rapor", "Takvim", "ქართ"]


def test_default_tab_is_first_not_skipped(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "c.xlsx",
        {"Sheets-Sync Report": [["r"]], "Findings": [["f"]], "Takvim": [["t"]], "Other": [["o"]]},
    )
    assert read_tab(path).tab == "Sheets-Sync Report"
    grid = read_tab(path, skip=["sheets-sync report", "FINDINGS"])
    assert grid.tab == "Takvim"
    assert grid.rows == [["t"]]
    assert grid.source == "c.xlsx, tab 'Takvim'"


def test_default_tab_prefers_visible_worksheets(tmp_path: Path) -> None:
    path = tmp_path / "hidden.xlsx"
    wb = openpyxl.Workbook()
    lists = wb.active
    lists.title = "Lists"
    lists.sheet_state = "hidden"
    lists.append(["lookup"])
    wb.create_sheet("Takvim").append(["ID"])
    wb.save(path)
    assert list_tabs(path) == ["Lists", "Takvim"]
    assert read_tab(path).tab == "Takvim"
    assert read_tab(path, tab="Lists").rows == [["lookup"]]


def test_explicit_tab_and_case_insensitive_fallback(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", {"First": [["1"]], "Takvim": [["2"]]})
    assert read_tab(path, tab="Takvim").rows == [["2"]]
    assert read_tab(path, tab="takvim").tab == "Takvim"
    # an explicit tab is read even if it is in the skip list
    assert read_tab(path, tab="First", skip=["First"]).rows == [["1"]]


def test_missing_tab_error_names_file_tab_and_existing_tabs(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "calendar.xlsx", {"Takvim": [], "Rapor": []})
    with pytest.raises(CalendarError) as info:
        read_tab(path, tab="Calendar")
    message = info.value.message
    assert "calendar.xlsx" in message
    assert "'Calendar'" in message
    assert "'Takvim'" in message and "'Rapor'" in message
    assert info.value.exit_code == 2


def test_every_tab_skipped_is_a_calendar_error(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", {"Report": []})
    with pytest.raises(CalendarError, match="Report"):
        read_tab(path, skip=["report"])


# --------------------------------------------------------------------------------------------
# workbooks: files that cannot be read


def test_missing_file_is_a_calendar_that_cannot_be_read(tmp_path: Path) -> None:
    missing = tmp_path / "nope.xlsx"
    for call in (lambda: read_tab(missing), lambda: list_tabs(missing)):
        with pytest.raises(SourceError) as info:
            call()
        assert info.value.message == f"calendar file not found: {missing}"
        assert info.value.exit_code == 3
    with pytest.raises(SourceError, match="not found"):
        read_tab(tmp_path / "nope.csv")


def test_unknown_file_type_is_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "calendar.json"
    path.write_text("{}")
    with pytest.raises(UsageError, match=r"\.json"):
        read_tab(path)


def _truncated(tmp_path: Path) -> bytes:
    good = _workbook(tmp_path / "good.xlsx", {"Takvim": [["x"] * 50] * 50})
    data = good.read_bytes()
    return data[: len(data) // 2]


def _not_a_workbook_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("case", "expect"),
    [
        ("garbage", "not a zip-based workbook"),
        ("empty", "empty"),
        ("truncated", "damaged"),
        ("zip", "damaged"),
        ("old_xls", "old-format Excel"),
    ],
)
def test_unreadable_workbook_is_source_error(tmp_path: Path, case: str, expect: str) -> None:
    data = {
        "garbage": bytes(range(256)) * 4,
        "empty": b"",
        "truncated": _truncated(tmp_path),
        "zip": _not_a_workbook_zip(),
        # an OLE2 compound file: an old .xls renamed, or an encrypted (password) workbook
        "old_xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024),
    }[case]
    path = tmp_path / "calendar.xlsx"
    path.write_bytes(data)
    for call in (lambda: read_tab(path), lambda: list_tabs(path)):
        with pytest.raises(SourceError) as info:
            call()
        message = info.value.message
        assert str(path) in message
        assert "is not a readable .xlsx workbook" in message
        assert expect in message
        assert info.value.exit_code == 3
    assert path.read_bytes() == data


def test_corrupt_sheet_xml_is_source_error(tmp_path: Path) -> None:
    good = _workbook(tmp_path / "good.xlsx", {"Takvim": [["x", 1]]})
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            payload = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                payload = payload[: len(payload) // 2] + b"<c r=<<<"
            dst.writestr(item, payload)
    with pytest.raises(SourceError, match=r"bad\.xlsx"):
        read_tab(bad)


def test_reading_a_workbook_leaves_it_unchanged(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "c.xlsx", {"Takvim": [["ID", XLSX_TEXT], [1, None]]})
    before = _digest(path)
    read_tab(path)
    list_tabs(path)
    assert _digest(path) == before


# --------------------------------------------------------------------------------------------
# delimited text


def test_csv_utf8_bom_values_are_str_and_empty_is_none(tmp_path: Path) -> None:
    path = tmp_path / "takvim.csv"
    path.write_bytes(codecs.BOM_UTF8 + "ID,Yayın tarihi,Durum\n1,01.05.2024,\n,,\n".encode())
    grid = read_tab(path)
    assert grid.tab == "takvim"
    assert grid.source == "takvim.csv"
    assert grid.rows == [["ID", "Yayın tarihi", "Durum"], ["1", "01.05.2024", None]]
    assert list_tabs(path) == ["takvim"]


def test_csv_tab_and_skip_do_not_apply(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("a,b\n")
    assert read_tab(path, tab="Takvim", skip=["export"]).rows == [["a", "b"]]


def test_csv_cp1254_turkish(tmp_path: Path) -> None:
    path = tmp_path / "turkce.csv"
    path.write_bytes("Yayın tarihi;Durum;Not\n01.05.2024;İptal;şğüöç ŞĞÜÖÇı\n".encode("cp1254"))
    assert read_tab(path).rows == [
        ["Yayın tarihi", "Durum", "Not"],
        ["01.05.2024", "İptal", "şğüöç ŞĞÜÖÇı"],
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_csv_utf16_with_bom(tmp_path: Path, encoding: str) -> None:
    text = "ID\tMetin\n1\t" + '"' + MULTILINGUAL + '"' + "\n"
    bom = {"utf-16": b"", "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}
    path = tmp_path / "unicode.txt"
    path.write_bytes(bom[encoding] + text.encode(encoding))
    assert read_tab(path).rows == [["ID", "Metin"], ["1", MULTILINGUAL]]


def test_delimiter_is_chosen_from_the_header(tmp_path: Path) -> None:
    semi = tmp_path / "semi.csv"
    semi.write_text("ID;Caption;Status\n1;Hello, world;draft\n", encoding="utf-8")
    assert read_tab(semi).rows == [["ID", "Caption", "Status"], ["1", "Hello, world", "draft"]]
    tabs = tmp_path / "tabs.tsv"
    tabs.write_text("ID\tCaption\n2\ta;b,c\n", encoding="utf-8")
    assert read_tab(tabs).rows == [["ID", "Caption"], ["2", "a;b,c"]]
    comma = tmp_path / "comma.csv"
    comma.write_text('"ID;x",Caption\n3,"x;y"\n', encoding="utf-8")
    assert read_tab(comma).rows == [["ID;x", "Caption"], ["3", "x;y"]]
    single = tmp_path / "single.csv"
    single.write_text("\n\nCaption\nhello; there\n", encoding="utf-8")  # blank lines kept
    assert read_tab(single).rows == [[], [], ["Caption"], ["hello; there"]]


def test_mixed_line_endings_and_multiline_fields(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(b'ID,Caption\r\n1,a\n2,b\r3,"line one\r\nline two"\r\n\r\n')
    assert read_tab(path).rows == [
        ["ID", "Caption"],
        ["1", "a"],
        ["2", "b"],
        ["3", "line one\r\nline two"],
    ]


def test_unbalanced_quote_is_a_source_error_not_swallowed_rows(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_text('ID,Caption\n1,"never closed\n2,x\n3,he said "hi"\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"broken\.csv .* at line 2 .*line 4"):
        read_tab(path)  # leniently, rows 3 and 4 would vanish into row 2's caption
    path.write_text('ID,Caption\n1,"never closed\n2,x\n', encoding="utf-8")
    with pytest.raises(SourceError, match=r"quote opened at line 2 is never closed"):
        read_tab(path)
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('ID,Caption\n1,"quoted"then text\n', encoding="utf-8")
    assert read_tab(quoted).rows[1] == ["1", "quotedthen text"]  # one line: lenient
    stray = tmp_path / "stray.csv"
    stray.write_text('ID,Caption\n1,he said "hi" twice\n', encoding="utf-8")
    assert read_tab(stray).rows[1] == ["1", 'he said "hi" twice']


def test_runaway_quote_beyond_field_limit_is_source_error(tmp_path: Path) -> None:
    path = tmp_path / "runaway.csv"
    body = "".join(f"{i},caption {i}\n" for i in range(20_000))
    path.write_text('ID,Caption\n1,"oops\n' + body, encoding="utf-8")
    with pytest.raises(SourceError) as info:
        read_tab(path)
    assert "runaway.csv" in info.value.message
    assert "line 2" in info.value.message


def test_bad_utf16_after_bom_is_source_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + b"a\x00,\x00\x00\xdc")  # lone low surrogate
    with pytest.raises(SourceError, match=r"bad\.csv"):
        read_tab(path)


def test_reading_csv_leaves_it_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("ID;Not\r\n1;şğ\n".encode("cp1254"))
    before = _digest(path)
    read_tab(path)
    list_tabs(path)
    assert _digest(path) == before


_cell_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(body=st.lists(st.lists(_cell_text, min_size=3, max_size=3), max_size=6))
def test_csv_round_trips_through_csv_writer(
    tmp_path_factory: pytest.TempPathFactory, body: list[list[str]]
) -> None:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf)
    writer.writerow(["ID", "Caption", "Status"])
    writer.writerows(body)
    path = tmp_path_factory.mktemp("rt") / "rt.csv"
    path.write_bytes(buf.getvalue().encode("utf-8"))
    expected: list[list[str | None]] = [["ID", "Caption", "Status"]]
    expected += [[v or None for v in row] for row in body]
    while expected and all(v is None for v in expected[-1]):
        expected.pop()
    assert read_tab(path).rows == expected
