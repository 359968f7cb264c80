"""Each command imports only what it needs: no pandas for --help, codes or check-config, and
no Google libraries for a local calendar. Checked in a fresh interpreter, by sys.modules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "numpy", "gspread", "google.auth", "google.oauth2", "requests", "holidays",
         "python_calamine", "openpyxl", "sqlite3", "multiprocessing")
# What an audit of a calendar file with no state database beside it needs none of: the state
# database and what sync saved, the looks of owned tabs, a TOML reader and urllib (which XML
# unescaping would load).
STATE_AND_EXTRAS = ("sqlite3", "sheets_sync.state", "sheets_sync.history", "sheets_sync.snapshot",
                    "sheets_sync.looks", "tomllib", "urllib.request")
SCRIPT = """
import sys
from sheets_sync.cli import main
try:
    main(sys.argv[1:], prog_name="sheets-sync")
except SystemExit as exit:
    code = exit.code
print("EXIT", code, "LOADED", ",".join(sorted(m for m in {heavy!r} if m in sys.modules)),
      file=sys.stderr)
"""


def loaded(*args: str, watch: tuple[str, ...] = HEAVY) -> set[str]:
    """The modules of ``watch`` (the heavy ones) loaded after running the command line with
    ``args``."""
    # Not measured by coverage, whose own start-up in the child loads sqlite3 and
    # multiprocessing: the command's imports alone are what this counts.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")},
           "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(heavy=watch), *args],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
                          check=False)
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("EXIT 0 LOADED") or last.startswith("EXIT 1 LOADED"), done.stderr
    return set(filter(None, last.split("LOADED", 1)[1].strip().split(",")))


@pytest.mark.parametrize("args", [["--help"], ["codes"], ["audit", "--help"],
                                  ["sync", "--help"]])
def test_help_and_codes_import_nothing_heavy(args: list[str]) -> None:
    assert loaded(*args) == set()


def test_help_reads_no_toml_and_parses_no_addresses() -> None:
    assert loaded("--help", watch=("tomllib", "email.utils", "socket")) == set()


def test_check_config_imports_neither_pandas_nor_google() -> None:
    modules = loaded("check-config", "--config", str(ROOT / "config" / "example.toml"))
    assert not modules & {"pandas", "numpy", "gspread", "google.auth", "google.oauth2",
                          "requests", "python_calamine", "sqlite3"}


def test_auditing_a_local_calendar_does_not_import_the_google_libraries() -> None:
    modules = loaded("audit", str(ROOT / "sheets_sync" / "data" / "calendar.xlsx"),
                     "--today", "2026-03-10")
    assert {"pandas", "python_calamine"} <= modules  # it did audit the workbook
    assert not modules & {"gspread", "google.auth", "google.oauth2", "requests", "openpyxl"}


def test_syncing_a_local_workbook_does_not_import_the_google_libraries(tmp_path: Path) -> None:
    workbook = tmp_path / "calendar.xlsx"
    workbook.write_bytes((ROOT / "sheets_sync" / "data" / "calendar.xlsx").read_bytes())
    modules = loaded("sync", str(workbook), "--today", "2026-03-10")
    assert {"pandas", "python_calamine", "sqlite3"} <= modules  # it did sync the workbook
    assert not modules & {"gspread", "google.auth", "google.oauth2", "requests"}


def test_auditing_a_calendar_file_with_no_state_database_loads_no_state_modules(
        tmp_path: Path) -> None:
    calendar = tmp_path / "plan.csv"
    calendar.write_text("ID,Client,Channel,Format,Publish date,Status,Caption,Asset\n"
                        "P1,Acme,Instagram,Post,2026-03-20 10:00,Client review,Hello,"
                        "https://cdn.example.com/a.jpg\n", encoding="utf-8")
    modules = loaded("audit", str(calendar), "--today", "2026-03-10", "--format", "json",
                     watch=(*STATE_AND_EXTRAS, "pandas"))
    assert modules == {"pandas"}  # it did audit the calendar, and loaded none of the rest


def test_auditing_beside_a_state_database_reads_it(tmp_path: Path) -> None:
    """The state modules are still loaded where they are needed: a sync saved state."""
    workbook = tmp_path / "calendar.xlsx"
    workbook.write_bytes((ROOT / "sheets_sync" / "data" / "calendar.xlsx").read_bytes())
    subprocess.run([sys.executable, "-m", "sheets_sync", "sync", str(workbook), "--today",
                    "2026-03-10"], cwd=ROOT, capture_output=True, check=False, timeout=120,
                   env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])})
    assert (tmp_path / "calendar.sheets-sync.db").exists()
    modules = loaded("audit", str(workbook), "--today", "2026-03-10",
                     watch=STATE_AND_EXTRAS)
    assert {"sqlite3", "sheets_sync.state", "sheets_sync.history"} <= modules


HOLIDAY_MODULES = ("holidays", "holidays.countries", "holidays.countries.turkey",
                   "holidays.countries.germany", "holidays.countries.france")


def test_counting_business_days_loads_only_the_clients_country(tmp_path: Path) -> None:
    """The library's package of countries imports every country's module; an audit whose
    rules count business days (a post in client review three days before it goes out) loads
    the module of the country its client is in (TR by default) and no other."""
    calendar = tmp_path / "plan.csv"
    calendar.write_text("ID,Client,Channel,Format,Publish date,Status,Caption,Asset\n"
                        "P1,Acme,Instagram,Post,2026-03-13 10:00,Client review,Hello,"
                        "https://cdn.example.com/a.jpg\n", encoding="utf-8")
    modules = loaded("audit", str(calendar), "--today", "2026-03-10", "--format", "json",
                     watch=HOLIDAY_MODULES)
    assert modules == {"holidays", "holidays.countries.turkey"}


HOLIDAYS_SCRIPT = """
import sys
import holidays
from sheets_sync.rules.base import _holiday_dates
ours = {code: _holiday_dates(code, 2024, 2027) for code in ("GF", "TR", "DE", "USA")}
alone = sorted(m for m in sys.modules if m.startswith("holidays.countries"))
import holidays.countries  # every country, as the library loads them by itself
import numpy as np
theirs = {code: tuple(np.datetime64(day, "D") for day in sorted(
    holidays.country_holidays(code, years=range(2024, 2028)))) for code in ours}
print(",".join(alone), ours == theirs, sum(map(len, ours.values())) > 150)
"""


def test_a_country_loaded_alone_has_the_holidays_the_library_gives() -> None:
    """French Guiana's module imports France's (a territory keeps its state's holidays): both
    are loaded alone, and every country's dates are the library's own."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    done = subprocess.run([sys.executable, "-c", HOLIDAYS_SCRIPT], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120, check=True)
    assert done.stdout.split() == ["holidays.countries.france,holidays.countries.french_guiana,"
                                   "holidays.countries.germany,holidays.countries.turkey,"
                                   "holidays.countries.united_states", "True", "True"]


FALLBACK_SCRIPT = """
import sys
from unittest import mock
import holidays.registry as registry
from sheets_sync.rules import base
with mock.patch.object(registry, "COUNTRIES", {"no_such_module": ("Nowhere", "TR")}):
    base._load_country_module("TR")  # a release laid out otherwise: nothing breaks
print("holidays.countries" in sys.modules)
print(len(base._holiday_dates("TR", 2026, 2026)))
"""


def test_a_country_module_that_cannot_be_found_leaves_loading_to_the_library() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    done = subprocess.run([sys.executable, "-c", FALLBACK_SCRIPT], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120, check=True)
    # No stand-in package is left behind, and Turkey's holidays of 2026 are all there.
    assert done.stdout.split() == ["False", str(len(__import__("holidays").country_holidays(
        "TR", years=2026)))]
