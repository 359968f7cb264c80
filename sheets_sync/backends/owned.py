"""Which tabs are the tool's own: how a backend marks them, and how it recognises the tabs that
versions before the mark wrote.

The tool rewrites a tab only when it created it. Every backend marks a tab as it creates it,
with a mark that travels with the tab (renamed, moved) and disappears with it (deleted), so a
tab a person deletes and creates again under the same name is theirs, not the tool's:

- xlsx: a defined name ``_sheets_sync_owned`` scoped to the sheet (``localSheetId``). Excel
  and LibreOffice keep a sheet's names when they save, move their scope along when tabs are
  reordered, and delete them with the sheet. (A list of ``sheetId`` values would not do:
  LibreOffice renumbers sheetIds by position when it saves, and a new tab may get the number
  of a deleted one.) Its value is a text that says what it is, for whoever opens the Name
  Manager.
- Google: developer metadata ``sheets-sync-owned`` located on the sheet, with DOCUMENT
  visibility; Google deletes it with the sheet.
- memory: the set of tabs it created.

A mark found on the calendar tab itself is refused as a whole (a crafted or damaged file):
the calendar is never written over, whatever a mark says.

Tabs written by versions before the mark existed carry none. Decision: such a tab is adopted
(marked, then written) only when it starts with the tool's own leading rows for that tab in
the language being written (:func:`sheets_sync.outputs.tab_signatures`: the Status and History
headers, the Report's title and "Updated" label; or the leading rows an earlier
version gave the same tab, :func:`sheets_sync.outputs.legacy_signatures`) and it is not the
calendar tab. A person's own "Report" or "History" tab does not start with those exact labels, so it
is never taken over; a tool's tab a person emptied or scribbled over before the upgrade is
not adopted either, and the sync says how to rename the tool's tabs instead. Refusing is the
safe failure: it costs a configuration change, never a person's rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from sheets_sync.cells import Cell
from sheets_sync.outputs import legacy_signatures, tab_signatures

__all__ = ["MARK_NAME", "MARK_TEXT", "METADATA_KEY", "adoptable", "same_tab", "signature_of",
           "starts_with"]

MARK_NAME = "_sheets_sync_owned"
MARK_TEXT = "sheets-sync rewrites this tab on every sync"
METADATA_KEY = "sheets-sync-owned"

Rows = Sequence[Sequence[Cell]]
Signature = tuple[tuple[str, ...], ...]
_SIGNATURES = tab_signatures()
_LEGACY = legacy_signatures()


def starts_with(rows: Rows | None, signature: Signature) -> bool:
    """Whether each of the first rows begins with the labels of the signature's row."""
    if rows is None or len(rows) < len(signature):
        return False
    return all(len(line) >= len(labels) and tuple(line[: len(labels)]) == labels
               for line, labels in zip(rows, signature))


def signature_of(grid: Rows) -> Signature | None:
    """The tool's leading rows that ``grid`` (a tab about to be written) starts with."""
    return next((s for s in _SIGNATURES if starts_with(grid, s)), None)


def adoptable(existing: Rows | None, grid: Rows) -> bool:
    """Whether an unmarked tab holding ``existing`` may be taken over to write ``grid``.

    True only when both start with the same signature, hence in the language written; the
    existing tab may also start with the leading rows an earlier version gave that tab.
    """
    signature = signature_of(grid)
    if signature is None:
        return False
    return any(starts_with(existing, s) for s in (signature, *_LEGACY.get(signature, ())))


def same_tab(a: str, b: str) -> bool:
    """Whether two tab names name one tab (spreadsheets ignore case; lookups trim spaces)."""
    return a.strip().casefold() == b.strip().casefold()
