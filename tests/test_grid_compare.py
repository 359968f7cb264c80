"""Comparing grids and preparing writes without normalizing every cell.

``same_grid`` and ``first_difference`` must answer exactly what comparing
``normalize_grid`` of both grids answers; the Google backend's date-format runs and the
rows it sends must be what the plain per-cell versions gave.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.backends.google import GoogleBackend, _date_cells, _json_cell
from sheets_sync.cells import Cell, first_difference, normalize_grid, same_grid

CELLS: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from([None, "", "x", "y", "=1+1", " ", True, False, 0, 1, 1.0, -0.0, 2.5,
                     45000.5, 45000.0, 1.0000004, 1.0000006, float("nan")]),
    st.sampled_from([dt.date(2023, 3, 15), dt.datetime(2023, 3, 15, 12, 0),
                     dt.datetime(2023, 3, 15), dt.time(9, 30), dt.timedelta(hours=2),
                     # the same moment, but not the same wall-clock time
                     dt.datetime(2023, 3, 15, 12, 0, tzinfo=dt.timezone.utc),
                     dt.datetime(2023, 3, 15, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))]),
    st.integers(-3, 3),
)
ROWS = st.lists(st.lists(CELLS, max_size=5), max_size=6)


def plain_first_difference(a: list[list[Cell]], b: list[list[Cell]]) -> int:
    old, new = normalize_grid(a), normalize_grid(b)
    start = 0
    while start < len(old) and start < len(new) and old[start] == new[start]:
        start += 1
    return start


@settings(max_examples=400, deadline=None)
@given(ROWS, ROWS)
def test_grid_comparison_is_that_of_the_normalized_grids(a: Any, b: Any) -> None:
    assert same_grid(a, b) == (normalize_grid(a) == normalize_grid(b))
    assert first_difference(a, b) == plain_first_difference(a, b)


@settings(max_examples=200, deadline=None)
@given(ROWS, st.data())
def test_a_grid_equals_its_edited_copy_only_when_the_edit_is_invisible(a: Any, data: Any
                                                                      ) -> None:
    b = [list(r) for r in a]
    if b and b[-1]:
        b[-1][data.draw(st.integers(0, len(b[-1]) - 1))] = data.draw(CELLS)
    b.append(data.draw(st.sampled_from([[], [None], ["", None]])))
    assert same_grid(a, b) == (normalize_grid(a) == normalize_grid(b))
    assert first_difference(a, b) == plain_first_difference(a, b)


def test_read_back_values_equal_what_was_written() -> None:
    written = [["When", "Count", "Note"], [dt.datetime(2026, 3, 10, 9, 30), 3, None, ""],
               [dt.date(2026, 3, 11), 2.0, "x"], [None, None]]
    read = [["When", "Count", "Note"], [46091.395833, 3], [46092, 2, "x"]]
    assert same_grid(written, read)
    assert first_difference(written, read) == 3
    assert first_difference(written, [*read[:2], [46092, 2, "y"]]) == 2


def test_equal_moments_at_different_offsets_are_different_cells() -> None:
    utc = dt.datetime(2023, 3, 15, 12, 0, tzinfo=dt.timezone.utc)
    istanbul = utc.astimezone(dt.timezone(dt.timedelta(hours=3)))
    assert utc == istanbul and normalize_grid([[utc]]) != normalize_grid([[istanbul]])
    assert not same_grid([[utc]], [[istanbul]])
    assert first_difference([[utc]], [[istanbul]]) == 0


def plain_date_cells(grid: list[list[Cell]]) -> list[list[int]]:
    width = max((len(r) for r in grid), default=0)
    runs: list[list[int]] = []
    for c in range(width):
        cells = [(r, row[c]) for r, row in enumerate(grid[1:], start=1)
                 if c < len(row) and row[c] not in (None, "")]
        dates = [(r, v) for r, v in cells if isinstance(v, dt.date)]
        if not dates:
            continue
        timed = int(any(isinstance(v, dt.datetime) for _, v in dates))
        if len(dates) == len(cells):
            runs.append([c, 1, -1, timed])
            continue
        for r, value in dates:
            kind = int(isinstance(value, dt.datetime))
            if runs and runs[-1][0] == c and runs[-1][2] == r - 1 and runs[-1][3] == kind:
                runs[-1][2] = r
            else:
                runs.append([c, r, r, kind])
    return runs


@settings(max_examples=400, deadline=None)
@given(ROWS)
def test_date_format_runs_are_those_of_the_per_column_scan(grid: Any) -> None:
    assert _date_cells(grid) == plain_date_cells(grid)


@settings(max_examples=200, deadline=None)
@given(ROWS, ROWS)
def test_rows_sent_are_the_cells_as_json(old: Any, new: Any) -> None:
    backend = GoogleBackend.__new__(GoogleBackend)
    backend._owned_seen = {"Status": old}
    start, rows = backend._changed_rows("Status", new)
    assert start == plain_first_difference(old, new)
    width = max(max((len(r) for r in old[start:]), default=0),
                max((len(r) for r in new[start:]), default=0))
    expected = [[_json_cell(c) for c in r] + [""] * (width - len(r)) for r in new[start:]]
    expected.extend([[""] * width for _ in range(len(old) - max(len(new), start))])
    assert repr(rows) == repr(expected)  # repr: NaN cells compare unequal to themselves


def test_column_letters_and_numbers_are_inverse() -> None:
    from sheets_sync.cells import column_letter, column_number

    assert [column_letter(i) for i in (0, 25, 26, 701, 16383)] == ["A", "Z", "AA", "ZZ", "XFD"]
    assert [column_number(ref) for ref in ("A1", "z9", "AA10", "XFD1048576", "12")] == [
        1, 26, 27, 16384, 0]
    assert all(column_number(column_letter(i)) == i + 1 for i in range(20000))
