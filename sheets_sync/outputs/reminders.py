"""The Report's reminder tables and the reminder lines of ``sheets-sync history``.

Read from the state database's reminder ledger (:class:`sheets_sync.state.Reminder`): what
was sent in the last 7 days per client (how many reminders, to whom, when last), what is due
next (the reminders a run would send now, and those held by quiet time with the moment they
may go), and the reminders not delivered (a failed send, tried again in the next run).
Shown only when the configuration has ``[notify]``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from sheets_sync.cells import Cell, Grid
from sheets_sync.config import CalendarConfig
from sheets_sync.outputs.convert import local
from sheets_sync.outputs.labels import Labels
from sheets_sync.parse import Calendar
from sheets_sync.state import Reminder

if TYPE_CHECKING:
    from sheets_sync.notify.plan import Item
    from sheets_sync.rules.base import Context

WEBHOOK = "webhook:"  # a webhook recipient in the ledger: webhook:VARIABLE
SENT_WINDOW = dt.timedelta(days=7)
# How far ahead the next moment outside quiet time is looked for (a long holiday included).
QUIET_HORIZON = dt.timedelta(days=21)


def shown_recipient(recipient: str) -> str:
    """A recipient for people: an address, or the webhook's variable (never its URL)."""
    return f"webhook {recipient[len(WEBHOOK):]}" if recipient.startswith(WEBHOOK) else recipient


def reminder_lines(rows: Sequence[Reminder], zone: zoneinfo.ZoneInfo) -> list[str]:
    """One line per ledger row, for ``sheets-sync history``: time (in ``zone``), stage,
    recipient, state (and why a send failed)."""
    out = []
    for r in rows:
        when = r.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        why = f" ({r.error})" if r.error else ""
        out.append(f"{when}  reminder {r.stage} to {shown_recipient(r.recipient)}: "
                   f"{r.state}{why}")
    return out


def reminders_grid(calendar: Calendar, findings: pd.DataFrame, now: dt.datetime,
                   config: CalendarConfig, ledger: Sequence[Reminder] | None,
                   label: Labels) -> Grid:
    """The Report's reminder tables (sent in the last 7 days, due next, not delivered), each
    titled and followed by a blank row; nothing without ``[notify]`` (``config.notify``) or
    without ``ledger``."""
    if config.notify is None or ledger is None:
        return []
    tables = [
        ("reminders_sent", ("client", "reminders_count", "recipients", "last_sent"),
         _sent(ledger, now, config)),
        ("reminders_next", ("client", "post_id", "stage", "recipient", "when"),
         _next(calendar, findings, now, config, ledger, label)),
        ("reminders_failed", ("client", "post_id", "stage", "recipient", "failed_at", "why_failed"),
         _failed(ledger, config)),
    ]
    grid: Grid = []
    for title, header, rows in tables:
        grid += [[label(title)], label.all(*header), *(rows or [[label("none")]]), []]
    return grid


def _sent(ledger: Sequence[Reminder], now: dt.datetime, config: CalendarConfig
          ) -> list[list[Cell]]:
    """Per client: reminders sent (or left ``sending`` by a run that stopped) in the last
    7 days, to whom, and when last."""
    since = now - SENT_WINDOW
    per: dict[str, list[Reminder]] = {}
    for r in ledger:
        if r.state != "failed" and since < r.at <= now:
            per.setdefault(r.client, []).append(r)
    return [[client or None, len(rows),
             ", ".join(sorted({shown_recipient(r.recipient) for r in rows})),
             local(max(r.at for r in rows), config.timezone)]
            for client, rows in sorted(per.items())]


def _failed(ledger: Sequence[Reminder], config: CalendarConfig) -> list[list[Cell]]:
    """Reminders whose last send failed: still due, tried again in the next run."""
    return [[r.client or None, r.post_id or None, r.stage, shown_recipient(r.recipient),
             local(r.at, config.timezone), r.error]
            for r in sorted(ledger, key=lambda r: (r.client, r.at, r.post_id, r.recipient))
            if r.state == "failed"]


def _next(calendar: Calendar, findings: pd.DataFrame, now: dt.datetime,
          config: CalendarConfig, ledger: Sequence[Reminder], label: Labels
          ) -> list[list[Cell]]:
    """What the reminder planner has due now ("next run") or held by quiet time (the first
    moment outside it, in the calendar's time zone). Reminders whose moment has not come yet
    (an approval threshold ahead, tomorrow's digest) are not listed."""
    from sheets_sync.notify.plan import Source, plan_calendar
    from sheets_sync.rules.base import Context
    from sheets_sync.run import finding_keys

    assert config.notify is not None
    keys = finding_keys(findings) if len(findings) else []
    plan = plan_calendar(config, config.notify, calendar, findings, keys, now, ledger,
                         Source("file", ""))
    ctx = Context(calendar, config, now)
    rows: list[tuple[Item, Cell]] = [(item, label("next_run")) for item in plan.due]
    rows += [(item, _allowed(ctx, item.client, config.notify.quiet_weekends))
             for item in plan.held]
    return [[item.client, item.post.post_id if item.post else None, item.stage,
             shown_recipient(item.recipient), when]
            for item, when in sorted(rows, key=lambda x: (x[0].client, x[0].key, x[0].stage,
                                                           x[0].recipient))]


def _allowed(ctx: Context, client: str, quiet_weekends: bool) -> Cell:
    """The first whole hour after ``ctx.now`` outside ``client``'s quiet time (naive, in the
    calendar's time zone), or None when none comes within three weeks."""
    from sheets_sync.notify.plan import quiet_reason

    settings = ctx.clients.settings[client]
    holidays = ctx.days.holidays_for(client)
    now = ctx.now.astimezone(zoneinfo.ZoneInfo(settings.timezone))
    moment = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    while moment - now < QUIET_HORIZON:
        if not quiet_reason(moment, settings, quiet_weekends, holidays):
            return local(moment, ctx.config.timezone)
        moment += dt.timedelta(hours=1)
    return None
