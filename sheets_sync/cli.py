"""The ``sheets-sync`` command line: parse options, call the library, render, set the exit code.

Exit codes: 0 success; 1 audit findings at or above --fail-on; 2 usage or configuration
error; 3 backend or state failure.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from sheets_sync import config as config_module
from sheets_sync import render
from sheets_sync.audit import as_of, audit
from sheets_sync.codes import CODES
from sheets_sync.config import CalendarConfig
from sheets_sync.errors import SheetsSyncError, UsageError
from sheets_sync.model import FIELDS, Severity

SEVERITIES = [s.label for s in Severity]
CONFIG_HELP = "Configuration file (TOML). Also read from SHEETS_SYNC_CONFIG."


@contextmanager
def handle_errors() -> Iterator[None]:
    """Turn the tool's exceptions into a message on stderr and the exit code they carry."""
    try:
        yield
    except SheetsSyncError as exc:
        click.echo(f"sheets-sync: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("sheets-sync: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, keep the exit code honest
        if os.environ.get("SHEETS_SYNC_DEBUG"):
            raise
        click.echo(f"sheets-sync: unexpected error ({type(exc).__name__}: {exc}). "
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
      sheets-sync audit samples/calendar.xlsx --today 2026-03-10
    """


def _parse_columns(values: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    columns: dict[str, list[str]] = {}
    for value in values:
        name, sep, header = value.partition("=")
        name = name.strip()
        if not sep or not header.strip():
            raise UsageError(f"--column {value!r}: write it as field=Header, e.g. "
                             "caption=\"Full Caption\"")
        if name not in FIELDS:
            raise UsageError(f"--column {value!r}: unknown field {name!r} "
                             f"(fields: {', '.join(FIELDS)})")
        columns.setdefault(name, []).append(header.strip())
    return {k: tuple(v) for k, v in columns.items()}


def _calendar(path: str | None, config_file: str | None, name: str | None,
              columns: tuple[str, ...], tab: str) -> CalendarConfig:
    if path and config_file:
        raise UsageError("give either a calendar PATH or --config, not both")
    if path:
        return config_module.default_calendar(path, _parse_columns(columns), tab)
    if not config_file:
        raise UsageError("give a calendar file (PATH) or a configuration (--config FILE); "
                         "see `sheets-sync audit --help`")
    if columns:
        raise UsageError("--column applies to a calendar PATH; with --config, map columns in "
                         "[calendars.columns]")
    return config_module.load(config_file).calendar(name)


@main.command("audit")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--config", "config_file", envvar="SHEETS_SYNC_CONFIG", type=click.Path(),
              help=CONFIG_HELP)
@click.option("--calendar", "calendar_name", help="Calendar to audit when --config has several.")
@click.option("--column", "columns", multiple=True, metavar="FIELD=HEADER",
              help="Map a column of PATH to a field (repeatable), e.g. caption=\"Full Caption\".")
@click.option("--tab", default="", help="Calendar tab of PATH (default: the first other tab).")
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format.")
@click.option("--fail-on", type=click.Choice(SEVERITIES), default="error", show_default=True,
              help="Exit 1 when a finding is at least this severe.")
@click.option("--today", metavar="YYYY-MM-DD", help="Audit as of this date (09:00 local).")
def audit_command(path: str | None, config_file: str | None, calendar_name: str | None,
                  columns: tuple[str, ...], tab: str, output: str, fail_on: str,
                  today: str | None) -> None:
    """Check a calendar and list its findings, without changing anything.

    PATH is an .xlsx or .csv calendar; built-in English and Turkish header names are
    recognised, --column maps others. With --config, the configured calendar is audited with
    its clients' rules.

    Exit code 0 when nothing reaches --fail-on, 1 when something does, 2 for a usage or
    configuration error, 3 when the calendar cannot be read.

    \b
    Examples:
      sheets-sync audit samples/calendar.xlsx --today 2026-03-10
      sheets-sync audit plan.csv --column caption="Full Caption" --format json
      sheets-sync audit --config config/example.toml --fail-on critical
    """
    with handle_errors():
        calendar = _calendar(path, config_file, calendar_name, columns, tab)
        result = audit(calendar, as_of(today, calendar.timezone))
        text = {"table": render.to_table, "json": render.to_json, "csv": render.to_csv}[output]
        click.echo(text(result), nl=False)
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
        for cal in loaded.calendars:
            where = cal.spreadsheet if cal.backend == "google" else str(cal.location())
            clients = ", ".join(cal.clients) or "none configured"
            click.echo(f"calendar {cal.name!r}: {cal.backend} {where}; clients: {clients}")
        click.echo(f"{Path(config_file)}: OK ({len(loaded.calendars)} calendar(s))")


@main.command("codes")
def codes_command() -> None:
    """List every finding code with its default severity.

    \b
    Example:
      sheets-sync codes
    """
    for code in CODES.values():
        click.echo(f"{code.code:28} {code.severity.label:9} {code.summary}")
