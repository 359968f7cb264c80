"""Cell-value parsing: every date, time, number and yes/no format the tool reads, impossible
values, and never raising."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import HEADER, at, calendar_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets_sync.codes import CODES
from sheets_sync.findings import to_findings
from sheets_sync.parse import parse
from sheets_sync.validate import validate
from sheets_sync.values import (
    SAMPLE,
    categorize_text,
    factorize,
    parse_counts,
    parse_dates,
    parse_flags,
    parse_times,
)

IST = zoneinfo.ZoneInfo("Europe/Istanbul")


def to_text(cells: list[Any]) -> np.ndarray:
    """The text column parse makes of ``cells``."""
    return categorize_text(cells)[0]
SERIAL_2026_03_10 = 46091  # days since 1899-12-30


def one_date(value: Any, date_order: str = "dmy") -> tuple[Any, bool, bool]:
    """Return (datetime or None, has_time, invalid) for one cell."""
    stamps, has_time, invalid = parse_dates([value], date_order)
    stamp = None if np.isnat(stamps[0]) else pd.Timestamp(stamps[0]).to_pydatetime()
    return stamp, bool(has_time[0]), bool(invalid[0])


def one_time(value: Any) -> tuple[Any, bool]:
    """Return (time of day as 'HH:MM:SS' or None, invalid) for one cell."""
    offsets, invalid = parse_times([value])
    if np.isnat(offsets[0]):
        return None, bool(invalid[0])
    seconds = int(offsets[0] / np.timedelta64(1, "s"))
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}", bool(invalid[0])


D = dt.datetime

# --------------------------------------------------------------------------------------------
# dates


@pytest.mark.parametrize(("cell", "expected", "timed"), [
    (SERIAL_2026_03_10, D(2026, 3, 10), False),
    (float(SERIAL_2026_03_10), D(2026, 3, 10), False),
    (np.int64(SERIAL_2026_03_10), D(2026, 3, 10), False),
    (SERIAL_2026_03_10 + 0.5, D(2026, 3, 10, 12), True),
    (SERIAL_2026_03_10 + 0.6041666666666666, D(2026, 3, 10, 14, 30), True),
    (61, D(1900, 3, 1), False),
    (106752, D(2192, 4, 9), False),  # nanoseconds since 1899 no longer fit in int64
    (132219.5, D(2261, 12, 31, 12), True),
    (SERIAL_2026_03_10 + 0.99999999999, D(2026, 3, 11), False),
    (D(2026, 3, 10, 14, 30), D(2026, 3, 10, 14, 30), True),
    (D(2026, 3, 10), D(2026, 3, 10), False),
    (pd.Timestamp("2026-03-10 08:15"), D(2026, 3, 10, 8, 15), True),
    (D(2026, 3, 10, 14, 30, tzinfo=IST), D(2026, 3, 10, 14, 30), True),
    (dt.date(2026, 3, 10), D(2026, 3, 10), False),
    ("2026-03-10", D(2026, 3, 10), False),
    ("2026-3-5", D(2026, 3, 5), False),
    (" 2026-03-10 14:30 ", D(2026, 3, 10, 14, 30), True),
    ("2026-03-10T14:30:15", D(2026, 3, 10, 14, 30, 15), True),
    ("2026-03-10T14:30:15.250Z", D(2026, 3, 10, 14, 30, 15), True),
    ("2026-03-10 2:30 PM", D(2026, 3, 10, 14, 30), True),
    ("10.03.2026", D(2026, 3, 10), False),
    ("10.03.2026 14:30", D(2026, 3, 10, 14, 30), True),
    ("5.3.2026 9.05", D(2026, 3, 5, 9, 5), True),
    ("10/03/2026", D(2026, 3, 10), False),
    ("10-03-2026", D(2026, 3, 10), False),
    ("10/03/2026 12:00 AM", D(2026, 3, 10, 0, 0), True),
    ("10/03/2026 12:00 PM", D(2026, 3, 10, 12, 0), True),
    ("10/03/2026 12:30 a.m.", D(2026, 3, 10, 0, 30), True),
    ("2028-02-29", D(2028, 2, 29), False),
    ("29.02.2028", D(2028, 2, 29), False),
])
def test_dates_read(cell: Any, expected: dt.datetime, timed: bool) -> None:
    assert one_date(cell) == (expected, timed, False)


def test_slashed_dates_follow_the_configured_order() -> None:
    assert one_date("03/04/2026", "dmy")[0] == D(2026, 4, 3)
    assert one_date("03/04/2026", "mdy")[0] == D(2026, 3, 4)
    assert one_date("03/10/2026 2:30 PM", "mdy")[:2] == (D(2026, 3, 10, 14, 30), True)
    # Ambiguity is never guessed away: a day in the month's place is not a date.
    assert one_date("13/04/2026", "mdy") == (None, False, True)
    assert one_date("04/13/2026", "dmy") == (None, False, True)
    # Dotted dates are always day first, ISO always year first.
    assert one_date("03.04.2026", "mdy")[0] == D(2026, 4, 3)
    assert one_date("2026-03-04", "mdy")[0] == D(2026, 3, 4)


@pytest.mark.parametrize("cell", [
    "2026-02-29", "29.02.2026", "29/02/2026", "2026-02-30", "31.04.2026", "2026-13-01",
    "2026-03-10 24:00", "2026-03-10 10:60", "2026-03-10 10:00:61", "2026-03-10 13:00 PM",
    "2026-03-10 0:30 AM", "10.03.26", "yesterday", "next Monday", "2026/03/10", "١٠.٠٣.٢٠٢٦",
    "9999-12-31", "1000-01-01", 60, 59.5, 0, -1, 2958465, 10**30, math.inf, -math.inf, True,
    False, dt.time(10, 0), dt.timedelta(days=1), dt.date(1, 1, 1), D(9999, 12, 31),
])
def test_impossible_dates_are_invalid(cell: Any) -> None:
    assert one_date(cell) == (None, False, True)


@pytest.mark.parametrize("cell", [None, "", "   ", math.nan, np.nan, pd.NaT])
def test_empty_date_cells_are_not_invalid(cell: Any) -> None:
    assert one_date(cell) == (None, False, False)


def test_serial_60_is_excels_phantom_29_february_1900() -> None:
    stamps, _, invalid = parse_dates([59, 60, 61])
    assert invalid.tolist() == [True, True, False]
    assert str(stamps[2])[:10] == "1900-03-01"


def test_mixed_date_column_keeps_positions() -> None:
    cells = [SERIAL_2026_03_10, None, "11.03.2026", D(2026, 3, 12, 9), "bad", dt.date(2026, 3, 13),
             "", D(2026, 3, 14, tzinfo=dt.timezone.utc)]
    stamps, has_time, invalid = parse_dates(cells)
    days = [None if np.isnat(s) else str(s)[:16] for s in stamps]
    assert days == ["2026-03-10T00:00", None, "2026-03-11T00:00", "2026-03-12T09:00", None,
                    "2026-03-13T00:00", None, "2026-03-14T00:00"]
    assert has_time.tolist() == [False, False, False, True, False, False, False, False]
    assert invalid.tolist() == [False, False, False, False, True, False, False, False]


def test_empty_columns() -> None:
    for parser in (parse_dates, parse_times, parse_counts, parse_flags):
        result = parser([])
        assert all(len(part) == 0 for part in result)
    assert to_text([]).tolist() == []


# --------------------------------------------------------------------------------------------
# times


@pytest.mark.parametrize(("cell", "expected"), [
    ("14:30", "14:30:00"), ("9:05", "09:05:00"), ("09:05:30", "09:05:30"), ("14.30", "14:30:00"),
    ("10:00 AM", "10:00:00"), ("10:00 PM", "22:00:00"), ("10:00AM", "10:00:00"),
    ("12:00 AM", "00:00:00"), ("12:00 PM", "12:00:00"), ("12:30 am", "00:30:00"),
    ("2:30 p.m.", "14:30:00"), ("10 AM", "10:00:00"), ("0:00", "00:00:00"),
    ("23:59", "23:59:00"), (0, "00:00:00"), (0.5, "12:00:00"), (0.6041666666666666, "14:30:00"),
    (dt.time(10, 15), "10:15:00"), (dt.timedelta(hours=1, minutes=30), "01:30:00"),
    (D(2026, 3, 10, 14, 30), "14:30:00"), (D(2026, 3, 10, 14, 30, tzinfo=IST), "14:30:00"),
])
def test_times_read(cell: Any, expected: str) -> None:
    assert one_time(cell) == (expected, False)


@pytest.mark.parametrize("cell", [
    "24:00", "10:60", "13:00 PM", "0:00 AM", "0 PM", "10", "noon", "10:00 XM", "1:2", 1, 1.5,
    -0.1, math.inf, True, dt.timedelta(days=2), dt.timedelta(hours=-1), dt.date(2026, 3, 10),
    D(1, 1, 1), 10**30,
])
def test_impossible_times_are_invalid(cell: Any) -> None:
    assert one_time(cell) == (None, True)


@pytest.mark.parametrize("cell", [None, "", "  ", math.nan])
def test_empty_time_cells_are_not_invalid(cell: Any) -> None:
    assert one_time(cell) == (None, False)


# --------------------------------------------------------------------------------------------
# counts and flags


def test_counts() -> None:
    cells = [0, 3, 3.0, "2", " 4 ", "2,0", None, "", math.nan, -1, 1.5, "two", True, math.inf,
             1e6, "1e3", np.int64(5)]
    values, invalid = parse_counts(cells)
    shown = [None if math.isnan(v) else int(v) for v in values]
    assert shown == [0, 3, 3, 2, 4, 2, None, None, None, None, None, None, None, None, None,
                     1000, 5]
    assert invalid.tolist() == [False] * 9 + [True] * 6 + [False, False]


@pytest.mark.parametrize("cell", [
    True, 1, 1.0, "yes", "Yes", "YES", " y ", "true", "TRUE", "1", "x", "X", "✓", "✔", "☑",
    "evet", "Evet", "EVET", "e", "onaylandı", "Onaylandı", "ONAYLANDI", "approved", "OK",
    "tamam", "var",
])
def test_true_flags(cell: Any) -> None:
    values, invalid = parse_flags([cell])
    assert (values.tolist(), invalid.tolist()) == ([1.0], [False])


@pytest.mark.parametrize("cell", [
    False, 0, 0.0, "no", "No", "NO", "n", "false", "False", "0", "✗", "✘", "☐", "hayır",
    "Hayır", "HAYIR", "hayir", "h", "yok", "not approved", "onaylanmadı",
])
def test_false_flags(cell: Any) -> None:
    values, invalid = parse_flags([cell])
    assert (values.tolist(), invalid.tolist()) == ([0.0], [False])


@pytest.mark.parametrize("cell", ["maybe", "2", 2, -1, 0.5, math.inf, "yes!?no", "✓✗",
                                  dt.date(2026, 1, 1)])
def test_other_flags_are_invalid(cell: Any) -> None:
    values, invalid = parse_flags([cell])
    assert math.isnan(values[0]) and invalid.tolist() == [True]


@pytest.mark.parametrize("cell", [None, "", " ", math.nan])
def test_empty_flags(cell: Any) -> None:
    values, invalid = parse_flags([cell])
    assert math.isnan(values[0]) and invalid.tolist() == [False]


# --------------------------------------------------------------------------------------------
# text

TEXTS = ["Yayın tarihi 😀 İptal şğüöç", "ქართული ენა", "line one\nline two\r\nthree",
         "  padded  ", "#hashtag @mention", "=SUM(A1:A2)", "0012"]


def test_text_round_trips_exactly() -> None:
    assert to_text(TEXTS).tolist() == TEXTS
    assert to_text([*TEXTS, None]).tolist() == [*TEXTS, ""]


def test_text_of_other_cells() -> None:
    cells = [None, 3, 3.0, 2.5, -0.0, True, False, math.nan, math.inf, 10**20,
             D(2026, 3, 10, 14, 30), dt.date(2026, 3, 10), dt.time(9, 5), "x"]
    assert to_text(cells).tolist() == [
        "", "3", "3", "2.5", "0", "TRUE", "FALSE", "", "", "100000000000000000000",
        "2026-03-10 14:30:00", "2026-03-10", "09:05:00", "x"]


def test_long_columns_read_the_same_as_cell_by_cell() -> None:
    # Over SAMPLE cells a column of distinct texts takes another path than one of repeats.
    distinct = [f"caption {i} 😀" for i in range(SAMPLE + 500)]
    distinct[7], distinct[SAMPLE + 3] = None, math.nan  # type: ignore[call-overload]
    assert to_text(distinct).tolist() == [
        "" if not isinstance(c, str) else c for c in distinct]
    numbers = [float(i) for i in range(SAMPLE + 10)] + [None, "x", True]
    assert to_text(numbers).tolist() == [*(str(i) for i in range(SAMPLE + 10)), "", "x", "TRUE"]


def test_repeated_texts_come_back_as_one_object_each() -> None:
    # Fresh string objects, as a reader delivers them: equal texts become one object.
    cells = [b"Client review".decode() for _ in range(SAMPLE + 100)] + [None] * 5
    cells += ["Onaylandı".encode().decode() for _ in range(50)]
    texts = to_text(cells)
    assert {id(t) for t in texts[:SAMPLE + 100]} == {id(texts[0])}
    assert texts[SAMPLE + 100:SAMPLE + 105].tolist() == [""] * 5
    assert {id(t) for t in texts[-50:]} == {id(texts[-1])} and texts[-1] == "Onaylandı"


def test_coded_text_gives_each_distinct_text_one_code() -> None:
    cells = ["Draft", None, "", 2.0, "2", "Draft", "Onaylandı", math.nan, 3] * 300
    texts, coded = categorize_text(cells)
    assert texts.tolist() == ["Draft", "", "", "2", "2", "Draft", "Onaylandı", "", "3"] * 300
    assert coded is not None
    codes, uniques = coded
    assert uniques[codes].tolist() == texts.tolist()
    assert len(set(uniques.tolist())) == len(uniques)  # None and "", 2.0 and "2": one code each
    assert codes[1] == codes[2] == codes[7] and codes[3] == codes[4]
    # A column of distinct texts is not coded; nor is one where a bool sits next to a 1.
    assert categorize_text([f"caption {i}" for i in range(SAMPLE + 1)])[1] is None
    assert categorize_text([True, 1.0] * 10)[1] is None


def test_factorize_matches_pandas() -> None:
    cells = np.array(["a", None, "b", "a", math.nan, D(2026, 3, 10), D(2026, 3, 10)], dtype=object)
    codes, uniques = factorize(cells)
    expected_codes, expected_uniques = pd.factorize(cells)
    assert codes.tolist() == expected_codes.tolist()
    assert list(uniques) == list(expected_uniques)


def test_a_bool_next_to_a_one_is_not_merged_with_it() -> None:
    # True == 1 == 1.0 when hashed: a column holding both is typed cell by cell.
    counts, bad = parse_counts([1.0, True, 1, 0.0, False, 2.0] * 400)
    assert np.array_equal(counts[:6], [1.0, np.nan, 1.0, 0.0, np.nan, 2.0], equal_nan=True)
    assert bad[:6].tolist() == [False, True, False, False, True, False]
    assert to_text([True, 1.0, 1, False, 0] * 500)[:5].tolist() == [
        "TRUE", "1", "1", "FALSE", "0"]


# --------------------------------------------------------------------------------------------
# properties: parsing never raises

ZONES = st.sampled_from([None, dt.timezone.utc, IST, dt.timezone(dt.timedelta(hours=-5))])
CELLS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(), st.datetimes(timezones=ZONES), st.dates(), st.times(),
    st.sampled_from(["2026-03-10", "10.03.2026 14:30", "03/04/2026 2:30 PM", "yes", "Hayır",
                     "Client review", "Instagram", "12:00 AM", "3", "#a #b"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(CELLS, max_size=8))
def test_cell_parsers_never_raise(cells: list[Any]) -> None:
    n = len(cells)
    stamps, has_time, invalid = parse_dates(cells, "dmy")
    assert len(stamps) == len(has_time) == len(invalid) == n
    assert not (invalid & ~np.isnat(stamps)).any()  # an invalid cell has no value
    assert not (has_time & np.isnat(stamps)).any()
    assert len(parse_dates(cells, "mdy")[0]) == n
    offsets, bad = parse_times(cells)
    assert len(offsets) == len(bad) == n and not (bad & ~np.isnat(offsets)).any()
    counts, bad = parse_counts(cells)
    assert len(counts) == n and not (bad & ~np.isnan(counts)).any()
    flags, bad = parse_flags(cells)
    assert len(flags) == n and set(flags[~np.isnan(flags)].tolist()) <= {0.0, 1.0}
    texts = to_text(cells).tolist()
    assert len(texts) == n and all(isinstance(t, str) for t in texts)


GRID_HEADER = [*HEADER, "Publish time", "Pillar", "Hashtags", "Sent for review", "Feedback due",
               "Approved by", "Approved on", "Approved", "Revision round", "Extra rounds", None,
               "Approved"]
GRID_CONFIG = calendar_config(
    rules={"approvals": {"approvers": ["Zeynep"]},
           "pillars": {"targets": {"Value": 60, "Promo": 40}, "min_posts": 1},
           "cadence": {"posts_per_week": {"instagram": 2, "x": 1}},
           "feedback": {"deemed_approved_after_days": 3}},
    clients={"Beta": {"timezone": "Asia/Tokyo", "country": "JP"}})
NOW_GRID = at("2026-03-20 10:00")


GRID_ROWS = st.lists(st.lists(CELLS | st.sampled_from(["Beta", "Acme", "P1"]),
                              max_size=len(GRID_HEADER) + 2), max_size=6)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(GRID_ROWS)
def test_parsing_any_grid_never_raises(rows: list[list[Any]]) -> None:
    cal = parse([GRID_HEADER, *rows], GRID_CONFIG)
    assert set(cal.findings["code"]) <= set(CODES)
    assert cal.frame["row"].tolist() == sorted(cal.frame["row"].tolist())
    assert all(2 <= r <= len(rows) + 1 for r in cal.frame["row"])
    assert all(f.message for f in to_findings(cal.findings))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(GRID_ROWS)
def test_validating_any_grid_never_raises(rows: list[list[Any]]) -> None:
    cal = parse([GRID_HEADER, *rows], GRID_CONFIG)
    findings = to_findings(validate(cal, GRID_CONFIG, NOW_GRID))
    assert {f.code for f in findings} <= set(CODES)
    assert all(f.message for f in findings)
