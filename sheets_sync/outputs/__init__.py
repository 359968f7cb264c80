"""Calendar + findings + state -> the Status, Report and History grids the tool writes back.

Pure functions: no I/O and no clock (``now`` is passed in). A grid is a list of rows of
cells; a cell is text (always literal: the writers never let it become a formula), a number,
a bool, a date or a naive datetime in the calendar's time zone, or None for a blank cell.
Labels follow the calendar's language (``en`` or ``tr``).

Modules by role: :mod:`.status`, :mod:`.report` (with :mod:`.turnaround` and :mod:`.plan`),
:mod:`.history` for the three tabs; :mod:`.approvals` for the approvals due soon, shared with
the Portfolio; :mod:`.labels` for the words in both languages; :mod:`.convert` for turning
frame columns into cells. This module puts the tabs together and fits them to a cell's size.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TypeVar, cast

import pandas as pd

from sheets_sync.cells import Grid
from sheets_sync.config import CalendarConfig
from sheets_sync.history import Observed
from sheets_sync.looks import Tab
from sheets_sync.model import HistoryEntry
from sheets_sync.outputs.approvals import APPROVAL_WINDOW, approvals_due
from sheets_sync.outputs.convert import local
from sheets_sync.outputs.dashboard import REPORT_TITLE, UPDATED_CELL, report_grid, report_table
from sheets_sync.outputs.history import history_grid
from sheets_sync.outputs.labels import (
    HISTORY_COLUMNS,
    PORTFOLIO_HEADERS,
    Labels,
    source_text,
)
from sheets_sync.outputs.reminders import ReminderView
from sheets_sync.outputs.status import STATUS_COLUMNS, status_grid
from sheets_sync.parse import Calendar

__all__ = [
    "APPROVAL_WINDOW", "CELL_TEXT_LIMIT", "HISTORY_COLUMNS", "STATUS_COLUMNS", "UPDATED_CELL",
    "approvals_due", "build_outputs", "fit_cells", "history_grid", "legacy_signatures",
    "report_grid", "report_table",
    "status_grid", "tab_signatures",
]

G = TypeVar("G", bound=Grid)
Signature = tuple[tuple[str, ...], ...]
CELL_TEXT_LIMIT = 32_767  # UTF-16 code units an Excel cell holds (Google Sheets: 50,000)


def build_outputs(calendar: Calendar, findings: pd.DataFrame, transitions: pd.DataFrame,
                  history: Sequence[HistoryEntry], now: dt.datetime, config: CalendarConfig,
                  summary: dict[str, int | str], observed: Observed | None = None,
                  reminders: ReminderView | None = None,
                  first_sync: dt.datetime | None = None) -> dict[str, Grid]:
    """Return every owned tab's grid, keyed by the configured Status, Report and History names.

    ``observed`` is what earlier cycles saw of each post (as for
    :func:`sheets_sync.validate.validate`); without it the Report counts the revision rounds
    the sheet states. ``reminders`` is what the Report's reminder tables show (when
    ``[notify]`` is configured; see :func:`sheets_sync.notify.view.reminder_view`).
    ``first_sync`` is when the first sync recorded the calendar (default: ``now``): an empty
    History says so.

    Text longer than a spreadsheet cell can hold is cut (see :func:`fit_cells`).
    """
    if isinstance(summary.get("source"), str):
        summary = {**summary, "source": source_text(str(summary["source"]), config.language)}
    return {
        config.status_tab: _with_footer(fit_cells(status_grid(calendar, findings, config, now)),
                                        config, config.status_tab, now),
        config.report_tab: _with_footer(fit_cells(report_grid(
            calendar, findings, transitions, now, config, summary, observed, reminders)), config,
            config.report_tab, now),
        config.history_tab: fit_cells(history_grid(history, config, calendar.headers,
                                                   first_sync or now)),
    }


def _with_footer(tab: Tab, config: CalendarConfig, name: str, now: dt.datetime) -> Tab:
    """The tab with a printed footer: the calendar and tab on the left, "as of" the time this
    grid was made on the right (the calendar's time zone)."""
    look = tab.look
    if look is not None and look.page is not None:
        label = Labels(config.language)
        moment = local(now, config.timezone).strftime("%Y-%m-%d %H:%M")
        page = replace(look.page, footer_left=f"{config.name} · {name}",
                       footer_right=label("as_of").format(f"{moment} {config.timezone}"))
        tab.look = replace(look, page=page)
    return tab


def fit_cells(grid: G) -> G:
    """Cut text longer than CELL_TEXT_LIMIT to fit, ending it with "…"; changes ``grid``.

    A calendar cell may hold more than Excel allows (a Google sheet, a generated file); the
    workbook would not open in Excel if it were written whole.
    """
    cells: list[object] = list(itertools.chain.from_iterable(grid))
    texts = itertools.compress(cells, map(operator.is_, map(type, cells), itertools.repeat(str)))
    if max(map(len, cast("Iterator[str]", texts)), default=0) <= CELL_TEXT_LIMIT // 2:
        return grid  # no text near the limit
    for line in grid:
        for j, cell in enumerate(line):
            if type(cell) is str and len(cell) > CELL_TEXT_LIMIT // 2:
                units = cell.encode("utf-16-le")
                if len(units) > 2 * CELL_TEXT_LIMIT:
                    cut = units[: 2 * (CELL_TEXT_LIMIT - 1)].decode("utf-16-le", "ignore")
                    line[j] = cut + "…"
    return grid


def tab_signatures() -> tuple[tuple[tuple[str, ...], ...], ...]:
    """The leading rows every tab the tool writes starts with, per tab and language.

    Each signature is a few rows of labels; a tab starts with it when each of its first rows
    begins with that row's labels. Status and History start with their header, the Report
    with its title and "Updated" label, the Portfolio with its header. The
    backends use them to recognise tabs written before tabs were marked as the tool's
    (:mod:`sheets_sync.backends.owned`).
    """
    return tuple(current for current, _ in _signatures())


def legacy_signatures() -> dict[Signature, tuple[Signature, ...]]:
    """For each signature of :func:`tab_signatures`, the leading rows the same tab had in
    earlier versions, in the same language (the Status before its sections, for one)."""
    return {current: older for current, older in _signatures() if older}


# The Status tab's columns before it was a to-do list in sections.
_FLAT_STATUS = ("severity", "code", "post_id", "row", "client", "channel", "publish_date",
                "status", "owner", "message", "first_seen")


def _signatures() -> list[tuple[Signature, tuple[Signature, ...]]]:
    out: list[tuple[Signature, tuple[Signature, ...]]] = []
    for language in ("en", "tr"):
        label = Labels(language)
        out.append(((tuple(str(x) for x in label.all(*STATUS_COLUMNS)),),
                    ((tuple(str(x) for x in label.all(*_FLAT_STATUS)),),)))
        out.append((((label(REPORT_TITLE),), (label("updated"),)),
                    (((label("summary"),), (label("item"), label("value")),
                      (label("updated"),)),)))
        out.append(((HISTORY_COLUMNS[language],), ()))
    out.extend(((header,), ()) for header in PORTFOLIO_HEADERS.values())
    return out
