"""Reminders over real delivery: an SMTP server (aiosmtpd) and an HTTP server on 127.0.0.1,
both started here, and the bundled sample calendar on a chosen day.

On Tuesday 2026-03-10 at 11:00 Istanbul (09:00 Berlin) the sample calendar has: KD-008 in
client review, publishing in 25.5 hours and its feedback escalated; KD-013 beyond its
revision rounds; NT-009 in client review publishing in exactly 72 hours; NT-011 deemed
approved by the contract. Kahve Durağı has approver, account manager and escalation
contacts; Nordic Trails an approver and the same account manager.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import http.server
import json
import logging
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sheets_sync import config as config_module
from sheets_sync.cli import main
from sheets_sync.notify import remind
from sheets_sync.notify.render import Message
from sheets_sync.notify.send import RealSenders
from sheets_sync.state import StateStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sheets_sync" / "data" / "calendar.xlsx"
PASSWORD = "s3cret-Pa55word-7Qx"
HOOK_PATH = "/services/T0SECRET/B0SECRET/hooksecret42"
TODAY = "2026-03-10T11:00"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Mailbox:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives; it accepts
    one login, ops / PASSWORD."""

    def __init__(self, **options: Any) -> None:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.received: list[tuple[list[str], EmailMessage]] = []
        self.logins: list[str] = []

        def check(server: Any, session: Any, envelope: Any, mechanism: str, auth: Any
                  ) -> AuthResult:
            ok = auth.login == b"ops" and auth.password == PASSWORD.encode()
            if ok:
                self.logins.append(auth.login.decode())
            return AuthResult(success=ok)

        mailbox = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                message = email.message_from_bytes(envelope.content, policy=email.policy.default)
                mailbox.received.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port,
                                     authenticator=check, **options)
        self.controller.start()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.received if address in rcpt]

    def stop(self) -> None:
        self.controller.stop()


class Hooks:
    """A real HTTP server on 127.0.0.1 taking webhook posts; ``answers`` says what status to
    give each post in turn (200 when empty)."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, bytes]] = []
        self.answers: list[int] = []
        self.waits: list[str] = []  # a Retry-After header for each answer in turn ("": none)
        hooks = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                hooks.posts.append((self.path, body))
                status = hooks.answers.pop(0) if hooks.answers else 200
                wait = hooks.waits.pop(0) if hooks.waits else ""
                self.send_response(status)
                if wait:
                    self.send_header("Retry-After", wait)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{HOOK_PATH}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(auth_require_tls=False)
    yield box
    box.stop()


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    server = Hooks()
    yield server
    server.stop()


CONFIG = """
state_path = "state.db"
[notify]
sender = "Agency Ops <ops@agency.example>"
smtp = {smtp}
webhooks = [{{ url_env = "TEST_SLACK_URL", kind = "slack" }}]
retries = 1
[[calendars]]
name = "sample"
path = "calendar.xlsx"
tab = "Calendar"
[calendars.statuses]
client_review = ["With client"]
[calendars.clients."Kahve Durağı"]
country = "TR"
timezone = "Europe/Istanbul"
[calendars.clients."Kahve Durağı".contacts]
approvers = ["elif@kahve.example"]
account_manager = "selin@agency.example"
escalation = "director@agency.example"
[calendars.clients."Kahve Durağı".rules.approvals]
approvers = ["Elif Yılmaz", "Murat Kaya"]
[calendars.clients."Nordic Trails"]
country = "DE"
timezone = "Europe/Berlin"
[calendars.clients."Nordic Trails".contacts]
approvers = ["jonas@nordic.example"]
account_manager = "selin@agency.example"
[calendars.clients."Nordic Trails".rules.feedback]
sla_days = 3
deemed_approved_after_days = 10
"""


def agency_dir(tmp_path: Path, port: int, timeout: float = 5) -> Path:
    shutil.copy(SAMPLE, tmp_path / "calendar.xlsx")
    path = tmp_path / "agency.toml"
    smtp = (f'{{ host = "127.0.0.1", port = {port}, starttls = false, username = "ops", '
            f'password_env = "TEST_SMTP_PASSWORD", timeout_s = {timeout} }}')
    path.write_text(CONFIG.format(smtp=smtp), encoding="utf-8")
    return path


def environment(hooks: Hooks | None) -> dict[str, str]:
    return {"TEST_SMTP_PASSWORD": PASSWORD,
            "TEST_SLACK_URL": hooks.url if hooks else "http://127.0.0.1:9/none"}


def run_cli(config: Path, *args: str, env: dict[str, str]) -> Any:
    return CliRunner().invoke(main, ["remind", "--config", str(config), "--today", TODAY,
                                     *args], env=env)


def ledger(tmp_path: Path) -> list[Any]:
    store = StateStore(tmp_path / "state.db")
    try:
        return store.reminders("sample")
    finally:
        store.close()


def test_the_sample_calendar_sends_each_reminder_once_across_two_runs(
        tmp_path: Path, mailbox: Mailbox, hooks: Hooks) -> None:
    config = agency_dir(tmp_path, mailbox.port)
    env = environment(hooks)
    first = run_cli(config, env=env)
    assert first.exit_code == 0, first.output
    assert sorted(r[0][0] for r in mailbox.received) == [
        "director@agency.example", "elif@kahve.example", "jonas@nordic.example",
        "selin@agency.example"]  # one message each: grouped per recipient
    elif_mail = mailbox.to("elif@kahve.example")[0]
    assert elif_mail["Subject"] == "1 post needs your approval by Wednesday — Kahve Durağı"
    assert elif_mail["From"] == "Agency Ops <ops@agency.example>"
    text = elif_mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "2026-03-11 12:30 · Instagram · KD-008 · “Türk kahvesi nasıl pişirilir?" in text
    assert "Your feedback is overdue" in text and "row 18: " in text
    assert elif_mail.get_body(("html",)) is not None  # multipart: plain text and HTML
    jonas = mailbox.to("jonas@nordic.example")[0]
    assert jonas["Subject"] == "1 post needs your approval by Friday — Nordic Trails"
    body = jonas.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "NT-009" in body and "NT-011" in body  # approval due in 72 h; deemed approved
    director = mailbox.to("director@agency.example")[0].get_body(("plain",))
    assert "KD-008" in director.get_content() and "KD-013" in director.get_content()  # type: ignore[union-attr]
    digest = mailbox.to("selin@agency.example")[0]
    assert digest["Subject"].startswith("Daily digest 2026-03-10: ")
    assert mailbox.logins == ["ops"] * 4
    assert len(hooks.posts) == 1 and hooks.posts[0][0] == HOOK_PATH
    slack = json.loads(hooks.posts[0][1])
    assert slack["blocks"][0]["type"] == "header"
    assert {r.state for r in ledger(tmp_path)} == {"sent"}

    second = run_cli(config, env=env)
    assert second.exit_code == 0 and "no reminders due" in second.output
    assert len(mailbox.received) == 4 and len(hooks.posts) == 1  # nothing twice


def test_dry_run_prints_each_message_and_sends_and_records_nothing(
        tmp_path: Path, mailbox: Mailbox, hooks: Hooks) -> None:
    config = agency_dir(tmp_path, mailbox.port)
    result = run_cli(config, "--dry-run", env=environment(hooks))
    assert result.exit_code == 0, result.output
    assert "To: elif@kahve.example\nSubject: 1 post needs your approval by Wednesday" in \
        result.output
    assert "would send to webhook TEST_SLACK_URL: " in result.output
    assert mailbox.received == [] and hooks.posts == []
    assert not (tmp_path / "state.db").exists() or ledger(tmp_path) == []
    # the real run afterwards still has everything to send
    assert run_cli(config, env=environment(hooks)).exit_code == 0
    assert len(mailbox.received) == 4


def test_quiet_time_holds_reminders_until_the_next_allowed_moment(
        tmp_path: Path, mailbox: Mailbox, hooks: Hooks) -> None:
    config = agency_dir(tmp_path, mailbox.port)
    env = environment(hooks)
    # 09:00 Istanbul is 07:00 in Berlin: Nordic Trails' reminders wait
    early = CliRunner().invoke(main, ["remind", "--config", str(config), "--today",
                                      "2026-03-10T09:00"], env=env)
    assert early.exit_code == 0 and "held for quiet time" in early.output
    assert mailbox.to("jonas@nordic.example") == []
    assert len(mailbox.to("elif@kahve.example")) == 1
    later = run_cli(config, env=env)  # 11:00 Istanbul, 09:00 Berlin
    assert later.exit_code == 0
    assert len(mailbox.to("jonas@nordic.example")) == 1
    assert len(mailbox.to("elif@kahve.example")) == 1  # not again
    # a Saturday sends nothing at all
    saturday = CliRunner().invoke(main, ["remind", "--config", str(config), "--today",
                                         "2026-03-14T11:00"], env=env)
    assert saturday.exit_code == 0 and "held for quiet time" in saturday.output
    assert len(mailbox.received) == 4 + 1  # the 4 of Tuesday 11:00, elif's of 09:00


def silent_server() -> tuple[socket.socket, int]:
    """A TCP server that accepts and never says a word (an SMTP server that hangs)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    return server, int(server.getsockname()[1])


@pytest.mark.parametrize("failure", ["refused", "timeout", "http500"])
def test_a_failing_server_leaves_the_reminder_due_and_logs_it_once(
        tmp_path: Path, failure: str, hooks: Hooks, caplog: pytest.LogCaptureFixture
        ) -> None:
    caplog.set_level(logging.INFO, "sheets_sync.notify")
    silent = None
    box = None
    if failure == "refused":
        port = free_port()  # nothing listens there
    elif failure == "timeout":
        silent, port = silent_server()
    else:
        box = Mailbox(auth_require_tls=False)
        port = box.port
        hooks.answers = [500] * 4  # two runs of two attempts each
    try:
        config = agency_dir(tmp_path, port, timeout=0.5)
        loaded = config_module.load(config)
        assert loaded.notify is not None
        senders = RealSenders(loaded.notify, environment(hooks), sleep=lambda s: None)
        moment = dt.datetime.fromisoformat(TODAY + "+03:00")
        first, failures = remind(loaded, now=moment, senders=senders)
        assert failures == []
        if failure == "http500":
            assert [o.message.recipient for o in first.failed] == ["webhook:TEST_SLACK_URL"]
            assert "HTTP 500" in first.failed[0].error
            assert len(hooks.posts) == 2  # one retry
            assert len(box.received) == 4 if box else False  # e-mail still goes out
        else:  # the SMTP server fails, the webhook answers
            assert sorted(o.message.recipient for o in first.failed) == [
                "director@agency.example", "elif@kahve.example", "jonas@nordic.example",
                "selin@agency.example"]
            assert [o.message.recipient for o in first.sent] == ["webhook:TEST_SLACK_URL"]
            reason = "ConnectionRefusedError" if failure == "refused" else "timed out"
            assert reason in first.failed[0].error
        failed = {o.message.recipient for o in first.failed}
        rows = ledger(tmp_path)
        assert {r.state for r in rows if r.recipient in failed} == {"failed"}
        assert {r.state for r in rows if r.recipient not in failed} == {"sent"}
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        again, _ = remind(loaded, now=moment, senders=senders)
        assert len(again.failed) == len(first.failed)  # still due, tried again
        assert again.sent == []  # what went out the first time does not go again
        repeated = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(repeated) == len(warnings) > 0  # the same failure is not warned twice
    finally:
        if silent is not None:
            silent.close()
        if box is not None:
            box.stop()


def test_retry_after_is_waited_when_short_and_left_for_the_next_run_when_long(
        tmp_path: Path, mailbox: Mailbox, hooks: Hooks) -> None:
    config = config_module.load(agency_dir(tmp_path, mailbox.port))
    assert config.notify is not None
    moment = dt.datetime.fromisoformat(TODAY + "+03:00")
    slept: list[float] = []
    senders = RealSenders(config.notify, environment(hooks), sleep=slept.append)
    # Asked to wait two minutes: not tried again now (a run must not hang), left due.
    hooks.answers, hooks.waits = [429], ["120"]
    first, _ = remind(config, now=moment, senders=senders)
    assert [o.message.recipient for o in first.failed] == ["webhook:TEST_SLACK_URL"]
    assert first.failed[0].error == ("webhook TEST_SLACK_URL (slack): HTTP 429, asked to "
                                     "wait 120s; tried again in the next run")
    assert len(hooks.posts) == 1 and slept == []
    # Asked to wait 2 seconds: waited exactly that, then delivered in the same run.
    hooks.answers, hooks.waits = [429], ["2"]
    again, _ = remind(config, now=moment, senders=senders)
    assert [o.message.recipient for o in again.sent] == ["webhook:TEST_SLACK_URL"]
    assert again.failed == [] and slept == [2.0] and len(hooks.posts) == 3
    assert {r.state for r in ledger(tmp_path)} == {"sent"}


def test_the_daemon_cycle_is_unchanged_when_delivery_fails(tmp_path: Path) -> None:
    """The daemon's cycle (the sync process's worker) with an SMTP server that refuses and a
    webhook that is not there: the same summary and tabs as without [notify]."""
    from sheets_sync.isolation import _Worker

    moment = dt.datetime.fromisoformat(TODAY + "+03:00")
    with_notify = tmp_path / "with"
    without = tmp_path / "without"
    with_notify.mkdir()
    without.mkdir()
    config = agency_dir(with_notify, free_port(), timeout=0.5)
    plain = agency_dir(without, free_port())
    text = plain.read_text(encoding="utf-8")
    plain.write_text(text[:text.index("[notify]")] + text[text.index("[[calendars]]"):],
                     encoding="utf-8")
    answers = []
    for path in (config, plain):
        worker = _Worker(config_module.load(path))
        try:
            answers.append(worker.sync("sample", moment, False))
        finally:
            worker.close()
    assert answers[0][0] is True
    assert answers[0][1].split(": ", 1)[1] == answers[1][1].split(": ", 1)[1]
    import openpyxl

    tabs = [openpyxl.load_workbook(d / "calendar.xlsx")["Status"] for d in (with_notify, without)]
    assert [[c.value for c in r] for r in tabs[0].iter_rows()] == \
        [[c.value for c in r] for r in tabs[1].iter_rows()]
    rows = ledger(with_notify)
    assert rows and {r.state for r in rows} == {"failed"}  # pending for the next cycle


def test_the_daemon_cycle_sends_due_reminders(tmp_path: Path, mailbox: Mailbox,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from sheets_sync.isolation import _Worker

    monkeypatch.setenv("TEST_SMTP_PASSWORD", PASSWORD)
    config = agency_dir(tmp_path, mailbox.port)
    worker = _Worker(config_module.load(config))
    moment = dt.datetime.fromisoformat(TODAY + "+03:00")
    try:
        assert worker.sync("sample", moment, False)[0] is True
        assert worker.sync("sample", moment + dt.timedelta(minutes=5), False)[0] is True
    finally:
        worker.close()
    assert sorted(r[0][0] for r in mailbox.received) == [
        "director@agency.example", "elif@kahve.example", "jonas@nordic.example",
        "selin@agency.example"]  # the second cycle sends nothing again


class CrashAfterSending(RealSenders):
    """Delivers the e-mail for real, then the process "dies" before recording it."""

    def email(self, message: Message, subject_line: str) -> None:
        super().email(message, subject_line)
        if message.recipient == "elif@kahve.example":
            raise KeyboardInterrupt  # stands for a kill between send and record


def test_a_crash_between_send_and_record_does_not_send_twice(
        tmp_path: Path, mailbox: Mailbox, hooks: Hooks, caplog: pytest.LogCaptureFixture
        ) -> None:
    config = agency_dir(tmp_path, mailbox.port)
    loaded = config_module.load(config)
    assert loaded.notify is not None
    moment = dt.datetime.fromisoformat(TODAY + "+03:00")
    with pytest.raises(KeyboardInterrupt):
        remind(loaded, now=moment, senders=CrashAfterSending(loaded.notify,
                                                              environment(hooks)))
    assert len(mailbox.to("elif@kahve.example")) == 1
    sending = [r for r in ledger(tmp_path) if r.state == "sending"]
    assert {r.recipient for r in sending} == {"elif@kahve.example"}
    caplog.set_level(logging.WARNING, "sheets_sync.notify")
    outcome, _ = remind(loaded, now=moment, senders=RealSenders(loaded.notify,
                                                                environment(hooks)))
    assert len(mailbox.to("elif@kahve.example")) == 1  # counted as sent: not again
    assert [r.recipient for r in outcome.unconfirmed] == ["elif@kahve.example"] * len(sending)
    assert any("may not have been delivered" in r.getMessage() for r in caplog.records)
    assert {r.state for r in ledger(tmp_path)} == {"sent"}
    # the others went out in the second run
    assert len(mailbox.to("jonas@nordic.example")) == 1
    third, _ = remind(loaded, now=moment, senders=RealSenders(loaded.notify,
                                                              environment(hooks)))
    assert third.unconfirmed == [] and third.sent == []  # the warning was given once


def test_starttls_and_login_against_a_private_authority(tmp_path: Path, hooks: Hooks) -> None:
    import ssl

    cert, key = self_signed(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox(tls_context=context, require_starttls=True)
    try:
        config = agency_dir(tmp_path, box.port)
        text = config.read_text(encoding="utf-8").replace(
            "starttls = false", f"starttls = true, ca_file = {json.dumps(str(cert))}")
        config.write_text(text, encoding="utf-8")
        result = run_cli(config, env=environment(hooks))
        assert result.exit_code == 0, result.output
        assert len(box.received) == 4 and box.logins == ["ops"] * 4
    finally:
        box.stop()


def self_signed(tmp_path: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_a_missing_password_is_named_by_its_variable_and_nothing_is_sent(
        tmp_path: Path, mailbox: Mailbox, hooks: Hooks) -> None:
    config = agency_dir(tmp_path, mailbox.port)
    result = run_cli(config, env={"TEST_SLACK_URL": hooks.url, "TEST_SMTP_PASSWORD": ""})
    assert result.exit_code == 3
    assert "environment variable TEST_SMTP_PASSWORD is empty or missing" in result.output
    assert "stays due" in result.output
    assert mailbox.received == [] and len(hooks.posts) == 1
    time.sleep(0)  # nothing else to wait for
