"""One sync cycle: the single place that wires backend, state store and the pure core.

read -> parse -> load state -> observe changes -> validate -> derive tabs -> write -> save
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sheets_sync.backends.base import Backend, SheetRead
from sheets_sync.cells import Grid, same_grid
from sheets_sync.config import CalendarConfig
from sheets_sync.errors import SheetsSyncError, UsageError
from sheets_sync.guarded import guarded_writes
from sheets_sync.history import observe
from sheets_sync.outputs import UPDATED_CELL, build_outputs
from sheets_sync.parse import Calendar, parse, to_client_time
from sheets_sync.state import (
    Changes,
    Run,
    StateError,
    StateStore,
    iso,
    state_error,
    transitions_frame,
)
from sheets_sync.validate import validate

log = logging.getLogger("sheets_sync.run")


class CycleLocked(SheetsSyncError):
    """Another cycle of the same calendar is running (exit 3)."""

    exit_code = 3


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


def finding_keys(findings: pd.DataFrame) -> list[str]:
    """Return a stable identity per finding, to remember when it was first seen."""
    day = findings["publish_at"].dt.strftime("%Y-%m-%d").fillna("")
    calendar_level = findings["row"].to_numpy() == 0
    where = np.where(calendar_level, findings["client"] + "|" + day, findings["post_id"])
    return (findings["code"] + "|" + findings["column"] + "|" + where).tolist()


def _first_seen(findings: pd.DataFrame, known: dict[str, str], now: dt.datetime
                ) -> tuple[pd.DataFrame, dict[str, str]]:
    keys = finding_keys(findings)
    stamp = iso(now)
    seen = {key: known.get(key, stamp) for key in keys}
    column = pd.to_datetime(pd.Series([seen[k] for k in keys], dtype=object), utc=True)
    return findings.assign(first_seen=column.dt.tz_localize(None).to_numpy()), seen


def run_once(config: CalendarConfig, backend: Backend, store: StateStore, now: dt.datetime,
             dry_run: bool = False) -> CycleResult:
    """Run one cycle for ``config`` as of ``now`` (aware) and return what it did.

    With ``dry_run`` nothing is written to the backend or the state store. Raises the
    backend's errors (nothing saved), CalendarError for an unusable calendar tab.

    Time never runs backwards for the state: when ``now`` is earlier than the last
    successful cycle (the clock was set back, a VM restored, an earlier --today), the cycle
    runs as of that last cycle instead and logs a warning, so History stays in order and no
    duration comes out negative.
    """
    last = store.last_run(config.name)
    if last is not None and now < last:
        log.warning("calendar %r: the clock (%s) is earlier than the last sync (%s); syncing "
                    "as of the last sync", config.name, iso(now), iso(last))
        now = last.astimezone(now.tzinfo)
    with _read_uncollected(backend, config) as sheet:
        return _cycle(config, backend, store, sheet, now, dry_run)


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
           now: dt.datetime, dry_run: bool) -> CycleResult:
    """The cycle of :func:`run_once` once the calendar is read."""
    calendar = parse(sheet.rows, config, tab=sheet.source)
    to_client_time(calendar, config, sheet.timezone)
    observation = observe(calendar, store.posts(config.name), config, now)
    calendar.extra.update(
        observed_rounds=observation.observed_rounds,
        review_started=observation.review_started,
        changed_after_approval=observation.changed_after_approval,
        approved_seen_at=observation.approved_seen_at,
    )
    findings, first_seen = _first_seen(validate(calendar, config, now),
                                       store.findings_first_seen(config.name), now)
    outputs = _outputs(calendar, findings, observation.changes, store, sheet, config, now)
    changed = [tab for tab, grid in outputs.items() if not _same(tab, grid, sheet, config)]
    cells = sum(sum(len(r) for r in outputs[tab]) for tab in changed)
    result = CycleResult(config.name, calendar, sheet.source, len(calendar.frame), findings,
                         outputs, changed, cells, dry_run, previous=sheet.owned)
    if dry_run:
        return result
    if changed:
        backend.write({tab: outputs[tab] for tab in changed})
    result.guarded = guarded_writes(calendar, findings, backend, sheet.rows, sheet.tab,
                                    config)
    changes = observation.changes
    changes.findings = first_seen
    store.save(config.name, changes, Run(now, dt.datetime.now(dt.timezone.utc),
                                          len(calendar.frame), len(findings), cells))
    return result


def _outputs(calendar: Calendar, findings: pd.DataFrame, changes: Changes, store: StateStore,
             sheet: SheetRead, config: CalendarConfig, now: dt.datetime) -> dict[str, Grid]:
    transitions = store.transitions(config.name)
    if changes.transitions:
        transitions = pd.concat([transitions, transitions_frame(changes.transitions)],
                                ignore_index=True)
    history = [*store.history(config.name), *changes.history]
    summary: dict[str, int | str] = {"source": sheet.source, "rows": len(calendar.frame),
                                     "findings": len(findings)}
    return build_outputs(calendar, findings, transitions, history, now, config, summary)


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


@contextlib.contextmanager
def cycle_lock(state_path: str, calendar: str) -> Iterator[None]:
    """Hold an exclusive lock for one calendar's cycle; raises CycleLocked when taken."""
    if state_path == ":memory:":
        yield
        return
    lock_path = Path(f"{state_path}.{_safe(calendar)}.lock")
    try:
        handle = open(lock_path, "a+")  # noqa: SIM115 - held open for the lock's lifetime
    except OSError as exc:  # a read-only or missing directory; nothing was done yet
        raise StateError(f"cannot create the lock file {lock_path} ({exc.strerror or exc}): the "
                         "state database's folder must be writable; set state_path in the "
                         "configuration to a writable place") from None
    try:
        if not _try_lock(handle):
            raise CycleLocked(f"another sync of calendar {calendar!r} is running (lock file "
                              f"{lock_path}); this run did nothing")
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()


def _try_lock(handle: object) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # type: ignore[attr-defined]
    except OSError:
        return False
    return True


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)


def backend_for(config: CalendarConfig, store: StateStore | None = None) -> Backend:
    """Return the backend that holds ``config``'s calendar; raises UsageError if none can."""
    if config.backend == "google":
        from sheets_sync.backends.google import GoogleBackend

        return GoogleBackend(config.spreadsheet, credentials=config.credentials,
                             endpoint=config.api_endpoint,
                             quota_per_minute=config.quota_per_minute,
                             cache=store.cache(config.name) if store else None)
    if config.backend == "xlsx":
        from sheets_sync.backends.xlsx import XlsxBackend

        return XlsxBackend(config.location(), config.timezone)
    if config.backend == "csv":
        raise UsageError(f"calendar {config.name!r} ({config.location().name}) is a .csv file: "
                         "sync writes Status, Report and History tabs, which a .csv cannot "
                         "hold; use an .xlsx workbook, or `sheets-sync audit` to check the file")
    raise UsageError(f"calendar {config.name!r}: the memory backend exists for tests and "
                     "cannot be synced from the command line")


def state_path_for(config: CalendarConfig, configured: str = "") -> str:
    """Return the state database path: the configured one, else beside the calendar file."""
    if configured:
        path = Path(configured).expanduser()
        return str(path if path.is_absolute() else Path(config.base_dir or ".") / path)
    location = config.location()
    return str(location.with_name(location.stem + ".sheets-sync.db"))


class StorePool:
    """State stores kept open from one cycle to the next (the daemon), one per database.

    An open store keeps what it read and saved in memory, so a daemon's cycle does not read
    every post back from the database. A store is reused only while the file at its path is
    the one it opened (``state reset`` or a restored backup puts another file there); one
    whose cycle failed on the database is closed, and the next cycle opens the file afresh.
    Changes made through other connections are seen as :class:`StateStore` promises.
    """

    def __init__(self) -> None:
        self._open: dict[str, tuple[StateStore, tuple[int, int]]] = {}

    def get(self, path: str) -> StateStore:
        """The open store of ``path`` when it still reads the same file, else a new one."""
        kept = self._open.get(path)
        if kept is not None and kept[1] == _file_identity(path):
            return kept[0]
        self.discard(path)
        store = StateStore(path)
        identity = _file_identity(path)
        if identity is not None:  # an in-memory database cannot be found again
            self._open[path] = (store, identity)
        return store

    def owns(self, store: StateStore) -> bool:
        return any(kept is store for kept, _ in self._open.values())

    def discard(self, path: str) -> None:
        """Close the store of ``path``, if one is open."""
        kept = self._open.pop(path, None)
        if kept is not None:
            kept[0].close()

    def close(self) -> None:
        for path in list(self._open):
            self.discard(path)


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    return stat.st_dev, stat.st_ino


def sync(config: CalendarConfig, state_path: str, now: dt.datetime | None = None,
         dry_run: bool = False, backend: Backend | None = None,
         stores: StorePool | None = None) -> CycleResult:
    """Run one locked cycle of ``config`` with its backend and state store.

    With ``stores`` the state store stays open for the next cycle (see :class:`StorePool`);
    without, it is opened and closed here.
    """
    moment = now or dt.datetime.now(dt.timezone.utc)
    with cycle_lock(state_path, config.name):
        store = stores.get(state_path) if stores is not None else StateStore(state_path)
        failed_on_state = False
        try:
            backend = backend or backend_for(config, store)
            return run_once(config, backend, store, moment, dry_run=dry_run)
        except sqlite3.Error as exc:  # a database damaged or locked beyond its first pages
            failed_on_state = True
            raise state_error(state_path, exc) from exc
        except SheetsSyncError as exc:
            failed_on_state = isinstance(exc, StateError)
            if not dry_run and not failed_on_state:  # the run log is in the state
                store.log_failure(config.name, Run(moment, dt.datetime.now(dt.timezone.utc),
                                                   0, 0, 0, exc.message))
            raise
        finally:
            if stores is None or not stores.owns(store):
                store.close()
            elif failed_on_state:
                stores.discard(state_path)
