"""Frame columns -> cell values: literal texts, dates and times, numbers, time zones.

A cell is text (always literal: the writers never let it become a formula), a number, a
bool, a date or a naive datetime in the calendar's time zone, or None for a blank cell.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import numpy as np
import pandas as pd

from sheets_sync.config import CalendarConfig
from sheets_sync.messages import Messages
from sheets_sync.parse import Calendar
from sheets_sync.rules.base import blank
from sheets_sync.zones import wall_times, written_times, zone_differs


def texts(values: Any) -> np.ndarray:
    """Return texts as an object array, blank (empty, white space, missing) cells as None."""
    out = pd.Series(values, dtype=object).to_numpy(dtype=object).copy()
    out[blank(out)] = None
    return out


def moments(stamps: Any, with_time: Any = True) -> np.ndarray:
    """Return naive datetime64 values as datetime (or date where ``with_time`` is False)."""
    stamps = np.asarray(stamps, dtype="datetime64[ns]")
    full = stamps.astype("datetime64[us]").astype(object)
    days = stamps.astype("datetime64[D]").astype(object)
    return np.where(with_time, full, days)


def publish_cells(calendar: Calendar, config: CalendarConfig, rows: np.ndarray,
                  with_time: Any) -> np.ndarray:
    """Return the publish times of frame positions ``rows`` as cells, as the sheet writes them.

    A date cell (a datetime where ``with_time``), the sheet's own wall time; where the sheet is
    written in another zone than the row's client, text with both (see
    :func:`sheets_sync.zones.written_times`): ``2026-07-16 09:00 Europe/Berlin (10:00
    Istanbul)``.
    """
    cells = moments(wall_times(calendar, "publish_at")[rows], with_time)
    differs, _ = zone_differs(calendar, config, "publish_at", rows, with_time)
    if differs.any():
        cells[differs] = written_times(calendar, config, "publish_at", rows[differs],
                                       Messages(config.language))
    return cells


def utc_to_local(stamps: Any, zone: str) -> np.ndarray:
    """Return naive-UTC datetime64 values as naive datetime64[ns] in time zone ``zone``."""
    index = pd.DatetimeIndex(np.asarray(stamps, dtype="datetime64[ns]"))
    return index.tz_localize("UTC").tz_convert(zone).tz_localize(None).to_numpy("datetime64[ns]")


def local(moment: dt.datetime, zone: str) -> dt.datetime:
    """Return ``moment`` (aware; naive counts as UTC) as a naive datetime in ``zone``."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
    return aware.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


def blank_unless(keep: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Return ``values`` as an object array (Python scalars) with None where not ``keep``."""
    out = values.astype(object)
    out[~keep] = None
    return out


def number(value: float) -> int | float:
    """Return ``value`` as an int when it is a whole number, else as a float."""
    return int(value) if float(value).is_integer() else float(value)
