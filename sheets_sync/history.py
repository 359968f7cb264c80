"""Compare this cycle's calendar with the saved snapshot: changes, transitions, history facts.

Pure: takes the parsed calendar, the previous snapshot (from the state store) and ``now``;
returns what the state should remember and the per-row facts the history rules need
(``calendar.extra``): observed revision rounds, when review started, changes after approval.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sheets_sync.config import CalendarConfig
from sheets_sync.model import APPROVED_STATES, HistoryEntry
from sheets_sync.parse import Calendar
from sheets_sync.state import POST_COLUMNS, Changes, iso

# Fields whose changes are logged in the History tab, with the label shown there.
TRACKED = ("status", "publish_at", "caption", "asset", "approved_by", "approved_at",
           "approved", "revision_round", "extra_rounds_approved")


@dataclass
class Observation:
    """What comparing with the previous cycle found."""

    changes: Changes
    observed_rounds: np.ndarray  # per frame row
    review_started: np.ndarray  # per frame row, naive local datetime64 (NaT: not in review)
    changed_after_approval: np.ndarray  # per frame row, bool
    approved_seen_at: np.ndarray  # per frame row, naive local datetime64


def _texts(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the tracked fields of every row as text, the way History shows them."""
    out = pd.DataFrame(index=frame.index)
    out["post_id"] = frame["post_id"]
    out["client"] = frame["client"]
    out["status"] = frame["status"].where(frame["status"] != "", frame["status_raw"])
    for name in ("publish_at", "approved_at"):
        stamps = pd.Series(frame[name])
        out[name] = stamps.dt.strftime("%Y-%m-%d %H:%M").fillna("").astype(object)
    for name in ("caption", "asset", "approved_by"):
        out[name] = frame[name]
    flag = frame["approved"].to_numpy(dtype=float)
    out["approved"] = np.where(np.isnan(flag), "", np.where(flag == 1.0, "yes", "no"))
    for name in ("revision_round", "extra_rounds_approved"):
        numbers = frame[name].to_numpy(dtype=float)
        out[name] = [("" if np.isnan(v) else str(int(v))) for v in numbers]
    out["fingerprint"] = pd.util.hash_pandas_object(
        frame[["caption", "asset"]].astype(str), index=False).astype(str).to_numpy()
    return out.astype(object)


def _approved_now(frame: pd.DataFrame) -> np.ndarray:
    flag = frame["approved"].to_numpy(dtype=float)
    named = (frame["approved_at"].notna() | (frame["approved_by"].str.strip() != "")).to_numpy()
    recorded = np.where(np.isnan(flag), named, flag == 1.0)
    return frame["status"].isin(APPROVED_STATES).to_numpy() | recorded


def observe(calendar: Calendar, previous: pd.DataFrame, config: CalendarConfig,
            now: dt.datetime) -> Observation:
    """Compare ``calendar`` with the ``previous`` snapshot as of ``now`` (aware)."""
    frame = calendar.frame
    stamp = iso(now)
    current = _texts(frame)
    # A post ID on several rows is reported as duplicate-id; its first row is the one tracked.
    tracked = (current["post_id"] != "") & ~current["post_id"].duplicated()
    old = previous.reindex(current["post_id"]).set_axis(current.index)
    seen = old["post_id"].notna().to_numpy() & tracked.to_numpy()
    old = old.fillna("")
    status, old_status = current["status"], old["status"]
    canonical = frame["status"]
    entered = seen & (status != old_status).to_numpy()

    history: list[HistoryEntry] = []
    for name in TRACKED:
        changed = seen & (current[name] != old[name]).to_numpy()
        for pid, before, after in zip(current["post_id"][changed], old[name][changed],
                                      current[name][changed]):
            history.append(HistoryEntry(now, pid, name, before, after))
    transitions = [(pid, stamp, before, after) for pid, before, after in zip(
        current["post_id"][entered], old_status[entered], status[entered])]

    rounds = pd.to_numeric(old["rounds_observed"], errors="coerce").fillna(0).to_numpy()
    into_changes = tracked.to_numpy() & (canonical == "changes_requested").to_numpy() & (
        ~seen | entered)
    rounds = rounds + into_changes

    in_review = (canonical == "client_review").to_numpy()
    started = np.where(in_review & seen & ~entered & (old["review_started_at"] != "").to_numpy(),
                       old["review_started_at"].to_numpy(dtype=object), stamp)
    started = np.where(in_review, started, "")

    approved = _approved_now(frame)
    fingerprint = current["fingerprint"].to_numpy(dtype=object)
    old_fp = old["approved_fingerprint"].to_numpy(dtype=object)
    reapproved = (current["approved_at"] != old["approved_at"]).to_numpy()
    fresh = approved & (~seen | (old_fp == "") | reapproved)
    approved_fp = np.where(approved, np.where(fresh, fingerprint, old_fp), "")
    approved_seen = np.where(
        approved, np.where(fresh, stamp, old["approved_seen_at"].to_numpy(dtype=object)), "")
    changed_after = approved & ~fresh & (approved_fp != fingerprint) & seen

    posts = current.copy()
    posts["approved_fingerprint"] = approved_fp
    posts["approved_seen_at"] = approved_seen
    posts["review_started_at"] = started
    posts["rounds_observed"] = rounds.astype(int).astype(str)
    posts["first_seen"] = np.where(seen, old["first_seen"].to_numpy(dtype=object), stamp)
    posts["last_changed"] = stamp
    posts = posts[tracked.to_numpy()]
    differs = ~(posts[list(POST_COLUMNS[:-1])].astype(str).to_numpy()
                == old[tracked.to_numpy()][list(POST_COLUMNS[:-1])].astype(str).to_numpy()
                ).all(axis=1)
    return Observation(
        changes=Changes(posts=posts[differs], transitions=transitions, history=history),
        observed_rounds=np.where(tracked, rounds, 0),
        review_started=_local(started, frame, config),
        changed_after_approval=changed_after & tracked.to_numpy(),
        approved_seen_at=_local(approved_seen, frame, config),
    )


def _local(stamps: np.ndarray, frame: pd.DataFrame, config: CalendarConfig) -> np.ndarray:
    """Convert ISO UTC texts ('' for none) to naive datetimes in each row's client zone."""
    out = np.full(len(frame), np.datetime64("NaT"), dtype="datetime64[ns]")
    present = stamps != ""
    if not present.any():
        return out
    utc = pd.to_datetime(pd.Series(stamps[present]), utc=True)
    zones = frame["client"].map({c: config.for_client(c).timezone
                                 for c in frame["client"].unique()}).to_numpy()[present]
    local = np.empty(len(utc), dtype="datetime64[ns]")
    for zone in set(zones):  # one conversion per time zone, not per client or row
        mask = zones == zone
        local[mask] = utc[mask].dt.tz_convert(zoneinfo.ZoneInfo(zone)).dt.tz_localize(
            None).to_numpy(dtype="datetime64[ns]")
    out[np.flatnonzero(present)] = local
    return out
