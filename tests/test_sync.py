"""The sync cycle on the memory backend: state, history rules, writes only when changed."""

from __future__ import annotations

import datetime as dt
import gc
import os
import sqlite3
from typing import Any

import pytest
from conftest import HEADER, at, calendar_config, row

from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.cells import Cell
from sheets_sync.errors import SourceError
from sheets_sync.locking import CycleLocked, cycle_lock
from sheets_sync.run import run_once, sync
from sheets_sync.state import StateStore
from sheets_sync.stores import StorePool

RULES_OFF = {code: "off" for code in ("calendar-gap", "cadence-below-contract",
                                      "stale-unpublished", "approval-missing")}


def config(**extra: Any) -> Any:
    return calendar_config(tab="Calendar", rules={"levels": RULES_OFF,
                                                 "revisions": {"included_rounds": 2}}, **extra)


def backend(*rows: list[Cell]) -> MemoryBackend:
    return MemoryBackend({"Calendar": [list(HEADER), *map(list, rows)]})


def codes_of(result: Any, post: str = "P1") -> set[str]:
    f = result.findings
    return set(f.loc[f["post_id"] == post, "code"])


def set_cell(b: MemoryBackend, sheet_row: int, header: str, value: Cell) -> None:
    b.tabs["Calendar"][sheet_row - 1][HEADER.index(header)] = value


def test_revision_story_over_several_cycles() -> None:
    cfg, store = config(), StateStore(":memory:")
    b = backend(row("P1", status="Draft", date="2026-04-20 10:00"))
    day = at("2026-03-02 09:00")

    def cycle(status: str | None = None, caption: str | None = None) -> Any:
        nonlocal day
        if status:
            set_cell(b, 2, "Status", status)
        if caption:
            set_cell(b, 2, "Caption", caption)
        day += dt.timedelta(days=1)
        return run_once(cfg, b, store, day)

    assert codes_of(cycle()) == set()
    assert codes_of(cycle("Client review")) == set()
    assert codes_of(cycle("Changes requested")) == set()
    assert codes_of(cycle("Client review")) == set()  # round 1 of 2
    assert codes_of(cycle("Changes requested")) == set()
    # Two rounds used of two included, back in review: the last included round.
    assert codes_of(cycle("Client review")) == {"revision-last-round"}
    third = cycle("Changes requested")
    assert codes_of(third) == {"revision-limit-exceeded"}
    message = third.findings.loc[third.findings["code"] == "revision-limit-exceeded",
                                 "message"].item()
    assert message == ("3 revision rounds used, 2 allowed: 1 billable extra round. Ask the "
                       "account manager to approve or bill them.")
    approved = cycle("Approved")
    assert codes_of(approved) == {"revision-limit-exceeded"}  # still 3 rounds of 2
    edited = cycle(caption="Hello, edited after approval")
    assert codes_of(edited) == {"revision-limit-exceeded", "changed-after-approval"}
    message = edited.findings.loc[edited.findings["code"] == "changed-after-approval",
                                  "message"].item()
    assert "(approval seen 2026-03-10 09:00)" in message  # the cycle that saw "Approved"
    history = [(h.field, h.old, h.new) for h in store.history("test", "P1")]
    assert history == [  # the statuses as the sheet wrote them
        ("status", "Draft", "Client review"),
        ("status", "Client review", "Changes requested"),
        ("status", "Changes requested", "Client review"),
        ("status", "Client review", "Changes requested"),
        ("status", "Changes requested", "Client review"),
        ("status", "Client review", "Changes requested"),
        ("status", "Changes requested", "Approved"),
        ("caption", "Hello", "Hello, edited after approval"),
    ]
    tab = b.tabs["History"]
    # Header + one row per change, none repeated, at the time of the cycle that saw it,
    # the newest first; fields named by the sheet's headers.
    assert tab == [["Time", "Post ID", "Field", "Old value", "New value"]] + [
        [dt.datetime(2026, 3, day, 9, 0), "P1", field.capitalize(), old, new]
        for day, (field, old, new) in reversed(list(zip(range(4, 12), history, strict=True)))]


def test_unchanged_calendar_is_written_once() -> None:
    cfg, store = config(), StateStore(":memory:")
    b = backend(row("P1"), row("P2", caption="=HYPERLINK(\"http://x\",\"y\")"))
    first = run_once(cfg, b, store, at("2026-03-10 09:00"))
    assert b.writes == 1 and first.changed_tabs == ["Status", "Report", "History"]
    second = run_once(cfg, b, store, at("2026-03-10 09:05"))
    assert b.writes == 1 and second.changed_tabs == []
    assert b.reads == 2


def test_formula_text_stays_literal_in_outputs() -> None:
    cfg, store = config(), StateStore(":memory:")
    formula = "=HYPERLINK(\"http://x\",\"y\")"
    b = backend(row(formula), row(formula), row("+90 555 000"))
    run_once(cfg, b, store, at("2026-03-10 09:00"))
    status = [r for r in b.tabs["Status"] if len(r) > 6 and r[6] == "duplicate-id"]
    assert [r[2].split(" · ")[0] for r in status] == [formula, formula]  # the IDs, as text
    set_cell(b, 4, "Caption", "=1+1")
    run_once(cfg, b, store, at("2026-03-10 10:00"))
    assert b.tabs["History"][1][1:] == ["+90 555 000", "Caption", "Hello", "=1+1"]


def test_dry_run_writes_nothing_and_saves_nothing() -> None:
    cfg, store = config(), StateStore(":memory:")
    b = backend(row("P1"))
    result = run_once(cfg, b, store, at("2026-03-10 09:00"), dry_run=True)
    assert result.changed_tabs == ["Status", "Report", "History"]
    assert b.writes == 0 and "Status" not in b.tabs
    assert store.posts("test").empty and store.runs("test") == []


def test_failed_write_saves_no_state_and_the_next_cycle_recovers() -> None:
    cfg, store = config(), StateStore(":memory:")
    b = backend(row("P1"))
    run_once(cfg, b, store, at("2026-03-10 09:00"))
    set_cell(b, 2, "Status", "Client review")
    b.fail_writes = 1
    with pytest.raises(SourceError):
        run_once(cfg, b, store, at("2026-03-10 10:00"))
    assert store.history("test") == []
    run_once(cfg, b, store, at("2026-03-10 10:05"))
    assert [(h.field, h.new) for h in store.history("test")] == [("status", "Client review")]


def test_assign_ids_is_guarded_against_rows_that_moved() -> None:
    cfg, store = config(assign_ids=True), StateStore(":memory:")
    b = backend(row("P1"), row("", caption="No id yet"))
    result = run_once(cfg, b, store, at("2026-03-10 09:00"))
    assert result.guarded == ["row 3: ID SS-00001 assigned"]
    assert b.tabs["Calendar"][2][0] == "SS-00001"

    class Moving(MemoryBackend):
        def read_row(self, tab: str, row_number: int) -> list[Cell]:
            # A user inserted a row above between the read and the guarded write.
            self.tabs[tab].insert(1, row("NEW", caption="inserted"))
            return super().read_row(tab, row_number)

    moving = Moving({"Calendar": [list(HEADER), row("P1"), row("", caption="No id yet")]})
    refused = run_once(cfg, moving, StateStore(":memory:"), at("2026-03-10 09:00"))
    assert refused.guarded[0].startswith("row 3: ID SS-00001 assigned — not done")
    assert all(r[0] != "SS-00001" for r in moving.tabs["Calendar"])


def test_hold_on_revision_limit_is_opt_in_and_guarded() -> None:
    cfg = calendar_config(tab="Calendar", rules={"levels": RULES_OFF, "revisions": {
        "included_rounds": 1, "on_exceed": "hold"}})
    header = [*HEADER, "Revision round"]
    b = MemoryBackend({"Calendar": [header, [*row("P1", status="Client review"), 3]]})
    result = run_once(cfg, b, StateStore(":memory:"), at("2026-03-10 09:00"))
    assert result.guarded == ["row 2: post P1 put on hold (revision limit)"]
    assert b.tabs["Calendar"][1][HEADER.index("Status")] == "On hold"


def test_a_second_sync_of_the_same_calendar_is_refused(tmp_path: Any) -> None:
    state = str(tmp_path / "state.db")
    cfg = config()
    with cycle_lock(state, cfg.name), pytest.raises(CycleLocked) as caught:
        sync(cfg, state, at("2026-03-10 09:00"), backend=backend(row("P1")))
    assert caught.value.exit_code == 3
    assert "another sync of calendar 'test' is running" in caught.value.message


class Watched(MemoryBackend):
    """Notes what the garbage collector was doing when the cycle read and wrote."""

    def __init__(self, *args: Any, fail: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fail, self.seen = fail, []

    def read(self, tab: str, owned: Any) -> Any:
        self.seen.append(("read", gc.isenabled(), gc.get_freeze_count() > 0))
        if self.fail == "read":
            raise SourceError("unreachable")
        return super().read(tab, owned)

    def write(self, tabs: Any) -> None:
        self.seen.append(("write", gc.isenabled(), gc.get_freeze_count() > 0))
        if self.fail == "write":
            raise SourceError("unreachable")
        super().write(tabs)


def test_the_collector_is_paused_while_reading_and_spares_the_cells_for_the_cycle() -> None:
    b = Watched({"Calendar": [list(HEADER), row("P1")]})
    run_once(config(), b, StateStore(":memory:"), at("2026-03-10 09:00"))
    assert b.seen == [("read", False, False), ("write", True, True)]
    assert gc.isenabled() and gc.get_freeze_count() == 0
    for step in ("read", "write"):
        b = Watched({"Calendar": [list(HEADER), row("P1")]}, fail=step)
        with pytest.raises(SourceError):
            run_once(config(), b, StateStore(":memory:"), at("2026-03-10 09:00"))
        assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_program_managing_the_collector_itself_is_left_alone() -> None:
    gc.disable()
    try:
        b = Watched({"Calendar": [list(HEADER), row("P1")]})
        run_once(config(), b, StateStore(":memory:"), at("2026-03-10 09:00"))
        assert b.seen == [("read", False, False), ("write", False, False)]
        assert not gc.isenabled()
    finally:
        gc.enable()
    gc.freeze()  # e.g. a server that froze its start-up objects before forking
    try:
        b = Watched({"Calendar": [list(HEADER), row("P1")]})
        run_once(config(), b, StateStore(":memory:"), at("2026-03-10 09:00"))
        assert b.seen == [("read", True, True), ("write", True, True)]
        assert gc.get_freeze_count() > 0  # still frozen: not undone by the cycle
    finally:
        gc.unfreeze()


def test_a_store_pool_keeps_the_state_open_between_cycles(tmp_path: Any) -> None:
    state = str(tmp_path / "state.db")
    pool = StorePool()
    first = pool.get(state)
    assert pool.get(state) is first  # a daemon's next cycle: the same open store
    first.db.execute("PRAGMA user_version")  # still open

    # Another file put at the path (a reset, a restored backup) is opened afresh.
    other = StateStore(str(tmp_path / "other.db"))
    other.close()
    os.replace(tmp_path / "other.db", state)
    second = pool.get(state)
    assert second is not first
    with pytest.raises(sqlite3.ProgrammingError):
        first.db.execute("SELECT 1")  # the old one was closed
    pool.discard(state)
    assert pool.get(state) is not second
    pool.close()
    assert pool.get(":memory:") is not pool.get(":memory:")  # nothing to find again


def test_cycles_through_a_store_pool_remember_what_separate_runs_do(tmp_path: Any) -> None:
    pooled, separate = StorePool(), str(tmp_path / "separate.db")
    kept = str(tmp_path / "kept.db")
    a, b = backend(row("P1"), row("P2")), backend(row("P1"), row("P2"))
    for minutes, status in ((0, "Client review"), (5, "Changes requested"),
                            (10, "Client review"), (15, "Changes requested")):
        for b_ in (a, b):
            set_cell(b_, 2, "Status", status)
        now = at("2026-03-10 09:00") + dt.timedelta(minutes=minutes)
        with_pool = sync(config(), kept, now, backend=a, stores=pooled)
        alone = sync(config(), separate, now, backend=b)
        assert with_pool.outputs["History"][1:] == alone.outputs["History"][1:]
        assert with_pool.outputs["Status"] == alone.outputs["Status"]
        if minutes == 5:  # another program empties the database: the open store sees it
            assert with_pool.outputs["History"][1:] == [
                [dt.datetime(2026, 3, 10, 9, 5), "P1", "Status", "Client review",
                 "Changes requested"]]
            StateStore(kept).reset()
            StateStore(separate).reset()
    # Only what was seen since the reset: P1 first seen again at 09:10, changed at 09:15.
    assert with_pool.outputs["History"][1:] == [
        [dt.datetime(2026, 3, 10, 9, 15), "P1", "Status", "Client review", "Changes requested"]]
    pooled.close()
