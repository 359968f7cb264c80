"""Colour a workbook's calendar rows by the Status tab's findings (``highlight_calendar``).

The calendar's worksheet part gets one ``<conditionalFormatting>`` element over whole rows,
with a rule per severity reading the Status tab (``COUNTIFS('Status'!$H:$H,ROW(),
'Status'!$A:$A,"critical")>0``): the colours follow every later sync without the calendar
being written again. The element is inserted as text where the schema puts it; every other
byte of the part, its ``sheetData`` above all, stays as it was, and switching the setting off
removes exactly that element, leaving the part as it was before. Its fills are differential
formats appended to ``xl/styles.xml``. The tool's element is recognised by its formulas,
which name the Status tab's row column.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from sheets_sync.backends.xlsx_book import Book, xml_prefix
from sheets_sync.backends.xlsx_look import quote_sheet
from sheets_sync.backends.xlsx_package import Package, refuse_locked
from sheets_sync.backends.xlsx_styles import Styles
from sheets_sync.cells import column_letter
from sheets_sync.errors import SourceError
from sheets_sync.looks import Highlight

__all__ = ["formula", "set_highlight"]

# The elements a worksheet may have after <conditionalFormatting>, in the schema's order.
_AFTER = ("dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup",
          "headerFooter", "rowBreaks", "colBreaks", "customProperties", "cellWatches",
          "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF",
          "drawingHF", "picture", "oleObjects", "controls", "webPublishItems", "tableParts",
          "extLst")
_MAX_ROW = 1_048_576


def _marker(status_tab: str) -> str:
    return f"COUNTIFS({quote_sheet(status_tab)}!$"


def formula(spec: Highlight, label: str) -> str:
    """The rule of one severity: the Status tab lists this row with that severity."""
    tab = quote_sheet(spec.status_tab)
    rows, levels = column_letter(spec.row_column), column_letter(spec.severity_column)
    text = label.replace('"', '""')
    return f'COUNTIFS({tab}!${rows}:${rows},ROW(),{tab}!${levels}:${levels},"{text}")>0'


def _ours(text: str, p: str, status_tab: str) -> list[re.Match[str]]:
    """The tool's <conditionalFormatting> elements in a worksheet part's text."""
    marker = escape(_marker(status_tab))
    return [m for m in re.finditer(
        rf"<{p}conditionalFormatting\b[^>]*>.*?</{p}conditionalFormatting>", text, re.DOTALL)
        if marker in m.group(0)]


def _element(spec: Highlight, p: str, styles: Styles, priority: int) -> str:
    rules = "".join(
        f'<{p}cfRule type="expression" dxfId="{styles.dxf(fill)}" priority="{priority + i}" '
        f'stopIfTrue="1"><{p}formula>{escape(formula(spec, label))}</{p}formula></{p}cfRule>'
        for i, (label, fill) in enumerate(spec.fills))
    return (f'<{p}conditionalFormatting sqref="A{spec.first_row}:XFD{_MAX_ROW}">{rules}'
            f"</{p}conditionalFormatting>")


def _insert(text: str, p: str, element: str) -> str:
    """``text`` with ``element`` where the schema puts conditional formats: after any there
    are, before the first element that follows them, else before the worksheet's end."""
    end = text.find(f"</{p}sheetData>")
    start = end if end >= 0 else 0
    names = "|".join(_AFTER)
    found = re.compile(rf"<{p}(?:{names})[\s/>]").search(text, start)
    at = found.start() if found else text.rfind(f"</{p}worksheet>")
    if at < 0:
        raise ValueError("no end of worksheet")
    return text[:at] + element + text[at:]


def set_highlight(path: Path, calendar_tab: str, spec: Highlight | None,
                  status_tab: str) -> bool:
    """Give the calendar tab the highlight of ``spec``, or remove the tool's highlight when
    it is None (``status_tab`` names the Status tab it read). Returns whether the workbook
    was written: nothing is written when the tab already is as asked. SourceError for a
    tab that is missing or damaged; atomic, refused while the workbook is open elsewhere."""
    refuse_locked(path)
    with Package(path) as pkg:
        book = Book(pkg)
        part = book.worksheet(calendar_tab)
        if part is None:
            raise SourceError(f"{path.name} has no worksheet named {calendar_tab!r}")
        text = pkg.text(part)
        p = xml_prefix(text, "worksheet")
        styles = Styles(pkg, book)
        found = _ours(text, p, status_tab)
        kept = text
        for match in reversed(found):
            kept = kept[:match.start()] + kept[match.end():]
        new = kept
        if spec is not None:
            priorities = [int(n) for n in re.findall(r'\spriority="(\d+)"', kept)]
            element = _element(spec, p, styles, max(priorities, default=0) + 1)
            if len(found) == 1 and found[0].group(0) == element:
                return False
            try:
                new = _insert(kept, p, element)
            except ValueError:
                raise SourceError(f"{path.name}, tab {calendar_tab!r}: the sheet's XML is "
                                  "damaged") from None
        if new == text:
            return False
        changes = {part: new.encode("utf-8")}
        changes.update(book.edits(styles.edited()))
        pkg.commit(changes, book.removed)
    return True
