"""Messages people read: escaping of sheet values in every format, Turkish, quiet time."""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from test_notify_delivery import Hooks, Mailbox, agency_dir, environment, run_cli

from sheets_sync import config as config_module
from sheets_sync.config import ClientConfig, Rules
from sheets_sync.notify import remind
from sheets_sync.notify.plan import Item, Post, quiet_reason
from sheets_sync.notify.render import (
    PAYLOADS,
    Message,
    email,
    group,
    html_body,
    plain_text,
    subject,
)


@pytest.fixture(name="mailbox")
def a_mailbox() -> Iterator[Mailbox]:
    box = Mailbox(auth_require_tls=False)
    yield box
    box.stop()


@pytest.fixture(name="hooks")
def a_webhook_server() -> Iterator[Hooks]:
    server = Hooks()
    yield server
    server.stop()


HOSTILE = "<script>alert('x')</script> Tom &amp; Jerry <!channel> <@U123> *loud* [x](http://e.vil)"


def message(language: str = "en", caption: str = HOSTILE) -> Message:
    post = Post("KD-008", 18, dt.datetime(2026, 3, 11, 12, 30), True, "Instagram", caption,
                "https://docs.google.com/spreadsheets/d/abc/edit#gid=7&range=A18")
    item = Item("approval", "kd", "Kahve Durağı", "elif@kahve.example", "k", "approval-72h",
                language, post)
    return group([item])[0]


def test_a_hostile_caption_arrives_inert_in_every_format() -> None:
    msg = message()
    page = html_body(msg)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Tom &amp;amp; Jerry" in page  # the entity is shown as written, not decoded
    assert 'href="https://docs.google.com/spreadsheets/d/abc/edit#gid=7&amp;range=A18"' in page
    for kind in ("slack", "google_chat"):
        text = json.dumps(PAYLOADS[kind](msg), ensure_ascii=False)
        assert "<script>" not in text and "<!channel>" not in text and "<@U123>" not in text, kind
    slack = json.dumps(PAYLOADS["slack"](msg), ensure_ascii=False)
    assert "&lt;!channel&gt;" in slack and "Tom &amp;amp; Jerry" in slack
    assert "<https://docs.google.com/spreadsheets/d/abc/edit#gid=7&range=A18|row 18>" in slack
    # Teams: sheet values only in Adaptive Card text runs, which are shown as plain text
    # (no Markdown, no HTML): the caption arrives exactly as written, and inert.
    card = PAYLOADS["teams"](msg)["attachments"][0]["content"]
    kinds = {e["type"] for e in card["body"]} | {i["type"] for e in card["body"]
                                                for i in e["inlines"]}
    assert kinds == {"RichTextBlock", "TextRun"}
    texts = [i["text"] for e in card["body"] for i in e["inlines"]]
    assert any(f"“{HOSTILE}”" in t for t in texts)
    data = PAYLOADS["json"](msg)
    assert data["sections"][0]["posts"][0]["caption"] == HOSTILE  # data, as the sheet says
    assert HOSTILE in plain_text(msg)  # plain text is not interpreted


def test_teams_gets_an_adaptive_card_message_its_workflow_webhooks_post() -> None:
    payload = PAYLOADS["teams"](message("en", "Bahar menüsü ☕\nyarın"))
    assert payload["type"] == "message" and len(payload["attachments"]) == 1
    attachment = payload["attachments"][0]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert attachment["contentUrl"] is None
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.2")
    lines = [[i["text"] for i in e["inlines"]] for e in card["body"]]
    assert lines[0] == ["1 post needs your approval by Wednesday — Kahve Durağı"]
    assert lines[1] == ["Waiting for your approval — Kahve Durağı"]
    assert lines[2][1] == "row 18"
    assert lines[2][0] == "2026-03-11 12:30 · Instagram · KD-008 · “Bahar menüsü ☕\nyarın” — "
    link = card["body"][2]["inlines"][1]["selectAction"]
    assert link == {"type": "Action.OpenUrl",
                    "url": "https://docs.google.com/spreadsheets/d/abc/edit#gid=7&range=A18"}
    # A local workbook's row is a file path: shown as text, never made a link.
    local = group([Item("approval", "kd", "Kahve Durağı", "elif@kahve.example", "k",
                        "approval-72h", "en",
                        Post("KD-008", 18, None, False, "Instagram", "Hi",
                             "/srv/calendars/kahve.xlsx"))])[0]
    runs = PAYLOADS["teams"](local)["attachments"][0]["content"]["body"][2]["inlines"]
    assert runs[1] == {"type": "TextRun", "text": "row 18: /srv/calendars/kahve.xlsx"}


def test_subject_says_what_and_by_when_in_english_and_turkish() -> None:
    assert subject(message("en", "Hi")) == \
        "1 post needs your approval by Wednesday — Kahve Durağı"
    turkish = message("tr", "Merhaba")
    assert subject(turkish) == "1 gönderi Çarşamba gününe kadar onayınızı bekliyor — Kahve Durağı"
    body = plain_text(turkish)
    assert "Onayınızı bekleyenler — Kahve Durağı" in body
    assert "11.03.2026 12:30 · Instagram · KD-008 · “Merhaba”" in body and "18. satır" in body
    mail = email(turkish, "Ops <ops@agency.example>")
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]


def test_subjects_say_one_post_and_several_posts() -> None:
    def subject_of(kind: str, count: int) -> str:
        posts = [Post(f"P{n}", n + 2, dt.datetime(2026, 3, 11, 9), True, "X", "c", "/tmp/c.xlsx")
                 for n in range(count)]
        items = [Item(kind, "kd", "Acme", "a@b.example", f"k{n}", "s", "en", post)
                 for n, post in enumerate(posts)]
        return subject(group(items)[0])

    assert subject_of("feedback", 1) == "Your feedback is overdue on 1 post — Acme"
    assert subject_of("feedback", 2) == "Your feedback is overdue on 2 posts — Acme"
    assert subject_of("deemed", 1) == "1 post now counts as approved under the contract — Acme"
    assert subject_of("deemed", 3) == "3 posts now count as approved under the contract — Acme"
    assert subject_of("escalation", 1) == "Escalation: 1 post needs your attention — Acme"
    assert subject_of("revision", 2) == "Escalation: 2 posts need your attention — Acme"


def test_a_client_name_cannot_break_the_subject_line() -> None:
    post = Post("P1", 2, dt.datetime(2026, 3, 11, 9), True, "X", "c", "/tmp/c.xlsx")
    item = Item("approval", "kd", "Acme\r\nBcc: all@example.com", "a@b.example", "k", "s",
                "en", post)
    line = subject(group([item])[0])
    assert "\n" not in line and "\r" not in line and line.endswith("Acme Bcc: all@example.com")


def test_quiet_time_is_the_clients_night_weekend_and_holidays() -> None:
    client = ClientConfig("Kahve Durağı", "TR", "Europe/Istanbul", Rules())
    zone = zoneinfo.ZoneInfo("Europe/Istanbul")
    holiday = [np.datetime64("2026-03-20")]

    def reason(text: str, weekends: bool = True) -> str:
        return quiet_reason(dt.datetime.fromisoformat(text).replace(tzinfo=zone), client,
                            weekends, holiday)

    assert reason("2026-03-10 07:59") and not reason("2026-03-10 08:00")
    assert not reason("2026-03-10 18:59") and reason("2026-03-10 19:00")
    assert reason("2026-03-14 11:00") and not reason("2026-03-14 11:00", weekends=False)
    assert reason("2026-03-20 11:00") == "a weekend or public holiday in TR"
    # the client's own clock: 07:30 UTC is 10:30 in Istanbul
    assert not quiet_reason(dt.datetime(2026, 3, 10, 7, 30, tzinfo=dt.timezone.utc), client,
                            True, holiday)


def test_a_public_holiday_of_one_client_holds_only_that_clients_reminders(
        tmp_path: Path) -> None:
    # Friday 2026-03-20 is Ramazan Bayramı in Turkey, a working day in Germany.
    loaded = config_module.load(agency_dir(tmp_path, 9))
    moment = dt.datetime(2026, 3, 20, 11, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Istanbul"))
    outcome, _ = remind(loaded, now=moment, dry_run=True)
    assert outcome.held and {i.client for i in outcome.held} == {"Kahve Durağı"}
    assert {i.client for o in outcome.sent for i in o.message.items} == {"Nordic Trails"}


def test_a_hostile_caption_in_the_sheet_arrives_inert_by_email_and_slack(
        tmp_path: Path, hooks: Hooks, mailbox: Mailbox) -> None:
    config = agency_dir(tmp_path, mailbox.port)
    book = openpyxl.load_workbook(tmp_path / "calendar.xlsx")
    sheet = book["Calendar"]
    assert sheet["A18"].value == "KD-008"
    sheet["H18"] = HOSTILE
    book.save(tmp_path / "calendar.xlsx")
    assert run_cli(config, env=environment(hooks)).exit_code == 0
    mail = mailbox.to("elif@kahve.example")[0]
    page = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in page and "&lt;script&gt;" in page
    slack = hooks.posts[0][1].decode("utf-8")
    assert "<!channel>" not in slack and "<script>" not in slack and "&lt;!channel&gt;" in slack


def test_dry_run_to_a_webhook_never_shows_its_url(tmp_path: Path, hooks: Hooks) -> None:
    config = agency_dir(tmp_path, 9)
    result = run_cli(config, "--dry-run", env=environment(hooks))
    assert result.exit_code == 0 and "webhook TEST_SLACK_URL" in result.output
    assert hooks.url not in result.output and "hooksecret42" not in result.output


def test_the_readme_example_message_is_what_the_sample_calendar_sends(
        tmp_path: Path, hooks: Hooks) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    shown = re.search(r"```text\n(To: elif@kahve\.example\n.*?)```", readme, re.S)
    assert shown is not None
    config = agency_dir(tmp_path, 9)
    result = run_cli(config, "--dry-run", env=environment(hooks))
    printed = result.output.replace(str(tmp_path / "calendar.xlsx"),
                                    "sheets_sync/data/calendar.xlsx")
    assert shown.group(1) in printed
