"""Reading large calendars fast without changing a cell.

* Delimited text: pandas' C parser tokenizes a large file in chunks of rows; records that
  span a chunk's end (a quoted value over several lines, a ragged row, a blank line) come
  back as the csv module reads them.
* Workbooks: the cyclic garbage collector does not walk the rows again and again while the
  reader makes them (one list per row), and a collector the program turned off stays off.
* The bounds scan looks for prefixed cells and prefixed formulas in one pass: a formula never
  calculated, deep in a prefixed sheet, still reads as its text, and a cell with another
  prefix still sends the scan to its exact count.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from corpus.make_corpus import raw_xlsx

from sheets_sync.backends import files
from sheets_sync.backends.bounds import Limits, TooLarge
from sheets_sync.backends.files import TextGrid, read_tab, read_tabs

# --------------------------------------------------------------------------------------------
# delimited text


def test_records_across_the_c_parsers_chunks_are_the_csv_modules(tmp_path: Path) -> None:
    """200 columns: the parser tokenizes 4,096 records at a time, so 9,000 records are three
    chunks; a blank line, quoted values over two lines and a ragged row at each chunk's end
    are read as the csv module reads them."""
    wide = 200
    rows: list[list[str]] = [[f"Column {c}" for c in range(wide)]]
    for i in range(1, 9000):
        at = i % 4096
        if at == 4094:
            rows.append([])  # a blank line
        elif at in (4095, 0):  # the last record of a chunk, the first of the next
            rows.append([f"P{i}", f"first line {i}\r\nsecond, line", ""])
        elif at == 1 or i % 1000 == 0:
            rows.append([f"P{i}", *("x" for _ in range(wide - 1))])
        else:
            rows.append([f"P{i}", "" if i % 3 else 'a "quoted" word'])
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    text = out.getvalue()
    path = tmp_path / "wide.csv"
    path.write_text(text, encoding="utf-8")

    grid = read_tab(path).rows
    assert isinstance(grid, TextGrid)  # the C parser read it
    expected = files._records(text, ",", strict=True)
    assert len(grid) == len(expected) == 9000
    assert grid == expected
    assert grid[4094] == [] and grid[8190] == []
    assert grid[4095] == ["P4095", "first line 4095\r\nsecond, line", None]
    assert grid[4096] == ["P4096", "first line 4096\r\nsecond, line", None]
    assert grid[4097] == ["P4097", *("x" for _ in range(wide - 1))]
    assert grid[4098] == ["P4098", 'a "quoted" word'] and grid[4099] == ["P4099", None]
    assert grid.columns[2][4096] is None  # an empty field is None in the columns too
    assert grid.columns[5][4096] is None  # and so is a field the record lacks


# --------------------------------------------------------------------------------------------
# workbooks


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generations the cyclic garbage collector collects while the test runs."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)


def _workbook(path: Path, posts: int) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Calendar"
    sheet.append(["ID", "Publish date", "Status", "Caption", "Notes"])
    for i in range(posts):
        sheet.append([f"P{i}", dt.date(2026, 3, 1 + i % 28), "Draft", f"Post {i}", None])
    book.save(path)
    return path


def test_the_collector_waits_while_a_workbooks_rows_are_made(
        tmp_path: Path, collections: list[int]) -> None:
    """7,000 rows are 7,000 new lists: without the pause the collector runs about ten times
    while they are made, each time walking the rows made so far."""
    path = _workbook(tmp_path / "plan.xlsx", 7000)
    assert gc.isenabled()
    gc.collect()
    collections.clear()
    grid = read_tabs(path, "Calendar")[0]
    assert len(collections) <= 1  # at most once, after the rows are all made
    assert gc.isenabled()  # and it is on again
    assert len(grid.rows) == 7001
    assert grid.rows[7000] == ["P6999", dt.date(2026, 3, 1 + 6999 % 28), "Draft", "Post 6999",
                               None]


def test_a_collector_turned_off_by_the_program_stays_off(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "plan.xlsx", 10)
    gc.disable()
    try:
        assert len(read_tabs(path, "Calendar")[0].rows) == 11
        assert not gc.isenabled()
    finally:
        gc.enable()


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _prefixed_sheet(rows: int, last: str) -> str:
    """A sheet written with the prefix x: of ``rows`` one-cell rows (about 60 bytes each),
    then one more row holding ``last``."""
    body = "".join(f'<x:row r="{n}"><x:c r="A{n}" t="inlineStr"><x:is><x:t>P{n}</x:t>'
                   "</x:is></x:c></x:row>" for n in range(1, rows + 1))
    return (f'<x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData>{body}<x:row r="{rows + 1}">'
            f"{last}</x:row></x:sheetData></x:worksheet>")


def test_a_formula_deep_in_a_prefixed_sheet_reads_as_its_text(tmp_path: Path) -> None:
    """30,000 rows first: the formula is in the scan's second chunk of XML."""
    formula = '<x:c r="A30001"><x:f>DATE(2026,4,14)</x:f></x:c><x:c r="B30001"><x:v>1</x:v></x:c>'
    raw_xlsx(tmp_path / "deep.xlsx", {"Calendar": _prefixed_sheet(30_000, formula)})
    rows = read_tabs(tmp_path / "deep.xlsx", "Calendar")[0].rows
    assert len(rows) == 30_001
    assert rows[29_999] == ["P30000", None]
    assert rows[30_000] == ["=DATE(2026,4,14)", 1.0]


def test_a_cell_with_another_prefix_is_counted_exactly(tmp_path: Path) -> None:
    """A formula and a far cell written with another prefix (y:) than the sheet's (x:), in
    the same stretch of XML: the fast scan, which looks at x: cells, cannot place it, so the
    cells are counted exactly and the sheet is refused."""
    far = f'<y:c xmlns:y="{MAIN_NS}" r="XFD30001"><y:f>1+1</y:f></y:c>'
    raw_xlsx(tmp_path / "far.xlsx", {"Calendar": _prefixed_sheet(30_000, far)})
    with pytest.raises(TooLarge, match=r"at least [0-9,]+ cells \(A1:XFD30001\)"):
        read_tabs(tmp_path / "far.xlsx", "Calendar", limits=Limits(max_cells=1_000_000))
