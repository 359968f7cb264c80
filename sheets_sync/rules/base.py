"""What every rule receives: the parsed calendar, the configuration, ``now`` and helpers.

Rules are plain functions ``rule(ctx) -> None`` that add findings through ``ctx.add``; they
are registered with :func:`rule` and must not read the clock, the disk or the network.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import holidays
import numpy as np
import pandas as pd

from sheets_sync.config import CalendarConfig, ClientConfig
from sheets_sync.findings import FindingsBuilder
from sheets_sync.history import Observed
from sheets_sync.messages import Messages
from sheets_sync.parse import Calendar
from sheets_sync.values import Coded, factorize, mostly_distinct

RuleFunc = Callable[["Context"], None]


@dataclass(frozen=True)
class Rule:
    """A registered rule: the function and the finding codes it may report."""

    codes: tuple[str, ...]
    func: RuleFunc


REGISTRY: list[Rule] = []


def rule(*codes: str) -> Callable[[RuleFunc], RuleFunc]:
    """Register a rule function as the reporter of ``codes``."""

    def register(func: RuleFunc) -> RuleFunc:
        REGISTRY.append(Rule(codes, func))
        return func

    return register


def per_distinct(values: pd.Series, func: Callable[[Any], Any], dtype: Any = object,
                 key: Callable[[Any], Any] | None = None) -> np.ndarray:
    """Return ``func(key(value))`` for every cell, computed once per distinct value.

    Calendars repeat statuses, channels and names on thousands of rows; even columns of
    unique text are cheaper this way than through pandas' string accessors.
    """
    if mostly_distinct(values.to_numpy(dtype=object)):
        # Captions, links: hashing every value first would cost more than it saves.
        call = func if key is None else (lambda v: func(key(v)))
        return np.fromiter((call("" if v is None else v) for v in values), dtype=dtype,
                           count=len(values))
    codes, uniques = factorize(values)  # None and NaN (code -1) count as ""
    keyed = [key(u) for u in uniques] if key is not None else list(uniques)
    results = np.array([*(func(u) for u in keyed), func("" if key is None else key(""))],
                       dtype=dtype)
    return results[np.where(codes < 0, len(keyed), codes)]


def blank(values: pd.Series | np.ndarray) -> np.ndarray:
    """Per cell: whether the text is empty or only white space."""
    cells = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    try:  # map() over a built-in method runs in C: no Python call per cell
        return (cells == "") | np.fromiter(map(str.isspace, cells), bool, len(cells))
    except TypeError:  # a cell that is not text (parsed text columns never hold one)
        return per_distinct(pd.Series(cells, dtype=object), _is_blank, bool)


def _is_blank(value: Any) -> bool:
    text = value if isinstance(value, str) else str(value)
    return not text or text.isspace()


def stripped(values: pd.Series | np.ndarray) -> np.ndarray:
    """Per cell: the text without surrounding white space (the same object when it has none)."""
    cells = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    return np.array(list(map(str.strip, cells)), dtype=object)


@functools.lru_cache(maxsize=64)
def _holiday_dates(country: str, first_year: int, last_year: int) -> tuple[np.datetime64, ...]:
    found = holidays.country_holidays(country, years=range(first_year, last_year + 1))
    return tuple(np.datetime64(day, "D") for day in sorted(found))


@dataclass
class Context:
    """The inputs of one validation run, with vectorised per-client helpers."""

    calendar: Calendar
    config: CalendarConfig
    now: dt.datetime
    observed: Observed | None = None  # earlier cycles' facts; None when there is no state
    messages: Messages = field(init=False)
    builder: FindingsBuilder = field(init=False)
    _memo: dict[str, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.messages = Messages(self.config.language)
        self.builder = FindingsBuilder(self.frame)
        # Client codes in name order, over the clients that have rows.
        codes, uniques = self.calendar.coded("client")
        used = np.flatnonzero(np.bincount(codes, minlength=len(uniques)))
        names = sorted(uniques[used].tolist())
        rank = np.full(len(uniques), -1, dtype=np.intp)
        order = {name: i for i, name in enumerate(names)}
        rank[used] = [order[u] for u in uniques[used].tolist()]
        self.client_codes: np.ndarray = rank[codes]
        self.clients: list[str] = [str(n) for n in names]
        self.settings: dict[str, ClientConfig] = {
            c: self.config.for_client(c) for c in self.clients}

    @property
    def frame(self) -> pd.DataFrame:
        return self.calendar.frame

    def add(self, code: str, mask: Any, column: str, messages: Any, severity: Any = None
            ) -> None:
        self.builder.add(code, mask, column, messages, severity)

    def has(self, name: str) -> bool:
        """Return whether the calendar has a column for field ``name``."""
        return name in self.calendar.columns

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Return ``compute()``, computed once per run for ``key`` (shared by several rules)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    # --- text columns, once per distinct value ------------------------------------------
    def coded(self, name: str) -> Coded:
        """Return text column ``name`` as ``(codes, uniques)`` (see :meth:`Calendar.coded`)."""
        return self.calendar.coded(name)

    def per_text(self, name: str, func: Callable[[str], Any], dtype: Any = object
                 ) -> np.ndarray:
        """Per row: ``func(text)`` of column ``name``, once per distinct text when it repeats."""
        found = self.calendar.codes.get(name)
        if found is None:  # a column of distinct texts (captions, links, IDs)
            return per_distinct(self.frame[name], func, dtype)
        codes, uniques = found
        return np.array([func(u) for u in uniques.tolist()], dtype=dtype)[codes]

    def blank(self, name: str) -> np.ndarray:
        """Per row: whether column ``name`` is empty or only white space."""
        if name not in self.calendar.codes:
            return blank(self.frame[name])
        return self.memo(f"blank:{name}", lambda: self.per_text(name, _is_blank, bool))

    def text_in(self, name: str, texts: str | Iterable[str]) -> np.ndarray:
        """Per row: whether column ``name`` is one of ``texts``."""
        wanted = {texts} if isinstance(texts, str) else set(texts)
        codes, uniques = self.coded(name)
        hits = np.array([u in wanted for u in uniques.tolist()], dtype=bool)
        return hits[codes]

    def status_in(self, states: str | Iterable[str]) -> np.ndarray:
        """Per row: whether the canonical status is ``states`` (one name or several)."""
        return self.text_in("status", states)

    # --- per-client values ------------------------------------------------------------
    def per_client(self, get: Callable[[ClientConfig], Any], dtype: Any = float) -> np.ndarray:
        """Return ``get(client settings)`` for every row, as an array of ``dtype``."""
        values = np.array([get(self.settings[c]) for c in self.clients], dtype=dtype)
        if not len(values):
            return np.zeros(0, dtype=dtype)
        return values[self.client_codes]

    def client_mask(self, client: str) -> np.ndarray:
        return self.client_codes == self.clients.index(client)

    def local_now(self, client: str) -> np.datetime64:
        """Return ``now`` as a naive datetime in the client's time zone."""
        zone = zoneinfo.ZoneInfo(self.settings[client].timezone)
        return np.datetime64(self.now.astimezone(zone).replace(tzinfo=None), "ns")

    @functools.cached_property
    def now_local(self) -> np.ndarray:
        """Per row: ``now`` in the row's client's time zone (naive datetime64[ns])."""
        values = np.array([self.local_now(c) for c in self.clients], dtype="datetime64[ns]")
        return values[self.client_codes] if len(values) else values

    @functools.cached_property
    def today_local(self) -> np.ndarray:
        return self.now_local.astype("datetime64[D]")

    # --- business days ------------------------------------------------------------------
    @functools.cached_property
    def _years(self) -> tuple[int, int]:
        year = self.now.year
        stamps = self.frame["publish_at"].to_numpy(dtype="datetime64[ns]")
        stamps = stamps[~np.isnat(stamps)]
        if not len(stamps):
            return year - 1, year + 1
        low = int(stamps.min().astype("datetime64[Y]").astype(int)) + 1970
        high = int(stamps.max().astype("datetime64[Y]").astype(int)) + 1970
        return min(low, year - 1), max(high, year + 1)

    def holidays_for(self, client: str) -> tuple[np.datetime64, ...]:
        """Return the public holidays of the client's country over the calendar's years."""
        return _holiday_dates(self.settings[client].country.upper(), *self._years)

    @functools.cached_property
    def _country_groups(self) -> list[tuple[np.ndarray, list[np.datetime64]]]:
        """Row masks per country (clients sharing a country share a holiday calendar)."""
        by_country: dict[str, list[int]] = {}
        for index, client in enumerate(self.clients):
            by_country.setdefault(self.settings[client].country.upper(), []).append(index)
        return [(np.isin(self.client_codes, indexes),
                 list(self.holidays_for(self.clients[indexes[0]])))
                for indexes in by_country.values()]

    def _by_country(self, func: Callable[[np.ndarray, list[np.datetime64]], np.ndarray],
                    size_like: np.ndarray, out_dtype: Any) -> np.ndarray:
        out = np.zeros(len(size_like), dtype=out_dtype)
        for mask, holiday_list in self._country_groups:
            if mask.any():
                out[mask] = func(mask, holiday_list)
        return out

    def business_days_between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Per row: business days in [start, end) (negative when end is earlier); 0 for NaT."""
        start_d, end_d = start.astype("datetime64[D]"), end.astype("datetime64[D]")
        valid = ~np.isnat(start_d) & ~np.isnat(end_d)
        safe_start = np.where(valid, start_d, np.datetime64("2000-01-03"))
        safe_end = np.where(valid, end_d, np.datetime64("2000-01-03"))
        counts = self._by_country(
            lambda m, hol: np.busday_count(safe_start[m], safe_end[m], holidays=hol),
            start, "int64")
        return np.where(valid, counts, 0)

    def add_business_days(self, start: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Per row: the date ``days`` business days after ``start`` (rolled forward first)."""
        start_d = start.astype("datetime64[D]")
        valid = ~np.isnat(start_d)
        safe = np.where(valid, start_d, np.datetime64("2000-01-03"))
        steps = np.asarray(days, dtype="int64")
        out = self._by_country(
            lambda m, hol: np.busday_offset(safe[m], steps[m], roll="forward",
                                            holidays=hol),
            start, "datetime64[D]")
        return np.where(valid, out, np.datetime64("NaT"))

    def is_business_day(self, dates: np.ndarray) -> np.ndarray:
        dates_d = dates.astype("datetime64[D]")
        valid = ~np.isnat(dates_d)
        safe = np.where(valid, dates_d, np.datetime64("2000-01-03"))
        out = self._by_country(lambda m, hol: np.is_busday(safe[m], holidays=hol),
                               dates, bool)
        return out & valid

    # --- presentation -----------------------------------------------------------------
    def when(self, stamps: Any, with_time: Any = True) -> list[str]:
        """Format datetimes for messages, in the calendar's language."""
        series = pd.Series(np.asarray(stamps, dtype="datetime64[ns]"))
        day_format = "%d.%m.%Y" if self.config.language == "tr" else "%Y-%m-%d"
        days = series.dt.strftime(day_format).fillna("?")
        if with_time is False:
            return days.tolist()
        times = series.dt.strftime(" %H:%M").fillna("")
        show = np.broadcast_to(np.asarray(with_time, dtype=bool), len(series))
        return (days + times.where(show, "")).tolist()
