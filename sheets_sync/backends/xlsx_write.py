"""Write the tool's own tabs into a local .xlsx workbook, leaving every other part untouched.

The public entry points: :func:`replace_tabs` (whole owned tabs), :func:`set_cells` (single
cells of an existing tab) and :func:`lock_file`. Tabs are marked as the tool's own when they
are created, and a guarded write (:class:`Ownership`) replaces no other tab
(:mod:`sheets_sync.backends.owned`). The workbook is never loaded and saved with
openpyxl (that rewrites every part). Instead the zip is rebuilt entry by entry: untouched
entries are copied with their original compressed bytes, only the owned sheet parts are
generated, and the few package files that list sheets get minimal text insertions when a tab
is added; ``xl/styles.xml`` is only appended to.

- :mod:`sheets_sync.backends.xlsx_package`: the zip, lock files and atomic writes.
- :mod:`sheets_sync.backends.xlsx_book`: the workbook / relationships / content-types parts.
- :mod:`sheets_sync.backends.xlsx_styles`: the append-only styles part.
- :mod:`sheets_sync.backends.xlsx_sheet`: the cell templates, how each value is written (text
  escaping, dates, blanks) and whole generated worksheets.
- :mod:`sheets_sync.backends.xlsx_edit`: single cells written into an existing worksheet.

Every write is atomic (temp file in the same directory, fsync, ``os.replace``, file mode kept)
and refused while Excel or LibreOffice holds the workbook open (their lock files beside it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sheets_sync.backends.owned import MARK_NAME, adoptable, same_tab
from sheets_sync.backends.xlsx_book import Book
from sheets_sync.backends.xlsx_chart import ChartParts
from sheets_sync.backends.xlsx_edit import edit_cells
from sheets_sync.backends.xlsx_look import quote_sheet, rows_at, sheet_with_look
from sheets_sync.backends.xlsx_package import (
    Deflated,
    Package,
    WorkbookLocked,
    lock_file,
    refuse_locked,
)
from sheets_sync.backends.xlsx_sheet import CellWriter, sheet_xml
from sheets_sync.backends.xlsx_styles import Styles
from sheets_sync.cells import Cell
from sheets_sync.errors import ForeignTabError, SourceError
from sheets_sync.looks import look_of

__all__ = ["Ownership", "WorkbookLocked", "lock_file", "replace_tabs", "set_cells"]

_BAD_NAME = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Ownership:
    """What a guarded :func:`replace_tabs` knows besides the workbook's marks.

    ``calendar`` is the tab read as the calendar ("" when none was read): it is never
    written, and a mark on it refuses the write. ``rows(name)`` returns an existing tab's
    rows (None when unknown); it is asked only for an unmarked tab, to see whether an earlier
    version wrote it.
    """

    calendar: str
    rows: Callable[[str], Sequence[Sequence[Cell]] | None]


def replace_tabs(path: Path, tabs: Mapping[str, Sequence[Sequence[Cell]]],
                 owned: Ownership | None = None) -> bool:
    """Make each named tab hold exactly these rows (row 0 -> sheet row 1), adding missing tabs.

    Tabs it adds are marked as the tool's own. With ``owned`` (the backend always passes it)
    an existing tab is replaced only when it carries that mark, or when it is unmarked but
    starts with the tool's leading rows for the tab being written (written by an earlier
    version: it is marked now); any other tab, or the calendar tab, raises ForeignTabError.
    Without ``owned`` the caller vouches for the tabs it names.

    Returns False and writes nothing when every generated part equals what the file holds;
    True after an atomic write. Raises WorkbookLocked when a lock file exists, SourceError for
    an unreadable workbook or an unusable tab name, TypeError for a value no cell can hold;
    nothing is written when it raises.
    """
    target = _target(path)
    with Package(target) as pkg:
        book = Book(pkg)
        if owned is not None:
            _check_calendar_unmarked(target, book, owned.calendar)
        styles = Styles(pkg, book)
        folded = {name.casefold(): name for name in (*book.sheets, *book.others)}
        changes: dict[str, bytes | Deflated] = {}
        formulas = False
        for name, rows in tabs.items():
            _check_tab_name(target, name, folded)
            folded[name.casefold()] = name
            part = book.worksheet(name)
            if part is not None and owned is not None:
                _check_owned(target, book, name, rows, owned)
            old = None if part is None else pkg.read(part)
            if part is None:
                part = book.add_sheet(name)
                book.mark(name)
            xml, parts = _sheet(pkg, book, styles, name, part, rows,
                                owned.calendar if owned else "", old)
            changes.update((p, data) for p, data in parts.items() if pkg.find(p) is None
                           or pkg.read(p) != data)
            if not (xml.same if isinstance(xml, Deflated) else old == xml):
                changes[part] = xml
                formulas = formulas or (old is not None
                                        and re.search(rb"<(?:\w+:)?f[\s>/]", old) is not None)
        if not changes and not styles.changed and not book.changed():
            return False
        if formulas:  # cells of a replaced tab held formulas: calcChain would point at them
            book.drop_calc_chain()
        changes.update(book.edits(styles.edited()))
        pkg.commit(changes, book.removed)
    return True


def _sheet(pkg: Package, book: Book, styles: Styles, name: str, part: str,
           rows: Sequence[Sequence[Cell]], calendar: str, old: bytes | None
           ) -> tuple[bytes | Deflated, dict[str, bytes]]:
    """The worksheet part of an owned tab, and the parts of its charts: with its look when
    it carries one (and then the rows its printed pages repeat), else plain
    (:func:`sheet_xml`). A tab with a look is deflated as it is made, compared on the way
    with its ``old`` part (None: the tab is new)."""
    look = look_of(rows)
    if look is None:
        return sheet_xml(name, rows, styles, book.epoch), {}
    if look.page is not None and look.page.title_rows:
        book.define("_xlnm.Print_Titles", name, f"{quote_sheet(name)}!$1:${look.page.title_rows}")
    parts = ChartParts(pkg, book, part).changes(name, look.charts, rows)
    drawing = "rId1" if look.charts else ""
    out = Deflated(old, rows_at(old)) if old is not None else Deflated()
    sheet_with_look(rows, styles, book.epoch, look, name, calendar, drawing, out)
    return out, parts


def set_cells(path: Path, tab: str, cells: Mapping[tuple[int, int], Cell]) -> None:
    """Write single cells (1-based row and column) into an existing tab, keeping their style.

    Only that sheet's part changes (and styles.xml, append-only, when a date goes into an
    unstyled cell). Refuses to overwrite a formula cell. Atomic, with the same lock check.
    """
    target = _target(path)
    with Package(target) as pkg:
        book = Book(pkg)
        part = book.worksheet(tab)
        if part is None:
            raise SourceError(f"{target.name} has no worksheet named {tab!r}")
        styles = Styles(pkg, book)
        text = pkg.text(part)
        where = f"{target.name}, tab {tab!r}"
        try:
            new = edit_cells(text, dict(cells), CellWriter(styles, book.epoch, where))
        except ValueError:  # a closing tag is missing
            raise SourceError(f"{where}: the sheet's XML is damaged") from None
        if new == text:
            return
        changes = {part: new.encode("utf-8")}
        changes.update(book.edits(styles.edited()))
        pkg.commit(changes, book.removed)


def _check_calendar_unmarked(target: Path, book: Book, calendar: str) -> None:
    """SourceError when the tool's mark sits on the calendar tab (a crafted or damaged file)."""
    if calendar and calendar in book.marked:
        raise SourceError(
            f"{target.name}: the calendar tab {calendar!r} carries the mark sheets-sync puts "
            f"only on its own tabs (the defined name {MARK_NAME} of that sheet), so the "
            "workbook was edited by hand or damaged; nothing was written. Delete that name "
            "(Excel: Formulas > Name Manager; LibreOffice: Sheet > Named Ranges and "
            "Expressions > Manage) and sync again")


def _check_owned(target: Path, book: Book, name: str, rows: Sequence[Sequence[Cell]],
                 owned: Ownership) -> None:
    """ForeignTabError unless the existing tab ``name`` may be replaced by ``rows``; an
    unmarked tab an earlier version wrote is marked (see :mod:`sheets_sync.backends.owned`)."""
    if owned.calendar and same_tab(name, owned.calendar):
        raise ForeignTabError(target.name, name, "give sheets-sync's tabs names other than the "
                              "calendar tab's (`status_tab`, `report_tab`, `history_tab`)")
    if name in book.marked:
        return
    if not adoptable(owned.rows(name), rows):
        raise ForeignTabError(target.name, name)
    book.mark(name)


def _target(path: Path) -> Path:
    """The workbook's real path (links resolved); WorkbookLocked while it is open elsewhere."""
    refuse_locked(Path(path))
    return Path(os.path.realpath(path))


def _check_tab_name(target: Path, name: str, folded: dict[str, str]) -> None:
    """SourceError unless Excel accepts name as a tab next to the tabs in folded.

    folded maps each existing tab's case-folded name to its name.
    """
    if not name or len(name) > 31 or _BAD_NAME.search(name) or name[0] == "'" or name[-1] == "'":
        raise SourceError(
            f"cannot write tab {name!r} into {target.name}: a tab name has 1-31 characters, "
            "none of [ ] : * ? / \\, and does not start or end with an apostrophe"
        )
    other = folded.get(name.casefold())
    if other is not None and other != name:
        raise SourceError(
            f"cannot write tab {name!r} into {target.name}: it already has a tab {other!r}, and "
            "Excel does not allow two tab names that differ only in case; rename that tab or "
            "configure a different tab name"
        )
