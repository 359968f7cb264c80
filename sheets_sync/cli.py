"""The ``sheets-sync`` command line: parse options, call the library, render, set the exit code.

Exit codes: 0 success; 1 audit findings at or above --fail-on; 2 usage or configuration
error; 3 backend or state failure; 141 when the program reading the output closed it early
(``| head``), as for a process ended by SIGPIPE.
"""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import sys
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

# Only what every command needs is imported here: `--help`, `codes` and `check-config` start
# without pandas, and each command imports the rest of what it runs.
from sheets_sync import config as config_module
from sheets_sync import render
from sheets_sync.errors import SheetsSyncError, UsageError
from sheets_sync.model import FIELDS, Severity
from sheets_sync.wording import plural

if TYPE_CHECKING:
    import datetime as dt

    from sheets_sync import run as run_module
    from sheets_sync.audit import AuditResult
    from sheets_sync.config import CalendarConfig

SEVERITIES = [s.label for s in Severity]
# The import formats of `export` (the keys of sheets_sync.export.formats.FORMATS, which a
# test keeps equal; written out here so that `--help` needs no pandas).
EXPORT_FORMATS = ("hootsuite", "buffer", "later", "meta", "postiz", "csv")
CONFIG_HELP = "Configuration file (TOML). Also read from SHEETS_SYNC_CONFIG."


def audit(config: CalendarConfig, now: dt.datetime, *, history: bool = True,
          state_path: str = "") -> AuditResult:
    """The library's audit (:func:`sheets_sync.audit.audit`), imported when it runs."""
    from sheets_sync.audit import audit as audit_calendar

    return audit_calendar(config, now, history=history, state_path=state_path)


def say(text: str, err: bool = False, nl: bool = True) -> None:
    """Print ``text`` for a person: any control character (an escape sequence a cell or a
    header brought along) is shown escaped, never sent to the terminal as it is."""
    click.echo(render.terminal_text(text, "\n\t"), err=err, nl=nl)


def data_out(text: str) -> None:
    """Write ``text`` (data for another program: CSV rows, an export's file) to standard
    output exactly, in UTF-8. Written as bytes: click strips what looks like a terminal colour
    code from text it writes to a pipe, a cell's too. Text that is not valid Unicode (a lone
    surrogate a spreadsheet answered with) is written as \\u escapes, as JSON writes it."""
    click.echo(text.encode("utf-8", "backslashreplace"), nl=False)


def _to_terminal() -> bool:
    """Whether standard output is a terminal (not a pipe or a file)."""
    return sys.stdout is not None and sys.stdout.isatty()


class TerminalHandler(logging.Handler):
    """Log records to the current standard error, control characters shown escaped."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(render.terminal_text(self.format(record), "\n\t") + "\n")
            sys.stderr.flush()
        except Exception:  # pragma: no cover - as logging's own handlers do
            self.handleError(record)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with Python's cycle collector paused (as it was again afterwards).

    An audit builds millions of objects (the cells, the findings) and frees almost none of
    them before it ends: the collector's passes over them took a noticeable part of a large
    audit (0.13 s of 2 s on 100,000 rows) and found next to nothing to free (some hundreds of
    objects), so it waits until the audit is done."""
    enabled, frozen = gc.isenabled(), gc.get_freeze_count()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What the block allocated goes straight to the oldest generation (two list
            # splices): switched on with all of it still young, the collector would walk it
            # all at the next allocation. (Not when the program froze objects of its own:
            # unfreezing would thaw them too.)
            if not frozen:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


SIGPIPE_EXIT = 141  # what a shell reports for a process ended by SIGPIPE (128 + 13)
_WHOLE_PROCESS = False  # set by run(): this process is the sheets-sync program itself


def run() -> None:
    """The ``sheets-sync`` program (its console script, and ``python -m sheets_sync``)."""
    global _WHOLE_PROCESS
    _WHOLE_PROCESS = True
    main(prog_name="sheets-sync")


def leave(code: int) -> NoReturn:
    """End a read-only command (audit, export) with exit ``code``, its output written.

    When this process is the program itself (not a library or a test calling :func:`main`)
    the output is flushed and the process ends without taking apart what the command built:
    an audit of 100,000 rows holds millions of cells and findings, and freeing them one by
    one took 0.1 s of a 1.5 s run for nothing, the system takes the memory back at once.
    A flush the reader refuses (a closed pipe) raises here, inside :func:`handle_errors`.
    Under a profiler or a tracer (cProfile, coverage) the process ends the usual way, so
    that they write what they gathered.
    """
    if _WHOLE_PROCESS and sys.getprofile() is None and sys.gettrace() is None:
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    sys.exit(code)


def _silence_stdout() -> None:
    """Point standard output at the null device, so that nothing fails writing to a closed
    pipe when the interpreter flushes it on the way out."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        pass


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn the tool's exceptions into a message on stderr and the exit code they carry."""
    try:
        yield
    except SheetsSyncError as exc:
        say(f"sheets-sync: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("sheets-sync: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError as exc:
        if not _reader_gone():  # another pipe broke (a socket): not the reader's doing
            _unexpected(exc)
        # The reader of the output stopped (`| head`): nothing is wrong and nothing more
        # can be said there. What is still buffered for it goes nowhere, quietly.
        _silence_stdout()
        sys.exit(SIGPIPE_EXIT)
    except Exception as exc:  # a bug: say so plainly, keep the exit code honest
        _unexpected(exc)


def _unexpected(exc: Exception) -> NoReturn:
    """Say plainly that ``exc`` (being handled) is a bug, and exit 3; with SHEETS_SYNC_DEBUG
    set, raise it again for its traceback."""
    if os.environ.get("SHEETS_SYNC_DEBUG"):
        raise exc
    say(f"sheets-sync: unexpected error ({type(exc).__name__}: {exc}). "
        "Run again with SHEETS_SYNC_DEBUG=1 for details and report it.", err=True)
    sys.exit(3)


def _reader_gone() -> bool:
    """Whether standard output is a pipe whose reader has closed it (what a broken pipe
    there means); True where that cannot be asked (no poll, not a real file)."""
    try:
        import select

        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):
        return True


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="sheets-sync")
def main() -> None:
    """Keep a social-media content calendar in a spreadsheet honest.

    Checks every post for missing approvals, late client feedback, revision rounds beyond the
    contract and gaps in the plan.

    \b
    Example:
      sheets-sync audit calendar.xlsx --today 2026-03-10
    """
    # Warnings logged with no logging set up (a sync's clock warning) are shown escaped too.
    logging.lastResort = TerminalHandler(logging.WARNING)


def _pairs(option: str, values: tuple[str, ...], fields: tuple[str, ...] | None, example: str,
           unknown: str = "") -> list[tuple[str, str]]:
    """Split ``field=value`` option values, each field one of ``fields`` (None: any name);
    UsageError else."""
    pairs = []
    for value in values:
        name, sep, text = value.partition("=")
        name = name.strip()
        if not sep or not name or not text.strip():
            raise UsageError(f"{option} {value!r}: write it as {example}")
        if fields is not None and name not in fields:
            raise UsageError(f"{option} {value!r}: {unknown.format(name=name)} "
                             f"{', '.join(fields)})")
        pairs.append((name, text.strip()))
    return pairs


def _parse_columns(values: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    columns: dict[str, list[str]] = {}
    for name, header in _pairs("--column", values, FIELDS,
                               'field=Header, e.g. caption="Full Caption"',
                               "unknown field {name!r} (fields:"):
        columns.setdefault(name, []).append(header)
    return {k: tuple(v) for k, v in columns.items()}


def _parse_assume(values: tuple[str, ...]) -> dict[str, str]:
    return dict(_pairs("--assume", values, config_module.ASSUMABLE,
                       "field=value, e.g. channel=instagram",
                       "{name!r} cannot be assumed (fields that can:"))


def _path_options(command: Callable[..., None]) -> Callable[..., None]:
    """--column / --assume / --tab / --relative-to: how to read a calendar PATH given without
    a configuration; and --explain-columns, to show how it was read."""
    command = click.option(
        "--explain-columns", is_flag=True,
        help="First print which header was read as which field, and why.")(command)
    command = click.option(
        "--relative-to", default="", metavar="YYYY-MM-DD",
        help="The Monday of week T0, for a PATH whose dates are relative (T-2_Mon, "
             "T0_Wed, T+1_Fri; a week alone, T-2, is its Monday).")(command)
    command = click.option("--tab", default="", help="Calendar tab of PATH (default: the "
                           "first tab that is not the tool's own).")(command)
    command = click.option(
        "--assume", "assumed", multiple=True, metavar="FIELD=VALUE",
        help="A value for a field PATH has no column for (repeatable), e.g. channel=tiktok "
             "for a single-channel calendar; fields: "
             f"{', '.join(config_module.ASSUMABLE)}.")(command)
    return click.option("--column", "columns", multiple=True, metavar="FIELD=HEADER",
                        help="Map a column of PATH to a field (repeatable), e.g. "
                             "caption=\"Full Caption\".")(command)


def _relative_to(text: str) -> str:
    if text:
        try:
            config_module.relative_monday(text)
        except ValueError as exc:
            raise UsageError(f"--relative-to: {exc}") from None
    return text.strip()


SINCE_HELP = ("Leave posts published before this date out of the checks that follow the clock "
              "and the approvals of their time (stale, approvals, feedback deadlines); every "
              "other check still covers them. Overrides ignore_before of the configuration.")


def _since(config: CalendarConfig, since: str | None) -> CalendarConfig:
    """Return ``config`` looking at posts from ``--since`` on (as it is without the option)."""
    return config_module.ignoring_before(config, since) if since else config


def _calendar(path: str | None, config_file: str | None, name: str | None,
              columns: tuple[str, ...], tab: str, assumed: tuple[str, ...] = (),
              relative_to: str = "") -> CalendarConfig:
    if path and config_file:
        raise UsageError("give either a calendar PATH or --config, not both")
    if path:
        return config_module.default_calendar(path, _parse_columns(columns), tab,
                                              _parse_assume(assumed), _relative_to(relative_to))
    if not config_file:
        raise UsageError("give a calendar file (PATH) or a configuration (--config FILE); "
                         "see `sheets-sync audit --help`")
    for option, given, key in (("--column", columns, "[calendars.columns]"),
                               ("--assume", assumed, "assume = { ... } in [[calendars]]"),
                               ("--tab", tab, "tab = ... in [[calendars]]"),
                               ("--relative-to", relative_to,
                                'relative_to = "YYYY-MM-DD" in [[calendars]]')):
        if given:
            raise UsageError(f"{option} applies to a calendar PATH; with --config, write it "
                             f"in the configuration: {key}")
    return config_module.load(config_file).calendar(name)


@main.command("audit")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--config", "config_file", envvar="SHEETS_SYNC_CONFIG", type=click.Path(),
              help=CONFIG_HELP)
@click.option("--calendar", "calendar_name", help="Calendar to audit when --config has several.")
@_path_options
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="error", show_default=True,
              help="Exit 1 when a finding is at least this severe.")
@click.option("--today", metavar="YYYY-MM-DD", help="Audit as of this date (09:00 local).")
@click.option("--no-history", is_flag=True,
              help="Do not read the sync state database: list the sheet's own findings only.")
@click.option("--since", metavar="YYYY-MM-DD", help=SINCE_HELP)
@click.option("--limit", type=click.IntRange(min=0), metavar="N",
              help="Table: show the first N findings of each severity and count the rest "
                   f"(default: {render.TABLE_LIMIT} on a terminal, all when piped; 0: all).")
def audit_command(path: str | None, config_file: str | None, calendar_name: str | None,
                  columns: tuple[str, ...], assumed: tuple[str, ...], tab: str,
                  relative_to: str, explain_columns: bool, output: str, fail_on: str,
                  today: str | None, no_history: bool, since: str | None,
                  limit: int | None) -> None:
    """Check a calendar and list its findings, without changing anything.

    PATH is an .xlsx or .csv calendar; built-in English and Turkish header names are
    recognised, --column maps others, and --assume states a field the calendar has no column
    for (a single-channel calendar's channel). With --config, the configured calendar is
    audited with its clients' rules. --explain-columns prints the column map first (in JSON
    it is always there, under "columns"; with CSV it goes to stderr).

    When a sync keeps state for the calendar (the database `sync` would use), the sheet is
    also compared with the last sync, as sync would, and the findings only history shows
    (changed-after-approval, revision rounds observed) are listed too; the database is only
    read: nothing in it changes and no sync waits for the audit. The output says which sync
    it compared with, or why there was none.

    Exit code 0 when nothing reaches --fail-on, 1 when something does, 2 for a usage or
    configuration error, 3 when the calendar cannot be read; 141 (quietly) when the program
    reading the output stops early (| head).

    On a terminal the table shows the first 50 findings of each severity and how many more
    there are (--limit); piped, it lists them all. JSON is indented on a terminal and compact
    when piped.

    \b
    Examples:
      sheets-sync audit calendar.xlsx --today 2026-03-10
      sheets-sync audit plan.csv --column caption="Full Caption" --format json
      sheets-sync audit tiktok.csv --assume channel=tiktok
      sheets-sync audit launch.csv --relative-to 2026-12-07 --explain-columns
      sheets-sync audit --config config/example.toml --fail-on critical
      sheets-sync audit calendar.xlsx --no-history    # the sheet alone, not the last sync
      sheets-sync audit calendar.xlsx --since 2026-01-01
    """
    with handle_errors(), collector_paused():
        if limit is not None and output != "table":
            raise UsageError(f"--limit applies to the table; --format {output} always holds "
                             "every finding")
        from sheets_sync.audit import as_of

        if no_history:
            config, state_path = _calendar(path, config_file, calendar_name, columns, tab,
                                           assumed, relative_to), ""
        else:  # the state database a sync of the same calendar would use
            config, state_path = _sync_target(path, config_file, calendar_name, columns, tab,
                                              assumed, relative_to)
        config = _since(config, since)
        result = audit(config, as_of(today, config.timezone), history=not no_history,
                       state_path=state_path)
        if explain_columns and output != "json":  # JSON always has its "columns"
            say(render.column_table(result.calendar), err=output == "csv", nl=False)
        terminal = _to_terminal()
        if output == "json":  # escapes every control character by itself
            for part in render.json_parts(result, indent=terminal):
                click.echo(part, nl=False)
        elif output == "csv" and not terminal:
            # CSV is data for another program: the cells exactly.
            for text in render.csv_parts(result):
                data_out(text)
        elif output == "csv":
            say(render.to_csv(result), nl=False)
        else:
            shown = limit if limit is not None else render.TABLE_LIMIT if terminal else 0
            say(render.to_table(result, limit=shown), nl=False)
        threshold = int(Severity.parse(fail_on))
        leave(1 if (result.findings["severity"] >= threshold).any() else 0)


@main.command("check-config")
@click.option("--config", "config_file", envvar="SHEETS_SYNC_CONFIG", type=click.Path(),
              required=True, help=CONFIG_HELP)
def check_config(config_file: str) -> None:
    """Validate a configuration file and list every problem with its path.

    Exit code 0 when the file is valid, 2 when it has problems. Nothing is read or written
    apart from the file itself.

    \b
    Example:
      sheets-sync check-config --config config/example.toml
    """
    with handle_errors():
        loaded = config_module.load(config_file)
        for config in loaded.calendars:
            where = config.spreadsheet if config.backend == "google" else str(config.location())
            clients = ", ".join(config.clients) or "none configured"
            say(f"calendar {config.name!r}: {config.backend} {where}; clients: {clients}")
        count = len(loaded.calendars)
        say(f"{Path(config_file)}: OK ({count} {plural(count, 'calendar|calendars')})")


@main.command("codes")
def codes_command() -> None:
    """List every finding code with its default severity.

    \b
    Example:
      sheets-sync codes
    """
    from sheets_sync.codes import CODES

    for code in CODES.values():
        click.echo(f"{code.code:28} {code.severity.label:9} {code.summary}")


def _sync_target(path: str | None, config_file: str | None, name: str | None,
                 columns: tuple[str, ...] = (), tab: str = "", assumed: tuple[str, ...] = (),
                 relative_to: str = "") -> tuple[CalendarConfig, str]:
    """Return the calendar to sync and its state database path."""
    from sheets_sync.stores import state_path_for

    config = _calendar(path, config_file, name, columns, tab, assumed, relative_to)
    configured = "" if path else config_module.load(str(config_file)).state_path
    return config, state_path_for(config, configured)


def _cycle_summary(result: run_module.CycleResult) -> str:
    return result.summary()


@main.command("sync")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--config", "config_file", envvar="SHEETS_SYNC_CONFIG", type=click.Path(),
              help=CONFIG_HELP)
@click.option("--calendar", "calendar_name", help="Calendar to sync when --config has several.")
@_path_options
@click.option("--dry-run", is_flag=True, help="Print the cell changes; write nothing.")
@click.option("--today", metavar="YYYY-MM-DD", help="Sync as of this date, 1990-2200 (for "
              "trying the sample calendar and for tests); later syncs are not held to it.")
@click.option("--quiet", is_flag=True, help="Print nothing unless something fails (for cron).")
@click.option("--all", "every", is_flag=True,
              help="Sync every configured calendar, then the [portfolio] report.")
@click.option("--since", metavar="YYYY-MM-DD", help=SINCE_HELP)
def sync_command(path: str | None, config_file: str | None, calendar_name: str | None,
                 columns: tuple[str, ...], assumed: tuple[str, ...], tab: str,
                 relative_to: str, explain_columns: bool, dry_run: bool, today: str | None,
                 quiet: bool, every: bool, since: str | None) -> None:
    """Run one sync cycle: check the calendar, write the Status, Report and History tabs.

    Only the tool's own tabs are written, and only when their content changed. The state
    (what was seen, first-seen times, history) lives in a SQLite file: `state_path` in the
    configuration, or beside the workbook (a Google calendar's: beside the configuration,
    named after the calendar). Exit 0 on success, 2 for a usage or configuration
    error, 3 when the calendar or state cannot be read or written (nothing half-written).
    --explain-columns prints the column map the cycle read the calendar with, first.

    The last example is what a crontab line runs: preceded by `*/5 * * * *` (and with the
    full path of sheets-sync, as cron's PATH is short) it syncs every 5 minutes and prints
    nothing unless something fails.

    \b
    Examples:
      sheets-sync sync calendar.xlsx
      sheets-sync sync --config agency.toml --calendar acme --dry-run
      sheets-sync sync --config /etc/sheets-sync.toml --quiet
    """
    with handle_errors():
        if every:
            if columns or assumed or tab or relative_to or explain_columns:
                raise UsageError("--all syncs the configured calendars; --column, --assume, "
                                 "--tab, --relative-to and --explain-columns apply to one "
                                 "calendar")
            _sync_every(config_file, dry_run, today, quiet, since)
            return
        from sheets_sync import run as run_module
        from sheets_sync.audit import as_of

        config, state_path = _sync_target(path, config_file, calendar_name, columns, tab,
                                          assumed, relative_to)
        config = _since(config, since)
        moment = as_of(today, config.timezone) if today else None
        result = run_module.sync(config, state_path, moment, dry_run=dry_run)
        if explain_columns:
            say(render.column_table(result.calendar), nl=False)
        if dry_run:
            for tab in result.changed_tabs:
                for line in render.cell_changes(tab, result.previous.get(tab),
                                                result.outputs[tab]):
                    say(line)
        if not quiet:
            for line in result.guarded:
                say(line)
            say(_cycle_summary(result))


def _sync_every(config_file: str | None, dry_run: bool, today: str | None, quiet: bool,
                since: str | None = None) -> None:
    if not config_file:
        raise UsageError("--all needs --config")
    if dry_run:
        raise UsageError("--all cannot be combined with --dry-run; dry-run one --calendar")
    from sheets_sync.audit import as_of
    from sheets_sync.portfolio import sync_all

    loaded = config_module.load(config_file)
    if since:  # every calendar looks at posts from that day on
        loaded = dataclasses.replace(loaded, calendars=tuple(
            _since(config, since) for config in loaded.calendars))
    moment = as_of(today, loaded.calendars[0].timezone) if today else None
    results, failures = sync_all(loaded, moment)
    if not quiet:
        for result in results:
            say(_cycle_summary(result))
    for failure in failures:
        say(f"sheets-sync: {failure}", err=True)
    if failures:
        sys.exit(3)


@main.command("daemon")
@click.option("--config", "config_file", envvar="SHEETS_SYNC_CONFIG", type=click.Path(),
              required=True, help=CONFIG_HELP)
@click.option("--calendar", "calendar_names", multiple=True,
              help="Calendar(s) to sync (default: every configured calendar).")
@click.option("--every", default="5m", show_default=True, metavar="INTERVAL",
              help="Time between cycles: 30s, 5m, 1h.")
def daemon_command(config_file: str, calendar_names: tuple[str, ...], every: str) -> None:
    """Sync the configured calendars on a schedule until stopped (SIGTERM or Ctrl-C).

    A failed cycle is logged and retried with a growing pause (up to an hour); the daemon
    keeps running. A workbook open in Excel or LibreOffice is no fault: it is said once and
    retried at the normal interval until it is closed. Stopping lets the current cycle
    finish first (exit 0); a second stop signal ends the calendar being synced at once (exit
    1). One log line per cycle on stderr (none while waiting for a workbook to be closed).

    \b
    Example:
      sheets-sync daemon --config /etc/sheets-sync.toml --every 5m
    """
    with handle_errors():
        from sheets_sync.backends import open_backend
        from sheets_sync.daemon import CycleFailed, Daemon, StopNow, parse_every
        from sheets_sync.isolation import LOG_FORMAT, Rounds

        try:
            seconds = parse_every(every)
        except ValueError as exc:
            raise UsageError(f"--every: {exc}") from None
        loaded = config_module.load(config_file)
        calendars = [loaded.calendar(n) for n in calendar_names] or list(loaded.calendars)
        for config in calendars:  # fail fast on a calendar that can never be synced
            open_backend(config)
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=[TerminalHandler()])
        # Calendars are synced in a child process that keeps the state open between cycles;
        # a crash there (a native reader's abort) fails one calendar, not the daemon.
        try:
            with Rounds(loaded, [c.name for c in calendars], handler=TerminalHandler) as rounds:

                def cycle() -> str:
                    summaries, failures = rounds.round()
                    if failures:  # the daemon logs them, each once
                        raise CycleFailed(failures, "; ".join(summaries), rounds.waiting)
                    return "; ".join(summaries)

                Daemon(cycle, seconds).serve()
        except StopNow:  # the sync processes are killed on the way out of the rounds
            raise SystemExit(1) from None


@main.command("remind")
@click.option("--config", "config_file", envvar="SHEETS_SYNC_CONFIG", type=click.Path(),
              required=True, help=CONFIG_HELP)
@click.option("--calendar", "calendar_names", multiple=True,
              help="Calendar(s) to remind about (default: every configured calendar).")
@click.option("--dry-run", is_flag=True,
              help="Print each message (recipient, subject, body); send and record nothing.")
@click.option("--today", metavar="YYYY-MM-DD", help="Remind as of this date (09:00 in the "
              "first calendar's time zone; YYYY-MM-DDTHH:MM for another time).")
def remind_command(config_file: str, calendar_names: tuple[str, ...], dry_run: bool,
                   today: str | None) -> None:
    """Send the reminders and digests due now, by e-mail and chat webhooks ([notify]).

    Approvers get approval reminders before publishing and overdue-feedback reminders;
    the escalation contact escalations; the account manager a morning digest. One message
    per recipient; nothing twice (the state database remembers what was sent); nothing on
    the client's weekends, holidays or outside 08:00-19:00 client time. The calendars are
    read, never written. Exit 0 when everything due went out, 3 when a message could not be
    delivered (it stays due for the next run) or a calendar could not be read.

    \b
    Examples:
      sheets-sync remind --config agency.toml --dry-run
      sheets-sync remind --config agency.toml --calendar acme
    """
    from sheets_sync import notify

    with handle_errors():
        from sheets_sync.audit import as_of

        loaded = config_module.load(config_file)
        moment = as_of(today, loaded.calendars[0].timezone) if today else None
        outcome, failures = notify.remind(loaded, calendar_names, moment, dry_run=dry_run)
        if dry_run:
            for outgoing in outcome.sent:
                say(notify.describe(outgoing))
        for line in outcome.lines():
            say(line)
        for failure in failures:
            say(f"sheets-sync: {failure}", err=True)
        if outcome.failed or failures:
            sys.exit(3)


def _accounts(values: tuple[str, ...]) -> dict[str, str]:
    return {channel.lower(): ident
            for channel, ident in _pairs("--account", values, None, "CHANNEL=ID, e.g. "
                                         "instagram=cm4abc123")}


@main.command("export")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--config", "config_file", envvar="SHEETS_SYNC_CONFIG", type=click.Path(),
              help=CONFIG_HELP)
@click.option("--calendar", "calendar_name", help="Calendar to export when --config has several.")
@_path_options
@click.option("--to", "to", required=True, type=click.Choice(list(EXPORT_FORMATS)),
              help="The scheduler whose import format to write, or csv (this tool's own).")
@click.option("--from", "start", metavar="DATE", help="First publish date (YYYY-MM-DD, or "
              "YYYY-MM-DDTHH:MM) in each client's time zone; default: now.")
@click.option("--until", "end", metavar="DATE", help="Last publish date, inclusive (default: "
              "no end).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File to write; formats "
              "of one file per social profile write FILE-<client>-<channel>.csv beside it. "
              "Default: standard output, when there is one file.")
@click.option("--account", "accounts", multiple=True, metavar="CHANNEL=ID",
              help="The scheduler's ID of the account posting a channel (repeatable); Postiz "
                   "needs its integration ID per channel.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to report: text on stderr, or JSON on stdout "
              "(the exported and left-out posts with their reasons, and the files).")
@click.option("--today", metavar="YYYY-MM-DD", help="Export as of this date (09:00 local).")
@click.option("--no-history", is_flag=True, help="Do not read the sync state database; "
              "changed-after-approval is then not checked (a notice says so).")
def export_command(path: str | None, config_file: str | None, calendar_name: str | None,
                   columns: tuple[str, ...], assumed: tuple[str, ...], tab: str,
                   relative_to: str, explain_columns: bool, to: str, start: str | None,
                   end: str | None, output: str | None, accounts: tuple[str, ...],
                   output_format: str, today: str | None, no_history: bool) -> None:
    """Write the approved posts of a window in a scheduler's own import format.

    Only posts approved on evidence in the sheet (by an approver on the client's list),
    not changed since the approval (as the last sync saw it), not yet scheduled or
    published, whose caption fits the channel and whose publish time lies ahead, go out;
    every other post of the window is listed with the reasons it was left out (on stderr,
    or under "left_out" with --format json). Hootsuite, Buffer, Later and Meta get one CSV
    per social profile (Hootsuite at most 350 messages a file), Postiz a JSON array of API
    request bodies, csv one file of every field. With `mark_exported = "Scheduled"` in the
    configuration the exported rows' status is then set, guarded as sync's writes are.

    Exit code 0 when every post of the window was exported, 1 when one was left out (or
    its status could not be set), 2 for a usage or configuration error, 3 when the
    calendar cannot be read.

    \b
    Examples:
      sheets-sync export --config agency.toml --to hootsuite --until 2026-03-31 -o march.csv
      sheets-sync export plan.xlsx --to csv --from 2026-03-01 --format json
      sheets-sync export --config agency.toml --to postiz --account instagram=cm4abc -o p.json
    """
    with handle_errors():
        from sheets_sync.audit import as_of
        from sheets_sync.export import export, parse_window, summary, to_json, write_files
        from sheets_sync.export.mark import mark_exported

        window = parse_window(start, end)
        config, state_path = _sync_target(path, config_file, calendar_name, columns, tab,
                                          assumed, relative_to)
        result = export(config, to, as_of(today, config.timezone), window,
                        history=not no_history, state_path=state_path,
                        accounts=_accounts(accounts))
        if explain_columns:
            say(render.column_table(result.calendar), err=True, nl=False)
        places = write_files(result, output, several=output_format == "json")
        mark_exported(result, state_path)
        if output_format == "json":
            click.echo(to_json(result), nl=False)
        else:
            for place, file in zip(places, result.files):
                if place is None:  # data for another program: the cells exactly
                    if _to_terminal():
                        say(file.text, nl=False)
                    else:
                        data_out(file.text)
            for line in summary(result):
                say(line, err=True)
        leave(1 if result.left_out or result.not_marked else 0)


@main.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def init_command(directory: str) -> None:
    """Write a commented configuration and a sample calendar workbook into DIRECTORY.

    Existing files are never overwritten. The sample calendar plans March and April 2026:
    sync it as of 2026-03-10 with --today, from its first sync on. A sync without --today
    runs as of the real date, and later syncs never run as of an earlier moment than a real
    one did (an earlier --today is then overridden, with a warning): to go back, start in a
    new directory or run `sheets-sync state reset`.

    \b
    Example:
      sheets-sync init demo && sheets-sync sync --config demo/sheets-sync.toml --today 2026-03-10
    """
    with handle_errors():
        from sheets_sync import starter

        for written in starter.init(Path(directory)):
            say(f"wrote {written}")


def _synced_calendar_options(command: Callable[..., None]) -> Callable[..., None]:
    """--config / --calendar / --path: which synced calendar a command is about."""
    command = click.option("--path", "path", type=click.Path(dir_okay=False),
                           help="Calendar workbook synced without a configuration.")(command)
    command = click.option("--calendar", "calendar_name",
                           help="Calendar, when --config has several.")(command)
    return click.option("--config", "config_file", envvar="SHEETS_SYNC_CONFIG",
                        type=click.Path(), help=CONFIG_HELP)(command)


@main.command("history")
@click.argument("post_id")
@_synced_calendar_options
def history_command(post_id: str, config_file: str | None, calendar_name: str | None,
                    path: str | None) -> None:
    """Show every change the tool has observed for one post, oldest first, then the
    reminders sent about it (time, stage, recipient, and whether it was sent, failed or
    may not have gone out: "sending").

    \b
    Example:
      sheets-sync history KD-008 --config agency.toml
    """
    with handle_errors():
        config, state_path = _sync_target(path, config_file, calendar_name)
        from sheets_sync.outputs.history import in_words
        from sheets_sync.outputs.reminders import reminder_lines
        from sheets_sync.state import StateStore

        store = StateStore(state_path)
        entries = store.history(config.name, post_id)
        zone = zoneinfo.ZoneInfo(config.timezone)
        for entry in entries:
            when = entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            field, old, new = in_words(entry, config.language)
            say(f"{when}  {field}: {old!r} -> {new!r}")
        if not entries:
            say(f"no recorded changes for post {post_id!r} in calendar {config.name!r}")
        for line in reminder_lines(store.reminders(config.name, post_id), zone):
            say(line)


@main.group("state")
def state_group() -> None:
    """Reset the local state database: `state reset` forgets what was seen of a calendar.

    \b
    Example:
      sheets-sync state reset --config agency.toml --calendar acme
    """


@state_group.command("reset")
@_synced_calendar_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def state_reset(config_file: str | None, calendar_name: str | None, path: str | None,
                yes: bool) -> None:
    """Forget what the tool remembers about a calendar (history, first-seen times, rounds).

    Every cache goes too (the spreadsheet layouts remembered for each calendar, the
    portfolio's): the next sync reads them again. Use it when the state database is damaged
    or from a newer version; a damaged file is moved aside as FILE.broken. The spreadsheet
    is not touched; the next sync starts afresh.
    Without --yes it asks first; answering no resets nothing and exits 1.

    \b
    Example:
      sheets-sync state reset --config agency.toml --calendar acme --yes
    """
    with handle_errors():
        config, state_path = _sync_target(path, config_file, calendar_name)
        if not yes:
            question = f"Forget all history of calendar {config.name!r} in {state_path}?"
            try:
                confirmed = click.confirm(question)
            except click.Abort:  # Ctrl-C or no input at the prompt
                confirmed = False
            if not confirmed:
                click.echo("nothing reset", err=True)
                sys.exit(1)
        from sheets_sync.stores import reset_state

        say(reset_state(state_path, config.name))
