"""What every rule receives: the parsed calendar, the configuration, ``now`` and helpers.

Rules are plain functions ``rule(ctx) -> None`` that add findings through
``ctx.findings.add``; they are registered with :func:`rule` and must not read the clock, the
disk or the network. A rule uses the parts of :class:`Context` it needs:

- ``ctx.findings`` collects findings; ``ctx.messages`` words them (and formats dates);
- ``ctx.texts`` works on text columns once per distinct text (statuses, channels, names);
- ``ctx.clients`` says which client each row belongs to, with its settings and clock;
- ``ctx.days`` counts business days by each client's public holidays;
- ``ctx.observed`` is what earlier cycles saw of each post (None in an audit);
- ``ctx.memo`` shares a computation between rules.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import os
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sheets_sync.config import CalendarConfig, ClientConfig
from sheets_sync.findings import FindingsBuilder
from sheets_sync.messages import Messages
from sheets_sync.parse import Calendar
from sheets_sync.values import Categories, factorize, mostly_distinct
from sheets_sync.zones import wall_times, written_times

if TYPE_CHECKING:  # history only when earlier cycles were read
    from sheets_sync.history import Observed

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


def combinations(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Number the distinct combinations of ``columns``' values (numbers, flags or times, one
    value per entry): per entry its combination's number, and per number the position of
    its first entry. What depends on those values alone is then worked once per combination:
    ``once[codes]`` is its result for every entry."""
    codes = np.zeros(len(columns[0]) if columns else 0, dtype=np.int64)
    size = 1  # how many numbers the codes may take
    for column in columns:
        values = np.asarray(column)
        if values.dtype.kind in "Mmb":  # times and flags: their numbers (NaT is one too)
            values = values.astype(np.int64) if values.dtype.kind == "b" else values.view(
                np.int64)
        keys, uniques = pd.factorize(values, use_na_sentinel=False)
        if size * len(uniques) >= 1 << 62:  # numbered afresh before they overflow
            codes, distinct = pd.factorize(codes)
            size = len(distinct)
        codes, size = codes * len(uniques) + keys, size * max(len(uniques), 1)
    codes, _ = pd.factorize(codes)  # in order of first entry
    _, first = np.unique(codes, return_index=True)
    return codes, first


def blank(values: pd.Series | np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
    """Per cell: whether the text is empty or only white space (``lengths``, the texts'
    lengths when they are known, tell the empty ones)."""
    cells = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values
    try:  # map() over a built-in method runs in C: no Python call per cell
        empty = cells == "" if lengths is None else lengths == 0
        return empty | np.fromiter(map(str.isspace, cells), bool, len(cells))
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
    import holidays  # only when a rule counts business days: it takes a while to load

    _load_country_module(country)
    found = holidays.country_holidays(country, years=range(first_year, last_year + 1))
    return tuple(np.datetime64(day, "D") for day in sorted(found))


def _load_country_module(country: str) -> None:
    """Import the holidays library's module of ``country`` without the package of countries.

    The library imports a country's module by its full name, and Python imports a package
    before its modules: the package of countries imports the module of every country (some
    250 of them, 0.05 s). While the one module (and any country's it imports: a territory
    takes its holidays from its state) is imported, the package stands in ``sys.modules`` as
    a bare package of the same folder; the modules imported stay there, and the library finds
    them when it asks. The package itself is imported as before by whoever asks for it.
    """
    import importlib
    import importlib.machinery
    import sys
    import types

    import holidays

    try:
        from holidays.registry import COUNTRIES, IMPORT_LOCK
    except ImportError:  # a release without the registry: the library loads as it does
        return
    names = [module for module, entities in COUNTRIES.items() if country in entities[1:]]
    package = "holidays.countries"
    if len(names) != 1 or package in sys.modules:
        return  # not a country the library knows (it says so itself), or all are loaded
    with IMPORT_LOCK:
        folders = [os.path.join(folder, "countries") for folder in holidays.__path__]
        bare = types.ModuleType(package)
        bare.__path__ = folders
        bare.__spec__ = importlib.machinery.ModuleSpec(package, None, is_package=True)
        bare.__spec__.submodule_search_locations = folders
        sys.modules[package] = bare
        try:
            importlib.import_module(f"{package}.{names[0]}")
        except Exception:  # a release laid out otherwise: the library loads its countries
            pass  # itself, as it always did, when asked for the holidays
        finally:
            if sys.modules.get(package) is bare:
                del sys.modules[package]


class Texts:
    """A calendar's text columns, worked once per distinct text where texts repeat."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self._blank: dict[str, np.ndarray] = {}

    def categorized(self, name: str) -> Categories:
        """Return text column ``name`` as ``(keys, uniques)`` (see :meth:`Calendar.categorized`)."""
        return self.calendar.categorized(name)

    def per_text(self, name: str, func: Callable[[str], Any], dtype: Any = object
                 ) -> np.ndarray:
        """Per row: ``func(text)`` of column ``name``, once per distinct text when it repeats."""
        found = self.calendar.categories.get(name)
        if found is None:  # a column of distinct texts (captions, links, IDs)
            return per_distinct(self.calendar.frame[name], func, dtype)
        keys, uniques = found
        return np.array([func(u) for u in uniques.tolist()], dtype=dtype)[keys]

    def blank(self, name: str) -> np.ndarray:
        """Per row: whether column ``name`` is empty or only white space."""
        if name not in self._blank:
            self._blank[name] = (blank(self.calendar.frame[name])
                                 if name not in self.calendar.categories
                                 else self.per_text(name, _is_blank, bool))
        return self._blank[name]

    def blank_at(self, name: str, at: np.ndarray) -> np.ndarray:
        """:meth:`blank` of the rows at positions ``at`` (the rows alone looked at, unless
        the whole column was)."""
        if name in self._blank or name in self.calendar.categories:
            return self.blank(name)[at]
        return blank(self.calendar.frame[name].to_numpy(dtype=object)[at])

    def stripped(self, name: str, mask: np.ndarray) -> list[str]:
        """The texts of column ``name`` on the rows of ``mask``, without surrounding white
        space: stripped once per distinct text where texts repeat (statuses, channels)."""
        found = self.calendar.categories.get(name)
        if found is None:
            return list(map(str.strip, self.calendar.frame[name].to_numpy(dtype=object)[mask]))
        keys, uniques = found
        return np.array(list(map(str.strip, uniques.tolist())), dtype=object)[keys[mask]].tolist()

    def text_in(self, name: str, texts: str | Iterable[str]) -> np.ndarray:
        """Per row: whether column ``name`` is one of ``texts``."""
        wanted = {texts} if isinstance(texts, str) else set(texts)
        keys, uniques = self.categorized(name)
        hits = np.array([u in wanted for u in uniques.tolist()], dtype=bool)
        return hits[keys]

    def status_in(self, states: str | Iterable[str]) -> np.ndarray:
        """Per row: whether the canonical status is ``states`` (one name or several)."""
        return self.text_in("status", states)


class Clients:
    """The calendar's clients: which row is whose, and each one's settings and clock."""

    def __init__(self, calendar: Calendar, config: CalendarConfig, now: dt.datetime) -> None:
        self.now = now
        # Client numbers in name order, over the clients that have rows.
        keys, uniques = calendar.categorized("client")
        used = np.flatnonzero(np.bincount(keys, minlength=len(uniques)))
        names = sorted(uniques[used].tolist())
        rank = np.full(len(uniques), -1, dtype=np.intp)
        order = {name: i for i, name in enumerate(names)}
        rank[used] = [order[u] for u in uniques[used].tolist()]
        self.of_row: np.ndarray = rank[keys]  # per row: its client's index in names
        self.names: list[str] = [str(n) for n in names]
        self.settings: dict[str, ClientConfig] = {c: config.for_client(c) for c in self.names}

    def per_client(self, get: Callable[[ClientConfig], Any], dtype: Any = float) -> np.ndarray:
        """Return ``get(client settings)`` for every row, as an array of ``dtype``."""
        values = np.array([get(self.settings[c]) for c in self.names], dtype=dtype)
        if not len(values):
            return np.zeros(0, dtype=dtype)
        return values[self.of_row]

    def mask(self, client: str) -> np.ndarray:
        """Per row: whether it belongs to ``client``."""
        return self.of_row == self.names.index(client)

    def local_now(self, client: str) -> np.datetime64:
        """Return ``now`` as a naive datetime in the client's time zone."""
        zone = zoneinfo.ZoneInfo(self.settings[client].timezone)
        return np.datetime64(self.now.astimezone(zone).replace(tzinfo=None), "ns")

    @functools.cached_property
    def now_local(self) -> np.ndarray:
        """Per row: ``now`` in the row's client's time zone (naive datetime64[ns])."""
        values = np.array([self.local_now(c) for c in self.names], dtype="datetime64[ns]")
        return values[self.of_row] if len(values) else values

    @functools.cached_property
    def today_local(self) -> np.ndarray:
        """Per row: today's date in the row's client's time zone."""
        return self.now_local.astype("datetime64[D]")


class BusinessDays:
    """Business days per row: weekdays that are not public holidays of the row's client's
    country, over the years ``dates`` span (and the years either side of ``now``)."""

    def __init__(self, clients: Clients, dates: np.ndarray, now: dt.datetime) -> None:
        self.clients = clients
        stamps = dates[~np.isnat(dates)]
        self.years = (now.year - 1, now.year + 1)
        if len(stamps):
            low = int(stamps.min().astype("datetime64[Y]").astype(int)) + 1970
            high = int(stamps.max().astype("datetime64[Y]").astype(int)) + 1970
            self.years = (min(low, now.year - 1), max(high, now.year + 1))

    def holidays_for(self, client: str) -> tuple[np.datetime64, ...]:
        """Return the public holidays of the client's country over the calendar's years."""
        return _holiday_dates(self.clients.settings[client].country.upper(), *self.years)

    @functools.cached_property
    def _country_groups(self) -> list[tuple[np.ndarray, list[np.datetime64]]]:
        """Row masks per country (clients sharing a country share a holiday calendar)."""
        by_country: dict[str, list[int]] = {}
        for index, client in enumerate(self.clients.names):
            by_country.setdefault(self.clients.settings[client].country.upper(), []
                                  ).append(index)
        return [(np.isin(self.clients.of_row, indexes),
                 list(self.holidays_for(self.clients.names[indexes[0]])))
                for indexes in by_country.values()]

    def at_rows(self, at: np.ndarray) -> BusinessDays:
        """These business days for the rows at positions ``at`` alone: the arrays its
        methods take and give hold those rows' values (work only where it is needed)."""
        view = copy.copy(self)
        view.__dict__["_country_groups"] = [(mask[at], holiday_list)
                                            for mask, holiday_list in self._country_groups]
        return view

    def _by_country(self, func: Callable[[np.ndarray, list[np.datetime64]], np.ndarray],
                    size_like: np.ndarray, out_dtype: Any) -> np.ndarray:
        out = np.zeros(len(size_like), dtype=out_dtype)
        for mask, holiday_list in self._country_groups:
            if mask.any():
                out[mask] = func(mask, holiday_list)
        return out

    def between(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Per row: business days in [start, end) (negative when end is earlier); 0 for NaT."""
        start_d, end_d = start.astype("datetime64[D]"), end.astype("datetime64[D]")
        valid = ~np.isnat(start_d) & ~np.isnat(end_d)
        safe_start = np.where(valid, start_d, np.datetime64("2000-01-03"))
        safe_end = np.where(valid, end_d, np.datetime64("2000-01-03"))
        counts = self._by_country(
            lambda m, hol: np.busday_count(safe_start[m], safe_end[m], holidays=hol),
            start, "int64")
        return np.where(valid, counts, 0)

    def add(self, start: np.ndarray, days: np.ndarray) -> np.ndarray:
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
        """Per row: whether the date is a business day (False for NaT)."""
        dates_d = dates.astype("datetime64[D]")
        valid = ~np.isnat(dates_d)
        safe = np.where(valid, dates_d, np.datetime64("2000-01-03"))
        out = self._by_country(lambda m, hol: np.is_busday(safe[m], holidays=hol),
                               dates, bool)
        return out & valid


@dataclass
class Context:
    """The inputs of one validation run, and the parts a rule works with (see the module)."""

    calendar: Calendar
    config: CalendarConfig
    now: dt.datetime
    observed: Observed | None = None  # earlier cycles' facts; None when there is no state
    findings: FindingsBuilder = field(init=False)
    messages: Messages = field(init=False)
    texts: Texts = field(init=False)
    clients: Clients = field(init=False)
    _memo: dict[str, Any] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        if self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        self.messages = Messages(self.config.language)
        self.findings = FindingsBuilder(self.frame)
        self.texts = Texts(self.calendar)
        self.clients = Clients(self.calendar, self.config, self.now)

    @functools.cached_property
    def days(self) -> BusinessDays:
        """Business days by client (built on first use: holidays cost a little to load).

        Holidays cover the years of every date business days are counted from or to: publish
        dates, review starts (the sheet's, or when earlier cycles saw review begin) and due dates.
        """
        dates = [self.frame[name].to_numpy(dtype="datetime64[ns]")
                 for name in ("publish_at", "sent_for_review_at", "feedback_due")
                 if name in self.frame]
        if self.observed is not None:
            dates.append(np.asarray(self.observed.review_started, dtype="datetime64[ns]"))
        return BusinessDays(self.clients, np.concatenate(dates), self.now)

    @property
    def frame(self) -> pd.DataFrame:
        return self.calendar.frame

    def has(self, name: str) -> bool:
        """Return whether the calendar has a column for field ``name``."""
        return name in self.calendar.columns

    def written_times(self, name: str, rows: Any, with_time: Any = True) -> list[str]:
        """:func:`sheets_sync.zones.written_times` of field ``name`` on ``rows``: where no
        client of the calendar lives in another zone than the field's times are written in,
        no time can name its zone, and the times are written as they stand."""
        def one_zone() -> bool:
            zone = self.calendar.written.get(name)
            return zone is None or all(settings.timezone == zone.name
                                       for settings in self.clients.settings.values())

        if self.memo(f"one-zone:{name}", one_zone):
            picked = np.asarray(rows)
            at = np.flatnonzero(picked) if picked.dtype == bool else picked.astype(int)
            return self.messages.when(wall_times(self.calendar, name)[at], with_time)
        return written_times(self.calendar, self.config, name, rows, self.messages, with_time)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Return ``compute()``, computed once per run for ``key`` (shared by several rules)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]
