"""Run sync cycles on a schedule until SIGTERM/SIGINT, surviving failed cycles.

A failing cycle is logged, each failure once, and retried after an exponential backoff
(capped); the loop goes on. A failure that waits on a person rather than on a fault (a
workbook open in Excel) is retried at the normal interval and logged once, until it ends.
A stop signal lets the current cycle finish (never stopping mid-write) and then ends the
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
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import TYPE_CHECKING

import schedule

from sheets_sync.wording import plural

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


class CycleFailed(Exception):
    """Calendars of a cycle failed: ``reasons`` says why, one line each.

    ``summary`` is what the cycle did otherwise ('' when every calendar failed: the cycle
    failed); ``waiting`` holds the reasons that wait on a person (a workbook open in Excel),
    not on a fault.
    """

    def __init__(self, reasons: Sequence[str], summary: str = "",
                 waiting: Collection[str] = ()) -> None:
        super().__init__("; ".join(reasons))
        self.reasons, self.summary, self.waiting = list(reasons), summary, set(waiting)


@dataclass
class Daemon:
    """Calls ``cycle`` every ``every`` seconds; ``cycle`` returns a one-line summary, or raises
    :class:`CycleFailed` saying which calendars failed and why."""

    cycle: Callable[[], str]
    every: int
    max_backoff: int = 3600
    failures: int = 0
    cycles: int = 0
    stop_event: threading.Event = field(default_factory=threading.Event)

    running: bool = False
    said: set[str] = field(default_factory=set)  # the waits logged, while they last

    def request_stop(self, signum: int = 0, frame: FrameType | None = None) -> None:
        if self.stop_event.is_set() and self.running:
            log.warning("second stop signal (%s): ending the current cycle without finishing "
                        "it", signum)
            raise StopNow
        log.info("stop requested (signal %s); finishing the current cycle (a second signal "
                 "ends it at once)", signum)
        self.stop_event.set()

    def run_cycle(self) -> None:
        """Run one cycle; log its outcome and reschedule with backoff after a failure.

        Each failure is logged once, in the cycle's line when the whole cycle failed. A
        failure that waits on a person is logged the first time only, and when nothing else
        failed the next cycle comes at the normal interval, not after a backoff.
        """
        self.cycles += 1
        started = time.monotonic()
        self.running = True
        try:
            summary = self.cycle()
        except CycleFailed as failed:
            self._failed(failed)
            if failed.summary:
                self._succeeded(started, failed.summary)
            return
        except Exception as exc:  # one failed cycle must not end the daemon
            self.said.clear()
            self._retry(f"{type(exc).__name__}: {getattr(exc, 'message', str(exc))}")
            return
        finally:
            self.running = False
        self.said.clear()
        self._succeeded(started, summary)

    def _succeeded(self, started: float, summary: str) -> None:
        if self.failures:
            self._reschedule(self.every)
        self.failures = 0
        log.info("cycle %d ok in %.1fs: %s", self.cycles, time.monotonic() - started, summary)

    def _retry(self, reason: str) -> None:
        """A failed cycle: log it with ``reason`` and retry after the backoff."""
        self.failures += 1
        delay = self.backoff()
        log.error("cycle %d failed (%s); retrying in %ds", self.cycles, reason, delay)
        self._reschedule(delay)

    def _failed(self, failed: CycleFailed) -> None:
        """Log what failed in a cycle, each reason once; reschedule a cycle that failed."""
        faults = [r for r in failed.reasons if r not in failed.waiting]
        new_waits = [r for r in failed.reasons if r in failed.waiting and r not in self.said]
        self.said = set(failed.waiting)  # a wait that ended is said again when it comes back
        if failed.summary:  # some calendars synced: the cycle is no failure
            for reason in faults:
                log.error("cycle %d: %s", self.cycles, reason)
        elif faults:  # the whole cycle failed: backoff, for the waits too
            self._retry("; ".join(faults + new_waits))
            return
        else:  # every failure waits on a person: no backoff
            if self.failures:
                self._reschedule(self.every)
            self.failures = 0
        for reason in new_waits:
            log.warning("cycle %d: %s. Retrying every %ds (the normal interval) until then, "
                        "without logging it again", self.cycles, reason.rstrip("."), self.every)

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
        log.info("stopped after %d %s", self.cycles, plural(self.cycles, "cycle|cycles"))
