"""The command line's error paths: a bug, Ctrl-C, options that contradict each other, and the
smaller commands' other branches (check-config of a Google calendar, history with entries,
state reset asking first, sync --all)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from sheets_sync import run as run_module
from sheets_sync.cli import main
from sheets_sync.state import StateStore

TODAY = "2026-03-10"
BOTH = "sheets-sync: give either a calendar PATH or --config, not both\n"


def invoke(*args: str, env: dict[str, str | None] | None = None, stdin: str | None = None
           ) -> Result:
    return CliRunner().invoke(main, list(args), env=env, input=stdin)


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """``sheets-sync init`` in tmp_path: the sample workbook and its configuration."""
    assert invoke("init", str(tmp_path)).exit_code == 0
    return tmp_path


def cli_process(script: str, *args: str, debug: bool = False
                ) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (which patches something, then calls the CLI with ``args``) in a fresh
    interpreter, as a user's shell would run ``sheets-sync``."""
    env = {k: v for k, v in os.environ.items() if k != "SHEETS_SYNC_DEBUG"}
    if debug:
        env["SHEETS_SYNC_DEBUG"] = "1"
    code = textwrap.dedent(script) + "\nfrom sheets_sync.cli import main\n" \
        "main(sys.argv[1:], prog_name='sheets-sync')\n"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


# --- an unexpected exception: exit 3 and one line; SHEETS_SYNC_DEBUG=1 shows the traceback --

CRASH = """
import sys
from sheets_sync import cli
def broken(*args, **kwargs):
    raise RuntimeError("index out of range in the report")
cli.audit = broken
"""


def test_a_bug_exits_3_with_one_short_line(demo: Path) -> None:
    done = cli_process(CRASH, "audit", str(demo / "calendar.xlsx"), "--today", TODAY)
    assert done.returncode == 3
    assert done.stderr == (
        "sheets-sync: unexpected error (RuntimeError: index out of range in the report). "
        "Run again with SHEETS_SYNC_DEBUG=1 for details and report it.\n")
    assert done.stdout == ""


def test_a_broken_pipe_elsewhere_than_the_output_is_a_bug_not_a_quiet_end(demo: Path) -> None:
    # (A reader closing the output early ends the command quietly with 141: see
    # test_speed_exit.py. A socket's broken pipe reaching here is not that.)
    script = CRASH.replace('RuntimeError("index out of range in the report")',
                           'BrokenPipeError(32, "Broken pipe")')
    done = cli_process(script, "audit", str(demo / "calendar.xlsx"), "--today", TODAY)
    assert done.returncode == 3
    assert done.stderr.startswith("sheets-sync: unexpected error (BrokenPipeError:")


def test_sheets_sync_debug_shows_the_traceback(demo: Path) -> None:
    done = cli_process(CRASH, "audit", str(demo / "calendar.xlsx"), "--today", TODAY,
                       debug=True)
    assert done.returncode == 1  # Python's own exit code for an uncaught exception
    assert done.stderr.startswith("Traceback (most recent call last):")
    assert "in broken" in done.stderr
    assert done.stderr.rstrip().endswith("RuntimeError: index out of range in the report")
    assert "unexpected error" not in done.stderr


def test_an_empty_sheets_sync_debug_keeps_the_short_message(
        demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("bad frame")

    monkeypatch.setattr("sheets_sync.cli.audit", broken)
    result = invoke("audit", str(demo / "calendar.xlsx"), env={"SHEETS_SYNC_DEBUG": ""})
    assert result.exit_code == 3
    assert result.stderr.startswith("sheets-sync: unexpected error (ValueError: bad frame).")


def test_a_bug_in_the_middle_of_a_sync_writes_nothing_and_frees_the_lock(
        demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workbook = demo / "calendar.xlsx"
    before = workbook.read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("Report")

    monkeypatch.setattr(run_module, "build_outputs", broken)
    result = invoke("sync", str(workbook), "--today", TODAY)
    assert result.exit_code == 3
    assert result.stderr.startswith("sheets-sync: unexpected error (KeyError: 'Report').")
    assert workbook.read_bytes() == before
    monkeypatch.undo()
    # The lock of the failed cycle is released: the next sync runs and writes.
    again = invoke("sync", str(workbook), "--today", TODAY)
    assert again.exit_code == 0, again.stderr
    assert "wrote Status, Report, History" in again.stdout


# --- Ctrl-C: exit 130 ----------------------------------------------------------------------

CTRL_C_MID_CYCLE = """
import os, signal, sys, time
from sheets_sync import run
def interrupted(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGINT)  # what the terminal sends on Ctrl-C
    time.sleep(30)
    raise AssertionError("SIGINT was not delivered")
run.build_outputs = interrupted
"""


def test_ctrl_c_in_the_middle_of_a_sync_exits_130_and_writes_nothing(demo: Path) -> None:
    workbook = demo / "calendar.xlsx"
    before = workbook.read_bytes()
    done = cli_process(CTRL_C_MID_CYCLE, "sync", str(workbook), "--today", TODAY)
    assert done.returncode == 130
    assert done.stderr == "sheets-sync: interrupted\n"
    assert workbook.read_bytes() == before
    state = demo / "calendar.sheets-sync.db"
    assert StateStore(str(state)).runs("calendar") == []  # no cycle recorded


def test_keyboard_interrupt_in_process_exits_130_and_frees_the_lock(
        demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workbook = demo / "calendar.xlsx"

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module, "build_outputs", interrupted)
    result = invoke("sync", str(workbook), "--today", TODAY)
    assert (result.exit_code, result.stderr) == (130, "sheets-sync: interrupted\n")
    monkeypatch.undo()
    assert invoke("sync", str(workbook), "--today", TODAY).exit_code == 0


# --- options that contradict each other: exit 2 and a message ------------------------------

@pytest.mark.parametrize("command", [
    ["audit", "{workbook}", "--config", "{config}"],
    ["sync", "{workbook}", "--config", "{config}"],
    ["sync", "{workbook}", "--config", "{config}", "--dry-run"],
    ["history", "KD-001", "--path", "{workbook}", "--config", "{config}"],
    ["state", "reset", "--path", "{workbook}", "--config", "{config}", "--yes"],
])
def test_a_path_and_a_config_together_exit_2(demo: Path, command: list[str]) -> None:
    workbook, config = demo / "calendar.xlsx", demo / "sheets-sync.toml"
    before = workbook.read_bytes()
    args = [a.format(workbook=workbook, config=config) for a in command]
    result = invoke(*args)
    assert (result.exit_code, result.stderr, result.stdout) == (2, BOTH, "")
    assert workbook.read_bytes() == before
    assert not (demo / "calendar.sheets-sync.db").exists()


def test_column_mappings_belong_to_a_path_not_to_a_config(demo: Path) -> None:
    result = invoke("audit", "--config", str(demo / "sheets-sync.toml"), "--column",
                    "caption=Text")
    assert result.exit_code == 2
    assert result.stderr == ("sheets-sync: --column applies to a calendar PATH; with --config, "
                             "write it in the configuration: [calendars.columns]\n")
    tab = invoke("audit", "--config", str(demo / "sheets-sync.toml"), "--tab", "Plan")
    assert tab.exit_code == 2  # not silently ignored
    assert "--tab applies to a calendar PATH; with --config, write it in the configuration: " \
           "tab = ... in [[calendars]]" in tab.stderr


def test_a_calendar_tab_named_like_an_output_tab_is_a_configuration_error(demo: Path) -> None:
    result = invoke("audit", str(demo / "calendar.xlsx"), "--tab", "Status")
    assert result.exit_code == 2
    assert "command line.status_tab: tab 'Status' is used twice" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["sync", "--all"], "sheets-sync: --all needs --config\n"),
    (["sync", "--all", "--config", "{config}", "--dry-run"],
     "sheets-sync: --all cannot be combined with --dry-run; dry-run one --calendar\n"),
])
def test_sync_all_usage_errors(demo: Path, args: list[str], message: str) -> None:
    result = invoke(*[a.format(config=demo / "sheets-sync.toml") for a in args])
    assert (result.exit_code, result.stderr) == (2, message)


def test_several_calendars_need_calendar(tmp_path: Path) -> None:
    config = tmp_path / "agency.toml"
    config.write_text('[[calendars]]\nname = "acme"\npath = "a.xlsx"\n'
                      '[[calendars]]\nname = "beta"\npath = "b.xlsx"\n', encoding="utf-8")
    result = invoke("sync", "--config", str(config))
    assert result.exit_code == 2
    assert result.stderr == ("sheets-sync: configuration problem:\n  - several calendars are "
                             "configured; choose one with --calendar (acme, beta)\n")


# --- the memory backend is for tests: a configuration cannot use it ------------------------

def test_a_configured_memory_calendar_is_refused_by_audit_and_sync(tmp_path: Path) -> None:
    config = tmp_path / "agency.toml"
    config.write_text('[[calendars]]\nname = "scratch"\nbackend = "memory"\n', encoding="utf-8")
    audited = invoke("audit", "--config", str(config))
    assert audited.exit_code == 2
    assert audited.stderr.startswith("sheets-sync: calendar 'scratch' uses the memory backend")
    synced = invoke("sync", "--config", str(config))
    assert synced.exit_code == 2
    assert synced.stderr == ("sheets-sync: calendar 'scratch': the memory backend exists for "
                             "tests and cannot be opened from a configuration file\n")


# --- the smaller commands' other branches ---------------------------------------------------

def test_check_config_names_a_google_calendar_by_its_spreadsheet(tmp_path: Path) -> None:
    config = tmp_path / "agency.toml"
    config.write_text('[[calendars]]\nname = "acme"\nbackend = "google"\n'
                      'spreadsheet = "1AbCdEfGh"\n[calendars.clients."Acme Co"]\n'
                      'country = "DE"\n', encoding="utf-8")
    result = invoke("check-config", "--config", str(config))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "calendar 'acme': google 1AbCdEfGh; clients: Acme Co",
        f"{config}: OK (1 calendar)",
    ]


def set_status(workbook: Path, post_id: str, status: str) -> None:
    book = openpyxl.load_workbook(workbook)
    sheet = book["Calendar"]
    header = [c.value for c in sheet[1]]
    for line in sheet.iter_rows(min_row=2):
        if line[header.index("ID")].value == post_id:
            line[header.index("Status")].value = status
    book.save(workbook)


def test_history_lists_each_observed_change_in_local_time(demo: Path) -> None:
    workbook = demo / "calendar.xlsx"
    assert invoke("sync", str(workbook), "--today", "2026-03-09").exit_code == 0
    set_status(workbook, "KD-001", "Client review")
    assert invoke("sync", str(workbook), "--today", TODAY).exit_code == 0
    result = invoke("history", "KD-001", "--path", str(workbook))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    # Seen at the second sync, 09:00 in the calendar's time zone (--today's hour).
    assert lines[0].startswith("2026-03-10 09:00  Status: ")
    assert lines[0].endswith(" -> 'Client review'")  # as the sheet says it


@pytest.mark.parametrize("answer", ["n\n", "\n", ""], ids=["no", "enter", "end-of-input"])
def test_state_reset_asks_first_and_anything_but_yes_keeps_everything(demo: Path,
                                                                      answer: str) -> None:
    workbook = demo / "calendar.xlsx"
    assert invoke("sync", str(workbook), "--today", TODAY).exit_code == 0
    state = demo / "calendar.sheets-sync.db"
    refused = invoke("state", "reset", "--path", str(workbook), stdin=answer)
    assert refused.exit_code == 1  # declined: not a failure of the tool (3), not a bug
    assert f"Forget all history of calendar 'calendar' in {state}? [y/N]" in refused.output
    assert "forgot" not in refused.output and "unexpected error" not in refused.output
    assert len(StateStore(str(state)).runs("calendar")) == 1
    accepted = invoke("state", "reset", "--path", str(workbook), stdin="y\n")
    assert accepted.exit_code == 0
    assert f"forgot everything about calendar 'calendar' in {state}" in accepted.stdout
    assert StateStore(str(state)).runs("calendar") == []


def test_state_reset_without_a_database_says_so(demo: Path) -> None:
    result = invoke("state", "reset", "--path", str(demo / "calendar.xlsx"), "--yes")
    assert result.exit_code == 0
    state = demo / "calendar.sheets-sync.db"
    assert result.stdout == f"no state database at {state}; nothing to reset\n"
    assert not state.exists()


def agency(tmp_path: Path, portfolio: str) -> Path:
    assert invoke("init", str(tmp_path / "acme")).exit_code == 0
    assert invoke("init", str(tmp_path / "beta")).exit_code == 0
    config = tmp_path / "agency.toml"
    config.write_text(textwrap.dedent(f"""\
        state_path = "state.db"
        [[calendars]]
        name = "acme"
        path = "acme/calendar.xlsx"
        [[calendars]]
        name = "beta"
        path = "beta/calendar.xlsx"
        {portfolio}
        """), encoding="utf-8")
    return config


def test_sync_all_quiet_prints_nothing_and_writes_every_calendar(tmp_path: Path) -> None:
    config = agency(tmp_path, '[portfolio]\npath = "portfolio.xlsx"')
    result = invoke("sync", "--all", "--config", str(config), "--today", TODAY, "--quiet")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    for name in ("acme", "beta"):
        assert "Status" in openpyxl.load_workbook(tmp_path / name / "calendar.xlsx").sheetnames
    portfolio = openpyxl.load_workbook(tmp_path / "portfolio.xlsx")["Portfolio"]
    assert sorted({row[0] for row in portfolio.iter_rows(min_row=2, values_only=True)}) == [
        "acme", "beta"]


def test_sync_all_reports_a_failed_portfolio_and_exits_3(tmp_path: Path) -> None:
    config = agency(tmp_path, '[portfolio]\npath = "portfolio.xlsx"')
    (tmp_path / "portfolio.xlsx").write_text("not a workbook", encoding="utf-8")
    result = invoke("sync", "--all", "--config", str(config), "--today", TODAY)
    assert result.exit_code == 3
    lines = result.stdout.splitlines()  # both calendars synced all the same
    assert len(lines) == 2 and all("wrote Status, Report, History" in line for line in lines)
    assert result.stderr.startswith("sheets-sync: portfolio: ")
    assert "portfolio.xlsx" in result.stderr
    assert (tmp_path / "portfolio.xlsx").read_text(encoding="utf-8") == "not a workbook"


def test_codes_lists_every_code_once_with_its_default_severity() -> None:
    from sheets_sync.codes import CODES

    result = invoke("codes")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(CODES)
    for line, code in zip(lines, CODES.values()):
        assert line.split()[1] == code.severity.label
        assert line.endswith(code.summary)


def test_sync_of_a_workbook_it_cannot_write_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "plan.ods"
    path.write_bytes(b"PK\x03\x04")
    result = invoke("sync", str(path))
    assert result.exit_code == 2
    assert result.stderr == (f"sheets-sync: {path}: sync writes .xlsx or .xlsm workbooks; "
                             "convert this file or audit it instead (`sheets-sync audit`)\n")


def test_init_with_a_broken_bundled_example_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sheets_sync import starter

    data = tmp_path / "data"
    data.mkdir()
    (data / "example.toml").write_text("[[calendars]]\nname = \"x\"\n", encoding="utf-8")
    monkeypatch.setattr(starter, "DATA_DIR", data)
    result = invoke("init", str(tmp_path / "demo"))
    assert result.exit_code == 3
    assert "RuntimeError: bundled example configuration has no calendar path" in result.stderr
    assert not (tmp_path / "demo").exists()
