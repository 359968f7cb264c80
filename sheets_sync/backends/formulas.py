"""Formula cells a workbook holds without a saved result, read from the sheet's XML.

python-calamine reads such cells as empty; this module finds them so that the reader can show
their formula instead (see :func:`sheets_sync.backends.files.read_tabs`).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from sheets_sync.cells import column_number

__all__ = ["sheet_part", "uncalculated_formulas", "uncalculated_in"]

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_ROOT = re.compile(rb"<(?:([\w.-]+):)?worksheet[\s>]")
_SAVED = re.compile(rb"\s*<(?:\w+:)?v>[^<]")  # a result follows the formula
_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*)>\s*")  # the cell the formula is the first child of
_REF = re.compile(rb'\br\s*=\s*"([A-Z]+)([0-9]+)"')
_TYPED = re.compile(rb"(?:^|\s)t\s*=")  # t="str" with an empty result: a saved empty text


def uncalculated_formulas(path: Path, name: str) -> dict[tuple[int, int], str]:
    """Formula cells of tab ``name`` that hold no saved result: (row, column) -> "=formula".

    Programs that write workbooks without calculating them (openpyxl, for one) leave such
    cells, which calamine reads as empty; the formula text makes the row's finding say what
    the cell holds. Best effort: a workbook whose parts cannot be followed gives {}.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            part = sheet_part(zf, name)
            if part is None:
                return {}
            with zf.open(part) as fh:  # most sheets hold no formula: keep little in memory
                head = fh.read(1 << 20)
                chunks, found = [head], _FORMULA_TAG.search(head) is not None
                while chunk := fh.read(1 << 20):
                    found = found or _FORMULA_TAG.search(chunks[-1][-8:] + chunk) is not None
                    chunks.append(chunk)
                    if not found:  # cells carry their own positions: earlier text is not needed
                        del chunks[:-1]
            data = b"".join(chunks) if found else b""
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}
    return uncalculated_in(head, data)


def uncalculated_in(head: bytes, data: bytes) -> dict[tuple[int, int], str]:
    """The formula cells without a saved result in a sheet's XML (``data``: the whole XML,
    or empty when it holds no formula tag; ``head``: its first chunk)."""
    if not data:
        return {}
    root = _ROOT.search(head, 0, 4096)
    p = re.escape(root.group(1) + b":") if root and root.group(1) else b""
    # a literal start ("<f") lets the regex engine skip ahead quickly over a large sheet
    formula = re.compile(b"<" + p + rb"f\b[^>]*?(?:/>|>([^<]*)</" + p + b"f>)")
    out: dict[tuple[int, int], str] = {}
    for match in formula.finditer(data):
        if _SAVED.match(data, match.end()):
            continue  # the usual case: the result was saved with the formula
        start = data.rfind(b"<", 0, match.start())
        cell = _CELL.fullmatch(data, start, match.start())
        ref = _REF.search(cell.group(1)) if cell else None
        if cell is None or ref is None or _TYPED.search(cell.group(1)):
            continue
        from xml.sax.saxutils import unescape  # it loads urllib: only for a formula not saved

        column = column_number(ref.group(1).decode())
        text = unescape((match.group(1) or b"").decode("utf-8", "replace"),
                        {"&quot;": '"', "&apos;": "'"})
        out[(int(ref.group(2)) - 1, column - 1)] = "=" + (text or "(formula)")
    return out


def sheet_part(zf: zipfile.ZipFile, name: str) -> str | None:
    """The zip entry of worksheet ``name`` (through workbook.xml and its relationships)."""
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rid = next((e.get(rel) for e in book.iter() if e.tag.endswith("}sheet")
                and e.get("name") == name), None)
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target = next((e.get("Target", "") for e in rels if e.get("Id") == rid), "")
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(
        posixpath.join("xl", target))
