"""Secrets: a key file others can read gets a warning, and no output ever shows key material.

A fake service-account key holds a real RSA private key (generated here with `cryptography`);
an OAuth user token holds a client secret and a refresh token. Every output of loading them,
of a full sync against the Google Sheets fake (in process, and through the command line with
GOOGLE_APPLICATION_CREDENTIALS set) and of the error paths is scanned for them: stdout,
stderr, every log record, the tabs written, the requests sent and the state database's bytes.
"""

from __future__ import annotations

import json
import logging
import secrets
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import HEADER, at, row

from sheets_sync.backends.google import GoogleBackend, load_credentials
from sheets_sync.backends.http import RetryPolicy, TokenBucket
from sheets_sync.cli import main
from sheets_sync.config import from_dict
from sheets_sync.errors import ConfigError
from sheets_sync.run import run_once
from sheets_sync.state import StateStore
from sheets_sync.testing.fake_sheets import FakeSheetsAPI


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Key files and the secret strings they hold (each PEM body line on its own)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    directory = tmp_path_factory.mktemp("keys")
    account = {
        "type": "service_account", "project_id": "acme-sheets",
        "private_key_id": secrets.token_hex(20), "private_key": pem,
        "client_email": "sheets-sync@acme-sheets.iam.gserviceaccount.com",
        "client_id": "104857600000000000001", "token_uri": "https://oauth2.googleapis.com/token",
    }
    user = {"type": "authorized_user", "client_id": "123-abc.apps.googleusercontent.com",
            "client_secret": "GOCSPX-" + secrets.token_urlsafe(21),
            "refresh_token": "1//0" + secrets.token_urlsafe(60)}
    broken = {**account, "private_key": pem[: len(pem) // 2]}  # a key cut in half
    paths = {}
    for name, data in (("account", account), ("user", user), ("broken", broken)):
        path = directory / f"{name}.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        path.chmod(0o600)
        paths[name] = path
    body = pem.strip().splitlines()[1:-1]
    values = [*body, account["private_key_id"], user["client_secret"], user["refresh_token"]]
    return {"paths": paths, "secrets": values}


def leaks(keys: dict[str, Any], *texts: str | bytes) -> list[str]:
    """The secret strings found in any of ``texts``."""
    found = []
    for text in texts:
        data = text if isinstance(text, bytes) else text.encode("utf-8", "replace")
        found += [s for s in keys["secrets"] if s.encode() in data]
    return found


def test_a_key_file_other_users_can_read_gets_a_warning(
        keys: dict[str, Any], caplog: pytest.LogCaptureFixture) -> None:
    path = keys["paths"]["account"]
    caplog.set_level(logging.DEBUG)
    path.chmod(0o644)
    try:
        _, label = load_credentials(str(path))
    finally:
        path.chmod(0o600)
    assert label == "sheets-sync@acme-sheets.iam.gserviceaccount.com"
    warnings = [r for r in caplog.records if r.name == "sheets_sync.google"
                and r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert str(path) in warnings[0].getMessage() and "chmod 600" in warnings[0].getMessage()
    caplog.clear()
    load_credentials(str(path))
    load_credentials(str(keys["paths"]["user"]))
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert leaks(keys, caplog.text) == []


def test_bad_key_files_are_reported_without_their_contents(keys: dict[str, Any]) -> None:
    with pytest.raises(ConfigError) as broken:
        load_credentials(str(keys["paths"]["broken"]))
    assert str(keys["paths"]["broken"]) in broken.value.message
    assert leaks(keys, broken.value.message, repr(broken.value)) == []


CONFIG = """
state_path = "state.db"
[[calendars]]
name = "acme"
backend = "google"
spreadsheet = "{sheet}"
tab = "Calendar"
client = "Acme"
"""


def test_no_output_ever_holds_key_material_or_tokens(
        keys: dict[str, Any], tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # every library's debug logging too
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Acme plan", time_zone="Europe/Istanbul", sheets={
        "Calendar": [list(HEADER), row("P1", status="Client review"), row("P2"),
                     row("P3", caption="=IMPORTXML(\"http://x\",\"//a\")")]})
    texts: list[str | bytes] = []

    # in process: the credentials are loaded (world-readable: a warning), the sync runs on
    # the fake
    keys["paths"]["account"].chmod(0o640)
    try:
        load_credentials(str(keys["paths"]["account"]))
    finally:
        keys["paths"]["account"].chmod(0o600)
    store = StateStore(str(tmp_path / "inprocess.db"))
    config = from_dict({"calendars": [{"name": "acme", "backend": "memory", "tab": "Calendar",
                                       "client": "Acme"}]}).calendars[0]
    backend = GoogleBackend(sheet, session=api.session(), cache=store.cache("acme"),
                            policy=RetryPolicy(sleep=lambda s: None), bucket=TokenBucket(1e4))
    run_once(config, backend, store, at("2026-03-10 09:30"))
    store.close()

    # the command line, with GOOGLE_APPLICATION_CREDENTIALS pointing at the key
    config_path = tmp_path / "agency.toml"
    config_path.write_text(CONFIG.format(sheet=sheet), encoding="utf-8")
    runner = CliRunner()
    with api.serve() as served:
        env = {"GOOGLE_APPLICATION_CREDENTIALS": str(keys["paths"]["account"]),
               "SHEETS_SYNC_GOOGLE_ENDPOINT": served.url}
        for args in (["sync", "--config", str(config_path), "--today", "2026-03-10"],
                     ["sync", "--config", str(config_path), "--today", "2026-03-11",
                      "--dry-run"],
                     ["audit", "--config", str(config_path), "--format", "json"],
                     ["check-config", "--config", str(config_path)]):
            result = runner.invoke(main, args, env=env)
            assert result.exit_code in (0, 1), result.output
            texts += [result.stdout, result.stderr]
    # no endpoint: the key itself is loaded, and a damaged one refused (a valid one would go
    # to Google's servers, so it is only loaded, above)
    env = {"GOOGLE_APPLICATION_CREDENTIALS": str(keys["paths"]["broken"]),
           "SHEETS_SYNC_GOOGLE_ENDPOINT": ""}
    result = runner.invoke(main, ["sync", "--config", str(config_path)], env=env)
    assert result.exit_code == 2 and "credentials" in result.stderr
    texts += [result.stdout, result.stderr]

    texts.append(caplog.text)
    texts += [str(r.args) for r in caplog.records]
    for tab in api.sheet_titles(sheet):
        texts.append(json.dumps(api.values(sheet, tab), default=str))
    texts += [repr(list(r)) for r in api.requests]
    for database in tmp_path.glob("*.db*"):
        texts.append(database.read_bytes())
    assert api.values(sheet, "Status")[0][0] == "Severity"  # the sync did write
    assert any("chmod 600" in r.getMessage() for r in caplog.records)
    assert len(leaks(keys, keys["paths"]["account"].read_bytes())) >= 20  # the scan works
    assert leaks(keys, *texts) == []


def test_no_output_log_state_row_or_message_holds_the_smtp_password_or_a_webhook_url(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Reminders: every command output, log record, ledger row, database byte, e-mail and
    webhook body of a sending run, a dry run and failing runs (a refused login, a webhook
    answering 500, an SMTP server that is not there) is scanned for the SMTP password and
    the webhook URL."""
    from test_notify_delivery import (
        HOOK_PATH,
        PASSWORD,
        TODAY,
        Hooks,
        Mailbox,
        agency_dir,
        environment,
        free_port,
    )

    caplog.set_level(logging.DEBUG)
    box, hooks = Mailbox(auth_require_tls=False), Hooks()
    secrets_ = [PASSWORD, hooks.url, HOOK_PATH, HOOK_PATH.rsplit("/", 1)[1]]
    texts: list[str | bytes] = []
    runner = CliRunner()
    try:
        for name, port, env, extra in (
                ("ok", box.port, environment(hooks), []),
                ("dry", box.port, environment(hooks), ["--dry-run"]),
                ("login", box.port, {**environment(hooks), "TEST_SMTP_PASSWORD": PASSWORD + "x"},
                 []),
                ("gone", free_port(), environment(hooks), [])):
            folder = tmp_path / name
            folder.mkdir()
            config = agency_dir(folder, port, timeout=0.5)
            if name == "login":
                secrets_.append(PASSWORD + "x")
                hooks.answers = [500] * 3
            result = runner.invoke(main, ["remind", "--config", str(config), "--today", TODAY,
                                          *extra], env=env)
            assert result.exit_code == (0 if name in ("ok", "dry") else 3), result.output
            texts += [result.stdout, result.stderr]
            for database in folder.glob("*.db*"):
                texts.append(database.read_bytes())
            store = StateStore(folder / "state.db")
            texts += [repr(r) for r in store.reminders()]
            store.close()
        assert len(box.received) == 4 and len(hooks.posts) >= 2  # it did send, and fail
        texts += [m.as_bytes() for _, m in box.received]
        texts += [body for _, body in hooks.posts]
    finally:
        box.stop()
        hooks.stop()
    texts.append(caplog.text)
    texts += [str(r.args) for r in caplog.records]
    assert any("535" in t or "uthentication" in t for t in texts if isinstance(t, str))
    found = [s for s in secrets_ for t in texts
             if s.encode() in (t if isinstance(t, bytes) else t.encode())]
    assert found == []
