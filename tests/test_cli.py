"""The command line: audit on the sample and on agency layouts, exit codes, help texts."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner

from sheets_sync.cli import main
from sheets_sync.codes import CODES

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config" / "example.toml"
SAMPLE = ROOT / "sheets_sync" / "data" / "calendar.xlsx"
# Codes the sample cannot show: history (sync) and layouts the sample deliberately avoids.
NOT_IN_SAMPLE = {"changed-after-approval", "no-id-column", "duplicate-column", "column-assumed",
                 "no-approval-column", "date-not-set", "rows-not-posts", "several-channels",
                 "zone-from-header", "time-from-header", "time-conflict", "time-ambiguous",
                 "time-nonexistent", "rows-before-since"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_audit_of_the_sample_reports_every_rule_and_fails_on_error() -> None:
    before = digest(SAMPLE)
    code, out, _ = run("audit", "--config", str(EXAMPLE), "--today", "2026-03-10",
                       "--format", "json", "--fail-on", "error")
    assert code == 1
    document = json.loads(out)
    found = {f["code"] for f in document["findings"]}
    assert set(CODES) - NOT_IN_SAMPLE <= found
    assert document["posts"] >= 55
    assert document["as_of"] == "2026-03-10T09:00+03:00"
    assert sum(document["summary"].values()) == len(document["findings"])
    assert digest(SAMPLE) == before  # auditing never touches the file


def test_next_month_readiness_shows_from_the_configured_day() -> None:
    def clients_on(day: str) -> list[str]:
        _, out, _ = run("audit", "--config", str(EXAMPLE), "--today", day, "--format", "json")
        return sorted(f["client"] for f in json.loads(out)["findings"]
                      if f["code"] == "next-month-not-ready")

    # The example checks from the 20th; Kahve Durağı's own setting is the 10th.
    assert clients_on("2026-03-09") == []
    assert clients_on("2026-03-10") == clients_on("2026-03-19") == ["Kahve Durağı"]
    assert clients_on("2026-03-20") == clients_on("2026-03-23") == [
        "Kahve Durağı", "Nordic Trails"]


def test_table_output_names_rows_and_ends_with_a_summary() -> None:
    code, out, _ = run("audit", "--config", str(EXAMPLE), "--today", "2026-03-10")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["SEVERITY", "CODE", "ROW", "POST"]
    assert lines[1].startswith("critical")
    assert "calendar.xlsx" in lines[-1] and "findings (" in lines[-1]


def test_fail_on_threshold_sets_the_exit_code(tmp_path: Path) -> None:
    path = tmp_path / "clean.csv"
    path.write_text("ID,Client,Channel,Format,Publish date,Status,Caption\n"
                    "P1,Acme,Instagram,Post,2026-03-11 10:00,Approved,Hello\n"
                    "P2,Acme,Instagram,Post,2026-03-12 10:00,Approved,World\n", encoding="utf-8")
    code, out, _ = run("audit", str(path), "--today", "2026-03-10", "--format", "json")
    codes = {f["code"]: f["severity"] for f in json.loads(out)["findings"]}
    # The tail of the 28-day horizon is empty; the statuses are the only approval record.
    assert codes == {"calendar-gap": "warning", "no-approval-column": "info"}
    assert code == 0
    assert run("audit", str(path), "--today", "2026-03-10", "--fail-on", "warning")[0] == 1


def agency_workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Content Plan"
    ws.append(["Week", "Day", "Date", "Platform", "Content Type", "Status", "Theme",
               "Hook/Title", "Full Caption", "Hashtags", "Media File",
               "Publish Time (10:00 AM)", "Review By", "Approved (Yes/No)"])
    ws.append([11, "Wed", "11/03/2026", "Instagram", "Reel", "Scheduled", "Value", "Hook",
               "Line one\nLine two 🎉", "#a #b", "reel_01.mp4", "10:00 AM", "", "No"])
    ws.append([11, "Thu", "12/03/2026", "LinkedIn", "Article", "Approved", "Value", "Hook",
               "Bir\niki üç", "", "https://drive.example.com/x", "6:30 PM", "Jane", "Yes"])
    ws.append([11, "Fri", "13/03/2026", "Twitter", "Thread", "Pending sign-off", "Promo",
               "Hook", "Short", "", "x.png", "9:00 AM", "", "maybe"])
    wb.save(path)


def test_agency_layout_is_audited_through_mappings_alone(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    agency_workbook(path)
    before = digest(path)
    code, out, err = run("audit", str(path), "--today", "2026-03-10", "--format", "json",
                         "--column", "owner=Hook/Title")
    assert err == ""
    findings = {(f["row"], f["column"], f["code"]) for f in json.loads(out)["findings"]}
    assert (None, "post_id", "no-id-column") in findings
    assert (2, "status", "scheduled-without-approval") in findings  # Approved = No
    assert (4, "status", "unknown-status") in findings  # "Pending sign-off"
    assert (4, "approved", "invalid-boolean") in findings
    assert not any(c == "invalid-date" for _, _, c in findings)
    assert code == 1
    assert digest(path) == before


def test_csv_output_neutralises_formula_text(tmp_path: Path) -> None:
    path = tmp_path / "cal.csv"
    path.write_text("ID,Channel,Publish date,Status\n"
                    "=HYPERLINK(\"http://x\"),Instagram,2026-03-11,Draft\n"
                    "=HYPERLINK(\"http://x\"),Instagram,2026-03-11,Draft\n", encoding="utf-8")
    code, out, _ = run("audit", str(path), "--today", "2026-03-10", "--format", "csv")
    assert code == 1
    rows = list(csv.DictReader(io.StringIO(out)))
    dup = [r for r in rows if r["code"] == "duplicate-id"]
    assert len(dup) == 2
    assert all(r["post_id"] == "'=HYPERLINK(\"http://x\")" for r in dup)


def test_malformed_config_exits_2_and_lists_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[calendars]]\nname = "a"\nbackend = "xlsx"\nlanguage = "de"\n'
                   "[calendars.rules.feedback]\nsla_days = -3\n", encoding="utf-8")
    for command in (["audit", "--config", str(bad)], ["check-config", "--config", str(bad)]):
        code, _, err = run(*command)
        assert code == 2
        assert "3 configuration problems" in err
        assert "calendars[0].path: is required" in err
        assert "calendars[0].language: must be one of" in err
        assert "calendars[0].rules.feedback.sla_days: must be a positive number" in err


def test_check_config_accepts_the_example() -> None:
    code, out, _ = run("check-config", "--config", str(EXAMPLE))
    assert code == 0
    assert "OK (1 calendar)" in out


@pytest.mark.parametrize(
    ("args", "exit_code", "text"),
    [
        (["audit"], 2, "give a calendar file"),
        (["audit", "nowhere.xlsx"], 3, "calendar file not found"),  # unreadable, not usage
        (["audit", "x.csv", "--column", "captions=Text"], 2, "unknown field 'captions'"),
        (["audit", "x.csv", "--column", "caption"], 2, "write it as field=Header"),
        (["audit", str(SAMPLE), "--today", "10.03.2026"], 2, "--today: '10.03.2026'"),
        (["audit", "--config", str(EXAMPLE), "--calendar", "nope"], 2, "no calendar named"),
    ],
)
def test_usage_errors_exit_2_with_a_message(args: list[str], exit_code: int, text: str) -> None:
    code, _, err = run(*args)
    assert code == exit_code
    assert text in err
    assert "Traceback" not in err


def test_unreadable_workbook_exits_3(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    code, _, err = run("audit", str(path))
    assert code == 3
    assert "broken.xlsx" in err


def test_missing_columns_name_the_tab_and_headers(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("When,Where,What\n2026-03-11,Instagram,Draft\n", encoding="utf-8")
    code, _, err = run("audit", str(path))
    assert code == 2
    assert "odd" in err and "publish_at" in err and "When, Where, What" in err


def all_commands() -> list[tuple[str, click.Command]]:
    assert isinstance(main, click.Group)
    return sorted(main.commands.items())


@pytest.mark.parametrize(("name", "command"), all_commands())
def test_every_command_has_help_ending_with_an_example(name: str,
                                                        command: click.Command) -> None:
    code, out, _ = run(name, "--help")
    assert code == 0
    tail = out.strip().split("Options:")[0].strip().splitlines()
    assert any(line.strip().startswith("Example") for line in tail), name
    assert tail[-1].strip().startswith("sheets-sync "), name
