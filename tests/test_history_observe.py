"""history.observe against the plain implementation it replaced, over edited calendars.

``observe`` formats text once per distinct value, reuses the saved fingerprint where caption
and asset did not change and compares only arrays; the reference below formats and compares
every row the straightforward way. Over random calendars edited cycle after cycle both must
find the same History entries, transitions, state rows and per-row facts.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import numpy as np
import pandas as pd
from conftest import HEADER, at, calendar_config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheets_sync.config import CalendarConfig
from sheets_sync.history import Observation, Observed, _positions, observe
from sheets_sync.model import HistoryEntry
from sheets_sync.parse import Calendar, parse
from sheets_sync.snapshot import Changes, iso
from sheets_sync.state import Run, StateStore

# Written out here, not imported: the fields History logs (in this order), the states that
# count as approved, and the snapshot's columns are what the reference pins.
TRACKED = ("status", "publish_at", "caption", "asset", "approved_by", "approved_at",
           "approved", "revision_round", "extra_rounds_approved")
APPROVED_STATES = frozenset({"approved", "scheduled", "published"})
SNAPSHOT_COLUMNS = (
    "post_id", "client", "status", "status_text", "publish_at", "caption", "asset", "approved_by",
    "approved_at", "approved", "revision_round", "extra_rounds_approved", "fingerprint",
    "approved_fingerprint", "approved_seen_at", "review_started_at", "rounds_observed",
    "first_seen", "last_changed",
)
COLUMNS = [*HEADER, "Approved by", "Approved on", "Approved", "Revision round", "Extra rounds"]
IDS = ["P1", "P2", "P3", "P4", "P5", ""]
CLIENTS = ["Acme", "Tokyo Co", "NY Inc"]
STATUSES = ["Draft", "Client review", "Changes requested", "Approved", "Published", "On hold",
            "Revize", "Done?", ""]
DATES = [None, "2026-03-09 10:00", "2026-03-11", "2026-03-11 10:00", 46093.5, 46093.75]
CELLS: dict[str, st.SearchStrategy[Any]] = {
    "ID": st.sampled_from(IDS),
    "Client": st.sampled_from(CLIENTS),
    "Publish date": st.sampled_from(DATES),
    "Status": st.sampled_from(STATUSES),
    "Caption": st.sampled_from(["Hello", "Hello!", "Merhaba", "", "=1+1"]),
    "Asset": st.sampled_from(["https://x.io/a.png", "https://x.io/b.png", ""]),
    "Approved by": st.sampled_from(["", "Elif", " ", "Jonas"]),
    "Approved on": st.sampled_from([None, "2026-03-05 15:00", "2026-03-06", 46087.25]),
    "Approved": st.sampled_from([None, "yes", "no", True]),
    "Revision round": st.sampled_from([None, 0, 1, 2, 2.0, 3.7, "x"]),
    "Extra rounds": st.sampled_from([None, 0, 1, 12]),
}
EDIT = st.tuples(st.integers(0, 7), st.sampled_from(sorted(CELLS))).flatmap(
    lambda where: st.tuples(st.just(where[0]), st.just(where[1]), CELLS[where[1]]))
ROW = st.fixed_dictionaries(CELLS).map(
    lambda cells: [cells.get(name, {"Channel": "Instagram", "Format": "Post",
                                    "Owner": "Ayşe"}.get(name)) for name in COLUMNS])


def config() -> CalendarConfig:
    return calendar_config(clients={"Tokyo Co": {"timezone": "Asia/Tokyo", "country": "JP"},
                                    "NY Inc": {"timezone": "America/New_York"}})


def reference(calendar: Calendar, previous: pd.DataFrame, config: CalendarConfig,
              now: dt.datetime) -> Observation:
    """The implementation observe replaced: every row formatted and compared as text."""
    frame = calendar.frame
    stamp = iso(now)
    current = pd.DataFrame(index=frame.index)
    current["post_id"] = frame["post_id"]
    current["client"] = frame["client"]
    current["status"] = frame["status"].where(frame["status"] != "", frame["status_raw"])
    current["status_text"] = frame["status_raw"].map(lambda text: str(text).strip())
    for name in ("publish_at", "approved_at"):
        current[name] = pd.Series(frame[name]).dt.strftime("%Y-%m-%d %H:%M").fillna("").astype(
            object)
    for name in ("caption", "asset", "approved_by"):
        current[name] = frame[name]
    flag = frame["approved"].to_numpy(dtype=float)
    current["approved"] = np.where(np.isnan(flag), "", np.where(flag == 1.0, "yes", "no"))
    for name in ("revision_round", "extra_rounds_approved"):
        current[name] = [("" if np.isnan(v) else str(int(v)))
                         for v in frame[name].to_numpy(dtype=float)]
    current["fingerprint"] = pd.util.hash_pandas_object(
        frame[["caption", "asset"]].astype(str), index=False).astype(str).to_numpy()
    current = current.astype(object)
    # A post ID on several rows is no identity: none of its rows is followed.
    tracked = (current["post_id"] != "") & ~current["post_id"].duplicated(keep=False)
    old = previous.reindex(current["post_id"]).set_axis(current.index)
    seen = old["post_id"].notna().to_numpy() & tracked.to_numpy()
    old = old.fillna("")
    status, old_status = current["status"], old["status"]
    canonical = frame["status"]
    entered = seen & (status != old_status).to_numpy()
    history = []
    # A change of state is logged as the sheet wrote the status (the state where the
    # snapshot has no text).
    old_text = old["status_text"].where(old["status_text"] != "", old["status"])
    for name in TRACKED:
        changed = seen & (current[name] != old[name]).to_numpy()
        shown = "status_text" if name == "status" else name
        before = old_text if name == "status" else old[name]
        for pid, was, now_is, written in zip(current["post_id"][changed], before[changed],
                                             current[shown][changed],
                                             old["status_text"][changed] != ""):
            history.append(HistoryEntry(now, pid, name, was, now_is,
                                        name != "status" or bool(written)))
    transitions = [(pid, stamp, before, after) for pid, before, after in zip(
        current["post_id"][entered], old_status[entered], status[entered])]
    rounds = pd.to_numeric(old["rounds_observed"], errors="coerce").fillna(0).to_numpy()
    rounds = rounds + (tracked.to_numpy() & (canonical == "changes_requested").to_numpy()
                       & (~seen | entered))
    in_review = (canonical == "client_review").to_numpy()
    started = np.where(in_review & seen & ~entered & (old["review_started_at"] != "").to_numpy(),
                       old["review_started_at"].to_numpy(dtype=object), stamp)
    started = np.where(in_review, started, "")
    named = frame["approved_at"].notna().to_numpy()  # an approver's name alone is no approval
    approved = frame["status"].isin(APPROVED_STATES).to_numpy() | np.where(
        np.isnan(flag), named, flag == 1.0)
    fingerprint = current["fingerprint"].to_numpy(dtype=object)
    old_fp = old["approved_fingerprint"].to_numpy(dtype=object)
    reapproved = (current["approved_at"] != old["approved_at"]).to_numpy()
    fresh = approved & (~seen | (old_fp == "") | reapproved)
    approved_fp = np.where(approved, np.where(fresh, fingerprint, old_fp), "")
    approved_seen = np.where(
        approved, np.where(fresh, stamp, old["approved_seen_at"].to_numpy(dtype=object)), "")
    posts = current.copy()
    posts["approved_fingerprint"] = approved_fp
    posts["approved_seen_at"] = approved_seen
    posts["review_started_at"] = started
    posts["rounds_observed"] = rounds.astype(int).astype(str)
    posts["first_seen"] = np.where(seen, old["first_seen"].to_numpy(dtype=object), stamp)
    posts["last_changed"] = stamp
    posts = posts[tracked.to_numpy()]
    differs = ~(posts[list(SNAPSHOT_COLUMNS[:-1])].astype(str).to_numpy()
                == old[tracked.to_numpy()][list(SNAPSHOT_COLUMNS[:-1])].astype(str).to_numpy()
                ).all(axis=1)
    return Observation(
        changes=Changes(posts=posts[differs], transitions=transitions, history=history),
        observed=Observed(
            rounds=np.where(tracked, rounds, 0),
            review_started=_local(started, frame, config),
            changed_after_approval=approved & ~fresh & (approved_fp != fingerprint) & seen
            & tracked.to_numpy(),
            approved_seen_at=_local(approved_seen, frame, config),
        ))


def _local(stamps: np.ndarray, frame: pd.DataFrame, config: CalendarConfig) -> np.ndarray:
    out = np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[ns]")
    for i in np.flatnonzero(stamps != ""):
        zone = zoneinfo.ZoneInfo(config.for_client(frame["client"].iloc[i]).timezone)
        moment = dt.datetime.fromisoformat(stamps[i]).astimezone(zone).replace(tzinfo=None)
        out[i] = np.datetime64(moment, "ns")
    return out


def assert_same(got: Observation, want: Observation) -> None:
    assert list(got.changes.posts.columns) == list(SNAPSHOT_COLUMNS)
    assert got.changes.history == want.changes.history
    assert got.changes.transitions == want.changes.transitions
    assert _texts(got.changes.posts) == _texts(want.changes.posts)
    for name in ("rounds", "review_started", "changed_after_approval", "approved_seen_at"):
        np.testing.assert_array_equal(getattr(got.observed, name), getattr(want.observed, name),
                                      err_msg=name)


def _texts(posts: pd.DataFrame) -> list[tuple[Any, ...]]:
    return list(posts[list(SNAPSHOT_COLUMNS)].astype(str).itertuples(name=None))


def saved(store: StateStore) -> list[tuple[str, ...]]:
    """What the database holds for the calendar (not the store's kept copy), sorted."""
    return sorted(store.db.execute(f"SELECT {', '.join(SNAPSHOT_COLUMNS)} FROM posts "
                                   "WHERE calendar = 'test'").fetchall())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ROW, min_size=1, max_size=8),
       st.lists(st.lists(EDIT, max_size=6), min_size=1, max_size=6))
def test_observe_matches_the_plain_implementation_cycle_after_cycle(
        rows: list[list[Any]], cycles: list[list[tuple[int, str, Any]]]) -> None:
    cfg, store = config(), StateStore(":memory:")
    now = at("2026-03-10 09:00")
    for edits in [[], *cycles]:
        for index, column, value in edits:
            rows[index % len(rows)][COLUMNS.index(column)] = value
        calendar = parse([COLUMNS, *rows], cfg)
        previous = store.posts("test")
        store.history("test"), store.transitions("test")  # kept from now on, as in a cycle
        got = observe(calendar, previous, cfg, now)
        assert_same(got, reference(calendar, previous, cfg, now))
        store.save("test", got.changes, Run(now, now, len(rows), 0, 0))
        kept = store.posts("test")
        assert sorted(kept[list(SNAPSHOT_COLUMNS)].itertuples(index=False, name=None)
                      ) == saved(store)
        assert [(iso(h.at), h.post_id, h.field, h.old, h.new) for h in store.history("test")
                ] == store.db.execute("SELECT at, post_id, field, old, new FROM history "
                                      "ORDER BY seq").fetchall()
        transitions = store.transitions("test")
        assert list(zip(transitions["post_id"], transitions["at"].dt.tz_localize("UTC").map(iso),
                        transitions["from_status"], transitions["to_status"])) == store.db.execute(
            "SELECT post_id, at, from_status, to_status FROM transitions ORDER BY rowid"
        ).fetchall()
        now += dt.timedelta(hours=5)


def test_a_fingerprint_is_hashed_again_only_when_caption_or_asset_changed() -> None:
    cfg, store = config(), StateStore(":memory:")
    rows = [["P1", "Acme", "Instagram", "Post", "2026-03-20 10:00", "Approved", "Hi",
             "https://x.io/a.png", "Ayşe", "Elif", "2026-03-05 15:00", "yes", 1, None]]
    now = at("2026-03-10 09:00")
    first = observe(parse([COLUMNS, *rows], cfg), store.posts("test"), cfg, now)
    store.save("test", first.changes, Run(now, now, 1, 0, 0))
    rows[0][COLUMNS.index("Caption")] = "Hi, edited after approval"
    later = now + dt.timedelta(hours=1)
    second = observe(parse([COLUMNS, *rows], cfg), store.posts("test"), cfg, later)
    assert second.observed.changed_after_approval.tolist() == [True]
    assert [(h.field, h.old, h.new) for h in second.changes.history] == [
        ("caption", "Hi", "Hi, edited after approval")]
    assert second.changes.posts["fingerprint"].iloc[0] != first.changes.posts[
        "fingerprint"].iloc[0]
    assert second.changes.posts["approved_fingerprint"].iloc[0] == first.changes.posts[
        "fingerprint"].iloc[0]


def test_history_logs_exactly_the_tracked_fields() -> None:
    cfg, store = config(), StateStore(":memory:")
    rows: list[list[Any]] = [["P1", "Acme", "Instagram", "Post", "2026-03-20 10:00", "Draft",
                              "Hi", "https://x.io/a.png", "Ayşe", "", None, None, 1, 0]]
    edits = [("Client", "NY Inc", []), ("Channel", "X", []), ("Format", "Reel", []),
             ("Owner", "Can", []),
             ("Publish date", "2026-03-21 11:30",
              [("publish_at", "2026-03-20 10:00", "2026-03-21 11:30")]),
             ("Status", "Client review", [("status", "Draft", "Client review")]),
             ("Status", "client review", []),  # written otherwise, the same state
             ("Status", "Done?", [("status", "client review", "Done?")]),
             ("Caption", "Hi!", [("caption", "Hi", "Hi!")]),
             ("Asset", "https://x.io/b.png",
              [("asset", "https://x.io/a.png", "https://x.io/b.png")]),
             ("Approved by", "Elif", [("approved_by", "", "Elif")]),
             ("Approved on", "2026-03-06", [("approved_at", "", "2026-03-06 00:00")]),
             ("Approved", "no", [("approved", "", "no")]),
             ("Revision round", 2, [("revision_round", "1", "2")]),
             ("Extra rounds", 1, [("extra_rounds_approved", "0", "1")])]
    now = at("2026-03-10 09:00")
    for column, value, expected in [("ID", "P1", []), *edits]:
        rows[0][COLUMNS.index(column)] = value
        got = observe(parse([COLUMNS, *rows], cfg), store.posts("test"), cfg, now)
        assert [(h.field, h.old, h.new) for h in got.changes.history] == expected, column
        store.save("test", got.changes, Run(now, now, 1, 0, 0))
        now += dt.timedelta(hours=1)


@settings(max_examples=300, deadline=None)
@given(snapshot=st.lists(st.sampled_from(["P1", "P2", "P3", "P4", "P5", "P6"]), unique=True),
       ids=st.lists(st.sampled_from(["P1", "P2", "P3", "P4", "P5", "P7", ""])))
def test_snapshot_positions_match_a_hash_lookup(snapshot: list[str], ids: list[str]) -> None:
    # Rows are matched by their place in the snapshot first; the answer must be a lookup's.
    index = pd.Index(snapshot, dtype=object)
    cells = np.array(ids, dtype=object)
    expected = index.get_indexer(pd.Index(cells, dtype=object)) if snapshot else [-1] * len(ids)
    assert _positions(index, cells).tolist() == list(expected)
