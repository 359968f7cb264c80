"""Several calendars in one configuration, and the agency-wide portfolio report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from click.testing import CliRunner
from conftest import HEADER, at, calendar_config, row

from sheets_sync.backends.files import read_tabs
from sheets_sync.cli import main
from sheets_sync.outputs import report_grid, report_table
from sheets_sync.parse import parse
from sheets_sync.portfolio import portfolio_grid
from sheets_sync.run import CycleResult
from sheets_sync.validate import validate


def workbook(path: Path, client: str, statuses: list[str]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Calendar"
    ws.append(HEADER)
    for i, status in enumerate(statuses):
        ws.append(row(f"{client[0]}{i}", client=client, status=status,
                      date=f"2026-03-{12 + i} 10:00"))
    wb.save(path)


def test_sync_all_writes_each_client_only_its_own_rows_and_a_portfolio(tmp_path: Path) -> None:
    workbook(tmp_path / "acme.xlsx", "Acme", ["Client review", "Published"])
    workbook(tmp_path / "birch.xlsx", "Birch", ["Draft"])
    config = tmp_path / "agency.toml"
    config.write_text("""
state_path = "state.db"
[portfolio]
path = "portfolio.xlsx"
[[calendars]]
name = "acme"
path = "acme.xlsx"
[[calendars]]
name = "birch"
path = "birch.xlsx"
""", encoding="utf-8")
    result = CliRunner().invoke(main, ["sync", "--all", "--config", str(config),
                                       "--today", "2026-03-11"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("wrote Status, Report, History") == 2
    acme = read_tabs(tmp_path / "acme.xlsx", "Calendar", ["Status"])[1]["Status"]
    assert acme is not None
    assert not any("Birch" in str(cell) for line in acme for cell in line)
    portfolio = read_tabs(tmp_path / "portfolio.xlsx", "Portfolio", [])[0].rows
    assert portfolio[0][:3] == ["Calendar", "Client", "Posts"]
    assert [(r[0], r[1], r[2]) for r in portfolio[1:]] == [("acme", "Acme", 2.0),
                                                             ("birch", "Birch", 1.0)]
    acme_row = portfolio[1]
    assert acme_row[7] == 1.0  # one approval due within 7 days (the post in client review)
    before = (tmp_path / "portfolio.xlsx").stat().st_mtime_ns
    again = CliRunner().invoke(main, ["sync", "--all", "--config", str(config),
                                      "--today", "2026-03-11"])
    assert again.exit_code == 0
    assert (tmp_path / "portfolio.xlsx").stat().st_mtime_ns == before  # unchanged: not rewritten


def test_one_failing_calendar_does_not_stop_the_others(tmp_path: Path) -> None:
    workbook(tmp_path / "acme.xlsx", "Acme", ["Draft"])
    config = tmp_path / "agency.toml"
    config.write_text("""
[[calendars]]
name = "acme"
path = "acme.xlsx"
[[calendars]]
name = "gone"
path = "missing.xlsx"
""", encoding="utf-8")
    result = CliRunner().invoke(main, ["sync", "--all", "--config", str(config),
                                       "--today", "2026-03-11"])
    assert result.exit_code == 3
    assert "wrote Status, Report, History" in result.stdout
    assert "calendar 'gone': calendar file not found" in result.stderr


# --------------------------------------------------------------------------------------------
# Approvals due in 7 days: the Portfolio counts the posts the Report lists

NOW = at("2026-03-10 09:00")  # 06:00 UTC: 09:00 in Istanbul, 02:00 in New York (EDT)
NO_TRANSITIONS = pd.DataFrame({"post_id": pd.Series([], dtype=object),
                               "at": pd.Series([], dtype="datetime64[ns]"),
                               "from_status": pd.Series([], dtype=object),
                               "to_status": pd.Series([], dtype=object)})
# (post ID, client, status, publish time as the calendar frame holds it: the client's own
# wall clock, approved yes/no). Acme is in the calendar's zone (Istanbul), Nova in New York.
BOUNDARY = [
    ("A-now", "Acme", "Client review", "2026-03-10 09:00", ""),  # at now: due
    ("A-past", "Acme", "Client review", "2026-03-10 08:59", ""),  # a minute ago: not due
    ("A-7d", "Acme", "Client review", "2026-03-17 09:00", ""),  # exactly 7 x 24 h: due
    ("A-7d+1m", "Acme", "Client review", "2026-03-17 09:01", ""),  # a minute more: not due
    ("A-23h", "Acme", "Client review", "2026-03-17 23:00", ""),  # 23:00 on the 7th day: not
    ("A-draft", "Acme", "Draft", "2026-03-12 10:00", ""),  # awaiting, not in review: due
    ("A-yes", "Acme", "Client review", "2026-03-12 11:00", "Yes"),  # approval recorded: not
    ("N-now", "Nova", "Client review", "2026-03-10 02:00", ""),
    ("N-past", "Nova", "Client review", "2026-03-10 01:59", ""),
    ("N-7d", "Nova", "Client review", "2026-03-17 02:00", ""),
    ("N-7d+1m", "Nova", "Client review", "2026-03-17 02:01", ""),
    ("N-23h", "Nova", "Client review", "2026-03-17 23:00", ""),
    ("N-draft", "Nova", "Draft", "2026-03-12 10:00", ""),
    ("N-yes", "Nova", "Changes requested", "2026-03-12 11:00", "Yes"),
]


def boundary_report_and_portfolio() -> tuple[list[Any], Any]:
    """Return the Report's approvals-due post IDs and the Portfolio's (client, count) pairs."""
    config = calendar_config(name="agency", clients={
        "Nova": {"timezone": "America/New_York", "country": "US"}})
    grid = [[*HEADER, "Approved"],
            *([*row(i, client=c, status=s, date=d), yes] for i, c, s, d, yes in BOUNDARY)]
    cal = parse(grid, config)
    found = validate(cal, config, NOW)
    report = report_grid(cal, found, NO_TRANSITIONS, NOW, config, {})
    listed = [line[0] for line in report_table(report, "Approvals needed in the next 7 days")[1:]]
    result = CycleResult("agency", cal, "memory", len(cal.frame), found, {}, [], 0, True)
    portfolio = portfolio_grid([result], NOW, "Europe/Istanbul", [config])
    return listed, [(line[1], line[7]) for line in portfolio[1:]]


def test_report_and_portfolio_agree_on_approvals_due_at_the_seven_day_boundary() -> None:
    listed, counted = boundary_report_and_portfolio()
    # Soonest first by each client's wall clock: New York's 02:00 before Istanbul's 09:00.
    assert listed == ["N-now", "A-now", "A-draft", "N-draft", "N-7d", "A-7d"]
    assert counted == [("Acme", 3), ("Nova", 3)]
