"""Reminders made visible: the Report's reminder tables and `sheets-sync history POST_ID`.

The bundled sample calendar on Tuesday 2026-03-10 (see test_notify_delivery), a real SMTP
server and a real webhook server on 127.0.0.1 that answers 500, so the ledger holds sent
e-mails and failed webhook posts.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from test_notify_delivery import PASSWORD, TODAY, Hooks, Mailbox, agency_dir, environment, run_cli

from sheets_sync.cli import main
from sheets_sync.state import Reminder, StateStore

HOOK_ERROR = "HTTP 500"


@pytest.fixture(name="mailbox")
def a_mailbox() -> Iterator[Mailbox]:
    box = Mailbox(auth_require_tls=False)
    yield box
    box.stop()


@pytest.fixture(name="hooks")
def a_failing_webhook() -> Iterator[Hooks]:
    server = Hooks()
    server.answers = [500] * 40
    yield server
    server.stop()


def sync(config: Path, today: str, env: dict[str, str]) -> Any:
    result = CliRunner().invoke(main, ["sync", "--config", str(config), "--today", today],
                                env=env)
    assert result.exit_code == 0, result.output
    return result


def report(tmp_path: Path) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(tmp_path / "calendar.xlsx")["Report"]
    return [[c.value for c in r] for r in sheet.iter_rows()]


def table(rows: list[list[Any]], title: str) -> list[list[Any]]:
    """The rows under ``title`` (its header first), up to the blank row that ends it."""
    start = next(i for i, r in enumerate(rows) if r and r[0] == title)
    out = []
    for line in rows[start + 1:]:
        if all(c is None for c in line):
            break
        while line and line[-1] is None:
            line = line[:-1]
        out.append(line)
    return out


def title_row(rows: list[list[Any]], title: str) -> int:
    """The row holding the table title ``title``, in whichever column its table starts."""
    return next(i for i, r in enumerate(rows) if title in r)


def add_to_ledger(tmp_path: Path, *rows: Reminder) -> None:
    store = StateStore(tmp_path / "state.db")
    try:
        store.record_reminders(rows)
    finally:
        store.close()


def test_the_report_shows_reminders_sent_due_and_not_delivered(
        tmp_path: Path, mailbox: Mailbox, hooks: Hooks) -> None:
    config = agency_dir(tmp_path, mailbox.port)
    env = environment(hooks)
    assert run_cli(config, env=env).exit_code == 3  # the webhook failed; the e-mails went
    # a reminder sent 8 days earlier is outside the 7 days
    add_to_ledger(tmp_path, Reminder("sample", "approval|KD-001|x", "approval-24h",
                                     "old@kahve.example", "sent",
                                     dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc),
                                     "KD-001", "Kahve Durağı"))
    sync(config, "2026-03-10T12:00", env)
    rows = report(tmp_path)
    # "Findings by code" heads a table of the dashboard's right band; the reminder tables
    # come below everything, in the first column
    firsts = [r[0] for r in rows]
    assert title_row(rows, "Findings by code") < firsts.index(
        "Reminders sent in the last 7 days") < firsts.index("Reminders due next") \
        < firsts.index("Reminders not delivered")
    assert title_row(rows, "Calendar gaps") < firsts.index("Reminders sent in the last 7 days")
    assert table(rows, "Reminders sent in the last 7 days") == [
        ["Client", "Reminders", "Sent to", "Last sent"],
        # elif: approval and feedback of KD-008; director: KD-008 escalated, KD-013 beyond
        # its rounds; selin: the digest
        ["Kahve Durağı", 5, "director@agency.example, elif@kahve.example, "
         "selin@agency.example", dt.datetime(2026, 3, 10, 11, 0)],
        ["Nordic Trails", 3, "jonas@nordic.example, selin@agency.example",
         dt.datetime(2026, 3, 10, 11, 0)]]
    failed = table(rows, "Reminders not delivered")
    assert failed[0] == ["Client", "Post ID", "Reminder", "Recipient", "Failed at", "Error"]
    assert [r[:5] for r in failed[1:]] == [
        ["Kahve Durağı", None, "digest-2026-03-10", "webhook TEST_SLACK_URL",
         dt.datetime(2026, 3, 10, 11, 0)],
        ["Kahve Durağı", "KD-008", "escalated", "webhook TEST_SLACK_URL",
         dt.datetime(2026, 3, 10, 11, 0)],
        ["Kahve Durağı", "KD-013", "revision-limit", "webhook TEST_SLACK_URL",
         dt.datetime(2026, 3, 10, 11, 0)],
        ["Nordic Trails", None, "digest-2026-03-10", "webhook TEST_SLACK_URL",
         dt.datetime(2026, 3, 10, 11, 0)]]
    assert all(HOOK_ERROR in r[5] and hooks.url not in r[5] for r in failed[1:])
    # what failed is due again; what was sent is not listed as due
    assert table(rows, "Reminders due next")[1:] == [
        [r[0], r[1], r[2], r[3], "next run"] for r in failed[1:]]
    assert not any(hooks.url in str(c) for r in rows for c in r)  # the URL is a secret


def test_held_reminders_show_the_moment_they_may_go(tmp_path: Path, mailbox: Mailbox,
                                                    hooks: Hooks) -> None:
    config = agency_dir(tmp_path, mailbox.port)
    # 09:00 Istanbul is 07:00 in Berlin: Nordic Trails' reminders wait until 08:00 Berlin,
    # 10:00 in the calendar's time zone (Istanbul); Kahve Durağı's go in the next run
    sync(config, "2026-03-10T09:00", environment(hooks))
    due = table(report(tmp_path), "Reminders due next")
    assert due[0] == ["Client", "Post ID", "Reminder", "Recipient", "When"]
    nordic = [r for r in due[1:] if r[0] == "Nordic Trails"]
    kahve = [r for r in due[1:] if r[0] == "Kahve Durağı"]
    assert ["Nordic Trails", "NT-009", "approval-72h", "jonas@nordic.example",
            dt.datetime(2026, 3, 10, 10, 0)] in nordic
    assert {r[4] for r in nordic} == {dt.datetime(2026, 3, 10, 10, 0)}
    assert ["Kahve Durağı", "KD-008", "approval-72h", "elif@kahve.example", "next run"] in kahve
    assert {r[4] for r in kahve} == {"next run"}
    assert table(report(tmp_path), "Reminders not delivered")[1:] == [["(none)"]]
    # a Saturday holds everything until Monday 08:00 (10:00 in Istanbul for Berlin)
    sync(config, "2026-03-14T11:00", environment(hooks))
    when = {r[0]: r[4] for r in table(report(tmp_path), "Reminders due next")[1:]}
    assert when == {"Kahve Durağı": dt.datetime(2026, 3, 16, 8, 0),
                    "Nordic Trails": dt.datetime(2026, 3, 16, 10, 0)}


def test_the_reminder_tables_speak_turkish(tmp_path: Path, mailbox: Mailbox,
                                           hooks: Hooks) -> None:
    config = agency_dir(tmp_path, mailbox.port)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('tab = "Calendar"\n', 'tab = "Calendar"\nlanguage = "tr"\n'),
                      encoding="utf-8")
    env = environment(hooks)
    run_cli(config, env=env)
    sync(config, "2026-03-10T12:00", env)
    rows = report(tmp_path)
    assert table(rows, "Son 7 günde gönderilen hatırlatmalar")[0] == [
        "Müşteri", "Hatırlatma", "Alıcılar", "Son gönderim"]
    assert table(rows, "İletilemeyen hatırlatmalar")[0] == [
        "Müşteri", "Gönderi No", "Hatırlatma türü", "Alıcı", "Başarısız olduğu an", "Hata"]
    due = table(rows, "Sıradaki hatırlatmalar")
    assert due[0] == ["Müşteri", "Gönderi No", "Hatırlatma türü", "Alıcı", "Ne zaman"]
    assert {r[4] for r in due[1:]} == {"sonraki çalışma"}


def test_no_reminder_tables_without_notify(tmp_path: Path, mailbox: Mailbox) -> None:
    config = agency_dir(tmp_path, mailbox.port)
    text = config.read_text(encoding="utf-8")
    config.write_text(text[:text.index("[notify]")] + text[text.index("[[calendars]]"):],
                      encoding="utf-8")
    # a ledger from when [notify] was configured does not bring the tables back
    add_to_ledger(tmp_path, Reminder("sample", "approval|KD-008|x", "approval-72h",
                                     "elif@kahve.example", "failed",
                                     dt.datetime(2026, 3, 10, 8, 0, tzinfo=dt.timezone.utc),
                                     "KD-008", "Kahve Durağı", "", "refused"))
    sync(config, TODAY, {})
    rows = report(tmp_path)
    assert rows[0][0] == "Report" and any("Findings by code" in r for r in rows)
    assert not any(str(c).startswith("Reminders") for r in rows for c in r if c)


def test_history_lists_the_reminders_sent_about_the_post(tmp_path: Path, mailbox: Mailbox,
                                                         hooks: Hooks) -> None:
    config = agency_dir(tmp_path, mailbox.port)
    env = environment(hooks)
    run_cli(config, env=env)
    # a run that stopped between sending and recording leaves "sending"
    add_to_ledger(tmp_path, Reminder("sample", "feedback|KD-008|y", "feedback-2026-03-11",
                                     "elif@kahve.example", "sending",
                                     dt.datetime(2026, 3, 11, 6, 0, tzinfo=dt.timezone.utc),
                                     "KD-008", "Kahve Durağı"))
    result = CliRunner().invoke(main, ["history", "KD-008", "--config", str(config)], env=env)
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if " reminder " in line]
    assert lines[:3] == [
        "2026-03-10 11:00  reminder approval-72h to elif@kahve.example: sent",
        "2026-03-10 11:00  reminder feedback-2026-03-10 to elif@kahve.example: sent",
        "2026-03-10 11:00  reminder escalated to director@agency.example: sent"]
    assert lines[3].startswith("2026-03-10 11:00  reminder escalated to webhook "
                               "TEST_SLACK_URL: failed (") and HOOK_ERROR in lines[3]
    assert lines[4:] == [
        "2026-03-11 09:00  reminder feedback-2026-03-11 to elif@kahve.example: sending"]
    assert hooks.url not in result.output
    # another post's reminders are not listed
    other = CliRunner().invoke(main, ["history", "KD-013", "--config", str(config)], env=env)
    assert [line for line in other.output.splitlines() if " reminder " in line] == [
        "2026-03-10 11:00  reminder revision-limit to director@agency.example: sent",
        other.output.splitlines()[-1]]
    assert "revision-limit to webhook TEST_SLACK_URL: failed" in other.output


def test_a_daemon_round_sends_one_message_per_recipient_across_calendars(
        tmp_path: Path, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two calendars naming the same people: the round's sync process sends each person one
    message holding both calendars' reminders (not one per calendar)."""
    from sheets_sync import config as config_module
    from sheets_sync.isolation import Rounds

    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    config = agency_dir(tmp_path, mailbox.port)
    text = config.read_text(encoding="utf-8")
    text = text.replace('webhooks = [{ url_env = "TEST_SLACK_URL", kind = "slack" }]\n', "")
    block = text[text.index("[[calendars]]"):]
    second = block.replace('name = "sample"', 'name = "second"').replace(
        'path = "calendar.xlsx"', 'path = "second.xlsx"')
    config.write_text(text + "\n" + second, encoding="utf-8")
    shutil.copy(tmp_path / "calendar.xlsx", tmp_path / "second.xlsx")
    agency = config_module.load(config)
    moment = dt.datetime.fromisoformat(TODAY + "+03:00")
    with Rounds(agency, ["sample", "second"]) as rounds:
        summaries, failures = rounds.round(moment)
        assert failures == [] and len(summaries) == 2
        assert rounds.round(moment + dt.timedelta(minutes=5))[1] == []
    assert sorted(r[0][0] for r in mailbox.received) == [
        "director@agency.example", "elif@kahve.example", "jonas@nordic.example",
        "selin@agency.example"]  # one each, over both rounds
    elif_mail = mailbox.to("elif@kahve.example")[0]
    assert elif_mail["Subject"] == "2 posts need your approval by Wednesday — Kahve Durağı"
    store = StateStore(tmp_path / "state.db")
    try:
        for name in ("sample", "second"):  # each calendar's ledger has its part
            assert {r.recipient for r in store.reminders(name)} == {
                "director@agency.example", "elif@kahve.example", "jonas@nordic.example",
                "selin@agency.example"}
            assert {r.state for r in store.reminders(name)} == {"sent"}
    finally:
        store.close()
