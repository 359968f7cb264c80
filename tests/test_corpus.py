"""The hostile-input corpus (tests/corpus/make_corpus.py) through `audit PATH` and `sync PATH`.

One test per corpus file: no traceback ever, the documented exit code, a message naming the
file (or findings naming row and column), every finding exactly (row, column and code; the
calendar-level ones by message), audit never touching the file, and sync touching only the
tool's own tabs (or nothing, when it refuses).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from corpus.make_corpus import FORMULA_TEXTS, TODAY, WATCHED, Case, build, cases
from python_calamine import CalamineWorkbook

from sheets_sync.backends.files import read_tab
from sheets_sync.cli import main
from sheets_sync.config import default_calendar
from sheets_sync.outputs import CELL_TEXT_LIMIT
from sheets_sync.parse import parse
from sheets_sync.vocab import strip_invisible

OWNED = ("Status", "Report", "History")
Key = tuple[int, str, str]  # (sheet row, column field, code), as in the corpus cases


def _dup(*rows: int) -> set[Key]:
    return {(r, "caption", "duplicate-caption") for r in rows}


def _per_day(*rows: int) -> set[Key]:
    return {(r, "publish_at", "too-many-per-day") for r in rows}


# As of TODAY (2026-03-10) the 28-day horizon runs to 2026-04-06; every post below is later,
# so each channel used has one calendar gap of the whole horizon: (channel, last day, days).
INSTAGRAM_GAP = ("instagram", "2026-04-06", 28)
SHOWN = {"instagram": "Instagram", "x": "X"}  # the channels as messages name them
# Every finding outside WATCHED of each case that reads its rows: the row-level ones beyond
# case.findings, and the calendar gaps. Most posts share the caption "Hello" on Instagram:
# each later one within 30 days of an earlier one is a duplicate-caption (not cancelled ones),
# and a fourth post on one channel and day is too-many-per-day (ranked by publish time; a
# date-only or unreadable time counts as 09:00, the default publish time).
OTHERS: dict[str, tuple[set[Key], tuple[tuple[str, str, int], ...]]] = {
    "tab-renamed-case-and-space": (_dup(3, 4), (INSTAGRAM_GAP,)),  # P1-P3, 14-16 April
    "header-in-row-3": (set(), (INSTAGRAM_GAP,)),  # P1 has no readable date
    "merged-cells": (set(), (INSTAGRAM_GAP, ("x", "2026-04-06", 28))),  # captions A-E
    "uncached-formulas": (set(), (INSTAGRAM_GAP,)),  # P1 undated, P3's caption a formula
    "cell-of-50000-characters": (_dup(5), (INSTAGRAM_GAP,)),  # P3, P4 "Hello"; P2 undated
    "5000-columns": (_dup(*range(3, 12)), (INSTAGRAM_GAP,)),  # P1-P10, one a day
    "200000-empty-trailing-rows": (_dup(3, 4), (INSTAGRAM_GAP,)),
    "csv-utf8-bom": (_dup(3, 4), (INSTAGRAM_GAP,)),  # P4's caption differs
    "csv-windows-1254": (set(), (INSTAGRAM_GAP,)),  # three different captions
    "csv-utf16-bom-tabs": (set(), (INSTAGRAM_GAP,)),
    "csv-utf16-no-bom": (set(), (INSTAGRAM_GAP,)),
    "csv-semicolons": (_dup(3, 4), (INSTAGRAM_GAP,)),
    "csv-stray-quotes": (set(), (INSTAGRAM_GAP,)),
    "csv-mixed-line-endings": (_dup(3, 4, 5), (INSTAGRAM_GAP, ("x", "2026-04-06", 28))),
    # D10 (row 11) is 5 April, the earliest "Hello": rows 2-10 (14 April) and 25-31
    # (20 April) repeat it. On 14 April D1, D5, D7, D8 (rows 2, 6, 8, 9) are at 09:00, D2,
    # D3, D6 (3, 4, 7) at 10:00, D4 (5) at 13:00 (10:00 UTC), D9 (10) at 14:30: from the
    # fourth on, rows 9, 3, 4, 7, 5, 10. On 20 April T4-T7 (28-31, unreadable times) are at
    # 09:00, T2 (26) at 10:00, T1 and T3 (25, 27) at 14:30: rows 31, 26, 25, 27.
    # D10 is in the horizon: the gap ends the day before it.
    "date-and-time-texts": (_dup(*range(2, 11), *range(25, 32))
                            | _per_day(3, 4, 5, 7, 9, 10, 25, 26, 27, 31),
                            (("instagram", "2026-04-04", 26),)),
    # S1-S3 (rows 2-4) on 14 April; R1-R6 (16-21) all at the same moment on 18 April.
    "serials-nan-inf": (_dup(3, 4, *range(16, 22)) | _per_day(19, 20, 21), (INSTAGRAM_GAP,)),
    # B1-B37 (rows 2-38) all at 2026-04-20 10:00.
    "booleans": (_dup(*range(3, 39)) | _per_day(*range(5, 39)), (INSTAGRAM_GAP,)),
    "invisible-characters": (_dup(*range(3, 10)), (INSTAGRAM_GAP,)),  # one a day, 14-21 April
    # L1-L16 (rows 2-17) one a day from 11 April; L4-L6 (rows 5-7) are cancelled (İptal).
    "turkish-lookalike-statuses": (_dup(3, 4, *range(8, 18)), (INSTAGRAM_GAP,)),
    # Captions are compared with spacing folded: "\t=1+1" and "\r=1+1" repeat "=1+1".
    "formula-text-csv": (_dup(7, 8), (INSTAGRAM_GAP,)),
    "formula-text-xlsx": (_dup(7, 8), (INSTAGRAM_GAP,)),
}
WITH_APPROVED_COLUMN = {"serials-nan-inf", "booleans"}  # their sheets have an "Approved" column
# Package parts a sync may change besides the owned tabs' own parts (it registers new tabs).
REGISTERING = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml",
               "docProps/app.xml", "xl/styles.xml"}


def invoke(*args: str) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    return result


def target(case: Case, path: Path) -> list[str]:
    """The command-line arguments naming the calendar: PATH, or a config with its tab."""
    if not case.tab:
        return [str(path)]
    config = path.with_name("sheets-sync.toml")
    config.write_text(f"[[calendars]]\nname = {json.dumps(path.stem)}\n"
                      f"path = {json.dumps(str(path))}\ntab = {json.dumps(case.tab)}\n",
                      encoding="utf-8")
    return ["--config", str(config)]


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def check_rows_hold_their_posts(case: Case, path: Path, findings: list[dict[str, Any]]) -> None:
    """Every finding's row number points at a sheet row holding that post ID."""
    config = default_calendar(path, tab=case.tab)
    rows = read_tab(path, case.tab).rows
    column = parse(rows, config).columns.get("post_id")
    for finding in findings:
        if finding["row"] and finding["post_id"] and column is not None:
            cell = rows[finding["row"] - 1][column]
            assert strip_invisible(str(cell)).strip() == finding["post_id"], finding


def check_audit(case: Case, path: Path, args: list[str]) -> list[dict[str, Any]]:
    result = invoke("audit", *args, "--format", "json", "--today", TODAY,
                    "--fail-on", case.fail_on)
    assert result.exit_code == case.audit.exit, result.output
    findings: list[dict[str, Any]] = []
    shown = result.stderr
    if result.exit_code in (0, 1):
        document = json.loads(result.stdout)
        findings = document["findings"]
        shown += document["source"] + "\n" + "\n".join(f["message"] for f in findings)
        assert path.name in document["source"]
        watched = {(f["row"], f["column"], f["code"]) for f in findings
                   if f["code"] in WATCHED and f["row"]}
        assert case.findings is not None and watched == case.findings
        others, gaps = OTHERS[case.name]
        every = sorted((f["row"] or 0, f["column"], f["code"]) for f in findings)
        # A calendar without an approval column says so once.
        unrecorded = [] if case.name in WITH_APPROVED_COLUMN else [
            (0, "approved", "no-approval-column")]
        assert every == sorted([*case.findings, *others, *unrecorded,
                                *[(0, "channel", "calendar-gap")] * len(gaps)])
        assert sorted(f["message"] for f in findings if f["code"] == "calendar-gap") == sorted(
            f"{path.stem}: no {SHOWN[channel]} post from 2026-03-10 to {last} ({days} days). "
            "Plan a post in that gap." for channel, last, days in gaps)
        assert all(f["column"] for f in findings if f["row"])  # rows name their column
        assert all(len(f["message"]) < 600 for f in findings)  # a 50,000-character cell is cut
        check_rows_hold_their_posts(case, path, findings)
    else:
        assert path.name in result.stderr
    for text in case.audit.text:
        assert text in shown
    if not case.extra.get("big"):  # the other formats and thresholds agree
        table = invoke("audit", *args, "--today", TODAY, "--fail-on", "critical")
        as_csv = invoke("audit", *args, "--format", "csv", "--today", TODAY, "--fail-on", "info")
        if result.exit_code in (0, 1):
            critical = any(f["severity"] == "critical" for f in findings)
            assert table.exit_code == int(critical)
            assert as_csv.exit_code == int(bool(findings))
            assert len(list(csv.DictReader(io.StringIO(as_csv.stdout)))) == len(findings)
        else:
            assert table.exit_code == as_csv.exit_code == result.exit_code
    return findings


def read_owned(path: Path) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {tab: book.get_sheet_by_name(tab).to_python() for tab in OWNED}


def check_sync(case: Case, path: Path, args: list[str], findings: list[dict[str, Any]]) -> None:
    before = path.read_bytes()
    parts = entries(path) if case.sync.exit == 0 else {}
    result = invoke("sync", *args, "--today", TODAY)
    assert result.exit_code == case.sync.exit, result.output
    for text in case.sync.text:
        assert text in result.output
    if result.exit_code != 0:
        assert path.name in result.stderr
        assert path.read_bytes() == before  # refused or failed: nothing written
        return
    after = entries(path)
    assert {n for n in parts if parts[n] != after.get(n)} <= REGISTERING  # calendar unchanged
    owned = read_owned(path)
    # The Status tab reproduces the audit: (code, row) of each finding, and the post's ID
    # opening its "which post" text (section title rows aside).
    status = [(r[6], int(r[7]) if r[7] != "" else 0, str(r[2])) for r in owned["Status"][1:]
              if len(r) > 7 and r[6] != ""]
    audited = [(f["code"], f["row"] or 0, f["post_id"]) for f in findings]
    assert sorted((c, n) for c, n, _ in status) == sorted((c, n) for c, n, _ in audited)
    for code, number, post_id in audited:
        assert not post_id or any(c == code and n == number and text.startswith(post_id)
                                  for c, n, text in status)
    for grid in owned.values():
        assert all(len(c.encode("utf-16-le")) <= 2 * CELL_TEXT_LIMIT
                   for line in grid for c in line if isinstance(c, str))
    stamp = path.read_bytes()
    again = invoke("sync", *args, "--today", TODAY)
    assert again.exit_code == 0 and "wrote nothing (no change)" in again.stdout
    assert path.read_bytes() == stamp


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_corpus_file(case: Case, tmp_path: Path) -> None:
    path = build(case, tmp_path)
    original = path.read_bytes()
    args = target(case, path)
    findings = check_audit(case, path, args)
    assert path.read_bytes() == original  # auditing never changes the file
    check_sync(case, path, args, findings)


def test_corpus_has_one_case_per_file() -> None:
    names = [c.filename for c in cases()]
    assert len(names) == len(set(names)) >= 29


def test_formula_text_stays_literal_in_every_output(tmp_path: Path) -> None:
    """Text that a spreadsheet would run (=, +, -, @, tab, CR) is written as text.

    Status and History are read back exactly; a CSV export quotes it; JSON keeps it verbatim,
    because JSON is data that no program runs as a formula.
    """
    from sheets_sync.backends.xlsx_write import set_cells

    case = next(c for c in cases() if c.name == "formula-text-xlsx")
    path = build(case, tmp_path)
    assert invoke("sync", str(path), "--today", TODAY).exit_code == 0
    caption = 6
    injected = {(r, caption): f"{text} (edited)" for r, text in enumerate(FORMULA_TEXTS, 2)}
    set_cells(path, "Calendar", injected)
    assert invoke("sync", str(path), "--today", "2026-03-11").exit_code == 0
    owned = read_owned(path)
    trimmed = [t.strip() for t in FORMULA_TEXTS]
    unknown = [r for r in owned["Status"][1:] if len(r) > 6 and r[6] == "unknown-status"]
    status_ids = {r[2].split(" · ")[0] for r in unknown}
    assert status_ids == set(trimmed)  # IDs are trimmed: "\t=1+1" is the post "=1+1"
    owners = {r[4] for r in unknown}
    assert owners == set(FORMULA_TEXTS)  # exactly, prefixes and all
    assert all(any(f"“{text}”" in r[1] for r in unknown) for text in trimmed)
    history = [r for r in owned["History"][1:] if r[2] == "Caption"]  # the header
    # "=1+1" and "\t=1+1" are one ID on two rows: neither is followed (duplicate-id)
    assert {(r[3], r[4]) for r in history} == {(t, f"{t} (edited)") for t in FORMULA_TEXTS
                                               if t.strip() != "=1+1"}
    with zipfile.ZipFile(path) as zf:
        sheets = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in sheets and b"<f " not in sheets  # no formula anywhere in the book

    as_csv = invoke("audit", str(path), "--format", "csv", "--today", TODAY)
    for record in csv.DictReader(io.StringIO(as_csv.stdout)):
        for value in record.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), record
    assert "'=IMPORTXML(" in as_csv.stdout
    as_json = json.loads(invoke("audit", str(path), "--format", "json", "--today",
                                TODAY).stdout)
    ids = {f["post_id"] for f in as_json["findings"] if f["code"] == "unknown-status"}
    assert ids == set(trimmed)  # verbatim: JSON is not executed, so nothing is quoted


def test_uncalculated_formulas_in_prefixed_and_plain_sheets(tmp_path: Path) -> None:
    from corpus.make_corpus import raw_xlsx

    from sheets_sync.backends.formulas import uncalculated_formulas

    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    cells = ('<x:c r="A1"><x:f>DATE(2026,4,14)</x:f></x:c>'  # never calculated
             '<x:c r="B1"><x:f>1+1</x:f><x:v>2</x:v></x:c>'  # calculated
             '<x:c r="C1" t="str"><x:f>""</x:f><x:v></x:v></x:c>'  # an empty text result
             '<x:c r="D1"><x:f t="shared" si="0"/><x:v/></x:c>'  # shared, no result
             "<x:c r=\"E1\"><x:f>IF(A1&gt;0,&quot;a&quot;,&apos;b&apos;)</x:f></x:c>")
    raw_xlsx(tmp_path / "p.xlsx", {"Calendar": f'<x:worksheet xmlns:x="{main_ns}"><x:sheetData>'
                                   f'<x:row r="1">{cells}</x:row></x:sheetData></x:worksheet>'})
    assert uncalculated_formulas(tmp_path / "p.xlsx", "Calendar") == {
        (0, 0): "=DATE(2026,4,14)", (0, 3): "=(formula)", (0, 4): "=IF(A1>0,\"a\",'b')"}
    assert uncalculated_formulas(tmp_path / "p.xlsx", "Other") == {}
