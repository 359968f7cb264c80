"""The column map (which header was read as which field, and why: `--explain-columns`, the
JSON `columns` section) and plans dated relative to a launch week (`T-2_Mon`, `relative_to`).
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import at, audit, calendar_config, keys, only

from sheets_sync.cli import main
from sheets_sync.errors import ConfigError
from sheets_sync.parse import parse

NOW = at("2026-11-30 09:00")
REALCAL = Path(os.environ.get("SHEETS_SYNC_REALCAL",
                              Path(__file__).resolve().parents[2] / "shared" / "realcal"))


def write_csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def table_lines(text: str) -> list[list[str]]:
    """The lines of a printed column map, split into FIELD, HEADER, COLUMN, WHY."""
    start = text.index("Columns read from header row")
    block = text[start:].split("\n\n", 1)[0].splitlines()
    return [re.split(r" {2,}", line.strip(), maxsplit=3) for line in block[1:]]


# A French agency's plan: Plateforme is a built-in alias, "Content Type" holds categories
# (the pillar, not the format), "Link" calls to action (not the asset), "Post text" is mapped
# on the command line, Week is a known header of no field and Mood an unknown one.
LAYOUT = ["ID", "Plateforme", "Content Type", "Date", "Status", "Post text", "Link", "Week",
          "Mood"]
LAYOUT_ROWS = [
    ["P1", "Instagram", "Educational", "2026-12-10 10:00", "Draft", "Hello", "Book now!", "1",
     "calm"],
    ["P2", "TikTok", "Testimonial", "2026-12-11 10:00", "Draft", "Hi", "Shop the drop", "1",
     "fun"],
]


def test_explain_columns_prints_the_map_before_the_findings(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [LAYOUT, *LAYOUT_ROWS])
    result = CliRunner().invoke(main, ["audit", str(path), "--today", "2026-11-30",
                                       "--column", "caption=Post text", "--explain-columns"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Columns read from header row 1:\n")
    assert out.index("Columns read from") < out.index("SEVERITY")
    lines = table_lines(out)
    assert lines[0] == ["FIELD", "HEADER", "COLUMN", "WHY"]
    by_field = {line[0]: line[1:] for line in lines[1:] if not line[0].startswith("(")}
    assert by_field["post_id"] == ["ID", "A", "built-in alias 'ID'"]
    assert by_field["channel"] == ["Plateforme", "B", "built-in alias 'Plateforme'"]
    assert by_field["pillar"] == ["Content Type", "C", "values decided: 'Content Type' holds "
                                  "categories, not formats, read as pillar instead of format"]
    assert by_field["format"] == ["-", "-", "not found: values decided: 'Content Type' holds "
                                  "categories, not formats, read as pillar instead of format"]
    assert by_field["caption"] == ["Post text", "F", '--column caption="Post text"']
    assert by_field["asset"] == ["-", "-", "not found: values decided: 'Link' holds text that "
                                 "is not a link (a call to action), read as nothing instead of "
                                 "asset"]
    assert by_field["approved"] == ["-", "-", "not found"]
    assert by_field["client"] == ["-", "-", "not found: every post is client plan (the "
                                  "calendar's client)"]
    nothing = [line for line in lines if line[0] == "(none)"]
    assert nothing == [
        ["(none)", "Link", "G", "values decided: 'Link' holds text that is not a link (a call "
         "to action), read as nothing instead of asset"],
        ["(none)", "Week", "H", "known header, no field: read as nothing"],
        ["(none)", "Mood", "I", "unmapped: no field has this header"],
    ]


def test_audit_without_explain_columns_prints_no_map(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "plan.csv", [LAYOUT, *LAYOUT_ROWS])
    result = CliRunner().invoke(main, ["audit", str(path), "--today", "2026-11-30"])
    assert "Columns read from" not in result.stdout


def test_the_json_audit_has_the_column_map_beside_its_existing_keys(tmp_path: Path) -> None:
    header = ["ID", "Date", "Status", "Content Type", "Post text", "Week"]
    rows = [["P1", "2026-12-10", "Draft", "Educational", "Hello", "1"]]
    path = write_csv(tmp_path / "tiktok.csv", [header, *rows])
    result = CliRunner().invoke(main, ["audit", str(path), "--today", "2026-11-30",
                                       "--assume", "channel=tiktok", "--column",
                                       "caption=Post text", "--format", "json"])
    document = json.loads(result.stdout)
    assert list(document) == ["calendar", "source", "as_of", "posts", "history", "summary",
                              "findings", "columns"]
    columns = document["columns"]
    assert columns["header_row"] == 1
    fields = {entry["field"]: entry for entry in columns["fields"]}
    assert list(fields)[:5] == ["post_id", "client", "channel", "format", "publish_at"]
    assert fields["channel"] == {"field": "channel", "header": None, "column": None,
                                 "why": "assumed: channel = tiktok (no column)"}
    assert fields["pillar"] == {
        "field": "pillar", "header": "Content Type", "column": "D",
        "why": "values decided: 'Content Type' holds categories, not formats, read as pillar "
               "instead of format"}
    assert fields["publish_at"] == {"field": "publish_at", "header": "Date", "column": "B",
                                    "why": "built-in alias 'Date'"}
    assert fields["caption"]["why"] == '--column caption="Post text"'
    assert columns["ignored"] == []
    assert columns["unmapped"] == [{"field": None, "header": "Week", "column": "F",
                                    "why": "known header, no field: read as nothing"}]


def test_the_map_says_what_the_configuration_did() -> None:
    config = calendar_config(columns={"caption": ["Body"], "approved_by": []},
                             ignore_headers=["Link"], assume={"channel": "instagram"})
    header = ["ID", "Channel", "Date", "Status", "Body", "Link", "Approver", "Reviewer",
              "Owner", "Status"]
    cal = parse([header, ["P1", "X", "2026-12-10", "Draft", "Hi", "go", "Ayşe", "Ali", "Can",
                          "Draft"]], config)
    used = cal.columns_used
    assert used is not None
    assert used.field("caption").why == "configured in [calendars.columns]"
    assert used.field("channel").why == ("built-in alias 'Channel'; assume channel = "
                                         "instagram is not used, the column is read")
    assert used.field("approved_by").why == ("not found: built-in aliases switched off "
                                             "([calendars.columns] approved_by = [])")
    # A Reviewer of names is the owner, unless the sheet has an Owner column.
    assert used.field("owner").header == "Owner"
    assert [(u.header, u.column, u.why) for u in used.ignored] == [("Link", "F",
                                                                    "ignore_headers")]
    assert [(u.header, u.column, u.why) for u in used.unmapped] == [
        ("Approver", "G", "built-in alias of approved_by, switched off ([calendars.columns] "
                          "approved_by = [])"),
        ("Reviewer", "H", "values decided: 'Reviewer' holds names, not dates, read as nothing "
                          "instead of feedback_due (owner is read from 'Owner')"),
        ("Status", "J", "a second column for status: 'Status' (D) is read"),
    ]


def test_a_reviewer_of_names_is_the_owner_in_the_map() -> None:
    cal = parse([["ID", "Channel", "Date", "Status", "Review by"],
                 ["P1", "X", "2026-12-10", "Draft", "Ayşe"]], calendar_config())
    assert cal.columns_used is not None
    owner = cal.columns_used.field("owner")
    assert (owner.header, owner.column, owner.why) == (
        "Review by", "E", "values decided: 'Review by' holds names, not dates, read as owner "
                          "instead of feedback_due")


# --- relative dates --------------------------------------------------------------------------

RELATIVE = ["ID", "Channel", "date_iso", "Status", "Caption"]


def relative_rows(*dates: str) -> list[list[Any]]:
    return [[f"P{i}", "Instagram", date, "Draft", "Hello"] for i, date in enumerate(dates, 1)]


def test_relative_dates_are_placed_from_the_monday_of_week_t0() -> None:
    config = calendar_config(relative_to="2026-12-07")
    cal = parse([RELATIVE, *relative_rows("T-2_Mon", "T0_Wed", "t+1 friday", "T+1_THURSDAY",
                                          "2026-12-24")], config)
    assert cal.columns_used is not None
    assert cal.columns_used.field("publish_at").why == "built-in alias 'Date ISO'"
    days = cal.frame["publish_at"].dt.strftime("%Y-%m-%d %H:%M").tolist()
    assert days == ["2026-11-23 09:00", "2026-12-09 09:00", "2026-12-18 09:00",
                    "2026-12-17 09:00", "2026-12-24 09:00"]
    assert not cal.frame["publish_at_invalid"].any() and not cal.frame["publish_at_unset"].any()
    assert cal.findings.empty


def test_a_week_alone_is_its_monday_and_the_audit_says_so_once() -> None:
    found = audit(relative_rows("T-2", "T-1_Tue", "T+3"), NOW, header=RELATIVE,
                  relative_to="2026-12-07", rules={"levels": only("date-not-set",
                                                                  "invalid-date")})
    assert keys(found) == {(None, "publish_at", "date-not-set")}
    assert found[0].message == (
        "date_iso: rows 2, 4 give a week but no day (“T-2”): each is placed on the Monday of "
        "its week. Write the day (“T-2_Wed”) to place it exactly.")
    cal = parse([RELATIVE, *relative_rows("T-2", "T+3")], calendar_config(relative_to="2026-12-07"))
    assert cal.frame["publish_at"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-23",
                                                                        "2026-12-28"]


def test_without_relative_to_relative_dates_are_one_finding_not_an_error_per_row() -> None:
    rows = relative_rows("T-2_Mon", "T-2_Wed", "soon", "T0_Fri", "T+1", "2026-12-01")
    found = audit(rows, NOW, header=RELATIVE)
    assert keys(found, "date-not-set") == {(None, "publish_at", "date-not-set")}
    note = next(f for f in found if f.code == "date-not-set")
    assert note.severity.label == "info"
    assert note.message.startswith(
        "date_iso: rows 2-3, 5-6 hold relative dates (“T-2_Mon”: a week before or after the "
        "launch week T0, then the day). Set relative_to = the Monday of week T0")
    # "soon" is no relative date: still unreadable; the relative ones are neither errors nor
    # missing, and no rule that needs a date judges them.
    assert keys(found, "invalid-date") == {(4, "publish_at", "invalid-date")}
    assert not keys(found, "missing-required")
    assert {f.row for f in found if f.code == "approval-missing"} == {7}
    cal = parse([RELATIVE, *rows], calendar_config())
    assert np.isnat(cal.frame["publish_at"].to_numpy()[[0, 1, 3, 4]]).all()
    assert cal.frame["publish_at_unset"].tolist() == [True, True, False, True, True, False]


def test_an_unknown_weekday_is_not_a_relative_date() -> None:
    found = audit(relative_rows("T-2_Mon", "T-2_Funday"), NOW, header=RELATIVE,
                  relative_to="2026-12-07", rules={"levels": only("invalid-date",
                                                                  "date-not-set")})
    assert keys(found) == {(3, "publish_at", "invalid-date")}


@pytest.mark.parametrize(("value", "problem"), [
    ("2026-12-08", "calendars[0].relative_to: 2026-12-08 is a Tuesday, not a Monday; give the "
                   "Monday of week T0 (that week's is 2026-12-07)"),
    ("07.12.2026", "calendars[0].relative_to: '07.12.2026' is not a date; write the Monday of "
                   "week T0 as YYYY-MM-DD"),
], ids=["not-a-monday", "not-iso"])
def test_a_relative_to_that_is_no_monday_is_a_configuration_error(value: str,
                                                                   problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        calendar_config(relative_to=value)
    assert problem in str(raised.value)


def test_relative_to_on_the_command_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "launch.csv", [RELATIVE, *relative_rows("T0_Wed", "T+1_Mon")])
    runner = CliRunner()
    placed = runner.invoke(main, ["audit", str(path), "--today", "2026-11-30", "--format",
                                  "json", "--relative-to", "2026-12-07"])
    assert placed.exit_code == 0, placed.output
    assert not [f for f in json.loads(placed.stdout)["findings"] if f["code"] == "date-not-set"]
    unplaced = runner.invoke(main, ["audit", str(path), "--today", "2026-11-30", "--format",
                                    "json"])
    assert [(f["row"], f["code"]) for f in json.loads(unplaced.stdout)["findings"]
            if f["column"] == "publish_at"] == [(None, "date-not-set")]
    for command in ("audit", "sync"):
        bad = runner.invoke(main, [command, str(path), "--relative-to", "2026-12-08"])
        assert bad.exit_code == 2, (command, bad.output)
        assert "--relative-to: 2026-12-08 is a Tuesday, not a Monday" in bad.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["launch.csv"]  # nothing written


def test_relative_to_with_a_configuration_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "agency.toml"
    config.write_text('[[calendars]]\nname = "a"\npath = "a.csv"\nbackend = "csv"\n',
                      encoding="utf-8")
    for command in ("audit", "sync"):
        result = CliRunner().invoke(main, [command, "--config", str(config), "--relative-to",
                                           "2026-12-07"])
        assert result.exit_code == 2
        assert ("--relative-to applies to a calendar PATH; with --config, write it in the "
                'configuration: relative_to = "YYYY-MM-DD" in [[calendars]]') in result.stderr
    every = CliRunner().invoke(main, ["sync", "--all", "--config", str(config),
                                      "--relative-to", "2026-12-07"])
    assert every.exit_code == 2 and "--relative-to" in every.stderr


def test_sync_explain_columns_prints_the_map_first(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plan"
    for line in (RELATIVE, *relative_rows("T0_Wed")):
        sheet.append(line)
    path = tmp_path / "launch.xlsx"
    book.save(path)
    result = CliRunner().invoke(main, ["sync", str(path), "--relative-to", "2026-12-07",
                                       "--today", "2026-11-30", "--dry-run",
                                       "--explain-columns"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Columns read from header row 1:\n")
    assert ["publish_at", "date_iso", "C", "built-in alias 'Date ISO'"] in table_lines(
        result.stdout)
    assert "launch.xlsx" in result.stdout.splitlines()[-1]


# --- a real plan of relative dates -----------------------------------------------------------


@pytest.mark.skipif(not (REALCAL / "15-drbak-tr.csv").exists(),
                    reason="the real calendars in ../shared/realcal are not here")
def test_a_real_launch_plan_is_read_with_its_relative_dates() -> None:
    path = str(REALCAL / "15-drbak-tr.csv")
    runner = CliRunner()
    unplaced = json.loads(runner.invoke(main, ["audit", path, "--today", "2026-11-30",
                                               "--format", "json"]).stdout)
    notes = [f for f in unplaced["findings"] if f["code"] == "date-not-set"]
    assert [(f["row"], f["column"]) for f in notes] == [(None, "publish_at")]
    assert notes[0]["message"].startswith("date_iso: rows 2-66 hold relative dates (“T-2_Mon”")
    assert not [f for f in unplaced["findings"] if f["code"] == "invalid-date"]
    placed = json.loads(runner.invoke(main, ["audit", path, "--today", "2026-11-30",
                                             "--relative-to", "2026-12-07", "--format",
                                             "json"]).stdout)
    # T-1_Mon is 2026-11-30, publishing today and only "planned"; T-1_Wed's two blog
    # articles are "drafted": none of the three is approved.
    missing = {(f["row"], f["severity"]) for f in placed["findings"]
               if f["code"] == "approval-missing"}
    assert missing == {(6, "critical"), (7, "error"), (8, "error")}
    assert not [f for f in placed["findings"] if f["code"] == "date-not-set"]
    week = next(u for u in placed["columns"]["unmapped"] if u["header"] == "week")
    assert week["why"] == "known header, no field: read as nothing"
