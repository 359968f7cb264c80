"""Run sync cycles on a schedule until SIGTERM/SIGINT, surviving failed cycles.

A failing cycle is logged and retried after an exponential backoff (capped); the loop goes
on. A stop signal lets the current cycle finish (never stopping mid-write) and then ends the
loop; a second stop signal, for a cycle that does not finish, raises :class:`StopNow` out of
the cycle at once (the caller ends what the cycle started). Cycles never overlap: the loop is
single-threaded and each cycle also holds the calendar's lock file.

After each round the reminders due for the calendars synced in it are sent, one message per
recipient for the whole round (:func:`remind_after_round`); a calendar synced on its own
sends its reminders after its cycle (:func:`remind_after_cycle`). A reminder that cannot be
sent never fails the cycle.
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING

import schedule

if TYPE_CHECKING:
    from sheets_sync.config import Config
    from sheets_sync.run import CycleResult
    from sheets_sync.state import StateStore

log = logging.getLogger("sheets_sync.daemon")


class StopNow(BaseException):
    """A second stop signal arrived while a cycle was running: end it without finishing.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` of a cycle
    swallows it.
    """


def parse_every(text: str) -> int:
    """Return the seconds in an interval such as ``90s``, ``5m``, ``1h`` (a bare number: s).

    Raises ValueError for anything else.
    """
    text = text.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600}
    number, unit = (text[:-1], text[-1]) if text and text[-1] in units else (text, "s")
    if not number.isdigit() or int(number) <= 0:
        raise ValueError(f"{text!r} is not an interval such as 30s, 5m or 1h")
    return int(number) * units[unit]


def remind_after_cycle(agency: Config, result: CycleResult, store: StateStore,
                       now: dt.datetime) -> None:
    """Send the reminders due after the cycle ``result`` of one calendar (``[notify]``).

    Never raises: a message that does not go out is logged once and stays due for the next
    cycle; the cycle's own outcome (its tabs, its state, its summary) is not touched.
    """
    if agency.notify is None:
        return
    from sheets_sync import notify

    config = agency.calendar(result.calendar_name)
    notify.after_cycle(agency, config, notify.Cycle(config, result.calendar, result.findings),
                       store, now)


def remind_after_round(agency: Config, results: Sequence[CycleResult],
                       stores: Mapping[str, StateStore], now: dt.datetime) -> None:
    """Send the reminders due after a round's successful cycles ``results`` (``stores``: each
    calendar's state store by name), grouped per recipient across the calendars: someone who
    is a contact in two calendars gets one message. Never raises (as
    :func:`remind_after_cycle`).
    """
    if agency.notify is None or not results:
        return
    from sheets_sync import notify

    cycles = []
    for result in results:
        config = agency.calendar(result.calendar_name)
        cycles.append(notify.Cycle(config, result.calendar, result.findings))
    notify.after_round(agency, cycles, stores, now)


@dataclass
class Daemon:
    """Calls ``cycle`` every ``every`` seconds; ``cycle`` returns a one-line summary."""

    cycle: Callable[[], str]
    every: int
    max_backoff: int = 3600
    failures: int = 0
    cycles: int = 0
    stop_event: threading.Event = field(default_factory=threading.Event)

    running: bool = False

    def request_stop(self, signum: int = 0, frame: FrameType | None = None) -> None:
        if self.stop_event.is_set() and self.running:
            log.warning("second stop signal (%s): ending the current cycle without finishing "
                        "it", signum)
            raise StopNow
        log.info("stop requested (signal %s); finishing the current cycle (a second signal "
                 "ends it at once)", signum)
        self.stop_event.set()

    def run_cycle(self) -> None:
        """Run one cycle; log its outcome and reschedule with backoff after a failure."""
        self.cycles += 1
        started = time.monotonic()
        self.running = True
        try:
            summary = self.cycle()
        except Exception as exc:  # one failed cycle must not end the daemon
            self.failures += 1
            delay = self.backoff()
            log.error("cycle %d failed (%s: %s); retrying in %ds", self.cycles,
                      type(exc).__name__, getattr(exc, "message", str(exc)), delay)
            self._reschedule(delay)
            return
        finally:
            self.running = False
        if self.failures:
            self._reschedule(self.every)
        self.failures = 0
        log.info("cycle %d ok in %.1fs: %s", self.cycles, time.monotonic() - started, summary)

    def backoff(self) -> int:
        """Seconds to wait after the current run of failures: doubling, capped."""
        return int(min(self.every * 2 ** (self.failures - 1), max(self.max_backoff, self.every)))

    def _reschedule(self, seconds: int) -> None:
        schedule.clear("sheets-sync")
        schedule.every(seconds).seconds.do(self.run_cycle).tag("sheets-sync")

    def serve(self, install_signals: bool = True, max_cycles: int | None = None) -> None:
        """Run the first cycle now, then on schedule, until stopped (or ``max_cycles``)."""
        if install_signals:
            signal.signal(signal.SIGTERM, self.request_stop)
            signal.signal(signal.SIGINT, self.request_stop)
        schedule.clear("sheets-sync")
        self._reschedule(self.every)
        try:
            self.run_cycle()
            while not self.stop_event.is_set():
                if max_cycles is not None and self.cycles >= max_cycles:
                    break
                schedule.run_pending()
                self.stop_event.wait(min(1.0, max(schedule.idle_seconds() or 1.0, 0.01)))
        except StopNow:
            log.info("stopped during cycle %d, which did not finish", self.cycles)
            raise
        finally:
            schedule.clear("sheets-sync")
        log.info("stopped after %d cycle(s)", self.cycles)
