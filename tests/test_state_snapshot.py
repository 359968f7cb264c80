"""The state store keeps each calendar's post snapshot in memory between cycles.

It must always answer what the database holds: after its own saves, after a failed save,
after a reset, and when another process (another connection) wrote in between.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import HEADER, at, calendar_config, row

from sheets_sync.backends.memory import MemoryBackend
from sheets_sync.run import run_once
from sheets_sync.snapshot import SNAPSHOT_COLUMNS, Changes
from sheets_sync.state import Run, StateError, StateStore

NOW = at("2026-03-10 09:00")


def saved(path: Path) -> list[tuple[str, ...]]:
    """The posts of calendar 'test' as a fresh connection reads them, sorted."""
    db = sqlite3.connect(path)
    try:
        return sorted(db.execute(f"SELECT {', '.join(SNAPSHOT_COLUMNS)} FROM posts "
                                 "WHERE calendar = 'test'").fetchall())
    finally:
        db.close()


def kept(store: StateStore) -> list[tuple[str, ...]]:
    frame = store.posts("test")
    return sorted(frame[list(SNAPSHOT_COLUMNS)].itertuples(index=False, name=None))


def calendar(*rows: list[Any]) -> MemoryBackend:
    return MemoryBackend({"Calendar": [list(HEADER), *map(list, rows)]})


def set_status(backend: MemoryBackend, line: int, status: str) -> None:
    backend.tabs["Calendar"][line - 1][HEADER.index("Status")] = status


def test_the_kept_snapshot_follows_the_stores_own_saves(tmp_path: Path) -> None:
    path, cfg = tmp_path / "state.db", calendar_config(tab="Calendar")
    store = StateStore(path)
    backend = calendar(row("P1"), row("P2", status="Client review"))
    run_once(cfg, backend, store, NOW)
    set_status(backend, 3, "Approved")  # a changed post (P2)
    backend.tabs["Calendar"].append(row("P3"))  # a new post
    run_once(cfg, backend, store, NOW + dt.timedelta(hours=1))
    run_once(cfg, backend, store, NOW + dt.timedelta(hours=2))  # nothing changed
    assert kept(store) == saved(path)
    assert [r[0] for r in kept(store)] == ["P1", "P2", "P3"]
    assert store.posts("test").index.dtype == object
    fresh = StateStore(path)
    assert store.history("test") == fresh.history("test") != []
    assert store.history("test", "P2") == fresh.history("test", "P2") != []
    pd.testing.assert_frame_equal(store.transitions("test"), fresh.transitions("test"))
    assert store.transitions("test")["to_status"].tolist() == ["approved"]


def test_frames_handed_out_are_not_changed_by_later_saves_nor_change_the_store() -> None:
    cfg, store = calendar_config(tab="Calendar"), StateStore(":memory:")
    backend = calendar(row("P1", status="Client review"))
    run_once(cfg, backend, store, NOW)
    posts, transitions = store.posts("test"), store.transitions("test")
    copies = posts.copy(deep=True), transitions.copy(deep=True)
    set_status(backend, 2, "Approved")
    backend.tabs["Calendar"].append(row("P2"))
    run_once(cfg, backend, store, NOW + dt.timedelta(hours=1))
    assert posts.equals(copies[0]) and transitions.equals(copies[1])
    assert store.posts("test").loc["P1", "status"] == "approved"
    transitions["extra"] = 1
    store.history("test").clear()
    assert list(store.transitions("test").columns) == list(copies[1].columns)
    assert store.history("test") != []
    if int(pd.__version__.split(".")[0]) >= 3:  # copy on write: a caller's change stays its own
        posts.loc["P1", "status"] = "changed by a caller"
        assert store.posts("test").loc["P1", "status"] == "approved"


def test_a_cycle_saved_by_another_process_in_between_is_seen(tmp_path: Path) -> None:
    path, cfg = tmp_path / "state.db", calendar_config(tab="Calendar")
    daemon, other = StateStore(path), StateStore(path)
    backend = calendar(row("P1"))
    run_once(cfg, backend, daemon, NOW)
    set_status(backend, 2, "Client review")
    run_once(cfg, backend, other, NOW + dt.timedelta(hours=1))  # e.g. a manual `sync`
    assert daemon.posts("test").loc["P1", "status"] == "client_review"
    assert kept(daemon) == saved(path)
    run_once(cfg, backend, daemon, NOW + dt.timedelta(hours=2))
    assert [(h.field, h.old, h.new) for h in daemon.history("test")] == [
        ("status", "Draft", "Client review")]  # logged once, by the other process


def test_a_write_between_reading_and_saving_drops_the_kept_snapshot(tmp_path: Path) -> None:
    path, cfg = tmp_path / "state.db", calendar_config(tab="Calendar")
    daemon, other = StateStore(path), StateStore(path)
    run_once(cfg, calendar(row("P1"), row("P2")), daemon, NOW)
    daemon.posts("test")
    other.reset(["test"])  # another process writes after this store read its snapshot
    upsert = daemon.posts("test").iloc[:0]
    daemon.save("test", Changes(posts=upsert), Run(NOW, NOW, 0, 0, 0))
    assert kept(daemon) == saved(path) == []


def test_a_failed_save_leaves_the_kept_snapshot_as_the_database_is(tmp_path: Path) -> None:
    path, cfg = tmp_path / "state.db", calendar_config(tab="Calendar")
    store = StateStore(path)
    run_once(cfg, calendar(row("P1")), store, NOW)
    changed = store.posts("test").assign(status="published")
    broken = Changes(posts=changed, findings={"key": object()})  # type: ignore[dict-item]
    with pytest.raises(StateError):
        store.save("test", broken, Run(NOW, NOW, 0, 0, 0))
    assert kept(store) == saved(path)
    assert store.posts("test").loc["P1", "status"] == "draft"


def test_reset_forgets_the_kept_snapshot() -> None:
    cfg, store = calendar_config(tab="Calendar"), StateStore(":memory:")
    run_once(cfg, calendar(row("P1")), store, NOW)
    assert len(store.posts("test")) == 1
    store.reset(["test"])
    assert store.posts("test").empty
