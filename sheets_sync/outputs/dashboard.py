"""The Report tab as a dashboard: a header block, four charts, and titled tables side by side.

Layout (0-based rows; columns A-G are the left band, I-N the right one, H a narrow gap):

- rows 0-3: the title and the calendar, when the data were read and from where, and the
  totals: posts, findings, and findings by severity;
- rows 5-30: four native charts, two by two: the approval pipeline by status, approval
  turnaround per client (median and 90th percentile hours against the SLA), revision rounds
  per client and month, posts per week against the contract;
- from row 32: the tables the charts read, each starting on a fixed row and keeping room for
  a fixed number of rows (a Google chart is anchored once and reads fixed rows; more rows
  than that push the tables below down and are left out of the chart), then the other tables
  of each band below them;
- below both bands, across the whole width: overdue feedback and calendar gaps, whose
  messages are long; then, with ``[notify]`` configured, the reminder tables (sent in the
  last 7 days, due next, not delivered: :mod:`sheets_sync.outputs.reminders`).

Each table has a title (bold) and a header row (bold on a band of colour); the look styles
them by their titles, wherever they end up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd

from sheets_sync.cells import Cell, Grid
from sheets_sync.config import CalendarConfig
from sheets_sync.history import Observed
from sheets_sync.looks import Box, Chart, Look, Page, Rule, Series, Style, Tab
from sheets_sync.model import Severity
from sheets_sync.outputs.convert import local
from sheets_sync.outputs.labels import Labels
from sheets_sync.outputs.plan import cadence, pillars
from sheets_sync.outputs.reminders import ReminderView, reminders_grid
from sheets_sync.outputs.report import (
    _approvals,
    _by_code,
    _gaps,
    _overdue,
    _pipeline,
    _revisions,
)
from sheets_sync.outputs.status import HEADER, SEVERITY_FILLS
from sheets_sync.outputs.turnaround import turnaround
from sheets_sync.parse import Calendar
from sheets_sync.rules.base import Context

__all__ = ["REPORT_TITLE", "UPDATED_CELL", "report_grid", "report_table"]

# (row, column) of the "Updated" time in the Report grid: it changes on every run, so callers
# deciding whether the Report needs writing compare the grids without this cell.
UPDATED_CELL = (1, 1)
REPORT_TITLE = "report"  # the label of cell A1
RIGHT = 8  # the first column of the right band (I)
TABLES_ROW = 32  # where the tables the charts read start
CHART_HEIGHT = 13  # rows
CHART_ROWS = {"pipeline": 11, "turnaround": 8, "revisions": 12, "weekly": 10}
WIDTHS = (21, 16, 12, 16, 14, 14, 11, 2, 24, 11, 11, 11, 11, 11)
TITLE = Style(bold=True, size=12)
BIG = Style(bold=True, size=16)
TOTAL = Style(bold=True, size=14)
_NONE = frozenset(Labels(language)("none") for language in ("en", "tr"))


def report_grid(calendar: Calendar, findings: pd.DataFrame, transitions: pd.DataFrame,
                now: dt.datetime, config: CalendarConfig, summary: dict[str, int | str],
                observed: Observed | None = None, reminders: ReminderView | None = None
                ) -> Tab:
    """Return the Report tab (see the module docstring for its layout).

    ``summary`` holds the run's source, rows and findings; ``now`` must be timezone-aware
    (ValueError otherwise). An empty table shows "(none)". ``observed`` (what earlier cycles
    saw) adds the observed revision rounds. With ``[notify]`` configured, ``reminders`` (the
    ledger and what is due next) adds the reminder tables at the end.
    """
    ctx = Context(calendar, config, now, observed)
    label = Labels(config.language)
    grid: Grid = _header(calendar, findings, now, config, summary, label)
    while len(grid) < TABLES_ROW:
        grid.append([])
    left = [
        _table(label, "pipeline", ("status", "posts"), _pipeline(ctx, label),
               CHART_ROWS["pipeline"]),
        _table(label, "revisions", ("client_month", "posts", "rounds_used", "included_rounds",
                                    "extra_rounds", "billable"),
               [[f"{r[0]} · {r[1]}", *r[2:]] for r in _revisions(ctx)],
               CHART_ROWS["revisions"]),
        _table(label, "approvals", ("post_id", "client", "channel", "publish_date", "status",
                                    "owner"), _approvals(ctx)),
        _table(label, "pillars", ("client", "month", "pillar", "posts", "share", "target"),
               pillars(ctx, label)),
    ]
    planned = cadence(ctx)
    right = [
        _table(label, "turnaround", ("client", "approval_count", "median", "p90", "sla_hours",
                                     "on_time"), _with_sla(ctx, turnaround(ctx, transitions)),
               CHART_ROWS["turnaround"]),
        _table(label, "weekly", ("week", "planned", "contract"), _weekly(planned),
               CHART_ROWS["weekly"]),
        _table(label, "cadence", ("client", "channel", "week", "planned", "contract"), planned),
        _table(label, "by_code", ("code", "severity", "count"), _by_code(findings, label)),
    ]
    _place(grid, TABLES_ROW, 0, [r for t in left for r in t])
    _place(grid, TABLES_ROW, RIGHT, [r for t in right for r in t])
    bottom = [*_table(label, "overdue", ("post_id", "client", "message"), _overdue(findings)),
              *_table(label, "gaps", ("client", "message"), _gaps(findings))]
    _place(grid, len(grid), 0, bottom)
    _place(grid, len(grid), 0, reminders_grid(now, config, reminders, label))
    while grid and not grid[-1]:
        grid.pop()
    return Tab(grid, report_look(config, label, grid))


def _header(calendar: Calendar, findings: pd.DataFrame, now: dt.datetime,
            config: CalendarConfig, summary: dict[str, int | str], label: Labels) -> Grid:
    """Rows 0-3: title, calendar and the zone of the times; when and from where; totals and
    findings by severity."""
    counts = findings["severity"].value_counts()
    levels = sorted(Severity, reverse=True)
    return [
        [label(REPORT_TITLE), config.name, None, label("times"), _zones(calendar, config, label)],
        [label("updated"), local(now, config.timezone), None, label("source"),
         summary.get("source")],
        [label("posts"), label("findings"), *(label(s.label) for s in levels)],
        [summary.get("rows"), summary.get("findings", len(findings)),
         *(int(counts.get(int(s), 0)) for s in levels)],
    ]


def _zones(calendar: Calendar, config: CalendarConfig, label: Labels) -> str:
    """The time zone of the tabs' times, none of which is labelled with one: publish times
    as the sheet writes them, the "Updated" time and History in the calendar's zone."""
    written = calendar.written.get("publish_at")
    sheet = written.describe() if written is not None else config.timezone
    if sheet == config.timezone:
        return config.timezone
    return label("times_sheet").format(sheet=sheet, zone=config.timezone)


def _table(label: Labels, title: str, header: Sequence[str], rows: list[list[Cell]],
           room: int = 0) -> list[list[Cell]]:
    """A titled table, "(none)" when empty, a blank row after it; at least ``room`` data
    rows long (the rows a chart reads)."""
    body = rows or [[label("none")]]
    body += [[] for _ in range(room - len(body))]
    return [[label(title)], label.all(*header), *body, []]


def _place(grid: Grid, top: int, left: int, rows: list[list[Cell]]) -> None:
    """Put ``rows`` into the grid from row ``top``, column ``left``; changes ``grid``."""
    for i, cells in enumerate(rows):
        while len(grid) <= top + i:
            grid.append([])
        line = grid[top + i]
        if not cells:
            continue
        if len(line) < left:
            line.extend([None] * (left - len(line)))
        line[left:left + len(cells)] = cells


def _with_sla(ctx: Context, rows: list[list[Cell]]) -> list[list[Cell]]:
    """Turnaround rows with each client's feedback window as hours (business days × 24)
    before the on-time share."""
    out = []
    for row in rows:
        days = ctx.config.for_client(str(row[0])).rules.feedback.sla_days
        out.append([*row[:4], days * 24, *row[4:]])
    return out


def _weekly(planned: list[list[Cell]]) -> list[list[Cell]]:
    """Posts planned per week across clients and channels, against the contract's total."""
    weeks: dict[dt.date, list[int]] = {}
    for _client, _channel, week, count, target in planned:
        assert isinstance(week, dt.date) and isinstance(count, int)
        assert isinstance(target, int)
        total = weeks.setdefault(week, [0, 0])
        total[0] += count
        total[1] += target
    return [[week.isoformat(), a, b] for week, (a, b) in sorted(weeks.items())]


def report_look(config: CalendarConfig, label: Labels, grid: Grid) -> Look:
    """How the Report looks: the header block (kept on screen), titled tables with bold
    headers, charts over the tables that start on fixed rows, printed landscape one page
    wide."""
    titles = tuple(label(key) for key in ("pipeline", "revisions", "approvals", "pillars",
                                          "turnaround", "weekly", "cadence", "by_code",
                                          "overdue", "gaps", "reminders_sent",
                                          "reminders_next", "reminders_failed"))
    fills = [Box((3, 4), (2 + i, 3 + i), Style(fill=SEVERITY_FILLS[s], bold=True, size=14))
             for i, s in enumerate(sorted(Severity, reverse=True))]
    header = replace(HEADER, wrap=True)
    rules = tuple(
        rule for column, end in ((0, RIGHT - 1), (RIGHT, len(WIDTHS)))
        for rule in (Rule(column, titles, TITLE, (column, column + 1), first_row=4),
                     Rule(column, titles, header, (column, end), offset=1, first_row=4)))
    return Look(
        widths=WIDTHS, header=None, rules=rules, charts=_charts(label, grid), wrap=(3,),
        frozen_rows=4,  # the header block stays on screen
        boxes=(Box((0, 1), (0, 2), BIG), Box((0, 2), (3, 4), Style(bold=True)),
               Box((1, 2), (0, 1), Style(bold=True)),
               Box((2, 3), (0, 6), HEADER),
               Box((3, 4), (0, 2), TOTAL), *fills),
        page=Page(paper=config.paper))


def _charts(label: Labels, grid: Grid) -> tuple[Chart, ...]:
    """The four charts over the tables the charts read, which start on fixed rows."""
    top = TABLES_ROW + 1  # each table's header row: its title is the row above
    revisions = top + CHART_ROWS["pipeline"] + 3
    weekly = top + CHART_ROWS["turnaround"] + 3
    specs = [
        (label("pipeline"), top, CHART_ROWS["pipeline"], 0, (Series(1),), (5, 0)),
        (label("turnaround"), top, CHART_ROWS["turnaround"], RIGHT,
         (Series(RIGHT + 2), Series(RIGHT + 3), Series(RIGHT + 4, line=True)), (5, RIGHT)),
        (label("revisions"), revisions, CHART_ROWS["revisions"], 0,
         (Series(2), Series(3), Series(5)), (5 + CHART_HEIGHT, 0)),
        (label("weekly"), weekly, CHART_ROWS["weekly"], RIGHT,
         (Series(RIGHT + 1), Series(RIGHT + 2, line=True)), (5 + CHART_HEIGHT, RIGHT)),
    ]
    return tuple(
        Chart(title=title, kind="column", header=header, rows=rows, categories=column,
              series=series, anchor=anchor, span=(CHART_HEIGHT, 7 if column == 0 else 6),
              filled=_filled(grid, header, rows, [s.column for s in series]))
        for title, header, rows, column, series, anchor in specs)


def _filled(grid: Grid, header: int, rows: int, columns: list[int]) -> int:
    """How many of a chart's rows hold data (a workbook's chart reads just those)."""
    count = 0
    for r in range(header + 1, header + 1 + rows):
        line = grid[r] if r < len(grid) else []
        if not any(c < len(line) and isinstance(line[c], (int, float)) for c in columns):
            break
        count += 1
    return count


def report_table(grid: Sequence[Sequence[Cell]], title: str) -> list[list[Cell]]:
    """The table titled ``title`` in a Report grid: its header and rows, each cut to the
    header's width ("(none)" alone for an empty table); [] when there is no such table.

    A table's title stands alone in its band's first column (A, or I on the right), its
    header is the row below, and it ends at the first row with nothing under its header.
    """
    for r, line in enumerate(grid):
        for c in (0, RIGHT):
            end = RIGHT - 1 if c == 0 and len(line) > RIGHT else len(line)
            if c >= len(line) or line[c] != title or any(
                    v not in (None, "") for v in line[c + 1:end]):
                continue
            head = list(grid[r + 1]) if r + 1 < len(grid) else []
            width = 0
            while c + width < len(head) and head[c + width] not in (None, ""):
                width += 1
            out = [head[c:c + width]]
            for below in grid[r + 2:]:
                cells = [*below[c:c + width], *[None] * width][:width]
                if all(v in (None, "") for v in cells):
                    break
                out.append(cells[:1] if cells[0] in _NONE else cells)
            return out
    return []
