"""The cycle of a workbook nobody changed neither loads nor compares the post snapshot.

The last successful cycle keeps what it observed per post (observed rounds, when review
started, when an approval was first seen, changed-after-approval) with a token naming the
calendar's cells, the configuration and the code. When the kept read serves the very cells
that cycle observed, the next cycle takes that observation back: no History entry,
transition or snapshot change can come of comparing them again. Each such cycle is checked
against a cycle that reads the workbook and compares every post (a backend that keeps
nothing), at the same moment with the same state.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from conftest import at, calendar_config, write_workbook

import sheets_sync.run as run_module
from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.history import observe
from sheets_sync.run import sync
from sheets_sync.state import StateStore

HEADER = ["ID", "Client", "Channel", "Format", "Publish date", "Status", "Caption", "Asset",
          "Owner"]
MONDAY = at("2026-03-09 09:00")
LATER = dt.datetime(2026, 4, 20, 10, 0)
ROWS = [
    ["P1", "Acme", "Instagram", "Post", LATER, "Client review", "Spring A", "a.jpg", "Ayşe"],
    ["P2", "Acme", "TikTok", "Video", LATER, "Approved", "Spring B", "b.jpg", "Mehmet"],
    ["P3", "Acme", "LinkedIn", "Post", LATER, "Changes requested", "Spring C", "c.jpg", "Ayşe"],
    ["P4", "Acme", "Instagram", "Post", LATER, "Client review", "Twice 1", "d.jpg", "Ayşe"],
    ["P4", "Acme", "Instagram", "Post", LATER, "Client review", "Twice 2", "e.jpg", "Ayşe"],
    [None, "Acme", "Instagram", "Post", LATER, "Approved", "No ID", "f.jpg", "Ayşe"],
    ["P5", "Acme", "Instagram", "Post", LATER, "Draft", "Spring D", "g.jpg", "Ayşe"],
]


def build(path: Path) -> Path:
    return write_workbook(path, [HEADER, *ROWS])


def edit(path: Path, cell: str, value: str) -> None:
    book = openpyxl.load_workbook(path)
    book["Calendar"][cell] = value
    book.save(path)


def config(path: Path, **extra: Any) -> Any:
    return calendar_config(name="plan", backend="xlsx", path=str(path), tab="Calendar",
                           timezone="Europe/Istanbul", **extra)


class Calls:
    """Counts the snapshot's loads, the comparisons with it, and the posts each save
    writes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.loads = self.observes = 0
        self.saved: list[int] = []
        posts, save = StateStore.posts, StateStore.save

        def counted_posts(store: StateStore, calendar: str) -> pd.DataFrame:
            self.loads += 1
            return posts(store, calendar)

        def counted_observe(*args: Any, **kwargs: Any) -> Any:
            self.observes += 1
            return observe(*args, **kwargs)

        def counted_save(store: StateStore, calendar: str, changes: Any, *args: Any,
                         **kwargs: Any) -> None:
            self.saved.append(len(changes.posts))
            save(store, calendar, changes, *args, **kwargs)

        monkeypatch.setattr(StateStore, "posts", counted_posts)
        monkeypatch.setattr(StateStore, "save", counted_save)
        monkeypatch.setattr(run_module, "observe", counted_observe)

    def counts(self) -> tuple[int, int]:
        return self.loads, self.observes


def full_cycle(path: Path, state: str, now: dt.datetime, **extra: Any) -> Any:
    """The cycle as one that compares every post runs it (a backend that keeps nothing
    names no cells), on the same state; a dry run, so nothing is saved."""
    return sync(config(path, **extra), state, now, dry_run=True,
                backend=XlsxBackend(path, "Europe/Istanbul"))


def same_cycle(replayed: Any, full: Any) -> None:
    pd.testing.assert_frame_equal(replayed.findings, full.findings)
    assert replayed.outputs == full.outputs


def findings_of(result: Any) -> set[tuple[str, str]]:
    return set(zip(result.findings["code"], result.findings["post_id"], strict=True))


def history(result: Any) -> list[list[Any]]:
    return [list(r) for r in result.outputs["History"][1:]]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return build(tmp_path / "plan.xlsx")


def test_an_unchanged_workbook_is_neither_compared_nor_saved_and_gives_the_full_cycle(
        workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = str(workbook.with_suffix(".db"))
    sync(config(workbook), state, MONDAY)
    edit(workbook, "G3", "Spring B, edited")  # P2's caption, after its approval
    calls = Calls(monkeypatch)
    edited = sync(config(workbook), state, MONDAY + dt.timedelta(days=1))
    assert calls.counts() == (1, 1) and calls.saved == [1]  # P2's new caption saved
    assert history(edited)[-1][1:5] == ["P2", "Caption", "Spring B", "Spring B, edited"]
    thursday = MONDAY + dt.timedelta(days=3)
    replayed = sync(config(workbook), state, thursday)
    assert calls.counts() == (1, 1) and calls.saved == [1, 0]  # no load, no compare, no post
    assert replayed.changed_tabs == ["Status", "Report"]  # the day's findings, not History
    full = full_cycle(workbook, state, thursday)
    assert calls.counts() == (2, 2)
    same_cycle(replayed, full)
    found = findings_of(replayed)
    # the observed facts: P1 in review since Monday (the sheet has no date for it), P2's
    # caption edited after its approval; the rows without one post ID are seen afresh
    assert {("feedback-overdue", "P1"), ("changed-after-approval", "P2")} <= found
    assert ("feedback-overdue", "P4") not in found
    assert history(replayed) == history(edited)


def test_an_edit_after_unchanged_cycles_is_compared_and_recorded_in_history(
        workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = str(workbook.with_suffix(".db"))
    sync(config(workbook), state, MONDAY)
    calls = Calls(monkeypatch)
    sync(config(workbook), state, MONDAY + dt.timedelta(hours=1))
    assert calls.counts() == (0, 0)
    edit(workbook, "F8", "Client review")  # P5: Draft -> Client review
    tuesday = MONDAY + dt.timedelta(days=1)
    edited = sync(config(workbook), state, tuesday)
    assert calls.counts() == (1, 1) and calls.saved == [0, 1]
    assert history(edited)[-1][1:5] == ["P5", "Status", "Draft", "Client review"]
    assert StateStore(state).transitions("plan")["post_id"].tolist() == ["P5"]
    # the edited calendar's observation is kept in turn: P5 in review since Tuesday
    friday = MONDAY + dt.timedelta(days=4)
    replayed = sync(config(workbook), state, friday)
    assert calls.counts() == (1, 1)
    assert history(replayed) == history(edited)
    assert ("feedback-overdue", "P5") in findings_of(replayed)
    same_cycle(replayed, full_cycle(workbook, state, friday))


def test_a_later_day_on_the_unchanged_workbook_gives_that_days_findings(
        workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = str(workbook.with_suffix(".db"))
    first = sync(config(workbook), state, MONDAY)
    assert ("feedback-overdue", "P1") not in findings_of(first)
    calls = Calls(monkeypatch)
    for full, days in enumerate((1, 3, 8)):
        moment = MONDAY + dt.timedelta(days=days)
        replayed = sync(config(workbook), state, moment)
        assert calls.counts() == (full, full)  # only the full cycles below compared
        overdue = ("feedback-overdue", "P1") in findings_of(replayed)
        assert overdue == (days >= 3)  # two business days after Monday 09:00: Wednesday
        same_cycle(replayed, full_cycle(workbook, state, moment))
    # the publish date comes close: approval-missing for the posts not approved yet
    near = sync(config(workbook), state, at("2026-04-18 09:00"))
    assert calls.counts() == (3, 3)  # only the three full cycles compared
    assert {("approval-missing", "P1"), ("approval-missing", "P5")} <= findings_of(near)
    same_cycle(near, full_cycle(workbook, state, at("2026-04-18 09:00")))


def test_another_configuration_or_a_cycle_that_kept_nothing_means_a_full_comparison(
        workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = str(workbook.with_suffix(".db"))
    sync(config(workbook), state, MONDAY)
    calls = Calls(monkeypatch)
    # another status word for review: P5's Draft reads differently, History says so
    other = config(workbook, statuses={"client_review": ["Client review", "Draft"]})
    changed = sync(other, state, MONDAY + dt.timedelta(hours=1))
    assert calls.counts() == (1, 1)
    assert history(changed)[-1][1:3] == ["P5", "Status"]
    # a cycle whose backend names no cells keeps no observation: the next one compares
    sync(config(workbook), state, MONDAY + dt.timedelta(hours=2),
         backend=XlsxBackend(workbook, "Europe/Istanbul"))
    assert calls.counts() == (2, 2)
    sync(config(workbook), state, MONDAY + dt.timedelta(hours=3))
    assert calls.counts() == (3, 3)
    sync(config(workbook), state, MONDAY + dt.timedelta(hours=4))
    assert calls.counts() == (3, 3)


def test_a_damaged_kept_observation_means_a_full_comparison(
        workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = str(workbook.with_suffix(".db"))
    sync(config(workbook), state, MONDAY)
    store = StateStore(state)
    store.db.execute("UPDATE meta SET value = ? WHERE key = 'cache:plan:observation-data'",
                     (b"not an observation",))
    store.close()
    calls = Calls(monkeypatch)
    moment = MONDAY + dt.timedelta(days=3)
    result = sync(config(workbook), state, moment)
    assert calls.counts() == (1, 1)
    same_cycle(result, full_cycle(workbook, state, moment))



def test_a_workbook_saved_again_with_the_same_cells_is_read_but_not_compared(
        workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = str(workbook.with_suffix(".db"))
    sync(config(workbook), state, MONDAY)
    before = workbook.read_bytes()
    book = openpyxl.load_workbook(workbook)
    book["Calendar"]["A20"] = "x"  # a cell typed and deleted again: the same cells
    book["Calendar"]["A20"] = None
    book.save(workbook)
    assert workbook.read_bytes() != before
    calls = Calls(monkeypatch)
    moment = MONDAY + dt.timedelta(days=3)
    result = sync(config(workbook), state, moment)
    assert calls.counts() == (0, 0)
    assert result.calendar.frame["post_id"].tolist() == ["P1", "P2", "P3", "P4", "P4", "",
                                                         "P5"]
    same_cycle(result, full_cycle(workbook, state, moment))


def test_another_version_of_the_code_compares_again(
        workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = str(workbook.with_suffix(".db"))
    sync(config(workbook), state, MONDAY)
    calls = Calls(monkeypatch)
    monkeypatch.setattr(run_module, "_code", lambda: "sheets_sync/parse.py:1:2")
    sync(config(workbook), state, MONDAY + dt.timedelta(hours=1))
    assert calls.counts() == (1, 1)  # kept by another version: not taken back
    sync(config(workbook), state, MONDAY + dt.timedelta(hours=2))
    assert calls.counts() == (1, 1)  # kept by this one: taken back
    monkeypatch.setattr(run_module, "_code", lambda: "")  # its modules cannot be listed
    sync(config(workbook), state, MONDAY + dt.timedelta(hours=3))
    sync(config(workbook), state, MONDAY + dt.timedelta(hours=4))
    assert calls.counts() == (3, 3)
