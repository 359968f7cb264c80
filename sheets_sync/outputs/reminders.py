"""The Report's reminder tables and the reminder lines of ``sheets-sync history``.

From the state database's reminder ledger (rows shaped as :class:`LedgerRow`, such as
:class:`sheets_sync.state.Reminder`): what was sent in the last 7 days per client (how many
reminders, to whom, when last) and the reminders not delivered (a failed send, tried again in
the next run); and from the reminder planner (:func:`sheets_sync.notify.view.reminder_view`)
what is due next: what a run would send now, and what quiet time holds with the moment it may
go. Shown only when the configuration has ``[notify]``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sheets_sync.cells import Cell, Grid
from sheets_sync.config import CalendarConfig
from sheets_sync.outputs.convert import local
from sheets_sync.outputs.labels import Labels

WEBHOOK = "webhook:"  # a webhook recipient in the ledger: webhook:VARIABLE
SENT_WINDOW = dt.timedelta(days=7)


class LedgerRow(Protocol):
    """A row of the reminder ledger, as :class:`sheets_sync.state.Reminder` holds it."""

    @property
    def client(self) -> str: ...
    @property
    def post_id(self) -> str: ...
    @property
    def stage(self) -> str: ...
    @property
    def recipient(self) -> str: ...
    @property
    def state(self) -> str: ...  # sending, sent or failed
    @property
    def at(self) -> dt.datetime: ...  # aware
    @property
    def error(self) -> str: ...


@dataclass(frozen=True)
class Upcoming:
    """A reminder due next: in the next run, or (``held`` by quiet time) at ``when`` (aware;
    None when no allowed moment comes within three weeks: the cell is left blank)."""

    client: str
    post_id: str
    stage: str
    recipient: str
    held: bool = False
    when: dt.datetime | None = None


@dataclass(frozen=True)
class ReminderView:
    """What the Report shows of reminders: the calendar's ledger and what is due next."""

    ledger: Sequence[LedgerRow]
    upcoming: Sequence[Upcoming] = ()


def shown_recipient(recipient: str) -> str:
    """A recipient for people: an address, or the webhook's variable (never its URL)."""
    return f"webhook {recipient[len(WEBHOOK):]}" if recipient.startswith(WEBHOOK) else recipient


def reminder_lines(rows: Sequence[LedgerRow], zone: zoneinfo.ZoneInfo) -> list[str]:
    """One line per ledger row, for ``sheets-sync history``: time (in ``zone``), stage,
    recipient, state (and why a send failed)."""
    out = []
    for r in rows:
        when = r.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        why = f" ({r.error})" if r.error else ""
        out.append(f"{when}  reminder {r.stage} to {shown_recipient(r.recipient)}: "
                   f"{r.state}{why}")
    return out


def reminders_grid(now: dt.datetime, config: CalendarConfig, view: ReminderView | None,
                   label: Labels) -> Grid:
    """The Report's reminder tables (sent in the last 7 days, due next, not delivered), each
    titled and followed by a blank row; nothing without ``[notify]`` (``config.notify``) or
    without ``view``."""
    if config.notify is None or view is None:
        return []
    order = sorted(view.upcoming, key=lambda u: (u.client, u.post_id, u.stage, u.recipient))
    due: list[list[Cell]] = [
        [u.client or None, u.post_id or None, u.stage, shown_recipient(u.recipient),
         local(u.when, config.timezone) if u.when is not None
         else None if u.held else label("next_run")] for u in order]
    tables: list[tuple[str, tuple[str, ...], list[list[Cell]]]] = [
        ("reminders_sent", ("client", "reminders_count", "recipients", "last_sent"),
         _sent(view.ledger, now, config)),
        ("reminders_next", ("client", "post_id", "stage", "recipient", "when"), due),
        ("reminders_failed", ("client", "post_id", "stage", "recipient", "failed_at",
                              "why_failed"), _failed(view.ledger, config)),
    ]
    grid: Grid = []
    for title, header, rows in tables:
        grid += [[label(title)], label.all(*header), *(rows or [[label("none")]]), []]
    return grid


def _sent(ledger: Sequence[LedgerRow], now: dt.datetime, config: CalendarConfig
          ) -> list[list[Cell]]:
    """Per client: reminders sent (or left ``sending`` by a run that stopped) in the last
    7 days, to whom, and when last."""
    since = now - SENT_WINDOW
    per: dict[str, list[LedgerRow]] = {}
    for r in ledger:
        if r.state != "failed" and since < r.at <= now:
            per.setdefault(r.client, []).append(r)
    return [[client or None, len(rows),
             ", ".join(sorted({shown_recipient(r.recipient) for r in rows})),
             local(max(r.at for r in rows), config.timezone)]
            for client, rows in sorted(per.items())]


def _failed(ledger: Sequence[LedgerRow], config: CalendarConfig) -> list[list[Cell]]:
    """Reminders whose last send failed: still due, tried again in the next run."""
    return [[r.client or None, r.post_id or None, r.stage, shown_recipient(r.recipient),
             local(r.at, config.timezone), r.error]
            for r in sorted(ledger, key=lambda r: (r.client, r.at, r.post_id, r.recipient))
            if r.state == "failed"]
