"""The words people read: real plurals, channels and fields named as people write them, a
"did you mean" that matches the list beside it, the tabs' labels in English and Turkish, and
History in the sheet's own words."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from pathlib import Path
from typing import Any

import pytest
from conftest import HEADER, at, audit, calendar_config, only, row, write_workbook

from sheets_sync.config import load
from sheets_sync.errors import ConfigError
from sheets_sync.messages import Messages, channel_name, field_name, plural
from sheets_sync.model import Finding
from sheets_sync.outputs import report_grid
from sheets_sync.outputs.dashboard import report_table
from sheets_sync.parse import parse
from sheets_sync.state import transitions_frame
from sheets_sync.validate import validate

NOW = at("2026-03-10 09:00")


def found(rows: list[list[Any]], *codes: str, **calendar: Any) -> list[Finding]:
    return audit(rows, NOW, rules={"levels": only(*codes), **calendar.pop("rules", {})},
                 **calendar)


# --------------------------------------------------------------------------------------------
# plurals: one helper, the number decides the noun's form


def test_plural_takes_the_form_that_goes_with_the_number() -> None:
    assert [plural(n, "day|days") for n in (0, 1, 2, 1.5, "1", "x")] == [
        "days", "day", "days", "days", "day", "days"]
    # Turkish nouns stay singular after a number: one form
    assert [plural(n, "gün") for n in (1, 3)] == ["gün", "gün"]


@pytest.mark.parametrize(("key", "params", "text"), [
    ("calendar-gap", {"client": "A", "channel": "X", "start": "s", "end": "e", "days": 1},
     "A: no X post from s to e (1 day). Plan a post in that gap."),
    ("revision-limit-exceeded", {"used": 1, "allowed": 0, "billable": 1},
     "1 revision round used, 0 allowed: 1 billable extra round. Ask the account manager to "
     "approve or bill them."),
    ("revision-last-round", {"used": 1, "allowed": 1},
     "Back in review after 1 of 1 revision round: this is the last included round. Tell the "
     "client that further changes are billable."),
    ("too-many-hashtags", {"count": 1, "channel": "Instagram", "limit": 0, "over": 1},
     "The post has 1 hashtag; Instagram allows 0. Remove at least 1."),
])
def test_english_messages_have_no_bracketed_plurals(key: str, params: dict[str, Any],
                                                    text: str) -> None:
    assert Messages("en").text(key, **params) == text


def test_no_message_template_writes_a_bracketed_plural() -> None:
    from sheets_sync.messages import TEMPLATES

    assert [k for t in TEMPLATES.values() for k, v in t.items() if "(s)" in v] == []


def test_cadence_names_the_channel_as_people_write_it_with_a_real_plural() -> None:
    posts = [row("P1", channel="X", date="2026-03-17 10:00"),
             row("P2", channel="X", date="2026-03-18 10:00")]
    rules = {"cadence": {"posts_per_week": {"x": 3, "linkedin": 1}, "horizon_days": 7}}
    messages = sorted(f.message for f in found(posts, "cadence-below-contract", rules=rules))
    assert messages == [
        "Acme: 0 LinkedIn posts planned in week 11 (2026-03-09); the contract says 1. Plan 1 "
        "more.",
        "Acme: 0 LinkedIn posts planned in week 12 (2026-03-16); the contract says 1. Plan 1 "
        "more.",
        "Acme: 0 X posts planned in week 11 (2026-03-09); the contract says 3. Plan 3 more.",
        "Acme: 2 X posts planned in week 12 (2026-03-16); the contract says 3. Plan 1 more.",
    ]


def test_a_gap_names_the_channel_as_people_write_it() -> None:
    posts = [row("P1", channel="LinkedIn", date="2026-03-10 10:00")]
    rules = {"cadence": {"gap_days": 7, "horizon_days": 28}}
    assert [f.message for f in found(posts, "calendar-gap", rules=rules)] == [
        "Acme: no LinkedIn post from 2026-03-11 to 2026-04-06 (27 days). Plan a post in that "
        "gap."]


def test_channel_and_field_names() -> None:
    assert [channel_name(c) for c in ("x", "linkedin", "tiktok", "telegram")] == [
        "X", "LinkedIn", "TikTok", "Telegram"]
    assert field_name("publish_at") == "Publish date"
    assert field_name("post_id", "tr") == "Gönderi No"
    assert field_name("not_a_field") == "not_a_field"


# --------------------------------------------------------------------------------------------
# "did you mean" beside the list of known values


def test_a_suggested_word_of_another_language_says_which_listed_status_it_means() -> None:
    posts = [row("P1", status="Onay bekleniyor")]
    message = found(posts, "unknown-status")[0].message
    assert message == (
        "Status “Onay bekleniyor” is not known. Did you mean “onay bekliyor” (client review)? "
        "Use one of: idea, draft, internal review, client review, changes requested, approved, "
        "scheduled, published, on hold, cancelled.")


def test_a_suggestion_the_list_holds_needs_no_meaning() -> None:
    message = found([row("P1", status="Pubished")], "unknown-status")[0].message
    assert "Did you mean “published”? Use one of:" in message


# --------------------------------------------------------------------------------------------
# field names in messages


def test_duplicate_columns_name_the_field_in_peoples_words() -> None:
    header = ["ID", "Client", "Channel", "Format", "Publish date", "Status", "Caption", "Asset",
              "Owner", "Date"]
    posts = [[*row("P1"), "2026-03-21 10:00"]]
    messages = [f.message for f in audit(posts, NOW, header=header,
                                         rules={"levels": only("duplicate-column")})]
    assert messages == ["Two columns hold Publish date: “Publish date” (column E) is used and "
                        "“Date” (column J) is ignored. Rename or remove one of them."]
    assert "publish_at" not in messages[0]


def test_the_audit_table_labels_a_finding_without_a_header_in_peoples_words(
        tmp_path: Any) -> None:
    from click.testing import CliRunner

    from sheets_sync.cli import main

    sheet = tmp_path / "plan.csv"
    sheet.write_text("Channel,Publish date,Status,Caption\nInstagram,2026-03-20 10:00,Draft,"
                     "Hi\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["audit", str(sheet), "--today", "2026-03-10"])
    line = next(x for x in result.output.splitlines() if "no-id-column" in x)
    assert "[Post ID] This calendar has no ID column" in line
    assert "[post_id]" not in result.output


# --------------------------------------------------------------------------------------------
# Report: findings by code, revision rounds


def report_of(rows: list[list[Any]], *codes: str, **calendar: Any) -> list[list[Any]]:
    rules = {**calendar.pop("rules", {})}
    rules["levels"] = {**only(*codes), **rules.get("levels", {})}
    config = calendar_config(rules=rules, **calendar)
    cal = parse([HEADER, *rows], config)
    findings = validate(cal, config, NOW)
    return report_grid(cal, findings, transitions_frame([]), NOW, config, {})


def section(grid: list[list[Any]], title: str) -> list[list[Any]]:
    """The Report table titled ``title`` (the dashboard sets tables side by side)."""
    return report_table(grid, title)


def test_findings_by_code_count_each_severity_the_findings_have() -> None:
    # P1 publishes within 24 hours (critical), P2 within the lead time (error)
    rows = [row("P1", date="2026-03-10 18:00"), row("P2", date="2026-03-11 18:00"),
            row("P3", channel="Fax")]
    grid = report_of(rows, "approval-missing", "unknown-channel",
                     rules={"levels": {"unknown-channel": "info"}})
    assert section(grid, "Findings by code") == [
        ["Code", "Severity", "Count"], ["approval-missing", "critical", 1],
        ["approval-missing", "error", 1], ["unknown-channel", "info", 1]]


def test_revision_usage_shows_the_included_rounds_per_post() -> None:
    header = [*HEADER, "Revision round"]
    rows = [[*row(f"P{i}", date=f"2026-03-{i + 20} 10:00"), used]
            for i, used in enumerate((0, 1, 3, 2), 1)]
    config = calendar_config(rules={"revisions": {"included_rounds": 2},
                                    "levels": only()})
    cal = parse([header, *rows], config)
    grid = report_grid(cal, validate(cal, config, NOW), transitions_frame([]), NOW, config, {})
    assert section(grid, "Revision usage per client per month") == [
        ["Client · month", "Posts", "Rounds used", "Included rounds per post",
         "Extra rounds approved", "Billable extra rounds"],
        # 6 rounds used over 4 posts; each post includes 2; P3's third round is billable
        ["Acme · 2026-03", 4, 6, 2, 0, 1]]


# --------------------------------------------------------------------------------------------
# configuration: a [defaults] problem once, "did you mean" for a misspelt key


def config_problems(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "agency.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load(path)
    return raised.value.problems


DEFAULTS_TYPO = """
[defaults]
timezone = "Europe/Istanbl"
languge = "tr"
[[calendars]]
name = "a"
path = "a.xlsx"
[[calendars]]
name = "b"
path = "b.xlsx"
[calendars.rules.approvals]
lead_dayz = 3
"""


def test_a_defaults_problem_is_reported_once_naming_defaults(tmp_path: Path) -> None:
    problems = config_problems(DEFAULTS_TYPO, tmp_path)
    assert [p.split(":")[0] for p in problems] == [
        "defaults.languge", "defaults.timezone", "calendars[1].rules.approvals.lead_dayz"]


def test_a_calendar_setting_the_same_bad_value_itself_is_reported_too(tmp_path: Path) -> None:
    text = DEFAULTS_TYPO.replace('name = "b"', 'name = "b"\ntimezone = "Europe/Istanbl"')
    problems = config_problems(text, tmp_path)
    assert [p.split(":")[0] for p in problems if "time zone" in p] == [
        "defaults.timezone", "calendars[1].timezone"]


def test_a_misspelt_key_gets_a_did_you_mean(tmp_path: Path) -> None:
    problems = config_problems(DEFAULTS_TYPO, tmp_path)
    assert problems[0].startswith("defaults.languge: unknown key; did you mean 'language'? "
                                  "(known keys here: ")
    assert problems[2].startswith("calendars[1].rules.approvals.lead_dayz: unknown key; did "
                                  "you mean 'lead_days'? (known keys here: approvers, "
                                  "lead_days, urgent_hours)")
    far = config_problems('[[calendars]]\nname = "a"\npath = "a.xlsx"\ncolour = "red"\n',
                          tmp_path)
    assert far == [far[0]] and "did you mean" not in far[0]


def test_check_config_says_a_defaults_problem_once(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sheets_sync.cli import main

    path = tmp_path / "agency.toml"
    path.write_text(DEFAULTS_TYPO, encoding="utf-8")
    result = CliRunner().invoke(main, ["check-config", "--config", str(path)])
    assert result.exit_code == 2
    assert result.stderr.count("languge") == 1 and result.stderr.count("Istanbl") == 1
    assert "3 configuration problems" in result.stderr


# --------------------------------------------------------------------------------------------
# the language of a client's findings


def test_a_clients_language_words_its_findings_cell_problems_included(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from sheets_sync.audit import audit as audit_calendar
    from sheets_sync.findings import to_findings

    book = Workbook()
    sheet = book.active
    sheet.title = "Calendar"
    for line in (HEADER, row("K1", client="Kahve", date="2026-03-11 10:00"),
                 row("K2", client="Kahve", date="31.04.2026"),
                 row("N1", client="Nordic", date="2026-03-11 10:00")):
        sheet.append(line)
    book.save(tmp_path / "plan.xlsx")
    config = calendar_config(backend="xlsx", path=str(tmp_path / "plan.xlsx"),
                             clients={"Kahve": {"language": "tr"}},
                             rules={"levels": only("approval-missing", "invalid-date")})
    result = audit_calendar(config, NOW, history=False)
    by_post = {(f.post_id or f.row): f.message for f in to_findings(result.findings)}
    assert by_post["K1"].startswith("11.03.2026 10:00 tarihinde yayınlanacak ve henüz "
                                    "onaylanmadı")
    assert by_post["K2"].startswith("Publish date: “31.04.2026” bir tarih değil.")
    assert by_post["N1"].startswith("Publishes 2026-03-11 10:00 and is not approved yet")


def test_a_client_language_other_than_en_or_tr_is_a_config_problem(tmp_path: Path) -> None:
    problems = config_problems('[[calendars]]\nname = "a"\npath = "a.xlsx"\n'
                               '[calendars.clients."Kahve"]\nlanguage = "de"\n', tmp_path)
    assert problems == ["calendars[0].clients.Kahve.language: must be one of 'en', 'tr' "
                        "(got 'de')"]


# --------------------------------------------------------------------------------------------
# help texts


def help_text(*command: str) -> str:
    from click.testing import CliRunner

    from sheets_sync.cli import main

    result = CliRunner().invoke(main, [*command, "--help"], terminal_width=200)
    assert result.exit_code == 0
    return result.output


def test_state_help_promises_only_what_the_group_has() -> None:
    text = help_text("state")
    assert "nspect" not in text
    assert "reset" in text.split("Commands:")[1]


def test_sync_help_says_how_the_last_example_becomes_a_crontab_line() -> None:
    text = " ".join(help_text("sync").split())
    assert ("The last example is what a crontab line runs: preceded by `*/5 * * * *` (and with "
            "the full path of sheets-sync, as cron's PATH is short) it syncs every 5 minutes "
            "and prints nothing unless something fails.") in text
    examples = text.split("Examples:")[1].split("Options:")[0].strip()
    assert examples.endswith("sheets-sync sync --config /etc/sheets-sync.toml --quiet")
    assert "after */5" not in text


def test_init_help_example_syncs_the_sample_as_the_readme_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    import shlex

    from click.testing import CliRunner

    from sheets_sync.cli import main

    example = help_text("init").split("Example:")[1].split("Options:")[0].strip()
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f" && {example}\n" in readme  # how the README's first command ends
    monkeypatch.chdir(tmp_path)
    for command in example.split(" && "):
        words = shlex.split(command)
        assert words[0] == "sheets-sync"
        assert CliRunner().invoke(main, words[1:]).exit_code == 0
    # Syncing the sample as of its date again runs as of that date, not held to a later one.
    result = CliRunner().invoke(main, ["sync", "--config", "demo/sheets-sync.toml",
                                       "--today", "2026-03-10"])
    assert result.exit_code == 0
    assert "wrote nothing (no change)" in result.output
    assert "earlier than the last sync" not in caplog.text + result.output


# --------------------------------------------------------------------------------------------
# the daemon: each failure logged once; a workbook open in Excel is waited for, not backed off


def daemon_log(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "sheets_sync.daemon"]


def interval() -> float:
    import schedule

    (job,) = schedule.get_jobs("sheets-sync")
    return float(job.interval)


def test_a_failed_cycle_logs_each_failure_once(caplog: pytest.LogCaptureFixture) -> None:
    from sheets_sync.daemon import CycleFailed, Daemon

    def cycle() -> str:
        raise CycleFailed(["calendar 'a': sheet gone", "calendar 'b': no access"])

    caplog.set_level(logging.INFO, logger="sheets_sync.daemon")
    daemon = Daemon(cycle, every=60)
    daemon.run_cycle()
    daemon.run_cycle()
    assert daemon_log(caplog) == [
        "cycle 1 failed (calendar 'a': sheet gone; calendar 'b': no access); retrying in 60s",
        "cycle 2 failed (calendar 'a': sheet gone; calendar 'b': no access); retrying in 120s"]


def test_a_workbook_open_in_excel_is_said_once_and_retried_at_the_normal_interval(
        caplog: pytest.LogCaptureFixture) -> None:
    from sheets_sync.daemon import CycleFailed, Daemon

    locked = "calendar 'a': plan.xlsx is open in Excel or LibreOffice (lock file ~$plan.xlsx)."
    outcomes: list[Any] = [RuntimeError("network down"), locked, locked, locked, "synced"]

    def cycle() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        if outcome == locked:
            raise CycleFailed([locked], waiting={locked})
        return str(outcome)

    caplog.set_level(logging.INFO, logger="sheets_sync.daemon")
    daemon = Daemon(cycle, every=60)
    daemon.run_cycle()
    assert interval() == 60 and daemon.failures == 1  # a fault: the backoff starts
    intervals = []
    for _ in range(4):
        daemon.run_cycle()
        intervals.append(interval())
    assert intervals == [60, 60, 60, 60] and daemon.failures == 0
    lines = daemon_log(caplog)
    assert lines[0] == "cycle 1 failed (RuntimeError: network down); retrying in 60s"
    assert lines[1] == (
        "cycle 2: calendar 'a': plan.xlsx is open in Excel or LibreOffice (lock file "
        "~$plan.xlsx). Retrying every 60s (the normal interval) until then, without logging it "
        "again")
    assert lines[2].startswith("cycle 5 ok") and len(lines) == 3


def test_a_wait_beside_a_calendar_that_synced_is_said_once(
        caplog: pytest.LogCaptureFixture) -> None:
    from sheets_sync.daemon import CycleFailed, Daemon

    locked = "calendar 'a': plan.xlsx is open in Excel or LibreOffice."

    def cycle() -> str:
        raise CycleFailed([locked, "calendar 'c': sheet gone"], "calendar 'b': synced",
                          waiting={locked})

    caplog.set_level(logging.INFO, logger="sheets_sync.daemon")
    daemon = Daemon(cycle, every=60)
    daemon.run_cycle()
    daemon.run_cycle()
    lines = daemon_log(caplog)
    assert sum("plan.xlsx is open" in m for m in lines) == 1
    assert [m for m in lines if "sheet gone" in m] == ["cycle 1: calendar 'c': sheet gone",
                                                        "cycle 2: calendar 'c': sheet gone"]
    assert sum(m.startswith("cycle 2 ok") for m in lines) == 1 and daemon.failures == 0


def test_the_daemon_with_a_workbook_open_in_excel(tmp_path: Path) -> None:
    """The real daemon: the lock is said once, not twice a cycle, and the next cycles run at
    the normal interval until the workbook is closed."""
    import os
    import signal
    import sqlite3
    import subprocess
    import sys
    import time

    from click.testing import CliRunner

    from sheets_sync.cli import main

    CliRunner().invoke(main, ["init", str(tmp_path)])
    lock = tmp_path / "~$calendar.xlsx"
    lock.write_text("", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "sheets_sync", "daemon", "--config",
         str(tmp_path / "sheets-sync.toml"), "--every", "1s"],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stderr is not None
    database = tmp_path / "calendar.sheets-sync.db"
    deadline = time.monotonic() + 90
    failed = 0
    while failed < 3 and time.monotonic() < deadline:  # three cycles refused by the lock
        time.sleep(0.5)
        if database.exists():
            with contextlib.closing(sqlite3.connect(database)) as db:
                failed = db.execute("SELECT COUNT(*) FROM runs WHERE error != ''").fetchone()[0]
    lock.unlink()
    lines = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        lines.append(line)
        if " ok in " in line:
            break
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    text = "".join(lines) + process.stderr.read()
    assert failed >= 3, text
    assert text.count("is open in Excel or LibreOffice") == 1, text
    assert "failed" not in text and "retrying in" not in text, text


# --------------------------------------------------------------------------------------------
# History in the sheet's words

TR_HEADER = ["Gönderi No", "Müşteri", "Kanal", "Format", "Yayın tarihi", "Durum", "Metin",
             "Görsel", "Sorumlu", "Onaylandı"]


def tr_row(status: str, caption: str = "Merhaba", approved: str = "") -> list[Any]:
    return [*row("KD-8", client="Kahve", status=status, caption=caption), approved]


def turkish_calendar(path: Path, *rows: list[Any]) -> Path:
    return write_workbook(path, [TR_HEADER, *rows], "Takvim")


def edit(path: Path, **cells: Any) -> None:
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["Takvim"]
    for header, value in cells.items():
        sheet.cell(2, TR_HEADER.index(header.replace("_", " ")) + 1).value = value
    book.save(path)


def synced(path: Path, day: str, **calendar: Any) -> Any:
    from sheets_sync.run import sync

    config = calendar_config(backend="xlsx", path=str(path), tab="Takvim",
                             rules={"levels": only()}, **calendar)
    return sync(config, str(path.with_suffix(".db")), at(f"{day} 09:00"))


def history_tab(path: Path) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    return list(load_workbook(path)["History"].iter_rows(values_only=True))


def test_history_shows_the_sheets_own_words_newest_first(tmp_path: Path) -> None:
    plan = turkish_calendar(tmp_path / "plan.xlsx", tr_row("Müşteri onayında"))
    synced(plan, "2026-03-09")
    edit(plan, Durum="Revize istendi")
    synced(plan, "2026-03-10")
    edit(plan, Durum="Müşteri onayında", Metin="Yeni sezon ☕\nİkinci satır\nÜçüncü satır",
         Onaylandı="evet")
    synced(plan, "2026-03-11")
    assert history_tab(plan) == [
        ("Time", "Post ID", "Field", "Old value", "New value"),
        (dt.datetime(2026, 3, 11, 9, 0), "KD-8", "Durum", "Revize istendi", "Müşteri onayında"),
        (dt.datetime(2026, 3, 11, 9, 0), "KD-8", "Metin", "Merhaba",
         "Yeni sezon ☕\nİkinci satır\nÜçüncü satır"),
        (dt.datetime(2026, 3, 11, 9, 0), "KD-8", "Onaylandı", None, "Yes"),
        (dt.datetime(2026, 3, 10, 9, 0), "KD-8", "Durum", "Müşteri onayında", "Revize istendi"),
    ]


def test_a_status_written_otherwise_with_the_same_meaning_is_no_change(tmp_path: Path) -> None:
    plan = turkish_calendar(tmp_path / "plan.xlsx", tr_row("Müşteri onayında"))
    synced(plan, "2026-03-09")
    edit(plan, Durum="Client review")  # the same state: no History entry
    synced(plan, "2026-03-10")
    edit(plan, Durum="Revize")
    synced(plan, "2026-03-11")
    assert history_tab(plan)[1:] == [
        (dt.datetime(2026, 3, 11, 9, 0), "KD-8", "Durum", "Client review", "Revize")]


def test_multi_line_text_in_history_is_wrapped_in_a_row_tall_enough(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    plan = turkish_calendar(tmp_path / "plan.xlsx", tr_row("Taslak"))
    synced(plan, "2026-03-09")
    edit(plan, Metin="bir\niki\nüç\ndört")
    synced(plan, "2026-03-10")
    sheet = load_workbook(plan)["History"]
    assert sheet["E2"].value == "bir\niki\nüç\ndört"
    assert sheet["E2"].alignment.wrap_text and sheet["D2"].value == "Merhaba"
    assert not sheet["D2"].alignment.wrap_text  # one line: as before
    assert sheet.row_dimensions[2].height == 4 * 15


def test_an_empty_history_says_why_after_the_first_sync(tmp_path: Path) -> None:
    plan = turkish_calendar(tmp_path / "plan.xlsx", tr_row("Taslak"))
    synced(plan, "2026-03-09", language="tr")
    synced(plan, "2026-03-10", language="tr")  # nothing changed: still the first sync's date
    assert history_tab(plan) == [
        ("Zaman", "Gönderi No", "Alan", "Eski değer", "Yeni değer"),
        ("Henüz değişiklik yok: Geçmiş, eşitlemeler arasındaki değişiklikleri listeler; "
         "09.03.2026 tarihindeki ilk eşitleme takvimi olduğu gibi kaydetti.", None, None, None,
         None)]


def test_history_saved_by_the_previous_schema_is_upgraded_and_shown_in_words(
        tmp_path: Path) -> None:
    import sqlite3

    from sheets_sync.state import StateStore

    plan = turkish_calendar(tmp_path / "plan.xlsx", tr_row("Müşteri onayında"))
    synced(plan, "2026-03-09")
    database = tmp_path / "plan.db"
    with contextlib.closing(sqlite3.connect(database)) as db, db:  # as schema 2 kept it
        db.execute("ALTER TABLE posts DROP COLUMN status_text")
        db.execute("ALTER TABLE history DROP COLUMN as_written")
        db.execute("UPDATE posts SET status = 'client_review'")
        db.execute("INSERT INTO history (calendar, at, post_id, field, old, new) VALUES "
                   "('test', '2026-03-08T06:00:00+00:00', 'KD-8', 'status', 'draft', "
                   "'client_review')")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    # an audit reads it as it is, changing nothing
    from sheets_sync.audit import audit as audit_calendar

    config = calendar_config(backend="xlsx", path=str(plan), tab="Takvim",
                             rules={"levels": only()})
    before = database.read_bytes()
    assert audit_calendar(config, at("2026-03-10 09:00"), state_path=str(database)
                          ).history.available
    assert database.read_bytes() == before
    edit(plan, Durum="Revize istendi")
    synced(plan, "2026-03-10")
    assert history_tab(plan)[1:] == [  # no text saved before: the state's label
        (dt.datetime(2026, 3, 10, 9, 0), "KD-8", "Durum", "Client review", "Revize istendi"),
        (dt.datetime(2026, 3, 8, 9, 0), "KD-8", "Durum", "Draft", "Client review")]
    store = StateStore(database)
    assert store.posts("test").loc["KD-8", "status_text"] == "Revize istendi"
    assert [h.as_written for h in store.history("test")] == [False, False]
    edit(plan, Durum="Onaylandı")
    synced(plan, "2026-03-11")
    assert history_tab(plan)[1] == (dt.datetime(2026, 3, 11, 9, 0), "KD-8", "Durum",
                                    "Revize istendi", "Onaylandı")


# --------------------------------------------------------------------------------------------
# every label of the tabs in English and Turkish


def english_only_words() -> set[str]:
    """The English labels whose Turkish differs: none of them may show in a Turkish tab (the
    names of states aside: a sheet's own statuses may be English words)."""
    from sheets_sync.model import STATES
    from sheets_sync.outputs.labels import HISTORY_COLUMNS, LABELS

    words = {en for key, (en, tr) in LABELS.items()
             if en != tr and "{" not in en and key not in STATES}
    return words | (set(HISTORY_COLUMNS["en"]) - set(HISTORY_COLUMNS["tr"]))


def test_the_synced_sample_in_turkish_has_no_english_label(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from openpyxl import load_workbook

    from sheets_sync.cli import main

    CliRunner().invoke(main, ["init", str(tmp_path)])
    config = tmp_path / "sheets-sync.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '\nlanguage = "en"', '\nlanguage = "tr"', 1), encoding="utf-8")
    result = CliRunner().invoke(main, ["sync", "--config", str(config), "--today", "2026-03-10"])
    assert result.exit_code == 0, result.output
    book = load_workbook(tmp_path / "calendar.xlsx")
    shown = {name: [v for r in book[name].iter_rows(values_only=True) for v in r
                    if isinstance(v, str)] for name in ("Calendar", "Status", "Report", "History")}
    english = english_only_words() - set(shown.pop("Calendar"))  # the sheet's words may be
    assert {name: sorted(set(cells) & english) for name, cells in shown.items()} == {
        "Status": [], "Report": [], "History": []}
    assert "calendar.xlsx, 'Calendar' sekmesi" in shown["Report"]
    assert shown["History"][:5] == ["Zaman", "Gönderi No", "Alan", "Eski değer", "Yeni değer"]


def test_the_portfolio_header_follows_its_language() -> None:
    from sheets_sync.portfolio import portfolio_grid
    from sheets_sync.run import CycleResult

    config = calendar_config(name="agency")
    cal = parse([HEADER, row("P1")], config)
    found = validate(cal, config, NOW)
    result = CycleResult("agency", cal, "memory", 1, found, {}, [], 0, True)
    header = portfolio_grid([result], NOW, "Europe/Istanbul", [config], "tr")[0]
    assert header == ["Takvim", "Müşteri", "Gönderi", "Kritik", "Hata", "Uyarı", "Bilgi",
                      "7 gün içinde onay gerekenler", "Geciken geri bildirim",
                      "Revizyon sınırı aşıldı", "Güncellendi"]
    assert portfolio_grid([result], NOW, "Europe/Istanbul", [config])[0][0] == "Calendar"
    from sheets_sync.config import from_dict

    portfolio = from_dict({"calendars": [{"name": "a", "backend": "memory"}],
                           "portfolio": {"path": "p.xlsx", "language": "tr"}}).portfolio
    assert portfolio is not None and portfolio.language == "tr"


def test_the_history_command_speaks_the_same_words(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sheets_sync.cli import main

    plan = turkish_calendar(tmp_path / "plan.xlsx", tr_row("Müşteri onayında"))
    synced(plan, "2026-03-09")
    edit(plan, Durum="Revize istendi", Onaylandı="hayır")
    synced(plan, "2026-03-10")
    config = tmp_path / "agency.toml"
    config.write_text('state_path = "plan.db"\n[[calendars]]\nname = "test"\n'
                      'path = "plan.xlsx"\ntab = "Takvim"\nlanguage = "tr"\n',
                      encoding="utf-8")
    result = CliRunner().invoke(main, ["history", "KD-8", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2026-03-10 09:00  Durum: 'Müşteri onayında' -> 'Revize istendi'",
        "2026-03-10 09:00  Onaylandı: '' -> 'Hayır'"]


def test_every_state_label_of_the_tabs_reads_back_as_that_state() -> None:
    """A status written as the tabs name it, in English or Turkish, is that state."""
    from sheets_sync.model import STATES
    from sheets_sync.outputs.labels import LABELS

    words = [(state, LABELS[state][i]) for state in STATES for i in (0, 1)]
    cal = parse([HEADER, *(row(f"P{n}", status=word) for n, (_, word) in enumerate(words))],
                calendar_config())
    assert cal.frame["status"].tolist() == [state for state, _ in words]


def test_summary_lines_count_one_post_and_one_finding_in_the_singular(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from sheets_sync.backends.memory import MemoryBackend
    from sheets_sync.cli import main
    from sheets_sync.run import run_once
    from sheets_sync.state import StateStore

    sheet = tmp_path / "plan.csv"
    sheet.write_text("ID,Channel,Publish date,Status,Caption\nP1,Instagram,2026-03-20 10:00,"
                     "Taslakk,Hi\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["audit", str(sheet), "--today", "2026-03-10"])
    assert "plan.csv: 1 post, 4 findings (" in result.output.splitlines()[-1]
    backend = MemoryBackend({"Calendar": [HEADER, row("P1", status="Taslakk")]})
    config = calendar_config(tab="Calendar", rules={"levels": only("unknown-status")})
    cycle = run_once(config, backend, StateStore(":memory:"), NOW)
    assert cycle.summary().startswith("memory, tab 'Calendar': 1 post, 1 open finding; wrote ")
