"""One sync cycle: the single place that wires backend, state store and the pure core.

Locking lives in :mod:`sheets_sync.locking`, where state lives in :mod:`sheets_sync.stores`,
and which backend holds a calendar in :func:`sheets_sync.backends.open_backend`.

read -> parse -> load state -> observe changes -> validate -> derive tabs -> write -> save
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sheets_sync.backends import open_backend
from sheets_sync.backends.base import Backend, SheetRead
from sheets_sync.cells import Grid, same_grid
from sheets_sync.config import CalendarConfig
from sheets_sync.errors import ForeignTabError, SheetsSyncError
from sheets_sync.guarded import guarded_writes
from sheets_sync.history import Observation, kept_observation, observe, replay
from sheets_sync.locking import cycle_lock
from sheets_sync.messages import plural
from sheets_sync.outputs import UPDATED_CELL, build_outputs
from sheets_sync.outputs.status import calendar_highlight
from sheets_sync.parse import Calendar, parse
from sheets_sync.parse_times import to_client_time
from sheets_sync.snapshot import iso
from sheets_sync.state import (
    SCHEMA_VERSION,
    Run,
    StateError,
    StateStore,
    state_error,
    transitions_frame,
)
from sheets_sync.stores import StorePool, state_path_for
from sheets_sync.validate import validate

log = logging.getLogger("sheets_sync.run")


@dataclass
class CycleResult:
    """What one cycle did."""

    calendar_name: str
    calendar: Calendar
    source: str
    rows: int
    findings: pd.DataFrame
    outputs: dict[str, Grid]
    changed_tabs: list[str]
    cells_written: int
    dry_run: bool
    previous: dict[str, Grid | None] = field(default_factory=dict)
    guarded: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: the calendar, its posts and open findings, and the tabs (to be) written."""
        wrote = ", ".join(self.changed_tabs) if self.changed_tabs else "nothing (no change)"
        verb = "would write" if self.dry_run else "wrote"
        found = len(self.findings)
        return (f"{self.source}: {self.rows} {plural(self.rows, 'post|posts')}, {found} open "
                f"{plural(found, 'finding|findings')}; "
                f"{verb} {wrote}")


def finding_keys(findings: pd.DataFrame) -> list[str]:
    """Return a stable identity per finding, to remember when it was first seen: its code,
    column and post ID (a calendar-level finding: its client and day)."""
    codes, moments = pd.factorize(findings["publish_at"])  # each day written once; NaT: -1
    days = np.append(pd.Series(moments).dt.strftime("%Y-%m-%d").to_numpy(dtype=object), "")
    day = days[codes]
    calendar_level = findings["row"].to_numpy() == 0
    try:  # the texts as object arrays: added in one C loop each
        def text(name: str) -> np.ndarray:
            return findings[name].to_numpy(dtype=object)

        where = text("post_id")
        if calendar_level.any():
            where = where.copy()
            where[calendar_level] = text("client")[calendar_level] + "|" + day[calendar_level]
        keys: list[str] = (text("code") + "|" + text("column") + "|" + where).tolist()
        return keys
    except TypeError:  # a missing value among them: as pandas adds texts
        mixed = np.where(calendar_level, findings["client"] + "|" + day, findings["post_id"])
        return (findings["code"] + "|" + findings["column"] + "|" + mixed).tolist()


def _first_seen(findings: pd.DataFrame, known: dict[str, str], now: dt.datetime
                ) -> tuple[pd.DataFrame, dict[str, str]]:
    keys = finding_keys(findings)
    stamp = iso(now)
    seen = {key: known.get(key, stamp) for key in keys}
    # Findings share their first-seen times (a cycle's own): each distinct one read once.
    codes, texts = pd.factorize(np.array([seen[k] for k in keys], dtype=object))
    moments = pd.to_datetime(pd.Series(texts, dtype=object), utc=True)
    column = moments.dt.tz_localize(None).to_numpy()[codes]
    return findings.assign(first_seen=column), seen


def run_once(config: CalendarConfig, backend: Backend, store: StateStore, now: dt.datetime,
             dry_run: bool = False, real_clock: bool = True) -> CycleResult:
    """Run one cycle for ``config`` as of ``now`` (aware) and return what it did.

    With ``dry_run`` nothing is written to the backend or the state store. Raises the
    backend's errors (nothing saved), CalendarError for an unusable calendar tab.

    Time never runs backwards for the state: when ``now`` is earlier than the last
    successful real-clock cycle (the clock was set back, a VM restored), the cycle runs as
    of that last cycle instead and logs a warning, so History stays in order and no duration
    comes out negative. ``real_clock=False`` says ``now`` was chosen (``--today``), not read
    from the clock: such a cycle is recorded as one, and no later cycle is held to its time.
    """
    last = store.last_run(config.name)
    if last is not None and now < last:
        log.warning("calendar %r: the clock (%s) is earlier than the last sync (%s); syncing "
                    "as of the last sync", config.name, iso(now), iso(last))
        now = last.astimezone(now.tzinfo)
    with _read_uncollected(backend, config) as sheet:
        return _cycle(config, backend, store, sheet, now, dry_run, real_clock)


@contextlib.contextmanager
def _read_uncollected(backend: Backend, config: CalendarConfig) -> Iterator[SheetRead]:
    """Read the calendar; keep Python's cyclic garbage collector off what it read until the
    cycle ends.

    A large workbook arrives as one list per row, and any read makes millions of objects;
    the number of new container objects triggers collection after collection, each walking
    everything alive again, while they are made and while the cycle uses them (about a
    quarter of a second per cycle at 100,000 rows read row by row). So the
    collector is paused during the read and everything then alive is frozen (left out of
    collections, still freed as usual when no longer used) until the cycle ends. A program
    that manages the collector itself (it is off, or it froze objects) is left alone.
    """
    ours = gc.isenabled() and not gc.get_freeze_count()
    if ours:
        gc.disable()
    try:
        sheet = backend.read(config.tab, config.owned_tabs())
        if ours:
            gc.freeze()
    finally:
        if ours:
            gc.enable()
    try:
        yield sheet
    finally:
        if ours:
            gc.unfreeze()


def _cycle(config: CalendarConfig, backend: Backend, store: StateStore, sheet: SheetRead,
           now: dt.datetime, dry_run: bool, real_clock: bool = True) -> CycleResult:
    """The cycle of :func:`run_once` once the calendar is read."""
    calendar = _read(sheet, config)
    token = _observation_token(sheet, config)
    observation = _replayed(calendar, store, token, config, now)
    if observation is None:
        observation = observe(calendar, store.posts(config.name), config, now)
    found = validate(calendar, config, now, observation.observed,
                     reread=lambda other: _read(sheet, other))
    findings, first_seen = _first_seen(found, store.findings_first_seen(config.name), now)
    outputs = _outputs(calendar, findings, observation, store, sheet, config, now)
    changed = [tab for tab, grid in outputs.items() if not _same(tab, grid, sheet, config)]
    cells = sum(sum(len(r) for r in outputs[tab]) for tab in changed)
    result = CycleResult(config.name, calendar, sheet.source, len(calendar.frame), findings,
                         outputs, changed, cells, dry_run, previous=sheet.owned)
    if dry_run:
        return result
    if changed:
        _write_owned(backend, config, {tab: outputs[tab] for tab in changed})
    _highlight(backend, store, calendar, config, sheet.tab)
    result.guarded = guarded_writes(calendar, findings, backend, sheet.rows, sheet.tab,
                                    config)
    changes = observation.changes
    changes.findings = first_seen
    kept = kept_observation(observation) if token else None
    store.save(config.name, changes, Run(now, dt.datetime.now(dt.timezone.utc),
                                          len(calendar.frame), len(findings), cells,
                                          real_clock=real_clock),
               observation=(token, kept) if kept is not None else None)
    return result


def _replayed(calendar: Calendar, store: StateStore, token: str, config: CalendarConfig,
              now: dt.datetime) -> Observation | None:
    """The observation of a calendar whose cells are exactly those the last successful cycle
    observed, read the same way (:func:`sheets_sync.history.replay`): its snapshot is then
    neither read nor compared. None when that cannot be shown: the cycle observes."""
    kept = store.kept_observation(config.name, token) if token else None
    if kept is None:
        return None
    observation = replay(calendar, kept, config, now)
    if observation is not None:
        log.debug("calendar %r: the same cells as the last sync observed; its observation "
                  "serves", config.name)
    return observation


def _observation_token(sheet: SheetRead, config: CalendarConfig) -> str:
    """What a cycle's observation depends on besides the saved snapshot and the moment: the
    calendar's cells (as the backend names them by content), the spreadsheet's time zone,
    the configuration, and the code that parses and observes. "" when the backend does not
    name the cells."""
    code = _code()
    if not sheet.cells or not code:
        return ""
    digest = hashlib.sha256()
    for part in (sheet.cells, sheet.timezone, repr(config), code):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


@functools.cache
def _code() -> str:
    """This installation's code: each module of sheets-sync (name, size, modification
    time), and the versions of pandas and numpy that parse with it. "" when its modules
    cannot be listed (then no observation is kept or taken back)."""
    root = Path(__file__).parent
    parts = [f"{pd.__version__};{np.__version__};{SCHEMA_VERSION}"]
    try:
        for path in sorted(root.rglob("*.py")):
            stat = path.stat()
            parts.append(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}")
    except OSError:
        return ""
    return "\n".join(parts) if len(parts) > 1 else ""


def _read(sheet: SheetRead, config: CalendarConfig) -> Calendar:
    """The calendar of ``sheet`` as ``config`` reads it, its times in each client's zone."""
    calendar = parse(sheet.rows, config, tab=sheet.source)
    to_client_time(calendar, config, sheet.timezone)
    return calendar


def _highlight(backend: Backend, store: StateStore, calendar: Calendar, config: CalendarConfig,
               tab: str) -> None:
    """Colour the calendar's rows by their findings when ``highlight_calendar`` is on, and
    remove the colours once when it was switched off. The state remembers what was asked
    last, so a calendar that was never coloured is never even looked at."""
    spec = calendar_highlight(calendar, config)
    cache = store.cache(config.name)
    want = spec.fingerprint() if spec is not None else ""
    if not want and not cache.get(_HIGHLIGHT):
        return
    backend.highlight(tab, spec, config.status_tab)
    cache[_HIGHLIGHT] = want


_HIGHLIGHT = "highlight_calendar"  # the state's cache key: the colours last asked for


def _write_owned(backend: Backend, config: CalendarConfig, tabs: dict[str, Grid]) -> None:
    """Write the owned tabs; a refusal names the configuration key that renames the tab."""
    try:
        backend.write(tabs)
    except ForeignTabError as exc:
        keys = dict(zip(config.owned_tabs(), ("status_tab", "report_tab", "history_tab")))
        key = keys.get(exc.tab, "status_tab")
        raise ForeignTabError(exc.where, exc.tab, (
            f"rename that tab, or give sheets-sync's tab another name: set `{key} = "
            f"\"{exc.tab} (sheets-sync)\"` (or any free name) in calendar {config.name!r} of "
            "the configuration")) from None


def _outputs(calendar: Calendar, findings: pd.DataFrame, observation: Observation,
             store: StateStore, sheet: SheetRead, config: CalendarConfig, now: dt.datetime
             ) -> dict[str, Grid]:
    changes = observation.changes
    transitions = store.transitions(config.name)
    if changes.transitions:
        transitions = pd.concat([transitions, transitions_frame(changes.transitions)],
                                ignore_index=True)
    history = [*store.history(config.name), *changes.history]
    summary: dict[str, int | str] = {"source": sheet.source, "rows": len(calendar.frame),
                                     "findings": len(findings)}
    reminders = None
    if config.notify is not None:  # the Report's reminder tables
        from sheets_sync.notify.view import reminder_view

        reminders = reminder_view(config, calendar, findings, now, store.reminders(config.name))
    return build_outputs(calendar, findings, transitions, history, now, config, summary,
                         observation.observed, reminders, store.first_sync(config.name))


def _same(tab: str, grid: Grid, sheet: SheetRead, config: CalendarConfig) -> bool:
    """Whether ``grid`` shows what the tab already holds (the Report's time stamp aside)."""
    existing = sheet.owned.get(tab)
    if existing is None:
        return False
    if tab == config.report_tab:  # the "updated" time alone is no reason to write
        existing, grid = _without_cell(existing, UPDATED_CELL), _without_cell(grid, UPDATED_CELL)
    return same_grid(existing, grid)


def _without_cell(grid: Grid, cell: tuple[int, int]) -> Grid:
    row, column = cell
    out = [list(r) for r in grid]
    if row < len(out) and column < len(out[row]):
        out[row][column] = None
    return out


def sync(config: CalendarConfig, state_path: str = "", now: dt.datetime | None = None,
         dry_run: bool = False, backend: Backend | None = None,
         stores: StorePool | None = None, real_clock: bool | None = None) -> CycleResult:
    """Run one locked cycle of ``config`` with its backend and state store.

    ``state_path`` is the state database (default: beside the calendar file, see
    :func:`sheets_sync.stores.state_path_for`); ``now`` defaults to the current time.
    ``real_clock`` says whether ``now`` is the clock's time (default: when ``now`` is not
    given); a chosen moment (``--today``) never holds back later cycles (see
    :func:`run_once`).

    With ``stores`` the state store stays open for the next cycle (see :class:`StorePool`);
    without, it is opened and closed here. With ``dry_run`` nothing is written anywhere: no
    lock is taken and the state is read from a copy (:meth:`StateStore.copy_of`).
    """
    moment = now or dt.datetime.now(dt.timezone.utc)
    real_clock = now is None if real_clock is None else real_clock
    state_path = state_path or state_path_for(config)
    # A dry run writes nothing at all: no lock file, and the state read from a copy.
    with contextlib.nullcontext() if dry_run else cycle_lock(state_path, config.name):
        store = (StateStore.copy_of(state_path) if dry_run
                 else stores.get(state_path) if stores is not None else StateStore(state_path))
        failed_on_state = False
        try:
            backend = backend or open_backend(config, cache=store.cache(config.name))
            return run_once(config, backend, store, moment, dry_run=dry_run,
                            real_clock=real_clock)
        except sqlite3.Error as exc:  # a database damaged or locked beyond its first pages
            failed_on_state = True
            raise state_error(state_path, exc) from exc
        except SheetsSyncError as exc:
            failed_on_state = isinstance(exc, StateError)
            if not dry_run and not failed_on_state:  # the run log is in the state
                store.log_failure(config.name, Run(moment, dt.datetime.now(dt.timezone.utc),
                                                   0, 0, 0, exc.message, real_clock))
            raise
        finally:
            if stores is None or not stores.owns(store):
                store.close()
            elif failed_on_state:
                stores.discard(state_path)
