"""The README's Python examples run as they are written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
SAMPLE = Path(__file__).resolve().parent.parent / "sheets_sync" / "data" / "calendar.xlsx"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def plan_workbook(path: Path) -> None:
    """The sample calendar with its Caption column headed "Post text", as in the README."""
    workbook = openpyxl.load_workbook(SAMPLE)
    sheet = workbook["Calendar"]
    for cell in sheet[1]:
        if cell.value == "Caption":
            cell.value = "Post text"
    workbook.save(path)


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) == 2


@pytest.mark.parametrize("code", BLOCKS, ids=["api", "google-fake"])
def test_a_readme_example_runs(code: str, tmp_path: Path) -> None:
    plan_workbook(tmp_path / "plan.xlsx")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    for expected in re.findall(r"# (\[.*\])$", code, re.M):  # printed values the text shows
        assert expected in done.stdout
    if "audit_path" in code:
        assert re.search(r"^\d+ (info|warning|error|critical) [a-z-]+ ", done.stdout, re.M)
