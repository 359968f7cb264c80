"""Time zones: the zone a header names, wall times to instants (daylight saving included),
and publish times shown as the sheet writes them.

Terminology: a *wall time* is a date and time of day as a clock on the wall shows it, naive,
in some zone; an *instant* is a point in time (kept as a naive UTC datetime64). A sheet's
times are wall times in the zone the sheet is *written in*: the zone its header names
("Time (UTC)", "time_wib"), else the spreadsheet's own zone, else the calendar's
``timezone``. Rules work on each client's wall times; people are shown the sheet's.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from sheets_sync.config import CalendarConfig
    from sheets_sync.messages import Messages
    from sheets_sync.parse import Calendar

# The zone abbreviations a header may use, and the zone each one means. An abbreviation
# names a place, not a fixed offset: "EST" in July is New York's summer time.
ABBREVIATIONS: dict[str, str] = {
    "WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura",
    "EST": "America/New_York", "EDT": "America/New_York",
    "CST": "America/Chicago", "CDT": "America/Chicago",
    "MST": "America/Denver", "MDT": "America/Denver",
    "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "CET": "Europe/Paris", "CEST": "Europe/Paris", "BST": "Europe/London",
    "TRT": "Europe/Istanbul", "IST": "Asia/Kolkata", "AEST": "Australia/Sydney",
    "SGT": "Asia/Singapore", "JST": "Asia/Tokyo",
}
_OFFSET = re.compile(r"^(UTC|GMT)\s*([+\-\u2212])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
# One zone word inside a hint: an IANA name, UTC/GMT with an offset, or a word.
_TOKEN = re.compile(r"[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+|(?:UTC|GMT)\s*[+\-\u2212]\s*\d{1,2}"
                    r"(?::?\d{2})?|[A-Za-z]+", re.IGNORECASE)
_HINTS = re.compile(r"\(([^)]*)\)|\[([^\]]*)\]")
_CLOCK = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*([ap])\.?\s?m\b\.?|\b(\d{1,2})[:.](\d{2})\b",
                    re.IGNORECASE)
# A zone word ending a header with no parentheses: "time_wib", "Time UTC", "time-gmt+3".
_TRAILING = re.compile(r"^(?P<bare>.*?\w)[\s_\-]+(?P<zone>[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+)+|"
                       r"(?:UTC|GMT)(?:\s*[+\-\u2212]\s*\d{1,2}(?::?\d{2})?)?|[A-Za-z]{3,4})$",
                       re.IGNORECASE)


@dataclass(frozen=True)
class Zone:
    """A time zone as the tool uses it.

    ``name`` identifies it (an IANA name, ``UTC`` or a fixed offset such as ``UTC+03:00``);
    ``label`` is how the sheet names it (``WIB``, ``GMT+3``; the name when read from there).
    """

    name: str
    label: str
    tz: dt.tzinfo

    def describe(self) -> str:
        """The label, with the name beside it when they differ: ``WIB (Asia/Jakarta)``."""
        return self.name if self.label == self.name else f"{self.label} ({self.name})"


@dataclass(frozen=True)
class HeaderHint:
    """What a header says besides its field: the zone of its times, a default time of day.

    ``bare`` is the header without a zone word that ends it ("time_wib" -> "time").
    """

    header: str
    zone: Zone | None
    clock: str | None  # "HH:MM"
    bare: str


@functools.lru_cache(maxsize=1)
def _iana_names() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


@functools.lru_cache(maxsize=256)
def zone_named(text: str) -> Zone | None:
    """Return the zone ``text`` names (an IANA name in any case, UTC, GMT, UTC+3, GMT-05:30,
    or an abbreviation of :data:`ABBREVIATIONS`), or None."""
    word = text.strip()
    upper = word.upper()
    if upper in ("UTC", "GMT", "Z"):
        return Zone("UTC", "GMT" if upper == "GMT" else "UTC", dt.timezone.utc)
    if upper in ABBREVIATIONS:
        name = ABBREVIATIONS[upper]
        return Zone(name, upper, zoneinfo.ZoneInfo(name))
    found = _OFFSET.match(word)
    if found:
        sign = -1 if found[2] in "-\u2212" else 1
        hours, minutes = int(found[3]), int(found[4] or 0)
        if hours > 14 or minutes > 59:
            return None
        offset = dt.timedelta(hours=hours, minutes=minutes)
        if not offset:
            return Zone("UTC", found[1].upper(), dt.timezone.utc)
        name = f"UTC{'+' if sign > 0 else '-'}{hours:02d}:{minutes:02d}"
        label = f"{found[1].upper()}{'+' if sign > 0 else '-'}{hours}" + (
            f":{minutes:02d}" if minutes else "")
        return Zone(name, label, dt.timezone(sign * offset))
    if "/" in word:
        known = word if _is_zone(word) else _iana_names().get(word.casefold())
        if known:
            return Zone(known, known, zoneinfo.ZoneInfo(known))
    return None


def _is_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):
        return False
    return True


def zone_of_setting(name: str) -> Zone:
    """Return the zone of a configured or spreadsheet zone name (already checked as valid)."""
    if name.upper() in ("UTC", "GMT"):
        return zone_named(name) or Zone("UTC", "UTC", dt.timezone.utc)
    return Zone(name, name, zoneinfo.ZoneInfo(name))


def header_hint(header: str) -> HeaderHint:
    """Read the zone and the default time of day a header gives, if any.

    In parentheses or brackets: ``Time (UTC)``, ``Date (GMT+3)``, ``Time (Europe/Berlin)``,
    ``Publish date (10:00 AM)``, ``Time (10:00, WIB)``; or a zone word ending the header:
    ``time_wib``, ``Time UTC``.
    """
    zone: Zone | None = None
    clock: str | None = None
    for found in _HINTS.finditer(header):
        inside = found[1] if found[1] is not None else found[2]
        for token in _TOKEN.finditer(inside):
            named = zone_named(token[0])
            if named is not None:  # taken out, so that "UTC+05:30" is no time of day
                zone = zone or named
                inside = inside.replace(token[0], " ")
        time = _CLOCK.search(inside)
        clock = clock or (_clock_text(time) if time else None)
    bare = header
    if zone is None:
        trailing = _TRAILING.match(_HINTS.sub(" ", header).strip())
        if trailing:
            zone = zone_named(trailing["zone"])
            if zone is not None:
                bare = trailing["bare"]
    return HeaderHint(header, zone, clock, bare)


def _clock_text(found: re.Match[str]) -> str | None:
    if found[4] is not None:
        hour, minute = int(found[4]), int(found[5])
    else:
        hour, minute = int(found[1]), int(found[2] or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if found[3].lower() == "p" else 0)
    return f"{hour:02d}:{minute:02d}" if hour < 24 and minute < 60 else None


def city(name: str) -> str:
    """The short name of a zone for people: ``Europe/Istanbul`` -> ``Istanbul``."""
    return name.rsplit("/", 1)[-1].replace("_", " ")


# --- wall times -> instants -------------------------------------------------------------------

WALL_FINE, WALL_AMBIGUOUS, WALL_NONEXISTENT = 0, 1, 2


def transition_days(tz: dt.tzinfo, stamps: np.ndarray) -> np.ndarray:
    """Per stamp (naive, any zone): whether its day is near a change of ``tz``'s offset.

    Only wall times on such days can be ambiguous or missing; the rest need no checking.
    """
    valid = ~np.isnat(stamps)
    if isinstance(tz, dt.timezone) or not valid.any():
        return np.zeros(len(stamps), dtype=bool)
    first = stamps[valid].min().astype("datetime64[D]")
    last = stamps[valid].max().astype("datetime64[D]")
    span = np.arange(first - 2, last + 3)
    index = pd.DatetimeIndex(span.astype("datetime64[ns]")).tz_localize("UTC")
    offsets = (index.tz_convert(tz).tz_localize(None) - index.tz_localize(None)).to_numpy()
    changed = np.flatnonzero(offsets[1:] != offsets[:-1])
    if not len(changed):
        return np.zeros(len(stamps), dtype=bool)
    near = np.zeros(len(span) + 2, dtype=bool)  # per day of the span: a change within a day
    for step in (-1, 0, 1, 2):
        near[np.clip(changed + step, 0, len(span) - 1)] = True
    days = stamps.astype("datetime64[D]")
    at = np.where(valid, days - (first - 2), 0).astype("int64")
    return valid & near[at]


def wall_to_utc(wall: np.ndarray, tz: dt.tzinfo) -> tuple[np.ndarray, np.ndarray]:
    """Return the instants of naive wall times in ``tz`` (naive UTC, NaT stays NaT), and per
    time whether it was fine, ambiguous or non-existent (``WALL_*``).

    A wall time the clocks pass twice (the hour after summer time ends) is its first
    instant; one they skip (the hour summer time starts) is moved forward by the gap
    (02:30 becomes 03:30).
    """
    wall = np.asarray(wall, dtype="datetime64[ns]")
    local = pd.DatetimeIndex(wall).tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    utc = local.tz_convert("UTC").tz_localize(None).to_numpy(dtype="datetime64[ns]").copy()
    kind = np.zeros(len(wall), dtype=np.int8)
    odd = np.flatnonzero(np.isnat(utc) & ~np.isnat(wall))
    if len(odd):  # rare: a few days a year; each distinct time once, by Python's rules
        distinct, back = np.unique(wall[odd], return_inverse=True)
        solved = [_odd_wall(stamp, tz) for stamp in pd.DatetimeIndex(distinct).to_pydatetime()]
        utc[odd] = np.array([s[0] for s in solved], dtype="datetime64[ns]")[back]
        kind[odd] = np.array([s[1] for s in solved], dtype=np.int8)[back]
    return utc, kind


def _odd_wall(wall: dt.datetime, tz: dt.tzinfo) -> tuple[np.datetime64, int]:
    # fold=0 is the first of two instants, and for a skipped time the offset before the gap:
    # the instant "gap later" on the clock.
    first = wall.replace(tzinfo=tz, fold=0)
    instant = first.astimezone(dt.timezone.utc).replace(tzinfo=None)
    if first.utcoffset() == wall.replace(tzinfo=tz, fold=1).utcoffset():
        kind = WALL_FINE
    elif first.astimezone(dt.timezone.utc).astimezone(tz).replace(tzinfo=None) != wall:
        kind = WALL_NONEXISTENT
    else:
        kind = WALL_AMBIGUOUS
    return np.datetime64(instant, "ns"), kind


def utc_to_wall(utc: np.ndarray, zone: str | dt.tzinfo) -> np.ndarray:
    """Return naive-UTC instants as naive wall times in ``zone``."""
    index = pd.DatetimeIndex(np.asarray(utc, dtype="datetime64[ns]")).tz_localize("UTC")
    return index.tz_convert(zone).tz_localize(None).to_numpy(dtype="datetime64[ns]")


# --- showing times to people ------------------------------------------------------------------


def timed_column(name: str) -> str:
    """The frame column saying whether field ``name`` has a time of day."""
    return "publish_has_time" if name == "publish_at" else f"{name}_has_time"


def wall_times(calendar: Calendar, name: str) -> np.ndarray:
    """Field ``name`` of every row as the sheet writes it (naive, in the zone it is written
    in), whether or not :func:`sheets_sync.parse.to_client_time` moved it."""
    frame = calendar.frame
    kept = f"{name}_wall"
    return frame[kept if kept in frame else name].to_numpy(dtype="datetime64[ns]")


def _positions(rows: Any) -> np.ndarray:
    return np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows, dtype=int)


def zone_differs(calendar: Calendar, config: CalendarConfig, name: str, rows: Any,
                 with_time: Any = True) -> tuple[np.ndarray, np.ndarray]:
    """Per row of ``rows`` (a mask or positions of the frame): whether field ``name`` is a
    time written in another zone than the row's client's (a date alone never is), and the
    client's city (``Istanbul``)."""
    frame = calendar.frame
    at = _positions(rows)
    timed = frame[timed_column(name)].to_numpy(dtype=bool)[at] & ~np.isnat(
        wall_times(calendar, name)[at])
    timed &= np.broadcast_to(np.asarray(with_time, dtype=bool), len(at))
    zone = calendar.written.get(name)
    if zone is None or not timed.any():
        return np.zeros(len(at), dtype=bool), np.full(len(at), "", dtype=object)
    keys, clients = pd.factorize(frame["client"].to_numpy(dtype=object)[at])
    theirs = np.array([config.for_client(c).timezone for c in clients], dtype=object)
    cities = np.array([city(z) for z in theirs], dtype=object)[keys]
    return timed & (theirs != zone.name)[keys], cities


def written_times(calendar: Calendar, config: CalendarConfig, name: str, rows: Any,
                  messages: Messages, with_time: Any = True) -> list[str]:
    """The times of field ``name`` on ``rows`` (a mask or positions of the frame) as a
    person reads them.

    Each time is the sheet's wall time. Where the sheet is written in another zone than the
    row's client (:func:`zone_differs`), the zone and the client's time follow:
    ``2026-07-16 09:00 Europe/Berlin (10:00 Istanbul)``. ``with_time`` (one flag or one per
    row) says whether to show the time of day at all.
    """
    at = _positions(rows)
    wall = wall_times(calendar, name)[at]
    differs, cities = zone_differs(calendar, config, name, at, with_time)
    if not differs.any():
        return messages.when(wall, with_time)
    zone = calendar.written[name]
    local = calendar.frame[name].to_numpy(dtype="datetime64[ns]")[at]
    return messages.when_written(wall, with_time, np.where(differs, zone.label, ""), local,
                                 cities)
