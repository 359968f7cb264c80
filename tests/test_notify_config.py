"""[notify] and per-client contacts: what is read, and every problem named by its key."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from sheets_sync import config as c
from sheets_sync.config import from_dict
from sheets_sync.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
SECRET_URL = "https://hooks.slack.com/services/T000/B000/XXXXXXXXsecret"


def agency(notify: Any = None, contacts: Any = None) -> dict[str, Any]:
    data: dict[str, Any] = {"calendars": [{
        "name": "kd", "backend": "memory", "client": "Kahve Durağı",
        "clients": {"Kahve Durağı": {"contacts": contacts or {}}}}]}
    if notify is not None:
        data["notify"] = notify
    return data


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        from_dict(data)
    return caught.value.problems


def test_the_documented_notify_table_and_contacts_are_read() -> None:
    loaded = from_dict(agency(
        {"sender": "Agency Ops <ops@agency.example>",
         "smtp": {"host": "smtp.agency.example", "port": 587, "starttls": True,
                  "username": "ops", "password_env": "SHEETS_SYNC_SMTP_PASSWORD",
                  "timeout_s": 30},
         "webhooks": [{"url_env": "SLACK_WEBHOOK_URL", "kind": "slack"}],
         "digest_time": "09:00", "approval_reminders_hours": [24, 72, 24],
         "quiet_weekends": True},
        {"approvers": ["elif@kahve.example"], "account_manager": "selin@agency.example",
         "escalation": "Director <director@agency.example>"}))
    notify = loaded.notify
    assert notify is not None and notify.smtp is not None
    assert (notify.smtp.host, notify.smtp.port, notify.smtp.password_env) == (
        "smtp.agency.example", 587, "SHEETS_SYNC_SMTP_PASSWORD")
    assert notify.webhooks == (c.WebhookConfig("SLACK_WEBHOOK_URL", "slack"),)
    assert notify.approval_reminders_hours == (72, 24)  # largest first, once each
    contacts = loaded.calendars[0].for_client("Kahve Durağı").contacts
    assert contacts == c.Contacts(("elif@kahve.example",), "selin@agency.example",
                                  "Director <director@agency.example>")
    assert from_dict(agency()).notify is None  # no [notify]: nothing is ever sent


def test_every_notify_problem_is_named_by_its_key() -> None:
    found = "\n".join(problems(agency(
        {"smtp": {"host": "", "username": "ops", "port": 0},
         "webhooks": [{"kind": "slak"}, {"url_env": "X"}, {"url_env": "X"}],
         "approval_reminders_hours": [72, 0], "digest_time": "9 am", "retries": -1,
         "surprise": 1},
        {"approvers": ["Elif Yılmaz"], "account_manager": "selin", "escalation": 3})))
    for expected in (
            'calendars[0].clients."Kahve Durağı".contacts.approvers[0]: \'Elif Yılmaz\' is not '
            'an e-mail address',
            'calendars[0].clients."Kahve Durağı".contacts.account_manager: \'selin\' is not',
            'calendars[0].clients."Kahve Durağı".contacts.escalation: must be text',
            "notify.smtp.host: is required", "notify.smtp.port: must be a positive number",
            "notify.smtp.password_env: is required with a username",
            "notify.sender: is required to send e-mail",
            "notify.webhooks[0].kind: must be one of 'slack', 'teams', 'google_chat', 'json'",
            "notify.webhooks[0].url_env: is required", "notify.webhooks[2].url_env: X is "
            "listed twice", "notify.approval_reminders_hours: must be a list of whole hours",
            "notify.digest_time: must be a time", "notify.retries: must be zero or more",
            "notify.surprise: unknown key"):
        assert expected in found, expected


def test_a_secret_written_where_its_variable_belongs_is_refused_unrepeated() -> None:
    found = "\n".join(problems(agency(
        {"sender": "ops@agency.example",
         "smtp": {"host": "smtp.example", "username": "ops", "password_env": "hunter2 pw!"},
         "webhooks": [{"url_env": SECRET_URL, "kind": "slack"}]})))
    assert "notify.webhooks[0].url_env: must be the name of an environment variable" in found
    assert "notify.smtp.password_env: must be the name of an environment variable" in found
    assert SECRET_URL not in found and "hunter2" not in found
    # a password under its own key is an unknown key, and its value is not shown either
    found = "\n".join(problems(agency({"sender": "ops@agency.example", "smtp": {
        "host": "smtp.example", "password": "hunter2-secret"}})))
    assert "notify.smtp.password: unknown key" in found and "hunter2" not in found


def test_notify_needs_a_way_to_send() -> None:
    assert any(p.startswith("notify: nothing to send with")
               for p in problems(agency({"sender": "ops@agency.example"})))


def test_example_config_documents_every_notify_option() -> None:
    text = (ROOT / "config" / "example.toml").read_text(encoding="utf-8")
    names = [f.name for cls in (c.NotifyConfig, c.SmtpConfig, c.WebhookConfig, c.Contacts)
             for f in dataclasses.fields(cls)]
    assert [n for n in names if n not in text] == []
    assert "[calendars.clients.\"Kahve Durağı\".contacts]" in text
