"""The agency-wide report: one row per calendar and client, written to an internal sheet.

Client spreadsheets only ever receive their own rows; this summary goes only to the
portfolio spreadsheet named in the configuration (``[portfolio]``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zoneinfo
from collections.abc import MutableMapping, Sequence

from sheets_sync.backends import open_backend
from sheets_sync.backends.base import Backend
from sheets_sync.cells import Grid
from sheets_sync.config import CalendarConfig, Config, PortfolioConfig
from sheets_sync.errors import ForeignTabError, SheetsSyncError
from sheets_sync.model import Severity
from sheets_sync.outputs import approvals_due
from sheets_sync.outputs.labels import PORTFOLIO_COLUMNS, PORTFOLIO_HEADERS
from sheets_sync.rules.base import Context
from sheets_sync.run import CycleResult, sync
from sheets_sync.state import StateStore
from sheets_sync.stores import StorePool, state_path_for

HEADER = list(PORTFOLIO_COLUMNS)


def portfolio_grid(results: Sequence[CycleResult], now: dt.datetime, timezone: str,
                   calendars: Sequence[CalendarConfig], language: str = "en") -> Grid:
    """Return the agency-wide table for the calendars synced in this round.

    ``calendars`` are the configurations of the results' calendars (matched by name): each
    client's time zone comes from there. Approvals due are counted as the Report lists them
    (:func:`sheets_sync.outputs.approvals_due`); the Updated column is ``now`` in
    ``timezone``. The header is in ``language`` (``en`` or ``tr``).
    """
    rows: Grid = [list(PORTFOLIO_HEADERS.get(language, HEADER))]
    local_now = now.astimezone(zoneinfo.ZoneInfo(timezone)).replace(tzinfo=None)
    configs = {c.name: c for c in calendars}
    for result in results:
        frame, findings = result.calendar.frame, result.findings
        waiting = approvals_due(Context(result.calendar, configs[result.calendar_name], now))
        for client in sorted(set(frame["client"]) | set(findings["client"]) - {""}):
            mine = findings[findings["client"] == client]
            codes = mine["code"].value_counts()
            levels = mine["severity"].value_counts()
            in_client = (frame["client"] == client).to_numpy()
            rows.append([
                result.calendar_name, client, int(in_client.sum()),
                *(int(levels.get(int(s), 0)) for s in sorted(Severity, reverse=True)),
                int((waiting & in_client).sum()), int(codes.get("feedback-overdue", 0)),
                int(codes.get("revision-limit-exceeded", 0)), local_now,
            ])
    return rows


def write_portfolio(backend: Backend, config: PortfolioConfig, grid: Grid,
                    cache: MutableMapping[str, str]) -> bool:
    """Write the portfolio tab unless it matches the last one written (time column aside).

    Returns whether anything was written.
    """
    digest = hashlib.sha256(json.dumps([r[:-1] for r in grid], default=str).encode()).hexdigest()
    if cache.get("portfolio") == digest:
        return False
    try:
        backend.write({config.tab: grid})
    except ForeignTabError as exc:
        raise ForeignTabError(exc.where, exc.tab, "rename that tab, or set `tab` of [portfolio] "
                              "in the configuration to another name") from None
    cache["portfolio"] = digest
    return True


def portfolio_backend(config: PortfolioConfig, cache: MutableMapping[str, str]) -> Backend:
    """Return the backend of the portfolio spreadsheet (a new workbook is created if needed)."""
    path = config.location()
    if config.backend == "xlsx" and not path.exists():
        import openpyxl

        workbook = openpyxl.Workbook()
        workbook.active.title = config.tab
        workbook.active.append(HEADER)  # the tool's header: the first write adopts and marks it
        workbook.save(path)
    return open_backend(config, cache=cache)


def sync_all(agency: Config, now: dt.datetime | None = None,
             names: Sequence[str] = (), stores: StorePool | None = None
             ) -> tuple[list[CycleResult], list[str]]:
    """Sync every configured calendar (or those in ``names``), then the portfolio.

    A calendar that fails does not stop the others. Returns the results and one line per
    failure; the portfolio covers the calendars that succeeded. ``stores`` keeps the state
    stores open for the next call (the daemon).
    """
    moment = now or dt.datetime.now(dt.timezone.utc)
    calendars = [agency.calendar(n) for n in names] or list(agency.calendars)
    results: list[CycleResult] = []
    failures: list[str] = []
    for config in calendars:
        try:
            results.append(sync(config, state_path_for(config, agency.state_path), moment,
                                stores=stores, real_clock=now is None))
        except SheetsSyncError as exc:
            failures.append(f"calendar {config.name!r}: {exc.message}")
    failures.extend(portfolio_round(agency, results, moment, calendars))
    return results, failures


def portfolio_round(agency: Config, results: Sequence[CycleResult], moment: dt.datetime,
                    calendars: Sequence[CalendarConfig]) -> list[str]:
    """Write the portfolio (when one is configured) for the ``results`` of a round of
    ``calendars`` synced as of ``moment``; returns one line per failure."""
    if agency.portfolio is None or not results:
        return []
    state = state_path_for(calendars[0], agency.state_path)
    store = StateStore(state)
    try:
        cache = store.cache("portfolio")
        grid = portfolio_grid(results, moment, calendars[0].timezone, calendars,
                              agency.portfolio.language)
        write_portfolio(portfolio_backend(agency.portfolio, cache), agency.portfolio, grid,
                        cache)
    except SheetsSyncError as exc:
        return [f"portfolio: {exc.message}"]
    finally:
        store.close()
    return []
