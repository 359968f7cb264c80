"""Sending what is due: plan, group per recipient, record, send, record again.

The ledger (:meth:`sheets_sync.state.StateStore.record_reminders`) gets each message's
reminders as ``sending`` (committed) before the message goes out, and as ``sent`` or
``failed`` after. A run that stops between the two (a crash, a kill, a full disk) leaves
``sending`` rows: the next run counts them as sent and says so once, as a warning naming
them. So a reminder is never sent twice; the price is that one whose send did not complete
may be lost, which the warning makes visible. A ``failed`` reminder is due again in the
next run. A failure is logged as a warning the first time, and quietly (info) while the
same reminders keep failing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd

from sheets_sync.config import CalendarConfig, NotifyConfig, spreadsheet_id
from sheets_sync.notify.deliver import DeliveryError, SmtpSender, WebhookSender
from sheets_sync.notify.plan import Item, Source, plan_calendar
from sheets_sync.notify.render import PAYLOADS, Message, email, group, plain_text, subject
from sheets_sync.outputs.reminders import WEBHOOK, shown_recipient
from sheets_sync.parse import Calendar
from sheets_sync.state import Reminder, StateError, StateStore

log = logging.getLogger("sheets_sync.notify")


class Senders(Protocol):
    """What delivers the messages (the real ones: :class:`RealSenders`)."""

    def email(self, message: Message, subject_line: str) -> None: ...

    def webhook(self, name: str, message: Message) -> None: ...


@dataclass
class RealSenders:
    """SMTP and webhooks as ``[notify]`` configures them (secrets from ``env``)."""

    notify: NotifyConfig
    env: Mapping[str, str] = field(default_factory=lambda: os.environ)
    sleep: Callable[[float], None] = time.sleep

    def email(self, message: Message, subject_line: str) -> None:
        if self.notify.smtp is None:  # pragma: no cover - planning addresses no e-mail then
            raise DeliveryError("no [notify] smtp is configured")
        SmtpSender(self.notify.smtp, self.notify.retries, self.env, self.sleep).send(
            email(message, self.notify.sender))

    def webhook(self, name: str, message: Message) -> None:
        hook = next(h for h in self.notify.webhooks if h.url_env == name)
        WebhookSender(hook, self.notify.retries, self.env, self.sleep).send(
            PAYLOADS[hook.kind](message))


@dataclass(frozen=True)
class Cycle:
    """What planning needs of one calendar's cycle."""

    config: CalendarConfig
    calendar: Calendar
    findings: pd.DataFrame


@dataclass
class Outgoing:
    """One message of a run: to whom, about what, and the error when it did not go out."""

    message: Message
    subject: str
    error: str = ""


@dataclass
class Outcome:
    """What a run of reminders did (or, dry, would do)."""

    dry_run: bool = False
    sent: list[Outgoing] = field(default_factory=list)
    failed: list[Outgoing] = field(default_factory=list)
    held: list[Item] = field(default_factory=list)
    unaddressed: list[str] = field(default_factory=list)
    unconfirmed: list[Reminder] = field(default_factory=list)

    def lines(self) -> list[str]:
        """One line per message and per thing a person should know, for the command line."""
        verb = "would send" if self.dry_run else "sent"
        out = [f"{verb} to {_shown(o.message.recipient)}: {o.subject}" for o in self.sent]
        out += [f"not delivered to {_shown(o.message.recipient)}: {o.subject} ({o.error}); "
                "it stays due and is tried again in the next run" for o in self.failed]
        if self.held:
            clients = ", ".join(sorted({i.client for i in self.held}))
            out.append(f"{len(self.held)} reminder(s) held for quiet time (weekend, public "
                       f"holiday, or outside 08:00-19:00 client time: {clients}); the next run "
                       "in allowed time sends them")
        out += self.unaddressed
        out += [f"{r.stage} of {r.post_id or r.client} to {_shown(r.recipient)} may not have "
                "been delivered: an earlier run stopped while sending it; it is not sent again"
                for r in self.unconfirmed]
        if not out:
            out.append("no reminders due")
        return out


_shown = shown_recipient  # an address, or the webhook's variable (never its URL)


def source_of(config: CalendarConfig, store: StateStore, calendar: Calendar) -> Source:
    """Where the calendar's rows are: a Google spreadsheet (with the tab's sheet ID when the
    Google backend has cached the spreadsheet's layout in the state) or a file."""
    if config.backend != "google":
        return Source("file", str(config.location()))
    sheet = spreadsheet_id(config.spreadsheet)
    gid = None
    try:
        layout = json.loads(store.cache(config.name).get(f"google:{sheet}") or "{}")
        gid = int(layout["sheets"][calendar.tab]["sheetId"])
    except (KeyError, TypeError, ValueError):
        pass  # no cached layout: the link opens the spreadsheet's first tab
    return Source("google", sheet, gid)


def send_due(notify: NotifyConfig, cycles: Sequence[Cycle], stores: Mapping[str, StateStore],
             now: dt.datetime, senders: Senders, dry_run: bool = False) -> Outcome:
    """Send every reminder due at ``now`` for ``cycles``; ``stores`` maps each calendar's
    name to its state store (the ledger). With ``dry_run`` nothing is sent or recorded.

    Never raises for a message that did not go out: it is in ``Outcome.failed``.
    """
    outcome = Outcome(dry_run=dry_run)
    due: list[Item] = []
    ledgers: dict[str, list[Reminder]] = {}
    for cycle in cycles:
        name = cycle.config.name
        store = stores[name]
        ledger = ledgers[name] = store.reminders(name)
        unconfirmed = [r for r in ledger if r.state == "sending"]
        if unconfirmed and not dry_run:
            _confirm(store, unconfirmed)
        outcome.unconfirmed += unconfirmed
        plan = plan_calendar(cycle.config, notify, cycle.calendar, cycle.findings,
                             _keys(cycle.findings), now, ledger,
                             source_of(cycle.config, store, cycle.calendar))
        due += plan.due
        outcome.held += plan.held
        outcome.unaddressed += plan.unaddressed
    for message in group(due):
        line = subject(message)
        if dry_run:
            outcome.sent.append(Outgoing(message, line))
            continue
        error = _deliver(message, line, stores, ledgers, now, senders)
        (outcome.failed if error else outcome.sent).append(Outgoing(message, line, error))
    return outcome


def _keys(findings: pd.DataFrame) -> list[str]:
    from sheets_sync.run import finding_keys

    return finding_keys(findings) if len(findings) else []


def _confirm(store: StateStore, unconfirmed: list[Reminder]) -> None:
    """Count ``sending`` rows left by a run that stopped as sent, and say so once."""
    for r in unconfirmed:
        log.warning("reminder %s of %s to %s may not have been delivered: an earlier run "
                    "stopped between sending and recording it; it is not sent again", r.stage,
                    r.post_id or r.client, _shown(r.recipient))
    store.record_reminders([_with(r, "sent", "unconfirmed: the run stopped while sending")
                            for r in unconfirmed])


def _with(r: Reminder, state: str, error: str = "") -> Reminder:
    return Reminder(r.calendar, r.item, r.stage, r.recipient, state, r.at, r.post_id, r.client,
                    r.subject, error)


def _deliver(message: Message, line: str, stores: Mapping[str, StateStore],
             ledgers: Mapping[str, list[Reminder]], now: dt.datetime, senders: Senders) -> str:
    """Record, send, record; returns the error ('' when it went out)."""
    rows = [item.reminder("sending", now, line) for item in message.items]
    try:
        _record(stores, rows)
    except StateError as exc:  # not recorded: not sent either (it could be sent twice)
        log.warning("reminders to %s not sent: %s", _shown(message.recipient), exc.message)
        return exc.message
    try:
        if message.recipient.startswith(WEBHOOK):
            senders.webhook(message.recipient[len(WEBHOOK):], message)
        else:
            senders.email(message, line)
    except DeliveryError as exc:
        _log_failure(message, exc.message, ledgers)
        _record(stores, [_with(r, "failed", exc.message) for r in rows])
        return exc.message
    _record(stores, [_with(r, "sent") for r in rows])
    return ""


def _record(stores: Mapping[str, StateStore], rows: list[Reminder]) -> None:
    by_calendar: dict[str, list[Reminder]] = {}
    for row in rows:
        by_calendar.setdefault(row.calendar, []).append(row)
    for name, part in by_calendar.items():
        stores[name].record_reminders(part)


def _log_failure(message: Message, error: str, ledgers: Mapping[str, list[Reminder]]) -> None:
    """A warning the first time; info while the same reminders keep failing."""
    earlier = {(r.item, r.stage, r.recipient): r for rows in ledgers.values() for r in rows}
    again = all((found := earlier.get((i.key, i.stage, i.recipient))) is not None
                and found.state == "failed" for i in message.items)
    level = logging.INFO if again else logging.WARNING
    log.log(level, "reminder to %s not delivered (%s); it stays due and is tried again in the "
            "next run", _shown(message.recipient), error)


def describe(outgoing: Outgoing) -> str:
    """A message as ``--dry-run`` prints it: recipient, subject, then the plain-text body."""
    return (f"To: {_shown(outgoing.message.recipient)}\nSubject: {outgoing.subject}\n\n"
            f"{plain_text(outgoing.message)}")


def payload_of(notify: NotifyConfig, name: str, message: Message) -> dict[str, Any]:
    """The JSON a webhook would receive (for tests and inspection)."""
    hook = next(h for h in notify.webhooks if h.url_env == name)
    return PAYLOADS[hook.kind](message)
