"""The public Python API: the entry points a script uses, importable from the package."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest

import sheets_sync

SAMPLE = Path(sheets_sync.__file__).resolve().parent / "data" / "calendar.xlsx"
IST = zoneinfo.ZoneInfo("Europe/Istanbul")


def test_every_exported_name_resolves_and_is_documented() -> None:
    for name in sheets_sync.__all__:
        value = getattr(sheets_sync, name)
        assert (value.__doc__ or "").strip(), f"sheets_sync.{name} has no docstring"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = sheets_sync.nothing  # type: ignore[attr-defined]


def test_importing_the_package_loads_nothing_heavy() -> None:
    script = "import sys, sheets_sync; print(sorted(m for m in ('pandas', 'sheets_sync.run', " \
             "'gspread') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_a_script_audits_a_file_and_syncs_a_calendar(tmp_path: Path) -> None:
    workbook = tmp_path / "calendar.xlsx"
    shutil.copyfile(SAMPLE, workbook)
    now = dt.datetime(2026, 3, 10, 9, tzinfo=IST)
    audited = sheets_sync.audit_path(workbook, now=now)
    findings = sheets_sync.findings_of(audited)
    assert len(findings) == len(audited.findings) > 0
    assert all(isinstance(f, sheets_sync.Finding) for f in findings)
    (tmp_path / "agency.toml").write_text(
        '[[calendars]]\nname = "demo"\nbackend = "xlsx"\npath = "calendar.xlsx"\n'
        'tab = "Calendar"\n', encoding="utf-8")
    config = sheets_sync.load_config(tmp_path / "agency.toml").calendar("demo")
    assert [f.key() for f in sheets_sync.findings_of(sheets_sync.audit_calendar(config, now))] == [
        f.key() for f in findings]
    result = sheets_sync.sync(config, now=now)
    assert result.changed_tabs == ["Status", "Report", "History"]
    assert (tmp_path / "calendar.sheets-sync.db").exists()  # the default state path


def test_audit_path_maps_columns_the_aliases_do_not_know(tmp_path: Path) -> None:
    path = tmp_path / "plan.csv"
    path.write_text("Kanal,Gün,Durum,Yazı\nInstagram,2026-03-12,Taslak,Merhaba\n",
                    encoding="utf-8")
    result = sheets_sync.audit_path(path, columns={"caption": ["Yazı"], "publish_at": ["Gün"]},
                                    now=dt.datetime(2026, 3, 10, 9, tzinfo=IST))
    assert result.calendar.headers["caption"] == "Yazı"
    assert result.calendar.frame["caption"].tolist() == ["Merhaba"]
