"""Vectorised cell-value parsing: dates, times, whole numbers, yes/no flags and text.

Every parser takes a column of raw cells as delivered by a backend (str, int, float, bool,
datetime, date, time, timedelta or None) and returns the parsed column plus a boolean mask of
cells that were present but unreadable. None and NaN are empty cells. Parsers never raise on cell
content.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sheets_sync.cells import SERIAL_EPOCH_NS
from sheets_sync.fastpaths import factorize_objects
from sheets_sync.vocab import BOOLEANS, WordTable, normalize

# datetime64[ns] only holds 1677-09-21 .. 2262-04-11; dates outside these bounds are unreadable.
DATE_MIN, DATE_MAX = np.datetime64("1678-01-01", "D"), np.datetime64("2262-01-01", "D")
# Serial 61 is 1900-03-01, the first day on which every spreadsheet program agrees; serials
# below it fall into Excel's 1900 leap-year bug. Serials from SERIAL_MAX on are after DATE_MAX.
SERIAL_MIN = 61.0
SERIAL_MAX = float((DATE_MAX - SERIAL_EPOCH_NS.astype("datetime64[D]")).astype("int64"))
# The same bug for date cells: a workbook reader turns serial 60 (Excel's phantom 29 February
# 1900) into 1900-02-28 (calamine) or 1900-03-01; no date cell before 1900-03-01 is trusted.
CELL_DATE_MIN = np.datetime64("1900-03-01", "ns")
NAT = np.datetime64("NaT", "ns")
NS_PER_DAY = 86_400_000_000_000
MS_PER_DAY = 86_400_000

_AMPM = r"(?P<ap>[AaPp]\.?\s?[Mm]\.?)?"
_TIME = (r"(?:[T ]+(?P<hh>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<ss>\d{2})(?:\.\d+)?)?\s*"
         + _AMPM + ")?")
_ISO = (rf"^(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}}){_TIME}"
        r"(?:Z|[+-]\d{2}:?\d{2})?$")
_DOTTED = rf"^(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>\d{{4}}){_TIME}$"
_SLASHED = rf"^(?P<a>\d{{1,2}})[/-](?P<b>\d{{1,2}})[/-](?P<y>\d{{4}}){_TIME}$"
_CLOCK = r"^(?P<hh>\d{1,2})(?:[:.](?P<mi>\d{2})(?:[:.](?P<ss>\d{2}))?)?\s*" + _AMPM + "$"


# A column of repeated texts as (keys, uniques): column == uniques[keys]. (pandas calls the
# keys "codes"; here a code is always a finding code.)
Categories = tuple[np.ndarray, np.ndarray]


def factorize(values: Any, expect_distinct: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(codes, uniques)`` of a column like ``pd.factorize`` (None and NaN get -1).

    Object columns go to :func:`sheets_sync.fastpaths.factorize_objects` (pandas' object hash
    table when available). ``expect_distinct`` sizes the table for a column of mostly
    distinct values.
    """
    cells = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    if isinstance(cells, np.ndarray) and cells.dtype == object and cells.ndim == 1:
        return factorize_objects(cells, len(cells) if expect_distinct else 64)
    codes, uniques = pd.factorize(cells)
    return codes, np.asarray(uniques, dtype=object)


def categorize_texts(texts: np.ndarray, expect_distinct: bool = False) -> Categories:
    """Return a text column as ``(keys, uniques)``; a missing cell reads as ''."""
    codes, uniques = factorize(texts, expect_distinct)
    return np.where(codes < 0, len(uniques), codes), np.append(uniques, "")


def _series(values: Sequence[Any]) -> pd.Series:
    return pd.Series(as_column(values), dtype=object, copy=False)


def _kinds(s: pd.Series) -> pd.Series:
    return s.map(type)


def _strings(s: pd.Series, kinds: pd.Series) -> pd.Series:
    """Return the stripped non-empty text cells of ``s``."""
    text = s[kinds == str].astype(str).str.strip()
    return text[text != ""]


def _dates_of_cells(values: Sequence[Any], date_order: str = "dmy"
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column of date cells.

    Returns ``(datetimes, has_time, invalid)``: naive datetime64[ns] (NaT where empty or
    unreadable), whether the cell carried a time of day, and which non-empty cells could not be
    read. Serial numbers count days since 1899-12-30, as Google Sheets and Excel do.
    """
    s = _series(values)
    n = len(s)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    has_time = np.zeros(n, dtype=bool)
    invalid = np.zeros(n, dtype=bool)
    if n == 0:
        return out, has_time, invalid
    kinds = _kinds(s)
    is_num = kinds.isin([int, float, np.float64, np.int64]).to_numpy()
    if is_num.any():
        serial = pd.to_numeric(s[is_num], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(serial) & (serial >= SERIAL_MIN) & (serial < SERIAL_MAX)
        idx = np.flatnonzero(is_num)
        # Whole days and the time of day apart: nanoseconds since 1899 overflow int64 in 2192.
        # Spreadsheets keep times to the millisecond; rounding there undoes float noise.
        safe = np.where(ok, serial, SERIAL_MIN)
        days = np.floor(safe)
        ms = np.round((safe - days) * MS_PER_DAY).astype("int64")
        stamps = ((SERIAL_EPOCH_NS.astype("datetime64[D]") + days.astype("int64"))
                  .astype("datetime64[ns]") + ms.astype("timedelta64[ms]"))
        out[idx[ok]] = stamps[ok]
        has_time[idx[ok]] = ms[ok] % MS_PER_DAY != 0
        invalid[idx[~ok]] = True
    is_dt = kinds.isin([dt.datetime, pd.Timestamp]).to_numpy()
    if is_dt.any():
        arr = _datetimes(s[is_dt])
        arr[arr < CELL_DATE_MIN] = NAT
        idx = np.flatnonzero(is_dt)
        out[idx] = arr
        has_time[idx] = (arr - arr.astype("datetime64[D]")) != np.timedelta64(0, "ns")
        invalid[idx[np.isnat(arr)]] = True
    is_date = (kinds == dt.date).to_numpy()
    if is_date.any():
        days = _to_ns(pd.to_datetime(s[is_date], errors="coerce").to_numpy())
        days[days < CELL_DATE_MIN] = NAT
        out[is_date] = days
        invalid[np.flatnonzero(is_date)[np.isnat(days)]] = True
    text = _strings(s, kinds)
    if len(text):
        stamps, timed, bad = _parse_date_text(text, date_order)
        idx = text.index.to_numpy()
        out[idx] = stamps
        has_time[idx] = timed
        invalid[idx] = bad
    blank = s.isna().to_numpy()
    other = ~(is_num | is_dt | is_date | (kinds == str).to_numpy() | blank)
    invalid = (invalid | other) & ~blank
    return out, has_time & ~invalid, invalid


def _to_ns(values: np.ndarray) -> np.ndarray:
    """Return datetime64 values of any unit as datetime64[ns]; NaT outside DATE_MIN..DATE_MAX."""
    out = np.full(len(values), NAT)
    if values.dtype.kind != "M":
        return out
    ok = ~np.isnat(values) & (values >= DATE_MIN) & (values < DATE_MAX)
    out[ok] = values[ok].astype("datetime64[ns]")
    return out


def _datetimes(cells: pd.Series) -> np.ndarray:
    """Return datetime cells as naive datetime64[ns] (NaT where out of range).

    A cell with a time zone keeps its own wall-clock time. Such cells are rare (backends
    deliver naive datetimes), so those the vectorised conversion cannot read (a mix of time
    zones) are retried one by one.
    """
    try:
        stamps = pd.to_datetime(cells, errors="coerce")
        if isinstance(stamps.dtype, pd.DatetimeTZDtype):
            stamps = stamps.dt.tz_localize(None)
        arr = _to_ns(stamps.to_numpy())
    except (TypeError, ValueError, AttributeError):  # mixed time zones on older pandas
        arr = np.full(len(cells), NAT)
    retry = np.isnat(arr)
    if retry.any():
        naive = cells[retry].map(lambda v: v.replace(tzinfo=None))
        arr[retry] = _to_ns(pd.to_datetime(naive, errors="coerce").to_numpy())
    return arr


def _parse_date_text(text: pd.Series, date_order: str
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(text)
    parts = {k: np.full(n, np.nan) for k in ("y", "m", "d", "hh", "mi", "ss")}
    pm = np.zeros(n, dtype=bool)
    am = np.zeros(n, dtype=bool)
    matched = np.zeros(n, dtype=bool)
    for pattern in (_ISO, _DOTTED, _SLASHED):
        todo = ~matched
        if not todo.any():
            break
        found = text[todo].str.extract(pattern)
        hit = found.notna().any(axis=1).to_numpy() if "y" not in found else found["y"].notna(
        ).to_numpy()
        if not hit.any():
            continue
        rows = np.flatnonzero(todo)[hit]
        found = found[hit]
        if pattern is _SLASHED:
            first, second = ("a", "b") if date_order == "dmy" else ("b", "a")
            found = found.rename(columns={first: "d", second: "m"})
        for key in parts:
            parts[key][rows] = pd.to_numeric(found[key], errors="coerce").to_numpy(dtype=float)
        ap = found["ap"].fillna("").str.lower().str[:1].to_numpy(dtype=object)
        pm[rows] = ap == "p"
        am[rows] = ap == "a"
        matched[rows] = True
    hours = np.nan_to_num(parts["hh"])
    hours, bad_clock = _twelve_hour(hours, am, pm)
    frame = pd.DataFrame(
        {
            "year": parts["y"],
            "month": parts["m"],
            "day": parts["d"],
            "hour": hours,
            "minute": np.nan_to_num(parts["mi"]),
            "second": np.nan_to_num(parts["ss"]),
        }
    )
    bad_fields = (frame["hour"] > 23) | (frame["minute"] > 59) | (frame["second"] > 59)
    frame.loc[~matched | bad_fields.to_numpy() | bad_clock, "year"] = np.nan
    stamps = _to_ns(pd.to_datetime(frame, errors="coerce").to_numpy())
    invalid = np.isnat(stamps)
    has_time = ~np.isnan(parts["hh"]) & ~invalid
    return stamps, has_time, invalid


def _twelve_hour(hours: np.ndarray, am: np.ndarray, pm: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Convert 12-hour clock values to 24-hour ones; returns (hours, invalid)."""
    twelve = am | pm
    bad = twelve & ((hours < 1) | (hours > 12))
    hours = np.where(pm & (hours < 12), hours + 12, hours)
    hours = np.where(am & (hours == 12), 0, hours)
    return hours, bad


def _times_of_cells(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of time-of-day cells (``14:30``, ``10:00 AM``, day fractions, times).

    Returns ``(offsets, invalid)``: timedelta64[ns] since midnight (NaT where empty or
    unreadable) and which non-empty cells could not be read.
    """
    s = _series(values)
    n = len(s)
    out = np.full(n, np.timedelta64("NaT"), dtype="timedelta64[ns]")
    invalid = np.zeros(n, dtype=bool)
    if n == 0:
        return out, invalid
    kinds = _kinds(s)
    is_num = kinds.isin([int, float, np.float64, np.int64]).to_numpy()
    if is_num.any():
        frac = pd.to_numeric(s[is_num], errors="coerce").to_numpy(dtype=float)
        ok = np.isfinite(frac) & (frac >= 0) & (frac < 1)
        idx = np.flatnonzero(is_num)
        ns = np.round(np.where(ok, frac, 0) * NS_PER_DAY).astype("int64")
        out[idx[ok]] = ns[ok].astype("timedelta64[ns]")
        invalid[idx[~ok]] = True
    is_time = (kinds == dt.time).to_numpy()
    if is_time.any():
        secs = [t.hour * 3600 + t.minute * 60 + t.second for t in s[is_time]]
        out[is_time] = np.array(secs, dtype="int64").astype("timedelta64[s]")
    is_delta = (kinds == dt.timedelta).to_numpy()
    if is_delta.any():
        deltas = pd.to_timedelta(s[is_delta], errors="coerce").to_numpy()
        ok = (~np.isnat(deltas) & (deltas >= np.timedelta64(0, "ns"))
              & (deltas < np.timedelta64(1, "D")))
        deltas = np.where(ok, deltas, np.timedelta64(0, "ns")).astype("timedelta64[ns]")
        idx = np.flatnonzero(is_delta)
        out[idx[ok]] = deltas[ok]
        invalid[idx[~ok]] = True
    is_dt = kinds.isin([dt.datetime, pd.Timestamp]).to_numpy()
    if is_dt.any():
        stamps = _datetimes(s[is_dt])
        out[is_dt] = stamps - stamps.astype("datetime64[D]")
        invalid[np.flatnonzero(is_dt)[np.isnat(stamps)]] = True
    text = _strings(s, kinds)
    if len(text):
        found = text.str.extract(_CLOCK)
        hours = pd.to_numeric(found["hh"], errors="coerce").to_numpy(dtype=float)
        minutes = np.nan_to_num(pd.to_numeric(found["mi"], errors="coerce").to_numpy(float))
        seconds = np.nan_to_num(pd.to_numeric(found["ss"], errors="coerce").to_numpy(float))
        ap = found["ap"].fillna("").str.lower().str[:1].to_numpy(dtype=object)
        no_minutes = found["mi"].isna().to_numpy() & (ap == "")
        hours, bad = _twelve_hour(hours, ap == "a", ap == "p")
        bad = bad | np.isnan(hours) | (hours > 23) | (minutes > 59) | (seconds > 59) | no_minutes
        clock = np.where(bad, 0, hours * 3600 + minutes * 60 + seconds).astype("int64")
        idx = text.index.to_numpy()
        out[idx[~bad]] = clock[~bad].astype("timedelta64[s]")
        invalid[idx[bad]] = True
    blank = s.isna().to_numpy()
    other = ~(is_num | is_time | is_delta | is_dt | (kinds == str).to_numpy() | blank)
    return out, (invalid | other) & ~blank


def _number_column(values: Sequence[Any]
                   ) -> tuple[pd.Series, np.ndarray, np.ndarray, pd.Series]:
    """A column to parse into numbers: ``(cells, all-NaN result, no cell invalid, cell types)``."""
    s = _series(values)
    return s, np.full(len(s), np.nan), np.zeros(len(s), dtype=bool), _kinds(s)


def _counts_of_cells(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Parse a column of whole, non-negative counts; returns ``(floats with NaN, invalid)``."""
    s, out, invalid, kinds = _number_column(values)
    if not len(s):
        return out, invalid
    is_bool = (kinds == bool).to_numpy()
    text_mask = (kinds == str).to_numpy()
    cleaned = s.where(~text_mask, s[text_mask].astype(str).str.strip().str.replace(",", "."))
    cleaned = cleaned.where(~(text_mask & (cleaned == "")), None)
    numbers = pd.to_numeric(cleaned.where(~is_bool, None), errors="coerce").to_numpy(dtype=float)
    present = cleaned.notna().to_numpy()
    ok = np.isfinite(numbers) & (numbers >= 0) & (np.floor(numbers) == numbers) & (numbers < 1e6)
    out[ok] = numbers[ok]
    invalid = present & ~ok
    return out, invalid


def _flags_of_cells(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Parse yes/no cells (yes/no/true/false/evet/hayır/✓…); returns ``(1.0/0.0/NaN, invalid)``."""
    s, out, invalid, kinds = _number_column(values)
    if not len(s):
        return out, invalid
    is_bool = (kinds == bool).to_numpy()
    out[is_bool] = s[is_bool].astype(float).to_numpy()
    is_num = kinds.isin([int, float, np.float64, np.int64]).to_numpy()
    if is_num.any():
        nums = pd.to_numeric(s[is_num], errors="coerce").to_numpy(dtype=float)
        idx = np.flatnonzero(is_num)
        ok = (nums == 0) | (nums == 1)
        out[idx[ok]] = nums[ok]
        invalid[idx[~ok]] = True
    text = _strings(s, kinds)
    if len(text):
        uniques = {u: _flag(u) for u in text.unique()}
        flags = text.map(uniques).to_numpy(dtype=float)
        idx = text.index.to_numpy()
        out[idx] = flags
        invalid[idx[np.isnan(flags)]] = True
    blank = s.isna().to_numpy()
    invalid |= ~(is_bool | is_num | (kinds == str).to_numpy() | blank)
    return out, invalid & ~blank


def _flag(text: str) -> float:
    key = normalize(text) or text.strip()
    found = BOOLEANS.get(key)
    return math.nan if found is None else float(found)


def categorize_text(values: Sequence[Any]) -> tuple[np.ndarray, Categories | None]:
    """Return a column of cells as an object array of text ('' for empty), with
    ``(keys, uniques)`` for a column of repeated values.

    Whole numbers lose their '.0'. In a column of repeated values (statuses, channels, names)
    equal texts come back as one shared object, so that every later comparison, lookup and
    grouping of that column is an identity check instead of a character comparison.
    ``uniques`` holds each distinct text once and ``codes`` says which one every cell is, so
    later steps can work once per distinct value. Columns of mostly distinct text (captions,
    links, IDs) get ``None``: factorizing them costs more than it saves.
    """
    cells = as_column(values)
    if not len(cells):
        return cells.copy(), None
    if mostly_distinct(cells):
        kinds = set(map(type, cells))
        if kinds == {str}:  # the usual column of text: nothing to convert
            return cells, None
        if not kinds <= {str, type(None)}:
            return np.array([_cell_text(v) for v in cells], dtype=object), None
        cells = cells.copy()
        cells[pd.isna(cells)] = ""
        return cells, None
    codes, uniques = factorize(cells)  # None and NaN are missing (code -1)
    if any(isinstance(u, (int, float, np.number)) and u in (0, 1) for u in uniques):
        # True == 1 == 1.0 to pandas' hashing: the merged cells are written out one by one.
        return shared(np.array([_cell_text(v) for v in cells], dtype=object)), None
    texts = [u if isinstance(u, str) else _cell_text(u) for u in uniques]
    codes = np.where(codes < 0, len(texts), codes)
    texts.append("")
    if len(set(texts)) < len(texts):  # None and "", or 1.0 and "1": one text, one code
        merged, distinct = factorize(np.array(texts, dtype=object))
        codes, texts = merged[codes], distinct.tolist()
    uniques = np.array(texts, dtype=object)
    return uniques[codes], (codes, uniques)


def as_column(values: Sequence[Any]) -> np.ndarray:
    """The cells as a one-dimensional object array (a view when they already are one)."""
    if isinstance(values, np.ndarray) and values.dtype == object and values.ndim == 1:
        return values
    if isinstance(values, pd.Series):
        return values.to_numpy(dtype=object)
    # Each cell as it is (a cell holding a list stays one cell), in C.
    return np.fromiter(values, dtype=object, count=len(values))


SAMPLE = 2000  # cells looked at to tell a column of repeats from one of distinct texts


def mostly_distinct(values: np.ndarray) -> bool:
    """Whether a long column looks like one of distinct texts (captions, links, IDs)."""
    if len(values) <= SAMPLE:
        return False
    sample = values[:SAMPLE].tolist()
    try:
        return len(set(sample)) * 2 > len(sample)
    except TypeError:  # unhashable cells cannot come from a sheet
        return True


def shared(values: np.ndarray) -> np.ndarray:
    """Return an object array of str where equal texts are one object (unless mostly distinct)."""
    if mostly_distinct(values):
        return values
    codes, uniques = factorize(values)
    return np.asarray(uniques, dtype=object)[codes]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


# --- public parsers: each distinct cell value is parsed once ------------------------------
# Calendars repeat a few hundred dates, times and flags across many thousands of rows, so the
# parsers above run on the distinct values only and the results are spread back by index.
_TRUE, _FALSE, _NAN = object(), object(), object()


def _by_distinct(values: Sequence[Any], parse_cells: Callable[[list[Any]], tuple[Any, ...]]
                 ) -> tuple[Any, ...]:
    s = _series(values)
    if len(s) == 0:
        return parse_cells([])
    try:
        codes, uniques = factorize(s, expect_distinct=mostly_distinct(s.to_numpy()))
    except TypeError:  # an unhashable cell (never from a spreadsheet): parse cell by cell
        return parse_cells(list(values))
    # True == 1 == 1.0 to pandas' hashing, so a column holding a bool next to a 0 or 1 may
    # have merged them: only then are the cells typed one by one (the usual columns skip this).
    if (not any(isinstance(u, (int, float, np.number)) and u in (0, 1) for u in uniques)
            or bool not in set(map(type, s.to_numpy()))):
        results = parse_cells([*uniques, None])
        codes = np.where(codes < 0, len(uniques), codes)
        return tuple(np.asarray(r)[codes] for r in results)
    kinds = _kinds(s)
    # Keep booleans and NaN (missing to pandas' hashing) apart from other cells.
    special = (kinds == bool) | ((kinds == float) & s.isna())
    if special.any():
        s = s.copy()
        s[special] = [_TRUE if v is True else _FALSE if v is False else _NAN
                      for v in s[special]]
    try:
        codes, uniques = factorize(s)
    except TypeError:  # an unhashable cell (never from a spreadsheet): parse cell by cell
        return parse_cells(list(values))
    restore = {id(_TRUE): True, id(_FALSE): False, id(_NAN): math.nan}
    distinct = [restore.get(id(u), u) for u in uniques] + [None]
    results = parse_cells(distinct)
    codes = np.where(codes < 0, len(uniques), codes)
    return tuple(np.asarray(r)[codes] for r in results)


def parse_dates(values: Sequence[Any], date_order: str = "dmy"
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse a column of date cells.

    Returns ``(datetimes, has_time, invalid)``: naive datetime64[ns] (NaT where empty or
    unreadable), whether the cell carried a time of day, and which non-empty cells could not be
    read. Serial numbers count days since 1899-12-30, as Google Sheets and Excel do.
    """
    out = _by_distinct(values, lambda cells: _dates_of_cells(cells, date_order))
    return out[0], out[1], out[2]


def parse_times(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Parse time-of-day cells (``14:30``, ``10:00 AM``, day fractions, time cells).

    Returns ``(offsets, invalid)``: timedelta64[ns] since midnight (NaT where empty or
    unreadable) and which non-empty cells could not be read.
    """
    out = _by_distinct(values, _times_of_cells)
    return out[0], out[1]


def parse_counts(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Parse whole, non-negative counts; returns ``(floats with NaN, invalid)``."""
    out = _by_distinct(values, _counts_of_cells)
    return out[0], out[1]


def parse_flags(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Parse yes/no cells (yes/no/true/false/evet/hayır/✓…); returns ``(1.0/0.0/NaN, invalid)``."""
    out = _by_distinct(values, _flags_of_cells)
    return out[0], out[1]


# Relative dates of a plan built around a launch week T0: "T-2_Mon" is the Monday two weeks
# before week T0, "T0_Wed" the Wednesday of week T0, "T+1_Friday" the Friday after. A week
# alone ("T-2") stands for that week's Monday. Weekdays are English, any case.
_RELATIVE = re.compile(r"t\s*([+-]?)\s*(\d{1,3})(?:\s*[\s_/,.-]\s*([a-z]+)\.?)?", re.I)
WEEKDAYS: dict[str, int] = {name: day for day, names in enumerate((
    ("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "weds", "wednesday"),
    ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
    ("sun", "sunday"))) for name in names}


def relative_day(value: Any) -> tuple[int, bool] | None:
    """Read one relative date cell such as ``T-2_Mon``.

    Returns ``(days after the Monday of week T0, whether a weekday was given)``, or None when
    the cell is not a relative date (an unknown weekday included).
    """
    if not isinstance(value, str):
        return None
    found = _RELATIVE.fullmatch(value.strip())
    if found is None:
        return None
    sign, weeks, day = found.groups()
    weekday = 0 if day is None else WEEKDAYS.get(day.casefold())
    if weekday is None:
        return None
    return (-1 if sign == "-" else 1) * int(weeks) * 7 + weekday, day is not None


def _relative_of_cells(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    days = np.full(len(values), np.nan)
    has_day = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        found = relative_day(value)
        if found is not None:
            days[i], has_day[i] = found
    return days, has_day


def parse_relative_days(values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Read a column of relative date cells (see :func:`relative_day`), each distinct text once.

    Returns ``(days after the Monday of week T0 as floats, NaN where the cell is not a
    relative date; whether the cell gave a weekday)``.
    """
    out = _by_distinct(values, _relative_of_cells)
    return out[0], out[1]



def recode(coded: Categories, convert: Callable[[str], str]) -> tuple[np.ndarray, Categories]:
    """Apply ``convert`` once per distinct text; returns the new column and its codes."""
    codes, uniques = coded
    converted = np.array([convert(u) for u in uniques], dtype=object)
    merged, distinct = factorize(converted)  # two texts may convert to one
    distinct = np.asarray(distinct, dtype=object)
    new_codes = merged[codes]
    return distinct[new_codes], (new_codes, distinct)


def canonical(coded: Categories, table: dict[str, str]) -> tuple[np.ndarray, Categories]:
    """Read each distinct text once: a value of ``table``, else the one meaning of the glob
    patterns that match it (none, or several meanings: '', unknown)."""
    if isinstance(table, WordTable) and table.patterns:
        return recode(coded, table.read)
    return recode(coded, lambda text: table.get(normalize(text) or text.strip(), ""))
