"""Reminders and digests: the findings reach the people who must act on them.

Terminology: an ITEM is one thing one recipient is told (a post's approval reminder at a
STAGE such as ``approval-24h``, a day's feedback reminder, a client's digest of a day); a
MESSAGE is everything one recipient gets in one run, grouped; the LEDGER is the state
database's record of what was sent (:class:`sheets_sync.state.Reminder`).

Modules by role: :mod:`.plan` decides what is due now and to whom (pure),
:mod:`.render` words and escapes it (e-mail, Slack, Teams, Google Chat, JSON; English and
Turkish), :mod:`.deliver` sends it (smtplib, urllib), :mod:`.send` wires the three with the
ledger. :func:`remind` is what ``sheets-sync remind`` runs; :func:`after_round` what the
daemon runs after each round (:func:`after_cycle` after a calendar synced on its own).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence

from sheets_sync.config import CalendarConfig, Config
from sheets_sync.errors import ConfigError, SheetsSyncError
from sheets_sync.notify.send import Cycle, Outcome, RealSenders, Senders, describe, send_due
from sheets_sync.state import StateStore
from sheets_sync.stores import state_path_for

__all__ = ["Cycle", "Outcome", "RealSenders", "after_cycle", "after_round", "describe", "remind",
           "send_due"]

log = logging.getLogger("sheets_sync.notify")


def remind(agency: Config, names: Sequence[str] = (), now: dt.datetime | None = None,
           dry_run: bool = False, senders: Senders | None = None
           ) -> tuple[Outcome, list[str]]:
    """Send the reminders due at ``now`` (default: the clock) for the calendars ``names``
    (default: all); returns what was done and one line per calendar that could not be read.

    Each calendar is read and checked as a sync would (a dry-run cycle: nothing is written
    to it). With ``dry_run`` nothing is sent and the ledger is not touched. Raises
    ConfigError when the configuration has no ``[notify]``.
    """
    from sheets_sync.run import sync

    if agency.notify is None:
        raise ConfigError(["notify: no [notify] table: reminders have no way to be sent "
                           "(see config/example.toml)"])
    moment = now or dt.datetime.now(dt.timezone.utc)
    calendars = [agency.calendar(n) for n in names] or list(agency.calendars)
    stores: dict[str, StateStore] = {}
    opened: dict[str, StateStore] = {}
    cycles: list[Cycle] = []
    failures: list[str] = []
    try:
        for config in calendars:
            path = state_path_for(config, agency.state_path)
            try:
                result = sync(config, path, moment, dry_run=True, real_clock=now is None)
                if path not in opened:
                    opened[path] = StateStore.copy_of(path) if dry_run else StateStore(path)
            except SheetsSyncError as exc:
                failures.append(f"calendar {config.name!r}: {exc.message}")
                continue
            stores[config.name] = opened[path]
            cycles.append(Cycle(config, result.calendar, result.findings))
        outcome = send_due(agency.notify, cycles, stores, moment,
                           senders or RealSenders(agency.notify), dry_run=dry_run)
    finally:
        for store in opened.values():
            store.close()
    return outcome, failures


def after_cycle(agency: Config, config: CalendarConfig, cycle: Cycle, store: StateStore,
                now: dt.datetime, senders: Senders | None = None) -> Outcome | None:
    """Send the reminders due after a daemon cycle of ``config``; never raises.

    None when no ``[notify]`` is configured or the reminders could not be worked out at all
    (logged). A message that did not go out is logged once and is due again next cycle; the
    cycle itself has already succeeded and stays so.
    """
    return after_round(agency, [cycle], {config.name: store}, now, senders)


def after_round(agency: Config, cycles: Sequence[Cycle], stores: Mapping[str, StateStore],
                now: dt.datetime, senders: Senders | None = None) -> Outcome | None:
    """Send the reminders due after a daemon round's cycles (``stores`` maps each calendar's
    name to its state store); never raises. One message per recipient for the whole round,
    however many of the calendars name them. None as for :func:`after_cycle`.
    """
    if agency.notify is None or not cycles:
        return None
    try:
        return send_due(agency.notify, cycles, stores, now,
                        senders or RealSenders(agency.notify))
    except Exception as exc:  # reminders must never fail a sync
        names = ", ".join(repr(c.config.name) for c in cycles)
        log.error("calendar(s) %s: reminders not sent this cycle (%s: %s); tried again next "
                  "cycle", names, type(exc).__name__, getattr(exc, "message", exc))
        return None
