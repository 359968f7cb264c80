"""Cell parsing pinned at the places the broader value tests leave open: the 12-hour clock
around 1 and 11, exact day fractions, the last readable day of datetime64[ns], time cells of a
whole day, empty cells in a column that mixes checkboxes and 0/1 numbers, cells no sheet can
hold, and how text columns are coded (repeats vs. mostly distinct texts).

The documented meaning is the README ("times `14:30` or `2:30 PM`"), the module docstring of
sheets_sync/values.py (None and NaN are empty cells; the invalid mask marks cells that were
present but unreadable; parsers never raise on cell content) and its comments and docstrings
(datetime64[ns] holds dates up to 2262; a column of repeats is coded once per distinct text,
one of mostly distinct texts is not; SAMPLE = 2000 cells are looked at to tell them apart).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import HEADER, at, calendar_config, only, row

from sheets_sync.findings import to_findings
from sheets_sync.parse import parse
from sheets_sync.validate import validate
from sheets_sync.values import (
    as_column,
    categorize_text,
    categorize_texts,
    mostly_distinct,
    parse_counts,
    parse_dates,
    parse_flags,
    parse_times,
)

D = dt.datetime
NOW = at("2026-03-10 09:00")
GRID_HEADER = [*HEADER, "Publish time", "Approved", "Revision round"]
CELL_CODES = ("invalid-date", "invalid-time", "invalid-boolean", "invalid-number")
Key = tuple[int | None, str, str]


def one_date(cell: Any) -> tuple[str | None, bool]:
    """Return (the moment as 'YYYY-MM-DD HH:MM:SS.fffffffff' or None, invalid) for one cell."""
    stamps, _, invalid = parse_dates([cell])
    moment = None if np.isnat(stamps[0]) else str(stamps[0]).replace("T", " ")
    return moment, bool(invalid[0])


def one_time(cell: Any) -> tuple[int | None, bool]:
    """Return (nanoseconds since midnight or None, invalid) for one cell."""
    offsets, invalid = parse_times([cell])
    ns = None if np.isnat(offsets[0]) else int(offsets[0].astype("int64"))
    return ns, bool(invalid[0])


def audit_rows(*extra: tuple[Any, Any, Any, Any]) -> tuple[list[str | None], set[Key]]:
    """Audit one post per ``(date, time, approved, rounds)``; return each post's publish moment
    (to the second) and the cell findings as (row, column, code)."""
    config = calendar_config(rules={"levels": only(*CELL_CODES)})
    rows = [[*row(f"P{i}", date=date), time, approved, rounds]
            for i, (date, time, approved, rounds) in enumerate(extra, start=1)]
    cal = parse([GRID_HEADER, *rows], config)
    findings = to_findings(validate(cal, config, NOW))
    moments = [None if np.isnat(s) else str(pd.Timestamp(s))[:19]
               for s in cal.frame["publish_at"].to_numpy()]
    return moments, {f.key() for f in findings}


HOUR = 3_600_000_000_000  # nanoseconds
MINUTE = 60_000_000_000

# --------------------------------------------------------------------------------------------
# the 12-hour clock: 1 PM is 13:00, 11 PM is 23:00 (12 AM / 12 PM are covered elsewhere)


@pytest.mark.parametrize(("cell", "expected"), [
    pytest.param("1:00 PM", 13 * HOUR, id="1:00-PM"),
    pytest.param("1 PM", 13 * HOUR, id="1-PM"),
    pytest.param("1:30 pm", 13 * HOUR + 30 * MINUTE, id="1:30-pm"),
    pytest.param("1:00 AM", 1 * HOUR, id="1:00-AM"),
    pytest.param("1 AM", 1 * HOUR, id="1-AM"),
    pytest.param("11:00 PM", 23 * HOUR, id="11:00-PM"),
    pytest.param("11 PM", 23 * HOUR, id="11-PM"),
    pytest.param("11:59 p.m.", 23 * HOUR + 59 * MINUTE, id="11:59-p.m."),
    pytest.param("11:00 AM", 11 * HOUR, id="11:00-AM"),
])
def test_twelve_hour_times_around_1_and_11(cell: str, expected: int) -> None:
    assert one_time(cell) == (expected, False)


@pytest.mark.parametrize(("cell", "expected"), [
    pytest.param("2026-03-10 1:00 PM", "2026-03-10 13:00:00", id="iso-1-PM"),
    pytest.param("2026-03-10 1:15 AM", "2026-03-10 01:15:00", id="iso-1-AM"),
    pytest.param("2026-03-10 11:00 PM", "2026-03-10 23:00:00", id="iso-11-PM"),
    pytest.param("10.03.2026 11:30 pm", "2026-03-10 23:30:00", id="dotted-11-pm"),
    pytest.param("10/03/2026 1:05 PM", "2026-03-10 13:05:00", id="slashed-1-PM"),
])
def test_twelve_hour_times_inside_date_cells(cell: str, expected: str) -> None:
    assert one_date(cell) == (f"{expected}.000000000", False)


@pytest.mark.parametrize(("date", "time", "expected"), [
    pytest.param("2026-03-20", "11:00 PM", "2026-03-20 23:00:00", id="column-11-PM"),
    pytest.param("2026-03-20", "1:00 PM", "2026-03-20 13:00:00", id="column-1-PM"),
    pytest.param("2026-03-20", "11 PM", "2026-03-20 23:00:00", id="column-11-PM-no-minutes"),
    pytest.param("2026-03-20 11:45 PM", None, "2026-03-20 23:45:00", id="date-cell-11:45-PM"),
    pytest.param("2026-03-20 1:00 PM", None, "2026-03-20 13:00:00", id="date-cell-1-PM"),
])
def test_twelve_hour_publish_times_in_an_audit(date: str, time: Any, expected: str) -> None:
    assert audit_rows((date, time, None, None)) == ([expected], set())


# --------------------------------------------------------------------------------------------
# day fractions are exact: three quarters of a day is 18:00 to the nanosecond


@pytest.mark.parametrize(("cell", "expected"), [
    pytest.param(0.75, 18 * HOUR, id="0.75"),
    pytest.param(0.6041666666666666, 14 * HOUR + 30 * MINUTE, id="14:30"),
    pytest.param(0.25, 6 * HOUR, id="0.25"),
])
def test_day_fractions_are_exact(cell: float, expected: int) -> None:
    assert one_time(cell) == (expected, False)


# --------------------------------------------------------------------------------------------
# time cells (timedelta): from 0 up to, not including, a whole day


@pytest.mark.parametrize(("cell", "expected"), [
    pytest.param(dt.timedelta(0), (0, False), id="zero"),
    pytest.param(dt.timedelta(microseconds=1), (1000, False), id="1-microsecond"),
    pytest.param(dt.timedelta(hours=23, minutes=59, seconds=59), (86_399_000_000_000, False),
                 id="23:59:59"),
    pytest.param(dt.timedelta(days=1), (None, True), id="one-day"),
    pytest.param(dt.timedelta(hours=25), (None, True), id="25-hours"),
    pytest.param(dt.timedelta(microseconds=-1), (None, True), id="negative"),
])
def test_time_cells_span_one_day(cell: dt.timedelta, expected: tuple[int | None, bool]) -> None:
    assert one_time(cell) == expected


# --------------------------------------------------------------------------------------------
# the readable dates: 1678-01-01 up to, not including, 2262-01-01 (datetime64[ns])


@pytest.mark.parametrize(("cell", "expected"), [
    pytest.param(132219, ("2261-12-31 00:00:00.000000000", False), id="serial-2261-12-31"),
    pytest.param(132220, (None, True), id="serial-2262-01-01"),
    pytest.param(D(2261, 12, 31, 23, 59, 59), ("2261-12-31 23:59:59.000000000", False),
                 id="datetime-2261-12-31"),
    pytest.param(D(2262, 1, 1), (None, True), id="datetime-2262-01-01"),
    pytest.param(dt.date(2262, 1, 1), (None, True), id="date-2262-01-01"),
    pytest.param("2261-12-31", ("2261-12-31 00:00:00.000000000", False), id="text-2261-12-31"),
    pytest.param("2262-01-01", (None, True), id="text-2262-01-01"),
    pytest.param("31.12.2261 23:59", ("2261-12-31 23:59:00.000000000", False),
                 id="dotted-2261-12-31"),
    pytest.param("01.01.2262", (None, True), id="dotted-2262-01-01"),
    pytest.param("1678-01-01", ("1678-01-01 00:00:00.000000000", False), id="text-1678-01-01"),
    pytest.param("01.01.1678 00:00", ("1678-01-01 00:00:00.000000000", False),
                 id="dotted-1678-01-01"),
    pytest.param("1677-12-31", (None, True), id="text-1677-12-31"),
    pytest.param("31/12/1677 23:59", (None, True), id="slashed-1677-12-31"),
])
def test_readable_date_range(cell: Any, expected: tuple[str | None, bool]) -> None:
    assert one_date(cell) == expected


# --------------------------------------------------------------------------------------------
# an empty (NaN) cell in a column holding a checkbox next to a 0 or 1 is still empty


@pytest.mark.parametrize(("parser", "expected"), [
    pytest.param(lambda c: parse_dates(c)[2], [True, True, False], id="dates"),
    pytest.param(lambda c: parse_times(c)[1], [True, True, False], id="times"),
    pytest.param(lambda c: parse_flags(c)[1], [False, False, False], id="flags"),
    pytest.param(lambda c: parse_counts(c)[1], [True, False, False], id="counts"),
])
def test_nan_next_to_a_checkbox_and_a_one_is_empty(parser: Any, expected: list[bool]) -> None:
    assert parser([True, 1, math.nan]).tolist() == expected


def test_nan_next_to_checkboxes_in_an_audit() -> None:
    # Row 2: a ticked box and a 1; row 3: a 1 and an unticked box; row 4: empty (NaN) cells.
    moments, found = audit_rows(("2026-03-20", True, True, 1),
                                ("2026-03-20", 1, 1, False),
                                (math.nan, math.nan, math.nan, math.nan))
    assert moments == ["2026-03-20 09:00:00", "2026-03-20 09:00:00", None]
    assert found == {(2, "publish_time", "invalid-time"), (3, "publish_time", "invalid-time"),
                     (3, "revision_round", "invalid-number")}


# --------------------------------------------------------------------------------------------
# a checkbox is never read as the 0 or 1 next to it (pandas hashes True == 1, False == 0)


@pytest.mark.parametrize(("cells", "counts", "invalid"), [
    pytest.param([1, True], [1.0, None], [False, True], id="1-then-True"),
    pytest.param([True, 1], [None, 1.0], [True, False], id="True-then-1"),
    pytest.param([0, False], [0.0, None], [False, True], id="0-then-False"),
    pytest.param([False, 0.0], [None, 0.0], [True, False], id="False-then-0.0"),
    pytest.param([1.0, True, 0, False], [1.0, None, 0.0, None], [False, True, False, True],
                 id="both"),
])
def test_a_checkbox_is_not_a_count(cells: list[Any], counts: list[float | None],
                                   invalid: list[bool]) -> None:
    values, bad = parse_counts(cells)
    assert [None if math.isnan(v) else v for v in values.tolist()] == counts
    assert bad.tolist() == invalid


@pytest.mark.parametrize(("cells", "expected"), [
    pytest.param([0, False], ["0", "FALSE"], id="0-then-False"),
    pytest.param([False, 0], ["FALSE", "0"], id="False-then-0"),
    pytest.param([0.0, False, 0.0], ["0", "FALSE", "0"], id="0.0-False"),
    pytest.param([1, True], ["1", "TRUE"], id="1-then-True"),
])
def test_a_checkbox_keeps_its_own_text(cells: list[Any], expected: list[str]) -> None:
    assert categorize_text(cells)[0].tolist() == expected


# --------------------------------------------------------------------------------------------
# a cell no sheet can hold (a list, a dict) is present and unreadable, never a crash


@pytest.mark.parametrize(("parser", "expected"), [
    pytest.param(lambda c: parse_dates(c)[2], [True], id="dates"),
    pytest.param(lambda c: parse_times(c)[1], [True], id="times"),
])
@pytest.mark.parametrize("cell", [
    pytest.param(["2026-03-10 14:30"], id="list"),
    pytest.param({"when": "14:30"}, id="dict"),
])
def test_a_lone_unhashable_cell_is_invalid(parser: Any, expected: list[bool], cell: Any) -> None:
    assert parser([cell]).tolist() == expected


def test_an_unhashable_cell_in_a_long_column_of_captions_is_text() -> None:
    cells = [["a", "b"], *(f"caption {i}" for i in range(2001))]
    texts, coded = categorize_text(cells)
    assert texts[0] == "['a', 'b']"
    assert texts[1:].tolist() == [f"caption {i}" for i in range(2001)]
    assert coded is None


# --------------------------------------------------------------------------------------------
# coded text columns: keys index their uniques, a missing cell is '' with a key of its own


def test_categorize_texts_gives_every_cell_a_key_into_uniques() -> None:
    keys, uniques = categorize_texts(np.array(["Draft", "Live", "Draft", None], dtype=object))
    assert uniques[keys].tolist() == ["Draft", "Live", "Draft", ""]
    # Keys count rows per distinct text, as the client table does.
    counts = dict(zip(uniques.tolist(), np.bincount(keys, minlength=len(uniques)).tolist()))
    assert counts == {"Draft": 2, "Live": 1, "": 1}


def test_categorize_text_codes_count_rows_per_text() -> None:
    texts, coded = categorize_text(["Draft", None, "Live", "Draft"])
    assert texts.tolist() == ["Draft", "", "Live", "Draft"]
    assert coded is not None
    codes, uniques = coded
    counts = dict(zip(uniques.tolist(), np.bincount(codes, minlength=len(uniques)).tolist()))
    assert counts == {"Draft": 2, "Live": 1, "": 1}


# --------------------------------------------------------------------------------------------
# as_column: a one-dimensional object array, a view when it already is one


def test_as_column_keeps_an_object_column_as_it_is() -> None:
    cells = np.array(["a", None, 3], dtype=object)
    column = as_column(cells)
    assert np.shares_memory(column, cells)
    assert column.tolist() == ["a", None, 3]


@pytest.mark.parametrize(("values", "expected"), [
    pytest.param(np.array([1.5, 2.0]), [1.5, 2.0], id="float-array"),
    pytest.param(np.array(["a", "b"]), ["a", "b"], id="unicode-array"),
    pytest.param(pd.Series(["x", None], dtype=object), ["x", None], id="series"),
    pytest.param(["x", 2, None], ["x", 2, None], id="list"),
])
def test_as_column_makes_an_object_column(values: Any, expected: list[Any]) -> None:
    column = as_column(values)
    assert (column.dtype, column.ndim) == (np.dtype(object), 1)
    assert column.tolist() == expected


def test_as_column_keeps_each_row_of_a_2d_array_as_one_cell() -> None:
    grid = np.array([["a", "b"], ["c", "d"]], dtype=object)
    column = as_column(grid)
    assert (column.dtype, column.shape) == (np.dtype(object), (2,))
    assert [cell.tolist() for cell in column] == [["a", "b"], ["c", "d"]]


# --------------------------------------------------------------------------------------------
# repeats vs mostly distinct texts: 2000 cells are looked at; more than half distinct there
# makes a column of distinct texts (not coded)


def captions(count: int, distinct: int) -> list[str]:
    """``count`` cells cycling through ``distinct`` texts."""
    return [f"caption {i % distinct}" for i in range(count)]


@pytest.mark.parametrize(("cells", "distinct"), [
    pytest.param(["Draft", "Draft", "Live"], False, id="3-cells"),
    pytest.param(captions(3, 3), False, id="3-distinct-cells"),
    pytest.param(captions(2000, 2000), False, id="2000-distinct-cells-too-short"),
    pytest.param(captions(2001, 2001), True, id="2001-distinct-cells"),
    pytest.param(captions(2001, 1000), False, id="1000-distinct-in-2000"),
    pytest.param(captions(2001, 1001), True, id="1001-distinct-in-2000"),
    pytest.param(captions(2001, 700), False, id="700-distinct-in-2000"),
])
def test_mostly_distinct_columns_are_not_coded(cells: list[str], distinct: bool) -> None:
    assert mostly_distinct(np.array(cells, dtype=object)) is distinct
    texts, coded = categorize_text(cells)
    assert texts.tolist() == cells
    assert (coded is None) is distinct
