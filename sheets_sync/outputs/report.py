"""The Report tab's tables, one per question an account manager asks.

:mod:`sheets_sync.outputs.dashboard` lays them out with the header block and the charts.
Approval turnaround is computed in :mod:`sheets_sync.outputs.turnaround`, the pillar mix and
cadence in :mod:`sheets_sync.outputs.plan`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sheets_sync.cells import Cell
from sheets_sync.model import STATES, Severity
from sheets_sync.outputs.approvals import approvals_due
from sheets_sync.outputs.convert import number, publish_cells, texts
from sheets_sync.outputs.labels import Labels
from sheets_sync.rules.base import Context
from sheets_sync.rules.revisions import rounds_used


def _approvals(ctx: Context) -> list[list[Cell]]:
    """The posts :func:`approvals_due` finds, soonest first (sheet order among equals)."""
    frame = ctx.frame
    due = np.flatnonzero(approvals_due(ctx))
    # Soonest first by the true moment (the publish_at column, in each client's time).
    due = due[np.lexsort((frame["row"].to_numpy()[due],
                          frame["publish_at"].to_numpy(dtype="datetime64[ns]")[due]
                          .astype("int64")))]
    part = frame.iloc[due]
    columns = [texts(part["post_id"]), texts(part["client"]), texts(part["channel_raw"]),
               publish_cells(ctx.calendar, ctx.config, due,
                             part["publish_has_time"].to_numpy(dtype=bool)),
               texts(part["status_raw"]), texts(part["owner"])]
    return [list(r) for r in zip(*(c.tolist() for c in columns))]


def _overdue(findings: pd.DataFrame) -> list[list[Cell]]:
    part = findings[findings["code"] == "feedback-overdue"]
    columns = (part[name].to_numpy(dtype=object).tolist()  # not a text column's cell by cell
               for name in ("post_id", "client", "message"))
    return [[p or None, c or None, m] for p, c, m in zip(*columns)]


def _revisions(ctx: Context) -> list[list[Cell]]:
    """Per client and publish month (cancelled posts aside): rounds used, included, billable.

    Rounds used are the revision rule's (the sheet's count or, when larger, the observed one),
    summed over the month's posts. The contract includes its rounds per post, and a round one
    post leaves unused is no round another may use: the included rounds are shown as the
    contract's number per post (summed over posts they would read as a pool that does not
    exist), and billable rounds are those beyond it, counted post by post and summed.
    """
    frame = ctx.frame
    keep = frame["publish_at"].notna().to_numpy() & ~ctx.texts.status_in("cancelled")
    if not keep.any():
        return []
    used = rounds_used(ctx)[keep]
    included = ctx.clients.per_client(lambda s: s.rules.revisions.included_rounds)[keep]
    extra = np.nan_to_num(frame["extra_rounds_approved"].to_numpy(dtype=float))[keep]
    months = (frame["publish_at"].to_numpy(dtype="datetime64[ns]")[keep]
              .astype("datetime64[M]").astype("int64"))
    # One integer per (client, month): clients are numbered in name order, so sorting the
    # keys sorts the table by client, then month.
    first, span = int(months.min()), int(months.max() - months.min()) + 1
    keys, group, posts = np.unique(ctx.clients.of_row[keep].astype("int64") * span
                                   + months - first, return_inverse=True, return_counts=True)

    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(group, weights=values, minlength=len(keys))

    per_post = np.zeros(len(keys))
    np.maximum.at(per_post, group, included)  # one client's number: the same on its posts
    sums = zip(keys.tolist(), posts.tolist(), total(used), per_post, total(extra),
               total(np.maximum(0.0, used - included)))
    return [[ctx.clients.names[key // span], str(np.datetime64(key % span + first, "M")), count,
             number(u), number(i), number(e), number(b)]
            for key, count, u, i, e, b in sums]


def _pipeline(ctx: Context, label: Labels) -> list[list[Cell]]:
    counts = ctx.frame["status"].value_counts()
    known = [int(counts.get(state, 0)) for state in STATES]
    rows: list[list[Cell]] = [[label(s), n] for s, n in zip(STATES, known)]
    return [*rows, [label("unknown"), len(ctx.frame) - sum(known)]]


def _gaps(findings: pd.DataFrame) -> list[list[Cell]]:
    part = findings[findings["code"] == "calendar-gap"]
    return [[c or None, m] for c, m in zip(part["client"], part["message"])]


def _by_code(findings: pd.DataFrame, label: Labels) -> list[list[Cell]]:
    """Findings per code and the severity they were given (a code may have several: an
    escalated feedback-overdue is an error, one not yet escalated a warning; levels re-grade
    codes per client), most first, then by code and the worse severity first."""
    counts = findings.groupby(["code", "severity"]).size()
    ordered = sorted(((str(c), int(s), int(n)) for (c, s), n in zip(counts.index, counts)),
                     key=lambda item: (-item[2], item[0], -item[1]))
    return [[code, label(Severity(severity).label), n] for code, severity, n in ordered]
