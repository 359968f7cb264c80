"""Reading large calendars fast without changing a cell.

* Delimited text: pandas' C parser tokenizes a large file in chunks of rows; records that
  span a chunk's end (a quoted value over several lines, a ragged row, a blank line) come
  back as the csv module reads them.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sheets_sync.backends import files
from sheets_sync.backends.files import TextGrid, read_tab

# --------------------------------------------------------------------------------------------
# delimited text


def test_records_across_the_c_parsers_chunks_are_the_csv_modules(tmp_path: Path) -> None:
    """200 columns: the parser tokenizes 4,096 rows at a time, so 9,000 records are three
    chunks; the odd records near each chunk's end are read as the csv module reads them."""
    wide = 200
    rows: list[list[str]] = [[f"Column {c}" for c in range(wide)]]
    for i in range(1, 9000):
        if i % 4096 in (4094, 4095, 0, 1):  # around each chunk's end
            rows.append([f"P{i}", f"first line {i}\r\nsecond, line", ""])
        elif i % 997 == 0:
            rows.append([])  # a blank line
        elif i % 1000 == 0:
            rows.append([f"P{i}", *("x" for _ in range(wide - 1))])
        else:
            rows.append([f"P{i}", "" if i % 3 else "a \"quoted\" word"])
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
    assert grid[4095] == ["P4095", "first line 4095\r\nsecond, line", None]
    assert grid[4097] == ["P4097", "first line 4097\r\nsecond, line", None]
    assert grid[997] == [] and grid[1000] == ["P1000", *("x" for _ in range(wide - 1))]
    assert grid.columns[2][4097] is None  # an empty field is None in the columns too
    assert grid.columns[5][4097] is None  # and so is a field the record lacks
