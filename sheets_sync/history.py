"""Compare this cycle's calendar with the saved snapshot: changes, transitions, history facts.

Pure: takes the parsed calendar, the previous snapshot (from the state store) and ``now``;
returns what the state should remember (:class:`Changes`) and the per-row facts only earlier
cycles can give the rules (:class:`Observed`): observed revision rounds, when review started,
changes after approval.

Cost: one cycle compares every row with its snapshot, so everything here is vectorised
over rows. Texts are formatted once per distinct value (a calendar repeats its dates,
numbers and time stamps), and a row's fingerprint is hashed only when its caption or asset
differs from the snapshot's; everything else is array comparisons. Only the rows that
changed become History entries and state updates.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sheets_sync.config import CalendarConfig
from sheets_sync.model import APPROVED_STATES, HistoryEntry
from sheets_sync.parse import Calendar
from sheets_sync.snapshot import SNAPSHOT_COLUMNS, Changes, iso

# Fields whose changes are logged in the History tab.
TRACKED = ("status", "publish_at", "caption", "asset", "approved_by", "approved_at",
           "approved", "revision_round", "extra_rounds_approved")
_TEXTS = ("post_id", "client", "status", "status_text", "publish_at", "approved_at", "caption",
          "asset", "approved_by", "approved", "revision_round", "extra_rounds_approved",
          "fingerprint")


@dataclass(frozen=True)
class Observed:
    """What the tool saw of each post in earlier cycles, one entry per calendar frame row.

    The rules that need history (revision rounds, feedback timing, changed-after-approval)
    read these; without them (an audit, with no state) those rules use the sheet alone.
    """

    rounds: np.ndarray  # float: times the post was seen entering changes_requested
    review_started: np.ndarray  # naive local datetime64[ns]; NaT where not in client review
    changed_after_approval: np.ndarray  # bool: caption or asset differ from when approved
    approved_seen_at: np.ndarray  # naive local datetime64[ns]: when the approval was first seen


@dataclass(frozen=True)
class Observation:
    """What comparing with the previous cycle found: what to save, and what the rules need."""

    changes: Changes
    observed: Observed
    # What to keep for :func:`replay`, per frame row: whether the post is followed (a
    # unique post ID) and its facts before they are made local times; None: not told.
    facts: dict[str, np.ndarray] | None = None


class _Previous:
    """The previous snapshot's columns lined up with the frame's rows ('' where none)."""

    def __init__(self, previous: pd.DataFrame, ids: np.ndarray) -> None:
        self.previous = previous
        self.where = _positions(previous.index, ids)
        self.present = self.where >= 0
        self._absent = np.flatnonzero(~self.present)
        self._columns: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        """The column ``name`` per frame row (a shared array: do not modify)."""
        if name not in self._columns:
            if len(self.previous):
                values = self.previous[name].to_numpy(dtype=object)[self.where]
                values[self._absent] = ""
            else:
                values = np.full(len(self.where), "", dtype=object)
            self._columns[name] = values
        return self._columns[name]

    def unique_rows(self, ids: np.ndarray) -> np.ndarray:
        """Whether each row holds a post ID that no other row holds (a blank ID never does).

        Rows found in the snapshot are told apart by their snapshot position, which is
        quicker than comparing their IDs again (an ID found there is never among the new).
        """
        unique = np.zeros(len(ids), dtype=bool)
        named = ids != ""
        found = np.flatnonzero(self.present & named)
        unique[found] = ~pd.Series(self.where[found]).duplicated(keep=False).to_numpy()
        new = self._absent[named[self._absent]]
        unique[new] = ~pd.Series(ids[new], dtype=object).duplicated(keep=False).to_numpy()
        return unique


def _positions(index: pd.Index, ids: np.ndarray) -> np.ndarray:
    """Per ID: its position in the snapshot's ``index`` of unique IDs (-1 where absent).

    The snapshot holds the calendar's rows with an ID in row order (new posts are appended),
    so the n-th row with an ID usually sits at position n; only the IDs found elsewhere are
    looked up in the hash table.
    """
    where = np.full(len(ids), -1, dtype=np.intp)
    if not len(index):
        return where
    guess = np.cumsum(ids != "") - 1
    check = np.flatnonzero((ids != "") & (guess < len(index)))
    known = index.to_numpy(dtype=object)
    in_place = check[known[guess[check]] == ids[check]]
    where[in_place] = guess[in_place]
    others = np.flatnonzero(where < 0)
    if len(others):
        where[others] = index.get_indexer(pd.Index(ids[others], dtype=object))
    return where


def _per_value(values: pd.Series | np.ndarray,
               convert: Callable[[pd.Series], np.ndarray | pd.Series]) -> np.ndarray:
    """``convert`` (elementwise) applied once per distinct value, missing ones included."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return np.asarray(convert(pd.Series(uniques)))[codes]


def _minute_texts(stamps: pd.Series) -> np.ndarray:
    """Date-times as History shows them: 'YYYY-MM-DD HH:MM', '' for none."""
    if stamps.dtype != "datetime64[ns]":  # pragma: no cover - parse always gives ns
        return stamps.dt.strftime("%Y-%m-%d %H:%M").fillna("").to_numpy(dtype=object)
    values = stamps.to_numpy()
    known = ~np.isnat(values)
    out = np.full(len(values), "", dtype=object)
    if known.any():  # numpy floors to the minute, as strftime does; "T" becomes " "
        text = np.datetime_as_string(values[known], unit="m")
        text.view(np.uint32).reshape(len(text), -1)[:, 10] = ord(" ")
        out[known] = text
    return out


def _integer_texts(numbers: pd.Series) -> np.ndarray:
    """Numbers as whole-number text, '' for none (each distinct number written once)."""
    codes, uniques = pd.factorize(numbers.to_numpy(dtype=float))  # NaN: code -1
    texts = np.array([*(str(int(u)) for u in uniques), ""], dtype=object)
    return texts[np.where(codes < 0, len(uniques), codes)]


def _numbers(texts: pd.Series) -> np.ndarray:
    """Numbers saved as text, as floats (0 for blank or unreadable text)."""
    return pd.to_numeric(texts.astype(object), errors="coerce").fillna(0).to_numpy(dtype=float)


def _hashed(frame: pd.DataFrame) -> np.ndarray:
    """The hash of each row's caption and asset, as text (what an approval is pinned to)."""
    return pd.util.hash_pandas_object(
        frame[["caption", "asset"]].astype(str), index=False).astype(str).to_numpy()


def _texts(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return the tracked fields of every row as text, the way History shows them.

    The fingerprint and the status as written are left out: see :func:`_fingerprints` and
    :func:`observe`.
    """
    status = frame["status"].to_numpy(dtype=object)
    flag = frame["approved"].to_numpy(dtype=float)
    out = {name: frame[name].to_numpy(dtype=object)
           for name in ("post_id", "client", "caption", "asset", "approved_by")}
    out["status"] = np.where(status != "", status, frame["status_raw"].to_numpy(dtype=object))
    for name in ("publish_at", "approved_at"):
        out[name] = _per_value(frame[name], _minute_texts)
    out["approved"] = np.where(np.isnan(flag), "", np.where(flag == 1.0, "yes", "no")
                               ).astype(object)
    for name in ("revision_round", "extra_rounds_approved"):
        out[name] = _per_value(frame[name].to_numpy(dtype=float), _integer_texts)
    return out


def _fingerprints(frame: pd.DataFrame, old: _Previous, edited: np.ndarray) -> np.ndarray:
    """Each row's fingerprint: the snapshot's where the row has one and its caption and asset
    are not ``edited``, else hashed afresh (the fingerprint depends on nothing else)."""
    fingerprint = old["fingerprint"].copy()
    stale = ~old.present | (fingerprint == "") | edited
    if stale.any():
        fingerprint[stale] = _hashed(frame.iloc[np.flatnonzero(stale)])
    return fingerprint


def _approved_now(calendar: Calendar) -> np.ndarray:
    frame = calendar.frame
    flag = frame["approved"].to_numpy(dtype=float)
    # A yes, or an approval date where the flag is blank; an approver's name alone is none.
    recorded = np.where(np.isnan(flag), frame["approved_at"].notna().to_numpy(), flag == 1.0)
    codes, states = calendar.categorized("status")
    approved = np.array([state in APPROVED_STATES for state in states.tolist()], dtype=bool)
    return approved[codes] | recorded


def observe(calendar: Calendar, previous: pd.DataFrame, config: CalendarConfig,
            now: dt.datetime) -> Observation:
    """Compare ``calendar`` with the ``previous`` snapshot as of ``now`` (aware).

    ``previous`` is the saved snapshot: indexed by post ID, with the columns
    SNAPSHOT_COLUMNS (all text); it is only read.
    """
    frame = calendar.frame
    stamp = iso(now)
    ids = frame["post_id"].to_numpy(dtype=object)
    # A post ID on several rows (reported as duplicate-id) is no identity: which row is the
    # post is unknown, and following either would log every sort of the sheet as edits. Such
    # rows (and rows with no ID) are not followed: no History, transitions, observed rounds
    # or changed-after-approval, and their saved snapshot stays as it was until the ID is
    # unique again.
    old = _Previous(previous, ids)
    tracked = old.unique_rows(ids)
    current = _texts(frame)
    # The status as written, stripped: once per distinct text, as parse coded them.
    keys, texts = calendar.categorized("status_raw")
    current["status_text"] = np.array([str(t).strip() for t in texts.tolist()],
                                      dtype=object)[keys]
    differs = {name: current[name] != old[name] for name in _TEXTS[1:-1]}
    current["fingerprint"] = _fingerprints(frame, old, differs["caption"] | differs["asset"])
    differs["fingerprint"] = current["fingerprint"] != old["fingerprint"]
    seen = old.present & tracked
    canonical = frame["status"].to_numpy(dtype=object)
    entered = seen & differs["status"]

    history: list[HistoryEntry] = []
    # A status change is one of state; it is logged as the sheet wrote the status, before
    # (the canonical state where the snapshot has no text: saved by an earlier version) and
    # after.
    old_text = old["status_text"]
    written = {"status": (np.where(old_text != "", old_text, old["status"]),
                          current["status_text"])}
    for name in TRACKED:
        before, after = written.get(name, (old[name], current[name]))
        for i in np.flatnonzero(seen & differs[name]):
            history.append(HistoryEntry(now, ids[i], name, before[i], after[i],
                                        name != "status" or old_text[i] != ""))
    old_status = old["status"]
    transitions = [(ids[i], stamp, old_status[i], current["status"][i])
                   for i in np.flatnonzero(entered)]

    rounds = _per_value(old["rounds_observed"], _numbers)
    into_changes = tracked & (canonical == "changes_requested") & (~seen | entered)
    rounds = rounds + into_changes

    in_review = canonical == "client_review"
    old_started = old["review_started_at"]
    started = np.where(in_review & seen & ~entered & (old_started != ""), old_started, stamp)
    started = np.where(in_review, started, "")

    approved = _approved_now(calendar)
    fingerprint, old_fp = current["fingerprint"], old["approved_fingerprint"]
    fresh = approved & (~seen | (old_fp == "") | differs["approved_at"])
    approved_fp = np.where(approved, np.where(fresh, fingerprint, old_fp), "")
    approved_seen = np.where(approved, np.where(fresh, stamp, old["approved_seen_at"]), "")
    changed_after = approved & ~fresh & (approved_fp != fingerprint) & seen

    state = {"approved_fingerprint": approved_fp, "approved_seen_at": approved_seen,
             "review_started_at": started,
             "rounds_observed": _per_value(rounds, _integer_texts)}
    for name, values in state.items():
        differs[name] = values != old[name]
    # first_seen is the snapshot's for every row it has; last_changed alone is no change
    changed = tracked & (~old.present | np.logical_or.reduce(list(differs.values())))
    rows = np.flatnonzero(changed)
    columns = {**current, **state, "first_seen": np.where(seen, old["first_seen"], stamp)}
    posts = pd.DataFrame({name: columns[name][rows] for name in SNAPSHOT_COLUMNS[:-1]},
                         index=frame.index[rows], dtype=object).assign(last_changed=stamp)
    zones = _per_value(frame["client"], lambda clients: np.array(
        [config.for_client(c).timezone for c in clients], dtype=object))
    return Observation(
        changes=Changes(posts=posts, transitions=transitions, history=history),
        observed=Observed(
            rounds=np.where(tracked, rounds, 0),
            review_started=_local(started, zones),
            changed_after_approval=changed_after & tracked,
            approved_seen_at=_local(approved_seen, zones),
        ),
        facts={"tracked": tracked, "rounds": rounds, "review_started_at": started,
               "changed_after_approval": changed_after, "approved_seen_at": approved_seen})


def _local(stamps: np.ndarray, zones: np.ndarray) -> np.ndarray:
    """Convert ISO UTC texts ('' for none) to naive datetimes in each row's time zone."""
    out = np.full(len(stamps), np.datetime64("NaT"), dtype="datetime64[ns]")
    present = np.flatnonzero(stamps != "")
    if not len(present):
        return out
    # Rows share few time stamps and zones: convert each distinct (stamp, zone) pair once.
    stamp_codes, texts = pd.factorize(stamps[present])
    zone_codes, names = pd.factorize(zones[present])
    pair_codes, pairs = pd.factorize(stamp_codes * len(names) + zone_codes)
    utc = pd.to_datetime(pd.Series(texts[pairs // len(names)]), utc=True)
    local = np.empty(len(pairs), dtype="datetime64[ns]")
    for code, zone in enumerate(names):  # one conversion per time zone, not per client or row
        mask = pairs % len(names) == code
        local[mask] = utc[mask].dt.tz_convert(zoneinfo.ZoneInfo(zone)).dt.tz_localize(
            None).to_numpy(dtype="datetime64[ns]")
    out[present] = local[pair_codes]
    return out


# --- an unchanged calendar -------------------------------------------------------------------
#
# Once a cycle has saved what it observed, observing the very same calendar again (the same
# cells, read with the same configuration by the same code) against that snapshot changes
# nothing: every followed post is in the snapshot with the texts it has now, its review
# start, approval fingerprint and sighting, and its observed rounds, so no History entry,
# transition or snapshot update comes of it, and each followed post's observed facts are the
# ones that cycle computed. Only a post that is not followed (no ID, or one several rows hold)
# has facts that depend on the moment: it is seen for the first time on every cycle.
# :func:`kept_observation` keeps what a cycle observed; :func:`replay` gives the cycle of an
# unchanged calendar the same observation without reading or comparing the snapshot.

_NUMBERS = (("tracked", "bool"), ("rounds", "float64"), ("changed_after_approval", "bool"))
_STAMPS = ("review_started_at", "approved_seen_at")  # ISO UTC texts, "" for none


def kept_observation(observation: Observation) -> bytes | None:
    """The facts ``observation`` found per row, as bytes for :func:`replay`; None when it
    does not tell them."""
    facts = observation.facts
    if facts is None:
        return None
    out = io.BytesIO()
    for name, dtype in _NUMBERS:
        np.save(out, np.ascontiguousarray(facts[name], dtype=dtype), allow_pickle=False)
    for name in _STAMPS:  # few distinct time stamps: each kept once, and a code per row
        codes, texts = pd.factorize(facts[name].astype(object))
        np.save(out, codes.astype(np.int64), allow_pickle=False)
        np.save(out, np.array(texts.tolist(), dtype="<U40"), allow_pickle=False)
    return zlib.compress(out.getvalue(), 1)


def replay(calendar: Calendar, kept: bytes, config: CalendarConfig, now: dt.datetime
           ) -> Observation | None:
    """What :func:`observe` finds for ``calendar`` as of ``now`` against the snapshot saved
    by the cycle that observed exactly this calendar (its cells, read with ``config`` by this
    code) and kept ``kept`` (:func:`kept_observation`): no changes, the followed posts' facts
    as kept, the others' as of ``now``. None when ``kept`` is not such bytes for as many
    rows."""
    frame = calendar.frame
    rows = len(frame)
    try:
        data = io.BytesIO(zlib.decompress(kept))
        facts = {name: np.load(data, allow_pickle=False) for name, _ in _NUMBERS}
        for name in _STAMPS:
            codes, texts = np.load(data, allow_pickle=False), np.load(data, allow_pickle=False)
            if codes.dtype != np.int64 or texts.dtype.kind != "U" or texts.ndim != 1 or (
                    len(codes) and not -1 <= codes.min() <= codes.max() < len(texts)):
                return None
            facts[name] = np.append(texts.astype(object), "")[codes]  # -1: the "" added
    except (zlib.error, ValueError, OSError, EOFError):
        return None
    if any(facts[name].dtype != np.dtype(dtype) for name, dtype in _NUMBERS) or any(
            facts[name].shape != (rows,) for name in facts):
        return None
    tracked = facts["tracked"]
    stamp = iso(now)
    # A post not followed is seen afresh: in review, or approved, as of now; no rounds.
    in_review = frame["status"].to_numpy(dtype=object) == "client_review"
    started = np.where(tracked, facts["review_started_at"],
                       np.where(in_review, stamp, "")).astype(object)
    approved_seen = np.where(tracked, facts["approved_seen_at"],
                             np.where(_approved_now(calendar), stamp, "")).astype(object)
    rounds = np.where(tracked, facts["rounds"], 0.0)
    changed_after = facts["changed_after_approval"] & tracked
    zones = _per_value(frame["client"], lambda clients: np.array(
        [config.for_client(c).timezone for c in clients], dtype=object))
    posts = pd.DataFrame({name: np.empty(0, dtype=object) for name in SNAPSHOT_COLUMNS},
                         index=frame.index[:0], dtype=object)
    return Observation(
        changes=Changes(posts=posts),
        observed=Observed(rounds=rounds, review_started=_local(started, zones),
                          changed_after_approval=changed_after,
                          approved_seen_at=_local(approved_seen, zones)),
        facts={"tracked": tracked, "rounds": rounds, "review_started_at": started,
               "changed_after_approval": changed_after, "approved_seen_at": approved_seen})
