"""The daemon: failing cycles are logged and retried, SIGTERM stops it cleanly."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync.cli import main
from sheets_sync.daemon import Daemon, parse_every


def test_parse_every() -> None:
    assert [parse_every(t) for t in ("30s", "5m", "1h", "45")] == [30, 300, 3600, 45]
    for bad in ("", "0m", "5x", "-1s", "m"):
        with pytest.raises(ValueError):
            parse_every(bad)


def test_backoff_doubles_up_to_the_cap() -> None:
    daemon = Daemon(lambda: "", every=60, max_backoff=300)
    delays = []
    for failures in range(1, 6):
        daemon.failures = failures
        delays.append(daemon.backoff())
    assert delays == [60, 120, 240, 300, 300]


def test_a_failing_cycle_is_logged_and_the_next_cycle_runs(
        caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    def cycle() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("sheet unreachable")
        return "fine"

    caplog.set_level(logging.INFO, logger="sheets_sync.daemon")
    Daemon(cycle, every=1).serve(install_signals=False, max_cycles=2)
    assert len(calls) == 2
    messages = [r.getMessage() for r in caplog.records]
    assert any("cycle 1 failed (RuntimeError: sheet unreachable); retrying in 1s" in m
               for m in messages)
    assert any(m.startswith("cycle 2 ok") and m.endswith(": fine") for m in messages)


def test_daemon_command_rejects_a_bad_interval(tmp_path: Path) -> None:
    CliRunner().invoke(main, ["init", str(tmp_path)])
    result = CliRunner().invoke(main, ["daemon", "--config", str(tmp_path / "sheets-sync.toml"),
                                       "--every", "soon"])
    assert result.exit_code == 2 and "--every" in result.stderr


def test_sigterm_stops_the_daemon_with_exit_0(tmp_path: Path) -> None:
    CliRunner().invoke(main, ["init", str(tmp_path)])
    process = subprocess.Popen(
        [sys.executable, "-m", "sheets_sync", "daemon", "--config",
         str(tmp_path / "sheets-sync.toml"), "--every", "1s"],
        stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stderr is not None
    deadline = time.monotonic() + 60
    lines = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        lines.append(line)
        if "cycle 1 ok" in line:
            break
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=30)
    rest = process.stderr.read()
    assert code == 0, "".join(lines) + rest
    assert "stopped after" in rest
