"""The real `sheets-sync sync` and `daemon` commands, in subprocesses, against the fake
Sheets API served over HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from conftest import HEADER, row

from sheets_sync.testing.fake_sheets import FakeSheetsAPI

CONFIG = """
state_path = "state.db"
[[calendars]]
name = "acme"
backend = "google"
spreadsheet = "https://docs.google.com/spreadsheets/d/{sheet}/edit"
tab = "Calendar"
client = "Acme"
"""


def setup(tmp_path: Path) -> tuple[FakeSheetsAPI, str, Path]:
    api = FakeSheetsAPI()
    sheet = api.create_spreadsheet("Acme plan", sheets={"Calendar": [
        list(HEADER), row("P1", status="Client review"), row("P2", caption="=1+1")]},
        time_zone="Europe/Istanbul")
    config = tmp_path / "agency.toml"
    config.write_text(CONFIG.format(sheet=sheet), encoding="utf-8")
    return api, sheet, config


def env(url: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k != "GOOGLE_APPLICATION_CREDENTIALS"}
    return {**clean, "SHEETS_SYNC_GOOGLE_ENDPOINT": url, "PYTHONUNBUFFERED": "1"}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "sheets_sync", *args]


def test_sync_command_against_the_served_fake(tmp_path: Path) -> None:
    api, sheet, config = setup(tmp_path)
    with api.serve() as served:
        first = subprocess.run(cli("sync", "--config", str(config), "--today", "2026-03-10"),
                               capture_output=True, text=True, env=env(served.url), timeout=120,
                               check=False)
        assert first.returncode == 0, first.stderr
        assert "wrote Status, Report, History" in first.stdout
        status = api.values(sheet, "Status")
        assert status[0][0] == "Severity"
        api.reset_log()
        second = subprocess.run(cli("sync", "--config", str(config), "--today", "2026-03-10"),
                                capture_output=True, text=True, env=env(served.url),
                                timeout=120, check=False)
        assert second.returncode == 0, second.stderr
        assert "wrote nothing (no change)" in second.stdout
        # Drive's version is the one the first sync's own write left: nothing to read.
        assert api.requests.kinds() == ["drive.files.get"]


def test_daemon_command_against_the_served_fake_stops_on_sigterm(tmp_path: Path) -> None:
    api, sheet, config = setup(tmp_path)
    with api.serve() as served:
        process = subprocess.Popen(cli("daemon", "--config", str(config), "--every", "1s"),
                                   stderr=subprocess.PIPE, text=True, env=env(served.url))
        assert process.stderr is not None
        lines: list[Any] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            lines.append(process.stderr.readline())
            if "cycle 2 ok" in lines[-1]:
                break
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, "".join(lines) + process.stderr.read()
    assert any("cycle 1 ok" in line for line in lines)
    assert api.values(sheet, "Status")[0][0] == "Severity"
