"""The Status and Report tabs of the synced sample, printed by LibreOffice to PDF.

Each tab is printed alone (the other sheets hidden in a copy of the workbook) and its pages
are read back with pypdf. LibreOffice cuts a sheet that is wider than a page into a grid of
row ranges times column ranges, and the first page holds the first of each: when the first
page shows the tab's first and last columns, there is one column range, so no page holds
only a fragment of the columns. Skipped, saying why, where LibreOffice is not installed.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from sheets_sync.cli import main

OFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _pictures() -> ModuleType:
    """tools/pictures.py, whose single-tab copy of a workbook this test prints too."""
    path = Path(__file__).resolve().parents[1] / "tools" / "pictures.py"
    spec = importlib.util.spec_from_file_location("pictures", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


only_tab = _pictures().only_tab
pytestmark = pytest.mark.skipif(
    OFFICE is None, reason="LibreOffice (soffice) is not on PATH; apt-get install "
    "libreoffice-calc to print the tabs in this test")


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample calendar, synced as of the date its configuration suggests."""
    folder = tmp_path_factory.mktemp("sample") / "demo"
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(folder)]).exit_code == 0
    result = runner.invoke(main, ["sync", "--config", str(folder / "sheets-sync.toml"),
                                  "--today", "2026-03-10"])
    assert result.exit_code == 0, result.output
    return folder / "calendar.xlsx"


def printed(book: Path, tab: str, folder: Path) -> list[str]:
    """The text of each page LibreOffice prints of the tab."""
    pypdf = pytest.importorskip("pypdf", reason="pypdf reads the printed pages (test extra)")
    copy = only_tab(book, tab, folder / f"{tab}.xlsx")
    profile = (folder / "profile").as_uri()
    assert OFFICE is not None
    subprocess.run([OFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(folder), str(copy)], check=True,
                   capture_output=True, timeout=300)
    reader = pypdf.PdfReader(folder / f"{tab}.pdf")
    for page in reader.pages:
        box = page.mediabox
        assert box.width > box.height  # landscape
    return [page.extract_text() for page in reader.pages]


def test_the_status_prints_on_two_landscape_pages_all_columns_on_each(
        synced: Path, tmp_path: Path) -> None:
    pages = printed(synced, "Status", tmp_path)
    assert 1 <= len(pages) <= 2
    for number, text in enumerate(pages, 1):
        # the header row is repeated on every page, whole: first column to last
        assert "Severity" in text and "What to do" in text and "Code" in text
        assert re.search(r"\bRow\b", text)
        assert f"Page {number} / {len(pages)}" in text
        assert "sample · Status" in text and "as of 2026-03-10 09:00 Europe/Istanbul" in text
    everything = "".join(pages)
    for section in ("Act today", "This week", "Later", "Plan", "Data to fix"):
        assert section in everything


def test_the_report_prints_on_at_most_three_landscape_pages_one_page_wide(
        synced: Path, tmp_path: Path) -> None:
    pages = printed(synced, "Report", tmp_path)
    assert 1 <= len(pages) <= 3
    first = pages[0]
    assert "Report" in first and "Pipeline" in first
    # the last column (N) is on the first page: the sheet was not cut into column ranges
    assert "On time %" in first and "Posts per week against the contract" in first
    for number, text in enumerate(pages, 1):
        assert f"Page {number} / {len(pages)}" in text and "sample · Report" in text
    assert "Findings by code" in "".join(pages)
