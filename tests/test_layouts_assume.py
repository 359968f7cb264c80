"""Calendars that keep a field in no column at all (a single-channel plan has no Channel column,
a generated plan no Status), headers that must be read as nothing, and aliases switched off.

`assume` (in the configuration, or `--assume field=value` on audit and sync) states the one
value such a field has; the audit says once that it assumed it. Approval can never be assumed.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import at, audit, calendar_config, keys, only

from sheets_sync.cli import main
from sheets_sync.errors import CalendarError, ConfigError
from sheets_sync.parse import parse

NOW = at("2026-03-10 09:00")
NO_CHANNEL = ["ID", "Publish date", "Status", "Caption"]


def post(post_id: str, date: str, status: str = "Draft", caption: str = "Hello") -> list[Any]:
    return [post_id, date, status, caption]


def test_an_assumed_channel_is_every_posts_channel_and_said_once() -> None:
    long = "x" * 2300  # over Instagram's 2,200 characters, within LinkedIn's 3,000
    found = audit([post("P1", "2026-03-20 10:00", caption=long),
                   post("P2", "2026-03-21 10:00", caption="y" * 3100)], NOW, header=NO_CHANNEL,
                  assume={"channel": "LinkedIn"})
    assumed = [f for f in found if f.code == "column-assumed"]
    assert [(f.row, f.column, f.severity.label) for f in assumed] == [(None, "channel", "info")]
    assert assumed[0].message == ("This calendar has no channel column: every post is taken as "
                                  "channel “LinkedIn”, as the configuration says (assume).")
    # LinkedIn's caption limit applies, so the channel really is LinkedIn on every row.
    assert keys(found, "caption-too-long") == {(3, "caption", "caption-too-long")}
    assert not keys(found, "unknown-channel") and not keys(found, "missing-required")


def test_an_assumed_status_makes_a_plan_without_status_auditable() -> None:
    header = ["ID", "Channel", "Publish date", "Caption"]
    rows: list[list[Any]] = [["P1", "Instagram", "2026-03-11 10:00", "Hello"]]
    found = audit(rows, NOW, header=header, assume={"status": "draft"},
                  rules={"levels": only("approval-missing", "column-assumed")})
    assert keys(found) == {(None, "status", "column-assumed"),
                           (2, "status", "approval-missing")}


def test_an_assumption_the_sheet_contradicts_is_not_used_and_the_audit_says_so() -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Caption"]
    found = audit([["P1", "Facebook", "2026-03-20 10:00", "Draft", "x" * 2300]], NOW,
                  header=header, assume={"channel": "instagram"})
    note = [f for f in found if f.code == "column-assumed"]
    assert [(f.row, f.column) for f in note] == [(1, "channel")]
    assert note[0].message == ("The configuration assumes channel “instagram”, but the calendar "
                               "has a channel column (“Channel”): the column is read and the "
                               "assumption is not used.")
    assert not keys(found, "caption-too-long")  # Facebook's limit, not Instagram's


def test_an_assumed_client_is_the_client_of_every_post() -> None:
    config = calendar_config(client="", assume={"client": "Bakery", "channel": "x"})
    cal = parse([NO_CHANNEL, post("P1", "2026-03-20 10:00")], config)
    assert cal.frame["client"].tolist() == ["Bakery"]
    assert cal.frame["channel"].tolist() == ["x"]


@pytest.mark.parametrize(("assume", "problem"), [
    ({"approved": "yes"}, "calendars[0].assume.approved: cannot be assumed: approval is read "
                          "only from the calendar's own rows"),
    ({"approved_by": "Ayşe"}, "calendars[0].assume.approved_by: cannot be assumed: approval"),
    ({"publish_at": "2026-03-20"}, "calendars[0].assume.publish_at: cannot be assumed: it must "
                                   "come from the calendar"),
    ({"channel": "Tiktokk"}, "calendars[0].assume.channel: 'Tiktokk' is not a known channel"),
    ({"status": "Pending approvall"}, "calendars[0].assume.status: 'Pending approvall' is not "
                                      "a known status"),
    ({"channel": " "}, "calendars[0].assume.channel: must not be empty"),
    ({"client": "Other"}, "calendars[0].assume.client: differs from client = 'Acme'"),
], ids=["approved", "approved_by", "publish_at", "channel", "status", "empty", "client"])
def test_what_cannot_be_assumed_is_a_configuration_error(assume: dict[str, str],
                                                         problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        calendar_config(assume=assume)
    assert problem in str(raised.value)


def test_configured_channel_words_can_be_assumed() -> None:
    config = calendar_config(assume={"channel": "Insta Reels"},
                             channels={"instagram": ["insta reels"]})
    assert parse([NO_CHANNEL, post("P1", "2026-03-20")], config).frame["channel"].tolist() \
        == ["instagram"]


def test_the_missing_column_error_says_which_option_fixes_it() -> None:
    with pytest.raises(CalendarError) as raised:
        parse([["Date", "Caption", "State"], ["2026-03-20", "Hello", "Draft"]],
              calendar_config())
    message = str(raised.value)
    assert "no column for channel (e.g. Channel, Platform, Network)" in message
    assert ('or with --column channel="Your header"; if every post has the same channel, say '
            'which with --assume channel=instagram (assume = { channel = "instagram" } in '
            '[[calendars]]).') in message


def test_an_ignored_header_is_read_as_nothing() -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Caption", "Link"]
    rows: list[list[Any]] = [["P1", "X", "2026-03-20", "Draft", "Hi", "https://cdn.example/a.png"]]
    read = parse([header, *rows], calendar_config())
    assert read.headers.get("asset") == "Link"  # the built-in alias
    ignored = parse([header, *rows], calendar_config(ignore_headers=["LINK"]))
    assert "asset" not in ignored.columns and ignored.frame["asset"].tolist() == [""]


def test_an_empty_column_list_switches_a_fields_aliases_off() -> None:
    header = ["ID", "Channel", "Publish date", "Status", "Caption", "Approved by"]
    rows: list[list[Any]] = [["P1", "X", "2026-03-20", "Draft", "Hi", "Ayşe"]]
    assert "approved_by" in parse([header, *rows], calendar_config()).columns
    off = parse([header, *rows], calendar_config(columns={"approved_by": []}))
    assert "approved_by" not in off.columns and off.frame["approved_by"].tolist() == [""]


# --- the command line -----------------------------------------------------------------------


def write_csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_audit_and_sync_take_assume_column_and_tab(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Plan")
    for line in (["Post", "Go live", "Status", "Words"],
                 ["P1", "2026-03-20 10:00", "Draft", "Hello"]):
        sheet.append(line)
    path = tmp_path / "tiktok.xlsx"
    book.save(path)
    runner = CliRunner()
    refused = runner.invoke(main, ["audit", str(path), "--tab", "Plan", "--today", "2026-03-10"])
    assert refused.exit_code == 2
    assert "--assume channel=instagram" in refused.stderr
    args = [str(path), "--tab", "Plan", "--today", "2026-03-10", "--assume", "channel=tiktok",
            "--column", "post_id=Post", "--column", "publish_at=Go live",
            "--column", "caption=Words"]
    audited = runner.invoke(main, ["audit", *args, "--format", "json"])
    assert audited.exit_code == 0, audited.output
    assert "column-assumed" in {f["code"] for f in json.loads(audited.stdout)["findings"]}
    synced = runner.invoke(main, ["sync", *args])
    assert synced.exit_code == 0, synced.output
    assert "tiktok.xlsx, tab 'Plan': 1 post" in synced.stdout
    status = openpyxl.load_workbook(path)["Status"]
    assert "column-assumed" in [c.value for c in status["G"]]  # the code column


@pytest.mark.parametrize(("args", "message"), [
    (["--assume", "channel"], "--assume 'channel': write it as field=value"),
    (["--assume", "approved=yes"], "--assume 'approved=yes': 'approved' cannot be assumed"),
    (["--assume", "channel=tiktokk"], "assume.channel: 'tiktokk' is not a known channel"),
], ids=["no-value", "approval", "unknown-channel"])
def test_bad_assume_options_exit_2_naming_the_option(tmp_path: Path, args: list[str],
                                                     message: str) -> None:
    path = write_csv(tmp_path / "plan.csv", [NO_CHANNEL, post("P1", "2026-03-20")])
    for command in ("audit", "sync"):
        result = CliRunner().invoke(main, [command, str(path), *args])
        assert result.exit_code == 2, (command, result.output)
        assert message in result.stderr, (command, result.stderr)
    assert list(tmp_path.iterdir()) == [path]  # no state database, nothing written


def test_path_options_with_a_configuration_say_where_to_write_them(tmp_path: Path) -> None:
    config = tmp_path / "agency.toml"
    config.write_text('[[calendars]]\nname = "a"\npath = "a.csv"\nbackend = "csv"\n',
                      encoding="utf-8")
    for command in ("audit", "sync"):
        result = CliRunner().invoke(main, [command, "--config", str(config), "--assume",
                                           "channel=x"])
        assert result.exit_code == 2
        assert ("--assume applies to a calendar PATH; with --config, write it in the "
                "configuration: assume = { ... } in [[calendars]]") in result.stderr
    every = CliRunner().invoke(main, ["sync", "--all", "--config", str(config), "--tab", "T"])
    assert every.exit_code == 2 and "--all syncs the configured calendars" in every.stderr
