"""Users insert, delete or sort rows while a cycle runs: a guarded write never lands in the
wrong row. The workbook is really changed (openpyxl, as Excel would save it) between the
cycle's read and its writes, through a hook in an XlsxBackend subclass."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import HEADER, at, calendar_config, only, row

from sheets_sync.backends.files import read_tab
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.errors import SourceError
from sheets_sync.run import sync

COLUMNS = [*HEADER, "Revision round"]
ID, STATUS, CAPTION = 0, HEADER.index("Status"), HEADER.index("Caption")


def posts(feature: str) -> list[list[Any]]:
    if feature == "assign_ids":
        return [[*row("P1"), 0], [*row("", caption="needs an id"), 0], [*row("P3"), 0]]
    return [[*row("P1", status="Changes requested"), 1],
            [*row("P2", status="Client review"), 3],  # 3 rounds, 1 included: put on hold
            [*row("P3"), 0]]


def user_edits(path: Path, action: str) -> None:
    """What a person does in Excel: insert a post at the top, delete one, or sort."""
    book = openpyxl.load_workbook(path)
    sheet = book["Calendar"]
    if action == "insert":
        sheet.insert_rows(2)
        for column, value in enumerate([*row("NEW", caption="inserted above"), 0], 1):
            sheet.cell(2, column, value)
    elif action == "delete":
        sheet.delete_rows(2)
    else:  # sorted by publish date, newest first: the last post moves to the top
        values = [[c.value for c in line] for line in sheet.iter_rows(min_row=2, max_row=4)]
        for r, line in enumerate([values[2], values[0], values[1]], 2):
            for column, value in enumerate(line, 1):
                sheet.cell(r, column).value = value  # cell(r, c, None) would keep the old one
    book.save(path)


class UserMeanwhile(XlsxBackend):
    """Runs the user's edit right after the read, or right after the owned tabs are written
    (just before the guarded writes re-read their rows)."""

    def __init__(self, path: Path, action: str, when: str) -> None:
        super().__init__(path, "Europe/Istanbul")
        self.action, self.when = action, when

    def read(self, tab: str, owned: Any) -> Any:
        snapshot = super().read(tab, owned)
        if self.when == "after the read":
            user_edits(self.path, self.action)
        return snapshot

    def write(self, tabs: Any) -> None:
        super().write(tabs)
        if self.when == "after the tabs are written":
            user_edits(self.path, self.action)


def config(path: Path, feature: str) -> Any:
    extra: dict[str, Any] = {"assign_ids": True} if feature == "assign_ids" else {}
    return calendar_config(name="plan", backend="xlsx", path=str(path), tab="Calendar",
                           timezone="Europe/Istanbul", rules={
                               "levels": only("revision-limit-exceeded", "missing-id"),
                               "revisions": {"included_rounds": 1, "on_exceed": "hold"
                                             if feature == "hold" else "report"}}, **extra)


def calendar_rows(path: Path) -> list[list[Any]]:
    return read_tab(path, "Calendar").rows


@pytest.mark.parametrize("when", ["after the read", "after the tabs are written"])
@pytest.mark.parametrize("action", ["insert", "delete", "sort"])
@pytest.mark.parametrize("feature", ["assign_ids", "hold"])
def test_rows_moved_by_a_user_never_receive_a_guarded_write(
        tmp_path: Path, feature: str, action: str, when: str) -> None:
    path = tmp_path / "plan.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Calendar"
    for values in [COLUMNS, *posts(feature)]:
        book.active.append(values)
    book.save(path)
    cfg, state = config(path, feature), str(tmp_path / "state.db")
    racing = UserMeanwhile(path, action, when)
    if when == "after the read":  # the file changed under the cycle: it writes nothing at all
        with pytest.raises(SourceError, match="changed since it was read"):
            sync(cfg, state, at("2026-03-10 09:00"), backend=racing)
        written = calendar_rows(path)
    else:
        result = sync(cfg, state, at("2026-03-10 09:00"), backend=racing)
        assert len(result.guarded) == 1 and result.guarded[0].endswith(
            "not done: the row changed since it was read; the next sync will try again")
        written = calendar_rows(path)
    marker = "SS-00001" if feature == "assign_ids" else "On hold"
    assert all(marker not in line for line in written)  # no calendar cell was written

    after = sync(cfg, state, at("2026-03-10 09:05"))  # the next cycle, on fresh data
    assert not any("not done" in line for line in after.guarded)
    rows = calendar_rows(path)
    if feature == "assign_ids":
        target = [r for r in rows if r[CAPTION] == "needs an id"]
        assert len(target) == 1 and target[0][ID] == "SS-00001"
        assert sum(r.count("SS-00001") for r in rows) == 1
    else:
        held = [r[ID] for r in rows if r[STATUS] == "On hold"]
        assert held == ["P2"]
