"""Several calendars in one configuration, and the agency-wide portfolio report."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner
from conftest import HEADER, row

from sheets_sync.backends.files import read_tabs
from sheets_sync.cli import main


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
