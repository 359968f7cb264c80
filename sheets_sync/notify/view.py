"""What the Report shows of reminders (:mod:`sheets_sync.outputs.reminders`): the ledger, and
what the planner has due next, with the moment quiet time ends for what it holds."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence

import pandas as pd

from sheets_sync.config import CalendarConfig
from sheets_sync.notify.plan import Source, plan_calendar, quiet_reason
from sheets_sync.outputs.reminders import ReminderView, Upcoming
from sheets_sync.parse import Calendar
from sheets_sync.rules.base import Context
from sheets_sync.state import Reminder

# How far ahead the next moment outside quiet time is looked for (a long holiday included).
QUIET_HORIZON = dt.timedelta(days=21)


def reminder_view(config: CalendarConfig, calendar: Calendar, findings: pd.DataFrame,
                  now: dt.datetime, ledger: Sequence[Reminder]) -> ReminderView:
    """The ledger and the reminders due next for ``config``'s calendar at ``now`` (aware):
    those a run would send now (failed ones included) and those quiet time holds, with the
    first whole hour it lets them go. Reminders whose moment has not come (an approval
    threshold ahead, tomorrow's digest) are not planned yet, so not listed.
    ``config.notify`` must be set (ValueError otherwise)."""
    from sheets_sync.run import finding_keys

    if config.notify is None:
        raise ValueError(f"calendar {config.name!r} has no [notify]")
    keys = finding_keys(findings) if len(findings) else []
    plan = plan_calendar(config, config.notify, calendar, findings, keys, now, ledger,
                         Source("file", ""))
    upcoming = [Upcoming(i.client, i.post.post_id if i.post else "", i.stage, i.recipient)
                for i in plan.due]
    if plan.held:
        ctx = Context(calendar, config, now)
        ends = {c: _allowed(ctx, c, config.notify.quiet_weekends)
                for c in {i.client for i in plan.held}}
        upcoming += [Upcoming(i.client, i.post.post_id if i.post else "", i.stage,
                              i.recipient, True, ends[i.client]) for i in plan.held]
    return ReminderView(ledger, upcoming)


def _allowed(ctx: Context, client: str, quiet_weekends: bool) -> dt.datetime | None:
    """The first whole hour (client's time) after ``ctx.now`` outside ``client``'s quiet
    time, or None when none comes within QUIET_HORIZON."""
    settings = ctx.clients.settings[client]
    holidays = ctx.days.holidays_for(client)
    now = ctx.now.astimezone(zoneinfo.ZoneInfo(settings.timezone))
    moment = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    while moment - now < QUIET_HORIZON:
        if not quiet_reason(moment, settings, quiet_weekends, holidays):
            return moment
        moment += dt.timedelta(hours=1)
    return None
