"""The ``sheets-sync`` command line: parse options, call the library, render, set the exit code.

Exit codes: 0 success; 1 audit findings at or above --fail-on; 2 usage or configuration
error; 3 backend or state failure.
"""

from __future__ import annotations

import logging
import os
import sys
import zoneinfo
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from sheets_sync import config as config_module
from sheets_sync import render, starter
from sheets_sync import run as run_module
from sheets_sync.audit import as_of, audit
from sheets_sync.backends import open_backend
from sheets_sync.codes import CODES
from sheets_sync.config import CalendarConfig
from sheets_sync.daemon import CycleFailed, Daemon, StopNow, parse_every
from sheets_sync.errors import SheetsSyncError, UsageError
from sheets_sync.isolation import LOG_FORMAT, Rounds
from sheets_sync.messages import plural
from sheets_sync.model import FIELDS, Severity
from sheets_sync.outputs.history import in_words
from sheets_sync.portfolio import sync_all
from sheets_sync.state import StateStore
from sheets_sync.stores import reset_state, state_path_for

SEVERITIES = [s.label for s in Severity]
CONFIG_HELP = "Configuration file (TOML). Also read from SHEETS_SYNC_CONFIG."


def say(text: str, err: bool = False, nl: bool = True) -> None:
    """Print ``text`` for a person: any control character (an escape sequence a cell or a
    header brought along) is shown escaped, never sent to the terminal as it is."""
    click.echo(render.terminal_text(text, "\n\t"), err=err, nl=nl)


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
    except Exception as exc:  # a bug: say so plainly, keep the exit code honest
        if os.environ.get("SHEETS_SYNC_DEBUG"):
            raise
        say(f"sheets-sync: unexpected error ({type(exc).__name__}: {exc}). "
            "Run again with SHEETS_SYNC_DEBUG=1 for details and report it.", err=True)
        sys.exit(3)


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


def _pairs(option: str, values: tuple[str, ...], fields: tuple[str, ...], example: str,
           unknown: str) -> list[tuple[str, str]]:
    """Split ``field=value`` option values, each field one of ``fields``; UsageError else."""
    pairs = []
    for value in values:
        name, sep, text = value.partition("=")
        name = name.strip()
        if not sep or not text.strip():
            raise UsageError(f"{option} {value!r}: write it as {example}")
        if name not in fields:
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
def audit_command(path: str | None, config_file: str | None, calendar_name: str | None,
                  columns: tuple[str, ...], assumed: tuple[str, ...], tab: str,
                  relative_to: str, explain_columns: bool, output: str, fail_on: str,
                  today: str | None, no_history: bool) -> None:
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
    configuration error, 3 when the calendar cannot be read.

    \b
    Examples:
      sheets-sync audit calendar.xlsx --today 2026-03-10
      sheets-sync audit plan.csv --column caption="Full Caption" --format json
      sheets-sync audit tiktok.csv --assume channel=tiktok
      sheets-sync audit launch.csv --relative-to 2026-12-07 --explain-columns
      sheets-sync audit --config config/example.toml --fail-on critical
      sheets-sync audit calendar.xlsx --no-history    # the sheet alone, not the last sync
    """
    with handle_errors():
        if no_history:
            config, state_path = _calendar(path, config_file, calendar_name, columns, tab,
                                           assumed, relative_to), ""
        else:  # the state database a sync of the same calendar would use
            config, state_path = _sync_target(path, config_file, calendar_name, columns, tab,
                                              assumed, relative_to)
        result = audit(config, as_of(today, config.timezone), history=not no_history,
                       state_path=state_path)
        if explain_columns and output != "json":  # JSON always has its "columns"
            say(render.column_table(result.calendar), err=output == "csv", nl=False)
        text = {"table": render.to_table, "json": render.to_json, "csv": render.to_csv}[output]
        if output == "csv" and not _to_terminal():
            # CSV is data for another program: the cells exactly (JSON escapes by itself).
            click.echo(text(result), nl=False)
        else:
            say(text(result), nl=False)
        threshold = int(Severity.parse(fail_on))
        sys.exit(1 if (result.findings["severity"] >= threshold).any() else 0)


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
    for code in CODES.values():
        click.echo(f"{code.code:28} {code.severity.label:9} {code.summary}")


def _sync_target(path: str | None, config_file: str | None, name: str | None,
                 columns: tuple[str, ...] = (), tab: str = "", assumed: tuple[str, ...] = (),
                 relative_to: str = "") -> tuple[CalendarConfig, str]:
    """Return the calendar to sync and its state database path."""
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
def sync_command(path: str | None, config_file: str | None, calendar_name: str | None,
                 columns: tuple[str, ...], assumed: tuple[str, ...], tab: str,
                 relative_to: str, explain_columns: bool, dry_run: bool, today: str | None,
                 quiet: bool, every: bool) -> None:
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
            _sync_every(config_file, dry_run, today, quiet)
            return
        config, state_path = _sync_target(path, config_file, calendar_name, columns, tab,
                                          assumed, relative_to)
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


def _sync_every(config_file: str | None, dry_run: bool, today: str | None, quiet: bool) -> None:
    if not config_file:
        raise UsageError("--all needs --config")
    if dry_run:
        raise UsageError("--all cannot be combined with --dry-run; dry-run one --calendar")
    loaded = config_module.load(config_file)
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
    """Show every change the tool has observed for one post, oldest first.

    \b
    Example:
      sheets-sync history KD-008 --config agency.toml
    """
    with handle_errors():
        config, state_path = _sync_target(path, config_file, calendar_name)
        store = StateStore(state_path)
        entries = store.history(config.name, post_id)
        zone = zoneinfo.ZoneInfo(config.timezone)
        for entry in entries:
            when = entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            field, old, new = in_words(entry, config.language)
            say(f"{when}  {field}: {old!r} -> {new!r}")
        if not entries:
            say(f"no recorded changes for post {post_id!r} in calendar {config.name!r}")


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

    Use it when the state database is damaged or from a newer version; a damaged file is
    moved aside as FILE.broken. The spreadsheet is not touched; the next sync starts afresh.
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
        say(reset_state(state_path, config.name))
