"""The Report's approval turnaround: hours from sent-for-review to approval, and on-time share.

Approvals come from the sheet's own dates where it has both, else from the status changes
observed between syncs (the transitions the state store keeps).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sheets_sync import findings as findings_mod
from sheets_sync.cells import Cell
from sheets_sync.model import APPROVED_STATES
from sheets_sync.outputs.convert import utc_to_local
from sheets_sync.parse import Calendar
from sheets_sync.rules.base import Context
from sheets_sync.rules.feedback import after_business_days

_ONE_HOUR = np.timedelta64(1, "h")


def turnaround(ctx: Context, transitions: pd.DataFrame) -> list[list[Cell]]:
    """Median / 90th percentile hours from sent-for-review to approval, and share on time.

    Hours are real hours, across a daylight-saving change too (see :func:`_real_hours`).

    Posts with both ``sent_for_review_at`` and ``approved_at`` (in that order) use those;
    other posts use the observed transitions: each entry into ``approved`` from a state not
    yet approved, measured from the latest entry into ``client_review`` since the previous
    approval. On time means approved by the feedback deadline the feedback rules compute
    (``sla_days`` business days); a date-only approval counts as on time when its day is
    not after the deadline's day.
    """
    frame = ctx.frame
    start = frame["sent_for_review_at"].to_numpy(dtype="datetime64[ns]")
    end = frame["approved_at"].to_numpy(dtype="datetime64[ns]")
    sheet = ~np.isnat(start) & ~np.isnat(end) & (end >= start)
    observed = _observed_approvals(ctx, transitions, set(frame["post_id"][sheet]))
    sheet_clients = frame["client"].to_numpy(dtype=object)[sheet]
    approvals = pd.DataFrame({
        "client": np.concatenate([sheet_clients, observed["client"].to_numpy(dtype=object)]),
        "start": np.concatenate([start[sheet], observed["start"].to_numpy("datetime64[ns]")]),
        "end": np.concatenate([end[sheet], observed["end"].to_numpy("datetime64[ns]")]),
        "start_timed": np.concatenate([
            frame["sent_for_review_at_has_time"].to_numpy(bool)[sheet], observed["timed"]]),
        "end_timed": np.concatenate([
            frame["approved_at_has_time"].to_numpy(bool)[sheet], observed["timed"]]),
        "hours": np.concatenate([_real_hours(ctx, sheet_clients, start[sheet], end[sheet]),
                                 observed["hours"].to_numpy(dtype=float)])})
    rows: list[list[Cell]] = []
    on_time = _on_time(ctx, approvals)
    hours = approvals["hours"].to_numpy(dtype=float)
    # One sort by client, then a slice per client (not a comparison of every row per client).
    codes = pd.Categorical(approvals["client"].to_numpy(dtype=object),
                           categories=ctx.clients.names).codes
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(ctx.clients.names) + 1))
    for index, client in enumerate(ctx.clients.names):
        mine = order[bounds[index]:bounds[index + 1]]
        if not len(mine):
            rows.append([client, 0, None, None, None])
            continue
        rows.append([client, len(mine), round(float(np.median(hours[mine])), 1),
                     round(float(np.percentile(hours[mine], 90)), 1),
                     round(100.0 * float(on_time[mine].mean()), 1)])
    return rows


def _real_hours(ctx: Context, clients: np.ndarray, start: np.ndarray, end: np.ndarray
                ) -> np.ndarray:
    """Per pair of wall-clock times in the client's zone: the real hours from start to end.

    Across a daylight-saving change the hours between two wall-clock times are not their
    difference (Friday 10:00 to Monday 10:00 can be 71 or 73 hours). A time the clock skips
    counts as the next valid one, a time it repeats as the first of the two.
    """
    hours = (end - start) / _ONE_HOUR
    for client in pd.unique(clients):
        mine = clients == client
        zone = ctx.config.for_client(client).timezone
        first = np.ones(int(mine.sum()), dtype=bool)
        begin, until = (pd.DatetimeIndex(values[mine]).tz_localize(
            zone, ambiguous=first, nonexistent="shift_forward") for values in (start, end))
        hours[mine] = (until - begin) / pd.Timedelta(1, "h")
    return hours


def _observed_approvals(ctx: Context, transitions: pd.DataFrame, skip: set[str]
                        ) -> pd.DataFrame:
    """Approvals seen in ``transitions`` of posts in the calendar not in ``skip``, local time,
    with the real hours between them (measured on the UTC time stamps)."""
    frame = ctx.frame
    clients = (frame.loc[frame["post_id"] != "", ["post_id", "client"]]
               .drop_duplicates("post_id").set_index("post_id")
               if not transitions.empty else frame.iloc[:0])
    if transitions.empty or clients.empty:
        return pd.DataFrame({"client": pd.Series([], dtype=object),
                             "start": pd.Series([], dtype="datetime64[ns]"),
                             "end": pd.Series([], dtype="datetime64[ns]"),
                             "timed": pd.Series([], dtype=bool),
                             "hours": pd.Series([], dtype=float)})
    moves = transitions[transitions["post_id"].isin(clients.index)
                        & ~transitions["post_id"].isin(skip)]
    moves = moves.assign(at=moves["at"].to_numpy(dtype="datetime64[ns]"),
                         post_id=moves["post_id"].to_numpy(dtype=object))
    # Paired in the order the changes happened, not by time alone: cycles can share a time
    # (a clock set back syncs as of the last sync), and a review entered at the moment of an
    # approval but after it belongs to the next approval.
    moves = moves.sort_values("at", kind="stable")
    moves = moves.assign(seq=np.arange(len(moves)))
    reviews = moves.loc[moves["to_status"] == "client_review", ["post_id", "at", "seq"]]
    approved = moves.loc[(moves["to_status"] == "approved")
                         & ~moves["from_status"].isin(APPROVED_STATES), ["post_id", "at", "seq"]]
    approved = approved.assign(previous=approved.groupby("post_id")["seq"].shift())
    pairs = pd.merge_asof(approved.rename(columns={"at": "end"}),
                          reviews.rename(columns={"at": "start", "seq": "since"}), left_on="seq",
                          right_on="since", by="post_id", direction="backward")
    pairs = pairs[pairs["start"].notna() & ~(pairs["since"] < pairs["previous"])]
    pairs = pairs.assign(hours=(pairs["end"] - pairs["start"]) / pd.Timedelta(1, "h"))
    pairs = pairs.assign(client=clients.loc[pairs["post_id"], "client"].to_numpy(dtype=object))
    for client in pairs["client"].unique():
        mine = pairs["client"] == client
        zone = ctx.config.for_client(client).timezone
        for name in ("start", "end"):
            pairs.loc[mine, name] = utc_to_local(pairs.loc[mine, name], zone)
    return pairs.assign(timed=True)[["client", "start", "end", "timed", "hours"]]


def _on_time(ctx: Context, approvals: pd.DataFrame) -> np.ndarray:
    """Per approval: whether it came by the feedback deadline the feedback rules compute."""
    if approvals.empty:
        return np.zeros(0, dtype=bool)
    start = approvals["start"].to_numpy(dtype="datetime64[ns]")
    # A throwaway context over the approvals reuses the rules' business-day logic as is.
    frame = pd.DataFrame({"client": approvals["client"].to_numpy(dtype=object),
                          "publish_at": start})
    sub = Context(Calendar(frame, "", 0, {}, {}, findings_mod.empty()), ctx.config, ctx.now)
    sla = sub.clients.per_client(lambda s: s.rules.feedback.sla_days, "int64")
    deadline = after_business_days(sub, start, approvals["start_timed"].to_numpy(bool), sla)
    end = approvals["end"].to_numpy(dtype="datetime64[ns]")
    return np.where(approvals["end_timed"].to_numpy(bool), end <= deadline, end < deadline)
