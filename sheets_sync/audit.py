"""Read-only audit of one calendar: read, parse, validate. Never writes anything."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from sheets_sync.backends import open_backend
from sheets_sync.config import CalendarConfig, default_calendar
from sheets_sync.errors import UsageError
from sheets_sync.parse import Calendar, parse, to_client_time
from sheets_sync.validate import validate

AUDIT_HOUR = 9  # --today YYYY-MM-DD audits as of 09:00 in the calendar's time zone
# The years --today accepts: later ones overflow pandas' time stamps (2262) or leave the time
# rules nothing to compare with; earlier ones predate any calendar this tool keeps.
TODAY_YEARS = (1990, 2200)


@dataclass(frozen=True)
class AuditResult:
    """What an audit found: the parsed calendar and its sorted findings frame."""

    config: CalendarConfig
    calendar: Calendar
    findings: pd.DataFrame
    source: str
    now: dt.datetime


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


def audit(config: CalendarConfig, now: dt.datetime | None = None) -> AuditResult:
    """Audit the calendar of ``config`` (a local file or a Google spreadsheet) as of ``now``
    (aware; default: the current time in the calendar's time zone).

    Raises UsageError (missing file), CalendarError (no usable tab or header) or SourceError
    (unreadable file or spreadsheet). Nothing is written.
    """
    now = now or as_of(None, config.timezone)
    if config.backend == "memory":
        raise UsageError(f"calendar {config.name!r} uses the memory backend, which exists for "
                         "tests; audit reads .xlsx, .csv and Google calendars")
    sheet = open_backend(config, writable=False).read(config.tab, config.owned_tabs())
    calendar = parse(sheet.rows, config, tab=sheet.source)
    to_client_time(calendar, config, sheet.timezone)
    return AuditResult(config, calendar, validate(calendar, config, now), sheet.source, now)


def audit_path(path: str | Path, *, columns: Mapping[str, Sequence[str]] | None = None,
               tab: str = "", now: dt.datetime | None = None) -> AuditResult:
    """Audit a calendar file (.xlsx, .xls, .ods, .csv …) with no configuration file.

    ``columns`` maps fields to the file's headers where the built-in aliases do not know
    them (``{"caption": ["Full caption"]}``); ``tab`` picks the calendar tab. Raises
    ConfigError for an unknown field, and what :func:`audit` raises.
    """
    mapped = {field: tuple(headers) for field, headers in (columns or {}).items()}
    config = replace(default_calendar(path, mapped, tab), columns_origin="audit_path(columns=…)")
    return audit(config, now)
