"""Render the synced sample's Status and Report tabs as the pictures the README shows.

    python tools/pictures.py                 # writes docs/status.png and docs/report.png
    python tools/pictures.py --out DIR --dpi 80

It writes the bundled sample (``sheets-sync init``), syncs it as of 2026-03-10, prints each
tab alone through LibreOffice to PDF (the other sheets hidden in a copy, as the print test
does) and turns the first page into a PNG with ``pdftoppm``. Needs LibreOffice (``soffice``)
and poppler's ``pdftoppm`` on PATH (Debian: ``apt-get install libreoffice-calc
poppler-utils``); it says which one is missing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sheets_sync.cli import main  # noqa: E402  (the checkout's own package)

TABS = {"Status": "status.png", "Report": "report.png"}


def only_tab(source: Path, tab: str, target: Path) -> Path:
    """A copy of the workbook in which only ``tab`` is visible (LibreOffice prints those)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                text = data.decode("utf-8")
                names = re.findall(r'<sheet [^>]*name="([^"]*)"', text)

                def hide(match: re.Match[str]) -> str:
                    sheet = match.group(0)
                    if f'name="{tab}"' in sheet:
                        return sheet
                    sheet = re.sub(r'\sstate="[^"]*"', "", sheet)
                    return sheet.replace("<sheet ", '<sheet state="hidden" ', 1)

                text = re.sub(r"<sheet [^>]*/>", hide, text)
                text = re.sub(r'activeTab="\d+"', f'activeTab="{names.index(tab)}"', text)
                data = text.encode("utf-8")
            zout.writestr(info, data)
    return target


def render(out: Path, dpi: int) -> list[Path]:
    """Write one PNG per tab into ``out``; the paths written."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise SystemExit("LibreOffice (soffice) is not on PATH: apt-get install libreoffice-calc")
    if shutil.which("pdftoppm") is None:
        raise SystemExit("pdftoppm is not on PATH: apt-get install poppler-utils")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "demo"
        runner = CliRunner()
        for args in (["init", str(folder)],
                     ["sync", "--config", str(folder / "sheets-sync.toml"), "--today",
                      "2026-03-10"]):
            result = runner.invoke(main, args)
            if result.exit_code != 0:
                raise SystemExit(f"sheets-sync {args[0]} failed: {result.output}")
        for tab, name in TABS.items():
            copy = only_tab(folder / "calendar.xlsx", tab, Path(scratch) / f"{tab}.xlsx")
            subprocess.run([office, f"-env:UserInstallation={(Path(scratch) / 'lo').as_uri()}",
                            "--headless", "--convert-to", "pdf", "--outdir", scratch,
                            str(copy)], check=True, capture_output=True, timeout=300)
            stem = Path(scratch) / tab
            subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1",
                            "-singlefile", str(Path(scratch) / f"{tab}.pdf"), str(stem)],
                           check=True, capture_output=True, timeout=120)
            target = out / name
            shutil.copyfile(stem.with_suffix(".png"), target)
            written.append(target)
    return written


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs",
                        help="folder for status.png and report.png (default: docs/)")
    parser.add_argument("--dpi", type=int, default=80, help="resolution (default: 80)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = parse_args()
    for path in render(options.out, options.dpi):
        print(path)
