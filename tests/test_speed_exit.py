"""The program ends a read-only command without taking apart what it built, and says all.

`sheets-sync audit` and `export`, run as the program, flush their output and end the process
at once instead of freeing every cell and finding one by one. Nothing may be lost on the way:
the output, the messages on stderr and the exit code are those of the same command run in
process through click. A reader that stops early (`| head`) ends the audit quietly with 141.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sheets_sync.cli import SIGPIPE_EXIT, main

SAMPLE = Path(__file__).resolve().parents[1] / "sheets_sync" / "data" / "calendar.xlsx"


WIDTH = {"COLUMNS": "100"}  # the table's width, the same for both


def program(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sheets_sync", *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=120, check=False,
                          env={**os.environ, **WIDTH})


def in_process(*args: str) -> tuple[int, str, str]:
    result = CliRunner(env=WIDTH).invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args", [
    ["audit", str(SAMPLE), "--today", "2026-03-10", "--format", "json", "--no-history"],
    ["audit", str(SAMPLE), "--today", "2026-03-10", "--format", "csv", "--no-history"],
    ["audit", str(SAMPLE), "--today", "2026-03-10", "--no-history"],
    ["audit", str(SAMPLE), "--today", "2026-03-10", "--fail-on", "critical", "--no-history"],
    ["export", str(SAMPLE), "--to", "csv", "--today", "2026-03-01", "--no-history"],
    ["export", str(SAMPLE), "--to", "csv", "--today", "2026-03-01", "--no-history",
     "--format", "json"],
], ids=["audit-json", "audit-csv", "audit-table", "audit-exit-0", "export", "export-json"])
def test_the_program_says_what_the_command_says_in_process(args: list[str]) -> None:
    done = program(*args)
    code, out, err = in_process(*args)
    assert (done.returncode, done.stdout, done.stderr) == (code, out, err)
    assert out.strip(), "the command printed nothing: nothing was compared"


def test_a_json_audit_written_to_a_file_is_whole(tmp_path: Path) -> None:
    target = tmp_path / "findings.json"
    with target.open("w", encoding="utf-8") as handle:
        done = subprocess.run([sys.executable, "-m", "sheets_sync", "audit", str(SAMPLE),
                               "--today", "2026-03-10", "--format", "json", "--no-history"],
                              stdout=handle, stderr=subprocess.PIPE, text=True, timeout=120,
                              check=False)
    assert done.returncode == 1, done.stderr
    findings = json.loads(target.read_text(encoding="utf-8"))["findings"]
    codes = {finding["code"] for finding in findings}
    assert {"approval-missing", "caption-too-long"} <= codes
    assert len(findings) == len(json.loads(in_process(
        "audit", str(SAMPLE), "--today", "2026-03-10", "--format", "json",
        "--no-history")[1])["findings"])


def _big_calendar(path: Path, rows: int) -> Path:
    lines = ["ID,Client,Channel,Publish date,Status,Caption"]
    lines += [f"P{i:05d},Acme,Instagram,2026-03-{1 + i % 28:02d},Draft,Post number {i}"
              for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_reader_that_stops_early_ends_the_audit_quietly(tmp_path: Path) -> None:
    """Far more output than a pipe holds; the reader takes a little and closes its end."""
    calendar = _big_calendar(tmp_path / "big.csv", 3000)
    child = subprocess.Popen([sys.executable, "-m", "sheets_sync", "audit", str(calendar),
                              "--today", "2026-03-10", "--format", "json", "--no-history"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    first = child.stdout.read(100)
    child.stdout.close()
    error = child.stderr.read().decode("utf-8")
    assert child.wait(timeout=120) == SIGPIPE_EXIT, error
    assert first.startswith(b"{")
    assert "unexpected error" not in error and "Broken pipe" not in error, error


def test_the_whole_output_of_a_big_audit_reaches_the_reader(tmp_path: Path) -> None:
    calendar = _big_calendar(tmp_path / "big.csv", 3000)
    done = program("audit", str(calendar), "--today", "2026-03-10", "--format", "csv",
                   "--no-history")
    code, out, err = in_process("audit", str(calendar), "--today", "2026-03-10", "--format",
                                "csv", "--no-history")
    assert (done.returncode, done.stderr) == (code, err)
    assert done.stdout == out
    assert out.count("\n") > 3000  # a finding per post at least, the header aside


def test_a_profiled_audit_still_writes_its_profile(tmp_path: Path) -> None:
    profile = tmp_path / "audit.prof"
    done = subprocess.run([sys.executable, "-m", "cProfile", "-o", str(profile), "-m",
                           "sheets_sync", "audit", str(SAMPLE), "--today", "2026-03-10",
                           "--no-history", "--format", "json"], capture_output=True, text=True,
                          timeout=120, check=False)
    # (cProfile itself swallows the exit code.)
    assert json.loads(done.stdout)["findings"], done.stderr
    assert profile.stat().st_size > 0
