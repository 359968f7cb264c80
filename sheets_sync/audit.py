"""Read-only audit of one calendar: read, parse, compare with the last sync, validate.

Never writes anything: neither the calendar nor the state database a sync keeps, which is
only read (see :meth:`sheets_sync.state.StateStore.reader`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from sheets_sync.backends import open_backend
from sheets_sync.backends.base import SheetRead
from sheets_sync.config import CalendarConfig, default_calendar, state_file_kind
from sheets_sync.errors import UsageError
from sheets_sync.parse import Calendar, parse
from sheets_sync.parse_times import to_client_time
from sheets_sync.stores import state_path_for
from sheets_sync.validate import validate

if TYPE_CHECKING:
    from sheets_sync.history import Observed

AUDIT_HOUR = 9  # --today YYYY-MM-DD audits as of 09:00 in the calendar's time zone
# The years --today accepts: later ones overflow pandas' time stamps (2262) or leave the time
# rules nothing to compare with; earlier ones predate any calendar this tool keeps.
TODAY_YEARS = (1990, 2200)


# What a state database can be to an audit, by :func:`sheets_sync.config.state_file_kind`.
_NOT_STATE = {
    "damaged": "is damaged (its first page is not SQLite's); `sheets-sync state reset` moves "
               "it aside and the next sync starts afresh",
    "foreign": "is not an SQLite database, so not the state a sync keeps; check `state_path` "
               "in the configuration",
    "unreadable": "cannot be read (check its permissions)",
}


@dataclass(frozen=True)
class SyncHistory:
    """Whether an audit compared the calendar with what sync saved of it, and with which sync.

    ``state`` is ``read`` (compared with the last sync saved in ``database``, which ran as of
    ``last_sync``), ``none`` (no sync of the calendar saved: no database, or none of its
    cycles in it), ``unreadable`` (the database could not be read: ``reason`` says why) or
    ``skipped`` (the audit was asked not to read it). Only when read do the findings include
    what history alone shows: changed-after-approval, revision rounds observed between syncs,
    and client review that started with no date in the sheet.
    """

    state: Literal["read", "none", "unreadable", "skipped"]
    database: str = ""
    reason: str = ""
    last_sync: dt.datetime | None = None  # aware UTC

    @property
    def available(self) -> bool:
        return self.state == "read"


SKIPPED = SyncHistory("skipped", reason="not read: the audit was asked to skip sync history "
                                        "(--no-history)")


@dataclass(frozen=True)
class AuditResult:
    """What an audit found: the parsed calendar, its sorted findings frame, and whether they
    include what the last sync saw (``history``)."""

    config: CalendarConfig
    calendar: Calendar
    findings: pd.DataFrame
    source: str
    now: dt.datetime
    history: SyncHistory = field(default=SKIPPED)


def as_of(text: str | None, timezone: str) -> dt.datetime:
    """Return the audit moment: now, or ``text`` (YYYY-MM-DD or YYYY-MM-DDTHH:MM) in ``timezone``.

    Raises UsageError for text that is not such a date, or one outside :data:`TODAY_YEARS`.
    """
    zone = zoneinfo.ZoneInfo(timezone)
    if not text:
        return dt.datetime.now(dt.timezone.utc).astimezone(zone)
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--today: {text!r} is not a date; write it as YYYY-MM-DD "
                         "(optionally THH:MM)") from None
    first, last = TODAY_YEARS
    if not first <= moment.year <= last:
        raise UsageError(f"--today: {text.strip()!r} is outside the years {first}-{last} this "
                         "tool works with; give a date between them")
    if len(text.strip()) == 10:
        moment = moment.replace(hour=AUDIT_HOUR)
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def audit(config: CalendarConfig, now: dt.datetime | None = None, *, history: bool = True,
          state_path: str = "") -> AuditResult:
    """Audit the calendar of ``config`` (a local file or a Google spreadsheet) as of ``now``
    (aware; default: the current time in the calendar's time zone).

    With ``history`` the calendar is also compared with the last sync saved in the state
    database at ``state_path`` (default: where a sync of ``config`` keeps it, see
    :func:`sheets_sync.stores.state_path_for`), as a sync would, and the findings only
    history shows are included; the database is only read (:func:`read_history`).
    ``result.history`` says whether that happened and why not.

    Raises UsageError (missing file), CalendarError (no usable tab or header) or SourceError
    (unreadable file or spreadsheet); a state database that cannot be read raises nothing.
    Nothing is written.
    """
    now = now or as_of(None, config.timezone)
    sheet, calendar, observed, found = read_calendar(config, now, "audit", history, state_path,
                                                     SKIPPED)
    found_now = validate(calendar, config, now, observed,
                         reread=lambda other: parsed(sheet, other))
    return AuditResult(config, calendar, found_now, sheet.source, now, found)


def read_calendar(config: CalendarConfig, now: dt.datetime, command: str, history: bool,
                  state_path: str, skipped: SyncHistory
                  ) -> tuple[SheetRead, Calendar, Observed | None, SyncHistory]:
    """Read and parse the calendar of ``config`` for a read-only ``command`` (audit,
    export), and with ``history`` what the last sync saved at ``state_path`` (default:
    where a sync keeps it) observed; ``skipped`` is the history record without it.

    Raises UsageError (the memory backend, a missing file), CalendarError or SourceError.
    """
    if config.backend == "memory":
        raise UsageError(f"calendar {config.name!r} uses the memory backend, which exists for "
                         f"tests; {command} reads .xlsx, .csv and Google calendars")
    sheet = open_backend(config, writable=False).read(config.tab, config.owned_tabs())
    calendar = parsed(sheet, config)
    observed, found = None, skipped
    if history:
        observed, found = read_history(calendar, config, now,
                                       state_path or state_path_for(config))
    return sheet, calendar, observed, found


def parsed(sheet: SheetRead, config: CalendarConfig) -> Calendar:
    """The calendar of ``sheet`` as ``config`` reads it, its times in each client's zone."""
    calendar = parse(sheet.rows, config, tab=sheet.source)
    to_client_time(calendar, config, sheet.timezone)
    return calendar


def read_history(calendar: Calendar, config: CalendarConfig, now: dt.datetime, path: str
                 ) -> tuple[Observed | None, SyncHistory]:
    """Compare ``calendar`` with the last sync saved in the state database at ``path``, as
    the next sync would as of ``now``, without saving anything or changing the file.

    Returns what the rules need of earlier syncs (None when there is nothing to compare with)
    and what was read. Raises nothing: a database that cannot be read (locked, damaged, of
    a newer schema) gives ``SyncHistory("unreadable", reason=...)``.
    """
    kind = state_file_kind(path)
    if kind == "missing":
        return None, SyncHistory("none", path, f"no state database at {path}")
    if kind == "empty":
        return None, SyncHistory("none", path, f"the state database {path} is empty")
    if kind != "sqlite":
        return None, SyncHistory("unreadable", path, f"{path} {_NOT_STATE[kind]}")
    # Only now: most audited files have no state database beside them.
    import sqlite3

    from sheets_sync.history import observe
    from sheets_sync.state import StateError, StateStore
    try:
        store = StateStore.reader(path)
    except (StateError, ValueError) as exc:
        return None, SyncHistory("unreadable", path, _reason(path, exc))
    try:
        with store.reading():
            last = store.last_sync(config.name)
            previous = store.posts(config.name)
        if last is None:
            return None, SyncHistory("none", path, f"{path} holds no completed sync of "
                                                   f"calendar {config.name!r}")
        observed = observe(calendar, previous, config, now).observed
        if not store.unchanged():
            return None, SyncHistory("unreadable", path, f"state database {path} changed while "
                                     "it was read (a sync saved meanwhile); audit again")
    except (sqlite3.Error, ValueError) as exc:  # damaged beyond its first page, odd values
        return None, SyncHistory("unreadable", path, _reason(path, exc))
    finally:
        store.close()
    return observed, SyncHistory("read", path, last_sync=last)


def _reason(path: str, exc: Exception) -> str:
    import sqlite3

    from sheets_sync.state import StateError, read_error

    if isinstance(exc, StateError):
        return exc.message
    if isinstance(exc, sqlite3.Error):
        return read_error(path, exc).message
    return f"state database {path} holds values this version cannot read ({exc})"


def audit_path(path: str | Path, *, columns: Mapping[str, Sequence[str]] | None = None,
               tab: str = "", now: dt.datetime | None = None, history: bool = True
               ) -> AuditResult:
    """Audit a calendar file (.xlsx, .xls, .ods, .csv …) with no configuration file.

    ``columns`` maps fields to the file's headers where the built-in aliases do not know
    them (``{"caption": ["Full caption"]}``); ``tab`` picks the calendar tab. With
    ``history``, what a ``sync`` of the file saved beside it is compared too (see
    :func:`audit`). Raises ConfigError for an unknown field, and what :func:`audit` raises.
    """
    mapped = {name: tuple(headers) for name, headers in (columns or {}).items()}
    config = replace(default_calendar(path, mapped, tab), columns_origin="audit_path(columns=…)")
    return audit(config, now, history=history)
