"""Dates and times of a calendar's cells beyond one cell's own reading.

Words that mean a date is not set yet (TBC, ASAP), relative dates (``T-2_Mon``) placed on a
campaign's week, the publish time joined to its date (a time column, a header's clock, or the
default), and the move of every timed cell from the zone the sheet is written in to each
client's (:func:`to_client_time`), with the clock changes that makes visible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sheets_sync.config import CalendarConfig, _parse_clock, relative_monday
from sheets_sync.findings import FindingsBuilder, concat
from sheets_sync.messages import Messages
from sheets_sync.model import DATE_FIELDS
from sheets_sync.values import parse_relative_days, parse_times
from sheets_sync.vocab import normalize
from sheets_sync.zones import (
    WALL_AMBIGUOUS,
    WALL_NONEXISTENT,
    HeaderHint,
    Zone,
    header_hint,
    timed_column,
    transition_days,
    utc_to_wall,
    wall_to_utc,
    zone_of_setting,
)

if TYPE_CHECKING:
    from sheets_sync.parse import Calendar


# Publish-date words that mean "not set yet" (compared after normalize), alone or first
# ("TBC-site-launch": to be confirmed, at the site launch).
DATE_NOT_SET = frozenset({"tbc", "tbd", "tba", "asap", "never", "not set", "belli degil",
                          "belirsiz"})


# Time cells that say the post has no set time: "LIVE" beside a published post. Read as no
# time, like an empty cell.
TIME_NOT_SET = DATE_NOT_SET | {"live", "posted", "published", "done", "now"}


def date_not_set(value: Any, words: frozenset[str] = DATE_NOT_SET) -> bool:
    if not isinstance(value, str):
        return False
    text = normalize(value)
    return text in words or text.split(" ", 1)[0] in words


def header_clock(hints: Mapping[str, HeaderHint]) -> tuple[str, str] | None:
    """The time of day a publish time or date header gives rows that have none, as
    ``(field, "HH:MM")``."""
    for name in ("publish_time", "publish_at"):
        hint = hints.get(name)
        if hint is not None and hint.clock:
            return name, hint.clock
    return None


@dataclass(frozen=True)
class RelativeDates:
    """The relative date cells (T-2_Mon) of one date column, by row of the frame."""

    cells: np.ndarray  # the text of each such cell, None on the other rows
    unplaced: np.ndarray  # relative dates left without a date: no relative_to
    week_only: np.ndarray  # placed on a week's Monday: the cell gave no weekday


def relative_dates(raw: Mapping[str, Sequence[Any]], data: dict[str, Any],
                    invalid: dict[str, np.ndarray], relative_to: str) -> dict[str, RelativeDates]:
    """Read the unreadable date cells that are relative dates (``T-2_Mon``), in place.

    With ``relative_to`` (the Monday of week T0) they become dates; without it they stay
    empty. Either way they are no longer unreadable. Returns the columns that had any.
    """
    monday = np.datetime64(relative_monday(relative_to), "D") if relative_to else None
    found: dict[str, RelativeDates] = {}
    for name in DATE_FIELDS:
        rows = np.flatnonzero(invalid[name])  # only the cells no date format read
        if not len(rows):
            continue
        cells = raw[name]
        days, has_day = parse_relative_days([cells[i] for i in rows.tolist()])
        hit = ~np.isnan(days)
        if not hit.any():
            continue
        rows, days, has_day = rows[hit], days[hit].astype("int64"), has_day[hit]
        bad = invalid[name] = data[f"{name}_invalid"] = invalid[name].copy()
        bad[rows] = False
        n = len(bad)
        text = np.full(n, None, dtype=object)
        text[rows] = [str(cells[i]).strip() for i in rows.tolist()]
        unplaced, week_only = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        if monday is None:
            unplaced[rows] = True
        else:
            data[name][rows] = (monday + days).astype("datetime64[ns]")
            week_only[rows] = ~has_day
        found[name] = RelativeDates(text, unplaced, week_only)
    return found


def say_relative(builder: FindingsBuilder, messages: Messages, name: str, header: str,
                  found: RelativeDates, sheet_rows: np.ndarray) -> None:
    """One calendar-level finding per kind: relative dates not placed, weeks without a day."""
    for key, mask in (("date-not-set:relative", found.unplaced),
                      ("date-not-set:week", found.week_only)):
        if mask.any():
            builder.calendar_level("date-not-set", name, None, messages.text(
                key, header=header, rows=_row_ranges(sheet_rows[mask].tolist()),
                value=found.cells[mask][0]))


def _row_ranges(rows: Sequence[int], limit: int = 8) -> str:
    """Sheet rows as ranges, e.g. ``2-40, 43``; after ``limit`` ranges, ``… (+N)`` rows."""
    spans: list[list[int]] = []
    for number in rows:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    shown = [f"{a}-{b}" if b > a else str(a) for a, b in spans[:limit]]
    rest = sum(b - a + 1 for a, b in spans[limit:])
    return ", ".join(shown) + (f", … (+{rest})" if rest else "")


def read_publish_time(data: dict[str, Any], cells: Sequence[Any], headers: Mapping[str, str],
                  config: CalendarConfig) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Give ``data["publish_at"]`` its time of day from the publish-time ``cells`` (see
    :func:`_combine_time`); sets ``publish_has_time``.

    Returns the time cells that are unreadable, and the rows whose date cell has another
    time than their time cell as ``(rows, the date's times, the time cells' times)``.
    """
    offsets, invalid = parse_times(cells)
    for i in np.flatnonzero(invalid).tolist():  # "LIVE": no time, not a typo
        invalid[i] = not date_not_set(cells[i], TIME_NOT_SET)
    dates, has_time = data["publish_at"], data["publish_at_has_time"]
    own = dates - dates.astype("datetime64[D]")
    # A date cell's 00:00 is no time of its own (a date-typed cell exported with its clock).
    conflict = has_time & ~np.isnat(offsets) & (own != offsets) & (own != np.timedelta64(0))
    clock = header_clock({name: header_hint(headers[name])
                           for name in ("publish_time", "publish_at") if name in headers})
    data["publish_at"], data["publish_has_time"] = _combine_time(
        dates, has_time, offsets, clock[1] if clock else config.default_publish_time)
    return invalid, (conflict, own[conflict], offsets[conflict])


def clock_texts(offsets: np.ndarray) -> list[str]:
    """Times of day (offsets since midnight) as ``HH:MM``."""
    minutes = (offsets // np.timedelta64(1, "m")).astype("int64").tolist()
    return [f"{m // 60:02d}:{m % 60:02d}" for m in minutes]


def _combine_time(dates: np.ndarray, has_time: np.ndarray, offsets: np.ndarray,
                  default_clock: str) -> tuple[np.ndarray, np.ndarray]:
    """Set the time of day of publish dates: the publish-time column's where it has one, else
    the date cell's own, else ``default_clock``.

    The time column wins over a time in the date cell, midnight or not: it is the cell
    people set the time in, and a date-typed cell often carries a 00:00 it never showed.
    """
    hour, minute = _parse_clock(default_clock) or (9, 0)
    default = np.timedelta64(hour * 60 + minute, "m").astype("timedelta64[ns]")
    use_column = ~np.isnat(offsets)
    combined = dates.copy()
    combined[use_column] = dates[use_column].astype("datetime64[D]") + offsets[use_column]
    use_default = ~has_time & np.isnat(offsets) & ~np.isnat(dates)
    combined[use_default] = dates[use_default].astype("datetime64[D]") + default
    return combined, has_time | use_column





def to_client_time(calendar: Calendar, config: CalendarConfig, sheet_timezone: str = "") -> None:
    """Move timed dates from the zone the sheet is written in to each client's, in place.

    A sheet's times are wall-clock times in the zone its header names ("Time (UTC)",
    "time_wib"), else the spreadsheet's own zone (Google's), else the calendar's
    ``timezone``; rules work in each client's local time. Date-only cells stay on their day.
    A time the clocks pass twice is taken as the earlier instant, one they skip is moved on
    by the gap (02:30 -> 03:30); each says so (``time-ambiguous``, ``time-nonexistent``), as
    a zone taken from a header does (``zone-from-header``). Where a field's times change,
    the times as written stay in ``<field>_wall`` (:func:`sheets_sync.zones.written_times`
    shows them).
    """
    frame = calendar.frame
    setting = zone_of_setting(sheet_timezone or config.timezone)
    messages = Messages(config.language)
    builder = FindingsBuilder(frame)
    # Each row's client's zone, as a number into ``zones``: worked once per client.
    keys, clients = calendar.categorized("client")
    theirs = [config.for_client(c).timezone for c in clients.tolist()]
    zones = sorted(set(theirs))
    row_zone = np.array([zones.index(z) for z in theirs], dtype=np.intp)[keys]
    hinted: dict[str, Zone] = {}
    noted = False
    for name in DATE_FIELDS:
        source = next((f for f in ((("publish_time",) if name == "publish_at" else ()) + (name,))
                       if f in calendar.hints and calendar.hints[f].zone), None)
        zone = calendar.hints[source].zone if source else None
        if source and zone:
            hinted[source] = zone
        calendar.written[name] = zone or setting
        noted |= _move_field(calendar, name, zone or setting, (zones, row_zone), builder,
                             messages)
    for name, zone in hinted.items():
        variant = ("" if zone.name == setting.name
                   else ":spreadsheet" if sheet_timezone else ":calendar")
        builder.calendar_level("zone-from-header", name, calendar.header_row, messages.text(
            "zone-from-header" + variant, header=calendar.header(name), zone=zone.describe(),
            setting=setting.name))
    if noted or hinted:
        calendar.findings = concat([calendar.findings, builder.frame()])


def _move_field(calendar: Calendar, name: str, zone: Zone,
                clients: tuple[list[str], np.ndarray], builder: FindingsBuilder,
                messages: Messages) -> bool:
    """Move the timed cells of field ``name`` from ``zone`` to each client's; ``clients``
    are the zones and, per row, the number of its client's. Returns whether it reported
    a time the clocks pass twice or skip."""
    frame = calendar.frame
    wall = frame[name].to_numpy(dtype="datetime64[ns]")
    timed = frame[timed_column(name)].to_numpy(dtype=bool) & ~np.isnat(wall)
    if not timed.any():
        return False
    zones, row_zone = clients
    elsewhere = np.array([there != zone.name for there in zones], dtype=bool)[row_zone]
    # Rows whose wall time may be ambiguous or missing, and rows of clients elsewhere.
    need = timed & (elsewhere | transition_days(zone.tz, wall))
    if not need.any():
        return False
    rows = np.flatnonzero(need)
    utc, kind = wall_to_utc(wall[rows], zone.tz)
    moved = wall.copy()
    theirs = row_zone[rows]
    for number in np.unique(theirs).tolist():
        mine = theirs == number
        moved[rows[mine]] = utc_to_wall(utc[mine], zones[number])
    if not np.array_equal(moved, wall):
        frame[f"{name}_wall"] = wall
        frame[name] = moved
    header = calendar.header(name)
    if kind.any():  # which rows' written time the clocks pass twice or skip (WALL_*)
        clock_change = np.zeros(len(frame), dtype=np.int8)
        clock_change[rows] = kind
        frame[f"{name}_clock_change"] = clock_change
    for code, which in (("time-ambiguous", WALL_AMBIGUOUS), ("time-nonexistent", WALL_NONEXISTENT)):
        odd = kind == which
        if odd.any():
            mask = np.zeros(len(frame), dtype=bool)
            mask[rows[odd]] = True
            builder.add(code, mask, name, messages.render(
                code, header=header, when=messages.when(wall[rows[odd]]), zone=zone.describe(),
                utc=pd.Series(utc[odd]).dt.strftime("%H:%M").tolist(),
                shifted=pd.Series(utc_to_wall(utc[odd], zone.tz)).dt.strftime("%H:%M").tolist()))
    return bool(kind.any())
