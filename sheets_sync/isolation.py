"""The daemon's rounds, synced in a child process so that no calendar can take the daemon down.

A calendar that fails with an error is reported and the round goes on (as
:func:`sheets_sync.portfolio.sync_all` does). A hard crash is another matter: python-calamine
aborts the process when an allocation fails (a Rust abort, which no ``except`` catches), a
native library can crash, the kernel's OOM killer ends the process. The bounds checked before
a workbook is read (:mod:`sheets_sync.backends.bounds`) keep the known causes away; this
module keeps the daemon alive through the unknown ones.

The daemon process itself reads no spreadsheet. It hands each calendar of a round to one
long-lived child process (started with ``spawn``: nothing inherited half-done), which syncs
it and keeps the state stores open from one cycle to the next (a :class:`StorePool`), and the
rate limiter of each Google account, as the daemon did in-process: a cycle costs a message
each way, not a process start (about two seconds of imports here) nor a fresh read of every
post from the state database (half a second at 100,000 rows).

When the child dies while syncing a calendar, the daemon logs it as that calendar's failure,
starts a new child for the rest of the round, and from then on syncs that calendar in a child
of its own, started for it in each round, until it syncs there without crashing (then it goes
back to the shared child). Such a calendar is left out of the portfolio while it is synced
apart. Stop signals go to the daemon: the children ignore SIGINT and SIGTERM, so the calendar
being synced is finished, and the daemon ends them when it stops. When the daemon is told to
stop at once instead (a second signal: :class:`sheets_sync.daemon.StopNow`), leaving the
rounds kills the children without waiting.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import multiprocessing
import signal
from collections.abc import Sequence
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from sheets_sync.config import Config

log = logging.getLogger("sheets_sync.daemon")
LOG_FORMAT = "%(asctime)s %(levelname)s %(message)s"


class Crashed(Exception):
    """The sync process ended without answering (killed by a signal, or exited)."""

    def __init__(self, how: str) -> None:
        super().__init__(how)
        self.how = how


class SyncProcess:
    """A child process that syncs calendars of ``agency`` when asked (see the module)."""

    def __init__(self, agency: Config, level: int = logging.INFO,
                 handler: type[logging.Handler] | None = None) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, agency, level, handler),
                                       daemon=True, name="sheets-sync sync process")
        self.process.start()
        child.close()  # the child's end lives in the child only: its death reads as EOF here

    def call(self, method: str, *args: Any) -> Any:
        """Run ``method`` of the child's :class:`_Worker` and return its answer; Crashed when
        the child ended first (it is then reaped: start another)."""
        try:
            self.conn.send((method, args))
            ok, answer = self.conn.recv()
        except (EOFError, OSError):
            self.process.join(60)  # its end of the pipe is closed: it is ending
            raise Crashed(_how(self.process.exitcode)) from None
        if not ok:  # a bug in the child: say so as the in-process daemon would have
            raise RuntimeError(answer)
        return answer

    def close(self) -> None:
        """Ask the child to end (it closes its state stores) and wait for it."""
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(30)
        if self.process.is_alive():  # pragma: no cover - a child stuck in a cycle
            self.process.kill()
            self.process.join()
        self.conn.close()

    def kill(self) -> None:
        """End the child now, whatever it is doing."""
        self.process.kill()
        self.process.join()
        self.conn.close()


def _how(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Rounds:
    """The daemon's rounds over the calendars ``names`` of ``agency`` (see the module).

    The sync processes log at ``level`` through a ``handler`` made by calling it (default:
    logging's, on standard error), in the daemon's LOG_FORMAT.
    """

    def __init__(self, agency: Config, names: Sequence[str], level: int = logging.INFO,
                 handler: type[logging.Handler] | None = None) -> None:
        self.agency, self.names, self.level, self.handler = agency, list(names), level, handler
        self.shared: SyncProcess | None = None
        self.alone: SyncProcess | None = None  # the process of a calendar synced apart
        self.apart: set[str] = set()  # calendars that crashed the shared process

    def __enter__(self) -> Rounds:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc is not None and not isinstance(exc, Exception):  # told to stop at once
            self.kill()
        else:
            self.close()

    def close(self) -> None:
        if self.shared is not None:
            self.shared.close()
            self.shared = None

    def kill(self) -> None:
        """End the sync processes now, in the middle of a calendar if need be."""
        for process in (self.shared, self.alone):
            if process is not None:
                process.kill()
        self.shared = self.alone = None

    def round(self, now: dt.datetime | None = None) -> tuple[list[str], list[str]]:
        """Sync every calendar, then send the reminders due (one message per recipient for
        the round), then the portfolio; (one summary per calendar synced, one line per
        failure). A calendar synced apart sends its reminders in its own process."""
        moment = now or dt.datetime.now(dt.timezone.utc)
        real_clock = now is None
        summaries: list[str] = []
        failures: list[str] = []
        synced: list[str] = []  # in the shared process: the portfolio covers these
        for name in self.names:
            alone = name in self.apart
            try:
                ok, line = self._sync(name, moment, real_clock, alone)
            except Crashed as exc:
                failures.append(f"calendar {name!r}: the sync process ended while syncing it "
                                f"({exc.how}); the other calendars go on, and this one is "
                                "synced in a process of its own until it syncs there")
                self.apart.add(name)
                continue
            (summaries if ok else failures).append(line)
            if ok and alone:
                self.apart.discard(name)  # it synced apart: back to the shared process
            elif ok:
                synced.append(name)
        if synced and self.agency.notify is not None:
            try:  # one message per recipient for the round, across the calendars
                self._process().call("remind", synced, moment)
            except Crashed as exc:
                self.shared = None
                failures.append(f"reminders: the sync process ended while sending them "
                                f"({exc.how}); those still due go in the next round")
        if synced and self.agency.portfolio is not None:
            try:
                failures.extend(self._process().call("portfolio", synced, self.names, moment))
            except Crashed as exc:
                self.shared = None
                failures.append(f"portfolio: the sync process ended while writing it "
                                f"({exc.how})")
        return summaries, failures

    def _sync(self, name: str, moment: dt.datetime, real_clock: bool, alone: bool
              ) -> tuple[bool, str]:
        if alone:
            self.alone = process = SyncProcess(self.agency, self.level, self.handler)
            try:
                answer: tuple[bool, str] = process.call("sync", name, moment, real_clock)
            except Crashed:
                self.alone = None
                process.close()
                raise
            self.alone = None  # not in a finally: told to stop at once, kill() ends it
            process.close()
            return answer
        try:  # reminders are sent for the whole round (see round)
            answer = self._process().call("sync", name, moment, real_clock, True)
        except Crashed:
            self.shared = None
            raise
        return answer

    def _process(self) -> SyncProcess:
        if self.shared is None:
            self.shared = SyncProcess(self.agency, self.level, self.handler)
        return self.shared


# --- in the child ---------------------------------------------------------------------------


class _Worker:
    """What the child process does: sync one calendar, write the portfolio."""

    def __init__(self, agency: Config) -> None:
        from sheets_sync.run import CycleResult
        from sheets_sync.stores import StorePool

        self.agency = agency
        self.stores = StorePool()  # the state stays open (and in memory) between cycles
        self.results: dict[str, CycleResult] = {}  # this round's, for the portfolio only
        # This round's cycles whose reminders wait for the round's end (see remind).
        self.unreminded: dict[str, tuple[CycleResult, str]] = {}

    def sync(self, name: str, moment: dt.datetime, real_clock: bool, grouped: bool = False
             ) -> tuple[bool, str]:
        """(True, summary) or (False, the failure). The reminders due are sent after the
        cycle, or with ``grouped`` kept for :meth:`remind` at the end of the round."""
        from sheets_sync.daemon import remind_after_cycle
        from sheets_sync.errors import SheetsSyncError
        from sheets_sync.run import sync
        from sheets_sync.stores import state_path_for

        config = self.agency.calendar(name)
        self.results.pop(name, None)
        self.unreminded.pop(name, None)
        path = state_path_for(config, self.agency.state_path)
        try:
            result = sync(config, path, moment, stores=self.stores, real_clock=real_clock)
            # Reminders come after the cycle succeeded; their failures never fail it.
            if grouped and self.agency.notify is not None:
                self.unreminded[name] = (result, path)
            else:
                remind_after_cycle(self.agency, result, self.stores.get(path), moment)
        except SheetsSyncError as exc:
            return False, f"calendar {name!r}: {exc.message}"
        if self.agency.portfolio is not None:
            self.results[name] = result
        return True, result.summary()

    def remind(self, synced: Sequence[str], moment: dt.datetime) -> None:
        """Send the reminders due for the calendars ``synced`` in this round with
        ``grouped``: one message per recipient across them. Never raises."""
        from sheets_sync.daemon import remind_after_round

        kept = [self.unreminded[n] for n in synced if n in self.unreminded]
        self.unreminded.clear()  # not kept from one round to the next
        remind_after_round(self.agency, [result for result, _ in kept],
                           {r.calendar_name: self.stores.get(path) for r, path in kept},
                           moment)

    def portfolio(self, synced: Sequence[str], names: Sequence[str], moment: dt.datetime
                  ) -> list[str]:
        from sheets_sync.portfolio import portfolio_round

        results = [self.results[n] for n in synced if n in self.results]
        self.results.clear()  # not kept from one round to the next
        calendars = [self.agency.calendar(n) for n in names]
        return portfolio_round(self.agency, results, moment, calendars)

    def close(self) -> None:
        self.stores.close()


def _serve(conn: Connection, agency: Config, level: int,
           handler: type[logging.Handler] | None) -> None:
    """The child's loop: answer (method, args) requests until None or the daemon is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the daemon decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.basicConfig(level=level, format=LOG_FORMAT,
                        handlers=[handler()] if handler is not None else None)
    worker = _Worker(agency)
    try:
        while True:
            try:
                request = conn.recv()
            except (EOFError, OSError):
                return  # the daemon is gone
            if request is None:
                return
            method, args = request
            try:
                answer = (True, getattr(worker, method)(*args))
            except Exception as exc:  # a bug: the daemon logs it as a failed cycle
                answer = (False, f"{type(exc).__name__}: {exc}")
            conn.send(answer)
    finally:
        worker.close()
